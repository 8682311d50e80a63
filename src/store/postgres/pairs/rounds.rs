//! The rounds of a pair, their answers and scorecards, and the summary of them all.
//!
//! Every write checks, in its own transaction, that the pair is still open and the round
//! still the one it was meant for: an ending, a swap or `/forget-me` that committed first
//! wins, and the later call writes nothing.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::{optional_snowflake, optional_to_db, FromRow};
use crate::store::contract::pairs::PairRounds;
use crate::store::error::StoreError;
use crate::store::model::pairs::{
    AnswerWrite, NewRound, NewScorecard, NextRound, Pair, PairId, PairSummary, PeerAnswer, Round,
    RoundId, RoundSummary, Scorecard,
};
use crate::store::postgres::rows::{all, col, execute, first, snowflake, to_db};
use crate::store::postgres::Postgres;

/// The columns [`Round::from_row`] reads, in order.
macro_rules! round_columns {
    () => {
        "id, pair_id, number, interviewer_id, candidate_id, role_id, question_id, step_keys, \
         started_at, ended_at"
    };
}

/// A `SELECT` of [`round_columns!`] from `pair_rounds`, followed by `$rest`.
macro_rules! select_round {
    ($rest:literal) => {
        concat!("SELECT ", round_columns!(), " FROM pair_rounds ", $rest)
    };
}

/// Reads a row of [`select_round!`].
impl FromRow for Round {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        let number: i64 = col(row, 2)?;
        let keys: String = col(row, 7)?;
        Ok(Round {
            id: RoundId(col(row, 0)?),
            pair_id: PairId(col(row, 1)?),
            number: u32::try_from(number)
                .map_err(|_| StoreError::InvalidRow(format!("round number {number}")))?,
            interviewer: optional_snowflake(row, 3)?,
            candidate: optional_snowflake(row, 4)?,
            role_id: col(row, 5)?,
            question_id: col(row, 6)?,
            step_keys: serde_json::from_str(&keys)
                .map_err(|e| StoreError::InvalidRow(format!("round step keys: {e}")))?,
            started_at: col(row, 8)?,
            ended_at: col(row, 9)?,
        })
    }
}

#[async_trait]
impl PairRounds for Postgres {
    async fn round(&self, id: RoundId) -> Result<Option<Round>, StoreError> {
        let op = "load a round";
        let client = self.client(op).await?;
        let sql = select_round!("WHERE id = $1");
        first(&client, sql, &[&id.0], op, Round::from_row).await
    }

    async fn running_round(&self, pair: PairId) -> Result<Option<Round>, StoreError> {
        let client = self.client("load the running round").await?;
        running(&client, pair).await
    }

    async fn next_round(
        &self,
        pair: PairId,
        expected: Option<RoundId>,
        new: &NewRound,
        now: i64,
    ) -> Result<NextRound, StoreError> {
        transaction!(self, "start a round", |tx| {
            next_round(&tx, pair, expected, new, now).await
        })
    }

    async fn record_peer_answer(
        &self,
        round: RoundId,
        source_id: u64,
        text: &str,
        now: i64,
    ) -> Result<AnswerWrite, StoreError> {
        let source = to_db(source_id);
        transaction!(self, "record a peer answer", |tx| {
            let found = first(
                &tx,
                "SELECT r.ended_at IS NULL AND p.status = 'open', \
                   EXISTS (SELECT 1 FROM pair_answers WHERE source_id = $1), p.id \
                 FROM pair_rounds r JOIN pairs p ON p.id = r.pair_id WHERE r.id = $2",
                &[&source, &round.0],
                "load a round",
                |row| {
                    Ok((
                        col::<bool>(row, 0)?,
                        col::<bool>(row, 1)?,
                        col::<i64>(row, 2)?,
                    ))
                },
            )
            .await?;
            let Some((running, seen, pair)) = found else {
                return Ok(AnswerWrite::NotRunning);
            };
            if seen {
                return Ok(AnswerWrite::Duplicate);
            }
            if !running {
                return Ok(AnswerWrite::NotRunning);
            }
            execute(
                &tx,
                "INSERT INTO pair_answers (round_id, source_id, answer_text, created_at) \
                 VALUES ($1, $2, $3, $4)",
                &[&round.0, &source, &text, &now],
                "record a peer answer",
            )
            .await?;
            touch(&tx, pair, now).await?;
            Ok(AnswerWrite::Recorded)
        })
    }

