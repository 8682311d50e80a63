//! The store against real SQLite files in temporary folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use interview_coach::store::{
    Applied, CloseReason, Created, Deleted, Interview, InterviewId, InterviewStatus, NewAnswer,
    NewInterview, NextState, OutboxId, OutgoingMessage, Store, StoreError,
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

/// A raw connection to inspect the file without going through the store.
fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

async fn pending_ids(store: &Store) -> Vec<OutboxId> {
    let pending = store.pending_outbox().await.unwrap();
    pending.iter().map(|i| i.id).collect()
}

fn count(path: &Path, sql: &str) -> i64 {
    raw(path).query_row(sql, [], |row| row.get(0)).unwrap()
}

#[tokio::test]
async fn open_creates_folder_and_file_and_migrates_from_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    assert!(!path.parent().unwrap().exists());

    let store = Store::open(&path).await.unwrap();
    assert!(path.is_file());
    assert_eq!(store.path(), path);
    assert!(store.open_interviews().await.unwrap().is_empty());
    assert!(store.pending_outbox().await.unwrap().is_empty());

    let conn = raw(&path);
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let tables: String = conn
        .query_row(
            "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema \
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(tables, "answers interviews outbox");
    drop(conn);
    assert_eq!(count(&path, "PRAGMA user_version"), 1);
    store.close().await;

    // Opening again applies nothing twice and keeps the file.
    let store = Store::open(&path).await.unwrap();
    assert_eq!(count(&path, "PRAGMA user_version"), 1);
    assert_eq!(
        count(
            &path,
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'"
        ),
        3
    );
    store.close().await;
}

/// Releases up to this one applied migrations with sqlx, which records them in a table of
/// its own and leaves `user_version` at 0. Such a file must open with its data, not be
/// migrated a second time (which would fail on the existing tables).
#[tokio::test]
async fn a_database_migrated_by_sqlx_opens_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    {
        // What sqlx's migrator left behind: the schema, its bookkeeping table, and our id.
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", 0x4943_6f61)
            .unwrap();
        conn.execute_batch(include_str!("../migrations/0001_initial.sql"))
            .unwrap();
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
               installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
               checksum BLOB NOT NULL, execution_time BIGINT NOT NULL); \
             INSERT INTO _sqlx_migrations VALUES (1, 'initial', CURRENT_TIMESTAMP, TRUE, x'00', 1);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO interviews (guild_id, thread_id, user_id, role_id, role_name, state_json, \
             format_version, created_at, last_activity_at) VALUES (?, 5, ?, 'backend', 'Backend', '{}', 1, ?, ?)",
            rusqlite::params![GUILD as i64, ALICE as i64, T0, T0],
        )
        .unwrap();
    }
    let store = Store::open(&path).await.unwrap();
    let open = store.open_interviews().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].user_id, ALICE);
    store.close().await;
    assert_eq!(count(&path, "PRAGMA user_version"), 1);
}

/// A file written by a newer release (a schema version this build does not know) is
/// refused with a message that says so, and left as it is.
#[tokio::test]
async fn a_database_from_a_newer_release_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    let store = Store::open(&path).await.unwrap();
    store.close().await;
    raw(&path).pragma_update(None, "user_version", 99).unwrap();

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            err,
            StoreError::TooNew {
                found: 99,
                known: 1,
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert_eq!(count(&path, "PRAGMA user_version"), 99);
}

#[tokio::test]
async fn foreign_keys_and_json_checks_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(db_in(&dir)).await.unwrap();

    // Not JSON: refused at write time, nothing stored.
    let mut bad = new_interview(GUILD, ALICE, 1);
    bad.state_json = "not json".into();
    let err = store.create_interview(&bad, &[], T0).await.unwrap_err();
    assert!(matches!(err, StoreError::Query { .. }), "{err}");
    assert!(store.open_interviews().await.unwrap().is_empty());

    // Queueing for an interview that does not exist.
    let err = store
        .enqueue(InterviewId(42), &[message(1, "hi")], T0)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(InterviewId(42))),
        "{err}"
    );

    // Answering an interview that does not exist.
    let err = store
        .apply_answer(
            &answer(InterviewId(42), 5, None),
            &next(0, 1, false),
            &[],
            T0,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(InterviewId(42))),
        "{err}"
    );
}

