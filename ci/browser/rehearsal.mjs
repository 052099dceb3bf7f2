// The rehearsal questions in a real browser (ci/score/src/rehearsal.rs
// renders them, theme/rehearsal.js runs them), checked by pages.test.mjs in
// each rehearsed page's group (rehearsalTests). On every page with a
// rehearsal: each question answered wrong and right gives that verdict at
// once, with its explanation, in a live region, without moving the page;
// its answer for readers without JavaScript names the right choices; a
// predict, compile or interleavings key agrees with the listing's
// recording (an interleavings key, with its performances.txt). On pages
// that together show every shape of question (see showcases): answers
// survive a reload, over http and from file://, and "Clear my answers"
// forgets them; the keyboard alone does it all; axe finds nothing in five
// themes with answers showing; without JavaScript the answers are in
// <details>. Site-wide, without a page (rehearsalSiteTests): every kind of
// question is used, and the script and stylesheet weigh under 15 KB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    rehearsedPages,
    BOOK_HTML,
    describe,
    clean,
    axeInThemes,
    stillPage,
    listingDir,
} from './book.mjs';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const STORAGE = 'rust-as-music:rehearsal:';
export const BUDGET = 15_000;

export const rehearsed = rehearsedPages();

/// What decides how theme/rehearsal.js and theme/rehearsal.css treat a
/// question: its kind and whether it takes one answer or several.
function shapes(page) {
    const html = readFileSync(join(BOOK_HTML, page), 'utf8');
    const found = new Set();
    for (const form of html.split('<form class="rehearsal-question"').slice(1)) {
        const kind = form.match(/data-kind="([a-z]+)"/)?.[1];
        const input = form.match(/<input type="(radio|checkbox)"/)?.[1];
        found.add(`${kind} ${input}`);
    }
    return found;
}

/// The pages that show a shape of question no page before them shows.
/// Every page's questions are answered, and their keys and explanations
/// checked; what depends only on the script, the stylesheet and the shape
/// (keeping answers across a reload, the keyboard, axe in five themes) is
/// checked on these pages, which together show every shape, when they are
/// checked. They are chosen among all pages, checked or not: each page's
/// key holds every page's shapes (ci/xtask/src/browser.rs), so a change
/// of shapes reruns them all, and an edit that changes none reruns the
/// same checks on the page edited as a full run does.
export const showcases = (() => {
    const seen = new Set();
    return new Set(
        rehearsed.filter((page) => {
            const fresh = [...shapes(page)].filter((shape) => !seen.has(shape));
            for (const shape of fresh) seen.add(shape);
            return fresh.length > 0;
        }),
    );
})();

/// Every question on the page, as the reader and the script see it.
function questions(page) {
    return page.$$eval('form.rehearsal-question', (forms) =>
        forms.map((form) => ({
            id: form.id,
            question: form.dataset.question,
            kind: form.dataset.kind,
            listing: form.dataset.listing ?? null,
            rule: form.dataset.rule ?? null,
            model: form.dataset.model ?? null,
            answer: form.dataset.answer.split(' ').map(Number),
            type: form.querySelector('.rehearsal-choices input').type,
            choices: [...form.querySelectorAll('.rehearsal-choices li')].map(
                (li) => li.textContent.trim(),
            ),
            explain: form.querySelector('.rehearsal-answer p:last-child')
                .textContent,
            says: form.querySelector('.rehearsal-answer p').textContent,
        })),
    );
}

/// What the reader sees of question `id`.
function state(page, id) {
    return page.$eval(`#${id}`, (form) => {
        const why = form.querySelector('.rehearsal-why');
        const feedback = form.querySelector('.rehearsal-feedback');
        return {
            state: form.dataset.state ?? null,
            verdict: form.querySelector('.rehearsal-verdict').textContent,
            why: why.textContent,
            whyShown: getComputedStyle(why).visibility === 'visible',
            live: feedback.getAttribute('aria-live'),
            checked: [...form.querySelectorAll('.rehearsal-choices input')]
                .filter((i) => i.checked)
                .map((i) => Number(i.value)),
            retry: !form.querySelector('.rehearsal-retry').disabled,
            focus: document.activeElement?.className ?? '',
        };
    });
}

