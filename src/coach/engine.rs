//! The mock-interview engine: a pure state machine.
//!
//! An [`Interview`] holds a copy of every text it will need (questions,
//! follow-ups, the framework's steps), so a stored interview keeps working when
//! a guide reload removes its question or a new release changes the guides.
//! It does no I/O and reads no clock; both front ends feed it answers and show
//! what it says next. It serializes with serde so the store can persist it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::feedback::{
    self, Analysis, AnswerContext, AnswerDigest, Cues, ExpectFinding, FrameworkRef,
    InterviewSummary, RoleTerms, StepRef,
};
use crate::guide::{Expect, FollowUp, FrameworkStep, Question, Role};

/// Bumped whenever the serialized shape changes, so a stored interview says which
/// release's shape it is in.
///
/// * 1: every planned question carried its own feedback context (the role's terms
///   again, the framework's steps a second time), and the state kept each answer's
///   full analysis: 7 KB at the start of a two-question interview, 18 KB at its end.
/// * 2: the role's terms once per interview ([`Interview::terms`]), the context rebuilt
///   from the plan, and a digest per answer ([`AnswerDigest`]) instead of its analysis
///   (the store keeps the analysis with the answer). Format-1 states still load, and
///   keep their stored contexts and analyses when saved again.
/// * 3: a turn keeps its answer's word count, not its text (the store keeps the
///   text with the answer): the state written for every answer no longer grows by
///   the answer's length. Turns from earlier formats keep their text.
/// * 4: answers to follow-ups and probes are judged as follow-ups (on what they
///   expect, against the follow-up band), and [`Interview::digests`] holds the
///   main answers only, so the summary counts answers to main questions: earlier
///   formats kept a digest for each probe's answer too, judged as a whole answer
///   ("the Task step was missing in 2 of 2 answers" after one main answer and its
///   probe). Planned follow-ups may carry `expects` and `answer_words`. States
///   from earlier formats go on as they were stored — a digest per probe answer
///   too — and their summary leaves the probes' digests out.
pub const FORMAT_VERSION: u32 = 4;

/// The first format whose digests are the main answers' only.
const MAIN_DIGESTS_ONLY: u32 = 4;

/// The longest answer accepted: what a Discord modal can hold, and about
/// half an hour of speaking — far past any useful interview answer.
pub const MAX_ANSWER_CHARS: usize = 4000;

/// One main question as planned at the start, with the follow-ups to ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedQuestion {
    pub id: String,
    pub text: String,
    pub framework_id: String,
    pub framework_name: String,
    pub steps: Vec<FrameworkStep>,
    pub follow_ups: Vec<FollowUp>,
    pub answer_words: (u32, u32),
    /// Format 1's copy of what the feedback needs for this question, kept as
    /// it was in states stored in that format; new states leave it out (see
    /// [`FORMAT_VERSION`]).
    #[serde(default, rename = "context", skip_serializing_if = "Option::is_none")]
    legacy_context: Option<AnswerContext>,
}

impl PlannedQuestion {
    pub fn new(question: &Question, follow_ups: usize) -> Self {
        PlannedQuestion {
            legacy_context: None,
            id: question.id.clone(),
            text: question.text.clone(),
            framework_id: question.framework.id.clone(),
            framework_name: question.framework.name.clone(),
            steps: question.framework.steps.clone(),
            follow_ups: question
                .follow_ups
                .iter()
                .take(follow_ups)
                .cloned()
                .collect(),
            answer_words: question.answer_words,
        }
    }

