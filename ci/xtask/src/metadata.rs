//! The workspace's packages as `cargo metadata --no-deps` describes them,
//! read from its JSON: only what the xtask uses.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub struct Metadata {
    /// Every member of the workspace.
    pub packages: Vec<Package>,
    /// Where cargo puts what it builds (`target/`, or `CARGO_TARGET_DIR`).
    pub target_directory: PathBuf,
}

pub struct Package {
    pub name: String,
    pub manifest_path: PathBuf,
    /// Its `[package.metadata]` table (`Value::Null` without one).
    pub metadata: Value,
    /// The packages it depends on for every target, by name: no dev- or
    /// build-dependencies, no `[target.'cfg(…)'.dependencies]`.
    pub dependencies: Vec<String>,
}

/// Runs `cargo metadata` on the workspace at `root`.
pub fn workspace(root: &Path) -> Result<Metadata, String> {
    parse(&json(&root.join("Cargo.toml"), &["--no-deps"])?)
}

/// The JSON of `cargo metadata --format-version 1` for the manifest at
/// `manifest`, with `args` (such as `--no-deps`).
pub fn json(manifest: &Path, args: &[&str]) -> Result<Value, String> {
    let output = Command::new(crate::env_cargo())
        .args(["metadata", "--format-version", "1"])
        .args(args)
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata of {} failed: {}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata's JSON: {e}"))
}

fn parse(json: &Value) -> Result<Metadata, String> {
    let text = |value: &Value, what: &str| {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("cargo metadata gave no {what}"))
    };
    let packages = json["packages"]
        .as_array()
        .ok_or("cargo metadata gave no packages")?
        .iter()
        .map(|package| {
            let dependencies = package["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["kind"].is_null() && d["target"].is_null())
                .filter_map(|d| d["name"].as_str().map(str::to_string))
                .collect();
            Ok(Package {
                name: text(&package["name"], "package name")?,
                manifest_path: text(
                    &package["manifest_path"],
                    "manifest path",
                )?
                .into(),
                metadata: package["metadata"].clone(),
                dependencies,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Metadata {
        packages,
        target_directory: text(&json["target_directory"], "target directory")?
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_keeps_only_its_untargeted_normal_dependencies() {
        let json = serde_json::json!({
            "packages": [{
                "name": "listing-01-04",
                "manifest_path": "/book/listings/ch01/listing-01-04/Cargo.toml",
                "metadata": { "book": { "loom": true } },
                "dependencies": [
                    { "name": "tokio", "kind": null, "target": null },
                    { "name": "loom", "kind": null, "target": "cfg(loom)" },
                    { "name": "recording", "kind": "dev", "target": null },
                    { "name": "cc", "kind": "build", "target": null },
                ],
            }],
            "target_directory": "/book/target",
        });
        let metadata = parse(&json).unwrap();
        let package = &metadata.packages[0];
        assert_eq!(package.name, "listing-01-04");
        assert_eq!(package.dependencies, ["tokio"]);
        assert_eq!(package.metadata["book"]["loom"], true);
        assert_eq!(
            package.manifest_path,
            Path::new("/book/listings/ch01/listing-01-04/Cargo.toml")
        );
        assert_eq!(metadata.target_directory, Path::new("/book/target"));
    }

    #[test]
    fn missing_fields_are_named() {
        let json = serde_json::json!({ "packages": [{}] });
        assert_eq!(
            parse(&json).err().unwrap(),
            "cargo metadata gave no package name"
        );
    }
}
