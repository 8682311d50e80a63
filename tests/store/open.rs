//! Opening a file: creating, migrating, and refusing what is not ours or not intact.

use super::*;

#[tokio::test]
async fn open_creates_folder_and_file_and_migrates_from_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    assert!(!path.parent().unwrap().exists());

    let store = Store::open(&path).await.unwrap();
    assert!(path.is_file());
    assert_eq!(store.location(), path.display().to_string());
    assert!(store.open_interviews().await.unwrap().is_empty());
    assert!(store
        .pending_outbox(ShardFilter::ALL)
        .await
        .unwrap()
        .is_empty());

    let conn = raw(&path);
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let tables: String = conn
        .query_row(
            "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema \
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        tables,
        "answers daily_answers daily_board_members daily_boards daily_posts daily_schedules \
         daily_streaks gateway_identify guide_revision interviews outbox pair_answers pair_queue pair_ratings pair_rounds \
         pair_scorecards pair_settings pairs"
    );
    drop(conn);
    assert_eq!(count(&path, "PRAGMA user_version"), 4);
    store.close().await;

    // Opening again applies nothing twice and keeps the file.
    let store = Store::open(&path).await.unwrap();
    assert_eq!(count(&path, "PRAGMA user_version"), 4);
    assert_eq!(
        count(
            &path,
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'"
        ),
        18
    );
    store.close().await;
}

/// Releases up to this one applied migrations with sqlx, which records them in a table of
/// its own and leaves `user_version` at 0. Such a file must open with its data, not be
/// migrated a second time (which would fail on the existing tables).
#[tokio::test]
async fn a_database_migrated_by_sqlx_opens_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    {
        // What sqlx's migrator left behind: the schema, its bookkeeping table, and our id.
        let conn = first_schema_file(&path);
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
               installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
               checksum BLOB NOT NULL, execution_time BIGINT NOT NULL); \
             INSERT INTO _sqlx_migrations VALUES (1, 'initial', CURRENT_TIMESTAMP, TRUE, x'00', 1);",
        )
        .unwrap();
    }
    let store = Store::open(&path).await.unwrap();
    let open = store.open_interviews().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].user_id, ALICE);
    store.close().await;
    assert_eq!(count(&path, "PRAGMA user_version"), 4);
}

/// A file written by a newer release (a schema version this build does not know) is
/// refused with a message that says so, and left as it is.
#[tokio::test]
async fn a_database_from_a_newer_release_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    let store = Store::open(&path).await.unwrap();
    store.close().await;
    raw(&path).pragma_update(None, "user_version", 99).unwrap();

    let err = Store::open(&path).await.unwrap_err();
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
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert_eq!(count(&path, "PRAGMA user_version"), 99);
}

#[tokio::test]
async fn a_corrupt_file_is_an_error_naming_the_path_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    // Deterministic "random" bytes.
    let mut x: u32 = 0x1234_5678;
    let garbage: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(&path, &garbage).unwrap();

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains("not a database"), "{text}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file must not be replaced"
    );
}

#[tokio::test]
async fn a_damaged_database_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coach.db");
    {
        let store = Store::open(&path).await.unwrap();
        for user in 0..200 {
            create(&store, &new_interview(GUILD, user, 10_000 + user), T0).await;
        }
        store.close().await;
    }
    // `close` returns once the last connection has checkpointed the WAL into the file
    // and removed it; a checkpoint after the damage below would overwrite it.
    assert!(
        !dir.path().join("coach.db-wal").exists(),
        "the store did not finish closing"
    );
    // Overwrite the middle of the file (past the header) with garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 3 * 4096, "{}", bytes.len());
    for b in &mut bytes[4096 + 100..3 * 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Damaged { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file must not be replaced"
    );
}

#[tokio::test]
async fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap();

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Foreign { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    // Not migrated: only the other program's table is there.
    assert_eq!(
        count(
            &path,
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'"
        ),
        1
    );
}

#[tokio::test]
async fn an_unwritable_path_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    // The parent "folder" is a regular file, so nothing can be created below it.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let path = blocker.join("data").join("coach.db");

    let err = Store::open(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::CreateDir { .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");

    // The path itself is a folder: SQLite cannot open it.
    let folder = dir.path().join("a-folder.db");
    std::fs::create_dir(&folder).unwrap();
    let err = Store::open(&folder).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{text}");
    assert!(text.contains(&folder.display().to_string()), "{text}");
    assert!(folder.is_dir());
}

/// Two processes starting on a new database at once: one creates the schema, the other
/// finds it created (and neither fails with "table already exists").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_opening_a_new_file_at_once_both_open_it() {
    for round in 0..30 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coach.db");
        let (a, b) = tokio::join!(
            tokio::spawn(Store::open(path.clone())),
            tokio::spawn(Store::open(path.clone()))
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => panic!("round {round}: {:?} / {:?}", a.err(), b.err()),
        };
        create(&a, &new_interview(GUILD, ALICE, 10), T0).await;
        assert_eq!(b.open_threads(ShardFilter::ALL).await.unwrap(), [10]);
        a.close().await;
        b.close().await;
        assert_eq!(count(&path, "PRAGMA user_version"), 4);
    }
}

/// SQLite's in-memory database (or an empty name, a temporary one) would give each
/// connection of the store its own empty database: nothing would be saved.
#[tokio::test]
async fn an_in_memory_or_empty_path_is_refused() {
    for path in [":memory:", "", "file::memory:?cache=shared"] {
        let err = Store::open(path).await.unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, StoreError::NotAFile { .. }),
            "{path:?}: {err:?}"
        );
        assert!(text.contains("nothing would be saved"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
}

/// The bot opens its database exclusively: a second bot on the same file is refused with
/// a message naming the file, until the first one closes. Plain opens are not locked.
#[tokio::test]
async fn a_second_exclusive_open_of_the_same_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let bot = Store::open_exclusive(&path).await.unwrap();

    let err = Store::open_exclusive(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
    assert!(text.contains("another interview-coach process"), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains(&std::process::id().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");

    // The CLI and tests open without the lock, beside the bot.
    let plain = Store::open(&path).await.unwrap();
    create(&plain, &new_interview(GUILD, ALICE, 10), T0).await;
    assert_eq!(bot.open_threads(ShardFilter::ALL).await.unwrap(), [10]);
    plain.close().await;

    // Another file is not affected.
    let other = Store::open_exclusive(dir.path().join("other.db"))
        .await
        .unwrap();
    other.close().await;

    // Closing (or dropping) the bot's store lets the next one in.
    bot.close().await;
    let next = Store::open_exclusive(&path).await.unwrap();
    drop(next);
    Store::open_exclusive(&path).await.unwrap().close().await;
}
