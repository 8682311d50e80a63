//! The training rows an answer's step labels give (see the parent module's
//! docs): what no piece of the answer does, and which step some piece does.

use super::{
    feature_names, scan_answer, CorpusAnswer, CorpusError, CorpusExpect, Example, FUNCTIONS,
};
use crate::coach::feedback::sentences::AnswerShape;
use crate::coach::feedback::{Cues, FrameworkRef};

/// The factor on the step-label rows of an answer whose steps are read off
/// its labelled pieces (the shipped examples, see [`step_examples`]). At
/// the full weight, the project's own voice pulled the model away from
/// other writers (cross-writer steps 94.9% to 94.3%); at a fifth of it the
/// examples still teach their genres (a weakness told as a problem, a habit
/// in the present tense as an approach) and every shipped example passes
/// the strict check.
const DERIVED_WEIGHT: f64 = 0.2;

pub(super) fn step_examples(
    a: &CorpusAnswer,
    frameworks: &[FrameworkRef],
    cues: &Cues,
    out: &mut Vec<Example>,
) -> Result<(), CorpusError> {
    let Some(fw) = frameworks.iter().find(|f| f.id == a.framework) else {
        return Err(CorpusError(format!(
            "{}: unknown framework `{}`",
            a.id, a.framework
        )));
    };
    // The steps a reader found: the labels, or, for an answer labelled
    // only piece by piece (the shipped examples), the steps its pieces do.
    let found: Vec<String> = match &a.expect {
        Some(expect) => expect.steps.clone(),
        None if !a.parts.is_empty() => fw
            .steps
            .iter()
            .filter(|s| {
                s.functions
                    .iter()
                    .any(|f| a.parts.iter().any(|p| p.does.contains(f)))
            })
            .map(|s| s.key.clone())
            .collect(),
        None => return Ok(()),
    };
    let weight = if a.expect.is_some() {
        1.0
    } else {
        DERIVED_WEIGHT
    };
    let expect = CorpusExpect { steps: found };
    let index = |name: &String| FUNCTIONS.iter().position(|f| f == name);
    let present: Vec<usize> = fw
        .steps
        .iter()
        .filter(|s| expect.steps.contains(&s.key))
        .flat_map(|s| s.functions.iter().filter_map(index))
        .collect();
    let mut absent: Vec<usize> = fw
        .steps
        .iter()
        .filter(|s| !expect.steps.contains(&s.key))
        .flat_map(|s| s.functions.iter().filter_map(index))
        .filter(|f| !present.contains(f))
        .collect();
    absent.sort_unstable();
    absent.dedup();
    let steps: Vec<Vec<usize>> = fw
        .steps
        .iter()
        .filter(|s| expect.steps.contains(&s.key))
        .map(|s| s.functions.iter().filter_map(index).collect::<Vec<_>>())
        .filter(|f| !f.is_empty())
        .collect();
    if absent.is_empty() && steps.is_empty() {
        return Ok(());
    }
    let answer = out.iter().map(|e| e.answer).max().unwrap_or(0) + 1;
    let (scan, segs) = scan_answer(&a.text, fw, cues);
    let shape = AnswerShape::of(&scan);
    for (k, &seg) in segs.iter().enumerate() {
        out.push(Example {
            features: feature_names(&scan, &fw.id, shape, seg, k, segs.len()),
            targets: Vec::new(),
            absent: absent.clone(),
            present: steps.clone(),
            answer,
            weight,
        });
    }
    Ok(())
}
