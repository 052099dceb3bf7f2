//! The chapters as the checks see them: their includes, fenced code blocks
//! and listing captions, each with its line number in the source Markdown.

use std::path::{Path, PathBuf};

use regex::Regex;

pub struct Book {
    pub pages: Vec<Page>,
}

pub struct Page {
    pub path: PathBuf,
    /// Whether `SUMMARY.md` links to the page.
    pub in_summary: bool,
    pub includes: Vec<Include>,
    pub blocks: Vec<Block>,
    /// `<span class="caption">Listing N-M: …</span>`: line, N, M.
    pub captions: Vec<(usize, u32, u32)>,
    /// Every "Listing N-M" the prose mentions: line, N, M.
    pub mentions: Vec<(usize, u32, u32)>,
    /// `{{#score path}}`: line, the recorded output it draws.
    pub scores: Vec<(usize, PathBuf)>,
    /// Every `at N ms` a line of prose quotes after words that name one
    /// run ("in this run", "the recorded run"): line, N in digits.
    pub run_times: Vec<(usize, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Directive {
    Include,
    RustdocInclude,
}

pub struct Include {
    pub line: usize,
    pub directive: Directive,
    /// The included file, resolved against the page's folder.
    pub file: PathBuf,
    /// The text after the file name, as written.
    pub selector: Selector,
    /// The index into `Page::blocks` of the block holding it, if any.
    pub block: Option<usize>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Selector {
    Whole,
    Anchor(String),
    Lines(String),
}

pub struct Block {
    /// Line of the opening fence.
    pub line: usize,
    pub info: String,
    /// The lines between the fences.
    pub body: Vec<String>,
    pub in_admonition: bool,
}

impl Block {
    pub fn tokens(&self) -> Vec<&str> {
        self.info
            .split(|c: char| !(c == '_' || c == '-' || c.is_alphanumeric()))
            .filter(|t| !t.is_empty())
            .collect()
    }

    pub fn language(&self) -> &str {
        self.tokens().first().copied().unwrap_or("")
    }

    pub fn has(&self, token: &str) -> bool {
        self.tokens().contains(&token)
    }
}

impl Book {
    pub fn load(root: &Path) -> Result<Self, String> {
        let src = root.join("src");
        let summary = std::fs::read_to_string(src.join("SUMMARY.md"))
            .map_err(|e| format!("src/SUMMARY.md: {e}"))?;
        let linked = Regex::new(r"\]\(([^)#]+\.md)").expect("valid regex");
        let in_summary: Vec<PathBuf> = linked
            .captures_iter(&summary)
            .map(|c| src.join(&c[1]))
            .collect();
        let mut pages = Vec::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&src)
            .map_err(|e| format!("src/: {e}"))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .filter(|p| !p.ends_with("SUMMARY.md"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let mut page = Page::parse(&path, &text);
            page.in_summary = in_summary.contains(&path);
            pages.push(page);
        }
        Ok(Book { pages })
    }
}

struct Fence {
    marker: char,
    length: usize,
}

fn fence(line: &str) -> Option<(Fence, &str)> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = trimmed.chars().take_while(|c| *c == marker).count();
    if length < 3 {
        return None;
    }
    Some((Fence { marker, length }, trimmed[length..].trim()))
}

fn closes(line: &str, open: &Fence) -> bool {
    matches!(fence(line), Some((f, info))
        if f.marker == open.marker && f.length >= open.length && info.is_empty())
}

impl Page {
    pub fn parse(path: &Path, text: &str) -> Page {
        let include =
            Regex::new(r"\{\{#(include|rustdoc_include)\s+([^}\s]+)\s*\}\}")
                .expect("valid regex");
        let caption =
            Regex::new(r#"<span class="caption">Listing (\d+)-(\d+):"#)
                .expect("valid regex");
        let mention = Regex::new(r"Listing (\d+)-(\d+)").expect("valid regex");
        let score =
            Regex::new(r"\{\{#score\s+([^}\s]+)\s*\}\}").expect("valid regex");
        let one_run = Regex::new(
            r"(?i)\b(?:this|that|one|the recorded|a recorded) (?:run|recording)\b|\bin the recording\b",
        )
        .expect("valid regex");
        let at_ms = Regex::new(r"\bat (\d+(?:,\d{3})*) ?(?:ms|milliseconds)\b")
            .expect("valid regex");
        let folder = path.parent().unwrap_or(Path::new("."));

        let mut page = Page {
            path: path.to_path_buf(),
            in_summary: false,
            includes: Vec::new(),
            blocks: Vec::new(),
            captions: Vec::new(),
            mentions: Vec::new(),
            scores: Vec::new(),
            run_times: Vec::new(),
        };
        let mut admonitions: Vec<Fence> = Vec::new();
        let mut code: Option<(Fence, Block)> = None;

        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            if let Some((open, mut block)) = code.take() {
                if closes(line, &open) {
                    page.blocks.push(block);
                } else {
                    block.body.push(line.to_string());
                    code = Some((open, block));
                }
            } else if admonitions.last().is_some_and(|a| closes(line, a)) {
                admonitions.pop();
            } else if let Some((open, info)) = fence(line) {
                if info.starts_with("admonish") {
                    admonitions.push(open);
                } else {
                    let block = Block {
                        line: number,
                        info: info.to_string(),
                        body: Vec::new(),
                        in_admonition: !admonitions.is_empty(),
                    };
                    code = Some((open, block));
                }
            }

            let block_index = code.as_ref().map(|_| page.blocks.len());
            for found in include.captures_iter(line) {
                let directive = match &found[1] {
                    "include" => Directive::Include,
                    _ => Directive::RustdocInclude,
                };
                let (file, selector) = split_selector(&found[2]);
                page.includes.push(Include {
                    line: number,
                    directive,
                    file: folder.join(file),
                    selector,
                    block: block_index,
                });
            }
            if code.is_none() {
                for found in caption.captures_iter(line) {
                    page.captions.push((
                        number,
                        found[1].parse().unwrap_or(0),
                        found[2].parse().unwrap_or(0),
                    ));
                }
                for found in score.captures_iter(line) {
                    page.scores.push((number, folder.join(&found[1])));
                }
                for found in mention.captures_iter(line) {
                    page.mentions.push((
                        number,
                        found[1].parse().unwrap_or(0),
                        found[2].parse().unwrap_or(0),
                    ));
                }
                if let Some(named) = one_run.find(line) {
                    for found in at_ms.captures_iter(&line[named.end()..]) {
                        page.run_times
                            .push((number, found[1].replace(',', "")));
                    }
                }
            }
        }
        if let Some((_, block)) = code {
            page.blocks.push(block);
        }
        page
    }
}

fn split_selector(target: &str) -> (&str, Selector) {
    let Some((file, rest)) = target.split_once(':') else {
        return (target, Selector::Whole);
    };
    if rest.chars().all(|c| c.is_ascii_digit() || c == ':') {
        (file, Selector::Lines(rest.to_string()))
    } else {
        (file, Selector::Anchor(rest.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_includes_and_captions() {
        let text = "\
# Title

```rust
{{#rustdoc_include ../listings/ch03-threads/listing-03-01/src/main.rs:all}}
```

<span class=\"caption\">Listing 3-1: Two sections</span>

````admonish note
As Listing 3-1 shows.
````

```text
{{#include ../listings/ch03-threads/listing-03-01/output.txt}}
```
";
        let page = Page::parse(Path::new("src/ch03-threads.md"), text);
        assert_eq!(page.blocks.len(), 2);
        assert_eq!(page.blocks[0].line, 3);
        assert_eq!(page.blocks[0].language(), "rust");
        assert_eq!(page.blocks[1].language(), "text");
        assert_eq!(page.includes.len(), 2);
        assert_eq!(page.includes[0].selector, Selector::Anchor("all".into()));
        assert_eq!(page.includes[0].block, Some(0));
        assert_eq!(page.includes[1].block, Some(1));
        assert_eq!(page.captions, vec![(7, 3, 1)]);
        assert_eq!(page.mentions, vec![(7, 3, 1), (10, 3, 1)]);
    }

    #[test]
    fn code_inside_an_admonition_is_marked() {
        let text = "````admonish warning\n```rust\nfn main() {}\n```\n````\n";
        let page = Page::parse(Path::new("src/x.md"), text);
        assert_eq!(page.blocks.len(), 1);
        assert!(page.blocks[0].in_admonition);
    }

    #[test]
    fn line_ranges_are_not_anchors() {
        assert_eq!(
            split_selector("a.rs:3:5"),
            ("a.rs", Selector::Lines("3:5".into()))
        );
        assert_eq!(split_selector("a.rs"), ("a.rs", Selector::Whole));
    }
}
