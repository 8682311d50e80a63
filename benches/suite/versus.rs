//! Floor vs bot: the same traffic for the floors and the bots, each a process of its own
//! against its own local Discord, measured in turns within each round.
//!
//! Who takes part: the plain floor (a fixed string, nothing stored), the same-work floor
//! ([`super::work_floor`]) on SQLite, interview-coach on SQLite and, with a PostgreSQL URL,
//! the same-work floor and interview-coach on PostgreSQL (each on a fresh schema). The
//! same-work floors copy the bot's replies, so they start once the bot has answered: one
//! `/ask` burst (the warm-up) and one interview answered five times (the probe).

use std::path::Path;
use std::time::Duration;

use fake_discord::fixtures::SlashCommand;
use fake_discord::{routes, FakeDiscord};
use serde_json::Value;

use super::load::{self, Check, Conversation};
use super::proc::{self, BotDir, Process, Storage};
use super::stats::Run;
use super::work_floor::Spec;
use super::{guides, pg, say, store, take, Setup, Sizes};

/// One process (or several, for a bot split over shards) answering through one fake.
pub struct Contender<'a> {
    pub fake: &'a FakeDiscord,
    pub pids: Vec<u32>,
    /// The PostgreSQL server it stores on, whose CPU is counted beside its own.
    pub server: Option<pg::Server>,
}

