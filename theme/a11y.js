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

    // A heading's own link, "#its-id", leads to the heading on this page,
    // unless a <base href> sends it elsewhere: the 404 page, served for any
    // missing path, sets its base to the book's root so its links work at
    // any depth, and its heading's link led to the Introduction. A link to
    // an error page's own heading serves no one, so such a link goes and
    // the heading keeps its text.
    const here = location.href.split('#')[0];
    document.querySelectorAll('a.header[href^="#"]').forEach(function (link) {
        if (link.href.split('#')[0] !== here) link.replaceWith(...link.childNodes);
    });

    // A code block or table wider than its column scrolls sideways. A
    // keyboard user can scroll it only if it can take focus, and a screen
    // reader says what took focus only if it has a name; so each is
    // focusable, as a named group, exactly while it scrolls (a group, not a
    // region, leaves the page's landmarks its own).
    function scrollerName(scroller) {
        if (scroller.classList.contains('table-wrapper')) {
            const heads = Array.from(scroller.querySelectorAll('thead th'), function (th) {
                return th.textContent.trim();
            });
            return heads.length > 0 ? 'Table: ' + heads.join(', ') : 'Table';
        }
        const pre = scroller.parentElement;
        const figure = pre.parentElement;
        if (figure.matches('figure.recorded-output')) {
            return figure.querySelector('figcaption').textContent;
        }
        if (scroller.classList.contains('result')) return 'Output of Run';
        if (scroller.classList.contains('language-rust')) {
            // mdBook puts a playground's <pre> in another; the caption,
            // "Listing 5-2: …", is the element after the outer one.
            const block = pre.parentElement.closest('pre') || pre;
            const next = block.nextElementSibling;
            const caption = next && next.querySelector('.caption');
            return caption ? caption.textContent : 'Rust code';
        }
        return 'Code';
    }

    // mdBook's book.js takes the left and right arrows, from anywhere on
    // the page, to the previous and next chapter; on a scroller that has
    // focus they scroll it, as a reader pressing them there means.
    function keepArrows(event) {
        const arrow = event.key === 'ArrowLeft' || event.key === 'ArrowRight';
        const plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
        if (arrow && plain && event.target === event.currentTarget) event.stopPropagation();
    }

    function focusableWhileScrolling(scroller) {
        scroller.removeEventListener('keydown', keepArrows);
        if (scroller.scrollWidth > scroller.clientWidth) {
            scroller.addEventListener('keydown', keepArrows);
            scroller.setAttribute('tabindex', '0');
            scroller.setAttribute('role', 'group');
            scroller.setAttribute('aria-label', scrollerName(scroller));
        } else {
            scroller.removeAttribute('tabindex');
            scroller.removeAttribute('role');
            scroller.removeAttribute('aria-label');
        }
    }

    function lookAt(block) {
        if (block.matches('pre')) {
            block.querySelectorAll(':scope > code').forEach(focusableWhileScrolling);
        } else {
            focusableWhileScrolling(block);
        }
    }

    // Each block is looked at again whenever its size changes (a narrower
    // column, an exercise's solution opened, hidden lines shown) and, for
    // a block with Run, whenever its text does: the Playground's answer
    // replaces "Running..." and may leave the block's size as it was. The
    // watching starts once the page's scripts have all run (before
    // DOMContentLoaded, as this one does), so an output's label
    // (theme/output.js) is there to name it.
    document.addEventListener('DOMContentLoaded', function () {
        const resized = new ResizeObserver(function (entries) {
            entries.forEach(function (entry) {
                lookAt(entry.target);
            });
        });
        document.querySelectorAll('pre, .table-wrapper').forEach(function (block) {
            resized.observe(block);
        });
        document.querySelectorAll('pre.playground').forEach(function (pre) {
            new MutationObserver(function () {
                lookAt(pre);
            }).observe(pre, { childList: true, subtree: true, characterData: true });
        });
    });
})();
