// The shared harness for the browser tests: serves the built book on
// 127.0.0.1 and opens it in Debian's Chromium with playwright-core, watching
// every page for console errors, failed requests and requests that leave the
// machine. Any test file (the score's too) can reuse it:
//
//   import { openBook } from './book.mjs';
//   const book = await openBook();          // server + browser
//   const { page, problems } = await book.open('ch03-threads.html');
//   ...                                      // problems: string[]
//   await book.close();
//
// Environment (set by `cargo xtask test`; the defaults suit a run by hand
// from ci/browser after `mdbook build`):
//   BOOK_HTML       the built book (default ../../book/html)
//   BOOK_SITE_PATH  the path it is served under (default: site-url in
//                   book.toml), so the 404 page's <base href> works as on
//                   GitHub Pages
//   BOOK_BLOCKS     JSON written by the xtask: each page's Rust blocks and
//                   the listing source each must show (see blocks())
//   BOOK_CHROMIUM   the browser (default /usr/bin/chromium-headless-shell,
//                   Chromium's headless shell, as Playwright runs it)
//   BOOK_CHECK_PAGES  the pages the per-page tests check (see checked())
//
// Outside requests: a page may ask no host but 127.0.0.1 for anything
// (theme/head.hbs answers mdBook's crate-list question itself). Chromium
// resolves no other host name (FLAGS), so nothing leaves the machine, and
// every request for another host is reported as a problem, except Run's
// request to the Rust Playground (PLAYGROUND_RUN) once a test has said how
// the Playground answers: `answerPlayground()` from fixtures/evaluate.json
// (or with a reply of its own), `refusePlayground()` by refusing the
// connection, as an offline or firewalled machine does. No test depends on
// the network.
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { resolve, join, extname, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { SEARCH_SCRIPTS } from './slim.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');

export const BOOK_HTML = resolve(
    process.env.BOOK_HTML ?? join(repo, 'book/html'),
);
export const SITE_PATH = process.env.BOOK_SITE_PATH ?? siteUrl();
export const CHROMIUM = process.env.BOOK_CHROMIUM ?? '/usr/bin/chromium-headless-shell';
export const PLAYGROUND_RUN = 'https://play.rust-lang.org/evaluate.json';
export const PLAYGROUND_HOST = new URL(PLAYGROUND_RUN).hostname;
export const THEMES = ['light', 'rust', 'coal', 'navy', 'ayu'];
/// A phone's viewport, an iPhone's 375 by 667, for `open`: mdBook's
/// sidebar starts hidden there, and theme/book.css lays some things out
/// otherwise.
export const PHONE = { width: 375, height: 667 };

/// The axe rules a theme can change the outcome of: a theme changes
/// colours only.
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/// axe-core's script, for a page's `addScriptTag`.
const AXE_SOURCE = readFileSync(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
);

/// Chooses `theme` from mdBook's theme menu, opening it first when it is
/// closed: clicks dispatched in the page, in one round trip, to the
/// handlers book.js gives the menu button and the menu. Throws if the
/// button does not show the menu.
export async function chooseTheme(page, theme) {
    await page.evaluate((theme) => {
        const menu = document.getElementById('theme-list');
        if (!menu.checkVisibility({ visibilityProperty: true })) {
            document.getElementById('theme-toggle').click();
            if (!menu.checkVisibility({ visibilityProperty: true })) throw new Error('the theme button did not open the theme menu');
        }
        document.querySelector(`#theme-list #${theme}`).click();
    }, theme);
}

/// Closes mdBook's theme menu if it is open, by its button, as a reader
/// would: choosing a theme leaves it open, with focus in it.
export async function closeThemeMenu(page) {
    await page.evaluate(() => {
        if (document.getElementById('theme-list')?.checkVisibility({ visibilityProperty: true })) {
            document.getElementById('theme-toggle').click();
        }
    });
}

/// Puts axe-core into `page`, unless a test before has (each copy costs
/// Chromium about 0.2 CPU-seconds to compile).
export async function addAxe(page) {
    if (!(await page.evaluate(() => typeof window.axe?.run === 'function'))) {
        await page.addScriptTag({ content: AXE_SOURCE });
    }
}