/// Floors and bots on the same traffic.
#[derive(Clone, Debug, Default)]
pub struct FloorVsBot {
    pub floor_asks: Vec<Run>,
    pub bot_asks: Vec<Run>,
    pub floor_threads: Vec<Run>,
    pub bot_threads: Vec<Run>,
    /// The bot opening interviews (no floor equivalent).
    pub mocks: Vec<Run>,
    /// One request at a time: `/ask`s 20 ms apart, thread replies each after the previous
    /// reply.
    pub floor_ask_single: Option<Run>,
    pub bot_ask_single: Option<Run>,
    pub floor_thread_single: Option<Run>,
    pub bot_thread_single: Option<Run>,
    /// The same-work floor on SQLite.
    pub work_asks: Vec<Run>,
    pub work_threads: Vec<Run>,
    pub work_ask_single: Option<Run>,
    pub work_thread_single: Option<Run>,
    /// What the same-work floors copy, in bytes.
    pub work_sizes: WorkSizes,
    /// The bot and the same-work floor on PostgreSQL, when they ran.
    pub pg: Option<PgRuns>,
    /// Why the PostgreSQL rows are missing.
    pub pg_skipped: Option<String>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct WorkSizes {
    /// The `/ask` reply's `data` and the thread post's body, as JSON.
    pub ask: usize,
    pub post: usize,
    /// Stored per answer besides its text.
    pub record: usize,
}

#[derive(Clone, Debug, Default)]
pub struct PgRuns {
    pub bot_asks: Vec<Run>,
    pub work_threads: Vec<Run>,
    pub bot_threads: Vec<Run>,
    pub mocks: Vec<Run>,
    pub work_thread_single: Option<Run>,
    pub bot_thread_single: Option<Run>,
    /// The first warnings and errors the bot on PostgreSQL logged.
    pub complaints: Vec<String>,
}

/// Runs `f` and records the CPU time the contender's processes (and its database server)
/// used meanwhile.
pub async fn with_cpu<F: std::future::Future<Output = Result<Run, String>>>(
    c: &Contender<'_>,
    f: F,
) -> Result<Run, String> {
    let cpu = || -> Option<Duration> { c.pids.iter().map(|p| proc::cpu_time(*p)).sum() };
    let db = || c.server.as_ref().and_then(pg::Server::cpu);
    let mark = c.server.as_ref().and_then(pg::Server::log_mark);
    let (before, db_before) = (cpu(), db());
    let mut run = f.await?;
    run.cpu = before.zip(cpu()).map(|(a, b)| b.saturating_sub(a));
    run.db_cpu = db_before.zip(db()).map(|(a, b)| b.saturating_sub(a));
    run.db_conflicts = c
        .server
        .as_ref()
        .zip(mark)
        .and_then(|(s, m)| s.conflicts_since(m));
    Ok(run)
}

/// A burst (or a paced stream) of slash commands, measured.
pub async fn commands(
    c: &Contender<'_>,
    schedule: Vec<(Duration, Check, SlashCommand)>,
    check: Check,
    stall: Duration,
) -> Result<Run, String> {
    with_cpu(c, async {
        Ok(take(
            load::interactions(c.fake, schedule, stall).await?,
            check,
        ))
    })
    .await
}

/// Thread replies, measured; see [`load::converse`].
pub async fn answers(
    c: &Contender<'_>,
    conversations: &[Conversation],
    s: &Sizes,
    total: usize,
    check: Check,
    concurrency: usize,
) -> Result<Run, String> {
    let run = load::converse(c.fake, conversations, total, check, s.stall, concurrency);
    with_cpu(c, run).await
}

/// Opens interviews on a bot, measured to the first post in each thread.
pub async fn open(
    c: &Contender<'_>,
    cmds: Vec<SlashCommand>,
    s: &Sizes,
) -> Result<(Run, Vec<Conversation>), String> {
    let mut conversations = Vec::new();
    let run = with_cpu(c, async {
        let (run, opened) = load::open_mocks(c.fake, cmds, s.stall).await?;
        conversations = opened;
        Ok(run)
    })
    .await?;
    Ok((run, conversations))
}

/// One unmeasured `/ask` burst, failing on any wrong answer.
pub async fn warm(
    c: &Contender<'_>,
    cmds: Vec<SlashCommand>,
    check: Check,
    s: &Sizes,
) -> Result<(), String> {
    let run = take(
        load::interactions(c.fake, load::burst(cmds, check), s.stall).await?,
        check,
    );
    if run.failed > 0 {
        return Err(format!("warm-up failed: {:?}", run.problems));
    }
    Ok(())
}

/// Of the bodies, the one of median size.
fn median_body(mut bodies: Vec<Value>) -> Option<Value> {
    bodies.sort_by_key(|b| b.to_string().len());
    let mid = bodies.len() / 2;
    bodies.into_iter().nth(mid)
}

/// The bot's real replies, for the same-work floor to copy: an `/ask` reply from the
/// warm-up, and a thread reply from one interview answered five times, each of median size.
async fn probe(bot: &Contender<'_>, s: &Sizes, roles: &[String]) -> Result<(Value, Value), String> {
    let asks: Vec<Value> = bot
        .fake
        .requests_to(routes::INTERACTION_CALLBACK)
        .into_iter()
        .filter(|r| r.body["type"] == 4 && r.body["data"]["embeds"].is_array())
        .map(|r| r.body["data"].clone())
        .collect();
    let ask = median_body(asks).ok_or("the bot sent no /ask reply to copy")?;
    let (_, conversations) =
        load::open_mocks(bot.fake, load::mocks(1, roles, 9_000_000), s.stall).await?;
    let thread = conversations
        .first()
        .ok_or("the probe's interview did not open")?
        .thread_id;
    let posts_in = |fake: &FakeDiscord| -> Vec<Value> {
        fake.requests_to(routes::CREATE_MESSAGE)
            .into_iter()
            .filter(|r| r.param_id("channel_id") == Some(thread))
            .map(|r| r.body)
            .collect()
    };
    // The intro and the first question are posted before the first answer.
    let deadline = std::time::Instant::now() + s.stall;
    while posts_in(bot.fake).len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = posts_in(bot.fake).len();
    let run = load::converse(bot.fake, &conversations, 5, Check::BotPrompt, s.stall, 1).await?;
    if run.failed > 0 {
        return Err(format!("the probe's answers failed: {:?}", run.problems));
    }
    let post =
        median_body(posts_in(bot.fake).split_off(before)).ok_or("no thread reply to copy")?;
    Ok((ask, post))
}

/// Starts a same-work floor storing as `spec` says, with a fake of its own.
async fn start_work_floor(
    setup: &Setup,
    spec: &Spec,
    dir: &Path,
    name: &str,
) -> Result<(FakeDiscord, Process), String> {
    let file = dir.join(format!("{name}.json"));
    spec.write(&file)?;
    let fake = proc::fake(setup.validate).await;
    say(&format!("starting the same-work floor ({name})"));
    let p = proc::start_floor_as(
        (setup.floor_command)(),
        &fake,
        setup.sizes.startup,
        &format!("same-work floor ({name})"),
        (super::work_floor::ENV, file.into_os_string()),
    )
    .await?;
    Ok((fake, p))
}

/// The PostgreSQL side: the bot and the same-work floor, each on a fresh schema.
struct PgSide {
    bot_fake: FakeDiscord,
    work_fake: FakeDiscord,
    bot: Process,
    _work: Process,
    /// The bot's folder (its guides), removed once the process is stopped.
    _dir: BotDir,
    bot_pid: u32,
    work_pid: u32,
    server: Option<pg::Server>,
}

/// Runs the part. `floor` and `bot` are running already (the bot's idle memory is read
/// before this); everything else starts here and stops at the end.
pub async fn run(
    setup: &Setup,
    floor: Contender<'_>,
    bot: Contender<'_>,
    roles: &[String],
    schemas: &mut Vec<String>,
    violations: &mut Vec<String>,
) -> Result<FloorVsBot, String> {
    let s = &setup.sizes;
    let parts = setup.parts;
    let mut out = FloorVsBot::default();
    say("warming up");
    warm(&floor, load::asks(s.warmup, roles, 99), Check::Floor, s).await?;
    warm(&bot, load::asks(s.warmup, roles, 99), Check::BotAsk, s).await?;
    say("taking the bot's replies for the same-work floors");
    let (ask, post) = probe(&bot, s, roles).await?;
    let payload = store::payload()?;
    let record = format!("{}{}{}", payload.feedback, payload.state, payload.post);
    out.work_sizes = WorkSizes {
        ask: ask.to_string().len(),
        post: post.to_string().len(),
        record: record.len(),
    };
    let dir = BotDir::new(guides::shipped(), false)?;
    let spec = Spec {
        ask,
        post,
        record,
        sqlite: Some(dir.dir.path().join("work-floor.db")),
        postgres: None,
    };
    let (work_fake, work_process) =
        start_work_floor(setup, &spec, dir.dir.path(), "SQLite").await?;
    let work = Contender {
        fake: &work_fake,
        pids: vec![work_process.pid()],
        server: None,
    };
    warm(&work, load::asks(s.warmup, roles, 99), Check::BotAsk, s).await?;

    let pg_side = match (parts.postgres, pg::url()) {
        (false, _) => {
            out.pg_skipped = Some("not selected".into());
            None
        }
        (true, None) => {
            out.pg_skipped = Some(format!("{} is not set", pg::URL_ENV));
            None
        }
        (true, Some(base)) => {
            let (schema, url) = pg::fresh_schema(&base, "work").await?;
            schemas.push(schema);
            let pg_spec = Spec {
                sqlite: None,
                postgres: Some(url),
                ..spec.clone()
            };
            let (work_fake, work) =
                start_work_floor(setup, &pg_spec, dir.dir.path(), "PostgreSQL").await?;
            let (schema, url) = pg::fresh_schema(&base, "bot").await?;
            schemas.push(schema);
            let storage = Storage {
                postgres: Some(url),
                ..Storage::default()
            };
            let bot_dir = BotDir::with_storage(guides::shipped(), true, &storage)?;
            let bot_fake = proc::fake(setup.validate).await;
            say("starting the bot on PostgreSQL");
            let (bot, _) = proc::start_bot(&setup.bot_exe, &bot_fake, &bot_dir, s.startup).await?;
            let side = PgSide {
                bot_pid: bot.pid(),
                work_pid: work.pid(),
                bot_fake,
                work_fake,
                bot,
                _work: work,
                _dir: bot_dir,
                server: pg::Server::find(&base).await,
            };
            Some(side)
        }
    };
    let pg_work = pg_side.as_ref().map(|p| Contender {
        fake: &p.work_fake,
        pids: vec![p.work_pid],
        server: p.server.clone(),
    });
    let pg_bot = pg_side.as_ref().map(|p| Contender {
        fake: &p.bot_fake,
        pids: vec![p.bot_pid],
        server: p.server.clone(),
    });
    if let Some(b) = &pg_bot {
        warm(b, load::asks(s.warmup, roles, 99), Check::BotAsk, s).await?;
    }
    let mut pg_runs = pg_side.as_ref().map(|_| PgRuns::default());

    for round in (0..s.rounds).filter(|_| parts.asks) {
        say(&format!("/ask burst of {}, round {}", s.asks, round + 1));
        let mut lineup: Vec<(&Contender, Check, &mut Vec<Run>)> = vec![
            (&floor, Check::Floor, &mut out.floor_asks),
            (&work, Check::BotAsk, &mut out.work_asks),
            (&bot, Check::BotAsk, &mut out.bot_asks),
        ];
        if let (Some(b), Some(r)) = (&pg_bot, pg_runs.as_mut()) {
            lineup.push((b, Check::BotAsk, &mut r.bot_asks));
        }
        for (c, check, runs) in lineup {
            tokio::time::sleep(s.between_runs).await;
            let cmds = load::burst(load::asks(s.asks, roles, round), check);
            runs.push(commands(c, cmds, check, s.stall).await?);
        }
    }
    if parts.threads {
        // Opening the interviews (a burst of /mock) warms the bot's HTTP connection pool
        // for a burst of posts; without the same for the floors, their first measured burst
        // paid for ~hundreds of new connections (a p99 of 200-400 ms in run 1 only).
        say("warming up the floors' thread replies");
        let warm = load::floor_conversations(s.interviews, 800_000);
        for (c, check) in [(&floor, Check::Floor), (&work, Check::BotPrompt)]
            .into_iter()
            .chain(pg_work.as_ref().map(|c| (c, Check::BotPrompt)))
        {
            let run = load::converse(c.fake, &warm, s.replies, check, s.stall, usize::MAX).await?;
            if run.failed > 0 {
                return Err(format!("floor warm-up failed: {:?}", run.problems));
            }
        }
    }
    for round in (0..s.rounds).filter(|_| parts.threads) {
        let first_user = 1_000_000 + (round * s.interviews) as u64;
        say(&format!(
            "opening {} mock interviews, round {}",
            s.interviews,
            round + 1
        ));
        tokio::time::sleep(s.between_runs).await;
        let (mocks, conversations) =
            open(&bot, load::mocks(s.interviews, roles, first_user), s).await?;
        out.mocks.push(mocks);
        let mut pg_conversations = Vec::new();
        if let (Some(b), Some(r)) = (&pg_bot, pg_runs.as_mut()) {
            tokio::time::sleep(s.between_runs).await;
            let (mocks, c) = open(b, load::mocks(s.interviews, roles, first_user), s).await?;
            r.mocks.push(mocks);
            pg_conversations = c;
        }
        say(&format!(
            "{} thread replies over {} interviews, round {}",
            s.replies,
            s.interviews,
            round + 1
        ));
        let floor_conversations = load::floor_conversations(s.interviews, first_user);
        let mut lineup: Vec<(&Contender, &[Conversation], Check, &mut Vec<Run>)> = vec![
            (
                &floor,
                &floor_conversations,
                Check::Floor,
                &mut out.floor_threads,
            ),
            (
                &work,
                &floor_conversations,
                Check::BotPrompt,
                &mut out.work_threads,
            ),
            (&bot, &conversations, Check::BotPrompt, &mut out.bot_threads),
        ];
        if let (Some(w), Some(b), Some(r)) = (&pg_work, &pg_bot, pg_runs.as_mut()) {
            lineup.push((
                w,
                &floor_conversations,
                Check::BotPrompt,
                &mut r.work_threads,
            ));
            lineup.push((b, &pg_conversations, Check::BotPrompt, &mut r.bot_threads));
        }
        for (c, conversations, check, runs) in lineup {
            tokio::time::sleep(s.between_runs).await;
            runs.push(answers(c, conversations, s, s.replies, check, usize::MAX).await?);
        }
    }
    if parts.asks {
        say(&format!("{} /asks one at a time", s.single));
        for (c, check, slot) in [
            (&floor, Check::Floor, &mut out.floor_ask_single),
            (&work, Check::BotAsk, &mut out.work_ask_single),
            (&bot, Check::BotAsk, &mut out.bot_ask_single),
        ] {
            tokio::time::sleep(s.between_runs).await;
            let cmds = load::asks(s.single, roles, 7);
            let schedule = load::paced(cmds, check, Duration::from_millis(20));
            *slot = Some(commands(c, schedule, check, s.stall).await?);
        }
    }
    if parts.threads {
        // Five answers per interview, as in the load run, in interviews of their own.
        let n = s.single.div_ceil(5);
        let first_user = 5_000_000;
        say(&format!("{} thread replies one at a time", s.single));
        tokio::time::sleep(s.between_runs).await;
        let (_, conversations) = open(&bot, load::mocks(n, roles, first_user), s).await?;
        let mut pg_conversations = Vec::new();
        if let Some(b) = &pg_bot {
            pg_conversations = open(b, load::mocks(n, roles, first_user), s).await?.1;
        }
        let floor_conversations = load::floor_conversations(n, first_user);
        let mut lineup: Vec<(&Contender, &[Conversation], Check, &mut Option<Run>)> = vec![
            (
                &floor,
                &floor_conversations,
                Check::Floor,
                &mut out.floor_thread_single,
            ),
            (
                &work,
                &floor_conversations,
                Check::BotPrompt,
                &mut out.work_thread_single,
            ),
            (
                &bot,
                &conversations,
                Check::BotPrompt,
                &mut out.bot_thread_single,
            ),
        ];
        if let (Some(w), Some(b), Some(r)) = (&pg_work, &pg_bot, pg_runs.as_mut()) {
            lineup.push((
                w,
                &floor_conversations,
                Check::BotPrompt,
                &mut r.work_thread_single,
            ));
            lineup.push((
                b,
                &pg_conversations,
                Check::BotPrompt,
                &mut r.bot_thread_single,
            ));
        }
        for (c, conversations, check, slot) in lineup {
            tokio::time::sleep(s.between_runs).await;
            *slot = Some(answers(c, conversations, s, s.single, check, 1).await?);
        }
    }
    violations.extend(work_fake.violations());
    if let Some(p) = &pg_side {
        violations.extend(p.bot_fake.violations());
        violations.extend(p.work_fake.violations());
        if let Some(r) = pg_runs.as_mut() {
            r.complaints = p.bot.complaints(5);
        }
    }
    out.pg = pg_runs;
    drop(work_process);
    Ok(out)
}
