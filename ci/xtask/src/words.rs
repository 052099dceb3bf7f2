//! Words: spelling (typos, pinned, with the project's word list in
//! `_typos.toml`) and one Markdown style across `src/`.
//!
//! The style rules are the ones a reader or a diff notices: headings are
//! ATX (`## Title`), one `#` heading opens each page, with nothing before
//! it, and levels do not skip; lists, nested ones too, use `-`; fences use
//! backticks; no trailing spaces or tabs; no run of blank lines; a file
//! ends with one newline; no sentence is said twice in one paragraph (an
//! edit that pasted it again). Each problem is printed as `file:line: what
//! is wrong` with its fix.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::problem::Report;

/// PyPI package, the program's path in it, version. typos ships each
/// release on PyPI as a binary wheel of the same program as the crate
/// typos-cli, so a new machine installs it in seconds instead of building
/// it for about a minute.
const TYPOS: (&str, &str, &str) = ("typos", "bin/typos", "1.38.1");

pub fn check(root: &Path) -> Result<(), String> {
    let mut report = Report::default();
    for file in markdown_files(&root.join("src"))? {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        style(&file, &text, &mut report);
    }
    let style = report.finish("Markdown style");
    let spelling = spelling(root);
    match (style, spelling) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(a), Err(b)) => Err(format!("{a}\n{b}")),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    Ok(files)
}

fn spelling(root: &Path) -> Result<(), String> {
    let (package, binary, version) = TYPOS;
    let typos = crate::tools::pip_install(package, binary, version)?;
    let output = Command::new(typos)
        .args(["--format", "brief", "--config", "_typos.toml", "src"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run typos: {e}"))?;
    if output.status.success() {
        println!("spelling: no typos in src/");
        return Ok(());
    }
    let found = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    Err(format!(
        "{found}{errors}\nfix: correct the word, or if it is right (a name, \
         a term of the metaphor) add it to [default.extend-words] in \
         _typos.toml"
    ))
}

/// Records every style problem of one Markdown file.
fn style(file: &Path, text: &str, report: &mut Report) {
    let mut fence: Option<(char, usize)> = None;
    let mut blank_run = 0;
    let mut last_level = 0;
    let mut first_heading = true;
    let mut opened = false;
    // The sentences of the paragraph so far, as compared: lower case, one
    // space between words.
    let mut said: Vec<String> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let at = Some(index + 1);
        let mut add = |what: &str, fix: &str| report.add(file, at, what, fix);
        if line.ends_with(' ') || line.ends_with('\t') {
            add(
                "trailing whitespace",
                "delete it (for a line break, end a sentence: one per line)",
            );
        }
        if line.contains('\t') {
            add("a tab character", "indent with spaces");
        }
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next();
        let run = trimmed.chars().take_while(|c| Some(*c) == marker).count();
        if let Some((open, length)) = fence {
            if marker == Some(open)
                && run >= length
                && trimmed[run..].trim().is_empty()
            {
                fence = None;
            }
            continue;
        }
        // An ATX heading's level (`#hashtag` is none).
        let heading = (marker == Some('#')
            && line.starts_with('#')
            && run <= 6
            && line[run..].starts_with(' '))
        .then_some(run);
        // The first line with anything on it is the page's `# Title`.
        if !opened && !line.trim().is_empty() {
            opened = true;
            if heading.is_none() {
                add(
                    "text before the page's # title",
                    "open each page with its `# Title`",
                );
            }
        }
        if matches!(marker, Some('`' | '~')) && run >= 3 {
            if marker == Some('~') {
                add("a fence of tildes", "fence code with backticks (```)");
            }
            fence = marker.map(|m| (m, run));
            blank_run = 0;
            said.clear();
            continue;
        }
        if line.trim().is_empty() {
            said.clear();
            blank_run += 1;
            if blank_run == 2 {
                add("two blank lines in a row", "keep one");
            }
            continue;
        }
        blank_run = 0;
        // A sentence of 30 characters or more said twice in one paragraph,
        // at the line of the second (letter case and spacing aside).
        for sentence in line.split_inclusive(['.', '!', '?']) {
            let words: Vec<&str> = sentence.split_whitespace().collect();
            let sentence = words.join(" ").to_lowercase();
            if sentence.len() < 30 {
                continue;
            }
            if said.contains(&sentence) {
                add(
                    &format!(
                        "a sentence said twice in one paragraph: {sentence:?}"
                    ),
                    "delete the copy",
                );
            } else {
                said.push(sentence);
            }
        }
        if trimmed.starts_with("* ") || trimmed.starts_with("+ ") {
            add("a list item marked with * or +", "mark list items with -");
        }
        if let Some(level) = heading {
            if line[level..].trim_end().ends_with('#') {
                add("a closed heading (`## Title ##`)", "drop the closing #");
            }
            if first_heading && level != 1 {
                add(
                    "the page does not open with a # heading",
                    "start each page with one `# Title`",
                );
            } else if !first_heading && level == 1 {
                add("a second # heading", "use ## for sections");
            } else if level > last_level + 1 && !first_heading {
                add(
                    &format!("heading level {level} after level {last_level}"),
                    "do not skip heading levels",
                );
            }
            first_heading = false;
            last_level = level;
        } else if line.starts_with("===") || line.starts_with("---") {
            let previous = text.lines().nth(index.wrapping_sub(1));
            if previous.is_some_and(|p| !p.trim().is_empty()) {
                add("a Setext heading (underlined)", "write headings with #");
            }
        }
    }
    let lines = text.lines().count();
    if !text.is_empty() && !text.ends_with('\n') {
        report.add(file, Some(lines), "no newline at the end", "add one");
    } else if text.ends_with("\n\n") {
        report.add(
            file,
            Some(lines),
            "blank lines at the end",
            "end with one newline",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails(text: &str) -> bool {
        let mut report = Report::default();
        style(Path::new("x.md"), text, &mut report);
        report.finish("style").is_err()
    }

    #[test]
    fn a_tidy_page_passes() {
        let page = "# Title\n\nText.\n\n## Part\n\n- one\n- two\n\n\
                    ```rust\n#[derive(Debug)]\n* not a list\n\n\nx\n```\n\n\
                    ### Deeper\n\n\
                    The baton passes from hand to hand.\n\n\
                    The baton passes from hand to hand.\n\n\
                    ```text\nthe same line said twice, in a block\n\
                    the same line said twice, in a block\n```\n";
        assert!(!fails(page));
    }

    #[test]
    fn each_rule_is_caught() {
        for page in [
            "# T\n\ntrailing \n",
            "# T\n\nx\ty\n",
            "# T\n\n* star\n",
            "# T\n\n~~~rust\n~~~\n",
            "# T\n\n### skipped\n",
            "## no title\n",
            "# T\n\n# again\n",
            "# T\n\n## closed ##\n",
            "# T\n\n\nx\n",
            "# T\nx",
            "# T\n\n",
            "# T\n\nTitle\n-----\n",
            "# T\n\n- a\n  * nested, with a star\n",
            "Prose before the title.\n\n# T\n",
            "Only prose, and no title at all.\n",
            "```text\nx\n```\n\n# T\n",
            "# T\n\nThe baton passes from hand to hand. The baton passes from hand to hand.\n",
            "# T\n\nThe baton passes from hand to hand.\nthe  baton passes from hand to hand.\n",
        ] {
            assert!(fails(page), "{page:?} passed");
        }
    }
}
