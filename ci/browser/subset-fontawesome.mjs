// Builds theme/fonts/fontawesome-subset.woff2: mdBook's FontAwesome 4.7 web
// font cut down to the icons the book uses (77 KB → a few KB on every page).
// theme/fonts/fonts.css declares it after mdBook's own @font-face, so the
// browser loads it instead of the full font.
//
//   cd ci/browser && npm ci && mdbook build && npm run subset-fontawesome
//
// The icons are every `fa-NAME` the built book's HTML and JS mention, so a
// new mdBook or a new icon in theme JS needs a rerun; icons.test.mjs fails,
// naming the icon, when one is missing.
import subsetFont from 'subset-font';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOK_HTML } from './book.mjs';
import { iconsUsed, SUBSET_MANIFEST, SUBSET_FONT } from './icons.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const icons = iconsUsed(BOOK_HTML);
const full = readFileSync(
    join(BOOK_HTML, 'FontAwesome/fonts/fontawesome-webfont.woff2'),
);
const text = icons.map((i) => String.fromCodePoint(i.code)).join('');
const subset = await subsetFont(full, text, { targetFormat: 'woff2' });
writeFileSync(here(`../../${SUBSET_FONT}`), subset);
writeFileSync(
    here(`../../${SUBSET_MANIFEST}`),
    '# The FontAwesome icons in fontawesome-subset.woff2, one a line:\n' +
        '# code point, then the names the book uses.\n' +
        '# Written by ci/browser/subset-fontawesome.mjs; do not edit.\n' +
        icons
            .map((i) => `${i.code.toString(16)} ${i.names.join(' ')}\n`)
            .join(''),
);
console.log(
    `wrote ${SUBSET_FONT}: ${icons.length} icons, ${subset.length} bytes`,
);
