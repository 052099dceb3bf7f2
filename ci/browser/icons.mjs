// Which FontAwesome icons the built book uses: every `fa-NAME` in its HTML
// and JS that font-awesome.css maps to a glyph.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

export const SUBSET_FONT = 'theme/fonts/fontawesome-subset.woff2';
export const SUBSET_MANIFEST = 'theme/fonts/fontawesome-subset.txt';

/// `fa-NAME` → code point, from the book's copy of font-awesome.css.
export function glyphs(html) {
    const css = readFileSync(
        join(html, 'FontAwesome/css/font-awesome.css'),
        'utf8',
    );
    const map = new Map();
    const rule = /([^{}]+)\{\s*content:\s*"\\(f[0-9a-f]+)";?\s*\}/g;
    for (const [, selectors, code] of css.matchAll(rule)) {
        for (const name of selectors.matchAll(/\.(fa-[a-z0-9-]+):before/g)) {
            map.set(name[1], parseInt(code, 16));
        }
    }
    return map;
}

/// [{ code, names, files }], sorted by code point.
export function iconsUsed(html) {
    const map = glyphs(html);
    const used = new Map();
    const walk = (folder) => {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
            const path = join(folder, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== 'FontAwesome') walk(path);
            } else if (/\.(html|js)$/.test(entry.name)) {
                const text = readFileSync(path, 'utf8');
                for (const [name] of text.matchAll(/\bfa-[a-z0-9-]+/g)) {
                    const code = map.get(name);
                    if (code === undefined) continue;
                    const icon = used.get(code) ?? {
                        code,
                        names: new Set(),
                        files: new Set(),
                    };
                    icon.names.add(name);
                    icon.files.add(relative(html, path).split(sep).join('/'));
                    used.set(code, icon);
                }
            }
        }
    };
    walk(html);
    return [...used.values()]
        .sort((a, b) => a.code - b.code)
        .map((i) => ({
            code: i.code,
            names: [...i.names].sort(),
            files: [...i.files].sort(),
        }));
}

/// The code points the committed subset font maps to a glyph, read from
/// the font itself: its WOFF2 container (a table directory, then every
/// table in one Brotli stream) and its `cmap` table (format 12 or 4).
export function subsetCodes(repo) {
    return fontCodes(readFileSync(join(repo, SUBSET_FONT)));
}

/// The code points a WOFF2 font's `cmap` maps to a glyph other than 0.
export function fontCodes(woff2) {
    if (woff2.toString('latin1', 0, 4) !== 'wOF2') throw new Error('not a WOFF2 font');
    const tables = woff2.readUInt16BE(12);
    let at = 48;
    // UIntBase128: seven bits a byte, high bit set while more follow.
    const base128 = () => {
        let value = 0;
        for (;;) {
            const byte = woff2[at++];
            value = value * 128 + (byte & 0x7f);
            if (!(byte & 0x80)) return value;
        }
    };
    let offset = 0;
    let cmap = null;
    for (let i = 0; i < tables; i++) {
        const flags = woff2[at++];
        const known = flags & 0x3f;
        let tag = known;
        if (known === 63) {
            tag = woff2.toString('latin1', at, at + 4);
            at += 4;
        }
        const version = flags >> 6;
        const length = base128();
        // glyf (10) and loca (11) are transformed unless version 3; every
        // other table only when its version is not 0.
        const transformed = known === 10 || known === 11 ? version !== 3 : version !== 0;
        const stored = transformed ? base128() : length;
        if (tag === 0 || tag === 'cmap') cmap = { offset, length };
        offset += stored;
    }
    if (!cmap) throw new Error('the font has no cmap table');
    const data = brotliDecompressSync(woff2.subarray(at, at + woff2.readUInt32BE(20)));
    const table = data.subarray(cmap.offset, cmap.offset + cmap.length);
    const subtables = [];
    for (let i = 0; i < table.readUInt16BE(2); i++) {
        const start = table.readUInt32BE(4 + 8 * i + 4);
        subtables.push(table.subarray(start));
    }
    const codes = new Set();
    const twelve = subtables.find((t) => t.readUInt16BE(0) === 12);
    if (twelve) {
        for (let g = 0; g < twelve.readUInt32BE(12); g++) {
            const [first, last, glyph] = [0, 4, 8].map((o) => twelve.readUInt32BE(16 + 12 * g + o));
            for (let c = first; c <= last; c++) if (glyph + c - first !== 0) codes.add(c);
        }
        return codes;
    }
    const four = subtables.find((t) => t.readUInt16BE(0) === 4);
    if (!four) throw new Error('the font has no cmap subtable of format 12 or 4');
    const segments = four.readUInt16BE(6) / 2;
    const ends = 14;
    const starts = ends + 2 * segments + 2;
    const deltas = starts + 2 * segments;
    const ranges = deltas + 2 * segments;
    for (let s = 0; s < segments; s++) {
        const [last, first] = [four.readUInt16BE(ends + 2 * s), four.readUInt16BE(starts + 2 * s)];
        const delta = four.readInt16BE(deltas + 2 * s);
        const range = four.readUInt16BE(ranges + 2 * s);
        for (let c = first; c <= last && c !== 0xffff; c++) {
            let glyph = 0;
            if (range === 0) {
                glyph = (c + delta) & 0xffff;
            } else {
                const index = four.readUInt16BE(ranges + 2 * s + range + 2 * (c - first));
                glyph = index === 0 ? 0 : (index + delta) & 0xffff;
            }
            if (glyph !== 0) codes.add(c);
        }
    }
    return codes;
}
