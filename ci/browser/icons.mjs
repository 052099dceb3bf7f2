// Which FontAwesome icons the built book uses: every `fa-NAME` in its HTML
// and JS that font-awesome.css maps to a glyph.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

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

/// The code points the committed subset holds.
export function subsetCodes(repo) {
    return new Set(
        readFileSync(join(repo, SUBSET_MANIFEST), 'utf8')
            .split('\n')
            .filter((l) => l && !l.startsWith('#'))
            .map((l) => parseInt(l.split(' ')[0], 16)),
    );
}
