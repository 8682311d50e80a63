//! Interviews survive restarts, `kill -9` included: the bot runs as a child
//! process on a real SQLite file, is killed, and is started again on it.

mod support;

use fake_discord::fixtures::{self, User};
use fake_discord::routes;
use support::{content, Harness, Options, WAIT};

fn options() -> Options {
    Options {
        follow_ups: 2,
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interview_continues_after_kill_9() {
    let mut h = Harness::start_with(options()).await;
    let thread = h.start_mock(User::alice(), "backend").await;
    let q1 = h.bot_post(thread, 1).await;
    h.answer_in(thread, h.strong_answer(&q1)).await;
    let f1 = h.bot_post(thread, 2).await;
    assert!(content(&f1).contains("**Follow-up 1 of 2"));

    h.kill();
    h.spawn_bot().await;

    h.answer_in(thread, "Second answer: we agreed weekly demos.")
        .await;
    let f2 = h.post_containing(thread, "**Follow-up 2 of 2").await;
    h.bot_post(thread, h.posts_in(thread).len() - 1).await;
    assert!(content(&f2).contains("**Follow-up 2 of 2"));
    // What the thread shows: intro, question, follow-up 1, follow-up 2. If
    // the kill came after Discord took follow-up 1 but before the bot marked
    // it posted, the restart sends it again with the same nonce and Discord
    // returns the first one, so it still appears once.
    let shown: Vec<String> = h.bot_messages(thread);
    assert_eq!(shown.len(), 4, "nothing lost or repeated: {shown:#?}");
    assert!(shown[2].contains("**Follow-up 1 of 2") && shown[3].contains("**Follow-up 2 of 2"));
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_committed_but_not_posted_is_posted_once_after_restart() {
    let mut h = Harness::start_with(options()).await;
    let thread = h.start_mock(User::alice(), "backend").await;
    let q1 = h.bot_post(thread, 1).await;
    let answer = h.strong_answer(&q1);

    // Hold the bot's next post in the thread, so it dies with the answer
    // committed but the follow-up not yet delivered.
    h.fake.hold(routes::CREATE_MESSAGE);
    let answer_id = 777_001;
    h.fake
        .send(
            &fixtures::message_create(answer.clone())
                .id(answer_id)
                .in_thread(thread),
        )
        .await;
    let held = h
        .fake
        .wait_for(
            move |r| {
                r.route == routes::CREATE_MESSAGE
                    && r.param_id("channel_id") == Some(thread)
                    && r.status.is_none()
            },
            WAIT,
        )
        .await;
    assert!(content(&held).contains("**Follow-up 1 of 2"));
    h.kill();
    h.fake.release();

    h.spawn_bot().await;
    // Discord redelivers the same message after the restart: it must not
    // count as a second answer.
    h.fake
        .send(
            &fixtures::message_create(answer.clone())
                .id(answer_id)
                .in_thread(thread),
        )
        .await;
    let reposted = h.post_containing(thread, "**Follow-up 1 of 2").await;
    assert_eq!(
        reposted.body["nonce"], held.body["nonce"],
        "the same outbox item"
    );

    // Only one follow-up reached the thread, and the interview goes on from there.
    h.answer_in(thread, "Next answer.").await;
    // In the thread: intro, question, the held attempt that died with the
    // bot, its one repost, then the next follow-up.
    let delivered = h.bot_post(thread, 4).await;
    assert!(
        content(&delivered).contains("**Follow-up 2 of 2"),
        "{}",
        content(&delivered)
    );
    let transcript: Vec<String> = h.bot_messages(thread);
    let follow_ups_1 = transcript
        .iter()
        .filter(|c| c.contains("**Follow-up 1 of 2"))
        .count();
    assert_eq!(follow_ups_1, 1, "posted exactly once: {transcript:#?}");
    assert_eq!(transcript.len(), 4, "{transcript:#?}");
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interview_left_idle_across_a_restart_is_closed_with_its_summary() {
    let mut h = Harness::start_with(options()).await;
    let thread = h.start_mock(User::alice(), "backend").await;
    h.bot_post(thread, 1).await;
    h.answer_in(thread, "One answer, then silence.").await;
    h.bot_post(thread, 2).await;
    h.kill();

    // Two hours pass while the bot is down (the idle limit is 30 minutes).
    let db = h.dir.path().join("data/bot.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("UPDATE interviews SET last_activity_at = last_activity_at - 7200, created_at = created_at - 7300")
        .unwrap();

    h.spawn_bot().await;
    let summary = h.post_containing(thread, "No answer for").await;
    let text = content(&summary);
    assert!(text.starts_with("No answer for 30 minutes"), "{text}");
    assert!(
        text.contains("You answered 1 of 1 main questions"),
        "{text}"
    );
    let archived = h
        .fake
        .wait_for(
            move |r| r.route == routes::EDIT_CHANNEL && r.param_id("channel_id") == Some(thread),
            WAIT,
        )
        .await;
    assert_eq!(archived.body["archived"], true);

    // The member is free to start again, and a late answer changes nothing.
    h.answer_in(thread, "A late answer.").await;
    let again = h.start_mock(User::alice(), "backend").await;
    assert_ne!(again, thread);
    // In the thread: intro, question, feedback with the next prompt, summary
    // (a post repeated by the restart is returned by Discord, not doubled).
    let from_bot = h
        .fake
        .messages(thread)
        .into_iter()
        .filter(|m| m.from_bot)
        .count();
    assert_eq!(from_bot, 4);
    h.fake.assert_no_violations();
}
