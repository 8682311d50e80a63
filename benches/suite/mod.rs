//! The benchmark suite behind `cargo bench --bench bot` (full size) and
//! `tests/bench_smoke.rs` (tiny size): the real bot and a floor bot driven through the local
//! Discord (`fake-discord`), guide reloads under load, memory, and the pure parts.
#![allow(dead_code)]

pub mod crit;
pub mod floor;
pub mod guides;
pub mod load;
pub mod memory;
pub mod pg;
pub mod proc;
pub mod pure;
pub mod report;
pub mod shards;
pub mod stats;
pub mod store;
pub mod versus;
pub mod work_floor;

pub use versus::FloorVsBot;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use interview_coach::guide::GuideLibrary;

use load::Check;
use proc::{BotDir, Memory};
use stats::Run;

/// How much of everything.
#[derive(Clone, Debug)]
pub struct Sizes {
    /// `/ask` interactions per burst.
    pub asks: usize,
    /// Open interviews the thread replies are spread over.
    pub interviews: usize,
    /// Thread replies per run.
    pub replies: usize,
    /// Runs of each scenario (floor and bot alternate); their samples are pooled.
    pub rounds: usize,
    /// Unmeasured `/ask`s before measuring, sent to each bot as one burst. At the size of a
    /// measured burst, so the first measured round does not pay for what a burst grows:
    /// the HTTP connection pool and the gateway socket's receive buffer.
    pub warmup: usize,
    /// Requests sent one at a time (each after the previous was answered, or 20 ms apart),
    /// for the latency without queueing.
    pub single: usize,
    /// Generated guide size for the reload part.
    pub roles: usize,
    pub questions: usize,
    /// Timed load + validate runs (median reported).
    pub load_runs: usize,
    /// The `/ask` stream during reloads: this many asks spread evenly over `reload_span`,
    /// with a reload sent at its start and once a second after.
    pub reload_asks: usize,
    pub reload_span: Duration,
    /// Open interviews stored for the memory part.
    pub memory_interviews: usize,
    /// The store alone: answers per open interview in the burst (over `interviews`), and
    /// answers one at a time.
    pub store_rounds: usize,
    pub store_single: usize,
    /// Give up waiting for replies after this long without one.
    pub stall: Duration,
    /// Wait this long after start before reading a bot's memory.
    pub settle: Duration,
    /// Start-up allowance for a bot.
    pub startup: Duration,
    /// Pause between runs, so one run's tail (echoes, bookkeeping) does not overlap the next.
    pub between_runs: Duration,
}

impl Sizes {
    /// The reloads' offsets in the `/ask` stream: at 0 s, 1 s, … within the span.
    pub fn reload_offsets(&self) -> Vec<Duration> {
        (0..)
            .map(Duration::from_secs)
            .take_while(|t| *t < self.reload_span.max(Duration::from_millis(1)))
            .collect()
    }
}

impl Sizes {
    /// What issue 7 asks for.
    pub fn full() -> Sizes {
        Sizes {
            asks: 1_000,
            interviews: 200,
            replies: 1_000,
            rounds: 3,
            warmup: 1_000,
            single: 200,
            roles: 200,
            questions: 50,
            load_runs: 9,
            reload_asks: 1_000,
            reload_span: Duration::from_secs(5),
            memory_interviews: 10_000,
            store_rounds: 50,
            store_single: 2_000,
            stall: Duration::from_secs(20),
            settle: Duration::from_secs(2),
            startup: Duration::from_secs(120),
            between_runs: Duration::from_millis(500),
        }
    }

    /// Each benchmark once, at a size that runs in seconds (the smoke test).
    pub fn tiny() -> Sizes {
        Sizes {
            asks: 5,
            interviews: 3,
            replies: 6,
            rounds: 1,
            warmup: 1,
            single: 3,
            roles: 5,
            questions: 3,
            load_runs: 1,
            reload_asks: 4,
            reload_span: Duration::from_millis(300),
            memory_interviews: 20,
            store_rounds: 2,
            store_single: 3,
            stall: Duration::from_secs(10),
            settle: Duration::from_millis(200),
            startup: Duration::from_secs(30),
            between_runs: Duration::from_millis(50),
        }
    }
}

/// Which parts to run.
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    /// Floor vs bot: the `/ask` bursts and the thread replies (each can be run alone).
    pub asks: bool,
    pub threads: bool,
    pub reload: bool,
    pub memory: bool,
    /// The durable commit alone, without Discord.
    pub store: bool,
    pub criterion: bool,
    /// The bot and the same-work floor on PostgreSQL beside SQLite in the floor-vs-bot
    /// runs, when a database URL is set ([`pg::URL_ENV`]).
    pub postgres: bool,
    /// One bot split over two shard processes against one process with both shards, on
    /// PostgreSQL (skipped without a database URL).
    pub shards: bool,
}