    /// What the feedback needs to judge an answer to this question: the
    /// question's framework and length band, copied into the plan when the
    /// interview started (so a guide reload changes nothing for it), and the
    /// role's `terms`.
    pub fn answer_context(&self, terms: &RoleTerms) -> AnswerContext {
        AnswerContext {
            framework: FrameworkRef {
                id: self.framework_id.clone(),
                name: self.framework_name.clone(),
                steps: self.steps.iter().map(StepRef::from_step).collect(),
            },
            terms: terms.clone(),
            target_words: self.answer_words,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptKind {
    /// One of the planned main questions.
    Main,
    /// A follow-up from the guide.
    FollowUp,
    /// A probe the coach added because the answer missed a step the
    /// framework needs (no result, no numbers, only "we").
    Probe,
}

/// Something the interviewer says that expects an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub kind: PromptKind,
    /// 0-based index of the main question this belongs to.
    pub question: usize,
    pub questions_total: usize,
    /// 0-based index among this question's follow-ups, for follow-ups.
    /// Position among the question's follow-ups as the candidate sees them
    /// (a probe takes the first place).
    pub follow_up: Option<usize>,
    pub follow_ups_total: usize,
    /// For a guide follow-up, its index in the plan's `follow_ups`.
    #[serde(default)]
    pub guide_follow_up: Option<usize>,
    pub text: String,
}

/// One prompt and how the candidate answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub prompt: Prompt,
    /// The answer's length in words (0 in turns from formats 1 and 2, which
    /// kept the text instead).
    #[serde(default)]
    words: usize,
    /// The answer's text, as formats 1 and 2 stored it; new turns leave it out.
    #[serde(default, rename = "answer", skip_serializing_if = "String::is_empty")]
    legacy_answer: String,
}

impl Turn {
    /// How many words the answer had.
    pub fn words(&self) -> usize {
        self.words + self.legacy_answer.split_whitespace().count()
    }
}

/// The coach's feedback on one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerFeedback {
    /// At most three observations the candidate can act on.
    pub lines: Vec<String>,
    /// One line for `/history`.
    pub headline: String,
    pub analysis: Analysis,
    /// For an answer to a follow-up or a probe: what it expected, and whether
    /// the answer gave it. `None` for a main answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<Vec<ExpectFinding>>,
}

/// The result of a taken answer: the coach's feedback (when feedback cues
/// are available) and what comes next.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub feedback: Option<AnswerFeedback>,
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    question: usize,
    follow_up: Option<usize>,
    /// A probe waiting to be asked before the guide's follow-ups.
    #[serde(default)]
    probe: Option<String>,
    /// A probe was asked for this question: it took one follow-up's place,
    /// so the interview stays as long as the caller asked for.
    #[serde(default)]
    probed: bool,
}

/// A mock interview in progress (or finished).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interview {
    pub format_version: u32,
    pub role_id: String,
    pub role_name: String,
    pub plan: Vec<PlannedQuestion>,
    cursor: Cursor,
    pub turns: Vec<Turn>,
    pub finished: bool,
    pub ended_early: bool,
    /// The role's vocabulary the feedback looks for, copied at the start (so a
    /// guide reload changes nothing for a running interview). `None` only in
    /// format-1 states, whose questions carry their own copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<RoleTerms>,
    /// What each answered main question showed, for the end-of-interview
    /// summary. States from before format 4 have one per probe answer too
    /// (see [`FORMAT_VERSION`]).
    #[serde(default)]
    pub digests: Vec<AnswerDigest>,
    /// Format 1's full analyses (the same, for the answers it recorded), kept
    /// as they were; new states leave them out.
    #[serde(default, rename = "analyses", skip_serializing_if = "Vec::is_empty")]
    legacy_analyses: Vec<Analysis>,
}

/// What the engine says after an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Ask this next.
    Ask(Prompt),
    /// The interview is over.
    Finished(Summary),
}

/// Why an answer was not taken; the interview is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the answer is empty")]
    Empty,
    #[error("the answer is {chars} characters long; the limit is {max}")]
    TooLong { chars: usize, max: usize },
    #[error("the interview has already finished")]
    Finished,
}

