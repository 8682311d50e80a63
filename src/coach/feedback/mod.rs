//! Explainable, deterministic feedback on one interview answer.
//!
//! No network and no randomness. Framework steps come from what each
//! sentence of the answer does, read by the sentence model in
//! `guides/shared/sentences.toml` (see [`sentences`]); numbers, fillers,
//! hedges, negations and pronouns from the phrases in
//! `guides/shared/feedback.toml` (see [`Cues`]); role terms from the role's
//! vocabulary. Every finding carries the text that triggered it (the
//! covering sentence for a step), so a candidate or a guide author can see
//! why the coach said what it said.
//!
//! Flow: compile [`Cues`] (with the sentence model) once per loaded library
//! ([`LibraryCues`]), build an [`AnswerContext`] per question, call
//! [`analyse`] per answer, then [`feedback_text`], [`headline`],
//! [`follow_up_probe`] and, at the end of an interview, [`summarise`].
//! Answers to follow-ups are judged on what the follow-up expects
//! (`follow_up`).

mod analyse;
mod cues;
mod follow_up;
mod guide;
mod numbers;
mod report;
pub mod sentences;
mod summary;
mod terms;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use analyse::analyse;
pub use cues::Cues;
pub use follow_up::{
    follow_up_context, follow_up_feedback, follow_up_text, judge, probe_expects, ExpectFinding,
    FollowUpFeedback,
};
pub use guide::LibraryCues;
pub use report::{feedback_text, follow_up_probe, headline, Probe, ProbeReason};
pub use summary::{
    check_example, summarise, summarise_digests, AnswerDigest, ExampleCheck, InterviewSummary,
    StepMark,
};

// ---------------------------------------------------------------------------
// Input: what the analyser needs to know about the question. Owned and
// serde-able so the engine can keep it in session state, and independent of
// the guide loader's types.

/// One framework as a question uses it. Deserializes straight from a
/// `[[frameworks]]` entry of `frameworks.toml` (other keys are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkRef {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub steps: Vec<StepRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRef {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub guidance: Option<String>,
    /// The question to ask when an answer misses this step.
    #[serde(default)]
    pub probe: Option<String>,
    /// Sentence functions that cover the step (see [`sentences`]); empty
    /// means the step is found by cue phrases alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    /// The covering sentence must have the speaker's "I" in it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_person: bool,
}

/// A role term and the other spellings an answer may use for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub canonical: String,
    #[serde(default)]
    pub variants: Vec<String>,
}

/// The role vocabulary an answer is checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTerms {
    pub skills: Vec<Term>,
    pub metrics: Vec<Term>,
    pub stakeholders: Vec<Term>,
}

impl RoleTerms {
    /// Build from a role's lists and its `[role.synonyms]` table (canonical
    /// term → variants). Synonyms for terms in no list are ignored.
    pub fn from_lists(
        skills: &[String],
        metrics: &[String],
        stakeholders: &[String],
        synonyms: &BTreeMap<String, Vec<String>>,
    ) -> RoleTerms {
        let terms = |list: &[String]| {
            list.iter()
                .map(|c| Term {
                    canonical: c.clone(),
                    variants: synonyms.get(c).cloned().unwrap_or_default(),
                })
                .collect()
        };
        RoleTerms {
            skills: terms(skills),
            metrics: terms(metrics),
            stakeholders: terms(stakeholders),
        }
    }
}

/// Everything about the question that the analyser uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerContext {
    pub framework: FrameworkRef,
    pub terms: RoleTerms,
    /// Target length band in words, `(min, max)`.
    pub target_words: (u32, u32),
}

impl AnswerContext {
    /// `answer_words` is the question's own band, if it has one; otherwise the
    /// cue file's default applies.
    pub fn new(
        framework: FrameworkRef,
        terms: RoleTerms,
        answer_words: Option<(u32, u32)>,
        cues: &Cues,
    ) -> AnswerContext {
        AnswerContext {
            framework,
            terms,
            target_words: answer_words.unwrap_or(cues.default_answer_words()),
        }
    }
}

