//! The report: the machine, every figure and ratio, and the targets of issue 7.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::crit::{Estimate, Outcome};
use super::stats::{median, ms, percentile, ratio, Run, Summary};
use super::{pure, Results};

/// The machine the figures come from.
#[derive(Clone, Debug, Default)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_bytes: u64,
    pub kernel: String,
    pub rustc: String,
}

impl Machine {
    pub fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model: cpuinfo
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .and_then(|l| l.split_once(':'))
                .map_or_else(|| "unknown CPU".into(), |(_, m)| m.trim().to_string()),
            memory_bytes: meminfo
                .lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map_or(0, |kib| kib * 1024),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".into(), |s| s.trim().to_string()),
            rustc: output(
                Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into())).arg("-V"),
            )
            .unwrap_or_else(|| "rustc (version unknown)".into()),
        }
    }
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `2025-01-31 14:05 UTC`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// The commit measured, marked when the checkout has uncommitted changes.
pub fn commit(repo: &Path) -> String {
    let head =
        output(
            Command::new("git")
                .arg("-C")
                .arg(repo)
                .args(["rev-parse", "--short", "HEAD"]),
        )
        .unwrap_or_else(|| "unknown".into());
    let dirty = output(
        Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["status", "--porcelain"]),
    )
    .is_some_and(|s| !s.is_empty());
    if dirty {
        format!("{head} (with uncommitted changes)")
    } else {
        head
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn per_sec(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.0}/s"))
}

fn fmt_ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.2}"))
}

/// One target of issue 7 and whether it was met (`None`: not measured).
pub struct Target {
    pub what: String,
    pub measured: String,
    pub met: Option<bool>,
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "pending",
    }
}

fn us(d: Option<Duration>) -> String {
    d.map_or_else(
        || "—".into(),
        |d| format!("{:.0} µs", d.as_secs_f64() * 1e6),
    )
}

/// The row of a summary in a latency table.
fn row(out: &mut String, label: &str, who: &str, s: &Summary) {
    let _ = writeln!(
        out,
        "| {label} | {who} | {} | {} | {} | {} | {} | {} | {} |",
        count(s.sent),
        s.failed,
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        per_sec(s.throughput),
        us(s.cpu_per_request)
    );
}

fn ratio_row(out: &mut String, bot: &Summary, floor: &Summary) {
    let tp = match (bot.throughput, floor.throughput) {
        (Some(b), Some(f)) if f > 0.0 => Some(b / f),
        _ => None,
    };
    let _ = writeln!(
        out,
        "| | **bot / floor** | | | **{}** | **{}** | {} | {} | {} |",
        fmt_ratio(ratio(bot.p50, floor.p50)),
        fmt_ratio(ratio(bot.p99, floor.p99)),
        fmt_ratio(ratio(bot.max, floor.max)),
        fmt_ratio(tp),
        fmt_ratio(ratio(bot.cpu_per_request, floor.cpu_per_request)),
    );
}

/// Estimates of the feedback bench that the < 50 µs target is about: the analysis itself
/// (`analyse …`), else the ones naming a 300-word answer, else all of them.
fn feedback_target_estimates(all: &[Estimate]) -> Vec<&Estimate> {
    for key in ["analys", "300"] {
        let named: Vec<&Estimate> = all.iter().filter(|e| e.id.contains(key)).collect();
        if !named.is_empty() {
            return named;
        }
    }
    all.iter().collect()
}

