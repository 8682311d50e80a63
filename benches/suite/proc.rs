//! Starting the bots as processes of their own, waiting for them, and reading their memory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_discord::{fixtures, FakeDiscord};

use super::guides::copy_dir;

/// The token every benchmark fake requires (a fake with a token refuses any other).
pub const TOKEN: &str = "bench-bot-token";
/// Moderator role given to the bot's config, so `/guides reload` is allowed.
pub const MOD_ROLE: u64 = 7777;

/// A running bot process; killed when dropped.
pub struct Process {
    name: String,
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `cmd` with its stdout and stderr collected line by line.
    pub fn spawn(name: &str, mut cmd: Command) -> Result<Process, String> {
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name} ({cmd:?}): {e}"))?;
        eprintln!("   {name}: pid {}", child.id());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let streams: [Option<Box<dyn std::io::Read + Send>>; 2] = [
            child.stdout.take().map(|s| Box::new(s) as _),
            child.stderr.take().map(|s| Box::new(s) as _),
        ];
        for stream in streams.into_iter().flatten() {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                }
            });
        }
        Ok(Process {
            name: name.to_string(),
            child,
            lines,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The last lines the process printed, for error messages.
    pub fn tail(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let skip = lines.len().saturating_sub(30);
        lines[skip..].join("\n")
    }

    /// The warnings and errors the process logged so far (at most `n`, the first ones), for
    /// explaining failed requests.
    pub fn complaints(&self, n: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines
            .iter()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .take(n)
            .cloned()
            .collect()
    }

    /// The first printed line containing `needle`, waiting up to `timeout`.
    pub async fn wait_for_line(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self
                .lines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .find(|l| l.contains(needle))
            {
                return Ok(line.clone());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited ({status}) before printing {needle:?}:\n{}",
                    self.name,
                    self.tail()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} did not print {needle:?} within {timeout:?}:\n{}",
                    self.name,
                    self.tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Resident memory now and its peak, from `/proc/PID/status`.
    pub fn memory(&self) -> Result<Memory, String> {
        Memory::of(self.pid())
    }

    /// Fails if the process has died.
    pub fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("{} exited ({status}):\n{}", self.name, self.tail())),
            Err(e) => Err(format!("cannot check on {}: {e}", self.name)),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident set size (`VmRSS`) and its high-water mark (`VmHWM`), in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    pub rss: u64,
    pub peak: u64,
}

impl Memory {
    pub fn of(pid: u32) -> Result<Memory, String> {
        let path = format!("/proc/{pid}/status");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
                .map(|kib| kib * 1024)
                .ok_or_else(|| format!("no {name} in {path}"))
        };
        Ok(Memory {
            rss: field("VmRSS:")?,
            peak: field("VmHWM:")?,
        })
    }
}

/// CPU time (user + system, all threads) a process has used so far, from `/proc/PID/stat`
/// (in clock ticks of 10 ms: Linux reports them in USER_HZ = 100).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces; fields follow the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// A fake Discord configured the same way for every bot the suite measures.
pub async fn fake(validate: bool) -> FakeDiscord {
    builder(validate).start().await
}

/// The builder behind [`fake`], for fakes that need more (shards, servers).
pub fn builder(validate: bool) -> fake_discord::FakeDiscordBuilder {
    FakeDiscord::builder()
        .token(TOKEN)
        // A loaded two-core machine may take longer than Discord's 3 s; lateness is counted
        // by the suite instead of being turned into refusals.
        .interaction_deadline(None)
        .validate_requests(validate)
}

/// A bot's working folder: its config, guides and database.
pub struct BotDir {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub guides: PathBuf,
    pub db: PathBuf,
}

/// Where the suite keeps temporary folders: inside the target directory (on the same disk as
/// the build, so the database is written to a real file system, not a RAM-backed `/tmp`).
pub fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// Where a bot stores, and which shards it runs.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    /// `[storage] url`: PostgreSQL at this URL; `None`, an SQLite file in the bot's folder.
    pub postgres: Option<String>,
    /// `[discord] shards`, e.g. `"0-0/2"`. A sharded bot registers its commands globally
    /// (no `guild_id`) and may reload guides from `admin_guild`.
    pub shards: Option<String>,
    pub admin_guild: Option<u64>,
}

impl BotDir {
    /// A folder whose config points at `guides` (copied into it when `copy` is set, else used
    /// in place) and a database inside it.
    pub fn new(guides: &Path, copy: bool) -> Result<BotDir, String> {
        BotDir::with_storage(guides, copy, &Storage::default())
    }

