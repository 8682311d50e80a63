//! End to end: the question of the day with the real bot binary against the local
//! Discord — setup (for moderators only), the day's post with its thread, an answer in
//! the thread acknowledged with a reaction, an answer through the form, the private
//! *My feedback*, `/streak`, and `/forget-me`. Every test ends by checking that no request
//! broke Discord's schema, limits or the no-pings policy.

mod support;

use fake_discord::fixtures::{self, opt, perms, User};
use fake_discord::{routes, RecordedRequest};
use serde_json::json;
use support::{content, custom_ids, is_ephemeral, Harness, WAIT};

const ANSWER: &str = "At my last company our checkout API timed out during a sale. I owned \
the fix: I traced the slow queries, added a covering index and moved receipt emails to a \
queue. p95 latency fell from 900 ms to 180 ms and the timeouts stopped. Next time I would \
load test before a sale.";

const REACTION: &str =
    "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me";

/// Whether a request posts a question of the day (not the board or anything else).
fn is_question_post(r: &RecordedRequest) -> bool {
    r.body["embeds"][0]["title"]
        .as_str()
        .is_some_and(|t| t.starts_with("Question of the day"))
}

fn bob() -> User {
    User::new(4100, "bob")
}

fn setup_command(permissions: u64) -> fixtures::SlashCommand {
    fixtures::slash_command("daily")
        .subcommand(
            "setup",
            vec![
                opt::channel("channel", fixtures::CHANNEL_ID),
                // Midnight UTC has always passed: today's question is posted at once.
                opt::string("time", "00:00"),
                opt::string("timezone", "UTC"),
                opt::string("roles", "backend"),
            ],
        )
        .permissions(permissions)
}

/// The follow-up (after a deferral) of the interaction with `token`.
async fn followup(h: &Harness, token: &str) -> RecordedRequest {
    h.followup(token).await
}

