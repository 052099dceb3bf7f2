// The score in a real browser, checked by pages.test.mjs on its one load of
// each scored page (scoreTests), after the page's own checks: every scored
// page draws the recorded run (lanes and notes match the listing's
// output.txt), Listen schedules every note and makes sound, Stop stops, the
// keyboard works, and nothing logs an error; on one page (SHOWCASE), reduced
// motion keeps the playhead still; and the reader's run, scored
// (theme/yourrun.js; see below).
// Site-wide, without a page (scoreSiteTests): the book has scores, and
// theme/yourrun.js weighs under 12 KB.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    htmlPages,
    checked,
    BOOK_HTML,
    describe,
    axeInThemes,
    listingDir,
} from './book.mjs';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const EVENT = /^@(\d+)ms ([A-Za-z0-9_-]+): (.*)$/;

/// The recorded output of a listing crate, whole.
function recordedText(crate) {
    return readFileSync(join(listingDir(crate), 'output.txt'), 'utf8');
}

/// The recorded events of a listing crate, by its folder name.
function recording(crate) {
    const events = recordedText(crate)
        .split('\n')
        .map((line) => line.match(EVENT))
        .filter(Boolean);
    return {
        notes: events.length,
        lanes: new Set(events.map((e) => e[2])).size,
    };
}

/// The rule a listing crate's recording is compared by: its Cargo.toml's
/// `[package.metadata.book] output`, `exact` when it names none (as
/// `recording::rule_of` reads it).
function ruleOf(crate) {
    let section = '';
    const cargo = readFileSync(join(listingDir(crate), 'Cargo.toml'), 'utf8');
    for (const line of cargo.split('\n')) {
        const header = line.match(/^\s*\[([^\]]+)\]/);
        if (header) section = header[1].trim();
        const output = line.match(/^\s*output\s*=\s*"([^"]*)"/);
        if (output && section === 'package.metadata.book') return output[1];
    }
    return 'exact';
}

/// Pages with at least one score, found in the built HTML.
export const scored = htmlPages().filter(
    (page) =>
        page !== 'print.html' &&
        readFileSync(join(BOOK_HTML, page), 'utf8').includes(
            '<figure class="score"',
        ),
);

/// The checks that need no page: call at the top level of a test file.
export function scoreSiteTests() {
    test('the book has scored performances', () => {
        assert.ok(scored.length >= 1, 'no page draws a score');
    });

    test('your run: theme/yourrun.js weighs under 12 KB as served, on every page', () => {
        const served = readFileSync(join(BOOK_HTML, 'theme/yourrun.js')).length;
        assert.ok(served < 12_000, `theme/yourrun.js: ${served} bytes as served`);
    });
}

