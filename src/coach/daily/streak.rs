//! Streaks: runs of consecutive local days (in the server's zone) on which a
//! member answered the daily question.
//!
//! The current streak is the run that ends on the member's latest answer
//! day, while that day is today or yesterday: a streak survives until the
//! end of the day after the last answer, so not having answered yet today
//! breaks nothing. The longest streak is the longest run ever.
//!
//! [`Streaks::from_days`] counts from the set of days; [`StreakRecord`] keeps
//! the same counts in three fields, updated one answer at a time, so a store
//! can keep a member's streak after the answers themselves are deleted.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// A member's streaks as of one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streaks {
    /// Days in the run that ends on the latest answer day, if that is today
    /// or yesterday; else 0.
    pub current: u32,
    pub longest: u32,
}

impl Streaks {
    /// The streaks as of `today`, from the local days with an answer.
    pub fn from_days(days: &BTreeSet<Date>, today: Date) -> Streaks {
        let mut record = StreakRecord::default();
        for &day in days {
            record.answered(day);
        }
        record.as_of(today)
    }
}

/// The local days in `zone` on which the `answers` (their instants) fell.
pub fn answer_days(
    answers: impl IntoIterator<Item = Timestamp>,
    zone: &TimeZone,
) -> BTreeSet<Date> {
    answers
        .into_iter()
        .map(|at| super::local_date(at, zone))
        .collect()
}

/// What a store keeps of a member's streak: the latest answer day, the run
/// ending on it, and the longest run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreakRecord {
    pub last_day: Option<Date>,
    /// Consecutive days ending on `last_day`.
    pub run: u32,
    pub longest: u32,
}

impl StreakRecord {
    /// Counts an answer on local `day`. Days come in order: a day before
    /// `last_day` changes nothing, and so does a second answer on a day.
    pub fn answered(&mut self, day: Date) {
        match self.last_day {
            Some(last) if day <= last => return,
            Some(last) if last.tomorrow().ok() == Some(day) => self.run += 1,
            _ => self.run = 1,
        }
        self.last_day = Some(day);
        self.longest = self.longest.max(self.run);
    }

