// The search index, holding what a reader sees. mdBook 0.4.52 indexes a
// chapter's Markdown after its preprocessors, section by section, and
// takes the text out of raw HTML with ammonia, so its index held:
// - every line a `{{#rustdoc_include}}` hides, as `# line` (a third of its
//   4.4 MB): searches found words no page shows, and teasers began
//   `# use std::...`;
// - the scores' drawings (lane names, notes and axis ticks run together,
//   such as `C4101 ms`), the Listen, Stop and Check buttons' words, and the
//   events each score lists as text;
// - each rehearsal question's answer, twice (its explanation and the
//   no-script "Show the answer"), which spoiled the question in teasers
//   and ranked the rehearsals above the chapters' own sections;
// - entities such as `&lt;` where raw HTML held them, shown as written;
// - an address that is no id of its page for a heading with a `<…>` in
//   it, which mdBook's id reading cuts out as if it were a tag.
//
// slim.mjs calls indexWhatReadersSee on the rendered book: each section's
// text becomes the text of that section of its rendered page, without
// the elements in UNSEARCHED, its address the id of its heading there,
// its breadcrumbs escaped (searcher.js shows them as HTML), and the index
// is built again from those texts as mdBook builds one (buildIndex). The
// titles stay mdBook's. mdBook's own index is kept beside book/html
// (MDBOOK_INDEX), for search.test.mjs to check buildIndex against.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { mainOf } from './print-links.mjs';

/// Where slim.mjs keeps mdBook's index as mdBook wrote it, in book/html's
/// parent folder (not published).
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
const SPACE = new RegExp(WS, 'gu');

/// mdBook's `collapse_whitespace`: every run of two or more whitespace
/// characters one space.
export const collapse = (text) => text.replace(RUNS, ' ');

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

/// What search leaves out of a page, with all they hold: hidden lines,
/// scripts and styles, the scores' drawings (an `svg`; the figure's caption
/// stays), controls and their words, every `details`, open or not (a
/// score's events as text, which repeat its drawing; a rehearsal's answer;
/// an exercise's solution), and a rehearsal's hint, choices, feedback and
/// progress: its question stays. Selectors of one element name or one
/// class.
export const UNSEARCHED = [
    '.boring',
    'script',
    'style',
    'svg',
    'button',
    'input',
    'textarea',
    'details',
    '.score-controls',
    '.yourrun',
    '.rehearsal-hint',
    '.rehearsal-choices',
    '.rehearsal-actions',
    '.rehearsal-feedback',
    '.rehearsal-progress',
];

/// Elements within a line of text: no space at their edges.
const INLINE = new Set([
    'a', 'abbr', 'b', 'cite', 'code', 'del', 'dfn', 'em', 'i', 'ins', 'kbd',
    'label', 'mark', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup',
    'time', 'u', 'var', 'wbr',
]);
/// Elements that have no end tag.
const VOID = new Set([
    'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta',
    'source', 'track', 'wbr',
]);
/// Elements whose text runs to their end tag, tags or not.
const RAW = new Set(['script', 'style', 'textarea']);
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/// `text` with its character references as the characters they stand for.
function decode(text, page) {
    return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (all, name) => {
        if (name[0] === '#') {
            const hex = name[1] === 'x' || name[1] === 'X';
            return String.fromCodePoint(parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10));
        }
        const character = ENTITIES[name];
        if (character === undefined) {
            throw new Error(`${page}: &${name}; is no entity decode() in ci/browser/search-index.mjs knows`);
        }
        return character;
    });
}

/// An attribute's value in a tag's attribute text, however it is quoted.
function attribute(attributes, name) {
    const found = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(attributes);
    return found ? (found[1] ?? found[2] ?? found[3]) : undefined;
}

/// The headings mdBook writes for a chapter's Markdown headings up to
/// level 3, where its index splits sections (`heading-split-level`, whose
/// default the book keeps): an `h1` to `h3` with an id whose first child is
/// its `a.header` link. Not a heading in raw HTML.
const SECTION_HEADING = /<h([1-3])\b([^>]*)>\s*<a class="header" href="#[^"]*">([\s\S]*?)<\/a>\s*<\/h\1>/g;