/// The end-of-interview recap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub role_name: String,
    pub questions_planned: usize,
    /// Main questions that got an answer.
    pub questions_answered: usize,
    pub follow_ups_answered: usize,
    pub ended_early: bool,
    /// The main questions answered, in order.
    pub questions: Vec<String>,
    /// For each follow-up that was answered: what it was checking.
    pub checks: Vec<FollowUp>,
    pub words_spoken: usize,
    /// What was consistently strong or missing, when feedback was given.
    #[serde(default)]
    pub coaching: Option<InterviewSummary>,
}

impl Interview {
    /// Plans an interview of the given questions, each with up to
    /// `follow_ups` of its guide follow-ups, and returns it with its first prompt.
    pub fn start(role: &Role, questions: &[&Question], follow_ups: usize) -> (Interview, Prompt) {
        let interview = Interview {
            format_version: FORMAT_VERSION,
            role_id: role.id.clone(),
            role_name: role.name.clone(),
            plan: questions
                .iter()
                .map(|q| PlannedQuestion::new(q, follow_ups))
                .collect(),
            cursor: Cursor {
                question: 0,
                follow_up: None,
                probe: None,
                probed: false,
            },
            turns: Vec::new(),
            finished: questions.is_empty(),
            ended_early: false,
            terms: Some(RoleTerms::from_vocabulary(&role.vocabulary)),
            digests: Vec::new(),
            legacy_analyses: Vec::new(),
        };
        let first = interview.current().unwrap_or_else(|| Prompt {
            kind: PromptKind::Main,
            question: 0,
            questions_total: 0,
            follow_up: None,
            follow_ups_total: 0,
            guide_follow_up: None,
            text: String::new(),
        });
        (interview, first)
    }

    /// The prompt waiting for an answer, or `None` once finished.
    pub fn current(&self) -> Option<Prompt> {
        if self.finished {
            return None;
        }
        let planned = self.plan.get(self.cursor.question)?;
        let shift = usize::from(self.cursor.probed);
        let (kind, text, shown, guide) = match (&self.cursor.probe, self.cursor.follow_up) {
            (Some(probe), _) => (PromptKind::Probe, probe.clone(), Some(0), None),
            (None, None) => (PromptKind::Main, planned.text.clone(), None, None),
            (None, Some(i)) => (
                PromptKind::FollowUp,
                planned.follow_ups.get(i)?.question.clone(),
                Some(i + shift),
                Some(i),
            ),
        };
        Some(Prompt {
            kind,
            question: self.cursor.question,
            questions_total: self.plan.len(),
            follow_up: shown,
            follow_ups_total: planned.follow_ups.len(),
            guide_follow_up: guide,
            text,
        })
    }

    /// The planned question the current prompt belongs to.
    pub fn current_question(&self) -> Option<&PlannedQuestion> {
        self.plan.get(self.cursor.question)
    }

    /// Takes an answer to the current prompt and moves on, without feedback.
    pub fn answer(&mut self, text: &str) -> Result<Step, AnswerError> {
        self.answer_with(text, None).map(|a| a.step)
    }

