//! A server's daily schedule: the local time of the post, the IANA time zone
//! it is read in, and the weekday of the weekly board; read from the text a
//! moderator gives `/daily setup`, with an error that names what is wrong.
//!
//! A time is `HH:MM` on the 24-hour clock (`9:30`, `18:05`; a dot also
//! separates, and `am`/`pm` is understood). A zone is a `Region/City` name
//! from the IANA database (`Europe/Berlin`, any case, spaces for
//! underscores) or `UTC`; abbreviations (`EST`, `CET`, `GMT`) are refused,
//! since they would not follow daylight-saving time, with the zones they
//! usually mean suggested instead. A weekday is a name or its abbreviation.

use jiff::civil::{Time, Weekday};
use jiff::tz::{self, TimeZone};
use jiff::Timestamp;

use crate::guide::suggest;

/// When and where a server's daily question is posted.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    time: Time,
    zone: TimeZone,
    /// The zone's IANA name as the database spells it.
    zone_name: String,
    board_day: Weekday,
}

/// What a moderator typed that cannot be a schedule. `input` is what was
/// typed, trimmed and cut to [`MAX_ECHO`] characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "`{input}` is not a time: write it as HH:MM on the 24-hour clock, e.g. 09:00 or 18:30"
    )]
    TimeFormat { input: String },
    #[error("`{input}` has no hour {hour}: hours run from {} to {}", .range.0, .range.1)]
    Hour {
        input: String,
        hour: u32,
        range: (u32, u32),
    },
    #[error("`{input}` has no minute {minute}: minutes run from 00 to 59")]
    Minute { input: String, minute: u32 },
    #[error("`{input}` is not a time zone{}; use a Region/City name such as Europe/Berlin or America/New_York", hint(.suggestions))]
    UnknownZone {
        input: String,
        suggestions: Vec<String>,
    },
    #[error("`{input}` is an abbreviation, which does not follow daylight-saving time{}; use a Region/City name", hint(.suggestions))]
    ZoneAbbreviation {
        input: String,
        suggestions: Vec<String>,
    },
    #[error("`{input}` is not a day of the week{}", hint(.suggestions))]
    Weekday {
        input: String,
        suggestions: Vec<String>,
    },
}

/// The most characters of the input an error repeats.
pub const MAX_ECHO: usize = 60;

fn echo(input: &str) -> String {
    input.trim().chars().take(MAX_ECHO).collect()
}

fn hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" (did you mean {one}?)"),
        [init @ .., last] => format!(" (did you mean {} or {last}?)", init.join(", ")),
    }
}

impl Schedule {
    /// The board's weekday when none is given.
    pub const DEFAULT_BOARD_DAY: Weekday = Weekday::Monday;

