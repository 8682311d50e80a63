//! The bot as an operator sees it: exit codes (see `src/exit.rs`) and the one
//! line it prints when it cannot run, and a clean stop on SIGTERM.

mod support;

use std::process::ExitStatus;
use std::time::{Duration, Instant};

use fake_discord::fixtures::perms;
use fake_discord::routes;
use support::{Harness, Options};

fn wait_exit(h: &mut Harness) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    let child = h.child.as_mut().expect("bot running");
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            // Let the reader threads drain the pipes.
            std::thread::sleep(Duration::from_millis(50));
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the bot did not exit:\n{}",
            h.output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn error_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| l.starts_with("error:") || l.contains("ERROR"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_token_is_one_line_and_exit_3() {
    let mut h = Harness::prepare(Options::default()).await;
    h.spawn_raw(None);
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(3));
    let output = h.output();
    assert_eq!(
        output.trim(),
        "error: no Discord token: set the DISCORD_TOKEN environment variable (or `token` under [discord] in the config file)"
    );
    assert!(!output.contains("panicked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_is_one_line_and_exit_4_and_never_printed() {
    let mut h = Harness::prepare(Options::default()).await;
    let token = "MTIz.not-the-right.secret-token-value";
    h.spawn_raw(Some(token));
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(4));
    let output = h.output();
    assert_eq!(
        error_lines(&output),
        vec!["error: Discord rejected the token (authentication failed); check DISCORD_TOKEN"],
        "{output}"
    );
    assert!(!output.contains(token), "the token leaked:\n{output}");
    assert!(
        !output.contains("secret-token"),
        "part of the token leaked:\n{output}"
    );
    assert!(!output.contains("panicked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_message_content_intent_says_how_to_fix_it() {
    let mut h = Harness::prepare(Options {
        allow_message_content: false,
        ..Options::default()
    })
    .await;
    let token = h.fake.token().to_string();
    h.spawn_raw(Some(&token));
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(4));
    let output = h.output();
    let errors = error_lines(&output);
    assert_eq!(errors.len(), 1, "{output}");
    assert!(errors[0].contains("Message Content intent"), "{output}");
    assert!(errors[0].contains("`message_content`"), "{output}");
    assert!(!errors[0].contains("Server Members"), "{output}");
    assert!(!output.contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_server_members_intent_names_it_and_its_key() {
    let mut h = Harness::prepare(Options::default()).await;
    let config = std::fs::read_to_string(&h.config).unwrap();
    let config = config.replacen("[discord]\n", "[discord]\nmembers_intent = true\n", 1);
    std::fs::write(&h.config, config).unwrap();
    let token = h.fake.token().to_string();
    h.spawn_raw(Some(&token));
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(4));
    let output = h.output();
    let errors = error_lines(&output);
    assert_eq!(errors.len(), 1, "{output}");
    assert!(
        errors[0].contains("Server Members intent (`members_intent`)"),
        "{output}"
    );
    assert!(errors[0].contains("Message Content intent"), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_after_ready_exits_cleanly() {
    let mut h = Harness::start().await;
    h.sigterm();
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(0), "{}", h.output());
    let output = h.output();
    assert!(output.contains("shutting down"), "{output}");
    assert!(!output.contains(h.fake.token()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_database_is_named_not_replaced() {
    let mut h = Harness::prepare(Options::default()).await;
    let db = h.dir.path().join("data/bot.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let garbage = vec![0x5a_u8; 8192];
    std::fs::write(&db, &garbage).unwrap();
    let token = h.fake.token().to_string();
    h.spawn_raw(Some(&token));
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(7));
    let output = h.output();
    let errors = error_lines(&output);
    assert_eq!(errors.len(), 1, "{output}");
    assert!(errors[0].contains(&db.display().to_string()), "{output}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "the file was left alone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_bot_on_the_same_database_is_refused_and_the_first_keeps_serving() {
    let mut first = Harness::start().await;
    // The same config file, so the same database path and the same local Discord.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_interview-coach"))
        .arg("run")
        .arg("--config")
        .arg(&first.config)
        .current_dir(first.dir.path())
        .env("DISCORD_API_BASE", first.fake.base_url())
        .env("DISCORD_TOKEN", first.fake.token())
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run a second bot");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("another interview-coach process"),
        "{stderr}"
    );
    assert!(errors[0].contains("bot.db"), "{stderr}");
    // The first one still runs interviews in that database.
    let thread = first
        .start_mock(fake_discord::fixtures::User::alice(), "backend")
        .await;
    assert_ne!(thread, 0);
    first.sigterm();
    let status = wait_exit(&mut first);
    assert_eq!(status.code(), Some(0), "{}", first.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_stay_out_of_the_logs_even_at_trace() {
    let mut h = Harness::prepare(Options::default()).await;
    h.rust_log = Some("trace".into());
    h.spawn_bot().await;
    let thread = h
        .start_mock(fake_discord::fixtures::User::alice(), "backend")
        .await;
    let marker = "Zanzibarquux";
    h.answer_in(
        thread,
        format!(
            "At {marker} Ltd I owned the billing API. I profiled the slow endpoint, \
             added an index and cut p99 latency from 900 ms to 120 ms for {marker} customers."
        ),
    )
    .await;
    h.bot_post(thread, 2).await;
    h.sigterm();
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(0));
    let output = h.output();
    assert!(
        output.contains("TRACE") || output.contains("DEBUG"),
        "the bot did not log at trace level:\n{output}"
    );
    assert!(
        !output.contains(marker),
        "an answer's text reached the logs:\n{}",
        output
            .lines()
            .filter(|l| l.contains(marker))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A process running shard 1 of 2 identifies as that shard and leaves the slash
/// commands to the process running shard 0; with no range, the bot runs as many shards
/// as Discord's `GET /gateway/bot` recommends (the fake says one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_range_identifies_its_shards_and_only_shard_zero_registers() {
    let h = Harness::start().await;
    let identify = h.fake.identify().expect("identified");
    assert_eq!(identify.shard, Some([0, 1]));
    assert_eq!(h.fake.requests_to(routes::PUT_GUILD_COMMANDS).len(), 1);

    let mut h = Harness::prepare(Options::default()).await;
    let config = std::fs::read_to_string(&h.config).unwrap();
    let config = config.replacen("[discord]\n", "[discord]\nshards = \"1-1/2\"\n", 1);
    std::fs::write(&h.config, config).unwrap();
    let token = h.fake.token().to_string();
    h.spawn_raw(Some(&token));
    h.wait_for_log(&["bot ready"]).await;
    let identify = h.fake.identify().expect("identified");
    assert_eq!(identify.shard, Some([1, 2]));
    assert!(h.fake.requests_to(routes::PUT_GUILD_COMMANDS).is_empty());
    h.wait_for_log(&["not registering the slash commands"])
        .await;
}

/// `/metrics` from `base`, once it holds every line of `want` (or after 5 s, for the
/// assertion's message).
async fn scrape(base: &str, want: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = reqwest::get(format!("{base}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if want.iter().all(|w| text.contains(w)) || Instant::now() > deadline {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `[metrics] listen`: `/ready` answers 200 once the bot is connected and started, and
/// `/metrics` counts what it handled, in Prometheus text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_endpoint_serves_readiness_and_counts() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut h = Harness::prepare(Options::default()).await;
    let mut config = std::fs::read_to_string(&h.config).unwrap();
    config.push_str(&format!("\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n"));
    std::fs::write(&h.config, config).unwrap();
    h.spawn_bot().await;

    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    // Readiness follows the gateway watch, which looks every second or so.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let ready = client.get(format!("{base}/ready")).send().await.unwrap();
        if ready.status() == 200 {
            break;
        }
        assert_eq!(ready.status(), 503);
        assert!(Instant::now() < deadline, "never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ask = fake_discord::fixtures::slash_command("ask")
        .option(fake_discord::fixtures::opt::string("role", "backend"));
    h.interact(&ask, ask.interaction_id()).await;
    // The counter is written as the command starts; the histogram once it ends.
    let text = scrape(
        &base,
        &["interview_coach_command_seconds_count{command=\"ask\"} 1"],
    )
    .await;
    assert!(
        text.contains("interview_coach_commands_total{command=\"ask\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("interview_coach_command_seconds_count{command=\"ask\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("interview_coach_shards_connected 1"),
        "{text}"
    );
    // Everything else an operator graphs is there from the start, described.
    for line in [
        "interview_coach_open_interviews 0",
        "interview_coach_outbox_backlog 0",
        "interview_coach_store_errors_total 0",
        "interview_coach_guide_reloads_total{outcome=\"done\"} 0",
        "interview_coach_guide_reloads_total{outcome=\"followed\"} 0",
        "# HELP interview_coach_commands_total Slash commands handled, by command.",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}:\n{text}");
    }
    // A button press and a reload are counted.
    let more = fake_discord::fixtures::button("ic:more:backend");
    h.interact(&more, more.interaction_id()).await;
    let reload = fake_discord::fixtures::slash_command("guides")
        .subcommand("reload", vec![])
        .permissions(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD);
    h.interact(&reload, reload.interaction_id()).await;
    let want = [
        "interview_coach_buttons_total{kind=\"more\"} 1",
        "interview_coach_guide_reloads_total{outcome=\"done\"} 1",
    ];
    let text = scrape(&base, &want).await;
    for line in want {
        assert!(text.contains(line), "{line}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_metrics_address_that_is_not_one_is_named_at_its_place() {
    let mut h = Harness::prepare(Options::default()).await;
    let mut config = std::fs::read_to_string(&h.config).unwrap();
    config.push_str("\n[metrics]\nlisten = \"localhost\"\n");
    std::fs::write(&h.config, config).unwrap();
    let token = h.fake.token().to_string();
    h.spawn_raw(Some(&token));
    let status = wait_exit(&mut h);
    assert_eq!(status.code(), Some(3), "{}", h.output());
    let output = h.output();
    assert!(
        output.contains("[metrics] listen must be an address and port such as \"127.0.0.1:9464\", not \"localhost\""),
        "{output}"
    );
}
