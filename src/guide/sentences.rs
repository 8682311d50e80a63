//! The sentence model file (`guides/shared/sentences.toml`, top-level
//! `[sentence_model]` table): its format and validation, producing
//! [`SentenceModelFile`].
//!
//! The file holds the weights of a small linear model that says what each
//! sentence of an answer does (sets the context, tells an action, states an
//! outcome …). `interview-coach train-sentences` writes it from the labelled
//! pieces in `tests/feedback_labelled/tuning/`; frameworks name the functions
//! each of their steps accepts (`functions = ["action"]`), and the loader
//! checks those names against the file.
//!
//! The weights only mean something for the feature extractor that produced
//! them, so the file records the [`FEATURE_SET`] it was trained for and a file
//! from another feature set is refused with the command that retrains it.

use std::collections::HashSet;

use serde::Deserialize;
use toml::Spanned;

use crate::guide::read::SourceFile;
use crate::guide::GuideError;

/// The version of the sentence feature extractor (`coach::feedback`'s
/// `sentences::features`). Bump it whenever a feature's meaning changes, and
/// retrain; a model trained for another set is refused on load.
pub const FEATURE_SET: u32 = 3;

/// The file format's own version.
pub const FORMAT: u32 = 1;

/// A validated sentence model.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceModelFile {
    /// Function names, in the order of each weight row.
    pub functions: Vec<String>,
    /// A sentence does a function when the model's probability for it is at
    /// least this, unless `thresholds` says otherwise for that function.
    pub threshold: f32,
    /// One threshold per function, in the order of `functions`: `threshold`,
    /// or the file's `[sentence_model.thresholds]` entry for it.
    pub thresholds: Vec<f32>,
    /// Probabilities come from one softmax over the functions (the last
    /// being `none`) rather than one logistic function each.
    pub softmax: bool,
    /// Feature name and one weight per function; `bias` is always there.
    pub weights: Vec<(String, Vec<f32>)>,
}

