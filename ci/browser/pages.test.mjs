// Every page of the built book in real Chromium: none of mdBook's search
// scripts loaded before a search; no console error, failed
// request or outside request; every Rust block is its listing (Run sends
// the whole program; Copy copies the lines shown); every code block's
// language is highlighted; the page weighs at most WEIGHT_LIMIT; every
// theme applies and passes
// axe-core; every recorded output is labelled as one, and its label is
// whole and clear of it at a phone's width too, where whatever scrolls
// sideways takes focus and has a name (the first scrolls by the arrow
// keys); every
// Rust block has its buttons, which take focus (Tab reaches the first
// block's in turn) and show while focused; every heading has its link
// (but the 404 page's), leading to it (the 404 page's at a missing path
// too); Run sends the whole
// program and shows the Playground's answer (a fixture); and, with the
// Playground then refusing connections, the page logs no error and Run
// says how to run the listing locally; and print.html, printed to the PDF
// the deploy publishes, holds every chapter, listing and rehearsal answer
// as text, keeps each caption with its code, numbers its pages, and links
// only inside itself or to other sites (pdf.mjs).
// Then, on the same load of each page, the score's checks (score.mjs), the
// gallery's (gallery.mjs) and the rehearsal's (rehearsal.mjs), with the
// few loads of their own they need; and their site-wide checks, which need
// no page. Failures name the page.
import { test, before, after, describe as group } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
    openBook,
    htmlPages,
    checked,
    blocks,
    THEMES,
    PHONE,
    nextFrames,
    stillPage,
    COLOUR_RULES,
    addAxe,
    chooseTheme,
    closeThemeMenu,
    describe,
    clean,
    pointAtButtons,
    installColours,
    openSolutions,
    searchState,
    searchNotLoaded,
} from './book.mjs';
import { PDF, printBook } from './pdf.mjs';
import { scoreSiteTests, scoreTests } from './score.mjs';
import { rehearsalSiteTests, rehearsalTests } from './rehearsal.mjs';
import { gallerySiteTests, galleryTests } from './gallery.mjs';

/// A page with everything it loads, uncompressed (a default mdBook page is
/// about 567 KB). This book ships no web fonts, a highlight.js with two
/// languages, its own small clipboard and favicon, and slim.mjs cuts
/// FontAwesome's stylesheet and minifies every script and stylesheet. A
/// page with an exercise also carries two whole programs, the starter and
/// the solution, each with its tests as hidden lines, and a scored page
/// its recordings for the reader's run (theme/yourrun.js). mdBook's search
/// scripts (about 42 KB) load only when a reader searches
/// (theme/search.js), and slim.mjs joins each run of hidden lines into
/// one span: the heaviest, chapter 11, weighs about 230 KB.
export const WEIGHT_LIMIT = 250_000;

/// axe rules enforced whatever their impact: headings, landmarks and text
/// alternatives. Every other rule fails the test at impact serious or
/// critical (colour contrast among them).
const STRUCTURE_RULES = new Set([
    'page-has-heading-one',
    'heading-order',
    'empty-heading',
    'landmark-one-main',
    'landmark-unique',
    'landmark-no-duplicate-main',
    'landmark-no-duplicate-banner',
    'landmark-no-duplicate-contentinfo',
    'landmark-main-is-top-level',
    'landmark-complementary-is-top-level',
    'image-alt',
    'input-image-alt',
    'role-img-alt',
    'svg-img-alt',
    'area-alt',
    'object-alt',
    'image-redundant-alt',
    'document-title',
    'html-has-lang',
]);

/// Pages mdBook makes that hold no chapter: no page weight limit for
/// print.html (every chapter at once), no Rust-block map for it either.
const PRINT = 'print.html';

/// The page a server sends for any missing path (book.mjs, serveBook).
const NOT_FOUND = '404.html';

/// mdBook's sidebar for readers without JavaScript: a document shown only
/// inside an <iframe> of every page, whose page gives the title, the main
/// landmark and the heading. Document-level rules do not apply to it.
const FRAME = 'toc.html';
const DOCUMENT_RULES = [
    'document-title',
    'landmark-one-main',
    'page-has-heading-one',
    'region',
];

const runFixture = JSON.parse(
    readFileSync(new URL('./fixtures/evaluate.json', import.meta.url), 'utf8'),
);

const pages = htmlPages().filter(checked);
const expected = blocks();
let book;

before(async () => {
    book = await openBook();
});
after(async () => {
    await book?.close();
});

const trimEnd = (text) => text.replace(/\s+$/, '');

scoreSiteTests();
gallerySiteTests();
rehearsalSiteTests();

