//! End to end: peer mock interviews with the real bot binary against the local Discord.
//! Here, the helpers and the whole session — two members queue and are matched, their
//! private thread with both added, the one announcement that pings exactly the two of
//! them, the interviewer's console (refused to the candidate; briefing, ask, the
//! follow-up menu, ratings by menus and the notes form), an answer in the thread, the
//! swap, the end with its summary — and `/forget-me`. In the other files: matching with
//! three or four members (`matching`), leaving and the queue time (`queue`), a restart
//! mid-round (`restart`), a member or the thread gone (`gone`), the *Answer* form
//! (`answer_form`) and the voice channel (`voice`).
//! Every test ends by checking that no request broke Discord's schema or limits, and that
//! the announcement is the only post that may ping.

#[path = "../support/mod.rs"]
mod support;

mod answer_form;
mod gone;
mod matching;
mod queue;
mod restart;
mod voice;

use fake_discord::fixtures::{self, opt, User};
use fake_discord::{routes, RecordedRequest};
use serde_json::{json, Value};
use support::{content, custom_ids, is_ephemeral, Harness, WAIT};

const ANSWER: &str = "At my last company our checkout API timed out during a sale. I owned \
the fix: I traced the slow queries, added a covering index and moved receipt emails to a \
queue. p95 latency fell from 900 ms to 180 ms and the timeouts stopped. Next time I would \
load test before a sale.";

fn alice() -> User {
    User::alice()
}

fn bob() -> User {
    User::new(4100, "bob")
}

fn carol() -> User {
    User::new(4200, "carol")
}

fn dave() -> User {
    User::new(4300, "dave")
}

/// The edit of the reply to the interaction with `token` whose text contains `text`.
async fn reply_edit(h: &Harness, token: &str, text: &str) -> RecordedRequest {
    let (token, text) = (token.to_string(), text.to_string());
    h.fake
        .wait_for(
            move |r| {
                r.route == routes::EDIT_ORIGINAL
                    && r.param("webhook_token") == Some(token.as_str())
                    && content(r).contains(&text)
            },
            WAIT,
        )
        .await
}

/// `user` runs `/pair join role:<role>`; the token of the (deferred, ephemeral) reply.
async fn join(h: &Harness, user: User, role: &str) -> String {
    join_at(h, user, role, None).await
}

/// `user` runs `/pair join role:<role> [level:<level>]`; the token of the reply.
async fn join_at(h: &Harness, user: User, role: &str, level: Option<&str>) -> String {
    let mut options = vec![opt::string("role", role)];
    options.extend(level.map(|l| opt::string("level", l)));
    let cmd = fixtures::slash_command("pair")
        .subcommand("join", options)
        .user(user);
    let ack = h.interact(&cmd, cmd.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "deferred: {}", ack.body);
    assert!(is_ephemeral(&ack.body["data"]), "{}", ack.body);
    cmd.interaction_token().to_string()
}

/// A press of `custom_id` by `user` in the pair's thread.
fn press_in(thread: u64, custom_id: &str, user: User) -> fixtures::Button {
    fixtures::button(custom_id).user(user).thread(
        fixtures::GUILD_ID,
        thread,
        fixtures::CHANNEL_ID,
        12,
    )
}

