// The book as a whole: search finds every chapter, print.html holds every
// chapter, the 404 page works at any depth, the site works from file://,
// no page asks another host for an asset, the FontAwesome subset has every
// icon the book uses, and Copy copies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    openBook,
    htmlPages,
    checked,
    BOOK_HTML,
    SITE_PATH,
    describe,
    clean,
    pointAtButtons,
    installColours,
} from './book.mjs';
import { iconsUsed, subsetCodes, SUBSET_FONT } from './icons.mjs';
import { readIndex } from './search-index.mjs';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let book;
/// [{ path, title, words: Map<word, count>, rust }] for every chapter.
let chapters = [];

before(async () => {
    book = await openBook();
    // The chapters: every page mdBook wrote for SUMMARY.md, read from disk,
    // with the words of their sections' texts in the search index, which
    // are what the page shows (search.test.mjs checks that).
    const search = readIndex(readFileSync(join(BOOK_HTML, 'searchindex.js'), 'utf8'));
    const notChapters = new Set(['index.html', 'print.html', 'toc.html', '404.html']);
    for (const path of htmlPages().filter((p) => !notChapters.has(p))) {
        const html = readFileSync(join(BOOK_HTML, path), 'utf8');
        const main = html.match(/<main>([\s\S]*)<\/main>/)?.[1] ?? '';
        const prose = search.doc_urls
            .map((url, ref) => (url.split('#')[0] === path ? search.index.documentStore.docs[ref].body : ''))
            .join(' ');
        const words = new Map();
        for (const word of prose.toLowerCase().match(/[a-z]{6,}/g) ?? []) {
            words.set(word, (words.get(word) ?? 0) + 1);
        }
        chapters.push({
            path,
            title: text(main.match(/<h1\b[^>]*>([\s\S]*?)<\/h1>/)?.[1] ?? ''),
            words,
            rust: (main.match(/<code class="language-rust\b/g) ?? []).length,
        });
    }
});

/// The text of an HTML fragment, as textContent gives it.
function text(html) {
    const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
    return html
        .replace(/<[^>]*>/g, '')
        .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name) => {
            if (name[0] !== '#') return entities[name.toLowerCase()] ?? all;
            return String.fromCodePoint(
                name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10),
            );
        })
        .trim();
}

after(async () => {
    await book?.close();
});

/// The word of `chapter` that the fewest other chapters use (most used in
/// it on a tie): what a reader would search to find it.
let stopWords = new Set();

function distinctiveWord(chapter) {
    let best = null;
    for (const [word, count] of chapter.words) {
        if (stopWords.has(word)) continue; // search ignores these
        const elsewhere = chapters.filter(
            (c) => c !== chapter && c.words.has(word),
        ).length;
        const score = [elsewhere, -count, word];
        if (
            !best ||
            score[0] < best[0] ||
            (score[0] === best[0] &&
                (score[1] < best[1] || (score[1] === best[1] && word < best[2])))
        ) {
            best = score;
        }
    }
    return best?.[2];
}

