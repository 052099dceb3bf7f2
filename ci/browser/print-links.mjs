// Links between chapters on print.html, made links inside it. mdBook 0.4.52
// puts every chapter's content on print.html one after another, each after
// a page break, and leaves its links as the chapter page has them
// (`ch13-01-atomics.html#happens-before`): from print.html, and in the PDF
// Chromium prints from it, such a link leaves the document for the chapter
// page (in the PDF, an address on the machine that printed it). mdBook
// also renames a heading's id there when an earlier chapter has the same
// one (`rehearsal` becomes `rehearsal-1`), so the fragment alone is not
// enough. linkChapters maps each chapter page's ids, in order, onto those
// of its part of print.html, after proving that the two lists are the same
// elements (the same length, and each print id the page's id or the page's
// id with mdBook's `-N`), and points each link at the element it meant; a
// link to a chapter without a fragment goes to the chapter's first
// heading. slim.mjs runs it on the rendered book.

/// What mdBook 0.4.52 puts between two chapters on print.html.
export const CHAPTER_BREAK = '<div style="break-before: page; page-break-before: always;"></div>';

/// Each element with an id in `html`, in order: its tag and its id.
export function idsOf(html) {
    return [...html.matchAll(/<([a-zA-Z][\w-]*)(?:\s[^>]*?)?\sid="([^"]*)"/g)].map(
        ([, tag, id]) => ({ tag: tag.toLowerCase(), id }),
    );
}

/// The content of a page's <main>, where mdBook puts the chapter.
export function mainOf(html, name) {
    const start = html.indexOf('<main>');
    const end = html.lastIndexOf('</main>');
    if (start < 0 || end < start) throw new Error(`${name}: no <main> … </main>`);
    return { start: start + '<main>'.length, end };
}

/// The chapters' pages in the order of the book, from mdBook's sidebar for
/// readers without JavaScript (toc.html): the order of print.html.
export function chapterOrder(toc) {
    return [...toc.matchAll(/<a href="([^"#]+\.html)"/g)].map((m) => m[1]);
}

/// `print` (print.html's HTML) with every link to a chapter page, and
/// every link within a chapter to one of its own ids, pointing at the
/// element it meant on print.html. `chapters` lists the chapter pages in
/// the book's order, `{ name, html }`; `aliases` maps another page name to
/// one of them (mdBook's index.html is a copy of the first chapter).
/// Throws, saying why, when print.html does not hold the chapters as
/// mdBook 0.4.52 lays them out, or when a link points at a page that is no
/// chapter or at an id the chapter does not have. Returns the page and
/// how many links it changed.
export function linkChapters(print, chapters, aliases = {}) {
    const { start, end } = mainOf(print, 'print.html');
    const parts = print.slice(start, end).split(CHAPTER_BREAK);
    if (parts.length !== chapters.length) {
        throw new Error(
            `print.html holds ${parts.length} chapters between page breaks, ` +
                `the book has ${chapters.length} (${chapters.map((c) => c.name).join(', ')})`,
        );
    }
    // For each chapter, its page's ids and print.html's, proved to be the
    // same elements.
    const tables = new Map();
    chapters.forEach(({ name, html }, i) => {
        const main = mainOf(html, name);
        const own = idsOf(html.slice(main.start, main.end));
        const printed = idsOf(parts[i]);
        if (own.length !== printed.length) {
            throw new Error(
                `print.html's chapter ${i + 1} has ${printed.length} ids, ` +
                    `${name} has ${own.length}: it is not that page's content`,
            );
        }
        const map = new Map();
        own.forEach((element, k) => {
            const there = printed[k];
            const renamed = there.id.startsWith(`${element.id}-`) &&
                /^\d+$/.test(there.id.slice(element.id.length + 1));
            if (there.tag !== element.tag || (there.id !== element.id && !renamed)) {
                throw new Error(
                    `${name}'s id ${k + 1}, <${element.tag} id="${element.id}">, ` +
                        `is <${there.tag} id="${there.id}"> on print.html, ` +
                        `neither the same id nor mdBook's renaming of it`,
                );
            }
            if (!map.has(element.id)) map.set(element.id, there.id);
        });
        const first = printed.find((e) => /^h[1-6]$/.test(e.tag));
        if (!first) throw new Error(`${name} has no heading with an id`);
        tables.set(name, { map, first: first.id });
    });
    for (const [alias, name] of Object.entries(aliases)) {
        if (tables.has(name)) tables.set(alias, tables.get(name));
    }
    // How often each id is on print.html: mdBook renames only the ids it
    // makes for headings, so a link must not lead to one that is twice.
    const times = new Map();
    for (const part of parts) {
        for (const { id } of idsOf(part)) times.set(id, (times.get(id) ?? 0) + 1);
    }
    let changed = 0;
    const linked = parts.map((part, i) => {
        const here = chapters[i].name;
        return part.replace(/<a\s[^>]*>/g, (tag) => {
            const found = /\shref="([^"]*)"/.exec(tag);
            if (!found) return tag;
            const href = found[1];
            // An absolute address (https:, mailto:) leaves the book on
            // purpose; mdBook's own link of a heading to itself already
            // has print.html's id.
            if (/^[a-z][a-z0-9+.-]*:/i.test(href) || /\sclass="header"/.test(tag)) return tag;
            const hash = href.indexOf('#');
            const page = hash < 0 ? href : href.slice(0, hash);
            const fragment = hash < 0 ? null : decodeURIComponent(href.slice(hash + 1));
            const table = tables.get(page === '' ? here : page);
            if (!table) {
                throw new Error(
                    `print.html: ${here} links to ${href}, which is no chapter ` +
                        'of print.html: link to a chapter, or with an https: address',
                );
            }
            const id = fragment === null ? table.first : table.map.get(fragment);
            if (id === undefined) {
                throw new Error(`print.html: ${here} links to ${href}, an id ${page || here} does not have`);
            }
            if (times.get(id) > 1) {
                throw new Error(`print.html: ${here} links to ${href}, whose id there, ${id}, is on print.html ${times.get(id)} times`);
            }
            changed++;
            return tag.replace(found[0], ` href="#${id}"`);
        });
    });
    return {
        page: print.slice(0, start) + linked.join(CHAPTER_BREAK) + print.slice(end),
        changed,
    };
}
