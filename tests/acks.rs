//! End to end: interactions that touch the database are acknowledged before
//! it, within Discord's 3 seconds, and a busy database (another connection
//! holding SQLite's write lock past `[storage] busy_timeout_ms`) is told to the
//! member in a follow-up; once the lock is gone the same press works. Also the
//! ordinary path of those interactions, and replies that repeat a member's
//! input staying within Discord's limits.

mod support;

use std::time::Duration;

use fake_discord::fixtures::{self, opt, User};
use fake_discord::{routes, RecordedRequest};
use serde_json::json;
use support::{content, custom_ids, data, is_ephemeral, Harness, Options};

/// The bot's busy timeout in the locked-database tests: long enough that a
/// reply sent only after the store gave up is told apart from one sent before.
const BUSY_MS: u64 = 1000;

fn bob() -> User {
    User::new(4100, "bob")
}

fn content_of(r: &RecordedRequest) -> String {
    data(r)["content"].as_str().unwrap_or_default().to_string()
}

/// A bot whose database waits `BUSY_MS` for another process's lock.
async fn patient_bot() -> Harness {
    let mut h = Harness::prepare(Options::default()).await;
    // `[storage]` is the config's last table.
    let mut config = std::fs::read_to_string(&h.config).unwrap();
    config.push_str(&format!("busy_timeout_ms = {BUSY_MS}\n"));
    std::fs::write(&h.config, config).unwrap();
    h.spawn_bot().await;
    h
}

/// Another connection to the bot's database holding its write lock (as a
/// backup or a manual query could) until dropped.
fn hold_write_lock(h: &Harness) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(h.dir.path().join("data/bot.db")).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    db
}

/// The store gave up only after the acknowledgement was in: the callback
/// came first, and the follow-up at least the busy timeout later.
fn acknowledged_before_store(callback: &RecordedRequest, followup: &RecordedRequest) {
    let waited = followup.at.saturating_duration_since(callback.at);
    assert!(
        waited >= Duration::from_millis(BUSY_MS * 9 / 10),
        "the callback came {waited:?} before the follow-up; the store waits {BUSY_MS} ms"
    );
}

/// The follow-up for `token` that contains `text`.
async fn followup_saying(h: &Harness, token: &str, text: &str) -> RecordedRequest {
    let (token, text) = (token.to_string(), text.to_string());
    h.fake
        .wait_for(
            move |r| {
                r.route == routes::CREATE_FOLLOWUP
                    && r.param("webhook_token") == Some(token.as_str())
                    && content(r).contains(&text)
            },
            support::WAIT,
        )
        .await
}

/// The edit of the message a deferred button press was on.
async fn original_edit(h: &Harness, token: &str) -> RecordedRequest {
    let token = token.to_string();
    h.fake
        .wait_for(
            move |r| r.route == routes::EDIT_ORIGINAL && r.param("webhook_token") == Some(&token),
            support::WAIT,
        )
        .await
}

/// Alice's mock interview, with its first question posted; its thread.
async fn interview_under_way(h: &Harness, role: &str) -> u64 {
    let thread = h.start_mock(User::alice(), role).await;
    h.bot_post(thread, 1).await;
    thread
}

