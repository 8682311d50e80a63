//! The mock-interview engine: a pure state machine.
//!
//! An [`Interview`] holds a copy of every text it will need (questions,
//! follow-ups, the framework's steps), so a stored interview keeps working when
//! a guide reload removes its question or a new release changes the guides.
//! It does no I/O and reads no clock; both front ends feed it answers and show
//! what it says next. It serializes with serde so the store can persist it.

use serde::{Deserialize, Serialize};

use crate::guide::{FollowUp, FrameworkStep, Question, Role};

/// Bumped whenever the serialized shape changes incompatibly, so a stored
/// interview from an older release is recognised rather than misread.
pub const FORMAT_VERSION: u32 = 1;

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
}

impl PlannedQuestion {
    pub fn new(question: &Question, follow_ups: usize) -> Self {
        PlannedQuestion {
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptKind {
    /// One of the planned main questions.
    Main,
    /// A follow-up from the guide.
    FollowUp,
}

/// Something the interviewer says that expects an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub kind: PromptKind,
    /// 0-based index of the main question this belongs to.
    pub question: usize,
    pub questions_total: usize,
    /// 0-based index among this question's follow-ups, for follow-ups.
    pub follow_up: Option<usize>,
    pub follow_ups_total: usize,
    pub text: String,
}

/// One prompt and the candidate's answer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub prompt: Prompt,
    pub answer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    question: usize,
    follow_up: Option<usize>,
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
            },
            turns: Vec::new(),
            finished: questions.is_empty(),
            ended_early: false,
        };
        let first = interview.current().unwrap_or_else(|| Prompt {
            kind: PromptKind::Main,
            question: 0,
            questions_total: 0,
            follow_up: None,
            follow_ups_total: 0,
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
        let (kind, text) = match self.cursor.follow_up {
            None => (PromptKind::Main, planned.text.clone()),
            Some(i) => (
                PromptKind::FollowUp,
                planned.follow_ups.get(i)?.question.clone(),
            ),
        };
        Some(Prompt {
            kind,
            question: self.cursor.question,
            questions_total: self.plan.len(),
            follow_up: self.cursor.follow_up,
            follow_ups_total: planned.follow_ups.len(),
            text,
        })
    }

    /// The planned question the current prompt belongs to.
    pub fn current_question(&self) -> Option<&PlannedQuestion> {
        self.plan.get(self.cursor.question)
    }

    /// Takes an answer to the current prompt and moves on.
    pub fn answer(&mut self, text: &str) -> Result<Step, AnswerError> {
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
        self.turns.push(Turn {
            prompt,
            answer: answer.to_string(),
        });
        self.advance();
        Ok(match self.current() {
            Some(next) => Step::Ask(next),
            None => Step::Finished(self.summary()),
        })
    }

    fn advance(&mut self) {
        let follow_ups = self.plan[self.cursor.question].follow_ups.len();
        let next_follow_up = self.cursor.follow_up.map_or(0, |i| i + 1);
        if next_follow_up < follow_ups {
            self.cursor.follow_up = Some(next_follow_up);
        } else if self.cursor.question + 1 < self.plan.len() {
            self.cursor = Cursor {
                question: self.cursor.question + 1,
                follow_up: None,
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

    pub fn summary(&self) -> Summary {
        let mut questions = Vec::new();
        let mut checks = Vec::new();
        let mut follow_ups_answered = 0;
        for turn in &self.turns {
            match (turn.prompt.kind, turn.prompt.follow_up) {
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
                (PromptKind::FollowUp, None) => follow_ups_answered += 1,
            }
        }
        Summary {
            role_name: self.role_name.clone(),
            questions_planned: self.plan.len(),
            questions_answered: questions.len(),
            follow_ups_answered,
            ended_early: self.ended_early,
            questions,
            checks,
            words_spoken: self
                .turns
                .iter()
                .map(|t| t.answer.split_whitespace().count())
                .sum(),
        }
    }
}
