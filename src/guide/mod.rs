//! Guide files: their format, loading, validation and templates.
//!
//! - `source` — a file's text and its errors at `path:line:column`.
//! - `read` — a field-by-field reader over toml's spanned tree, so every
//!   problem in a file is reported at once with its position.
//! - `load` — finds the files, reads each on its own, then resolves what
//!   they refer to across files, producing a [`GuideLibrary`].
//! - [`lint`] — the strict check: follow-ups that only fit the example,
//!   stock openers, lists read aloud.
//! - `level` — the seniority levels questions are written for.
//! - `model` — the immutable library the rest of the program reads.
//! - [`cues`] — the answer-feedback cue file: its format and validation.
//! - [`sentences`] — the sentence model file: its format and validation.
//! - `words` — the tokenizer cue phrases and answers share.
//! - `template` — `{placeholder}` filling from a role's vocabulary.
//! - `suggest` — "did you mean …?" for roles, questions and keys.

pub mod cues;
mod level;
pub mod lint;
mod load;
mod model;
pub mod read;
pub mod sentences;
mod source;
pub mod suggest;
pub mod template;
pub(crate) mod words;

pub use cues::CueFile;
pub use level::Level;
pub use load::{limits, LoadErrors};
pub use model::{
    Category, Counts, Expect, FollowUp, Framework, FrameworkStep, GuideLibrary, Question, Role,
    Stage, Unknown, Vocabulary,
};
pub use read::GuideError;
pub use sentences::SentenceModelFile;
