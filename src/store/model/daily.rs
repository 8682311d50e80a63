//! The daily question's types as the store reads and writes them.

use std::fmt;

use crate::guide::Level;

/// A server's daily schedule, as `/daily setup` stored it. Times and zones are the text the
/// session layer parsed and wrote back; the store does not read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailySchedule {
    pub guild_id: u64,
    pub channel_id: u64,
    /// `HH:MM`, local.
    pub post_time: String,
    /// An IANA zone name.
    pub timezone: String,
    /// Role ids to rotate through; empty: every role.
    pub roles: Vec<String>,
    pub level: Option<Level>,
    /// An English weekday name.
    pub board_day: String,
    /// The last local date (`YYYY-MM-DD`) that had its post or needs none.
    pub last_day: Option<String>,
    /// The local date of the last weekly board.
    pub last_board_day: Option<String>,
}

/// The id of a [`DailyPost`] (the `daily_posts` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DailyPostId(pub i64);

impl fmt::Display for DailyPostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a day's post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyPostStatus {
    /// Decided; the message or its thread is not known to exist yet.
    Pending,
    /// The message and its thread exist.
    Posted,
    /// Its day ended before it could be posted.
    Missed,
}

impl DailyPostStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DailyPostStatus::Pending => "pending",
            DailyPostStatus::Posted => "posted",
            DailyPostStatus::Missed => "missed",
        }
    }

    pub(crate) fn from_db_str(text: &str) -> Option<DailyPostStatus> {
        [
            DailyPostStatus::Pending,
            DailyPostStatus::Posted,
            DailyPostStatus::Missed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The post to make for a server's local date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDailyPost {
    pub guild_id: u64,
    /// `YYYY-MM-DD`, local to the schedule.
    pub day: String,
    pub channel_id: u64,
    pub role_id: String,
    pub question_id: String,
}

/// One day's post in one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyPost {
    pub id: DailyPostId,
    pub guild_id: u64,
    pub day: String,
    pub channel_id: u64,
    pub role_id: String,
    pub question_id: String,
    pub message_id: Option<u64>,
    pub thread_id: Option<u64>,
    pub status: DailyPostStatus,
    pub created_at: i64,
    pub posted_at: Option<i64>,
}

/// A member's answer to a day's question, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDailyAnswer {
    pub post_id: DailyPostId,
    pub user_id: u64,
    /// The message or modal submit it came from.
    pub source_id: u64,
    pub text: String,
    pub feedback_json: Option<String>,
}

/// A stored answer to a day's question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyAnswer {
    pub post_id: DailyPostId,
    pub guild_id: u64,
    pub user_id: u64,
    pub text: String,
    pub feedback_json: Option<String>,
    pub created_at: i64,
}

/// A member's streak record in one server: the latest local date with an answer, the run
/// of consecutive days ending on it, and the longest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreakRow {
    pub last_day: String,
    pub run: u32,
    pub longest: u32,
}

/// What recording an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DailyAnswered {
    /// The member's first answer to this post; the streak as it is now.
    First(StreakRow),
    /// The member had answered this post already; the new text replaced the old one and
    /// the streak is unchanged.
    Replaced(StreakRow),
    /// The same source was recorded before (a redelivered message): nothing changed.
    Duplicate,
    /// No such post.
    UnknownPost,
}

/// A weekly board to post, claimed for its local date; posted once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyBoard {
    pub id: i64,
    pub guild_id: u64,
    pub day: String,
    pub channel_id: u64,
}

/// A member on a server's board, with their streak record if they have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardMember {
    pub user_id: u64,
    pub streak: Option<StreakRow>,
}

/// What `/forget-me` deleted of the daily question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DailyForgotten {
    pub answers: usize,
    pub streaks: usize,
    pub boards: usize,
}

/// The streak rule: the record after an answer on local date `day` (`YYYY-MM-DD`),
/// from the record before it (`None`: the member's first answer in the server).
pub type StreakRule = fn(Option<&StreakRow>, &str) -> StreakRow;
