//! What only the PostgreSQL backend has: connecting, migrating a shared database once,
//! refusing what is not ours or is newer, and waiting for another process's locks.

use super::*;

use backends::{fresh_schema, postgres_url};

/// A fresh schema's URL, or `None` when there is no test database.
async fn fresh() -> Option<String> {
    let base = postgres_url()?;
    Some(fresh_schema(&base).await.0)
}

async fn raw_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

const BUSY: Duration = Duration::from_secs(5);

#[tokio::test]
async fn processes_starting_together_migrate_the_database_once() {
    let Some(url) = fresh().await else { return };
    let starts = (0..4).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { Store::connect(&url, BUSY).await })
    });
    let mut stores = Vec::new();
    for start in starts {
        stores.push(start.await.unwrap().unwrap());
    }
    let client = raw_client(&url).await;
    let versions: Vec<i64> = client
        .query(
            "SELECT version FROM interview_coach_schema ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    // All four work on the same data.
    create(&stores[0], &new_interview(GUILD, ALICE, 1), T0).await;
    assert_eq!(stores[3].open_interviews().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_database_from_a_newer_release_is_refused_untouched() {
    let Some(url) = fresh().await else { return };
    let store = Store::connect(&url, BUSY).await.unwrap();
    create(&store, &new_interview(GUILD, ALICE, 1), T0).await;
    store.close().await;
    let client = raw_client(&url).await;
    client
        .execute(
            "INSERT INTO interview_coach_schema (version, applied_at) VALUES (99, 0)",
            &[],
        )
        .await
        .unwrap();

    let err = Store::connect(&url, BUSY).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            err,
            StoreError::TooNew {
                found: 99,
                known: 4,
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains("run a newer interview-coach"), "{text}");
    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM interviews", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn a_schema_holding_other_tables_is_refused() {
    let Some(url) = fresh().await else { return };
    raw_client(&url)
        .await
        .batch_execute("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
        .await
        .unwrap();
    let err = Store::connect(&url, BUSY).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Foreign { .. }), "{text}");
    assert!(text.contains("1 tables"), "{text}");
    assert!(text.contains("own database or schema"), "{text}");
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://bot:s3cret@127.0.0.1:{port}/coach?sslmode=disable");
    let err = Store::connect(&url, Duration::from_millis(500))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Connect { .. }), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("***"), "{text}");
}

#[tokio::test]
async fn a_lock_held_past_the_busy_timeout_is_a_busy_error_and_nothing_is_kept() {
    let Some(url) = fresh().await else { return };
    let store = Store::connect(&url, Duration::from_millis(300))
        .await
        .unwrap();
    let interview = create(&store, &new_interview(GUILD, ALICE, 1), T0).await;

    // Another process (a manual query, a backup) holds the interview's row.
    let mut other = raw_client(&url).await;
    let tx = other.transaction().await.unwrap();
    tx.execute(
        "SELECT id FROM interviews WHERE id = $1 FOR UPDATE",
        &[&interview.id.0],
    )
    .await
    .unwrap();

    let finished = InterviewStatus::Finished;
    let err = store
        .close_interview(interview.id, finished, T0 + 1)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Busy { .. }), "{err}");
    assert!(err.to_string().contains("more than 300 ms"), "{err}");
    // Reads go on meanwhile.
    assert_eq!(store.open_interviews().await.unwrap().len(), 1);

    tx.rollback().await.unwrap();
    assert!(store
        .close_interview(interview.id, finished, T0 + 2)
        .await
        .unwrap());
}
