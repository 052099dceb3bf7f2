// The score's Listen button: plays a recorded performance with the Web Audio
// API. Each performer has its own pitch and timbre; onsets follow the
// recorded times, scaled so a run lasts between 2 and 10 seconds. Nothing
// plays until a reader presses Listen. Plain JS, no library.
"use strict";

(function () {
    // One pitch (Hz) and one waveform per lane, so lanes sound distinct.
    var PITCHES = [261.63, 392.0, 329.63, 523.25, 293.66, 440.0, 196.0, 587.33];
    var WAVES = ["triangle", "sine", "square", "sawtooth"];
    var NOTE_SECONDS = 0.28;

    // Asked at each Listen, so a changed preference applies at once.
    function reducedMotion() {
        return Boolean(window.matchMedia &&
            window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    }

    function notesOf(figure) {
        var marks = figure.querySelectorAll(".score-note");
        var notes = [];
        for (var i = 0; i < marks.length; i++) {
            notes.push({
                t: Number(marks[i].getAttribute("data-t")),
                lane: Number(marks[i].getAttribute("data-lane"))
            });
        }
        return notes;
    }

    function timing(figure) {
        var svg = figure.querySelector(".score-svg");
        var end = Math.max(1, Number(svg.getAttribute("data-end")));
        return {
            end: end,
            span: Number(svg.getAttribute("data-span")) || end,
            left: Number(svg.getAttribute("data-left")),
            plot: Number(svg.getAttribute("data-plot")),
            // Playback length in seconds: real time, kept within 2..10 s.
            seconds: Math.min(10, Math.max(2, end / 1000))
        };
    }

    // Schedules every note of `figure` on `context` (an AudioContext or an
    // OfflineAudioContext), starting at `offset` seconds. Returns the count.
    function schedule(context, figure, offset) {
        var time = timing(figure);
        var master = context.createGain();
        master.gain.value = 0.5;
        master.connect(context.destination);
        var notes = notesOf(figure);
        notes.forEach(function (note) {
            var start = offset + (note.t / time.end) * time.seconds;
            var osc = context.createOscillator();
            var gain = context.createGain();
            var wave = WAVES[note.lane % WAVES.length];
            osc.type = wave;
            osc.frequency.value = PITCHES[note.lane % PITCHES.length];
            var peak = wave === "square" || wave === "sawtooth" ? 0.08 : 0.2;
            gain.gain.setValueAtTime(0.0001, start);
            gain.gain.exponentialRampToValueAtTime(peak, start + 0.01);
            gain.gain.exponentialRampToValueAtTime(0.0001, start + NOTE_SECONDS);
            osc.connect(gain);
            gain.connect(master);
            osc.start(start);
            osc.stop(start + NOTE_SECONDS + 0.02);
        });
        return { count: notes.length, master: master, seconds: time.seconds };
    }

    // Renders the score silently and returns its loudest sample: proof that
    // Listen makes sound, for tests and for the curious.
    function renderOffline(figure) {
        var time = timing(figure);
        var rate = 22050;
        var length = Math.ceil((time.seconds + NOTE_SECONDS + 0.1) * rate);
        var Offline = window.OfflineAudioContext || window.webkitOfflineAudioContext;
        var context = new Offline(1, length, rate);
        var scheduled = schedule(context, figure, 0).count;
        return context.startRendering().then(function (buffer) {
            var data = buffer.getChannelData(0);
            var peak = 0;
            for (var i = 0; i < data.length; i++) {
                peak = Math.max(peak, Math.abs(data[i]));
            }
            return { scheduled: scheduled, peak: peak };
        });
    }

    function setup(figure) {
        var listen = figure.querySelector(".score-listen");
        var stop = figure.querySelector(".score-stop");
        var playhead = figure.querySelector(".score-playhead");
        var time = timing(figure);
        var playing = null;

        function finish() {
            if (!playing) {
                return;
            }
            window.clearTimeout(playing.timer);
            window.cancelAnimationFrame(playing.frame);
            playing.context.close();
            playing = null;
            playhead.setAttribute("visibility", "hidden");
            figure.setAttribute("data-state", "stopped");
            listen.disabled = false;
            stop.disabled = true;
            listen.focus();
        }

        function move() {
            if (!playing) {
                return;
            }
            var elapsed = playing.context.currentTime - playing.start;
            var done = Math.min(1, Math.max(0, elapsed / time.seconds));
            var x = time.left + time.plot * done * (time.end / time.span);
            playhead.setAttribute("x1", x);
            playhead.setAttribute("x2", x);
            playing.frame = window.requestAnimationFrame(move);
        }

        listen.addEventListener("click", function () {
            var Context = window.AudioContext || window.webkitAudioContext;
            if (playing || !Context) {
                return;
            }
            var context = new Context();
            var start = context.currentTime + 0.1;
            var scheduled = schedule(context, figure, start);
            playing = { context: context, start: start, frame: 0, timer: 0 };
            figure.setAttribute("data-scheduled", String(scheduled.count));
            figure.setAttribute("data-state", "playing");
            listen.disabled = true;
            stop.disabled = false;
            stop.focus();
            if (!reducedMotion()) {
                playhead.setAttribute("visibility", "visible");
                move();
            }
            playing.timer = window.setTimeout(
                finish,
                (scheduled.seconds + NOTE_SECONDS + 0.3) * 1000
            );
        });
        stop.addEventListener("click", finish);
    }

    // `setup` brings a score drawn later to life too: theme/yourrun.js draws
    // the reader's own run.
    window.rustAsMusicScore = {
        schedule: schedule,
        renderOffline: renderOffline,
        setup: setup
    };
    // A gallery's small scores (ci/score/src/gallery.rs) play the same way.
    var figures = document.querySelectorAll("figure.score, figure.gallery-score");
    for (var i = 0; i < figures.length; i++) {
        setup(figures[i]);
    }
})();
