//! The report's sections for the parts beside floor vs bot: the store alone, guide reloads
//! under load, memory, and the criterion benches.

use std::fmt::Write as _;

use super::super::crit::{Estimate, Outcome};
use super::super::stats::{median, ms, ratio, Run};
use super::super::{pure, Results};
use super::{count, fmt_ratio, mb, us};

/// "The durable commit alone".
pub fn store(out: &mut String, r: &Results) {
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
}

/// "Guide reload under load".
pub fn reload(out: &mut String, r: &Results) {
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
}

/// "Memory".
pub fn memory(out: &mut String, r: &Results) {
    let m = &r.memory;
    if m.idle.is_some() || m.loaded.is_some() {
        let _ = writeln!(out, "\n## Memory\n");
        let _ = writeln!(
            out,
            "Resident set size (`VmRSS`) and its peak (`VmHWM`) from `/proc/PID/status`; MB = 10⁶ bytes.\n"
        );
        let _ = writeln!(out, "| bot process | RSS | peak |\n|---|---|---|");
        let line = |out: &mut String, label: &str, mem: Option<super::super::proc::Memory>| {
            if let Some(mem) = mem {
                let _ = writeln!(out, "| {label} | {} | {} |", mb(mem.rss), mb(mem.peak));
            }
        };
        line(
            out,
            "idle after start (shipped guides, empty database)",
            m.idle,
        );
        line(
            out,
            "the same process after the floor-vs-bot runs",
            m.after_load,
        );
        line(
            out,
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
}

/// "Pure parts (criterion)".
pub fn pure_parts(out: &mut String, r: &Results) {
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
}
