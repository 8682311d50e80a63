//! What the daily use cases return: plain data for the front ends to word and post.

use jiff::civil::Date;
use jiff::Timestamp;

use super::{at, parse_date, to_record};
use crate::coach::daily::{self, Schedule, Streaks};
use crate::coach::feedback::Analysis;
use crate::guide::{GuideLibrary, Question, Role};
use crate::store::{BoardMember, DailyPost, DailySchedule};

/// A schedule as set up: what `/daily setup` and `/daily show` report.
#[derive(Debug, Clone)]
pub struct ScheduleView {
    pub channel_id: u64,
    pub schedule: Schedule,
    /// Role names, in rotation order; empty: every role.
    pub roles: Vec<String>,
    pub level: Option<crate::guide::Level>,
    /// When the next post is due.
    pub next_post: Timestamp,
}

/// What a tick claimed, and when to tick again at the latest.
#[derive(Debug, Clone)]
pub struct Tick {
    pub claimed_posts: usize,
    pub claimed_boards: usize,
    pub next: Timestamp,
}

/// A day's question as the front end posts it.
#[derive(Debug, Clone)]
pub struct DailyQuestion {
    pub post: DailyPost,
    pub role: Role,
    pub question: Question,
}

/// What answering did.
#[derive(Debug, Clone, PartialEq)]
pub enum DailyAnswerOutcome {
    /// Stored; the member's streak now. `replaced`: they had answered this post before.
    Recorded { streaks: Streaks, replaced: bool },
    /// The same message was recorded before.
    Duplicate,
    /// Not a daily thread: the caller tries other uses of the thread.
    NotDaily,
    /// Turned down, with what to tell the member (empty, too long).
    Rejected(String),
}

/// The coach's feedback on a member's own answer to a day's question.
#[derive(Debug, Clone)]
pub struct OwnFeedback {
    pub question: String,
    pub analysis: Analysis,
}

/// A line of the weekly board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardLine {
    pub user_id: u64,
    pub streaks: Streaks,
}

pub(super) fn view(
    row: &DailySchedule,
    schedule: Schedule,
    guides: &GuideLibrary,
    now: i64,
) -> ScheduleView {
    let last = row.last_day.as_deref().and_then(parse_date);
    ScheduleView {
        channel_id: row.channel_id,
        next_post: daily::next_post(&schedule, last, at(now)),
        schedule,
        roles: row
            .roles
            .iter()
            .map(|id| {
                guides
                    .role(id)
                    .map_or_else(|| id.clone(), |r| r.name.clone())
            })
            .collect(),
        level: row.level,
    }
}

/// The board's lines: longest current streak first, then longest ever, then who joined
/// first.
pub fn board_lines(members: &[BoardMember], today: Date) -> Vec<BoardLine> {
    let mut lines: Vec<BoardLine> = members
        .iter()
        .map(|m| BoardLine {
            user_id: m.user_id,
            streaks: m
                .streak
                .as_ref()
                .map(|s| to_record(s).as_of(today))
                .unwrap_or_default(),
        })
        .collect();
    lines.sort_by(|a, b| {
        (b.streaks.current, b.streaks.longest).cmp(&(a.streaks.current, a.streaks.longest))
    });
    lines
}
