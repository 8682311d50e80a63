//! [`FakeDiscordBuilder`]: the fake's configuration, and starting it on a localhost
//! listener tuned like a real network path.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::sync::{watch, Notify};

use crate::{
    fixtures, gateway, model, outage, rest, spec, FakeDiscord, Guild, IdentifyPolicy, Log, Shared,
    User,
};

/// Discord's default upload limit per file: 10 MiB since January 2025 (it was 25 MiB), more
/// in boosted servers. The same number interactions carry as `attachment_size_limit`.
pub const DEFAULT_ATTACHMENT_SIZE_LIMIT: u64 = 10 * 1024 * 1024;

/// How long each rate-limit bucket waits between session starts on Discord: 5 s.
pub const DEFAULT_IDENTIFY_WINDOW: Duration = Duration::from_secs(5);

/// Configuration, set through [`FakeDiscordBuilder`].
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub token: Option<String>,
    pub bot: User,
    pub application_id: u64,
    pub owner: User,
    pub heartbeat_interval: Duration,
    pub guilds: Vec<Guild>,
    pub send_guild_create: bool,
    pub allowed_privileged_intents: u64,
    pub identify_policy: IdentifyPolicy,
    pub interaction_deadline: Option<Duration>,
    pub echo_bot_events: bool,
    pub spec_path: Option<PathBuf>,
    pub validate_requests: bool,
    pub attachment_size_limit: u64,
    pub shards: u64,
    pub max_concurrency: u64,
    pub identify_window: Duration,
    /// `None`: enforced when `shards > 1`.
    pub enforce_identify_limit: Option<bool>,
}

impl Config {
    /// Whether IDENTIFYs that come too fast are refused (see [`crate::shards`]).
    pub fn identify_limit_enforced(&self) -> bool {
        self.enforce_identify_limit.unwrap_or(self.shards > 1)
    }
}

/// Builder for [`FakeDiscord`]; obtain it with [`FakeDiscord::builder`].
#[derive(Clone, Debug)]
pub struct FakeDiscordBuilder {
    cfg: Config,
}

impl Default for FakeDiscordBuilder {
    fn default() -> Self {
        FakeDiscordBuilder {
            cfg: Config {
                token: None,
                bot: User::bot(fixtures::BOT_ID, "interview-coach"),
                application_id: fixtures::BOT_ID,
                owner: User::new(fixtures::OWNER_ID, "owner"),
                heartbeat_interval: Duration::from_millis(41250),
                guilds: vec![Guild::default_guild()],
                send_guild_create: true,
                allowed_privileged_intents: fixtures::intents::PRIVILEGED,
                identify_policy: IdentifyPolicy::Accept,
                interaction_deadline: Some(Duration::from_secs(3)),
                echo_bot_events: true,
                spec_path: None,
                validate_requests: true,
                attachment_size_limit: DEFAULT_ATTACHMENT_SIZE_LIMIT,
                shards: 1,
                max_concurrency: 1,
                identify_window: DEFAULT_IDENTIFY_WINDOW,
                enforce_identify_limit: None,
            },
        }
    }
}

