// Search loads when a reader asks for it (theme/search.js, with the tags
// ci/browser/slim.mjs takes out): each way of asking (the search button, the `s` and `/` keys,
// a `?search=` URL, and a `?highlight=` URL, which marks the words) does
// what it did when every page loaded them, over http; from file://, the
// button and the two URLs do.
// That no page loads the scripts before is checked on every page's own
// load, in pages.test.mjs. And the index holds each section's words under
// the fields that hold them, as the elasticlunr.js that searches it would
// have indexed them; each section's text is its page's there, as
// Chromium's own parser reads the page without UNSEARCHED, with no answer
// or solution, and its address the section's heading; it holds the code
// each page shows of its listings, whole, and not the lines it hides; its
// breadcrumbs are safe as HTML; and it is built as mdBook builds one
// (search-index.mjs).
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual as same } from 'node:util';
import vm from 'node:vm';
import {
    BOOK_HTML,
    blocks,
    openBook,
    describe,
    clean,
    searchState,
    searchNotLoaded,
} from './book.mjs';
import { SEARCH_SCRIPTS } from './slim.mjs';
import { MDBOOK_INDEX, UNSEARCHED, buildIndex, loadElasticlunr, readIndex } from './search-index.mjs';

/// A word every search finds, in the chapter the searches start from.
const WORD = 'thread';
const CHAPTER = 'ch01-time.html';

let book;

before(async () => {
    book = await openBook();
});

after(async () => {
    await book?.close();
});

/// The ways a reader asks for search: each takes the loaded page, asks,
/// and gives the word the search should then show results for.
const WAYS = {
    'the search button': async (page) => {
        await page.click('#search-toggle');
        return typeWord(page);
    },
    'the search button, by keyboard': async (page) => {
        await page.focus('#search-toggle');
        await page.keyboard.press('Enter');
        return typeWord(page);
    },
    'the s key': async (page) => {
        await page.keyboard.press('s');
        return typeWord(page);
    },
    'the / key': async (page) => {
        await page.keyboard.press('/');
        return typeWord(page);
    },
};

/// Waits for the search box to be shown and focused, as searcher.js leaves
/// it, and types WORD into it as a reader would; null if it never is.
async function typeWord(page) {
    const ready = await page
        .waitForFunction(
            () => document.activeElement?.id === 'searchbar' &&
                !document.getElementById('search-wrapper').classList.contains('hidden'),
        )
        .then(() => true, () => false);
    if (!ready) return null;
    await page.keyboard.type(WORD);
    return WORD;
}

/// The problems of a page whose search was asked for `word`: the box
/// shown, focused and holding the word, the button expanded, results.
async function searched(page, word) {
    const shown = await page
        .waitForFunction(
            (word) =>
                document.getElementById('searchresults-header')
                    ?.textContent.includes(`'${word}'`),
            word,
        )
        .then(() => true, () => false);
    if (!shown) return [`no results header for '${word}'`];
    const state = await page.evaluate(() => ({
        focused: document.activeElement?.id,
        value: document.getElementById('searchbar').value,
        expanded: document.getElementById('search-toggle').getAttribute('aria-expanded'),
        results: document.querySelectorAll('#searchresults a').length,
    }));
    const problems = [];
    if (state.focused !== 'searchbar') problems.push(`focus on #${state.focused}, not the search box`);
    if (state.value !== word) problems.push(`the search box holds '${state.value}'`);
    if (state.expanded !== 'true') problems.push(`the button's aria-expanded is ${state.expanded}`);
    if (state.results === 0) problems.push(`no results for '${word}'`);
    return problems;
}

/// Opens CHAPTER by `origin` with `query`, and gives the opened page and
/// the problems of its state before any search.
async function openChapter(origin, query = '') {
    const url = (origin === 'http' ? book.url(CHAPTER) : book.fileUrl(CHAPTER)) + query;
    const opened = await book.open(url);
    const responses = [];
    opened.page.on('response', (response) => responses.push(response.url()));
    return { opened, url, responses };
}

