//! Runs the real `interview-coach` binary against the local Discord
//! (`fake-discord`), each test with its own server, guide folder and database;
//! [`cli`] runs its other commands as from a shell; [`copy_dir`] gives a test
//! its own copy of a guide folder.
#![allow(dead_code)]

pub mod cli;
#[path = "../common/guide_files.rs"]
mod guide_files;

// Not every test binary that includes this module uses all of them.
#[allow(unused_imports)]
pub use guide_files::{add_platform_role, copy_dir, shipped_guides};

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_discord::fixtures::{self, Fixture};
use fake_discord::{routes, FakeDiscord, RecordedRequest};
use interview_coach::session::clock::TEST_CLOCK_ENV;
use serde_json::Value;

pub const WAIT: Duration = Duration::from_secs(10);
/// Moderator role configured for the bot in these tests.
pub const MOD_ROLE: u64 = 7777;

pub struct Options {
    pub message_content: bool,
    pub follow_ups: u8,
    pub questions: u8,
    pub allow_message_content: bool,
    /// `[discord] delivery_max_backoff_ms`; `None` leaves the bot's default.
    pub delivery_max_backoff_ms: Option<u64>,
    /// Runs the bot on the test clock (`interview_coach::session::clock`): its time is
    /// moved forward by [`Harness::advance_clock`] and its sweeper runs every 250 ms.
    pub test_clock: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            message_content: true,
            follow_ups: 1,
            questions: 1,
            allow_message_content: true,
            delivery_max_backoff_ms: None,
            test_clock: false,
        }
    }
}

pub struct Harness {
    pub fake: FakeDiscord,
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
    pub output: Arc<Mutex<Vec<String>>>,
    pub config: PathBuf,
    /// `RUST_LOG` for the bot process; `None` runs it with its own default filter.
    pub rust_log: Option<String>,
    /// The test clock's offset file, with [`Options::test_clock`].
    pub clock: Option<PathBuf>,
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_interview-coach")
}

/// Starts `interview-coach run --config CONFIG` against `fake`, without waiting for
/// anything: `token` as DISCORD_TOKEN, the test clock's offset file if any, `rust_log`
/// as RUST_LOG (`None`: the bot's own default filter, what an operator would see), and
/// `env`. Its stdout and stderr are read line by line into `output`.
pub fn spawn_process(
    config: &Path,
    fake: &FakeDiscord,
    token: Option<&str>,
    clock: Option<&Path>,
    rust_log: Option<&str>,
    env: &[(&str, &str)],
    output: &Arc<Mutex<Vec<String>>>,
) -> Child {
    let mut cmd = Command::new(binary());
    cmd.arg("run")
        .arg("--config")
        .arg(config)
        .env("DISCORD_API_BASE", fake.base_url())
        .env_remove("RUST_LOG")
        .env_remove("DISCORD_TOKEN")
        .env_remove(interview_coach::config::DATABASE_URL_ENV)
        .env_remove(TEST_CLOCK_ENV)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    if let Some(t) = token {
        cmd.env("DISCORD_TOKEN", t);
    }
    if let Some(clock) = clock {
        cmd.env(TEST_CLOCK_ENV, clock);
    }
    if let Some(filter) = rust_log {
        cmd.env("RUST_LOG", filter);
    }
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().expect("start the bot");
    for stream in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let output = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                output.lock().unwrap().push(line);
            }
        });
    }
    child
}

impl Harness {
    /// A fake Discord, a private copy of the shipped guides, a config file,
    /// and the bot started and ready.
    pub async fn start() -> Harness {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Harness {
        let mut h = Self::prepare(options).await;
        h.spawn_bot().await;
        h
    }

    /// Everything but the bot process.
    pub async fn prepare(options: Options) -> Harness {
        let privileged = if options.allow_message_content {
            fixtures::intents::MESSAGE_CONTENT
        } else {
            0
        };
        let fake = FakeDiscord::builder()
            // A configured token makes the fake close with 4004 on any other.
            .token("fake-bot-token.for-tests")
            .allowed_privileged_intents(privileged)
            .start()
            .await;
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&shipped_guides(), &dir.path().join("guides"));
        let config = dir.path().join("config.toml");
        let backoff = options.delivery_max_backoff_ms.map_or(String::new(), |ms| {
            format!("delivery_max_backoff_ms = {ms}\n")
        });
        std::fs::write(
            &config,
            format!(
                "[discord]\nguild_id = {guild}\nmoderator_role_ids = [{MOD_ROLE}]\nmessage_content = {mc}\n{backoff}\
                 [guides]\ndir = \"{guides}\"\n\
                 [mock]\nquestions = {q}\nfollow_ups = {f}\n\
                 [storage]\npath = \"{db}\"\n",
                guild = fixtures::GUILD_ID,
                mc = options.message_content,
                guides = dir.path().join("guides").display(),
                q = options.questions,
                f = options.follow_ups,
                db = dir.path().join("data/bot.db").display(),
            ),
        )
        .unwrap();
        let clock = options.test_clock.then(|| {
            let file = dir.path().join("clock-offset");
            std::fs::write(&file, "0").unwrap();
            file
        });
        Harness {
            fake,
            dir,
            child: None,
            output: Arc::new(Mutex::new(Vec::new())),
            config,
            rust_log: None,
            clock,
        }
    }

