//! The daily-question tables (migration 3): a day is claimed once however many ask at
//! the same moment, answers are deduped and replaced, retention keeps streak records, and
//! `/forget-me` removes the member's rows only. The use cases are tested in `tests/daily/`.

use interview_coach::store::{
    DailyAnswered, DailyPostId, DailySchedule, NewDailyAnswer, NewDailyPost, StreakRow,
};

use super::*;

fn schedule(guild_id: u64) -> DailySchedule {
    DailySchedule {
        guild_id,
        channel_id: 50,
        post_time: "09:00".into(),
        timezone: "Europe/Berlin".into(),
        roles: vec!["backend".into()],
        level: None,
        board_day: "monday".into(),
        last_day: None,
        last_board_day: None,
    }
}

fn post(guild_id: u64, day: &str) -> NewDailyPost {
    NewDailyPost {
        guild_id,
        day: day.into(),
        channel_id: 50,
        role_id: "backend".into(),
        question_id: format!("q-{day}"),
    }
}

/// A streak rule that only counts answers, to see that the store applies it once.
fn count_rule(before: Option<&StreakRow>, day: &str) -> StreakRow {
    let run = before.map_or(0, |b| b.run) + 1;
    StreakRow {
        last_day: day.into(),
        run,
        longest: run,
    }
}

fn answer(post_id: DailyPostId, user_id: u64, source_id: u64, text: &str) -> NewDailyAnswer {
    NewDailyAnswer {
        post_id,
        user_id,
        source_id,
        text: text.into(),
        feedback_json: Some(r#"{"framework":"star"}"#.into()),
    }
}

async fn a_day_is_claimed_once_by_concurrent_ticks(db: TestDb) {
    let store = db.open().await;
    store
        .set_daily_schedule(&schedule(GUILD), T0)
        .await
        .unwrap();

    let claims = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .claim_daily_post(&post(GUILD, "2026-03-29"), None, T0)
                .await
                .unwrap()
        })
    });
    let mut won = 0;
    for claim in claims {
        won += usize::from(claim.await.unwrap().is_some());
    }
    assert_eq!(won, 1, "exactly one tick claims the day");
    let pending = store.pending_daily_posts(ShardFilter::ALL).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        store
            .daily_schedule(GUILD)
            .await
            .unwrap()
            .unwrap()
            .last_day
            .as_deref(),
        Some("2026-03-29")
    );

    // A stale read (last_day None) cannot claim the next day either: compare and set.
    let stale = store
        .claim_daily_post(&post(GUILD, "2026-03-30"), None, T0)
        .await;
    assert_eq!(stale.unwrap(), None);
    // Nor can an earlier day be claimed after a later one.
    let earlier = store
        .claim_daily_post(&post(GUILD, "2026-03-28"), Some("2026-03-29".into()), T0)
        .await;
    assert_eq!(earlier.unwrap(), None);
    // A server without a schedule claims nothing.
    let off = store
        .claim_daily_post(&post(OTHER_GUILD, "2026-03-29"), None, T0)
        .await;
    assert_eq!(off.unwrap(), None);

    let id = pending[0].id;
    store.daily_post_message(id, 777).await.unwrap();
    assert_eq!(
        store
            .pending_daily_posts(ShardFilter::ALL)
            .await
            .unwrap()
            .len(),
        1,
        "no thread yet"
    );
    store.daily_post_thread(id, 777, T0 + 5).await.unwrap();
    assert!(store
        .pending_daily_posts(ShardFilter::ALL)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.daily_post_by_thread(777).await.unwrap().unwrap().id,
        id
    );
    assert_eq!(
        store.daily_rotation(GUILD, "backend").await.unwrap(),
        ["q-2026-03-29"]
    );
}

async fn answers_are_deduped_replaced_and_counted_once_a_day(db: TestDb) {
    let store = db.open().await;
    store
        .set_daily_schedule(&schedule(GUILD), T0)
        .await
        .unwrap();
    let day = store
        .claim_daily_post(&post(GUILD, "2026-03-29"), None, T0)
        .await
        .unwrap()
        .unwrap();

    let first = store
        .record_daily_answer(
            &answer(day.id, ALICE, 1, "first"),
            "2026-03-29",
            count_rule,
            T0,
        )
        .await
        .unwrap();
    assert!(
        matches!(first, DailyAnswered::First(ref s) if s.run == 1),
        "{first:?}"
    );
    let again = store
        .record_daily_answer(
            &answer(day.id, ALICE, 1, "first"),
            "2026-03-29",
            count_rule,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        DailyAnswered::Duplicate,
        "a redelivered message changes nothing"
    );
    let replaced = store
        .record_daily_answer(
            &answer(day.id, ALICE, 2, "second"),
            "2026-03-29",
            count_rule,
            T0,
        )
        .await
        .unwrap();
    assert!(
        matches!(replaced, DailyAnswered::Replaced(_)),
        "{replaced:?}"
    );
    let kept = store.daily_answer(day.id, ALICE).await.unwrap().unwrap();
    assert_eq!(kept.text, "second");
    assert_eq!(kept.created_at, T0);

    let unknown = store
        .record_daily_answer(
            &answer(DailyPostId(999), ALICE, 3, "x"),
            "2026-03-29",
            count_rule,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(unknown, DailyAnswered::UnknownPost);
}

async fn retention_deletes_answers_but_keeps_streaks_and_forget_me_takes_both(db: TestDb) {
    let store = db.open().await;
    store
        .set_daily_schedule(&schedule(GUILD), T0)
        .await
        .unwrap();
    let day = store
        .claim_daily_post(&post(GUILD, "2026-03-29"), None, T0)
        .await
        .unwrap()
        .unwrap();
    for (user, source) in [(ALICE, 1), (BOB, 2)] {
        store
            .record_daily_answer(
                &answer(day.id, user, source, "text"),
                "2026-03-29",
                count_rule,
                T0,
            )
            .await
            .unwrap();
        assert!(store.join_daily_board(GUILD, user, T0).await.unwrap());
    }
    assert!(
        !store.join_daily_board(GUILD, ALICE, T0).await.unwrap(),
        "already on it"
    );

    assert_eq!(
        store
            .sweep_daily_retention(T0 + 10 * DAY, 30)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .sweep_daily_retention(T0 + 31 * DAY, 30)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.daily_answer(day.id, ALICE).await.unwrap(), None);
    let streak = store.daily_streak(GUILD, ALICE).await.unwrap().unwrap();
    assert_eq!(streak.run, 1, "the streak record outlives the answer");

    let forgotten = store.forget_daily_member(ALICE).await.unwrap();
    assert_eq!((forgotten.streaks, forgotten.boards), (1, 1));
    assert_eq!(store.daily_streak(GUILD, ALICE).await.unwrap(), None);
    let board = store.daily_board_members(GUILD).await.unwrap();
    assert_eq!(board.iter().map(|m| m.user_id).collect::<Vec<_>>(), [BOB]);
    assert_eq!(board[0].streak.as_ref().map(|s| s.run), Some(1));
    assert!(store.leave_daily_board(GUILD, BOB).await.unwrap());
    assert!(store.daily_board_members(GUILD).await.unwrap().is_empty());
}

on_both_backends!(
    a_day_is_claimed_once_by_concurrent_ticks,
    answers_are_deduped_replaced_and_counted_once_a_day,
    retention_deletes_answers_but_keeps_streaks_and_forget_me_takes_both,
);
