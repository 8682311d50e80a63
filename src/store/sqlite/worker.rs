//! Threads that own SQLite connections and run whole jobs on them.
//!
//! SQLite's API is blocking, so its calls stay off tokio's workers. A job is a closure that
//! does *all* of one store call's work (its checks and writes, or a query and the decoding
//! of its rows) on the thread that owns the connection: one hand-off to the thread and one
//! back, however many statements the job runs.
//!
//! [`Workers::readers`] are a queue served by a few threads, each with its own connection.
//! [`Workers::writer`] is one thread with the one connection this process writes through.
//!
//! # Group commit
//!
//! The writer runs the jobs it finds queued together in one `BEGIN IMMEDIATE` transaction
//! and answers them only once `COMMIT` has returned, so one commit (the costly part of a
//! write) carries a whole burst. When a job fails, the transaction is rolled back (its
//! writes must not stay, and the jobs before it wrote to the same transaction); the failed
//! job gets its own error, and the jobs that ran before it run again, first in the next
//! batch. A commit that fails fails every job of the batch. For a caller nothing changes:
//! its writes are atomic and durable when its call returns. The price is that a write job
//! may run more than once, so it must do nothing outside the database that a second run
//! would get wrong (see `Marks::write`).

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::store::error::{copy_sqlite_error, StoreError};

/// The most jobs one write transaction carries: enough to share a commit among a burst,
/// few enough that the first job of a batch is not kept waiting long for the last.
const MAX_BATCH: usize = 64;

/// A unit of work for a database thread, and how to report what became of it.
trait Job: Send {
    /// Runs the work on `conn` and keeps its result; whether it succeeded. On the writer
    /// it may run again if its batch was rolled back (see [group commit](self#group-commit)).
    fn work(&mut self, conn: &mut Connection) -> bool;
    /// Delivers the kept result, or `error` instead: the batch did not commit, or could
    /// not start.
    fn deliver(self: Box<Self>, error: Option<StoreError>);
}

/// A store call: `work`'s result goes to `finish`, or the error that undid it.
struct Call<T, W, F> {
    work: W,
    finish: F,
    result: Option<Result<T, StoreError>>,
}

