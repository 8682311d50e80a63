//! The timing rules driven by an injected clock: posts at the local time
//! across daylight-saving changes in several zones, missed posts after a
//! restart, year boundaries, and the weekly board.

use jiff::civil::{date, Date, DateTime, Weekday};
use jiff::{SignedDuration, Timestamp};

use super::*;

fn sched(time: &str, zone: &str, board: &str) -> Schedule {
    Schedule::parse(time, zone, Some(board)).expect("valid schedule")
}

/// A UTC instant, written `2026-03-29T01:00:00Z`.
fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The instant a local clock in the schedule's zone shows `s` (the first, in a fold).
fn local(s: &Schedule, dt: &str) -> Timestamp {
    let dt: DateTime = dt.parse().unwrap();
    s.zone().to_ambiguous_timestamp(dt).earlier().unwrap()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

/// A bot that checks `due` every `step` minutes from `start` to `end` while
/// `up` says it runs, and posts whenever a post is due: each post's local
/// date and instant.
fn simulate(
    s: &Schedule,
    mut last: Option<Date>,
    start: Timestamp,
    end: Timestamp,
    step: i64,
    up: impl Fn(Timestamp) -> bool,
) -> Vec<(Date, Timestamp)> {
    let mut posts = Vec::new();
    let mut now = start;
    while now <= end {
        if up(now) {
            if let Some(day) = due(s, last, now) {
                posts.push((day, now));
                last = Some(day);
            }
        }
        now += mins(step);
    }
    posts
}

/// A bot that sleeps until `next_post` each time, then posts: each post.
fn follow(
    s: &Schedule,
    mut last: Option<Date>,
    start: Timestamp,
    end: Timestamp,
) -> Vec<(Date, Timestamp)> {
    let mut posts = Vec::new();
    let mut now = start;
    loop {
        let at = next_post(s, last, now);
        assert!(at >= now, "next_post went back: {at} < {now}");
        if at > end {
            return posts;
        }
        let day = due(s, last, at).unwrap_or_else(|| panic!("nothing due at next_post {at}"));
        // Nothing was due before it.
        if at > now {
            assert_eq!(due(s, last, at - SignedDuration::from_secs(1)), None);
        }
        posts.push((day, at));
        last = Some(day);
        now = at;
    }
}

#[test]
fn an_ordinary_day() {
    let s = sched("09:00", "Europe/Berlin", "Monday");
    let today = date(2026, 1, 15);
    let morning = local(&s, "2026-01-15T08:00");
    assert_eq!(due(&s, None, morning), None);
    assert_eq!(next_post(&s, None, morning), ts("2026-01-15T08:00:00Z"));
    let nine = local(&s, "2026-01-15T09:00");
    assert_eq!(due(&s, None, nine), Some(today));
    assert_eq!(next_post(&s, None, nine), nine);
    // Posted: nothing more today, tomorrow at nine.
    assert_eq!(due(&s, Some(today), nine + mins(60)), None);
    assert_eq!(next_post(&s, Some(today), nine), ts("2026-01-16T08:00:00Z"));
    // A post made yesterday does not stop today's.
    assert_eq!(due(&s, Some(date(2026, 1, 14)), nine), Some(today));
}

#[test]
fn spring_forward_posts_at_the_first_valid_time_in_berlin() {
    // 2026-03-29: Berlin's clocks go from 02:00 CET to 03:00 CEST; 02:30 never shows.
    let s = sched("02:30", "Europe/Berlin", "Monday");
    let day = date(2026, 3, 29);
    assert_eq!(post_time(&s, day), Some(ts("2026-03-29T01:00:00Z"))); // 03:00 CEST
    let eve = local(&s, "2026-03-28T12:00");
    assert_eq!(
        next_post(&s, Some(date(2026, 3, 28)), eve),
        ts("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        due(&s, Some(date(2026, 3, 28)), ts("2026-03-29T00:59:59Z")),
        None
    );
    assert_eq!(
        due(&s, Some(date(2026, 3, 28)), ts("2026-03-29T01:00:00Z")),
        Some(day)
    );
    // The day after, 02:30 CEST again.
    assert_eq!(
        post_time(&s, date(2026, 3, 30)),
        Some(ts("2026-03-30T00:30:00Z"))
    );
    // A bot checking every minute posts once that day, at 03:00.
    let posts = simulate(
        &s,
        Some(date(2026, 3, 28)),
        eve,
        eve + mins(36 * 60),
        1,
        |_| true,
    );
    assert_eq!(posts, vec![(day, ts("2026-03-29T01:00:00Z"))]);
}

#[test]
fn spring_forward_in_new_york_and_a_half_hour_gap_on_lord_howe() {
    // 2026-03-08: New York's 02:00 EST jumps to 03:00 EDT.
    let s = sched("02:30", "America/New_York", "Monday");
    assert_eq!(
        post_time(&s, date(2026, 3, 8)),
        Some(ts("2026-03-08T07:00:00Z"))
    );
    assert_eq!(
        post_time(&s, date(2026, 3, 7)),
        Some(ts("2026-03-07T07:30:00Z"))
    );
    // A post at the very start of the gap moves to its end too.
    let s = sched("02:00", "America/New_York", "Monday");
    assert_eq!(
        post_time(&s, date(2026, 3, 8)),
        Some(ts("2026-03-08T07:00:00Z"))
    );
    // Lord Howe moves by half an hour: 2026-10-04 02:00 (+10:30) becomes 02:30 (+11).
    let s = sched("02:15", "Australia/Lord_Howe", "Monday");
    assert_eq!(
        post_time(&s, date(2026, 10, 4)),
        Some(ts("2026-10-03T15:30:00Z"))
    );
    assert_eq!(
        post_time(&s, date(2026, 10, 3)),
        Some(ts("2026-10-02T15:45:00Z"))
    );
}

#[test]
fn fall_back_posts_once_not_twice() {
    // 2026-10-25: Berlin shows 02:00–03:00 twice (CEST, then CET).
    let s = sched("02:30", "Europe/Berlin", "Monday");
    let day = date(2026, 10, 25);
    assert_eq!(post_time(&s, day), Some(ts("2026-10-25T00:30:00Z")));
    let start = ts("2026-10-24T12:00:00Z");
    let posts = simulate(
        &s,
        Some(date(2026, 10, 24)),
        start,
        start + mins(24 * 60),
        1,
        |_| true,
    );
    assert_eq!(posts, vec![(day, ts("2026-10-25T00:30:00Z"))]);
    // The second 02:30 (CET, 01:30Z) finds today's post made.
    assert_eq!(due(&s, Some(day), ts("2026-10-25T01:30:00Z")), None);
    // 2026-11-01: New York shows 01:00–02:00 twice (EDT, then EST).
    let s = sched("01:30", "America/New_York", "Monday");
    let day = date(2026, 11, 1);
    let start = ts("2026-10-31T12:00:00Z");
    let posts = simulate(
        &s,
        Some(date(2026, 10, 31)),
        start,
        start + mins(24 * 60),
        1,
        |_| true,
    );
    assert_eq!(posts, vec![(day, ts("2026-11-01T05:30:00Z"))]);
    assert_eq!(due(&s, Some(day), ts("2026-11-01T06:30:00Z")), None);
}

#[test]
fn a_year_of_posts_is_one_a_day_at_the_local_time() {
    for (zone, time) in [
        ("Europe/Berlin", "02:30"),
        ("America/New_York", "02:30"),
        ("America/New_York", "09:00"),
        ("Asia/Kolkata", "09:00"),
        ("Australia/Lord_Howe", "02:15"),
        ("UTC", "00:00"),
    ] {
        let s = sched(time, zone, "Monday");
        let start = local(&s, "2026-01-01T00:00");
        let end = local(&s, "2026-12-31T23:59");
        let posts = follow(&s, None, start, end);
        assert_eq!(posts.len(), 365, "{zone} {time}");
        let mut expected = date(2026, 1, 1);
        for (day, at) in &posts {
            assert_eq!(*day, expected, "{zone} {time}");
            let shown = s.zone().to_datetime(*at);
            assert_eq!(shown.date(), *day, "{zone} {time}: {at}");
            // At the post time, or (in a gap) at the first valid time after it.
            assert!(shown.time() >= s.time(), "{zone} {time}: {shown}");
            if shown.time() != s.time() {
                assert!(
                    shown.time() <= s.time() + SignedDuration::from_hours(1),
                    "{zone}: {shown}"
                );
            }
            expected = expected.tomorrow().unwrap();
        }
    }
}

#[test]
fn a_non_hour_offset_zone() {
    // Kolkata is UTC+05:30 all year: 09:00 is 03:30 UTC.
    let s = sched("09:00", "Asia/Kolkata", "Monday");
    assert_eq!(
        post_time(&s, date(2026, 6, 1)),
        Some(ts("2026-06-01T03:30:00Z"))
    );
    // 02:00 UTC is 07:30 in Kolkata: not yet.
    assert_eq!(due(&s, None, ts("2026-06-01T02:00:00Z")), None);
    // A post time of 04:00 is 22:30 UTC the day before.
    let s = sched("04:00", "Asia/Kolkata", "Monday");
    assert_eq!(
        post_time(&s, date(2026, 6, 1)),
        Some(ts("2026-05-31T22:30:00Z"))
    );
    assert_eq!(
        due(&s, None, ts("2026-05-31T22:30:00Z")),
        Some(date(2026, 6, 1))
    );
    // Kathmandu is UTC+05:45.
    let s = sched("09:00", "Asia/Kathmandu", "Monday");
    assert_eq!(
        post_time(&s, date(2026, 6, 1)),
        Some(ts("2026-06-01T03:15:00Z"))
    );
}

#[test]
fn a_post_missed_while_down_is_made_once_the_same_day() {
    let s = sched("09:00", "Europe/Berlin", "Monday");
    let day = date(2026, 5, 12);
    let start = local(&s, "2026-05-12T00:00");
    let back = local(&s, "2026-05-12T13:07");
    // Down from midnight until 13:07, checking every minute once up.
    let posts = simulate(
        &s,
        Some(date(2026, 5, 11)),
        start,
        start + mins(24 * 60 - 1),
        1,
        |t| t >= back,
    );
    assert_eq!(posts, vec![(day, back)]);
    // Restarting again the same afternoon, with the date kept: nothing more.
    assert_eq!(due(&s, Some(day), back + mins(120)), None);
    assert_eq!(
        next_post(&s, Some(day), back + mins(120)),
        local(&s, "2026-05-13T09:00")
    );
    // Coming back at 23:59 still posts; at 00:00 the next day it is too late.
    assert_eq!(
        due(&s, Some(date(2026, 5, 11)), local(&s, "2026-05-12T23:59")),
        Some(day)
    );
    let midnight = local(&s, "2026-05-13T00:00");
    assert_eq!(due(&s, Some(date(2026, 5, 11)), midnight), None);
    assert_eq!(
        next_post(&s, Some(date(2026, 5, 11)), midnight),
        local(&s, "2026-05-13T09:00")
    );
}

#[test]
fn a_bot_down_across_midnight_skips_the_missed_day() {
    let s = sched("09:00", "America/New_York", "Monday");
    let start = local(&s, "2026-05-11T00:00");
    let end = local(&s, "2026-05-14T00:00");
    let posts_when = |down: (&str, &str)| {
        let (from, to) = (local(&s, down.0), local(&s, down.1));
        simulate(&s, Some(date(2026, 5, 10)), start, end, 5, |t| {
            t < from || t >= to
        })
    };
    // Down from before the 11th's post until before the 12th's: the 11th has none.
    let posts = posts_when(("2026-05-11T08:00", "2026-05-12T08:00"));
    let days: Vec<Date> = posts.iter().map(|p| p.0).collect();
    assert_eq!(days, vec![date(2026, 5, 12), date(2026, 5, 13)]);
    assert_eq!(posts[0].1, local(&s, "2026-05-12T09:00"));
    // Down until after the 12th's post time: the 12th's is made on return, the 11th's never.
    let posts = posts_when(("2026-05-11T08:00", "2026-05-12T10:02"));
    assert_eq!(posts[0], (date(2026, 5, 12), local(&s, "2026-05-12T10:05")));
    assert_eq!(posts.len(), 2);
}

#[test]
fn year_boundaries() {
    let s = sched("23:30", "Asia/Kolkata", "Monday");
    let eve = date(2025, 12, 31);
    assert_eq!(post_time(&s, eve), Some(ts("2025-12-31T18:00:00Z")));
    assert_eq!(
        next_post(&s, Some(eve), ts("2025-12-31T18:00:00Z")),
        ts("2026-01-01T18:00:00Z")
    );
    // Down over New Year: the 31st's post is not made on the 1st.
    let after = local(&s, "2026-01-01T00:10");
    assert_eq!(due(&s, Some(date(2025, 12, 30)), after), None);
    assert_eq!(
        next_post(&s, Some(date(2025, 12, 30)), after),
        local(&s, "2026-01-01T23:30")
    );
    // New York's midnight post on New Year's Day is 05:00 UTC.
    let s = sched("00:00", "America/New_York", "Monday");
    assert_eq!(
        due(&s, Some(eve), ts("2026-01-01T05:00:00Z")),
        Some(date(2026, 1, 1))
    );
    assert_eq!(due(&s, Some(eve), ts("2026-01-01T04:59:00Z")), None);
}

#[test]
fn a_day_the_calendar_skipped_has_no_post() {
    // Samoa skipped 2011-12-30, going from the 29th straight to the 31st.
    let s = sched("09:00", "Pacific/Apia", "Monday");
    assert_eq!(post_time(&s, date(2011, 12, 30)), None);
    let evening = local(&s, "2011-12-29T20:00");
    let next = next_post(&s, Some(date(2011, 12, 29)), evening);
    assert_eq!(
        s.zone().to_datetime(next),
        "2011-12-31T09:00".parse::<DateTime>().unwrap()
    );
    // A gap at midnight: São Paulo's 2018-11-04 began at 01:00.
    let s = sched("00:30", "America/Sao_Paulo", "Monday");
    assert_eq!(
        post_time(&s, date(2018, 11, 4)),
        Some(ts("2018-11-04T03:00:00Z"))
    );
}

#[test]
fn a_later_last_date_than_today_waits_for_the_day_after_it() {
    // Last posted on the 2nd in Tokyo; the schedule moved to Los Angeles,
    // where it is still the 1st: no post until the 3rd.
    let s = sched("09:00", "America/Los_Angeles", "Monday");
    let now = local(&s, "2026-06-01T10:00");
    assert_eq!(due(&s, Some(date(2026, 6, 2)), now), None);
    assert_eq!(
        next_post(&s, Some(date(2026, 6, 2)), now),
        local(&s, "2026-06-03T09:00")
    );
}

#[test]
fn the_board_comes_on_its_day_once_a_week() {
    // 2026-01-16 is a Friday.
    let s = sched("18:00", "Europe/Berlin", "friday");
    let friday = date(2026, 1, 16);
    assert_eq!(friday.weekday(), Weekday::Friday);
    let before = local(&s, "2026-01-16T17:59");
    let at = local(&s, "2026-01-16T18:00");
    assert_eq!(board_due(&s, None, before), None);
    assert_eq!(next_board(&s, None, before), at);
    assert_eq!(board_due(&s, None, at), Some(friday));
    assert_eq!(board_due(&s, Some(friday), at + mins(5)), None);
    assert_eq!(
        next_board(&s, Some(friday), at),
        local(&s, "2026-01-23T18:00")
    );
    // Other days: none, and the next is Friday's.
    let wednesday = local(&s, "2026-01-21T18:00");
    assert_eq!(board_due(&s, Some(friday), wednesday), None);
    assert_eq!(
        next_board(&s, Some(friday), wednesday),
        local(&s, "2026-01-23T18:00")
    );
    // Missed on Friday while down: made on return that Friday, not on Saturday.
    assert_eq!(
        board_due(&s, Some(date(2026, 1, 9)), local(&s, "2026-01-16T23:00")),
        Some(friday)
    );
    let saturday = local(&s, "2026-01-17T09:00");
    assert_eq!(board_due(&s, Some(date(2026, 1, 9)), saturday), None);
    assert_eq!(
        next_board(&s, Some(date(2026, 1, 9)), saturday),
        local(&s, "2026-01-23T18:00")
    );
    // A month of checks every 30 minutes: one board each Friday.
    let start = local(&s, "2026-01-01T00:00");
    let mut last = None;
    let mut boards = Vec::new();
    let mut now = start;
    while now < local(&s, "2026-02-01T00:00") {
        if let Some(day) = board_due(&s, last, now) {
            boards.push(day);
            last = Some(day);
        }
        now += mins(30);
    }
    assert_eq!(boards, [2, 9, 16, 23, 30].map(|d| date(2026, 1, d)));
}

#[test]
fn moving_the_board_day_never_shows_it_twice_in_a_week() {
    // Shown on Monday 2026-01-12; moved to Wednesday: not that Wednesday.
    let s = sched("09:00", "America/New_York", "Wednesday");
    let monday = date(2026, 1, 12);
    assert_eq!(
        board_due(&s, Some(monday), local(&s, "2026-01-14T10:00")),
        None
    );
    assert_eq!(
        next_board(&s, Some(monday), local(&s, "2026-01-14T10:00")),
        local(&s, "2026-01-21T09:00")
    );
    // Shown on Wednesday the 14th; moved to Monday: the next Monday has it.
    let s = sched("09:00", "America/New_York", "Monday");
    let shown = Some(date(2026, 1, 14));
    assert_eq!(
        next_board(&s, shown, local(&s, "2026-01-15T10:00")),
        local(&s, "2026-01-19T09:00")
    );
    assert_eq!(
        board_due(&s, shown, local(&s, "2026-01-19T09:00")),
        Some(date(2026, 1, 19))
    );
}

#[test]
fn the_board_week_spans_the_new_year() {
    // Monday-to-Sunday weeks: 2025-12-29 to 2026-01-04 is one week.
    let s = sched("10:00", "Asia/Kolkata", "Sunday");
    let sunday = date(2026, 1, 4);
    assert_eq!(
        board_due(&s, Some(date(2025, 12, 28)), local(&s, "2026-01-04T10:00")),
        Some(sunday)
    );
    // A board shown on Tuesday 2025-12-30 (before the day moved) is this week's.
    assert_eq!(
        board_due(&s, Some(date(2025, 12, 30)), local(&s, "2026-01-04T10:00")),
        None
    );
    assert_eq!(
        next_board(&s, Some(date(2025, 12, 30)), local(&s, "2026-01-04T11:00")),
        local(&s, "2026-01-11T10:00")
    );
}

#[test]
fn the_board_on_a_spring_forward_day() {
    // 2026-03-29 is a Sunday: the board and the post at 02:30 come at 03:00 CEST.
    let s = sched("02:30", "Europe/Berlin", "Sunday");
    let sunday = date(2026, 3, 29);
    let at = ts("2026-03-29T01:00:00Z");
    assert_eq!(
        next_board(&s, Some(date(2026, 3, 22)), ts("2026-03-28T12:00:00Z")),
        at
    );
    assert_eq!(board_due(&s, Some(date(2026, 3, 22)), at), Some(sunday));
    assert_eq!(
        board_due(
            &s,
            Some(date(2026, 3, 22)),
            at - SignedDuration::from_secs(1)
        ),
        None
    );
}
