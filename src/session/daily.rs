//! [`Daily`]: the question-of-the-day use cases (issue 17) over the store, with no
//! Discord in them.
//!
//! A moderator sets a server's schedule ([`Daily::setup`]); the front end's scheduler
//! calls [`Daily::tick`] now and then, which claims each post (and weekly board) that is
//! due, and then posts what [`Daily::pending`] and [`Daily::pending_boards`] list,
//! reporting how far it got. Members answer in the day's thread ([`Daily::answer`]); each
//! answer is analysed by the coach and stored privately with the streak it extends, and
//! only its author can read the feedback ([`Daily::my_feedback`]).
//!
//! **Time.** Nothing here reads the clock: every call that needs the time takes `now`, so
//! the schedule is tested with any clock, across daylight-saving changes and restarts.
//!
//! **Once.** A day's post is claimed in the store by compare-and-set on the schedule's last
//! posted date, so two ticks (or two processes) that see it due claim it once, and a post
//! claimed before a crash is finished after it. A pending post whose local day is over is
//! given up rather than posted late, as is one whose server turned the schedule off.
//!
//! **Privacy.** Answers and their feedback are personal data: never logged, deleted by
//! [`Daily::forget_member`] and [`Daily::sweep_retention`]. Streak records hold no answer.

mod setup;
mod views;

use jiff::civil::Date;
use jiff::Timestamp;

use crate::coach::daily::{self, StreakRecord, Streaks, TimeZone};
use crate::coach::engine::{AnswerError, MAX_ANSWER_CHARS};
use crate::coach::feedback::{self, Analysis, AnswerContext, LibraryCues};
use crate::guide::{GuideLibrary, Question, Role};
use crate::messages;
use crate::store::{
    DailyAnswered, DailyBoard, DailyForgotten, DailyPost, DailyPostId, DailySchedule,
    NewDailyAnswer, NewDailyPost, ShardFilter, Store, StreakRow,
};

use super::Error;

pub use setup::{Checked, SetupRequest};
use views::view;
pub use views::{
    board_lines, BoardLine, DailyAnswerOutcome, DailyQuestion, OwnFeedback, ScheduleView, Tick,
};

/// The daily-question use cases. Cheap to clone.
#[derive(Clone)]
pub struct Daily {
    store: Store,
    /// The servers this process handles (see [`Daily::owning`]).
    shards: ShardFilter,
    /// Per server, the day last warned about having no question to post, so a schedule
    /// left without questions by a reload is logged once a day, not on every tick (one
    /// entry per such server), shared by clones. A plain mutex: held for one lookup, never
    /// across an await.
    warned_empty: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<u64, String>>>,
}

