//! The bot's configuration file (`config.example.toml` documents every key).
//!
//! The file is read once with toml's spanned parser, so every problem in it —
//! a syntax error, an unknown or mistyped key, a value out of range — is
//! reported as `path:line:column: message`, and all of them at once: each
//! table is deserialized on its own and every range is checked, so one run
//! shows everything to fix. A config that loads is one the bot can run with;
//! nothing is checked later.
//!
//! Two values may come from outside the file and then win over it: the token
//! (`DISCORD_TOKEN`) and the API base (`--api-base` or `DISCORD_API_BASE`);
//! [`Config::token`] and [`Config::api_base`] apply them. The token is the one
//! secret here; [`Secret`]'s `Debug` never shows it, so logging the config is
//! safe.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::guide::read::SourceFile;

mod metrics;
mod shards;
mod storage;

pub use metrics::MetricsConfig;
pub use shards::ShardRange;
pub use storage::StorageConfig;
use storage::{database_path_problem, postgres_url_problem, BUSY_TIMEOUT_MS};

#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub discord: DiscordConfig,
    pub guides: GuidesConfig,
    pub mock: MockConfig,
    pub storage: StorageConfig,
    pub metrics: MetricsConfig,
}

/// The file's tables, in the order the example file lists them.
const TABLES: [&str; 5] = ["discord", "guides", "mock", "storage", "metrics"];

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordConfig {
    /// Register commands in this server only (instant) instead of globally.
    /// Never 0 once loaded.
    pub guild_id: Option<u64>,
    /// Roles whose members may reload guides, besides Manage Server holders.
    pub moderator_role_ids: Vec<u64>,
    /// Servers whose moderators may reload guides, besides `guild_id`.
    pub admin_guild_ids: Vec<u64>,
    /// Request the privileged Message Content intent (thread replies as answers).
    pub message_content: bool,
    /// Request the privileged Server Members intent, so a member who leaves the server
    /// ends their interview or peer round at once (without it: when posting to them
    /// fails, or after the idle time).
    pub members_intent: bool,
    pub token: Option<Secret>,
    /// Base URL of a Discord-compatible API (a proxy or a test server); an
    /// http(s) URL once loaded.
    pub api_base: Option<String>,
    /// How long a start-up request (gateway address, command registration) that
    /// fails with 5xx, 429 or no connection is retried before the bot exits.
    pub startup_retry_secs: u64,
    /// How long the bot may be without a gateway connection (at start or after
    /// losing it) before it exits; at least 1.
    pub gateway_timeout_secs: u64,
    /// The longest wait between two tries of a post that fails for a passing reason
    /// (5xx, no connection; a 429 waits what it asks instead), in milliseconds.
    pub delivery_max_backoff_ms: u64,
    /// `first-last/total`: the gateway shards this process runs; unset, every shard in
    /// one process, as many as Discord recommends. Valid once loaded.
    pub shards: Option<String>,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            guild_id: None,
            moderator_role_ids: Vec::new(),
            admin_guild_ids: Vec::new(),
            message_content: true,
            members_intent: false,
            token: None,
            api_base: None,
            startup_retry_secs: 60,
            gateway_timeout_secs: 300,
            delivery_max_backoff_ms: 30_000,
            shards: None,
        }
    }
}

impl DiscordConfig {
    /// The shards this process runs; `None`: all of them.
    pub fn shard_range(&self) -> Option<ShardRange> {
        self.shards
            .as_deref()
            .and_then(|s| ShardRange::parse(s).ok())
    }

    /// Servers whose moderators may reload the shared guides.
    pub fn admin_guilds(&self) -> impl Iterator<Item = u64> + '_ {
        self.guild_id
            .into_iter()
            .chain(self.admin_guild_ids.iter().copied())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuidesConfig {
    pub dir: PathBuf,
}

impl Default for GuidesConfig {
    fn default() -> Self {
        GuidesConfig {
            dir: PathBuf::from("guides"),
        }
    }
}

/// The range of `delivery_max_backoff_ms`: from quick enough for tests to ten minutes,
/// beyond which a member would have long given up on the reply.
const DELIVERY_BACKOFF_MS: std::ops::RangeInclusive<u64> = 100..=600_000;

/// The most main questions, and follow-ups per question, an interview may have.
const MOST_QUESTIONS: u8 = 5;
const MOST_FOLLOW_UPS: u8 = 5;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MockConfig {
    /// Main questions per interview when `/mock` does not say (1 to 5).
    pub questions: u8,
    /// Follow-ups per main question (0 to 5).
    pub follow_ups: u8,
    /// An interview with no answer for this long is closed with its summary (at least 1).
    pub idle_minutes: u32,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            questions: 2,
            follow_ups: 2,
            idle_minutes: 30,
        }
    }
}

/// One problem with the configuration, worded for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A value given outside the file (a flag or an environment variable).
    #[error("{from}: {message}")]
    Override { from: String, message: String },
}