    async fn record_scorecard(
        &self,
        round: RoundId,
        card: &NewScorecard,
        now: i64,
    ) -> Result<bool, StoreError> {
        transaction!(self, "record a scorecard", |tx| {
            let pair = first(
                &tx,
                "SELECT p.id FROM pair_rounds r JOIN pairs p ON p.id = r.pair_id \
                 WHERE r.id = $1 AND p.status = 'open'",
                &[&round.0],
                "load a round",
                |row| col::<i64>(row, 0),
            )
            .await?;
            let Some(pair) = pair else {
                return Ok(false);
            };
            let op = "record a scorecard";
            execute(
                &tx,
                "DELETE FROM pair_ratings WHERE round_id = $1",
                &[&round.0],
                op,
            )
            .await?;
            execute(
                &tx,
                "DELETE FROM pair_scorecards WHERE round_id = $1",
                &[&round.0],
                op,
            )
            .await?;
            execute(
                &tx,
                "INSERT INTO pair_scorecards (round_id, strength, improve, created_at) \
                 VALUES ($1, $2, $3, $4)",
                &[&round.0, &card.strength, &card.improve, &now],
                op,
            )
            .await?;
            for (key, rating) in &card.ratings {
                execute(
                    &tx,
                    "INSERT INTO pair_ratings (round_id, step_key, rating) VALUES ($1, $2, $3)",
                    &[&round.0, key, &i64::from(*rating)],
                    op,
                )
                .await?;
            }
            touch(&tx, pair, now).await?;
            Ok(true)
        })
    }

    async fn pair_summary(&self, pair: PairId) -> Result<Option<PairSummary>, StoreError> {
        // One transaction, so the pair, its rounds, answers and scorecards are one state.
        transaction!(self, "read a pair's summary", |tx| {
            summary(&tx, pair).await
        })
    }
}

/// Activity in the pair: its idle time starts again.
async fn touch<C: GenericClient>(client: &C, pair: i64, now: i64) -> Result<(), StoreError> {
    execute(
        client,
        "UPDATE pairs SET last_activity_at = GREATEST(last_activity_at, $1) WHERE id = $2",
        &[&now, &pair],
        "record a pair's activity",
    )
    .await
    .map(drop)
}

async fn running<C: GenericClient>(client: &C, pair: PairId) -> Result<Option<Round>, StoreError> {
    let sql = select_round!("WHERE pair_id = $1 AND ended_at IS NULL");
    first(
        client,
        sql,
        &[&pair.0],
        "load the running round",
        Round::from_row,
    )
    .await
}

/// [`next_round`](crate::store::PairRounds::next_round)'s work, inside its transaction.
async fn next_round<C: GenericClient>(
    client: &C,
    pair: PairId,
    expected: Option<RoundId>,
    new: &NewRound,
    now: i64,
) -> Result<NextRound, StoreError> {
    let sql = select_pair!("WHERE id = $1");
    let found = first(client, sql, &[&pair.0], "load a pair", Pair::from_row).await?;
    let Some(record) = found.filter(|p| p.status.is_open()) else {
        return Ok(NextRound::PairNotOpen);
    };
    let current = running(client, pair).await?;
    if current.as_ref().map(|r| r.id) != expected {
        return Ok(NextRound::Conflict { running: current });
    }
    let last = match &current {
        Some(round) => Some(round.clone()),
        None => {
            first(
                client,
                select_round!("WHERE pair_id = $1 ORDER BY number DESC LIMIT 1"),
                &[&pair.0],
                "load the last round",
                Round::from_row,
            )
            .await?
        }
    };
    let (interviewer, candidate, number) = match &last {
        Some(last) => (last.candidate, last.interviewer, last.number + 1),
        None => (record.first_interviewer, record.first_candidate, 1),
    };
    let ended = match current {
        Some(mut round) => {
            execute(
                client,
                "UPDATE pair_rounds SET ended_at = $1 WHERE id = $2",
                &[&now, &round.id.0],
                "end a round",
            )
            .await?;
            round.ended_at = Some(now);
            Some(round)
        }
        None => None,
    };
    let keys = serde_json::to_string(&new.step_keys)
        .map_err(|e| StoreError::InvalidRow(format!("round step keys: {e}")))?;
    let round = first(
        client,
        concat!(
            "INSERT INTO pair_rounds (pair_id, number, interviewer_id, candidate_id, role_id, \
             question_id, step_keys, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING ",
            round_columns!()
        ),
        &[
            &pair.0,
            &i64::from(number),
            &optional_to_db(interviewer),
            &optional_to_db(candidate),
            &new.role_id,
            &new.question_id,
            &keys,
            &now,
        ],
        "start a round",
        Round::from_row,
    )
    .await?
    .ok_or_else(|| StoreError::InvalidRow("starting a round returned no row".into()))?;
    touch(client, pair.0, now).await?;
    tracing::debug!(pair = %pair, round = round.number, question = %round.question_id, "round started");
    Ok(NextRound::Started { ended, round })
}

