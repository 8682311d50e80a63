//! Writing a fitted model: the versioned TOML file beside the guides
//! (`guides/shared/sentences.toml`), and the same model as the loader's type.

use std::fmt::Write as _;

use super::Fitted;
use crate::guide::sentences::{FEATURE_SET, FORMAT};

fn toml_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The model file's text.
pub fn render(fitted: &Fitted, trained_on: &str) -> String {
    let mut out = String::new();
    out.push_str(
        "# Sentence model for the answer feedback: what each sentence of an answer does.\n\
         # Written by `interview-coach train-sentences`; do not edit by hand, retrain.\n\
         # Each weight row holds one weight per function, in the order of `functions`,\n\
         # space-separated.\n\n",
    );
    out.push_str("[sentence_model]\n");
    let _ = writeln!(out, "format = {FORMAT}");
    let _ = writeln!(out, "feature_set = {FEATURE_SET}");
    let _ = writeln!(
        out,
        "trained_on = {}",
        toml_key(&format!("{trained_on} ({} pieces)", fitted.pieces))
    );
    let _ = writeln!(out, "threshold = {:?}", fitted.threshold);
    if fitted.softmax {
        out.push_str("output = \"softmax\"\n");
    }
    let fns: Vec<String> = fitted
        .functions
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect();
    let _ = writeln!(out, "functions = [{}]\n", fns.join(", "));
    if !fitted.function_thresholds.is_empty() {
        out.push_str("[sentence_model.thresholds]\n");
        for (f, factor) in fitted.function_thresholds {
            let _ = writeln!(out, "{f} = {:?}", round3(fitted.threshold * factor));
        }
        out.push('\n');
    }
    out.push_str("[sentence_model.weights]\n");
    for (name, row) in &fitted.weights {
        let vals: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        let _ = writeln!(out, "{} = \"{}\"", toml_key(name), vals.join(" "));
    }
    out
}

/// A threshold as written in the file: three decimals, so 0.4 × 1.5 is 0.6.
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The fitted model as the loader would read it from the rendered file.
pub fn to_file(fitted: &Fitted) -> crate::guide::SentenceModelFile {
    #[allow(clippy::cast_possible_truncation)]
    let thresholds = fitted
        .functions
        .iter()
        .map(|f| {
            let factor = fitted
                .function_thresholds
                .iter()
                .find(|(name, _)| name == f)
                .map_or(1.0, |(_, x)| *x);
            round3(fitted.threshold * factor) as f32
        })
        .collect();
    #[allow(clippy::cast_possible_truncation)]
    crate::guide::SentenceModelFile {
        functions: fitted.functions.clone(),
        softmax: fitted.softmax,
        threshold: fitted.threshold as f32,
        thresholds,
        weights: fitted
            .weights
            .iter()
            .map(|(n, row)| (n.clone(), row.iter().map(|&v| v as f32).collect()))
            .collect(),
    }
}