fn stored(h: &Harness, sql: &str) -> i64 {
    let db = rusqlite::Connection::open(h.dir.path().join("data/bot.db")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db.query_row(sql, [], |row| row.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_my_data_with_the_database_locked_says_so_then_works() {
    let h = patient_bot().await;
    interview_under_way(&h, "backend").await;

    let lock = hold_write_lock(&h);
    let forget = fixtures::slash_command("forget-me");
    let reply = h.interact(&forget, forget.interaction_id()).await;
    assert_eq!(
        reply.body["type"], 4,
        "no database work, so answered at once"
    );

    let yes = fixtures::button("ic:forget:yes");
    let ack = h.interact(&yes, yes.interaction_id()).await;
    assert_eq!(ack.body["type"], 6, "a deferred update: {}", ack.body);
    let told = followup_saying(&h, yes.interaction_token(), "nothing was deleted").await;
    assert!(is_ephemeral(&told.body), "{}", told.body);
    acknowledged_before_store(&ack, &told);
    drop(lock);
    assert_eq!(stored(&h, "SELECT COUNT(*) FROM interviews"), 1);

    let yes = fixtures::button("ic:forget:yes");
    let ack = h.interact(&yes, yes.interaction_id()).await;
    assert_eq!(ack.body["type"], 6);
    let edit = original_edit(&h, yes.interaction_token()).await;
    assert!(
        content(&edit).contains("Deleted 1 interview"),
        "{}",
        edit.body
    );
    assert_eq!(edit.body["components"], json!([]), "the buttons are gone");
    assert_eq!(stored(&h, "SELECT COUNT(*) FROM interviews"), 0);
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_and_answer_with_the_database_locked_say_so_then_work() {
    let h = patient_bot().await;
    let thread = interview_under_way(&h, "backend").await;
    let in_thread =
        |b: fixtures::Button| b.thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12);

    let lock = hold_write_lock(&h);
    // Reading who the candidate is needs no write lock: the form opens.
    let click = in_thread(fixtures::button("ic:answer"));
    let form = h.interact(&click, click.interaction_id()).await;
    assert_eq!(form.body["type"], 9, "a modal: {}", form.body);

    let submit = fixtures::modal_submit("ic:answer-form")
        .field("answer", "I cut p99 latency by 35% with a cache.")
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12);
    let ack = h.interact(&submit, submit.interaction_id()).await;
    assert_eq!(ack.body["type"], 6);
    let told = followup_saying(&h, submit.interaction_token(), "answer was not saved").await;
    acknowledged_before_store(&ack, &told);

    let end = in_thread(fixtures::button("ic:end"));
    let ack = h.interact(&end, end.interaction_id()).await;
    assert_eq!(ack.body["type"], 6);
    let told = followup_saying(&h, end.interaction_token(), "interview is still open").await;
    assert!(is_ephemeral(&told.body));
    acknowledged_before_store(&ack, &told);

    // The history is read beside the lock; it is deferred all the same.
    let history = fixtures::slash_command("history");
    let ack = h.interact(&history, history.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "deferred: {}", ack.body);
    assert!(is_ephemeral(data(&ack)));
    let reply = followup_saying(&h, history.interaction_token(), "in progress, 0 answers").await;
    assert!(reply.at >= ack.at);
    drop(lock);
    assert_eq!(h.posts_in(thread).len(), 2, "nothing was posted meanwhile");

    let submit = fixtures::modal_submit("ic:answer-form")
        .field("answer", "I cut p99 latency by 35% with a cache.")
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12);
    h.interact(&submit, submit.interaction_id()).await;
    h.post_containing(thread, "I cut p99 latency").await;
    h.bot_post(thread, 3).await;
    let end = in_thread(fixtures::button("ic:end"));
    h.interact(&end, end.interaction_id()).await;
    h.post_containing(thread, "Interview ended early").await;
    assert_eq!(stored(&h, "SELECT COUNT(*) FROM answers"), 1);
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_with_the_database_locked_says_so() {
    let h = patient_bot().await;
    let _lock = hold_write_lock(&h);
    let mock = fixtures::slash_command("mock").option(opt::string("role", "backend"));
    let ack = h.interact(&mock, mock.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "deferred: {}", ack.body);
    let told = followup_saying(&h, mock.interaction_token(), "no interview was started").await;
    acknowledged_before_store(&ack, &told);

    let practice = fixtures::button("ic:mock:backend:tell-me-about-yourself");
    let ack = h.interact(&practice, practice.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "deferred: {}", ack.body);
    let token = practice.interaction_token();
    let told = followup_saying(&h, token, "no interview was started").await;
    acknowledged_before_store(&ack, &told);

    // Each thread opened for an interview that could not be stored is removed.
    let created = h.fake.requests_to(routes::CREATE_THREAD).len();
    assert_eq!(created, 2);
    let deleted = h
        .fake
        .requests_to(routes::DELETE_CHANNEL)
        .into_iter()
        .filter(|r| r.status.is_some_and(|s| s < 300))
        .count();
    assert_eq!(deleted, created, "empty threads left behind");
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_unknown_role_or_question_is_repeated_cut_short() {
    let h = Harness::start().await;
    let role = "x".repeat(3000);
    let cmd = fixtures::slash_command("ask").option(opt::string("role", &role));
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    let text = content_of(&reply);
    assert!(text.starts_with("There is no role called `xxx"), "{text}");
    assert!(text.contains("x…`"), "{text}");
    assert!(
        text.chars().count() < 300,
        "{} characters",
        text.chars().count()
    );

    let question = format!("`{}", "q".repeat(3000));
    let cmd = fixtures::slash_command("ask")
        .option(opt::string("role", "backend"))
        .option(opt::string("question", &question));
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    let text = content_of(&reply);
    assert!(
        text.starts_with("Role `backend` has no question `'qq"),
        "{text}"
    );
    assert!(
        text.chars().count() < 300,
        "{} characters",
        text.chars().count()
    );
    h.fake.assert_no_violations();
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_form_echoes_the_answer_without_pinging_anyone() {
    let h = Harness::start().await;
    let thread = interview_under_way(&h, "backend").await;

    // Someone else cannot answer for the candidate.
    let click = fixtures::button("ic:answer")
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12)
        .user(bob());
    let reply = h.interact(&click, click.interaction_id()).await;
    assert!(is_ephemeral(data(&reply)));
    assert!(content_of(&reply).contains("belongs to someone else"));

    let click =
        fixtures::button("ic:answer").thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12);
    let reply = h.interact(&click, click.interaction_id()).await;
    assert_eq!(reply.body["type"], 9, "a modal");
    assert!(data(&reply)["title"].as_str().unwrap().chars().count() <= 45);

    let answer = "@everyone I led the migration and <@4100> helped; p99 fell 35%.";
    let submit = fixtures::modal_submit("ic:answer-form")
        .field("answer", answer)
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12);
    let ack = h.interact(&submit, submit.interaction_id()).await;
    assert_eq!(ack.body["type"], 6);
    let echo = h.bot_post(thread, 2).await;
    assert!(content(&echo).contains(answer), "{}", content(&echo));
    assert_eq!(echo.body["allowed_mentions"]["parse"], json!([]));
    let follow_up = h.bot_post(thread, 3).await;
    // The coach's feedback opens the next prompt (a probe or the follow-up).
    assert!(
        content(&follow_up).starts_with("Feedback on your answer:"),
        "{}",
        content(&follow_up)
    );
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_interview_per_member_and_ending_early() {
    let h = Harness::start().await;
    let thread = interview_under_way(&h, "frontend").await;

    let again = fixtures::slash_command("mock").option(opt::string("role", "backend"));
    let token = again.interaction_token().to_string();
    h.interact(&again, again.interaction_id()).await;
    let reply = h.followup(&token).await;
    assert!(content(&reply).contains(&format!(
        "already have a mock interview open in <#{thread}>"
    )));
    assert_eq!(h.fake.threads().len(), 1);

    let end = fixtures::button("ic:end")
        .thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12)
        .user(bob());
    let ack = h.interact(&end, end.interaction_id()).await;
    assert_eq!(ack.body["type"], 6, "acknowledged before the database");
    let told = h.followup(end.interaction_token()).await;
    assert!(content(&told).contains("Only the member being interviewed"));

    let end =
        fixtures::button("ic:end").thread(fixtures::GUILD_ID, thread, fixtures::CHANNEL_ID, 12);
    let reply = h.interact(&end, end.interaction_id()).await;
    assert_eq!(reply.body["type"], 6);
    let summary = h.bot_post(thread, 2).await;
    assert!(
        content(&summary).contains("Interview ended early"),
        "{}",
        content(&summary)
    );

    // Now a new one can start.
    assert_ne!(interview_under_way(&h, "backend").await, thread);
    h.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_help_history_and_forget_me() {
    let h = Harness::start().await;
    let list = fixtures::slash_command("guides").subcommand("list", vec![]);
    let reply = h.interact(&list, list.interaction_id()).await;
    assert!(content_of(&reply).contains("14 roles"));
    assert!(content_of(&reply).contains("`backend` Backend Engineer"));

    let help = fixtures::slash_command("help");
    let reply = h.interact(&help, help.interaction_id()).await;
    assert!(content_of(&reply).contains("/mock"));

    let thread = interview_under_way(&h, "backend").await;
    h.answer_in(thread, "An answer with 20% less latency.")
        .await;
    h.bot_post(thread, 2).await;

    let history = fixtures::slash_command("history");
    let ack = h.interact(&history, history.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "deferred before the database");
    let text = content(&h.followup(history.interaction_token()).await);
    assert!(
        text.contains("Backend Engineer — in progress, 1 answer"),
        "{text}"
    );

    let forget = fixtures::slash_command("forget-me");
    let reply = h.interact(&forget, forget.interaction_id()).await;
    assert_eq!(
        custom_ids(&data(&reply)["components"]),
        vec!["ic:forget:yes", "ic:forget:no"]
    );
    let yes = fixtures::button("ic:forget:yes");
    let ack = h.interact(&yes, yes.interaction_id()).await;
    assert_eq!(ack.body["type"], 6, "deferred before the database");
    let edit = original_edit(&h, yes.interaction_token()).await;
    assert!(
        content(&edit).contains("Deleted 1 interview, 1 answer"),
        "{}",
        content(&edit)
    );

    let history = fixtures::slash_command("history");
    h.interact(&history, history.interaction_id()).await;
    let reply = h.followup(history.interaction_token()).await;
    assert!(content(&reply).contains("no mock interviews yet"));

    // The bot kept that interview's state for the next answer; it is gone too,
    // and an answer in the old thread now stores nothing.
    h.answer_in(thread, "Another answer, 30% faster.").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let db = rusqlite::Connection::open(h.dir.path().join("data/bot.db")).unwrap();
    let stored: i64 = db
        .query_row(
            "SELECT (SELECT COUNT(*) FROM answers) + (SELECT COUNT(*) FROM interviews)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(h.posts_in(thread).len(), 3, "nothing more was posted");
    h.fake.assert_no_violations();
}

#[test]
fn repeated_input_is_cut_and_cannot_end_its_code_span() {
    use interview_coach::messages::{input_excerpt, ECHO_CHARS};
    assert_eq!(input_excerpt("bakend"), "bakend");
    assert_eq!(input_excerpt("a`b"), "a'b");
    let exact = "é".repeat(ECHO_CHARS);
    assert_eq!(input_excerpt(&exact), exact);
    let long = input_excerpt(&"é".repeat(3000));
    assert_eq!(long.chars().count(), ECHO_CHARS);
    assert!(long.ends_with("é…"), "{long}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_commands_and_progress_with_the_database_locked_are_acknowledged_first() {
    let h = patient_bot().await;
    let lock = hold_write_lock(&h);
    let board_join = || {
        fixtures::slash_command("daily")
            .option(opt::group("board", vec![opt::subcommand("join", vec![])]))
    };
    let moderator = fixtures::perms::DEFAULT_MEMBER | fixtures::perms::MANAGE_GUILD;
    // Reads go on beside the lock (WAL); they are deferred all the same.
    let reads = [
        (fixtures::slash_command("streak"), "No streak yet"),
        (fixtures::slash_command("progress"), "no analysed answers"),
        (
            fixtures::slash_command("daily").subcommand("show", vec![]),
            "no question of the day",
        ),
    ];
    for (cmd, says) in reads {
        let ack = h.interact(&cmd, cmd.interaction_id()).await;
        assert_eq!(ack.body["type"], 5, "deferred: {}", ack.body);
        assert!(is_ephemeral(data(&ack)));
        followup_saying(&h, cmd.interaction_token(), says).await;
    }
    // Writes wait out the busy timeout, after the acknowledgement, and say so.
    let writes = [
        board_join(),
        fixtures::slash_command("daily")
            .subcommand("off", vec![])
            .permissions(moderator),
    ];
    for cmd in writes {
        let ack = h.interact(&cmd, cmd.interaction_id()).await;
        assert_eq!(ack.body["type"], 5, "deferred: {}", ack.body);
        let told = followup_saying(&h, cmd.interaction_token(), "busy").await;
        assert!(is_ephemeral(&told.body), "{}", told.body);
        acknowledged_before_store(&ack, &told);
    }
    drop(lock);
    let join = board_join();
    h.interact(&join, join.interaction_id()).await;
    followup_saying(&h, join.interaction_token(), "weekly streak board").await;
    h.fake.assert_no_violations();
}