impl<T, W, F> Job for Call<T, W, F>
where
    T: Send + 'static,
    W: FnMut(&mut Connection) -> Result<T, StoreError> + Send,
    F: FnOnce(Result<T, StoreError>) + Send + 'static,
{
    fn work(&mut self, conn: &mut Connection) -> bool {
        let result = (self.work)(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn deliver(self: Box<Self>, error: Option<StoreError>) {
        (self.finish)(match (error, self.result) {
            (Some(error), _) => Err(error),
            (None, Some(result)) => result,
            (None, None) => Err(StoreError::Closed),
        });
    }
}

/// A job queue and the threads that serve it.
#[derive(Debug)]
pub(crate) struct Workers {
    /// `None` once closed. A std lock: held only while a job is handed over (never across
    /// an `.await`), and written once, by [`Workers::close`].
    jobs: RwLock<Option<Sender<Box<dyn Job>>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Workers {
    /// Reader threads, one per connection, named `name`.
    pub(crate) fn readers(name: &str, connections: Vec<Connection>) -> std::io::Result<Workers> {
        let (sender, receiver) = mpsc::channel::<Box<dyn Job>>();
        // The threads take turns waiting on the one receiver; the lock is held by at most
        // one idle thread at a time, never while a job runs.
        let receiver = Arc::new(Mutex::new(receiver));
        let mut threads = Vec::with_capacity(connections.len());
        for connection in connections {
            let receiver = Arc::clone(&receiver);
            let thread = std::thread::Builder::new()
                .name(name.to_string())
                .spawn(move || serve_reads(connection, &receiver));
            match thread {
                Ok(thread) => threads.push(thread),
                Err(error) => {
                    // Dropping the sender ends the threads already started.
                    drop(sender);
                    for thread in threads {
                        let _ = thread.join();
                    }
                    return Err(error);
                }
            }
        }
        Ok(Workers {
            jobs: RwLock::new(Some(sender)),
            threads: Mutex::new(threads),
        })
    }

    /// The writer thread, named `name`, with the connection it writes through. Its jobs
    /// run inside a transaction it opens (see [group commit](self#group-commit)): they
    /// must not begin or commit transactions of their own.
    pub(crate) fn writer(name: &str, connection: Connection) -> std::io::Result<Workers> {
        let (sender, receiver) = mpsc::channel::<Box<dyn Job>>();
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || serve_writes(connection, &receiver))?;
        Ok(Workers {
            jobs: RwLock::new(Some(sender)),
            threads: Mutex::new(vec![thread]),
        })
    }

    /// Queues `work` without waiting for it; its result (or the error that undid it) goes
    /// to `finish`, on the database thread. `false` if the workers are closed.
    pub(crate) fn submit<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Connection) -> Result<T, StoreError> + Send + 'static,
        finish: impl FnOnce(Result<T, StoreError>) + Send + 'static,
    ) -> bool {
        let jobs = self.jobs.read().unwrap_or_else(PoisonError::into_inner);
        match &*jobs {
            Some(sender) => sender
                .send(Box::new(Call {
                    work,
                    finish,
                    result: None,
                }))
                .is_ok(),
            None => false,
        }
    }

    /// Runs `work` on one of the threads and waits (asynchronously) for its result: for
    /// the writer, once it is committed.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run_then(work, |_| ()).await
    }

    /// [`run`](Self::run), calling `then` with the result on the database thread before
    /// handing it back: before the thread starts its next batch.
    pub(crate) async fn run_then<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Connection) -> Result<T, StoreError> + Send + 'static,
        then: impl FnOnce(&Result<T, StoreError>) + Send + 'static,
    ) -> Result<T, StoreError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let sent = self.submit(work, move |result| {
            then(&result);
            // The caller may have gone away (its task cancelled); the work is done anyway.
            let _ = done.send(result);
        });
        if !sent {
            return Err(StoreError::Closed);
        }
        // An error here means the job panicked (the thread logged it) before answering.
        result.await.unwrap_or(Err(StoreError::JobPanicked))
    }

    /// Stops taking jobs, lets the threads finish the ones queued, and waits for them to
    /// close their connections. Later [`run`](Self::run)s fail with [`StoreError::Closed`].
    pub(crate) async fn close(&self) {
        self.jobs
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let threads =
            std::mem::take(&mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner));
        if threads.is_empty() {
            return;
        }
        // Joining blocks; closing a connection can take a checkpoint's time.
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
        if let Err(error) = joined {
            tracing::warn!(%error, "waiting for the database threads failed");
        }
    }
}

/// Occupies the threads' next job until the returned sender is dropped, so that the jobs
/// submitted meanwhile queue up (and, on the writer, run as one batch).
#[cfg(test)]
pub(crate) async fn hold(workers: &Workers) -> mpsc::Sender<()> {
    let (release, wait) = mpsc::channel::<()>();
    let (started, running) = tokio::sync::oneshot::channel();
    let mut started = Some(started);
    assert!(workers.submit(
        move |_| {
            if let Some(started) = started.take() {
                let _ = started.send(());
            }
            // Dropping the sender ends the wait.
            let _ = wait.recv();
            Ok(())
        },
        |_| (),
    ));
    running.await.expect("the held job started");
    release
}

/// Runs a job's work, catching a panic: `None` if it panicked. The caller then drops the
/// job with its result channel (its caller gets [`StoreError::JobPanicked`]) and carries on.
fn work_caught(job: &mut Box<dyn Job>, conn: &mut Connection) -> Option<bool> {
    let ok = catch_unwind(AssertUnwindSafe(|| job.work(conn)));
    if ok.is_err() {
        tracing::error!("a database job panicked; its writes were rolled back");
    }
    ok.ok()
}

/// A reader thread's life: run jobs until the queue is closed and empty, then close the
/// connection.
fn serve_reads(mut conn: Connection, jobs: &Mutex<Receiver<Box<dyn Job>>>) {
    loop {
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(mut job) = job else { break };
        if work_caught(&mut job, &mut conn).is_some() {
            job.deliver(None);
        }
    }
    close(conn);
}

