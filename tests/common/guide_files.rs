//! Guide folders for tests that change them: a private copy of the shipped guides, and
//! a new role to reload into it.

#![allow(dead_code)] // Each test binary that includes this uses part of it.

use std::path::{Path, PathBuf};

/// The shipped guide folder.
pub fn shipped_guides() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guides")
}

/// Copies a folder and everything under it (a private copy of a guide folder, for tests
/// that change or break it).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Adds `platform.toml` to a copy of the shipped guides: the backend role under the id
/// `platform`, named "Platform Engineer", so a reload has a new role to show.
pub fn add_platform_role(dir: &Path) {
    let backend = std::fs::read_to_string(dir.join("backend.toml")).unwrap();
    let platform = backend
        .replace("id = \"backend\"", "id = \"platform\"")
        .replace(
            "name = \"Backend Engineer\"",
            "name = \"Platform Engineer\"",
        )
        .replace(
            "aliases = [\"back-end\", \"backend-engineer\", \"server-side\"]",
            "aliases = []",
        );
    std::fs::write(dir.join("platform.toml"), platform).unwrap();
}
