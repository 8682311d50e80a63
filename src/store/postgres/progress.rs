//! A member's analysed answers over time, for the progress chart.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::rows::{all, col, to_db, FromRow};
use super::Postgres;
use crate::store::contract::interviews::Progress;
use crate::store::error::StoreError;
use crate::store::model::progress::{InterviewState, MemberProgress, ProgressRow};
use crate::store::model::InterviewId;

impl FromRow for ProgressRow {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(ProgressRow {
            interview_id: InterviewId(col(row, 0)?),
            created_at: col(row, 1)?,
            prompt: col(row, 2)?,
            feedback_json: col(row, 3)?,
        })
    }
}

impl FromRow for InterviewState {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(InterviewState {
            interview_id: InterviewId(col(row, 0)?),
            state_json: col(row, 1)?,
        })
    }
}

#[async_trait]
impl Progress for Postgres {
    async fn member_progress(&self, user_id: u64) -> Result<MemberProgress, StoreError> {
        const OP: &str = "read the member's progress";
        let user = to_db(user_id);
        // One transaction, so the answers and the states come from one snapshot.
        transaction!(self, OP, |tx| {
            let answers = all(
                &tx,
                "SELECT a.interview_id, a.created_at, a.prompt, a.feedback_json \
                 FROM answers a JOIN interviews i ON i.id = a.interview_id \
                 WHERE i.user_id = $1 AND a.feedback_json IS NOT NULL \
                 ORDER BY a.created_at, a.id",
                &[&user],
                OP,
                ProgressRow::from_row,
            )
            .await?;
            let interviews = all(
                &tx,
                "SELECT i.id, i.state_json FROM interviews i WHERE i.user_id = $1 \
                 AND EXISTS (SELECT 1 FROM answers a \
                             WHERE a.interview_id = i.id AND a.feedback_json IS NOT NULL) \
                 ORDER BY i.id",
                &[&user],
                OP,
                InterviewState::from_row,
            )
            .await?;
            Ok(MemberProgress {
                answers,
                interviews,
            })
        })
    }
}