/// The writer thread's life: take whatever is queued (waiting for the first job), run it
/// as one batch, repeat; once the queue is closed and empty, close the connection (the
/// last connection to a database checkpoints its WAL on close).
fn serve_writes(mut conn: Connection, jobs: &Receiver<Box<dyn Job>>) {
    let mut queue = VecDeque::new();
    loop {
        if queue.is_empty() {
            match jobs.recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => break,
            }
        }
        while queue.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => break,
            }
        }
        write_batch(&mut conn, &mut queue);
    }
    close(conn);
}

/// Runs the queued jobs in one transaction and delivers their results after it commits.
/// Leaves in `queue` the jobs it did not get to, and the ones whose writes a rollback
/// undid (they run again, first); the caller runs those as the next batch.
fn write_batch(conn: &mut Connection, queue: &mut VecDeque<Box<dyn Job>>) {
    if let Err(error) = run(conn, "BEGIN IMMEDIATE") {
        // E.g. another process held the write lock past the busy timeout.
        let op = "begin a write transaction";
        for job in queue.drain(..) {
            job.deliver(Some(match copy_sqlite_error(&error) {
                Some(source) => StoreError::Query { op, source },
                None => StoreError::Batch {
                    op,
                    detail: error.to_string(),
                },
            }));
        }
        return;
    }
    let mut ran = Vec::with_capacity(queue.len());
    let mut lost: Option<String> = None;
    while let Some(mut job) = queue.pop_front() {
        match work_caught(&mut job, conn) {
            Some(true) => ran.push(job),
            failed => {
                // Its writes must go, and they share the transaction with the jobs before
                // it: roll back all, answer this one (its own error; a panicked job is
                // dropped), and run the others again.
                if !conn.is_autocommit() {
                    if let Err(error) = run(conn, "ROLLBACK") {
                        tracing::error!(%error, "rolling back a write batch failed");
                    }
                }
                if failed.is_some() {
                    job.deliver(None);
                }
                for job in ran.into_iter().rev() {
                    queue.push_front(job);
                }
                return;
            }
        }
        // Some errors (a full disk, an I/O error) make SQLite roll back the whole
        // transaction; what ran in this batch so far is gone, and the rest must not run
        // outside a transaction.
        if conn.is_autocommit() {
            lost = Some("SQLite rolled the transaction back".into());
            break;
        }
    }
    let failure = match lost {
        Some(detail) => Some(detail),
        None => run(conn, "COMMIT").err().map(|e| e.to_string()),
    };
    if failure.is_some() && !conn.is_autocommit() {
        if let Err(error) = run(conn, "ROLLBACK") {
            tracing::error!(%error, "rolling back a failed write batch failed");
        }
    }
    for job in ran {
        job.deliver(failure.as_ref().map(|detail| StoreError::Batch {
            op: "commit",
            detail: detail.clone(),
        }));
    }
}

/// Runs one of the few fixed statements of a batch, parsed once per connection.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

