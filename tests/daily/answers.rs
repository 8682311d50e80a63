//! Answers in the day's thread: analysed privately, counted in streaks in the server's
//! zone, shown on the board only for members who opted in, forgotten on request.

use interview_coach::coach::daily::Streaks;
use interview_coach::session::daily::DailyAnswerOutcome;

use super::*;

const ANSWER: &str = "At my last company our checkout API timed out during sales. I owned the \
fix: I traced the slow queries, added an index and moved receipts to a queue. p95 latency \
fell from 900 ms to 180 ms and timeouts stopped. Next time I would load test before a sale.";

/// Sets up a daily question in `zone` at 09:00 and makes the post of each local `day` at
/// 09:00; returns the thread of each.
async fn posts(daily: &Daily, zone: &str, days: &[&str]) -> Vec<u64> {
    let first = local(&format!("{}T00:00", days[0]), zone);
    set_up(daily, &request("09:00", zone, Some("backend")), first).await;
    let mut threads = Vec::new();
    for day in days {
        let now = local(&format!("{day}T09:00"), zone);
        daily.tick(library(), now).await.unwrap();
        let made = post_all(daily, now).await;
        assert_eq!(made.len(), 1, "one post on {day}");
        threads.push(made[0].1);
    }
    threads
}

async fn answer(
    daily: &Daily,
    thread: u64,
    user: u64,
    source: u64,
    now: i64,
) -> DailyAnswerOutcome {
    daily
        .answer(library(), thread, user, source, ANSWER, now)
        .await
        .unwrap()
}

async fn streaks_count_local_days_in_the_servers_zone_and_break_on_a_missed_day(db: TestDb) {
    let (daily, store) = daily_on(&db).await;
    const LA: &str = "America/Los_Angeles";
    let days = [
        "2027-11-01",
        "2027-11-02",
        "2027-11-03",
        "2027-11-04",
        "2027-11-05",
    ];
    let threads = posts(&daily, LA, &days).await;
    let thread = |i: usize| threads[i];

    // 23:30 in Los Angeles on the 1st is already the 2nd in UTC: it counts for the 1st.
    let late = local("2027-11-01T23:30", LA);
    let first = answer(&daily, thread(0), ALICE, 1, late).await;
    assert_eq!(
        first,
        DailyAnswerOutcome::Recorded {
            streaks: Streaks {
                current: 1,
                longest: 1
            },
            replaced: false
        }
    );
    // 07:00 local on the 2nd (15:00 UTC): day two.
    let second = answer(&daily, thread(1), ALICE, 2, local("2027-11-02T07:00", LA)).await;
    assert_eq!(
        second,
        DailyAnswerOutcome::Recorded {
            streaks: Streaks {
                current: 2,
                longest: 2
            },
            replaced: false
        }
    );
    // The same message delivered again changes nothing.
    assert_eq!(
        answer(&daily, thread(1), ALICE, 2, local("2027-11-02T07:01", LA)).await,
        DailyAnswerOutcome::Duplicate
    );
    // The 3rd has no answer. On the 3rd the streak is still alive (today not over)...
    assert_eq!(
        daily
            .streak(GUILD, ALICE, local("2027-11-03T22:00", LA))
            .await
            .unwrap(),
        Streaks {
            current: 2,
            longest: 2
        }
    );
    // ...and on the 4th it is broken.
    assert_eq!(
        daily
            .streak(GUILD, ALICE, local("2027-11-04T00:30", LA))
            .await
            .unwrap(),
        Streaks {
            current: 0,
            longest: 2
        }
    );
    let restart = answer(&daily, thread(3), ALICE, 4, local("2027-11-04T12:00", LA)).await;
    assert_eq!(
        restart,
        DailyAnswerOutcome::Recorded {
            streaks: Streaks {
                current: 1,
                longest: 2
            },
            replaced: false
        }
    );
    // A second answer the same day replaces the first and is not a second day.
    let again = answer(&daily, thread(3), ALICE, 5, local("2027-11-04T13:00", LA)).await;
    assert_eq!(
        again,
        DailyAnswerOutcome::Recorded {
            streaks: Streaks {
                current: 1,
                longest: 2
            },
            replaced: true
        }
    );
    // In another zone the same instants fall on other days: Tokyo is a day ahead.
    assert_eq!(store.daily_streak(GUILD, BOB).await.unwrap(), None);
}