async function search(page, word) {
    if (!(await page.isVisible('#searchbar'))) await page.click('#search-toggle');
    // mdBook searches on each keyup over the whole index: all but the
    // last letter go in at once, and the last is a real key press.
    await page.fill('#searchbar', word.slice(0, -1));
    await page.press('#searchbar', word.slice(-1));
    // The header names the term once the results are this search's.
    await page
        .waitForFunction(
            (word) =>
                document
                    .getElementById('searchresults-header')
                    ?.textContent.includes(`'${word}'`),
            word,
            { timeout: 10_000 },
        )
        .catch(() => {});
    return page.$$eval('#searchresults a', (as) =>
        as.map((a) => a.getAttribute('href').split(/[#?]/)[0]),
    );
}

test('the book has chapters', () => {
    assert.ok(chapters.length > 0, `${BOOK_HTML}: no chapter pages`);
});

test('search finds a word from each chapter', async () => {
    const opened = await book.open('index.html');
    // elasticlunr.min.js loads with the first search (theme/search.js).
    await opened.page.click('#search-toggle');
    await opened.page.waitForFunction(() => window.elasticlunr);
    stopWords = new Set(
        await opened.page.evaluate(() =>
            Object.keys(window.elasticlunr.stopWordFilter.stopWords),
        ),
    );
    assert.ok(stopWords.size > 0, "elasticlunr's stop words are not in the page");
    const problems = [];
    for (const chapter of chapters) {
        const word = distinctiveWord(chapter);
        if (!word) {
            problems.push(`${chapter.path}: no word of six letters to search for`);
            continue;
        }
        const found = await search(opened.page, word);
        if (!found.includes(chapter.path)) {
            problems.push(
                `${chapter.path}: searching "${word}" does not find it ` +
                    `(results: ${found.slice(0, 5).join(', ') || 'none'})`,
            );
        }
    }
    problems.push(...opened.problems.map((p) => `index.html: ${p}`));
    await opened.close();
    clean(problems, problems.join('\n'));
});

// From file://, which also makes it print.html's check that it works from
// there (below): each load of its two megabytes costs Chromium about five
// CPU-seconds.
test('print.html holds every chapter, and works from file://', async () => {
    const opened = await book.open(book.fileUrl('print.html'));
    const printed = await opened.page.evaluate(() => ({
        titles: [...document.querySelectorAll('main h1')].map((h) =>
            h.textContent.trim(),
        ),
        rust: document.querySelectorAll('main code.language-rust').length,
    }));
    const loaded = describe('file://…/print.html', opened.problems);
    await opened.close();
    const problems = chapters
        .filter((c) => !printed.titles.includes(c.title))
        .map((c) => `print.html: chapter ${c.path} ("${c.title}") is missing`);
    if (loaded) problems.push(loaded);
    const rust = chapters.reduce((sum, c) => sum + c.rust, 0);
    if (printed.rust !== rust) {
        problems.push(
            `print.html: ${printed.rust} Rust blocks, the chapters have ${rust}`,
        );
    }
    clean(problems, problems.join('\n'));
});

// This test and the last three open one page each, and run when that page
// is checked (checked()): their inputs are that page's inputs. Named after
// it, a failure is that page's, as the xtask reads node's report.
if (checked('404.html')) test('404.html: a missing page gets a working 404 page, at any depth', async () => {
    const problems = [];
    for (const missing of ['no-such-page.html', 'deep/er/no-such-page.html']) {
        const opened = await book.open(missing);
        const url = book.url(missing);
        const { page } = opened;
        if (opened.response.status() !== 404) {
            problems.push(`${missing}: status ${opened.response.status()}, not 404`);
        }
        const shown = await page.evaluate(() => ({
            h1: document.querySelector('main h1')?.textContent ?? '',
            styled: getComputedStyle(document.querySelector('.sidebar') ?? document.body)
                .position,
            home: [...document.querySelectorAll('main a[href]')].map((a) => a.href),
        }));
        if (!shown.h1) problems.push(`${missing}: the 404 page has no heading`);
        if (shown.styled === 'static') {
            problems.push(`${missing}: the 404 page's CSS did not load`);
        }
        const home = shown.home.find((href) => href.startsWith(book.server.origin));
        if (!home) {
            problems.push(`${missing}: the 404 page links nowhere in the book`);
        } else {
            const response = await page.goto(home);
            if (response.status() !== 200) {
                problems.push(`${missing}: its link ${home} gives ${response.status()}`);
            }
        }
        problems.push(
            ...opened.problems
                .filter((p) => !p.includes(url))
                .map((p) => `${missing}: ${p}`),
        );
        await opened.close();
    }
    clean(problems, problems.join('\n'));
});

// The site works from file://, as from a zip unpacked. Every chapter, the
// index and print.html load the same scripts and stylesheets by the same
// relative paths (the links stage checks that each href and src names a
// file of the book), and the stylesheets their fonts; so one load of each
// kind of page, which fails on a missing font too, stands for all of them.
// What differs from chapter to chapter is its content, and print.html,
// loaded from file:// above, is every chapter's content run by every
// script. The kinds: print.html; a chapter (search.test.mjs opens ch01
// from file://); the chapters that show every kind of rehearsal question,
// whose answers are stored under the page's address (rehearsal.mjs's
// showcase pages, from file:// when they are checked); and, here, the
// index with its search, and toc.html, the sidebar of a reader without
// JavaScript, which loads the stylesheets alone. 404.html is served by the
// web server for a missing path, at any depth, so it loads its assets from
// site-url (<base href>): never opened as a file.
test('the index and the sidebar without JavaScript work from file://, and the search finds the last chapter', async () => {
    const problems = [];
    const frame = await book.open(book.fileUrl('toc.html'));
    problems.push(describe('file://…/toc.html', frame.problems));
    await frame.close();
    const opened = await book.open(book.fileUrl('index.html'));
    const chapter = chapters[chapters.length - 1];
    const word = chapter && distinctiveWord(chapter);
    if (word && !(await search(opened.page, word)).includes(chapter.path)) {
        problems.push(`file://…/index.html: searching "${word}" finds nothing`);
    }
    problems.push(describe('file://…/index.html', opened.problems));
    await opened.close();
    const found = problems.filter(Boolean);
    clean(found, found.join('\n'));
});

test('no page or stylesheet loads an asset from another host', () => {
    const problems = [];
    const outside = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i;
    const walk = (folder) => {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
            const path = join(folder, entry.name);
            const name = relative(BOOK_HTML, path).split(sep).join('/');
            if (entry.isDirectory()) {
                walk(path);
                continue;
            }
            const text = /\.(html|css)$/.test(entry.name)
                ? readFileSync(path, 'utf8')
                : '';
            const refs = [];
            if (entry.name.endsWith('.html')) {
                for (const [tag] of text.matchAll(/<(script|img|iframe|source|audio|video|embed|object|link)\b[^>]*>/gi)) {
                    if (/^<link/i.test(tag) && !/rel="?(stylesheet|icon|preload|modulepreload|manifest|apple-touch-icon|shortcut icon)/i.test(tag)) {
                        continue;
                    }
                    for (const [, url] of tag.matchAll(/\b(?:src|href|data|srcset)="([^"]*)"/gi)) {
                        refs.push(url);
                    }
                }
            } else if (entry.name.endsWith('.css')) {
                for (const [, url] of text.matchAll(/url\(\s*['"]?([^'")]+)/gi)) refs.push(url);
                for (const [, url] of text.matchAll(/@import\s+['"]([^'"]+)/gi)) refs.push(url);
            }
            for (const url of refs) {
                if (outside.test(url.trim())) problems.push(`${name}: loads ${url} from another host`);
            }
        }
    };
    walk(BOOK_HTML);
    clean(problems, problems.join('\n'));
});

test(`${SUBSET_FONT} has every FontAwesome icon the book uses`, () => {
    const have = subsetCodes(repo);
    const problems = iconsUsed(BOOK_HTML)
        .filter((icon) => !have.has(icon.code))
        .map(
            (icon) =>
                `${icon.files.join(', ')}: icon ${icon.names.join('/')} ` +
                `(U+${icon.code.toString(16)}) is not in ${SUBSET_FONT}; ` +
                'fix: cd ci/browser && npm ci && npm run subset-fontawesome',
        );
    clean(problems, problems.join('\n'));
});

test('the book is served under site-url', () => {
    assert.ok(SITE_PATH.startsWith('/') && SITE_PATH.endsWith('/'), SITE_PATH);
});

if (checked('intro.html')) test('intro.html: the sidebar toggle is a button that works by mouse and keyboard', async () => {
    const opened = await book.open('intro.html');
    const { page } = opened;
    const button = 'button[aria-controls="sidebar"]';
    const state = () =>
        page.evaluate((button) => ({
            visible: document.documentElement.classList.contains('sidebar-visible'),
            expanded: document.querySelector(button)?.getAttribute('aria-expanded'),
        }), button);
    const problems = [];
    const before = await state();
    if (!before.expanded) problems.push('intro.html: no sidebar toggle button with aria-expanded');
    await page.click(button);
    await page.waitForTimeout(100);
    const clicked = await state();
    if (clicked.visible === before.visible) problems.push('intro.html: clicking the toggle does not toggle the sidebar');
    if (clicked.expanded !== String(clicked.visible)) {
        problems.push(`intro.html: aria-expanded is ${clicked.expanded} with the sidebar ${clicked.visible ? 'shown' : 'hidden'}`);
    }
    await page.focus(button);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(100);
    const pressed = await state();
    if (pressed.visible !== before.visible) problems.push('intro.html: Enter on the toggle does not toggle the sidebar');
    problems.push(...describe('intro.html', opened.problems).split('\n').filter(Boolean));
    await opened.close();
    clean(problems, problems.join('\n'));
});

// Hidden lines stay plain text until a reader shows them (they were about
// 40% of a chapter's elements, highlighted): then the block is highlighted
// again whole, each character as highlight.js colours the whole program.
if (checked('ch12-01-select.html')) test('ch12-01-select.html: shown hidden lines are highlighted as the whole program is (ci/browser/highlight-shown.mjs)', async () => {
    const opened = await book.open('ch12-01-select.html');
    const problems = [];
    const blocks = await opened.page.$$eval('pre code', (codes) =>
        codes.map((code) => ({
            text: code.textContent,
            hidden: code.querySelectorAll('.boring').length,
            tokens: code.querySelectorAll('.boring [class^="hljs-"]').length,
        })),
    );
    const withHidden = blocks.filter((b) => b.hidden > 0);
    if (withHidden.length < 3) problems.push(`${withHidden.length} blocks hide lines; pick a page with more`);
    if (withHidden.some((b) => b.tokens > 0)) problems.push('hidden lines are highlighted before they are shown');
    await opened.page.$$eval('pre .buttons button.fa-eye', (eyes) => eyes.forEach((eye) => eye.click()));
    await installColours(opened.page);
    const shown = await opened.page.$$eval('pre code', (codes) =>
        codes.map((code) => {
            const { shown, whole } = window.bookColours(code);
            return {
                text: code.textContent,
                hidden: code.querySelectorAll('.boring').length,
                tokens: code.querySelectorAll('.boring [class^="hljs-"]').length,
                same: shown.length === whole.length && shown.every((c, i) => c.colour === whole[i].colour),
            };
        }),
    );
    shown.forEach((block, i) => {
        if (block.text !== blocks[i].text) problems.push(`block ${i + 1}: its text changed when its hidden lines were shown`);
        if (block.hidden !== blocks[i].hidden) problems.push(`block ${i + 1}: ${blocks[i].hidden} hidden lines became ${block.hidden}`);
        if (block.hidden > 0 && block.tokens === 0) problems.push(`block ${i + 1}: its shown hidden lines are not highlighted`);
        if (!block.same) problems.push(`block ${i + 1}: coloured otherwise than highlight.js colours the whole program`);
    });
    problems.push(...opened.problems);
    await opened.close();
    clean(problems, describe('ch12-01-select.html', problems));
});

// intro.md tells readers exactly this: Copy takes the lines shown, and
// all of them once the eye button shows the hidden ones.
if (checked('ch03-threads.html')) test('ch03-threads.html: Copy puts the shown program on the clipboard, the whole one once hidden lines are shown (theme/clipboard.min.js)', async () => {
    const opened = await book.open('ch03-threads.html');
    const { page, context } = opened;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: book.server.origin,
    });
    const problems = [];
    const pre = page.locator('pre.playground').first();
    // Clicks Copy and reads the clipboard once the copy is written: the
    // tooltip comes back then. Returns the button's text and the copy.
    const copy = async () => {
        await pointAtButtons(pre);
        await pre.locator('.clip-button').click();
        await page
            .waitForFunction(
                (el) => el.classList.contains('tooltipped'),
                await pre.locator('.clip-button').elementHandle(),
            )
            .catch(() => {});
        return {
            tooltip: await pre.locator('.clip-button').textContent(),
            text: await page.evaluate(() => navigator.clipboard.readText()),
        };
    };
    const { tooltip, text: copied } = await copy();
    if (tooltip !== 'Copied!') problems.push(`the Copy button says ${JSON.stringify(tooltip)}`);
    const shown = await pre.locator('code').evaluate((code) => code.innerText);
    if (copied.trimEnd() !== shown.trimEnd()) {
        problems.push(`copied ${JSON.stringify(copied.slice(0, 80))}…, the block shows ${JSON.stringify(shown.slice(0, 80))}…`);
    }
    const whole = await pre.locator('code').evaluate((code) => code.textContent);
    if (whole.trimEnd() === shown.trimEnd()) {
        problems.push('the first block hides no lines: pick a block that does');
    }
    await pre.locator('button.fa-eye').click();
    const { text: all } = await copy();
    if (all.trimEnd() !== whole.trimEnd()) {
        problems.push(`with hidden lines shown, copied ${JSON.stringify(all.slice(0, 80))}…, not the whole program`);
    }
    problems.push(...opened.problems);
    await opened.close();
    clean(problems, describe('ch03-threads.html', problems));
});