// Two pages at a time, each in its own browser context.
group('every page', { concurrency: 2 }, () => {
for (const path of pages) {
    // One test at a time on the page (the default inherits the outer
    // concurrency): the theme switches and Run clicks move one mouse.
    group(path, { concurrency: 1 }, () => {
        let opened;
        before(async () => {
            opened = await book.open(path, { weigh: true });
            await openSolutions(opened.page);
        });
        after(async () => {
            await opened?.close();
        });
        // Runs `look` on the page with its window at a phone's width, and
        // gives the window its size back: the page lays itself out again
        // (its media queries and theme/a11y.js's size watch answer a
        // resize), which costs far less than a load of its own.
        const atPhone = async (look) => {
            const { page } = opened;
            // The layout settles at once without transitions (the
            // sidebar's, as the window narrows).
            await closeThemeMenu(page);
            await stillPage(page);
            const size = page.viewportSize();
            await page.setViewportSize(PHONE);
            try {
                await nextFrames(page);
                return await look(page);
            } finally {
                await page.setViewportSize(size);
            }
        };

        // First, before anything on the page could ask for a search:
        // mdBook's search scripts wait for one (theme/search.js, which
        // search.test.mjs asks in every way). toc.html, the sidebar's
        // frame, has no search of its own.
        if (path !== FRAME) test("loads none of mdBook's search scripts before a search", async () => {
            const problems = searchNotLoaded(
                await searchState(opened.page, opened.bytes.map((b) => b.url)),
            );
            clean(problems, describe(path, problems));
        });

        // print.html repeats the chapters' blocks; the chapters check them.
        if (path !== PRINT) test('every Rust block is its listing, hidden lines included', async () => {
            const found = await opened.page.$$eval('code.language-rust', (codes) =>
                codes.map((code) => {
                    const pre = code.closest('pre');
                    const play = pre.querySelector('.play-button');
                    return {
                        full: code.textContent,
                        visible: code.innerText,
                        shown: code.getBoundingClientRect().height > 0,
                        copy: !!pre.querySelector('.clip-button'),
                        run: play ? !play.classList.contains('hidden') : null,
                    };
                }),
            );
            const wanted = expected ? (expected[path] ?? []) : null;
            assert.ok(
                wanted !== null,
                'BOOK_BLOCKS is not set: run the browser tests with `cargo xtask test`',
            );
            const problems = [];
            if (found.length !== wanted.length) {
                problems.push(
                    `${found.length} Rust blocks on the page, ` +
                        `${wanted.length} in its Markdown`,
                );
            }
            found.forEach((block, i) => {
                const want = wanted[i];
                if (!want) return;
                const at = `block ${i + 1} (${want.page}:${want.line}, ${want.source})`;
                if (trimEnd(block.full) !== trimEnd(want.full)) {
                    problems.push(
                        `${at}: its full program (hidden lines included) is ` +
                            `not the listing's source minus ANCHOR lines\n` +
                            firstDifference(want.full, block.full),
                    );
                }
                if (!block.shown) problems.push(`${at}: not shown`);
                if (trimEnd(block.visible) !== trimEnd(want.visible)) {
                    problems.push(
                        `${at}: the visible lines are not the included ` +
                            `part of the listing\n` +
                            firstDifference(want.visible, block.visible),
                    );
                }
                if (!block.copy) problems.push(`${at}: no Copy button`);
                if (want.noplayground && block.run !== null) {
                    problems.push(`${at}: marked noplayground but has a Run button`);
                }
                if (!want.noplayground && block.run !== true) {
                    problems.push(`${at}: no visible Run button`);
                }
            });
            clean(problems, describe(path, problems));
        });

        // Hidden lines stay plain until shown (ci/browser/highlight-shown.mjs;
        // site.test.mjs shows them).
        test('every code block is highlighted in a known language, its hidden lines once shown', async () => {
            await installColours(opened.page);
            const unknown = await opened.page.$$eval('pre code', (codes) =>
                codes.flatMap((code) => {
                    const language = [...code.classList]
                        .find((c) => c.startsWith('language-'))
                        ?.slice('language-'.length);
                    if (!code.classList.contains('hljs')) {
                        return [`a ${language ?? 'plain'} block was not highlighted`];
                    }
                    if (language && !window.hljs.getLanguage(language)) {
                        return [
                            `language \`${language}\` is not in theme/highlight.js ` +
                                '(add it in ci/browser/build-highlight.mjs)',
                        ];
                    }
                    const tokens = [...code.querySelectorAll('[class^="hljs-"]')];
                    const hidden = tokens.filter((t) => t.closest('.boring'));
                    if (language === 'rust' && tokens.length === hidden.length) {
                        return ['a rust block has no highlighted token in its shown lines'];
                    }
                    if (hidden.length > 0 && code.classList.contains('hide-boring')) {
                        return [`a ${language} block's hidden lines are highlighted while hidden`];
                    }
                    // Each shown character is coloured as highlight.js colours
                    // the whole program (a comment or string begun in a
                    // hidden line would colour shown lines otherwise).
                    const { shown, whole } = window.bookColours(code);
                    const wrong = shown.findIndex(
                        (c, i) => c.shown && c.colour !== whole[i]?.colour,
                    );
                    if (wrong >= 0) {
                        const line = code.textContent.slice(0, wrong).split('\n').length;
                        return [`a ${language} block's line ${line} is coloured otherwise than in the whole program`];
                    }
                    return [];
                }),
            );
            const problems = [...new Set(unknown)];
            clean(problems, describe(path, problems));
        });

        // print.html holds every chapter at once; the limit is a chapter's.
        if (path !== PRINT) test(`weighs at most ${WEIGHT_LIMIT / 1000} KB with all it loads`, async () => {
            const total = opened.bytes.reduce((sum, b) => sum + b.size, 0);
            const heaviest = [...opened.bytes]
                .sort((a, b) => b.size - a.size)
                .slice(0, 5)
                .map((b) => `  ${b.size} ${new URL(b.url).pathname}`)
                .join('\n');
            assert.ok(
                total <= WEIGHT_LIMIT,
                `${path}: ${total} bytes loaded, over ${WEIGHT_LIMIT}; ` +
                    `heaviest:\n${heaviest}`,
            );
        });

        // print.html is every chapter's markup, one after another, with
        // the same stylesheets: each chapter passes axe and labels its
        // outputs on its own page, and the PDF test reads print.html's
        // labels as text. Its size (every chapter at once) made these two
        // checks a fifth of this file's time.
        if (path !== PRINT) test('every theme applies and passes axe-core', async (t) => {
            const { page } = opened;
            await stillPage(page);
            await addAxe(page);
            const problems = [];
            const backgrounds = new Map();
            // toc.html, the sidebar for readers without JavaScript, has no
            // theme menu.
            const switcher = await page.$('#theme-toggle');
            // Text built like text a page already checked in a theme
            // looks like it in that theme (see textLooks): the light theme
            // runs every rule but the colour rules on the whole page, and
            // the colour rules on the first element of each look no page
            // has checked in light; the other themes run the colour rules
            // on the looks no page has checked in all five, and a page
            // with none stays in the light theme.
            const { looks, structural } = await page.evaluate(textLooks);
            const unknown = structural.filter((s) => !STRUCTURAL.has(s));
            if (unknown.length > 0) {
                problems.push(
                    `a stylesheet picks elements by place or sibling, which ` +
                        `textLooks does not tell apart yet (add it there and ` +
                        `to STRUCTURAL): ${unknown.join(' | ')}`,
                );
            }
            // The colour rules' context: the probes of the looks `seen`
            // lacks, or every element while a stylesheet's selector is one
            // textLooks cannot tell apart.
            const freshOf = (seen) => {
                const probes = looks.flatMap((look, i) =>
                    seen.has(look) ? [] : [[`[data-look-probe="${i}"]`]],
                );
                return unknown.length > 0 ? null : { include: probes };
            };
            const themedContext = freshOf(themedLooks);
            const unthemed = themedContext === null || themedContext.include.length > 0;
            const themes = !switcher
                ? ['default']
                : unthemed ? THEMES : THEMES.slice(0, 1);
            if (themes.length === 1 && switcher) {
                t.diagnostic('light only: its text is built like text checked in all five');
            }
            // One axe run: `only` its rules (all when null), with the
            // `off` rules off, over `context` (the whole page when null).
            const run = (only, off, context) =>
                page.evaluate(async ([only, off, context]) => {
                    const rules = Object.fromEntries(
                        off.map((id) => [id, { enabled: false }]),
                    );
                    const result = await window.axe.run(context ?? document, {
                        resultTypes: ['violations'],
                        rules,
                        ...(only ? { runOnly: { type: 'rule', values: only } } : {}),
                    });
                    return result.violations.map((v) => ({
                        id: v.id,
                        impact: v.impact,
                        help: v.help,
                        nodes: v.nodes.slice(0, 3).map((n) => ({
                            target: n.target.join(' '),
                            summary: n.failureSummary,
                        })),
                        count: v.nodes.length,
                    }));
                }, [only, off, context]);
            const off = path === FRAME ? DOCUMENT_RULES : [];
            for (const theme of themes) {
                if (theme !== 'default') await chooseTheme(page, theme);
                const applied = await page.evaluate(
                    (theme) => ({
                        has: document.documentElement.classList.contains(theme),
                        background: getComputedStyle(document.documentElement).backgroundColor,
                    }),
                    theme,
                );
                if (!applied.has && theme !== 'default') {
                    problems.push(`[${theme}] theme class not set`);
                }
                backgrounds.set(theme, applied.background);
                // A theme changes colours only: the first theme runs every
                // other rule on the whole page, and each theme the colour
                // rules on the looks it has not seen.
                const violations = [];
                if (theme === themes[0]) {
                    violations.push(...(await run(null, [...off, ...COLOUR_RULES], null)));
                }
                const context = theme === themes[0] ? freshOf(lightLooks) : themedContext;
                if (context === null || context.include.length > 0) {
                    violations.push(...(await run(COLOUR_RULES, off, context)));
                }
                for (const v of violations) {
                    const serious = v.impact === 'serious' || v.impact === 'critical';
                    if (!serious && !STRUCTURE_RULES.has(v.id)) continue;
                    const nodes = v.nodes
                        .map((n) => `      ${n.target}: ${n.summary.split('\n').slice(1).join(' ').trim()}`)
                        .join('\n');
                    problems.push(
                        `[${theme}] axe ${v.id} (${v.impact}, ${v.count} ` +
                            `elements): ${v.help}\n${nodes}`,
                    );
                }
            }
            if (problems.length === 0) {
                for (const look of looks) lightLooks.add(look);
                if (themes.length === THEMES.length) {
                    for (const look of looks) themedLooks.add(look);
                }
            }
            const distinct = new Set(backgrounds.values());
            if (distinct.size !== themes.length) {
                problems.push(
                    `themes share a background, so one did not apply: ` +
                        JSON.stringify(Object.fromEntries(backgrounds)),
                );
            }
            clean(problems, describe(path, problems));
        });

        test('no console error, failed request or outside request', () => {
            const problems = opened.problems;
            clean(problems, describe(path, problems));
        });

        if (path !== PRINT) test('every recorded output is labelled as one, for eyes and screen readers', async () => {
            const { page } = opened;
            const outputs = await page.$$eval(
                'pre > code.language-text, pre > code.language-console',
                (codes) =>
                    codes.map((code) => {
                        const figure = code.parentElement.parentElement;
                        const caption = figure.matches('figure.recorded-output')
                            ? figure.querySelector(':scope > figcaption')
                            : null;
                        // The program the output belongs to is the nearest
                        // Rust block before it (the drift guard checks that
                        // the recording is that listing's, which this page
                        // cannot see); its caption, if it has one,
                        // is the element right after it. An uncaptioned
                        // block (a negative example with no number) names
                        // no listing, whatever listing came before it.
                        let node = figure;
                        let listing = null;
                        while ((node = node.previousElementSibling)) {
                            if (!(node.matches('pre') && node.querySelector('code.language-rust'))) continue;
                            const found = /Listing \d+-\d+/.exec(
                                node.nextElementSibling?.querySelector?.('.caption')?.textContent ?? '',
                            );
                            listing = found ? found[0] : null;
                            break;
                        }
                        return {
                            label: caption?.textContent ?? null,
                            shown: caption ? caption.getBoundingClientRect().height > 0 : false,
                            error: /^error(\[E\d+\])?:/.test(code.textContent),
                            listing,
                        };
                    }),
            );
            const problems = [];
            const figures = page.locator('figure.recorded-output');
            for (const [i, output] of outputs.entries()) {
                const at = `output block ${i + 1}`;
                if (output.label === null) {
                    problems.push(`${at}: no label (theme/output.js did not wrap it)`);
                    continue;
                }
                const kind = output.error ? 'Compiler error for' : 'Output of';
                const want = `${kind} ${output.listing ?? 'the program above'}`;
                if (!output.label.startsWith(want)) {
                    problems.push(`${at}: labelled "${output.label}", not "${want}…"`);
                }
                if (!output.shown) problems.push(`${at}: its label is not shown`);
                // What a screen reader announces: the figure, by its label.
                const tree = await figures.nth(i).ariaSnapshot();
                const named = tree.split('\n')[0];
                if (named !== `- figure "${output.label}":`) {
                    problems.push(`${at}: the accessibility tree has ${JSON.stringify(named)}`);
                }
            }
            clean(problems, describe(path, problems));
        });

        // A label too long for its column wraps (theme/book.css). At a
        // phone's width (the page resized), and at full width on this
        // one: no label is cut off or covers its output's text, and none
        // moved anything when theme/output.js added it (its room was
        // reserved; a layout shift otherwise).
        if (path !== PRINT) test(`every output label is whole, clear of its output and moved nothing, at ${PHONE.width} px and at full width`, async () => {
            const problems = [];
            const atWidths = [
                [`${PHONE.width} px`, await atPhone((page) => page.evaluate(outputLabelLayout))],
                ['full width', await opened.page.evaluate(outputLabelLayout)],
            ];
            for (const [width, found] of atWidths) {
                problems.push(...found.map((problem) => `at ${width}, ${problem}`));
            }
            clean(problems, describe(path, problems));
        });

        // At a phone's width (the page resized): the page itself does not
        // scroll sideways, and whatever does (a wide code block or table)
        // takes focus, so a keyboard user can scroll it, and has a name, so
        // a screen reader says what took focus (theme/a11y.js).
        if (path !== PRINT) test(`at ${PHONE.width} px, whatever scrolls sideways takes focus and has a name, and the first scrolls by the arrow keys`, async () => {
            const problems = await atPhone(async (page) => {
                const { page: wide, scrollers } = await page.evaluate(sidewaysScrollers);
                const problems = [];
                if (wide) problems.push(`the page scrolls sideways: ${wide}`);
                // Each one's role and name in Chromium's own accessibility
                // tree, as a screen reader gets them; querySelectorAll answers
                // in the page's order, as sidewaysScrollers numbered them.
                const cdp = await page.context().newCDPSession(page);
                const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
                const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
                    nodeId: root.nodeId,
                    selector: '[data-sideways]',
                });
                for (const [i, scroller] of scrollers.entries()) {
                    const at = `${scroller.what} (${scroller.wider})`;
                    if (!scroller.focusable) problems.push(`${at} scrolls sideways but cannot take focus`);
                    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', {
                        nodeId: nodeIds[i],
                        fetchRelatives: false,
                    });
                    const name = nodes[0]?.name?.value?.trim() ?? '';
                    if (name === '') {
                        problems.push(`${at} scrolls sideways but has no accessible name (role ${nodes[0]?.role?.value ?? 'none'})`);
                    }
                }
                await cdp.detach();
                // The right arrow scrolls the first one and stays on the
                // page (mdBook's book.js takes it, from anywhere, to the
                // next chapter; theme/a11y.js keeps it on every scroller
                // with focus, by one listener: a key press costs a round
                // trip and a scroll's frames).
                await page.evaluate(() => {
                    window.reachedDocument = 0;
                    document.addEventListener('keydown', () => window.reachedDocument++);
                });
                for (const [i, scroller] of scrollers.slice(0, 1).entries()) {
                    const at = `${scroller.what}`;
                    const one = `[data-sideways="${i}"]`;
                    await page.focus(one);
                    await page.keyboard.press('ArrowRight');
                    const scrolled = await page
                        .waitForFunction((one) => document.querySelector(one).scrollLeft > 0, one, { timeout: 2000 })
                        .then(() => true, () => false);
                    // A page loaded since has no count (or is still loading).
                    const reached = await page.evaluate(() => window.reachedDocument).catch(() => undefined);
                    if (reached === undefined) {
                        problems.push(`${at}: the right arrow on it left the page for ${page.url()}`);
                        break;
                    }
                    if (reached > 0) problems.push(`${at}: the right arrow on it reached mdBook's chapter keys`);
                    if (!scrolled) problems.push(`${at}: the right arrow on it did not scroll it`);
                    await page.evaluate((one) => document.querySelector(one).scrollTo(0, 0), one);
                }
                return problems;
            });
            clean(problems, describe(`${path} at ${PHONE.width} px`, problems));
        });

        // A heading's own link ("#its-id") leads to that heading on this
        // page. The 404 page is also served for any missing path, with a
        // <base href> at the book's root, which theme/a11y.js answers by
        // taking its heading's link away; so it is looked at there too.
        test("every heading's own link leads to that heading, on this page", async () => {
            const problems = (await opened.page.evaluate(headingLinks, path === NOT_FOUND)).map((p) => `${path}: ${p}`);
            if (path === NOT_FOUND) {
                const missing = await book.open(`no/such/${path}`);
                problems.push(...(await missing.page.evaluate(headingLinks, true)).map((p) => `no/such/${path}: ${p}`));
                await missing.close();
            }
            clean(problems, problems.join('\n'));
        });

        // mdBook shows a code block's buttons only while the pointer is
        // over the block; theme/book.css keeps them in the Tab order and
        // shows them while one of them has focus. From a focus start put
        // right before the page's first Rust block, where the element
        // before it would leave focus, Tab reaches each of the block's
        // buttons in turn; every other block's buttons take focus (the
        // same rules place them in the Tab order, and a key press costs a
        // round trip more); each is visible and uncovered while it has
        // focus. Then, on the
        // first block with hidden lines (the eye is one handler of mdBook's
        // for every block; each press costs about 50 ms), Enter on the eye
        // shows them and Space hides them again, as the page loaded them.
        if (path !== PRINT && (expected?.[path] ?? []).length > 0) test("Tab reaches the first Rust block's buttons in turn, every block's take focus and show while focused, and the eye works by keyboard", async () => {
            const { page } = opened;
            const problems = [];
            await closeThemeMenu(page);
            const codes = await page.$$('code.language-rust');
            let eyeTried = false;
            for (const [i, code] of codes.entries()) {
                const want = expected[path][i];
                const at = `block ${i + 1} (${want?.source ?? 'not in its Markdown'})`;
                // The buttons a reader sees on hover (mdBook hides a Run it
                // cannot offer with display: none), after the focus start.
                const tab = i === 0;
                const found = await code.evaluate((code, tab) => {
                    if (tab) {
                        const start = document.createElement('span');
                        start.tabIndex = -1;
                        code.parentElement.before(start);
                        start.focus();
                    }
                    const shown = [...code.parentElement.querySelectorAll(':scope > .buttons > button')]
                        .filter((button) => button.getClientRects().length > 0);
                    return {
                        names: shown.map((button) => button.getAttribute('aria-label')),
                        kinds: ['clip-button', 'play-button', 'fa-eye'].filter((kind) =>
                            shown.some((button) => button.classList.contains(kind))),
                    };
                }, tab);
                // The buttons it must show: Copy; Run unless noplayground;
                // the eye when it hides lines.
                const hides = want && trimEnd(want.full) !== trimEnd(want.visible);
                const kinds = ['clip-button', ...(want?.noplayground ? [] : ['play-button']), ...(hides ? ['fa-eye'] : [])];
                if (kinds.join() !== found.kinds.join()) {
                    problems.push(`${at}: shows the buttons ${found.kinds.join(', ') || 'none'}, not ${kinds.join(', ')}`);
                }
                const names = found.names;
                // The state of buttons `ks` while each has focus: Tab gave
                // it, or the page gives it here; every other block's in one
                // round trip.
                const look = (ks) => code.evaluate((code, [ks, tab]) => ks.map((k) => {
                        const button = [...code.parentElement.querySelectorAll(':scope > .buttons > button')]
                            .filter((b) => b.getClientRects().length > 0)[k];
                        if (!tab) button.focus();
                        const focused = document.activeElement;
                        if (focused !== button) {
                            const label = focused.getAttribute('aria-label') ?? focused.textContent.trim().slice(0, 40);
                            return { focused: `${focused.tagName.toLowerCase()} "${label}"` };
                        }
                        let opacity = 1;
                        for (let e = button; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
                        const box = button.getBoundingClientRect();
                        const onScreen = box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0 &&
                            box.right <= innerWidth && box.bottom <= innerHeight;
                        const top = onScreen
                            ? document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
                            : null;
                        return {
                            visibility: getComputedStyle(button).visibility,
                            opacity,
                            onScreen,
                            cover: top && !button.contains(top) ? `${top.tagName.toLowerCase()}.${[...top.classList].join('.')}` : null,
                        };
                    }), [ks, tab]);
                const states = tab ? [] : await look(names.map((_, k) => k));
                for (const [k, name] of names.entries()) {
                    let state = states[k];
                    if (tab) {
                        await page.keyboard.press('Tab');
                        [state] = await look([k]);
                    }
                    if (state.focused) {
                        problems.push(
                            tab
                                ? `${at}: Tab ${k + 1} from just before the block reached ${state.focused}, not its "${name}" button`
                                : `${at}: its "${name}" button takes no focus (${state.focused} has it)`,
                        );
                        break;
                    }
                    if (state.visibility === 'hidden' || state.opacity < 1) {
                        problems.push(`${at}: its "${name}" button has focus but is not shown (visibility ${state.visibility}, opacity ${state.opacity})`);
                    } else if (!state.onScreen) {
                        problems.push(`${at}: its "${name}" button has focus but is not on screen`);
                    } else if (state.cover) {
                        problems.push(`${at}: its "${name}" button has focus but ${state.cover} covers it`);
                    }
                }
                const eye = await code.evaluate((code, tab) => {
                    if (tab) code.parentElement.previousElementSibling.remove();
                    return code.parentElement.querySelector(':scope > .buttons > .fa-eye') !== null;
                }, tab);
                if (!want || trimEnd(want.full) === trimEnd(want.visible)) continue;
                if (!eye) {
                    problems.push(`${at}: has hidden lines but no eye button`);
                    continue;
                }
                if (eyeTried) continue;
                eyeTried = true;
                await code.evaluate((code) => code.parentElement.querySelector(':scope > .buttons > .fa-eye').focus());
                const lines = () => code.evaluate((code) => ({
                    hiding: code.classList.contains('hide-boring'),
                    shown: [...code.querySelectorAll('.boring')].some((line) => line.getClientRects().length > 0),
                }));
                await page.keyboard.press('Enter');
                const afterEnter = await lines();
                if (afterEnter.hiding || !afterEnter.shown) {
                    problems.push(`${at}: Enter on the eye button did not show the hidden lines`);
                }
                await page.keyboard.press('Space');
                const afterSpace = await lines();
                if (!afterSpace.hiding || afterSpace.shown) {
                    problems.push(`${at}: Space on the eye button did not hide the hidden lines again`);
                }
            }
            clean(problems, describe(path, problems));
        });

        // Last: it adds each block's Run output to the page.
        const runnable = (expected?.[path] ?? []).filter((b) => !b.noplayground);
        if (path !== PRINT && runnable.length > 0) test('Run sends the whole program to the Playground and shows its answer', async () => {
            const { page, runs } = opened;
            const problems = [];
            const before = opened.problems.length;
            const blocks = page.locator('code.language-rust');
            // Run sends the code block's textContent (mdBook's
            // playground_text), which the first test compares with each
            // listing, hidden lines included: one block per page shows
            // that Run sends it and shows the answer.
            const i = expected[path].findIndex((b) => !b.noplayground);
            const want = expected[path][i];
            const pre = blocks.nth(i).locator('xpath=..');
            await opened.answerPlayground();
            await pointAtButtons(pre);
            await pre.locator('.play-button').click();
            const result = pre.locator('.result');
            await result.waitFor();
            await page.waitForFunction(
                (el) => el.textContent !== 'Running...',
                await result.elementHandle(),
            );
            const shown = await result.textContent();
            const sent = runs.at(-1)?.code ?? '';
            const at = `block ${i + 1} (${want.source})`;
            if (trimEnd(sent) !== trimEnd(want.full)) {
                problems.push(`${at}: Run sent another program\n${firstDifference(want.full, sent)}`);
            }
            // book.js sets innerText: a newline becomes a <br>.
            if (trimEnd(shown) !== trimEnd(runFixture.result)) {
                problems.push(`${at}: Run shows ${JSON.stringify(shown)}`);
            }
            problems.push(...opened.problems.slice(before));
            clean(problems, describe(path, problems));
        });

        // After the Run test, on the same page: a page asks the Playground
        // nothing before Run (any request to another host is a problem
        // above), so refusing it from now on is the same as refusing it
        // from the start, without loading the page again.
        if (path !== PRINT && runnable.length > 0) test('with the Playground refusing connections: no error, and Run says how to run the listing locally', async () => {
            const { page } = opened;
            const problems = [];
            const before = opened.problems.length;
            await opened.refusePlayground();
            const first = expected[path].findIndex((b) => !b.noplayground);
            const want = expected[path][first];
            // listings/chNN-…/listing-NN-MM/src/main.rs
            const crate = want.source.split('/').at(-3);
            const pre = page.locator('code.language-rust').nth(first).locator('xpath=..');
            await pointAtButtons(pre);
            await pre.locator('.play-button').click();
            const result = pre.locator('.result');
            await page.waitForFunction(
                (el) => el && /cannot be reached/.test(el.textContent),
                await result.elementHandle(),
                { timeout: 10_000 },
            ).catch(() => {});
            const shown = (await result.textContent()) ?? '';
            if (!shown.includes('The Rust Playground cannot be reached')) {
                problems.push(`block ${first + 1}: Run shows ${JSON.stringify(shown)}`);
            }
            if (!shown.includes(`cargo run -p ${crate}`)) {
                problems.push(`block ${first + 1}: Run does not say \`cargo run -p ${crate}\`: ${JSON.stringify(shown)}`);
            }
            if ((await result.getAttribute('aria-live')) !== 'polite') {
                problems.push(`block ${first + 1}: the Run output is not a live region`);
            }
            problems.push(...opened.problems.slice(before));
            clean(problems, describe(`${path} (Playground refusing)`, problems));
        });

        // After every test above, on the same load: the score's checks
        // (a scored page), the gallery's (a page with a gallery), then the
        // rehearsal's (a rehearsed page), which on the pages that show
        // every shape of question reload the page. What the tests above
        // change (the theme, each block's Run output) none of them looks
        // at, and the score's and the gallery's leave the rehearsal as it
        // loaded; see scoreTests, galleryTests and rehearsalTests.
        scoreTests(path, () => opened);
        galleryTests(path, () => opened);
        rehearsalTests(path, () => book, () => opened);

        // Last on print.html, from the same load: the PDF (see pdf.mjs).
        if (path === PRINT) test('a PDF of the whole book, made by Chromium: every chapter, listing and answer as text, captions with their code, numbered pages, links inside it or to other sites', async () => {
            const problems = await printBook(opened);
            clean(problems, describe(PDF, problems));
        });
    });
}

});

