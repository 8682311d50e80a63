//! A member's analysed answers over time, as the progress chart reads them.

use super::InterviewId;

/// One answer that has feedback, as [`member_progress`](crate::store::Progress::member_progress) reads it. Holds no answer
/// text, but the analysis quotes it (its evidence): personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    pub interview_id: InterviewId,
    /// When the answer was recorded, unix seconds.
    pub created_at: i64,
    /// What the answer replied to: a main question, a follow-up or a probe.
    pub prompt: String,
    /// The coach's analysis of the answer, as stored (JSON).
    pub feedback_json: String,
}

/// An interview's engine state, as stored (opaque to the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewState {
    pub interview_id: InterviewId,
    pub state_json: String,
}

/// What [`member_progress`](crate::store::Progress::member_progress) returns: the answers, and the states of the interviews
/// they belong to, which tell main questions from follow-ups (the `answers` table keeps
/// only the prompt's text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberProgress {
    /// Oldest first.
    pub answers: Vec<ProgressRow>,
    /// One per interview that has an answer in `answers`, by interview id.
    pub interviews: Vec<InterviewState>,
}
