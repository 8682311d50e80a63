//! What the progress chart and its summary say (`/progress`, `interview-coach
//! progress`), and what the terminal says about its local database
//! (`practice --db`, `progress`, `forget`).

use std::path::Path;

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::plural;
use crate::coach::progress::chart::{ChartText, RESULTS_WINDOW};
use crate::coach::progress::{ProgressSummary, Trend};

/// A day as the chart and the summary name it: "3 Nov", or "3 Nov 2024" when
/// `with_year`.
pub fn short_date(at: i64, tz: &TimeZone, with_year: bool) -> String {
    let Ok(ts) = Timestamp::from_second(at) else {
        return String::from("?");
    };
    let format = if with_year { "%-d %b %Y" } else { "%-d %b" };
    tz.to_datetime(ts).strftime(format).to_string()
}

/// The first and last day of the summary, with years only when they differ.
fn span(s: &ProgressSummary, tz: &TimeZone) -> (String, String) {
    let year = |at| {
        Timestamp::from_second(at)
            .map(|t| tz.to_datetime(t).year())
            .ok()
    };
    let with_year = year(s.first_at) != year(s.last_at);
    (
        short_date(s.first_at, tz, with_year),
        short_date(s.last_at, tz, with_year),
    )
}

/// "from 58% to 83%", "steady at 75%", or "75%" when the early and recent
/// answers are the same ones.
fn trend(s: &ProgressSummary, t: Trend, unit: impl Fn(f64) -> String) -> String {
    let (early, recent) = (unit(t.early), unit(t.recent));
    if s.answers <= s.window {
        recent
    } else if early == recent {
        format!("steady at {recent}")
    } else {
        format!("from {early} to {recent}")
    }
}

/// The one-line summary beside the chart, for screen readers (and the
/// terminal): "12 answers since 3 Nov: steps covered from 58% to 83%, results
/// quantified in 7 of 12, 9 of 12 within the length target, fillers from 4.1
/// to 1.2 per minute." The changes compare the first few answers with the last
/// few; words rather than arrows, which screen readers name.
pub fn progress_summary(s: &ProgressSummary, tz: &TimeZone) -> String {
    let (first, _) = span(s, tz);
    let mut parts = Vec::new();
    if let Some(steps) = s.steps {
        let percent = |v: f64| format!("{v:.0}%");
        parts.push(format!("steps covered {}", trend(s, steps, percent)));
    }
    if s.measured > 0 {
        parts.push(format!(
            "results quantified in {} of {}",
            s.quantified, s.measured
        ));
    }
    parts.push(format!(
        "{} of {} within the length target",
        s.within_length, s.answers
    ));
    let rate = |v: f64| format!("{v:.1}");
    parts.push(format!(
        "fillers {} per minute",
        trend(s, s.fillers_per_minute, rate)
    ));
    let lead = if s.answers == 1 {
        format!("1 answer, on {first}")
    } else {
        format!("{} since {first}", plural(s.answers as u64, "answer"))
    };
    format!("{lead}: {}.", parts.join(", "))
}

/// The words on the chart of `s`'s answers (or of none).
pub fn progress_chart_text(s: Option<&ProgressSummary>, tz: &TimeZone) -> ChartText {
    let title = match s {
        Some(s) => {
            let (first, last) = span(s, tz);
            let answers = plural(s.answers as u64, "answer");
            if first == last {
                format!("Your progress: {answers} on {first}")
            } else {
                format!("Your progress: {answers}, {first} to {last}")
            }
        }
        None => String::from("Your progress"),
    };
    ChartText {
        title,
        x_axis: String::from("Answers, oldest first"),
        steps: String::from("Framework steps covered (%)"),
        quantified: format!("Quantified results (% of the last {RESULTS_WINDOW})"),
        length: String::from("Length in words (shaded: target)"),
        fillers: String::from("Fillers per minute"),
        empty: String::from("No analysed answers yet."),
    }
}

/// `progress` on a database with no analysed answer in it.
pub fn no_progress_terminal(db: &Path) -> String {
    format!(
        "No answers recorded in {} yet; record some with `interview-coach practice --role ROLE --db {}`.",
        db.display(),
        db.display()
    )
}

