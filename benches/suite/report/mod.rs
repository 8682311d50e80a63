//! The report: the machine, every figure and ratio, and the targets of issues 7 and 18.
//! The sections are in `targets.rs`, `versus.rs` (floors, bots, shards) and `parts.rs`.

mod parts;
mod targets;
mod versus;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Results;

pub use targets::targets;

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

    let _ = writeln!(out, "## Targets (issues 7 and 18)\n");
    let _ = writeln!(out, "| target | measured | |\n|---|---|---|");
    for t in targets(r) {
        let _ = writeln!(out, "| {} | {} | {} |", t.what, t.measured, verdict(t.met));
    }
    if let Some(f) = &r.floor_vs_bot {
        versus::floor_vs_bot(&mut out, r, f);
    }
    versus::shards(&mut out, r, machine);
    parts::store(&mut out, r);
    parts::reload(&mut out, r);
    parts::memory(&mut out, r);
    parts::pure_parts(&mut out, r);

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
