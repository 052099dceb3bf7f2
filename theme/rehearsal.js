// Rehearsal questions (ci/score/src/rehearsal.rs renders them, each key
// derived from a listing's recording). Check says at once whether the
// answer is right and shows why, in a live region a screen reader reads;
// Retry starts the question again; each page's answers are kept in
// localStorage and "Clear my answers" forgets them. Without this script
// the page shows each answer in a <details> instead. Plain JS, no library.
"use strict";

(function () {
    var PREFIX = "rust-as-music:rehearsal:";

    // Storage may be missing or refused (private modes, some file:// pages):
    // then answers last as long as the page.
    function load(page) {
        try {
            return JSON.parse(localStorage.getItem(PREFIX + page)) || {};
        } catch (e) {
            return {};
        }
    }

    function save(page, answers) {
        try {
            if (Object.keys(answers).length) {
                localStorage.setItem(PREFIX + page, JSON.stringify(answers));
            } else {
                localStorage.removeItem(PREFIX + page);
            }
        } catch (e) {
            // Kept for this visit only.
        }
    }

    function inputs(form) {
        return Array.prototype.slice.call(
            form.querySelectorAll(".rehearsal-choices input")
        );
    }

    function picked(form) {
        return inputs(form)
            .filter(function (input) { return input.checked; })
            .map(function (input) { return Number(input.value); });
    }

    function key(form) {
        return form.getAttribute("data-answer").split(" ").map(Number);
    }

    function isRight(form, chosen) {
        var right = key(form);
        return chosen.length === right.length &&
            chosen.every(function (i) { return right.indexOf(i) >= 0; });
    }

    function forms(page) {
        return Array.prototype.filter.call(
            document.querySelectorAll("form.rehearsal-question"),
            function (form) { return form.getAttribute("data-page") === page; }
        );
    }

    function tally(page) {
        var right = forms(page).filter(function (form) {
            return form.getAttribute("data-state") === "right";
        }).length;
        document.querySelectorAll(".rehearsal-progress").forEach(function (p) {
            if (p.getAttribute("data-page") === page) {
                p.querySelector(".rehearsal-count").textContent = String(right);
            }
        });
    }

    // Shows the verdict for `chosen`. `quietly` (restoring a saved answer
    // as the page loads) keeps the live region from speaking.
    function show(form, chosen, quietly) {
        var feedback = form.querySelector(".rehearsal-feedback");
        var right = isRight(form, chosen);
        if (quietly) feedback.setAttribute("aria-live", "off");
        inputs(form).forEach(function (input) {
            input.checked = chosen.indexOf(Number(input.value)) >= 0;
        });
        form.querySelector("fieldset").disabled = true;
        form.querySelector(".rehearsal-check").disabled = true;
        form.querySelector(".rehearsal-retry").disabled = false;
        form.setAttribute("data-state", right ? "right" : "wrong");
        var several = key(form).length;
        form.querySelector(".rehearsal-verdict").textContent = right
            ? "Right."
            : several > 1
                ? "Not quite: " + several + " of the choices are right."
                : "Not quite.";
        if (quietly) {
            setTimeout(function () {
                feedback.setAttribute("aria-live", "polite");
            }, 0);
        }
    }

    function reset(form) {
        form.removeAttribute("data-state");
        form.querySelector("fieldset").disabled = false;
        inputs(form).forEach(function (input) { input.checked = false; });
        form.querySelector(".rehearsal-check").disabled = false;
        form.querySelector(".rehearsal-retry").disabled = true;
        form.querySelector(".rehearsal-verdict").textContent =
            "Not answered yet.";
    }

    function setup(form) {
        var page = form.getAttribute("data-page");
        var id = form.getAttribute("data-question");
        var saved = load(page)[id];
        if (Array.isArray(saved) && saved.length) show(form, saved, true);

        form.addEventListener("submit", function (event) {
            event.preventDefault();
            var chosen = picked(form);
            if (!chosen.length) {
                form.querySelector(".rehearsal-verdict").textContent =
                    "Choose an answer first.";
                return;
            }
            show(form, chosen, false);
            var answers = load(page);
            answers[id] = chosen;
            save(page, answers);
            tally(page);
            form.querySelector(".rehearsal-retry").focus();
        });

        form.querySelector(".rehearsal-retry").addEventListener(
            "click",
            function () {
                reset(form);
                var answers = load(page);
                delete answers[id];
                save(page, answers);
                tally(page);
                inputs(form)[0].focus();
            }
        );
    }

    document.querySelectorAll("form.rehearsal-question").forEach(setup);

    // The tally speaks only of what the reader does, not of what loads.
    document.querySelectorAll(".rehearsal-progress").forEach(function (p) {
        var page = p.getAttribute("data-page");
        var count = p.querySelector(".rehearsal-count");
        tally(page);
        p.querySelector(".rehearsal-tally").setAttribute("aria-live", "polite");
        p.querySelector(".rehearsal-clear").addEventListener(
            "click",
            function () {
                forms(page).forEach(reset);
                save(page, {});
                count.textContent = "";
                setTimeout(function () { tally(page); }, 50);
            }
        );
    });
})();
