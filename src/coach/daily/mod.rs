//! The daily question's rules (issue 17), as pure functions of their inputs:
//! no Discord, no database and no clock of its own. Every function that
//! depends on the time takes `now` as a [`Timestamp`], so the callers (and
//! the tests) drive it with any clock they like.
//!
//! - [`schedule`] — a server's [`Schedule`] (post time, IANA time zone,
//!   board weekday), read from what a moderator types, with specific errors.
//! - [`timing`] — when the day's post is due ([`due`], [`next_post`]) and
//!   when the weekly board is ([`board_due`], [`next_board`]): at the
//!   configured local time, correct across daylight-saving changes; a post
//!   missed while the bot was down is made once, the same local day only.
//! - [`rotation`] — which question comes next for a role: no repeat within
//!   the role's question count, the same answer after a restart.
//! - [`streak`] — a member's current and longest streak of days with an
//!   answer, in the server's time zone, from the days or from a small
//!   running record.
//!
//! Local dates are [`jiff::civil::Date`]s in the schedule's zone; the time
//! zone data is jiff's bundled copy of the IANA database, so nothing is read
//! from the system.

pub mod rotation;
pub mod schedule;
pub mod streak;
#[cfg(test)]
mod tests;
pub mod timing;

pub use jiff::civil::{Date, Time, Weekday};
pub use jiff::tz::TimeZone;
pub use jiff::Timestamp;

pub use rotation::{next_in_rotation, next_question, next_role, rotation_seed};
pub use schedule::{parse_time, parse_weekday, parse_zone, weekday_name, Schedule, ScheduleError};
pub use streak::{answer_days, StreakRecord, Streaks};
pub use timing::{board_due, due, next_board, next_post, post_time};

/// The date `instant` falls on in `zone`.
pub fn local_date(instant: Timestamp, zone: &TimeZone) -> Date {
    zone.to_datetime(instant).date()
}
