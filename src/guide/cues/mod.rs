//! The answer-feedback cue file (`guides/shared/feedback.toml`, top-level
//! `[feedback]` table): its format and its validation, producing [`CueFile`].
//!
//! Everything the feedback recognises — step cue phrases, tense markers,
//! fillers, hedges, negations, pronouns, stop words, units — lives in that
//! file so guide authors can extend it without touching Rust.
//!
//! The loader validates it here, every problem at its `path:line:column`, and
//! the [`GuideLibrary`](super::GuideLibrary) keeps the result. The coach
//! compiles that data into its matchers (`coach::feedback::LibraryCues`) and
//! stores them in an untyped slot of the library on first use, so they are
//! built once per load without this layer, which sits below the coach, naming it.

mod phrase;
mod shape;
mod validate;

use phrase::parse_phrase;
pub(super) use shape::parse;
pub(super) use validate::validate;

/// One element of a cue phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elem {
    /// A word, normalised as the tokenizer normalises answers.
    Lit(Box<str>),
    /// `<Name>`: a capitalised word that does not start its sentence.
    Name,
    /// `<number>`: a numeric token.
    Number,
    /// `...`: a few tokens within the sentence.
    Gap,
}

/// A cue phrase, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    /// As written, trimmed (how fillers and hedges are reported).
    pub text: String,
    pub elems: Vec<Elem>,
    /// Written with a leading `^`: matches only at the start of a sentence.
    pub anchored: bool,
}

/// The validated cue file. Lists keep the file's order; single-word lists
/// hold words normalised by the tokenizer.
#[derive(Debug, Clone, PartialEq)]
pub struct CueFile {
    /// Speaking rate used to turn words into seconds.
    pub words_per_minute: u32,
    /// Default target length band `(min, max)` in words.
    pub answer_words: (u32, u32),
    /// Default target length band of a follow-up's (or probe's) answer.
    pub follow_up_words: (u32, u32),
    /// How many tense-marker hits stand in for one cue phrase.
    pub markers_needed: u32,
    pub negations: Vec<String>,
    pub singular: Vec<String>,
    pub plural: Vec<String>,
    pub stop_words: Vec<String>,
    pub fillers: Vec<Phrase>,
    pub hedges: Vec<Phrase>,
    /// Phrases that contain a filler or hedge but are not one ("what kind of").
    pub not_fillers: Vec<Phrase>,
    /// Phrases that contain a negation word but do not negate ("with no downtime").
    pub negation_exceptions: Vec<Phrase>,
    pub numbers: NumberCues,
    /// In the order of their ids.
    pub frameworks: Vec<FrameworkCues>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NumberCues {
    pub percent: Vec<Phrase>,
    pub multiplier: Vec<Phrase>,
    pub duration: Vec<Phrase>,
    pub money: Vec<Phrase>,
    /// Scale words and suffixes with their factor ("k" = 1000), lowercase.
    pub scale: Vec<(Phrase, f64)>,
    /// Spelled-out numbers with their value ("three" = 3), lowercase.
    pub number_words: Vec<(String, f64)>,
    pub months: Vec<String>,
    pub year_before: Vec<String>,
    pub not_result_before: Vec<Phrase>,
    pub not_result_after: Vec<Phrase>,
    pub not_result_counts: Vec<Phrase>,
}

/// The cues of one framework the guides define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkCues {
    pub id: String,
    /// The framework's step keys, in its order.
    pub steps: Vec<String>,
    /// Cues by step, in the order of their keys.
    pub cues: Vec<StepCues>,
    /// The step (an index into `steps`) whose probe asks for numbers.
    pub numbers_step: Option<usize>,
    /// The step whose probe asks what "I" did.
    pub ownership_step: Option<usize>,
    /// Answers report a result that can be measured; `false` for questions
    /// whose answer is not a story (questions for the interviewer, a salary
    /// range), where the coach asks for no numbers.
    pub results: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCues {
    /// An index into the framework's `steps`.
    pub step: usize,
    /// Signal phrases: one match covers the step.
    pub cues: Vec<Phrase>,
    /// Weaker tense markers: `markers_needed` of them cover the step.
    pub markers: Vec<Phrase>,
}
