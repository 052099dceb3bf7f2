// Bundled into theme/highlight.js by build-highlight.mjs.
//
// mdBook's book.js highlights every code block as a page loads
// (`hljs.highlightBlock`). Most of a listing's text is its hidden lines
// (mdBook's `<span class="boring">`: the imports and the tests a reader
// reveals with the eye button), and highlighted they were about 40% of a
// chapter's elements, one span a token: every later style and layout pass
// walked them while they were hidden. So a block's hidden lines stay plain
// text until a reader shows them; then the whole block is highlighted again
// from its original markup, as it was before this existed (a `?highlight=`
// search mark inside that block goes with the old markup).

/// `hljs.highlightBlock` for `hljs` (highlight.js 10): highlights `block`'s
/// shown lines now, and all of it once book.js shows its hidden lines
/// (it takes the class `hide-boring` away).
export function highlightShown(hljs) {
    return (block) => {
        const hidden = block.querySelectorAll('.boring');
        if (hidden.length === 0) {
            hljs.highlightElement(block);
            return;
        }
        const original = block.innerHTML;
        const lines = Array.from(hidden, (line) => line.textContent);
        for (const line of hidden) line.textContent = '';
        try {
            hljs.highlightElement(block);
        } catch (error) {
            // Never lose the hidden lines: Copy and Run send them.
            block.innerHTML = original;
            throw error;
        }
        // highlight.js 10 keeps the (now empty) hidden-line spans in place.
        block.querySelectorAll('.boring').forEach((line, i) => {
            line.textContent = lines[i];
        });
        // book.js adds `hide-boring` in the same script that called this,
        // before any observer runs; a reader's click takes it away.
        const shown = new MutationObserver(() => {
            if (block.classList.contains('hide-boring')) return;
            shown.disconnect();
            block.innerHTML = original;
            hljs.highlightElement(block);
        });
        shown.observe(block, { attributes: true, attributeFilter: ['class'] });
    };
}
