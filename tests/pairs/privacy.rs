//! `/forget-me` and retention for peer interviews: what goes, what the partner keeps.

use std::path::Path;

use interview_coach::store::{EndReason, PairStatus, PairsDeleted, PeerHistoryEntry};

use super::*;

/// Alice interviews Bob in round 1 and Bob interviews Alice in round 2; each answers
/// and is scored. Returns the pair.
async fn two_scored_rounds(f: &Fixture, bob_says: &str, alice_says: &str) -> Pair {
    let (pair, first) = f.pair_with_round(ALICE, BOB).await;
    f.pairs
        .answer(pair.id, BOB, 1, bob_says, T0 + 3)
        .await
        .unwrap()
        .unwrap();
    let mut about_bob = all_steps(&first, 2);
    about_bob.strength = "Bob kept calm.".into();
    f.pairs
        .score(first.id, ALICE, &about_bob, T0 + 4)
        .await
        .unwrap()
        .unwrap();
    let q2 = any_level("backend", 1);
    let swapped = f
        .pairs
        .swap(pair.id, ALICE, role("backend"), q2, T0 + 5)
        .await;
    let second = swapped.unwrap().unwrap().round;
    f.pairs
        .answer(pair.id, ALICE, 2, alice_says, T0 + 6)
        .await
        .unwrap()
        .unwrap();
    let mut about_alice = all_steps(&second, 3);
    about_alice.improve = "Alice could name the metric.".into();
    f.pairs
        .score(second.id, BOB, &about_alice, T0 + 7)
        .await
        .unwrap()
        .unwrap();
    pair
}

async fn forget_me_removes_the_member_and_what_was_said_about_them_and_the_partner_keeps_theirs(
    db: TestDb,
) {
    let f = fixture(db).await;
    let pair = two_scored_rounds(&f, "Bob's own words.", "Alice's own words.").await;
    // Bob also waits in another server; Carol and Dave have a pair of their own.
    let elsewhere = NewQueueEntry {
        guild_id: OTHER_GUILD,
        ..entry(BOB, None, None)
    };
    f.wait(&elsewhere, T0 + 8).await;
    f.wait(&entry(CAROL, Some("qa"), None), T0 + 8).await;
    let others = f.matched(&entry(DAVE, Some("qa"), None), T0 + 9).await;

    let forgotten = f.pairs.forget_member(BOB, T0 + 10).await.unwrap();
    // His open pair ended, so Alice can be told and the room closed.
    assert_eq!(forgotten.ended.len(), 1);
    assert_eq!(forgotten.ended[0].id, pair.id);
    assert_eq!(
        forgotten.ended[0].status,
        PairStatus::Ended(EndReason::Left)
    );
    let queued: Vec<u64> = forgotten.queue.iter().map(|e| e.guild_id).collect();
    assert_eq!(queued, [OTHER_GUILD], "with the reply to edit");
    assert_eq!((forgotten.answers, forgotten.scorecards), (1, 1));
    assert_eq!((forgotten.pairs, forgotten.rounds), (1, 2));

    let summary = f.summary(&pair).await;
    assert_eq!(summary.pair.first_interviewer, Some(ALICE));
    assert_eq!(summary.pair.first_candidate, None, "no longer named");
    let [one, two] = &summary.rounds[..] else {
        panic!("both rounds stay: {summary:?}")
    };
    // Round 1 was about Bob: his answer and Alice's scorecard of it are gone.
    assert_eq!(
        (one.round.interviewer, one.round.candidate),
        (Some(ALICE), None)
    );
    assert!(one.answers.is_empty());
    assert_eq!(one.scorecard, None);
    // Round 2 was about Alice: her answer and Bob's scorecard of it stay, unsigned.
    assert_eq!(
        (two.round.interviewer, two.round.candidate),
        (None, Some(ALICE))
    );
    assert_eq!(two.answers[0].text, "Alice's own words.");
    let kept = two.scorecard.as_ref().expect("Alice keeps her feedback");
    assert_eq!(kept.improve, "Alice could name the metric.");
    assert!(kept.ratings.iter().all(|(_, r)| *r == 3));

    // No row anywhere holds Bob's id.
    let bob = BOB as i64;
    for (table, columns) in [
        ("pair_queue", "user_id"),
        ("pairs", "first_interviewer, first_candidate"),
        ("pair_rounds", "interviewer_id, candidate_id"),
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {bob} IN ({columns})");
        assert_eq!(f.db.count(&sql).await, 0, "{table}");
    }
    let ratings = f.db.count("SELECT COUNT(*) FROM pair_ratings").await;
    assert_eq!(ratings, kept.ratings.len() as i64, "only those about Alice");

    // Others are untouched, and Bob may come back as a new member.
    assert!(f
        .pairs
        .active_pair(GUILD, CAROL)
        .await
        .unwrap()
        .is_some_and(|p| p.id == others.id));
    assert_eq!(f.pairs.queue(OTHER_GUILD).await.unwrap(), []);
    assert_eq!(f.wait(&entry(BOB, Some("backend"), None), T0 + 20).await, 1);
    // Forgetting again finds only the new entry.
    let again = f.pairs.forget_member(BOB, T0 + 21).await.unwrap();
    assert_eq!(
        (again.queue.len(), again.ended.len(), again.answers),
        (1, 0, 0)
    );
}

