//! One bot split over two processes on one PostgreSQL database, as a large deployment
//! runs it: `[discord] shards = "0-0/2"` and `"1-1/2"` against a fake Discord with two
//! shards (one identify per 5 seconds). Each process serves the servers of its shard,
//! started together they take turns to identify, a `kill -9` of one loses and repeats
//! nothing in either, and a guide reload made in one reaches the other. The two configs
//! are docs/deploy.md's, with this test's guide folder, database, ports and servers.
//!
//! PostgreSQL only (the backend made for this); skipped without a test database, except
//! in CI (see `common/backends.rs`).

mod support;

#[path = "common/backends.rs"]
#[allow(unused_macros)]
mod backends;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_discord::fixtures::{self, perms, Guild, User};
use fake_discord::{routes, FakeDiscord};
use support::{content, spawn_process, Harness};

/// A server on shard 0 of 2 (`(id >> 22) % 2 == 0`) and one on shard 1.
const GUILD_0: u64 = 900_000_000_004_194_305;
const GUILD_1: u64 = 900_000_000_000_000_001;
const CHANNEL_0: u64 = 5_000;
const CHANNEL_1: u64 = 5_100;

/// Starting waits for the process's identify turn (about 6 s a process), so allow more
/// than the usual 10 s.
const START: Duration = Duration::from_secs(40);

fn bob() -> User {
    User::new(4100, "bob")
}

/// One bot process: its config file and what it printed.
struct Process {
    config: PathBuf,
    child: Option<Child>,
    output: Arc<Mutex<Vec<String>>>,
    metrics: u16,
    /// The database, given as docs/deploy.md says: in INTERVIEW_COACH_DATABASE_URL.
    url: String,
}

/// The config docs/deploy.md gives the process running `shards` (its TOML block with
/// `shards = "…"`).
fn documented_config(shards: &str) -> toml::Table {
    let docs = include_str!("../docs/deploy.md");
    let block = docs
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains(&format!("shards = \"{shards}\"")))
        .unwrap_or_else(|| panic!("docs/deploy.md has no config with shards = {shards:?}"));
    block
        .parse()
        .unwrap_or_else(|e| panic!("docs/deploy.md's config for {shards}: {e}"))
}

/// Sets `table.key` to `value`, the table made if missing.
fn set(config: &mut toml::Table, table: &str, key: &str, value: impl Into<toml::Value>) {
    config
        .entry(table)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .unwrap()
        .insert(key.into(), value.into());
}

impl Process {
    fn new(dir: &Path, name: &str, shards: &str, url: &str, guides: &Path) -> Process {
        let metrics = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut table = documented_config(shards);
        assert!(
            table["guides"].get("dir").is_some(),
            "the docs set the guides"
        );
        assert!(
            table["metrics"].get("listen").is_some(),
            "the docs serve metrics"
        );
        assert!(
            table.get("storage").is_none(),
            "the docs give the URL in the environment"
        );
        set(&mut table, "guides", "dir", guides.display().to_string());
        set(
            &mut table,
            "metrics",
            "listen",
            format!("127.0.0.1:{metrics}"),
        );
        let servers = toml::Value::Array(vec![toml::Value::Integer(GUILD_0 as i64)]);
        set(&mut table, "discord", "admin_guild_ids", servers);
        set(&mut table, "mock", "questions", 1);
        set(&mut table, "mock", "follow_ups", 2);
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(&config, table.to_string()).unwrap();
        Process {
            config,
            child: None,
            output: Arc::default(),
            metrics,
            url: url.to_string(),
        }
    }