/// The score's checks of page `path`, when it is scored: call inside the
/// page's group (one test at a time), after the tests that need the page as
/// loaded: pages.test.mjs's theme switches and Run clicks leave every score
/// as it loaded (a Run of a scored listing gives the fixture's output, which
/// draws no reader's run; the verdict it leaves is set again by each test
/// here before it is read). `loaded()` gives the page's one load,
/// `book.open`'s result. In order:
/// the verdict cases (on the first checked scored page; they change
/// nothing), each score drawn, played and stopped (it must come first: a
/// reader's run drawn later is a `figure.score` too), each score's own
/// recording pasted and from Run, then on SHOWCASE the runs scored from
/// Run and the paste field by keyboard, which starts from the paste field,
/// verdict and reader's score as the page loaded them (restored).
export function scoreTests(path, loaded) {
    if (!scored.includes(path)) return;
    // The reader's-run box of SHOWCASE_SCORE as the page loaded it, for the
    // keyboard test to start from.
    let pristine = null;
    if (path === SHOWCASE) {
        before(async () => {
            pristine = await yourRunState(loaded().page, SHOWCASE_SCORE);
        });
    }

    if (path === scored.find(checked)) test('your run: the page gives every shared case the verdict Rule::mismatch gives', async () => {
        const { page, problems } = loaded();
        const got = await page.evaluate(
            (cases) =>
                cases.map((c) => window.rustAsMusicYourRun.compare(c.rule, c.recorded, c.actual).verdict),
            SHARED,
        );
        const wrong = SHARED.filter((c, i) => got[i] !== c.verdict).map(
            (c) => `ci/recording/verdicts.json: \`${c.name}\`: expected ${c.verdict}, theme/yourrun.js gives ${got[SHARED.indexOf(c)]}`,
        );
        assert.deepEqual(wrong, []);
        assert.deepEqual(problems, [], describe('verdicts', problems));
    });

    if (path === scored.find(checked)) test('your run: each verdict sentence is true under the rule it is shown under', async () => {
        const { page, problems } = loaded();
        const said = await page.evaluate(
            (cases) => cases.map((c) => {
                const y = window.rustAsMusicYourRun;
                return y.words(c.rule, y.compare(c.rule, c.recorded, c.actual));
            }),
            SAID,
        );
        SAID.forEach((c, i) => {
            const what = `${c.rule}: ${JSON.stringify(c.actual)} for ${JSON.stringify(c.recorded)}`;
            assert.match(said[i][0], c.says, what);
            assert.equal(said[i][1], c.link, `${what}: link to chapter 3`);
        });
        assert.deepEqual(problems, [], describe('verdict sentences', problems));
    });

    test(`${path}: each score draws its recording, plays and stops`, async () => {
        const { page, problems } = loaded();
        {
            const figures = await page.$$eval('figure.score', (all) =>
                all.map((f) => ({
                    id: f.id,
                    lanes: f.querySelectorAll('.score-lane').length,
                    notes: f.querySelectorAll('.score-note').length,
                    listed: f.querySelectorAll('.score-events li').length,
                    label: f.querySelector('svg').getAttribute('aria-labelledby'),
                })),
            );
            for (const [i, figure] of figures.entries()) {
                const crate = figure.id.replace(/^score-/, '');
                const recorded = recording(crate);
                // The reader's run is judged by the listing's own rule,
                // and only a run that never varies (`exact`) is also
                // drawn event by event.
                const rule = ruleOf(crate);
                const judged = await page.evaluate(
                    (id) => ({
                        rule: document.querySelector(`.yourrun[data-score="${id}"]`)
                            ?.dataset.rule ?? null,
                        steps: document.getElementById(id)
                            .querySelector('.score-steps') !== null,
                    }),
                    figure.id,
                );
                assert.equal(judged.rule, rule, `${path} ${figure.id}: your run's rule`);
                assert.equal(judged.steps, rule === 'exact', `${path} ${figure.id}: drawn event by event`);
                assert.equal(figure.lanes, recorded.lanes, `${path} ${figure.id}: lanes`);
                assert.equal(figure.notes, recorded.notes, `${path} ${figure.id}: notes`);
                assert.equal(figure.listed, recorded.notes, `${path} ${figure.id}: text alternative`);
                assert.ok(figure.label, `${path} ${figure.id}: no accessible name`);

                const sound = await page.evaluate(
                    (id) =>
                        window.rustAsMusicScore.renderOffline(
                            document.getElementById(id),
                        ),
                    figure.id,
                );
                assert.equal(sound.scheduled, recorded.notes, `${path} ${figure.id}: scheduled`);
                assert.ok(sound.peak > 0.01, `${path} ${figure.id}: silent (peak ${sound.peak})`);

                // Listen, Stop and the playhead are theme/score.js's, the
                // same for every score: the keyboard and pointer drive the
                // page's first; every score's notes were scheduled and
                // sounded in the offline render above. Reduced motion is
                // one rule of theme/score.js for every page: it is checked
                // on SHOWCASE's first score and its reader's run (each
                // change of a media feature restyles the whole page).
                if (i > 0) continue;
                const root = `#${figure.id}`;
                const listen = page.locator(`${root} .score-listen`);
                const stop = page.locator(`${root} .score-stop`);
                assert.equal(await page.getAttribute(root, 'data-state'), null, 'no autoplay');
                await listen.focus();
                await page.keyboard.press('Enter');
                await page.waitForSelector(`${root}[data-state="playing"]`);
                assert.equal(
                    Number(await page.getAttribute(root, 'data-scheduled')),
                    recorded.notes,
                );
                assert.equal(await stop.isEnabled(), true);
                assert.equal(
                    await page.getAttribute(`${root} .score-playhead`, 'visibility'),
                    'visible',
                );
                await stop.click();
                await page.waitForSelector(`${root}[data-state="stopped"]`);
                assert.equal(await listen.isEnabled(), true);

                if (path !== SHOWCASE) continue;
                await page.emulateMedia({ reducedMotion: 'reduce' });
                await listen.click();
                await page.waitForSelector(`${root}[data-state="playing"]`);
                assert.equal(
                    await page.getAttribute(`${root} .score-playhead`, 'visibility'),
                    'hidden',
                    'the playhead stays still under prefers-reduced-motion',
                );
                await stop.click();
                await page.waitForSelector(`${root}[data-state="stopped"]`);
                await page.emulateMedia({ reducedMotion: 'no-preference' });
            }
            assert.deepEqual(problems, [], describe(path, problems));
        }
    });

    test(`${path}: each score accepts its own recording, pasted and from Run, and draws it as the build did`, async () => {
        const opened = loaded();
        const { page, problems } = opened;
        {
            const ids = await page.$$eval('figure.score:not(.score-yours)', (all) => all.map((f) => f.id));
            for (const id of ids) {
                const recorded = recordedText(id.replace(/^score-/, ''));
                const pasted = await paste(page, id, recorded);
                assert.equal(pasted.verdict, 'match', `${path} ${id}: pasted: ${pasted.text}`);
                assert.deepEqual(await marks(page, `${id}-yours`), await marks(page, id), `${path} ${id}: drawn otherwise`);
                // Every scored listing runs on the Playground today; one
                // that cannot (noplayground) is scored from a paste only.
                assert.ok(
                    await runListing(opened, id, { result: recorded, error: null }),
                    `${path} ${id}: no Run on the block captioned with its listing`,
                );
                const ran = await verdictOf(page, id);
                const panics = /^thread '[^']*' (\(\d+\) )?panicked/m.test(recorded);
                assert.equal(ran.verdict, panics ? 'undecided' : 'match', `${path} ${id}: Run: ${ran.text}`);
                assert.match(ran.text, panics ? /standard error/ : /^Your run: Matches the recording/);
                assert.equal((await marks(page, `${id}-yours`)).length, (await marks(page, id)).length);
            }
            assert.deepEqual(problems, [], describe(path, problems));
        }
    });

    if (path === SHOWCASE) test(`${SHOWCASE}: Run scores a matching run, one in another order, and garbage`, async () => {
        const opened = loaded();
        const { page, problems } = opened;
        const id = SHOWCASE_SCORE;
        const recorded = recordedText(id.replace(/^score-/, ''));
        assert.ok(await runListing(opened, id, { result: recorded, error: null }), 'no Run');
        let said = await verdictOf(page, id);
        assert.equal(said.verdict, 'match');
        assert.match(said.text, /^Your run: Matches the recording, line for line/);
        const notes = recorded.split('\n').filter((l) => l.startsWith('@')).length;
        assert.equal(await page.locator(`#${id}-yours .score-note`).count(), notes);
        const sound = await page.evaluate(
            (yours) => window.rustAsMusicScore.renderOffline(document.getElementById(yours)),
            `${id}-yours`,
        );
        assert.equal(sound.scheduled, notes, 'Listen schedules every note of your run');
        assert.ok(sound.peak > 0.01, `your run is silent (peak ${sound.peak})`);

        // Brass before strings throughout, later: the per-performer rule
        // accepts it, and the verdict says whose freedom that is.
        const lines = recorded.trimEnd().split('\n');
        const reordered = [
            ...lines.filter((l) => l.includes(' brass: ')),
            ...lines.filter((l) => l.includes(' strings: ')).map((l) => l.replace(/^@(\d+)ms/, (_, t) => `@${Number(t) + 4}ms`)),
            ...lines.filter((l) => !l.startsWith('@')),
        ].join('\n') + '\n';
        await runListing(opened, id, { result: reordered, error: null });
        said = await verdictOf(page, id);
        assert.equal(said.verdict, 'match');
        assert.match(said.text, /Same notes, different order: nothing in the program fixes that order, which schedulers and real clocks decide, as chapter 3 shows for threads\.$/);
        assert.equal(said.link, 'ch03-threads.html#starting-a-section-and-waiting-for-it');
        assert.deepEqual(
            await page.$$eval(`#${id}-yours .score-lane`, (l) => l.map((g) => g.dataset.performer)),
            await page.$$eval(`#${id} .score-lane`, (l) => l.map((g) => g.dataset.performer)),
            'a performer keeps its lane',
        );

        // One section's own bars swapped: more than the rule allows.
        const swapped = recorded.replace('strings: bar 1', 'strings: bar X').replace('strings: bar 2', 'strings: bar 1').replace('strings: bar X', 'strings: bar 2');
        await runListing(opened, id, { result: swapped, error: null });
        said = await verdictOf(page, id);
        assert.equal(said.verdict, 'reordered');
        assert.match(said.text, /Same notes, different order, and more than the rule allows \(per-performer: /);

        // A note lost.
        await runListing(opened, id, { result: lines.slice(1).join('\n') + '\n', error: null });
        said = await verdictOf(page, id);
        assert.equal(said.verdict, 'missing');
        assert.match(said.text, new RegExp(`A note is missing: “${lines[0]}”\\.`));

        // Garbage: a compiler's complaint and a line that only looks like an event.
        for (const result of ['error[E0425]: cannot find value `x` in this scope\n', '@soon strings: <b>bar</b>\n', '']) {
            await runListing(opened, id, { result, error: result === '' ? null : result });
            said = await verdictOf(page, id);
            assert.match(said.verdict, /^(different|missing)$/, JSON.stringify(result));
            assert.match(said.text, /No score to draw: (it printed no events|line 1 of your run, “@soon strings: <b>bar<\/b>”, starts with @ but is not an event) in the book's format/);
            assert.equal(await page.locator(`#${id}-yours`).count(), 0, 'no score drawn from garbage');
        }
        assert.deepEqual(problems, [], describe(SHOWCASE, problems));
    });

    if (path === SHOWCASE) test(`${SHOWCASE}: the paste field works by keyboard alone, Listen respects reduced motion, and axe finds nothing in five themes`, async () => {
        const { page, problems } = loaded();
        const id = SHOWCASE_SCORE;
        const box = `.yourrun[data-score="${id}"]`;
        // The tests above pasted and ran this score's listing: its paste
        // field, verdict and reader's score go back to how the page loaded
        // them (its Run output is no part of the box).
        await restoreYourRun(page, id, pristine);
        const recorded = recordedText(id.replace(/^score-/, ''));
        await page.focus(`${box} .yourrun-paste summary`);
        await page.keyboard.press('Enter');
        assert.equal(await page.$eval(`${box} .yourrun-paste`, (d) => d.open), true, 'Enter opens the field');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.localName), 'textarea');
        await page.keyboard.insertText(recorded.replace('bar 2', 'bar 9'));
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.className), 'yourrun-compare');
        await page.keyboard.press('Enter');
        await page.waitForSelector(`${box} .yourrun-verdict[data-verdict]`);
        const said = await verdictOf(page, id);
        assert.equal(said.verdict, 'different', said.text);
        assert.match(said.text, /Missing: “@0ms strings: bar 1”|Missing: “@30ms/);

        await page.fill(`${box} textarea`, recorded);
        await page.focus(`${box} .yourrun-compare`);
        await page.keyboard.press('Space');
        await page.waitForSelector(`${box} .yourrun-verdict[data-verdict="match"]`);
        const yours = `#${id}-yours`;
        await page.emulateMedia({ reducedMotion: 'reduce' });
        await page.focus(`${yours} .score-listen`);
        await page.keyboard.press('Enter');
        await page.waitForSelector(`${yours}[data-state="playing"]`);
        assert.equal(await page.getAttribute(`${yours} .score-playhead`, 'visibility'), 'hidden');
        await page.keyboard.press('Enter');
        await page.waitForSelector(`${yours}[data-state="stopped"]`);
        await page.emulateMedia({ reducedMotion: 'no-preference' });

        const failures = await axeInThemes(page, box);
        assert.deepEqual(failures, []);
        assert.deepEqual(problems, [], describe(SHOWCASE, problems));
    });
}

