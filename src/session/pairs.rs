//! [`Pairs`]: the peer mock-interview use cases (issue 16) over the store, with no
//! Discord in them.
//!
//! Two members join a server's queue for a role (or any role) and, optionally, a level;
//! the first two who fit are matched into a pair, and the one who waited longer
//! interviews first. A pair runs rounds: the interviewer asks a question the caller
//! chose from the guides, the candidate answers, the interviewer scores the answer
//! (1–4 per framework step, one strength, one thing to improve), then they swap roles
//! with a new question. The pair ends once, for a reason; its summary holds every round
//! with its answers (for the coach's analysis) and scorecard.
//!
//! **Time.** Nothing here reads the clock: every call that needs the time takes `now`,
//! unix seconds, so queue expiry and idle endings are tested with any clock.
//!
//! **Matching.** Roles fit when they are the same or either member asked for any role.
//! Levels fit when they are the same or either member gave none: a member without a
//! level has said any level suits them, and one with a level is never paired with
//! another level. Among those who fit, the one who has waited longest is taken (first
//! come, first served, even when someone later asked for exactly the same role).
//! Matching happens inside the join's transaction (see the store's `pairs/queue.rs`), so
//! a waiting member is matched once however many join at the same moment.
//!
//! **Rules checked here**, before the store is asked: queue minutes 1–14 (a queue reply's
//! interaction token lasts 15 minutes), a question's framework has at most
//! [`MAX_SCORED_STEPS`] steps (a select menu per step and a submit row fill a Discord
//! message), a question suits the pair's role and level, only the round's interviewer
//! swaps and scores, only its candidate answers, and a scorecard rates steps of the
//! round's question 1–4 with two notes. The rules that depend on the state at the moment
//! of writing (one pair per member, the round still running, the pair still open) are
//! checked by the store in the write's own transaction.
//!
//! **Privacy.** Answers and scorecard notes are personal data: never logged. What
//! `/forget-me` removes (and what the partner keeps) is described in the store's
//! `pairs/forget.rs`: the scorecard the partner wrote about the forgotten member goes
//! with that member's answers; the scorecard the forgotten member wrote about the partner
//! stays with the partner, unsigned; no pair or round names the forgotten member after.
//! Ended pairs are deleted after `retention_days` by [`Pairs::sweep_retention`].

mod rules;

use crate::guide::{Question, Role};
use crate::store::{
    AnswerWrite, EndReason, NewQueueEntry, NewRound, NewScorecard, NextRound, Pair, PairId,
    PairSettings, PairSummary, PairsDeleted, PairsForgotten, PeerHistoryEntry, QueueEntry,
    QueueJoin, Round, RoundId, ShardFilter, Store,
};

use super::Error;

pub use rules::{
    Note, Refusal, DEFAULT_QUEUE_MINUTES, MAX_QUEUE_MINUTES, MAX_SCORED_STEPS, NOTE_MAX_CHARS,
};

/// A use case's result when it may be turned down: `Err` carries what to tell the member.
pub type Outcome<T> = Result<T, Refusal>;

/// What a pair's second round (and every later one) replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swapped {
    /// The round that ended.
    pub ended: Round,
    /// The new round, roles reversed.
    pub round: Round,
}

/// A member who is no longer in the server: what of theirs ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberGone {
    /// Their pair, ended ([`EndReason::MemberGone`]), with its summary.
    pub pair: Option<PairSummary>,
    /// Their queue entry, deleted, with the reply to edit.
    pub queue: Option<QueueEntry>,
}

/// The peer-interview service the bot holds. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Pairs {
    store: Store,
    /// The servers this process handles (see [`Pairs::owning`]).
    shards: ShardFilter,
}

impl Pairs {
    pub fn new(store: Store) -> Pairs {
        Pairs {
            store,
            shards: ShardFilter::ALL,
        }
    }

    /// Limits expiry, idle endings and the start-up list to the servers on this process's
    /// shards, when processes share a database; retention then runs only in the process
    /// with shard 0.
    pub fn owning(mut self, shards: ShardFilter) -> Pairs {
        self.shards = shards;
        self
    }

