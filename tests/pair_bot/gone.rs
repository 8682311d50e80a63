//! A member or the room gone: a member who cannot be added to the thread, a member who
//! left the server (GUILD_MEMBER_REMOVE), a deleted thread (THREAD_DELETE), and a pair
//! idle past the idle time (on the test clock) each end the pair for both with a notice.

use fake_discord::{fixtures, routes, RouteMatcher};

use crate::support::{content, Harness, Options, WAIT};
use crate::{alice, announcement, archived, assert_clean, bob, join, matched_pair, reply_edit};

const NO_OPEN_PAIR: &str = "SELECT count(*) FROM pairs WHERE status = 'open' AND ?1 = ?1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_who_cannot_be_added_ends_the_pair_for_both() {
    let h = Harness::start().await;
    let a = join(&h, alice(), "backend").await;
    reply_edit(&h, &a, "number 1 in line").await;
    // Bob left the server between his command and the match: adding him fails.
    let bob_added = RouteMatcher::custom(|r| {
        r.route == routes::ADD_THREAD_MEMBER && r.param_id("user_id") == Some(4100)
    });
    h.fake.fail_next(bob_added, 404, 1);
    let b = join(&h, bob(), "backend").await;
    let told_bob = reply_edit(&h, &b, "pair ended").await;
    let told_alice = reply_edit(&h, &a, "pair ended").await;
    for told in [&told_bob, &told_alice] {
        assert!(
            content(told).contains("`/pair join` again"),
            "{}",
            told.body
        );
    }
    h.wait_for_db(NO_OPEN_PAIR, 1, 0).await;
    // The half-made room is gone and nobody was pinged about it.
    h.fake
        .wait_for(
            |r| r.route == routes::DELETE_CHANNEL && r.status.is_some(),
            WAIT,
        )
        .await;
    assert!(h.fake.threads().is_empty(), "{}", h.fake.describe());
    assert!(h
        .posts_in(fixtures::CHANNEL_ID)
        .iter()
        .all(|p| !content(p).contains("paired")));
    // Alice is free to queue again.
    let again = join(&h, alice(), "backend").await;
    reply_edit(&h, &again, "number 1 in line").await;
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_leaving_the_server_ends_the_pair_for_both() {
    let h = Harness::start().await;
    let (_, thread, _) = matched_pair(&h).await;
    let announced = announcement(&h).await;
    h.fake.send(&fixtures::guild_member_remove(bob())).await;
    let notice = h.post_containing(thread, "This pair has ended").await;
    assert!(
        content(&notice).contains("no longer in the server"),
        "{}",
        notice.body
    );
    h.post_containing(thread, "Peer interview summary").await;
    archived(&h, thread).await;
    h.wait_for_db(NO_OPEN_PAIR, 1, 0).await;
    let again = join(&h, alice(), "backend").await;
    reply_edit(&h, &again, "number 1 in line").await;
    assert_clean(&h, &announced);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_thread_ends_the_pair_for_both() {
    let h = Harness::start().await;
    let (_, thread, _) = matched_pair(&h).await;
    let announced = announcement(&h).await;
    h.fake
        .send(&fixtures::thread_delete(thread, fixtures::CHANNEL_ID).kind(12))
        .await;
    h.wait_for_db(NO_OPEN_PAIR, 1, 0).await;
    // The notice goes where the pair was announced, naming both without pinging them.
    let notice = h
        .post_containing(fixtures::CHANNEL_ID, "its thread was deleted")
        .await;
    let text = content(&notice);
    assert!(
        text.contains("<@4000>") && text.contains("<@4100>"),
        "{text}"
    );
    let again = join(&h, alice(), "backend").await;
    reply_edit(&h, &again, "number 1 in line").await;
    assert_clean(&h, &announced);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_pair_ends_after_the_idle_time() {
    let h = Harness::start_with(Options {
        test_clock: true,
        ..Options::default()
    })
    .await;
    let (_, thread, _) = matched_pair(&h).await;
    let announced = announcement(&h).await;
    h.advance_clock(31 * 60);
    let notice = h.post_containing(thread, "This pair has ended").await;
    assert!(
        content(&notice).contains("nothing happened for a while"),
        "{}",
        notice.body
    );
    archived(&h, thread).await;
    h.wait_for_db(NO_OPEN_PAIR, 1, 0).await;
    assert_clean(&h, &announced);
}
