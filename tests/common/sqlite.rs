//! Raw SQLite helpers that more than one test binary needs, included with
//! `#[path]` (each binary under `tests/` is its own crate).

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// Copies the write-ahead log into the file and empties it, retrying while
/// the store's own background checkpoint is running, so a test can read the
/// database file itself for text that must be gone.
pub fn checkpoint(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    for _ in 0..200 {
        let busy: i64 = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
            .unwrap();
        if busy == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the write-ahead log could not be checkpointed");
}
