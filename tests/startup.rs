//! Start-up and shutdown under faults, with the real binary against the local
//! Discord: registration refused, failing for a while, or failing for good; a
//! gateway that cannot be reached (at start or after a drop) and SIGTERM; a
//! `GET /gateway` that fails. Each ends in a working bot, or in one line and the
//! exit code of its class (`src/exit.rs`), within the configured windows.

mod support;

use std::process::ExitStatus;
use std::time::{Duration, Instant};

use fake_discord::fixtures::{self, opt};
use fake_discord::routes;
use support::{Harness, Options, WAIT};

/// Short windows, so the give-up paths take seconds.
fn with_discord_keys(h: &Harness, keys: &str) {
    let config = std::fs::read_to_string(&h.config).unwrap();
    let config = config.replacen("[discord]\n", &format!("[discord]\n{keys}\n"), 1);
    std::fs::write(&h.config, config).unwrap();
}

fn spawn(h: &mut Harness) {
    let token = h.fake.token().to_string();
    h.spawn_raw(Some(&token));
}

/// Waits for the bot to exit, at most `limit`; returns how it ended and when.
fn exit_within(h: &mut Harness, limit: Duration) -> (ExitStatus, Duration) {
    let started = Instant::now();
    let child = h.child.as_mut().expect("bot running");
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            // Let the reader threads drain the pipes.
            std::thread::sleep(Duration::from_millis(50));
            return (status, started.elapsed());
        }
        if started.elapsed() > limit {
            let output = h.output();
            h.kill();
            panic!("the bot did not exit within {limit:?}:\n{output}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM, then a clean exit within a few seconds.
fn sigterm_stops_it_within_seconds(h: &mut Harness) {
    h.sigterm();
    let (status, took) = exit_within(h, Duration::from_secs(8));
    assert_eq!(status.code(), Some(0), "{}", h.output());
    assert!(h.output().contains("shutting down"), "{}", h.output());
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

fn error_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| l.starts_with("error:") || l.contains("ERROR"))
        .collect()
}

/// The one error line, checked to be alone.
fn the_error(h: &Harness) -> String {
    let output = h.output();
    let errors = error_lines(&output);
    assert_eq!(errors.len(), 1, "{output}");
    assert!(!output.contains("panicked"), "{output}");
    assert!(
        !output.contains(h.fake.token()),
        "the token leaked:\n{output}"
    );
    errors[0].to_string()
}

/// Waits for the bot's first refused gateway connection, then stops it.
async fn sigterm_once_the_gateway_refused_it(h: &mut Harness) {
    wait_until("no connection attempt", h, |h| {
        h.fake.gateway_refusals() >= 1
    })
    .await;
    sigterm_stops_it_within_seconds(h);
}

/// The bot run with `guild_id = {id}` until it exits.
async fn exit_with_guild_id(id: &str) -> (Harness, ExitStatus) {
    let mut h = Harness::prepare(Options::default()).await;
    let config = std::fs::read_to_string(&h.config).unwrap();
    let ours = format!("guild_id = {}", fixtures::GUILD_ID);
    std::fs::write(
        &h.config,
        config.replace(&ours, &format!("guild_id = {id}")),
    )
    .unwrap();
    spawn(&mut h);
    let (status, _) = exit_within(&mut h, WAIT);
    (h, status)
}

async fn wait_until(what: &str, h: &Harness, done: impl Fn(&Harness) -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done(h) {
        assert!(Instant::now() < deadline, "{what}:\n{}", h.output());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guild_the_bot_is_not_in_is_one_line_naming_it_and_exit_5() {
    let (h, status) = exit_with_guild_id("424242").await;
    assert_eq!(status.code(), Some(5), "{}", h.output());
    let line = the_error(&h);
    assert!(line.contains("server 424242"), "{line}");
    assert!(line.contains("applications.commands"), "{line}");
    assert!(line.contains("403"), "{line}");
    assert!(
        h.fake.identifies().is_empty(),
        "it never went on to the gateway"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_failing_with_500_then_429_is_retried_into_a_working_bot() {
    let mut h = Harness::prepare(Options::default()).await;
    with_discord_keys(&h, "startup_retry_secs = 30");
    h.fake.fail_next(routes::PUT_GUILD_COMMANDS, 500, 2);
    h.fake.fail_next(routes::PUT_GUILD_COMMANDS, 429, 1);
    h.spawn_bot().await;

    let puts = h.fake.requests_to(routes::PUT_GUILD_COMMANDS);
    let statuses: Vec<Option<u16>> = puts.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Some(500), Some(500), Some(429), Some(200)],
        "{}",
        h.fake.describe()
    );
    // The fake's 429 says `Retry-After: 2` (and `retry_after: 1.5` in the body).
    let waited = puts[3].at - puts[2].at;
    assert!(
        waited >= Duration::from_millis(1950),
        "retried after {waited:?}"
    );

    let cmd = fixtures::slash_command("ask").option(opt::string("role", "backend"));
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    assert_eq!(reply.body["type"], 4);
    h.fake.assert_no_violations();
}

/// The bot started with `keys` under [discord] and every registration answered 500.
async fn started_with_registration_failing(keys: &str) -> Harness {
    let mut h = Harness::prepare(Options::default()).await;
    with_discord_keys(&h, keys);
    h.fake
        .fail_next(routes::PUT_GUILD_COMMANDS, 500, usize::MAX);
    spawn(&mut h);
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_failing_for_good_exits_6_after_the_window() {
    let mut h = started_with_registration_failing("startup_retry_secs = 2").await;
    let (status, took) = exit_within(&mut h, WAIT);
    assert_eq!(status.code(), Some(6), "{}", h.output());
    let line = the_error(&h);
    assert!(line.contains("registering the slash commands"), "{line}");
    assert!(line.contains("startup_retry_secs"), "{line}");
    assert!(took < Duration::from_secs(7), "took {took:?}");
    assert!(h.fake.requests_to(routes::PUT_GUILD_COMMANDS).len() >= 2);
    assert!(h.fake.identifies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_registration_is_retried_exits_0_at_once() {
    let mut h = started_with_registration_failing("startup_retry_secs = 600").await;
    wait_until("no registration attempt", &h, |h| {
        !h.fake.requests_to(routes::PUT_GUILD_COMMANDS).is_empty()
    })
    .await;
    sigterm_stops_it_within_seconds(&mut h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_the_gateway_cannot_be_reached_exits_0_within_seconds() {
    let mut h = Harness::prepare(Options::default()).await;
    h.fake.set_gateway_down(true).await;
    spawn(&mut h);
    sigterm_once_the_gateway_refused_it(&mut h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_reconnecting_exits_0_within_seconds() {
    let mut h = Harness::start().await;
    h.fake.set_gateway_down(true).await;
    sigterm_once_the_gateway_refused_it(&mut h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_down_for_the_whole_window_is_exit_6() {
    let mut h = Harness::prepare(Options::default()).await;
    with_discord_keys(&h, "gateway_timeout_secs = 2");
    h.fake.set_gateway_down(true).await;
    spawn(&mut h);
    let (status, took) = exit_within(&mut h, WAIT);
    assert_eq!(status.code(), Some(6), "{}", h.output());
    let line = the_error(&h);
    assert!(line.contains("gateway"), "{line}");
    assert!(
        line.contains(&h.fake.base_url().replace("http://", "")),
        "{line}"
    );
    assert!(line.contains("gateway_timeout_secs"), "{line}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_get_gateway_ends_start_up_and_nothing_else_is_tried() {
    let mut h = Harness::prepare(Options::default()).await;
    with_discord_keys(&h, "startup_retry_secs = 1");
    h.fake.fail_next(routes::GET_GATEWAY, 500, usize::MAX);
    spawn(&mut h);
    let (status, _) = exit_within(&mut h, WAIT);
    assert_eq!(status.code(), Some(6), "{}", h.output());
    let line = the_error(&h);
    assert!(line.contains("fetching the gateway address"), "{line}");
    let output = h.output();
    // serenity's fallback would log this before connecting to the public gateway.
    assert!(!output.contains("get gateway URL failed"), "{output}");
    assert!(!output.contains("discord.gg"), "{output}");
    assert!(h.fake.identifies().is_empty());
    assert!(h.fake.requests_to(routes::PUT_GUILD_COMMANDS).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_gateway_answering_401_is_the_rejected_token_line() {
    let mut h = Harness::prepare(Options::default()).await;
    h.fake.fail_next(routes::GET_GATEWAY, 401, usize::MAX);
    spawn(&mut h);
    let (status, _) = exit_within(&mut h, WAIT);
    assert_eq!(status.code(), Some(4), "{}", h.output());
    assert_eq!(
        the_error(&h),
        "error: Discord rejected the token (authentication failed); check DISCORD_TOKEN"
    );
    assert!(h.fake.identifies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guild_id_0_is_a_config_error_not_a_panic() {
    let (h, status) = exit_with_guild_id("0").await;
    assert_eq!(status.code(), Some(3), "{}", h.output());
    assert!(the_error(&h).contains("guild_id"));
    assert!(h.fake.identifies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connected_bot_outlives_its_gateway_timeout() {
    let mut h = Harness::prepare(Options::default()).await;
    with_discord_keys(&h, "gateway_timeout_secs = 1");
    h.spawn_bot().await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let cmd = fixtures::slash_command("ask").option(opt::string("role", "backend"));
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    assert_eq!(reply.body["type"], 4);
    let running = h.child.as_mut().unwrap().try_wait().unwrap();
    assert!(running.is_none(), "{}", h.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_back_within_the_window_gets_the_bot_back() {
    let mut h = Harness::prepare(Options::default()).await;
    with_discord_keys(&h, "gateway_timeout_secs = 20");
    h.spawn_bot().await;
    h.fake.set_gateway_down(true).await;
    wait_until("no reconnection attempt", &h, |h| {
        h.fake.gateway_refusals() >= 1
    })
    .await;
    h.fake.set_gateway_down(false).await;
    // serenity tries again every 5 s.
    h.fake.wait_ready(Duration::from_secs(15)).await;
    let cmd = fixtures::slash_command("ask").option(opt::string("role", "backend"));
    let reply = h.interact(&cmd, cmd.interaction_id()).await;
    assert_eq!(reply.body["type"], 4);
    let running = h.child.as_mut().unwrap().try_wait().unwrap();
    assert!(running.is_none(), "{}", h.output());
}
