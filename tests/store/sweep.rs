//! `/history`, `/forget-me` and the retention sweep.

use super::*;

async fn history_lists_recent_interviews_with_answer_counts_and_latest_headline(db: TestDb) {
    let store = db.open().await;

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

async fn forget_me_deletes_everything_about_the_member_and_nothing_else(db: TestDb) {
    let store = db.open().await;

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
        .pending_outbox(ShardFilter::ALL)
        .await
        .unwrap()
        .iter()
        .all(|i| i.interview_id == b.id));
    for table in ["interviews", "answers", "outbox"] {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE {}",
            if table == "interviews" {
                format!("user_id = {}", ALICE as i64)
            } else {
                format!(
                    "interview_id IN (SELECT id FROM interviews WHERE user_id = {})",
                    ALICE as i64
                )
            }
        );
        assert_eq!(db.count(&sql).await, 0, "{table}");
    }
    // No orphans left behind either.
    let orphans = "SELECT COUNT(*) FROM answers WHERE interview_id <> \
                   (SELECT id FROM interviews WHERE user_id = 100000000000000002)";
    assert_eq!(db.count(orphans).await, 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM interviews").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM answers").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 2);

    // Bob is untouched; forgetting again finds nothing.
    assert_eq!(store.history(BOB, 10).await.unwrap()[0].answers, 1);
    assert!(store.forget_user(ALICE).await.unwrap().is_empty());
}

async fn retention_sweep_deletes_only_old_ended_interviews(db: TestDb) {
    let store = db.open().await;
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
    assert_eq!(db.count("SELECT COUNT(*) FROM answers").await, 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);

    // Idempotent.
    assert!(store
        .sweep_retention(now, retention_days)
        .await
        .unwrap()
        .is_empty());
}

/// What `/forget-me` deletes leaves the file: no trace of an answer's text is left in the
/// database or its write-ahead log once the log is checkpointed.
#[tokio::test]
async fn forgotten_answers_leave_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let store = Store::open(&path).await.unwrap();
    const MARKER: &str = "zebra-marmalade-7731-my-secret-answer";
    let a = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    // Bob's interview keeps the tables' pages in use.
    let b = create(&store, &new_interview(GUILD, BOB, 20), T0).await;
    record(
        &store,
        &answer(b.id, 1, Some("kept")),
        &next(0, 1, false),
        T0,
    )
    .await;
    let mut secret = answer(a.id, 2, Some("ok"));
    secret.text = format!("{MARKER} and some more words");
    record(&store, &secret, &next(0, 1, false), T0 + 1).await;
    // Checkpointed into the file, so the deletion below changes the file's own pages.
    checkpoint(&path);
    let file_has_marker = |file: &Path| {
        let bytes = std::fs::read(file).unwrap_or_default();
        bytes.windows(MARKER.len()).any(|w| w == MARKER.as_bytes())
    };
    assert!(
        file_has_marker(&path),
        "the answer was not written to the file"
    );

    store.forget_user(ALICE).await.unwrap();
    checkpoint(&path);
    let wal = path.with_extension("db-wal");
    assert!(
        !file_has_marker(&path),
        "the answer is still in the database file"
    );
    assert!(
        !file_has_marker(&wal),
        "the answer is still in the write-ahead log"
    );
    assert_eq!(store.answers(b.id).await.unwrap().len(), 1);
    store.close().await;
    assert!(!file_has_marker(&path));
}

on_both_backends!(
    forget_me_deletes_everything_about_the_member_and_nothing_else,
    history_lists_recent_interviews_with_answer_counts_and_latest_headline,
    retention_sweep_deletes_only_old_ended_interviews,
);
