//! `cargo xtask lighthouse`: Lighthouse's mobile audit of the heaviest
//! pages (`ci/browser/lighthouse.mjs`), for a quiet machine. Not a stage
//! of `test`: the simulated phone's scores fall when the machine is busy,
//! and the test run keeps both cores busy.
//!
//! Lighthouse is installed on first need into `target/lighthouse`, its
//! version pinned. Its dependency tree cannot be locked: a package under
//! it asks for two of its own dependencies at `latest`, and `npm ci` from
//! the lock file `npm install` had just written failed (the lock held
//! third-party-web 0.27.0, which another package needs, where `latest` was
//! 0.30.0).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cache::Cache;
use crate::tools::Tools;

/// The last Lighthouse that runs on Node.js 20 (13 needs 22.19).
const LIGHTHOUSE: &str = "12.8.2";

/// Renders the book if its sources changed, installs the pinned
/// Lighthouse on first need, and audits the pages.
pub fn run(root: &Path, cache: &Cache) -> Result<(), String> {
    let tools = Tools::ensure()?;
    println!(
        "render: {}",
        crate::pages::render_cached(&tools, root, cache)?
    );
    let browser = root.join("ci/browser");
    crate::browser::ensure_node_modules(&browser)?;
    let chromium = crate::browser::ensure_desktop_chromium()?;
    let target = crate::listings::Workspace::load(root)?.target_dir;
    let modules = install(&target.join("lighthouse"))?;
    crate::run(
        Command::new("node")
            .arg("lighthouse.mjs")
            .current_dir(&browser)
            .env("BOOK_HTML", crate::pages::book_dir(root).join("html"))
            .env("BOOK_CHROMIUM", chromium)
            .env("LIGHTHOUSE_MODULES", &modules),
        "a page scored under the budget (see above; run on a quiet \
         machine, since a busy one lowers the performance score)",
    )
}

/// `npm install lighthouse@LIGHTHOUSE` in `dir` unless it is there;
/// returns its `node_modules`.
fn install(dir: &Path) -> Result<PathBuf, String> {
    let modules = dir.join("node_modules");
    let manifest = modules.join("lighthouse/package.json");
    let installed = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|m| m["version"] == LIGHTHOUSE);
    if installed {
        return Ok(modules);
    }
    println!(
        "installing Lighthouse {LIGHTHOUSE} (pinned) into {}: npm install",
        dir.display()
    );
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    // A package.json of its own, so npm installs here and not into a
    // project above.
    std::fs::write(dir.join("package.json"), "{ \"private\": true }\n")
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    crate::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--save-exact"])
            .arg(format!("lighthouse@{LIGHTHOUSE}"))
            .current_dir(dir),
        "installing Lighthouse with npm failed (see above)",
    )?;
    Ok(modules)
}
