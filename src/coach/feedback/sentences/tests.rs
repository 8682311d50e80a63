//! The compiled model reads the same rows as the feature names say, and
//! gives the same probabilities bit for bit.
//!
//! Features are resolved to rows in several ways for speed (tables for
//! fixed names and classes, numbered pair words, rows remembered per word,
//! a bit set of rows); this checks each piece of every tuning and example
//! answer against the plain reading: each feature's name looked up among
//! the file's rows, their weights added in row order.

use std::collections::HashMap;
use std::path::Path;

use super::{features, segments, AnswerShape, SentenceModel};
use crate::coach::feedback::analyse::Scan;
use crate::coach::feedback::{AnswerContext, FrameworkRef, LibraryCues, RoleTerms};
use crate::guide::{GuideLibrary, SentenceModelFile};

/// Every answer text in the labelled folders the model may be tuned on,
/// with its framework id.
fn answers(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["tuning", "examples"] {
        let dir = root.join("tests/feedback_labelled").join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let file: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
            let list = file.get("answers").and_then(|a| a.as_array());
            for a in list.into_iter().flatten() {
                let field = |k: &str| a.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                out.push((field("text"), field("framework")));
            }
        }
    }
    out
}

/// The probabilities of a piece reading `rows` (sorted, each once),
/// computed the plain way: weights added in row order, then the softmax or
/// the sigmoid.
fn reference_probs(file: &SentenceModelFile, rows: &[u32]) -> Vec<f32> {
    let mut z = vec![0f32; file.functions.len()];
    for &r in rows {
        for (z, w) in z.iter_mut().zip(&file.weights[r as usize].1) {
            *z += w;
        }
    }
    if file.softmax {
        let top = z.iter().copied().fold(f32::MIN, f32::max);
        let mut sum = 0.0;
        for p in &mut z {
            *p = (*p - top).exp();
            sum += *p;
        }
        for p in &mut z {
            *p /= sum;
        }
    } else {
        for p in &mut z {
            *p = 1.0 / (1.0 + (-*p).exp());
        }
    }
    z
}

#[test]
fn pieces_read_the_rows_named_by_their_features() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = GuideLibrary::load(root.join("guides")).expect("shipped guides");
    let (Some(file), Some(cues)) = (lib.sentence_model(), lib.cues()) else {
        panic!("the shipped guides have a sentence model and a cue file");
    };
    let model = SentenceModel::compile(file);
    // A name listed twice keeps its last row.
    let by_name: HashMap<&str, u32> = file
        .weights
        .iter()
        .enumerate()
        .map(|(row, (name, _))| (name.as_str(), u32::try_from(row).unwrap_or(u32::MAX)))
        .collect();
    let answers = answers(root);
    assert!(answers.len() > 500, "{} answers", answers.len());
    let mut pieces = 0;
    for (text, fw) in &answers {
        let Some(framework) = lib.framework(fw) else {
            panic!("unknown framework {fw}");
        };
        let ctx = AnswerContext {
            framework: FrameworkRef::from_framework(framework),
            terms: RoleTerms::default(),
            target_words: (150, 300),
        };
        // As typed and in lower case: names and sentence starts differ.
        for text in [text.clone(), text.to_lowercase()] {
            let scan = Scan::new(&text, &ctx, cues);
            let words = model.word_rows(&scan.t);
            let segs = segments(&scan.t, scan.src());
            let read = model.pieces(&scan, fw);
            assert_eq!(read.len(), segs.len());
            let shape = AnswerShape::of(&scan);
            for (k, &seg) in segs.iter().enumerate() {
                let (mut fast, mut named) = (Vec::new(), Vec::new());
                features(&scan, fw, shape, seg, k, segs.len(), &mut |f| {
                    fast.extend(model.row(&f, &words));
                    named.extend(by_name.get(f.name(&scan.t).as_str()).copied());
                });
                for rows in [&mut fast, &mut named] {
                    rows.sort_unstable();
                    rows.dedup();
                }
                let piece = scan.t.orig_span(seg.start, seg.end);
                assert_eq!(fast, named, "{piece:?}");
                let expected: Vec<u32> = reference_probs(file, &named)
                    .iter()
                    .map(|p| p.to_bits())
                    .collect();
                let got: Vec<u32> = read[k].probs.iter().map(|p| p.to_bits()).collect();
                assert_eq!(got, expected, "{piece:?}");
                pieces += 1;
            }
        }
    }
    assert!(pieces > 5_000, "{pieces} pieces");
}
