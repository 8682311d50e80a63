//! The start-up checks and the schema migrations, run once when the store opens.
//!
//! The schema lives in `migrations/`, one SQL script per version, embedded in the binary
//! and applied in order; `PRAGMA user_version` records the last one applied. Databases
//! written by releases that applied migrations with sqlx are recognised by their
//! `_sqlx_migrations` table. `PRAGMA application_id` marks a file as ours, so pointing the
//! bot at another program's database is an error rather than a migration of its data.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::error::{one_line, StoreError};
use super::rows::{all, col};

/// `PRAGMA application_id` of our databases ("ICoa").
pub(crate) const APPLICATION_ID: i32 = 0x4943_6f61;

/// The schema, one script per version, applied in order. Add a script at the end; never
/// edit one that has shipped.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/0001_initial.sql"))];

/// Checks that the freshly opened file is ours and intact, switches it to WAL, then brings
/// its schema up to date. Returns how many migrations were applied.
pub(super) fn prepare(conn: &mut Connection, path: &Path) -> Result<usize, StoreError> {
    // A damaged page can make a check's own query fail rather than report a problem.
    let open_err = |source: rusqlite::Error| {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) {
            StoreError::Damaged {
                path: path.to_path_buf(),
                detail: one_line(&source.to_string()),
            }
        } else {
            StoreError::Open {
                path: path.to_path_buf(),
                source,
            }
        }
    };

    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(open_err)?;
    if application_id != APPLICATION_ID {
        let objects: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(open_err)?;
        if application_id != 0 || objects != 0 {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
                detail: format!(
                    "application_id is {application_id:#x} and it holds {objects} tables or indexes"
                ),
            });
        }
        // An empty database, created just now (or by an earlier start that stopped here).
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(open_err)?;
        tracing::info!(path = %path.display(), "created a new interview store");
    }

    // Proportional to the file size, which retention keeps small; cheap next to finding
    // out about a damaged file in the middle of an interview.
    let problems = all(conn, "PRAGMA quick_check", [], "check the file", |row| {
        col::<String>(row, 0)
    })
    .map_err(|error| match error {
        StoreError::Query { source, .. } => open_err(source),
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
        .map_err(open_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), mode, "the database could not switch to WAL; readers will wait for writers");
    }
    migrate(conn, path)
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

/// Applies the [`MIGRATIONS`] the file does not have yet, each in a transaction of its own
/// with its `user_version`. Returns how many were applied.
fn migrate(conn: &mut Connection, path: &Path) -> Result<usize, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(open_err)?;
    if version == 0 {
        version = sqlx_schema_version(conn).map_err(open_err)?;
        if version != 0 {
            // Recorded the new way from now on; the old table is left as it is.
            conn.pragma_update(None, "user_version", version)
                .map_err(open_err)?;
        }
    }
    let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if version > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    let mut applied = 0;
    for &(target, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > version) {
        let migrate_err = |source| StoreError::Migrate {
            path: path.to_path_buf(),
            version: target,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(migrate_err)?;
        tx.execute_batch(sql).map_err(migrate_err)?;
        tx.pragma_update(None, "user_version", target)
            .map_err(migrate_err)?;
        tx.commit().map_err(migrate_err)?;
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
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
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
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        let applied = migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(applied, MIGRATIONS.len());
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert_eq!(migrate(&mut conn, Path::new(":memory:")).unwrap(), 0);
    }
}
