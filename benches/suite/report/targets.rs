//! The targets table: issue 7's and issue 18's, each met or missed as measured.

use super::super::crit::{Estimate, Outcome};
use super::super::stats::{median, ms, ratio, Run, Summary};
use super::super::versus::FloorVsBot;
use super::super::Results;
use super::{count, fmt_ratio, mb, Target};

/// Estimates of the feedback bench that the < 100 µs target is about (issue 14 raised it
/// from 50 µs to leave room for the sentence model): the analysis itself (`analyse …`),
/// else the ones naming a 300-word answer, else all of them.
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
        same_work(&mut t, f);
        let mut all: Vec<&Run> = [
            &f.floor_asks,
            &f.bot_asks,
            &f.floor_threads,
            &f.bot_threads,
            &f.work_asks,
            &f.work_threads,
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some(p) = &f.pg {
            all.extend(
                [&p.bot_asks, &p.work_threads, &p.bot_threads]
                    .into_iter()
                    .flatten(),
            );
        }
        if let Some(s) = &r.shards {
            all.extend(s.two.iter().chain(&s.one));
        }
        let failed: usize = all.iter().map(|r| r.failed).sum();
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
                what: "feedback analysis of a 300-word answer < 100 µs".into(),
                measured: worst.map_or_else(|| "—".into(), Estimate::human),
                met: worst.map(|w| w < 100_000.0),
            }
        }
        Some(Outcome::Missing(why) | Outcome::Failed(why)) => Target {
            what: "feedback analysis of a 300-word answer < 100 µs".into(),
            measured: format!("pending: {why}"),
            met: None,
        },
        None => Target {
            what: "feedback analysis of a 300-word answer < 100 µs".into(),
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

/// Issue 18: each bot against the same-work floor, on latency and on CPU per request, on
/// both backends (`/ask` touches no store; it is judged for both bots all the same).
fn same_work(t: &mut Vec<Target>, f: &FloorVsBot) {
    let work_asks = Run::merge(&f.work_asks).summary();
    let work_threads = Run::merge(&f.work_threads).summary();
    let mut judge = |scenario: &str, backend: &str, bot: Summary, floor: Summary, limit: f64| {
        for (what, b, w) in [
            ("p50", bot.p50, floor.p50),
            ("p99", bot.p99, floor.p99),
            (
                "CPU per request",
                bot.cpu_per_request,
                floor.cpu_per_request,
            ),
        ] {
            let x = ratio(b, w);
            t.push(Target {
                what: format!("{scenario} ({backend}): bot / same-work floor at {what} ≤ {limit}"),
                measured: fmt_ratio(x),
                met: x.map(|x| x <= limit),
            });
        }
    };
    if !f.work_asks.is_empty() {
        judge(
            "/ask",
            "SQLite",
            Run::merge(&f.bot_asks).summary(),
            work_asks,
            1.15,
        );
    }
    if !f.work_threads.is_empty() {
        let bot = Run::merge(&f.bot_threads).summary();
        judge("thread replies", "SQLite", bot, work_threads, 1.25);
    }
    match &f.pg {
        Some(p) => {
            if !p.bot_asks.is_empty() {
                judge(
                    "/ask",
                    "PostgreSQL",
                    Run::merge(&p.bot_asks).summary(),
                    work_asks,
                    1.15,
                );
            }
            if !p.bot_threads.is_empty() {
                let bot = Run::merge(&p.bot_threads).summary();
                let floor = Run::merge(&p.work_threads).summary();
                judge("thread replies", "PostgreSQL", bot, floor, 1.25);
            }
        }
        None => t.push(Target {
            what: "/ask and thread replies (PostgreSQL): bot / same-work floor".into(),
            measured: format!(
                "not run: {}",
                f.pg_skipped.as_deref().unwrap_or("no PostgreSQL")
            ),
            met: None,
        }),
    }
}
