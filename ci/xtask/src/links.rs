//! Every internal link and `#fragment` in the built HTML resolves.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::problem::Report;

pub fn check(root: &Path) -> Result<(), String> {
    let html = crate::pages::book_dir(root).join("html");
    let mut files = Vec::new();
    collect_html(&html, &mut files);
    let link = Regex::new(r#"(?:href|src)="([^"]*)""#).expect("valid regex");
    let id = Regex::new(r#"\bid="([^"]*)""#).expect("valid regex");
    let base = Regex::new(r#"<base href="([^"]*)""#).expect("valid regex");

    let mut ids: HashMap<PathBuf, Vec<String>> = HashMap::new();
    let mut texts = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        ids.insert(
            file.clone(),
            id.captures_iter(&text).map(|c| c[1].to_string()).collect(),
        );
        texts.push((file, text));
    }

    // The hosted book lives under site-url (book.toml); the 404 page's
    // `<base href>` and any absolute link start with it.
    let site = site_path(root);
    let in_book = |path: &str| -> String {
        path.strip_prefix(site.as_str())
            .unwrap_or(path)
            .trim_start_matches('/')
            .to_string()
    };
    let mut report = Report::default();
    let mut checked = 0;
    for (file, text) in &texts {
        let folder = match base.captures(text) {
            Some(b) => html.join(in_book(&b[1])),
            None => file.parent().expect("a folder").to_path_buf(),
        };
        for (number, line) in text.lines().enumerate() {
            for found in link.captures_iter(line) {
                let target = &found[1];
                if target.is_empty()
                    || target.contains("://")
                    || target.starts_with("mailto:")
                    || target.starts_with("javascript:")
                    || target.starts_with("data:")
                    || target.starts_with("{{")
                {
                    continue;
                }
                checked += 1;
                let (path, fragment) = match target.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (target, None),
                };
                let path = path.split('?').next().unwrap_or("");
                let resolved = if path.is_empty() {
                    (*file).clone()
                } else if path.starts_with('/') {
                    html.join(in_book(path))
                } else {
                    crate::checks::normalize(&folder.join(path))
                };
                let resolved = if resolved.is_dir() {
                    resolved.join("index.html")
                } else {
                    resolved
                };
                let source = source_of(&html, file);
                if !resolved.exists() {
                    report.add(
                        &source,
                        None,
                        format!(
                            "link to `{target}` (line {} of {}): no such file",
                            number + 1,
                            file.display()
                        ),
                        "fix the link in the chapter's Markdown",
                    );
                    continue;
                }
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let known = ids
                        .get(&resolved)
                        .is_some_and(|ids| ids.iter().any(|i| i == fragment));
                    if !known {
                        report.add(
                            &source,
                            None,
                            format!("link to `{target}`: the page has no id `{fragment}`"),
                            "link to a heading that exists (mdBook ids are the \
                             heading in lower case, spaces as dashes)",
                        );
                    }
                }
            }
        }
    }
    println!("checked {checked} links in {} HTML files", files.len());
    report.finish("link check")
}

/// `site-url` from book.toml (`/part-iii-time/`), or `/`.
fn site_path(root: &Path) -> String {
    let toml =
        std::fs::read_to_string(root.join("book.toml")).unwrap_or_default();
    let key =
        Regex::new(r#"(?m)^\s*site-url\s*=\s*"([^"]*)""#).expect("valid regex");
    let path = key
        .captures(&toml)
        .map_or("/".to_string(), |c| c[1].to_string());
    if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    }
}

fn collect_html(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_html(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
    out.sort();
}

/// `book/html/ch03-threads.html` → `src/ch03-threads.md`, where a link is
/// fixed; pages mdBook makes itself are named as they are.
fn source_of(html: &Path, file: &Path) -> PathBuf {
    let relative = file.strip_prefix(html).unwrap_or(file);
    let source = crate::listings::workspace_root()
        .join("src")
        .join(relative.with_extension("md"));
    if source.exists() {
        source
    } else {
        file.to_path_buf()
    }
}