    /// Like [`BotDir::new`], storing and sharding as `storage` says.
    pub fn with_storage(guides: &Path, copy: bool, storage: &Storage) -> Result<BotDir, String> {
        std::fs::create_dir_all(scratch())
            .map_err(|e| format!("cannot create {}: {e}", scratch().display()))?;
        let dir = tempfile::Builder::new()
            .prefix("ic-bench-")
            .tempdir_in(scratch())
            .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
        let guides_dir = if copy {
            let to = dir.path().join("guides");
            copy_dir(guides, &to)?;
            to
        } else {
            guides.to_path_buf()
        };
        let db = dir.path().join("data/bot.db");
        let config = dir.path().join("config.toml");
        let discord = match &storage.shards {
            Some(shards) => format!(
                "shards = \"{shards}\"\nadmin_guild_ids = [{}]\n",
                storage.admin_guild.unwrap_or(fixtures::GUILD_ID)
            ),
            None => format!("guild_id = {}\n", fixtures::GUILD_ID),
        };
        let store = match &storage.postgres {
            Some(url) => format!("url = \"{url}\"\n"),
            None => format!("path = \"{}\"\n", db.display()),
        };
        std::fs::write(
            &config,
            format!(
                "[discord]\n{discord}moderator_role_ids = [{MOD_ROLE}]\nmessage_content = true\n\
                 [guides]\ndir = \"{guides}\"\n\
                 [mock]\nquestions = 2\nfollow_ups = 2\n\
                 [storage]\n{store}",
                guides = guides_dir.display(),
            ),
        )
        .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        Ok(BotDir {
            dir,
            config,
            guides: guides_dir,
            db,
        })
    }
}

/// Waits until the bot's gateway session is ready, or fails if the process dies.
async fn wait_connected(
    fake: &FakeDiscord,
    p: &mut Process,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    while !fake.is_ready() {
        p.check_alive()?;
        if Instant::now() > deadline {
            return Err(format!(
                "{} did not connect within {timeout:?}:\n{}",
                p.name,
                p.tail()
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Starts the real bot against `fake` and waits for its "bot ready" line (connected,
/// commands registered, open interviews loaded). Returns the process and that line.
pub async fn start_bot(
    exe: &Path,
    fake: &FakeDiscord,
    dir: &BotDir,
    timeout: Duration,
) -> Result<(Process, String), String> {
    let mut p = spawn_bot(exe, fake, dir, "interview-coach")?;
    wait_connected(fake, &mut p, timeout).await?;
    let line = p.wait_for_line("bot ready", timeout).await?;
    Ok((p, line))
}

/// Starts the real bot against `fake` without waiting for it (processes that start
/// together, such as the shards of one bot, then wait with [`Process::wait_for_line`]).
pub fn spawn_bot(
    exe: &Path,
    fake: &FakeDiscord,
    dir: &BotDir,
    name: &str,
) -> Result<Process, String> {
    let mut cmd = Command::new(exe);
    cmd.arg("run")
        .arg("--config")
        .arg(&dir.config)
        .env("DISCORD_API_BASE", fake.base_url())
        .env("DISCORD_TOKEN", fake.token())
        // The bot's own default log filter: what an operator runs.
        .env_remove("RUST_LOG");
    Process::spawn(name, cmd)
}

/// Starts the floor bot with `cmd` (a command that runs [`super::floor`]) against `fake`.
pub async fn start_floor(
    cmd: Command,
    fake: &FakeDiscord,
    timeout: Duration,
) -> Result<Process, String> {
    start_floor_as(
        cmd,
        fake,
        timeout,
        "floor bot",
        (super::floor::ENV, "1".into()),
    )
    .await
}

/// Starts a floor with `env` set (which floor, and what it is given), named `name`.
pub async fn start_floor_as(
    mut cmd: Command,
    fake: &FakeDiscord,
    timeout: Duration,
    name: &str,
    env: (&str, std::ffi::OsString),
) -> Result<Process, String> {
    cmd.env(env.0, env.1)
        .env("DISCORD_API_BASE", fake.base_url())
        .env("DISCORD_TOKEN", fake.token())
        .env_remove("RUST_LOG");
    let mut p = Process::spawn(name, cmd)?;
    wait_connected(fake, &mut p, timeout).await?;
    p.wait_for_line(super::floor::READY_LINE, timeout).await?;
    Ok(p)
}