/// Ticks `indices` of question `id` with the mouse and presses Check.
async function answer(page, id, indices) {
    for (const index of indices) {
        await page.locator(`#${id} .rehearsal-choices input`).nth(index).check();
    }
    await page.locator(`#${id} .rehearsal-check`).click();
}

/// Waits for the tally to say no question is answered.
function cleared(page) {
    return page.waitForFunction(
        () => document.querySelector('.rehearsal-count').textContent === '0',
    );
}

/// Presses "Clear my answers" with the mouse and waits for the tally to
/// say none.
async function clear(page) {
    await page.locator('.rehearsal-clear').first().click();
    await cleared(page);
}

/// A wrong answer: the first choice that is not right.
const wrongOf = (q) => [q.choices.findIndex((_, i) => !q.answer.includes(i))];

/// The height of each question and of the tally: answering, restoring
/// and clearing must leave them as they were.
function sizes(page) {
    return page.$$eval('.rehearsal > *', (all) =>
        all.map((el) => el.getBoundingClientRect().height),
    );
}

function tally(page) {
    return page.$eval('.rehearsal-count', (c) => Number(c.textContent));
}

function saved(page, path) {
    return page.evaluate(
        (key) => JSON.parse(localStorage.getItem(key) ?? 'null'),
        STORAGE + path,
    );
}

/// Runs in the page: each question answered as a reader would, through
/// theme/rehearsal.js's own handlers (an element's click() fires the
/// events a pointer's click does: a choice is ticked, Check submits the
/// form): Check with nothing chosen, a wrong answer, Retry, part of the
/// answer where several choices are right, then the right answer. Returns
/// what the reader saw after each step, one record a question.
function walk() {
    const state = (form) => {
        const why = form.querySelector('.rehearsal-why');
        return {
            state: form.dataset.state ?? null,
            verdict: form.querySelector('.rehearsal-verdict').textContent,
            why: why.textContent,
            whyShown: getComputedStyle(why).visibility === 'visible',
            live: form.querySelector('.rehearsal-feedback').getAttribute('aria-live'),
            checked: [...form.querySelectorAll('.rehearsal-choices input')]
                .filter((i) => i.checked)
                .map((i) => Number(i.value)),
            retry: !form.querySelector('.rehearsal-retry').disabled,
            focus: document.activeElement?.className ?? '',
        };
    };
    const below = (form) => {
        const next = form.nextElementSibling ?? form.parentElement.nextElementSibling;
        return next.getBoundingClientRect().top + window.scrollY;
    };
    const check = (form) => form.querySelector('.rehearsal-check').click();
    const retry = (form) => form.querySelector('.rehearsal-retry').click();
    const answer = (form, indices) => {
        const inputs = form.querySelectorAll('.rehearsal-choices input');
        for (const i of indices) inputs[i].click();
        check(form);
    };
    return [...document.querySelectorAll('form.rehearsal-question')].map((form) => {
        const key = form.dataset.answer.split(' ').map(Number);
        const choices = form.querySelectorAll('.rehearsal-choices input').length;
        const wrong = [[...Array(choices).keys()].find((i) => !key.includes(i))];
        const seen = { start: state(form) };
        check(form);
        seen.empty = state(form);
        seen.top = below(form);
        answer(form, wrong);
        seen.wrong = state(form);
        seen.moved = below(form);
        retry(form);
        seen.retried = state(form);
        if (key.length > 1) {
            answer(form, key.slice(1));
            seen.part = state(form);
            retry(form);
        }
        answer(form, key);
        seen.good = state(form);
        seen.tallied = Number(document.querySelector('.rehearsal-count').textContent);
        return seen;
    });
}

