//! Running the criterion benches (`pure`, and the feedback analyser's `feedback` when it is
//! there) and reading back what they measured.
//!
//! criterion has no API that hands back its estimates, but it writes them for every
//! benchmark to `<home>/<group>/<function>/new/{benchmark,estimates}.json`; the suite runs
//! `cargo bench --bench NAME` with `CRITERION_HOME` set and reads the files it wrote.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use serde_json::Value;

/// One criterion benchmark's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// criterion's `full_id`, e.g. `pure/render_ask_reply`.
    pub id: String,
    /// Median time per iteration, and its 95% confidence interval, in nanoseconds.
    pub median_ns: f64,
    pub low_ns: f64,
    pub high_ns: f64,
}

impl Estimate {
    pub fn human(ns: f64) -> String {
        if ns >= 1e6 {
            format!("{:.2} ms", ns / 1e6)
        } else if ns >= 1e3 {
            format!("{:.2} µs", ns / 1e3)
        } else {
            format!("{ns:.0} ns")
        }
    }
}

/// What running one criterion bench target gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Measured(Vec<Estimate>),
    /// The bench target does not exist (yet).
    Missing(String),
    /// It exists but did not run or wrote nothing.
    Failed(String),
}

/// The target directory this executable was built into (`<target>/<profile>/deps/<exe>`).
pub fn target_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.to_path_buf())
}

/// Runs `cargo bench --bench NAME -- --noplot` for this workspace and reads its estimates.
pub fn run_bench(name: &str, manifest_dir: &Path) -> Outcome {
    if !manifest_dir
        .join("benches")
        .join(format!("{name}.rs"))
        .exists()
    {
        return Outcome::Missing(format!("benches/{name}.rs is not in this checkout"));
    }
    let Some(target) = target_dir() else {
        return Outcome::Failed("cannot tell the target directory".into());
    };
    let home = target.join("criterion");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = SystemTime::now();
    eprintln!("== criterion: cargo bench --bench {name}");
    let mut command = Command::new(cargo);
    // Cargo ran this process with the package's own variables set (CARGO_PKG_NAME, OUT_DIR,
    // …). Build scripts such as ring's ask to be rerun when those change in cargo's
    // environment, so passing them on made the nested cargo rebuild half the dependency
    // tree, and the next `cargo bench --bench bot` rebuild it back.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || matches!(
                &*key,
                "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE" | "OUT_DIR"
            )
        {
            command.env_remove(&*key);
        }
    }
    let status = command
        .current_dir(manifest_dir)
        .args(["bench", "--bench", name, "--target-dir"])
        .arg(&target)
        .args(["--", "--noplot"])
        .env("CRITERION_HOME", &home)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => return Outcome::Failed(format!("`cargo bench --bench {name}` failed ({s})")),
        Err(e) => return Outcome::Failed(format!("cannot run cargo: {e}")),
    }
    match read(&home, started) {
        Ok(v) if v.is_empty() => {
            Outcome::Failed(format!("`cargo bench --bench {name}` wrote no estimates"))
        }
        Ok(v) => Outcome::Measured(v),
        Err(e) => Outcome::Failed(e),
    }
}

/// Every estimate under `home` written at or after `since`, sorted by id.
pub fn read(home: &Path, since: SystemTime) -> Result<Vec<Estimate>, String> {
    let mut found = Vec::new();
    walk(home, &mut |dir| {
        if dir.file_name().is_some_and(|n| n == "new") {
            let bench = dir.join("benchmark.json");
            let estimates = dir.join("estimates.json");
            let fresh = std::fs::metadata(&estimates)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since);
            if fresh {
                found.push(parse(&bench, &estimates)?);
            }
        }
        Ok(())
    })?;
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path) -> Result<(), String>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    f(dir)?;
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&entry.path(), f)?;
        }
    }
    Ok(())
}

fn parse(bench: &Path, estimates: &Path) -> Result<Estimate, String> {
    let load = |p: &Path| -> Result<Value, String> {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", p.display()))
    };
    let b = load(bench)?;
    let e = load(estimates)?;
    let num = |v: &Value, what: &str| {
        v.as_f64()
            .ok_or_else(|| format!("{} has no {what}", estimates.display()))
    };
    Ok(Estimate {
        id: b["full_id"]
            .as_str()
            .ok_or_else(|| format!("{} has no full_id", bench.display()))?
            .to_string(),
        median_ns: num(&e["median"]["point_estimate"], "median")?,
        low_ns: num(
            &e["median"]["confidence_interval"]["lower_bound"],
            "lower bound",
        )?,
        high_ns: num(
            &e["median"]["confidence_interval"]["upper_bound"],
            "upper bound",
        )?,
    })
}

#[cfg(test)]
#[allow(unused_imports)] // bench builds compile this module but drop its #[test]s
mod tests {
    use super::*;

    #[test]
    fn reads_what_criterion_writes() {
        let home = tempfile::tempdir().expect("temp dir");
        let dir = home.path().join("pure/render_ask_reply/new");
        std::fs::create_dir_all(&dir).expect("create");
        std::fs::write(
            dir.join("benchmark.json"),
            r#"{"group_id":"pure","function_id":"render_ask_reply","value_str":null,"throughput":null,"full_id":"pure/render_ask_reply","directory_name":"pure/render_ask_reply","title":"pure/render_ask_reply"}"#,
        )
        .expect("write");
        std::fs::write(
            dir.join("estimates.json"),
            r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":10.0,"upper_bound":12.0},"point_estimate":11.0,"standard_error":0.5},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":9.5,"upper_bound":10.5},"point_estimate":10.0,"standard_error":0.2}}"#,
        )
        .expect("write");
        let got = read(home.path(), SystemTime::UNIX_EPOCH).expect("read");
        assert_eq!(
            got,
            vec![Estimate {
                id: "pure/render_ask_reply".into(),
                median_ns: 10.0,
                low_ns: 9.5,
                high_ns: 10.5
            }]
        );
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(read(home.path(), later).expect("read").is_empty());
    }
}