for (const origin of ['http', 'file']) {
    // From file://, the search button stands for the four ways: each only
    // starts theme/search.js's one loader, which then replays a click on
    // the button, and only where the loader loads from differs.
    const ways = Object.entries(WAYS).slice(0, origin === 'http' ? undefined : 1);
    for (const [way, ask] of ways) {
        test(`from ${origin}, ${way} loads search and opens it with results`, async () => {
            const { opened, url, responses } = await openChapter(origin);
            const problems = searchNotLoaded(await searchState(opened.page, opened.bytes.map((b) => b.url)));
            const word = await ask(opened.page);
            if (word === null) {
                problems.push(`asked by ${way}, the search box is not shown and focused`);
            } else {
                problems.push(...(await searched(opened.page, word)));
            }
            if (origin === 'http') {
                const loaded = responses.filter((r) => SEARCH_SCRIPTS.some((s) => r.endsWith(s)));
                if (loaded.length !== SEARCH_SCRIPTS.length) {
                    problems.push(`loaded ${loaded.length} of the search scripts: ${loaded.join(', ')}`);
                }
            }
            problems.push(...opened.problems);
            await opened.close();
            clean(problems, describe(url, problems));
        });
    }

    test(`from ${origin}, a ?search= URL opens search with results`, async () => {
        const { opened, url } = await openChapter(origin, `?search=${WORD}`);
        const problems = await searched(opened.page, WORD);
        problems.push(...opened.problems);
        await opened.close();
        clean(problems, describe(url, problems));
    });

    test(`from ${origin}, a ?highlight= URL marks the words`, async () => {
        const { opened, url } = await openChapter(origin, `?highlight=${WORD}`);
        const marked = await opened.page
            .waitForFunction(
                () => document.querySelectorAll('#content mark').length > 0,
            )
            .then(() => true, () => false);
        const problems = marked ? [] : [`no word marked`];
        problems.push(...opened.problems);
        await opened.close();
        clean(problems, describe(url, problems));
    });
}

/// Each posting of the search index whose word is not in that field of
/// that section, and each word of a section's field with no posting, as
/// `field: word in section`. The words are elasticlunr.js's own (its
/// tokenizer and the pipeline the index names), which mdBook's indexer
/// matches: elasticlunr-rs 3.0.2, the version mdbook 0.4.52 locks, also
/// indexed every field's words under the fields after it (a title's under
/// body, everything under breadcrumbs), which doubled the index; the
/// pinned install takes 3.1.0 (ci/xtask/src/tools.rs, LOCK_UPDATES).
function indexProblems(html) {
    const read = (file) => readFileSync(join(html, file), 'utf8');
    const page = { window: { search: {} } };
    vm.runInNewContext(read('searchindex.js'), page);
    const elasticlunr = loadElasticlunr(html);
    const { index, doc_urls: sections } = page.window.search;
    const pipeline = elasticlunr.Pipeline.load(index.pipeline);
    const words = (text) => new Set(pipeline.run(elasticlunr.tokenizer(text ?? '')));
    const problems = [];
    for (const [field, { root }] of Object.entries(index.index)) {
        const held = new Map();
        for (const [ref, doc] of Object.entries(index.documentStore.docs)) {
            held.set(ref, words(doc[field]));
        }
        const indexed = new Set();
        const walk = (node, word) => {
            for (const ref of Object.keys(node.docs ?? {})) {
                indexed.add(`${ref} ${word}`);
                if (!held.get(ref).has(word)) {
                    problems.push(`${field}: '${word}' is indexed in ${sections[ref]}, which does not hold it there`);
                }
            }
            for (const [letter, child] of Object.entries(node)) {
                if (letter !== 'docs' && letter !== 'df') walk(child, word + letter);
            }
        };
        walk(root, '');
        for (const [ref, those] of held) {
            for (const word of those) {
                if (!indexed.has(`${ref} ${word}`)) {
                    problems.push(`${field}: '${word}' of ${sections[ref]} is not indexed`);
                }
            }
        }
    }
    return problems;
}

test('the search index holds each section\'s words under the fields that hold them, and no others', () => {
    const problems = indexProblems(BOOK_HTML);
    const shown = problems.slice(0, 10);
    if (problems.length > shown.length) shown.push(`... ${problems.length - shown.length} more`);
    clean(problems, describe('searchindex.js', shown));
});

/// The repository: blocks.json names pages by their Markdown there.
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/// Whether a block of blocks.json is inside a `<details>` of its page's
/// Markdown, which the page shows only when asked.
function inDetails(block) {
    const before = readFileSync(join(repo, block.page), 'utf8').split('\n').slice(0, block.line - 1).join('\n');
    const count = (pattern) => before.match(pattern)?.length ?? 0;
    return count(/<details\b/g) > count(/<\/details>/g);
}

/// The shipped index's object (searchindex.js), read once: the tests only read it.
let shippedIndex;
const shipped = () => (shippedIndex ??= readIndex(readFileSync(join(BOOK_HTML, 'searchindex.js'), 'utf8')));

/// Each page's sections in the index, in order: { id, body, title }, by page.
function sectionsByPage(search) {
    const pages = new Map();
    search.doc_urls.forEach((url, ref) => {
        const [page, id = ''] = url.split('#');
        if (!pages.has(page)) pages.set(page, []);
        const { body, title } = search.index.documentStore.docs[ref];
        pages.get(page).push({ id, body, title });
    });
    return pages;
}

