//! The guides in service, and reloading them.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{priority, Error};
use crate::coach::feedback::LibraryCues;
use crate::guide::{Counts, GuideLibrary, LoadErrors};

/// The library in service. Readers clone the `Arc` and let go of the lock at
/// once; a reload builds a whole new library off to the side and swaps it in,
/// so no reader waits on a reload or sees half of one. A std lock: it is never
/// held across an `.await`.
#[derive(Clone)]
pub struct Guides(Arc<RwLock<Arc<GuideLibrary>>>);

/// How a reload went.
pub enum Reloaded {
    /// The new guides are in service.
    Done { counts: Counts, took: Duration },
    /// The files have errors; the previous guides stay.
    Refused(LoadErrors),
}

impl Guides {
    pub fn new(library: GuideLibrary) -> Guides {
        // The cue matchers are compiled once, before any answer needs them.
        let _ = library.cues();
        Guides(Arc::new(RwLock::new(Arc::new(library))))
    }

    /// The library in service now.
    pub fn current(&self) -> Arc<GuideLibrary> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts `library` in service and hands back the one it replaces, so the
    /// caller chooses where that (large) library is freed.
    fn swap(&self, library: GuideLibrary) -> Arc<GuideLibrary> {
        let library = Arc::new(library);
        let mut guard = self.0.write().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *guard, library)
    }

    /// Loads and validates the guides in `dir` and, if they are sound, swaps
    /// them in. Loading 10,000 questions is a few hundred milliseconds of CPU,
    /// so it runs on a thread of its own at idle priority: no async worker
    /// waits behind it and members' commands get the cores first (BENCHMARKS.md).
    pub async fn reload(&self, dir: PathBuf) -> Result<Reloaded, Error> {
        let (tx, rx) = oneshot::channel();
        let guides = self.clone();
        let started = Instant::now();
        std::thread::Builder::new()
            .name("guide-reload".into())
            .spawn(move || {
                priority::lower_this_thread();
                match GuideLibrary::load(&dir) {
                    Ok(library) => {
                        // Compiled here, not on the first answer after the swap.
                        let _ = library.cues();
                        let counts = library.counts();
                        let old = guides.swap(library);
                        // Answer first: freeing the old library may wait for commands.
                        let _ = tx.send(Ok(counts));
                        free_here(old);
                    }
                    Err(errors) => {
                        let _ = tx.send(Err(errors));
                    }
                }
            })
            .map_err(|e| Error::Internal(format!("cannot start the guide reload thread: {e}")))?;
        let loaded = rx.await.map_err(|_| {
            Error::Internal("the guide reload thread stopped without an answer".into())
        })?;
        Ok(match loaded {
            Ok(counts) => Reloaded::Done {
                counts,
                took: started.elapsed(),
            },
            Err(errors) => Reloaded::Refused(errors),
        })
    }
}

/// Frees the replaced library on this (low-priority) thread. Commands in flight
/// may still hold it, and whichever let go last would free it: ~15 ms for 10,000
/// questions on an async worker. So wait briefly until ours is the last
/// reference; past the deadline, the last holder frees it after all.
fn free_here(old: Arc<GuideLibrary>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Arc::strong_count(&old) > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(old);
}