/// The environment variable that, when set, replaces `[storage] url` (a URL may hold a
/// password, which is better kept out of files, like the token).
pub const DATABASE_URL_ENV: &str = "INTERVIEW_COACH_DATABASE_URL";

/// Every problem found in one config file, in file order.
#[derive(Debug)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl Config {
    /// Reads the config file, or the defaults when no path is given and
    /// `config.toml` does not exist.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigErrors> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("config.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_toml(&path, &text),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Config::default())
            }
            Err(source) => Err(ConfigErrors(vec![ConfigError::Read { path, source }])),
        }
    }

    /// Parses and checks a config file's text; `path` names it in messages.
    pub fn from_toml(path: &Path, text: &str) -> Result<Config, ConfigErrors> {
        let file = SourceFile::new(path.to_path_buf(), text.to_string());
        let mut report = Report {
            file: &file,
            errors: Vec::new(),
        };
        let (doc, syntax) = DeTable::parse_recoverable(text);
        for e in &syntax {
            report.toml(e);
        }
        if !report.errors.is_empty() {
            // Keys read from a broken document would only add confusion.
            return Err(report.into_errors());
        }
        let doc = doc.into_inner();
        let mut config = Config::default();
        for (key, value) in doc.iter() {
            match key.get_ref().as_ref() {
                "discord" => report.table(value, &mut config.discord),
                "guides" => report.table(value, &mut config.guides),
                "mock" => report.table(value, &mut config.mock),
                "storage" => report.table(value, &mut config.storage),
                "metrics" => report.table(value, &mut config.metrics),
                other => report.at(
                    key.span().start,
                    format!(
                        "unknown table `{other}`, expected one of {}",
                        TABLES.map(|t| format!("`{t}`")).join(", ")
                    ),
                ),
            }
        }
        report.check_ranges(&doc, &config);
        if report.errors.is_empty() {
            Ok(config)
        } else {
            Err(report.into_errors())
        }
    }

    /// The token: `DISCORD_TOKEN` if set and not blank, else the file's `token`.
    pub fn token(&self, env: Option<String>) -> Option<Secret> {
        env.filter(|t| !t.trim().is_empty())
            .map(|t| Secret::new(t.trim()))
            .or_else(|| {
                self.discord
                    .token
                    .clone()
                    .filter(|t| !t.0.trim().is_empty())
            })
    }

    /// Applies `INTERVIEW_COACH_DATABASE_URL` (`env`): if set and not blank it replaces
    /// `[storage] url`, checked the same way; the message never repeats the URL.
    pub fn apply_database_url(&mut self, env: Option<String>) -> Result<(), ConfigError> {
        let Some(url) = env.filter(|u| !u.trim().is_empty()) else {
            return Ok(());
        };
        if let Some(message) = storage::postgres_url_problem(&url) {
            return Err(ConfigError::Override {
                from: DATABASE_URL_ENV.to_string(),
                message,
            });
        }
        self.storage.url = Some(Secret::new(url.trim()));
        Ok(())
    }

    /// The API base without a trailing `/`: `given` if not blank (checked
    /// here, and named by `from` if it is not an http(s) URL), else the file's
    /// `api_base` (checked when the file was loaded).
    pub fn api_base(&self, given: Option<&str>, from: &str) -> Result<Option<String>, ConfigError> {
        let base = match given.map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => {
                http_url_problem(b).map_or(Ok(()), |message| {
                    Err(ConfigError::Override {
                        from: from.to_string(),
                        message,
                    })
                })?;
                Some(b)
            }
            None => self.discord.api_base.as_deref(),
        };
        Ok(base.map(|b| b.trim_end_matches('/').to_string()))
    }
}

/// Collects the problems of one file, each at its position.
struct Report<'f> {
    file: &'f SourceFile,
    errors: Vec<ConfigError>,
}