impl FakeDiscordBuilder {
    /// Requires this token: IDENTIFY with another one is closed with 4004 and REST requests
    /// with another `Authorization` get 401. Default: any token is accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.cfg.token = Some(token.into());
        self
    }

    /// The bot's user (READY, `/users/@me`, author of its messages). Default id [`fixtures::BOT_ID`].
    pub fn bot_user(mut self, user: User) -> Self {
        self.cfg.bot = user;
        self
    }

    /// The application id (READY `application.id`; the follow-up webhook id). Default [`fixtures::BOT_ID`].
    pub fn application_id(mut self, id: u64) -> Self {
        self.cfg.application_id = id;
        self
    }

    /// The application's owner (poise reads it for owner-only commands). Default [`fixtures::OWNER_ID`].
    pub fn application_owner(mut self, owner: User) -> Self {
        self.cfg.owner = owner;
        self
    }

    /// The heartbeat interval announced in HELLO. Default 41250 ms like Discord.
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.cfg.heartbeat_interval = interval;
        self
    }

    /// Adds a guild (the default guild [`fixtures::GUILD_ID`] stays unless replaced with [`Self::guilds`]).
    pub fn guild(mut self, guild: Guild) -> Self {
        self.cfg.guilds.push(guild);
        self
    }

    /// Replaces all configured guilds (an empty list means the bot is in no guild).
    pub fn guilds(mut self, guilds: Vec<Guild>) -> Self {
        self.cfg.guilds = guilds;
        self
    }

    /// Whether READY is followed by a GUILD_CREATE per guild, as on Discord. Default true.
    pub fn send_guild_create(mut self, yes: bool) -> Self {
        self.cfg.send_guild_create = yes;
        self
    }

    /// Which privileged intents (see [`fixtures::intents::PRIVILEGED`]) the "application" has
    /// enabled; an IDENTIFY asking for others is closed with 4014. Default: all.
    pub fn allowed_privileged_intents(mut self, mask: u64) -> Self {
        self.cfg.allowed_privileged_intents = mask;
        self
    }

    /// What to do with IDENTIFY (changeable later with [`FakeDiscord::set_identify_policy`]).
    pub fn identify_policy(mut self, policy: IdentifyPolicy) -> Self {
        self.cfg.identify_policy = policy;
        self
    }

    /// How long after dispatch an interaction may be answered (Discord: 3 s). `None` disables
    /// the check, e.g. for benchmarks on a loaded machine.
    pub fn interaction_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.cfg.interaction_deadline = deadline;
        self
    }

    /// Whether the bot's own messages and threads come back as MESSAGE_CREATE / THREAD_CREATE
    /// dispatches, as Discord does. Default true.
    pub fn echo_bot_events(mut self, yes: bool) -> Self {
        self.cfg.echo_bot_events = yes;
        self
    }

    /// Whether every request body is checked against the OpenAPI schema, Discord's limits and
    /// the no-pings policy (see [What it checks](crate#what-it-checks)). Default true.
    ///
    /// Turn it off for load runs: the checks cost the fake CPU per request (more for bigger
    /// bodies), which on a small machine is taken from the bot being measured. Routing,
    /// authentication and the protocol checks (unknown interactions, answered twice,
    /// deadline) stay on.
    pub fn validate_requests(mut self, yes: bool) -> Self {
        self.cfg.validate_requests = yes;
        self
    }

    /// The largest file an upload may carry, in bytes; a larger one is answered with 413
    /// `40005 Request entity too large`. Default [`DEFAULT_ATTACHMENT_SIZE_LIMIT`].
    pub fn attachment_size_limit(mut self, bytes: u64) -> Self {
        self.cfg.attachment_size_limit = bytes;
        self
    }

    /// How many shards the application needs: `GET /gateway/bot` recommends it as `shards`,
    /// and an IDENTIFY must carry it as `num_shards` (else 4010; no `shard` at all, 4011).
    /// Each session then gets only its shard's guilds and their events (see
    /// [`shard_of_guild`](crate::shard_of_guild)). Default 1: any `shard` with
    /// `shard_id < num_shards` is accepted, as Discord does for a small bot.
    ///
    /// # Panics
    /// If `count` is 0.
    pub fn shards(mut self, count: u64) -> Self {
        assert!(
            count >= 1,
            "fake-discord: shards(0); a bot runs at least one shard"
        );
        self.cfg.shards = count;
        self
    }

    /// How many rate-limit buckets may start a session at the same time
    /// (`session_start_limit.max_concurrency`; bucket = `shard_id % max_concurrency`).
    /// Default 1, as for every bot not on large-bot sharding.
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn max_concurrency(mut self, n: u64) -> Self {
        assert!(n >= 1, "fake-discord: max_concurrency(0)");
        self.cfg.max_concurrency = n;
        self
    }

    /// How long a bucket must wait after starting a session before the next IDENTIFY in it.
    /// Default [`DEFAULT_IDENTIFY_WINDOW`] (Discord's 5 s); tests of the fake itself shorten
    /// it, a bot's tests should keep Discord's.
    pub fn identify_window(mut self, window: Duration) -> Self {
        self.cfg.identify_window = window;
        self
    }

    /// Whether an IDENTIFY that comes within [`Self::identify_window`] of its bucket's
    /// previous session start is refused (op 9 Invalid Session) and recorded in
    /// [`FakeDiscord::identify_violations`]. Default: on when [`Self::shards`] is over 1.
    /// Off by default for one shard because Discord applies it there too, but tests that
    /// restart a bot within 5 s rely on the fake not doing so.
    pub fn enforce_identify_limit(mut self, yes: bool) -> Self {
        self.cfg.enforce_identify_limit = Some(yes);
        self
    }

    /// Where `openapi.json` is (default: `DISCORD_API_SPEC` or the project's shared folder).
    pub fn spec_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.cfg.spec_path = Some(path.into());
        self
    }

    /// Binds `127.0.0.1:0` and starts serving.
    ///
    /// # Panics
    /// If the OpenAPI description cannot be loaded or the port cannot be bound.
    pub async fn start(self) -> FakeDiscord {
        let spec_path = self
            .cfg
            .spec_path
            .clone()
            .unwrap_or_else(spec::default_spec_path);
        let spec = spec::Spec::load_cached(&spec_path).unwrap_or_else(|e| panic!("{e}"));
        let listener = bind_localhost().expect("fake-discord: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        // Discord's edge answers at once; with Nagle's algorithm on, a small dispatch
        // frame sent while the previous one is unacknowledged waits for the client's
        // delayed ACK (up to 40 ms), which showed up as a p99 of ~44 ms for both bots in
        // the one-at-a-time benchmarks.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("fake-discord: cannot set TCP_NODELAY: {e}");
            }
        });
        let (shutdown, _) = watch::channel(false);
        let (release, _) = watch::channel(0u64);
        let shared = Arc::new(Shared {
            model: Mutex::new(model::Model::new(&self.cfg.guilds, &self.cfg.bot)),
            gateway: gateway::Gateway::new(&self.cfg),
            cfg: self.cfg,
            spec,
            addr,
            log: Mutex::new(Log::default()),
            log_notify: Notify::new(),
            faults: Mutex::new(Vec::new()),
            holds: Mutex::new(Vec::new()),
            outage: outage::Outage::default(),
            subscribers: Mutex::new(Vec::new()),
            release,
            shutdown,
        });
        let app = rest::router(shared.clone());
        let mut stop = shared.shutdown.subscribe();
        let server = tokio::spawn(async move {
            let signal = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await
            {
                tracing::warn!("fake-discord server stopped: {e}");
            }
        });
        tracing::debug!("fake-discord listening on {addr}");
        FakeDiscord {
            shared,
            server: Some(server),
        }
    }
}