/// [`pair_summary`](crate::store::PairRounds::pair_summary)'s reads.
async fn summary<C: GenericClient>(
    client: &C,
    pair: PairId,
) -> Result<Option<PairSummary>, StoreError> {
    let sql = select_pair!("WHERE id = $1");
    let Some(record) = first(client, sql, &[&pair.0], "load a pair", Pair::from_row).await? else {
        return Ok(None);
    };
    let sql = select_round!("WHERE pair_id = $1 ORDER BY number");
    let rounds = all(
        client,
        sql,
        &[&pair.0],
        "list a pair's rounds",
        Round::from_row,
    )
    .await?;
    let mut out = Vec::with_capacity(rounds.len());
    for round in rounds {
        let answers = all(
            client,
            "SELECT round_id, source_id, answer_text, created_at FROM pair_answers \
             WHERE round_id = $1 ORDER BY id",
            &[&round.id.0],
            "list a round's answers",
            |row| {
                Ok(PeerAnswer {
                    round_id: RoundId(col(row, 0)?),
                    source_id: snowflake(row, 1)?,
                    text: col(row, 2)?,
                    created_at: col(row, 3)?,
                })
            },
        )
        .await?;
        let scorecard = scorecard(client, &round).await?;
        out.push(RoundSummary {
            round,
            answers,
            scorecard,
        });
    }
    Ok(Some(PairSummary {
        pair: record,
        rounds: out,
    }))
}

/// The round's scorecard, its ratings in the order of the round's steps.
async fn scorecard<C: GenericClient>(
    client: &C,
    round: &Round,
) -> Result<Option<Scorecard>, StoreError> {
    let card = first(
        client,
        "SELECT strength, improve, created_at FROM pair_scorecards WHERE round_id = $1",
        &[&round.id.0],
        "load a scorecard",
        |row| Ok((col::<String>(row, 0)?, col::<String>(row, 1)?, col(row, 2)?)),
    )
    .await?;
    let Some((strength, improve, created_at)) = card else {
        return Ok(None);
    };
    let mut ratings = all(
        client,
        "SELECT step_key, rating FROM pair_ratings WHERE round_id = $1",
        &[&round.id.0],
        "load a scorecard's ratings",
        |row| {
            let rating: i64 = col(row, 1)?;
            let rating = u8::try_from(rating)
                .map_err(|_| StoreError::InvalidRow(format!("rating {rating}")))?;
            Ok((col::<String>(row, 0)?, rating))
        },
    )
    .await?;
    let order = |key: &str| round.step_keys.iter().position(|k| k == key);
    ratings.sort_by(|(a, _), (b, _)| {
        // Keys the round does not list (none are stored) would go last, by name.
        (order(a).is_none(), order(a), a).cmp(&(order(b).is_none(), order(b), b))
    });
    Ok(Some(Scorecard {
        round_id: round.id,
        ratings,
        strength,
        improve,
        created_at,
    }))
}
