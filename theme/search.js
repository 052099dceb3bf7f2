// mdBook's search, loaded when a reader first asks for it. mdBook 0.4.52
// puts elasticlunr.min.js, mark.min.js and searcher.js (about 42 KB) on
// every page; ci/browser/slim.mjs takes those three tags out and lists
// their sources, in order, in the search button's data-scripts. This
// script loads them on the first request and then replays it, so the
// search opens as it would have (searcher.js focuses the search box and
// shows the results once its index, searchindex.js, is in).
//
// What searcher.js reacts to before any search, and so what loads it here:
// - a click on the search button (or Enter or Space on it);
// - the `s` and `/` keys, under the conditions of its globalKeyHandler;
// - a page opened with `?search=<word>` (it opens the search with the
//   results) or `?highlight=<words>` (it marks the words; the links of its
//   results carry this parameter).
// Its popstate handler acts on the URL the reader goes back to; before
// searcher.js is in, only a change of #fragment makes such a step, and
// a URL with either parameter has loaded it already. Its submit handler
// (Enter in the search box must not reload the page) is needed only once
// the form is shown, which it does itself.
(function () {
    'use strict';

    const button = document.getElementById('search-toggle');
    if (!button || !button.dataset.scripts) {
        return;
    }
    const sources = button.dataset.scripts.split(' ');
    let loading = false;

    function load(replay) {
        if (loading) return;
        loading = true;
        let left = sources.length;
        for (const source of sources) {
            const script = document.createElement('script');
            script.src = source;
            script.async = false; // run in order: searcher.js needs the other two
            script.onload = function () {
                left -= 1;
                if (left > 0) return;
                button.removeEventListener('click', onClick);
                document.removeEventListener('keydown', onKey, true);
                if (replay) button.click();
            };
            script.onerror = function () {
                console.error('Failed to load `' + source + '` for search');
            };
            document.body.append(script);
        }
    }

    // A click before searcher.js is in, which has no handler yet: once it
    // is in, the click is replayed to it.
    function onClick() {
        load(true);
    }

    // The keys searcher.js's globalKeyHandler opens the search with, and
    // the keys and targets it leaves alone.
    function onKey(event) {
        const target = event.target;
        if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey ||
            target.type === 'textarea' || target.type === 'text' ||
            /^(?:input|select|textarea)$/i.test(target.nodeName) ||
            (event.key !== 's' && event.key !== '/')) {
            return;
        }
        event.preventDefault();
        load(true);
    }

    // The query string as searcher.js's parseURL reads it.
    const params = {};
    for (const part of window.location.search.replace(/^\?/, '').split('&')) {
        if (!part) continue;
        const pair = part.split('=');
        params[pair[0]] = pair[1];
    }
    const has = (name) => Object.prototype.hasOwnProperty.call(params, name);
    if ((has('search') && params.search !== '') || has('highlight')) {
        load(false);
    } else {
        button.addEventListener('click', onClick);
        document.addEventListener('keydown', onKey, true);
    }
})();