    /// The server's settings, or the defaults when `/pair setup` was never used.
    pub async fn settings(&self, guild_id: u64) -> Result<PairSettings, Error> {
        Ok(self
            .store
            .pair_settings(guild_id)
            .await?
            .unwrap_or(rules::DEFAULT_SETTINGS))
    }

    /// `/pair setup`: stores the server's settings if the queue time is 1 to
    /// [`MAX_QUEUE_MINUTES`] minutes.
    pub async fn set_settings(
        &self,
        guild_id: u64,
        settings: PairSettings,
        now: i64,
    ) -> Result<Outcome<PairSettings>, Error> {
        if let Err(refused) = rules::settings(&settings) {
            return Ok(Err(refused));
        }
        self.store
            .set_pair_settings(guild_id, settings, now)
            .await?;
        Ok(Ok(settings))
    }

    /// `/pair join`: queues the member for the server's queue time, or matches them with
    /// the member who has waited longest among those who fit (see the module docs). One
    /// entry per member per server: joining again replaces the entry and keeps its place
    /// in the line. A member in an open pair in this server is refused
    /// ([`QueueJoin::InPair`]); a solo `/mock` does not count.
    pub async fn join(&self, entry: &NewQueueEntry, now: i64) -> Result<QueueJoin, Error> {
        let settings = self.settings(entry.guild_id).await?;
        let expires_at = now + i64::from(settings.queue_minutes) * 60;
        Ok(self.store.join_queue(entry, expires_at, now).await?)
    }

    /// `/pair leave`: the entry removed, with the reply to edit, if the member was waiting.
    pub async fn leave(&self, guild_id: u64, user_id: u64) -> Result<Option<QueueEntry>, Error> {
        Ok(self.store.leave_queue(guild_id, user_id).await?)
    }

    /// Takes out of every queue the members whose wait is over at `now`, and returns them
    /// so that their queue replies can say so.
    pub async fn expire(&self, now: i64) -> Result<Vec<QueueEntry>, Error> {
        Ok(self.store.expire_queue(now, self.shards).await?)
    }

    /// The server's queue, longest waiting first.
    pub async fn queue(&self, guild_id: u64) -> Result<Vec<QueueEntry>, Error> {
        Ok(self.store.pair_queue(guild_id).await?)
    }

    /// The member's open pair in this server.
    pub async fn active_pair(&self, guild_id: u64, user_id: u64) -> Result<Option<Pair>, Error> {
        Ok(self.store.open_pair_of(guild_id, user_id).await?)
    }

    /// The open pair whose room is this thread.
    pub async fn pair_in_thread(&self, thread_id: u64) -> Result<Option<Pair>, Error> {
        Ok(self.store.open_pair_in_thread(thread_id).await?)
    }

    /// Every open pair, for start-up.
    pub async fn open_pairs(&self) -> Result<Vec<Pair>, Error> {
        Ok(self.store.open_pairs(self.shards).await?)
    }

    /// The room the front end opened for the pair. `false`: the pair ended meanwhile, and
    /// the room should go.
    pub async fn set_room(
        &self,
        pair: PairId,
        thread_id: u64,
        voice_channel_id: Option<u64>,
        now: i64,
    ) -> Result<bool, Error> {
        Ok(self
            .store
            .set_pair_room(pair, thread_id, voice_channel_id, now)
            .await?)
    }

    /// Activity in the pair's room that is not an answer (a question posted, a message):
    /// the idle time starts again. `false` if the pair is not open.
    pub async fn touch(&self, pair: PairId, now: i64) -> Result<bool, Error> {
        Ok(self.store.touch_pair(pair, now).await?)
    }

    /// The pair's running round.
    pub async fn running_round(&self, pair: PairId) -> Result<Option<Round>, Error> {
        Ok(self.store.running_round(pair).await?)
    }

    /// Starts round 1 (or, after a round that ended without a swap, the next one) with a
    /// question the caller chose from `role`.
    pub async fn start_round(
        &self,
        pair: PairId,
        role: &Role,
        question: &Question,
        now: i64,
    ) -> Result<Outcome<Round>, Error> {
        let new = match self.checked_question(pair, role, question).await? {
            Ok(new) => new,
            Err(refused) => return Ok(Err(refused)),
        };
        Ok(match self.store.next_round(pair, None, &new, now).await? {
            NextRound::Started { round, .. } => Ok(round),
            NextRound::PairNotOpen => Err(Refusal::PairNotOpen),
            NextRound::Conflict { .. } => Err(Refusal::RoundRunning),
        })
    }

