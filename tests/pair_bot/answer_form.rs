//! Without the Message Content intent (`message_content = false`): a message in the room
//! arrives empty, so the bot says once how to answer, and the candidate answers with the
//! *Answer* button and its form; the coach's notes on it come in the summary.

use fake_discord::fixtures;

use crate::support::{content, is_ephemeral, Harness, Options};
use crate::{
    alice, announcement, assert_clean, bob, bob_says, console, matched_pair, press_in, ANSWER,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_candidate_answers_with_the_form_when_message_content_is_off() {
    let h = Harness::start_with(Options {
        message_content: false,
        ..Options::default()
    })
    .await;
    let (_, thread, pair) = matched_pair(&h).await;
    let announced = announcement(&h).await;
    console(&h, thread, &format!("ic:pair:ask:{pair}"), alice()).await;

    // A message arrives without its text: the room is told once to use the button.
    for _ in 0..2 {
        bob_says(&h, thread).await;
    }
    h.post_containing(thread, "can't read the text").await;

    // The interviewer may not answer.
    let answer = format!("ic:pair:answer:{pair}");
    let press = press_in(thread, &answer, alice());
    let refused = h.interact(&press, press.interaction_id()).await;
    assert!(is_ephemeral(&refused.body["data"]), "{}", refused.body);
    assert!(
        refused.body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only this round's candidate"),
        "{}",
        refused.body
    );

    // The candidate gets the form and submits the answer.
    let press = press_in(thread, &answer, bob());
    let form = h.interact(&press, press.interaction_id()).await;
    assert_eq!(form.body["type"], 9, "{}", form.body);
    let form_id = form.body["data"]["custom_id"].as_str().unwrap().to_string();
    assert_eq!(form_id, format!("ic:pair-answer:{pair}"));
    let submit = fixtures::modal_submit(form_id)
        .user(bob())
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12)
        .field("answer", ANSWER);
    h.interact(&submit, submit.interaction_id()).await;
    h.wait_for_db("SELECT count(*) FROM pair_answers WHERE ?1 = ?1", 1, 1)
        .await;

    console(&h, thread, &format!("ic:pair:end:{pair}"), alice()).await;
    let summary = h.post_containing(thread, "Peer interview summary").await;
    assert!(
        content(&summary).contains("Coach's notes"),
        "{}",
        summary.body
    );
    let told = h
        .bot_messages(thread)
        .iter()
        .filter(|m| m.contains("can't read the text"))
        .count();
    assert_eq!(told, 1, "{}", h.fake.describe());
    assert_clean(&h, &announced);
}