/// `/history` after the partner used `/forget-me`: the member's rounds stay listed in both
/// seats, though the partner's seat in each is now empty. (The round the member
/// interviewed in has no candidate left, and the test of the member's seat was NULL there:
/// SQLite failed to read the row and PostgreSQL failed to decode it, so the whole history
/// failed.)
async fn peer_history_keeps_both_seats_after_the_partner_is_forgotten(db: TestDb) {
    let f = fixture(db).await;
    two_scored_rounds(&f, "Bob's own words.", "Alice's own words.").await;
    let (q1, q2) = (any_level("backend", 0), any_level("backend", 1));
    let alice_before = f.pairs.history(ALICE, 10).await.unwrap();
    let seats = |history: &[PeerHistoryEntry]| -> Vec<(i64, String, bool, bool)> {
        history
            .iter()
            .map(|e| {
                (
                    e.started_at,
                    e.question_id.clone(),
                    e.as_candidate,
                    e.scored,
                )
            })
            .collect()
    };
    assert_eq!(
        seats(&alice_before),
        [
            (T0 + 5, q2.id.clone(), true, true),
            (T0 + 2, q1.id.clone(), false, true),
        ],
        "newest first"
    );
    assert_eq!(f.pairs.history(BOB, 10).await.unwrap().len(), 2);

    f.pairs.forget_member(BOB, T0 + 10).await.unwrap();
    let alice = f.pairs.history(ALICE, 10).await.expect("history reads");
    assert_eq!(
        seats(&alice),
        [
            // Bob interviewed her: his scorecard of her answer stays, unsigned.
            (T0 + 5, q2.id.clone(), true, true),
            // She interviewed Bob: the round stays, his answer and her scorecard are gone.
            (T0 + 2, q1.id.clone(), false, false),
        ]
    );
    assert!(alice.iter().all(|e| e.role_id == "backend"));
    assert_eq!(
        f.store.peer_history(ALICE, 1).await.unwrap(),
        alice[..1],
        "the limit keeps the newest"
    );
    assert_eq!(f.pairs.history(BOB, 10).await.unwrap(), []);
}

