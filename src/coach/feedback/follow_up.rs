//! Feedback on an answer to a follow-up or to a coach's probe.
//!
//! A follow-up asks for one thing ("What changed, in numbers?"), so its
//! answer is judged on what the follow-up expects ([`Expect`]) and on its
//! length against the follow-up's band (the cue file's `follow_up_words`
//! unless the follow-up sets its own) — never on the framework's other steps
//! or the main question's length band.
//!
//! The answer is analysed like any other ([`analyse`]), with the follow-up's
//! band; expectations the sentence model judges (a trade-off, the people, the
//! lesson) ride along as extra steps and are taken out again, so the stored
//! analysis keeps the question's framework steps only. [`judge`] and
//! [`follow_up_text`] are plain functions over an analysis.

use serde::{Deserialize, Serialize};

use super::{analyse, report, Analysis, AnswerContext, Cues, OwnershipVerdict, StepRef, TermKind};
use crate::guide::Expect;

/// Extra steps for the expectations the sentence model judges are keyed
/// `expects:<id>`, which no framework step key can be (keys have no `:`).
const EXTRA_STEP: &str = "expects:";

/// One expectation of a follow-up, and what the answer showed of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectFinding {
    pub expects: Expect,
    /// Whether the answer gives it; `None` when it cannot be judged (a step
    /// the question's framework does not have, or a trade-off, the people or
    /// the lesson without a sentence model in the guides).
    pub met: Option<bool>,
    /// What met it, as the candidate wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// The feedback on one follow-up answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpFeedback {
    /// The answer's analysis, against the question's framework and the
    /// follow-up's band (for the store, as every answer's is).
    pub analysis: Analysis,
    pub findings: Vec<ExpectFinding>,
    /// At most three observations.
    pub lines: Vec<String>,
    /// One line for `/history`.
    pub headline: String,
}

/// The sentence function that shows an expectation, for those the
/// sentence model judges (names in `guides/shared/sentences.toml`).
fn function_of(e: &Expect) -> Option<&'static str> {
    match e {
        Expect::Tradeoff => Some("tradeoff"),
        Expect::People => Some("involve"),
        Expect::Learning => Some("reflection"),
        _ => None,
    }
}

/// The question's context for a follow-up's answer: its band, and one extra
/// step per expectation the guides' sentence model can judge.
pub fn follow_up_context(
    ctx: &AnswerContext,
    expects: &[Expect],
    target_words: (u32, u32),
    cues: &Cues,
) -> AnswerContext {
    let mut ctx = AnswerContext {
        target_words,
        ..ctx.clone()
    };
    let model = cues.sentence_model();
    for e in expects {
        let Some(function) = function_of(e) else {
            continue;
        };
        if model.is_some_and(|m| m.function(function).is_some()) {
            ctx.framework.steps.push(StepRef {
                key: format!("{EXTRA_STEP}{}", e.id()),
                name: e.id(),
                guidance: None,
                probe: None,
                functions: vec![function.to_string()],
                first_person: false,
            });
        }
    }
    ctx
}

/// What the answer shows of each expectation, in the follow-up's order.
/// `a` is the analysis against [`follow_up_context`]'s context; without
/// its extra steps, a trade-off and the lesson cannot be judged, and the
/// people only by the role's stakeholder terms.
pub fn judge(a: &Analysis, expects: &[Expect]) -> Vec<ExpectFinding> {
    expects
        .iter()
        .map(|e| {
            let (met, evidence) = match e {
                Expect::Number => {
                    let first = a.quantified_results.first().map(|q| q.text.clone());
                    (Some(first.is_some()), first)
                }
                Expect::Ownership => {
                    let o = a.ownership;
                    let owned = o.singular > 0
                        && !matches!(
                            o.verdict,
                            OwnershipVerdict::OnlyWe | OwnershipVerdict::MostlyWe
                        );
                    (Some(owned), None)
                }
                Expect::Step(key) => match a.steps.iter().find(|s| s.key == *key) {
                    Some(s) => (
                        Some(s.covered),
                        s.evidence.as_ref().map(|e| e.phrase.clone()),
                    ),
                    None => (None, None),
                },
                Expect::Tradeoff | Expect::Learning | Expect::People => {
                    let key = format!("{EXTRA_STEP}{}", e.id());
                    let by_model = a.steps.iter().find(|s| s.key == key);
                    let stakeholder = a
                        .role_terms
                        .used
                        .iter()
                        .find(|t| t.kind == TermKind::Stakeholder && *e == Expect::People);
                    match (by_model, stakeholder) {
                        (Some(s), _) if s.covered => {
                            (Some(true), s.evidence.as_ref().map(|e| e.phrase.clone()))
                        }
                        (_, Some(t)) => (Some(true), Some(t.written.clone())),
                        (Some(_), None) => (Some(false), None),
                        (None, None) => (None, None),
                    }
                }
            };
            ExpectFinding {
                expects: e.clone(),
                met,
                evidence,
            }
        })
        .collect()
}

/// At most three observations on a follow-up answer, most useful first:
/// what it expected and the answer left out, then its length against the
/// follow-up band, then what it gave. Never the framework's other steps.
pub fn follow_up_text(a: &Analysis, findings: &[ExpectFinding]) -> Vec<String> {
    let mut out: Vec<String> = findings
        .iter()
        .filter(|f| f.met == Some(false))
        .map(|f| report::expectation_missing(&f.expects, a))
        .collect();
    out.extend(report::follow_up_length(a));
    let met: Vec<&ExpectFinding> = findings.iter().filter(|f| f.met == Some(true)).collect();
    if !met.is_empty() {
        out.push(report::expectations_met(&met, a));
    } else if out.is_empty() {
        out.push(report::follow_up_within(a));
    }
    out.truncate(report::MAX_OBSERVATIONS);
    out
}

/// Analyses an answer to a follow-up that expects `expects` and should be
/// `target_words` long, and says what the coach thinks of it. `ctx` is the
/// main question's context.
pub fn follow_up_feedback(
    answer: &str,
    ctx: &AnswerContext,
    expects: &[Expect],
    target_words: (u32, u32),
    cues: &Cues,
) -> FollowUpFeedback {
    let ctx = follow_up_context(ctx, expects, target_words, cues);
    let mut analysis = analyse(answer, &ctx, cues);
    let findings = judge(&analysis, expects);
    // The extra steps served the judging; the analysis the store keeps has
    // the question's framework steps, as every answer's does.
    analysis.steps.retain(|s| !s.key.starts_with(EXTRA_STEP));
    FollowUpFeedback {
        lines: follow_up_text(&analysis, &findings),
        headline: report::follow_up_headline(&analysis, &findings),
        analysis,
        findings,
    }
}

/// What a coach's probe for framework step `step_key` expects: that step,
/// and a number or "I" when the step is where the framework wants them
/// (STAR's "What changed, in numbers?" is the Result step's probe).
pub fn probe_expects(framework_id: &str, step_key: &str, cues: &Cues) -> Vec<Expect> {
    let mut out = vec![Expect::Step(step_key.to_string())];
    if let Some((_, fw)) = cues.framework(framework_id) {
        let at = fw.steps.iter().position(|s| s.key == step_key);
        if at.is_some() && fw.numbers_step == at {
            out.push(Expect::Number);
        }
        if at.is_some() && fw.ownership_step == at {
            out.push(Expect::Ownership);
        }
    }
    out
}
