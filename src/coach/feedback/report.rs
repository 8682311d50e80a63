//! Turning an [`Analysis`] into words: observations, a headline, an adaptive
//! probe, an interview summary, and the example-answer check.
//!
//! Observations describe the answer, never the person ("The answer names no
//! result in numbers", not "You are vague"), and each says what to add or cut.

use serde::{Deserialize, Serialize};

use super::{
    analyse, Analysis, AnswerContext, Cues, LengthBand, OwnershipVerdict, QuantityKind, StepRef,
    TermKind,
};
use crate::guide::template::plural;

/// At most this many observations per answer: more would not be acted on.
const MAX_OBSERVATIONS: usize = 3;

/// Fillers and hedges from which they are worth a line: one or two are how
/// people talk; three in a two-minute answer start to be heard.
const FILLER_NOTE_AT: u32 = 3;

/// Share of answers that makes a pattern "consistent" in a summary.
const CONSISTENT: f64 = 0.75;

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn quoted(items: impl IntoIterator<Item = String>) -> Vec<String> {
    items.into_iter().map(|s| format!("\"{s}\"")).collect()
}

fn times(n: u32) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

fn duration(seconds: u32) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{}m {:02}s", seconds / 60, seconds % 60)
    }
}

/// The answer has the numbers its framework asks for: results, or figures
/// where the numbers step asks for scale rather than results (a design
/// walk-through's requirements).
fn has_numbers(a: &Analysis) -> bool {
    numbers(a).next().is_some()
}

/// The numbers that answer the framework's call for numbers: the results,
/// then, where figures count, the figures.
fn numbers(a: &Analysis) -> impl Iterator<Item = &super::Quantity> {
    let figures: &[super::Quantity] = if a.figures_count { &a.figures } else { &[] };
    a.quantified_results.iter().chain(figures)
}

fn metric_names(a: &Analysis, n: usize) -> Vec<String> {
    let used = a
        .role_terms
        .used
        .iter()
        .filter(|t| t.kind == TermKind::Metric)
        .map(|t| t.term.clone());
    let missed = a
        .role_terms
        .missed
        .iter()
        .filter(|t| t.kind == TermKind::Metric)
        .map(|t| t.term.clone());
    used.chain(missed).take(n).collect()
}

fn filler_total(a: &Analysis) -> u32 {
    a.fillers.iter().chain(&a.hedges).map(|p| p.count).sum()
}

/// Ownership worth mentioning: only "we", or mostly "we" with no action step
/// told in the first person.
fn ownership_gap(a: &Analysis) -> bool {
    match a.ownership.verdict {
        OwnershipVerdict::OnlyWe => true,
        OwnershipVerdict::MostlyWe => !a.steps.iter().any(|s| s.wants_ownership && s.covered),
        _ => false,
    }
}

/// At most three observations, most useful first. Each says what was observed
/// and what to do about it; when nothing needs fixing, one line says what to
/// keep.
pub fn feedback_text(a: &Analysis) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();

    let missing: Vec<&super::StepFinding> = a.steps.iter().filter(|s| !s.covered).collect();
    if let Some(first) = missing.first() {
        let names: Vec<String> = missing.iter().map(|s| s.name.clone()).collect();
        out.push(if missing.len() == 1 {
            format!(
                "The answer has no clear {} step; add it: {}",
                first.name,
                first.hint()
            )
        } else {
            format!(
                "The answer has no clear {} steps; start with {}: {}",
                join_and(&names),
                first.name,
                first.hint()
            )
        });
    }

    if !has_numbers(a) {
        let metrics = metric_names(a, 2);
        let eg = if metrics.is_empty() {
            String::new()
        } else {
            format!(", e.g. {}", metrics.join(" or "))
        };
        // A number the answer itself negates is the likeliest near miss:
        // name it, so the candidate sees why it did not count.
        let negated = a
            .negated
            .last()
            .map(|e| format!(" (\"{}\" is under a negation there)", e.phrase))
            .unwrap_or_default();
        out.push(format!(
            "Your answer names no result in numbers{negated}; add what changed and by how much{eg}."
        ));
    }

    if ownership_gap(a) {
        let o = a.ownership;
        out.push(format!(
            "The answer says \"we\" {} and \"I\" {}; say which decisions and steps were yours.",
            times(o.plural),
            if o.singular == 0 {
                "not at all".to_string()
            } else {
                times(o.singular)
            }
        ));
    }

    let (lo, hi) = a.length.target_words;
    match a.length.band {
        LengthBand::Short => out.push(format!(
            "At {} words (about {}), the answer is under the {lo}–{hi} word target; add the missing detail, \
             such as what you did and what it changed.",
            a.length.words,
            duration(a.length.seconds)
        )),
        LengthBand::Long => out.push(format!(
            "At {} words (about {}), the answer runs over the {lo}–{hi} word target; cut background and keep \
             the action and the result.",
            a.length.words,
            duration(a.length.seconds)
        )),
        LengthBand::Within => {}
    }

    if filler_total(a) >= FILLER_NOTE_AT {
        let mut items: Vec<(String, u32)> = a
            .fillers
            .iter()
            .chain(&a.hedges)
            .map(|p| (p.phrase.clone(), p.count))
            .collect();
        items.sort_by_key(|x| std::cmp::Reverse(x.1));
        let listed: Vec<String> = items
            .iter()
            .take(3)
            .map(|(p, c)| format!("\"{p}\" {}", times(*c)))
            .collect();
        out.push(format!(
            "The answer uses {}; dropping them makes the same points sound surer.",
            join_and(&listed)
        ));
    }

    // A result counts as tied to a metric when its clause names a role
    // metric or a plain outcome (time, cost, errors …); name the result the
    // candidate gave, so they see which number to anchor.
    let untied = a.quantified_results.first().filter(|_| {
        !a.quantified_results.iter().any(|q| {
            q.metric.is_some() || matches!(q.kind, QuantityKind::Duration | QuantityKind::Money)
        })
    });
    if let Some(q) = untied {
        let metrics = metric_names(a, 3);
        if !metrics.is_empty() {
            out.push(format!(
                "The result \"{}\" is not tied to a metric this role is judged on; say what it measured, \
                 such as {}.",
                q.text,
                join_and(&metrics)
            ));
        }
    }

    if out.is_empty() {
        let covered = a.steps.len();
        let nums: Vec<String> = quoted(numbers(a).take(3).map(|q| q.text.clone()));
        out.push(format!(
            "All {covered} steps are there, with {} backing the result; keep this shape and rehearse it \
             to stay near {}.",
            join_and(&nums),
            duration(a.length.seconds)
        ));
    }
    out.truncate(MAX_OBSERVATIONS);
    out
}

