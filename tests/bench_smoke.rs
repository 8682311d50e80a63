//! Proves the benchmarks still work: every part of `cargo bench --bench bot` once, at a
//! tiny size (5 asks, 3 interviews, 5 roles × 3 questions, 20 stored interviews), with every
//! request validated against Discord's schema and limits. The benchmarks themselves are
//! not run in CI; see BENCHMARKS.md.
//!
//! The PostgreSQL parts (the bot and the same-work floor on PostgreSQL, the bot split over
//! two shard processes) run when `INTERVIEW_COACH_TEST_POSTGRES_URL` is set (`.ci/run`
//! sets it) and are checked to be reported as skipped when it is not.

#[path = "../benches/suite/mod.rs"]
mod suite;

use std::process::Command;

use suite::{report, Parts, Setup, Sizes};

/// The suite starts this test executable again, running only this function with the
/// floor's environment variable set, to get the floor bot as a process of its own.
#[test]
#[ignore = "helper: runs as the floor bot's process for every_benchmark_runs_at_a_tiny_size"]
fn floor_bot_process() {
    suite::floor::run_if_requested();
}

fn floor_command() -> Command {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("no current executable: {e}"));
    let mut cmd = Command::new(exe);
    cmd.args([
        "floor_bot_process",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_benchmark_runs_at_a_tiny_size() {
    let sizes = Sizes::tiny();
    let setup = Setup {
        bot_exe: env!("CARGO_BIN_EXE_interview-coach").into(),
        floor_command: Box::new(floor_command),
        sizes: sizes.clone(),
        // The criterion part needs cargo; its pieces run in `pure_parts_run_once`.
        parts: Parts {
            criterion: false,
            ..Parts::all()
        },
        validate: true,
    };
    let r = match suite::run(&setup).await {
        Ok(r) => r,
        Err(e) => panic!("the benchmark suite failed: {e}"),
    };
    assert!(r.violations.is_empty(), "{:#?}", r.violations);

    let f = r.floor_vs_bot.as_ref().expect("floor vs bot ran");
    for (name, runs, sent) in [
        ("floor /ask", &f.floor_asks, sizes.asks),
        ("bot /ask", &f.bot_asks, sizes.asks),
        ("floor threads", &f.floor_threads, sizes.replies),
        ("bot threads", &f.bot_threads, sizes.replies),
        ("bot /mock", &f.mocks, sizes.interviews),
        ("same-work floor /ask", &f.work_asks, sizes.asks),
        ("same-work floor threads", &f.work_threads, sizes.replies),
    ] {
        assert_eq!(runs.len(), sizes.rounds, "{name}");
        for run in runs {
            assert_eq!(run.sent, sent, "{name}");
            assert_eq!(run.failed, 0, "{name}: {:?}", run.problems);
            assert_eq!(run.latencies.len(), sent, "{name}");
            assert!(run.summary().throughput.is_some(), "{name}");
        }
    }

    let rl = r.reload.as_ref().expect("reload ran");
    assert_eq!(rl.roles, sizes.roles);
    assert_eq!(rl.questions, sizes.roles * sizes.questions);
    assert_eq!(rl.load_ms.len(), sizes.load_runs);
    for (name, run) in [
        ("before", &rl.before),
        ("during", &rl.during),
        ("after", &rl.after),
    ] {
        assert_eq!(run.sent, sizes.reload_asks, "{name}");
        assert_eq!(run.failed, 0, "{name}: {:?}", run.problems);
    }
    assert_eq!(rl.reloads.sent, sizes.reload_offsets().len());
    assert_eq!(rl.reloads.failed, 0, "{:?}", rl.reloads.problems);
    assert_eq!(rl.reload_reported_ms.len(), sizes.reload_offsets().len());

    let m = &r.memory;
    for (name, run) in [
        ("floor /ask one at a time", &f.floor_ask_single),
        ("bot /ask one at a time", &f.bot_ask_single),
        ("floor thread replies one at a time", &f.floor_thread_single),
        ("bot thread replies one at a time", &f.bot_thread_single),
        ("same-work floor /ask one at a time", &f.work_ask_single),
        (
            "same-work floor thread replies one at a time",
            &f.work_thread_single,
        ),
    ] {
        let run = run.as_ref().unwrap_or_else(|| panic!("{name} did not run"));
        assert_eq!(run.sent, sizes.single, "{name}");
        assert_eq!(run.failed, 0, "{name}: {:?}", run.problems);
    }

    assert!(f.work_sizes.ask > 0 && f.work_sizes.post > 0 && f.work_sizes.record > 0);
    let on_postgres = suite::pg::url().is_some();
    if on_postgres {
        let p = f.pg.as_ref().expect("the PostgreSQL rows ran");
        for (name, runs, sent) in [
            ("bot (PostgreSQL) /ask", &p.bot_asks, sizes.asks),
            (
                "same-work floor (PostgreSQL) threads",
                &p.work_threads,
                sizes.replies,
            ),
            ("bot (PostgreSQL) threads", &p.bot_threads, sizes.replies),
            ("bot (PostgreSQL) /mock", &p.mocks, sizes.interviews),
        ] {
            assert_eq!(runs.len(), sizes.rounds, "{name}");
            for run in runs {
                assert_eq!(run.sent, sent, "{name}");
                assert_eq!(run.failed, 0, "{name}: {:?}", run.problems);
            }
        }
        for (name, run) in [
            (
                "same-work floor (PostgreSQL) one at a time",
                &p.work_thread_single,
            ),
            ("bot (PostgreSQL) one at a time", &p.bot_thread_single),
        ] {
            let run = run.as_ref().unwrap_or_else(|| panic!("{name} did not run"));
            assert_eq!(run.failed, 0, "{name}: {:?}", run.problems);
        }
        let sh = r.shards.as_ref().expect("the shard comparison ran");
        for (name, runs, sent) in [
            ("two shard processes", &sh.two, sizes.replies),
            ("one process, both shards", &sh.one, sizes.replies),
            (
                "two shard processes, /mock",
                &sh.two_mocks,
                sizes.interviews,
            ),
            ("one process, /mock", &sh.one_mocks, sizes.interviews),
        ] {
            assert_eq!(runs.len(), sizes.rounds, "{name}");
            for run in runs {
                assert_eq!(run.sent, sent, "{name}");
                assert_eq!(run.failed, 0, "{name}: {:?}", run.problems);
            }
        }
    } else {
        assert!(f.pg.is_none() && f.pg_skipped.is_some());
        assert!(r.shards.is_none() && r.shards_skipped.is_some());
    }

    let sc = r.store.as_ref().expect("the store part ran");
    assert_eq!(sc.burst_answers, sizes.interviews * sizes.store_rounds);
    assert_eq!(sc.single_answers, sizes.store_single);
    assert!(sc.state_bytes > 0 && sc.feedback_bytes > 0 && sc.post_bytes > 0);

    assert!(m.idle.is_some_and(|x| x.rss > 0));
    assert!(m.after_load.is_some());
    assert!(m.loaded.is_some_and(|x| x.rss > 0));
    assert_eq!(m.interviews, sizes.memory_interviews);

    let md = report::markdown(
        &r,
        &report::Machine::detect(),
        "smoke test",
        "HEAD",
        "notes",
    );
    for needle in [
        "bot / floor",
        "One request at a time",
        "thread replies",
        "with a reload every second",
        "idle RSS < 25 MB",
        "Growth with 20 open interviews",
        "The durable commit alone",
        "feedback analysis",
        "same-work floor, SQLite",
        "bot / same-work floor",
        "thread replies (SQLite): bot / same-work floor at CPU per request ≤ 1.25",
        "One bot split over two shard processes",
    ] {
        assert!(md.contains(needle), "{needle:?} missing from:\n{md}");
    }
    let postgres_rows = [
        "interview-coach, PostgreSQL",
        "thread replies (PostgreSQL): bot / same-work floor at p99 ≤ 1.25",
        "two processes, one shard each",
    ];
    for needle in postgres_rows {
        assert_eq!(md.contains(needle), on_postgres, "{needle:?} in:\n{md}");
    }
}

#[test]
fn pure_parts_run_once() {
    if let Err(e) = suite::pure::run_once() {
        panic!("{e}");
    }
}
