//! The use cases against a real SQLite file.

use super::*;
use crate::coach::select::Picker;
use crate::config::Config;
use crate::guide::GuideLibrary;
use crate::messages;
use crate::store::{InterviewStatus, OutgoingMessage, Store};

const GUILD: u64 = 1;
const THREAD: u64 = 100;
const ALICE: u64 = 7;
const BOB: u64 = 8;

struct Fixture {
    interviews: Interviews,
    store: Store,
    _dir: tempfile::TempDir,
}

fn library() -> GuideLibrary {
    GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).expect("shipped guides")
}

async fn fixture(follow_ups: u8) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("coach.db")).await.unwrap();
    let mut config = Config::default();
    config.mock.follow_ups = follow_ups;
    let interviews = Interviews::with_picker(config, library(), store.clone(), Picker::seeded(1));
    Fixture {
        interviews,
        store,
        _dir: dir,
    }
}

impl Fixture {
    async fn start(&self, thread_id: u64, user_id: u64) -> Started {
        let lib = self.interviews.guides();
        let role = lib.role("backend").unwrap();
        self.interviews
            .start(Start {
                guild_id: GUILD,
                thread_id,
                user_id,
                role,
                questions: 1,
                first: None,
                level: None,
                public: false,
            })
            .await
            .unwrap()
    }

    async fn answer(&self, author_id: u64, source_id: u64, text: &str) -> AnswerOutcome {
        self.interviews
            .answer(Answer {
                thread_id: THREAD,
                author_id,
                author_name: "alice",
                source_id,
                text,
                echo: false,
            })
            .await
            .unwrap()
    }

    /// The interview in `THREAD`, as the store holds it now.
    async fn stored(&self) -> crate::store::Interview {
        let record = self.store.interview_by_thread(THREAD).await.unwrap();
        record.expect("stored")
    }

    async fn status(&self) -> InterviewStatus {
        self.stored().await.status
    }
}

fn recorded(outcome: AnswerOutcome) -> Vec<Queued> {
    match outcome {
        AnswerOutcome::Recorded(posts) => posts,
        other => panic!("not recorded: {other:?}"),
    }
}

const ANSWER: &str = "In my last role I led the migration of our billing service, cutting p99 latency by 40% within two months.";

#[tokio::test]
async fn an_interview_runs_from_start_to_summary() {
    let f = fixture(1).await;
    let Started::New(posts) = f.start(THREAD, ALICE).await else {
        panic!("not started");
    };
    assert_eq!(posts.len(), 2, "the intro and the first question");
    assert!(posts[0].post.content.starts_with("**Mock interview: "));
    assert!(posts[1].post.content.starts_with("**Question 1 of 1**"));
    assert_eq!(posts[1].post.buttons, PostButtons::AnswerAndEnd);
    assert!(f.interviews.is_open_thread(THREAD));

    assert_eq!(f.answer(BOB, 1, ANSWER).await, AnswerOutcome::NotCandidate);
    let AnswerOutcome::Rejected(why) = f.answer(ALICE, 2, "   ").await else {
        panic!("an empty answer is turned down");
    };
    assert!(why.contains("empty"));

    let reply = recorded(f.answer(ALICE, 3, ANSWER).await);
    assert_eq!(reply.len(), 1);
    assert!(reply[0].post.content.contains("Follow-up 1 of 1"));
    assert!(!reply[0].post.archive);
    // A redelivered message changes nothing.
    assert_eq!(f.answer(ALICE, 3, ANSWER).await, AnswerOutcome::Duplicate);

    let last = recorded(f.answer(ALICE, 4, "We shipped it on time.").await);
    assert!(last[0].post.content.contains("**Interview complete"));
    assert!(last[0].post.archive);
    assert_eq!(f.status().await, InterviewStatus::Finished);
    assert!(!f.interviews.is_open_thread(THREAD));
    assert_eq!(
        f.answer(ALICE, 5, ANSWER).await,
        AnswerOutcome::NotInterview
    );

    let id = f.stored().await.id;
    let answers = f.store.answers(id).await.unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].text, ANSWER);
}

