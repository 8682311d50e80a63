//! `/daily setup`: reading what a moderator typed into a stored schedule, with every
//! problem named at once.

use crate::coach::daily::{self, Schedule};
use crate::guide::{GuideLibrary, Level};
use crate::messages::daily as text;
use crate::store::DailySchedule;

/// What a moderator typed: the options of `/daily setup`, as given.
#[derive(Debug, Clone, Default)]
pub struct SetupRequest<'a> {
    pub guild_id: u64,
    pub channel_id: u64,
    pub time: &'a str,
    pub timezone: &'a str,
    /// Role ids, aliases or names separated by commas or spaces; none or `all`: every role.
    pub roles: Option<&'a str>,
    pub level: Option<&'a str>,
    pub board_day: Option<&'a str>,
}

/// A request read and checked: the schedule and the roles it rotates through.
#[derive(Debug, Clone)]
pub struct Checked {
    pub schedule: Schedule,
    /// Role ids; empty: every role.
    pub roles: Vec<String>,
    pub level: Option<Level>,
}

/// Reads the request against the guides in service. `Err` lists every problem, worded
/// for the moderator.
pub fn check(req: &SetupRequest<'_>, guides: &GuideLibrary) -> Result<Checked, Vec<String>> {
    let mut problems = Vec::new();
    let schedule = Schedule::parse(req.time, req.timezone, req.board_day)
        .map_err(|errors| problems.extend(errors.iter().map(ToString::to_string)))
        .ok();

    let level = match req.level.map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(input) => match Level::parse(input) {
            Some(level) => Some(level),
            None => {
                let ids: Vec<&str> = Level::ALL.iter().map(|l| l.id()).collect();
                problems.push(crate::messages::unknown_level(input, &ids));
                None
            }
        },
    };

    let mut roles: Vec<String> = Vec::new();
    for name in role_names(req.roles) {
        match guides.resolve_role(name) {
            Ok(role) => {
                if let Some(level) = level {
                    if !role.questions.iter().any(|q| q.suits(Some(level))) {
                        problems.push(crate::messages::no_question_at_level(
                            &role.name,
                            level.id(),
                        ));
                    }
                }
                if !roles.contains(&role.id) {
                    roles.push(role.id.clone());
                }
            }
            Err(unknown) => problems.push(crate::messages::unknown_role(&unknown)),
        }
    }
    if roles.is_empty() && problems.is_empty() {
        if let Some(level) = level {
            if !guides
                .roles()
                .iter()
                .any(|r| r.questions.iter().any(|q| q.suits(Some(level))))
            {
                problems.push(text::no_role_at_level(level.id()));
            }
        }
    }
    match schedule {
        Some(schedule) if problems.is_empty() => Ok(Checked {
            schedule,
            roles,
            level,
        }),
        _ => Err(problems),
    }
}

/// The role names in a `roles:` option: split on commas and white space; `all` (or
/// nothing) means every role.
fn role_names(input: Option<&str>) -> Vec<&str> {
    let names: Vec<&str> = input
        .unwrap_or("")
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    if names.iter().any(|n| n.eq_ignore_ascii_case("all")) {
        return Vec::new();
    }
    names
}

/// The row to store for a checked request. A new schedule whose post time has already
/// passed today posts today's question at once (the moderator sees it work); one that
/// replaces another keeps what that one already posted, so today is never posted twice,
/// and its last board.
pub fn to_row(
    req: &SetupRequest<'_>,
    checked: &Checked,
    before: Option<&DailySchedule>,
) -> DailySchedule {
    let schedule = &checked.schedule;
    DailySchedule {
        guild_id: req.guild_id,
        channel_id: req.channel_id,
        post_time: schedule.time_text(),
        timezone: schedule.zone_name().to_string(),
        roles: checked.roles.clone(),
        level: checked.level,
        board_day: daily::weekday_name(schedule.board_day()).to_string(),
        last_day: before.and_then(|b| b.last_day.clone()),
        last_board_day: before.and_then(|b| b.last_board_day.clone()),
    }
}

/// A stored schedule read back; `None` (logged) if it no longer parses, e.g. a zone a
/// newer time-zone database dropped.
pub fn parse_row(row: &DailySchedule) -> Option<Schedule> {
    match Schedule::parse(&row.post_time, &row.timezone, Some(&row.board_day)) {
        Ok(schedule) => Some(schedule),
        Err(errors) => {
            tracing::warn!(
                guild = row.guild_id,
                ?errors,
                "a stored daily schedule no longer reads; it is skipped until set up again"
            );
            None
        }
    }
}