test('the search index holds the code each page shows of its listings, and none it hides', () => {
    const map = blocks();
    assert.ok(map, 'BOOK_BLOCKS is not set: run the browser tests with `cargo xtask test`');
    const search = shipped();
    const texts = new Map(
        [...sectionsByPage(search)].map(([page, sections]) => [page, sections.map((s) => s.body).join('\n')]),
    );
    // A text as mdBook indexes it: whitespace runs one space.
    const flat = (text) => text.trim().replace(/\s\s+/g, ' ');
    const problems = [];
    // No section holds a line that starts `# `, as a hidden line does
    // (prose has no line breaks; code shows `#[` and `#!`, not `# `).
    for (const [ref, doc] of Object.entries(search.index.documentStore.docs)) {
        const line = /(?:^|\n)\s*#(?: [^\n]*|$)/m.exec(doc.body);
        if (line) problems.push(`${search.doc_urls[ref]}: a line of its text is hidden: ${line[0].trim()}`);
    }
    let hiding = 0;
    for (const [page, list] of Object.entries(map)) {
        if (page === 'index.html') continue; // a copy of the first chapter, not indexed
        const text = texts.get(page) ?? '';
        for (const block of list) {
            const where = `${block.page}:${block.line} (${block.source})`;
            const shown = flat(block.visible);
            if (inDetails(block)) {
                // An exercise's solution, shown when asked for: not indexed.
                if (text.includes(shown)) problems.push(`${where}: it is in a <details>, and in the index`);
                continue;
            }
            if (!text.includes(shown)) {
                problems.push(`${where}: the code it shows is not in the index, whole`);
                continue;
            }
            // The program's lines next to the shown ones, which the page
            // hides: never next to them in the index.
            const full = block.full.replace(/\n$/, '').split('\n');
            const lines = block.visible.replace(/\n$/, '').split('\n');
            const at = full.findIndex((_, i) => lines.every((l, j) => full[i + j] === l));
            if (at < 0) {
                problems.push(`${where}: the lines it shows are not one run of its program's`);
                continue;
            }
            const before = full.slice(0, at).filter((l) => l.trim()).at(-1);
            const after = full.slice(at + lines.length).find((l) => l.trim());
            if (before === undefined && after === undefined) continue;
            hiding++;
            for (let from = text.indexOf(shown); from >= 0; from = text.indexOf(shown, from + 1)) {
                if (before !== undefined && text.slice(0, from).trimEnd().endsWith(flat(before))) {
                    problems.push(`${where}: the hidden line before its code is in the index: ${flat(before)}`);
                }
                if (after !== undefined && text.slice(from + shown.length).trimStart().startsWith(flat(after))) {
                    problems.push(`${where}: the hidden line after its code is in the index: ${flat(after)}`);
                }
            }
        }
    }
    if (hiding === 0) problems.push('BOOK_BLOCKS names no block that hides lines');
    clean(problems, describe('searchindex.js', problems.slice(0, 10)));
});

test("the search index is built as mdBook builds one (search-index.mjs's buildIndex, checked against mdBook's own), from the texts it holds", () => {
    const elasticlunr = loadElasticlunr(BOOK_HTML);
    const problems = [];
    const mdbook = readIndex(readFileSync(join(BOOK_HTML, '..', MDBOOK_INDEX), 'utf8')).index;
    const rebuilt = difference(buildIndex(elasticlunr, mdbook), mdbook);
    if (rebuilt) {
        problems.push(`buildIndex makes another index than mdBook's of the same texts (${MDBOOK_INDEX}): ${rebuilt}`);
    }
    const index = shipped().index;
    const own = difference(buildIndex(elasticlunr, index), index);
    if (own) problems.push(`searchindex.js is not the index buildIndex makes of the texts it holds: ${own}`);
    clean(problems, describe('searchindex.js', problems));
});

/// Where `a` and `b` first differ, as a path of keys with both values, or
/// null if they are the same data.
function difference(a, b, path = 'index') {
    if (same(a, b)) return null;
    if (a && b && typeof a === 'object' && typeof b === 'object') {
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
            const found = difference(a[key], b[key], `${path}.${key}`);
            if (found) return found;
        }
    }
    const show = (v) => JSON.stringify(v)?.slice(0, 80);
    return `${path}: ${show(a)} against ${show(b)}`;
}