/// The text a reader sees of each section of a rendered page (`html`, the
/// page's file), for `sections` ([{ id, title }], mdBook's, in order): the
/// text of its `<main>` from the section's heading to the next section's,
/// without the headings' own text (mdBook's titles) or UNSEARCHED, a space
/// between blocks, a line break a space but in code blocks, every run of
/// whitespace one space. The text before the first heading is the first
/// section's, as in mdBook's index (id `''` is a chapter without
/// headings). A section's heading is the next of mdBook's headings with
/// its id, or else with its title as text, and its text must be the title:
/// mdBook 0.4.52's indexer takes an id from a title with what looks like a
/// tag cut out (its regex `<.*?>`), so "`Arc<Mutex<T>>`: Shared" gets
/// `#arc-shared` in the index, the page `#arcmutext-shared`. Returns
/// [{ id, text }], with the id the page's heading has. Throws when a
/// section's heading is not in the page.
export function sectionTexts(html, sections, page) {
    const { start, end } = mainOf(html, page);
    const main = html.slice(start, end);
    const headings = [...main.matchAll(SECTION_HEADING)].map((h) => ({
        at: h.index,
        id: attribute(h[2], 'id'),
        text: collapse(decode(h[3].replace(/<[^>]*>/g, ''), page)).trim(),
    }));
    // Where each section starts in `main`, and the page's id for it.
    const starts = new Map();
    const found = [];
    let after = -1;
    for (const { id, title } of sections) {
        const section = { id, text: '' };
        found.push(section);
        if (id === '') continue;
        const later = headings.filter((h) => h.at > after);
        const heading = later.find((h) => h.id === id) ?? later.find((h) => h.text === collapse(title).trim());
        if (!heading || heading.text !== collapse(title).trim()) {
            throw new Error(
                `${page}: mdBook's search index has a section #${id} ("${title}") that ` +
                    `is none of the page's section headings, by id and title or by ` +
                    `title, in mdBook's order (sectionTexts, ci/browser/search-index.mjs)`,
            );
        }
        after = heading.at;
        section.id = heading.id;
        starts.set(heading.at, section);
    }
    const unsearched = (name, attributes) => {
        const classes = attribute(attributes, 'class')?.split(/\s+/) ?? [];
        return UNSEARCHED.some((s) => (s[0] === '.' ? classes.includes(s.slice(1)) : s === name));
    };
    let section = found[0] ?? { text: '' };
    // The open elements, each with whether its text is left out.
    const stack = [];
    const skipping = () => stack.length > 0 && stack[stack.length - 1].skip;
    const token = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][\w:-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>|([^<]+|<)/g;
    for (let match; (match = token.exec(main)); ) {
        const [all, end, tag, attributes, text] = match;
        if (text !== undefined) {
            if (skipping()) continue;
            // A line break in prose is a space, as in mdBook's index; in a
            // code block it stays.
            const decoded = decode(text, page);
            section.text += stack.some((e) => e.name === 'pre') ? decoded : decoded.replace(SPACE, ' ');
            continue;
        }
        if (tag === undefined) continue; // a comment
        const name = tag.toLowerCase();
        if (!INLINE.has(name)) section.text += ' ';
        if (end) {
            const at = stack.findLastIndex((e) => e.name === name);
            if (at >= 0) stack.length = at;
            continue;
        }
        const starting = starts.get(match.index);
        if (starting) section = starting;
        const skip = skipping() || starting !== undefined || unsearched(name, attributes);
        if (RAW.has(name)) {
            // Its text is no markup: on to its end tag, as left out as it is.
            const closing = main.toLowerCase().indexOf(`</${name}`, token.lastIndex);
            token.lastIndex = closing < 0 ? main.length : closing;
            if (!skip) section.text += decode(main.slice(match.index + all.length, token.lastIndex), page);
            continue;
        }
        if (!VOID.has(name) && !all.endsWith('/>')) stack.push({ name, skip });
    }
    return found.map(({ id, text }) => ({ id, text: collapse(text).trim() }));
}

/// `text` as HTML: `&`, `<` and `>` as character references.
const escape = (text) => text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);

/// Gives each section of `search` (searchindex.js's object) the text its
/// rendered page under `html` shows of it, and its address the id its
/// heading has there (sectionTexts), and escapes its breadcrumbs, in place.
export function indexPages(search, html) {
    const pages = new Map();
    search.doc_urls.forEach((url, ref) => {
        const [page, id = ''] = url.split('#');
        if (!pages.has(page)) pages.set(page, []);
        pages.get(page).push({ ref, id, doc: search.index.documentStore.docs[ref] });
    });
    for (const [page, sections] of pages) {
        const texts = sectionTexts(
            readFileSync(join(html, page), 'utf8'),
            sections.map(({ id, doc }) => ({ id, title: doc.title })),
            page,
        );
        sections.forEach(({ ref, doc }, i) => {
            doc.body = texts[i].text;
            // searcher.js shows the breadcrumbs as HTML, the body as text:
            // "Arc<Mutex<T>>" showed as "Arc>".
            doc.breadcrumbs = escape(doc.breadcrumbs);
            search.doc_urls[ref] = texts[i].id ? `${page}#${texts[i].id}` : page;
        });
    }
}

/// Rewrites `html`/searchindex.js with each section's text as its page
/// shows it, keeping mdBook's own in html's parent folder. Returns a note
/// for slim.mjs's report.
export function indexWhatReadersSee(html) {
    const file = join(html, 'searchindex.js');
    const text = readFileSync(file, 'utf8');
    writeFileSync(join(html, '..', MDBOOK_INDEX), text);
    const search = readIndex(text);
    indexPages(search, html);
    search.index = buildIndex(loadElasticlunr(html), search.index);
    const out = writeIndex(search);
    writeFileSync(file, out);
    const bytes = (s) => Buffer.byteLength(s);
    return `search indexes ${search.doc_urls.length} sections as their pages show them, ${bytes(text)} → ${bytes(out)} bytes`;
}