#[tokio::test]
async fn an_interview_continues_after_the_store_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let thread = 555;

    let id = {
        let store = Store::open(&path).await.unwrap();
        let created = store
            .create_interview(
                &new_interview(GUILD, ALICE, thread),
                &[message(thread, "first question")],
                T0,
            )
            .await
            .unwrap();
        let Created::New { interview, outbox } = created else {
            panic!("not created: {created:?}")
        };
        assert_eq!(outbox.len(), 1);
        let ids = record(
            &store,
            &answer(interview.id, 1001, Some("Good start")),
            &next(0, 1, false),
            T0 + 60,
        )
        .await;
        assert_eq!(ids.len(), 2);
        interview.id
        // Dropped without close(): nothing relies on a clean shutdown.
    };

    let store = Store::open(&path).await.unwrap();
    let open = store.open_interviews().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(store.open_threads().await.unwrap(), [thread]);
    let loaded = store.interview_by_thread(thread).await.unwrap().unwrap();
    assert_eq!(loaded.id, id);
    assert_eq!(loaded, open[0]);
    assert_eq!(loaded.state_json, r#"{"step":1}"#);
    assert_eq!(loaded.revision, 1);
    assert_eq!(loaded.status, InterviewStatus::Open);
    assert_eq!(loaded.last_activity_at, T0 + 60);
    assert_eq!((loaded.guild_id, loaded.user_id), (GUILD, ALICE));
    assert_eq!(loaded.role_name, "Backend engineer");

    // Continue from the reloaded state to the end.
    let applied = store
        .apply_answer(
            &answer(id, 1002, Some("Strong finish")),
            &next(loaded.revision, 2, true),
            &[message(thread, "summary")],
            T0 + 120,
        )
        .await
        .unwrap();
    assert!(
        matches!(applied, Applied::Recorded { revision: 2, finished: true, ref outbox } if outbox.len() == 1),
        "{applied:?}"
    );
    store.close().await;

    let store = Store::open(&path).await.unwrap();
    let done = store.interview(id).await.unwrap().unwrap();
    assert_eq!(done.status, InterviewStatus::Finished);
    assert_eq!(done.finished_at, Some(T0 + 120));
    assert_eq!(done.state_json, r#"{"step":2}"#);
    assert!(store.open_interviews().await.unwrap().is_empty());
    assert!(
        store.open_threads().await.unwrap().is_empty(),
        "a finished interview's thread is not open"
    );
    let answers = store.answers(id).await.unwrap();
    assert_eq!(
        answers.iter().map(|a| a.message_id).collect::<Vec<_>>(),
        [1001, 1002]
    );
    assert_eq!(
        answers[1].feedback_headline.as_deref(),
        Some("Strong finish")
    );
    // The member's next /mock is allowed now that this one finished.
    create(&store, &new_interview(GUILD, ALICE, thread + 1), T0 + 200).await;
}

#[tokio::test]
async fn the_same_message_applied_twice_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let store = Store::open(&path).await.unwrap();
    let interview = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;

    let first = record(
        &store,
        &answer(interview.id, 777, Some("ok")),
        &next(0, 1, false),
        T0 + 5,
    )
    .await;
    assert_eq!(first.len(), 2);
    let after_first = store.interview(interview.id).await.unwrap().unwrap();

    // Discord redelivers the event; the engine (from the state it had) computes again.
    let again = store
        .apply_answer(
            &answer(interview.id, 777, Some("ok")),
            &next(0, 1, true),
            &[message(10, "would be a second copy")],
            T0 + 50,
        )
        .await
        .unwrap();
    assert_eq!(again, Applied::Duplicate);

    assert_eq!(
        store.interview(interview.id).await.unwrap().unwrap(),
        after_first
    );
    assert_eq!(store.answers(interview.id).await.unwrap().len(), 1);
    let pending = store.pending_outbox().await.unwrap();
    assert_eq!(pending.iter().map(|i| i.id).collect::<Vec<_>>(), first);
    assert_eq!(count(&path, "SELECT COUNT(*) FROM outbox"), 2);
}