    /// *Swap*: the running round's interviewer ends it and the next starts with the roles
    /// reversed and a new question, in one transaction. Pressed twice, the second finds
    /// another round running and is refused.
    pub async fn swap(
        &self,
        pair: PairId,
        by: u64,
        role: &Role,
        question: &Question,
        now: i64,
    ) -> Result<Outcome<Swapped>, Error> {
        let Some(running) = self.store.running_round(pair).await? else {
            return Ok(Err(Refusal::NoRound));
        };
        if running.interviewer != Some(by) {
            return Ok(Err(Refusal::NotInterviewer));
        }
        let new = match self.checked_question(pair, role, question).await? {
            Ok(new) => new,
            Err(refused) => return Ok(Err(refused)),
        };
        Ok(
            match self
                .store
                .next_round(pair, Some(running.id), &new, now)
                .await?
            {
                NextRound::Started {
                    ended: Some(ended),
                    round,
                } => Ok(Swapped { ended, round }),
                NextRound::Started { ended: None, .. } => {
                    return Err(Error::Internal("a swap ended no round".into()))
                }
                NextRound::PairNotOpen => Err(Refusal::PairNotOpen),
                NextRound::Conflict { .. } => Err(Refusal::RoundChanged),
            },
        )
    }

    /// The new round's question, if it may be asked in this pair.
    async fn checked_question(
        &self,
        pair: PairId,
        role: &Role,
        question: &Question,
    ) -> Result<Outcome<NewRound>, Error> {
        let Some(record) = self.store.pair(pair).await? else {
            return Ok(Err(Refusal::PairNotOpen));
        };
        if !record.status.is_open() {
            return Ok(Err(Refusal::PairNotOpen));
        }
        Ok(rules::question(&record, role, question).map(|()| NewRound {
            role_id: role.id.clone(),
            question_id: question.id.clone(),
            step_keys: question
                .framework
                .steps
                .iter()
                .map(|s| s.key.clone())
                .collect(),
        }))
    }

    /// The candidate's answer in the pair's running round (a message in the thread, or
    /// the answer form). `source_id` is the message or submission id: an answer delivered
    /// twice is recorded once ([`Answered::Duplicate`]).
    pub async fn answer(
        &self,
        pair: PairId,
        author_id: u64,
        source_id: u64,
        text: &str,
        now: i64,
    ) -> Result<Outcome<Answered>, Error> {
        let Some(round) = self.store.running_round(pair).await? else {
            return Ok(Err(Refusal::NoRound));
        };
        if round.candidate != Some(author_id) {
            return Ok(Err(Refusal::NotCandidate));
        }
        let text = text.trim();
        if text.is_empty() {
            return Ok(Err(Refusal::EmptyAnswer));
        }
        let written = self
            .store
            .record_peer_answer(round.id, source_id, text, now)
            .await?;
        Ok(match written {
            AnswerWrite::Recorded => Ok(Answered::Recorded(round.id)),
            AnswerWrite::Duplicate => Ok(Answered::Duplicate),
            AnswerWrite::NotRunning => Err(Refusal::NoRound),
        })
    }

    /// *Score*: the round's interviewer rates the candidate's answer. The ratings must
    /// be 1–4, each for a step of the round's question (at least one, each once); the
    /// notes are one strength and one thing to improve, each non-empty and at most
    /// [`NOTE_MAX_CHARS`]. A round may be scored, and scored again, until its pair ends.
    pub async fn score(
        &self,
        round: RoundId,
        by: u64,
        card: &NewScorecard,
        now: i64,
    ) -> Result<Outcome<NewScorecard>, Error> {
        let Some(record) = self.store.round(round).await? else {
            return Ok(Err(Refusal::PairNotOpen));
        };
        if record.interviewer != Some(by) {
            return Ok(Err(Refusal::NotInterviewer));
        }
        let card = match rules::scorecard(&record.step_keys, card) {
            Ok(card) => card,
            Err(refused) => return Ok(Err(refused)),
        };
        if !self.store.record_scorecard(round, &card, now).await? {
            return Ok(Err(Refusal::PairNotOpen));
        }
        Ok(Ok(card))
    }