#[tokio::test]
async fn a_form_answer_is_echoed_before_the_reply() {
    let f = fixture(1).await;
    let _ = f.start(THREAD, ALICE).await;
    let outcome = f
        .interviews
        .answer(Answer {
            thread_id: THREAD,
            author_id: ALICE,
            author_name: "alice",
            source_id: 9,
            text: "  my answer  ",
            echo: true,
        })
        .await
        .unwrap();
    let posts = recorded(outcome);
    assert_eq!(posts[0].post.content, "**alice** answered:\nmy answer");
    assert!(posts[0].id < posts[1].id, "posted in the order committed");
}

#[tokio::test]
async fn an_out_of_date_kept_state_is_read_again() {
    let f = fixture(2).await;
    let _ = f.start(THREAD, ALICE).await;
    // A second service on the same store (another process, or a state edited
    // behind this one's back) takes an answer: the first one's kept state is stale.
    let other = Interviews::new(Config::default(), library(), f.store.clone());
    recorded(
        other
            .answer(Answer {
                thread_id: THREAD,
                author_id: ALICE,
                author_name: "alice",
                source_id: 1,
                text: ANSWER,
                echo: false,
            })
            .await
            .unwrap(),
    );
    let reply = recorded(f.answer(ALICE, 2, ANSWER).await);
    assert!(reply[0].post.content.contains("Follow-up 2 of 2"));
    let record = f.stored().await;
    assert_eq!(record.revision, 2);
}

#[tokio::test]
async fn only_the_candidate_ends_early_and_only_once() {
    let f = fixture(1).await;
    let _ = f.start(THREAD, ALICE).await;
    let by_bob = f.interviews.end_early(THREAD, BOB).await.unwrap();
    assert_eq!(by_bob, Ended::NotCandidate);
    let Ended::Closed(posts) = f.interviews.end_early(THREAD, ALICE).await.unwrap() else {
        panic!("not closed");
    };
    assert!(posts[0].post.content.starts_with("**Interview ended early"));
    assert!(posts[0].post.archive);
    assert_eq!(
        f.status().await,
        InterviewStatus::Closed(crate::store::CloseReason::Ended)
    );
    let again = f.interviews.end_early(THREAD, ALICE).await.unwrap();
    assert_eq!(again, Ended::NotOpen);
}

#[tokio::test]
async fn the_sweep_closes_idle_interviews_with_a_note() {
    let f = fixture(1).await;
    let _ = f.start(THREAD, ALICE).await;
    assert!(f.interviews.sweep(now()).await.is_empty(), "not idle yet");
    let later = now() + 31 * 60;
    let posts = f.interviews.sweep(later).await;
    assert_eq!(posts.len(), 1);
    assert!(posts[0].post.content.starts_with(&messages::idle_ended(30)));
    assert_eq!(
        f.status().await,
        InterviewStatus::Closed(crate::store::CloseReason::Idle)
    );
    assert!(!f.interviews.is_open_thread(THREAD));
}

#[tokio::test]
async fn a_member_has_one_open_interview_until_its_thread_is_gone() {
    let f = fixture(1).await;
    let _ = f.start(THREAD, ALICE).await;
    let second = f.start(THREAD + 1, ALICE).await;
    assert!(matches!(second, Started::AlreadyOpen { thread_id: THREAD }));
    let open = f.interviews.open_thread_of(GUILD, ALICE).await.unwrap();
    assert_eq!(open, Some(THREAD));

    f.interviews.thread_deleted(THREAD).await.unwrap();
    assert!(!f.interviews.is_open_thread(THREAD));
    assert_eq!(
        f.answer(ALICE, 1, ANSWER).await,
        AnswerOutcome::NotInterview
    );
    assert!(matches!(f.start(THREAD + 1, ALICE).await, Started::New(_)));

    f.interviews.member_left(GUILD, ALICE).await.unwrap();
    let open = f.interviews.open_thread_of(GUILD, ALICE).await.unwrap();
    assert_eq!(open, None);
}

