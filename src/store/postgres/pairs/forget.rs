//! `/forget-me` and retention for peer interviews.
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
//! bot already posted in Discord threads is Discord's, as for `/mock`.) PostgreSQL has no
//! `secure_delete`: a deleted row's bytes stay in the table's files, and in the
//! write-ahead log, until vacuumed space is written over, as for deleted interviews.
//!
//! All of it is one transaction: a crash leaves either everything or nothing forgotten,
//! and a round cannot be started or scored in between.
//!
//! # Retention
//!
//! Ended pairs whose end is older than `retention_days` are deleted with their rounds,
//! answers, scorecards and ratings, as ended interviews are; open pairs never are (the
//! idle sweep ends them first).

use async_trait::async_trait;
use deadpool_postgres::GenericClient;

use super::{end_where, FromRow};
use crate::store::contract::pairs::PairMembers;
use crate::store::error::StoreError;
use crate::store::model::pairs::{EndReason, PairsDeleted, PairsForgotten, QueueEntry};
use crate::store::postgres::rows::{all, execute, to_db};
use crate::store::postgres::Postgres;

#[async_trait]
impl PairMembers for Postgres {
    async fn forget_pair_member(
        &self,
        user_id: u64,
        now: i64,
    ) -> Result<PairsForgotten, StoreError> {
        let user = to_db(user_id);
        transaction!(self, "forget a member's pairs", |tx| {
            forget(&tx, user, now).await
        })
    }

    async fn sweep_pair_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<PairsDeleted, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        transaction!(self, "delete peer interview data", |tx| {
            let pairs = "SELECT id FROM pairs WHERE status <> 'open' AND ended_at < $1";
            let rounds = format!("SELECT id FROM pair_rounds WHERE pair_id IN ({pairs})");
            let deleted = PairsDeleted {
                answers: delete(
                    &tx,
                    &format!("pair_answers WHERE round_id IN ({rounds})"),
                    cutoff,
                )
                .await?,
                scorecards: {
                    delete(
                        &tx,
                        &format!("pair_ratings WHERE round_id IN ({rounds})"),
                        cutoff,
                    )
                    .await?;
                    delete(
                        &tx,
                        &format!("pair_scorecards WHERE round_id IN ({rounds})"),
                        cutoff,
                    )
                    .await?
                },
                rounds: delete(
                    &tx,
                    &format!("pair_rounds WHERE pair_id IN ({pairs})"),
                    cutoff,
                )
                .await?,
                pairs: delete(
                    &tx,
                    "pairs WHERE status <> 'open' AND ended_at < $1",
                    cutoff,
                )
                .await?,
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
    }
}

/// `DELETE FROM {what}` with the one parameter `$1`; how many rows went. Children are
/// deleted before their parents so that the counts are known (a cascade would not say).
async fn delete<C: GenericClient>(client: &C, what: &str, param: i64) -> Result<u64, StoreError> {
    let sql = format!("DELETE FROM {what}");
    execute(client, &sql, &[&param], "delete peer interview data").await
}

/// Removes the member's id from the columns `a` and `b` of `table` in the rows `filter`
/// (a condition whose one parameter is `$1`, the member) selects; how many rows matched.
async fn unname<C: GenericClient>(
    client: &C,
    user: i64,
    table: &str,
    (a, b): (&str, &str),
    filter: &str,
) -> Result<u64, StoreError> {
    let sql =
        format!("UPDATE {table} SET {a} = NULLIF({a}, $1), {b} = NULLIF({b}, $1) WHERE {filter}");
    execute(client, &sql, &[&user], "forget a member's pairs").await
}

/// [`forget_pair_member`](crate::store::PairMembers::forget_pair_member)'s work, inside
/// its transaction.
async fn forget<C: GenericClient>(
    client: &C,
    user: i64,
    now: i64,
) -> Result<PairsForgotten, StoreError> {
    // In the order the entries were first stored, so the order does not depend on the
    // plan (SQLite's scan of its user index gives its rowid order, the same).
    let queue = all(
        client,
        concat!(
            "WITH gone AS (DELETE FROM pair_queue WHERE user_id = $1 RETURNING ",
            queue_columns!(),
            ", seq) SELECT ",
            queue_columns!(),
            " FROM gone ORDER BY seq"
        ),
        &[&user],
        "forget queue entries",
        QueueEntry::from_row,
    )
    .await?;
    // First, so that the pairs are ended while they still name both members (the table
    // requires it of open pairs).
    let member = "(first_interviewer = $3 OR first_candidate = $3)";
    let ended = end_where(client, member, &[user], EndReason::Left, now).await?;

    // The rounds of the member's pairs, through the pairs' member indexes.
    let theirs = "SELECT id FROM pairs WHERE first_interviewer = $1 OR first_candidate = $1";
    let as_candidate =
        format!("SELECT id FROM pair_rounds WHERE pair_id IN ({theirs}) AND candidate_id = $1");
    let answers = delete(
        client,
        &format!("pair_answers WHERE round_id IN ({as_candidate})"),
        user,
    )
    .await?;
    delete(
        client,
        &format!("pair_ratings WHERE round_id IN ({as_candidate})"),
        user,
    )
    .await?;
    let scorecards = delete(
        client,
        &format!("pair_scorecards WHERE round_id IN ({as_candidate})"),
        user,
    )
    .await?;

    let rounds = unname(
        client,
        user,
        "pair_rounds",
        ("interviewer_id", "candidate_id"),
        &format!("pair_id IN ({theirs})"),
    )
    .await?;
    let pairs = unname(
        client,
        user,
        "pairs",
        ("first_interviewer", "first_candidate"),
        "first_interviewer = $1 OR first_candidate = $1",
    )
    .await?;
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
