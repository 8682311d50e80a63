//! When posts are made: at the local time across daylight-saving changes, once per day
//! even across a restart, never late on a later day, and rotating without repeats.

use std::collections::HashSet;

use super::*;

async fn the_post_comes_at_the_local_time_across_a_daylight_saving_change(db: TestDb) {
    let (daily, _store) = daily_on(&db).await;
    const BERLIN: &str = "Europe/Berlin";
    // Set up after the day's post time: today's question comes at once.
    let setup_at = local("2027-03-26T10:00", BERLIN);
    let view = set_up(&daily, &request("09:00", BERLIN, Some("backend")), setup_at).await;
    assert_eq!(view.next_post.as_second(), setup_at);
    assert_eq!(tick_days(&daily, setup_at).await, ["2027-03-26"]);
    post_all(&daily, setup_at).await;
    // Setting it up again the same day does not post today twice.
    set_up(
        &daily,
        &request("09:00", BERLIN, Some("backend")),
        setup_at + 60,
    )
    .await;
    assert!(tick_days(&daily, local("2027-03-26T23:59", BERLIN))
        .await
        .is_empty());

    // Saturday, still on winter time (UTC+1).
    assert!(tick_days(&daily, local("2027-03-27T08:59", BERLIN))
        .await
        .is_empty());
    assert_eq!(
        tick_days(&daily, local("2027-03-27T09:00", BERLIN)).await,
        ["2027-03-27"]
    );
    post_all(&daily, local("2027-03-27T09:00", BERLIN)).await;

    // Sunday 28 March: clocks go from 02:00 to 03:00. 09:00 is now 07:00 UTC, not 08:00.
    let now = local("2027-03-27T12:00", BERLIN);
    let shown = daily.show(GUILD, library(), now).await.unwrap().unwrap();
    assert_eq!(
        shown.next_post.as_second(),
        local("2027-03-28T09:00", BERLIN)
    );
    assert_eq!(
        local("2027-03-28T09:00", BERLIN),
        1_806_217_200,
        "07:00 UTC"
    );
    assert!(tick_days(&daily, local("2027-03-28T08:59", BERLIN))
        .await
        .is_empty());
    assert_eq!(
        tick_days(&daily, local("2027-03-28T09:00", BERLIN)).await,
        ["2027-03-28"]
    );
    // Ticking again the same day claims nothing more.
    let again = daily
        .tick(library(), local("2027-03-28T18:00", BERLIN))
        .await
        .unwrap();
    assert_eq!(again.claimed_posts, 0);
}

async fn a_post_missed_while_down_is_made_once_after_a_restart_and_never_on_a_later_day(
    db: TestDb,
) {
    const ZONE: &str = "America/New_York";
    {
        let (daily, store) = daily_on(&db).await;
        set_up(
            &daily,
            &request("08:30", ZONE, Some("backend")),
            local("2027-06-01T07:00", ZONE),
        )
        .await;
        store.close().await;
    }
    // Down over the post time; back at 11:00 the same day: the post is claimed once.
    {
        let (daily, store) = daily_on(&db).await;
        assert_eq!(
            tick_days(&daily, local("2027-06-01T11:00", ZONE)).await,
            ["2027-06-01"]
        );
        // Killed before Discord accepted it: the claim is stored, pending.
        store.close().await;
    }
    {
        let (daily, store) = daily_on(&db).await;
        // Restarted the same day: the same post is pending, no second one is claimed.
        assert_eq!(
            tick_days(&daily, local("2027-06-01T11:05", ZONE)).await,
            ["2027-06-01"]
        );
        let made = post_all(&daily, local("2027-06-01T11:05", ZONE)).await;
        assert_eq!(made.len(), 1);
        assert!(tick_days(&daily, local("2027-06-01T23:00", ZONE))
            .await
            .is_empty());
        store.close().await;
    }
    {
        // Down from 2 to 4 June, back on the 4th after the post time: the 2nd and 3rd are
        // not posted late; the 4th is.
        let (daily, _store) = daily_on(&db).await;
        assert_eq!(
            tick_days(&daily, local("2027-06-04T09:00", ZONE)).await,
            ["2027-06-04"]
        );
    }
    {
        // A post claimed on the 4th but not made by the end of its day is given up.
        let (daily, _store) = daily_on(&db).await;
        assert_eq!(
            tick_days(&daily, local("2027-06-05T08:00", ZONE)).await,
            Vec::<String>::new()
        );
        assert_eq!(
            tick_days(&daily, local("2027-06-05T08:30", ZONE)).await,
            ["2027-06-05"]
        );
    }
}