/// How many connections may wait to be accepted. A bot answering a burst opens a connection
/// per request in flight; with the standard library's backlog of 128 the kernel dropped the
/// handshakes over it while the server was busy (`ListenOverflows` in `nstat`), and each
/// such request went out again only after the client's ~200 ms retransmission timeout: the
/// p99 of ~220 ms that some benchmark bursts showed for either bot. The kernel caps this at
/// `net.core.somaxconn` (4096 by default).
const ACCEPT_BACKLOG: i32 = 4096;

/// The segment size the fake's connections use: an Ethernet path's, as a bot talking to the
/// real Discord has, instead of loopback's ~64 KB. With loopback's, a burst of dispatches
/// could stall for ~200 ms: once the bot's receive window fell below one segment while more
/// than a segment waited to be sent, Linux held the data until its zero-window probe timer
/// fired (seen in a packet capture of the benchmark: a 40 KB window left unused for 208 ms,
/// then exactly 40 KB sent). That made whole `/ask` bursts late, for the floor as often as
/// for the bot.
const SEGMENT_SIZE: u32 = 1448;

fn bind_localhost() -> std::io::Result<tokio::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    // As `TcpListener::bind` does, so a restarted test can take a port just freed.
    socket.set_reuse_address(true)?;
    // Set before `listen`, so accepted connections inherit it and announce it in the handshake.
    socket.set_tcp_mss(SEGMENT_SIZE)?;
    socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
    socket.listen(ACCEPT_BACKLOG)?;
    socket.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(socket.into())
}