// Your run, scored (theme/yourrun.js): the comparison gives the verdict of
// every shared case in ci/recording/verdicts.json, the one Rule::mismatch
// gives (ci/recording/tests/verdicts.rs); every score accepts its own
// recording, pasted or from Run, and draws it exactly as the build drew it;
// each verdict sentence true under its rule (line for line, another order,
// other times, chapter 3's freedom only where a rule grants one);
// on one page, a matching run, a run in another order and garbage, each
// from a mocked Playground reply, the paste field by keyboard alone, Listen
// on the reader's run under reduced motion, and axe in all five themes.
const SHARED = JSON.parse(
    readFileSync(join(repo, 'ci/recording/verdicts.json'), 'utf8'),
).cases;
const SHOWCASE = 'ch03-threads.html';
const SHOWCASE_SCORE = 'score-listing-03-01';

/// Each note of a score as drawn: its time, lane and mark.
function marks(page, id) {
    return page.$$eval(`#${id} .score-note`, (notes) =>
        notes.map((note) => {
            const shape = note.lastElementChild;
            const geometry = [...shape.attributes]
                .map((a) => `${a.name}=${a.value}`)
                .sort()
                .join(' ');
            return `${note.dataset.t}/${note.dataset.lane}/${shape.localName} ${geometry}`;
        }),
    );
}

