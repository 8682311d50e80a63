//! The values that go in and out of the [`Store`](crate::store::Store).
//!
//! Discord ids are plain `u64` (not serenity's newtypes) so the store does not depend on
//! the Discord layer and can be used by the terminal coach and by tests without a gateway.
//! Our own row ids are newtypes so an interview id cannot be passed where an outbox id is
//! expected. Timestamps are unix seconds chosen by the caller.

pub mod daily;
pub mod pairs;
pub mod progress;

use std::fmt;

/// Row id of an interview. Stable for the life of the interview; never reused while the
/// row exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InterviewId(pub i64);

impl fmt::Display for InterviewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Row id of an outbox item. Increases with insertion order, which is the posting order.
///
/// Also a good Discord message `nonce` (with `enforce_nonce`): if the bot is killed after
/// Discord accepted a post but before [`mark_posted`](crate::store::Outbox::mark_posted),
/// the re-post after restart is then dropped by Discord instead of appearing twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub i64);

impl fmt::Display for OutboxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why an interview was closed before (or instead of) finishing normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// The interview's thread was deleted.
    ThreadDeleted,
    /// The member left the guild.
    MemberLeft,
    /// The member (or a moderator) ended it.
    Ended,
    /// Nobody answered within the idle timeout.
    Idle,
}

/// Lifecycle of an interview. Only [`InterviewStatus::Open`] accepts answers; every other
/// status is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterviewStatus {
    /// In progress: accepts answers, counts for "one open interview per member".
    Open,
    /// The engine reached the end of the interview.
    Finished,
    /// Given up without a more specific reason.
    Abandoned,
    /// Closed for a specific reason.
    Closed(CloseReason),
}

impl InterviewStatus {
    /// Every status, for exhaustive tests and for documentation of the stored strings.
    pub const ALL: [InterviewStatus; 7] = [
        InterviewStatus::Open,
        InterviewStatus::Finished,
        InterviewStatus::Abandoned,
        InterviewStatus::Closed(CloseReason::ThreadDeleted),
        InterviewStatus::Closed(CloseReason::MemberLeft),
        InterviewStatus::Closed(CloseReason::Ended),
        InterviewStatus::Closed(CloseReason::Idle),
    ];

    /// The string stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::Open => "open",
            InterviewStatus::Finished => "finished",
            InterviewStatus::Abandoned => "abandoned",
            InterviewStatus::Closed(CloseReason::ThreadDeleted) => "closed-thread-deleted",
            InterviewStatus::Closed(CloseReason::MemberLeft) => "closed-member-left",
            InterviewStatus::Closed(CloseReason::Ended) => "closed-ended",
            InterviewStatus::Closed(CloseReason::Idle) => "closed-idle",
        }
    }

    /// Parses a stored `status` string; `None` for anything [`as_str`](Self::as_str) does
    /// not produce.
    pub fn from_db_str(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Whether the interview still accepts answers.
    pub fn is_open(self) -> bool {
        self == InterviewStatus::Open
    }
}

impl fmt::Display for InterviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored interview session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interview {
    pub id: InterviewId,
    pub guild_id: u64,
    /// The thread (a Discord channel) the interview runs in.
    pub thread_id: u64,
    /// The member being interviewed.
    pub user_id: u64,
    /// The guide's role key, e.g. `backend`.
    pub role_id: String,
    /// The role's display name at the time the interview started.
    pub role_name: String,
    /// The interview engine's serialized state (JSON text; opaque to the store).
    pub state_json: String,
    /// Version of the engine's state format that `state_json` is written in.
    pub format_version: u32,
    /// Starts at 0, +1 for every accepted answer. Pass it back as
    /// [`NextState::expected_revision`] so two answers computed from the same state cannot
    /// both be applied.
    pub revision: i64,
    pub status: InterviewStatus,
    pub created_at: i64,
    pub last_activity_at: i64,
    /// When it stopped being open (finished or closed); `None` while open.
    pub finished_at: Option<i64>,
}

/// What [`create_interview`](crate::store::Interviews::create_interview) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInterview {
    pub guild_id: u64,
    pub thread_id: u64,
    pub user_id: u64,
    pub role_id: String,
    pub role_name: String,
    /// The engine's initial state (JSON text).
    pub state_json: String,
    pub format_version: u32,
}

/// A message the bot has decided to post, queued in the outbox in the same transaction as
/// the state change that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Where to post (usually the interview's thread).
    pub channel_id: u64,
    /// The message, as JSON text in whatever shape the Discord layer renders from.
    pub payload_json: String,
}

/// Result of [`create_interview`](crate::store::Interviews::create_interview).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Created {
    /// The interview was stored, and its first messages queued under these outbox ids.
    New {
        interview: Interview,
        outbox: Vec<OutboxId>,
    },
    /// The member already has an open interview in this guild (e.g. tell them to go to
    /// `interview.thread_id`). Nothing was written.
    AlreadyOpen(Interview),
}

