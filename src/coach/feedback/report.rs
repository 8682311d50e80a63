//! Turning an [`Analysis`] into words: observations, a headline, an adaptive
//! probe, and the follow-up answer's lines (the interview summary and the
//! example-answer check are in `summary`).
//!
//! Observations describe the answer, never the person ("The answer names no
//! result in numbers", not "You are vague"), and each says what to add or cut.

use serde::{Deserialize, Serialize};

use super::follow_up::ExpectFinding;
use super::{Analysis, LengthBand, OwnershipVerdict, QuantityKind, StepRef, TermKind};
use crate::guide::template::plural;
use crate::guide::Expect;

/// At most this many observations per answer: more would not be acted on.
pub(super) const MAX_OBSERVATIONS: usize = 3;

/// Fillers and hedges are worth a line once they are heard: from four a
/// minute spoken (at the cue file's 150 words a minute, one in every 37 words
/// or so — every other sentence), and at least three in all. One or two a
/// minute pass as ordinary speech; the floor keeps a single "um" in a
/// ten-second answer (six a minute) from being remarked on.
const FILLERS_HEARD_PER_MINUTE: u32 = 4;
const FILLERS_HEARD_AT_LEAST: u32 = 3;

/// Nothing is praised in an answer shorter than half a minute spoken: an
/// answer of a few words has no fillers, and no room for any, by default.
pub(super) const PRAISE_MIN_SECONDS: u32 = 30;

/// Share of answers that makes a pattern "consistent" in a summary.
pub(super) const CONSISTENT: f64 = 0.75;

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
pub(super) fn has_numbers(a: &Analysis) -> bool {
    numbers(a).next().is_some()
}

