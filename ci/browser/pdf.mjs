// The book for reading offline, as a PDF: Chromium prints print.html (every
// chapter, with its scores, admonitions, labelled outputs and highlighted
// code) to book/rust-as-music-part-iii-time.pdf, which the deploy workflow
// publishes beside the site. pages.test.mjs prints it from the print.html it
// has loaded (each load of its two megabytes costs Chromium about five
// CPU-seconds), and reads the PDF back with pdftotext (Debian's
// poppler-utils, BOOK_PDFTOTEXT): its text must hold every chapter title,
// the first line of every listing, every admonition's title, every score's
// caption, every recorded output's label and every rehearsal question's
// answer after its question; each listing's caption must be on the page of
// its code's first line, and each page must have its number at its foot.
// Every link it prints must lead to an element of the book or to another
// site over https, and so must every link of the PDF itself; no closed
// disclosure may print its summary alone; every bookmark must read as its
// heading does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { blocks, BOOK_HTML, openSolutions } from './book.mjs';

export const PDF = process.env.BOOK_PDF ?? join(BOOK_HTML, '..', 'rust-as-music-part-iii-time.pdf');
const PDFTOTEXT = process.env.BOOK_PDFTOTEXT ?? '/usr/bin/pdftotext';

/// The PDF's margins, in millimetres; the bottom one holds the page number.
const MARGIN = { top: 15, bottom: 15, left: 12, right: 12 };

/// The page's print rules for the PDF alone, added to the stylesheets it
/// already has (theirs are the web page's, and mdBook's print.css).
const PAPER = `
/* A long listing or output continues on the next page: mdBook's print.css
   keeps every pre whole, which moved a long one to the next page and left
   the rest of the page before it empty. */
pre, pre > code {
    break-inside: auto;
}
/* A listing's caption is moved above its code (captionsAbove) and stays on
   the page of the code's first lines. */
p:has(> .caption) {
    margin: 1em 0 0.4em;
    break-after: avoid;
}
p > .caption {
    margin: 0;
}
/* A heading that wraps keeps the space where it wraps in the PDF's text:
   Chromium's bookmark of a heading joins its lines' texts, and with
   collapsed spaces "Channels Between" and "Sections" became "Channels
   BetweenSections". */
h1, h2, h3, h4, h5, h6 {
    white-space: pre-wrap;
}
/* Each page's number at its foot, in a page margin box: Chromium's header
   and footer templates (page.pdf's displayHeaderFooter) laid out a document
   of their own for every page: 1.8 s more for the whole book. */
@page {
    margin: ${MARGIN.top}mm ${MARGIN.right}mm ${MARGIN.bottom}mm ${MARGIN.left}mm;
    @bottom-center {
        content: counter(page);
        font: 9px sans-serif;
        color: #555;
    }
}
`;

/// One line of text, as the PDF's text layer and the page compare: no
/// compatibility characters (a ligature "ﬁ" is "fi"), every run of
/// whitespace one space.
const flat = (text) => text.normalize('NFKC').replace(/\s+/g, ' ').trim();

/// Text without whitespace or hyphens, to find a passage however it wraps:
/// pdftotext puts a space where inline code's padding leaves a gap, and
/// drops a hyphen that ends a line ("one-" and "second" read "onesecond").
const squeeze = (text) => text.normalize('NFKC').replace(/[\s-]+/g, '');

/// An A4 page in PDF points (pdftotext's pixels at its 72 dpi), and where
/// its foot, the bottom margin, begins (to the next whole point).
const PAGE = { width: 596, height: 842 };
PAGE.foot = Math.ceil(PAGE.height - (MARGIN.bottom * 72) / 25.4);

