//! The `answers` table, and recording an answer with everything that follows from it.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::outbox::insert_outbox;
use super::rows::{all, col, execute, first, snowflake, status, to_db, FromRow};
use super::Postgres;
use crate::store::contract::interviews::Answers;
use crate::store::error::StoreError;
use crate::store::model::{
    Answer, Applied, InterviewId, InterviewStatus, NewAnswer, NextState, OutgoingMessage,
};

impl FromRow for Answer {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(Answer {
            interview_id: InterviewId(col(row, 0)?),
            message_id: snowflake(row, 1)?,
            text: col(row, 2)?,
            prompt: col(row, 3)?,
            feedback_json: col(row, 4)?,
            feedback_headline: col(row, 5)?,
            created_at: col(row, 6)?,
        })
    }
}

#[async_trait]
impl Answers for Postgres {
    async fn apply_answer(
        &self,
        answer: &NewAnswer,
        next: &NextState,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Applied, StoreError> {
        let id = answer.interview_id;
        let message_id = to_db(answer.message_id);
        // The interview's row lock orders its answers; the duplicate check is a statement
        // of its own, so it sees an answer committed while this one waited for the lock.
        transaction!(self, "record an answer", ReadCommitted, |tx| {
            let (current, revision) = first(
                &tx,
                "SELECT status, revision FROM interviews WHERE id = $1 FOR UPDATE",
                &[&id.0],
                "load an interview",
                |row| Ok((status(row, 0)?, col::<i64>(row, 1)?)),
            )
            .await?
            .ok_or(StoreError::NotFound(id))?;
            let seen = first(
                &tx,
                "SELECT EXISTS (SELECT 1 FROM answers WHERE message_id = $1)",
                &[&message_id],
                "look for the answer",
                |row| col::<bool>(row, 0),
            )
            .await?
            .unwrap_or(false);
            if seen {
                tracing::debug!(interview = %id, message_id = answer.message_id, "duplicate answer ignored");
                return Ok(Applied::Duplicate);
            }
            if !current.is_open() {
                tracing::debug!(interview = %id, status = %current, "answer to an interview that is not open");
                return Ok(Applied::NotOpen(current));
            }
            if revision != next.expected_revision {
                tracing::debug!(
                    interview = %id,
                    current = revision,
                    expected = next.expected_revision,
                    "answer computed from a stale state"
                );
                return Ok(Applied::Stale {
                    current_revision: revision,
                });
            }
            let status = match next.finished {
                true => InterviewStatus::Finished,
                false => InterviewStatus::Open,
            };
            let op = "record an answer";
            execute(
                &tx,
                "INSERT INTO answers (interview_id, message_id, answer_text, prompt, \
                 feedback_json, feedback_headline, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id.0,
                    &message_id,
                    &answer.text,
                    &answer.prompt,
                    &answer.feedback_json,
                    &answer.feedback_headline,
                    &now,
                ],
                op,
            )
            .await?;
            execute(
                &tx,
                "UPDATE interviews SET state_json = $1, format_version = $2, \
                 revision = revision + 1, last_activity_at = $3, status = $4, \
                 finished_at = $5 WHERE id = $6",
                &[
                    &next.state_json,
                    &i64::from(next.format_version),
                    &now,
                    &status.as_str(),
                    &next.finished.then_some(now),
                    &id.0,
                ],
                op,
            )
            .await?;
            let outbox = insert_outbox(&tx, id, outgoing, now).await?;
            tracing::debug!(
                interview = %id,
                message_id = answer.message_id,
                revision = revision + 1,
                finished = next.finished,
                queued = outbox.len(),
                "answer recorded"
            );
            Ok(Applied::Recorded {
                outbox,
                revision: revision + 1,
                finished: next.finished,
            })
        })
    }

    async fn answers(&self, interview: InterviewId) -> Result<Vec<Answer>, StoreError> {
        let op = "list answers";
        let client = self.client(op).await?;
        let sql = "SELECT interview_id, message_id, answer_text, prompt, feedback_json, \
                   feedback_headline, created_at FROM answers WHERE interview_id = $1 \
                   ORDER BY id";
        all(&client, sql, &[&interview.0], op, Answer::from_row).await
    }
}
