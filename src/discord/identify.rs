//! Taking turns to identify with the other processes of a sharded bot.
//!
//! Discord starts at most `max_concurrency` gateway sessions of a bot per 5 seconds,
//! counted over all its processes, and closes the connections that come too fast.
//! serenity paces the shards of one process 5 seconds apart but knows nothing of the
//! others, so before starting its shards a process that runs a range reserves a window in
//! the shared database (`Coordination::reserve_identify`), after every window reserved
//! before, and waits for it. Processes started together so identify one after another.
//! The window is conservative: it waits 5 seconds per shard even when `max_concurrency`
//! would allow several at once, which only makes a large bot's start slower.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::ShardRange;
use crate::store::Store;

/// The gap Discord wants between two sessions' IDENTIFYs.
pub const IDENTIFY_EVERY: Duration = Duration::from_secs(5);

/// Slack after a process's last identify for the next process's first: connecting takes
/// a moment that is not the same for every process.
const MARGIN: Duration = Duration::from_secs(1);

/// The window a process running `range` reserves: 5 s per shard, and the margin.
pub fn window(range: ShardRange) -> Duration {
    let shards = range.last.saturating_sub(range.first) + 1;
    IDENTIFY_EVERY * shards + MARGIN
}

fn unix_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// Reserves this process's turn and waits for it. A database that cannot be reached is
/// no reason not to start: the process then starts at once, as a lone process would, and
/// says so.
pub async fn take_turn(store: &Store, range: ShardRange) {
    let window = window(range);
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    let now = unix_ms();
    match store.reserve_identify(now, window_ms).await {
        Ok(start) if start > now => {
            let wait = Duration::from_millis(u64::try_from(start - now).unwrap_or(0));
            tracing::info!(
                wait_ms = wait.as_millis() as u64,
                shards = %range,
                "waiting for this process's turn to identify with Discord"
            );
            tokio::time::sleep(wait).await;
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, "could not reserve a turn to identify; identifying now");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_five_seconds_a_shard_and_a_margin() {
        let range = |first, last| ShardRange {
            first,
            last,
            total: 16,
        };
        assert_eq!(window(range(3, 3)), Duration::from_secs(6));
        assert_eq!(window(range(0, 3)), Duration::from_secs(21));
    }
}
