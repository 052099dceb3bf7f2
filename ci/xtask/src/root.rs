//! Where the checkout is, found at run time.
//!
//! The root is the nearest folder above the current one whose `Cargo.toml`
//! has a `[workspace]` table, as cargo itself finds it, or else the one
//! above the running binary (`target/debug/xtask`). It is never the folder
//! the xtask was compiled in (`env!("CARGO_MANIFEST_DIR")`): a checkout
//! copied or moved together with its `target/` would keep testing the old
//! folder.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn workspace_root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let here = std::env::current_dir().ok();
        let binary = crate::program().ok();
        [here, binary]
            .iter()
            .flatten()
            .find_map(|start| find_workspace(start))
            .unwrap_or_else(|| {
                eprintln!(
                    "cargo xtask: no Cargo.toml with a [workspace] table \
                     above the current folder: run it inside the book's \
                     checkout"
                );
                std::process::exit(1)
            })
    })
    .clone()
}

/// The nearest folder at or above `start` whose `Cargo.toml` declares a
/// `[workspace]`.
fn find_workspace(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        manifest
            .lines()
            .any(|line| line.trim_start().starts_with("[workspace]"))
            .then(|| dir.to_path_buf())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temporary one.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("xtask-root-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        dir
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("a folder"))
            .expect("temp dir is writable");
        std::fs::write(path, text).expect("temp dir is writable");
    }

    #[test]
    fn a_member_folder_finds_the_workspace_above_it() {
        let dir = scratch("member");
        let root = dir.join("book");
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"a/*\"]\n",
        );
        write(
            &root.join("a/b/Cargo.toml"),
            "[package]\nname = \"b\"\n\n[workspace.lints]\n",
        );
        assert_eq!(find_workspace(&root.join("a/b/src")), Some(root.clone()));
        assert_eq!(find_workspace(&root), Some(root));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn a_copy_finds_itself_not_the_original() {
        let dir = scratch("copy");
        for name in ["original", "copy"] {
            write(&dir.join(name).join("Cargo.toml"), "[workspace]\n");
        }
        let binary = dir.join("copy/target/debug/xtask");
        assert_eq!(find_workspace(&binary), Some(dir.join("copy")));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn no_workspace_is_none() {
        let dir = scratch("none");
        write(&dir.join("crate/Cargo.toml"), "[package]\nname = \"c\"\n");
        assert_eq!(find_workspace(&dir.join("crate")), None);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
