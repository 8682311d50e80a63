//! Threads that own SQLite connections and run whole jobs on them.
//!
//! SQLite's API is blocking, so its calls must stay off tokio's workers. A job here is a
//! closure that does *all* of one store call's work (a transaction with its checks and
//! writes, or a query and the decoding of its rows) on the thread that owns the
//! connection: one hand-off to the thread and one back, however many statements the job
//! runs. The benchmark measured the alternative, a round trip to a connection thread per
//! statement, at ~20 context switches and ~1 ms of CPU per thread reply, more than the SQL
//! itself (BENCHMARKS.md).
//!
//! A [`Workers`] is a queue served by one or more threads, each with its own connection:
//! one for writes (SQLite admits one writer at a time, and queueing writers here, in order,
//! beats SQLite's busy handler, which polls by sleeping), a few for reads (WAL lets them
//! read beside the writer).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;

use rusqlite::Connection;

use super::error::StoreError;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A job queue and the threads that serve it.
#[derive(Debug)]
pub(crate) struct Workers {
    /// `None` once closed. A std lock: held only while a job is handed over (never across
    /// an `.await`), and written once, by [`Workers::close`].
    jobs: RwLock<Option<Sender<Job>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Workers {
    /// Starts one thread per connection, named `name`.
    pub(crate) fn spawn(name: &str, connections: Vec<Connection>) -> std::io::Result<Workers> {
        let (sender, receiver) = mpsc::channel::<Job>();
        // The threads take turns waiting on the one receiver; the lock is held by at most
        // one idle thread at a time, never while a job runs.
        let receiver = Arc::new(Mutex::new(receiver));
        let mut threads = Vec::with_capacity(connections.len());
        for connection in connections {
            let receiver = Arc::clone(&receiver);
            let thread = std::thread::Builder::new()
                .name(name.to_string())
                .spawn(move || serve(connection, &receiver));
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

    /// Queues `job` without waiting for it; `false` if the workers are closed.
    pub(crate) fn send(&self, job: impl FnOnce(&mut Connection) + Send + 'static) -> bool {
        let jobs = self.jobs.read().unwrap_or_else(PoisonError::into_inner);
        match &*jobs {
            Some(sender) => sender.send(Box::new(job)).is_ok(),
            None => false,
        }
    }

    /// Runs `job` on one of the threads and waits (asynchronously) for its result.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let sent = self.send(move |connection| {
            // The caller may have gone away (its task cancelled); the work is done anyway.
            let _ = done.send(job(connection));
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

/// A thread's life: run jobs until the queue is closed and empty, then close the
/// connection (the last connection to a database checkpoints its WAL on close).
fn serve(mut connection: Connection, jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = job else { break };
        // A panicking job drops its transaction (rolled back) and its reply channel (the
        // caller gets an error); the thread and its connection carry on.
        if catch_unwind(AssertUnwindSafe(|| job(&mut connection))).is_err() {
            tracing::error!("a database job panicked; its transaction was rolled back");
        }
    }
    if let Err((_, error)) = connection.close() {
        tracing::warn!(%error, "closing a database connection failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    #[tokio::test]
    async fn jobs_run_on_the_threads_and_return_their_results() {
        let workers = Workers::spawn("test-db", vec![memory(), memory()]).unwrap();
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
        let workers = Workers::spawn("test-db", vec![memory()]).unwrap();
        let failed = workers.run(|_| -> Result<(), StoreError> { panic!("boom") });
        assert!(matches!(failed.await, Err(StoreError::JobPanicked)));
        assert_eq!(workers.run(|_| Ok(7)).await.unwrap(), 7);
        workers.close().await;
    }

    #[tokio::test]
    async fn closing_finishes_queued_jobs_and_refuses_new_ones() {
        let workers = Workers::spawn("test-db", vec![memory()]).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..10 {
            let tx = tx.clone();
            assert!(workers.send(move |_| tx.send(i).unwrap()));
        }
        workers.close().await;
        drop(tx);
        assert_eq!(rx.iter().collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
        assert!(matches!(
            workers.run(|_| Ok(())).await,
            Err(StoreError::Closed)
        ));
        assert!(!workers.send(|_| ()));
    }
}