/// Builds the targets table.
pub fn targets(r: &Results) -> Vec<Target> {
    let mut t = Vec::new();
    if let Some(f) = &r.floor_vs_bot {
        let fa = Run::merge(&f.floor_asks).summary();
        let ba = Run::merge(&f.bot_asks).summary();
        let ft = Run::merge(&f.floor_threads).summary();
        let bt = Run::merge(&f.bot_threads).summary();
        for (what, bot, floor, limit) in [
            ("/ask: bot / floor at p50 ≤ 1.15", ba.p50, fa.p50, 1.15),
            ("/ask: bot / floor at p99 ≤ 1.15", ba.p99, fa.p99, 1.15),
            (
                "thread replies: bot / floor at p50 ≤ 1.25",
                bt.p50,
                ft.p50,
                1.25,
            ),
            (
                "thread replies: bot / floor at p99 ≤ 1.25",
                bt.p99,
                ft.p99,
                1.25,
            ),
        ] {
            let x = ratio(bot, floor);
            t.push(Target {
                what: what.into(),
                measured: fmt_ratio(x),
                met: x.map(|x| x <= limit),
            });
        }
        let failed = fa.failed + ba.failed + ft.failed + bt.failed;
        t.push(Target {
            what: "every /ask and thread reply answered, correctly".into(),
            measured: format!("{failed} failed"),
            met: Some(failed == 0),
        });
    }
    if let Some(rl) = &r.reload {
        let med = median(&rl.load_ms);
        let full_size = rl.questions >= 10_000;
        t.push(Target {
            what: "load + validate 10,000 questions < 200 ms".into(),
            measured: match med {
                Some(m) if full_size => format!("{m:.1} ms (median)"),
                Some(m) => format!(
                    "{m:.1} ms for {} questions (not judged)",
                    count(rl.questions)
                ),
                None => "—".into(),
            },
            met: med.filter(|_| full_size).map(|m| m < 200.0),
        });
        let failed = rl.during.failed + rl.reloads.failed + rl.during.late;
        t.push(Target {
            what: "reload under load: no request failed".into(),
            measured: format!(
                "{} of {} asks and {} of {} reloads failed",
                rl.during.failed + rl.during.late,
                rl.during.sent,
                rl.reloads.failed,
                rl.reloads.sent
            ),
            met: Some(failed == 0),
        });
        let (b, d, a) = (
            rl.before.summary().p99,
            rl.during.summary().p99,
            rl.after.summary().p99,
        );
        let (met, measured) = match (b, d, a) {
            (Some(b), Some(d), Some(a)) => {
                let hi = b.max(a);
                let band = (b.max(a) - b.min(a)).max(hi / 10);
                (
                    Some(d <= hi + band),
                    format!(
                        "{} with reloads; {} and {} without (noise band ±{})",
                        ms(Some(d)),
                        ms(Some(b)),
                        ms(Some(a)),
                        ms(Some(band))
                    ),
                )
            }
            _ => (None, "—".into()),
        };
        t.push(Target {
            what: "reload under load: /ask p99 unchanged within noise".into(),
            measured,
            met,
        });
    }
    let feedback = match &r.feedback {
        Some(Outcome::Measured(all)) => {
            let worst = feedback_target_estimates(all)
                .into_iter()
                .map(|e| e.median_ns)
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
            Target {
                what: "feedback analysis of a 300-word answer < 50 µs".into(),
                measured: worst.map_or_else(|| "—".into(), Estimate::human),
                met: worst.map(|w| w < 50_000.0),
            }
        }
        Some(Outcome::Missing(why) | Outcome::Failed(why)) => Target {
            what: "feedback analysis of a 300-word answer < 50 µs".into(),
            measured: format!("pending: {why}"),
            met: None,
        },
        None => Target {
            what: "feedback analysis of a 300-word answer < 50 µs".into(),
            measured: "pending: not run".into(),
            met: None,
        },
    };
    t.push(feedback);
    if let Some(idle) = r.memory.idle {
        t.push(Target {
            what: "idle RSS < 25 MB".into(),
            measured: mb(idle.rss),
            met: Some(idle.rss < 25_000_000),
        });
    }
    if let (Some(idle), Some(loaded)) = (r.memory.idle, r.memory.loaded) {
        let growth = loaded.rss.saturating_sub(idle.rss);
        let n = r.memory.interviews;
        t.push(Target {
            what: "+10,000 open interviews < +30 MB".into(),
            measured: if n >= 10_000 {
                format!("+{}", mb(growth))
            } else {
                format!("+{} for {} (not judged)", mb(growth), count(n))
            },
            met: (n >= 10_000).then_some(growth < 30_000_000),
        });
    }
    t
}