    /// Reads the three settings, reporting every one that is wrong. A
    /// missing `board_day` is [`Schedule::DEFAULT_BOARD_DAY`].
    pub fn parse(
        time: &str,
        zone: &str,
        board_day: Option<&str>,
    ) -> Result<Schedule, Vec<ScheduleError>> {
        let time = parse_time(time);
        let zone = parse_zone(zone);
        let day = board_day.map_or(Ok(Self::DEFAULT_BOARD_DAY), parse_weekday);
        match (time, zone, day) {
            (Ok(time), Ok(zone), Ok(board_day)) => Ok(Schedule::new(time, zone, board_day)),
            (time, zone, day) => Err([time.err(), zone.err(), day.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }

    /// `zone` comes from [`parse_zone`], so it has an IANA name.
    fn new(time: Time, zone: TimeZone, board_day: Weekday) -> Schedule {
        let zone_name = zone.iana_name().unwrap_or("UTC").to_string();
        Schedule {
            time: Time::new(time.hour(), time.minute(), 0, 0).unwrap_or(time),
            zone,
            zone_name,
            board_day,
        }
    }

    /// The local time of the daily post (whole minutes).
    pub fn time(&self) -> Time {
        self.time
    }

    /// The post time as `HH:MM`, as [`parse_time`] reads it back.
    pub fn time_text(&self) -> String {
        format!("{:02}:{:02}", self.time.hour(), self.time.minute())
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The zone's IANA name, as [`parse_zone`] reads it back.
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    pub fn board_day(&self) -> Weekday {
        self.board_day
    }

    /// The local date at `now`.
    pub fn today(&self, now: Timestamp) -> jiff::civil::Date {
        super::local_date(now, &self.zone)
    }
}

/// Reads `HH:MM` (24-hour), `H:MM`, `HH.MM`, or a 12-hour time with `am` or
/// `pm` (`7pm`, `7:30 pm`).
pub fn parse_time(input: &str) -> Result<Time, ScheduleError> {
    let text = input.trim().to_ascii_lowercase();
    let format = || ScheduleError::TimeFormat { input: echo(input) };
    let (clock, half) = match text
        .strip_suffix("am")
        .or_else(|| text.strip_suffix("a.m."))
    {
        Some(rest) => (rest.trim_end(), Some(false)),
        None => match text
            .strip_suffix("pm")
            .or_else(|| text.strip_suffix("p.m."))
        {
            Some(rest) => (rest.trim_end(), Some(true)),
            None => (text.as_str(), None),
        },
    };
    let (hour, minute) = match clock.split_once([':', '.']) {
        Some((h, m)) => (h, Some(m)),
        // A bare hour only with am/pm: "930" or "18" alone is too easy to misread.
        None if half.is_some() => (clock, None),
        None => return Err(format()),
    };
    let number = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let hour = number(hour, 2).ok_or_else(format)?;
    let minute = match minute {
        Some(m) if m.len() == 2 => number(m, 2).ok_or_else(format)?,
        Some(_) => return Err(format()),
        None => 0,
    };
    let hour = match half {
        None if hour > 23 => {
            return Err(ScheduleError::Hour {
                input: echo(input),
                hour,
                range: (0, 23),
            })
        }
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => {
            return Err(ScheduleError::Hour {
                input: echo(input),
                hour,
                range: (1, 12),
            })
        }
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
    };
    if minute > 59 {
        return Err(ScheduleError::Minute {
            input: echo(input),
            minute,
        });
    }
    Time::new(hour as i8, minute as i8, 0, 0).map_err(|_| format())
}

/// Abbreviations people type for a zone, and the zones they usually mean.
const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("EST", &["America/New_York"]),
    ("EDT", &["America/New_York"]),
    ("ET", &["America/New_York"]),
    ("CST", &["America/Chicago", "Asia/Shanghai"]),
    ("CDT", &["America/Chicago"]),
    ("CT", &["America/Chicago"]),
    ("MST", &["America/Denver", "America/Phoenix"]),
    ("MDT", &["America/Denver"]),
    ("PST", &["America/Los_Angeles"]),
    ("PDT", &["America/Los_Angeles"]),
    ("PT", &["America/Los_Angeles"]),
    ("HST", &["Pacific/Honolulu"]),
    ("GMT", &["Europe/London", "UTC"]),
    ("BST", &["Europe/London"]),
    ("WET", &["Europe/Lisbon"]),
    ("CET", &["Europe/Berlin", "Europe/Paris"]),
    ("CEST", &["Europe/Berlin", "Europe/Paris"]),
    ("EET", &["Europe/Athens", "Europe/Helsinki"]),
    ("MSK", &["Europe/Moscow"]),
    ("IST", &["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]),
    ("PKT", &["Asia/Karachi"]),
    ("SGT", &["Asia/Singapore"]),
    ("JST", &["Asia/Tokyo"]),
    ("KST", &["Asia/Seoul"]),
    ("AEST", &["Australia/Sydney"]),
    ("AEDT", &["Australia/Sydney"]),
    ("NZST", &["Pacific/Auckland"]),
];

/// Reads an IANA zone name: `Region/City` in any case, with spaces for
/// underscores, or `UTC`.
pub fn parse_zone(input: &str) -> Result<TimeZone, ScheduleError> {
    let name = input.trim().replace(' ', "_");
    let upper = name.to_ascii_uppercase();
    if let Some((_, zones)) = ABBREVIATIONS.iter().find(|(a, _)| *a == upper) {
        return Err(ScheduleError::ZoneAbbreviation {
            input: echo(input),
            suggestions: zones.iter().map(|z| z.to_string()).collect(),
        });
    }
    let region_city = name.contains('/') || upper == "UTC";
    if region_city {
        if let Ok(zone) = tz::db().get(&name) {
            if zone.iana_name().is_some() {
                return Ok(zone);
            }
        }
    }
    Err(ScheduleError::UnknownZone {
        input: echo(input),
        suggestions: zone_suggestions(&name),
    })
}

/// Up to three zone names close to `name`: zones whose city is `name`
/// (`Berlin`, `new york`), then names or cities a typo away.
fn zone_suggestions(name: &str) -> Vec<String> {
    let wanted = name.to_lowercase();
    let wanted_city = wanted.rsplit('/').next().unwrap_or(&wanted).to_string();
    if wanted_city.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/"))
        .collect();
    let city = |n: &str| n.rsplit('/').next().unwrap_or(n).to_lowercase();
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| city(n) == wanted_city)
        .cloned()
        .collect();
    out.sort();
    if out.is_empty() {
        let by_name = suggest::closest(&wanted, names.iter().map(String::as_str), 3);
        let cities: Vec<String> = names.iter().map(|n| city(n)).collect();
        let by_city = suggest::closest(&wanted_city, cities.iter().map(String::as_str), 3);
        for found in by_name.into_iter().map(str::to_string).chain(
            by_city
                .into_iter()
                .filter_map(|c| names.iter().find(|n| city(n) == c).cloned()),
        ) {
            if !out.contains(&found) {
                out.push(found);
            }
        }
    }
    out.truncate(3);
    out
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

/// The weekday's name, as [`parse_weekday`] reads it back.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// Reads a weekday: its name, in any case, or the name's first three letters
/// or more (`mon`, `tues`, `thurs`); a plural (`mondays`) too.
pub fn parse_weekday(input: &str) -> Result<Weekday, ScheduleError> {
    let text = input.trim().to_lowercase();
    let text = text.strip_suffix('.').unwrap_or(&text);
    let found = |s: &str| {
        WEEKDAYS
            .iter()
            .find(|(_, name)| s.len() >= 3 && name.starts_with(s))
            .map(|(day, _)| *day)
    };
    if let Some(day) = found(text).or_else(|| text.strip_suffix('s').and_then(found)) {
        return Ok(day);
    }
    Err(ScheduleError::Weekday {
        input: echo(input),
        suggestions: suggest::closest(text, WEEKDAYS.iter().map(|(_, n)| *n), 2)
            .into_iter()
            .map(|n| {
                let day = WEEKDAYS.iter().find(|(_, name)| *name == n).map(|d| d.0);
                weekday_name(day.unwrap_or(Weekday::Monday)).to_string()
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;

    fn hm(h: i8, m: i8) -> Time {
        time(h, m, 0, 0)
    }

    #[test]
    fn times_in_the_forms_people_type() {
        for (input, want) in [
            ("09:00", hm(9, 0)),
            ("9:30", hm(9, 30)),
            (" 18:05 ", hm(18, 5)),
            ("00:00", hm(0, 0)),
            ("23:59", hm(23, 59)),
            ("7.45", hm(7, 45)),
            ("7pm", hm(19, 0)),
            ("7:30 PM", hm(19, 30)),
            ("12am", hm(0, 0)),
            ("12:15 a.m.", hm(0, 15)),
            ("12pm", hm(12, 0)),
        ] {
            assert_eq!(parse_time(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn bad_times_say_what_is_wrong() {
        for input in [
            "", "noon", "930", "18", "9:5", "9:005", "-1:00", "9:3o", "1:2:3",
        ] {
            assert!(
                matches!(parse_time(input), Err(ScheduleError::TimeFormat { .. })),
                "{input}: {:?}",
                parse_time(input)
            );
        }
        let err = parse_time("24:00").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`24:00` has no hour 24: hours run from 0 to 23"
        );
        let err = parse_time("13pm").unwrap_err();
        assert!(matches!(
            err,
            ScheduleError::Hour {
                hour: 13,
                range: (1, 12),
                ..
            }
        ));
        let err = parse_time("0am").unwrap_err();
        assert!(matches!(err, ScheduleError::Hour { hour: 0, .. }));
        let err = parse_time("10:75").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`10:75` has no minute 75: minutes run from 00 to 59"
        );
        assert!(parse_time("10 am").is_ok());
    }

    #[test]
    fn zones_by_iana_name_in_any_case() {
        let zone = parse_zone("europe/berlin").unwrap();
        assert_eq!(zone.iana_name(), Some("Europe/Berlin"));
        let zone = parse_zone(" America/New York ").unwrap();
        assert_eq!(zone.iana_name(), Some("America/New_York"));
        assert_eq!(parse_zone("utc").unwrap().iana_name(), Some("UTC"));
        assert!(parse_zone("Asia/Kolkata").is_ok());
        assert!(parse_zone("America/Argentina/Buenos_Aires").is_ok());
    }

    #[test]
    fn an_unknown_zone_comes_with_the_closest_names() {
        let suggestions = |input: &str| match parse_zone(input) {
            Err(ScheduleError::UnknownZone { suggestions, .. }) => suggestions,
            other => panic!("{input}: {other:?}"),
        };
        assert_eq!(suggestions("Berlin"), vec!["Europe/Berlin"]);
        assert_eq!(suggestions("new york"), vec!["America/New_York"]);
        assert!(suggestions("Europe/Berln").contains(&"Europe/Berlin".to_string()));
        assert!(suggestions("Asia/Calcuta").contains(&"Asia/Calcutta".to_string()));
        assert!(suggestions("Nowhere/Qqqqqqqq").is_empty());
        assert!(suggestions("").is_empty());
        let err = parse_zone("Europe/Berln").unwrap_err().to_string();
        assert!(
            err.starts_with("`Europe/Berln` is not a time zone (did you mean Europe/Berlin"),
            "{err}"
        );
        // A fixed offset is not a zone: it would not follow daylight-saving time.
        assert!(matches!(
            parse_zone("+05:30"),
            Err(ScheduleError::UnknownZone { .. })
        ));
        assert!(matches!(
            parse_zone("Etc/Unknown"),
            Err(ScheduleError::UnknownZone { .. })
        ));
    }

    #[test]
    fn abbreviations_are_refused_with_the_zones_they_mean() {
        let err = parse_zone("est").unwrap_err();
        assert_eq!(
            err,
            ScheduleError::ZoneAbbreviation {
                input: "est".into(),
                suggestions: vec!["America/New_York".into()],
            }
        );
        assert_eq!(
            err.to_string(),
            "`est` is an abbreviation, which does not follow daylight-saving time \
             (did you mean America/New_York?); use a Region/City name"
        );
        let err = parse_zone("IST").unwrap_err().to_string();
        assert!(
            err.contains("Asia/Kolkata, Europe/Dublin or Asia/Jerusalem"),
            "{err}"
        );
        // Every suggested zone exists.
        for (_, zones) in ABBREVIATIONS {
            for zone in *zones {
                assert!(parse_zone(zone).is_ok(), "{zone}");
            }
        }
        // Single-word links that are not abbreviations are refused too, with the city.
        match parse_zone("Singapore") {
            Err(ScheduleError::UnknownZone { suggestions, .. }) => {
                assert_eq!(suggestions, vec!["Asia/Singapore"])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn weekdays_by_name_or_abbreviation() {
        for (input, want) in [
            ("Monday", Weekday::Monday),
            ("mon", Weekday::Monday),
            ("TUES", Weekday::Tuesday),
            ("wed.", Weekday::Wednesday),
            ("thurs", Weekday::Thursday),
            ("Fridays", Weekday::Friday),
            (" sat ", Weekday::Saturday),
            ("sun", Weekday::Sunday),
        ] {
            assert_eq!(parse_weekday(input), Ok(want), "{input}");
        }
        for day in WEEKDAYS.map(|d| d.0) {
            assert_eq!(parse_weekday(weekday_name(day)), Ok(day));
        }
        let err = parse_weekday("wendsday").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`wendsday` is not a day of the week (did you mean Wednesday?)"
        );
        for input in ["", "m", "mo", "weekend", "someday"] {
            assert!(parse_weekday(input).is_err(), "{input}");
        }
    }

    #[test]
    fn a_schedule_reports_every_wrong_setting_at_once() {
        let s = Schedule::parse("7:30", "asia/kolkata", None).unwrap();
        assert_eq!(s.time_text(), "07:30");
        assert_eq!(s.zone_name(), "Asia/Kolkata");
        assert_eq!(s.board_day(), Schedule::DEFAULT_BOARD_DAY);
        let again = Schedule::parse(
            &s.time_text(),
            s.zone_name(),
            Some(weekday_name(s.board_day())),
        );
        assert_eq!(again.as_ref(), Ok(&s));

        let errors = Schedule::parse("25:00", "Mars/Olympus", Some("caturday")).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(matches!(errors[0], ScheduleError::Hour { .. }));
        assert!(matches!(errors[1], ScheduleError::UnknownZone { .. }));
        assert!(matches!(errors[2], ScheduleError::Weekday { .. }));

        let long = "x".repeat(500);
        match parse_time(&long) {
            Err(ScheduleError::TimeFormat { input }) => assert_eq!(input.len(), MAX_ECHO),
            other => panic!("{other:?}"),
        }
    }
}
