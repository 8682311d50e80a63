//! The cue file as written: serde types over toml's spanned values, so every
//! check after parsing can point at the key or value it is about.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::guide::read::SourceFile;
use crate::guide::GuideError;

pub(crate) type List = Spanned<Vec<Spanned<String>>>;
pub(crate) type Map<V> = Spanned<BTreeMap<Spanned<String>, V>>;

/// Unknown keys are errors so a misspelt list name does not silently drop
/// its phrases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueToml {
    pub feedback: FeedbackTable,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeedbackTable {
    pub words_per_minute: Option<Spanned<u32>>,
    pub answer_words: Option<Spanned<[u32; 2]>>,
    pub follow_up_words: Option<Spanned<[u32; 2]>>,
    pub markers_needed: Option<Spanned<u32>>,
    pub fillers: List,
    pub hedges: List,
    pub not_fillers: Option<List>,
    /// Single words that negate their clause; any word ending in "n't" does too.
    pub negations: List,
    pub negation_exceptions: Option<List>,
    pub singular: List,
    pub plural: List,
    pub stop_words: List,
    pub numbers: NumbersTable,
    pub frameworks: Map<FrameworkTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NumbersTable {
    pub percent: List,
    pub multiplier: List,
    pub duration: List,
    /// Currency words after a number ("40 thousand dollars"). A currency sign
    /// before it ($ € £ ¥) makes it money too.
    pub money: List,
    pub scale: Map<f64>,
    pub number_words: Map<f64>,
    /// Capitalised month names around a number make it a date.
    pub months: List,
    /// Words before a 1900-2100 number that make it a year ("in 2019").
    pub year_before: List,
    /// Phrases right before a number that make it no result ("version 3").
    pub not_result_before: List,
    /// Phrases right after a number or its unit that make it no result ("3 a.m.", "5 years ago").
    pub not_result_after: List,
    /// Nouns that a count may not measure to be a result ("5 engineers").
    pub not_result_counts: List,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrameworkTable {
    pub numbers_step: Option<Spanned<String>>,
    pub ownership_step: Option<Spanned<String>>,
    /// `false`: answers have no result to measure.
    pub results: Option<bool>,
    pub steps: Map<StepTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepTable {
    pub cues: List,
    pub markers: Option<List>,
}

/// Reads the file's shape; serde stops at the first problem, which is
/// reported at its position (or for the whole file when it has none).
pub fn parse(file: &SourceFile) -> Result<CueToml, GuideError> {
    toml::from_str(&file.text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => file.error_at(span.start, message),
            None => GuideError::whole_file(&file.path, message),
        }
    })
}
