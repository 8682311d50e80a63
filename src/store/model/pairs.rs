//! The values that go in and out of the store's peer-interview calls.
//!
//! As in the interviews' model, Discord ids are plain `u64` and times unix seconds chosen
//! by the caller. A member id that is `None` in a [`Pair`] or [`Round`] belonged to a
//! member who asked to be forgotten; an open pair always has both.

use std::fmt;

use crate::guide::Level;

/// Row id of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PairId(pub i64);

/// Row id of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoundId(pub i64);

impl fmt::Display for PairId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for RoundId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A server's pair settings, as `/pair setup` stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairSettings {
    /// Where new pairs are announced; `None`: where the second member joined.
    pub channel_id: Option<u64>,
    /// How long a member waits before leaving the queue, 1 to 14 (the table checks it).
    pub queue_minutes: u8,
    /// Whether each pair gets a voice channel only its two members can see.
    pub voice: bool,
}

/// The role a member queues for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WantedRole {
    /// Any role: matches anyone, whatever they asked for.
    Any,
    /// A guide role's id, e.g. `backend`.
    Role(String),
}

impl WantedRole {
    /// The role's id, `None` for [`WantedRole::Any`] (how the tables store it).
    pub fn id(&self) -> Option<&str> {
        match self {
            WantedRole::Any => None,
            WantedRole::Role(id) => Some(id),
        }
    }

    pub(crate) fn from_id(id: Option<String>) -> WantedRole {
        id.map_or(WantedRole::Any, WantedRole::Role)
    }
}

/// The interaction whose ephemeral reply told a member about their place in the queue;
/// its token lets the bot edit that reply for 15 minutes. A credential: never log it.
#[derive(Clone, PartialEq, Eq)]
pub struct QueueReply {
    pub application_id: u64,
    pub token: String,
}

impl fmt::Debug for QueueReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueReply")
            .field("application_id", &self.application_id)
            .field("token", &"<hidden>")
            .finish()
    }
}

/// A member joining a server's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQueueEntry {
    pub guild_id: u64,
    pub user_id: u64,
    pub role: WantedRole,
    /// `None`: any level.
    pub level: Option<Level>,
    /// The channel they joined from.
    pub channel_id: u64,
    pub reply: QueueReply,
}

/// A member waiting in a server's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub guild_id: u64,
    pub user_id: u64,
    pub role: WantedRole,
    pub level: Option<Level>,
    pub channel_id: u64,
    /// When they first joined; joining again while waiting keeps it.
    pub joined_at: i64,
    /// When they leave the queue unmatched.
    pub expires_at: i64,
    pub reply: QueueReply,
}

/// Result of [`join_queue`](crate::store::PairQueue::join_queue).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum QueueJoin {
    /// Queued (or the entry updated): `position` is 1 for the first in line among those
    /// waiting for the same role (for [`WantedRole::Any`], among everyone in the server).
    Waiting {
        entry: QueueEntry,
        position: u32,
        /// The reply of the entry this join replaced, to edit or leave be.
        replaced: Option<QueueReply>,
    },
    /// Matched with `partner`, who was waiting; both left the queue and the pair is open.
    Matched {
        pair: Pair,
        /// The partner's queue entry as it was, with the reply to edit.
        partner: QueueEntry,
        replaced: Option<QueueReply>,
    },
    /// The member is in this open pair already. Nothing was written.
    InPair(Pair),
}

/// Why a pair ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// The members ended it (End, or after their rounds).
    Finished,
    /// A member left the pair (or asked to be forgotten).
    Left,
    /// The pair's thread was deleted.
    ThreadGone,
    /// A member left the server, or could not be reached.
    MemberGone,
    /// Nothing happened for the idle time.
    Idle,
}

/// Lifecycle of a pair: open, then ended once for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairStatus {
    Open,
    Ended(EndReason),
}

impl PairStatus {
    /// Every status, for exhaustive tests and to document the stored strings.
    pub const ALL: [PairStatus; 6] = [
        PairStatus::Open,
        PairStatus::Ended(EndReason::Finished),
        PairStatus::Ended(EndReason::Left),
        PairStatus::Ended(EndReason::ThreadGone),
        PairStatus::Ended(EndReason::MemberGone),
        PairStatus::Ended(EndReason::Idle),
    ];

    /// The string stored in `pairs.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            PairStatus::Open => "open",
            PairStatus::Ended(EndReason::Finished) => "finished",
            PairStatus::Ended(EndReason::Left) => "left",
            PairStatus::Ended(EndReason::ThreadGone) => "thread-gone",
            PairStatus::Ended(EndReason::MemberGone) => "member-gone",
            PairStatus::Ended(EndReason::Idle) => "idle",
        }
    }

    /// Parses a stored status; `None` for anything [`as_str`](Self::as_str) does not write.
    pub fn from_db_str(s: &str) -> Option<PairStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        self == PairStatus::Open
    }
}

impl fmt::Display for PairStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Two members practising together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub id: PairId,
    pub guild_id: u64,
    /// The pair's thread, once the front end has opened it.
    pub thread_id: Option<u64>,
    pub voice_channel_id: Option<u64>,
    /// The member who waited longer: the interviewer of round 1.
    pub first_interviewer: Option<u64>,
    pub first_candidate: Option<u64>,
    /// `None`: both joined for any role.
    pub role: Option<String>,
    pub level: Option<Level>,
    pub status: PairStatus,
    pub created_at: i64,
    pub last_activity_at: i64,
    pub ended_at: Option<i64>,
}

