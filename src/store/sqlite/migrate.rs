//! The start-up checks and the schema migrations, run once when the store opens.
//!
//! The schema lives in `migrations/`, one SQL script per version, embedded in the binary
//! and applied in order; `PRAGMA user_version` records the last one applied. Databases
//! written by releases that applied migrations with sqlx are recognised by their
//! `_sqlx_migrations` table. `PRAGMA application_id` marks a file as ours, so pointing the
//! bot at another program's database is an error rather than a migration of its data.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::rows::{all, col};
use crate::store::error::{one_line, StoreError};

/// `PRAGMA application_id` of our databases ("ICoa").
pub(crate) const APPLICATION_ID: i32 = 0x4943_6f61;

/// The schema, one script per version, applied in order. Add a script at the end; never
/// edit one that has shipped.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../migrations/sqlite/0001_initial.sql"),
    ),
    (2, include_str!("../../../migrations/sqlite/0002_pairs.sql")),
    (3, include_str!("../../../migrations/sqlite/0003_daily.sql")),
    (
        4,
        include_str!("../../../migrations/sqlite/0004_coordination.sql"),
    ),
];

/// What the start-up checks read from the file.
struct Found {
    application_id: i32,
    /// Tables and indexes.
    objects: i64,
    /// `PRAGMA user_version`.
    user_version: i64,
    /// The schema version: `user_version`, or for a file last migrated by sqlx, its own.
    version: i64,
}

impl Found {
    fn read(conn: &Connection) -> rusqlite::Result<Found> {
        let application_id = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
        let user_version = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let objects = conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |row| row.get(0))?;
        let version = match user_version {
            0 => sqlx_schema_version(conn)?,
            version => version,
        };
        Ok(Found {
            application_id,
            objects,
            user_version,
            version,
        })
    }

    /// Refuses another program's database, and one from a newer release.
    fn check(&self, path: &Path) -> Result<(), StoreError> {
        let (application_id, objects) = (self.application_id, self.objects);
        if application_id != APPLICATION_ID && (application_id != 0 || objects != 0) {
            return Err(StoreError::Foreign {
                database: path.display().to_string(),
                detail: format!(
                    "application_id is {application_id:#x} and it holds {objects} tables or indexes"
                ),
            });
        }
        if self.version > LATEST {
            return Err(StoreError::TooNew {
                database: path.display().to_string(),
                found: self.version,
                known: LATEST,
            });
        }
        Ok(())
    }

    /// Marked as ours, with every migration applied and recorded in `user_version`.
    fn up_to_date(&self) -> bool {
        self.application_id == APPLICATION_ID && self.user_version == LATEST
    }
}

/// The schema version of the last migration.
const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Checks that the freshly opened file is ours and intact, switches it to WAL, then brings
/// its schema up to date. Returns how many migrations were applied. `error` turns an
/// SQLite error into the store's (damaged, busy, or cannot open).
///
/// Another process may be opening the same file at the same moment: the checks read
/// without a lock, and if there is anything to write, the file is read again and
/// written in one `BEGIN IMMEDIATE` transaction, so exactly one of them migrates it.
pub(super) fn prepare(
    conn: &mut Connection,
    path: &Path,
    error: impl Fn(rusqlite::Error) -> StoreError,
) -> Result<usize, StoreError> {
    // One snapshot, so that another process's migration is seen whole or not at all.
    let snapshot = conn.transaction().map_err(&error)?;
    let found = Found::read(&snapshot).map_err(&error)?;
    snapshot.commit().map_err(&error)?;
    found.check(path)?;

    // Proportional to the file size, which retention keeps small; cheap next to finding
    // out about a damaged file in the middle of an interview.
    let problems = all(conn, "PRAGMA quick_check", [], "check the file", |row| {
        col::<String>(row, 0)
    })
    .map_err(|failed| match failed {
        StoreError::Query { source, .. } => error(source),
        other => other,
    })?;
    if problems != ["ok"] {
        return Err(StoreError::Damaged {
            path: path.to_path_buf(),
            detail: one_line(&problems.join("\n")),
        });
    }

    // WAL is a property of the file: set once, it stays for every connection.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(&error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), mode, "the database could not switch to WAL; readers will wait for writers");
    }
    if found.up_to_date() {
        return Ok(0);
    }

    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&error)?;
    // Read again under the lock: another process may have got here first.
    let found = Found::read(&tx).map_err(&error)?;
    found.check(path)?;
    if found.application_id != APPLICATION_ID {
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(&error)?;
        tracing::info!(path = %path.display(), "created a new interview store");
    }
    let applied = migrate(&tx, found.version, path)?;
    if applied == 0 && found.user_version != found.version {
        // A file from the sqlx releases: recorded the new way from now on (their table is
        // left as it is).
        tx.pragma_update(None, "user_version", found.version)
            .map_err(&error)?;
    }
    tx.commit().map_err(&error)?;
    Ok(applied)
}

/// The schema version a database was left at by the releases that applied migrations with
/// sqlx, which recorded them in a `_sqlx_migrations` table instead of `user_version`.
fn sqlx_schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    let table: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if table.is_none() {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
        [],
        |row| row.get(0),
    )
}

/// Applies the [`MIGRATIONS`] after `version`, each followed by its `user_version`, inside
/// the caller's transaction. Returns how many were applied.
fn migrate(conn: &Connection, version: i64, path: &Path) -> Result<usize, StoreError> {
    let mut applied = 0;
    for &(target, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > version) {
        let migrate_err = |source| StoreError::Migrate {
            path: path.to_path_buf(),
            version: target,
            source,
        };
        conn.execute_batch(sql).map_err(migrate_err)?;
        conn.pragma_update(None, "user_version", target)
            .map_err(migrate_err)?;
        tracing::info!(path = %path.display(), version = target, "applied a schema migration");
        applied += 1;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_are_numbered_in_order_from_one() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected);
    }

    /// A script added to `migrations/` but not to [`MIGRATIONS`] would never run.
    #[test]
    fn every_script_in_the_migrations_folder_is_listed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join("sqlite");
        let mut scripts: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect();
        scripts.sort();
        let mut listed: Vec<String> = MIGRATIONS.iter().map(|(_, sql)| sql.to_string()).collect();
        listed.sort();
        assert_eq!(scripts, listed);
    }

    #[test]
    fn every_migration_applies_to_an_empty_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        let path = Path::new("test.db");
        let error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        assert_eq!(prepare(&mut conn, path, error).unwrap(), MIGRATIONS.len());
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, LATEST);
        assert_eq!(prepare(&mut conn, path, error).unwrap(), 0);
    }
}