/// Presses Run on the block whose caption names `scoreId`'s listing, with
/// the Playground answering `reply`; false when that block has no Run. A
/// click dispatched in the page reaches book.js's handler as a pointer's
/// does; pages.test.mjs presses Run with the pointer on every page.
async function runListing(opened, scoreId, reply) {
    const { page } = opened;
    const index = await page.$$eval(
        'pre.playground',
        (all, id) =>
            all.findIndex((pre) => {
                const outer = pre.parentElement?.closest('pre');
                const caption = (outer || pre).nextElementSibling?.querySelector('.caption');
                const found = caption && /Listing (\d+)-(\d+)/.exec(caption.textContent);
                const pad = (n) => n.padStart(2, '0');
                return found && `score-listing-${pad(found[1])}-${pad(found[2])}` === id;
            }),
        scoreId,
    );
    if (index < 0) return false;
    const pre = page.locator('pre.playground').nth(index);
    if ((await pre.locator('.play-button:not(.hidden)').count()) === 0) return false;
    await opened.answerPlayground(reply);
    await page.evaluate(
        (id) => document.querySelector(`.yourrun[data-score="${id}"] .yourrun-verdict`)
            .removeAttribute('data-verdict'),
        scoreId,
    );
    await pre.locator('.play-button').evaluate((button) => button.click());
    await page.waitForSelector(`.yourrun[data-score="${scoreId}"] .yourrun-verdict[data-verdict]`);
    return true;
}

