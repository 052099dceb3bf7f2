// Recorded output, labelled. Every ```text block on a page is a recorded
// run of the listing above it, or a negative example's recorded compiler
// error (the drift guard allows nothing else, and checks that the nearest
// Rust block above is that listing's). Each becomes a <figure> whose
// visible <figcaption> says so, so a screen reader announces the figure by
// that name too (checked in every theme by ci/browser/pages.test.mjs).
(function () {
    "use strict";

    // The Rust block the output belongs to, the nearest one before it (prose
    // may stand between), and that block's caption, the element after it.
    function source(pre) {
        var node = pre;
        while ((node = node.previousElementSibling)) {
            var rust = node.matches("pre") &&
                node.querySelector("code.language-rust");
            if (rust) {
                var next = node.nextElementSibling;
                var caption = next && next.querySelector(".caption");
                return { rust: rust, caption: caption };
            }
        }
        return { rust: null, caption: null };
    }

    function label(pre) {
        var from = source(pre);
        var found = from.caption &&
            /Listing \d+-\d+/.exec(from.caption.textContent);
        var listing = found ? found[0] : "the program above";
        if (from.rust && from.rust.classList.contains("compile_fail")) {
            return "Compiler error for " + listing + ", as recorded";
        }
        return "Output of " + listing + ", recorded from a real run";
    }

    var blocks = document.querySelectorAll(
        "pre > code.language-text, pre > code.language-console"
    );
    blocks.forEach(function (code) {
        var pre = code.parentElement;
        var figure = document.createElement("figure");
        figure.className = "recorded-output";
        var caption = document.createElement("figcaption");
        caption.textContent = label(pre);
        pre.before(figure);
        figure.append(caption, pre);
    });
})();