    /// *End* (or a member leaving the pair): ends the pair and its running round, and
    /// returns the summary to post. `None` if it was not open: the first ending wins.
    pub async fn end(
        &self,
        pair: PairId,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<PairSummary>, Error> {
        let ended = self.store.end_pair(pair, reason, now).await?;
        self.summary_of(ended).await
    }

    /// The pair's thread was deleted: it ends ([`EndReason::ThreadGone`]).
    pub async fn thread_gone(
        &self,
        thread_id: u64,
        now: i64,
    ) -> Result<Option<PairSummary>, Error> {
        let reason = EndReason::ThreadGone;
        let ended = self
            .store
            .end_pair_in_thread(thread_id, reason, now)
            .await?;
        self.summary_of(ended).await
    }

    /// The member left the server (or cannot be reached): their pair there ends
    /// ([`EndReason::MemberGone`]) and their queue entry goes.
    pub async fn member_gone(
        &self,
        guild_id: u64,
        user_id: u64,
        now: i64,
    ) -> Result<MemberGone, Error> {
        let reason = EndReason::MemberGone;
        let ended = self
            .store
            .end_pair_of_member(guild_id, user_id, reason, now)
            .await?;
        Ok(MemberGone {
            pair: self.summary_of(ended).await?,
            queue: self.store.leave_queue(guild_id, user_id).await?,
        })
    }

    /// Ends ([`EndReason::Idle`]) the open pairs with no activity for `idle_secs`, with
    /// their summaries.
    pub async fn end_idle(&self, now: i64, idle_secs: u64) -> Result<Vec<PairSummary>, Error> {
        let mut summaries = Vec::new();
        for pair in self
            .store
            .end_idle_pairs(now, idle_secs, self.shards)
            .await?
        {
            summaries.extend(self.summary_of(Some(pair)).await?);
        }
        Ok(summaries)
    }

    async fn summary_of(&self, ended: Option<Pair>) -> Result<Option<PairSummary>, Error> {
        match ended {
            Some(pair) => Ok(self.store.pair_summary(pair.id).await?),
            None => Ok(None),
        }
    }

    /// Every round of the pair with its answers and scorecard, in order.
    pub async fn summary(&self, pair: PairId) -> Result<Option<PairSummary>, Error> {
        Ok(self.store.pair_summary(pair).await?)
    }

    /// `/forget-me` for peer interviews: see the module docs. The pairs it ended are in
    /// the result, so their partners can be told and their rooms closed.
    pub async fn forget_member(&self, user_id: u64, now: i64) -> Result<PairsForgotten, Error> {
        Ok(self.store.forget_pair_member(user_id, now).await?)
    }

    /// `/history`: the member's latest `limit` rounds, in either seat, newest first.
    pub async fn history(&self, user_id: u64, limit: u32) -> Result<Vec<PeerHistoryEntry>, Error> {
        Ok(self.store.peer_history(user_id, limit).await?)
    }

    /// The round with this id, whatever its state.
    pub async fn round(&self, round: RoundId) -> Result<Option<Round>, Error> {
        Ok(self.store.round(round).await?)
    }

    /// The pair with this id, whatever its state.
    pub async fn pair(&self, pair: PairId) -> Result<Option<Pair>, Error> {
        Ok(self.store.pair(pair).await?)
    }

    /// Deletes pairs that ended more than `retention_days` before `now`, with their
    /// rounds, answers and scorecards.
    pub async fn sweep_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<PairsDeleted, Error> {
        if !self.shards.runs_shard_zero() {
            return Ok(PairsDeleted::default());
        }
        Ok(self.store.sweep_pair_retention(now, retention_days).await?)
    }
}

/// A candidate's answer that was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Recorded in this round.
    Recorded(RoundId),
    /// This message was recorded already; nothing changed.
    Duplicate,
}
