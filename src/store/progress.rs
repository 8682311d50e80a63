//! A member's analysed answers over time, for the progress chart (`/progress`,
//! `interview-coach progress`).

use rusqlite::Row;

use super::error::StoreError;
use super::model::InterviewId;
use super::rows::{all, col, to_db, FromRow};
use super::Store;

/// One answer that has feedback, as [`Store::member_progress`] reads it. Holds no answer
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

/// What [`Store::member_progress`] returns: the answers, and the states of the interviews
/// they belong to, which tell main questions from follow-ups (the `answers` table keeps
/// only the prompt's text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberProgress {
    /// Oldest first.
    pub answers: Vec<ProgressRow>,
    /// One per interview that has an answer in `answers`, by interview id.
    pub interviews: Vec<InterviewState>,
}

impl FromRow for ProgressRow {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(ProgressRow {
            interview_id: InterviewId(col(row, 0)?),
            created_at: col(row, 1)?,
            prompt: col(row, 2)?,
            feedback_json: col(row, 3)?,
        })
    }
}

impl FromRow for InterviewState {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(InterviewState {
            interview_id: InterviewId(col(row, 0)?),
            state_json: col(row, 1)?,
        })
    }
}

impl Store {
    /// The member's answers that have feedback, in every guild, oldest first (by time,
    /// then in the order they were recorded), with their interviews' states. Read in one
    /// transaction, so every answer's interview is there. Contains personal data.
    pub async fn member_progress(&self, user_id: u64) -> Result<MemberProgress, StoreError> {
        const OP: &str = "read the member's progress";
        self.read(move |conn| {
            let tx = conn.transaction().map_err(StoreError::query(OP))?;
            let answers = all(
                &tx,
                "SELECT a.interview_id, a.created_at, a.prompt, a.feedback_json \
                 FROM answers a JOIN interviews i ON i.id = a.interview_id \
                 WHERE i.user_id = ? AND a.feedback_json IS NOT NULL \
                 ORDER BY a.created_at, a.id",
                [to_db(user_id)],
                OP,
                ProgressRow::from_row,
            )?;
            let interviews = all(
                &tx,
                "SELECT i.id, i.state_json FROM interviews i WHERE i.user_id = ? \
                 AND EXISTS (SELECT 1 FROM answers a \
                             WHERE a.interview_id = i.id AND a.feedback_json IS NOT NULL) \
                 ORDER BY i.id",
                [to_db(user_id)],
                OP,
                InterviewState::from_row,
            )?;
            tx.commit().map_err(StoreError::query(OP))?;
            Ok(MemberProgress {
                answers,
                interviews,
            })
        })
        .await
    }
}
