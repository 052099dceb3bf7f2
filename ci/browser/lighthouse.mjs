// Lighthouse's mobile audit of the book's heaviest pages, served as GitHub
// Pages serves them (gzip, under the site path): performance at least
// PERFORMANCE and accessibility ACCESSIBILITY, the budget of the book's
// "lean" promise. Run by `cargo xtask lighthouse`, not by `cargo xtask
// test`: Lighthouse's simulated mobile phone scales what it measures on
// this machine, so a score falls when the machine is busy (the test run
// builds beside its browser checks), and a gate there would fail for the
// load, not for the page. Run it on a quiet machine after a change that
// adds weight or script to the pages.
//
// Each page is audited RUNS times in a fresh Chromium and judged by its
// median performance score: Lighthouse's documentation on variability
// advises several runs and measures the median of five as about twice as
// stable as one; three keep the command near two minutes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BOOK_HTML, CHROMIUM, serveBook } from './book.mjs';

// Lighthouse and its Chrome launcher, from the folder the xtask installed
// them in (LIGHTHOUSE_MODULES, a node_modules): each by its package's main.
const modules = process.env.LIGHTHOUSE_MODULES;
if (!modules) throw new Error('LIGHTHOUSE_MODULES is not set: run `cargo xtask lighthouse`');
const entry = (name) => {
    const manifest = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
    return pathToFileURL(join(modules, name, manifest.main)).href;
};
const { default: lighthouse } = await import(entry('lighthouse'));
const { launch } = await import(entry('chrome-launcher'));

const PERFORMANCE = 0.98;
const ACCESSIBILITY = 1;
const RUNS = 3;
/// The heaviest pages (by their HTML, which holds the listings, scores and
/// rehearsals), and the front page.
const HEAVIEST = 3;

const METRICS = [
    'first-contentful-paint',
    'largest-contentful-paint',
    'total-blocking-time',
    'cumulative-layout-shift',
];

const chapters = readdirSync(BOOK_HTML)
    .filter((f) => /^ch.*\.html$/.test(f))
    .map((f) => ({ page: f, bytes: statSync(join(BOOK_HTML, f)).size }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, HEAVIEST)
    .map((c) => c.page);
const pages = [...chapters, 'index.html'];

const server = await serveBook(BOOK_HTML, undefined, { gzip: true });
const problems = [];
let version = '';
try {
    for (const page of pages) {
        const runs = [];
        for (let i = 0; i < RUNS; i++) {
            const chrome = await launch({
                chromePath: CHROMIUM,
                chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
            });
            try {
                const { lhr } = await lighthouse(server.url(page), {
                    port: chrome.port,
                    onlyCategories: ['performance', 'accessibility'],
                    logLevel: 'error',
                    output: 'json',
                });
                runs.push(lhr);
                version = lhr.lighthouseVersion;
            } finally {
                await chrome.kill();
            }
        }
        runs.sort((a, b) => a.categories.performance.score - b.categories.performance.score);
        const median = runs[Math.floor(runs.length / 2)];
        const performance = median.categories.performance.score;
        const accessibility = Math.min(...runs.map((r) => r.categories.accessibility.score));
        const metrics = METRICS.map((id) => `${id} ${median.audits[id].displayValue}`).join(', ');
        console.log(
            `${page}: performance ${performance} (runs: ` +
                `${runs.map((r) => r.categories.performance.score).join(', ')}), ` +
                `accessibility ${accessibility}; ${metrics}`,
        );
        if (performance < PERFORMANCE) {
            problems.push(`${page}: performance ${performance}, under ${PERFORMANCE}`);
        }
        if (accessibility < ACCESSIBILITY) {
            // Each run's failing weighted audits, by that run's results.
            const failed = runs.flatMap((r) =>
                r.categories.accessibility.auditRefs
                    .filter((ref) => ref.weight > 0)
                    .map((ref) => r.audits[ref.id])
                    .filter((audit) => audit.score !== null && audit.score < 1)
                    .map((audit) => audit.id),
            );
            problems.push(
                `${page}: accessibility ${accessibility}, under ${ACCESSIBILITY} ` +
                    `(failing: ${[...new Set(failed)].join(', ')})`,
            );
        }
    }
} finally {
    await server.close();
}
console.log(`Lighthouse ${version} (mobile), ${pages.length} pages × ${RUNS} runs`);
if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
}