/// The numbers that answer the framework's call for numbers: the results,
/// then, where figures count, the figures.
pub(super) fn numbers(a: &Analysis) -> impl Iterator<Item = &super::Quantity> {
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

/// Fillers and hedges per minute spoken, at the cue file's speaking rate.
fn fillers_per_minute(a: &Analysis) -> f64 {
    f64::from(filler_total(a)) * 60.0 / f64::from(a.length.seconds.max(1))
}

/// Fillers and hedges come often enough to be heard (see [`FILLERS_HEARD_PER_MINUTE`]).
pub(super) fn fillers_heard(a: &Analysis) -> bool {
    filler_total(a) >= FILLERS_HEARD_AT_LEAST
        && fillers_per_minute(a) >= f64::from(FILLERS_HEARD_PER_MINUTE)
}

/// A cue phrase as the candidate said it: "like ," is "like", "i think" is
/// "I think", "like <number>" is "like" before a number.
fn spoken(phrase: &str) -> String {
    let mut before_number = false;
    let words: Vec<&str> = phrase
        .split_whitespace()
        .filter(|w| match *w {
            "<number>" => {
                before_number = true;
                false
            }
            w => !w.starts_with('<') && !matches!(w, "," | "^" | "..."),
        })
        .map(|w| if w == "i" { "I" } else { w })
        .collect();
    let quoted = format!("\"{}\"", words.join(" "));
    match before_number {
        true => format!("{quoted} before a number"),
        false => quoted,
    }
}

/// The fillers and hedges, which and how many, most used first.
fn fillers_line(a: &Analysis) -> String {
    let mut items: Vec<(&str, u32)> = a
        .fillers
        .iter()
        .chain(&a.hedges)
        .map(|p| (p.phrase.as_str(), p.count))
        .collect();
    // Stable: equal counts keep the cue file's order, fillers first.
    items.sort_by_key(|x| std::cmp::Reverse(x.1));
    let listed: Vec<String> = items
        .iter()
        .take(3)
        .map(|(p, c)| format!("{} {}", spoken(p), times(*c)))
        .collect();
    format!(
        "Filler and hedge words come about {} times a minute ({} in all), most often {}; pause \
         instead, and the same points sound surer.",
        fillers_per_minute(a).round(),
        filler_total(a),
        join_and(&listed)
    )
}

/// Strong enough for a line on what to keep: every step, a number, "I"
/// where it matters, and long enough to judge.
fn strong(a: &Analysis) -> bool {
    !a.steps.is_empty()
        && a.steps.iter().all(|s| s.covered)
        && (a.unmeasured || has_numbers(a))
        && !ownership_gap(a)
        && a.length.seconds >= PRAISE_MIN_SECONDS
}

/// Ownership worth mentioning: only "we", or mostly "we" with no action step
/// told in the first person.
pub(super) fn ownership_gap(a: &Analysis) -> bool {
    match a.ownership.verdict {
        OwnershipVerdict::OnlyWe => true,
        OwnershipVerdict::MostlyWe => !a.steps.iter().any(|s| s.wants_ownership && s.covered),
        _ => false,
    }
}

/// At most three observations, most useful first: missing framework steps,
/// no result in numbers, fillers and hedges often enough to be heard, "we"
/// without "I", length, then the role's metrics. Each says what was observed
/// and what to do about it. A strong answer (every step, a number, "I", at
/// least half a minute) also gets one line on what to keep, last.
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

    if !a.unmeasured && !has_numbers(a) {
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

    // Heard in every other sentence, they colour the whole answer: right
    // after what the story lacks.
    if fillers_heard(a) {
        out.push(fillers_line(a));
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

    // A result counts as tied to a metric when its clause names a role
    // metric or a plain outcome (time, cost, errors …); name the result the
    // candidate gave, so they see which number to anchor.
    let untied = a.quantified_results.first().filter(|_| {
        !a.unmeasured
            && !a.quantified_results.iter().any(|q| {
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

    if strong(a) {
        out.truncate(MAX_OBSERVATIONS - 1);
        out.push(keep_line(a));
    } else if out.is_empty() {
        // Nothing to fix, but too short to praise.
        out.push(format!(
            "At {} words (about {}), the answer is too short to judge; tell the whole story.",
            a.length.words,
            duration(a.length.seconds)
        ));
    }
    out.truncate(MAX_OBSERVATIONS);
    out
}

/// What to keep in a strong answer.
fn keep_line(a: &Analysis) -> String {
    let covered = a.steps.len();
    let nums: Vec<String> = quoted(numbers(a).take(3).map(|q| q.text.clone()));
    let rehearse = match a.length.band {
        LengthBand::Within => format!(
            " and rehearse it to stay near {}",
            duration(a.length.seconds)
        ),
        _ => String::new(),
    };
    if a.unmeasured || nums.is_empty() {
        return format!("All {covered} steps are there; keep this shape{rehearse}.");
    }
    format!(
        "All {covered} steps are there, with {} backing the result; keep this shape{rehearse}.",
        join_and(&nums)
    )
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
    /// What its answer is judged on: the step, and a number or "I" when the
    /// step is where the framework wants them (see [`super::probe_expects`]).
    #[serde(default)]
    pub expects: Vec<Expect>,
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
        let step = a.steps.iter().find(|s| s.key == key);
        let mut expects = vec![Expect::Step(key.to_string())];
        if step.is_some_and(|s| s.wants_numbers) {
            expects.push(Expect::Number);
        }
        if step.is_some_and(|s| s.wants_ownership) {
            expects.push(Expect::Ownership);
        }
        probe_of(key).map(|question| Probe {
            step: key.to_string(),
            question,
            reason,
            expects,
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

// ---------------------------------------------------------------------------
// Follow-up answers ([`super::follow_up`]): only what the follow-up expected,
// and the answer's length against the follow-up's band.

/// What to say when a follow-up's answer leaves out what it expected.
pub(super) fn expectation_missing(e: &Expect, a: &Analysis) -> String {
    match e {
        Expect::Number => {
            "The answer gives no number; say what changed and by how much.".to_string()
        }
        Expect::Ownership if a.ownership.plural == 0 => {
            "The answer never says what \"I\" did; say which part was yours.".to_string()
        }
        Expect::Ownership => {
            let o = a.ownership;
            format!(
                "The answer says \"we\" {} and \"I\" {}; say which part was yours.",
                times(o.plural),
                if o.singular == 0 {
                    "not at all".to_string()
                } else {
                    times(o.singular)
                }
            )
        }
        Expect::Tradeoff => {
            "The answer names no trade-off; say what you weighed or gave up, and why.".to_string()
        }
        Expect::People => {
            "The answer names no one else; say who was involved or told, and how.".to_string()
        }
        Expect::Learning => "The answer says nothing about what you learned; say what you took \
             from it or would do differently."
            .to_string(),
        Expect::Step(key) => match a.steps.iter().find(|s| s.key == *key) {
            Some(step) => format!(
                "The answer has no clear {} step; add it: {}",
                step.name,
                step.hint()
            ),
            None => format!("The answer has no clear {key} step."),
        },
    }
}

/// The follow-up answer's length against the follow-up's band, when outside it.
pub(super) fn follow_up_length(a: &Analysis) -> Option<String> {
    let (lo, hi) = a.length.target_words;
    let (words, about) = (a.length.words, duration(a.length.seconds));
    match a.length.band {
        LengthBand::Short => Some(format!(
            "At {words} words (about {about}), the answer is under the {lo}–{hi} words a follow-up \
             answer needs; add a sentence on how you know, or what it meant."
        )),
        LengthBand::Long => Some(format!(
            "At {words} words (about {about}), the answer runs over the {lo}–{hi} words a follow-up \
             answer needs; answer what was asked first, then stop."
        )),
        LengthBand::Within => None,
    }
}

/// What the answer gave of what the follow-up expected.
pub(super) fn expectations_met(met: &[&ExpectFinding], a: &Analysis) -> String {
    let with = |what: &str, f: &ExpectFinding| match &f.evidence {
        Some(e) => format!("{what} (\"{e}\")"),
        None => what.to_string(),
    };
    let items: Vec<String> = met
        .iter()
        .map(|f| match &f.expects {
            Expect::Number => with("a number", f),
            Expect::Ownership => "your own part, as \"I\"".to_string(),
            Expect::Tradeoff => "a trade-off".to_string(),
            Expect::People => with("the people involved", f),
            Expect::Learning => "what you learned".to_string(),
            Expect::Step(key) => {
                let name = a
                    .steps
                    .iter()
                    .find(|s| s.key == *key)
                    .map(|s| s.name.as_str());
                format!("the {} step", name.unwrap_or(key))
            }
        })
        .collect();
    format!(
        "It gives what the follow-up asked for: {}; keep follow-up answers this direct.",
        join_and(&items)
    )
}

/// A follow-up answer that expected nothing in particular and kept to its band.
pub(super) fn follow_up_within(a: &Analysis) -> String {
    let (lo, hi) = a.length.target_words;
    format!(
        "At {} words (about {}), the answer is within the {lo}–{hi} words a follow-up answer \
         needs; keep follow-up answers this direct.",
        a.length.words,
        duration(a.length.seconds)
    )
}

/// One line for /history: what was expected and whether it came, and length.
pub(super) fn follow_up_headline(a: &Analysis, findings: &[ExpectFinding]) -> String {
    let mut parts = vec!["follow-up".to_string()];
    for f in findings {
        let verdict = match f.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not judged",
        };
        parts.push(format!("{} {verdict}", f.expects));
    }
    parts.push(format!(
        "{} words ({})",
        a.length.words,
        duration(a.length.seconds)
    ));
    parts.join(" · ")
}