/// Runs in the page: moves each listing's caption (the paragraph after its
/// block, CONTRIBUTING.md's "Listings") above the block, so that on paper
/// the caption comes first and PAPER keeps it with the block's first
/// lines. Returns each caption's text and its code's first shown line, in
/// order, and the text of each caption that is not right after a block.
function captionsAbove() {
    const moved = [];
    const stray = [];
    for (const caption of document.querySelectorAll('main p > .caption')) {
        const paragraph = caption.parentElement;
        const block = paragraph.previousElementSibling;
        const code = block?.matches('pre') ? block.querySelector('code') : null;
        if (!code) {
            stray.push(caption.textContent);
            continue;
        }
        // The code's text outside mdBook's hidden lines, read without a
        // layout of the page (innerText would lay out its two megabytes).
        const walk = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        let shown = '';
        for (let node = walk.nextNode(); node; node = walk.nextNode()) {
            if (!node.parentElement.closest('.boring')) shown += node.data;
        }
        const first = shown.split('\n').find((l) => l.trim());
        block.before(paragraph);
        moved.push({ caption: caption.textContent, first: first ?? '' });
    }
    return { moved, stray };
}

/// Runs in the page, in print media: each link Chromium prints (one the
/// print styles do not hide) that leads neither to a printed element of
/// the page nor to another site over https, and the ids and https
/// addresses the others lead to. checkVisibility asks only for the styles,
/// where getClientRects would lay out the whole page.
function printedLinks() {
    const problems = [];
    const ids = new Set();
    const sites = new Set();
    for (const a of document.querySelectorAll('a[href]')) {
        if (!a.checkVisibility()) continue;
        const href = a.getAttribute('href');
        if (href.startsWith('#')) {
            const id = decodeURIComponent(href.slice(1));
            const target = document.getElementById(id);
            if (!target) problems.push(`a link to #${id}, which no element has`);
            else if (!target.checkVisibility()) {
                problems.push(`a link to #${id}, which is not printed`);
            } else ids.add(id);
            continue;
        }
        const url = new URL(href, location.href);
        if (url.protocol === 'https:' && url.hostname !== location.hostname) {
            sites.add(url.href);
        } else {
            problems.push(`a link to ${href}, outside the document (it prints as ${url.href})`);
        }
    }
    return { problems, ids: [...ids], sites: [...sites] };
}

/// Runs in the page, in print media: the summary of each <details> that
/// prints closed, its summary alone with nothing under it.
function emptyDisclosures() {
    return [...document.querySelectorAll('details:not([open])')]
        .filter((details) => details.checkVisibility())
        .filter((details) =>
            ![...details.children].some(
                (child) => child.localName !== 'summary' && child.checkVisibility(),
            ),
        )
        .map((details) => details.querySelector('summary')?.textContent ?? '');
}

/// The distinct lines of `problems`, at most `most` of them and a line
/// saying how many more there are.
function firstOf(problems, most = 10) {
    const distinct = [...new Set(problems)];
    if (distinct.length <= most) return distinct;
    return [...distinct.slice(0, most), `… and ${distinct.length - most} more like these`];
}

/// The text of a PDF string as Skia writes it: `(literal)` with
/// backslash escapes, or `<hex>`, UTF-16BE after a byte order mark.
function pdfString(raw) {
    let bytes;
    if (raw.startsWith('<')) {
        bytes = Buffer.from(raw.slice(1, -1).replace(/\s/g, ''), 'hex');
    } else {
        const escapes = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
        const text = raw.slice(1, -1).replace(/\\([0-7]{1,3}|[\s\S])/g, (_, c) =>
            /^[0-7]/.test(c) ? String.fromCharCode(parseInt(c, 8)) : (escapes[c] ?? c),
        );
        bytes = Buffer.from(text, 'latin1');
    }
    if (bytes[0] === 0xfe && bytes[1] === 0xff) {
        return bytes.subarray(2).swap16().toString('utf16le');
    }
    return bytes.toString('latin1');
}

