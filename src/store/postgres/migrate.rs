//! The start-up check and the schema migrations of a PostgreSQL database.
//!
//! The schema lives in `migrations/postgres/`, one SQL script per version, embedded in the
//! binary. The table `interview_coach_schema` records each version applied; a schema
//! (PostgreSQL's namespace, `public` unless the URL sets a `search_path`) that holds
//! tables but not that one belongs to something else and is refused, and one whose
//! version is newer than this build's is refused too, untouched.
//!
//! Processes starting together all run this: the check and every migration happen in one
//! transaction that first takes a transaction-scoped advisory lock, so one process
//! migrates and the others wait, then find nothing left to do. DDL is transactional in
//! PostgreSQL, so a failed migration leaves the schema as it was.

use deadpool_postgres::Object;

use crate::store::error::{pg_detail, StoreError};

/// Every migration, in order: (version, script).
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        include_str!("../../../migrations/postgres/0002_pairs.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/postgres/0003_daily.sql"),
    ),
    (
        4,
        include_str!("../../../migrations/postgres/0004_coordination.sql"),
    ),
];

/// The newest schema version this build knows.
const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The advisory lock key the migrations hold ("ICoa", as SQLite's application id).
const LOCK_KEY: i64 = 0x4943_6f61;

/// Checks the database is ours (or empty) and not from a newer release, and applies
/// the pending migrations. Returns how many were applied.
pub(super) async fn prepare(client: &mut Object, database: &str) -> Result<usize, StoreError> {
    let connect = |source: tokio_postgres::Error| StoreError::Connect {
        database: database.to_owned(),
        detail: pg_detail(&source),
    };
    let tx = client.transaction().await.map_err(connect)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(connect)?;
    let ours: bool = tx
        .query_one(
            "SELECT to_regclass('interview_coach_schema') IS NOT NULL",
            &[],
        )
        .await
        .map_err(connect)?
        .get(0);
    let found = if ours {
        let row = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM interview_coach_schema",
                &[],
            )
            .await
            .map_err(connect)?;
        row.get::<_, i64>(0)
    } else {
        let tables: i64 = tx
            .query_one(
                "SELECT count(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema()",
                &[],
            )
            .await
            .map_err(connect)?
            .get(0);
        if tables != 0 {
            return Err(StoreError::Foreign {
                database: database.to_owned(),
                detail: format!(
                    "its schema holds {tables} tables but no interview_coach_schema table; \
                     give the bot its own database or schema"
                ),
            });
        }
        tx.batch_execute(
            "CREATE TABLE interview_coach_schema (\
                 version    BIGINT PRIMARY KEY, \
                 applied_at BIGINT NOT NULL)",
        )
        .await
        .map_err(connect)?;
        0
    };
    if found > LATEST {
        return Err(StoreError::TooNew {
            database: database.to_owned(),
            found,
            known: LATEST,
        });
    }
    let mut applied = 0;
    for &(version, script) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let failed = |source: tokio_postgres::Error| StoreError::PgMigrate {
            database: database.to_owned(),
            version,
            detail: pg_detail(&source),
        };
        tx.batch_execute(script).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO interview_coach_schema (version, applied_at) \
             VALUES ($1, extract(epoch FROM now())::bigint)",
            &[&version],
        )
        .await
        .map_err(failed)?;
        applied += 1;
    }
    tx.commit().await.map_err(connect)?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_migrations_are_numbered_in_order_from_one() {
        for (index, (version, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, index as i64 + 1);
        }
    }

    /// A script added to `migrations/postgres/` but not to [`MIGRATIONS`] would never run,
    /// and each backend must know the same versions.
    #[test]
    fn every_script_is_listed_and_matches_sqlite() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let names = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".sql"))
                .collect();
            names.sort();
            names
        };
        let postgres = names("postgres");
        assert_eq!(postgres.len(), MIGRATIONS.len(), "{postgres:?}");
        assert_eq!(postgres, names("sqlite"));
    }
}
