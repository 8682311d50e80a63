//! Guide reloads reach every process of a sharded bot.
//!
//! A reload a moderator makes (`/guides reload`) happens in the process that got the
//! command; when it is accepted, that process publishes a new guide revision in the
//! shared database with the digest of what it loaded. Every process checks the revision
//! every few seconds ([`FOLLOW_EVERY`]) and, seeing a newer one, reloads its own guide
//! folder: a folder that fails validation keeps the guides in service and says why in the
//! log; one whose digest differs from the published one (a copy not yet updated on that
//! machine) is served and logged as different. With one process this only costs a small
//! read every few seconds.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use super::guides::{Guides, Reloaded};
use super::Error;
use crate::store::Store;

/// How often a process looks for reloads made in another.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(2);

/// Not yet read from the store.
const UNKNOWN: i64 = -1;

/// The guide revision this process serves.
#[derive(Debug)]
pub struct Revisions {
    seen: AtomicI64,
}

impl Default for Revisions {
    fn default() -> Self {
        Revisions {
            seen: AtomicI64::new(UNKNOWN),
        }
    }
}

/// What following the published revision did.
#[derive(Debug)]
pub enum Followed {
    /// Nothing new (or the first look, which only learns the revision).
    Nothing,
    /// Another process's reload was followed; `same` tells whether this folder holds
    /// the same files as the one it loaded.
    Reloaded { revision: i64, same: bool },
    /// The folder here failed validation; the guides in service stay.
    Refused {
        revision: i64,
        problems: Vec<String>,
    },
}

impl Revisions {
    /// After a reload accepted here: publishes it for the other processes.
    pub async fn publish(&self, store: &Store, guides: &Guides, now: i64) -> Result<(), Error> {
        let digest = guides.current().digest().to_owned();
        let published = store.publish_guide_revision(&digest, now).await?;
        self.seen.store(published.revision, Ordering::SeqCst);
        tracing::info!(revision = published.revision, "published the guide reload");
        Ok(())
    }

    /// Reloads the guides if another process published a newer revision.
    pub async fn follow(
        &self,
        store: &Store,
        guides: &Guides,
        dir: std::path::PathBuf,
    ) -> Result<Followed, Error> {
        let Some(latest) = store.guide_revision().await? else {
            self.seen.store(0, Ordering::SeqCst);
            return Ok(Followed::Nothing);
        };
        let seen = self.seen.load(Ordering::SeqCst);
        if seen == UNKNOWN {
            // At start the folder was loaded anyway: that is this revision.
            self.seen.store(latest.revision, Ordering::SeqCst);
            return Ok(Followed::Nothing);
        }
        if latest.revision <= seen {
            return Ok(Followed::Nothing);
        }
        // Seen from now on, whatever the reload gives: a broken folder is not retried
        // every few seconds, only at the next reload.
        self.seen.store(latest.revision, Ordering::SeqCst);
        let revision = latest.revision;
        Ok(match guides.reload(dir).await? {
            Reloaded::Done { counts, .. } => {
                let same = guides.current().digest() == latest.digest;
                if same {
                    tracing::info!(revision, %counts, "followed a guide reload made in another process");
                } else {
                    tracing::warn!(revision, %counts, "followed a guide reload made in another process, but this guide folder differs from the one it loaded");
                }
                Followed::Reloaded { revision, same }
            }
            Reloaded::Refused(errors) => {
                let problems: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
                for problem in &problems {
                    tracing::error!(revision, "{problem}");
                }
                tracing::error!(revision, problems = problems.len(), "another process reloaded the guides, but this guide folder has problems; the guides in service stay");
                Followed::Refused { revision, problems }
            }
        })
    }
}