    pub fn guides_dir(&self) -> PathBuf {
        self.dir.path().join("guides")
    }

    /// Starts the bot process without waiting for anything.
    pub fn spawn_raw(&mut self, token: Option<&str>) -> &mut Child {
        let child = spawn_process(
            &self.config,
            &self.fake,
            token,
            self.clock.as_deref(),
            self.rust_log.as_deref(),
            &[],
            &self.output,
        );
        self.child = Some(child);
        self.child.as_mut().unwrap()
    }

    /// Starts the bot and waits until it is connected and has registered
    /// its commands (its set-up, including the restart work, is done).
    pub async fn spawn_bot(&mut self) {
        let before = self.fake.requests_to(routes::PUT_GUILD_COMMANDS).len();
        let ready_lines = self.output().matches("bot ready").count();
        let token = self.fake.token().to_string();
        self.spawn_raw(Some(&token));
        // Fail with the bot's own words if it exits instead of connecting.
        let deadline = std::time::Instant::now() + WAIT;
        while !self.fake.is_ready() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                std::thread::sleep(Duration::from_millis(50));
                panic!(
                    "the bot exited ({status}) before connecting:\n{}",
                    self.output()
                );
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the bot did not connect:\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.fake
            .wait_for(
                move |r| r.route == routes::PUT_GUILD_COMMANDS && r.index >= before,
                WAIT,
            )
            .await;
        // The bot logs one line when its set-up (including the restart work)
        // is complete; events sent before that would wait anyway, but tests
        // that count requests want a quiet start.
        let deadline = std::time::Instant::now() + WAIT;
        while self.output().matches("bot ready").count() == ready_lines {
            assert!(
                std::time::Instant::now() < deadline,
                "bot never became ready:\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Moves the bot's clock `secs` seconds forward (needs [`Options::test_clock`]).
    pub fn advance_clock(&self, secs: i64) {
        let file = self
            .clock
            .as_ref()
            .expect("started with Options::test_clock");
        let offset: i64 = std::fs::read_to_string(file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        std::fs::write(file, (offset + secs).to_string()).unwrap();
    }

    /// Sends SIGTERM to the bot, as `systemctl stop` does.
    pub fn sigterm(&self) {
        let pid = self.child.as_ref().expect("bot running").id();
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// kill -9.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Waits until the bot's output has a line containing every one of `parts`
    /// (it is read from the process's pipes, so it may lag what the bot did).
    pub async fn wait_for_log(&self, parts: &[&str]) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let output = self.output();
            if let Some(line) = output.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
                return line.to_string();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no line with {parts:?} in:\n{output}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Dispatches an interaction and returns the bot's callback to it.
    pub async fn interact(&self, fixture: &impl Fixture, id: u64) -> RecordedRequest {
        self.fake.send(fixture).await;
        self.callback(id).await
    }

    pub async fn callback(&self, id: u64) -> RecordedRequest {
        self.fake
            .wait_for(
                move |r| {
                    r.route == routes::INTERACTION_CALLBACK
                        && r.param_id("interaction_id") == Some(id)
                },
                WAIT,
            )
            .await
    }

    /// The follow-up message sent for an interaction (after a defer).
    pub async fn followup(&self, token: &str) -> RecordedRequest {
        let token = token.to_string();
        self.fake
            .wait_for(
                move |r| {
                    r.route == routes::CREATE_FOLLOWUP
                        && r.param("webhook_token") == Some(token.as_str())
                },
                WAIT,
            )
            .await
    }

    /// The `n`-th message (0-based) the bot posted in a channel, once answered.
    pub async fn bot_post(&self, channel: u64, n: usize) -> RecordedRequest {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let posts = self.posts_in(channel);
            if let Some(p) = posts.get(n).filter(|p| p.status.is_some()) {
                return p.clone();
            }
            let seen = posts.last().map_or(0, |p| p.index + 1);
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let arrived = self
                .fake
                .try_wait_for(
                    move |r| {
                        r.route == routes::CREATE_MESSAGE
                            && r.param_id("channel_id") == Some(channel)
                            && r.index >= seen
                    },
                    left.min(Duration::from_millis(200)),
                )
                .await;
            if arrived.is_none() && tokio::time::Instant::now() >= deadline {
                panic!(
                    "expected post #{n} in channel {channel}; have {}:\n{}",
                    posts.len(),
                    self.fake.describe()
                );
            }
        }
    }

    /// The first post in `channel` whose content contains `text` (already
    /// sent or arriving later).
    pub async fn post_containing(&self, channel: u64, text: &str) -> RecordedRequest {
        let text = text.to_string();
        self.fake
            .wait_for(
                move |r| {
                    r.route == routes::CREATE_MESSAGE
                        && r.param_id("channel_id") == Some(channel)
                        && content(r).contains(&text)
                },
                WAIT,
            )
            .await
    }

    /// A strong answer to the main question in `post`: the guide's own
    /// example, which covers every framework step with numbers, so the coach
    /// moves straight to the guide's follow-ups (no probe).
    pub fn strong_answer(&self, post: &RecordedRequest) -> String {
        let text = content(post);
        let lib = interview_coach::guide::GuideLibrary::load(self.guides_dir()).unwrap();
        lib.roles()
            .iter()
            .flat_map(|r| r.questions.iter())
            .find(|q| text.contains(&q.text))
            .map(|q| q.example.clone())
            .unwrap_or_else(|| panic!("no guide question in {text}"))
    }

    /// Alice, the fixtures' default member, posts `text` in `thread`: an answer, as far as
    /// an interview she runs there is concerned.
    pub async fn answer_in(&self, thread: u64, text: impl Into<String>) {
        self.fake
            .send(&fixtures::message_create(text).in_thread(thread))
            .await;
    }

    /// Polls the bot's database until `sql` (one integer, with `param`) gives `want`,
    /// for up to 5 s.
    pub async fn wait_for_db(&self, sql: &str, param: i64, want: i64) {
        let db = self.dir.path().join("data/bot.db");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let got: i64 = rusqlite::Connection::open(&db)
                .and_then(|c| c.query_row(sql, [param], |row| row.get(0)))
                .unwrap();
            if got == want {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{sql} with {param}: {got}, waited for {want}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// What the bot's messages in `channel` say, as the channel shows them (a
    /// post Discord took twice, by its nonce, appears once).
    pub fn bot_messages(&self, channel: u64) -> Vec<String> {
        self.fake
            .messages(channel)
            .into_iter()
            .filter(|m| m.from_bot)
            .map(|m| m.content)
            .collect()
    }

    pub fn posts_in(&self, channel: u64) -> Vec<RecordedRequest> {
        self.fake
            .requests_to(routes::CREATE_MESSAGE)
            .into_iter()
            .filter(|r| r.param_id("channel_id") == Some(channel))
            .collect()
    }

    /// Starts a mock interview for `user` and returns the thread id.
    pub async fn start_mock(&self, user: fixtures::User, role: &str) -> u64 {
        let cmd = fixtures::slash_command("mock")
            .option(fixtures::opt::string("role", role))
            .user(user);
        let id = cmd.interaction_id();
        let token = cmd.interaction_token().to_string();
        let callback = self.interact(&cmd, id).await;
        assert_eq!(callback.body["type"], 5, "deferred: {}", callback.body);
        let reply = self.followup(&token).await;
        let content = reply.body["content"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let thread = self
            .fake
            .threads()
            .last()
            .unwrap_or_else(|| panic!("no thread; reply was {content}"))
            .id;
        assert!(content.contains(&format!("<#{thread}>")), "{content}");
        thread
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn content(r: &RecordedRequest) -> String {
    r.body["content"].as_str().unwrap_or_default().to_string()
}

/// The `data` of an interaction callback.
pub fn data(r: &RecordedRequest) -> &Value {
    &r.body["data"]
}

pub fn is_ephemeral(v: &Value) -> bool {
    v["flags"].as_u64().unwrap_or(0) & 64 != 0
}

pub fn custom_ids(components: &Value) -> Vec<String> {
    components
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}
