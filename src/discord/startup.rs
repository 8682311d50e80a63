//! Starting and stopping the bot: [`run`] either reaches a working bot or
//! returns a [`RunError`] whose one line says what to fix, and ends within a few
//! seconds of SIGTERM/SIGINT whatever it is doing.
//!
//! In order:
//! 1. the signal handlers are installed, the guides loaded, the database opened;
//! 2. before the gateway, on the REST API (`preflight`): the gateway address from
//!    the configured base's `GET /gateway`, the application id (a rejected token
//!    ends here), and the slash commands registered. Transient failures are
//!    retried for `[discord] startup_retry_secs`; a refusal ends start-up at once;
//! 3. the serenity client is built and pointed at that gateway address (replacing
//!    the public address serenity falls back to when its own `GET /gateway`
//!    fails), then started; poise's set-up only does the restart work
//!    (`interview::resume`), which cannot fail;
//! 4. while it runs, a watch on the shard's connection stage ends the bot when no
//!    gateway session has been up for `[discord] gateway_timeout_secs` — at the
//!    first connection or after losing one;
//! 5. on the way out the shards are shut down, then the store is closed (each
//!    bounded: a few seconds, not forever).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{ConnectionStage, GatewayIntents, HttpBuilder, ShardManager};
use tokio::time::Instant;

use super::identify;
use super::preflight::{self, Failed, Rest};
use super::{commands, events, interview, ops, render, Data, Error};
use crate::config::{Config, Secret};
use crate::exit::Exit;
use crate::guide::GuideLibrary;
use crate::store::{OpenOptions, Store};

/// How long the shards get to close their connections on the way out.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// How long the store gets to finish its last writes on the way out.
const STORE_GRACE: Duration = Duration::from_secs(5);
/// The least time given to building the client (two requests to the API base).
const BUILD_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the gateway watch looks at the shard's stage.
const WATCH_EVERY: Duration = Duration::from_millis(250);
/// After this long without a gateway session the watch warns once.
const WARN_AFTER: Duration = Duration::from_secs(10);

/// Why the bot stopped, for the one line the operator sees; [`RunError::exit`]
/// gives the exit code of its class.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no Discord token: set the DISCORD_TOKEN environment variable (or `token` under [discord] in the config file)")]
    MissingToken,
    #[error("{0}")]
    Config(String),
    #[error("Discord rejected the token (authentication failed); check DISCORD_TOKEN")]
    RejectedToken,
    #[error("Discord refused the privileged {0} the config asks for: enable it for the application in the developer portal (Bot → Privileged Gateway Intents), or turn it off under [discord] in the config file")]
    DisallowedIntents(String),
    #[error("{0}")]
    RegistrationRefused(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Database(String),
    #[error("cannot start the bot: {0}")]
    Start(String),
}

impl RunError {
    pub fn exit(&self) -> Exit {
        match self {
            RunError::MissingToken | RunError::Config(_) => Exit::Config,
            RunError::RejectedToken | RunError::DisallowedIntents(_) => Exit::Refused,
            RunError::RegistrationRefused(_) => Exit::Registration,
            RunError::Unreachable(_) => Exit::Unreachable,
            RunError::Database(_) => Exit::Database,
            RunError::Start(_) => Exit::Failure,
        }
    }
}

/// The bot's store: locked against a second bot on the same file, and waiting
/// for another process's lock (a backup, a manual query) as long as configured.
fn store_options(config: &Config) -> OpenOptions {
    let busy = Duration::from_millis(config.storage.busy_timeout_ms.into());
    OpenOptions::default().exclusive(true).busy_timeout(busy)
}

/// The configured store: the PostgreSQL database if `[storage] url` is set (shared with
/// the bot's other processes), else the SQLite file.
async fn open_store(config: &Config) -> Result<Store, crate::store::StoreError> {
    match &config.storage.url {
        Some(url) => {
            let busy = Duration::from_millis(config.storage.busy_timeout_ms.into());
            Store::connect(url.expose(), busy).await
        }
        None => Store::open_with(&config.storage.path, store_options(config)).await,
    }
}

