// The Run button when the Rust Playground cannot be reached (offline, a
// firewall, a blocked host). mdBook's book.js then shows "Playground
// Communication: Failed to fetch"; this says instead what happened and how
// to run the listing on the reader's own machine. Its output area is also
// made a polite live region, so a screen reader hears the result.
(function () {
    "use strict";
    // What book.js (mdBook 0.4) writes when the request fails or times out.
    var FAILED = "Playground Communication: ";

    function pad(number) {
        return number.length < 2 ? "0" + number : number;
    }

    // The listing crate of a Run block: its caption ("Listing 5-2: …") is
    // the next element after the block (mdBook wraps the block's <pre> in
    // another), and names the crate listing-05-02.
    function listingOf(pre) {
        var outer = pre.parentElement && pre.parentElement.closest("pre");
        var next = (outer || pre).nextElementSibling;
        var caption = next && next.querySelector(".caption");
        var found = caption && /Listing (\d+)-(\d+)/.exec(caption.textContent);
        return found ? "listing-" + pad(found[1]) + "-" + pad(found[2]) : null;
    }

    function repository() {
        var link = document.querySelector('a[title="Git repository"]');
        return link ? link.href : "the book's repository";
    }

    function explain(result) {
        var why = result.textContent.slice(FAILED.length);
        var name = listingOf(result.closest("pre"));
        var command = "cargo run -p " + (name || "<the listing's crate>");
        result.textContent =
            "The Rust Playground cannot be reached from this page (" + why +
            "), so Run cannot run this program here.\n" +
            "To run it on your own machine, clone " + repository() +
            " and, in its folder, run:\n\n    " + command + "\n";
    }

    function watch(pre) {
        new MutationObserver(function () {
            var result = pre.querySelector(".result");
            if (!result) return;
            if (!result.hasAttribute("aria-live")) {
                result.setAttribute("aria-live", "polite");
            }
            if (result.textContent.indexOf(FAILED) === 0) explain(result);
        }).observe(pre, { childList: true, subtree: true, characterData: true });
    }

    document.querySelectorAll("pre.playground").forEach(watch);
})();
