//! The report's floor-vs-bot section (the floors, the bot on both backends) and the shard
//! comparison.

use std::fmt::Write as _;

use super::super::stats::{ms, percentile, ratio, Run, Summary};
use super::super::versus::FloorVsBot;
use super::super::{Results, Sizes};
use super::{count, fmt_ratio, per_sec, us, Machine};

const HEADER: &str = "| scenario | who | sent | failed | p50 | p99 | max | throughput | CPU per request | PostgreSQL server CPU per request |\n|---|---|---|---|---|---|---|---|---|---|";

/// The row of a summary in a latency table.
fn row(out: &mut String, label: &str, who: &str, s: &Summary) {
    let _ = writeln!(
        out,
        "| {label} | {who} | {} | {} | {} | {} | {} | {} | {} | {} |",
        count(s.sent),
        s.failed,
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        per_sec(s.throughput),
        us(s.cpu_per_request),
        if s.db_cpu_per_request.is_some() {
            us(s.db_cpu_per_request)
        } else {
            String::new()
        }
    );
}

/// The ratios of two summaries, `a / b`, with the latency ratios in bold.
fn ratio_row(out: &mut String, what: &str, a: &Summary, b: &Summary) {
    let tp = match (a.throughput, b.throughput) {
        (Some(x), Some(y)) if y > 0.0 => Some(x / y),
        _ => None,
    };
    let db = ratio(a.db_cpu_per_request, b.db_cpu_per_request);
    let _ = writeln!(
        out,
        "| | **{what}** | | | **{}** | **{}** | {} | {} | {} | {} |",
        fmt_ratio(ratio(a.p50, b.p50)),
        fmt_ratio(ratio(a.p99, b.p99)),
        fmt_ratio(ratio(a.max, b.max)),
        fmt_ratio(tp),
        fmt_ratio(ratio(a.cpu_per_request, b.cpu_per_request)),
        db.map_or_else(String::new, |x| fmt_ratio(Some(x))),
    );
}

fn merged(runs: &[Run]) -> Summary {
    Run::merge(runs).summary()
}

fn single(run: &Option<Run>) -> Option<Summary> {
    run.as_ref().map(Run::summary)
}

/// The bursts of one scenario: floor, same-work floor(s), bot(s) and their ratios.
struct Scenario {
    label: String,
    floor: Option<Summary>,
    work: Option<Summary>,
    bot: Option<Summary>,
    pg_work: Option<Summary>,
    pg_bot: Option<Summary>,
    /// The PostgreSQL bot is compared with this same-work floor (`/ask`: the SQLite one,
    /// which stores nothing for `/ask` either).
    pg_against_sqlite_work: bool,
}

fn scenario(out: &mut String, s: &Scenario) {
    let mut label = s.label.as_str();
    let mut line = |out: &mut String, who: &str, sum: &Option<Summary>| {
        if let Some(sum) = sum {
            row(out, label, who, sum);
            label = "";
        }
    };
    line(out, "floor", &s.floor);
    line(out, "same-work floor, SQLite", &s.work);
    line(out, "interview-coach, SQLite", &s.bot);
    if let (Some(b), Some(f)) = (&s.bot, &s.floor) {
        ratio_row(out, "bot / floor", b, f);
    }
    if let (Some(b), Some(w)) = (&s.bot, &s.work) {
        ratio_row(out, "bot / same-work floor", b, w);
    }
    line(out, "same-work floor, PostgreSQL", &s.pg_work);
    line(out, "interview-coach, PostgreSQL", &s.pg_bot);
    if let Some(b) = &s.pg_bot {
        if let Some(f) = &s.floor {
            ratio_row(out, "bot (PostgreSQL) / floor", b, f);
        }
        let work = if s.pg_against_sqlite_work {
            &s.work
        } else {
            &s.pg_work
        };
        if let Some(w) = work {
            ratio_row(out, "bot (PostgreSQL) / same-work floor", b, w);
        }
    }
}