async fn questions_rotate_without_repeats_within_the_roles_question_count(db: TestDb) {
    let (daily, _store) = daily_on(&db).await;
    const ZONE: &str = "UTC";
    set_up(
        &daily,
        &request("12:00", ZONE, Some("backend")),
        local("2027-01-01T00:00", ZONE),
    )
    .await;
    let count = library().role("backend").unwrap().questions.len();
    let mut seen = Vec::new();
    let start = local("2027-01-01T12:00", ZONE);
    for day in 0..(count as i64 + 3) {
        let now = start + day * DAY;
        daily.tick(library(), now).await.unwrap();
        for (q, _) in post_all(&daily, now).await {
            assert_eq!(q.role.id, "backend");
            seen.push(q.question.id.clone());
        }
    }
    assert_eq!(seen.len(), count + 3, "one post a day");
    let first_round: HashSet<&String> = seen[..count].iter().collect();
    assert_eq!(
        first_round.len(),
        count,
        "every question once before any repeats"
    );
    for window in seen.windows(count) {
        let distinct: HashSet<&String> = window.iter().collect();
        assert_eq!(distinct.len(), count, "any {count} posts in a row differ");
    }
}

async fn several_roles_take_turns(db: TestDb) {
    let (daily, _store) = daily_on(&db).await;
    const ZONE: &str = "Asia/Tokyo";
    set_up(
        &daily,
        &request("07:00", ZONE, Some("backend, frontend")),
        local("2027-01-01T00:00", ZONE),
    )
    .await;
    let mut roles = Vec::new();
    for day in 0..4 {
        let now = local("2027-01-01T07:00", ZONE) + day * DAY;
        daily.tick(library(), now).await.unwrap();
        roles.extend(
            post_all(&daily, now)
                .await
                .into_iter()
                .map(|(q, _)| q.role.id),
        );
    }
    assert_eq!(roles, ["backend", "frontend", "backend", "frontend"]);
}

async fn setup_names_every_problem_at_once_and_off_stops_the_posts(db: TestDb) {
    let (daily, _store) = daily_on(&db).await;
    let mut req = request("25:00", "Mars/Olympus", Some("backend, bakend"));
    req.level = Some("wizard");
    req.board_day = Some("Caturday");
    let problems = daily.setup(&req, library(), 0).await.unwrap().unwrap_err();
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert!(
        problems.iter().any(|p| p.contains("25:00")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("Mars/Olympus")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("bakend") && p.contains("backend")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("wizard")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("Caturday")),
        "{problems:#?}"
    );
    assert!(
        daily.show(GUILD, library(), 0).await.unwrap().is_none(),
        "nothing stored"
    );

    const ZONE: &str = "Europe/London";
    set_up(
        &daily,
        &request("9am", ZONE, None),
        local("2027-05-01T08:00", ZONE),
    )
    .await;
    let shown = daily
        .show(GUILD, library(), local("2027-05-01T08:00", ZONE))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown.schedule.time_text(), "09:00");
    assert!(daily.off(GUILD).await.unwrap());
    assert!(!daily.off(GUILD).await.unwrap());
    assert!(tick_days(&daily, local("2027-05-01T09:00", ZONE))
        .await
        .is_empty());
}

on_both_backends!(
    the_post_comes_at_the_local_time_across_a_daylight_saving_change,
    a_post_missed_while_down_is_made_once_after_a_restart_and_never_on_a_later_day,
    questions_rotate_without_repeats_within_the_roles_question_count,
    several_roles_take_turns,
    setup_names_every_problem_at_once_and_off_stops_the_posts,
);