impl Parts {
    pub fn all() -> Parts {
        Parts {
            asks: true,
            threads: true,
            reload: true,
            memory: true,
            store: true,
            criterion: true,
            postgres: true,
            shards: true,
        }
    }

    /// Nothing: `--only` adds the parts it names.
    pub fn none() -> Parts {
        Parts {
            asks: false,
            threads: false,
            reload: false,
            memory: false,
            store: false,
            criterion: false,
            postgres: true,
            shards: false,
        }
    }
}

pub struct Setup {
    /// The `interview-coach` executable.
    pub bot_exe: PathBuf,
    /// Makes a command that runs [`floor::run_if_requested`] (this executable again).
    pub floor_command: Box<dyn Fn() -> Command + Send + Sync>,
    pub sizes: Sizes,
    pub parts: Parts,
    /// Validate every request against Discord's schema and limits (the smoke test does;
    /// load runs do not, see [`proc::fake`]).
    pub validate: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Reload {
    pub roles: usize,
    pub questions: usize,
    pub files: usize,
    /// Timed load + validate runs, in milliseconds.
    pub load_ms: Vec<f64>,
    /// The paced `/ask` stream without reloads (before), with them, and without (after).
    pub before: Run,
    pub during: Run,
    pub after: Run,
    /// The reloads themselves: the follow-up latency, and the time the bot reported.
    pub reloads: Run,
    pub reload_reported_ms: Vec<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct MemoryResults {
    /// The bot on the shipped guides, empty database, after start.
    pub idle: Option<Memory>,
    /// The same process after the floor-vs-bot load.
    pub after_load: Option<Memory>,
    /// A bot started on a database holding `interviews` open interviews.
    pub loaded: Option<Memory>,
    pub interviews: usize,
    /// Seconds to store them through the store API.
    pub seed_secs: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Results {
    pub sizes: Option<Sizes>,
    pub floor_vs_bot: Option<FloorVsBot>,
    pub reload: Option<Reload>,
    pub memory: MemoryResults,
    pub store: Option<store::StoreCost>,
    /// Two shard processes against one with both shards, on PostgreSQL.
    pub shards: Option<shards::Shards>,
    /// Why the shard comparison did not run, when it was selected.
    pub shards_skipped: Option<String>,
    pub pure: Option<crit::Outcome>,
    pub feedback: Option<crit::Outcome>,
    /// Everything the fakes found wrong (only checked when validating).
    pub violations: Vec<String>,
    pub took: Duration,
}

fn take(mut runs: HashMap<Check, Run>, check: Check) -> Run {
    runs.remove(&check).unwrap_or_default()
}

fn say(what: &str) {
    eprintln!("== {what}");
}

/// Runs the selected parts. Criterion benches are not run here (see [`crit::run_bench`]),
/// they need cargo. The PostgreSQL schemas the run made are dropped at the end.
pub async fn run(setup: &Setup) -> Result<Results, String> {
    let mut schemas = Vec::new();
    let results = run_parts(setup, &mut schemas).await;
    if let (Some(base), false) = (pg::url(), schemas.is_empty()) {
        pg::drop_schemas(&base, &schemas).await;
    }
    results
}

async fn run_parts(setup: &Setup, schemas: &mut Vec<String>) -> Result<Results, String> {
    let started = Instant::now();
    let s = &setup.sizes;
    let mut results = Results {
        sizes: Some(s.clone()),
        ..Results::default()
    };
    let shipped_roles = guides::shipped_roles()?;

    if setup.parts.reload {
        results.reload = Some(reload(setup, &mut results.violations).await?);
    }

    let floor = setup.parts.asks || setup.parts.threads;
    if floor || setup.parts.memory {
        let bot_fake = proc::fake(setup.validate).await;
        let dir = BotDir::new(guides::shipped(), true)?;
        say("starting the bot (shipped guides, empty database)");
        let (bot, _) = proc::start_bot(&setup.bot_exe, &bot_fake, &dir, s.startup).await?;
        tokio::time::sleep(s.settle).await;
        results.memory.idle = Some(bot.memory()?);
        if floor {
            let floor_fake = proc::fake(setup.validate).await;
            say("starting the floor bot");
            let floor_bot =
                proc::start_floor((setup.floor_command)(), &floor_fake, s.startup).await?;
            let contender = |fake, pid| versus::Contender {
                fake,
                pids: vec![pid],
                server: None,
            };
            results.floor_vs_bot = Some(
                versus::run(
                    setup,
                    contender(&floor_fake, floor_bot.pid()),
                    contender(&bot_fake, bot.pid()),
                    &shipped_roles,
                    schemas,
                    &mut results.violations,
                )
                .await?,
            );
            results.memory.after_load = Some(bot.memory()?);
            results.violations.extend(floor_fake.violations());
        }
        results.violations.extend(bot_fake.violations());
    }

    if setup.parts.shards {
        match pg::url() {
            Some(base) => {
                let shards = shards::measure(
                    setup,
                    &shipped_roles,
                    &base,
                    schemas,
                    &mut results.violations,
                );
                results.shards = Some(shards.await?);
            }
            None => results.shards_skipped = Some(format!("{} is not set", pg::URL_ENV)),
        }
    }

    if setup.parts.store {
        say(&format!(
            "the store alone: {} answers over {} interviews, then {} one at a time",
            s.store_rounds * s.interviews,
            s.interviews,
            s.store_single
        ));
        results.store = Some(store::measure(s.interviews, s.store_rounds, s.store_single).await?);
    }

    if setup.parts.memory {
        let n = s.memory_interviews;
        let dir = BotDir::new(guides::shipped(), true)?;
        say(&format!("storing {n} open interviews"));
        let t = Instant::now();
        memory::seed(&dir.db, n).await?;
        results.memory.seed_secs = t.elapsed().as_secs_f64();
        results.memory.interviews = n;
        let fake = proc::fake(setup.validate).await;
        say(&format!("starting the bot on {n} open interviews"));
        let (bot, line) = proc::start_bot(&setup.bot_exe, &fake, &dir, s.startup).await?;
        if !line.contains(&format!("open_interviews={n}")) {
            return Err(format!(
                "the bot did not load the {n} interviews; it said: {line}"
            ));
        }
        tokio::time::sleep(s.settle).await;
        results.memory.loaded = Some(bot.memory()?);
        results.violations.extend(fake.violations());
    }

    results.took = started.elapsed();
    Ok(results)
}

async fn reload(setup: &Setup, violations: &mut Vec<String>) -> Result<Reload, String> {
    let s = &setup.sizes;
    let dir = BotDir::new(guides::shipped(), false)?;
    let gen = dir.dir.path().join("generated-guides");
    say(&format!(
        "generating {} roles x {} questions",
        s.roles, s.questions
    ));
    let roles = guides::generate(&gen, s.roles, s.questions)?;
    let lib =
        GuideLibrary::load(&gen).map_err(|e| format!("the generated guides do not load:\n{e}"))?;
    let counts = lib.counts();
    drop(lib);
    let mut out = Reload {
        roles: counts.roles,
        questions: counts.questions,
        files: counts.files,
        ..Reload::default()
    };
    say("timing load + validate");
    for _ in 0..s.load_runs {
        let t = Instant::now();
        let lib = GuideLibrary::load(&gen);
        out.load_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(lib);
    }

    let bot_dir = BotDir::new(&gen, false)?;
    let fake = proc::fake(setup.validate).await;
    say("starting the bot on the generated guides");
    let (_bot, _) = proc::start_bot(&setup.bot_exe, &fake, &bot_dir, s.startup).await?;
    let warm = take(
        load::interactions(
            &fake,
            load::burst(load::asks(s.warmup, &roles, 98), Check::BotAsk),
            s.stall,
        )
        .await?,
        Check::BotAsk,
    );
    if warm.failed > 0 {
        return Err(format!("warm-up failed: {:?}", warm.problems));
    }
    let period = s.reload_span / s.reload_asks.max(1) as u32;
    let stream = |salt: usize| -> Vec<(Duration, Check, _)> {
        load::asks(s.reload_asks, &roles, salt)
            .into_iter()
            .enumerate()
            .map(|(i, c)| (period * i as u32, Check::BotAsk, c))
            .collect()
    };
    say("paced /ask stream without reloads");
    out.before = take(
        load::interactions(&fake, stream(1), s.stall).await?,
        Check::BotAsk,
    );
    tokio::time::sleep(s.between_runs).await;
    say("paced /ask stream with /guides reload every second");
    let mut schedule = stream(2);
    for at in s.reload_offsets() {
        schedule.push((at, Check::Reload, load::reload()));
    }
    schedule.sort_by_key(|(at, _, _)| *at);
    let mut during = load::interactions(&fake, schedule, s.stall).await?;
    out.during = during.remove(&Check::BotAsk).unwrap_or_default();
    out.reloads = during.remove(&Check::Reload).unwrap_or_default();
    out.reload_reported_ms = out
        .reloads
        .contents
        .iter()
        .filter_map(|c| reported_ms(c))
        .collect();
    tokio::time::sleep(s.between_runs).await;
    say("paced /ask stream without reloads, again");
    out.after = take(
        load::interactions(&fake, stream(3), s.stall).await?,
        Check::BotAsk,
    );
    violations.extend(fake.violations());
    Ok(out)
}

/// The milliseconds in "Reloaded the guides in 123 ms: …".
fn reported_ms(content: &str) -> Option<f64> {
    content
        .strip_prefix("Reloaded the guides in ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}