    /// The streaks as of `today`.
    pub fn as_of(&self, today: Date) -> Streaks {
        let alive = self
            .last_day
            .is_some_and(|last| today.yesterday().map_or(true, |y| last >= y));
        Streaks {
            current: if alive { self.run } else { 0 },
            longest: self.longest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn days(list: &[(i16, i8, i8)]) -> BTreeSet<Date> {
        list.iter().map(|&(y, m, d)| date(y, m, d)).collect()
    }

    fn s(current: u32, longest: u32) -> Streaks {
        Streaks { current, longest }
    }

    #[test]
    fn no_answers_no_streak() {
        assert_eq!(
            Streaks::from_days(&BTreeSet::new(), date(2026, 3, 1)),
            s(0, 0)
        );
    }

    #[test]
    fn a_streak_lives_until_the_end_of_the_next_day() {
        let d = days(&[(2026, 3, 1), (2026, 3, 2), (2026, 3, 3)]);
        assert_eq!(Streaks::from_days(&d, date(2026, 3, 3)), s(3, 3));
        // Not answered yet today: still alive.
        assert_eq!(Streaks::from_days(&d, date(2026, 3, 4)), s(3, 3));
        // A whole day without an answer: broken.
        assert_eq!(Streaks::from_days(&d, date(2026, 3, 5)), s(0, 3));
    }

    #[test]
    fn a_missed_day_starts_a_new_run() {
        let d = days(&[
            (2026, 3, 1),
            (2026, 3, 2),
            (2026, 3, 3),
            (2026, 3, 4),
            (2026, 3, 6),
            (2026, 3, 7),
        ]);
        assert_eq!(Streaks::from_days(&d, date(2026, 3, 7)), s(2, 4));
        assert_eq!(Streaks::from_days(&d, date(2026, 3, 8)), s(2, 4));
        // The longest run can also be the current one.
        let d = days(&[(2026, 3, 1), (2026, 3, 3), (2026, 3, 4)]);
        assert_eq!(Streaks::from_days(&d, date(2026, 3, 4)), s(2, 2));
    }

    #[test]
    fn runs_cross_month_year_and_leap_days() {
        let d = days(&[(2025, 12, 30), (2025, 12, 31), (2026, 1, 1), (2026, 1, 2)]);
        assert_eq!(Streaks::from_days(&d, date(2026, 1, 2)), s(4, 4));
        let d = days(&[(2028, 2, 28), (2028, 2, 29), (2028, 3, 1)]);
        assert_eq!(Streaks::from_days(&d, date(2028, 3, 2)), s(3, 3));
        // 2027 has no 29 February: the 28th and 1 March are consecutive.
        let d = days(&[(2027, 2, 28), (2027, 3, 1)]);
        assert_eq!(Streaks::from_days(&d, date(2027, 3, 1)), s(2, 2));
    }

    #[test]
    fn answers_count_on_the_servers_local_day() {
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        // 23:30 UTC on three evenings, and once just after midnight UTC.
        let answers = [
            ts("2026-01-10T23:30:00Z"),
            ts("2026-01-11T23:30:00Z"),
            ts("2026-01-13T00:10:00Z"),
        ];
        // In UTC the second and third are two days apart.
        let utc = TimeZone::UTC;
        let in_utc = answer_days(answers, &utc);
        assert_eq!(Streaks::from_days(&in_utc, date(2026, 1, 13)), s(1, 2));
        // In Kolkata (UTC+05:30) they fall on the 11th, 12th and 13th: one run.
        let kolkata = TimeZone::get("Asia/Kolkata").unwrap();
        let local = answer_days(answers, &kolkata);
        assert_eq!(local, days(&[(2026, 1, 11), (2026, 1, 12), (2026, 1, 13)]));
        assert_eq!(Streaks::from_days(&local, date(2026, 1, 13)), s(3, 3));
        // In New York (UTC-05:00) the 10th, 11th and 12th; as of the 14th, broken.
        let new_york = TimeZone::get("America/New_York").unwrap();
        let local = answer_days(answers, &new_york);
        assert_eq!(local, days(&[(2026, 1, 10), (2026, 1, 11), (2026, 1, 12)]));
        assert_eq!(Streaks::from_days(&local, date(2026, 1, 14)), s(0, 3));
        // Two answers the same local day count once.
        let twice = [ts("2026-01-11T06:00:00Z"), ts("2026-01-11T20:00:00Z")];
        assert_eq!(answer_days(twice, &new_york).len(), 1);
    }

    #[test]
    fn a_short_dst_day_is_still_one_day() {
        // Berlin's 2026-03-29 has 23 hours: answers late on the 28th and
        // early on the 30th, local time, are a run of three with the 29th.
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        let answers = [
            ts("2026-03-28T22:59:00Z"), // 23:59 CET
            ts("2026-03-29T21:59:00Z"), // 23:59 CEST
            ts("2026-03-29T22:01:00Z"), // 00:01 CEST on the 30th
        ];
        let local = answer_days(answers, &berlin);
        assert_eq!(local, days(&[(2026, 3, 28), (2026, 3, 29), (2026, 3, 30)]));
        assert_eq!(Streaks::from_days(&local, date(2026, 3, 30)), s(3, 3));
    }

    #[test]
    fn the_record_agrees_with_counting_the_days() {
        // A fixed pseudo-random walk of answer days over two years.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut day = date(2025, 1, 1);
        let mut all = BTreeSet::new();
        let mut record = StreakRecord::default();
        for _ in 0..500 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let gap = [0, 1, 1, 1, 1, 2, 3][(seed % 7) as usize];
            for _ in 0..gap {
                day = day.tomorrow().unwrap();
            }
            all.insert(day);
            record.answered(day);
            for today in [
                day,
                day.tomorrow().unwrap(),
                day.checked_add(jiff::ToSpan::days(2)).unwrap(),
            ] {
                assert_eq!(
                    record.as_of(today),
                    Streaks::from_days(&all, today),
                    "{today}"
                );
            }
        }
        assert!(record.longest > 5, "the walk has some long runs");
    }

    #[test]
    fn the_record_ignores_repeats_and_older_days() {
        let mut record = StreakRecord::default();
        record.answered(date(2026, 5, 2));
        record.answered(date(2026, 5, 2));
        record.answered(date(2026, 5, 1));
        assert_eq!(record.run, 1);
        record.answered(date(2026, 5, 3));
        assert_eq!(record.as_of(date(2026, 5, 3)), s(2, 2));
        assert_eq!(record.last_day, Some(date(2026, 5, 3)));
    }
}
