//! `cargo bench --bench bot`: the benchmark suite of issue 7. Runs the floor and the real
//! bot against the local Discord, guide reloads under load, the store alone, memory, then the criterion
//! benches (`pure`, and `feedback` when present); prints the report and writes it to
//! `BENCHMARKS.md`.
//!
//! Options (after `--`): `--tiny` (smoke-test sizes), `--only PARTS` (a comma-separated
//! subset of `floor` = `asks` + `threads`, `shards`, `reload`, `store`, `memory`,
//! `criterion`), `--no-postgres` (leave out the PostgreSQL rows and the shard comparison),
//! `--no-write` (print only, leave `BENCHMARKS.md` alone), `--rounds N` (runs of each
//! floor-vs-bot scenario; default 3).
//!
//! The PostgreSQL parts (the bot and the same-work floor on PostgreSQL, and the shard
//! comparison) need a database: `INTERVIEW_COACH_TEST_POSTGRES_URL`, which
//! `eval "$(.ci/postgres start)"` exports. Without it they are skipped and the report
//! says so.

mod suite;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use suite::{crit, report, Parts, Setup, Sizes};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn main() -> ExitCode {
    if suite::floor::run_if_requested() {
        return ExitCode::SUCCESS;
    }
    // cargo passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut sizes = Sizes::full();
    let mut parts = Parts::all();
    let mut write = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--tiny" => sizes = Sizes::tiny(),
            "--no-write" => write = false,
            "--no-postgres" => {
                parts.postgres = false;
                parts.shards = false;
            }
            "--rounds" => match it.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => sizes.rounds = n,
                _ => {
                    eprintln!("--rounds needs a positive number");
                    return ExitCode::FAILURE;
                }
            },
            "--only" => {
                let Some(list) = it.next() else {
                    eprintln!("--only needs a list: floor,shards,reload,memory,store,criterion");
                    return ExitCode::FAILURE;
                };
                parts = Parts {
                    postgres: parts.postgres,
                    ..Parts::none()
                };
                for p in list.split(',') {
                    match p.trim() {
                        "floor" => {
                            parts.asks = true;
                            parts.threads = true;
                        }
                        "asks" => parts.asks = true,
                        "threads" => parts.threads = true,
                        "reload" => parts.reload = true,
                        "memory" => parts.memory = true,
                        "store" => parts.store = true,
                        "criterion" => parts.criterion = true,
                        "shards" => parts.shards = true,
                        other => {
                            eprintln!("unknown part {other:?}; use floor (= asks,threads), shards, reload, memory, store, criterion");
                            return ExitCode::FAILURE;
                        }
                    }
                }
            }
            "--help" | "-h" => {
                eprintln!("cargo bench --bench bot [-- [--tiny] [--only floor|asks|threads,shards,reload,memory,store,criterion] [--no-postgres] [--rounds N] [--no-write]]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown option {other:?} (try --help)");
                return ExitCode::FAILURE;
            }
        }
    }
    let command = if args.is_empty() {
        "cargo bench --bench bot".to_string()
    } else {
        format!("cargo bench --bench bot -- {}", args.join(" "))
    };
    let setup = Setup {
        bot_exe: PathBuf::from(env!("CARGO_BIN_EXE_interview-coach")),
        floor_command: Box::new(|| match std::env::current_exe() {
            Ok(exe) => Command::new(exe),
            // Reported as "cannot start floor bot" by the suite.
            Err(_) => Command::new("/nonexistent/bench-executable"),
        }),
        sizes,
        parts,
        validate: false,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut results = match runtime.block_on(suite::run(&setup)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    drop(runtime);
    if parts.criterion {
        let dir = Path::new(MANIFEST_DIR);
        results.pure = Some(crit::run_bench("pure", dir));
        results.feedback = Some(crit::run_bench("feedback", dir));
    }
    let machine = report::Machine::detect();
    let notes = std::fs::read_to_string(Path::new(MANIFEST_DIR).join("benches/notes.md"))
        .unwrap_or_default();
    let md = report::markdown(
        &results,
        &machine,
        &command,
        &report::commit(Path::new(MANIFEST_DIR)),
        &notes,
    );
    println!("\n{md}");
    if write {
        let path = Path::new(MANIFEST_DIR).join("BENCHMARKS.md");
        if let Err(e) = std::fs::write(&path, &md) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