async function verdictOf(page, scoreId) {
    return page.$eval(`.yourrun[data-score="${scoreId}"] .yourrun-verdict`, (p) => ({
        verdict: p.dataset.verdict,
        text: p.textContent,
        link: p.querySelector('a')?.getAttribute('href') ?? null,
    }));
}

async function paste(page, scoreId, text) {
    const box = `.yourrun[data-score="${scoreId}"]`;
    await page.$eval(`${box} .yourrun-paste`, (d) => { d.open = true; });
    await page.fill(`${box} textarea`, text);
    await page.click(`${box} .yourrun-compare`);
    return verdictOf(page, scoreId);
}

/// What a reader can change of `scoreId`'s reader's-run box: whether its
/// paste field is open, the text in it, the verdict (its markup and
/// data-verdict), and the reader's score drawn (its markup, or null).
function yourRunState(page, scoreId) {
    return page.evaluate((id) => {
        const box = document.querySelector(`.yourrun[data-score="${id}"]`);
        const verdict = box.querySelector('.yourrun-verdict');
        return {
            open: box.querySelector('.yourrun-paste').open,
            text: box.querySelector('textarea').value,
            verdict: verdict.innerHTML,
            data: verdict.getAttribute('data-verdict'),
            yours: document.getElementById(`${id}-yours`)?.outerHTML ?? null,
        };
    }, scoreId);
}