/// A PDF name without its slash, its `#xx` escapes decoded.
const pdfName = (raw) =>
    Buffer.from(raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1')
        .toString('utf8');

const STRING = String.raw`\((?:\\[\s\S]|[^\\)])*\)|<[0-9A-Fa-f\s]*>`;

/// What the PDF's bytes (as latin1 text) link to and say in its outline:
/// each link annotation's destination name (`dests`) or address (`uris`,
/// also any /URI elsewhere), the names its /Dests dictionary defines, and
/// its bookmarks' titles.
function readPdf(pdf) {
    const objects = new Map();
    for (const m of pdf.matchAll(/(?:^|\n)(\d+) 0 obj\n([\s\S]*?)\nendobj/g)) {
        objects.set(m[1], m[2]);
    }
    const uris = [...pdf.matchAll(new RegExp(String.raw`/URI\s*(${STRING})`, 'g'))].map((m) => pdfString(m[1]));
    const dests = [];
    const unread = [];
    const titles = [];
    for (const body of objects.values()) {
        if (/\/Subtype\s*\/Link\b/.test(body)) {
            const dest = /\/Dest\s*\/([^\s/<>[\]()]+)/.exec(body);
            if (dest) dests.push(pdfName(dest[1]));
            else if (!/\/URI\s*[(<]/.test(body)) unread.push(body.slice(0, 200));
        }
        if (/\/Parent\s/.test(body) && /\/Dest\s*\[/.test(body)) {
            const title = new RegExp(String.raw`/Title\s*(${STRING})`).exec(body);
            if (title) titles.push(pdfString(title[1]));
        }
    }
    const catalog = /\/Dests\s+(\d+) 0 R/.exec(pdf);
    const named = new Set(
        [...(objects.get(catalog?.[1]) ?? '').matchAll(/\/([^\s/<>[\]()]+)\s*\[/g)].map((m) => pdfName(m[1])),
    );
    return { uris, dests, unread, named, titles };
}

/// Prints `opened` (print.html, loaded) to PDF, with its exercises'
/// solutions open and its captions above their listings, and returns what
/// is wrong with it, one problem a line.
export async function printBook(opened) {
    const { page } = opened;
    // The PDF, which the deploy publishes, holds the exercises' solutions.
    await openSolutions(page);
    const { moved: captions, stray } = await page.evaluate(captionsAbove);
    await page.addStyleTag({ content: PAPER });
    await page.emulateMedia({ media: 'print' });
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
    const questions = await page.$$eval('form.rehearsal-question', (forms) =>
        forms.map((form) => ({
            id: form.id,
            prompt: form.querySelector('.rehearsal-prompt').textContent,
            answer: [...form.querySelectorAll('.rehearsal-answer p')]
                .map((p) => p.textContent)
                .join(' '),
        })),
    );
    const headings = await page.$$eval('main :is(h1, h2, h3, h4, h5, h6)', (all) =>
        all.filter((h) => h.checkVisibility()).map((h) => h.textContent),
    );
    const links = await page.evaluate(printedLinks);
    const disclosures = await page.evaluate(emptyDisclosures);
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
    const started = process.hrtime.bigint();
    await page.pdf({
        path: PDF,
        format: 'A4',
        printBackground: true,
        outline: true,
        tagged: true,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const problems = firstOf(links.problems.map((p) => `print.html prints ${p}`));
    const closed = [...new Set(disclosures)];
    if (closed.length > 0) {
        problems.push(
            `print.html prints ${disclosures.length} closed disclosures with nothing under them: ` +
                closed.slice(0, 5).map((s) => `"${flat(s)}"`).join(', '),
        );
    }

    // The text page by page, read apart from each page's foot, which must
    // hold the page's number and nothing else (two pdftotext runs at once).
    const read = async (area) => {
        const { stdout } = await promisify(execFile)(PDFTOTEXT, ['-enc', 'UTF-8', ...area, PDF, '-'], {
            maxBuffer: 64 * 1024 * 1024,
        });
        return stdout.split('\f').slice(0, -1);
    };
    const [sheets, feet] = await Promise.all([
        read(['-x', '0', '-y', '0', '-W', String(PAGE.width), '-H', String(PAGE.foot)]),
        read(['-x', '0', '-y', String(PAGE.foot), '-W', String(PAGE.width), '-H', String(PAGE.height - PAGE.foot)]),
    ]);
    const unnumbered = feet.flatMap((foot, i) => (flat(foot) === String(i + 1) ? [] : [`${i + 1} ("${flat(foot)}")`]));
    if (feet.length !== sheets.length || unnumbered.length > 0) {
        problems.push(
            `${unnumbered.length} of ${sheets.length} pages do not have their number at their foot: ` +
                unnumbered.slice(0, 5).join(', '),
        );
    }
    const text = sheets.map(flat).join(' ');
    // The same squeezed, for passages that wrap, with where each page starts.
    const starts = [];
    let bare = '';
    for (const sheet of sheets) {
        starts.push(bare.length);
        bare += squeeze(sheet);
    }
    const pageAt = (at) => starts.findLastIndex((start) => start <= at) + 1;

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

    // Each question, then its answer, before the next question.
    if (questions.length === 0) problems.push('print.html has no rehearsal question');
    const unanswered = [];
    let cursor = 0;
    questions.forEach((question, k) => {
        const asked = bare.indexOf(squeeze(question.prompt), cursor);
        if (asked < 0) {
            unanswered.push(`no question ${question.id} ("${flat(question.prompt)}")`);
            return;
        }
        if (squeeze(question.answer) === '') {
            unanswered.push(`question ${question.id} has no answer to print`);
            return;
        }
        const answered = bare.indexOf(squeeze(question.answer), asked);
        const next = questions[k + 1]
            ? bare.indexOf(squeeze(questions[k + 1].prompt), asked + 1)
            : -1;
        if (answered < 0 || (next >= 0 && answered > next)) {
            unanswered.push(`question ${question.id} (page ${pageAt(asked)}) is not followed by its answer "${flat(question.answer)}"`);
            return;
        }
        cursor = answered;
    });
    problems.push(...firstOf(unanswered));

    // Each caption on the page of its code's first line, which follows it.
    if (captions.length === 0) problems.push('print.html has no listing caption');
    const apart = stray.map((caption) => `"${flat(caption)}" is not right after a code block`);
    cursor = 0;
    for (const { caption, first } of captions) {
        const at = bare.indexOf(squeeze(caption), cursor);
        if (at < 0) {
            apart.push(`no caption "${flat(caption)}"`);
            continue;
        }
        const line = bare.indexOf(squeeze(first), at + squeeze(caption).length);
        if (line < 0 || pageAt(line) !== pageAt(at)) {
            const there = line < 0 ? 'not after it' : `on page ${pageAt(line)}`;
            apart.push(`"${flat(caption)}" is on page ${pageAt(at)}, its code's first line "${flat(first)}" ${there}`);
        }
        cursor = at + 1;
    }
    problems.push(...firstOf(apart));

    // The PDF's own links and bookmarks.
    const pdf = readPdf(readFileSync(PDF).toString('latin1'));
    problems.push(...firstOf(pdf.uris
        .filter((uri) => /^(https?:\/\/(127\.0\.0\.1|localhost)\b|file:)/i.test(uri) || !links.sites.includes(uri))
        .map((uri) => `the PDF links to ${uri}, not to another site the page links to over https`)));
    for (const site of links.sites) {
        if (!pdf.uris.includes(site)) problems.push(`the PDF has no link to ${site}, which the page prints`);
    }
    problems.push(...firstOf(pdf.dests
        .filter((dest) => !pdf.named.has(dest))
        .map((dest) => `the PDF links to #${dest}, which it does not define`)));
    const used = new Set(pdf.dests);
    const lost = links.ids.filter((id) => !used.has(id));
    if (lost.length > 0) {
        problems.push(`the PDF has no link to ${lost.length} ids the page links to: ${lost.slice(0, 5).join(', ')}`);
    }
    problems.push(...firstOf(pdf.unread.map((body) => `a link of the PDF with neither /Dest nor /URI: ${body}`)));
    const titles = pdf.titles.map(flat).sort();
    const wantedTitles = headings.map(flat).sort();
    const missing = wantedTitles.filter((t) => !titles.includes(t));
    const extra = titles.filter((t) => !wantedTitles.includes(t));
    if (JSON.stringify(titles) !== JSON.stringify(wantedTitles)) {
        problems.push(
            `the PDF's ${titles.length} bookmarks are not the ${wantedTitles.length} headings' texts: ` +
                `bookmarks ${JSON.stringify(extra.slice(0, 5))} for headings ${JSON.stringify(missing.slice(0, 5))}`,
        );
    }

    const size = statSync(PDF).size;
    console.log(
        `wrote ${PDF}: ${(size / 1e6).toFixed(1)} MB, ${sheets.length} pages, ` +
            `printed in ${seconds.toFixed(1)} s; links to ${links.ids.length} ids and ` +
            `${links.sites.length} other sites; ${questions.length} questions, ` +
            `${captions.length} captions, ${pdf.titles.length} bookmarks`,
    );
    return problems;
}