#[tokio::test]
async fn undelivered_posts_are_handed_out_again_after_a_restart() {
    let f = fixture(1).await;
    let Started::New(posts) = f.start(THREAD, ALICE).await else {
        panic!("not started");
    };
    let id = f.stored().await.id;
    // A row in the shape earlier releases wrote.
    let old = OutgoingMessage {
        channel_id: THREAD,
        payload_json: r#"{"content":"hello","buttons":"none","archive":false}"#.into(),
    };
    f.store.enqueue(id, &[old], now()).await.unwrap();

    let restarted = Interviews::new(Config::default(), library(), f.store.clone());
    assert_eq!(restarted.load_open_threads().await.unwrap(), 1);
    assert!(restarted.is_open_thread(THREAD));
    let pending = restarted.pending_posts().await.unwrap();
    assert_eq!(pending.len(), 3);
    assert_eq!(pending[..2], posts[..]);
    assert_eq!(pending[2].post, Post::text("hello"));

    // A post for a thread that is gone is dropped, and closes its interview.
    restarted
        .undeliverable(&pending[2], Undeliverable::ThreadGone)
        .await
        .unwrap();
    assert_eq!(restarted.pending_posts().await.unwrap().len(), 2);
    assert!(!f.status().await.is_open());
}

#[tokio::test]
async fn a_forgotten_member_leaves_nothing_behind() {
    let f = fixture(1).await;
    let _ = f.start(THREAD, ALICE).await;
    let deleted = f.interviews.forget_member(ALICE).await.unwrap();
    assert_eq!(deleted.interviews, 1);
    assert_eq!(
        f.answer(ALICE, 1, ANSWER).await,
        AnswerOutcome::NotInterview
    );
    assert!(f.interviews.history(ALICE, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_reload_swaps_sound_guides_in_and_keeps_them_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("coach.db")).await.unwrap();
    let mut config = Config::default();
    config.guides.dir = concat!(env!("CARGO_MANIFEST_DIR"), "/guides").into();
    let interviews = Interviews::new(config.clone(), library(), store.clone());
    let before = interviews.guides();
    let Reloaded::Done { counts, .. } = interviews.reload_guides().await.unwrap() else {
        panic!("the shipped guides reload");
    };
    assert_eq!(counts, before.counts());
    assert!(!std::sync::Arc::ptr_eq(&before, &interviews.guides()));

    config.guides.dir = dir.path().join("no-such-folder");
    let broken = Interviews::new(config, library(), store);
    let kept = broken.guides();
    let refused = broken.reload_guides().await.unwrap();
    assert!(matches!(refused, Reloaded::Refused(_)));
    assert!(std::sync::Arc::ptr_eq(&kept, &broken.guides()));
}

/// `/progress` charts the answers to main questions: the follow-up's answer,
/// stored with its analysis like any other, is left out.
#[tokio::test]
async fn progress_charts_the_answers_to_main_questions_only() {
    let f = fixture(1).await;
    f.start(THREAD, ALICE).await;
    recorded(f.answer(ALICE, 3, ANSWER).await);
    recorded(f.answer(ALICE, 4, "We shipped it on time.").await);
    let stored = f.store.member_progress(ALICE).await.unwrap();
    assert_eq!(stored.answers.len(), 2, "both answers have feedback");

    let points = progress::points(&f.store, ALICE).await.unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].at, stored.answers[0].created_at);
    let utc = jiff::tz::TimeZone::UTC;
    let report = progress::report(&f.store, ALICE, &utc).await.unwrap();
    let report = report.expect("a chart of one answer");
    assert!(
        report.summary.starts_with("1 answer, on "),
        "{}",
        report.summary
    );
    assert!(report.png.starts_with(b"\x89PNG"));
    assert_eq!(progress::report(&f.store, BOB, &utc).await.unwrap(), None);
}