    fn spawn(&mut self, fake: &FakeDiscord) {
        self.output = Arc::default();
        let child = spawn_process(
            &self.config,
            fake,
            Some(fake.token()),
            None,
            None,
            &[(interview_coach::config::DATABASE_URL_ENV, &self.url)],
            &self.output,
        );
        self.child = Some(child);
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Waits for the process's "bot ready" line (its first shard is connected and the
    /// restart work done).
    async fn ready(&mut self) {
        let deadline = Instant::now() + START;
        while !self.output().contains("bot ready") {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                panic!("the bot exited ({status}):\n{}", self.output());
            }
            assert!(Instant::now() < deadline, "not ready:\n{}", self.output());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// `/metrics`, once it has a line containing `want` (or after 5 s, for the message).
    async fn metrics_with(&self, want: &str) -> String {
        let url = format!("http://127.0.0.1:{}/metrics", self.metrics);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let text = match reqwest::get(&url).await {
                Ok(reply) => reply.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(want) || Instant::now() > deadline {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `/mock role:backend` by `user` in `guild`'s channel; returns the interview's thread.
async fn start_mock(h: &Harness, user: User, guild: u64, channel: u64) -> u64 {
    let cmd = fixtures::slash_command("mock")
        .option(fixtures::opt::string("role", "backend"))
        .user(user)
        .guild(guild, channel);
    let token = cmd.interaction_token().to_string();
    let callback = h.interact(&cmd, cmd.interaction_id()).await;
    assert_eq!(callback.body["type"], 5, "deferred: {}", callback.body);
    let reply = content(&h.followup(&token).await);
    let thread = reply
        .split("<#")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no thread in {reply}"));
    assert_eq!(
        h.fake.channel(thread).expect("the thread").guild_id,
        Some(guild)
    );
    thread
}

/// The bot's post in `thread` containing `text`, once Discord has answered it.
async fn answered(h: &Harness, thread: u64, text: &'static str) {
    h.fake
        .wait_for(
            move |r| {
                r.route == routes::CREATE_MESSAGE
                    && r.param_id("channel_id") == Some(thread)
                    && content(r).contains(text)
                    && r.status.is_some()
            },
            support::WAIT,
        )
        .await;
}

async fn answer(h: &Harness, user: User, guild: u64, thread: u64, text: &str) {
    h.fake
        .send(
            &fixtures::message_create(text)
                .author(user)
                .channel(guild, thread),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_shards_and_the_database() {
    let Some(base) = backends::postgres_url() else {
        return;
    };
    let (url, _schema) = backends::fresh_schema(&base).await;
    let fake = FakeDiscord::builder()
        .token("fake-bot-token.for-tests")
        .allowed_privileged_intents(fixtures::intents::MESSAGE_CONTENT)
        .shards(2)
        .max_concurrency(1)
        .guilds(vec![
            Guild::new(GUILD_0, "Shard zero")
                .text_channel(CHANNEL_0, "general")
                .member(User::alice()),
            Guild::new(GUILD_1, "Shard one")
                .text_channel(CHANNEL_1, "general")
                .member(bob()),
        ])
        .start()
        .await;
    assert_eq!(fake.shard_for_guild(GUILD_0), 0);
    assert_eq!(fake.shard_for_guild(GUILD_1), 1);
    let dir = tempfile::tempdir().unwrap();
    let guides = dir.path().join("guides");
    support::copy_dir(&support::shipped_guides(), &guides);
    let mut zero = Process::new(dir.path(), "zero", "0-0/2", &url, &guides);
    let mut one = Process::new(dir.path(), "one", "1-1/2", &url, &guides);
    let h = Harness {
        fake,
        dir,
        child: None,
        output: Arc::default(),
        config: zero.config.clone(),
        rust_log: None,
        clock: None,
    };

    // Started together, they identify one after the other.
    zero.spawn(&h.fake);
    one.spawn(&h.fake);
    zero.ready().await;
    one.ready().await;
    h.fake.wait_ready_shard(0, START).await;
    h.fake.wait_ready_shard(1, START).await;
    let (first_0, first_1) = (h.fake.identify_times(0)[0], h.fake.identify_times(1)[0]);
    let apart = first_0.max(first_1) - first_0.min(first_1);
    assert!(
        apart >= Duration::from_secs(5),
        "identified {apart:?} apart"
    );
    // The process with shard 0 registers the commands, globally (no guild_id).
    h.fake
        .wait_for_route(routes::PUT_GLOBAL_COMMANDS, START)
        .await;

    // An interview in each server; each process posts in its own threads.
    let thread_0 = start_mock(&h, User::alice(), GUILD_0, CHANNEL_0).await;
    let thread_1 = start_mock(&h, bob(), GUILD_1, CHANNEL_1).await;
    let q0 = h.bot_post(thread_0, 1).await;
    let q1 = h.bot_post(thread_1, 1).await;
    answer(&h, User::alice(), GUILD_0, thread_0, &h.strong_answer(&q0)).await;
    answer(&h, bob(), GUILD_1, thread_1, &h.strong_answer(&q1)).await;
    assert!(content(&h.bot_post(thread_0, 2).await).contains("**Follow-up 1 of 2"));
    assert!(content(&h.bot_post(thread_1, 2).await).contains("**Follow-up 1 of 2"));

    // Shard 1's process dies; shard 0's servers carry on meanwhile.
    one.kill();
    answer(
        &h,
        User::alice(),
        GUILD_0,
        thread_0,
        "We agreed weekly demos with the team.",
    )
    .await;
    answered(&h, thread_0, "**Follow-up 2 of 2").await;
    one.spawn(&h.fake);
    one.ready().await;
    // It takes up only the interviews of its own servers.
    assert!(
        one.output().contains("bot ready open_interviews=1"),
        "{}",
        one.output()
    );
    answer(
        &h,
        bob(),
        GUILD_1,
        thread_1,
        "We agreed weekly demos with the team.",
    )
    .await;
    answered(&h, thread_1, "**Follow-up 2 of 2").await;
    for (user, guild, thread) in [
        (User::alice(), GUILD_0, thread_0),
        (bob(), GUILD_1, thread_1),
    ] {
        answer(
            &h,
            user,
            guild,
            thread,
            "Latency fell from 900 ms to 120 ms.",
        )
        .await;
        answered(&h, thread, "Interview complete").await;
    }
    // Intro, question, two follow-ups, the summary: each once, in both threads. (A post
    // the killed process had delivered but not yet marked is sent again after the restart
    // with the same nonce, and Discord shows it once.)
    for thread in [thread_0, thread_1] {
        let shown = h.bot_messages(thread);
        assert_eq!(shown.len(), 5, "nothing lost or repeated: {shown:#?}");
    }

    // A reload made in shard 0's process reaches shard 1's: a new role is askable there.
    support::add_platform_role(&guides);
    let reload = fixtures::slash_command("guides")
        .subcommand("reload", vec![])
        .permissions(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD)
        .guild(GUILD_0, CHANNEL_0);
    let token = reload.interaction_token().to_string();
    h.interact(&reload, reload.interaction_id()).await;
    let reloaded = content(&h.followup(&token).await);
    assert!(reloaded.contains("15 roles"), "{reloaded}");
    let followed = "interview_coach_guide_reloads_total{outcome=\"followed\"} 1";
    let metrics = one.metrics_with(followed).await;
    assert!(
        metrics.contains(followed),
        "{metrics}\nshard 0:\n{}\nshard 1:\n{}",
        zero.output(),
        one.output()
    );
    let ask = fixtures::slash_command("ask")
        .option(fixtures::opt::string("role", "platform"))
        .user(bob())
        .guild(GUILD_1, CHANNEL_1);
    let asked = h.interact(&ask, ask.interaction_id()).await;
    assert!(
        content(&asked).contains("Platform Engineer")
            || asked.body["data"].to_string().contains("Platform Engineer"),
        "{}",
        asked.body
    );

    assert!(
        h.fake.identify_violations().is_empty(),
        "{:?}",
        h.fake.identify_violations()
    );
    h.fake.assert_no_violations();
    let logs = format!("{}\n{}", zero.output(), one.output());
    assert!(!logs.contains("Latency fell"), "an answer reached the log");
}