#[tokio::test]
async fn stale_and_closed_interviews_refuse_answers_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(db_in(&dir)).await.unwrap();
    let interview = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;

    // Two messages handled from the same revision 0: the second one loses.
    record(
        &store,
        &answer(interview.id, 1, None),
        &next(0, 1, false),
        T0 + 1,
    )
    .await;
    let lost = store
        .apply_answer(
            &answer(interview.id, 2, None),
            &next(0, 1, false),
            &[message(10, "x")],
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        lost,
        Applied::Stale {
            current_revision: 1
        }
    );
    assert_eq!(store.answers(interview.id).await.unwrap().len(), 1);

    // Closed meanwhile (e.g. by the idle sweep).
    let reason = InterviewStatus::Closed(CloseReason::Idle);
    assert!(store
        .close_interview(interview.id, reason, T0 + 3)
        .await
        .unwrap());
    let late = store
        .apply_answer(
            &answer(interview.id, 2, None),
            &next(1, 2, false),
            &[message(10, "x")],
            T0 + 4,
        )
        .await
        .unwrap();
    assert_eq!(late, Applied::NotOpen(reason));
    let stored = store.interview(interview.id).await.unwrap().unwrap();
    assert_eq!((stored.revision, stored.last_activity_at), (1, T0 + 1));
    assert_eq!(store.answers(interview.id).await.unwrap().len(), 1);
    assert_eq!(store.pending_outbox().await.unwrap().len(), 2);
}

#[tokio::test]
async fn one_open_interview_per_member_per_guild() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(db_in(&dir)).await.unwrap();
    let first = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;

    let again = store
        .create_interview(
            &new_interview(GUILD, ALICE, 11),
            &[message(11, "q1")],
            T0 + 1,
        )
        .await
        .unwrap();
    match again {
        Created::AlreadyOpen(existing) => {
            assert_eq!(existing.id, first.id);
            assert_eq!(existing.thread_id, 10);
        }
        other => panic!("second interview created: {other:?}"),
    }
    assert!(
        store.pending_outbox().await.unwrap().is_empty(),
        "nothing queued"
    );
    assert!(store.interview_by_thread(11).await.unwrap().is_none());

    // Other members, and the same member in another guild, are independent.
    create(&store, &new_interview(GUILD, BOB, 12), T0).await;
    create(&store, &new_interview(OTHER_GUILD, ALICE, 13), T0).await;
    assert_eq!(store.open_interviews().await.unwrap().len(), 3);
    let mut threads = store.open_threads().await.unwrap();
    threads.sort_unstable();
    assert_eq!(threads, [10, 12, 13]);
    assert_eq!(
        store
            .open_interview_for_user(GUILD, ALICE)
            .await
            .unwrap()
            .map(|i| i.id),
        Some(first.id)
    );

    // A thread holds one open interview.
    let err = store
        .create_interview(&new_interview(OTHER_GUILD, BOB, 10), &[], T0)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Query { .. }), "{err}");

    // Once it is closed, a new one may start.
    let ended = InterviewStatus::Closed(CloseReason::Ended);
    assert!(store
        .close_interview(first.id, ended, T0 + 2)
        .await
        .unwrap());
    let second = create(&store, &new_interview(GUILD, ALICE, 14), T0 + 3).await;
    assert_ne!(second.id, first.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_mock_commands_create_exactly_one_interview() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(db_in(&dir)).await.unwrap();

    let tasks: Vec<_> = (0..8u64)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_interview(
                        &new_interview(GUILD, ALICE, 100 + i),
                        &[message(100 + i, "q")],
                        T0,
                    )
                    .await
            })
        })
        .collect();
    let mut created = Vec::new();
    let mut refused = Vec::new();
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Created::New { interview, .. } => created.push(interview),
            Created::AlreadyOpen(existing) => refused.push(existing),
        }
    }
    assert_eq!(created.len(), 1);
    assert_eq!(refused.len(), 7);
    assert!(refused.iter().all(|r| r.id == created[0].id));
    assert_eq!(store.pending_outbox().await.unwrap().len(), 1);
}

