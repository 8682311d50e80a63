//! `/forget-me` and retention for peer interviews. Deleted rows leave the file: the
//! connections run with `secure_delete`.
//!
//! # What `/forget-me` removes, and what the partner keeps
//!
//! A pair holds data about both members, so forgetting one must not delete the other's.
//! For the forgotten member:
//!
//! * their queue entries (every server) are deleted;
//! * their open pairs end ([`EndReason::Left`]) so the partner can be told;
//! * in the rounds where they were the **candidate**, their answers are deleted, and so is
//!   the whole scorecard the partner wrote about them: ratings and notes both describe
//!   their answer, and to the one reader who knows who it was, even bare ratings tied to
//!   a question and a time would still be about them. The round stays, as the partner's
//!   record of having asked that question, with no candidate;
//! * in the rounds where they were the **interviewer**, the partner keeps their own
//!   answers and the scorecard written about them: it is the partner's feedback, and it
//!   describes the partner, not the scorer. It carries no scorer id (a scorecard's scorer
//!   is its round's interviewer), and that id is removed;
//! * their id is removed from every pair and round (set to NULL: "a forgotten member").
//!
//! So nothing stored names the forgotten member or describes them afterwards. (What the
//! bot already posted in Discord threads is Discord's, as for `/mock`.)
//!
//! All of it is one write job, so one transaction: a crash leaves either everything or
//! nothing forgotten, and a round cannot be started or scored in between.
//!
//! # Retention
//!
//! Ended pairs whose end is older than `retention_days` are deleted with their rounds,
//! answers, scorecards and ratings, as ended interviews are; open pairs never are (the
//! idle sweep ends them first).

use async_trait::async_trait;
use rusqlite::Connection;

use super::{end_where, FromRow};
use crate::store::contract::pairs::PairMembers;
use crate::store::error::StoreError;
use crate::store::model::pairs::{EndReason, PairsDeleted, PairsForgotten, QueueEntry};
use crate::store::sqlite::rows::{all, to_db};
use crate::store::sqlite::Sqlite;

#[async_trait]
impl PairMembers for Sqlite {
    async fn forget_pair_member(
        &self,
        user_id: u64,
        now: i64,
    ) -> Result<PairsForgotten, StoreError> {
        self.write(move |conn| forget(conn, to_db(user_id), now))
            .await
    }

    async fn sweep_pair_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<PairsDeleted, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        self.write(move |conn| {
            let pairs = "SELECT id FROM pairs WHERE status <> 'open' AND ended_at < ?1";
            let rounds = format!("SELECT id FROM pair_rounds WHERE pair_id IN ({pairs})");
            let deleted = PairsDeleted {
                answers: delete(
                    conn,
                    &format!("pair_answers WHERE round_id IN ({rounds})"),
                    cutoff,
                )?,
                scorecards: {
                    delete(
                        conn,
                        &format!("pair_ratings WHERE round_id IN ({rounds})"),
                        cutoff,
                    )?;
                    delete(
                        conn,
                        &format!("pair_scorecards WHERE round_id IN ({rounds})"),
                        cutoff,
                    )?
                },
                rounds: delete(
                    conn,
                    &format!("pair_rounds WHERE pair_id IN ({pairs})"),
                    cutoff,
                )?,
                pairs: delete(
                    conn,
                    "pairs WHERE status <> 'open' AND ended_at < ?1",
                    cutoff,
                )?,
            };
            if !deleted.is_empty() {
                tracing::info!(
                    pairs = deleted.pairs,
                    rounds = deleted.rounds,
                    answers = deleted.answers,
                    scorecards = deleted.scorecards,
                    retention_days,
                    "retention sweep deleted old pairs"
                );
            }
            Ok(deleted)
        })
        .await
    }
}

/// `DELETE FROM {what}` with the one parameter `?1`; how many rows went. Children are
/// deleted before their parents so that the counts are known (a cascade would not say).
fn delete(conn: &Connection, what: &str, param: i64) -> Result<u64, StoreError> {
    let sql = format!("DELETE FROM {what}");
    let rows = conn
        .execute(&sql, [param])
        .map_err(StoreError::query("delete peer interview data"))?;
    Ok(rows as u64)
}

/// [`forget_pair_member`](crate::store::PairMembers::forget_pair_member)'s job, on the writer thread inside its transaction.
fn forget(conn: &Connection, user: i64, now: i64) -> Result<PairsForgotten, StoreError> {
    let queue = all(
        conn,
        concat!(
            "DELETE FROM pair_queue WHERE user_id = ? RETURNING ",
            queue_columns!()
        ),
        [user],
        "forget queue entries",
        QueueEntry::from_row,
    )?;
    // First, so that the pairs are ended while they still name both members (the table
    // requires it of open pairs).
    let member = "(first_interviewer = ? OR first_candidate = ?)";
    let ended = end_where(conn, member, &[user, user], EndReason::Left, now)?;

    // The rounds of the member's pairs, through the pairs' member indexes.
    let theirs = "SELECT id FROM pairs WHERE first_interviewer = ?1 OR first_candidate = ?1";
    let as_candidate =
        format!("SELECT id FROM pair_rounds WHERE pair_id IN ({theirs}) AND candidate_id = ?1");
    let answers = delete(
        conn,
        &format!("pair_answers WHERE round_id IN ({as_candidate})"),
        user,
    )?;
    delete(
        conn,
        &format!("pair_ratings WHERE round_id IN ({as_candidate})"),
        user,
    )?;
    let scorecards = delete(
        conn,
        &format!("pair_scorecards WHERE round_id IN ({as_candidate})"),
        user,
    )?;

    let unname = |table: &str, a: &str, b: &str, filter: &str| -> Result<u64, StoreError> {
        let sql = format!(
            "UPDATE {table} SET {a} = nullif({a}, ?1), {b} = nullif({b}, ?1) WHERE {filter}"
        );
        let rows = conn
            .execute(&sql, [user])
            .map_err(StoreError::query("forget a member's pairs"))?;
        Ok(rows as u64)
    };
    let rounds = unname(
        "pair_rounds",
        "interviewer_id",
        "candidate_id",
        &format!("pair_id IN ({theirs})"),
    )?;
    let pairs = unname(
        "pairs",
        "first_interviewer",
        "first_candidate",
        "first_interviewer = ?1 OR first_candidate = ?1",
    )?;
    let forgotten = PairsForgotten {
        ended,
        queue,
        answers,
        scorecards,
        pairs,
        rounds,
    };
    // Counts only: the point of this call is to stop keeping things about the member.
    tracing::info!(
        queue = forgotten.queue.len(),
        ended = forgotten.ended.len(),
        answers,
        scorecards,
        pairs,
        rounds,
        "forgot a member's peer interviews on request"
    );
    Ok(forgotten)
}
