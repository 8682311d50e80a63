//! The bot's configuration file (`config.example.toml` documents every key).
//!
//! The token is the one secret here. It normally comes from the
//! `DISCORD_TOKEN` environment variable; a `token` key in the file is
//! accepted, but the environment wins. [`Secret`]'s `Debug` never shows it, so
//! logging the config is safe.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub discord: DiscordConfig,
    pub guides: GuidesConfig,
    pub mock: MockConfig,
    pub storage: StorageConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordConfig {
    /// Register commands in this server only (instant) instead of globally.
    pub guild_id: Option<u64>,
    /// Roles whose members may reload guides, besides Manage Server holders.
    pub moderator_role_ids: Vec<u64>,
    /// Servers whose moderators may reload guides, besides `guild_id`.
    pub admin_guild_ids: Vec<u64>,
    /// Request the privileged Message Content intent (thread replies as answers).
    pub message_content: bool,
    pub token: Option<Secret>,
    /// Base URL of a Discord-compatible API (a proxy or a test server).
    pub api_base: Option<String>,
    /// How long a start-up request (gateway address, command registration) that
    /// fails with 5xx, 429 or no connection is retried before the bot exits.
    pub startup_retry_secs: u64,
    /// How long the bot may be without a gateway connection (at start or after
    /// losing it) before it exits.
    pub gateway_timeout_secs: std::num::NonZeroU64,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            guild_id: None,
            moderator_role_ids: Vec::new(),
            admin_guild_ids: Vec::new(),
            message_content: true,
            token: None,
            api_base: None,
            startup_retry_secs: 60,
            gateway_timeout_secs: std::num::NonZeroU64::new(300).expect("not zero"),
        }
    }
}

impl DiscordConfig {
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

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MockConfig {
    /// Main questions per interview when `/mock` does not say.
    pub questions: u8,
    /// Follow-ups per main question.
    pub follow_ups: u8,
    /// An interview with no answer for this long is closed with its summary.
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

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    pub path: PathBuf,
    /// Finished interviews older than this are deleted.
    pub retention_days: u32,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            path: PathBuf::from("data/interview-coach.db"),
            retention_days: 180,
        }
    }
}

/// Where the token came from, for a helpful message when it is missing.
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
    #[error("{0}")]
    Value(String),
}

impl Config {
    /// Reads the config file, or the defaults when no path is given and
    /// `config.toml` does not exist.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("config.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default())
            }
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let config = Self::parse(&text).map_err(|e| {
            let file = crate::guide::read::SourceFile::new(path.clone(), text.clone());
            let (line, column) = file.position(e.span().map_or(0, |s| s.start));
            ConfigError::Invalid {
                path: path.clone(),
                line,
                column,
                message: e.message().trim().replace('\n', " "),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=5).contains(&self.mock.questions) {
            return Err(ConfigError::Value(format!(
                "[mock] questions must be between 1 and 5, not {}",
                self.mock.questions
            )));
        }
        if self.mock.follow_ups > 5 {
            return Err(ConfigError::Value(format!(
                "[mock] follow_ups must be between 0 and 5, not {}",
                self.mock.follow_ups
            )));
        }
        if self.mock.idle_minutes == 0 {
            return Err(ConfigError::Value(
                "[mock] idle_minutes must be at least 1".into(),
            ));
        }
        Ok(())
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

    /// The API base: `DISCORD_API_BASE` if set, else the file's `api_base`.
    pub fn api_base(&self, env: Option<String>) -> Option<String> {
        env.filter(|b| !b.trim().is_empty())
            .or_else(|| self.discord.api_base.clone())
            .map(|b| b.trim_end_matches('/').to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let config = Config::parse("[discord]\ntoken = \"very-secret-token\"\n").unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-token"));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn environment_token_wins_over_file() {
        let config = Config::parse("[discord]\ntoken = \"from-file\"\n").unwrap();
        assert_eq!(
            config.token(Some("from-env".into())).unwrap().expose(),
            "from-env"
        );
        assert_eq!(config.token(None).unwrap().expose(), "from-file");
        assert_eq!(
            config.token(Some("  ".into())).unwrap().expose(),
            "from-file"
        );
        assert!(Config::default().token(None).is_none());
    }

    #[test]
    fn defaults_and_unknown_keys() {
        let config = Config::parse("").unwrap();
        assert!(config.discord.message_content);
        assert_eq!(config.mock.questions, 2);
        assert_eq!(config.storage.retention_days, 180);
        assert!(Config::parse("[discord]\nguild = 1\n").is_err());
    }

    #[test]
    fn discord_retry_windows_have_defaults_and_no_zero_gateway_timeout() {
        let config = Config::parse("").unwrap();
        assert_eq!(config.discord.startup_retry_secs, 60);
        assert_eq!(config.discord.gateway_timeout_secs.get(), 300);
        assert!(Config::parse("[discord]\nstartup_retry_secs = 0\n").is_ok());
        assert!(Config::parse("[discord]\ngateway_timeout_secs = 0\n").is_err());
    }

    #[test]
    fn example_config_parses() {
        let text = include_str!("../config.example.toml");
        let config = Config::parse(text).unwrap();
        config.validate().unwrap();
    }
}
