//! The peer-interview tables (migration 2): what they refuse on their own, and a
//! database of the first schema, with an interview in it, brought up to date.
//! The use cases are tested in `tests/pairs/`.

use interview_coach::store::{
    EndReason, NewQueueEntry, NewRound, PairSettings, QueueJoin, QueueReply, WantedRole,
};

use super::*;

fn queue_entry(user_id: u64) -> NewQueueEntry {
    NewQueueEntry {
        guild_id: GUILD,
        user_id,
        role: WantedRole::Role("backend".into()),
        level: None,
        channel_id: 7,
        reply: QueueReply {
            application_id: 1,
            token: format!("token-{user_id}"),
        },
    }
}

#[tokio::test]
async fn the_pair_tables_refuse_what_the_rules_forbid() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let store = Store::open(&path).await.unwrap();

    for minutes in [0, 15] {
        let bad = PairSettings {
            channel_id: None,
            queue_minutes: minutes,
            voice: false,
        };
        let err = store.set_pair_settings(GUILD, bad, T0).await.unwrap_err();
        assert!(err.to_string().contains("CHECK"), "{err}");
    }
    assert_eq!(store.pair_settings(GUILD).await.unwrap(), None);

    let waiting = store.join_queue(&queue_entry(ALICE), T0 + 600, T0).await;
    assert!(matches!(
        waiting,
        Ok(QueueJoin::Waiting { position: 1, .. })
    ));
    let Ok(QueueJoin::Matched { pair, .. }) =
        store.join_queue(&queue_entry(BOB), T0 + 600, T0).await
    else {
        panic!("expected a match");
    };
    let keys = vec!["situation".to_string(), "result".to_string()];
    let new = NewRound {
        role_id: "backend".into(),
        question_id: "q".into(),
        step_keys: keys,
    };
    let round = match store.next_round(pair.id, None, &new, T0).await.unwrap() {
        interview_coach::store::NextRound::Started { round, .. } => round,
        other => panic!("{other:?}"),
    };

    let conn = raw(&path);
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let refused = |sql: &str| {
        let err = conn.execute_batch(sql).unwrap_err();
        err.to_string()
    };
    let (p, r) = (pair.id.0, round.id.0);
    conn.execute(
        "INSERT INTO pair_scorecards (round_id, strength, improve, created_at) VALUES (?, 's', 'i', 0)",
        [r],
    )
    .unwrap();
    for rating in [0, 5] {
        let sql = format!("INSERT INTO pair_ratings VALUES ({r}, 'result', {rating})");
        assert!(refused(&sql).contains("CHECK"), "rating {rating}");
    }
    // A second running round in the pair, and a second open pair for Alice in her seat.
    let sql = format!(
        "INSERT INTO pair_rounds (pair_id, number, role_id, question_id, step_keys, started_at) \
         VALUES ({p}, 2, 'backend', 'q', '[]', 0)"
    );
    assert!(refused(&sql).contains("UNIQUE"), "{sql}");
    let sql = format!(
        "INSERT INTO pairs (guild_id, first_interviewer, first_candidate, created_at, \
         last_activity_at) VALUES ({}, {}, 5, 0, 0)",
        GUILD as i64, ALICE as i64
    );
    assert!(refused(&sql).contains("UNIQUE"), "{sql}");
    // An open pair always names both members; an ended one has its end time.
    let sql = format!(
        "INSERT INTO pairs (guild_id, first_interviewer, created_at, last_activity_at) \
         VALUES ({}, 6, 0, 0)",
        OTHER_GUILD as i64
    );
    assert!(refused(&sql).contains("CHECK"), "{sql}");
    let sql = format!("UPDATE pairs SET status = 'finished' WHERE id = {p}");
    assert!(refused(&sql).contains("CHECK"), "{sql}");
    let sql = format!("INSERT INTO pair_rounds (pair_id, number, role_id, question_id, step_keys, started_at) VALUES ({p}, 3, 'b', 'q', '{{}}', 0)");
    assert!(
        refused(&sql).contains("CHECK"),
        "step keys must be an array"
    );
    drop(conn);

    // Ending the pair ends the round; a second ending changes nothing.
    let ended = store
        .end_pair(pair.id, EndReason::Finished, T0 + 5)
        .await
        .unwrap();
    assert_eq!(ended.map(|p| p.ended_at), Some(Some(T0 + 5)));
    assert_eq!(
        store
            .end_pair(pair.id, EndReason::Idle, T0 + 6)
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.running_round(pair.id).await.unwrap(), None);
    assert_eq!(
        store.round(round.id).await.unwrap().unwrap().ended_at,
        Some(T0 + 5)
    );
    store.close().await;
}

/// A database left by the release before peer interviews opens with its interviews and
/// gains the pair tables.
#[tokio::test]
async fn a_first_schema_database_gains_the_pair_tables_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    {
        let conn = first_schema_file(&path);
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.open_interviews().await.unwrap().len(), 1);
    assert!(store.open_pairs(ShardFilter::ALL).await.unwrap().is_empty());
    let waiting = store
        .join_queue(&queue_entry(ALICE), T0 + 600, T0)
        .await
        .unwrap();
    assert!(matches!(waiting, QueueJoin::Waiting { .. }));
    store.close().await;
    assert_eq!(count(&path, "PRAGMA user_version"), 4);
}