/// How each piece of text on the pages checked in all five themes is built
/// (see textLooks), and on the pages checked in the light theme.
const themedLooks = new Set();
const lightLooks = new Set();

/// The stylesheets' selectors that pick an element by its place among its
/// siblings or by a sibling: textLooks tells apart exactly the elements
/// these can tell apart. A new one fails the theme test until textLooks
/// learns it.
const STRUCTURAL = new Set([
    '.header + .header h3',
    '.header + .header h4',
    '.header + .header h5',
    'table tbody tr:nth-child(2n)',
    '#menu-bar-hover-placeholder:hover + #menu-bar',
    '#sidebar-toggle-anchor:checked ~ .page-wrapper .nav-wide-wrapper',
    '#sidebar-toggle-anchor:checked ~ .page-wrapper .nav-wrapper',
    '#sidebar-toggle-anchor:not(:checked) ~ .sidebar',
    '[dir="rtl"] #sidebar-toggle-anchor:not(:checked) ~ .sidebar',
    '#sidebar-toggle-anchor:checked ~ .page-wrapper',
    '[dir="rtl"] #sidebar-toggle-anchor:checked ~ .page-wrapper',
    '.chapter li:not(.expanded) + li > ol',
    ':is(.admonition) > .tabbed-set:only-child',
    'html :is(.admonition) > :last-child',
    'html :is(.admonition-title, summary.admonition-title):last-child',
    'pre:has(> code.language-text)',
    'pre:has(> code.language-console)',
    // Shows a code block's buttons (icons, no text) while one has
    // keyboard focus, which none has while the looks are checked.
    'pre > .buttons:has(:focus-visible)',
]);

