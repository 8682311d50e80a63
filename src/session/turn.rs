//! One interview step at a time, with no storage: the engine's move and what
//! the coach says about it. The bot's use cases commit what these return;
//! `practice` prints it.

use crate::coach::engine::{AnswerError, AnswerFeedback, Interview, Step};
use crate::coach::feedback::Cues;
use crate::guide::{Question, Role};

use super::post::{answer_reply, prompt_post, summary_post, Medium, Post};

/// A taken answer: the feedback (stored with the answer) and the reply to show.
pub struct Turn {
    pub feedback: Option<AnswerFeedback>,
    pub finished: bool,
    pub reply: Post,
}

/// Starts an interview of the planned questions; returns it with its first prompt.
pub fn begin(
    role: &Role,
    plan: &[&Question],
    follow_ups: usize,
    medium: Medium,
) -> (Interview, Post) {
    let (interview, first) = Interview::start(role, plan, follow_ups);
    (interview, prompt_post(&first, medium))
}

/// Gives `text` to the interview as the answer to its current prompt. A
/// turned-down answer leaves the interview as it was.
pub fn take_answer(
    interview: &mut Interview,
    text: &str,
    cues: Option<&Cues>,
    medium: Medium,
) -> Result<Turn, AnswerError> {
    let answered = interview.answer_with(text, cues)?;
    Ok(Turn {
        finished: matches!(answered.step, Step::Finished(_)),
        reply: answer_reply(&answered, medium),
        feedback: answered.feedback,
    })
}

/// Ends the interview where it is and returns its summary.
pub fn finish(interview: &mut Interview, medium: Medium) -> Post {
    summary_post(&interview.end(), medium)
}

/// The prompt waiting for an answer, said again (after a turned-down answer).
pub fn current_prompt(interview: &Interview, medium: Medium) -> Option<Post> {
    interview.current().map(|p| prompt_post(&p, medium))
}