fn intents(config: &Config) -> GatewayIntents {
    let mut intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES;
    if config.discord.message_content {
        intents |= GatewayIntents::MESSAGE_CONTENT;
    }
    if config.discord.members_intent {
        intents |= GatewayIntents::GUILD_MEMBERS;
    }
    intents
}

/// The privileged intents in `intents`, named as the developer portal names them
/// (`message_content = true` → "Message Content intent").
fn privileged_intents(intents: &GatewayIntents) -> String {
    let names: Vec<String> = [
        (
            GatewayIntents::MESSAGE_CONTENT,
            "Message Content intent (`message_content`)",
        ),
        (
            GatewayIntents::GUILD_MEMBERS,
            "Server Members intent (`members_intent`)",
        ),
    ]
    .into_iter()
    .filter(|(i, _)| intents.contains(*i))
    .map(|(_, n)| n.to_string())
    .collect();
    crate::guide::template::join_list(&names)
}

fn framework_options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: commands::all(),
        on_error: |error| Box::pin(commands::on_error(error)),
        pre_command: |ctx| {
            Box::pin(async move {
                let command = ctx.command().qualified_name.clone();
                metrics::counter!("interview_coach_commands_total", "command" => command)
                    .increment(1);
            })
        },
        post_command: |ctx| Box::pin(async move { commands::record_duration(ctx) }),
        event_handler: |framework, event| Box::pin(events::handle(framework, event)),
        // Nothing the bot says may ping, whatever a guide or an answer holds.
        allowed_mentions: Some(render::no_pings()),
        ..Default::default()
    }
}

/// Runs the bot until SIGINT/SIGTERM (Ok) or a fatal error.
pub async fn run(
    config: Config,
    token: Option<Secret>,
    api_base: Option<String>,
) -> Result<(), RunError> {
    // First, so a signal during start-up is seen rather than killing the process.
    let stop =
        stop_signal().map_err(|e| RunError::Start(format!("cannot watch for signals: {e}")))?;
    let token = token.ok_or(RunError::MissingToken)?;
    let guides = GuideLibrary::load(&config.guides.dir).map_err(|errors| {
        for e in &errors.0 {
            tracing::error!("{e}");
        }
        RunError::Config(format!(
            "the guides in {} have {} problem(s); run `interview-coach check {}`",
            config.guides.dir.display(),
            errors.0.len(),
            config.guides.dir.display()
        ))
    })?;
    tokio::pin!(stop);
    let store = tokio::select! {
        store = open_store(&config) => store.map_err(|e| RunError::Database(e.to_string()))?,
        () = stop.as_mut() => return stopping(),
    };
    // Kept to close the store on the way out, which writes the last "posted" marks.
    let closing = store.clone();
    let ended = serve(config, token, api_base, (guides, store), stop).await;
    if tokio::time::timeout(STORE_GRACE, closing.close())
        .await
        .is_err()
    {
        tracing::warn!("the database did not close in time; leaving anyway");
    }
    ended
}

