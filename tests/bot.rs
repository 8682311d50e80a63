//! End to end: the real bot binary against the local Discord. Every test ends
//! by checking that no request broke Discord's schema, limits or the
//! no-pings policy.

mod support;

use fake_discord::fixtures::{self, opt, perms, User};
use fake_discord::routes;
use serde_json::json;
use support::{content, custom_ids, data, is_ephemeral, Harness, Options, MOD_ROLE};

fn bob() -> User {
    User::new(4100, "bob")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_shows_the_guide_with_buttons() {
    let h = Harness::start().await;
    let cmd = fixtures::slash_command("ask")
        .option(opt::string("role", "backend"))
        .option(opt::string("question", "tell-me-about-yourself"));
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    assert_eq!(reply.body["type"], 4);
    let d = data(&reply);
    assert!(!is_ephemeral(d), "an /ask reply is for the whole channel");
    let embed = &d["embeds"][0];
    assert_eq!(
        embed["title"],
        "Tell me about yourself as a Backend Engineer."
    );
    let text = embed.to_string();
    assert!(text.contains("Why recruiters ask this"));
    assert!(text.contains("Present-Past-Future"));
    assert!(text.contains("What trade-off did you make there"));
    assert_eq!(
        custom_ids(&d["components"]),
        vec![
            "ic:ex:backend:tell-me-about-yourself",
            "ic:more:backend",
            "ic:mock:backend:tell-me-about-yourself"
        ]
    );
    assert_eq!(d["allowed_mentions"]["parse"], json!([]));
    // The commands were registered in the configured guild, with their descriptions.
    let commands = h.fake.guild_commands(fixtures::GUILD_ID);
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    for name in ["ask", "mock", "guides", "history", "forget-me", "help"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_role_gets_suggestions_privately() {
    let h = Harness::start().await;
    let cmd = fixtures::slash_command("ask").option(opt::string("role", "bakend"));
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    let d = data(&reply);
    assert!(is_ephemeral(d));
    assert_eq!(
        d["content"],
        "There is no role called `bakend`; did you mean `backend`?"
    );
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_autocomplete_and_buttons() {
    let h = Harness::start().await;
    let auto = fixtures::autocomplete("ask", "role", "front");
    let reply = h.interact(&auto, auto.interaction_id()).await;
    assert_eq!(reply.body["type"], 8);
    let values: Vec<&str> = reply.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert_eq!(values, vec!["frontend"]);

    // Example answer: ephemeral to whoever clicks.
    let click = fixtures::button("ic:ex:backend:tell-me-about-yourself").user(bob());
    let reply = h.interact(&click, click.interaction_id()).await;
    assert!(is_ephemeral(data(&reply)));
    assert!(data(&reply)["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains("Vector Payments"));

    // Another question: a new public reply for the same role, not the same question twice.
    let mut last = String::new();
    for _ in 0..3 {
        let click = fixtures::button("ic:more:backend");
        let reply = h.interact(&click, click.interaction_id()).await;
        assert_eq!(reply.body["type"], 4);
        assert!(!is_ephemeral(data(&reply)));
        let title = data(&reply)["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .to_string();
        assert_ne!(title, last, "the same question twice in a row");
        last = title;
    }

    // A button whose question no longer exists gets a polite note.
    let click = fixtures::button("ic:ex:backend:no-such-question");
    let reply = h.interact(&click, click.interaction_id()).await;
    assert!(is_ephemeral(data(&reply)));
    assert!(content_of(&reply).contains("no longer in the guides"));
    h.fake.assert_no_violations();
}

fn content_of(r: &fake_discord::RecordedRequest) -> String {
    data(r)["content"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_mock_interview_in_a_private_thread() {
    let h = Harness::start().await;
    let thread = h.start_mock(User::alice(), "backend").await;
    let created = h.fake.requests_to(routes::CREATE_THREAD);
    assert_eq!(created[0].body["type"], 12, "private thread when allowed");
    assert_eq!(
        created[0].body["name"],
        "Mock interview · Backend Engineer · Alice"
    );
    assert!(h
        .fake
        .requests_to(routes::ADD_THREAD_MEMBER)
        .iter()
        .any(|r| r.param_id("user_id") == Some(fixtures::USER_ID)));
    let intro = h.bot_post(thread, 0).await;
    assert!(content(&intro).contains("Mock interview: Backend Engineer"));
    let q1 = h.bot_post(thread, 1).await;
    assert!(content(&q1).starts_with("**Question 1 of 1**"));
    assert_eq!(
        custom_ids(&q1.body["components"]),
        vec!["ic:answer", "ic:end"]
    );

    // Someone else talking in the thread does not move the interview on.
    h.fake
        .send(
            &fixtures::message_create("I think you should say X")
                .in_thread(thread)
                .author(bob()),
        )
        .await;
    h.answer_in(thread, h.strong_answer(&q1)).await;
    let follow_up = h.bot_post(thread, 2).await;
    assert!(
        content(&follow_up).contains("**Follow-up 1 of 1 on question 1**"),
        "{}",
        content(&follow_up)
    );

    h.answer_in(
        thread,
        "I chose caching over a rewrite because it was reversible.",
    )
    .await;
    let summary = h.bot_post(thread, 3).await;
    assert!(
        content(&summary).contains("Interview complete"),
        "{}",
        content(&summary)
    );
    assert!(content(&summary).contains("1 of 1 main questions and 1 follow-up"));
    let archived = h
        .fake
        .wait_for(
            move |r| r.route == routes::EDIT_CHANNEL && r.param_id("channel_id") == Some(thread),
            support::WAIT,
        )
        .await;
    assert_eq!(archived.body["archived"], true);
    assert_ne!(archived.body["locked"], true, "archived, not locked");
    assert_eq!(h.posts_in(thread).len(), 4, "nothing more was posted");
    h.fake.assert_no_violations();
}

/// The bot keeps an interview's state between answers, but the database has
/// the last word: a state changed there meanwhile (here by hand, as another
/// process or an operator could) is the one the next answer continues from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_changed_in_the_database_wins_over_the_kept_one() {
    let h = Harness::start().await;
    let thread = h.start_mock(User::alice(), "backend").await;
    let q1 = h.bot_post(thread, 1).await;
    h.answer_in(thread, h.strong_answer(&q1)).await;
    let follow_up = h.bot_post(thread, 2).await;
    // The guide's follow-up, or the coach's probe when the example misses a
    // step: either way the first follow-up place.
    assert!(content(&follow_up).contains("**Follow-up 1 of 1 on question 1**"));

    let db = rusqlite::Connection::open(h.dir.path().join("data/bot.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let state: String = db
        .query_row(
            "SELECT state_json FROM interviews WHERE thread_id = ?",
            [thread as i64],
            |row| row.get(0),
        )
        .unwrap();
    let mut state: serde_json::Value = serde_json::from_str(&state).unwrap();
    // Something the summary shows whichever follow-up was asked.
    state["role_name"] = json!("Edited in the database");
    db.execute(
        "UPDATE interviews SET state_json = ?, revision = revision + 1 WHERE thread_id = ?",
        rusqlite::params![state.to_string(), thread as i64],
    )
    .unwrap();

    h.answer_in(
        thread,
        "I chose caching over a rewrite because it was reversible.",
    )
    .await;
    let summary = h.bot_post(thread, 3).await;
    assert!(
        content(&summary).contains("Interview complete: Edited in the database practice."),
        "{}",
        content(&summary)
    );
    let answers: i64 = db
        .query_row("SELECT COUNT(*) FROM answers", [], |row| row.get(0))
        .unwrap();
    assert_eq!(answers, 2, "the answer was recorded once");
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_refuses_dms_threads_and_missing_permissions() {
    let h = Harness::start().await;
    let dm = fixtures::slash_command("mock")
        .option(opt::string("role", "backend"))
        .dm(9000);
    let reply = h.interact(&dm, dm.interaction_id()).await;
    assert!(
        content_of(&reply).contains("not available in direct messages"),
        "{}",
        reply.body
    );

    let in_thread = fixtures::slash_command("mock")
        .option(opt::string("role", "backend"))
        .thread(fixtures::GUILD_ID, 3333, fixtures::CHANNEL_ID, 11);
    let token = in_thread.interaction_token().to_string();
    h.interact(&in_thread, in_thread.interaction_id()).await;
    assert!(content(&h.followup(&token).await).contains("not inside a thread"));

    // app_permissions without any thread permission: named up front.
    let no_perms = fixtures::slash_command("mock")
        .option(opt::string("role", "backend"))
        .app_permissions(perms::VIEW_CHANNEL | perms::SEND_MESSAGES);
    let token = no_perms.interaction_token().to_string();
    h.interact(&no_perms, no_perms.interaction_id()).await;
    let text = content(&h.followup(&token).await);
    assert!(
        text.contains("Create Public Threads") && text.contains("Send Messages in Threads"),
        "{text}"
    );

    // Discord says 403 although app_permissions looked fine.
    h.fake.fail_next(routes::CREATE_THREAD, 403, 1);
    let denied = fixtures::slash_command("mock").option(opt::string("role", "backend"));
    let token = denied.interaction_token().to_string();
    h.interact(&denied, denied.interaction_id()).await;
    let text = content(&h.followup(&token).await);
    assert!(text.contains("Create Private Threads"), "{text}");
    assert_eq!(
        h.fake
            .requests_to(routes::CREATE_THREAD)
            .last()
            .unwrap()
            .status,
        Some(403)
    );
    h.fake.assert_no_violations();
}

/// Without Create Private Threads the interview runs in a public thread, and both the
/// `/mock` reply and the thread's intro say so, and why, before the member answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_thread_is_announced_as_public() {
    let h = Harness::start().await;
    let private = h.start_mock(User::alice(), "backend").await;
    let intro = content(&h.bot_post(private, 0).await);
    assert!(!intro.contains("public"), "{intro}");

    let public = fixtures::slash_command("mock")
        .option(opt::string("role", "backend"))
        .app_permissions(perms::DEFAULT_BOT & !perms::CREATE_PRIVATE_THREADS)
        .user(bob());
    let token = public.interaction_token().to_string();
    h.interact(&public, public.interaction_id()).await;
    let reply = h.followup(&token).await;
    assert!(is_ephemeral(&reply.body), "{}", reply.body);
    let created = h.fake.requests_to(routes::CREATE_THREAD);
    assert_eq!(created.last().unwrap().body["type"], 11, "a public thread");
    let thread = h.fake.threads().last().unwrap().id;
    for text in [content(&reply), content(&h.bot_post(thread, 0).await)] {
        assert!(text.contains("public thread"), "{text}");
        assert!(text.contains("Create Private Threads"), "{text}");
        assert!(text.contains("moderator can grant it"), "{text}");
    }
    assert!(content(&reply).contains(&format!("<#{thread}>")));
    // `/help` promises privacy only where the thread is private.
    let help = fixtures::slash_command("help");
    let help = content_of(&h.interact(&help, help.interaction_id()).await);
    assert!(
        help.contains("public") && help.contains("private"),
        "{help}"
    );
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_is_for_moderators_and_keeps_old_guides_on_error() {
    let h = Harness::start().await;
    let reload = |perms_bits: u64, roles: Vec<u64>| {
        fixtures::slash_command("guides")
            .subcommand("reload", vec![])
            .permissions(perms_bits)
            .roles(roles)
    };

    let member = reload(perms::DEFAULT_MEMBER, vec![]);
    let reply = h.interact(&member, member.interaction_id()).await;
    assert!(is_ephemeral(data(&reply)));
    assert!(
        content_of(&reply).contains("Only moderators"),
        "{}",
        reply.body
    );

    // A broken file: errors with positions, old guides stay.
    std::fs::write(
        h.guides_dir().join("broken.toml"),
        "[role]\nid = \"Bad Id\"\n",
    )
    .unwrap();
    let moderator = reload(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD, vec![]);
    let token = moderator.interaction_token().to_string();
    h.interact(&moderator, moderator.interaction_id()).await;
    let text = content(&h.followup(&token).await);
    assert!(text.contains("were **not** reloaded"), "{text}");
    assert!(text.contains("broken.toml:2:6: role id `Bad Id`"), "{text}");
    let ask = fixtures::slash_command("ask").option(opt::string("role", "backend"));
    let reply = h.interact(&ask, ask.interaction_id()).await;
    assert_eq!(reply.body["type"], 4);
    assert!(!is_ephemeral(data(&reply)));

    // Fixed, with a new role: askable at once. The moderator role works too.
    std::fs::remove_file(h.guides_dir().join("broken.toml")).unwrap();
    support::add_platform_role(&h.guides_dir());
    let by_role = reload(perms::DEFAULT_MEMBER, vec![MOD_ROLE]);
    let token = by_role.interaction_token().to_string();
    h.interact(&by_role, by_role.interaction_id()).await;
    let text = content(&h.followup(&token).await);
    assert!(text.starts_with("Reloaded the guides"), "{text}");
    assert!(text.contains("15 roles"), "{text}");
    let ask = fixtures::slash_command("ask")
        .option(opt::string("role", "platform"))
        .option(opt::string("question", "tell-me-about-yourself"));
    let reply = h.interact(&ask, ask.interaction_id()).await;
    assert_eq!(
        data(&reply)["embeds"][0]["title"],
        "Tell me about yourself as a Platform Engineer."
    );
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_message_content_the_bot_points_to_the_button_once() {
    let h = Harness::start_with(Options {
        message_content: false,
        ..Options::default()
    })
    .await;
    let identify = h.fake.identify().unwrap();
    assert!(!identify.has_intent(fixtures::intents::MESSAGE_CONTENT));
    let thread = h.start_mock(User::alice(), "backend").await;
    h.bot_post(thread, 1).await;
    for _ in 0..2 {
        h.answer_in(thread, "my answer").await;
    }
    let note = h.bot_post(thread, 2).await;
    assert!(content(&note).contains("Answer"), "{}", content(&note));
    // The second empty message got no second note and did not advance anything.
    let help = fixtures::slash_command("help");
    h.interact(&help, help.interaction_id()).await;
    assert_eq!(h.posts_in(thread).len(), 3);
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_thread_frees_the_member_for_a_new_interview() {
    let h = Harness::start().await;
    let thread = h.start_mock(User::alice(), "backend").await;
    h.bot_post(thread, 1).await;
    h.fake
        .send(
            &fixtures::thread_delete(thread, fixtures::CHANNEL_ID)
                .guild(fixtures::GUILD_ID)
                .kind(12),
        )
        .await;
    // Gateway events and commands are handled concurrently, so a /mock sent at
    // once could be checked before the deletion is recorded; wait for the record.
    let open = "SELECT COUNT(*) FROM interviews WHERE thread_id = ? AND status = 'open'";
    h.wait_for_db(open, thread as i64, 0).await;
    // The next /mock is not refused as "already open".
    let thread2 = h.start_mock(User::alice(), "backend").await;
    assert_ne!(thread, thread2);
    h.fake.assert_no_violations();
}

/// A thread deleted while the bot was away (or whose THREAD_DELETE has not been handled
/// yet) does not hold its member's interview open: the next `/mock` finds it gone, closes
/// its interview and starts a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_deleted_unannounced_does_not_block_a_new_interview() {
    let h = Harness::start().await;
    let thread = h.start_mock(User::alice(), "backend").await;
    h.bot_post(thread, 1).await;
    assert!(h.fake.delete_channel_unannounced(thread));

    let thread2 = h.start_mock(User::alice(), "backend").await;
    assert_ne!(thread, thread2);
    let closed = "SELECT COUNT(*) FROM interviews WHERE thread_id = ? \
                  AND status = 'closed-thread-deleted'";
    h.wait_for_db(closed, thread as i64, 1).await;
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn practice_button_and_question_autocomplete() {
    let h = Harness::start().await;
    let auto =
        fixtures::autocomplete("ask", "question", "idempot").option(opt::string("role", "backend"));
    let reply = h.interact(&auto, auto.interaction_id()).await;
    let values: Vec<&str> = reply.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert_eq!(values, vec!["idempotent-apis"]);

    let auto = fixtures::autocomplete("ask", "category", "")
        .option(opt::string("role", "product-manager"));
    let reply = h.interact(&auto, auto.interaction_id()).await;
    let categories: Vec<&str> = reply.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert!(categories.contains(&"behavioral"));
    assert!(!categories.contains(&"system-design"), "{categories:?}");

    // "Practice this as a mock interview" starts one that opens with that question.
    let click = fixtures::button("ic:mock:backend:idempotent-apis").user(bob());
    let token = click.interaction_token().to_string();
    let ack = h.interact(&click, click.interaction_id()).await;
    assert_eq!(ack.body["type"], 5);
    let reply = h.followup(&token).await;
    let thread = h.fake.threads().last().unwrap().id;
    assert!(content(&reply).contains(&format!("<#{thread}>")));
    let q1 = h.bot_post(thread, 1).await;
    assert!(content(&q1).contains("safe to retry"), "{}", content(&q1));
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_is_askable() {
    let h = Harness::start().await;
    let lib = interview_coach::guide::GuideLibrary::load(h.guides_dir()).unwrap();
    for role in lib.roles() {
        let ask = fixtures::slash_command("ask").option(opt::string("role", &role.name));
        let reply = h.interact(&ask, ask.interaction_id()).await;
        assert_eq!(reply.body["type"], 4, "{}", role.id);
        let footer = data(&reply)["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(footer.starts_with(&role.name), "{footer}");
    }
    h.fake.assert_no_violations();
}

/// The coach's probe after a weak answer is a follow-up: a short answer with a
/// number to "What changed, in numbers?" is judged on that — not told it misses
/// Situation, Task and Action or the 150–300 word target — and the summary
/// counts one main answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_answer_in_a_mock_gets_follow_up_feedback() {
    let h = Harness::start().await;
    let click = fixtures::button("ic:mock:backend:owned-risky-migration");
    let token = click.interaction_token().to_string();
    h.interact(&click, click.interaction_id()).await;
    h.followup(&token).await;
    let thread = h.fake.threads().last().unwrap().id;
    let q1 = h.bot_post(thread, 1).await;
    assert!(content(&q1).contains("risky change"), "{}", content(&q1));

    h.answer_in(
        thread,
        "We had no metrics, we basically just fixed it together.",
    )
    .await;
    let probe = content(&h.bot_post(thread, 2).await);
    assert!(probe.starts_with("Feedback on your answer:"), "{probe}");
    assert!(
        probe.contains(
            "**Follow-up 1 of 1 on question 1**\nWhat changed, in numbers, after you did that?"
        ),
        "{probe}"
    );

    h.answer_in(
        thread,
        "After the switch, p99 latency fell from 900 ms to 180 ms and timeouts dropped by 60%.",
    )
    .await;
    let reply = content(&h.bot_post(thread, 3).await);
    let (feedback, summary) = reply.split_once("\n\n").unwrap();
    assert!(
        feedback.starts_with("Feedback on your follow-up answer:"),
        "{reply}"
    );
    for whole_answer in ["150–300", "no clear", "Situation", "Task", "Action"] {
        assert!(!feedback.contains(whole_answer), "{reply}");
    }
    assert!(feedback.contains("a number (\""), "{reply}");
    assert!(summary.contains("Interview complete"), "{reply}");
    assert!(
        summary.contains("1 of 1 main questions and 1 follow-up"),
        "{reply}"
    );
    assert!(!summary.contains("of 2 "), "one main answer: {reply}");
    h.fake.assert_no_violations();
}