export function rehearsalSiteTests() {
    test('the book rehearses every kind of question', () => {
        const kinds = new Set();
        for (const page of rehearsed) {
            const html = readFileSync(join(BOOK_HTML, page), 'utf8');
            for (const found of html.matchAll(/data-kind="([a-z]+)"/g)) {
                kinds.add(found[1]);
            }
        }
        assert.deepEqual([...kinds].sort(), ['compile', 'concept', 'interleavings', 'predict']);
    });

    test(`the rehearsal script and stylesheet weigh under ${BUDGET / 1000} KB, as written and as served`, () => {
        const weigh = (dir) =>
            ['rehearsal.js', 'rehearsal.css']
                .map((file) => readFileSync(join(dir, file)).length)
                .reduce((a, b) => a + b);
        const written = weigh(join(repo, 'theme'));
        const served = weigh(join(BOOK_HTML, 'theme'));
        assert.ok(written < BUDGET, `theme/: ${written} bytes`);
        assert.ok(served < BUDGET, `as served: ${served} bytes`);
    });
}

/// The rehearsal's checks of page `path`, when it has a rehearsal: call
/// inside the page's group (one test at a time), after the tests that need
/// the page as loaded, since a showcase page's first tests here reload it.
/// `book()` is the openBook() the page came from, `loaded()` the page's one
/// load over http, `book.open`'s result.
///
/// A showcase page is also loaded from file://, where its answers are
/// stored under another address; a page works from file:// as every page
/// does (site.test.mjs says why one load of each kind stands for all).
///
/// In order, on a showcase page: answers survive a reload (on the http load
/// and on the file:// load; each ends reloaded, with no answer stored, as
/// a fresh load is); the keyboard (it ends with Clear, by the keyboard);
/// axe with answers showing (it ends with Clear, pass or fail); then on
/// every rehearsed page the answers and the keys, and on a showcase page
/// the view without JavaScript (a context of its own). Each test here
/// fails on the problems the page logs while it runs.
export function rehearsalTests(path, book, loaded) {
    if (!rehearsed.includes(path)) return;

    if (showcases.has(path)) test(`${path}: answers survive a reload, over http and from file://, and clearing forgets them`, async () => {
        for (const where of ['http', 'file']) {
            const opened = where === 'http' ? loaded() : await book().open(book().fileUrl(path));
            const { page, problems } = opened;
            const before = where === 'http' ? problems.length : 0;
            try {
                const failures = [];
                const all = await questions(page);
                const blank = await sizes(page);
                const given = all.map((q, i) => (i % 2 ? wrongOf(q) : q.answer));
                for (const [i, q] of all.entries()) await answer(page, q.id, given[i]);
                const stored = await saved(page, path);
                for (const [i, q] of all.entries()) {
                    if (JSON.stringify(stored?.[q.question]) !== JSON.stringify(given[i])) {
                        failures.push(`${where}: ${q.id} is not stored under ${STORAGE}${path}, question ${q.question}`);
                    }
                }
                await page.reload({ waitUntil: 'load' });
                await page.evaluate(() => new Promise((done) => setTimeout(done, 100)));
                for (const [i, q] of all.entries()) {
                    const now = await state(page, q.id);
                    const want = i % 2 ? 'wrong' : 'right';
                    if (now.state !== want || JSON.stringify(now.checked) !== JSON.stringify(given[i])) {
                        failures.push(`${where}: after a reload ${q.id} is ${now.state}, not ${want}`);
                    }
                    if (!now.whyShown || now.live !== 'polite') {
                        failures.push(`${where}: after a reload ${q.id} hides its explanation or its live region`);
                    }
                }
                const rightCount = all.filter((_, i) => i % 2 === 0).length;
                if ((await tally(page)) !== rightCount) {
                    failures.push(`${where}: after a reload the tally is ${await tally(page)}, not ${rightCount}`);
                }
                const restored = await sizes(page);
                if (JSON.stringify(restored) !== JSON.stringify(blank)) {
                    failures.push(
                        `${where}: restoring the answers changed the size of the questions, ` +
                            `so the page moves as it loads: ${JSON.stringify(blank)} became ${JSON.stringify(restored)}`,
                    );
                }

                await clear(page);
                if ((await saved(page, path)) !== null) {
                    failures.push(`${where}: Clear left the answers in localStorage`);
                }
                for (const q of all) {
                    const now = await state(page, q.id);
                    if (now.state || now.checked.length) {
                        failures.push(`${where}: Clear left ${q.id} answered`);
                    }
                }
                await page.reload({ waitUntil: 'load' });
                for (const q of all) {
                    if ((await state(page, q.id)).state) {
                        failures.push(`${where}: ${q.id} came back after Clear and a reload`);
                    }
                }
                failures.push(...problems.slice(before).map((p) => `${where}: ${p}`));
                clean(failures, describe(path, failures));
            } finally {
                if (where === 'file') await opened.close();
            }
        }
    });

    if (showcases.has(path)) test(`${path}: the keyboard alone answers, retries and clears`, async () => {
        const { page, problems } = loaded();
        const before = problems.length;
        try {
            const failures = [];
            const all = await questions(page);
            const focused = () =>
                page.evaluate(() => {
                    const el = document.activeElement;
                    return {
                        form: el?.closest('form.rehearsal-question')?.id ?? null,
                        className: el?.className ?? '',
                        value: el?.value ?? null,
                    };
                });
            // From the Rehearsal heading, Tab reaches the first choice.
            await page.focus('h2#rehearsal a.header');
            for (const q of all) {
                await page.keyboard.press('Tab');
                let now = await focused();
                if (now.form !== q.id || now.value !== '0') {
                    failures.push(`${q.id}: Tab lands on ${JSON.stringify(now)}, not its first choice`);
                    break;
                }
                if (q.type === 'radio') {
                    // Space picks the first choice; each arrow moves on.
                    await page.keyboard.press('Space');
                    for (let i = 0; i < q.answer[0]; i++) {
                        await page.keyboard.press('ArrowDown');
                    }
                    await page.keyboard.press('Tab');
                } else {
                    for (let i = 0; i < q.choices.length; i++) {
                        if (q.answer.includes(i)) await page.keyboard.press('Space');
                        await page.keyboard.press('Tab');
                    }
                }
                now = await focused();
                if (now.className !== 'rehearsal-check') {
                    failures.push(`${q.id}: after the choices, Tab lands on ${JSON.stringify(now)}, not Check`);
                    break;
                }
                await page.keyboard.press('Enter');
                let after = await state(page, q.id);
                if (after.state !== 'right' || after.focus !== 'rehearsal-retry') {
                    failures.push(`${q.id}: Enter on Check gives ${after.state}, focus on ${after.focus}`);
                }
                await page.keyboard.press('Enter');
                after = await state(page, q.id);
                if (after.state || (await focused()).value !== '0') {
                    failures.push(`${q.id}: Enter on Retry did not start again at the first choice`);
                }
                // Answered again, with Space on the first choice and Enter,
                // which submits the form from a choice as well.
                await page.keyboard.press('Space');
                await page.keyboard.press('Enter');
                after = await state(page, q.id);
                const first = q.answer.length === 1 && q.answer[0] === 0 ? 'right' : 'wrong';
                if (after.state !== first) {
                    failures.push(`${q.id}: Space and Enter gave ${after.state}, not ${first}`);
                }
                // Focus is on Retry; the next Tab leaves the question.
            }
            let steps = 0;
            while ((await focused()).className !== 'rehearsal-clear' && steps++ < 10) {
                await page.keyboard.press('Tab');
            }
            await page.keyboard.press('Enter');
            await cleared(page);
            if (await saved(page, path)) {
                failures.push('Enter on "Clear my answers" did not clear them');
            }
            failures.push(...problems.slice(before));
            clean(failures, describe(path, failures));
        } finally {
            // Should a step above fail, the next test still starts from no
            // answer.
            if ((await tally(page)) !== 0) await clear(page);
        }
    });

    if (showcases.has(path)) test(`${path}: axe finds nothing in five themes, with answers showing`, async () => {
        const { page } = loaded();
        {
            const all = await questions(page);
            await answer(page, all[0].id, wrongOf(all[0]));
            await answer(page, all[1].id, all[1].answer);
            await stillPage(page);
            let failures;
            try {
                failures = await axeInThemes(page, '.rehearsal');
            } finally {
                // As a reader would, so the next test starts from no
                // answer, whatever axe did.
                await clear(page);
            }
            clean(failures, describe(path, failures));
        }
    });

    test(`${path}: each question says right or wrong at once, with its explanation, and moves nothing`, async () => {
        const { page, problems } = loaded();
        const before = problems.length;
        const failures = [];
        const all = await questions(page);
        assert.ok(all.length >= 3, `${all.length} questions, fewer than 3`);
        // The whole walk runs in the page, by theme/rehearsal.js's own
        // handlers: a round trip per step, and the scroll and paint a
        // pointer brings, would cost this test most of its time. The
        // real pointer and keyboard are the showcase pages' tests.
        const walks = await page.evaluate(walk);
        let right = 0;
        for (const [i, q] of all.entries()) {
            const at = `${q.id}`;
            const { start, empty, top, wrong, moved, retried, part, good, tallied } = walks[i];
            if (start.state !== null || start.whyShown) {
                failures.push(`${at}: answered before the reader did`);
            }
            if (empty.verdict !== 'Choose an answer first.' || empty.state) {
                failures.push(`${at}: Check with nothing chosen says ${JSON.stringify(empty.verdict)}`);
            }
            if (wrong.state !== 'wrong' || !wrong.verdict.startsWith('Not quite')) {
                failures.push(`${at}: a wrong answer says ${JSON.stringify(wrong.verdict)}`);
            }
            if (!wrong.whyShown || wrong.why !== q.explain) {
                failures.push(`${at}: the explanation is not shown after a wrong answer`);
            }
            if (wrong.live !== 'polite') {
                failures.push(`${at}: the feedback is not a polite live region`);
            }
            if (moved !== top) {
                failures.push(`${at}: the page below moved when the feedback appeared`);
            }
            if (!wrong.retry || wrong.focus !== 'rehearsal-retry') {
                failures.push(`${at}: Retry is not enabled and focused after Check`);
            }
            if (retried.state || retried.checked.length || retried.whyShown) {
                failures.push(`${at}: Retry did not clear the answer`);
            }
            if (q.answer.length > 1) {
                const want = `Not quite: ${q.answer.length} of the choices are right.`;
                if (part?.verdict !== want) {
                    failures.push(`${at}: part of the answer says ${JSON.stringify(part?.verdict)}`);
                }
            }
            if (good.state !== 'right' || good.verdict !== 'Right.' || !good.whyShown) {
                failures.push(`${at}: the right answer says ${JSON.stringify(good.verdict)}`);
            }
            right += 1;
            if (tallied !== right) {
                failures.push(`${at}: the tally says ${tallied}, not ${right}`);
            }
            const input = q.kind === 'predict' && q.rule !== 'exact' ? 'checkbox' : null;
            if (input && q.type !== input) {
                failures.push(`${at}: a ${q.rule} prediction asks for one answer`);
            }
        }
        failures.push(...problems.slice(before));
        clean(failures, describe(path, failures));
    });

    test(`${path}: each answer says which choices are right, and each predict, compile and interleavings key is what its listing recorded`, async () => {
        const failures = [];
        {
            for (const q of await questions(loaded().page)) {
                // What the <details> says to a reader without JavaScript.
                if (!/^The right answers? (is|are) [A-Z]/.test(q.says)) {
                    failures.push(`${q.id}: its answer says ${JSON.stringify(q.says)}`);
                }
                if (!q.listing) continue;
                const dir = listingDir(q.listing);
                const right = q.answer.map((i) => q.choices[i]);
                if (q.kind === 'predict' && q.rule === 'exact') {
                    const recorded = readFileSync(join(dir, 'output.txt'), 'utf8');
                    // A choice is read trimmed (its text in the page); an
                    // output may open with the blank line a panic prints.
                    if (right[0] !== recorded.trim()) {
                        failures.push(`${q.id}: its key is not ${q.listing}'s output.txt`);
                    }
                }
                if (q.kind === 'interleavings') {
                    // The model's performances in performances.txt, each
                    // its events joined as a choice is read.
                    const text = readFileSync(join(dir, 'performances.txt'), 'utf8');
                    const model = text.split(/^model /m).find((m) => m.startsWith(`${q.model}\n`));
                    const explored = (model ?? '').split(/^performance /m).slice(1).map((p) =>
                        p.split('\n').filter((l) => l.startsWith('    ')).map((l) => l.trim()).join('\n'));
                    q.choices.forEach((choice, i) => {
                        const lines = choice.split('\n').map((l) => l.trim()).join('\n');
                        if (explored.includes(lines) !== q.answer.includes(i)) {
                            failures.push(`${q.id}: choice ${i + 1} is keyed ${q.answer.includes(i) ? 'right' : 'wrong'}, and loom ${explored.includes(lines) ? 'explored' : 'did not explore'} it in ${q.listing}'s model ${q.model}`);
                        }
                    });
                }
                if (q.kind === 'compile') {
                    const stderr = join(dir, 'src/main.stderr');
                    const error = existsSync(stderr)
                        ? readFileSync(stderr, 'utf8').split('\n').find((l) => l.startsWith('error'))
                        : null;
                    const code = error?.match(/^error\[(E\d+)\]/)?.[1];
                    const says = right[0];
                    const agrees = error === null
                        ? says === 'It compiles.'
                        : code
                            ? says.includes(`error ${code},`)
                            // The page shows `code` as code: no backticks.
                            : says.includes(error.replace(/^error: /, '').replaceAll('`', ''));
                    if (!agrees) {
                        failures.push(`${q.id}: its key "${says}" is not ${q.listing}'s recorded ${error ?? 'success'}`);
                    }
                }
            }
        }
        clean(failures, describe(path, failures));
    });

    // How a page looks without JavaScript depends on the stylesheet and
    // the shape of each question: the showcase pages show every shape.
    // Every page's answer sentences are checked with its keys, above.
    if (showcases.has(path)) test(`${path}: without JavaScript each question shows its answer in a <details>`, async () => {
        const context = await book().browser.newContext({ javaScriptEnabled: false });
        try {
            const page = await context.newPage();
            await page.goto(book().url(path), { waitUntil: 'load' });
            const seen = await page.$$eval('form.rehearsal-question', (forms) =>
                forms.map((form) => {
                    const shown = (selector) => {
                        const el = form.querySelector(selector);
                        return !!el && el.getBoundingClientRect().height > 0;
                    };
                    return {
                        id: form.id,
                        choices: shown('.rehearsal-choices'),
                        answer: shown('.rehearsal-answer summary'),
                        check: shown('.rehearsal-check'),
                        feedback: shown('.rehearsal-feedback'),
                        says: form.querySelector('.rehearsal-answer p').textContent,
                    };
                }),
            );
            const failures = [];
            for (const q of seen) {
                if (!q.choices || !q.answer) {
                    failures.push(`${q.id}: its choices or its answer are not shown`);
                }
                if (q.check || q.feedback) {
                    failures.push(`${q.id}: Check or the feedback shows, with nothing to run them`);
                }
                if (!/^The right answers? (is|are) [A-Z]/.test(q.says)) {
                    failures.push(`${q.id}: its answer says ${JSON.stringify(q.says)}`);
                }
            }
            const tally = await page.isVisible('.rehearsal-progress');
            if (tally) failures.push('the tally and Clear show, with nothing to run them');
            clean(failures, describe(path, failures));
        } finally {
            await context.close();
        }
    });
}
