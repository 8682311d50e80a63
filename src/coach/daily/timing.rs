//! When the day's question and the weekly board are posted.
//!
//! Each local date has one post, at the schedule's time on that date in its
//! zone ([`post_time`]). The caller keeps the local date of the last post it
//! made and passes it back; that date is what makes a post happen once:
//!
//! - [`due`] says whether a post is due at `now`: today's, if its time has
//!   come and today has not had one. A bot that was down at the post time
//!   and comes back later the same local day posts then, once; one that
//!   comes back on a later day does not post for the days it missed, only
//!   each day's post from then on.
//! - [`next_post`] is when to look again: the instant of the next post not
//!   yet made, or `now` when one is already due.
//! - [`board_due`] and [`next_board`] do the same for the weekly board: on
//!   the schedule's board weekday, at the post time, at most once in each
//!   Monday-to-Sunday week (so moving the board day never shows it twice in
//!   one week).
//!
//! Daylight-saving time: on a day whose clocks skip the post time (a 02:30
//! post where 02:00 jumps to 03:00), the post is made at the first valid time
//! after it (03:00); on a day whose clocks show the post time twice, it is
//! made the first time, and the date kept by the caller stops the second.

use jiff::civil::{Date, DateTime};
use jiff::tz::AmbiguousOffset;
use jiff::{Timestamp, ToSpan};

use super::Schedule;

/// How many days ahead to look for a date that has a post time: one more
/// than the longest run of skipped days a zone has ever had (one, Samoa's
/// 2011-12-30), with a margin.
const LOOKAHEAD_DAYS: usize = 7;

/// The instant of the post for local `date`: the schedule's time on that
/// date in its zone. In a gap (the clocks skip the time) it is the instant
/// the clocks jump, the first valid time after the post time; in a fold (the
/// clocks show it twice) the first of the two. `None` when the date never
/// shows that time or any later one (the whole day was skipped), and at the
/// ends of the calendar.
pub fn post_time(schedule: &Schedule, date: Date) -> Option<Timestamp> {
    let zone = schedule.zone();
    let dt = DateTime::from_parts(date, schedule.time());
    let at = match zone.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok()?,
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok()?,
        AmbiguousOffset::Gap { after, .. } => {
            // `dt` read with the later offset is an instant just before the
            // jump; the next transition from there is the jump itself.
            let before_jump = after.to_timestamp(dt).ok()?;
            zone.following(before_jump).next()?.timestamp()
        }
    };
    (super::local_date(at, zone) == date).then_some(at)
}

/// Whether a post is due at `now`, given the local date of the last one
/// made: `Some(today)` when today's post time has come and today has had no
/// post; the caller posts and keeps `today` as the new last date.
pub fn due(schedule: &Schedule, last_posted: Option<Date>, now: Timestamp) -> Option<Date> {
    let today = schedule.today(now);
    if last_posted.is_some_and(|last| last >= today) {
        return None;
    }
    let at = post_time(schedule, today)?;
    (now >= at).then_some(today)
}

/// When the next post is due: `now` if one is due already ([`due`] says
/// which), else the instant of the next post. [`Timestamp::MAX`] if there is
/// none before the end of the calendar.
pub fn next_post(schedule: &Schedule, last_posted: Option<Date>, now: Timestamp) -> Timestamp {
    let today = schedule.today(now);
    let first = match last_posted {
        Some(last) if last >= today => last.tomorrow().ok(),
        _ => Some(today),
    };
    days_from(first)
        .find_map(|day| post_time(schedule, day))
        .map_or(Timestamp::MAX, |at| at.max(now))
}

/// Whether the weekly board is due at `now`, given the local date of the
/// last one: `Some(today)` on the board weekday, once its post time has
/// come, when no board was posted this Monday-to-Sunday week.
pub fn board_due(schedule: &Schedule, last_board: Option<Date>, now: Timestamp) -> Option<Date> {
    let today = schedule.today(now);
    if today.weekday() != schedule.board_day() || !new_week(last_board, today) {
        return None;
    }
    let at = post_time(schedule, today)?;
    (now >= at).then_some(today)
}

/// When the next board is due: `now` if one is due already, else the post
/// time of the next board weekday in a week without a board.
/// [`Timestamp::MAX`] if there is none before the end of the calendar.
pub fn next_board(schedule: &Schedule, last_board: Option<Date>, now: Timestamp) -> Timestamp {
    let today = schedule.today(now);
    let until = i64::from(today.weekday().until(schedule.board_day()));
    // This week's board day (today's, on that day), then each week's after it.
    // On a board day with no board yet this week the board is made that day,
    // even after its time, as `board_due` says.
    let first = today.checked_add(until.days()).ok();
    std::iter::successors(first, |d| d.checked_add(7.days()).ok())
        .take(LOOKAHEAD_DAYS)
        .filter(|&day| new_week(last_board, day))
        .find_map(|day| post_time(schedule, day))
        .map_or(Timestamp::MAX, |at| at.max(now))
}

/// `day` is in a later Monday-to-Sunday week than `last`.
fn new_week(last: Option<Date>, day: Date) -> bool {
    last.is_none_or(|last| week_start(last) < week_start(day))
}

fn week_start(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(back.days()).unwrap_or(day)
}

/// `first` and the days after it, for as far as a post time can be missing.
fn days_from(first: Option<Date>) -> impl Iterator<Item = Date> {
    std::iter::successors(first, |d| d.tomorrow().ok()).take(LOOKAHEAD_DAYS)
}