/// What `/forget-me` deletes leaves the database: no row holds the forgotten member's
/// answer or the partner's note about them, and on SQLite neither remains in the file or
/// its write-ahead log (the bytes of a PostgreSQL cluster are not the test's to read).
async fn forgotten_answers_and_notes_leave_the_database(db: TestDb) {
    const ANSWER: &str = "okapi-quasar-5512-bob-answer";
    const NOTE: &str = "Bob kept calm.";
    const KEPT: &str = "Alice could name the metric.";
    let f = fixture(db).await;
    two_scored_rounds(&f, &format!("{ANSWER} and more"), "Alice's own words.").await;
    let answers = format!("SELECT COUNT(*) FROM pair_answers WHERE answer_text LIKE '%{ANSWER}%'");
    let notes = format!("SELECT COUNT(*) FROM pair_scorecards WHERE strength = '{NOTE}'");
    let kept = format!("SELECT COUNT(*) FROM pair_scorecards WHERE improve = '{KEPT}'");
    assert_eq!(
        (f.db.count(&answers).await, f.db.count(&notes).await),
        (1, 1)
    );
    let has = |file: &Path, marker: &str| {
        let bytes = std::fs::read(file).unwrap_or_default();
        bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
    };
    if let Some(path) = f.db.sqlite_path() {
        checkpoint(path);
        assert!(has(path, ANSWER) && has(path, NOTE), "written to the file");
    }

    f.pairs.forget_member(BOB, T0 + 10).await.unwrap();
    assert_eq!(
        (f.db.count(&answers).await, f.db.count(&notes).await),
        (0, 0)
    );
    assert_eq!(f.db.count(&kept).await, 1, "Alice's feedback stays");
    if let Some(path) = f.db.sqlite_path() {
        checkpoint(path);
        let wal = path.with_extension("db-wal");
        for marker in [ANSWER, NOTE] {
            assert!(!has(path, marker), "{marker} still in the database file");
            assert!(!has(&wal, marker), "{marker} still in the write-ahead log");
        }
        assert!(has(path, KEPT), "Alice's feedback stays in the file");
    }
}

async fn retention_deletes_pairs_ended_long_ago_with_everything_in_them(db: TestDb) {
    let f = fixture(db).await;
    let old = two_scored_rounds(&f, "old words", "older words").await;
    f.pairs
        .end(old.id, EndReason::Finished, T0 + DAY)
        .await
        .unwrap()
        .unwrap();
    let (recent, round) = {
        f.wait(&entry(CAROL, Some("backend"), None), T0).await;
        let pair = f.matched(&entry(DAVE, Some("backend"), None), T0 + 1).await;
        let q = any_level("backend", 0);
        let round = f
            .pairs
            .start_round(pair.id, role("backend"), q, T0 + 2)
            .await;
        (pair, round.unwrap().unwrap())
    };
    f.pairs
        .answer(recent.id, DAVE, 50, "recent words", T0 + 3)
        .await
        .unwrap()
        .unwrap();
    f.pairs
        .end(recent.id, EndReason::Finished, T0 + 20 * DAY)
        .await
        .unwrap()
        .unwrap();
    // Open for months: never swept while open.
    f.wait(&entry(ALICE, Some("qa"), None), T0).await;
    let open = f.matched(&entry(BOB, Some("qa"), None), T0).await;

    let now = T0 + DAY + 30 * DAY + 1;
    let deleted = f.pairs.sweep_retention(now, 30).await.unwrap();
    assert_eq!(
        deleted,
        PairsDeleted {
            pairs: 1,
            rounds: 2,
            answers: 2,
            scorecards: 2
        }
    );
    assert_eq!(f.pairs.summary(old.id).await.unwrap(), None);
    assert_eq!(f.db.count("SELECT COUNT(*) FROM pair_ratings").await, 0);
    let kept = f.summary(&recent).await;
    assert_eq!(kept.rounds[0].round.id, round.id);
    assert_eq!(kept.rounds[0].answers.len(), 1);
    assert!(f.pairs.summary(open.id).await.unwrap().is_some());
    assert!(f.pairs.sweep_retention(now, 30).await.unwrap().is_empty());

    let later = T0 + 20 * DAY + 30 * DAY + 1;
    let deleted = f.pairs.sweep_retention(later, 30).await.unwrap();
    assert_eq!((deleted.pairs, deleted.rounds, deleted.answers), (1, 1, 1));
    assert_eq!(f.pairs.open_pairs().await.unwrap().len(), 1);
}

on_both_backends!(
    forget_me_removes_the_member_and_what_was_said_about_them_and_the_partner_keeps_theirs,
    forgotten_answers_and_notes_leave_the_database,
    peer_history_keeps_both_seats_after_the_partner_is_forgotten,
    retention_deletes_pairs_ended_long_ago_with_everything_in_them,
);
