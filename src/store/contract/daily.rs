//! The contract for the daily question: schedules, posts (claimed once per local date),
//! answers with streaks, the weekly board, `/forget-me` and retention.

use async_trait::async_trait;

use crate::store::model::daily::*;
use crate::store::model::ShardFilter;
use crate::store::StoreError;

#[async_trait]
pub trait DailySchedules: Send + Sync {
    /// The server's daily schedule, if it has one.
    async fn daily_schedule(&self, guild_id: u64) -> Result<Option<DailySchedule>, StoreError>;

    /// Every server's daily schedule, for the scheduler.
    async fn daily_schedules(&self, shards: ShardFilter) -> Result<Vec<DailySchedule>, StoreError>;

    /// Stores the server's schedule, replacing any. `last_day` and `last_board_day` are
    /// written as given: the caller decides whether today still needs a post.
    async fn set_daily_schedule(
        &self,
        schedule: &DailySchedule,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Removes the server's schedule (`/daily off`); whether it had one. Its posts,
    /// answers, streaks and board stay.
    async fn remove_daily_schedule(&self, guild_id: u64) -> Result<bool, StoreError>;
}

#[async_trait]
pub trait DailyPosts: Send + Sync {
    /// Claims the day's post: if the schedule's `last_day` is still `expected_last`, sets
    /// it to `post.day` and stores the post as pending, in one transaction. `None` when the
    /// schedule changed meanwhile (another tick claimed the day, or it was turned off) or
    /// the server already has a post for that day.
    async fn claim_daily_post(
        &self,
        post: &NewDailyPost,
        expected_last: Option<String>,
        now: i64,
    ) -> Result<Option<DailyPost>, StoreError>;

    /// Posts claimed but not yet posted, oldest first: what a start must finish.
    async fn pending_daily_posts(&self, shards: ShardFilter) -> Result<Vec<DailyPost>, StoreError>;

    /// The post with this id, whatever its status.
    async fn daily_post(&self, id: DailyPostId) -> Result<Option<DailyPost>, StoreError>;

    /// The post whose answer thread is `thread_id`.
    async fn daily_post_by_thread(&self, thread_id: u64) -> Result<Option<DailyPost>, StoreError>;

    /// The server's latest post, whatever its status.
    async fn latest_daily_post(&self, guild_id: u64) -> Result<Option<DailyPost>, StoreError>;

    /// The question ids posted for a role in a server, oldest first (missed posts
    /// included: they were chosen, so the rotation moves on).
    async fn daily_rotation(&self, guild_id: u64, role_id: &str)
        -> Result<Vec<String>, StoreError>;

    /// Records the post's message (Discord accepted it); the post stays pending until its
    /// thread is recorded too.
    async fn daily_post_message(&self, id: DailyPostId, message_id: u64) -> Result<(), StoreError>;

    /// Records the post's answer thread and marks the post posted.
    async fn daily_post_thread(
        &self,
        id: DailyPostId,
        thread_id: u64,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Gives up on a pending post (its day is over, or Discord refused it for good).
    async fn daily_post_missed(&self, id: DailyPostId) -> Result<(), StoreError>;

    /// Claims the week's board, as [`claim_daily_post`](crate::store::DailyPosts::claim_daily_post) claims a day.
    async fn claim_daily_board(
        &self,
        guild_id: u64,
        day: &str,
        channel_id: u64,
        expected_last: Option<String>,
        now: i64,
    ) -> Result<Option<DailyBoard>, StoreError>;

    /// Boards claimed and not yet posted (or dropped), oldest first.
    async fn pending_daily_boards(
        &self,
        shards: ShardFilter,
    ) -> Result<Vec<DailyBoard>, StoreError>;

    /// Marks a board done: posted as `message_id`, or dropped (`None`).
    async fn daily_board_done(
        &self,
        id: i64,
        message_id: Option<u64>,
        now: i64,
    ) -> Result<(), StoreError>;
}

#[async_trait]
pub trait DailyMembers: Send + Sync {
    /// Records a member's answer to a day's post and counts local date `day` in their
    /// streak with `rule`, in one transaction (see [`DailyAnswered`] for the outcomes).
    async fn record_daily_answer(
        &self,
        answer: &NewDailyAnswer,
        day: &str,
        rule: StreakRule,
        now: i64,
    ) -> Result<DailyAnswered, StoreError>;

    /// The member's answer to a post, if they gave one (and retention has not deleted it).
    async fn daily_answer(
        &self,
        post_id: DailyPostId,
        user_id: u64,
    ) -> Result<Option<DailyAnswer>, StoreError>;

    /// The member's daily answers' feedback in every server, oldest first: `(time,
    /// feedback_json)`, for their progress.
    async fn member_daily_feedback(&self, user_id: u64) -> Result<Vec<(i64, String)>, StoreError>;

    /// The member's streak record in the server.
    async fn daily_streak(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<StreakRow>, StoreError>;

    /// Puts the member on the server's weekly board; `false` if they were on it already.
    async fn join_daily_board(
        &self,
        guild_id: u64,
        user_id: u64,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Takes the member off the server's weekly board; `false` if they were not on it.
    async fn leave_daily_board(&self, guild_id: u64, user_id: u64) -> Result<bool, StoreError>;

    /// The members who opted in to the server's board, with their streak records, in the
    /// order they joined.
    async fn daily_board_members(&self, guild_id: u64) -> Result<Vec<BoardMember>, StoreError>;

    /// `/forget-me` for the daily question, in every server: the member's answers, streak
    /// records and board memberships, in one transaction.
    async fn forget_daily_member(&self, user_id: u64) -> Result<DailyForgotten, StoreError>;

    /// Deletes daily answers last written more than `retention_days` before `now`; how
    /// many. Streak records stay.
    async fn sweep_daily_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<usize, StoreError>;
}