/// The whole report as Markdown.
pub fn markdown(
    r: &Results,
    machine: &Machine,
    command: &str,
    commit: &str,
    notes: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `{command}` on {} (commit {commit}); the run took {:.0} s. \
         Do not edit by hand: run the command again. Method and profiles: see the notes at the end.\n",
        utc_now(),
        r.took.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "**Machine:** {}, {} CPUs, {:.1} GiB RAM, Linux {}; {}.\n",
        machine.cpu_model,
        machine.cpus,
        machine.memory_bytes as f64 / (1u64 << 30) as f64,
        machine.kernel,
        machine.rustc
    );

    let _ = writeln!(out, "## Targets (issue 7)\n");
    let _ = writeln!(out, "| target | measured | |\n|---|---|---|");
    for t in targets(r) {
        let _ = writeln!(out, "| {} | {} | {} |", t.what, t.measured, verdict(t.met));
    }

    if let Some(f) = &r.floor_vs_bot {
        let s = r.sizes.as_ref();
        let rounds = f.bot_asks.len();
        let _ = writeln!(out, "\n## Floor vs bot\n");
        let _ = writeln!(
            out,
            "The same generator drives the floor (a serenity bot that answers with a fixed string) and \
             interview-coach, each a process of its own against its own local Discord. Latency: from the \
             dispatch frame leaving the fake to the arrival of the bot's request carrying the reply's \
             content. {rounds} run(s) of each scenario, floor and bot alternating; samples pooled. \
             Bot CPU per request: user + system time of the answering process during the run, \
             divided by the requests (10 ms resolution per run).\n"
        );
        let _ = writeln!(
            out,
            "| scenario | bot | sent | failed | p50 | p99 | max | throughput | bot CPU per request |\n|---|---|---|---|---|---|---|---|---|"
        );
        let fa = Run::merge(&f.floor_asks).summary();
        let ba = Run::merge(&f.bot_asks).summary();
        let label = format!("/ask burst ({} at once)", count(s.map_or(0, |s| s.asks)));
        row(&mut out, &label, "floor", &fa);
        row(&mut out, "", "interview-coach", &ba);
        ratio_row(&mut out, &ba, &fa);
        let ft = Run::merge(&f.floor_threads).summary();
        let bt = Run::merge(&f.bot_threads).summary();
        let label = format!(
            "thread replies ({} over {} open interviews)",
            count(s.map_or(0, |s| s.replies)),
            count(s.map_or(0, |s| s.interviews))
        );
        row(&mut out, &label, "floor", &ft);
        row(&mut out, "", "interview-coach", &bt);
        ratio_row(&mut out, &bt, &ft);
        let mk = Run::merge(&f.mocks).summary();
        row(
            &mut out,
            &format!(
                "/mock ({} at once), to the first post in the new thread",
                count(s.map_or(0, |s| s.interviews))
            ),
            "interview-coach",
            &mk,
        );
        if f.bot_ask_single.is_some() || f.bot_thread_single.is_some() {
            let _ = writeln!(
                out,
                "\n**One request at a time** (nothing queued: `/ask`s 20 ms apart, each thread reply \
                 sent when the previous one was answered), the handling time itself:\n"
            );
            let _ = writeln!(
                out,
                "| scenario | bot | sent | failed | p50 | p99 | max | throughput | bot CPU per request |\n|---|---|---|---|---|---|---|---|---|"
            );
            for (label, floor_run, bot_run) in [
                (
                    "/ask, one at a time",
                    &f.floor_ask_single,
                    &f.bot_ask_single,
                ),
                (
                    "thread replies, one at a time",
                    &f.floor_thread_single,
                    &f.bot_thread_single,
                ),
            ] {
                if let (Some(fr), Some(br)) = (floor_run, bot_run) {
                    let (fs, bs) = (fr.summary(), br.summary());
                    row(&mut out, label, "floor", &fs);
                    row(&mut out, "", "interview-coach", &bs);
                    ratio_row(&mut out, &bs, &fs);
                }
            }
        }
        let per_round = |bot: &[Run], floor: &[Run], p: f64| -> String {
            bot.iter()
                .zip(floor)
                .map(|(b, f)| {
                    let mut bl = b.latencies.clone();
                    let mut fl = f.latencies.clone();
                    bl.sort();
                    fl.sort();
                    fmt_ratio(ratio(percentile(&bl, p), percentile(&fl, p)))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "\nRatios per run — /ask p50: {}; p99: {}. Thread replies p50: {}; p99: {}.",
            per_round(&f.bot_asks, &f.floor_asks, 50.0),
            per_round(&f.bot_asks, &f.floor_asks, 99.0),
            per_round(&f.bot_threads, &f.floor_threads, 50.0),
            per_round(&f.bot_threads, &f.floor_threads, 99.0),
        );
        let _ = writeln!(
            out,
            "\n| run | floor p50 | bot p50 | floor p99 | bot p99 | floor throughput | bot throughput |\n|---|---|---|---|---|---|---|"
        );
        for (name, floor_runs, bot_runs) in [
            ("/ask", &f.floor_asks, &f.bot_asks),
            ("thread replies", &f.floor_threads, &f.bot_threads),
        ] {
            for (i, (fl, bo)) in floor_runs.iter().zip(bot_runs.iter()).enumerate() {
                let (fs, bs) = (fl.summary(), bo.summary());
                let _ = writeln!(
                    out,
                    "| {name} #{} | {} | {} | {} | {} | {} | {} |",
                    i + 1,
                    ms(fs.p50),
                    ms(bs.p50),
                    ms(fs.p99),
                    ms(bs.p99),
                    per_sec(fs.throughput),
                    per_sec(bs.throughput)
                );
            }
        }
        let late = ba.late + mk.late;
        let _ = writeln!(
            out,
            "Interactions answered after Discord's 3 s deadline: {late}. The bot's thread replies include \
             the durable commit (SQLite, WAL) before the post."
        );
        for (name, runs) in [
            ("floor /ask", &f.floor_asks),
            ("bot /ask", &f.bot_asks),
            ("floor threads", &f.floor_threads),
            ("bot threads", &f.bot_threads),
            ("bot /mock", &f.mocks),
        ] {
            let problems: Vec<&String> = runs.iter().flat_map(|r| &r.problems).take(3).collect();
            if !problems.is_empty() {
                let _ = writeln!(out, "\nFirst failures ({name}): {problems:?}");
            }
        }
    }

    if let Some(sc) = &r.store {
        let _ = writeln!(out, "\n## The durable commit alone\n");
        let _ = writeln!(
            out,
            "The store calls of one thread reply — the answer with its feedback ({} bytes of JSON), \
             the interview's next state ({} bytes) and the queued post ({} bytes) in one \
             transaction, then the batched \"posted\" mark — made directly through `Store` in the \
             benchmark process, with no Discord and no coaching: {} answers over {} open interviews \
             at once (a round of answers in flight together), then {} one at a time. CPU: the \
             benchmark process's user + system time (10 ms resolution).\n",
            sc.feedback_bytes,
            sc.state_bytes,
            sc.post_bytes,
            count(sc.burst_answers),
            count(sc.interviews),
            count(sc.single_answers),
        );
        let _ = writeln!(
            out,
            "| answers | CPU per answer | wall time per answer |\n|---|---|---|"
        );
        for (label, cpu, n, wall) in [
            (
                "at once",
                sc.burst_cpu_per_answer(),
                sc.burst_answers,
                sc.burst_wall,
            ),
            (
                "one at a time",
                sc.single_cpu_per_answer(),
                sc.single_answers,
                sc.single_wall,
            ),
        ] {
            let wall = u32::try_from(n).ok().filter(|n| *n > 0).map(|n| wall / n);
            let _ = writeln!(out, "| {label} | {} | {} |", us(cpu), us(wall));
        }
        let floor = r
            .floor_vs_bot
            .as_ref()
            .and_then(|f| Run::merge(&f.floor_threads).summary().cpu_per_request);
        let commit = sc.burst_cpu_per_answer();
        if let (Some(_), Some(_)) = (commit, floor) {
            let _ = writeln!(
                out,
                "\nIn the thread-reply burst of this run the floor's whole reply took {} of CPU: the \
                 commit alone, at once, is **{}×** that, before the bot has analysed, rendered or \
                 posted anything.",
                us(floor),
                fmt_ratio(ratio(commit, floor)),
            );
        }
    }

    if let Some(rl) = &r.reload {
        let s = r.sizes.as_ref();
        let _ = writeln!(out, "\n## Guide reload under load\n");
        let mut sorted = rl.load_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let _ = writeln!(
            out,
            "Generated guides: {} roles × {} questions = {} questions ({} files, with the shipped shared \
             frameworks and templates). `GuideLibrary::load` (read, parse, expand templates, validate), \
             {} runs in the benchmark process: median **{}**, min {}, max {}.\n",
            count(rl.roles),
            count(s.map_or(0, |s| s.questions)),
            count(rl.questions),
            rl.files,
            rl.load_ms.len(),
            median(&rl.load_ms).map_or_else(|| "—".into(), |m| format!("{m:.1} ms")),
            sorted.first().map_or_else(|| "—".into(), |m| format!("{m:.1} ms")),
            sorted.last().map_or_else(|| "—".into(), |m| format!("{m:.1} ms")),
        );
        let _ = writeln!(
            out,
            "The bot runs on those guides; {} `/ask`s for the generated roles are sent evenly over {:.1} s, \
             three times: without reloads, with `/guides reload` sent once a second ({} reloads, at 0, 1, … s), \
             and without again.\n",
            count(s.map_or(0, |s| s.reload_asks)),
            s.map_or(0.0, |s| s.reload_span.as_secs_f64()),
            s.map_or(0, |s| s.reload_offsets().len())
        );
        let threshold = {
            let b = rl.before.summary().p99;
            let a = rl.after.summary().p99;
            b.max(a)
        };
        let slower = |run: &Run| {
            threshold.map_or_else(
                || "—".into(),
                |t| {
                    let n = run.latencies.iter().filter(|l| **l > t).count();
                    format!(
                        "{n} ({:.1}%)",
                        100.0 * n as f64 / run.latencies.len().max(1) as f64
                    )
                },
            )
        };
        let _ = writeln!(
            out,
            "| /ask stream | sent | failed | p50 | p99 | max | slower than the no-reload p99 |\n|---|---|---|---|---|---|---|"
        );
        for (label, run) in [
            ("without reloads (before)", &rl.before),
            ("**with a reload every second**", &rl.during),
            ("without reloads (after)", &rl.after),
        ] {
            let s = run.summary();
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} | {} | {} | {} |",
                count(s.sent),
                s.failed + s.late,
                ms(s.p50),
                ms(s.p99),
                ms(s.max),
                slower(run)
            );
        }
        let rs = rl.reloads.summary();
        let mut reported = rl.reload_reported_ms.clone();
        reported.sort_by(f64::total_cmp);
        let _ = writeln!(
            out,
            "\nReloads: {} sent, {} failed; reply (follow-up) p50 {}, max {}; reload time the bot reported: \
             median {}, max {}.",
            rs.sent,
            rs.failed,
            ms(rs.p50),
            ms(rs.max),
            median(&reported).map_or_else(|| "—".into(), |m| format!("{m:.0} ms")),
            reported.last().map_or_else(|| "—".into(), |m| format!("{m:.0} ms")),
        );
        for run in [&rl.before, &rl.during, &rl.after, &rl.reloads] {
            if !run.problems.is_empty() {
                let _ = writeln!(out, "\nFirst failures: {:?}", run.problems);
            }
        }
    }

    let m = &r.memory;
    if m.idle.is_some() || m.loaded.is_some() {
        let _ = writeln!(out, "\n## Memory\n");
        let _ = writeln!(
            out,
            "Resident set size (`VmRSS`) and its peak (`VmHWM`) from `/proc/PID/status`; MB = 10⁶ bytes.\n"
        );
        let _ = writeln!(out, "| bot process | RSS | peak |\n|---|---|---|");
        let line = |out: &mut String, label: &str, mem: Option<super::proc::Memory>| {
            if let Some(mem) = mem {
                let _ = writeln!(out, "| {label} | {} | {} |", mb(mem.rss), mb(mem.peak));
            }
        };
        line(
            &mut out,
            "idle after start (shipped guides, empty database)",
            m.idle,
        );
        line(
            &mut out,
            "the same process after the floor-vs-bot runs",
            m.after_load,
        );
        line(
            &mut out,
            &format!(
                "idle after start with {} open interviews stored and loaded",
                count(m.interviews)
            ),
            m.loaded,
        );
        if let (Some(idle), Some(loaded)) = (m.idle, m.loaded) {
            let growth = loaded.rss as i64 - idle.rss as i64;
            let _ = writeln!(
                out,
                "\nGrowth with {} open interviews: {:+.1} MB, {:.0} bytes per interview. \
                 (Storing them through the store API took {:.1} s.)",
                count(m.interviews),
                growth as f64 / 1e6,
                growth as f64 / m.interviews.max(1) as f64,
                m.seed_secs
            );
        }
    }

    let _ = writeln!(out, "\n## Pure parts (criterion)\n");
    let _ = writeln!(
        out,
        "| benchmark | median | 95% confidence interval |\n|---|---|---|"
    );
    match &r.pure {
        Some(Outcome::Measured(all)) => {
            for e in all {
                let id = e.id.rsplit('/').next().unwrap_or(&e.id);
                let what = pure::describe(id);
                let _ = writeln!(
                    out,
                    "| {} (`{}`) | {} | {} – {} |",
                    if what.is_empty() { id } else { what },
                    e.id,
                    Estimate::human(e.median_ns),
                    Estimate::human(e.low_ns),
                    Estimate::human(e.high_ns)
                );
            }
        }
        Some(Outcome::Missing(why) | Outcome::Failed(why)) => {
            let _ = writeln!(out, "| selection and rendering | {why} | |");
        }
        None => {
            let _ = writeln!(out, "| selection and rendering | not run | |");
        }
    }
    match &r.feedback {
        Some(Outcome::Measured(all)) => {
            for e in all {
                let _ = writeln!(
                    out,
                    "| feedback analysis (`{}`, from `benches/feedback.rs`) | {} | {} – {} |",
                    e.id,
                    Estimate::human(e.median_ns),
                    Estimate::human(e.low_ns),
                    Estimate::human(e.high_ns)
                );
            }
        }
        Some(Outcome::Missing(why) | Outcome::Failed(why)) => {
            let _ = writeln!(
                out,
                "| feedback analysis of a 300-word answer | pending: {why} | |"
            );
        }
        None => {
            let _ = writeln!(
                out,
                "| feedback analysis of a 300-word answer | pending: not run | |"
            );
        }
    }
    if !r.violations.is_empty() {
        let _ = writeln!(
            out,
            "\n**The fake recorded {} violation(s)**: {:?}",
            r.violations.len(),
            r.violations.iter().take(5).collect::<Vec<_>>()
        );
    }
    if !notes.trim().is_empty() {
        let _ = writeln!(out, "\n{}", notes.trim());
    }
    out
}

/// How long a duration is, for progress lines.
pub fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

#[cfg(test)]
#[allow(unused_imports)] // bench builds compile this module but drop its #[test]s
mod tests {
    use super::*;

    #[test]
    fn thousands_and_dates() {
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(200), "200");
        let now = utc_now();
        assert!(now.ends_with(" UTC") && now.len() == 20, "{now}");
    }
}
