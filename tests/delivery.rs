//! Delivery end to end: posts that Discord fails for a passing reason (429, 5xx)
//! reach the thread while the bot runs, in order, with no restart; refused ones
//! (404, 403, 400) are dropped at once. The bot runs with a short backoff cap,
//! and the injected 429s ask for short waits, so nothing here waits long.

mod support;

use std::time::Duration;

use fake_discord::fixtures::{self, opt, User};
use fake_discord::{routes, RecordedRequest};
use support::{content, Harness, Options};

/// The bot, with retries that wait at most `backoff_ms` unless Discord asks for longer.
async fn bot_with_backoff(backoff_ms: u64) -> Harness {
    Harness::start_with(Options {
        delivery_max_backoff_ms: Some(backoff_ms),
        ..Options::default()
    })
    .await
}

/// Alice's interview, with its first question posted: the thread and that question.
async fn at_first_question(h: &Harness) -> (u64, RecordedRequest) {
    let thread = h.start_mock(User::alice(), "backend").await;
    (thread, h.bot_post(thread, 1).await)
}

/// A bot retrying after at most `backoff_ms`, where Alice has answered her first
/// question well while Discord answers the next `times` posts with `status`.
async fn answered_while_failing(backoff_ms: u64, status: u16, times: usize) -> (Harness, u64) {
    let h = bot_with_backoff(backoff_ms).await;
    let (thread, q1) = at_first_question(&h).await;
    h.fake.fail_next(routes::CREATE_MESSAGE, status, times);
    h.answer_in(thread, h.strong_answer(&q1)).await;
    (h, thread)
}

/// How many follow-up questions the thread shows.
fn follow_ups_shown(h: &Harness, thread: u64) -> usize {
    let shown = h.bot_messages(thread);
    shown.iter().filter(|m| m.contains("**Follow-up")).count()
}

/// Outbox items of a thread not yet posted.
const PENDING: &str = "SELECT COUNT(*) FROM outbox o JOIN interviews i ON i.id = o.interview_id \
                       WHERE i.thread_id = ? AND o.posted_at IS NULL";

/// A 429 asking for 300 ms: the post is tried again after that wait (not before,
/// although the backoff alone would allow it after 100 ms), while the bot runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_delivered_after_its_retry_after_without_a_restart() {
    let h = bot_with_backoff(100).await;
    let (thread, q1) = at_first_question(&h).await;
    let asked = Duration::from_millis(300);
    h.fake
        .fail_next_with_retry_after(routes::CREATE_MESSAGE, asked, 1);
    h.answer_in(thread, h.strong_answer(&q1)).await;
    let delivered = h.bot_post(thread, 3).await;
    let limited = &h.posts_in(thread)[2];
    assert_eq!(limited.status, Some(429));
    assert_eq!(delivered.status, Some(200));
    assert_eq!(
        delivered.body["nonce"], limited.body["nonce"],
        "the same post"
    );
    let waited = delivered.at - limited.at;
    assert!(waited >= asked, "tried again after {waited:?}");
    assert!(content(&delivered).contains("**Follow-up 1 of 1"));
    h.fake.assert_no_violations();
}

/// A global 429 on one thread's post pauses posting everywhere: another member's
/// reply, committed meanwhile, waits until the pause is over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_429_pauses_every_thread() {
    let h = bot_with_backoff(100).await;
    let (thread, q1) = at_first_question(&h).await;
    let bob = User::new(4100, "bob");
    let other = h.start_mock(bob.clone(), "backend").await;
    let other_q1 = h.bot_post(other, 1).await;
    let asked = Duration::from_millis(500);
    let only_there = format!("POST /channels/{thread}/messages");
    h.fake.fail_next_global_rate_limit(only_there, asked);
    h.answer_in(thread, h.strong_answer(&q1)).await;
    let limited = h.bot_post(thread, 2).await;
    assert_eq!(limited.status, Some(429));
    let answer = fixtures::message_create(h.strong_answer(&other_q1))
        .in_thread(other)
        .author(bob);
    h.fake.send(&answer).await;
    let posted = h.bot_post(other, 2).await;
    assert_eq!(posted.status, Some(200));
    let waited = posted.at - limited.at;
    assert!(waited >= asked, "posted {waited:?} after the global 429");
    assert_eq!(h.bot_post(thread, 3).await.status, Some(200));
    h.fake.assert_no_violations();
}

/// Server errors several times in a row: retried with backoff until delivered, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_answered_500_several_times_is_delivered_without_a_restart() {
    let (h, thread) = answered_while_failing(100, 500, 4).await;
    let delivered = h.bot_post(thread, 6).await;
    let statuses: Vec<_> = h.posts_in(thread).iter().map(|p| p.status).collect();
    let mut want = vec![Some(200); 2];
    want.extend([Some(500); 4]);
    want.push(Some(200));
    assert_eq!(statuses, want);
    assert!(content(&delivered).contains("**Follow-up 1 of 1"));
    assert_eq!(follow_ups_shown(&h, thread), 1, "shown once");
    h.fake.assert_no_violations();
}

