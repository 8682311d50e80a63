//! A guide file's text and the errors found in it: byte offsets become
//! `path:line:column` here, for the loader and the config file alike.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in a guide file, shown as `path:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideError {
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns a whole file or directory.
    pub line: usize,
    /// 1-based, counted in characters.
    pub column: usize,
    pub message: String,
}

impl GuideError {
    pub fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        GuideError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

impl fmt::Display for GuideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

/// The text of one guide file, with what is needed to turn byte offsets into
/// line and column numbers.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and character column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line + 1, column)
    }

    pub fn error_at(&self, offset: usize, message: impl Into<String>) -> GuideError {
        let (line, column) = self.position(offset);
        GuideError {
            path: self.path.clone(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Collects errors for one file.
pub struct Diagnostics<'f> {
    pub file: &'f SourceFile,
    pub errors: Vec<GuideError>,
}

impl<'f> Diagnostics<'f> {
    pub fn new(file: &'f SourceFile) -> Self {
        Diagnostics {
            file,
            errors: Vec::new(),
        }
    }

    pub fn at(&mut self, span: &Range<usize>, message: impl Into<String>) {
        self.errors.push(self.file.error_at(span.start, message));
    }
}

/// A string from a guide file and where its value starts, so that later checks
/// (placeholders, lengths) can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub span: Range<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let file = SourceFile::new("x.toml".into(), "ab\nçd = 1\n".into());
        assert_eq!(file.position(0), (1, 1));
        assert_eq!(file.position(3), (2, 1));
        // 'ç' is two bytes but one column.
        assert_eq!(file.position(5), (2, 2));
    }

    #[test]
    fn display_has_path_line_column() {
        let file = SourceFile::new("g/a.toml".into(), "x\ny".into());
        assert_eq!(file.error_at(2, "bad").to_string(), "g/a.toml:2:1: bad");
    }
}
