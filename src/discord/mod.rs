//! The Discord front end: poise commands, button and modal handling, and the
//! mock-interview threads. It only translates: events become calls on the
//! session layer ([`crate::session`]), which decides what an interview does
//! next, and the posts it returns are delivered here.
//!
//! - `commands` — one module per command group (`/ask`, `/mock`, `/guides`, …).
//! - `events` — buttons, modals, thread replies, deleted threads.
//! - `interview` — interview threads: opening them, delivering posts, the sweeper.
//! - `render` — embeds and messages within Discord's limits, never pinging.
//! - `ids` — button ids that survive restarts.

mod commands;
pub mod error;
mod events;
pub mod ids;
mod interview;
pub mod render;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{GatewayIntents, HttpBuilder};

pub use error::Error;

use crate::config::{Config, Secret};
use crate::guide::GuideLibrary;
use crate::session::Interviews;
use crate::store::Store;

pub type Context<'a> = poise::Context<'a, Data, Error>;
pub type AppContext<'a> = poise::ApplicationContext<'a, Data, Error>;

/// Everything the bot shares between events, typed — no TypeMap, no globals.
/// Cheap to clone (one `Arc`), so background tasks such as the idle sweeper
/// hold their own handle.
#[derive(Clone)]
pub struct Data {
    shared: Arc<Shared>,
}

impl std::ops::Deref for Data {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

pub struct Shared {
    /// The interview use cases, with the guides, picker, settings and store.
    pub interviews: Interviews,
    /// Outbox items being posted right now, so the start-up flush and a live
    /// answer never post the same item twice.
    posting: Mutex<HashSet<i64>>,
    /// Threads where the bot already said it cannot read message text.
    told_to_use_button: Mutex<HashSet<u64>>,
}

impl Data {
    pub fn new(config: Config, guides: GuideLibrary, store: Store) -> Data {
        Data {
            shared: Arc::new(Shared {
                interviews: Interviews::new(config, guides, store),
                posting: Mutex::new(HashSet::new()),
                told_to_use_button: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The library in service now.
    pub fn guides(&self) -> Arc<GuideLibrary> {
        self.interviews.guides()
    }

    pub fn config(&self) -> &Config {
        self.interviews.config()
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Why the bot stopped, for the one line the operator sees.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no Discord token: set the DISCORD_TOKEN environment variable (or `token` under [discord] in the config file)")]
    MissingToken,
    #[error("Discord rejected the token (authentication failed); check DISCORD_TOKEN")]
    RejectedToken,
    #[error("Discord refused the Message Content intent: enable it for the application in the developer portal (Bot → Privileged Gateway Intents), or set `message_content = false` under [discord] in the config file")]
    DisallowedIntents,
    #[error("cannot start the bot: {0}")]
    Start(String),
}

fn intents(config: &Config) -> GatewayIntents {
    let mut intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES;
    if config.discord.message_content {
        intents |= GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

fn framework_options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: commands::all(),
        on_error: |error| Box::pin(commands::on_error(error)),
        event_handler: |framework, event| Box::pin(events::handle(framework, event)),
        // Nothing the bot says may ping, whatever a guide or an answer holds.
        allowed_mentions: Some(render::no_pings()),
        ..Default::default()
    }
}

/// Runs the bot until SIGINT/SIGTERM (Ok) or a fatal gateway error.
pub async fn run(
    config: Config,
    token: Option<Secret>,
    api_base: Option<String>,
) -> Result<(), RunError> {
    let token = token.ok_or(RunError::MissingToken)?;
    let guides = GuideLibrary::load(&config.guides.dir).map_err(|errors| {
        for e in &errors.0 {
            tracing::error!("{e}");
        }
        RunError::Start(format!(
            "the guides in {} have {} problem(s); run `interview-coach check {}`",
            config.guides.dir.display(),
            errors.0.len(),
            config.guides.dir.display()
        ))
    })?;
    let store = Store::open(&config.storage.path)
        .await
        .map_err(|e| RunError::Start(e.to_string()))?;

    let mut http = HttpBuilder::new(token.expose());
    if let Some(base) = &api_base {
        // serenity only honours the proxy with its own rate limiter off; a
        // proxy or test server in front of Discord takes that job.
        http = http.proxy(base.as_str()).ratelimiter_disabled(true);
    }
    let http = http.build();
    let intents = intents(&config);
    let guild_id = config.discord.guild_id;
    // Kept to close the store on the way out, which writes the last "posted" marks.
    let closing = store.clone();
    let data = Data::new(config, guides, store);

    let framework = poise::Framework::builder()
        .options(framework_options())
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                match guild_id {
                    Some(id) => {
                        poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(id))
                            .await?
                    }
                    None => poise::builtins::register_globally(ctx, commands).await?,
                }
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected and commands registered");
                interview::resume(ctx, &data).await;
                Ok(data)
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, intents)
        .framework(framework)
        .await
        .map_err(|e| RunError::Start(e.to_string()))?;

    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });

    let ended = client.start().await;
    closing.close().await;
    match ended {
        Ok(()) => Ok(()),
        Err(serenity::Error::Gateway(serenity::GatewayError::InvalidAuthentication)) => {
            Err(RunError::RejectedToken)
        }
        Err(serenity::Error::Gateway(serenity::GatewayError::DisallowedGatewayIntents)) => {
            Err(RunError::DisallowedIntents)
        }
        Err(e) => Err(RunError::Start(e.to_string())),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How often idle interviews and old data are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// How the server calls a member: their nickname there, else their display
/// name, else their username.
pub(crate) fn display_name(nick: Option<&String>, user: &serenity::User) -> String {
    nick.cloned()
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone())
}
