//! The `answers` table, and recording an answer with everything that follows from it.

use async_trait::async_trait;
use rusqlite::{params, Connection, Row};

use super::outbox::insert_outbox;
use super::rows::{all, col, execute, first, snowflake, status, to_db, FromRow};
use super::Sqlite;
use crate::store::contract::interviews::Answers;
use crate::store::error::StoreError;
use crate::store::model::OutgoingMessage;
use crate::store::model::{Answer, Applied, InterviewId, InterviewStatus, NewAnswer, NextState};

/// Reads a row of the `SELECT` in [`answers`](crate::store::Answers::answers).
impl FromRow for Answer {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
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
impl Answers for Sqlite {
    async fn apply_answer(
        &self,
        answer: &NewAnswer,
        next: &NextState,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Applied, StoreError> {
        let answer = answer.clone();
        let next = next.clone();
        let outgoing = outgoing.to_vec();
        self.write(move |conn| apply_answer(conn, &answer, &next, &outgoing, now))
            .await
    }

    async fn answers(&self, interview: InterviewId) -> Result<Vec<Answer>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                "SELECT interview_id, message_id, answer_text, prompt, feedback_json, \
                 feedback_headline, created_at FROM answers WHERE interview_id = ? ORDER BY id",
                [interview.0],
                "list answers",
                Answer::from_row,
            )
        })
        .await
    }
}

/// [`apply_answer`](crate::store::Answers::apply_answer)'s job, on the writer thread: the checks, then the answer, the
/// new state and the queued messages.
fn apply_answer(
    conn: &mut Connection,
    answer: &NewAnswer,
    next: &NextState,
    outgoing: &[OutgoingMessage],
    now: i64,
) -> Result<Applied, StoreError> {
    let id = answer.interview_id;
    let (current, revision, seen) = first(
        conn,
        "SELECT status, revision, EXISTS (SELECT 1 FROM answers WHERE message_id = ?) \
         FROM interviews WHERE id = ?",
        [to_db(answer.message_id), id.0],
        "load an interview",
        |row| Ok((status(row, 0)?, col::<i64>(row, 1)?, col::<bool>(row, 2)?)),
    )?
    .ok_or(StoreError::NotFound(id))?;
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

    let status = if next.finished {
        InterviewStatus::Finished
    } else {
        InterviewStatus::Open
    };
    let op = "record an answer";
    execute(
        conn,
        "INSERT INTO answers (interview_id, message_id, answer_text, prompt, feedback_json, \
         feedback_headline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            id.0,
            to_db(answer.message_id),
            answer.text,
            answer.prompt,
            answer.feedback_json,
            answer.feedback_headline,
            now
        ],
        op,
    )?;
    execute(
        conn,
        "UPDATE interviews SET state_json = ?, format_version = ?, revision = revision + 1, \
         last_activity_at = ?, status = ?, finished_at = ? WHERE id = ?",
        params![
            next.state_json,
            i64::from(next.format_version),
            now,
            status.as_str(),
            next.finished.then_some(now),
            id.0
        ],
        op,
    )?;
    let outbox = insert_outbox(conn, id, outgoing, now)?;
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
}