async fn serve(
    config: Config,
    token: Secret,
    api_base: Option<String>,
    (guides, store): (GuideLibrary, Store),
    mut stop: Pin<&mut impl Future<Output = ()>>,
) -> Result<(), RunError> {
    let retry = Duration::from_secs(config.discord.startup_retry_secs);
    let client = preflight::http_client()?;
    let rest = Rest::new(client.clone(), api_base.as_deref(), &token, retry);
    let options = framework_options();
    let guild_id = config.discord.guild_id;
    let shards = config.discord.shard_range();
    // Global commands are registered once, by the process that runs shard 0.
    let register = shards.is_none_or(|s| s.runs_shard_zero());
    let gateway_url = tokio::select! {
        prepared = prepare(&rest, guild_id, &options.commands, register) => prepared?,
        () = stop.as_mut() => return stopping(),
    };

    let mut http = HttpBuilder::new(token.expose()).client(client.clone());
    if let Some(base) = &api_base {
        // serenity only honours the proxy with its own rate limiter off; a
        // proxy or test server in front of Discord takes that job.
        http = http.proxy(base.as_str()).ratelimiter_disabled(true);
    }
    let http = http.build();
    let intents = intents(&config);
    let config_intents = intents;
    let gateway_timeout = Duration::from_secs(config.discord.gateway_timeout_secs);
    let metrics_addr = config.metrics.listen_addr();
    let identify_store = store.clone();
    let data = Data::new(config, guides, store, client);
    let readiness = data.readiness.clone();
    if let Some(addr) = metrics_addr {
        ops::serve(addr, readiness.clone())
            .await
            .map_err(RunError::Config)?;
    }
    let framework = poise::Framework::builder()
        .options(options)
        .setup(move |ctx, ready, _framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected");
                interview::resume(ctx, &data).await;
                Ok(data)
            })
        })
        .build();
    let builder = serenity::ClientBuilder::new_with_http(http, intents).framework(framework);
    // Building asks the API base for the gateway and the application again; a base
    // that stopped answering since must not hold start-up up forever.
    let building = tokio::time::timeout(retry.max(BUILD_TIMEOUT), builder);
    let mut client = tokio::select! {
        client = building => match client {
            Ok(client) => client.map_err(|e| RunError::Start(e.to_string()))?,
            Err(_) => return Err(RunError::Unreachable(format!(
                "{} stopped answering while the client was being set up",
                rest.base()
            ))),
        },
        () = stop.as_mut() => return stopping(),
    };
    // The address from the configured base, whatever serenity's own request got.
    *client.ws_url.lock().await = gateway_url.clone();

    let manager = client.shard_manager.clone();
    if let Some(range) = shards {
        tracing::info!(shards = %range, "running a range of the gateway shards");
    }
    let started = async {
        match shards {
            // serenity's range end is inclusive, whatever its type says.
            Some(range) => {
                identify::take_turn(&identify_store, range).await;
                client
                    .start_shard_range(range.first..range.last, range.total)
                    .await
            }
            None => client.start_autosharded().await,
        }
    };
    let ended = tokio::select! {
        ended = started => match ended {
            Ok(()) => Ok(()),
            Err(serenity::Error::Gateway(serenity::GatewayError::InvalidAuthentication)) => {
                Err(RunError::RejectedToken)
            }
            Err(serenity::Error::Gateway(serenity::GatewayError::DisallowedGatewayIntents)) => {
                Err(RunError::DisallowedIntents(privileged_intents(&config_intents)))
            }
            Err(e) => Err(RunError::Start(e.to_string())),
        },
        gave_up = watch_gateway(manager.clone(), gateway_timeout, &gateway_url, readiness) => Err(gave_up),
        () = stop.as_mut() => stopping(),
    };
    if tokio::time::timeout(SHUTDOWN_GRACE, manager.shutdown_all())
        .await
        .is_err()
    {
        tracing::warn!("the gateway connection did not close in time; leaving anyway");
    }
    ended
}

/// What a stop signal leads to, wherever it came.
fn stopping() -> Result<(), RunError> {
    tracing::info!("shutting down");
    Ok(())
}

/// The REST start-up steps; returns the gateway address.
async fn prepare(
    rest: &Rest,
    guild_id: Option<u64>,
    commands: &[poise::Command<Data, Error>],
    register: bool,
) -> Result<String, RunError> {
    if guild_id == Some(0) {
        return Err(RunError::Config(
            "`guild_id` under [discord] is 0: set it to a server's id, or remove it to register the commands globally".into(),
        ));
    }
    let guild = guild_id;
    let gateway_url = rest
        .gateway_url()
        .await
        .map_err(|f| failed(rest, f, "fetching the gateway address"))?;
    let application = rest
        .application_id()
        .await
        .map_err(|f| failed(rest, f, "reading the application"))?;
    let body = serde_json::to_value(poise::builtins::create_application_commands(commands))
        .map_err(|e| RunError::Start(format!("cannot encode the slash commands: {e}")))?;
    if !register {
        tracing::info!("not registering the slash commands: the process running shard 0 does");
        return Ok(gateway_url);
    }
    match rest.register(application, guild, &body).await {
        Ok(()) => {}
        Err(Failed::Refused { status: 401, .. }) => return Err(RunError::RejectedToken),
        Err(Failed::Refused {
            status,
            code,
            message,
        }) => {
            return Err(RunError::RegistrationRefused(refused_registration(
                guild, status, code, &message,
            )))
        }
        Err(f) => return Err(failed(rest, f, "registering the slash commands")),
    }
    match guild {
        Some(g) => tracing::info!(guild = g, "slash commands registered in the server"),
        None => tracing::info!("slash commands registered globally"),
    }
    Ok(gateway_url)
}

