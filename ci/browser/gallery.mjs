// The galleries of every performance loom explored (ci/score/src/gallery.rs)
// in a real browser, checked by pages.test.mjs on its one load of each page
// with a gallery (galleryTests): each draws its listing's performances.txt
// (the heading's counts, one small score per performance with one mark per
// event, its events as text, the wrong and frozen ones framed and said in
// words, not only in colour), Listen and Stop work from the keyboard and
// play every mark, reduced motion keeps the playhead still, axe finds
// nothing in them at any impact, and nothing logs an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { htmlPages, listingDir, BOOK_HTML, THEMES, describe, axeInThemes } from './book.mjs';

/// One model of a listing's performances.txt (the format is in
/// ci/recording/src/performances.rs): its iterations and performances.
function recorded(crate, name) {
    const file = join(listingDir(crate), 'performances.txt');
    if (existsSync(file)) {
        const models = [];
        for (const line of readFileSync(file, 'utf8').split('\n')) {
            const [word, ...rest] = line.split(' ');
            if (word === 'model') models.push({ name: rest.join(' '), performances: [] });
            else if (word === 'iterations') models.at(-1).iterations = Number(rest[0]);
            else if (word === 'performance') {
                const [verdict, ...outcome] = rest.join(' ').split(': ');
                models.at(-1).performances.push({ verdict, outcome: outcome.join(': '), events: [] });
            } else if (line.startsWith('    ')) models.at(-1).performances.at(-1).events.push(line.trim());
        }
        const model = models.find((m) => m.name === name);
        if (model) return model;
    }
    throw new Error(`no model ${name} in ${crate}'s performances.txt`);
}

const galleried = htmlPages().filter(
    (page) =>
        page !== 'print.html' &&
        readFileSync(join(BOOK_HTML, page), 'utf8').includes('<figure class="gallery"'),
);

/// The checks that need no page: call at the top level of a test file.
export function gallerySiteTests() {
    test('the book draws at least five galleries of loom performances', () => {
        const count = galleried
            .map((page) => readFileSync(join(BOOK_HTML, page), 'utf8').match(/<figure class="gallery"/g).length)
            .reduce((a, b) => a + b, 0);
        assert.ok(count >= 5, `${count} galleries`);
    });
}

