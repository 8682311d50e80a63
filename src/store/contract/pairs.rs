//! The contract for peer mock interviews: settings, the matching queue, pairs, rounds,
//! answers and scorecards, history, `/forget-me` and retention.

use async_trait::async_trait;

use crate::store::model::pairs::*;
use crate::store::model::ShardFilter;
use crate::store::StoreError;

#[async_trait]
pub trait Pairs: Send + Sync {
    /// The server's pair settings, `None` if `/pair setup` never stored any.
    async fn pair_settings(&self, guild_id: u64) -> Result<Option<PairSettings>, StoreError>;

    /// Stores the server's pair settings, replacing any. `queue_minutes` outside 1–14 is
    /// refused by the table (a query error); the session layer checks it first.
    async fn set_pair_settings(
        &self,
        guild_id: u64,
        settings: PairSettings,
        now: i64,
    ) -> Result<(), StoreError>;

    /// The pair with this id, whatever its status.
    async fn pair(&self, id: PairId) -> Result<Option<Pair>, StoreError>;

    /// The member's open pair in this server, if any.
    async fn open_pair_of(&self, guild_id: u64, user_id: u64) -> Result<Option<Pair>, StoreError>;

    /// The open pair whose room is this thread, if any.
    async fn open_pair_in_thread(&self, thread_id: u64) -> Result<Option<Pair>, StoreError>;

    /// Every open pair, oldest first (for start-up).
    async fn open_pairs(&self, shards: ShardFilter) -> Result<Vec<Pair>, StoreError>;

    /// Records the open pair's room (its thread, and voice channel if any). `false` if the
    /// pair is not open: the front end should then remove the room it made.
    async fn set_pair_room(
        &self,
        id: PairId,
        thread_id: u64,
        voice_channel_id: Option<u64>,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Something happened in the open pair (a question asked, a message): its idle time
    /// starts again. `false` if it is not open.
    async fn touch_pair(&self, id: PairId, now: i64) -> Result<bool, StoreError>;

    /// Ends the open pair and its running round. `None` if it was not open: the first
    /// ending wins and is not overwritten.
    async fn end_pair(
        &self,
        id: PairId,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError>;

    /// Ends the open pair whose room is this thread, if any.
    async fn end_pair_in_thread(
        &self,
        thread_id: u64,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError>;

    /// Ends the member's open pair in this server, if any.
    async fn end_pair_of_member(
        &self,
        guild_id: u64,
        user_id: u64,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError>;

    /// Ends ([`EndReason::Idle`]) the open pairs with no activity for more than
    /// `idle_secs` before `now`, in one transaction: an answer committed before it keeps
    /// its pair open, one after it finds the pair ended. Works from stored times, so it is
    /// right after a restart too.
    async fn end_idle_pairs(
        &self,
        now: i64,
        idle_secs: u64,
        shards: ShardFilter,
    ) -> Result<Vec<Pair>, StoreError>;
}

#[async_trait]
pub trait PairQueue: Send + Sync {
    /// Puts the member in the server's queue until `expires_at`, or matches them at once.
    ///
    /// * In an open pair in this server already: [`QueueJoin::InPair`], nothing written.
    /// * A waiting member (unexpired, not this one) who wants the same role, or either of
    ///   them [`WantedRole::Any`], at a compatible level (the same, or either without
    ///   one): the one who waited longest is taken. Both entries are deleted and their
    ///   pair opened; the one who joined first interviews first (the partner, unless this
    ///   member's own earlier place in the line is older). [`QueueJoin::Matched`].
    /// * Otherwise the entry is stored, replacing the member's earlier one, whose place in
    ///   the line (`joined_at`) it keeps unless that entry had expired:
    ///   [`QueueJoin::Waiting`].
    async fn join_queue(
        &self,
        entry: &NewQueueEntry,
        expires_at: i64,
        now: i64,
    ) -> Result<QueueJoin, StoreError>;

    /// Takes the member out of the server's queue; the entry it removed, if there was one.
    async fn leave_queue(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<QueueEntry>, StoreError>;

    /// Deletes the entries whose time is up (`expires_at <= now`) and returns them, longest
    /// waiting first, so the bot can edit their queue replies.
    async fn expire_queue(
        &self,
        now: i64,
        shards: ShardFilter,
    ) -> Result<Vec<QueueEntry>, StoreError>;

    /// The server's queue, longest waiting first (expired entries included until
    /// [`expire_queue`](crate::store::PairQueue::expire_queue) removes them).
    async fn pair_queue(&self, guild_id: u64) -> Result<Vec<QueueEntry>, StoreError>;
}

#[async_trait]
pub trait PairRounds: Send + Sync {
    /// The round with this id.
    async fn round(&self, id: RoundId) -> Result<Option<Round>, StoreError>;

    /// The pair's running round, if one is.
    async fn running_round(&self, pair: PairId) -> Result<Option<Round>, StoreError>;

    /// Starts the pair's next round. The interviewer of round 1 is the pair's first
    /// interviewer; after that the roles reverse each round. `expected` is the round
    /// running now: `None` to start when none runs, or the one a swap ends (in the same
    /// transaction, so the pair is never without a round mid-swap nor with two).
    async fn next_round(
        &self,
        pair: PairId,
        expected: Option<RoundId>,
        new: &NewRound,
        now: i64,
    ) -> Result<NextRound, StoreError>;

    /// Records the candidate's answer in a running round of an open pair (the caller
    /// checked the author is the candidate); the pair's activity time becomes `now`.
    async fn record_peer_answer(
        &self,
        round: RoundId,
        source_id: u64,
        text: &str,
        now: i64,
    ) -> Result<AnswerWrite, StoreError>;

    /// Stores the scorecard of a round of an open pair, replacing an earlier one (the
    /// interviewer may score again until the pair ends). `false` if the pair is not open
    /// or the round is gone. The caller checked the scorer and the ratings.
    async fn record_scorecard(
        &self,
        round: RoundId,
        card: &NewScorecard,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// The pair with every round, its answers and its scorecard, in order: the end's
    /// summary. Read in one transaction, so it is one state of the pair.
    async fn pair_summary(&self, pair: PairId) -> Result<Option<PairSummary>, StoreError>;
}

#[async_trait]
pub trait PairMembers: Send + Sync {
    /// `/forget-me` for peer interviews, in every server: the member's queue entries go,
    /// their open pairs end, their answers and the scorecards about them are deleted, and
    /// no pair or round names them after; the partner keeps their own answers and the
    /// scorecards about them, unsigned (`src/store/pairs/forget.rs` says why).
    async fn forget_pair_member(
        &self,
        user_id: u64,
        now: i64,
    ) -> Result<PairsForgotten, StoreError>;

    /// Deletes pairs that ended more than `retention_days` before `now`, with everything
    /// in them. Open pairs are never swept.
    async fn sweep_pair_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<PairsDeleted, StoreError>;
}

#[async_trait]
pub trait PeerHistory: Send + Sync {
    /// The member's latest `limit` peer rounds, newest first.
    async fn peer_history(
        &self,
        user_id: u64,
        limit: u32,
    ) -> Result<Vec<PeerHistoryEntry>, StoreError>;
}