impl Report<'_> {
    fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = self.file.position(offset);
        self.errors.push(ConfigError::Invalid {
            path: self.file.path.clone(),
            line,
            column,
            message: message.into(),
        });
    }

    /// The problems in file order.
    fn into_errors(mut self) -> ConfigErrors {
        self.errors.sort_by_key(|e| match e {
            ConfigError::Invalid { line, column, .. } => (*line, *column),
            _ => (0, 0),
        });
        ConfigErrors(self.errors)
    }

    fn toml(&mut self, e: &toml::de::Error) {
        let message = e.message().trim().replace('\n', " ");
        self.at(e.span().map_or(0, |s| s.start), message);
    }

    /// Deserializes one table into `into`; a problem leaves the defaults.
    fn table<T: DeserializeOwned>(&mut self, value: &Spanned<DeValue<'_>>, into: &mut T) {
        match T::deserialize(value.clone().into_deserializer()) {
            Ok(table) => *into = table,
            Err(e) => self.toml(&e),
        }
    }

    /// Every key with a range. A value that is out of range came from the
    /// file (the defaults are all in range), so it has a position.
    fn check_ranges(&mut self, doc: &DeTable<'_>, c: &Config) {
        let mut check = |table: &str, key: &str, index: Option<usize>, problem: Option<String>| {
            let Some(problem) = problem else { return };
            let value = doc.get(table).and_then(|t| t.get_ref().get(key));
            let value = match index {
                Some(i) => value.and_then(|v| v.get_ref().get(i)),
                None => value,
            };
            let offset = value.map_or(0, |v| v.span().start);
            self.at(offset, format!("[{table}] {key} {problem}"));
        };

        let d = &c.discord;
        check(
            "discord",
            "guild_id",
            None,
            (d.guild_id == Some(0)).then(|| {
                "must be a server id, and Discord ids are never 0; remove the key to register the commands globally".into()
            }),
        );
        for (key, ids) in [
            ("moderator_role_ids", &d.moderator_role_ids),
            ("admin_guild_ids", &d.admin_guild_ids),
        ] {
            for (i, _) in ids.iter().enumerate().filter(|(_, id)| **id == 0) {
                check(
                    "discord",
                    key,
                    Some(i),
                    Some("must hold Discord ids, and Discord ids are never 0".into()),
                );
            }
        }
        check(
            "discord",
            "api_base",
            None,
            d.api_base.as_deref().and_then(http_url_problem),
        );
        check(
            "metrics",
            "listen",
            None,
            c.metrics.listen.as_deref().and_then(|a| {
                a.trim().parse::<std::net::SocketAddr>().err().map(|_| {
                    format!("must be an address and port such as \"127.0.0.1:9464\", not {a:?}")
                })
            }),
        );
        check(
            "discord",
            "shards",
            None,
            d.shards.as_deref().and_then(|s| ShardRange::parse(s).err()),
        );
        check(
            "discord",
            "gateway_timeout_secs",
            None,
            (d.gateway_timeout_secs == 0).then(|| {
                "must be at least 1, not 0 (the bot would give up on the gateway at once)".into()
            }),
        );
        check(
            "discord",
            "delivery_max_backoff_ms",
            None,
            (!DELIVERY_BACKOFF_MS.contains(&d.delivery_max_backoff_ms)).then(|| {
                format!(
                    "must be between {} and {}, not {}",
                    DELIVERY_BACKOFF_MS.start(),
                    DELIVERY_BACKOFF_MS.end(),
                    d.delivery_max_backoff_ms
                )
            }),
        );
        check(
            "guides",
            "dir",
            None,
            c.guides
                .dir
                .as_os_str()
                .is_empty()
                .then(|| "must name the guide folder, not be empty".into()),
        );
        let m = &c.mock;
        check(
            "mock",
            "questions",
            None,
            (!(1..=MOST_QUESTIONS).contains(&m.questions)).then(|| {
                format!(
                    "must be between 1 and {MOST_QUESTIONS}, not {}",
                    m.questions
                )
            }),
        );
        check(
            "mock",
            "follow_ups",
            None,
            (m.follow_ups > MOST_FOLLOW_UPS).then(|| {
                format!(
                    "must be between 0 and {MOST_FOLLOW_UPS}, not {}",
                    m.follow_ups
                )
            }),
        );
        check(
            "mock",
            "idle_minutes",
            None,
            (m.idle_minutes == 0).then(|| "must be at least 1, not 0".into()),
        );
        check(
            "storage",
            "path",
            None,
            database_path_problem(&c.storage.path),
        );
        check(
            "storage",
            "url",
            None,
            c.storage
                .url
                .as_ref()
                .and_then(|url| postgres_url_problem(url.expose())),
        );
        check(
            "storage",
            "retention_days",
            None,
            (c.storage.retention_days == 0).then(|| {
                "must be at least 1, not 0 (0 would delete every finished interview at start)"
                    .into()
            }),
        );
        let busy = c.storage.busy_timeout_ms;
        check(
            "storage",
            "busy_timeout_ms",
            None,
            (!BUSY_TIMEOUT_MS.contains(&busy)).then(|| {
                let (least, most) = (BUSY_TIMEOUT_MS.start(), BUSY_TIMEOUT_MS.end());
                format!("must be between {least} and {most}, not {busy}")
            }),
        );
    }
}

/// Why `text` cannot be the API base, if it cannot: it must be an absolute
/// http(s) URL with a host, to which serenity appends `/api/v10/...`.
fn http_url_problem(text: &str) -> Option<String> {
    let problem = match url::Url::parse(text.trim()) {
        Err(e) => e.to_string(),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            format!("the scheme is `{}`", u.scheme())
        }
        Ok(u) if u.host().is_none() => "it has no host".into(),
        Ok(u) if u.query().is_some() || u.fragment().is_some() => {
            "it has a query or fragment, which request paths cannot follow".into()
        }
        Ok(_) => return None,
    };
    Some(format!(
        "must be an http:// or https:// URL such as \"http://127.0.0.1:8080\", not {text:?} ({problem})"
    ))
}

impl fmt::Display for ConfigErrors {
    /// One line per problem.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