fn at(now: i64) -> Timestamp {
    Timestamp::from_second(now).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn parse_date(text: &str) -> Option<Date> {
    text.parse().ok()
}

/// The store's streak rule: [`StreakRecord::answered`] over the stored record.
fn streak_rule(before: Option<&StreakRow>, day: &str) -> StreakRow {
    let mut record = before.map(to_record).unwrap_or_default();
    if let Some(day) = parse_date(day) {
        record.answered(day);
    }
    StreakRow {
        last_day: record
            .last_day
            .map_or_else(|| day.to_string(), |d| d.to_string()),
        run: record.run.max(1),
        longest: record.longest.max(record.run.max(1)),
    }
}

fn to_record(row: &StreakRow) -> StreakRecord {
    StreakRecord {
        last_day: parse_date(&row.last_day),
        run: row.run,
        longest: row.longest,
    }
}

impl Daily {
    pub fn new(store: Store) -> Daily {
        Daily {
            store,
            shards: ShardFilter::ALL,
            warned_empty: std::sync::Arc::default(),
        }
    }

    /// Limits the ticks to the servers on this process's shards, when processes share a
    /// database; retention then runs only in the process with shard 0.
    pub fn owning(mut self, shards: ShardFilter) -> Daily {
        self.shards = shards;
        self
    }

    /// `/daily setup`: checks the request against the guides and stores the schedule,
    /// replacing the server's earlier one. `Err` lists every problem for the moderator.
    pub async fn setup(
        &self,
        req: &SetupRequest<'_>,
        guides: &GuideLibrary,
        now: i64,
    ) -> Result<Result<ScheduleView, Vec<String>>, Error> {
        let checked = match setup::check(req, guides) {
            Ok(checked) => checked,
            Err(problems) => return Ok(Err(problems)),
        };
        let before = self.store.daily_schedule(req.guild_id).await?;
        let row = setup::to_row(req, &checked, before.as_ref());
        self.store.set_daily_schedule(&row, now).await?;
        Ok(Ok(view(&row, checked.schedule, guides, now)))
    }

    /// The server's schedule, if it has one that reads.
    pub async fn show(
        &self,
        guild_id: u64,
        guides: &GuideLibrary,
        now: i64,
    ) -> Result<Option<ScheduleView>, Error> {
        let Some(row) = self.store.daily_schedule(guild_id).await? else {
            return Ok(None);
        };
        Ok(setup::parse_row(&row).map(|schedule| view(&row, schedule, guides, now)))
    }

    /// `/daily off`: whether there was a schedule. Posts, answers and streaks stay.
    pub async fn off(&self, guild_id: u64) -> Result<bool, Error> {
        Ok(self.store.remove_daily_schedule(guild_id).await?)
    }

    /// Claims every post and board due at `now`, and gives up pending posts whose day
    /// is over. The front end then posts [`Daily::pending`] and [`Daily::pending_boards`].
    pub async fn tick(&self, guides: &GuideLibrary, now: i64) -> Result<Tick, Error> {
        let now_at = at(now);
        let mut tick = Tick {
            claimed_posts: 0,
            claimed_boards: 0,
            next: now_at
                .checked_add(jiff::SignedDuration::from_hours(1))
                .unwrap_or(now_at),
        };
        let schedules = self.store.daily_schedules(self.shards).await?;
        for row in &schedules {
            let Some(schedule) = setup::parse_row(row) else {
                continue;
            };
            let mut last = row.last_day.as_deref().and_then(parse_date);
            if let Some(today) = daily::due(&schedule, last, now_at) {
                if let Some(new) = self.choose(row, today, guides).await? {
                    // Claimed here or, if the claim lost, by another tick: today is done.
                    last = Some(today);
                    let claimed = self
                        .store
                        .claim_daily_post(&new, row.last_day.clone(), now)
                        .await?;
                    tick.claimed_posts += usize::from(claimed.is_some());
                }
            }
            let mut last_board = row.last_board_day.as_deref().and_then(parse_date);
            if let Some(today) = daily::board_due(&schedule, last_board, now_at) {
                last_board = Some(today);
                let claimed = self
                    .store
                    .claim_daily_board(
                        row.guild_id,
                        &today.to_string(),
                        row.channel_id,
                        row.last_board_day.clone(),
                        now,
                    )
                    .await?;
                tick.claimed_boards += usize::from(claimed.is_some());
            }
            tick.next = tick
                .next
                .min(daily::next_post(&schedule, last, now_at))
                .min(daily::next_board(&schedule, last_board, now_at));
        }
        for post in self.store.pending_daily_posts(self.shards).await? {
            let today = schedules
                .iter()
                .find(|s| s.guild_id == post.guild_id)
                .and_then(setup::parse_row)
                .map(|s| s.today(now_at).to_string());
            if today.is_none_or(|today| post.day < today) {
                tracing::info!(guild = post.guild_id, post = %post.id, day = %post.day, "a daily post was not made on its day; giving it up");
                self.store.daily_post_missed(post.id).await?;
            }
        }
        Ok(tick)
    }

    /// The next post for a server due on `today`: the role after the last one posted, and
    /// that role's next question in rotation. `None` (logged) when no role named in the
    /// schedule is in the guides any more.
    async fn choose(
        &self,
        row: &DailySchedule,
        today: Date,
        guides: &GuideLibrary,
    ) -> Result<Option<NewDailyPost>, Error> {
        let roles: Vec<&str> = if row.roles.is_empty() {
            guides.roles().iter().map(|r| r.id.as_str()).collect()
        } else {
            row.roles.iter().map(String::as_str).collect()
        };
        let last_role = self
            .store
            .latest_daily_post(row.guild_id)
            .await?
            .map(|p| p.role_id);
        let mut role_id = daily::next_role(&roles, last_role.as_deref());
        for _ in 0..roles.len() {
            let Some(id) = role_id else { break };
            if let Some(role) = guides.role(id) {
                let posted = self.store.daily_rotation(row.guild_id, &role.id).await?;
                let seed = daily::rotation_seed(row.guild_id, today);
                if let Some(q) = daily::next_question(role, row.level, &posted, seed) {
                    return Ok(Some(NewDailyPost {
                        guild_id: row.guild_id,
                        day: today.to_string(),
                        channel_id: row.channel_id,
                        role_id: role.id.clone(),
                        question_id: q.id.clone(),
                    }));
                }
            }
            role_id = daily::next_role(&roles, Some(id));
        }
        let today = today.to_string();
        let mut warned = self.warned_empty.lock().unwrap_or_else(|e| e.into_inner());
        if warned.get(&row.guild_id) != Some(&today) {
            tracing::warn!(
                guild = row.guild_id,
                "no role of the daily schedule has a question in the guides; nothing posted"
            );
            warned.insert(row.guild_id, today);
        }
        Ok(None)
    }

    /// Posts claimed and not yet made, with their questions. A post whose question left
    /// the guides (a reload) is given up.
    pub async fn pending(&self, guides: &GuideLibrary) -> Result<Vec<DailyQuestion>, Error> {
        let mut out = Vec::new();
        for post in self.store.pending_daily_posts(self.shards).await? {
            match question_of(guides, &post.role_id, &post.question_id) {
                Some((role, question)) => out.push(DailyQuestion {
                    role: role.clone(),
                    question: question.clone(),
                    post,
                }),
                None => {
                    tracing::warn!(post = %post.id, "a daily post's question is no longer in the guides; giving it up");
                    self.store.daily_post_missed(post.id).await?;
                }
            }
        }
        Ok(out)
    }

    /// The post's message exists (Discord accepted it).
    pub async fn posted_message(&self, post: DailyPostId, message_id: u64) -> Result<(), Error> {
        Ok(self.store.daily_post_message(post, message_id).await?)
    }

    /// The post's answer thread exists: the post is made.
    pub async fn posted_thread(
        &self,
        post: DailyPostId,
        thread_id: u64,
        now: i64,
    ) -> Result<(), Error> {
        Ok(self.store.daily_post_thread(post, thread_id, now).await?)
    }

    /// Discord refused the post for good (no access to the channel, channel gone).
    pub async fn post_refused(&self, post: DailyPostId) -> Result<(), Error> {
        Ok(self.store.daily_post_missed(post).await?)
    }

    /// Boards claimed and not yet posted, each with its lines as of `now`: members who
    /// opted in, longest current streak first.
    pub async fn pending_boards(
        &self,
        now: i64,
    ) -> Result<Vec<(DailyBoard, Vec<BoardLine>)>, Error> {
        let mut out = Vec::new();
        for board in self.store.pending_daily_boards(self.shards).await? {
            let zone = self.zone(board.guild_id).await?;
            let today = daily::local_date(at(now), &zone);
            let members = self.store.daily_board_members(board.guild_id).await?;
            out.push((board, board_lines(&members, today)));
        }
        Ok(out)
    }

    /// The board was posted as `message_id`, or dropped (`None`).
    pub async fn board_done(
        &self,
        board_id: i64,
        message_id: Option<u64>,
        now: i64,
    ) -> Result<(), Error> {
        Ok(self
            .store
            .daily_board_done(board_id, message_id, now)
            .await?)
    }

    /// A member's answer in a thread: if it is a day's thread, the answer is analysed
    /// against the day's question and stored with the streak it extends.
    pub async fn answer(
        &self,
        guides: &GuideLibrary,
        thread_id: u64,
        user_id: u64,
        source_id: u64,
        text: &str,
        now: i64,
    ) -> Result<DailyAnswerOutcome, Error> {
        match self.store.daily_post_by_thread(thread_id).await? {
            Some(post) => {
                self.answer_post(guides, &post, user_id, source_id, text, now)
                    .await
            }
            None => Ok(DailyAnswerOutcome::NotDaily),
        }
    }

    /// A member's answer to a post given through the post's Answer form.
    pub async fn answer_form(
        &self,
        guides: &GuideLibrary,
        post_id: DailyPostId,
        user_id: u64,
        source_id: u64,
        text: &str,
        now: i64,
    ) -> Result<DailyAnswerOutcome, Error> {
        match self.store.daily_post(post_id).await? {
            Some(post) => {
                self.answer_post(guides, &post, user_id, source_id, text, now)
                    .await
            }
            None => Ok(DailyAnswerOutcome::NotDaily),
        }
    }

    async fn answer_post(
        &self,
        guides: &GuideLibrary,
        post: &DailyPost,
        user_id: u64,
        source_id: u64,
        text: &str,
        now: i64,
    ) -> Result<DailyAnswerOutcome, Error> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(DailyAnswerOutcome::Rejected(messages::answer_rejected(
                &AnswerError::Empty,
            )));
        }
        let chars = trimmed.chars().count();
        if chars > MAX_ANSWER_CHARS {
            return Ok(DailyAnswerOutcome::Rejected(messages::answer_rejected(
                &AnswerError::TooLong {
                    chars,
                    max: MAX_ANSWER_CHARS,
                },
            )));
        }
        let feedback_json = question_of(guides, &post.role_id, &post.question_id)
            .zip(guides.cues())
            .map(|((role, question), cues)| {
                let ctx = AnswerContext::for_question(role, question);
                feedback::analyse(trimmed, &ctx, cues)
            })
            .and_then(|analysis| serde_json::to_string(&analysis).ok());
        let zone = self.zone(post.guild_id).await?;
        let day = daily::local_date(at(now), &zone);
        let answer = NewDailyAnswer {
            post_id: post.id,
            user_id,
            source_id,
            text: trimmed.to_string(),
            feedback_json,
        };
        let recorded = self
            .store
            .record_daily_answer(&answer, &day.to_string(), streak_rule, now)
            .await?;
        Ok(match recorded {
            DailyAnswered::First(row) => DailyAnswerOutcome::Recorded {
                streaks: to_record(&row).as_of(day),
                replaced: false,
            },
            DailyAnswered::Replaced(row) => DailyAnswerOutcome::Recorded {
                streaks: to_record(&row).as_of(day),
                replaced: true,
            },
            DailyAnswered::Duplicate => DailyAnswerOutcome::Duplicate,
            DailyAnswered::UnknownPost => DailyAnswerOutcome::NotDaily,
        })
    }

    /// The coach's feedback on the member's own answer to a post, if they answered it.
    pub async fn my_feedback(
        &self,
        guides: &GuideLibrary,
        post_id: DailyPostId,
        user_id: u64,
    ) -> Result<Option<OwnFeedback>, Error> {
        let Some(answer) = self.store.daily_answer(post_id, user_id).await? else {
            return Ok(None);
        };
        let Some(post) = self.store.daily_post(post_id).await? else {
            return Ok(None);
        };
        let question = question_of(guides, &post.role_id, &post.question_id)
            .map_or_else(|| post.question_id.clone(), |(_, q)| q.text.clone());
        let analysis = answer
            .feedback_json
            .as_deref()
            .and_then(|json| serde_json::from_str::<Analysis>(json).ok());
        Ok(analysis.map(|analysis| OwnFeedback { question, analysis }))
    }

    /// The member's streaks in the server as of `now`.
    pub async fn streak(&self, guild_id: u64, user_id: u64, now: i64) -> Result<Streaks, Error> {
        let zone = self.zone(guild_id).await?;
        let today = daily::local_date(at(now), &zone);
        let row = self.store.daily_streak(guild_id, user_id).await?;
        Ok(row.map(|r| to_record(&r).as_of(today)).unwrap_or_default())
    }

    /// `/daily board join`: whether the member was not on the board before.
    pub async fn board_join(&self, guild_id: u64, user_id: u64, now: i64) -> Result<bool, Error> {
        Ok(self.store.join_daily_board(guild_id, user_id, now).await?)
    }

    /// `/daily board leave`: whether the member was on the board.
    pub async fn board_leave(&self, guild_id: u64, user_id: u64) -> Result<bool, Error> {
        Ok(self.store.leave_daily_board(guild_id, user_id).await?)
    }

    /// `/forget-me` for the daily question.
    pub async fn forget_member(&self, user_id: u64) -> Result<DailyForgotten, Error> {
        Ok(self.store.forget_daily_member(user_id).await?)
    }

    /// Deletes daily answers older than `retention_days`; how many. Only the process with
    /// shard 0 sweeps (see [`Daily::owning`]); the others delete nothing.
    pub async fn sweep_retention(&self, now: i64, retention_days: u32) -> Result<usize, Error> {
        if !self.shards.runs_shard_zero() {
            return Ok(0);
        }
        Ok(self
            .store
            .sweep_daily_retention(now, retention_days)
            .await?)
    }

    /// The member's progress chart over their mock-interview and daily answers, with
    /// dates in the server's zone; `None` when they have no analysed answer yet.
    pub async fn progress(
        &self,
        guild_id: Option<u64>,
        user_id: u64,
    ) -> Result<Option<super::progress::Report>, Error> {
        let zone = match guild_id {
            Some(guild) => self.zone(guild).await?,
            None => TimeZone::UTC,
        };
        super::progress::report(&self.store, user_id, &zone).await
    }

    /// The server's zone: its schedule's, else UTC.
    async fn zone(&self, guild_id: u64) -> Result<TimeZone, Error> {
        let row = self.store.daily_schedule(guild_id).await?;
        Ok(row
            .as_ref()
            .and_then(setup::parse_row)
            .map_or(TimeZone::UTC, |s| s.zone().clone()))
    }
}

fn question_of<'g>(
    guides: &'g GuideLibrary,
    role_id: &str,
    question_id: &str,
) -> Option<(&'g Role, &'g Question)> {
    let role = guides.role(role_id)?;
    Some((role, role.question(question_id)?))
}