impl SentenceModelFile {
    pub fn function(&self, name: &str) -> Option<usize> {
        self.functions.iter().position(|f| f == name)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelToml {
    sentence_model: ModelTable,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelTable {
    format: Spanned<u32>,
    feature_set: Spanned<u32>,
    /// Free text: what it was trained on, for people reading the file.
    #[allow(dead_code)]
    trained_on: Option<String>,
    threshold: Spanned<f64>,
    /// `"sigmoid"` (the default) or `"softmax"`.
    output: Option<Spanned<String>>,
    functions: Spanned<Vec<Spanned<String>>>,
    /// Function → its own threshold, where it differs from `threshold`.
    thresholds: Option<std::collections::BTreeMap<Spanned<String>, Spanned<f64>>>,
    /// Each row a string of space-separated numbers: TOML float arrays of
    /// this size took ~35 ms to parse, a string per row a fraction of that.
    weights: Spanned<std::collections::BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// Every problem in the file, each at its position, or the model.
pub fn read(file: &SourceFile) -> Result<SentenceModelFile, Vec<GuideError>> {
    let parsed: ModelToml = toml::from_str(&file.text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        vec![match e.span() {
            Some(span) => file.error_at(span.start, message),
            None => GuideError::whole_file(&file.path, message),
        }]
    })?;
    let t = parsed.sentence_model;
    let mut errors = Vec::new();
    let mut err = |at: usize, m: String| errors.push(file.error_at(at, m));
    if *t.format.get_ref() != FORMAT {
        err(
            t.format.span().start,
            format!(
                "sentence model format {} is not one this build reads (format {FORMAT})",
                t.format.get_ref()
            ),
        );
    }
    if *t.feature_set.get_ref() != FEATURE_SET {
        err(
            t.feature_set.span().start,
            format!(
                "this model was trained for feature set {}, but this build extracts feature set \
                 {FEATURE_SET}; retrain it with `interview-coach train-sentences`",
                t.feature_set.get_ref()
            ),
        );
    }
    let threshold = *t.threshold.get_ref();
    if !(threshold > 0.0 && threshold < 1.0) {
        err(
            t.threshold.span().start,
            format!("threshold is {threshold}; it is a probability between 0 and 1, exclusive"),
        );
    }
    let softmax = match t
        .output
        .as_ref()
        .map(|o| (o.get_ref().as_str(), o.span().start))
    {
        None | Some(("sigmoid", _)) => false,
        Some(("softmax", _)) => true,
        Some((other, at)) => {
            err(
                at,
                format!("output `{other}` is not one of: sigmoid, softmax"),
            );
            false
        }
    };
    let mut functions = Vec::new();
    let mut seen = HashSet::new();
    for f in t.functions.get_ref() {
        let name = f.get_ref();
        let well_formed = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit());
        if !well_formed {
            err(
                f.span().start,
                format!("function name `{name}` must be lowercase letters, digits and dashes"),
            );
        } else if !seen.insert(name.clone()) {
            err(f.span().start, format!("function `{name}` is listed twice"));
        }
        functions.push(name.clone());
    }
    if functions.is_empty() {
        err(t.functions.span().start, "`functions` is empty".into());
    }
    #[allow(clippy::cast_possible_truncation)]
    let mut thresholds = vec![threshold as f32; functions.len()];
    for (name, value) in t.thresholds.iter().flatten() {
        let v = *value.get_ref();
        match functions.iter().position(|f| f == name.get_ref()) {
            None => err(
                name.span().start,
                format!(
                    "`{}` in `thresholds` is not one of the model's functions",
                    name.get_ref()
                ),
            ),
            Some(_) if !(v > 0.0 && v < 1.0) => err(
                value.span().start,
                format!("threshold is {v}; it is a probability between 0 and 1, exclusive"),
            ),
            #[allow(clippy::cast_possible_truncation)]
            Some(i) => thresholds[i] = v as f32,
        }
    }
    let mut weights = Vec::with_capacity(t.weights.get_ref().len());
    for (name, row) in t.weights.get_ref() {
        let parsed: Result<Vec<f32>, _> = row
            .get_ref()
            .split_whitespace()
            .map(str::parse::<f32>)
            .collect();
        let values = match parsed {
            Ok(v) => v,
            Err(e) => {
                err(
                    row.span().start,
                    format!(
                        "feature `{}`: a weight is not a number ({e})",
                        name.get_ref()
                    ),
                );
                continue;
            }
        };
        if values.len() != functions.len() {
            err(
                row.span().start,
                format!(
                    "feature `{}` has {} weights; there is one per function ({})",
                    name.get_ref(),
                    values.len(),
                    functions.len()
                ),
            );
            continue;
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite() || v.abs() > 1e4) {
            err(
                row.span().start,
                format!(
                    "feature `{}` has the weight {bad}; weights are finite and at most 10000 in size",
                    name.get_ref()
                ),
            );
            continue;
        }
        weights.push((name.get_ref().clone(), values));
    }
    if !t.weights.get_ref().keys().any(|k| k.get_ref() == "bias") {
        err(
            t.weights.span().start,
            "the weights have no `bias` row; retrain with `interview-coach train-sentences`".into(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(SentenceModelFile {
        functions,
        threshold: threshold as f32,
        thresholds,
        softmax,
        weights,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(thresholds: &str) -> String {
        format!(
            "[sentence_model]\nformat = {FORMAT}\nfeature_set = {FEATURE_SET}\nthreshold = 0.4\n\
             output = \"softmax\"\nfunctions = [\"context\", \"goal\", \"none\"]\n\n{thresholds}\n\
             [sentence_model.weights]\n\"bias\" = \"0.1 0.2 0.3\"\n"
        )
    }

    fn read_text(text: String) -> Result<SentenceModelFile, Vec<GuideError>> {
        read(&SourceFile::new("m.toml".into(), text))
    }

    #[test]
    fn a_function_may_have_its_own_threshold() {
        let m = read_text(model("[sentence_model.thresholds]\ngoal = 0.24\n")).unwrap();
        assert_eq!(m.thresholds, [0.4, 0.24, 0.4]);
        let plain = read_text(model("")).unwrap();
        assert_eq!(plain.thresholds, [0.4, 0.4, 0.4]);
    }

    #[test]
    fn thresholds_name_a_function_and_are_probabilities() {
        let errors = read_text(model(
            "[sentence_model.thresholds]\ngaol = 0.2\ncontext = 1.5\n",
        ))
        .unwrap_err();
        // The loader sorts every guide error by place; so does this test.
        let mut errors = errors;
        errors.sort_by_key(|e| (e.line, e.column));
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with(
                "m.toml:9:1: `gaol` in `thresholds` is not one of the model's functions"
            ),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("m.toml:10:11: threshold is 1.5"),
            "{lines:?}"
        );
    }
}
