// Slims the rendered book in place, before it is tested and published
// (run by `cargo xtask` right after `mdbook build`):
//
//   node ci/browser/slim.mjs book/html
//
// - FontAwesome: mdBook 0.4 links all of FontAwesome 4.7's stylesheet
//   (31 KB, about 700 icons) from every page, and no theme file replaces it.
//   The book shows a dozen icons, from the subset font that
//   theme/fonts/fonts.css declares, so the stylesheet keeps its general
//   rules and the rules of the icons the book's HTML and JS name (the same
//   scan as icons.mjs), and loses its own @font-face, which points at the
//   full fonts.
// - Every stylesheet and script a page loads is minified with esbuild
//   (whitespace, syntax and local names; licence comments stay), mdBook's
//   and the theme's alike, except LEFT_AS_IS.
// - Search loads when a reader asks for it: mdBook puts its three search
//   scripts (SEARCH_SCRIPTS, about 42 KB) on every page; each page loses
//   those tags and its search button lists their sources in data-scripts,
//   for theme/search.js to load on the first search.
// - The search index holds each section's text as its page shows it
//   (search-index.mjs): no hidden lines, no drawings or buttons, no
//   answers.
// - print.html's links between chapters become links inside it
//   (print-links.mjs), so they work there and in the PDF printed from it.
//
// Together these take about a third off every page (the weight test in
// pages.test.mjs measures the result).
import { transform } from 'esbuild';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iconsUsed } from './icons.mjs';
import { indexWhatReadersSee } from './search-index.mjs';
import { chapterOrder, linkChapters } from './print-links.mjs';

const STYLESHEET = 'FontAwesome/css/font-awesome.css';
/// Already minified (mdBook's search libraries, theme/highlight.js), or
/// loaded only when a reader searches (the index).
const LEFT_AS_IS = new Set([
    'elasticlunr.min.js',
    'mark.min.js',
    'highlight.js',
    'searchindex.js',
]);

/// `css` without @font-face and without the icon rules of names not in
/// `used`; a rule naming several icons keeps the used ones.
export function cutFontAwesome(css, used) {
    const out = [];
    let depth = 0;
    let start = 0;
    for (let at = 0; at < css.length; at++) {
        if (css[at] === '{') depth++;
        if (css[at] !== '}' || --depth > 0) continue;
        let rule = css.slice(start, at + 1).trim();
        start = at + 1;
        const comment = /^\/\*[\s\S]*?\*\//.exec(rule);
        if (comment) {
            out.push(comment[0]); // the licence
            rule = rule.slice(comment[0].length).trim();
        }
        const open = rule.indexOf('{');
        const selectors = rule.slice(0, open);
        const body = rule.slice(open);
        if (selectors.trim().startsWith('@font-face')) continue;
        if (!/^\{content:"\\f[0-9a-f]+";?\}$/.test(body)) {
            out.push(rule);
            continue;
        }
        const kept = selectors.split(',').filter((s) => {
            const icon = /^\.(fa-[a-z0-9-]+):before$/.exec(s.trim());
            return !icon || used.has(icon[1]);
        });
        if (kept.length > 0) out.push(kept.join(',') + body);
    }
    return out.join('') + '\n';
}

/// mdBook 0.4.52's search scripts, in the order its pages load them.
export const SEARCH_SCRIPTS = ['elasticlunr.min.js', 'mark.min.js', 'searcher.js'];

/// `page` (a rendered page's HTML) without the tags of SEARCH_SCRIPTS, whose
/// sources its search button lists instead, in order, in data-scripts; a
/// page without search is returned as it is. Throws when the page has a
/// search button but not the three tags, one after the other.
export function deferSearch(page, name) {
    const button = '<button id="search-toggle" ';
    if (!page.includes(button)) return page;
    const tags = new RegExp(
        SEARCH_SCRIPTS.map(
            (script) => `\\s*<script src="([^"]*${script.replace(/\./g, '\\.')})"></script>`,
        ).join(''),
    );
    const found = tags.exec(page);
    if (!found) {
        throw new Error(
            `${name}: its search button is there but not mdBook's tags of ` +
                `${SEARCH_SCRIPTS.join(', ')}, one after the other: see ` +
                `deferSearch in ci/browser/slim.mjs for what it expects`,
        );
    }
    const sources = found.slice(1).join(' ');
    return page
        .replace(found[0], '')
        .replace(button, `${button}data-scripts="${sources}" `);
}

