//! The end of an interview and the guides' own examples: what a whole
//! interview showed ([`summarise`]) and whether an example answer has what
//! its question asks for ([`check_example`]).

use serde::{Deserialize, Serialize};

use super::report::{
    fillers_heard, has_numbers, numbers, ownership_gap, CONSISTENT, PRAISE_MIN_SECONDS,
};
use super::{analyse, Analysis, AnswerContext, Cues, LengthBand, QuantityKind, TermKind};

/// What a whole interview showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewSummary {
    /// The answers it is drawn from: in an interview, the answers to main
    /// questions (an answer to a follow-up or a probe is not a whole answer).
    pub answers: u32,
    /// Present in at least three quarters of the answers.
    pub strengths: Vec<String>,
    /// Missing in at least three quarters of the answers.
    pub gaps: Vec<String>,
    /// The guide's "what this checks" notes for the follow-ups asked, in order
    /// and without repeats.
    pub checks: Vec<String>,
}

/// What [`summarise`] needs from one answer's [`Analysis`]: a few hundred bytes where the
/// analysis, with its evidence, is a few kilobytes. An interview in progress keeps these
/// (its state is decoded, re-encoded and written for every answer); the full analysis is
/// stored with the answer itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerDigest {
    /// The framework's steps in order, with whether the answer covered each.
    pub steps: Vec<StepMark>,
    /// The answer quantified a result.
    pub numbers: bool,
    /// The answer said what "I" did.
    pub owned: bool,
    /// The answer kept to its target length.
    pub within_length: bool,
    /// Fewer fillers and hedges than feedback would remark on.
    pub few_fillers: bool,
    /// The answer named one of the role's metrics.
    pub named_metric: bool,
    /// The answer's estimated speaking time in seconds; `None` in digests
    /// stored before it was kept. Nothing is praised in a short answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
}

impl AnswerDigest {
    /// Long enough for what it kept to be praised: half a minute spoken, or,
    /// in a digest stored without its length, an answer within its band.
    fn praisable(&self) -> bool {
        self.seconds
            .map_or(self.within_length, |s| s >= PRAISE_MIN_SECONDS)
    }
}

/// One framework step of an [`AnswerDigest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepMark {
    pub key: String,
    pub name: String,
    pub covered: bool,
}

impl AnswerDigest {
    pub fn of(a: &Analysis) -> AnswerDigest {
        AnswerDigest {
            steps: a
                .steps
                .iter()
                .map(|s| StepMark {
                    key: s.key.clone(),
                    name: s.name.clone(),
                    covered: s.covered,
                })
                .collect(),
            numbers: has_numbers(a),
            owned: !ownership_gap(a) && a.ownership.singular > 0,
            within_length: a.length.band == LengthBand::Within,
            few_fillers: !fillers_heard(a),
            named_metric: a.role_terms.used.iter().any(|t| t.kind == TermKind::Metric),
            seconds: Some(a.length.seconds),
        }
    }
}

/// Summarise several answers. `follow_up_checks` are the `checks` texts of the
/// follow-ups that were asked.
pub fn summarise(analyses: &[Analysis], follow_up_checks: &[String]) -> InterviewSummary {
    let digests: Vec<AnswerDigest> = analyses.iter().map(AnswerDigest::of).collect();
    summarise_digests(&digests, follow_up_checks)
}

