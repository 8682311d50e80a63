//! Snowflakes and timestamps shaped like Discord's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// A new, process-wide unique snowflake, time-based like Discord's so ids sort by creation
/// and never collide with the small hand-written ids tests use for fixtures.
pub fn next_snowflake() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = (unix_millis().saturating_sub(DISCORD_EPOCH_MS)) << 22;
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let candidate = now.max(prev + 1);
        match LAST.compare_exchange_weak(prev, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return candidate,
            Err(actual) => prev = actual,
        }
    }
}

pub fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The current time as Discord formats timestamps: `2024-05-01T12:00:00.123000+00:00`.
pub fn now_timestamp() -> String {
    timestamp_from_millis(unix_millis())
}

pub fn timestamp_from_millis(ms: u64) -> String {
    let secs = ms / 1000;
    let micros = (ms % 1000) * 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}+00:00",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian), to avoid a date crate.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses a snowflake from either a JSON string or number.
pub fn id_of(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::String(s) => s.parse().ok(),
        serde_json::Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_discord_shaped() {
        assert_eq!(timestamp_from_millis(0), "1970-01-01T00:00:00.000000+00:00");
        assert_eq!(
            timestamp_from_millis(1_714_564_800_123),
            "2024-05-01T12:00:00.123000+00:00"
        );
        assert_eq!(
            timestamp_from_millis(951_782_400_000),
            "2000-02-29T00:00:00.000000+00:00"
        );
    }

    #[test]
    fn snowflakes_increase() {
        let a = next_snowflake();
        let b = next_snowflake();
        assert!(b > a);
        assert!(a > 1 << 40, "time-based, far above fixture ids");
    }
}