    /// Takes an answer, analyses it when `cues` are given, and moves on. An
    /// answer to a main question that misses what its framework needs may
    /// earn one probing question before the guide's follow-ups.
    pub fn answer_with(
        &mut self,
        text: &str,
        cues: Option<&Cues>,
    ) -> Result<Answered, AnswerError> {
        let answer = text.trim();
        if self.finished {
            return Err(AnswerError::Finished);
        }
        if answer.is_empty() {
            return Err(AnswerError::Empty);
        }
        let chars = answer.chars().count();
        if chars > MAX_ANSWER_CHARS {
            return Err(AnswerError::TooLong {
                chars,
                max: MAX_ANSWER_CHARS,
            });
        }
        let prompt = self.current().ok_or(AnswerError::Finished)?;
        let planned = &self.plan[self.cursor.question];
        let context = match (&planned.legacy_context, &self.terms) {
            (Some(stored), _) => Some(Cow::Borrowed(stored)),
            (None, Some(terms)) => Some(Cow::Owned(planned.answer_context(terms))),
            (None, None) => None,
        };
        let context = context.as_deref();
        let feedback = match (cues, context) {
            (Some(cues), Some(ctx)) if prompt.kind == PromptKind::Main => {
                let analysis = feedback::analyse(answer, ctx, cues);
                Some(AnswerFeedback {
                    lines: feedback::feedback_text(&analysis),
                    headline: feedback::headline(&analysis),
                    analysis,
                    expectations: None,
                })
            }
            // A follow-up or a probe asks for one thing: its answer is judged
            // on that and on the follow-up band, not as a whole answer.
            (Some(cues), Some(ctx)) => {
                let (expects, band) = self.asks(&prompt, cues);
                let f = feedback::follow_up_feedback(answer, ctx, &expects, band, cues);
                Some(AnswerFeedback {
                    lines: f.lines,
                    headline: f.headline,
                    analysis: f.analysis,
                    expectations: Some(f.findings),
                })
            }
            _ => None,
        };
        // Follow-ups are judged on their own terms elsewhere; the framework's
        // steps only apply to the answer to the main question (or its probe).
        let has_slot = !self.plan[self.cursor.question].follow_ups.is_empty();
        let probe = match (&feedback, context, prompt.kind) {
            (Some(f), Some(ctx), PromptKind::Main) if has_slot => {
                feedback::follow_up_probe(&f.analysis, &ctx.framework.steps).map(|p| p.question)
            }
            _ => None,
        };
        if let Some(f) = &feedback {
            // States stored before format 4 go on keeping a digest per probe
            // answer too, so their list keeps one meaning (see `main_digests`).
            let digest = match prompt.kind {
                PromptKind::Main => true,
                PromptKind::Probe => self.format_version < MAIN_DIGESTS_ONLY,
                PromptKind::FollowUp => false,
            };
            if digest {
                self.digests.push(AnswerDigest::of(&f.analysis));
            }
        }
        self.turns.push(Turn {
            prompt,
            words: answer.split_whitespace().count(),
            legacy_answer: String::new(),
        });
        match probe {
            Some(question) => self.cursor.probe = Some(question),
            None => self.advance(),
        }
        let step = match self.current() {
            Some(next) => Step::Ask(next),
            None => Step::Finished(self.summary()),
        };
        Ok(Answered { feedback, step })
    }

    /// What the answer to a follow-up or probe `prompt` should give, and its
    /// band in words: the guide follow-up's own, or for a probe, the step it
    /// asks for (with a number or "I" where the framework wants them there).
    fn asks(&self, prompt: &Prompt, cues: &Cues) -> (Vec<Expect>, (u32, u32)) {
        let default = cues.default_follow_up_words();
        let Some(planned) = self.plan.get(prompt.question) else {
            return (Vec::new(), default);
        };
        match prompt.kind {
            PromptKind::Probe => {
                let step = planned
                    .steps
                    .iter()
                    .find(|s| s.probe.as_deref() == Some(prompt.text.as_str()));
                let expects = step.map_or_else(Vec::new, |s| {
                    feedback::probe_expects(&planned.framework_id, &s.key, cues)
                });
                (expects, default)
            }
            _ => {
                let index = prompt.guide_follow_up.or(prompt.follow_up);
                match index.and_then(|i| planned.follow_ups.get(i)) {
                    Some(f) => (f.expects.clone(), f.answer_words.unwrap_or(default)),
                    None => (Vec::new(), default),
                }
            }
        }
    }

    fn advance(&mut self) {
        let total = self.plan[self.cursor.question].follow_ups.len();
        if self.cursor.probe.take().is_some() {
            // The probe used the first follow-up place; the guide's own
            // follow-ups fill the rest.
            self.cursor.probed = true;
            if total > 1 {
                self.cursor.follow_up = Some(0);
            } else {
                self.next_question();
            }
            return;
        }
        let next = self.cursor.follow_up.map_or(0, |i| i + 1);
        if next + usize::from(self.cursor.probed) < total {
            self.cursor.follow_up = Some(next);
        } else {
            self.next_question();
        }
    }