// ---------------------------------------------------------------------------
// Output: one field per kind of detection, each with its evidence.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The framework id the answer was checked against.
    pub framework: String,
    /// Framework coverage, in the framework's step order.
    pub steps: Vec<StepFinding>,
    /// Numbers that are results of the work: a change in, or a level reached
    /// by, an outcome ("p95 fell from 900 ms to 180 ms", "down 50%", "is now
    /// 2.4 s"). Settings, counts of parts, the scale of the system, targets,
    /// unmeasured and negated numbers are not results.
    pub quantified_results: Vec<Quantity>,
    /// The other numbers with a unit or a counted noun: the scale of the
    /// system, settings, counts of parts, durations of the work ("10k events
    /// per second", "a 200 ms debounce"). Years, dates, versions, times of day
    /// and counts of people are in neither list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Quantity>,
    /// The framework's numbers step asks for figures rather than results (a
    /// design walk-through's requirements, or a framework without a numbers
    /// step), so figures count where numbers are asked for.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub figures_count: bool,
    /// The framework's answers have no result to measure (questions for the
    /// interviewer, a salary range): no observation asks for numbers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unmeasured: bool,
    pub role_terms: RoleTermReport,
    pub ownership: Ownership,
    pub length: Length,
    pub fillers: Vec<PhraseCount>,
    pub hedges: Vec<PhraseCount>,
    /// The most used content words (stop words left out), most frequent first.
    pub top_words: Vec<PhraseCount>,
    /// Cues and numbers that were found but negated ("didn't measure"), and so
    /// did not count.
    pub negated: Vec<Evidence>,
    /// What the sentence model read in each piece of the answer, when the
    /// framework's steps use it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentences: Vec<SentenceFinding>,
}

/// One piece of the answer and the functions the sentence model gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceFinding {
    pub text: String,
    /// Functions at or above the model's threshold, most likely first.
    pub functions: Vec<FunctionScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionScore {
    pub function: String,
    pub probability: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFinding {
    pub key: String,
    pub name: String,
    pub covered: bool,
    pub evidence: Option<Evidence>,
    /// The framework's guidance for the step, for feedback on a missing step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// This step is where the framework wants numbers (its probe asks for them).
    #[serde(default)]
    pub wants_numbers: bool,
    /// This step is where the framework wants "I" (its probe asks what you did).
    #[serde(default)]
    pub wants_ownership: bool,
    /// The sentence function that covered the step, when the sentence model
    /// found it ("action", "outcome" …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The words that matched, as the candidate wrote them.
    pub phrase: String,
    /// The sentence around them, shortened to one line.
    pub excerpt: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuantityKind {
    Percent,
    Multiplier,
    Duration,
    Money,
    Count,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The number with its unit or counted noun, as written: "200 ms", "12 incidents".
    pub text: String,
    /// The number token alone, as written: "200", "$1.2M", "42%".
    pub number: String,
    pub kind: QuantityKind,
    /// The value with scale words applied ("$1.2M" → 1200000).
    pub value: f64,
    /// What it measures, when the sentence says: "latency", "incidents".
    pub measure: Option<String>,
    /// For a result: the role metric (its canonical name) or, failing that,
    /// the plain outcome (time, cost, errors, conversion …) it is a result
    /// in, when its clause names one or its unit is time or money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermKind {
    Skill,
    Metric,
    Stakeholder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTermReport {
    pub used: Vec<TermUse>,
    pub missed: Vec<MissedTerm>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermUse {
    pub term: String,
    pub kind: TermKind,
    /// The first spelling found in the answer ("Postgres").
    pub written: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedTerm {
    pub term: String,
    pub kind: TermKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnershipVerdict {
    /// "I" at least twice as often as "we".
    MostlyI,
    Mixed,
    /// "we" at least twice as often as "I".
    MostlyWe,
    OnlyWe,
    NoFirstPerson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// I, me, my, mine, myself, I'm, I've, I'd, I'll (per the cue file).
    pub singular: u32,
    /// we, us, our, ours, ourselves, we're... (per the cue file).
    pub plural: u32,
    pub verdict: OwnershipVerdict,
}

impl Ownership {
    pub(crate) fn new(singular: u32, plural: u32) -> Ownership {
        let verdict = if singular + plural == 0 {
            OwnershipVerdict::NoFirstPerson
        } else if singular == 0 {
            OwnershipVerdict::OnlyWe
        } else if singular >= 2 * plural {
            OwnershipVerdict::MostlyI
        } else if plural >= 2 * singular {
            OwnershipVerdict::MostlyWe
        } else {
            OwnershipVerdict::Mixed
        };
        Ownership {
            singular,
            plural,
            verdict,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LengthBand {
    Short,
    Within,
    Long,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Length {
    pub words: u32,
    /// Estimated speaking time at the cue file's words per minute.
    pub seconds: u32,
    pub target_words: (u32, u32),
    pub band: LengthBand,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhraseCount {
    pub phrase: String,
    pub count: u32,
}