fn close(conn: Connection) {
    if let Err((_, error)) = conn.close() {
        tracing::warn!(%error, "closing a database connection failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    fn count(conn: &Connection) -> Result<i64, StoreError> {
        conn.query_row("SELECT COUNT(*) FROM t", [], |row| row.get(0))
            .map_err(StoreError::query("count"))
    }

    fn insert(conn: &Connection, value: i64) -> Result<(), StoreError> {
        conn.execute("INSERT INTO t VALUES (?)", [value])
            .map(drop)
            .map_err(StoreError::query("insert"))
    }

    /// The values of `t` in the writer's file, in order, comma-separated.
    fn on_disk(dir: &tempfile::TempDir) -> String {
        Connection::open(dir.path().join("w.db"))
            .unwrap()
            .query_row(
                "SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY v)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// A writer over a file with a table `t` whose values must be unique.
    fn writer(dir: &tempfile::TempDir) -> Workers {
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER UNIQUE)")
            .unwrap();
        Workers::writer("test-writer", conn).unwrap()
    }

    #[tokio::test]
    async fn jobs_run_on_the_threads_and_return_their_results() {
        let workers = Workers::readers("test-db", vec![memory(), memory()]).unwrap();
        let two: i64 = workers
            .run(|c| {
                c.query_row("SELECT 1 + 1", [], |row| row.get(0))
                    .map_err(StoreError::query("add"))
            })
            .await
            .unwrap();
        assert_eq!(two, 2);
        let name = workers
            .run(|_| Ok(std::thread::current().name().map(str::to_string)))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("test-db"));
        workers.close().await;
    }

    #[tokio::test]
    async fn a_panicking_job_fails_its_caller_and_the_thread_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let workers = writer(&dir);
        let failed = workers.run(|c| -> Result<(), StoreError> {
            insert(c, 1)?;
            panic!("boom")
        });
        assert!(matches!(failed.await, Err(StoreError::JobPanicked)));
        // Its insert was rolled back; the writer still works.
        assert_eq!(workers.run(|c| count(c)).await.unwrap(), 0);
        workers.run(|c| insert(c, 1)).await.unwrap();
        assert_eq!(workers.run(|c| count(c)).await.unwrap(), 1);
        workers.close().await;
    }

    /// Jobs queued together share a transaction; a failing one leaves none of its writes
    /// and its caller gets its own error; the others are committed, each answered once
    /// (the ones before the failure ran twice: their first run was rolled back with it).
    #[tokio::test]
    async fn a_batch_commits_its_jobs_and_rolls_back_only_a_failed_one() {
        let dir = tempfile::tempdir().unwrap();
        let workers = writer(&dir);
        // Hold the writer so the next jobs queue up and run as one batch.
        let release = hold(&workers).await;
        let runs = Arc::new(Mutex::new(Vec::new()));
        let results: Vec<_> = (0..5)
            .map(|i| {
                let runs = Arc::clone(&runs);
                let (tx, rx) = tokio::sync::oneshot::channel();
                // The job for 3 inserts two rows, then fails on a duplicate.
                let work = move |c: &mut Connection| {
                    runs.lock().unwrap().push(i);
                    if i == 3 {
                        insert(c, 30)?;
                        insert(c, 1)?;
                    }
                    insert(c, i)?;
                    // The batch's jobs see each other's writes.
                    count(c)
                };
                assert!(workers.submit(work, move |r| {
                    let _ = tx.send(r);
                }));
                rx
            })
            .collect();
        drop(release);
        let mut counts = Vec::new();
        for rx in results {
            counts.push(rx.await.unwrap().map_err(|e| e.to_string()));
        }
        assert_eq!(counts[..3], [Ok(1), Ok(2), Ok(3)]);
        assert!(
            counts[3].as_ref().is_err_and(|e| e.contains("UNIQUE")),
            "{counts:?}"
        );
        assert_eq!(counts[4], Ok(4));
        assert_eq!(*runs.lock().unwrap(), [0, 1, 2, 3, 0, 1, 2, 4]);
        workers.close().await;
        // Committed: four rows on disk, none of the failed job's.
        assert_eq!(on_disk(&dir), "0,1,2,4");
    }

    /// A job that fails after writing leaves nothing behind when it is alone in its batch too.
    #[tokio::test]
    async fn a_lone_failing_job_is_rolled_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let workers = writer(&dir);
        workers.run(|c| insert(c, 1)).await.unwrap();
        let failed = workers
            .run(|c| {
                insert(c, 30)?;
                insert(c, 1)
            })
            .await;
        assert!(failed.is_err_and(|e| e.to_string().contains("UNIQUE")));
        workers.run(|c| insert(c, 2)).await.unwrap();
        workers.close().await;
        assert_eq!(on_disk(&dir), "1,2");
    }

    #[tokio::test]
    async fn closing_finishes_queued_jobs_and_refuses_new_ones() {
        let workers = Workers::readers("test-db", vec![memory()]).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..10 {
            let tx = tx.clone();
            assert!(workers.submit(move |_| Ok(i), move |r| tx.send(r.unwrap()).unwrap()));
        }
        workers.close().await;
        drop(tx);
        assert_eq!(rx.iter().collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
        assert!(matches!(
            workers.run(|_| Ok(())).await,
            Err(StoreError::Closed)
        ));
        assert!(!workers.submit(|_| Ok(()), |_: Result<(), StoreError>| ()));
    }
}
