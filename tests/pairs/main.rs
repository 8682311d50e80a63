//! The peer-interview use cases (`session::pairs`) with an injected clock, each test run
//! twice (see [`backends`]): on a fresh SQLite file and on a fresh PostgreSQL schema. The
//! helpers shared by the test files beside this one.

#[path = "../common/backends.rs"]
#[macro_use]
mod backends;
#[path = "../common/sqlite.rs"]
mod common_sqlite;
mod privacy;
mod queue;
mod rounds;

use std::sync::OnceLock;

use backends::TestDb;
use common_sqlite::checkpoint;
use interview_coach::guide::{GuideLibrary, Level, Question, Role};
use interview_coach::session::pairs::{Outcome, Refusal};
use interview_coach::session::Pairs;
use interview_coach::store::{
    NewQueueEntry, NewScorecard, Pair, PairSummary, QueueJoin, QueueReply, Round, Store, WantedRole,
};

const GUILD: u64 = 900_000_000_000_000_001;
const OTHER_GUILD: u64 = 900_000_000_000_000_002;
const ALICE: u64 = 100_000_000_000_000_001;
const BOB: u64 = 100_000_000_000_000_002;
const CAROL: u64 = 100_000_000_000_000_003;
const DAVE: u64 = 100_000_000_000_000_004;
const CHANNEL: u64 = 700_000_000_000_000_001;
const THREAD: u64 = 800_000_000_000_000_001;
const T0: i64 = 1_700_000_000;
const MINUTE: i64 = 60;
const DAY: i64 = 86_400;

/// The shipped guides, loaded once for the whole test binary.
fn library() -> &'static GuideLibrary {
    static LIBRARY: OnceLock<GuideLibrary> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).expect("shipped guides")
    })
}

fn role(id: &str) -> &'static Role {
    library().role(id).expect("a shipped role")
}

fn question(role_id: &str, id: &str) -> &'static Question {
    role(role_id).question(id).expect("a shipped question")
}

/// A question every level suits, for rounds whose level does not matter.
fn any_level(role_id: &str, nth: usize) -> &'static Question {
    role(role_id)
        .questions
        .iter()
        .filter(|q| !q.has_levels())
        .nth(nth)
        .expect("questions for every level")
}

struct Fixture {
    pairs: Pairs,
    store: Store,
    /// The database, to reopen (as after a restart) or inspect without the store.
    db: TestDb,
}

/// The use cases on a freshly opened store of `db`.
async fn fixture(db: TestDb) -> Fixture {
    let store = db.open().await;
    Fixture {
        pairs: Pairs::new(store.clone()),
        store,
        db,
    }
}

/// A member's join in [`GUILD`]: `role` `None` for any role.
fn entry(user_id: u64, role: Option<&str>, level: Option<Level>) -> NewQueueEntry {
    NewQueueEntry {
        guild_id: GUILD,
        user_id,
        role: role.map_or(WantedRole::Any, |r| WantedRole::Role(r.into())),
        level,
        channel_id: CHANNEL,
        reply: reply(user_id, 1),
    }
}

/// The `n`th queue reply of a member.
fn reply(user_id: u64, n: u32) -> QueueReply {
    QueueReply {
        application_id: 600_000_000_000_000_001,
        token: format!("token-{user_id}-{n}"),
    }
}

impl Fixture {
    async fn join(&self, entry: &NewQueueEntry, now: i64) -> QueueJoin {
        self.pairs.join(entry, now).await.unwrap()
    }

    /// Joins and expects to wait; the position in the line.
    async fn wait(&self, entry: &NewQueueEntry, now: i64) -> u32 {
        match self.join(entry, now).await {
            QueueJoin::Waiting { position, .. } => position,
            other => panic!("expected to wait: {other:?}"),
        }
    }

    /// Joins and expects a match; the pair.
    async fn matched(&self, entry: &NewQueueEntry, now: i64) -> Pair {
        match self.join(entry, now).await {
            QueueJoin::Matched { pair, .. } => pair,
            other => panic!("expected a match: {other:?}"),
        }
    }

    /// `interviewer` (waiting since `T0`) and `candidate` (joining at `T0 + 1`) matched for
    /// backend, with a room and round 1 started at `T0 + 2`.
    async fn pair_with_round(&self, interviewer: u64, candidate: u64) -> (Pair, Round) {
        self.wait(&entry(interviewer, Some("backend"), None), T0)
            .await;
        let pair = self
            .matched(&entry(candidate, Some("backend"), None), T0 + 1)
            .await;
        assert_eq!(pair.first_interviewer, Some(interviewer));
        let room = self.pairs.set_room(pair.id, THREAD, None, T0 + 1).await;
        assert!(room.unwrap());
        let round = self
            .pairs
            .start_round(pair.id, role("backend"), any_level("backend", 0), T0 + 2)
            .await
            .unwrap()
            .expect("round 1 starts");
        (pair, round)
    }

    async fn summary(&self, pair: &Pair) -> PairSummary {
        self.pairs.summary(pair.id).await.unwrap().expect("stored")
    }
}

/// A scorecard rating `ratings` with two plain notes.
fn card(ratings: &[(&str, u8)]) -> NewScorecard {
    NewScorecard {
        ratings: ratings.iter().map(|(k, r)| (k.to_string(), *r)).collect(),
        strength: "Clear context up front.".into(),
        improve: "Quantify the result.".into(),
    }
}

/// Ratings of every step of `round`, all `rating`.
fn all_steps(round: &Round, rating: u8) -> NewScorecard {
    NewScorecard {
        ratings: round
            .step_keys
            .iter()
            .map(|k| (k.clone(), rating))
            .collect(),
        ..card(&[])
    }
}

fn refused<T: std::fmt::Debug>(outcome: Outcome<T>) -> Refusal {
    outcome.expect_err("expected a refusal")
}