/// `page` with each run of hidden lines in a code block in one
/// `<span class="boring">`: mdBook wraps every hidden line in a span of its
/// own, and a listing's hidden tests made up to a sixth of a chapter's
/// bytes this way. The text, what hides it (the class) and what Copy and
/// Run send (the block's text) stay as they were; highlight.js 10 keeps a
/// span that holds several lines. A block holding any other element is
/// left as it is.
export function joinHiddenLines(page) {
    return page.replace(/(<code class="language-[^"]*">)([\s\S]*?)(<\/code>)/g, (all, open, body, close) =>
        /<(?!span class="boring">|\/span>)/.test(body)
            ? all
            : open + body.replaceAll('</span><span class="boring">', '') + close,
    );
}

/// print.html (`page`, in the rendered book `html`) with its links between
/// chapters pointing inside it (see print-links.mjs), and how many.
function linkPrintPage(html, page) {
    const order = chapterOrder(readFileSync(join(html, 'toc.html'), 'utf8'));
    const chapters = order.map((name) => ({ name, html: readFileSync(join(html, name), 'utf8') }));
    // mdBook's index.html is a copy of the first chapter's page.
    return linkChapters(page, chapters, { 'index.html': order[0] });
}

function files(dir) {
    const out = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) out.push(...files(path));
        else out.push(path);
    }
    return out;
}

async function slim(html) {
    const names = new Set(iconsUsed(html).flatMap((icon) => icon.names));
    const stylesheet = join(html, STYLESHEET);
    writeFileSync(
        stylesheet,
        cutFontAwesome(readFileSync(stylesheet, 'utf8'), names),
    );
    let before = 0;
    let after = 0;
    let pages = 0;
    let links = 0;
    for (const path of files(html)) {
        const name = relative(html, path).split(sep).join('/');
        if (name.endsWith('.html')) {
            const page = readFileSync(path, 'utf8');
            const linked = name === 'print.html'
                ? linkPrintPage(html, page)
                : { page, changed: 0 };
            links += linked.changed;
            const slimmed = joinHiddenLines(deferSearch(linked.page, name));
            if (slimmed !== page) {
                writeFileSync(path, slimmed);
                pages++;
            }
            continue;
        }
        const loader = /\.css$/.test(name) ? 'css' : /\.js$/.test(name) ? 'js' : null;
        if (!loader || LEFT_AS_IS.has(name)) {
            continue;
        }
        const source = readFileSync(path, 'utf8');
        const { code } = await transform(source, {
            loader,
            minify: true,
            legalComments: 'inline',
            target: loader === 'css' ? ['chrome100', 'firefox100', 'safari15'] : 'es2017',
        }).catch((error) => {
            throw new Error(`${name}: ${error.message}`);
        });
        writeFileSync(path, code);
        before += Buffer.byteLength(source);
        after += Buffer.byteLength(code);
    }
    // After the pages are slimmed: their hidden lines are joined.
    const search = indexWhatReadersSee(html);
    console.log(
        `slimmed ${html}: FontAwesome's stylesheet cut to ${names.size} ` +
            `icon names; scripts and stylesheets minified, ${before} → ${after} bytes; ` +
            `search scripts loaded on demand and hidden lines joined on ${pages} pages; ` +
            `${links} links between chapters on print.html made links inside it; ${search}`,
    );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const html = process.argv[2];
    if (!html) {
        console.error('usage: node slim.mjs <book/html>');
        process.exit(2);
    }
    await slim(html);
}
