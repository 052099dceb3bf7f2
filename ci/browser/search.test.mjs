// Search loads when a reader asks for it (theme/search.js, with the tags
// ci/browser/slim.mjs takes out): no page loads mdBook's search scripts
// before, and each way of asking (the search button, the `s` and `/` keys,
// a `?search=` URL, and a `?highlight=` URL, which marks the words) does
// what it did when every page loaded them, from http and from file://.
import { test, before, after } from 'node:test';
import { openBook, htmlPages, checked, describe, clean } from './book.mjs';
import { SEARCH_SCRIPTS } from './slim.mjs';

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

/// What of search the loaded page holds: mdBook's search scripts requested
/// (by their tags, or as responses seen), the globals they define, and the
/// search button's list of them.
async function searchState(page, responses) {
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
function notLoaded(state) {
    const problems = [];
    if (state.listed === null) problems.push('no search button listing its scripts (data-scripts)');
    if (state.tags.length > 0) problems.push(`has the tags of ${state.tags.join(', ')}`);
    if (state.loaded.length > 0) problems.push(`loaded ${state.loaded.join(', ')}`);
    if (state.globals.length > 0) {
        problems.push(`defines ${state.globals.join(', ')} before any search`);
    }
    return problems;
}

test('no page loads the search scripts before a search is asked for', async () => {
    const context = await book.browser.newContext();
    // The book's own files only: anything else (the Playground) is refused.
    await context.route('**/*', (route) =>
        new URL(route.request().url()).hostname === '127.0.0.1'
            ? route.continue()
            : route.abort('blockedbyclient'),
    );
    // 404.html is what the server gives for a missing path; toc.html is
    // the sidebar's frame, with no search of its own.
    const queue = htmlPages()
        .filter((p) => p !== 'toc.html' && checked(p))
        .map((p) => (p === '404.html' ? 'no-such-page.html' : p));
    const problems = [];
    const worker = async () => {
        const page = await context.newPage();
        let responses = [];
        page.on('response', (response) => responses.push(response.url()));
        for (let path; (path = queue.shift()); ) {
            responses = [];
            await page.goto(book.url(path), { waitUntil: 'load', timeout: 30_000 });
            problems.push(describe(path, notLoaded(await searchState(page, responses))));
        }
    };
    await Promise.all([worker(), worker()]);
    await context.close();
    const found = problems.filter(Boolean);
    clean(found, found.join('\n'));
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
    for (const [way, ask] of Object.entries(WAYS)) {
        test(`from ${origin}, ${way} loads search and opens it with results`, async () => {
            const { opened, url, responses } = await openChapter(origin);
            const problems = notLoaded(await searchState(opened.page, opened.bytes.map((b) => b.url)));
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