/// One answer as the member gave it, with the engine's feedback on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub interview_id: InterviewId,
    /// The Discord message the answer came from; the dedupe key.
    pub message_id: u64,
    /// The answer text. Personal data: never log it at info level or above.
    pub text: String,
    /// The question the answer responds to.
    pub prompt: String,
    /// The engine's feedback, as JSON text.
    pub feedback_json: Option<String>,
    /// A one-line summary of the feedback, shown by `/history`.
    pub feedback_headline: Option<String>,
}

/// The engine's state after it processed an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextState {
    /// The [`Interview::revision`] the new state was computed from.
    pub expected_revision: i64,
    pub state_json: String,
    pub format_version: u32,
    /// The engine reached the end: the interview becomes [`InterviewStatus::Finished`].
    pub finished: bool,
}

/// Result of [`apply_answer`](crate::store::Answers::apply_answer).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Applied {
    /// Committed: answer, state, activity time, status, and outbox items.
    Recorded {
        /// The queued messages, in posting order.
        outbox: Vec<OutboxId>,
        /// The interview's revision after this answer.
        revision: i64,
        /// Whether the interview is now finished.
        finished: bool,
    },
    /// An answer from this Discord message was already recorded. Nothing was written.
    Duplicate,
    /// The interview is no longer open (closed or finished meanwhile). Nothing was written.
    NotOpen(InterviewStatus),
    /// The state was computed from an older revision (another answer got in first).
    /// Nothing was written; reload the interview and recompute.
    Stale { current_revision: i64 },
}

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub interview_id: InterviewId,
    pub message_id: u64,
    pub text: String,
    pub prompt: String,
    pub feedback_json: Option<String>,
    pub feedback_headline: Option<String>,
    pub created_at: i64,
}

/// A queued message that has not been posted yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: OutboxId,
    pub interview_id: InterviewId,
    pub channel_id: u64,
    pub payload_json: String,
    pub created_at: i64,
}

/// One line of `/history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub interview_id: InterviewId,
    pub guild_id: u64,
    pub role_id: String,
    pub role_name: String,
    pub status: InterviewStatus,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// How many answers were recorded.
    pub answers: u64,
    /// The feedback headline of the most recent answer, if it has one.
    pub latest_headline: Option<String>,
}

/// How many rows a deletion removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deleted {
    pub interviews: u64,
    pub answers: u64,
    pub outbox: u64,
}

impl Deleted {
    /// Whether nothing was deleted.
    pub fn is_empty(&self) -> bool {
        *self == Deleted::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_stored_string() {
        for status in InterviewStatus::ALL {
            assert_eq!(InterviewStatus::from_db_str(status.as_str()), Some(status));
        }
    }

    #[test]
    fn stored_status_strings_are_distinct_and_only_open_is_open() {
        let strings: std::collections::HashSet<_> =
            InterviewStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(strings.len(), InterviewStatus::ALL.len());
        let open: Vec<_> = InterviewStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, vec![InterviewStatus::Open]);
    }

    #[test]
    fn unknown_status_strings_are_rejected() {
        assert_eq!(InterviewStatus::from_db_str("closed"), None);
        assert_eq!(InterviewStatus::from_db_str("OPEN"), None);
        assert_eq!(InterviewStatus::from_db_str(""), None);
    }
}

/// The guides in service across the bot's processes (see
/// [`Coordination`](crate::store::Coordination)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideRevision {
    /// Grows by one with every reload accepted in any process.
    pub revision: i64,
    /// A fingerprint of the guide folder that reload loaded.
    pub digest: String,
    /// When it was accepted, unix seconds.
    pub published_at: i64,
}

/// The servers one process handles: those whose gateway shard,
/// `(guild_id >> 22) % total` (Discord's rule), is in `first..=last`. The store calls that
/// list work for a sweep or a start take one, so processes sharing a database each find
/// only their own servers' interviews, posts, pairs and schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShardFilter {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl ShardFilter {
    /// Every server: one process runs every shard.
    pub const ALL: ShardFilter = ShardFilter {
        first: 0,
        last: 0,
        total: 1,
    };

    /// Whether this process runs shard 0, which also does the work that belongs to no
    /// server: the retention sweeps, which delete by age across every server.
    pub fn runs_shard_zero(&self) -> bool {
        self.first == 0
    }

    /// Whether this process handles the server.
    pub fn owns(&self, guild_id: u64) -> bool {
        let shard = (guild_id >> 22) % u64::from(self.total.max(1));
        (u64::from(self.first)..=u64::from(self.last)).contains(&shard)
    }

    /// The same test in SQL (SQLite and PostgreSQL alike), on the column `guild_id` of
    /// the table or alias `table`. The numbers come from the configuration, not from
    /// members, and are formatted in.
    pub(crate) fn sql(&self, table: &str) -> String {
        if *self == ShardFilter::ALL {
            return "TRUE".into();
        }
        format!(
            "(({table}.guild_id >> 22) % {}) BETWEEN {} AND {}",
            self.total.max(1),
            self.first,
            self.last
        )
    }
}
