//! One bot split over two processes, one shard each (`[discord] shards = "0-0/2"` and
//! `"1-1/2"`), against the same bot in one process running both shards (`"0-1/2"`), each
//! setup on a fresh schema of the same PostgreSQL database and against a fake Discord with
//! two shards. The interviews take turns over a server on shard 0 and one on shard 1, so
//! both processes of the split bot work; the scenario is the thread-reply burst.
//!
//! On a two-core machine the split bot cannot run faster than the whole one: both
//! processes share the same cores with the load generator and PostgreSQL. What this
//! measures is what splitting costs (two runtimes, two pools, two gateway sessions, the
//! coordination through the database), not how it scales.

use std::time::{Duration, Instant};

use fake_discord::fixtures::Guild;
use fake_discord::FakeDiscord;

use super::load::{self, Check};
use super::proc::{self, BotDir, Process, Storage};
use super::stats::Run;
use super::versus::{self, Contender};
use super::{guides, pg, say, Setup};

/// A server on shard 0 of 2 (`(id >> 22) % 2 == 0`) and one on shard 1, with a channel each.
pub const PLACES: [(u64, u64); 2] = [
    (900_000_000_004_194_305, 5_000),
    (900_000_000_000_000_001, 5_100),
];

#[derive(Clone, Debug, Default)]
pub struct Shards {
    /// Two processes, one shard each: the thread-reply bursts and the `/mock` bursts that
    /// opened their interviews.
    pub two: Vec<Run>,
    pub two_mocks: Vec<Run>,
    /// One process running both shards.
    pub one: Vec<Run>,
    pub one_mocks: Vec<Run>,
    /// From starting the processes to every shard connected (both setups start together).
    pub startup: Duration,
    /// The first warnings and errors each process logged.
    pub complaints: Vec<String>,
}

async fn sharded_fake(validate: bool) -> FakeDiscord {
    let guilds = PLACES
        .iter()
        .enumerate()
        .map(|(i, &(guild, channel))| {
            Guild::new(guild, format!("Shard {i}")).text_channel(channel, "general")
        })
        .collect();
    proc::builder(validate)
        .shards(2)
        .max_concurrency(1)
        .guilds(guilds)
        .start()
        .await
}

/// Waits for each process's "bot ready" line and for both shards to be connected.
async fn wait_shards(
    fake: &FakeDiscord,
    processes: &mut [&mut Process],
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    for p in processes.iter_mut() {
        p.wait_for_line("bot ready", timeout).await?;
    }
    while fake.connected_shards().len() < 2 {
        for p in processes.iter_mut() {
            p.check_alive()?;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "shards connected after {timeout:?}: {:?}",
                fake.connected_shards()
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

pub async fn measure(
    setup: &Setup,
    roles: &[String],
    base: &str,
    schemas: &mut Vec<String>,
    violations: &mut Vec<String>,
) -> Result<Shards, String> {
    let s = &setup.sizes;
    let (schema, split_url) = pg::fresh_schema(base, "split").await?;
    schemas.push(schema);
    let (schema, whole_url) = pg::fresh_schema(base, "whole").await?;
    schemas.push(schema);
    let server = pg::Server::find(base).await;
    let dir = |url: &str, shards: &str| {
        let storage = Storage {
            postgres: Some(url.to_string()),
            shards: Some(shards.to_string()),
            admin_guild: Some(PLACES[0].0),
        };
        BotDir::with_storage(guides::shipped(), true, &storage)
    };
    let (dir_zero, dir_one, dir_both) = (
        dir(&split_url, "0-0/2")?,
        dir(&split_url, "1-1/2")?,
        dir(&whole_url, "0-1/2")?,
    );
    let (split_fake, whole_fake) = (
        sharded_fake(setup.validate).await,
        sharded_fake(setup.validate).await,
    );
    say("starting a bot split over two processes (one shard each) and one running both shards");
    let started = Instant::now();
    let exe = &setup.bot_exe;
    let mut zero = proc::spawn_bot(exe, &split_fake, &dir_zero, "interview-coach 0-0/2")?;
    let mut one = proc::spawn_bot(exe, &split_fake, &dir_one, "interview-coach 1-1/2")?;
    let mut both = proc::spawn_bot(exe, &whole_fake, &dir_both, "interview-coach 0-1/2")?;
    // Each shard waits its identify turn (5 s apart, as on Discord).
    let timeout = s.startup.max(Duration::from_secs(60));
    wait_shards(&split_fake, &mut [&mut zero, &mut one], timeout).await?;
    wait_shards(&whole_fake, &mut [&mut both], timeout).await?;
    let mut out = Shards {
        startup: started.elapsed(),
        ..Shards::default()
    };
    let split = Contender {
        fake: &split_fake,
        pids: vec![zero.pid(), one.pid()],
        server: server.clone(),
    };
    let whole = Contender {
        fake: &whole_fake,
        pids: vec![both.pid()],
        server,
    };
    for c in [&split, &whole] {
        versus::warm(
            c,
            load::asks_in(s.warmup, roles, 99, &PLACES),
            Check::BotAsk,
            s,
        )
        .await?;
    }
    for round in 0..s.rounds {
        let first_user = 20_000_000 + (round * s.interviews) as u64;
        say(&format!(
            "sharded: {} thread replies over {} interviews on two servers, round {}",
            s.replies,
            s.interviews,
            round + 1
        ));
        // Alternate which setup goes first, so neither always follows the other's tail.
        let mut lineup = [
            (&split, &mut out.two, &mut out.two_mocks),
            (&whole, &mut out.one, &mut out.one_mocks),
        ];
        if round % 2 == 1 {
            lineup.reverse();
        }
        for (c, runs, mocks) in lineup {
            tokio::time::sleep(s.between_runs).await;
            let cmds = load::mocks_in(s.interviews, roles, first_user, &PLACES);
            let (opened, conversations) = versus::open(c, cmds, s).await?;
            mocks.push(opened);
            tokio::time::sleep(s.between_runs).await;
            let run = versus::answers(
                c,
                &conversations,
                s,
                s.replies,
                Check::BotPrompt,
                usize::MAX,
            );
            runs.push(run.await?);
        }
    }
    for fake in [&split_fake, &whole_fake] {
        violations.extend(fake.violations());
    }
    for p in [&zero, &one, &both] {
        out.complaints.extend(
            p.complaints(5)
                .into_iter()
                .map(|l| format!("{}: {l}", p.name())),
        );
    }
    drop((zero, one, both));
    Ok(out)
}