async fn feedback_is_the_members_own_and_answers_are_checked(db: TestDb) {
    let (daily, store) = daily_on(&db).await;
    const ZONE: &str = "Europe/Paris";
    let threads = posts(&daily, ZONE, &["2027-02-10"]).await;
    let now = local("2027-02-10T10:00", ZONE);
    assert!(matches!(
        answer(&daily, threads[0], ALICE, 1, now).await,
        DailyAnswerOutcome::Recorded { .. }
    ));
    let post = store
        .daily_post_by_thread(threads[0])
        .await
        .unwrap()
        .unwrap();

    let own = daily
        .my_feedback(library(), post.id, ALICE)
        .await
        .unwrap()
        .expect("feedback");
    assert!(!own.question.is_empty());
    assert!(
        own.analysis.length.words > 40,
        "the analysis is of the answer given"
    );
    assert!(
        !own.analysis.quantified_results.is_empty(),
        "{:?}",
        own.analysis.quantified_results
    );
    assert!(
        daily
            .my_feedback(library(), post.id, BOB)
            .await
            .unwrap()
            .is_none(),
        "Bob did not answer"
    );

    let empty = daily
        .answer(library(), threads[0], BOB, 2, "   ", now)
        .await
        .unwrap();
    assert!(
        matches!(empty, DailyAnswerOutcome::Rejected(ref m) if m.contains("empty")),
        "{empty:?}"
    );
    let huge = "word ".repeat(2000);
    let long = daily
        .answer(library(), threads[0], BOB, 3, &huge, now)
        .await
        .unwrap();
    assert!(
        matches!(long, DailyAnswerOutcome::Rejected(ref m) if m.contains("characters")),
        "{long:?}"
    );
    assert_eq!(
        daily
            .answer(library(), 42, BOB, 4, ANSWER, now)
            .await
            .unwrap(),
        DailyAnswerOutcome::NotDaily
    );
}

async fn the_board_shows_only_members_who_opted_in_and_forget_me_removes_everything(db: TestDb) {
    let (daily, store) = daily_on(&db).await;
    const ZONE: &str = "UTC";
    // 2027-03-01 is a Monday, the default board day.
    let threads = posts(&daily, ZONE, &["2027-02-27", "2027-02-28"]).await;
    for (i, user) in [ALICE, BOB, CAROL].into_iter().enumerate() {
        answer(
            &daily,
            threads[0],
            user,
            10 + i as u64,
            local("2027-02-27T10:00", ZONE),
        )
        .await;
    }
    answer(&daily, threads[1], BOB, 20, local("2027-02-28T10:00", ZONE)).await;
    assert!(daily.board_join(GUILD, BOB, 0).await.unwrap());
    assert!(daily.board_join(GUILD, CAROL, 0).await.unwrap());
    assert!(!daily.board_join(GUILD, CAROL, 0).await.unwrap());

    let monday = local("2027-03-01T09:00", ZONE);
    let tick = daily.tick(library(), monday).await.unwrap();
    assert_eq!(tick.claimed_boards, 1);
    assert_eq!(
        daily
            .tick(library(), monday + 60)
            .await
            .unwrap()
            .claimed_boards,
        0,
        "once a week"
    );
    let boards = daily.pending_boards(monday).await.unwrap();
    assert_eq!(boards.len(), 1);
    let lines = &boards[0].1;
    let users: Vec<u64> = lines.iter().map(|l| l.user_id).collect();
    assert_eq!(
        users,
        [BOB, CAROL],
        "Alice did not opt in; Bob's streak is longer"
    );
    assert_eq!(
        lines[0].streaks,
        Streaks {
            current: 2,
            longest: 2
        }
    );
    daily
        .board_done(boards[0].0.id, Some(99), monday)
        .await
        .unwrap();
    assert!(daily.pending_boards(monday).await.unwrap().is_empty());

    assert!(daily.board_leave(GUILD, CAROL).await.unwrap());
    let forgotten = daily.forget_member(BOB).await.unwrap();
    assert_eq!(
        (forgotten.answers, forgotten.streaks, forgotten.boards),
        (2, 1, 1)
    );
    assert!(store.daily_board_members(GUILD).await.unwrap().is_empty());
    assert_eq!(
        daily.streak(GUILD, BOB, monday).await.unwrap(),
        Streaks::default()
    );
    let post = store
        .daily_post_by_thread(threads[0])
        .await
        .unwrap()
        .unwrap();
    assert!(store.daily_answer(post.id, BOB).await.unwrap().is_none());
    assert!(
        store.daily_answer(post.id, ALICE).await.unwrap().is_some(),
        "others keep theirs"
    );

    // Retention deletes answers but keeps streak records.
    assert_eq!(
        daily.sweep_retention(monday + 40 * DAY, 30).await.unwrap(),
        2
    );
    assert_eq!(
        daily
            .streak(GUILD, ALICE, local("2027-02-27T12:00", ZONE))
            .await
            .unwrap()
            .longest,
        1
    );
}

on_both_backends!(
    streaks_count_local_days_in_the_servers_zone_and_break_on_a_missed_day,
    feedback_is_the_members_own_and_answers_are_checked,
    the_board_shows_only_members_who_opted_in_and_forget_me_removes_everything,
);
