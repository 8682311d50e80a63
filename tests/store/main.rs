//! The store against real SQLite files in temporary folders: the helpers shared by the
//! test files beside this one.

#[path = "../common/backends.rs"]
#[macro_use]
mod backends;
mod busy;
#[path = "../common/sqlite.rs"]
mod common_sqlite;
mod coordination;
mod daily;
mod interviews;
mod open;
mod outbox;
mod pairs;
mod postgres;
mod progress;
mod shards;
mod sweep;

use std::path::{Path, PathBuf};
use std::time::Duration;

use backends::TestDb;
use common_sqlite::checkpoint;
use interview_coach::store::{
    Applied, CloseReason, Created, Deleted, Interview, InterviewId, InterviewStatus, NewAnswer,
    NewInterview, NextState, OutboxId, OutgoingMessage, ShardFilter, Store, StoreError,
};
use rusqlite::Connection;

const GUILD: u64 = 900_000_000_000_000_001;
const OTHER_GUILD: u64 = 900_000_000_000_000_002;
const ALICE: u64 = 100_000_000_000_000_001;
const BOB: u64 = 100_000_000_000_000_002;
const T0: i64 = 1_700_000_000;
const DAY: i64 = 86_400;

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join("coach.db")
}

fn new_interview(guild_id: u64, user_id: u64, thread_id: u64) -> NewInterview {
    NewInterview {
        guild_id,
        thread_id,
        user_id,
        role_id: "backend".into(),
        role_name: "Backend engineer".into(),
        state_json: r#"{"step":0}"#.into(),
        format_version: 1,
    }
}

fn message(channel_id: u64, text: &str) -> OutgoingMessage {
    OutgoingMessage {
        channel_id,
        payload_json: serde_json::json!({ "content": text }).to_string(),
    }
}

fn answer(interview: InterviewId, message_id: u64, headline: Option<&str>) -> NewAnswer {
    NewAnswer {
        interview_id: interview,
        message_id,
        text: format!("my answer in message {message_id}"),
        prompt: "Tell me about a time you debugged production.".into(),
        feedback_json: headline.map(|h| serde_json::json!({ "headline": h }).to_string()),
        feedback_headline: headline.map(str::to_owned),
    }
}

fn next(expected_revision: i64, step: u32, finished: bool) -> NextState {
    NextState {
        expected_revision,
        state_json: format!(r#"{{"step":{step}}}"#),
        format_version: 1,
        finished,
    }
}

async fn create(store: &Store, new: &NewInterview, now: i64) -> Interview {
    match store.create_interview(new, &[], now).await.unwrap() {
        Created::New { interview, .. } => interview,
        Created::AlreadyOpen(existing) => panic!("unexpected open interview {existing:?}"),
    }
}

async fn record(store: &Store, a: &NewAnswer, n: &NextState, now: i64) -> Vec<OutboxId> {
    let out = [message(7, "feedback"), message(7, "next question")];
    match store.apply_answer(a, n, &out, now).await.unwrap() {
        Applied::Recorded { outbox, .. } => outbox,
        other => panic!("answer not recorded: {other:?}"),
    }
}

/// A file as the first schema left it: our application id, migration 1's
/// tables and one open interview, with no record yet of which migrations ran
/// (each caller writes its own: `user_version`, or sqlx's table).
fn first_schema_file(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "application_id", 0x4943_6f61)
        .unwrap();
    conn.execute_batch(include_str!("../../migrations/sqlite/0001_initial.sql"))
        .unwrap();
    conn.execute(
        "INSERT INTO interviews (guild_id, thread_id, user_id, role_id, role_name, state_json, \
         format_version, created_at, last_activity_at) VALUES (?, 5, ?, 'backend', 'Backend', '{}', 1, ?, ?)",
        rusqlite::params![GUILD as i64, ALICE as i64, T0, T0],
    )
    .unwrap();
    conn
}

/// A raw connection to inspect the file without going through the store.
fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

async fn pending_ids(store: &Store) -> Vec<OutboxId> {
    let pending = store.pending_outbox(ShardFilter::ALL).await.unwrap();
    pending.iter().map(|i| i.id).collect()
}

fn count(path: &Path, sql: &str) -> i64 {
    raw(path).query_row(sql, [], |row| row.get(0)).unwrap()
}

/// Whether the database itself refused a statement (a constraint or check), whichever the
/// backend.
fn refused_by_database(err: &StoreError) -> bool {
    matches!(err, StoreError::Query { .. } | StoreError::Postgres { .. })
}
