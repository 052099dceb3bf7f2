// Builds theme/highlight.js: highlight.js 10.7.3 with only the languages the
// book's code blocks use, replacing mdBook's bundled build (138 KB, dozens of
// languages) on every page.
//
//   cd ci/browser && npm ci && npm run build-highlight
//
// Version 10 it must be: mdBook 0.4's book.js calls `hljs.highlightBlock`,
// and only version 10 keeps the `<span class="boring">` hidden lines inside a
// highlighted block (version 11 drops child elements). `highlightBlock` is
// this book's own (highlight-shown.mjs): it calls `highlightElement`, so
// 10.7's deprecation notice is not logged on every page, and leaves hidden
// lines plain until a reader shows them.
//
// A language a page uses but this build lacks is logged by highlight.js as a
// warning and shown unhighlighted; the browser test fails on it (see
// pages.test.mjs), naming the page: add the language here and rebuild.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// highlight.js module → the fence names it answers to (aliases included).
// Only what the pages use (each language costs bytes on every page); the
// browser test names a page that uses one missing here. For example
// `ini: ['ini', 'toml']`, `bash: ['bash', 'sh']`, `shell: ['console']`.
const LANGUAGES = {
    rust: ['rust', 'rs'],
    plaintext: ['plaintext', 'text', 'txt'],
};

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const entry = [
        "import hljs from 'highlight.js/lib/core';",
        ...Object.keys(LANGUAGES).map(
            (name) =>
                `import ${name} from 'highlight.js/lib/languages/${name}';\n` +
                `hljs.registerLanguage('${name}', ${name});`,
        ),
        "import { highlightShown } from './highlight-shown.mjs';",
        'hljs.highlightBlock = highlightShown(hljs);',
        'window.hljs = hljs;',
    ].join('\n');
    const result = await build({
        stdin: { contents: entry, resolveDir: here('.') },
        bundle: true,
        minify: true,
        format: 'iife',
        target: 'es2017',
        write: false,
        legalComments: 'none',
    });
    const version = JSON.parse(
        readFileSync(here('node_modules/highlight.js/package.json'), 'utf8'),
    ).version;
    const header =
        `/*! highlight.js ${version} (BSD-3-Clause, Ivan Sagalaev and ` +
        `contributors), languages: ${Object.keys(LANGUAGES).join(', ')}.\n` +
        '    Built by ci/browser/build-highlight.mjs; do not edit. */\n';
    const out = here('../../theme/highlight.js');
    writeFileSync(out, header + result.outputFiles[0].text);
    console.log(`wrote ${out}`);
}
