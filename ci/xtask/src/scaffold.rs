//! `cargo xtask new-listing <chapter-dir> [--negative] [--no-listing NAME]`:
//! a new listing crate, already a workspace member (by its folder), with the
//! lines to paste into the chapter.

use std::path::Path;

use crate::listings::{read_dirs, workspace_root};

/// The message of the scaffold's test stub. The stub fails when run, and
/// the drift guard names it (file:line) until the test is written.
pub const UNWRITTEN_TEST: &str = "assert the claim the prose makes";

/// A new program: its test is a stub that fails until it is written.
fn program() -> String {
    format!(
        r#"// ANCHOR: all
fn main() {{
    println!("tune up");
}}
// ANCHOR_END: all

#[cfg(test)]
mod tests {{
    #[test]
    fn plays() {{
        todo!("{UNWRITTEN_TEST}");
    }}
}}
"#
    )
}

/// Shown whole, without anchors, so the line numbers in the recorded
/// error are the lines the reader sees.
const NEGATIVE: &str = r#"fn main() {
    let tempo: u32 = "fast";
}
"#;

/// Every program listing's run is compared with its `output.txt`.
fn recorded_output_test() -> String {
    format!(
        "//! The run the page shows is `output.txt`: this test reruns the \
         listing and\n//! compares by its `[package.metadata.book] output` \
         rule (`ci/recording`).\n{}\n",
        crate::outputs::RECORDED_OUTPUT_TEST
    )
}

pub fn new_listing(args: &[String]) -> Result<(), String> {
    let mut chapter = None;
    let mut negative = false;
    let mut unnumbered = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--negative" => negative = true,
            "--no-listing" => {
                unnumbered = Some(
                    args.next().ok_or("--no-listing needs a NAME")?.clone(),
                )
            }
            other if chapter.is_none() => chapter = Some(other.to_string()),
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let chapter =
        chapter.ok_or("name the chapter folder, e.g. ch03-threads")?;
    let nn = chapter
        .strip_prefix("ch")
        .and_then(|r| r.get(..2))
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
        .ok_or(format!(
            "`{chapter}` is not a chapter folder like ch03-threads"
        ))?;
    let root = workspace_root();
    let page = root.join("src").join(format!("{chapter}.md"));
    if !page.exists() {
        println!(
            "note: there is no chapter page src/{chapter}.md yet; create it \
             and link it from src/SUMMARY.md before the drift guard passes"
        );
    }
    let listings = root.join("listings");
    let chapter_dir = listings.join(&chapter);
    let name = match unnumbered {
        Some(what) => format!("no-listing-{nn}-{what}"),
        None => {
            // A chapter's numbers run on through its sub-chapters'
            // folders (ch03-threads, ch03-01-channels, …).
            let next = read_dirs(&listings)
                .iter()
                .filter(|d| {
                    d.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&format!("ch{nn}-")))
                })
                .flat_map(|d| read_dirs(d))
                .filter_map(|d| {
                    d.file_name()?
                        .to_str()?
                        .strip_prefix(&format!("listing-{nn}-"))?
                        .parse::<u32>()
                        .ok()
                })
                .max()
                .unwrap_or(0)
                + 1;
            format!("listing-{nn}-{next:02}")
        }
    };
    let dir = chapter_dir.join(&name);
    if dir.exists() {
        return Err(format!("{} exists already", dir.display()));
    }
    write(&dir.join("Cargo.toml"), &manifest(&name, negative))?;
    if negative {
        write(&dir.join("src/main.rs"), NEGATIVE)?;
    } else {
        write(&dir.join("src/main.rs"), &program())?;
        write(
            &dir.join("tests/recorded_output.rs"),
            &recorded_output_test(),
        )?;
    }
    // The new member goes into Cargo.lock now: `cargo xtask` runs with
    // `--locked`, so a stale lock file fails instead of changing quietly.
    crate::cargo(&root, &["update", "--workspace", "--quiet"])?;
    let relative = format!("../listings/{chapter}/{name}");
    println!("created {}", dir.display());
    println!("\npaste into src/{chapter}.md:\n");
    let flags = if negative { ",compile_fail,E0308" } else { "" };
    let anchor = if negative { "" } else { ":all" };
    println!("```rust{flags}\n{{{{#rustdoc_include {relative}/src/main.rs{anchor}}}}}\n```\n");
    if let Some(number) = name.strip_prefix("listing-") {
        let (n, m) = number.split_once('-').unwrap_or((nn, "01"));
        let (n, m) = (n.trim_start_matches('0'), m.trim_start_matches('0'));
        println!(
            "<span class=\"caption\">Listing {n}-{m}: what it shows</span>\n"
        );
    }
    if negative {
        println!("```text\n{{{{#include {relative}/src/main.stderr}}}}\n```\n");
        println!(
            "then write the program, and run `cargo xtask outputs {name}` \
             to record its real error."
        );
    } else {
        println!("```text\n{{{{#include {relative}/output.txt}}}}\n```\n");
        println!(
            "then write the program and its test (src/main.rs: the stub \
             `todo!` fails until it asserts the claim the prose makes), and \
             run `cargo xtask outputs {name}` to record its run."
        );
        println!(
            "last, run `cargo xtask mutants {name}` to prove its tests can \
             fail, and commit its entry in listings/mutants.toml."
        );
    }
    Ok(())
}

pub fn manifest(name: &str, negative: bool) -> String {
    let mut text = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n\
         edition.workspace = true\npublish.workspace = true\n"
    );
    if negative {
        text.push_str(&format!(
            "\n[package.metadata.book]\nkind = \"compile-fail\"\n\n\
             # The program must not compile. Cargo builds it only when \
             asked, to show\n# its error (`cargo build -p {name} --features \
             refused`);\n# `cargo xtask test` checks that rustc refuses it \
             with src/main.stderr.\n\
             [[bin]]\nname = \"{name}\"\npath = \"src/main.rs\"\n\
             required-features = [\"refused\"]\n\n\
             [features]\nrefused = []\n\n[dependencies]\n",
        ));
    } else {
        // tests/recorded_output.rs compares each run with output.txt.
        text.push_str(
            "\n[dependencies]\n\n[dev-dependencies]\n\
             recording.workspace = true\n",
        );
    }
    text.push_str("\n[lints]\nworkspace = true\n");
    text
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("{}: {e}", folder.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
