//! The member's analysed answers over time, for the progress chart.

use interview_coach::store::{InterviewState, ProgressRow};

use super::*;

/// Records answer `message_id`, with feedback when it has a `headline`, over the interview's
/// state at `revision`.
async fn answered(
    store: &Store,
    interview: InterviewId,
    message_id: u64,
    headline: Option<&str>,
    revision: i64,
    at: i64,
) {
    let step = u32::try_from(revision + 1).unwrap();
    let next = next(revision, step, false);
    record(store, &answer(interview, message_id, headline), &next, at).await;
}

async fn member_progress_lists_a_members_analysed_answers_oldest_first_in_every_guild(db: TestDb) {
    let store = db.open().await;

    // Alice's later interview is created first: answers are ordered by their own time.
    let later = create(&store, &new_interview(OTHER_GUILD, ALICE, 20), T0).await;
    answered(&store, later.id, 3, Some("Third"), 0, T0 + DAY).await;
    store
        .close_interview(later.id, InterviewStatus::Abandoned, T0 + DAY)
        .await
        .unwrap();
    let earlier = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;
    answered(&store, earlier.id, 1, Some("First"), 0, T0 + 10).await;
    // An answer without feedback (no cue file) has nothing to chart.
    answered(&store, earlier.id, 2, None, 1, T0 + 20).await;
    answered(&store, earlier.id, 4, Some("Second"), 2, T0 + 30).await;
    // Bob's answers and Alice's interview with no analysed answer are not hers to chart.
    let bob = create(&store, &new_interview(GUILD, BOB, 30), T0).await;
    answered(&store, bob.id, 5, Some("Bob's"), 0, T0 + 5).await;
    let empty = create(&store, &new_interview(OTHER_GUILD, ALICE, 40), T0 + 2 * DAY).await;
    answered(&store, empty.id, 6, None, 0, T0 + 2 * DAY).await;

    let progress = store.member_progress(ALICE).await.unwrap();
    let headline = |row: &ProgressRow| {
        let json: serde_json::Value = serde_json::from_str(&row.feedback_json).unwrap();
        json["headline"].as_str().unwrap().to_string()
    };
    let seen: Vec<(InterviewId, i64, String)> = progress
        .answers
        .iter()
        .map(|row| (row.interview_id, row.created_at, headline(row)))
        .collect();
    assert_eq!(
        seen,
        [
            (earlier.id, T0 + 10, "First".to_string()),
            (earlier.id, T0 + 30, "Second".to_string()),
            (later.id, T0 + DAY, "Third".to_string()),
        ]
    );
    assert!(progress
        .answers
        .iter()
        .all(|row| row.prompt == "Tell me about a time you debugged production."));
    let state = |id: InterviewId, step: u32| InterviewState {
        interview_id: id,
        state_json: format!(r#"{{"step":{step}}}"#),
    };
    // By interview id: `later` was created first.
    assert_eq!(
        progress.interviews,
        [state(later.id, 1), state(earlier.id, 3)]
    );

    assert_eq!(store.member_progress(BOB).await.unwrap().answers.len(), 1);
    let nobody = store.member_progress(BOB + 10).await.unwrap();
    assert!(nobody.answers.is_empty() && nobody.interviews.is_empty());

    // `/forget-me` leaves nothing to chart.
    store.forget_user(ALICE).await.unwrap();
    assert_eq!(
        store.member_progress(ALICE).await.unwrap(),
        Default::default()
    );
}

on_both_backends!(member_progress_lists_a_members_analysed_answers_oldest_first_in_every_guild,);