/// Per-run ratios of `a` over `b` at percentile `p`.
fn per_round(a: &[Run], b: &[Run], p: f64) -> String {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let mut xl = x.latencies.clone();
            let mut yl = y.latencies.clone();
            xl.sort();
            yl.sort();
            fmt_ratio(ratio(percentile(&xl, p), percentile(&yl, p)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn floor_vs_bot(out: &mut String, r: &Results, f: &FloorVsBot) {
    let s: Option<&Sizes> = r.sizes.as_ref();
    let rounds = f.bot_asks.len().max(f.bot_threads.len());
    let _ = writeln!(out, "\n## Floor vs bot\n");
    let _ = writeln!(
        out,
        "The same generator drives two floors and interview-coach, each a process of its own \
         against its own local Discord. The **floor** answers with a fixed 17-character string \
         and stores nothing. The **same-work floor** (issue 18) sends what the bot sends and \
         stores what it stores, without the coaching: every `/ask` is answered with a copy of a \
         real `/ask` reply of the bot's from this run ({} bytes of JSON: embed and buttons), and \
         every thread answer is committed with a {}-byte record (the bot's feedback, interview \
         state and queued post for an answer, as JSON) to the same backend as the bot's, then \
         answered with a copy of a real thread reply of the bot's ({} bytes: feedback, next \
         prompt, buttons). Latency: from the dispatch frame leaving the fake to the arrival of \
         the request carrying the reply's content. {rounds} run(s) of each scenario, the \
         processes taking turns; samples pooled. CPU per request: user + system time of the \
         answering process during the run, divided by the requests (10 ms resolution per \
         run); for PostgreSQL also the server's (postmaster and backends).\n",
        f.work_sizes.ask, f.work_sizes.record, f.work_sizes.post,
    );
    if let Some(why) = &f.pg_skipped {
        let _ = writeln!(out, "PostgreSQL rows: not run ({why}).\n");
    }
    let _ = writeln!(out, "{HEADER}");
    let pg = f.pg.as_ref();
    scenario(
        out,
        &Scenario {
            label: format!("/ask burst ({} at once)", count(s.map_or(0, |s| s.asks))),
            floor: Some(merged(&f.floor_asks)),
            work: Some(merged(&f.work_asks)),
            bot: Some(merged(&f.bot_asks)),
            pg_work: None,
            pg_bot: pg.map(|p| merged(&p.bot_asks)),
            pg_against_sqlite_work: true,
        },
    );
    scenario(
        out,
        &Scenario {
            label: format!(
                "thread replies ({} over {} open interviews)",
                count(s.map_or(0, |s| s.replies)),
                count(s.map_or(0, |s| s.interviews))
            ),
            floor: Some(merged(&f.floor_threads)),
            work: Some(merged(&f.work_threads)),
            bot: Some(merged(&f.bot_threads)),
            pg_work: pg.map(|p| merged(&p.work_threads)),
            pg_bot: pg.map(|p| merged(&p.bot_threads)),
            pg_against_sqlite_work: false,
        },
    );
    let mocks = format!(
        "/mock ({} at once), to the first post in the new thread",
        count(s.map_or(0, |s| s.interviews))
    );
    let mk = merged(&f.mocks);
    row(out, &mocks, "interview-coach, SQLite", &mk);
    if let Some(p) = pg {
        row(out, "", "interview-coach, PostgreSQL", &merged(&p.mocks));
    }
    if let Some(p) = pg {
        conflicts(
            out,
            &[
                ("the bot's thread-reply bursts", &p.bot_threads),
                ("the same-work floor's", &p.work_threads),
                ("the bot's `/mock` bursts", &p.mocks),
            ],
        );
    }
    if f.bot_ask_single.is_some() || f.bot_thread_single.is_some() {
        let _ = writeln!(
            out,
            "\n**One request at a time** (nothing queued: `/ask`s 20 ms apart, each thread reply \
             sent when the previous one was answered), the handling time itself:\n\n{HEADER}"
        );
        scenario(
            out,
            &Scenario {
                label: "/ask, one at a time".into(),
                floor: single(&f.floor_ask_single),
                work: single(&f.work_ask_single),
                bot: single(&f.bot_ask_single),
                pg_work: None,
                pg_bot: None,
                pg_against_sqlite_work: true,
            },
        );
        scenario(
            out,
            &Scenario {
                label: "thread replies, one at a time".into(),
                floor: single(&f.floor_thread_single),
                work: single(&f.work_thread_single),
                bot: single(&f.bot_thread_single),
                pg_work: pg.and_then(|p| single(&p.work_thread_single)),
                pg_bot: pg.and_then(|p| single(&p.bot_thread_single)),
                pg_against_sqlite_work: false,
            },
        );
    }
    let _ = writeln!(
        out,
        "\nRatios per run — /ask p50: {}; p99: {}. Thread replies p50: {}; p99: {}. \
         Against the same-work floor (SQLite) — /ask p50: {}; p99: {}. Thread replies p50: {}; \
         p99: {}.",
        per_round(&f.bot_asks, &f.floor_asks, 50.0),
        per_round(&f.bot_asks, &f.floor_asks, 99.0),
        per_round(&f.bot_threads, &f.floor_threads, 50.0),
        per_round(&f.bot_threads, &f.floor_threads, 99.0),
        per_round(&f.bot_asks, &f.work_asks, 50.0),
        per_round(&f.bot_asks, &f.work_asks, 99.0),
        per_round(&f.bot_threads, &f.work_threads, 50.0),
        per_round(&f.bot_threads, &f.work_threads, 99.0),
    );
    if let Some(p) = pg {
        let _ = writeln!(
            out,
            "On PostgreSQL, thread replies against the same-work floor (PostgreSQL) — p50: {}; \
             p99: {}.",
            per_round(&p.bot_threads, &p.work_threads, 50.0),
            per_round(&p.bot_threads, &p.work_threads, 99.0),
        );
    }
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
    let late = merged(&f.bot_asks).late + mk.late;
    let _ = writeln!(
        out,
        "Interactions answered after Discord's 3 s deadline: {late}. The bot's thread replies include \
         the durable commit (SQLite in WAL, or PostgreSQL) before the post."
    );
    let mut named: Vec<(&str, &Vec<Run>)> = vec![
        ("floor /ask", &f.floor_asks),
        ("same-work floor /ask", &f.work_asks),
        ("bot /ask", &f.bot_asks),
        ("floor threads", &f.floor_threads),
        ("same-work floor threads", &f.work_threads),
        ("bot threads", &f.bot_threads),
        ("bot /mock", &f.mocks),
    ];
    if let Some(p) = pg {
        named.extend([
            ("bot (PostgreSQL) /ask", &p.bot_asks),
            ("same-work floor (PostgreSQL) threads", &p.work_threads),
            ("bot (PostgreSQL) threads", &p.bot_threads),
            ("bot (PostgreSQL) /mock", &p.mocks),
        ]);
    }
    for (name, runs) in named {
        let problems: Vec<&String> = runs.iter().flat_map(|r| &r.problems).take(3).collect();
        if !problems.is_empty() {
            let _ = writeln!(out, "\nFirst failures ({name}): {problems:?}");
        }
    }
    if let Some(p) = pg.filter(|p| !p.complaints.is_empty()) {
        complaints(out, "The bot on PostgreSQL", &p.complaints);
    }
}

/// How many transactions PostgreSQL aborted for a conflict during each set of runs.
fn conflicts(out: &mut String, sets: &[(&str, &Vec<Run>)]) {
    let parts: Vec<String> = sets
        .iter()
        .filter_map(|(name, runs)| {
            let all = Run::merge(runs);
            let n = all.db_conflicts?;
            Some(format!(
                "{name} {} ({:.2} per request)",
                count(n as usize),
                n as f64 / all.sent.max(1) as f64
            ))
        })
        .collect();
    if !parts.is_empty() {
        let _ = writeln!(
            out,
            "\nTransactions PostgreSQL aborted for a conflict (serialization failure or deadlock, \
             counted in its log; the bot's store runs each again, up to 10 times, and gives up \
             after that): {}.",
            parts.join("; ")
        );
    }
}

/// The first warnings and errors a bot logged, quoted.
fn complaints(out: &mut String, who: &str, lines: &[String]) {
    let _ = writeln!(
        out,
        "\n{who} logged these warnings or errors (the first few):\n"
    );
    for line in lines {
        let _ = writeln!(out, "    {line}");
    }
}

/// The shard comparison.
pub fn shards(out: &mut String, r: &Results, machine: &Machine) {
    let Some(sh) = &r.shards else {
        if let Some(why) = &r.shards_skipped {
            let _ = writeln!(
                out,
                "\n## One bot split over two shard processes\n\nNot run: {why}."
            );
        }
        return;
    };
    let s = r.sizes.as_ref();
    let _ = writeln!(
        out,
        "\n## One bot split over two shard processes (PostgreSQL)\n"
    );
    let _ = writeln!(
        out,
        "The same bot as two processes, `[discord] shards = \"0-0/2\"` and `\"1-1/2\"`, against \
         one process running both shards (`\"0-1/2\"`), each setup on a fresh schema of the same \
         PostgreSQL database and against a local Discord with two shards. The thread-reply burst \
         of the table above ({} replies over {} interviews opened by a `/mock` burst), the \
         interviews taking turns over a server on shard 0 and one on shard 1; {} run(s) of each \
         setup, taking turns. CPU per request: both processes of the split bot together. \
         **This machine has {} cores**, shared by the bot processes, PostgreSQL and the load \
         generator: two processes cannot run faster than one here, so this measures what \
         splitting a bot costs (a runtime, a connection pool and a gateway session per process, \
         coordination through the database), not how it scales. Both setups were started \
         together and had every shard connected after {:.1} s (each shard waits its identify \
         turn, 5 s apart).\n",
        count(s.map_or(0, |s| s.replies)),
        count(s.map_or(0, |s| s.interviews)),
        sh.two.len(),
        machine.cpus,
        sh.startup.as_secs_f64(),
    );
    let _ = writeln!(out, "{HEADER}");
    let (two, one) = (merged(&sh.two), merged(&sh.one));
    row(out, "thread replies", "two processes, one shard each", &two);
    row(out, "", "one process, both shards", &one);
    ratio_row(out, "two / one", &two, &one);
    let (two_mocks, one_mocks) = (merged(&sh.two_mocks), merged(&sh.one_mocks));
    row(
        out,
        "/mock, to the first post",
        "two processes, one shard each",
        &two_mocks,
    );
    row(out, "", "one process, both shards", &one_mocks);
    conflicts(
        out,
        &[
            ("the split bot's thread-reply bursts", &sh.two),
            ("the whole bot's", &sh.one),
            ("the split bot's `/mock` bursts", &sh.two_mocks),
            ("the whole bot's", &sh.one_mocks),
        ],
    );
    let _ = writeln!(
        out,
        "\nRatios per run (two / one) — p50: {}; p99: {}.",
        per_round(&sh.two, &sh.one, 50.0),
        per_round(&sh.two, &sh.one, 99.0),
    );
    for (name, runs) in [("two processes", &sh.two), ("one process", &sh.one)] {
        let problems: Vec<&String> = runs.iter().flat_map(|r| &r.problems).take(3).collect();
        if !problems.is_empty() {
            let _ = writeln!(out, "\nFirst failures ({name}): {problems:?}");
        }
    }
    if !sh.complaints.is_empty() {
        complaints(out, "The sharded bots", &sh.complaints);
    }
}