#[tokio::test]
async fn close_variants_end_the_right_interview_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(db_in(&dir)).await.unwrap();
    let a = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    let b = create(&store, &new_interview(GUILD, BOB, 20), T0).await;

    let deleted = InterviewStatus::Closed(CloseReason::ThreadDeleted);
    assert_eq!(
        store.close_by_thread(10, deleted, T0 + 5).await.unwrap(),
        Some(a.id)
    );
    assert_eq!(
        store.close_by_thread(10, deleted, T0 + 6).await.unwrap(),
        None
    );
    // The first ending wins.
    assert!(!store
        .close_interview(a.id, InterviewStatus::Abandoned, T0 + 7)
        .await
        .unwrap());
    let a_now = store.interview(a.id).await.unwrap().unwrap();
    assert_eq!((a_now.status, a_now.finished_at), (deleted, Some(T0 + 5)));
    // A closed interview is still found by its thread (for messages arriving late).
    assert_eq!(
        store.interview_by_thread(10).await.unwrap().map(|i| i.id),
        Some(a.id)
    );

    let left = InterviewStatus::Closed(CloseReason::MemberLeft);
    assert_eq!(
        store
            .close_by_user_in_guild(OTHER_GUILD, BOB, left, T0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .close_by_user_in_guild(GUILD, BOB, left, T0 + 8)
            .await
            .unwrap(),
        Some(b.id)
    );
    assert_eq!(store.interview(b.id).await.unwrap().unwrap().status, left);

    assert!(matches!(
        store.close_interview(a.id, InterviewStatus::Open, T0).await,
        Err(StoreError::CloseAsOpen)
    ));
    assert!(matches!(
        store
            .close_with_messages(a.id, InterviewStatus::Open, &[], T0)
            .await,
        Err(StoreError::CloseAsOpen)
    ));
    assert!(matches!(
        store.close_by_thread(10, InterviewStatus::Open, T0).await,
        Err(StoreError::CloseAsOpen)
    ));
    assert!(store.open_interviews().await.unwrap().is_empty());
}

