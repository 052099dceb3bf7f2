//! The rendered book, slimmed before it is tested and published:
//! `ci/browser/slim.mjs` cuts FontAwesome's stylesheet to the icons the book
//! uses and minifies every script and stylesheet a page loads, points
//! print.html's links between chapters inside it
//! (`ci/browser/print-links.mjs`), and gives the search index each
//! section's text as its page shows it (`ci/browser/search-index.mjs`; see
//! the scripts for what and why). It
//! runs with the browser tests' pinned npm packages (esbuild), installed
//! first when they are missing.

use std::path::Path;
use std::process::Command;

pub fn book(root: &Path, html: &Path) -> Result<(), String> {
    let dir = root.join("ci/browser");
    crate::browser::ensure_node_modules(&dir)?;
    crate::run(
        Command::new("node")
            .arg(dir.join("slim.mjs"))
            .arg(html)
            .current_dir(&dir),
        "slimming the rendered book (node ci/browser/slim.mjs) failed; \
         Node.js 20 and npm are needed",
    )
}
