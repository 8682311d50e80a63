//! kill -9 mid-round: the pair, its round, the answer and the scorecard are in the store,
//! so after the restart the console's buttons work, the summary has everything, and
//! nothing was posted twice.

use fake_discord::fixtures;

use crate::support::{content, Harness};
use crate::{
    alice, announcement, assert_clean, bob, bob_answers, console, end_with_scorecard, matched_pair,
    score, swap,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_survives_kill_9_and_the_console_still_works() {
    let mut h = Harness::start().await;
    let (_, thread, pair) = matched_pair(&h).await;
    let announced = announcement(&h).await;
    console(&h, thread, &format!("ic:pair:ask:{pair}"), alice()).await;
    h.post_containing(thread, "**Question (round 1):**").await;
    bob_answers(&h, thread).await;
    score(&h, thread, pair, alice()).await;

    h.kill();
    h.spawn_bot().await;
    let output = h.output();
    let ready = output.lines().rfind(|l| l.contains("bot ready"));
    assert!(ready.unwrap().contains("open_pairs=1"), "{output}");

    // The interviewer's buttons still know the pair and who interviews.
    let refused = console(&h, thread, &format!("ic:pair:swap:{pair}"), bob()).await;
    assert!(content(&refused).contains("Only this round's interviewer"));
    swap(&h, thread, pair).await;
    end_with_scorecard(&h, thread, pair).await;

    // Nothing twice: one announcement, one console per round, one question, one summary.
    let once = |channel: u64, start: &str| {
        let n = h
            .posts_in(channel)
            .iter()
            .filter(|p| content(p).starts_with(start))
            .count();
        assert_eq!(n, 1, "{start}:\n{}", h.fake.describe());
    };
    once(fixtures::CHANNEL_ID, "<@4000> and <@4100>, you're paired");
    for start in [
        "**Round 1** ·",
        "**Round 2** ·",
        "**Question (round 1):**",
        "**Peer interview summary**",
    ] {
        once(thread, start);
    }
    assert_clean(&h, &announced);
}