/// The line for a start-up request that did not succeed (registration refusals aside).
fn failed(rest: &Rest, failed: Failed, what: &str) -> RunError {
    match failed {
        Failed::Refused { status: 401, .. } => RunError::RejectedToken,
        Failed::Refused { status, message, .. } => RunError::Unreachable(format!(
            "{} refused {what} ({status}: {message}); check `api_base` under [discord] (or DISCORD_API_BASE)",
            rest.base()
        )),
        Failed::GaveUp { last, after } => RunError::Unreachable(format!(
            "Discord kept failing while {what} ({last}); gave up after {:.0} s (`startup_retry_secs` under [discord] is {})",
            after.as_secs_f64(),
            rest.window().as_secs()
        )),
    }
}

fn refused_registration(
    guild: Option<u64>,
    status: u16,
    code: Option<i64>,
    message: &str,
) -> String {
    let code = code.map_or(String::new(), |c| format!(", code {c}"));
    match guild {
        Some(g) if status == 403 => format!(
            "Discord refused to register the slash commands in server {g} ({status}{code}: {message}): \
             invite the bot to that server with the `applications.commands` scope, or fix `guild_id` under [discord]"
        ),
        Some(g) => format!(
            "Discord refused to register the slash commands in server {g} ({status}{code}: {message})"
        ),
        None => format!(
            "Discord refused to register the slash commands globally ({status}{code}: {message})"
        ),
    }
}

/// Returns once no gateway session has been up for `window`: from the start,
/// or since the last one was lost.
async fn watch_gateway(
    shards: Arc<ShardManager>,
    window: Duration,
    url: &str,
    readiness: Arc<ops::Readiness>,
) -> RunError {
    let mut down_since = Some(Instant::now());
    let mut warned = false;
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        let connected = shards
            .runners
            .lock()
            .await
            .values()
            .filter(|r| r.stage == ConnectionStage::Connected)
            .count();
        metrics::gauge!("interview_coach_shards_connected").set(connected as f64);
        let up = connected > 0;
        readiness.connected(up);
        match (up, down_since) {
            (true, _) => {
                if warned {
                    tracing::info!("gateway connection back");
                }
                down_since = None;
                warned = false;
            }
            (false, None) => down_since = Some(Instant::now()),
            (false, Some(since)) => {
                let down = since.elapsed();
                if down >= window {
                    return RunError::Unreachable(format!(
                        "no connection to Discord's gateway at {url} for {} s; giving up (`gateway_timeout_secs` under [discord])",
                        window.as_secs()
                    ));
                }
                if down >= WARN_AFTER && !warned {
                    warned = true;
                    tracing::warn!(
                        "no connection to Discord's gateway at {url} for {} s; still trying (giving up after {} s)",
                        down.as_secs(),
                        window.as_secs()
                    );
                }
            }
        }
    }
}

/// Resolves on the first SIGTERM or SIGINT. The handlers are installed at once,
/// so a signal that comes before the future is polled is not lost.
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_403_in_a_server_names_it_and_the_scope() {
        let line = refused_registration(Some(42), 403, Some(50001), "Missing Access");
        assert!(line.contains("server 42"), "{line}");
        assert!(line.contains("applications.commands"), "{line}");
        assert!(line.contains("Missing Access"), "{line}");
        assert_eq!(
            RunError::RegistrationRefused(line).exit(),
            Exit::Registration
        );
    }

    #[test]
    fn every_class_has_its_code() {
        assert_eq!(RunError::MissingToken.exit().code(), 3);
        assert_eq!(RunError::RejectedToken.exit().code(), 4);
        assert_eq!(RunError::DisallowedIntents(String::new()).exit().code(), 4);
        assert_eq!(RunError::Unreachable(String::new()).exit().code(), 6);
        assert_eq!(RunError::Database(String::new()).exit().code(), 7);
        assert_eq!(RunError::Start(String::new()).exit().code(), 1);
    }
}
