// The score in a real browser: every scored page draws the recorded run
// (lanes and notes match the listing's output.txt), Listen schedules every
// note and makes sound, Stop stops, the keyboard works, reduced motion keeps
// the playhead still, and nothing logs an error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBook, htmlPages, checked, BOOK_HTML, describe } from './book.mjs';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const EVENT = /^@(\d+)ms ([A-Za-z0-9_-]+): (.*)$/;

/// The recorded events of a listing crate, by its folder name.
function recording(crate) {
    for (const chapter of readdirSync(join(repo, 'listings'))) {
        const file = join(repo, 'listings', chapter, crate, 'output.txt');
        if (existsSync(file)) {
            const events = readFileSync(file, 'utf8')
                .split('\n')
                .map((line) => line.match(EVENT))
                .filter(Boolean);
            return {
                notes: events.length,
                lanes: new Set(events.map((e) => e[2])).size,
            };
        }
    }
    throw new Error(`no recorded output for ${crate}`);
}

/// Pages with at least one score, found in the built HTML.
const scored = htmlPages().filter(
    (page) =>
        page !== 'print.html' &&
        readFileSync(join(BOOK_HTML, page), 'utf8').includes(
            '<figure class="score"',
        ),
);

let book;
before(async () => {
    book = await openBook();
});
after(async () => {
    await book?.close();
});

test('the book has scored performances', () => {
    assert.ok(scored.length >= 1, 'no page draws a score');
});

for (const path of scored.filter(checked)) {
    test(`${path}: each score draws its recording, plays and stops`, async () => {
        const { page, problems, close } = await book.open(path);
        try {
            const figures = await page.$$eval('figure.score', (all) =>
                all.map((f) => ({
                    id: f.id,
                    lanes: f.querySelectorAll('.score-lane').length,
                    notes: f.querySelectorAll('.score-note').length,
                    listed: f.querySelectorAll('.score-events li').length,
                    label: f.querySelector('svg').getAttribute('aria-labelledby'),
                })),
            );
            for (const figure of figures) {
                const recorded = recording(figure.id.replace(/^score-/, ''));
                assert.equal(figure.lanes, recorded.lanes, `${path} ${figure.id}: lanes`);
                assert.equal(figure.notes, recorded.notes, `${path} ${figure.id}: notes`);
                assert.equal(figure.listed, recorded.notes, `${path} ${figure.id}: text alternative`);
                assert.ok(figure.label, `${path} ${figure.id}: no accessible name`);

                const sound = await page.evaluate(
                    (id) =>
                        window.rustAsMusicScore.renderOffline(
                            document.getElementById(id),
                        ),
                    figure.id,
                );
                assert.equal(sound.scheduled, recorded.notes, `${path} ${figure.id}: scheduled`);
                assert.ok(sound.peak > 0.01, `${path} ${figure.id}: silent (peak ${sound.peak})`);

                const root = `#${figure.id}`;
                const listen = page.locator(`${root} .score-listen`);
                const stop = page.locator(`${root} .score-stop`);
                assert.equal(await page.getAttribute(root, 'data-state'), null, 'no autoplay');
                await listen.focus();
                await page.keyboard.press('Enter');
                await page.waitForSelector(`${root}[data-state="playing"]`);
                assert.equal(
                    Number(await page.getAttribute(root, 'data-scheduled')),
                    recorded.notes,
                );
                assert.equal(await stop.isEnabled(), true);
                assert.equal(
                    await page.getAttribute(`${root} .score-playhead`, 'visibility'),
                    'visible',
                );
                await stop.click();
                await page.waitForSelector(`${root}[data-state="stopped"]`);
                assert.equal(await listen.isEnabled(), true);

                await page.emulateMedia({ reducedMotion: 'reduce' });
                await listen.click();
                await page.waitForSelector(`${root}[data-state="playing"]`);
                assert.equal(
                    await page.getAttribute(`${root} .score-playhead`, 'visibility'),
                    'hidden',
                    'the playhead stays still under prefers-reduced-motion',
                );
                await stop.click();
                await page.waitForSelector(`${root}[data-state="stopped"]`);
                await page.emulateMedia({ reducedMotion: 'no-preference' });
            }
            assert.deepEqual(problems, [], describe(path, problems));
        } finally {
            await close();
        }
    });
}