/// The gallery's checks of page `path`, when it has one: call inside the
/// page's group (one test at a time), on the page's one load, `loaded()`
/// (`book.open`'s result). They look only at the galleries, which no test
/// before them changes, fail on the problems the page logs while they run,
/// and leave the page in the light theme, its theme menu closed, with
/// motion as it was.
export function galleryTests(path, loaded) {
    if (!galleried.includes(path)) return;

    test(`${path}: each gallery draws its recorded performances, and plays and stops by keyboard`, async () => {
        const { page, problems } = loaded();
        const before = problems.length;
        const galleries = await page.$$eval('figure.gallery', (all) =>
            all.map((g) => ({
                id: g.id,
                heading: g.querySelector('.gallery-heading').textContent,
                scores: [...g.querySelectorAll('figure.gallery-score')].map((f) => ({
                    id: f.id,
                    verdict: f.dataset.verdict,
                    notes: f.querySelectorAll('.score-note').length,
                    events: [...f.querySelectorAll('.score-events li')].map((li) => li.textContent),
                    caption: f.querySelector('figcaption').textContent,
                    border: getComputedStyle(f).borderTopStyle,
                    label: f.querySelector('svg').getAttribute('aria-labelledby'),
                })),
            })),
        );
        for (const gallery of galleries) {
            const [, crate, name] = gallery.id.match(/^gallery-(listing-\d+-\d+)-(.+)$/);
            const model = recorded(crate, name);
            const at = `${path} ${gallery.id}`;
            const wrong = model.performances.filter((p) => p.verdict !== 'right').length;
            assert.match(gallery.heading, new RegExp(`^Loom ran Listing \\d+-\\d+'s model ${name} ${model.iterations === 1 ? 'once' : `${model.iterations} times`}[:,]`), at);
            assert.match(gallery.heading, new RegExp(`: ${model.performances.length} distinct performances?; in ${wrong || 'none'} of them `), at);
            assert.equal(gallery.scores.length, model.performances.length, `${at}: scores`);
            model.performances.forEach((p, i) => {
                const drawn = gallery.scores[i];
                assert.equal(drawn.verdict, p.verdict, `${at} ${drawn.id}: verdict`);
                assert.equal(drawn.notes, p.events.length, `${at} ${drawn.id}: marks`);
                assert.deepEqual(drawn.events, p.events, `${at} ${drawn.id}: events as text`);
                assert.ok(drawn.caption.includes(p.outcome), `${at} ${drawn.id}: outcome`);
                assert.ok(drawn.label, `${at} ${drawn.id}: no accessible name`);
                const word = { right: 'Right', wrong: 'Wrong', froze: 'Froze' }[p.verdict];
                assert.match(drawn.caption, new RegExp(`Performance ${i + 1}: ${word}`), `${at} ${drawn.id}: said in words`);
                assert.equal(drawn.border, p.verdict === 'right' ? 'solid' : 'dashed', `${at} ${drawn.id}: frame`);
            });
            const frozen = model.performances.findIndex((p) => p.verdict === 'froze');
            if (frozen >= 0) {
                const bar = await page.locator(`#${gallery.scores[frozen].id} .gallery-freeze`).count();
                assert.equal(bar, 1, `${at}: the freeze is drawn where it froze`);
            }

            // The first performance that is not right, or the first.
            const chosen = gallery.scores.find((s) => s.verdict !== 'right') ?? gallery.scores[0];
            const root = `#${chosen.id}`;
            const sound = await page.evaluate(
                (id) => window.rustAsMusicScore.renderOffline(document.getElementById(id)),
                chosen.id,
            );
            assert.equal(sound.scheduled, chosen.notes, `${at}: scheduled`);
            assert.ok(sound.peak > 0.01, `${at}: silent (peak ${sound.peak})`);
            assert.equal(await page.getAttribute(root, 'data-state'), null, 'no autoplay');
            await page.focus(`${root} .score-listen`);
            await page.keyboard.press('Enter');
            await page.waitForSelector(`${root}[data-state="playing"]`);
            assert.equal(Number(await page.getAttribute(root, 'data-scheduled')), chosen.notes);
            assert.equal(await page.evaluate(() => document.activeElement.className), 'score-stop', 'focus moves to Stop');
            assert.equal(await page.getAttribute(`${root} .score-playhead`, 'visibility'), 'visible');
            await page.keyboard.press('Enter');
            await page.waitForSelector(`${root}[data-state="stopped"]`);
            assert.equal(await page.evaluate(() => document.activeElement.className), 'score-listen', 'focus back on Listen');

            await page.emulateMedia({ reducedMotion: 'reduce' });
            await page.keyboard.press('Space');
            await page.waitForSelector(`${root}[data-state="playing"]`);
            assert.equal(await page.getAttribute(`${root} .score-playhead`, 'visibility'), 'hidden', 'reduced motion');
            await page.keyboard.press('Space');
            await page.waitForSelector(`${root}[data-state="stopped"]`);
            await page.emulateMedia({ reducedMotion: 'no-preference' });
        }
        const logged = problems.slice(before);
        assert.deepEqual(logged, [], describe(path, logged));
    });

    // Every rule at every impact, in the light theme: a theme changes
    // colours only, and axe's colour rules report at impact serious, which
    // pages.test.mjs fails in all five themes on every look of text this
    // page has (here, or on a page built alike; see textLooks there).
    test(`${path}: axe finds nothing in the galleries, at any impact`, async () => {
        const { page, problems } = loaded();
        const before = problems.length;
        const failures = await axeInThemes(page, 'figure.gallery', THEMES.slice(0, 1));
        assert.deepEqual(failures, []);
        const logged = problems.slice(before);
        assert.deepEqual(logged, [], describe(path, logged));
    });
}