/// `progress` after writing the chart.
pub fn chart_written(out: &Path) -> String {
    format!("Chart written to {}", out.display())
}

/// `forget` after emptying the terminal's database.
pub fn forgot_terminal(db: &Path, interviews: u64, answers: u64) -> String {
    if interviews == 0 && answers == 0 {
        return format!("{} held no interviews; nothing was deleted.", db.display());
    }
    format!(
        "Deleted {} and {} from {}.",
        plural(interviews, "interview"),
        plural(answers, "answer"),
        db.display()
    )
}

/// `progress` or `forget` on a path with no database; `what` is "does not
/// exist" or "is not a file".
pub fn no_database(db: &Path, what: &str) -> String {
    format!(
        "the database {} {what}; `interview-coach practice --role ROLE --db {}` records one",
        db.display(),
        db.display()
    )
}

/// `progress` when the chart could not be written to `--out`.
pub fn chart_not_written(out: &Path, error: &std::io::Error) -> String {
    format!(
        "cannot write the chart to {}: {error}; give another file with --out",
        out.display()
    )
}

/// `practice --db` when another session's interview is open in the database.
pub fn practice_in_progress(db: &Path) -> String {
    format!(
        "another practice session is recording in {} right now; finish it first, or give another --db",
        db.display()
    )
}

/// `practice --db` when the session's interview was ended from elsewhere
/// (another session, or `forget`); `status` says how it is now.
pub fn practice_closed_elsewhere(status: &str) -> String {
    format!("this session's interview was ended elsewhere (it is now {status})")
}

/// `practice --db` when another process wrote to the session's interview.
pub const PRACTICE_CHANGED_ELSEWHERE: &str =
    "this session's interview was changed by another process";

/// `practice --db` when an answer could not be written; practice goes on.
pub fn not_recording(db: &Path, error: &str) -> String {
    format!(
        "answers are no longer being recorded in {}: {error}",
        db.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_762_128_000; // 3 Nov 2025, 00:00 UTC
    const DAY: i64 = 86_400;

    fn summary(answers: usize, window: usize) -> ProgressSummary {
        ProgressSummary {
            answers,
            first_at: T0,
            last_at: T0 + 47 * DAY,
            window,
            steps: Some(Trend {
                early: 58.3,
                recent: 83.3,
            }),
            quantified: 7,
            measured: answers,
            within_length: 9,
            fillers_per_minute: Trend {
                early: 4.125,
                recent: 1.2,
            },
        }
    }

    #[test]
    fn the_summary_names_every_figure_and_its_change() {
        assert_eq!(
            progress_summary(&summary(12, 4), &TimeZone::UTC),
            "12 answers since 3 Nov: steps covered from 58% to 83%, results quantified in 7 of 12, \
             9 of 12 within the length target, fillers from 4.1 to 1.2 per minute."
        );
    }

    #[test]
    fn one_answer_has_no_change_and_no_results_clause_without_a_measure() {
        let mut s = summary(1, 1);
        s.last_at = s.first_at;
        s.measured = 0;
        s.quantified = 0;
        s.within_length = 1;
        s.steps = None;
        assert_eq!(
            progress_summary(&s, &TimeZone::UTC),
            "1 answer, on 3 Nov: 1 of 1 within the length target, fillers 1.2 per minute."
        );
    }

    #[test]
    fn dates_are_in_the_given_zone_with_years_across_a_new_year() {
        // 3 Nov 2025 00:00 UTC is still 2 Nov in New York.
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(short_date(T0, &ny, false), "2 Nov");
        let mut s = summary(12, 4);
        s.last_at = T0 + 60 * DAY;
        let text = progress_chart_text(Some(&s), &TimeZone::UTC);
        assert_eq!(
            text.title,
            "Your progress: 12 answers, 3 Nov 2025 to 2 Jan 2026"
        );
    }

    #[test]
    fn forget_says_what_went() {
        let db = Path::new("coach.db");
        assert_eq!(
            forgot_terminal(db, 2, 1),
            "Deleted 2 interviews and 1 answer from coach.db."
        );
        assert_eq!(
            forgot_terminal(db, 0, 0),
            "coach.db held no interviews; nothing was deleted."
        );
    }
}