test("each section in the search index is at its heading on its page, and its text is the page's there, as Chromium parses the page, without UNSEARCHED and no answer or solution (search-index.mjs)", async () => {
    const search = shipped();
    const pages = sectionsByPage(search);
    const opened = await book.open(book.url(CHAPTER));
    // Each section by Chromium's parser and DOM, not the index's reader:
    // the text in <main> from the section's heading to the next one's, but
    // the headings' own and UNSEARCHED's (the text before the first heading
    // is the first section's), a space at the edges of every element that
    // is not phrasing content, as HTML defines it, and at each <br>, a line
    // break a space but in <pre>. And the answers and solutions the page
    // holds: none may be in the index.
    const read = await opened.page.evaluate(
        ([pages, unsearched]) => {
            const PHRASING = new Set([
                'a', 'abbr', 'audio', 'b', 'bdi', 'bdo', 'button', 'canvas', 'cite',
                'code', 'data', 'datalist', 'del', 'dfn', 'em', 'embed', 'i', 'iframe',
                'img', 'input', 'ins', 'kbd', 'label', 'map', 'mark', 'math', 'meter',
                'noscript', 'object', 'output', 'picture', 'progress', 'q', 'ruby', 's',
                'samp', 'script', 'select', 'slot', 'small', 'span', 'strong', 'sub',
                'sup', 'svg', 'template', 'textarea', 'time', 'u', 'var', 'video', 'wbr',
            ]);
            return pages.map(([page, html, sections]) => {
                const main = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
                const secret = [...main.querySelectorAll('.rehearsal-why, details.rehearsal-answer, details:not([class])')]
                    .map((e) => e.textContent.replace(/\s+/g, ' ').trim())
                    .filter((t) => t.length >= 40);
                main.querySelectorAll(unsearched.join(',')).forEach((e) => e.remove());
                const problems = [];
                const headings = new Map();
                sections.forEach(({ id, title }, i) => {
                    if (!id) return;
                    const heading = main.querySelector(`[id="${CSS.escape(id)}"]`);
                    const text = heading?.textContent.replace(/\s+/g, ' ').trim();
                    if (!heading || !/^h[1-3]$/.test(heading.localName) || text !== title.replace(/\s+/g, ' ').trim()) {
                        problems.push(`${page}#${id}: no h1 to h3 of the page has this id and the title "${title}"`);
                    } else {
                        headings.set(heading, i);
                    }
                });
                const texts = sections.map(() => '');
                let at = 0;
                const walk = (node, pre) => {
                    for (const child of node.childNodes) {
                        if (child.nodeType === Node.TEXT_NODE) {
                            texts[at] += pre ? child.data : child.data.replace(/\s/g, ' ');
                            continue;
                        }
                        if (child.nodeType !== Node.ELEMENT_NODE) continue;
                        const edge = !PHRASING.has(child.localName) || child.localName === 'br' ? ' ' : '';
                        texts[at] += edge;
                        if (headings.has(child)) {
                            at = headings.get(child);
                        } else {
                            walk(child, pre || child.localName === 'pre');
                        }
                        texts[at] += edge;
                    }
                };
                walk(main, false);
                return { page, problems, secret, texts: texts.map((t) => t.replace(/\s\s+/g, ' ').trim()) };
            });
        },
        [
            [...pages].map(([page, sections]) => [
                page,
                readFileSync(join(BOOK_HTML, page), 'utf8'),
                sections.map(({ id, title }) => ({ id, title })),
            ]),
            UNSEARCHED,
        ],
    );
    const problems = [...opened.problems];
    await opened.close();
    for (const { page, problems: found, secret, texts } of read) {
        problems.push(...found);
        const sections = pages.get(page);
        const all = sections.map((s) => s.body).join('\n');
        for (const text of secret) {
            if (all.includes(text)) problems.push(`${page}: an answer or solution is in the index: ${text.slice(0, 60)}…`);
        }
        sections.forEach(({ id, body }, i) => {
            if (body === texts[i]) return;
            let at = 0;
            while (body[at] === texts[i][at]) at++;
            problems.push(
                `${page}#${id}: the index holds …${body.slice(Math.max(0, at - 30), at + 30)}…, ` +
                    `the page shows …${texts[i].slice(Math.max(0, at - 30), at + 30)}…`,
            );
        });
    }
    clean(problems, describe('searchindex.js', problems.slice(0, 10)));
});

test('no breadcrumb in the search index holds a tag or a bare &, since searcher.js shows it as HTML', () => {
    const problems = Object.values(shipped().index.documentStore.docs)
        .filter((doc) => /[<>]|&(?!(amp|lt|gt);)/.test(doc.breadcrumbs))
        .map((doc) => `"${doc.breadcrumbs}"`);
    clean(problems, describe('searchindex.js', problems.slice(0, 10)));
});
