// print-links.mjs, on a book of two small chapters that both have a
// Rehearsal heading: mdBook 0.4.52 renames the second one's id on
// print.html (`rehearsal-1`, and its heading's own link with it), and
// leaves every other link as the chapter page has it. The PDF test
// (pdf.mjs, run on print.html by pages.test.mjs) checks the real book.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHAPTER_BREAK, linkChapters } from './print-links.mjs';

const page = (main) => `<html><body><nav></nav><main>${main}</main></body></html>`;
const heading = (level, id, text) =>
    `<h${level} id="${id}"><a class="header" href="#${id}">${text}</a></h${level}>`;

const one = (rehearsal) =>
    heading(1, 'one', 'One') +
    heading(2, rehearsal, 'Rehearsal') +
    '<p>See <a href="two.html#rehearsal">its rehearsal</a>, <a href="two.html">Two</a> ' +
    'and <a href="https://tokio.rs/">tokio</a>.</p>';
const two = (rehearsal) =>
    heading(1, 'two', 'Two') +
    '<div id="admonition-note"><a class="admonition-anchor-link" href="two.html#admonition-note"></a></div>' +
    heading(2, rehearsal, 'Rehearsal') +
    '<p>Back to <a href="one.html#rehearsal">one</a>, <a href="#rehearsal">this one</a> ' +
    'and <a href="index.html">the start</a>.</p>';

const chapters = [
    { name: 'one.html', html: page(one('rehearsal')) },
    { name: 'two.html', html: page(two('rehearsal')) },
];
const print = page(one('rehearsal') + CHAPTER_BREAK + two('rehearsal-1'));
const hrefs = (html) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);

test('print-links.mjs points each link between chapters at the element it meant on print.html', () => {
    const { page: linked, changed } = linkChapters(print, chapters, { 'index.html': 'one.html' });
    assert.deepEqual(hrefs(linked), [
        '#one', '#rehearsal', '#rehearsal-1', '#two', 'https://tokio.rs/',
        '#two', '#admonition-note', '#rehearsal-1', '#rehearsal', '#rehearsal-1', '#one',
    ]);
    assert.equal(changed, 6);
    assert.equal(linked.replace(/href="[^"]*"/g, ''), print.replace(/href="[^"]*"/g, ''));
});

test('print-links.mjs refuses a print.html whose ids are not the chapters\' own', () => {
    const renamed = page(one('rehearsal') + CHAPTER_BREAK + two('rehearsal-again'));
    assert.throws(
        () => linkChapters(renamed, chapters),
        /two\.html's id 3, <h2 id="rehearsal">, is <h2 id="rehearsal-again"> on print\.html, neither the same id nor mdBook's renaming of it/,
    );
    const missing = page(one('rehearsal') + CHAPTER_BREAK + heading(1, 'two', 'Two'));
    assert.throws(() => linkChapters(missing, chapters), /chapter 2 has 1 ids, two\.html has 3/);
    assert.throws(() => linkChapters(page(one('rehearsal')), chapters), /holds 1 chapters between page breaks, the book has 2/);
});

test('print-links.mjs refuses a link to a page that is no chapter, or to an id its chapter lacks', () => {
    const elsewhere = print.replace('href="two.html"', 'href="three.html"');
    assert.throws(() => linkChapters(elsewhere, chapters), /one\.html links to three\.html, which is no chapter of print\.html/);
    const nowhere = print.replace('two.html#rehearsal', 'two.html#nowhere');
    assert.throws(() => linkChapters(nowhere, chapters), /one\.html links to two\.html#nowhere, an id two\.html does not have/);
});
