//! From PostgreSQL rows to the store's types, and the three ways a query is run (all
//! rows, the first row, a count of rows changed), each through the connection's cache of
//! prepared statements.
//!
//! The helpers take any [`GenericClient`]: a pooled connection for a single-statement
//! read, or the transaction of a [`transaction!`].

use deadpool_postgres::GenericClient;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::Row;

use crate::store::error::StoreError;
use crate::store::model::{InterviewId, InterviewStatus};

/// The parameters of a query.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Discord snowflakes are `u64`; `BIGINT` is `i64`. The bits are stored as they are, as in
/// SQLite, so every `u64` round-trips exactly.
pub(super) fn to_db(id: u64) -> i64 {
    id as i64
}

/// Inverse of [`to_db`].
pub(super) fn from_db(value: i64) -> u64 {
    value as u64
}

/// [`to_db`] for an optional id.
pub(super) fn optional_to_db(id: Option<u64>) -> Option<i64> {
    id.map(to_db)
}

/// A value built from one row of the query written for it, reading columns by position.
pub(super) trait FromRow: Sized {
    fn from_row(row: &Row) -> Result<Self, StoreError>;
}

/// Column `idx` of `row`.
pub(super) fn col<'r, T: FromSql<'r>>(row: &'r Row, idx: usize) -> Result<T, StoreError> {
    row.try_get(idx).map_err(|source| StoreError::Postgres {
        op: "read a row",
        source,
    })
}

/// Column `idx` of `row`, a Discord id.
pub(super) fn snowflake(row: &Row, idx: usize) -> Result<u64, StoreError> {
    col(row, idx).map(from_db)
}

/// Column `idx` of `row`, an optional Discord id.
pub(super) fn optional_snowflake(row: &Row, idx: usize) -> Result<Option<u64>, StoreError> {
    col::<Option<i64>>(row, idx).map(|id| id.map(from_db))
}

/// Column `idx` of `row`, an interview's `status`.
pub(super) fn status(row: &Row, idx: usize) -> Result<InterviewStatus, StoreError> {
    let text: String = col(row, idx)?;
    InterviewStatus::from_db_str(&text)
        .ok_or_else(|| StoreError::InvalidRow(format!("unknown interview status {text:?}")))
}

/// A row whose first column is an interview's id.
impl FromRow for InterviewId {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        col(row, 0).map(InterviewId)
    }
}

/// Tags a PostgreSQL error with the operation.
pub(super) fn pg(op: &'static str) -> impl FnOnce(tokio_postgres::Error) -> StoreError {
    move |source| StoreError::Postgres { op, source }
}

/// Runs a query and converts every row with `convert`.
pub(super) async fn all<C: GenericClient, T>(
    client: &C,
    sql: &str,
    params: Params<'_>,
    op: &'static str,
    convert: impl FnMut(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let statement = client.prepare_cached(sql).await.map_err(pg(op))?;
    let rows = client.query(&statement, params).await.map_err(pg(op))?;
    rows.iter().map(convert).collect()
}

/// Runs a query and converts its first row, if any.
pub(super) async fn first<C: GenericClient, T>(
    client: &C,
    sql: &str,
    params: Params<'_>,
    op: &'static str,
    convert: impl FnOnce(&Row) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let statement = client.prepare_cached(sql).await.map_err(pg(op))?;
    let rows = client.query(&statement, params).await.map_err(pg(op))?;
    rows.first().map(convert).transpose()
}

/// Runs a statement and returns how many rows it changed.
pub(super) async fn execute<C: GenericClient>(
    client: &C,
    sql: &str,
    params: Params<'_>,
    op: &'static str,
) -> Result<u64, StoreError> {
    let statement = client.prepare_cached(sql).await.map_err(pg(op))?;
    client.execute(&statement, params).await.map_err(pg(op))
}
