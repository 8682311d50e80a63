//! Finding the guide files under a directory and reading their text.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::guide::read::{GuideError, SourceFile};

/// Every `*.toml` under `dir` in name order, with the entries that could not
/// be followed (broken links, link loops); or the one problem that stops the
/// load (no such directory, nothing in it).
pub(super) fn guide_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<GuideError>), GuideError> {
    let fail = |msg: String| Err(GuideError::whole_file(dir, msg));
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return fail("is not a directory; pass the folder that holds the guide files".into())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return fail("guide directory not found".into())
        }
        Err(e) => return fail(format!("cannot open guide directory: {e}")),
    }
    let mut found = Found::default();
    if let Err(e) = found.collect(dir) {
        return fail(format!("cannot read guide directory: {e}"));
    }
    if found.paths.is_empty() && found.problems.is_empty() {
        return fail("no guide files (*.toml) in this directory".into());
    }
    Ok((found.paths, found.problems))
}

/// What a walk of the guide folder found.
#[derive(Default)]
struct Found {
    paths: Vec<PathBuf>,
    /// Folders entered, by their real path: a symlink back up the tree would
    /// otherwise be walked forever.
    visited: HashSet<PathBuf>,
    problems: Vec<GuideError>,
}

impl Found {
    fn collect(&mut self, dir: &Path) -> std::io::Result<()> {
        if !self.visited.insert(std::fs::canonicalize(dir)?) {
            self.problems.push(GuideError::whole_file(
                dir,
                "this folder is reached twice through symbolic links (a loop?); link each folder once"
                    .to_string(),
            ));
            return Ok(());
        }
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            // Editors and VCS keep hidden files and folders next to guides.
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            // Follows symbolic links: a linked folder of shared guides counts.
            let is_dir = match std::fs::metadata(&path) {
                Ok(meta) => meta.is_dir(),
                Err(e) => {
                    self.problems.push(GuideError::whole_file(
                        &path,
                        format!("cannot follow this entry (a broken symbolic link?): {e}"),
                    ));
                    continue;
                }
            };
            if is_dir {
                self.collect(&path)?;
            } else if path.extension().is_some_and(|e| e == "toml") {
                self.paths.push(path);
            }
        }
        Ok(())
    }
}

/// The text of each file; one that cannot be read, or is not UTF-8, is an error.
pub(super) fn read_sources(paths: Vec<PathBuf>, errors: &mut Vec<GuideError>) -> Vec<SourceFile> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push(SourceFile::new(path, text)),
                Err(e) => {
                    let file =
                        SourceFile::new(path, String::from_utf8_lossy(e.as_bytes()).into_owned());
                    errors.push(
                        file.error_at(e.utf8_error().valid_up_to(), "file is not valid UTF-8 text"),
                    );
                }
            },
            Err(e) => errors.push(GuideError::whole_file(
                &path,
                format!("cannot read file: {e}"),
            )),
        }
    }
    files
}
