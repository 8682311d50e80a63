//! From SQLite rows to the store's types: reading a column, Discord ids, and the
//! [`FromRow`] trait that each type a query returns implements once, next to its query.

use rusqlite::types::FromSql;
use rusqlite::{Connection, Params, Row};

use crate::store::error::StoreError;
use crate::store::model::{InterviewId, InterviewStatus};

/// Discord snowflakes are `u64`; SQLite integers are `i64`. The bits are stored as they
/// are, so every `u64` round-trips exactly (real snowflakes are below 2^63 anyway).
pub(super) fn to_db(id: u64) -> i64 {
    id as i64
}

/// Inverse of [`to_db`].
pub(super) fn from_db(value: i64) -> u64 {
    value as u64
}

/// A value built from one row of the query written for it, reading columns by position.
pub(super) trait FromRow: Sized {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError>;
}

/// Column `idx` of `row`.
pub(super) fn col<T: FromSql>(row: &Row<'_>, idx: usize) -> Result<T, StoreError> {
    row.get(idx).map_err(StoreError::query("read a row"))
}

/// Column `idx` of `row`, a Discord id.
pub(super) fn snowflake(row: &Row<'_>, idx: usize) -> Result<u64, StoreError> {
    col(row, idx).map(from_db)
}

/// Column `idx` of `row`, an interview's `status`.
pub(super) fn status(row: &Row<'_>, idx: usize) -> Result<InterviewStatus, StoreError> {
    let text: String = col(row, idx)?;
    InterviewStatus::from_db_str(&text)
        .ok_or_else(|| StoreError::InvalidRow(format!("unknown interview status {text:?}")))
}

/// A row whose first column is an interview's id.
impl FromRow for InterviewId {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        col(row, 0).map(InterviewId)
    }
}

/// Runs a query and converts every row with `convert`.
pub(super) fn all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    op: &'static str,
    mut convert: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(StoreError::query(op))?;
    let mut rows = statement.query(params).map_err(StoreError::query(op))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(StoreError::query(op))? {
        out.push(convert(row)?);
    }
    Ok(out)
}

/// The first row of a query, converted with `convert`, if there is one.
pub(super) fn first<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    op: &'static str,
    convert: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(StoreError::query(op))?;
    let mut rows = statement.query(params).map_err(StoreError::query(op))?;
    match rows.next().map_err(StoreError::query(op))? {
        Some(row) => convert(row).map(Some),
        None => Ok(None),
    }
}

/// Runs a statement that changes rows; how many it changed.
pub(super) fn execute(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    op: &'static str,
) -> Result<usize, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute(params))
        .map_err(StoreError::query(op))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discord_ids_round_trip_through_sqlite_integers() {
        for id in [0, 1, 1_234_567_890_123_456_789, i64::MAX as u64, u64::MAX] {
            assert_eq!(from_db(to_db(id)), id);
        }
        // Real snowflakes (below 2^63) keep their value, so the file is readable by hand.
        assert_eq!(to_db(1_234_567_890_123_456_789), 1_234_567_890_123_456_789);
    }

    #[test]
    fn an_unknown_status_is_an_invalid_row() {
        let conn = Connection::open_in_memory().unwrap();
        let read = first(&conn, "SELECT 'closed'", [], "read", |row| status(row, 0));
        assert!(matches!(read, Err(StoreError::InvalidRow(_))), "{read:?}");
    }
}