impl super::StepFinding {
    /// What to add for a missing step: the framework's own guidance when the
    /// context carried it.
    fn hint(&self) -> String {
        match &self.guidance {
            Some(g) => lower_first(g.trim()),
            None if self.wants_numbers => "what changed, in numbers.".to_string(),
            None => "a sentence or two on it.".to_string(),
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep "I" and acronyms as they are.
        Some(f) if c.clone().next().is_some_and(char::is_lowercase) && f != 'I' => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

/// One short line for /history: steps, numbers, length, ownership.
pub fn headline(a: &Analysis) -> String {
    let covered = a.steps.iter().filter(|s| s.covered).count();
    let nums = numbers(a).count();
    format!(
        "{} {covered}/{} steps · {} · {} words ({}) · I {} / we {}",
        a.framework,
        a.steps.len(),
        plural(nums as u64, "number"),
        a.length.words,
        duration(a.length.seconds),
        a.ownership.singular,
        a.ownership.plural
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeReason {
    /// The step that carries the result is missing or has no numbers.
    NoNumbers,
    /// The answer speaks only (or mostly) as "we".
    OnlyWe,
    /// Another framework step is missing.
    MissingStep,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub step: String,
    pub question: String,
    pub reason: ProbeReason,
}

/// At most one probing question for what the answer misses, taken from the
/// framework step's `probe`: first a missing result or missing numbers, then
/// "we" without "I", then the first other missing step. The engine asks it
/// before the guide's own follow-ups.
pub fn follow_up_probe(a: &Analysis, steps: &[StepRef]) -> Option<Probe> {
    let probe_of = |key: &str| {
        steps
            .iter()
            .find(|s| s.key == key)
            .and_then(|s| s.probe.clone())
    };
    let make = |key: &str, reason| {
        probe_of(key).map(|question| Probe {
            step: key.to_string(),
            question,
            reason,
        })
    };
    let numbers_step = a.steps.iter().find(|s| s.wants_numbers);
    if let Some(s) = numbers_step {
        if !s.covered || !has_numbers(a) {
            if let Some(p) = make(&s.key, ProbeReason::NoNumbers) {
                return Some(p);
            }
        }
    }
    if ownership_gap(a) {
        if let Some(s) = a.steps.iter().find(|s| s.wants_ownership) {
            if let Some(p) = make(&s.key, ProbeReason::OnlyWe) {
                return Some(p);
            }
        }
    }
    a.steps
        .iter()
        .filter(|s| !s.covered)
        .find_map(|s| make(&s.key, ProbeReason::MissingStep))
}

/// What a whole interview showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewSummary {
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
            few_fillers: filler_total(a) < FILLER_NOTE_AT,
            named_metric: a.role_terms.used.iter().any(|t| t.kind == TermKind::Metric),
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
    let mut judge = |present: f64, strong: &str, gap: &str| {
        if n == 0 {
            return;
        }
        if present >= CONSISTENT {
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
        judge(share(&kept), strong, gap);
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
                "The {name} step was missing in {missing} of {} answers.",
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
    /// The quantified results found, as written.
    pub quantified_results: Vec<String>,
    /// Names of the framework steps with no cue found.
    pub missing_steps: Vec<String>,
}

impl ExampleCheck {
    /// Human-readable problems; empty when the example meets the guide rules.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.quantified_results.is_empty() {
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