/// Runs a slash command that answers at once or after a deferral; its text.
async fn ask(h: &Harness, cmd: fixtures::SlashCommand) -> (String, bool) {
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    if reply.body["type"] == 5 {
        let f = followup(h, cmd.interaction_token()).await;
        return (content(&f), is_ephemeral(&f.body));
    }
    (
        reply.body["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        is_ephemeral(&reply.body["data"]),
    )
}

/// Presses a button on the day's post; the text of the (deferred, ephemeral) answer.
async fn press(h: &Harness, custom_id: &str, user: User) -> String {
    let click = fixtures::button(custom_id).user(user);
    let ack = h.interact(&click, click.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "deferred ephemerally: {}", ack.body);
    assert!(is_ephemeral(&ack.body["data"]), "{}", ack.body);
    let told = followup(h, click.interaction_token()).await;
    assert!(is_ephemeral(&told.body), "{}", told.body);
    content(&told)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_the_question_of_the_day() {
    let h = Harness::start().await;

    // Only moderators set it up.
    let (refused, private) = ask(&h, setup_command(perms::DEFAULT_MEMBER)).await;
    assert!(refused.contains("Only moderators"), "{refused}");
    assert!(private);
    let (set, private) = ask(
        &h,
        setup_command(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD),
    )
    .await;
    assert!(private);
    assert!(
        set.contains("<#3000>") && set.contains("00:00") && set.contains("UTC"),
        "{set}"
    );

    // Today's post: an embed with the question and two buttons, sent with a nonce.
    let post = h
        .fake
        .wait_for(
            |r| {
                r.route == routes::CREATE_MESSAGE
                    && r.param_id("channel_id") == Some(fixtures::CHANNEL_ID)
                    && is_question_post(r)
            },
            WAIT,
        )
        .await;
    let ids = custom_ids(&post.body["components"]);
    assert_eq!(ids, ["ic:daily-answer:1", "ic:daily-feedback:1"]);
    assert_eq!(post.body["enforce_nonce"], true);
    assert_eq!(post.body["allowed_mentions"]["parse"], json!([]));
    let description = post.body["embeds"][0]["description"].as_str().unwrap();
    assert!(description.contains("Why it's asked"), "{description}");
    assert!(description.contains("Structure:"), "{description}");
    let opened = h
        .fake
        .wait_for_route(routes::CREATE_THREAD_FROM_MESSAGE, WAIT)
        .await;
    let thread = opened.param_id("message_id").expect("the post's id");
    assert_eq!(opened.param_id("channel_id"), Some(fixtures::CHANNEL_ID));
    // Members can write in the thread once it exists, and the bot knows it by then.
    h.wait_for_db(
        "SELECT COUNT(*) FROM daily_posts WHERE thread_id = ?1 AND status = 'posted'",
        thread as i64,
        1,
    )
    .await;

    // Alice answers in the thread: a reaction says it was received, nothing is posted.
    h.answer_in(thread, ANSWER).await;
    let reacted = h
        .fake
        .wait_for(
            move |r| r.route == REACTION && r.param_id("channel_id") == Some(thread),
            WAIT,
        )
        .await;
    assert_eq!(reacted.param("emoji_name"), Some("%E2%9C%85"));
    assert!(
        h.posts_in(thread).is_empty(),
        "no feedback where others can read it"
    );

    // Bob answers through the form.
    let open = fixtures::button("ic:daily-answer:1").user(bob());
    let form = h.interact(&open, open.interaction_id()).await;
    assert_eq!(form.body["type"], 9, "a modal: {}", form.body);
    assert_eq!(form.body["data"]["custom_id"], "ic:daily-form:1");
    let submit = fixtures::modal_submit("ic:daily-form:1")
        .field("answer", "I would ask about the team and then decide.")
        .user(bob());
    h.interact(&submit, submit.interaction_id()).await;
    let saved = followup(&h, submit.interaction_token()).await;
    assert!(
        content(&saved).contains("Your answer is saved"),
        "{}",
        saved.body
    );
    assert!(is_ephemeral(&saved.body));

    // My feedback: each member sees their own, privately.
    let alice = press(&h, "ic:daily-feedback:1", User::alice()).await;
    assert!(alice.contains("Your answer to"), "{alice}");
    assert!(alice.contains("Feedback on your answer"), "{alice}");
    let bobs = press(&h, "ic:daily-feedback:1", bob()).await;
    assert!(bobs.contains("Your answer to"), "{bobs}");
    assert!(
        !bobs.contains("checkout"),
        "never another member's answer: {bobs}"
    );
    let carol = press(&h, "ic:daily-feedback:1", User::new(4200, "carol")).await;
    assert!(carol.contains("haven't answered"), "{carol}");

    // Streaks.
    let (streak, private) = ask(&h, fixtures::slash_command("streak")).await;
    assert!(private);
    assert!(streak.contains("**1 day**"), "{streak}");
    let (show, _) = ask(
        &h,
        fixtures::slash_command("daily").subcommand("show", vec![]),
    )
    .await;
    assert!(show.contains("<#3000>"), "{show}");

    // Progress: a PNG chart, privately, with its summary in words.
    let progress = fixtures::slash_command("progress");
    let ack = h.interact(&progress, progress.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "{}", ack.body);
    let chart = followup(&h, progress.interaction_token()).await;
    assert!(is_ephemeral(&chart.body), "{}", chart.body);
    assert!(content(&chart).contains("1 answer"), "{}", content(&chart));
    assert_eq!(chart.files.len(), 1, "one attachment");
    assert_eq!(chart.files[0].filename.as_deref(), Some("progress.png"));
    let decoder = png::Decoder::new(std::io::Cursor::new(chart.files[0].data.to_vec()));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert!(
        info.width > 0 && info.height > 0,
        "{}x{}",
        info.width,
        info.height
    );

    // Forget me: Alice's answer and streak go; Bob keeps his.
    let forget = fixtures::slash_command("forget-me");
    h.interact(&forget, forget.interaction_id()).await;
    let yes = fixtures::button("ic:forget:yes");
    h.interact(&yes, yes.interaction_id()).await;
    let done = h
        .fake
        .wait_for(
            move |r| {
                r.route == routes::EDIT_ORIGINAL
                    && r.param("webhook_token") == Some(yes.interaction_token())
            },
            WAIT,
        )
        .await;
    assert!(
        content(&done).contains("1 daily answer, 1 streak"),
        "{}",
        done.body
    );
    let (streak, _) = ask(&h, fixtures::slash_command("streak")).await;
    assert!(streak.contains("No streak yet"), "{streak}");
    let forgotten = press(&h, "ic:daily-feedback:1", User::alice()).await;
    assert!(forgotten.contains("haven't answered"), "{forgotten}");
    let kept = press(&h, "ic:daily-feedback:1", bob()).await;
    assert!(kept.contains("Your answer to"), "{kept}");

    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_names_the_permissions_the_bot_lacks_and_every_wrong_option() {
    let h = Harness::start().await;
    let moderator = perms::DEFAULT_MEMBER | perms::MANAGE_GUILD;
    let cmd = setup_command(moderator)
        .app_permissions(perms::DEFAULT_BOT & !perms::ADD_REACTIONS & !perms::EMBED_LINKS);
    let (told, private) = ask(&h, cmd).await;
    assert!(private);
    assert!(
        told.contains("**Embed Links** and **Add Reactions**"),
        "{told}"
    );

    let wrong = fixtures::slash_command("daily")
        .subcommand(
            "setup",
            vec![
                opt::channel("channel", fixtures::CHANNEL_ID),
                opt::string("time", "9.75"),
                opt::string("timezone", "EST"),
                opt::string("roles", "backend, wizardry"),
            ],
        )
        .permissions(moderator);
    let (told, _) = ask(&h, wrong).await;
    assert!(told.contains("not set up"), "{told}");
    for part in ["9.75", "EST", "wizardry"] {
        assert!(told.contains(part), "{part} not named: {told}");
    }
    let (show, _) = ask(
        &h,
        fixtures::slash_command("daily").subcommand("show", vec![]),
    )
    .await;
    assert!(show.contains("no question of the day"), "{show}");
    assert!(
        h.posts_in(fixtures::CHANNEL_ID).is_empty(),
        "nothing is posted"
    );
    h.fake.assert_no_violations();
}

/// Killed (`kill -9`) while Discord was taking the day's post: after the restart the post
/// is sent again with the same nonce, so the channel shows it once, and its thread is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_interrupted_by_kill_9_is_made_once_after_the_restart() {
    let mut h = Harness::start().await;
    h.fake.hold(routes::CREATE_MESSAGE);
    let (set, _) = ask(
        &h,
        setup_command(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD),
    )
    .await;
    assert!(set.contains("<#3000>"), "{set}");
    let held = h
        .fake
        .wait_for(
            |r| r.route == routes::CREATE_MESSAGE && r.status.is_none(),
            WAIT,
        )
        .await;
    h.kill();
    // Discord takes the post after all; the bot never heard back.
    h.fake.release();

    h.spawn_bot().await;
    let opened = h
        .fake
        .wait_for_route(routes::CREATE_THREAD_FROM_MESSAGE, WAIT)
        .await;
    let thread = opened.param_id("message_id").unwrap();
    let posts: Vec<RecordedRequest> = h
        .posts_in(fixtures::CHANNEL_ID)
        .into_iter()
        .filter(is_question_post)
        .collect();
    assert_eq!(posts.len(), 2, "sent once before the kill, once after");
    assert_eq!(posts[1].body["nonce"], held.body["nonce"], "the same post");
    let questions = h
        .fake
        .messages(fixtures::CHANNEL_ID)
        .into_iter()
        .filter(|m| {
            m.from_bot
                && m.embeds
                    .first()
                    .and_then(|e| e["title"].as_str())
                    .is_some_and(|t| t.starts_with("Question of the day"))
        })
        .map(|m| m.id)
        .collect::<Vec<_>>();
    assert_eq!(
        questions,
        [thread],
        "the channel shows the post once, with its thread"
    );
    h.wait_for_db(
        "SELECT COUNT(*) FROM daily_posts WHERE thread_id = ?1 AND status = 'posted'",
        thread as i64,
        1,
    )
    .await;
    h.answer_in(thread, ANSWER).await;
    h.fake
        .wait_for(
            move |r| r.route == REACTION && r.param_id("channel_id") == Some(thread),
            WAIT,
        )
        .await;
    h.fake.assert_no_violations();
}

/// A passing failure (5xx) on the day's post is retried within seconds and the post is
/// made once; a refusal (403: no access to the channel) gives the day up, logged, with
/// nothing half-made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_post_is_retried_soon_and_a_403_gives_the_day_up() {
    let h = Harness::start().await;
    h.fake.fail_next(routes::CREATE_MESSAGE, 503, 1);
    ask(
        &h,
        setup_command(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD),
    )
    .await;
    let opened = h
        .fake
        .wait_for_route(routes::CREATE_THREAD_FROM_MESSAGE, WAIT)
        .await;
    let tries: Vec<RecordedRequest> = h
        .posts_in(fixtures::CHANNEL_ID)
        .into_iter()
        .filter(is_question_post)
        .collect();
    assert_eq!(tries.len(), 2, "the failed try and the retry");
    assert_eq!(tries[0].status, Some(503));
    let thread = opened.param_id("message_id").unwrap();
    h.wait_for_db(
        "SELECT COUNT(*) FROM daily_posts WHERE thread_id = ?1 AND status = 'posted'",
        thread as i64,
        1,
    )
    .await;
    h.fake.assert_no_violations();

    // Another server's day, refused: given up, not retried.
    let h = Harness::start().await;
    h.fake.fail_next(routes::CREATE_MESSAGE, 403, 1);
    ask(
        &h,
        setup_command(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD),
    )
    .await;
    h.wait_for_db(
        "SELECT COUNT(*) FROM daily_posts WHERE status = 'missed' AND id = ?1",
        1,
        1,
    )
    .await;
    h.wait_for_log(&["Discord refused a daily post"]).await;
    let questions = h
        .posts_in(fixtures::CHANNEL_ID)
        .into_iter()
        .filter(is_question_post)
        .count();
    assert_eq!(questions, 1, "one refused try, not retried");
    assert!(h
        .fake
        .requests_to(routes::CREATE_THREAD_FROM_MESSAGE)
        .is_empty());
}
