// Your run, scored. Under each score, ci/score leaves a <div class="yourrun">
// holding the listing's output rule and its whole recorded output. When the
// reader presses Run on that listing, or pastes the output of a run on their
// own machine, this script draws that run as a second score, "Your run",
// with its own Listen (theme/score.js), and says in plain words how it
// compares with the recording under the listing's rule.
//
// The comparison is a port of Rule::mismatch in ci/recording: the same
// masks (thread ids everywhere, durations where order is free), the same
// lines, the same rules. The cases in ci/recording/verdicts.json hold the
// two to one verdict each (ci/recording/tests/verdicts.rs for the Rust,
// ci/browser/score.mjs for this file). A rule this file does not know
// is reported as such, never guessed.
"use strict";

(function () {
    // Rust's regex crate reads \d, \s and \b by Unicode: so do these.
    var WORD = "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]";
    var THREAD_ID = /(thread '[^']*') \(\p{Nd}+\)/gu;
    var TIME = new RegExp(
        "\\p{Nd}+(\\.\\p{Nd}+)?(ns|µs|us|ms|s)(?!" + WORD + ")", "gu");
    var STAMP = /^@[^\p{White_Space}]+ /u;
    var PERFORMER = /^[A-Za-z0-9_-]+$/;
    var EVENT = /^@([0-9]+)ms ([A-Za-z0-9_-]+): ([\s\S]*)$/;
    var PANIC = /^thread '[^']*' (\(\p{Nd}+\) )?panicked/mu;
    var NONDETERMINISM = "ch03-threads.html#starting-a-section-and-waiting-for-it";

    // str::lines: split at \n, drop one \r before it, no empty last line.
    function lines(text) {
        var parts = text.split("\n");
        var last = parts.pop();
        parts = parts.map(function (line) {
            return line.charAt(line.length - 1) === "\r" ? line.slice(0, -1) : line;
        });
        if (last !== "") parts.push(last);
        return parts;
    }

    function maskIds(text) {
        return text.replace(THREAD_ID, "$1 (<tid>)");
    }

    function maskTimes(line) {
        return line.replace(TIME, "<time>");
    }

    // Each masked line and how many times it occurs, with its first raw form.
    function count(text) {
        var counts = new Map();
        lines(text).forEach(function (line) {
            var key = maskTimes(line);
            var seen = counts.get(key) || { n: 0, raw: line };
            seen.n += 1;
            counts.set(key, seen);
        });
        return counts;
    }

    function byPerformer(text) {
        var lanes = new Map();
        lines(text).forEach(function (line) {
            var masked = maskTimes(line);
            var body = masked.replace(STAMP, "");
            var colon = body.indexOf(": ");
            var name = colon < 0 ? "" : body.slice(0, colon);
            if (!PERFORMER.test(name)) name = "";
            if (!lanes.has(name)) lanes.set(name, []);
            lanes.get(name).push(masked);
        });
        return lanes;
    }

    function sameLanes(a, b) {
        if (a.size !== b.size) return false;
        for (var [name, notes] of a) {
            var other = b.get(name);
            if (!other || other.join("\n") !== notes.join("\n") ||
                other.length !== notes.length) return false;
        }
        return true;
    }

    // Whether `actual` matches `recorded` (both with thread ids masked).
    var RULES = {
        "exact": function (recorded, actual) {
            return recorded === actual;
        },
        "any-order": function (recorded, actual) {
            var want = count(recorded);
            var got = count(actual);
            if (want.size !== got.size) return false;
            for (var [line, seen] of want) {
                if (!got.has(line) || got.get(line).n !== seen.n) return false;
            }
            return true;
        },
        "per-performer": function (recorded, actual) {
            return sameLanes(byPerformer(recorded), byPerformer(actual));
        }
    };

    // The verdict on a run: "match", "reordered" (the same lines, which the
    // rule still rejects), "missing", "extra", "different" or "undecided",
    // with the raw lines missing and extra.
    function compare(rule, recorded, actual) {
        var verdict = { verdict: "undecided", missing: [], extra: [], sameLines: false,
            inOrder: false };
        if (!Object.prototype.hasOwnProperty.call(RULES, rule)) return verdict;
        recorded = maskIds(recorded);
        actual = maskIds(actual);
        var want = count(recorded);
        var got = count(actual);
        want.forEach(function (seen, line) {
            var n = seen.n - (got.has(line) ? got.get(line).n : 0);
            for (var i = 0; i < n; i++) verdict.missing.push(seen.raw);
        });
        got.forEach(function (seen, line) {
            var n = seen.n - (want.has(line) ? want.get(line).n : 0);
            for (var i = 0; i < n; i++) verdict.extra.push(seen.raw);
        });
        var mine = lines(recorded), yours = lines(actual);
        verdict.sameLines = mine.join("\n") === yours.join("\n");
        verdict.inOrder = mine.map(maskTimes).join("\n") ===
            yours.map(maskTimes).join("\n");
        if (RULES[rule](recorded, actual)) verdict.verdict = "match";
        else if (verdict.missing.length === 0 && verdict.extra.length === 0) {
            verdict.verdict = "reordered";
        } else if (verdict.extra.length === 0) verdict.verdict = "missing";
        else if (verdict.missing.length === 0) verdict.verdict = "extra";
        else verdict.verdict = "different";
        return verdict;
    }

    // The events of an output, as ci/score's parse reads them: a line that
    // starts with @ must be one, and there must be at least one.
    function parse(output) {
        var events = [];
        var all = lines(output);
        for (var i = 0; i < all.length; i++) {
            if (all[i].charAt(0) !== "@") continue;
            var found = EVENT.exec(all[i]);
            if (!found) {
                return { error: "line " + (i + 1) + " of your run, “" + all[i] +
                    "”, starts with @ but is not an event" };
            }
            events.push({ t: Number(found[1]), who: found[2], what: found[3] });
        }
        return events.length > 0 ? { events: events } :
            { error: "it printed no events" };
    }

    // The drawing: ci/score's render, in the same geometry and classes, so
    // theme/score.css colours it and theme/score.js plays it.
    var WIDTH = 640, LEFT = 96, RIGHT = 20, TOP = 12, LANE = 34, AXIS = 40;
    var SVG = "http://www.w3.org/2000/svg";

    function tickStep(span) {
        for (var step = 1; ; step *= 10) {
            for (var factor of [1, 2, 5]) {
                if (Math.floor(span / (step * factor)) <= 8) return step * factor;
            }
        }
    }

    function svg(name, attributes, parent) {
        var node = document.createElementNS(SVG, name);
        Object.keys(attributes).forEach(function (key) {
            node.setAttribute(key, attributes[key]);
        });
        if (parent) parent.appendChild(node);
        return node;
    }

    function mark(lane, x, y, parent) {
        switch (lane % 4) {
            case 0: return svg("circle", { cx: x, cy: y, r: 6 }, parent);
            case 1: return svg("rect", { x: x - 5, y: y - 5, width: 11, height: 11 }, parent);
            case 2: return svg("path", { d: "M" + x + " " + (y - 7) + " L" + (x + 7) + " " + y +
                " L" + x + " " + (y + 7) + " L" + (x - 7) + " " + y + " Z" }, parent);
            default: return svg("path", { d: "M" + x + " " + (y - 7) + " L" + (x + 7) + " " +
                (y + 6) + " L" + (x - 7) + " " + (y + 6) + " Z" }, parent);
        }
    }

    function element(name, attributes, text) {
        var node = document.createElement(name);
        Object.keys(attributes || {}).forEach(function (key) {
            node.setAttribute(key, attributes[key]);
        });
        if (text !== undefined) node.textContent = text;
        return node;
    }

    // The reader's score. Lanes keep the recording's order, so a performer
    // has the same lane, colour, shape and pitch in both; new ones follow.
    function draw(id, listing, where, events, recordedPerformers) {
        var lanes = recordedPerformers.slice();
        events.forEach(function (e) {
            if (lanes.indexOf(e.who) < 0) lanes.push(e.who);
        });
        var end = Math.max(1, Math.max.apply(null, events.map(function (e) { return e.t; })));
        var step = tickStep(end);
        var span = Math.ceil(end / step) * step;
        var plot = WIDTH - LEFT - RIGHT;
        var height = TOP + LANE * lanes.length + AXIS;
        var x = function (t) { return LEFT + Math.floor(t * plot / span); };
        var figure = element("figure", {
            "class": "score score-yours", id: id,
            "data-notes": events.length, "data-lanes": lanes.length
        });
        var drawing = svg("svg", {
            "class": "score-svg", viewBox: "0 0 " + WIDTH + " " + height, role: "img",
            "aria-labelledby": id + "-title " + id + "-desc", "data-end": end,
            "data-span": span, "data-left": LEFT, "data-plot": plot
        }, figure);
        svg("title", { id: id + "-title" }, drawing).textContent = "Score of your run of " + listing;
        svg("desc", { id: id + "-desc" }, drawing).textContent = "Score of your run of " +
            listing + ": " + lanes.length + " performers, " + events.length +
            " notes over " + end + " ms.";
        lanes.forEach(function (name, lane) {
            var y = TOP + LANE * lane + LANE / 2;
            var group = svg("g", { "class": "score-lane score-lane-" + (lane % 8),
                "data-performer": name }, drawing);
            svg("line", { "class": "score-staff", x1: LEFT, y1: y, x2: WIDTH - RIGHT, y2: y }, group);
            svg("text", { "class": "score-label", x: LEFT - 10, y: y + 4,
                "text-anchor": "end" }, group).textContent = name;
            events.forEach(function (e) {
                if (e.who !== name) return;
                var note = svg("g", { "class": "score-note", "data-t": e.t, "data-lane": lane }, group);
                svg("title", {}, note).textContent = e.t + " ms: " + name + ": " + e.what;
                mark(lane, x(e.t), y, note);
            });
        });
        var axisY = TOP + LANE * lanes.length + 6;
        var axis = svg("g", { "class": "score-axis" }, drawing);
        svg("line", { x1: LEFT, y1: axisY, x2: WIDTH - RIGHT, y2: axisY }, axis);
        for (var tick = 0; tick <= span; tick += step) {
            svg("line", { x1: x(tick), y1: axisY, x2: x(tick), y2: axisY + 5 }, axis);
            svg("text", { x: x(tick), y: axisY + 18, "text-anchor": "middle" }, axis)
                .textContent = tick;
        }
        svg("text", { "class": "score-unit", x: LEFT - 10, y: axisY + 18,
            "text-anchor": "end" }, axis).textContent = "time (ms)";
        svg("line", { "class": "score-playhead", x1: LEFT, y1: TOP, x2: LEFT, y2: axisY,
            visibility: "hidden" }, drawing);
        figure.appendChild(element("figcaption", {}, "Your run of " + listing + ", " + where +
            ": one lane per performer, in the recording's order, each mark a note at the " +
            "time your run played it."));
        var controls = element("div", { "class": "score-controls" });
        controls.append(element("button", { type: "button", "class": "score-listen" }, "Listen"),
            " ", element("button", { type: "button", "class": "score-stop", disabled: "" }, "Stop"));
        figure.appendChild(controls);
        var text = element("details", { "class": "score-events" });
        text.appendChild(element("summary", {}, "The " + events.length + " events as text"));
        var list = element("ol");
        events.forEach(function (e) {
            list.appendChild(element("li", {}, e.t + " ms: " + e.who + ": " + e.what));
        });
        text.appendChild(list);
        figure.appendChild(text);
        window.rustAsMusicScore.setup(figure);
        return figure;
    }

    var RULE_WORDS = {
        "exact": "exact: the recording's text, exactly",
        "any-order": "any-order: the same lines, each as many times, in any " +
            "order, whatever the durations",
        "per-performer": "per-performer: each performer's notes in the " +
            "recorded order, whatever the durations, with performers free to " +
            "interleave"
    };

    function quote(found) {
        var shown = found.slice(0, 3).map(function (line) { return "“" + line + "”"; });
        var more = found.length > 3 ? " and " + (found.length - 3) + " more" : "";
        return shown.join(", ") + more;
    }

    function several(found, one, many) {
        return found.length === 1 ? one : found.length + " " + many;
    }

    // The verdict as sentences, and whether to link chapter 3. Only a rule
    // that lets lines trade places (any-order, per-performer) is sent there:
    // exact allows no other order, and no other times.
    function words(rule, result) {
        var by = " (" + RULE_WORDS[rule] + ")";
        switch (result.verdict) {
            case "match":
                if (result.sameLines) {
                    return ["Matches the recording, line for line (its rule is " +
                        RULE_WORDS[rule] + ").", false];
                }
                return result.inOrder ?
                    ["Matches the recording by its rule" + by + ": the same lines " +
                        "in the same order, at other times.", false] :
                    ["Matches the recording by its rule" + by + ". Same notes, " +
                        "different order: nothing in the program fixes that order, " +
                        "which schedulers and real clocks decide, ", true];
            case "reordered":
                if (rule !== "exact") {
                    return ["Same notes, different order, and more than the rule allows" +
                        by + ": the program fixes each performer's own order, ", true];
                }
                return [(result.sameLines ? "Same lines, but other line endings" :
                    result.inOrder ? "Same lines in the same order, but at other times" :
                        "Same notes, different order") +
                    ", and its rule allows no difference" + by + ".", false];
            case "missing":
                return [several(result.missing, "A note is missing: ", "notes are missing: ") +
                    quote(result.missing) + ".", false];
            case "extra":
                return [several(result.extra, "An extra note: ", "extra notes: ") +
                    quote(result.extra) + ".", false];
            case "different":
                return ["Different notes. Missing: " + quote(result.missing) +
                    ". Extra: " + quote(result.extra) + ".", false];
            default:
                return ["This page cannot compare runs under the rule “" + rule +
                    "”, and does not guess: compare your run with the recorded " +
                    "output above by eye.", false];
        }
    }

    function setup(box) {
        var score = document.getElementById(box.getAttribute("data-score"));
        var rule = box.getAttribute("data-rule");
        var recorded = box.getAttribute("data-recording");
        var listing = score.querySelector("title").textContent.replace(/^Score of /, "");
        var crate = box.getAttribute("data-score").replace(/^score-/, "");
        var recordedPerformers = Array.from(score.querySelectorAll(".score-lane"))
            .map(function (lane) { return lane.getAttribute("data-performer"); });
        var id = box.getAttribute("data-score") + "-yours";

        var paste = element("details", { "class": "yourrun-paste" });
        paste.appendChild(element("summary", {}, "Paste your output"));
        var help = element("p", {}, "Ran " + listing + " on your own machine? Paste what ");
        help.appendChild(element("code", {}, "cargo run -p " + crate));
        help.append(" printed to score it here.");
        var label = element("label", { "for": id + "-paste" }, "Your output of " + listing);
        var area = element("textarea", { id: id + "-paste", rows: "6", spellcheck: "false" });
        var button = element("button", { type: "button", "class": "yourrun-compare" },
            "Compare with the recording");
        paste.append(help, label, area, button);
        var verdict = element("p", { "class": "yourrun-verdict", "aria-live": "polite" });
        box.append(paste, verdict);

        function show(actual, where, local) {
            var old = document.getElementById(id);
            if (old) old.remove();
            var result = compare(rule, recorded, actual);
            var said = words(rule, result);
            if (!local && PANIC.test(recorded)) {
                result.verdict = "undecided";
                said = ["The recording holds a panic message, which goes to standard " +
                    "error, and the Playground shows standard error only when a " +
                    "program fails, so Run cannot compare this listing: paste the " +
                    "output of a run on your own machine instead.", false];
            }
            var parsed = parse(actual);
            verdict.textContent = "";
            verdict.setAttribute("data-verdict", result.verdict);
            verdict.appendChild(element("strong", {}, "Your run: "));
            verdict.append(said[0]);
            if (said[1]) {
                verdict.appendChild(element("a", { href: NONDETERMINISM },
                    "as chapter 3 shows for threads"));
                verdict.append(".");
            }
            if (parsed.error) {
                verdict.append(" No score to draw: " + parsed.error +
                    " in the book's format, “@<ms>ms <performer>: <what>”.");
                return;
            }
            box.appendChild(draw(id, listing, where, parsed.events, recordedPerformers));
        }

        button.addEventListener("click", function () {
            show(area.value, "as pasted", true);
        });
        return show;
    }

    // The text mdBook's Run wrote into `.result` (innerText, whose <br>s are
    // its newlines), or null while it is not the program's output.
    function resultOf(pre) {
        var result = pre.querySelector(".result");
        if (!result) return null;
        if (result.classList.contains("result-no-output")) return "";
        var text = "";
        result.childNodes.forEach(function (node) {
            text += node.nodeName === "BR" ? "\n" : node.textContent;
        });
        if (text === "Running..." || text.indexOf("Playground Communication: ") === 0 ||
            text.indexOf("The Rust Playground cannot be reached") === 0) return null;
        return text;
    }

    function pad(number) {
        return number.length < 2 ? "0" + number : number;
    }

    // The score of a Run block: its caption ("Listing 5-2: …") is the next
    // element after the block, as theme/run.js reads it.
    function scoreOf(pre) {
        var outer = pre.parentElement && pre.parentElement.closest("pre");
        var next = (outer || pre).nextElementSibling;
        var caption = next && next.querySelector(".caption");
        var found = caption && /Listing (\d+)-(\d+)/.exec(caption.textContent);
        return found ? "score-listing-" + pad(found[1]) + "-" + pad(found[2]) : null;
    }

    window.rustAsMusicYourRun = { compare: compare, parse: parse, words: words };
    var shows = {};
    document.querySelectorAll(".yourrun").forEach(function (box) {
        shows[box.getAttribute("data-score")] = setup(box);
    });
    document.querySelectorAll("pre.playground").forEach(function (pre) {
        var show = shows[scoreOf(pre)];
        if (!show) return;
        var last = null;
        new MutationObserver(function () {
            var text = resultOf(pre);
            if (text === null) last = null;
            if (text === null || text === last) return;
            last = text;
            show(text, "from Run on this page", false);
        }).observe(pre, { childList: true, subtree: true, characterData: true });
    });
})();