/// Run by `outbox_survives_kill_9` as a separate process, which it then kills with SIGKILL.
#[tokio::test]
#[ignore = "helper: runs as a child process of outbox_survives_kill_9"]
async fn crash_child() {
    let Ok(dir) = std::env::var("STORE_CRASH_CHILD_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let store = Store::open(dir.join("coach.db")).await.unwrap();
    let created = store
        .create_interview(
            &new_interview(GUILD, ALICE, 10),
            &[message(10, "first question")],
            T0,
        )
        .await
        .unwrap();
    let Created::New { interview, .. } = created else {
        panic!("not created")
    };
    record(
        &store,
        &answer(interview.id, 4242, Some("Nice")),
        &next(0, 1, false),
        T0 + 30,
    )
    .await;
    // Committed; the bot would now post. Tell the parent, then wait to be killed.
    std::fs::write(dir.join("committed"), interview.id.0.to_string()).unwrap();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test]
async fn outbox_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("committed");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--ignored", "--test-threads=1"])
        .env("STORE_CRASH_CHILD_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("child exited before committing: {status}");
        }
        assert!(Instant::now() < deadline, "child did not commit in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no destructors, no checkpoint, no clean close.
    child.wait().unwrap();
    let id = InterviewId(std::fs::read_to_string(&marker).unwrap().parse().unwrap());

    let path = dir.path().join("coach.db");
    let store = Store::open(&path).await.unwrap();
    let pending = store.pending_outbox().await.unwrap();
    let contents: Vec<String> = pending
        .iter()
        .map(|item| {
            let payload: serde_json::Value = serde_json::from_str(&item.payload_json).unwrap();
            payload["content"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(contents, ["first question", "feedback", "next question"]);
    assert!(pending.iter().all(|i| i.interview_id == id));
    assert_eq!(pending[0].channel_id, 10);
    assert_eq!(pending[1].created_at, T0 + 30);
    let interview = store.interview(id).await.unwrap().unwrap();
    assert_eq!(
        (interview.revision, interview.state_json.as_str()),
        (1, r#"{"step":1}"#)
    );

    // The restarted bot replays the member's message: deduped.
    let replay = store
        .apply_answer(
            &answer(id, 4242, Some("Nice")),
            &next(0, 1, false),
            &[message(10, "dup")],
            T0 + 90,
        )
        .await
        .unwrap();
    assert_eq!(replay, Applied::Duplicate);

    // Post everything once; after that nothing is pending, even across another restart.
    for (n, item) in pending.iter().enumerate() {
        assert!(store
            .mark_posted(item.id, 5000 + n as u64, T0 + 100)
            .await
            .unwrap());
    }
    assert!(!store
        .mark_posted(pending[0].id, 9999, T0 + 101)
        .await
        .unwrap());
    assert!(store.pending_outbox().await.unwrap().is_empty());
    drop(store);
    let store = Store::open(&path).await.unwrap();
    assert!(store.pending_outbox().await.unwrap().is_empty());
    assert_eq!(
        count(
            &path,
            "SELECT posted_message_id FROM outbox ORDER BY id LIMIT 1"
        ),
        5000,
        "the first mark is kept"
    );
}

#[tokio::test]
async fn pending_outbox_is_oldest_first_and_discard_drops_an_item() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(db_in(&dir)).await.unwrap();
    let a = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    let b = create(&store, &new_interview(GUILD, BOB, 20), T0).await;

    let first = store
        .enqueue(b.id, &[message(20, "b1")], T0 + 10)
        .await
        .unwrap();
    let second = record(&store, &answer(a.id, 1, None), &next(0, 1, false), T0 + 10).await;
    let third = store
        .enqueue(b.id, &[message(20, "b2")], T0 + 10)
        .await
        .unwrap();
    let expected: Vec<OutboxId> = [first, second, third].concat();
    let pending = store.pending_outbox().await.unwrap();
    assert_eq!(pending.iter().map(|i| i.id).collect::<Vec<_>>(), expected);

    assert!(store.discard_outbox(expected[0]).await.unwrap());
    assert!(!store.discard_outbox(expected[0]).await.unwrap());
    assert!(store.mark_posted(expected[1], 77, T0 + 11).await.unwrap());
    assert!(
        !store.discard_outbox(expected[1]).await.unwrap(),
        "posted items stay"
    );
    assert_eq!(pending_ids(&store).await, expected[2..]);
}

#[tokio::test]
async fn posted_marks_are_batched_and_the_first_mark_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let store = Store::open(&path).await.unwrap();
    let a = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    let items = store
        .enqueue(
            a.id,
            &[message(10, "one"), message(10, "two"), message(10, "three")],
            T0,
        )
        .await
        .unwrap();
    assert!(store.mark_posted(items[0], 70, T0 + 1).await.unwrap());

    // A second mark for an already-marked item changes nothing; snowflakes above
    // i64::MAX survive the trip through JSON.
    store.mark_posted_soon(items[0], 71, T0 + 2);
    store.mark_posted_soon(items[1], u64::MAX - 5, T0 + 3);
    // The background task may write them first; either way they are written once.
    store.flush_posted_marks().await.unwrap();
    assert_eq!(pending_ids(&store).await, [items[2]]);
    let column = |name: &'static str, item: OutboxId| {
        let path = path.clone();
        async move {
            count(
                &path,
                &format!("SELECT {name} FROM outbox WHERE id = {}", item.0),
            )
        }
    };
    assert_eq!(column("posted_message_id", items[0]).await, 70);
    assert_eq!(column("posted_at", items[1]).await, T0 + 3);
    assert_eq!(
        column("posted_message_id", items[1]).await,
        (u64::MAX - 5) as i64
    );

    // Closing writes what is still queued.
    store.mark_posted_soon(items[2], 72, T0 + 4);
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    assert!(store.pending_outbox().await.unwrap().is_empty());
}

#[tokio::test]
async fn idle_interviews_are_computed_from_stored_activity() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let idle = 30 * 60;
    let (quiet, busy) = {
        let store = Store::open(&path).await.unwrap();
        let quiet = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
        let busy = create(&store, &new_interview(GUILD, BOB, 20), T0).await;
        record(
            &store,
            &answer(busy.id, 1, None),
            &next(0, 1, false),
            T0 + 1000,
        )
        .await;
        let finished = create(&store, &new_interview(OTHER_GUILD, ALICE, 30), T0).await;
        let closed = InterviewStatus::Closed(CloseReason::Ended);
        assert!(store
            .close_interview(finished.id, closed, T0)
            .await
            .unwrap());
        (quiet.id, busy.id)
    };

    // After a restart, with no timers carried over.
    let store = Store::open(&path).await.unwrap();
    let ids = |list: Vec<Interview>| list.into_iter().map(|i| i.id).collect::<Vec<_>>();
    let idle_secs = u64::try_from(idle).unwrap();
    assert!(
        store
            .idle_interviews(T0 + idle, idle_secs)
            .await
            .unwrap()
            .is_empty(),
        "exactly at the limit is not idle"
    );
    assert_eq!(
        ids(store
            .idle_interviews(T0 + idle + 1, idle_secs)
            .await
            .unwrap()),
        [quiet]
    );
    assert_eq!(
        ids(store
            .idle_interviews(T0 + 1000 + idle + 1, idle_secs)
            .await
            .unwrap()),
        [quiet, busy],
        "least recently active first"
    );
    assert_eq!(
        ids(store.idle_interviews(T0, u64::MAX).await.unwrap()),
        Vec::<InterviewId>::new()
    );
}

#[tokio::test]
async fn history_lists_recent_interviews_with_answer_counts_and_latest_headline() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(db_in(&dir)).await.unwrap();

    let old = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    record(
        &store,
        &answer(old.id, 1, Some("Clear structure")),
        &next(0, 1, false),
        T0 + 10,
    )
    .await;
    record(
        &store,
        &answer(old.id, 2, Some("Missed the trade-offs")),
        &next(1, 2, true),
        T0 + 20,
    )
    .await;

    let mut frontend = new_interview(OTHER_GUILD, ALICE, 20);
    frontend.role_id = "frontend".into();
    frontend.role_name = "Frontend engineer".into();
    let mid = create(&store, &frontend, T0 + DAY).await;
    record(
        &store,
        &answer(mid.id, 3, Some("Good")),
        &next(0, 1, false),
        T0 + DAY + 1,
    )
    .await;
    record(
        &store,
        &answer(mid.id, 4, None),
        &next(1, 2, false),
        T0 + DAY + 2,
    )
    .await;
    let idle = InterviewStatus::Closed(CloseReason::Idle);
    assert!(store
        .close_interview(mid.id, idle, T0 + 2 * DAY)
        .await
        .unwrap());

    let new = create(&store, &new_interview(GUILD, ALICE, 30), T0 + 3 * DAY).await;
    create(&store, &new_interview(GUILD, BOB, 40), T0 + 4 * DAY).await;

    let history = store.history(ALICE, 10).await.unwrap();
    let ids: Vec<_> = history.iter().map(|h| h.interview_id).collect();
    assert_eq!(ids, [new.id, mid.id, old.id], "newest first, only Alice's");

    assert_eq!(
        (history[0].answers, history[0].latest_headline.as_deref()),
        (0, None)
    );
    assert_eq!(history[0].status, InterviewStatus::Open);

    assert_eq!(history[1].role_name, "Frontend engineer");
    assert_eq!(history[1].guild_id, OTHER_GUILD);
    assert_eq!(history[1].answers, 2);
    assert_eq!(
        history[1].latest_headline, None,
        "the latest answer had no feedback"
    );
    assert_eq!(
        (history[1].status, history[1].finished_at),
        (idle, Some(T0 + 2 * DAY))
    );

    assert_eq!(history[2].role_id, "backend");
    assert_eq!(history[2].answers, 2);
    assert_eq!(
        history[2].latest_headline.as_deref(),
        Some("Missed the trade-offs")
    );
    assert_eq!(history[2].status, InterviewStatus::Finished);
    assert_eq!(history[2].created_at, T0);

    let limited = store.history(ALICE, 2).await.unwrap();
    assert_eq!(
        limited.iter().map(|h| h.interview_id).collect::<Vec<_>>(),
        [new.id, mid.id]
    );
    assert!(store.history(12345, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn forget_me_deletes_everything_about_the_member_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let store = Store::open(&path).await.unwrap();

    // Alice: a finished interview in one guild and an open one in another.
    let a1 = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    let out = record(
        &store,
        &answer(a1.id, 1, Some("ok")),
        &next(0, 1, false),
        T0 + 1,
    )
    .await;
    assert!(store.mark_posted(out[0], 50, T0 + 2).await.unwrap());
    record(
        &store,
        &answer(a1.id, 2, Some("ok")),
        &next(1, 2, true),
        T0 + 3,
    )
    .await;
    let a2 = store
        .create_interview(
            &new_interview(OTHER_GUILD, ALICE, 20),
            &[message(20, "q1")],
            T0 + 4,
        )
        .await
        .unwrap();
    assert!(matches!(a2, Created::New { .. }));
    // Bob, who stays.
    let b = create(&store, &new_interview(GUILD, BOB, 30), T0).await;
    record(
        &store,
        &answer(b.id, 3, Some("fine")),
        &next(0, 1, false),
        T0 + 5,
    )
    .await;

    let deleted = store.forget_user(ALICE).await.unwrap();
    assert_eq!(
        deleted,
        Deleted {
            interviews: 2,
            answers: 2,
            outbox: 5
        }
    );

    assert!(store.history(ALICE, 100).await.unwrap().is_empty());
    assert!(store
        .open_interview_for_user(OTHER_GUILD, ALICE)
        .await
        .unwrap()
        .is_none());
    assert!(store.answers(a1.id).await.unwrap().is_empty());
    assert!(store
        .pending_outbox()
        .await
        .unwrap()
        .iter()
        .all(|i| i.interview_id == b.id));
    for table in ["interviews", "answers", "outbox"] {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE {}",
            if table == "interviews" {
                "user_id = ?"
            } else {
                "interview_id IN (SELECT id FROM interviews WHERE user_id = ?)"
            }
        );
        let n: i64 = raw(&path)
            .query_row(&sql, [ALICE as i64], |row| row.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    // No orphans left behind either.
    assert_eq!(count(&path, "SELECT COUNT(*) FROM answers WHERE interview_id <> (SELECT id FROM interviews WHERE user_id = 100000000000000002)"), 0);
    assert_eq!(count(&path, "SELECT COUNT(*) FROM interviews"), 1);
    assert_eq!(count(&path, "SELECT COUNT(*) FROM answers"), 1);
    assert_eq!(count(&path, "SELECT COUNT(*) FROM outbox"), 2);

    // Bob is untouched; forgetting again finds nothing.
    assert_eq!(store.history(BOB, 10).await.unwrap()[0].answers, 1);
    assert!(store.forget_user(ALICE).await.unwrap().is_empty());
}

#[tokio::test]
async fn retention_sweep_deletes_only_old_ended_interviews() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let store = Store::open(&path).await.unwrap();
    let retention_days = 30;
    let now = T0 + 100 * DAY;

    // Finished 31 days ago: swept, with its answers and outbox.
    let old = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    record(
        &store,
        &answer(old.id, 1, None),
        &next(0, 1, true),
        now - 31 * DAY,
    )
    .await;
    // Closed 31 days ago: swept.
    let old_closed = create(&store, &new_interview(GUILD, BOB, 20), T0).await;
    let ended = InterviewStatus::Closed(CloseReason::Ended);
    assert!(store
        .close_interview(old_closed.id, ended, now - 31 * DAY)
        .await
        .unwrap());
    // Ended 29 days ago: kept.
    let recent = create(&store, &new_interview(OTHER_GUILD, ALICE, 30), T0).await;
    assert!(store
        .close_interview(recent.id, InterviewStatus::Abandoned, now - 29 * DAY)
        .await
        .unwrap());
    // Open, and untouched for 99 days: kept (idle handling is not retention's job).
    let open = create(&store, &new_interview(OTHER_GUILD, BOB, 40), T0).await;

    let deleted = store.sweep_retention(now, retention_days).await.unwrap();
    assert_eq!(
        deleted,
        Deleted {
            interviews: 2,
            answers: 1,
            outbox: 2
        }
    );
    assert!(store.interview(old.id).await.unwrap().is_none());
    assert!(store.interview(old_closed.id).await.unwrap().is_none());
    assert!(store.interview(recent.id).await.unwrap().is_some());
    assert!(store.interview(open.id).await.unwrap().is_some());
    assert_eq!(count(&path, "SELECT COUNT(*) FROM answers"), 0);
    assert_eq!(count(&path, "SELECT COUNT(*) FROM outbox"), 0);

    // Idempotent.
    assert!(store
        .sweep_retention(now, retention_days)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_corrupt_file_is_an_error_naming_the_path_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    // Deterministic "random" bytes.
    let mut x: u32 = 0x1234_5678;
    let garbage: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(&path, &garbage).unwrap();

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains("not a database"), "{text}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file must not be replaced"
    );
}

#[tokio::test]
async fn a_damaged_database_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    {
        let store = Store::open(&path).await.unwrap();
        for user in 0..200 {
            create(&store, &new_interview(GUILD, user, 10_000 + user), T0).await;
        }
        store.close().await;
    }
    // `close` returns once the last connection has checkpointed the WAL into the file
    // and removed it; a checkpoint after the damage below would overwrite it.
    assert!(
        !dir.path().join("coach.db-wal").exists(),
        "the store did not finish closing"
    );
    // Overwrite the middle of the file (past the header) with garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 3 * 4096, "{}", bytes.len());
    for b in &mut bytes[4096 + 100..3 * 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Damaged { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file must not be replaced"
    );
}

#[tokio::test]
async fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap();

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Foreign { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    // Not migrated: only the other program's table is there.
    assert_eq!(
        count(
            &path,
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'"
        ),
        1
    );
}

#[tokio::test]
async fn an_unwritable_path_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    // The parent "folder" is a regular file, so nothing can be created below it.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let path = blocker.join("data").join("coach.db");

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::CreateDir { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");

    // The path itself is a folder: SQLite cannot open it.
    let folder = dir.path().join("a-folder.db");
    std::fs::create_dir(&folder).unwrap();
    let err = Store::open(&folder).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{text}");
    assert!(text.contains(&folder.display().to_string()), "{text}");
    assert!(folder.is_dir());
}

/// Ending an interview early closes it and queues its summary in one transaction; a
/// second ending does neither.
#[tokio::test]
async fn closing_with_a_summary_is_one_write_and_happens_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let store = Store::open(&path).await.unwrap();
    let a = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    let idle = InterviewStatus::Closed(CloseReason::Idle);

    let ids = store
        .close_with_messages(a.id, idle, &[message(10, "summary")], T0 + 5)
        .await
        .unwrap()
        .expect("it was open");
    assert_eq!(pending_ids(&store).await, ids);
    let closed = store.interview(a.id).await.unwrap().unwrap();
    assert_eq!((closed.status, closed.finished_at), (idle, Some(T0 + 5)));

    let ended = InterviewStatus::Closed(CloseReason::Ended);
    assert_eq!(
        store
            .close_with_messages(a.id, ended, &[message(10, "again")], T0 + 6)
            .await
            .unwrap(),
        None
    );
    assert_eq!(pending_ids(&store).await, ids, "no second summary");
    assert_eq!(store.interview(a.id).await.unwrap().unwrap().status, idle);
    store.close().await;
    assert_eq!(count(&path, "SELECT COUNT(*) FROM outbox"), 1);
}