/// Two posts for one thread, the second queued while the first is failing: the second
/// waits for the first, and they arrive in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_queued_behind_a_failing_one_arrive_in_order() {
    let (h, thread) = answered_while_failing(300, 500, 3).await;
    // The follow-up has failed once; the last answer comes while it is retrying.
    h.bot_post(thread, 2).await;
    h.answer_in(thread, "I chose caching because it was reversible.")
        .await;
    let summary = h.bot_post(thread, 6).await;
    assert!(content(&summary).contains("Interview complete"));
    // Nothing of the summary was tried before the follow-up got through.
    let tried: Vec<(Option<u16>, bool)> = h.posts_in(thread)[2..]
        .iter()
        .map(|p| (p.status, content(p).contains("**Follow-up 1 of 1")))
        .collect();
    let (failed, follow_up, last) = ((Some(500), true), (Some(200), true), (Some(200), false));
    assert_eq!(tried, [failed, failed, failed, follow_up, last]);
    let shown = h.bot_messages(thread);
    assert_eq!(shown.len(), 4, "{shown:#?}");
    assert!(shown[2].contains("**Follow-up 1 of 1"), "{shown:#?}");
    assert!(shown[3].contains("Interview complete"), "{shown:#?}");
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_errors_are_retried_or_explained() {
    let h = Harness::start().await;
    let (thread, q1) = at_first_question(&h).await;

    // A 500 and then a 429 on the next post: retried, delivered once.
    h.fake.fail_next(routes::CREATE_MESSAGE, 500, 1);
    h.fake.fail_next(routes::CREATE_MESSAGE, 429, 1);
    h.answer_in(thread, h.strong_answer(&q1)).await;
    let delivered = h.bot_post(thread, 4).await;
    assert_eq!(delivered.status, Some(200));
    assert!(content(&delivered).contains("**Follow-up 1 of 1"));
    assert_eq!(follow_ups_shown(&h, thread), 1, "shown once");

    // A 500 on the /ask reply itself is logged; the bot keeps serving.
    h.fake.fail_next(routes::INTERACTION_CALLBACK, 500, 1);
    let ask = fixtures::slash_command("ask").option(opt::string("role", "qa"));
    h.interact(&ask, ask.interaction_id()).await;
    let ask = fixtures::slash_command("ask").option(opt::string("role", "qa"));
    let reply = h.interact(&ask, ask.interaction_id()).await;
    assert_eq!(reply.body["type"], 4, "the next /ask is answered");
    assert!(!h.output().contains("panicked"));
}

/// Discord answers a post with 404 (the thread is gone) or 403 (no permission): the
/// queued message is dropped instead of retried forever, and the interview is closed so
/// the member can start another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_refused_with_404_or_403_are_dropped_and_close_the_interview() {
    let h = Harness::start().await;
    let answers = "SELECT COUNT(*) FROM answers a JOIN interviews i ON i.id = a.interview_id \
                   WHERE i.thread_id = ?";

    // 404: the thread is gone.
    let (thread, q1) = at_first_question(&h).await;
    h.fake.fail_next(routes::CREATE_MESSAGE, 404, 1);
    h.answer_in(thread, h.strong_answer(&q1)).await;
    let closed = "SELECT COUNT(*) FROM interviews WHERE thread_id = ? \
                  AND status = 'closed-thread-deleted'";
    h.wait_for_db(closed, thread as i64, 1).await;
    h.wait_for_db(answers, thread as i64, 1).await;
    h.wait_for_db(PENDING, thread as i64, 0).await;

    // 403: no permission to post, so nothing more can reach the member there: the
    // interview is closed rather than left waiting for the idle sweep.
    let thread2 = h.start_mock(User::alice(), "backend").await;
    assert_ne!(thread, thread2, "the member could start again");
    let q1 = h.bot_post(thread2, 1).await;
    h.fake.fail_next(routes::CREATE_MESSAGE, 403, 1);
    h.answer_in(thread2, h.strong_answer(&q1)).await;
    h.wait_for_db(answers, thread2 as i64, 1).await;
    h.wait_for_db(PENDING, thread2 as i64, 0).await;
    let abandoned = "SELECT COUNT(*) FROM interviews WHERE thread_id = ? AND status = 'abandoned'";
    h.wait_for_db(abandoned, thread2 as i64, 1).await;
    h.wait_for_log(&["no permission to post", "code=Some(50013)"])
        .await;
    let thread3 = h.start_mock(User::alice(), "backend").await;
    assert_ne!(thread2, thread3, "the member could start again");

    // The intro, the first question, and the refused post: tried once, not again.
    assert_eq!(h.posts_in(thread).len(), 3);
    assert_eq!(h.posts_in(thread2).len(), 3);
    h.fake.assert_no_violations();
}

/// A post Discord refuses as malformed (400) is dropped and logged with Discord's
/// code, never retried; the interview goes on and the next post is delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_refused_with_400_is_dropped_and_the_interview_goes_on() {
    let (h, thread) = answered_while_failing(100, 400, 1).await;
    h.wait_for_db(PENDING, thread as i64, 0).await;
    assert_eq!(h.bot_post(thread, 2).await.status, Some(400));
    h.answer_in(thread, "I chose caching because it was reversible.")
        .await;
    let summary = h.bot_post(thread, 3).await;
    assert!(content(&summary).contains("Interview complete"));
    assert_eq!(
        h.posts_in(thread).len(),
        4,
        "the refused post was not tried again"
    );
    h.wait_for_log(&["Discord refused a post", "status=400"])
        .await;
    h.fake.assert_no_violations();
}