impl Pair {
    /// Whether `user_id` is one of the two members.
    pub fn has_member(&self, user_id: u64) -> bool {
        self.first_interviewer == Some(user_id) || self.first_candidate == Some(user_id)
    }

    /// The other member, if `user_id` is one of them (and the other was not forgotten).
    pub fn partner_of(&self, user_id: u64) -> Option<u64> {
        if self.first_interviewer == Some(user_id) {
            self.first_candidate
        } else if self.first_candidate == Some(user_id) {
            self.first_interviewer
        } else {
            None
        }
    }
}

/// One question asked by one member of the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: RoundId,
    pub pair_id: PairId,
    /// 1 for the first round, +1 at every swap.
    pub number: u32,
    pub interviewer: Option<u64>,
    pub candidate: Option<u64>,
    /// The role the question comes from.
    pub role_id: String,
    pub question_id: String,
    /// The question's framework steps when the round started: what a scorecard rates.
    pub step_keys: Vec<String>,
    pub started_at: i64,
    /// `None` while the round runs.
    pub ended_at: Option<i64>,
}

/// The question of a new round; the store works out who asks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRound {
    pub role_id: String,
    pub question_id: String,
    pub step_keys: Vec<String>,
}

/// Result of [`next_round`](crate::store::PairRounds::next_round).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum NextRound {
    /// Started; `ended` is the round it replaced (a swap).
    Started { ended: Option<Round>, round: Round },
    /// The pair is not open (ended, or deleted). Nothing was written.
    PairNotOpen,
    /// The running round is not the one expected (`None`: none runs): another start or
    /// swap got in first. Nothing was written.
    Conflict { running: Option<Round> },
}

/// A candidate's answer in a round. Personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAnswer {
    pub round_id: RoundId,
    /// The message or form submission it came from: the dedupe key.
    pub source_id: u64,
    pub text: String,
    pub created_at: i64,
}

/// Result of [`record_peer_answer`](crate::store::PairRounds::record_peer_answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum AnswerWrite {
    Recorded,
    /// An answer from this message was recorded already. Nothing was written.
    Duplicate,
    /// The round has ended, or its pair. Nothing was written.
    NotRunning,
}

/// The interviewer's scorecard of a round. The ratings and notes are personal data about
/// the round's candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scorecard {
    pub round_id: RoundId,
    /// `(step key, 1..=4)`, in the order of the round's steps.
    pub ratings: Vec<(String, u8)>,
    /// One thing the candidate did well.
    pub strength: String,
    /// One thing to improve.
    pub improve: String,
    pub created_at: i64,
}

/// A scorecard as the interviewer submits it (checked by the session layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScorecard {
    /// `(step key, 1..=4)`; the table refuses other ratings.
    pub ratings: Vec<(String, u8)>,
    pub strength: String,
    pub improve: String,
}

/// A round with what was said and scored in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundSummary {
    pub round: Round,
    /// The candidate's answers, in order: for the coach's analysis.
    pub answers: Vec<PeerAnswer>,
    pub scorecard: Option<Scorecard>,
}

/// A pair and its rounds, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairSummary {
    pub pair: Pair,
    pub rounds: Vec<RoundSummary>,
}

/// What [`forget_pair_member`](crate::store::PairMembers::forget_pair_member) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairsForgotten {
    /// The member's open pairs, now ended ([`EndReason::Left`]): tell the partner, close
    /// the room.
    pub ended: Vec<Pair>,
    /// Queue entries deleted, with their replies to edit.
    pub queue: Vec<QueueEntry>,
    /// The member's answers deleted.
    pub answers: u64,
    /// Scorecards about the member deleted (with their ratings).
    pub scorecards: u64,
    /// Pairs and rounds that no longer name the member.
    pub pairs: u64,
    pub rounds: u64,
}

/// What the retention sweep of pairs deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairsDeleted {
    pub pairs: u64,
    pub rounds: u64,
    pub answers: u64,
    pub scorecards: u64,
}

impl PairsDeleted {
    pub fn is_empty(&self) -> bool {
        *self == PairsDeleted::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_status_round_trips_and_only_open_is_open() {
        let mut seen = std::collections::HashSet::new();
        for status in PairStatus::ALL {
            assert_eq!(PairStatus::from_db_str(status.as_str()), Some(status));
            assert!(seen.insert(status.as_str()));
            assert_eq!(status.is_open(), status == PairStatus::Open);
        }
        assert_eq!(PairStatus::from_db_str("ended"), None);
    }

    #[test]
    fn a_queue_reply_never_shows_its_token() {
        let reply = QueueReply {
            application_id: 5,
            token: "secret-token".into(),
        };
        assert!(!format!("{reply:?}").contains("secret"));
    }
}

/// One round a member played, as `/history` lists it. Says nothing of the answers or
/// the scorecard's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerHistoryEntry {
    pub started_at: i64,
    pub role_id: String,
    pub question_id: String,
    /// The member answered (else they interviewed).
    pub as_candidate: bool,
    /// The round has a scorecard.
    pub scored: bool,
}
