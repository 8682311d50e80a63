//! The question-of-the-day use cases (`session::daily`) against the shipped guides, with an
//! injected clock: no test sleeps. Each test runs twice (see [`backends`]): on a fresh
//! SQLite file and on a fresh PostgreSQL schema. The helpers shared by the test files
//! beside this one.

#[path = "../common/backends.rs"]
#[macro_use]
mod backends;
mod answers;
mod schedule;

use std::sync::OnceLock;

use backends::TestDb;
use interview_coach::guide::GuideLibrary;
use interview_coach::session::daily::{DailyQuestion, ScheduleView, SetupRequest};
use interview_coach::session::Daily;
use interview_coach::store::Store;

const GUILD: u64 = 900_000_000_000_000_001;
const CHANNEL: u64 = 700_000_000_000_000_001;
const ALICE: u64 = 100_000_000_000_000_001;
const BOB: u64 = 100_000_000_000_000_002;
const CAROL: u64 = 100_000_000_000_000_003;
const DAY: i64 = 86_400;

/// The shipped guides, loaded once for the whole test binary.
fn library() -> &'static GuideLibrary {
    static LIBRARY: OnceLock<GuideLibrary> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).expect("shipped guides")
    })
}

/// Unix seconds of a local wall-clock time, e.g. `local("2027-03-28T09:00", "Europe/Berlin")`.
fn local(datetime: &str, zone: &str) -> i64 {
    let tz = jiff::tz::TimeZone::get(zone).expect("a zone");
    let civil: jiff::civil::DateTime = datetime.parse().expect("a local time");
    let at = tz
        .to_ambiguous_timestamp(civil)
        .compatible()
        .expect("an instant");
    at.as_second()
}

/// The use cases on a freshly opened store of `db`; called again, as after a restart.
async fn daily_on(db: &TestDb) -> (Daily, Store) {
    let store = db.open().await;
    (Daily::new(store.clone()), store)
}

fn request<'a>(time: &'a str, zone: &'a str, roles: Option<&'a str>) -> SetupRequest<'a> {
    SetupRequest {
        guild_id: GUILD,
        channel_id: CHANNEL,
        time,
        timezone: zone,
        roles,
        level: None,
        board_day: None,
    }
}

async fn set_up(daily: &Daily, req: &SetupRequest<'_>, now: i64) -> ScheduleView {
    daily
        .setup(req, library(), now)
        .await
        .expect("store")
        .expect("a valid schedule")
}

/// Ticks at `now` and returns the days of the posts now pending, in order.
async fn tick_days(daily: &Daily, now: i64) -> Vec<String> {
    daily.tick(library(), now).await.expect("tick");
    daily
        .pending(library())
        .await
        .expect("pending")
        .into_iter()
        .map(|q| q.post.day)
        .collect()
}

/// Marks every pending post made, as the front end does once Discord accepted it; the
/// posts with their threads (numbered from the post ids).
async fn post_all(daily: &Daily, now: i64) -> Vec<(DailyQuestion, u64)> {
    let pending = daily.pending(library()).await.expect("pending");
    let mut made = Vec::new();
    for q in pending {
        let thread = 500_000 + q.post.id.0 as u64;
        daily.posted_message(q.post.id, thread).await.unwrap();
        daily.posted_thread(q.post.id, thread, now).await.unwrap();
        made.push((q, thread));
    }
    made
}