/// Puts `scoreId`'s reader's-run box back as `state` (yourRunState) had
/// it. A reader's score can only be taken away: the page draws none as it
/// loads (one drawn then would be a `figure.score` with no listing of its
/// own, which fails the first score test on the page already).
async function restoreYourRun(page, scoreId, state) {
    assert.equal(state?.yours, null, `${SHOWCASE}: the page drew a reader's run as it loaded`);
    await page.evaluate(([id, state]) => {
        const box = document.querySelector(`.yourrun[data-score="${id}"]`);
        const verdict = box.querySelector('.yourrun-verdict');
        box.querySelector('.yourrun-paste').open = state.open;
        box.querySelector('textarea').value = state.text;
        verdict.innerHTML = state.verdict;
        if (state.data === null) verdict.removeAttribute('data-verdict');
        else verdict.setAttribute('data-verdict', state.data);
        document.getElementById(`${id}-yours`)?.remove();
    }, [scoreId, state]);
}

// What the reader is told must be true under the rule it is told under:
// "line for line" only for the same lines, "different order" only for
// another order, and chapter 3's freedom only for a rule that grants one.
const SAID = [
    { rule: 'per-performer', recorded: '@0ms a: 1\n@20ms a: 2\n', actual: '@1ms a: 1\n@23ms a: 2\n',
        says: /^Matches the recording by its rule \(per-performer: .*\): the same lines in the same order, at other times\.$/, link: false },
    { rule: 'any-order', recorded: 'a\nb\n', actual: 'a\r\nb\r\n', says: /^Matches the recording, line for line /, link: false },
    { rule: 'any-order', recorded: 'a\nb\n', actual: 'b\na\n', says: /Same notes, different order: nothing in the program fixes that order, which schedulers and real clocks decide, $/, link: true },
    { rule: 'per-performer', recorded: 'a: 1\na: 2\n', actual: 'a: 2\na: 1\n', says: /^Same notes, different order, and more than the rule allows \(per-performer: .*\): the program fixes each performer's own order, $/, link: true },
    { rule: 'exact', recorded: 'a\nb\n', actual: 'b\na\n', says: /^Same notes, different order, and its rule allows no difference \(exact: .*\)\.$/, link: false },
    { rule: 'exact', recorded: '@20ms a: 1\n', actual: '@21ms a: 1\n', says: /^Same lines in the same order, but at other times, and its rule allows no difference /, link: false },
    { rule: 'exact', recorded: 'a\n', actual: 'a\r\n', says: /^Same lines, but other line endings, and its rule allows no difference /, link: false },
];
