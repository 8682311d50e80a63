//! Finding the guide files under a directory and reading their text.

use std::path::{Path, PathBuf};

use crate::guide::read::{GuideError, SourceFile};

/// Every `*.toml` under `dir`, in name order, or the one problem that stops
/// the load (no such directory, nothing in it).
pub(super) fn guide_files(dir: &Path) -> Result<Vec<PathBuf>, GuideError> {
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
    let mut paths = Vec::new();
    if let Err(e) = collect_files(dir, &mut paths) {
        return fail(format!("cannot read guide directory: {e}"));
    }
    if paths.is_empty() {
        return fail("no guide files (*.toml) in this directory".into());
    }
    Ok(paths)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        // Editors and VCS keep hidden files and folders next to guides.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
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
