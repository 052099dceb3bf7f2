// Accessibility repairs to mdBook 0.4's own page template, which the book
// does not copy (checked by ci/browser with axe-core on every page and
// theme). Loaded through `additional-js` in book.toml.
(function () {
    'use strict';

    // The sidebar toggle is a <label> for a hidden checkbox, carrying
    // aria-label and aria-expanded, which a label may not have, and no
    // keyboard user can reach it. A real <button> takes its place and clicks
    // the label, so mdBook's own handlers still run; the aria-expanded that
    // mdBook keeps on the label is moved to the button.
    const label = document.getElementById('sidebar-toggle');
    if (label && label.tagName === 'LABEL') {
        const button = document.createElement('button');
        button.type = 'button';
        for (const name of ['class', 'title', 'aria-label', 'aria-controls']) {
            if (label.hasAttribute(name)) {
                button.setAttribute(name, label.getAttribute(name));
                if (name !== 'class') label.removeAttribute(name);
            }
        }
        button.append(...label.childNodes);
        label.hidden = true;
        label.before(button);
        button.addEventListener('click', function () {
            label.click();
        });
        const moveExpanded = function () {
            const expanded = label.getAttribute('aria-expanded');
            if (expanded !== null) {
                button.setAttribute('aria-expanded', expanded);
                label.removeAttribute('aria-expanded');
            }
        };
        moveExpanded();
        new MutationObserver(moveExpanded).observe(label, {
            attributes: true,
            attributeFilter: ['aria-expanded'],
        });
    }

    // A code block wider than the column scrolls sideways; a keyboard user
    // can scroll it only if it can take focus.
    function focusableWhenScrolling() {
        document.querySelectorAll('pre > code').forEach(function (code) {
            if (code.scrollWidth > code.clientWidth) {
                code.setAttribute('tabindex', '0');
            }
        });
    }
    focusableWhenScrolling();
    window.addEventListener('resize', focusableWhenScrolling);
})();