/// What axe finds at any impact inside `selector` on `page`, as it is
/// now, in each of `themes` (all five unless given), one line a violation
/// naming its theme: every rule in the first theme and, since a theme
/// changes colours only, the colour rules in the others. Leaves the page
/// in the last theme, with the theme menu closed.
export async function axeInThemes(page, selector, themes = THEMES) {
    await addAxe(page);
    const failures = [];
    for (const [i, theme] of themes.entries()) {
        await chooseTheme(page, theme);
        const violations = await page.evaluate(
            async ([selector, only]) => {
                const result = await window.axe.run(
                    { include: [[selector]] },
                    {
                        resultTypes: ['violations'],
                        ...(only ? { runOnly: { type: 'rule', values: only } } : {}),
                    },
                );
                return result.violations.map(
                    (v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`,
                );
            },
            [selector, i === 0 ? null : COLOUR_RULES],
        );
        failures.push(...violations.map((v) => `[${theme}] axe ${v}`));
    }
    await closeThemeMenu(page);
    return failures;
}

// Flags known to work on machines without a network: no background
// connections, no first-run or update traffic, and no host but 127.0.0.1
// resolved (a request for another fails as an unknown name; watch() reports
// it). Playwright adds --headless and a fresh temporary --user-data-dir
// itself.
const FLAGS = [
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

function siteUrl() {
    const toml = readFileSync(join(repo, 'book.toml'), 'utf8');
    const found = toml.match(/^\s*site-url\s*=\s*"([^"]*)"/m);
    const path = found ? found[1] : '/';
    return path.endsWith('/') ? path : `${path}/`;
}

/// Every HTML file of the built book, relative and with `/`, sorted.
export function htmlPages(dir = BOOK_HTML) {
    if (!existsSync(dir)) {
        throw new Error(`${dir} does not exist: build the book first`);
    }
    const out = [];
    const walk = (folder) => {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
            const path = join(folder, entry.name);
            if (entry.isDirectory()) walk(path);
            else if (entry.name.endsWith('.html')) {
                out.push(relative(dir, path).split(sep).join('/'));
            }
        }
    };
    walk(dir);
    return out.sort();
}

/// A listing crate's folder, by its name.
export function listingDir(crate) {
    for (const chapter of readdirSync(join(repo, 'listings'))) {
        const dir = join(repo, 'listings', chapter, crate);
        if (existsSync(join(dir, 'Cargo.toml'))) return dir;
    }
    throw new Error(`no listing ${crate}`);
}

/// Pages with a rehearsal, found in the built HTML (print.html repeats
/// them all; pages.test.mjs checks it).
export function rehearsedPages() {
    return htmlPages().filter(
        (page) =>
            page !== 'print.html' &&
            readFileSync(join(BOOK_HTML, page), 'utf8').includes(
                '<form class="rehearsal-question"',
            ),
    );
}

/// Whether to check `page` in this run: `cargo xtask test` sets
/// BOOK_CHECK_PAGES to the pages whose inputs changed since they last
/// passed, one a line; unset, every page is checked.
export function checked(page) {
    const only = process.env.BOOK_CHECK_PAGES;
    return only === undefined || only.split('\n').includes(page);
}

/// The xtask's map of each page's Rust blocks: { "ch03-threads.html":
/// [{ source, line, full, visible, included, noplayground }] }, or null
/// when the tests run without it.
export function blocks() {
    const file = process.env.BOOK_BLOCKS;
    return file ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

const TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.ico': 'image/x-icon',
    '.woff': 'font/woff',
    '.woff2': 'font/woff2',
    '.ttf': 'font/ttf',
    '.eot': 'application/vnd.ms-fontobject',
    '.txt': 'text/plain; charset=utf-8',
};

/// A plain static server for the book, as GitHub Pages serves it: under
/// SITE_PATH, with 404.html (status 404) for anything missing; with
/// `gzip`, text compressed for a client that accepts it, as Pages does
/// (the tests count a page's bytes uncompressed, so they serve it plain).
export async function serveBook(root = BOOK_HTML, base = SITE_PATH, { gzip = false } = {}) {
    const notFound = () => {
        const page = join(root, '404.html');
        return existsSync(page) ? readFileSync(page) : 'not found';
    };
    const server = createServer((request, response) => {
        const url = new URL(request.url, 'http://127.0.0.1');
        let path = decodeURIComponent(url.pathname);
        let file = null;
        if (path.startsWith(base)) {
            file = resolve(root, `.${sep}${path.slice(base.length)}`);
            if (!file.startsWith(root)) file = null;
            else if (existsSync(file) && statSync(file).isDirectory()) {
                file = join(file, 'index.html');
            }
        }
        if (!file || !existsSync(file)) {
            response.writeHead(404, { 'content-type': TYPES['.html'] });
            response.end(request.method === 'HEAD' ? undefined : notFound());
            return;
        }
        const type = TYPES[extname(file)] ?? 'application/octet-stream';
        const compress =
            gzip &&
            /^(text\/|image\/svg|application\/json)/.test(type) &&
            /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
        const content = readFileSync(file);
        const body = compress ? gzipSync(content) : content;
        response.writeHead(200, {
            'content-type': type,
            'content-length': body.length,
            'cache-control': 'no-store',
            ...(compress ? { 'content-encoding': 'gzip' } : {}),
        });
        response.end(request.method === 'HEAD' ? undefined : body);
    });
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    const origin = `http://127.0.0.1:${server.address().port}`;
    return {
        origin,
        url: (page) => `${origin}${base}${page}`,
        close: () =>
            new Promise((done) => {
                server.closeAllConnections();
                server.close(done);
            }),
    };
}

export async function launchBrowser() {
    if (!existsSync(CHROMIUM)) {
        throw new Error(
            `${CHROMIUM} not found: install Debian's chromium-headless-shell ` +
                '(apt-get install chromium-headless-shell), or run `cargo xtask test`',
        );
    }
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
    });
}

const runFixture = readFileSync(join(here, 'fixtures/evaluate.json'));

/// From now on, Run's request to the Playground from `context` is answered
/// as `state.playground` says: from the fixture (or `state.reply`), or
/// refused; its JSON body is recorded in `runs`. Routing any request makes
/// Chromium hand every later request of the context to this process and
/// wait for its answer (measured: a tenth of a CPU-second a page load), so
/// a page is routed only once a test is about to press Run.
async function routePlayground(context, state, runs) {
    const cors = {
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'content-type',
        'access-control-allow-methods': 'POST, GET, OPTIONS',
    };
    await context.route(PLAYGROUND_RUN, (route) => {
        const request = route.request();
        if (state.playground === 'refusing') {
            return route.abort('connectionrefused');
        }
        if (request.method() === 'OPTIONS') {
            return route.fulfill({ status: 204, headers: cors });
        }
        runs.push(JSON.parse(request.postData() ?? '{}'));
        return route.fulfill({
            status: 200,
            headers: { ...cors, 'content-type': 'application/json' },
            body: state.reply ? JSON.stringify(state.reply) : runFixture,
        });
    });
}

/// Whether `url` is the book's own: served from 127.0.0.1, read from a
/// file, or made in the page.
function local(url) {
    const { protocol, hostname } = new URL(url);
    return (
        protocol === 'file:' ||
        protocol === 'data:' ||
        protocol === 'blob:' ||
        hostname === '127.0.0.1'
    );
}

/// Watches `page` and adds to `problems` each request for another host
/// (but the Playground's, once routed), console error, uncaught exception,
/// failed request and HTTP error. A request for another host fails (FLAGS),
/// the Playground's is refused once a test asks, and either is in
/// `blocked`: the browser's own report of it, a failed request and a
/// console error at its address, is no problem of the page's. Adds the
/// address of each finished request to `bytes`, with its size when
/// `weigh`.
function watch(page, problems, blocked, bytes, state, weigh) {
    // Another host's address, but the Playground's once routed: its
    // request is the problem, reported once, whichever of the browser's
    // reports of it comes first.
    const outside = (url) =>
        !local(url) && !(url === PLAYGROUND_RUN && state.routed);
    page.on('request', (request) => {
        const url = request.url();
        if (!outside(url)) return;
        blocked.add(url);
        problems.push(`request to an outside host: ${request.method()} ${url}`);
    });
    page.on('console', (message) => {
        if (message.type() === 'error') {
            const where = message.location();
            if (where?.url && (blocked.has(where.url) || outside(where.url))) return;
            const at = where?.url
                ? ` (${where.url}:${where.lineNumber + 1})`
                : '';
            problems.push(`console error: ${message.text()}${at}`);
        }
    });
    page.on('pageerror', (error) => {
        problems.push(`uncaught exception: ${error.message}`);
    });
    page.on('requestfailed', (request) => {
        if (blocked.has(request.url()) || outside(request.url())) return;
        problems.push(
            `failed request: ${request.url()} ` +
                `(${request.failure()?.errorText ?? 'unknown'})`,
        );
    });
    page.on('response', async (response) => {
        const url = response.url();
        if (response.status() >= 400) {
            problems.push(`HTTP ${response.status()} for ${url}`);
        }
    });
    // The size Chromium received, not the body itself: copying every body
    // to node cost about 0.05 CPU-seconds a page load (print.html's 2 MB
    // most). Over http, served uncompressed, the two agree (compared on
    // every request of two chapters); the weight is only taken over http.
    page.on('requestfinished', async (request) => {
        if (!weigh) {
            bytes.push({ url: request.url() });
            return;
        }
        try {
            const { responseBodySize } = await request.sizes();
            bytes.push({ url: request.url(), size: responseBodySize });
        } catch {
            // A request Chromium no longer holds (a navigation away)
            // weighs nothing on this page.
        }
    });
}

/// The server and the browser together: `open(page)` gives a fresh page
/// (its own context: empty cache, default theme) already loaded.
export async function openBook({ root = BOOK_HTML } = {}) {
    const server = await serveBook(root);
    const browser = await launchBrowser();
    const contexts = new Set();
    return {
        server,
        browser,
        url: server.url,
        /// Opens `path` (relative to the book, or a full http:/file: URL)
        /// and waits until it has loaded. Returns the page, the problems
        /// seen so far (the array keeps filling), the address of every
        /// response (and its size, with `weigh`) and the bodies of the Run
        /// requests the Playground answered. Run reaches the Playground
        /// only after `answerPlayground()` (the fixture) or
        /// `answerPlayground(reply)` (an evaluate.json body, `{ result,
        /// error }`), or is refused after `refusePlayground()`; `init` is a
        /// function to run in the page before its own scripts; `viewport`
        /// a size other than Playwright's 1280 by 720 (PHONE, say).
        async open(path, { colorScheme = 'light', init, weigh = false, viewport } = {}) {
            const context = await browser.newContext({ colorScheme, ...(viewport ? { viewport } : {}) });
            contexts.add(context);
            const problems = [];
            const bytes = [];
            const runs = [];
            const blocked = new Set();
            const state = { playground: 'fixture', routed: false };
            context.setDefaultTimeout(10_000);
            // A load waits longer: print.html is every chapter at once,
            // and Chromium shares two cores with the cargo stages (it
            // took over 10 s under a load of about 25).
            context.setDefaultNavigationTimeout(30_000);
            if (init) await context.addInitScript(init);
            const page = await context.newPage();
            watch(page, problems, blocked, bytes, state, weigh);
            const url = /^[a-z]+:/.test(path) ? path : server.url(path);
            const response = await page.goto(url, { waitUntil: 'load' });
            // Settled: fonts are in.
            await page.evaluate(async () => {
                await document.fonts.ready;
                await new Promise((done) => setTimeout(done, 50));
            });
            const route = async () => {
                if (state.routed) return;
                state.routed = true;
                await routePlayground(context, state, runs);
            };
            return {
                page,
                context,
                problems,
                bytes,
                runs,
                response,
                /// From now on the Playground refuses connections, as
                /// offline or behind a firewall.
                refusePlayground: async () => {
                    state.playground = 'refusing';
                    blocked.add(PLAYGROUND_RUN);
                    await route();
                },
                /// From now on the Playground answers `reply`, or the
                /// fixture without one.
                answerPlayground: async (reply = null) => {
                    state.playground = 'fixture';
                    state.reply = reply;
                    await route();
                },
                close: async () => {
                    contexts.delete(context);
                    await context.close();
                },
            };
        },
        fileUrl: (path) => pathToFileURL(join(root, path)).href,
        async close() {
            for (const context of contexts) await context.close();
            await browser.close();
            await server.close();
        },
    };
}

/// Scrolls a code block's top well below the sticky menu bar and rests the
/// pointer there: mdBook shows a block's buttons (Copy, Run) only while the
/// pointer is over the block.
export async function pointAtButtons(pre) {
    await pre.evaluate((el) => {
        const top = el.getBoundingClientRect().top + window.scrollY;
        window.scrollTo(0, Math.max(0, top - 150));
    });
    const box = await pre.boundingBox();
    await pre.hover({ position: { x: box.width - 40, y: 10 } });
}

/// Gives `page` `window.bookColours(code)`: for each character of a code
/// element's text, the highlight.js class colouring it ('' for none) and
/// whether it is shown (outside mdBook's hidden lines), as `shown`, and the
/// same for that text highlighted by highlight.js as one whole program, as
/// `whole`. A function Playwright sends into the page cannot call one of
/// this file's, so this one is installed in the page first.
export async function installColours(page) {
    await page.evaluate(() => {
        const colours = (root) => {
            const out = [];
            const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walk.nextNode(); node; node = walk.nextNode()) {
                const token = node.parentElement.closest('[class^="hljs-"]');
                const colour = token && root.contains(token) ? token.className : '';
                const shown = !node.parentElement.closest('.boring');
                for (const _ of node.data) out.push({ colour, shown });
            }
            return out;
        };
        window.bookColours = (code) => {
            const whole = document.createElement('code');
            whole.className = [...code.classList].find((c) => c.startsWith('language-')) ?? '';
            whole.textContent = code.textContent;
            window.hljs.highlightElement(whole);
            return { shown: colours(code), whole: colours(whole) };
        };
    });
}

/// Fails the test with `message` when there are problems (one a line).
export function clean(problems, message) {
    if (problems.length > 0) assert.fail(message);
}

/// "page: problem" lines, or "" when there are none, for assert messages.
export function describe(page, problems) {
    return problems.map((p) => `${page}: ${p}`).join('\n');
}

/// An exercise's solution waits in a closed <details> (CONTRIBUTING.md,
/// "Exercises"): open each one that holds a Rust block, so that block is
/// shown, checked and run like every other. Then wait for the next frame,
/// as a reader would, so that what watches sizes (theme/a11y.js) has seen
/// the blocks appear.
export async function openSolutions(page) {
    await page.$$eval('details', (all) => {
        for (const details of all) {
            if (details.querySelector('code.language-rust')) details.open = true;
        }
    });
    await nextFrames(page);
}

/// Waits two frames of `page`: one for layout and what watches sizes
/// (a ResizeObserver's callbacks run in it), one after.
export async function nextFrames(page) {
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/// Turns off every transition and animation of `page`, so that what a
/// test changes is laid out at once, as it ends.
export async function stillPage(page) {
    await page.addStyleTag({
        content: '*, *::before, *::after { transition: none !important; animation: none !important; }',
    });
}

/// What of search the loaded page holds: mdBook's search scripts requested
/// (by their tags, or as responses seen), the globals they define, and the
/// search button's list of them.
export async function searchState(page, responses) {
    const inPage = await page.evaluate((scripts) => ({
        tags: [...document.querySelectorAll('script[src]')]
            .map((s) => s.getAttribute('src'))
            .filter((src) => scripts.some((name) => src.endsWith(name))),
        globals: ['elasticlunr', 'Mark', 'search'].filter(
            (name) => window[name] !== undefined,
        ),
        listed: document.getElementById('search-toggle')?.dataset.scripts ?? null,
    }), SEARCH_SCRIPTS);
    const loaded = responses.filter((url) =>
        SEARCH_SCRIPTS.some((name) => new URL(url).pathname.endsWith(`/${name}`)),
    );
    return { ...inPage, loaded };
}

/// The problems of a page that has loaded and not been asked to search.
export function searchNotLoaded(state) {
    const problems = [];
    if (state.listed === null) problems.push('no search button listing its scripts (data-scripts)');
    if (state.tags.length > 0) problems.push(`has the tags of ${state.tags.join(', ')}`);
    if (state.loaded.length > 0) problems.push(`loaded ${state.loaded.join(', ')}`);
    if (state.globals.length > 0) {
        problems.push(`defines ${state.globals.join(', ')} before any search`);
    }
    return problems;
}