/// [`summarise`], from the answers' digests.
pub fn summarise_digests(
    digests: &[AnswerDigest],
    follow_up_checks: &[String],
) -> InterviewSummary {
    let n = digests.len();
    let mut strengths = Vec::new();
    let mut gaps = Vec::new();
    let share = |f: &dyn Fn(&AnswerDigest) -> bool| {
        if n == 0 {
            0.0
        } else {
            digests.iter().filter(|a| f(a)).count() as f64 / n as f64
        }
    };
    // A habit is praised when the answers long enough to show it kept it;
    // it is a gap when most answers, short or long, missed it.
    let mut judge = |praised: f64, present: f64, strong: &str, gap: &str| {
        if n == 0 {
            return;
        }
        if praised >= CONSISTENT {
            strengths.push(strong.to_string());
        } else if 1.0 - present >= CONSISTENT {
            gaps.push(gap.to_string());
        }
    };
    // What each habit looks like when kept, and when it is the gap.
    type Habit = (fn(&AnswerDigest) -> bool, &'static str, &'static str);
    let habits: [Habit; 6] = [
        (
            |a| a.steps.iter().all(|s| s.covered),
            "Answers followed their framework, every step present.",
            "Answers skipped framework steps; check the step names in each answer's feedback.",
        ),
        (
            |a| a.numbers,
            "Results came with numbers.",
            "Results rarely came with numbers; close each story with what changed and by how much.",
        ),
        (
            |a| a.owned,
            "Answers said what \"I\" did, not only the team.",
            "Answers spoke as \"we\"; say which decisions were yours.",
        ),
        (
            |a| a.within_length,
            "Answers kept to the target length.",
            "Answers were outside the target length; aim for one to two minutes.",
        ),
        (
            |a| a.few_fillers,
            "Few filler or hedge words.",
            "Filler and hedge words recurred; pause instead.",
        ),
        (
            |a| a.named_metric,
            "Answers named the metrics this role is judged on.",
            "Answers named none of the role's metrics; tie results to one.",
        ),
    ];
    for (kept, strong, gap) in habits {
        let praised = share(&|a: &AnswerDigest| a.praisable() && kept(a));
        judge(praised, share(&kept), strong, gap);
    }
    // Per step: a step missing from most answers of its framework is worth
    // naming on its own.
    let mut step_names: Vec<(String, String)> = Vec::new();
    for a in digests {
        for s in &a.steps {
            if !step_names.iter().any(|(k, _)| *k == s.key) {
                step_names.push((s.key.clone(), s.name.clone()));
            }
        }
    }
    for (key, name) in step_names {
        let with: Vec<bool> = digests
            .iter()
            .filter_map(|a| a.steps.iter().find(|s| s.key == key).map(|s| s.covered))
            .collect();
        let missing = with.iter().filter(|c| !**c).count();
        if with.len() >= 2 && missing as f64 / with.len() as f64 >= CONSISTENT {
            gaps.push(format!(
                "The {name} step was missing in {missing} of {} main answers.",
                with.len()
            ));
        }
    }
    let mut checks: Vec<String> = Vec::new();
    for c in follow_up_checks {
        let c = c.trim();
        if !c.is_empty() && !checks.iter().any(|x| x == c) {
            checks.push(c.to_string());
        }
    }
    InterviewSummary {
        answers: u32::try_from(n).unwrap_or(u32::MAX),
        strengths,
        gaps,
        checks,
    }
}

/// What the guide test needs to know about an example answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleCheck {
    pub words: u32,
    pub target_words: (u32, u32),
    /// The framework's answers have no result to measure, so none is needed.
    #[serde(default)]
    pub unmeasured: bool,
    /// The quantified results found, as written.
    pub quantified_results: Vec<String>,
    /// Names of the framework steps with no cue found.
    pub missing_steps: Vec<String>,
}

impl ExampleCheck {
    /// Human-readable problems; empty when the example meets the guide rules.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.quantified_results.is_empty() && !self.unmeasured {
            out.push(
                "has no quantified result (a %, a multiplier, a duration, money, or a count)"
                    .into(),
            );
        }
        if !self.missing_steps.is_empty() {
            out.push(format!(
                "shows no cue for the step(s): {}",
                self.missing_steps.join(", ")
            ));
        }
        let (lo, hi) = self.target_words;
        if self.words < lo || self.words > hi {
            out.push(format!("has {} words; examples need {lo}-{hi}", self.words));
        }
        out
    }
}

/// Check a guide's example answer: a quantified result and every framework
/// step. The guide tests call this for each shipped example.
pub fn check_example(example: &str, ctx: &AnswerContext, cues: &Cues) -> ExampleCheck {
    let a = analyse(example, ctx, cues);
    ExampleCheck {
        words: a.length.words,
        target_words: ctx.target_words,
        unmeasured: a.unmeasured,
        quantified_results: numbers(&a)
            .filter(|q| q.kind != QuantityKind::Count || q.measure.is_some())
            .map(|q| q.text.clone())
            .collect(),
        missing_steps: a
            .steps
            .iter()
            .filter(|s| !s.covered)
            .map(|s| s.name.clone())
            .collect(),
    }
}
