// The book for reading offline, as a PDF: Chromium prints print.html (every
// chapter, with its scores, admonitions, labelled outputs and highlighted
// code) to book/rust-as-music-part-iii-time.pdf, which the deploy workflow
// publishes beside the site. pages.test.mjs prints it from the print.html it
// has loaded (each load of its two megabytes costs Chromium about five
// CPU-seconds), and reads the PDF back with pdftotext (Debian's
// poppler-utils, BOOK_PDFTOTEXT): its text must hold every chapter title,
// the first line of every listing, every admonition's title, every score's
// caption and every recorded output's label.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { blocks, BOOK_HTML, openSolutions } from './book.mjs';

export const PDF = process.env.BOOK_PDF ?? join(BOOK_HTML, '..', 'rust-as-music-part-iii-time.pdf');
const PDFTOTEXT = process.env.BOOK_PDFTOTEXT ?? '/usr/bin/pdftotext';

/// One line of text, as the PDF's text layer and the page compare: no
/// compatibility characters (a ligature "ﬁ" is "fi"), every run of
/// whitespace one space.
const flat = (text) => text.normalize('NFKC').replace(/\s+/g, ' ').trim();

/// Prints `opened` (print.html, loaded) to PDF, with its exercises'
/// solutions open, and returns what its text lacks, one problem a line.
export async function printBook(opened) {
    const { page } = opened;
    // The PDF, which the deploy publishes, holds the exercises' solutions.
    await openSolutions(page);
    const wanted = await page.evaluate(() => {
        const texts = (selector) =>
            [...document.querySelectorAll(selector)].map((e) => e.textContent);
        return {
            'chapter title': texts('main h1'),
            'admonition title': texts('.admonition-title'),
            'score caption': texts('figure.score figcaption').map((t) => t.split(':')[0]),
            'output label': texts('figure.recorded-output > figcaption'),
        };
    });
    const map = blocks();
    assert.ok(map, 'BOOK_BLOCKS is not set: run the browser tests with `cargo xtask test`');
    const firstLines = new Map();
    for (const [path, list] of Object.entries(map)) {
        if (path === 'index.html') continue; // a copy of the first chapter
        for (const block of list) {
            const first = block.visible.split('\n').find((l) => l.trim());
            if (first) firstLines.set(`${block.source}: ${first.trim()}`, first);
        }
    }
    await page.pdf({
        path: PDF,
        format: 'A4',
        printBackground: true,
        outline: true,
        tagged: true,
        margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' },
    });
    const problems = [];
    const text = flat(execFileSync(PDFTOTEXT, ['-enc', 'UTF-8', PDF, '-'], {
        maxBuffer: 64 * 1024 * 1024,
    }).toString('utf8'));
    for (const [kind, list] of Object.entries(wanted)) {
        if (list.length === 0) problems.push(`print.html has no ${kind}`);
        for (const item of list) {
            if (!text.includes(flat(item))) problems.push(`no ${kind} "${flat(item)}"`);
        }
    }
    if (firstLines.size === 0) problems.push('BOOK_BLOCKS names no listing');
    for (const [where, line] of firstLines) {
        if (!text.includes(flat(line))) problems.push(`no first line of ${where}`);
    }
    const size = statSync(PDF).size;
    console.log(`wrote ${PDF}: ${(size / 1e6).toFixed(1)} MB`);
    return problems;
}