    fn next_question(&mut self) {
        if self.cursor.question + 1 < self.plan.len() {
            self.cursor = Cursor {
                question: self.cursor.question + 1,
                follow_up: None,
                probe: None,
                probed: false,
            };
        } else {
            self.finished = true;
        }
    }

    /// Ends the interview now (the candidate stopped, or it went idle).
    pub fn end(&mut self) -> Summary {
        if !self.finished {
            self.finished = true;
            self.ended_early = true;
        }
        self.summary()
    }

    /// What each answered main question showed, for the summary. A format-1
    /// state's earlier answers come as analyses, later ones as digests. Before
    /// format 4 a probe's answer had a digest too, judged as a whole answer:
    /// those are left out, matched to the turns in order (a digest was kept
    /// for each main and probe answer that got feedback). When they cannot be
    /// matched — some answers went without feedback, as with no cue file —
    /// every digest counts, as it did then.
    fn main_digests(&self) -> Vec<AnswerDigest> {
        let all: Vec<AnswerDigest> = self
            .legacy_analyses
            .iter()
            .map(AnswerDigest::of)
            .chain(self.digests.iter().cloned())
            .collect();
        if self.format_version >= MAIN_DIGESTS_ONLY {
            return all;
        }
        let kinds: Vec<PromptKind> = self
            .turns
            .iter()
            .map(|t| t.prompt.kind)
            .filter(|k| *k != PromptKind::FollowUp)
            .collect();
        if kinds.len() != all.len() {
            return all;
        }
        all.into_iter()
            .zip(kinds)
            .filter(|(_, k)| *k == PromptKind::Main)
            .map(|(d, _)| d)
            .collect()
    }

    pub fn summary(&self) -> Summary {
        let mut questions = Vec::new();
        let mut checks = Vec::new();
        let mut follow_ups_answered = 0;
        for turn in &self.turns {
            let guide_index = turn.prompt.guide_follow_up.or(turn.prompt.follow_up);
            match (turn.prompt.kind, guide_index) {
                (PromptKind::Main, _) => questions.push(turn.prompt.text.clone()),
                (PromptKind::FollowUp, Some(i)) => {
                    follow_ups_answered += 1;
                    if let Some(f) = self
                        .plan
                        .get(turn.prompt.question)
                        .and_then(|p| p.follow_ups.get(i))
                    {
                        checks.push(f.clone());
                    }
                }
                (PromptKind::Probe, _) => {
                    follow_ups_answered += 1;
                    // A probe checks the framework step the answer left out.
                    let step = self.plan.get(turn.prompt.question).and_then(|p| {
                        p.steps
                            .iter()
                            .find(|s| s.probe.as_deref() == Some(turn.prompt.text.as_str()))
                    });
                    if let Some(step) = step {
                        checks.push(FollowUp {
                            question: turn.prompt.text.clone(),
                            checks: format!(
                                "Whether you can supply the {} step your first answer left out.",
                                step.name
                            ),
                            expects: vec![Expect::Step(step.key.clone())],
                            answer_words: None,
                        });
                    }
                }
                (PromptKind::FollowUp, None) => follow_ups_answered += 1,
            }
        }
        let digests = self.main_digests();
        let coaching = (!digests.is_empty()).then(|| {
            let notes: Vec<String> = checks.iter().map(|c| c.checks.clone()).collect();
            feedback::summarise_digests(&digests, &notes)
        });
        Summary {
            role_name: self.role_name.clone(),
            questions_planned: self.plan.len(),
            questions_answered: questions.len(),
            follow_ups_answered,
            ended_early: self.ended_early,
            questions,
            checks,
            words_spoken: self.turns.iter().map(Turn::words).sum(),
            coaching,
        }
    }
}