/// Presses a console button that answers ephemerally after a deferral; the follow-up.
async fn console(h: &Harness, thread: u64, custom_id: &str, user: User) -> RecordedRequest {
    let click = press_in(thread, custom_id, user);
    let ack = h.interact(&click, click.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "deferred: {}", ack.body);
    assert!(is_ephemeral(&ack.body["data"]), "{}", ack.body);
    let told = h.followup(click.interaction_token()).await;
    assert!(is_ephemeral(&told.body), "{}", told.body);
    // Answered (and so stored) before the test presses what it shows.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let answered = h
            .fake
            .requests_to(routes::CREATE_FOLLOWUP)
            .into_iter()
            .find(|r| r.path == told.path && r.status.is_some());
        if let Some(r) = answered {
            return r;
        }
        assert!(std::time::Instant::now() < deadline, "{}", told.body);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The bot's stored message in `channel` with a component whose id starts with `prefix`.
fn message_with(h: &Harness, channel: u64, prefix: &str) -> fake_discord::Message {
    h.fake
        .messages(channel)
        .into_iter()
        .rev()
        .find(|m| {
            custom_ids(&Value::Array(m.components.clone()))
                .iter()
                .any(|id| id.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no message with {prefix}:\n{}", h.fake.describe()))
}

/// Two members matched for backend: `(alice's reply token, thread, pair id)`.
async fn matched_pair(h: &Harness) -> (String, u64, i64) {
    let first = join(h, alice(), "backend").await;
    let waiting = reply_edit(h, &first, "number 1 in line").await;
    assert!(
        content(&waiting).contains("/pair leave"),
        "{}",
        waiting.body
    );
    let second = join(h, bob(), "backend").await;
    let matched = reply_edit(h, &second, "matched with <@4000>").await;
    let thread = h.fake.threads().last().expect("a thread").clone();
    assert!(content(&matched).contains(&format!("<#{}>", thread.id)));
    reply_edit(h, &first, "matched with <@4100>").await;
    let (_, pair) = round_one(h, thread.id).await;
    (first, thread.id, pair)
}

/// The console of round 1 in `thread` (once posted) and the pair's id on its buttons.
async fn round_one(h: &Harness, thread: u64) -> (RecordedRequest, i64) {
    let console = h.post_containing(thread, "**Round 1**").await;
    let pair = custom_ids(&console.body["components"])
        .iter()
        .find_map(|id| id.strip_prefix("ic:pair:brief:").map(str::to_string))
        .expect("a briefing button")
        .parse()
        .unwrap();
    (console, pair)
}

/// `interviewer` scores the running round of `pair`: the first step rated 3 with the
/// menu, then the notes form. Returns the round's id.
async fn score(h: &Harness, thread: u64, pair: i64, interviewer: User) -> i64 {
    let card = console(
        h,
        thread,
        &format!("ic:pair:score:{pair}"),
        interviewer.clone(),
    )
    .await;
    let ids = custom_ids(&card.body["components"]);
    let rate = ids
        .iter()
        .find(|id| id.starts_with("ic:pair-rate:") && id.ends_with(":0"))
        .unwrap()
        .clone();
    assert!(ids.len() <= 5, "{ids:?}");
    let round: i64 = rate.split(':').nth(2).unwrap().parse().unwrap();
    let scoring = message_with(h, thread, "ic:pair-rate:");
    let choose = fixtures::string_select(rate.clone(), ["3"])
        .user(interviewer.clone())
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12)
        .on_message(&scoring);
    let updated = h.interact(&choose, choose.interaction_id()).await;
    assert_eq!(updated.body["type"], 7, "{}", updated.body);
    // The message keeps the choice once Discord has applied the update.
    let deadline = std::time::Instant::now() + WAIT;
    let scoring = loop {
        let stored = h.fake.message(scoring.id).unwrap();
        if stored.json["components"][0]["components"][0]["options"][2]["default"] == true {
            break stored;
        }
        assert!(std::time::Instant::now() < deadline, "{}", stored.json);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let submit = press_in(
        thread,
        &format!("ic:pair-submit:{round}"),
        interviewer.clone(),
    )
    .on_message(&scoring);
    let form = h.interact(&submit, submit.interaction_id()).await;
    assert_eq!(form.body["type"], 9, "the notes form: {}", form.body);
    let form_id = form.body["data"]["custom_id"].as_str().unwrap().to_string();
    assert!(
        form_id.starts_with(&format!("ic:pair-card:{round}:3")),
        "{form_id}"
    );
    let notes = fixtures::modal_submit(form_id)
        .user(interviewer)
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12)
        .field("strength", "Clear numbers on the outcome.")
        .field("improve", "Say more about the situation.");
    h.interact(&notes, notes.interaction_id()).await;
    let saved = h.followup(notes.interaction_token()).await;
    assert!(
        content(&saved).contains("Scorecard saved"),
        "{}",
        saved.body
    );
    round
}

/// `user` answers in the thread with [`ANSWER`]; waits for the reaction that takes it.
async fn answers(h: &Harness, thread: u64, user: User) {
    let answer = fixtures::message_create(ANSWER)
        .in_thread(thread)
        .author(user);
    let answer_id = answer.id;
    h.fake.send(&answer).await;
    h.fake
        .wait_for(
            move |r| r.route.contains("/reactions/") && r.param_id("message_id") == Some(answer_id),
            WAIT,
        )
        .await;
}

/// Bob answers in the thread with [`ANSWER`]; waits for the reaction that takes it.
async fn bob_answers(h: &Harness, thread: u64) {
    answers(h, thread, bob()).await;
}

/// Bob posts [`ANSWER`] in the thread (without waiting for what the bot makes of it).
async fn bob_says(h: &Harness, thread: u64) {
    h.fake
        .send(
            &fixtures::message_create(ANSWER)
                .in_thread(thread)
                .author(bob()),
        )
        .await;
}

/// Alice, round 1's interviewer, swaps: round 2 starts with Bob interviewing.
async fn swap(h: &Harness, thread: u64, pair: i64) {
    console(h, thread, &format!("ic:pair:swap:{pair}"), alice()).await;
    let second = h.post_containing(thread, "**Round 2**").await;
    assert!(content(&second).contains("<@4100> interviews <@4000>"));
}

/// Bob ends the pair whose round 1 [`score`] scored and Bob answered; the summary's text,
/// checked for the scorecard and the coach's notes.
async fn end_with_scorecard(h: &Harness, thread: u64, pair: i64) -> String {
    console(h, thread, &format!("ic:pair:end:{pair}"), bob()).await;
    let summary = h.post_containing(thread, "Peer interview summary").await;
    let text = content(&summary);
    for part in [
        "3/4",
        "Clear numbers on the outcome.",
        "Say more about the situation.",
        "Coach's notes",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    text
}

/// Waits for the thread to be archived.
async fn archived(h: &Harness, thread: u64) {
    h.fake
        .wait_for(
            move |r| {
                r.route == routes::EDIT_CHANNEL
                    && r.param_id("channel_id") == Some(thread)
                    && r.body["archived"] == true
            },
            WAIT,
        )
        .await;
}

/// The announcement of a pair (the one post that may ping) in the default channel.
async fn announcement(h: &Harness) -> RecordedRequest {
    h.post_containing(fixtures::CHANNEL_ID, "paired").await
}

/// Checks what every test ends with: no violation but the announcement's mentions.
fn assert_clean(h: &Harness, announcement: &RecordedRequest) {
    let left = violations_but_the_announcement(h, announcement);
    assert!(left.is_empty(), "{left:#?}\n{}", h.fake.describe());
}

/// The violations, leaving out the announcement's allowed mentions (the one post that may
/// ping, checked exactly by the test).
fn violations_but_the_announcement(h: &Harness, announcement: &RecordedRequest) -> Vec<String> {
    let at = format!("(request #{})", announcement.index);
    h.fake
        .violations()
        .into_iter()
        .filter(|v| !(v.contains(&at) && v.contains("allowed_mentions")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_interview_each_other_and_get_a_summary() {
    let h = Harness::start().await;
    let (_, thread, pair) = matched_pair(&h).await;

    // The room: a private thread with both members.
    let room = h.fake.channel(thread).unwrap();
    assert_eq!(room.kind, 12, "private thread");
    for user in [4000, 4100] {
        assert!(room.members.contains(&user), "{user} added");
    }

    // The one announcement, in the channel where Bob joined, pings exactly the two.
    let announcement = h.post_containing(fixtures::CHANNEL_ID, "paired").await;
    let text = content(&announcement);
    assert!(
        text.contains("<@4000>") && text.contains("<@4100>"),
        "{text}"
    );
    assert!(text.contains(&format!("<#{thread}>")), "{text}");
    let mentions = &announcement.body["allowed_mentions"];
    let mut users: Vec<String> = serde_json::from_value(mentions["users"].clone()).unwrap();
    users.sort();
    assert_eq!(users, ["4000", "4100"], "{mentions}");
    assert!(
        mentions["parse"].as_array().is_none_or(|p| p.is_empty()),
        "{mentions}"
    );
    assert!(mentions.get("roles").is_none_or(|r| r == &json!([])));

    // Alice waited longer: she interviews first. Bob is refused the console.
    let brief = format!("ic:pair:brief:{pair}");
    let refused = console(&h, thread, &brief, bob()).await;
    assert!(
        content(&refused).contains("Only this round's interviewer"),
        "{}",
        refused.body
    );
    let briefing = console(&h, thread, &brief, alice()).await;
    let embeds = briefing.body["embeds"].as_array().unwrap();
    assert_eq!(embeds.len(), 2, "{}", briefing.body);
    assert!(embeds[0]["description"]
        .as_str()
        .unwrap()
        .contains("Why it's asked"));
    assert!(embeds[1]["title"]
        .as_str()
        .unwrap()
        .starts_with("Example answer"));

    // Ask: the question in the thread.
    let asked = console(&h, thread, &format!("ic:pair:ask:{pair}"), alice()).await;
    assert_eq!(content(&asked), "Posted.");
    let question = h.post_containing(thread, "**Question (round 1):**").await;
    assert!(announcement.index < question.index);

    // Ask follow-up: a menu only Alice sees; the chosen one posted in full.
    let menu = console(&h, thread, &format!("ic:pair:fu:{pair}"), alice()).await;
    let select = &menu.body["components"][0]["components"][0];
    assert_eq!(select["type"], 3, "{}", menu.body);
    let options = select["options"].as_array().unwrap();
    assert!(!options.is_empty());
    assert!(options
        .iter()
        .all(|o| o["label"].as_str().unwrap().chars().count() <= 100));
    let menu_message = message_with(&h, thread, "ic:pair-fu:");
    let pick = fixtures::string_select(format!("ic:pair-fu:{pair}"), ["0"])
        .user(alice())
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12)
        .on_message(&menu_message);
    let ack = h.interact(&pick, pick.interaction_id()).await;
    assert_eq!(ack.body["type"], 6, "{}", ack.body);
    let label = options[0]["label"].as_str().unwrap().trim_end_matches('…');
    let follow_up = h.post_containing(thread, "**Follow-up:**").await;
    assert!(content(&follow_up).contains(label), "{}", follow_up.body);

    // Bob answers in the thread: acknowledged with a reaction, no feedback yet.
    bob_answers(&h, thread).await;
    assert!(h
        .bot_messages(thread)
        .iter()
        .all(|m| !m.contains("Coach's notes")));

    // Score: a 1–4 menu per step, the choice kept on the message, then the notes form.
    score(&h, thread, pair, alice()).await;

    // Swap: round 2, Bob interviews; Alice is now refused.
    swap(&h, thread, pair).await;
    let refused = console(&h, thread, &format!("ic:pair:ask:{pair}"), alice()).await;
    assert!(content(&refused).contains("Only this round's interviewer"));

    // End: the summary of both rounds, with the scorecard and the coach's notes; archived.
    let text = end_with_scorecard(&h, thread, pair).await;
    for part in ["**Round 1**", "**Round 2**", "Not scored."] {
        assert!(text.contains(part), "{part} in {text}");
    }
    archived(&h, thread).await;

    // /history lists the peer rounds.
    let history = fixtures::slash_command("history").user(bob());
    h.interact(&history, history.interaction_id()).await;
    let listed = h.followup(history.interaction_token()).await;
    assert!(
        content(&listed).contains("peer interview"),
        "{}",
        listed.body
    );
    // Bob has peer rounds only: no "no mock interviews" line above them.
    assert!(
        !content(&listed).contains("no mock interviews"),
        "{}",
        listed.body
    );

    assert_clean(&h, &announcement);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_me_ends_the_pair_and_deletes_the_members_answers() {
    let h = Harness::start().await;
    let (_, thread, _) = matched_pair(&h).await;
    let announcement = h.post_containing(fixtures::CHANNEL_ID, "paired").await;
    bob_says(&h, thread).await;
    h.wait_for_db("SELECT count(*) FROM pair_answers WHERE ?1 = ?1", 1, 1)
        .await;

    let forget = fixtures::slash_command("forget-me").user(bob());
    h.interact(&forget, forget.interaction_id()).await;
    let yes = fixtures::button("ic:forget:yes").user(bob());
    h.interact(&yes, yes.interaction_id()).await;
    let done = reply_edit(&h, yes.interaction_token(), "Peer interviews").await;
    assert!(content(&done).contains("1 answers"), "{}", done.body);
    h.wait_for_db("SELECT count(*) FROM pair_answers WHERE ?1 = ?1", 1, 0)
        .await;
    h.wait_for_db(
        "SELECT count(*) FROM pairs WHERE status = 'open' AND ?1 = ?1",
        1,
        0,
    )
    .await;
    h.post_containing(thread, "This pair has ended").await;

    assert_clean(&h, &announcement);
}

/// Both rounds scored: the summary holds both scorecards, each beside the coach's notes on
/// that round's answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_of_two_scored_rounds_holds_both_scorecards_and_the_analysis() {
    let h = Harness::start().await;
    let (_, thread, pair) = matched_pair(&h).await;
    let announcement = announcement(&h).await;
    console(&h, thread, &format!("ic:pair:ask:{pair}"), alice()).await;
    bob_answers(&h, thread).await;
    score(&h, thread, pair, alice()).await;
    swap(&h, thread, pair).await;

    // Round 2: Bob asks, Alice answers, Bob scores.
    console(&h, thread, &format!("ic:pair:ask:{pair}"), bob()).await;
    answers(&h, thread, alice()).await;
    score(&h, thread, pair, bob()).await;

    let text = end_with_scorecard(&h, thread, pair).await;
    assert!(!text.contains("Not scored."), "{text}");
    for part in [
        "Did well: Clear numbers on the outcome.",
        "To improve: Say more about the situation.",
        "Coach's notes on the written answer",
    ] {
        assert_eq!(text.matches(part).count(), 2, "{part} twice in {text}");
    }
    archived(&h, thread).await;
    assert_clean(&h, &announcement);
}
