//! Loading a guide directory, in three steps:
//! - `discover` finds the `*.toml` files and reads their text;
//! - `file` parses each file on its own into raw data with positions (its
//!   kind, roles, frameworks, templates), with `fields` for the items in it;
//! - `resolve` joins the files: frameworks, templates and the cue file are
//!   looked up across them, and `assemble` builds each role's questions.
//!
//! Every problem a moderator can make is reported, each with its position.

mod assemble;
mod discover;
mod fields;
mod file;
mod resolve;
mod shown;

pub(crate) use fields::valid_id;

use std::fmt;
use std::path::Path;

use super::model::GuideLibrary;
use super::read::GuideError;

/// Limits that come from where the text ends up: ids travel inside Discord
/// button ids (100 characters in all), a question is an embed title (256), a
/// field value holds 1024, and an example answer is sent as its own message
/// or embed description (4000 leaves room for a heading).
pub mod limits {
    pub const ID_MAX: usize = 40;
    pub const ROLE_NAME_MAX: usize = 60;
    pub const QUESTION_TEXT_MAX: usize = 256;
    pub const FIELD_MAX: usize = 1024;
    pub const EXAMPLE_MAX: usize = 4000;
    pub const DEFAULT_ANSWER_WORDS: (u32, u32) = (150, 300);
    /// The most framework steps a peer interview's scorecard rates: one select menu per
    /// step and a submit row fill a Discord message's five rows.
    pub const PAIR_STEPS_MAX: usize = 4;
}

/// Every problem found while loading a guide directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<GuideError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

impl GuideLibrary {
    /// Reads every `*.toml` under `dir` (hidden files and folders aside) and
    /// returns the validated library, or every problem found.
    pub fn load(dir: impl AsRef<Path>) -> Result<GuideLibrary, LoadErrors> {
        Self::load_with(dir.as_ref(), true)
    }

    /// As [`GuideLibrary::load`], but with any `[sentence_model]` file left
    /// unread: what `train-sentences` needs, since the model it replaces may
    /// be one this build refuses.
    pub fn load_without_sentence_model(dir: impl AsRef<Path>) -> Result<GuideLibrary, LoadErrors> {
        Self::load_with(dir.as_ref(), false)
    }

    fn load_with(dir: &Path, sentence_model: bool) -> Result<GuideLibrary, LoadErrors> {
        let (paths, mut errors) = discover::guide_files(dir).map_err(|e| LoadErrors(vec![e]))?;
        let files = discover::read_sources(paths, &mut errors);
        let mut raw = file::read_files(&files, &mut errors);
        if !sentence_model {
            raw.sentence_models.clear();
            for f in &mut raw.frameworks {
                f.function_names.clear();
            }
        }
        let library = resolve::resolve(dir, &files, raw, &mut errors);
        errors.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        errors.dedup();
        if errors.is_empty() {
            Ok(library)
        } else {
            Err(LoadErrors(errors))
        }
    }
}
