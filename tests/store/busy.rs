//! Another process holding the database's write lock: waited for up to the busy timeout,
//! then a clear error, and reads are never held up by it.

use std::thread;
use std::time::Instant;

use interview_coach::store::OpenOptions;

use super::*;

/// Holds the write lock of the database at `path` from another connection, as another
/// process would, until the returned sender is dropped or sent to.
fn hold_write_lock(path: &Path) -> std::sync::mpsc::Sender<()> {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (locked, is_locked) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    thread::spawn(move || {
        let conn = raw(&path);
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked.send(()).unwrap();
        let _ = released.recv();
        conn.execute_batch("COMMIT").unwrap();
    });
    is_locked.recv().unwrap();
    release
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waits_for_another_process_and_succeeds_once_it_lets_go() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let options = OpenOptions::default().busy_timeout(Duration::from_secs(10));
    let store = Store::open_with(&path, options).await.unwrap();
    let a = create(&store, &new_interview(GUILD, ALICE, 10), T0).await;

    let release = hold_write_lock(&path);
    let started = Instant::now();
    let letting_go = thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        drop(release);
    });
    let deleted = store.forget_user(ALICE).await.unwrap();
    assert_eq!(deleted.interviews, 1);
    assert!(started.elapsed() >= Duration::from_millis(250));
    letting_go.join().unwrap();
    assert!(store.interview(a.id).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_past_the_busy_timeout_is_a_busy_error_and_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let options = OpenOptions::default().busy_timeout(Duration::from_millis(200));
    let store = Store::open_with(&path, options).await.unwrap();
    create(&store, &new_interview(GUILD, ALICE, 10), T0).await;

    let release = hold_write_lock(&path);
    let started = Instant::now();
    let err = store
        .create_interview(&new_interview(GUILD, BOB, 20), &[], T0)
        .await
        .unwrap_err();
    let waited = started.elapsed();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(text.contains("busy"), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(waited >= Duration::from_millis(150), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // WAL: reads do not wait for the other process's writer.
    assert_eq!(store.history(ALICE, 10).await.unwrap().len(), 1);

    drop(release);
    // Once the lock is free, the store works again; the refused write was not kept.
    create(&store, &new_interview(GUILD, BOB, 20), T0).await;
    assert_eq!(store.open_interviews().await.unwrap().len(), 2);
}
