//! Leaving the queue and the queue time: the member's ephemeral queue reply is edited
//! through its interaction token to say so. The queue time runs on the test clock.

use fake_discord::fixtures;

use crate::support::{content, Harness, Options};
use crate::{alice, bob, join, reply_edit};

/// `user` runs `/pair leave`; what the (deferred) reply says.
async fn leave(h: &Harness, user: fixtures::User) -> String {
    let cmd = fixtures::slash_command("pair")
        .subcommand("leave", vec![])
        .user(user);
    h.interact(&cmd, cmd.interaction_id()).await;
    content(&h.followup(cmd.interaction_token()).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_edits_the_queue_reply_and_frees_the_place() {
    let h = Harness::start().await;
    let a = join(&h, alice(), "backend").await;
    reply_edit(&h, &a, "number 1 in line").await;

    assert_eq!(leave(&h, alice()).await, "You left the queue.");
    reply_edit(&h, &a, "You left the queue with `/pair leave`.").await;
    assert_eq!(leave(&h, alice()).await, "You weren't in the queue.");

    // Bob finds nobody to be matched with.
    let b = join(&h, bob(), "backend").await;
    reply_edit(&h, &b, "number 1 in line").await;
    assert!(h.fake.threads().is_empty());
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wait_ends_after_the_queue_time() {
    let h = Harness::start_with(Options {
        test_clock: true,
        ..Options::default()
    })
    .await;
    let a = join(&h, alice(), "backend").await;
    let waiting = reply_edit(&h, &a, "number 1 in line").await;
    assert!(
        content(&waiting).contains("within 10 minutes"),
        "{}",
        waiting.body
    );

    // Nine minutes on, Alice is still waiting (a few sweeps later).
    h.advance_clock(9 * 60);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    h.wait_for_db(
        "SELECT count(*) FROM pair_queue WHERE user_id = ?1",
        4000,
        1,
    )
    .await;

    // Past ten, the sweep takes her out and her reply says so.
    h.advance_clock(2 * 60);
    reply_edit(&h, &a, "Nobody joined for a matching role in time").await;
    h.wait_for_db(
        "SELECT count(*) FROM pair_queue WHERE user_id = ?1",
        4000,
        0,
    )
    .await;
    let b = join(&h, bob(), "backend").await;
    reply_edit(&h, &b, "number 1 in line").await;
    assert!(h.fake.threads().is_empty());
    h.fake.assert_no_violations();
}
