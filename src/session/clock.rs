//! The bot's clock: [`now`], unix seconds, against which every timestamp in the store
//! and every expiry (queue waits, idle rounds and pairs, retention) is measured; and
//! [`sweep_every`], how often the sweeper looks for what expired.
//!
//! **Test seam, never for production.** When the environment variable
//! [`TEST_CLOCK_ENV`] names a file, the whole number of seconds written in it is added to
//! the system time on every read of [`now`] (a missing or unparsable file adds nothing),
//! and the sweeper runs every [`TEST_SWEEP_EVERY`] instead of its usual interval. An
//! end-to-end test moves the bot's clock forward by writing the file, instead of
//! sleeping out real minutes. The variable is read once, at the first use; nothing in the
//! configuration sets it, and the bot warns in its log at start-up when it is set
//! ([`test_clock_file`]).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The environment variable naming the test clock's offset file (see the module docs).
pub const TEST_CLOCK_ENV: &str = "INTERVIEW_COACH_TEST_CLOCK_FILE";

/// How often the sweeper runs under the test clock.
pub const TEST_SWEEP_EVERY: Duration = Duration::from_millis(250);

static TEST_CLOCK: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The test clock's offset file, when [`TEST_CLOCK_ENV`] is set.
pub fn test_clock_file() -> Option<&'static Path> {
    TEST_CLOCK
        .get_or_init(|| std::env::var_os(TEST_CLOCK_ENV).map(PathBuf::from))
        .as_deref()
}

/// Unix seconds now: the store's timestamps.
pub fn now() -> i64 {
    let system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    system + test_offset()
}

fn test_offset() -> i64 {
    test_clock_file()
        .and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// The sweeper's interval: `usual`, or [`TEST_SWEEP_EVERY`] under the test clock.
pub fn sweep_every(usual: Duration) -> Duration {
    if test_clock_file().is_some() {
        TEST_SWEEP_EVERY
    } else {
        usual
    }
}
