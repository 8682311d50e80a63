//! The outbox: what is queued survives a crash, is posted in order, and is marked once.

use std::process::{Command, Stdio};
use std::time::Instant;

use super::*;

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
        .args([
            "outbox::crash_child",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
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
    let pending = store.pending_outbox(ShardFilter::ALL).await.unwrap();
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
    assert!(store
        .pending_outbox(ShardFilter::ALL)
        .await
        .unwrap()
        .is_empty());
    drop(store);
    let store = Store::open(&path).await.unwrap();
    assert!(store
        .pending_outbox(ShardFilter::ALL)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        count(
            &path,
            "SELECT posted_message_id FROM outbox ORDER BY id LIMIT 1"
        ),
        5000,
        "the first mark is kept"
    );
}

async fn pending_outbox_is_oldest_first_and_discard_drops_an_item(db: TestDb) {
    let store = db.open().await;
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
    let pending = store.pending_outbox(ShardFilter::ALL).await.unwrap();
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

async fn posted_marks_are_batched_and_the_first_mark_wins(db: TestDb) {
    let store = db.open().await;
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
        let sql = format!("SELECT {name} FROM outbox WHERE id = {}", item.0);
        let db = &db;
        async move { db.count(&sql).await }
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
    let store = db.open().await;
    assert!(store
        .pending_outbox(ShardFilter::ALL)
        .await
        .unwrap()
        .is_empty());
}

on_both_backends!(
    pending_outbox_is_oldest_first_and_discard_drops_an_item,
    posted_marks_are_batched_and_the_first_mark_wins,
);
