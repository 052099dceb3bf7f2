// The search index without the listings' hidden lines. mdBook 0.4.52
// indexes a chapter's Markdown after its includes, so every line a
// `{{#rustdoc_include}}` hides (written `# line`) went into the index as
// text: searching found words no page shows, and a result's teaser began
// with `# use std::...`. Those lines were about a third of the index's
// 4.4 MB, which a reader downloads on the first search.
//
// slim.mjs calls stripHiddenLines on the rendered book: in each section's
// text, each Rust block's text as mdBook indexed it (`included` in
// target/browser/blocks.json, which the xtask writes from the pages and
// listings) becomes the lines the page shows, and the index is built
// again from those texts, as mdBook builds it (buildIndex). mdBook's own
// index is kept beside blocks.json (MDBOOK_INDEX), for search.test.mjs to
// check buildIndex against.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/// Where slim.mjs keeps mdBook's index as mdBook wrote it, beside the
/// blocks file.
export const MDBOOK_INDEX = 'mdbook-searchindex.js';

const PREFIX = "window.search = Object.assign(window.search, JSON.parse('";
const SUFFIX = "'));";

/// The index object of a searchindex.js as mdBook 0.4.52 writes it: the
/// JSON inside `JSON.parse('...')`, its `\` and `'` escaped.
export function readIndex(text) {
    if (!text.startsWith(PREFIX) || !text.endsWith(SUFFIX)) {
        throw new Error(
            `searchindex.js is not \`${PREFIX}...${SUFFIX}\`, as mdBook 0.4.52 ` +
                `writes it: see readIndex in ci/browser/search-index.mjs`,
        );
    }
    const json = text.slice(PREFIX.length, -SUFFIX.length).replace(/\\([\\'])/g, '$1');
    return JSON.parse(json);
}

/// `search` as mdBook writes searchindex.js.
export function writeIndex(search) {
    const json = JSON.stringify(search).replaceAll('\\', '\\\\').replaceAll("'", "\\'");
    return PREFIX + json + SUFFIX;
}

/// Whitespace as Rust's regex `\s` and `char::is_whitespace` take it
/// (Unicode's White_Space), which JavaScript's `\s` is not: it lacks
/// U+0085 and adds U+FEFF.
const WS = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const RUNS = new RegExp(`${WS}${WS}+`, 'gu');
const SPLIT = new RegExp(`${WS}|-`, 'u');
const BORING = new RegExp(`^(${WS}*)#(.?)(.*)$`, 'su');

/// mdBook's `collapse_whitespace`: every run of two or more whitespace
/// characters one space.
export const collapse = (text) => text.replace(RUNS, ' ');

/// The lines of a Rust block's text that its page shows: mdBook 0.4.52's
/// `hide_lines_rust` hides a line that is `#` or starts `# ` after its
/// indent, and shows `##...` as `#...` (lines as Rust's `str::lines` gives
/// them: split at `\n`, a trailing `\r` dropped).
export function shownLines(text) {
    const shown = [];
    for (const line of text.split('\n').map((l) => l.replace(/\r$/, ''))) {
        const boring = BORING.exec(line);
        if (boring && boring[2] === '#') shown.push(boring[1] + '#' + boring[3]);
        else if (!boring || (boring[2] !== '' && boring[2] !== ' ')) shown.push(line);
    }
    return shown.join('\n');
}

/// mdBook 0.4.52's tokenizer: split at whitespace and `-`, lower case, no
/// word over 80 bytes.
const tokenize = (text) =>
    (text ?? '')
        .split(SPLIT)
        .filter((word) => word.length > 0)
        .map((word) => word.toLowerCase())
        .filter((word) => Buffer.byteLength(word) <= 80);

/// elasticlunr.js, as the book ships it, loaded from `html`.
export function loadElasticlunr(html) {
    const context = {};
    vm.runInNewContext(readFileSync(join(html, 'elasticlunr.min.js'), 'utf8'), context);
    return context.elasticlunr;
}

/// An elasticlunr index of `index`'s stored documents, with its fields,
/// ref and pipeline, built as mdBook's elasticlunr-rs builds one: each
/// field's words (mdBook's tokenizer, then the pipeline), its length in
/// words, and each word's frequency as its square root. Not with
/// elasticlunr.js's addDoc, whose word count is a plain object:
/// "constructor" counts from Object.prototype's and gets no frequency.
export function buildIndex(elasticlunr, index) {
    const built = new elasticlunr.Index();
    built.setRef(index.ref);
    for (const field of index.fields) built.addField(field);
    built.saveDocument(index.documentStore.save);
    built.pipeline = elasticlunr.Pipeline.load(index.pipeline);
    const refs = Object.keys(index.documentStore.docs).sort((a, b) => a - b);
    for (const ref of refs) {
        const doc = index.documentStore.docs[ref];
        built.documentStore.addDoc(ref, doc);
        for (const field of index.fields) {
            const words = built.pipeline.run(tokenize(doc[field]));
            built.documentStore.addFieldLength(ref, field, words.length);
            const counts = new Map();
            for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
            for (const [word, count] of counts) {
                built.index[field].addToken(word, { ref, tf: Math.sqrt(count) });
            }
        }
    }
    // As plain data of this realm: elasticlunr.js's objects are the vm's.
    return JSON.parse(JSON.stringify({ ...index, ...built.toJSON() }));
}

/// Takes the hidden lines of every Rust block in `blocks` (blocks.json's
/// pages) out of `search`'s stored section texts, in place: each distinct
/// block text, longest first (one may hold another), becomes its shown
/// lines wherever it is in its page's sections. Throws, naming the blocks,
/// when a block's text is in none of them as mdBook indexes it. Returns how
/// many blocks lost hidden lines.
export function stripHidden(search, blocks) {
    const sections = new Map();
    search.doc_urls.forEach((url, ref) => {
        const page = url.split('#')[0];
        if (!sections.has(page)) sections.set(page, []);
        sections.get(page).push(search.index.documentStore.docs[ref]);
    });
    let stripped = 0;
    for (const [page, list] of Object.entries(blocks)) {
        if (page === 'index.html') continue; // a copy of the first chapter, not indexed
        const texts = new Map();
        for (const block of list) {
            const indexed = collapse(block.included.trim());
            const shown = collapse(shownLines(block.included).trim());
            if (indexed === shown) continue;
            if (!texts.has(indexed)) texts.set(indexed, { shown, blocks: [] });
            texts.get(indexed).blocks.push(block);
        }
        const longestFirst = [...texts].sort(([a], [b]) => b.length - a.length);
        for (const [indexed, { shown, blocks: those }] of longestFirst) {
            let found = false;
            for (const doc of sections.get(page) ?? []) {
                if (!doc.body.includes(indexed)) continue;
                // split and join: replaceAll would read `$&` or `$$` in a
                // listing's code as a replacement pattern.
                doc.body = collapse(doc.body.split(indexed).join(shown)).trim();
                found = true;
            }
            if (!found) {
                const named = those.map((b) => `${b.page}:${b.line} (${b.source})`).join(', ');
                throw new Error(
                    `${named}: this Rust block's text, as mdBook indexes it (its ` +
                        `include's lines, whitespace runs one space), is in no section ` +
                        `of ${page} in searchindex.js, so its hidden lines cannot be ` +
                        `taken out. Is a line of the block not from its include, or does ` +
                        `included() in ci/xtask/src/browser.rs write this include ` +
                        `otherwise than mdBook? (stripHidden, ci/browser/search-index.mjs)`,
                );
            }
            stripped += those.length;
        }
    }
    return stripped;
}

/// Rewrites `html`/searchindex.js without hidden lines, keeping mdBook's
/// own beside `blocksFile`. Returns a note for slim.mjs's report.
export function stripHiddenLines(html, blocksFile) {
    const file = join(html, 'searchindex.js');
    const text = readFileSync(file, 'utf8');
    writeFileSync(join(dirname(blocksFile), MDBOOK_INDEX), text);
    const search = readIndex(text);
    const count = stripHidden(search, JSON.parse(readFileSync(blocksFile, 'utf8')));
    search.index = buildIndex(loadElasticlunr(html), search.index);
    const out = writeIndex(search);
    writeFileSync(file, out);
    const bytes = (s) => Buffer.byteLength(s);
    return `hidden lines of ${count} blocks out of the search index, ${bytes(text)} → ${bytes(out)} bytes`;
}