/// Runs in the page. For each element holding text, how the theme's CSS
/// sees it: its tag, classes and attributes, and those of every ancestor,
/// with what the structural selectors (STRUCTURAL) look at: a table row's
/// parity, whether it is the last child, whether the sibling before it is
/// a header or a collapsed chapter. CSS picks its rules by exactly these,
/// so two elements built alike get the same colours, backgrounds and fonts
/// in every theme, and axe's colour rules the same verdict. A class counts
/// only where a stylesheet's selector names it (a block's `E0373` or
/// `edition2021` styles nothing), and an attribute's value only where a
/// stylesheet can see it (ids and attributes its selectors name, inline
/// styles, SVG colours); other values only place or name things. The
/// first element of each look is marked
/// `data-look-probe="<its index in looks>"` (no stylesheet selects on it),
/// for axe to check that look alone. Also returns the structural
/// selectors the page's stylesheets hold.
function textLooks() {
    const selectors = [];
    const walk = (rules) => {
        for (const rule of rules) {
            if (rule.selectorText) selectors.push(...rule.selectorText.split(/,\s*(?![^(]*\))/));
            if (rule.cssRules) walk(rule.cssRules);
        }
    };
    for (const sheet of document.styleSheets) walk(sheet.cssRules);
    const styledIds = new Set(
        selectors.flatMap((s) => [...s.matchAll(/#([\w-]+)/g)].map((m) => m[1])),
    );
    const styledAttributes = new Set(
        selectors.flatMap((s) => [...s.matchAll(/\[([\w-]+)/g)].map((m) => m[1])),
    );
    const styledClasses = new Set(
        selectors.flatMap((s) => [...s.matchAll(/\.([\w-]+)/g)].map((m) => m[1])),
    );
    // A selector on the class attribute itself (`[class*=...]`) can see
    // every class.
    const classes = (el) =>
        [...el.classList]
            .filter((c) => styledAttributes.has('class') || styledClasses.has(c))
            .sort();
    const structural = [
        ...new Set(selectors.filter((s) => /:(nth-|first-|last-|only-)|:empty|:has\(|[+~]/.test(s))),
    ];
    // An attribute's value counts where a stylesheet can see it: an id it
    // names, an attribute it selects on, an inline style, or an SVG
    // presentation attribute (a colour, a font).
    const presentation = /^(style|fill|stroke|opacity|fill-opacity|stroke-opacity|font-[\w-]+|text-decoration|color)$/;
    const part = (el) => {
        const attributes = [...el.attributes]
            .filter((a) => a.name !== 'class')
            .map((a) => {
                const named = a.name === 'id'
                    ? styledIds.has(a.value)
                    : styledAttributes.has(a.name) || presentation.test(a.name);
                return named ? `${a.name}=${a.value}` : a.name;
            })
            .sort();
        const before = el.previousElementSibling;
        const siblings = el.parentElement ? [...el.parentElement.children] : [el];
        const place = [
            el.tagName === 'TR' ? `row${siblings.indexOf(el) % 2}` : '',
            !el.nextElementSibling && (el.parentElement?.classList.contains('admonition') || el.classList.contains('admonition-title')) ? 'last' : '',
            el.classList.contains('header') && before?.classList.contains('header') ? 'after-header' : '',
            el.tagName === 'LI' && el.closest('.chapter') && before?.tagName === 'LI' && !before.classList.contains('expanded') ? 'after-collapsed' : '',
            el.tagName === 'PRE' ? [...el.children].map((c) => classes(c).join('.')).join(' ') : '',
        ].join(',');
        return `${el.tagName}.${classes(el).join('.')}[${attributes}]:${place}`;
    };
    const looks = new Map();
    for (const el of document.querySelectorAll('body *')) {
        const text = [...el.childNodes].some(
            (n) => n.nodeType === Node.TEXT_NODE && n.data.trim() !== '',
        );
        if (!text && el.tagName !== 'A') continue;
        const chain = [];
        for (let e = el; e; e = e.parentElement) chain.push(part(e));
        const look = chain.join(' < ');
        if (!looks.has(look)) looks.set(look, el);
    }
    [...looks.values()].forEach((el, i) => el.setAttribute('data-look-probe', i));
    return { looks: [...looks.keys()], structural };
}

/// Runs in the page. What is wrong with each recorded output's label
/// (theme/output.js, laid out by theme/book.css): cut off, over the first
/// line of its output, or having moved its output when the script added
/// it, found by putting the output back where the script found it, as the
/// page was before, and then into its figure again.
function outputLabelLayout() {
    const problems = [];
    document.querySelectorAll('figure.recorded-output').forEach((figure, i) => {
        const at = `output block ${i + 1}`;
        const label = figure.querySelector(':scope > figcaption');
        const pre = figure.querySelector(':scope > pre');
        const code = pre.querySelector(':scope > code');
        if (label.scrollWidth > label.clientWidth) {
            problems.push(`${at}: its label "${label.textContent}" is cut off (${label.scrollWidth} px of it in ${label.clientWidth})`);
        }
        const text = code.getBoundingClientRect().top + parseFloat(getComputedStyle(code).paddingTop);
        const over = label.getBoundingClientRect().bottom - text;
        if (over > 0) {
            problems.push(`${at}: its label covers the top ${over.toFixed(1)} px of the output's first line`);
        }
        const top = pre.getBoundingClientRect().top;
        figure.replaceWith(pre);
        const moved = top - pre.getBoundingClientRect().top;
        pre.replaceWith(figure);
        figure.append(pre);
        if (Math.abs(moved) > 1) {
            problems.push(`${at}: adding its label moved the output ${moved.toFixed(1)} px (no room for it was reserved)`);
        }
    });
    return problems;
}

/// Runs in the page. Whether the page itself is wider than the window
/// (what sticks out, or null), and each element that scrolls sideways, in
/// the page's order: marked `data-sideways="<its index>"`, with what it is,
/// the first thing in it that sticks out past its edge, and whether it
/// takes focus from the keyboard (is in the Tab order and takes focus).
function sidewaysScrollers() {
    const describe = (el) => {
        const label = el.getAttribute('aria-label');
        const text = label ?? el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
        return `${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join('')} "${text}"`;
    };
    const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    // The first element in `box` whose right edge passes `right`, not
    // counting those inside another scroller, which scroll on their own.
    const stickingOut = (box, right) => {
        for (const el of box.querySelectorAll('*')) {
            if (el.getBoundingClientRect().right <= right + 1) continue;
            let inner = false;
            for (let up = el.parentElement; up && up !== box; up = up.parentElement) {
                if (getComputedStyle(up).overflowX !== 'visible') inner = true;
            }
            if (!inner) return describe(el);
        }
        return 'nothing found';
    };
    const root = document.scrollingElement;
    const page = root.scrollWidth > root.clientWidth
        ? `${root.scrollWidth} px wide in ${root.clientWidth}; ${stickingOut(document.body, root.clientWidth)} sticks out`
        : null;
    const scrollers = [...document.body.querySelectorAll('*')]
        .filter((el) => el.scrollWidth > el.clientWidth && scrolls(el))
        .map((el, i) => {
            el.dataset.sideways = i;
            el.focus();
            return {
                what: describe(el),
                wider: `${el.scrollWidth} px wide in ${el.clientWidth}; ${stickingOut(el, el.getBoundingClientRect().right)} sticks out`,
                focusable: el.tabIndex >= 0 && document.activeElement === el,
            };
        });
    return { page, scrollers };
}

/// Runs in the page. Each heading link that leads anywhere but to its own
/// heading on this page, said in a line.
function headingLinks(notFound) {
    const here = location.href.split('#')[0];
    // mdBook gives each heading of the text a link to itself; the 404
    // page's goes (theme/a11y.js).
    const bare = notFound
        ? []
        : [...document.querySelectorAll('main :is(h1, h2, h3, h4, h5, h6)[id]')]
              .filter((heading) => !heading.querySelector('a.header'))
              .map((heading) => `the heading "${heading.textContent.trim()}" has no link to itself`);
    return bare.concat([...document.querySelectorAll('a.header')].flatMap((link) => {
        const heading = link.closest('h1, h2, h3, h4, h5, h6');
        const to = new URL(link.href);
        if (to.href.split('#')[0] !== here) {
            return [`the link of the heading "${link.textContent}" leads to ${to.href}, another page`];
        }
        if (!heading || decodeURIComponent(to.hash.slice(1)) !== heading.id) {
            return [`the link of the heading "${link.textContent}" leads to ${to.hash}, not to its heading (#${heading?.id})`];
        }
        return [];
    }));
}

/// The first line where two texts differ, for a readable failure.
function firstDifference(want, got) {
    const a = want.split('\n');
    const b = got.split('\n');
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] !== b[i]) {
            return (
                `    line ${i + 1}: listing has ${JSON.stringify(a[i] ?? '(end)')}\n` +
                `    line ${i + 1}: page has    ${JSON.stringify(b[i] ?? '(end)')}`
            );
        }
    }
    return '    (they differ only in trailing whitespace)';
}
