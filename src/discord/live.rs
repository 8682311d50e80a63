//! Interviews answered lately, kept decoded between answers.
//!
//! Every answer used to read its interview from SQLite (a hop to a reader
//! thread) and decode the state before the engine could run; in a burst of
//! replies that was about a tenth of the bot's CPU. This keeps the state an
//! answer produced, with the revision it was stored at, so the next answer in
//! that thread starts from it.
//!
//! It is a guess, not a second copy of the truth: the store still checks, in
//! the same transaction that records the answer, that the interview is open and
//! still at that revision. Anything that changed it meanwhile (another answer,
//! a close, `/forget-me`, an edit by hand) makes the store refuse the write, and
//! the answer starts over from a fresh read. So an entry that is out of date
//! costs one retry and can never be written back.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::coach::engine::Interview;
use crate::store::InterviewId;

/// How many interviews are kept. A kept state holds ~8 KB of heap (512 of
/// them, four answers in each, measured 3.9 MB); members answer minutes apart,
/// so this covers every interview actually being answered on a busy bot and
/// bounds the memory on a huge one.
pub const CAPACITY: usize = 512;

/// An interview as stored after its latest answer.
pub struct Kept {
    pub id: InterviewId,
    pub user_id: u64,
    /// The revision the store holds for this state.
    pub revision: i64,
    pub interview: Interview,
}

/// Kept interviews by thread. A std mutex: every use is a map lookup, insert
/// or removal, never held across an `.await`.
pub struct Live {
    entries: Mutex<Entries>,
    capacity: usize,
}

#[derive(Default)]
struct Entries {
    by_thread: HashMap<u64, (u64, Kept)>,
    /// Bumped on every insert; the entry with the smallest stamp is the one
    /// answered longest ago.
    clock: u64,
}

impl Default for Live {
    fn default() -> Self {
        Live::with_capacity(CAPACITY)
    }
}

impl Live {
    pub fn with_capacity(capacity: usize) -> Live {
        Live {
            entries: Mutex::new(Entries::default()),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the kept state out, so two answers racing in one thread never
    /// start from the same copy (the second reads the store instead).
    pub fn take(&self, thread_id: u64) -> Option<Kept> {
        self.lock().by_thread.remove(&thread_id).map(|(_, k)| k)
    }

    /// Keeps `kept` for the next answer in `thread_id`, dropping the entry
    /// answered longest ago when full.
    pub fn keep(&self, thread_id: u64, kept: Kept) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        entries.clock += 1;
        let stamp = entries.clock;
        if entries.by_thread.len() >= self.capacity && !entries.by_thread.contains_key(&thread_id) {
            // A linear scan, only when full: cheaper than keeping an order
            // up to date on every answer for a map this small.
            let oldest = entries
                .by_thread
                .iter()
                .min_by_key(|(_, (stamp, _))| *stamp)
                .map(|(thread, _)| *thread);
            if let Some(oldest) = oldest {
                entries.by_thread.remove(&oldest);
            }
        }
        entries.by_thread.insert(thread_id, (stamp, kept));
    }

    /// The interview in `thread_id` ended or is gone.
    pub fn forget(&self, thread_id: u64) {
        self.lock().by_thread.remove(&thread_id);
    }

    /// The member asked to be forgotten: nothing of theirs stays in memory.
    pub fn forget_user(&self, user_id: u64) {
        self.lock()
            .by_thread
            .retain(|_, (_, kept)| kept.user_id != user_id);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().by_thread.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::GuideLibrary;

    fn interview() -> Interview {
        let lib = GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).unwrap();
        let role = lib.role("backend").unwrap();
        let questions: Vec<_> = role.questions.iter().take(1).collect();
        Interview::start(role, &questions, 1).0
    }

    fn kept(id: i64, user_id: u64, iv: &Interview) -> Kept {
        Kept {
            id: InterviewId(id),
            user_id,
            revision: 0,
            interview: iv.clone(),
        }
    }

    #[test]
    fn a_kept_state_is_taken_once() {
        let live = Live::with_capacity(4);
        let iv = interview();
        live.keep(10, kept(1, 7, &iv));
        assert_eq!(live.take(10).map(|k| k.id), Some(InterviewId(1)));
        assert!(live.take(10).is_none(), "a second answer reads the store");
    }

    #[test]
    fn when_full_the_entry_answered_longest_ago_goes() {
        let live = Live::with_capacity(2);
        let iv = interview();
        live.keep(10, kept(1, 7, &iv));
        live.keep(20, kept(2, 8, &iv));
        // Thread 10 answered again: now 20 is the oldest.
        let again = live.take(10).unwrap();
        live.keep(10, again);
        live.keep(30, kept(3, 9, &iv));
        assert_eq!(live.len(), 2);
        assert!(live.take(20).is_none());
        assert!(live.take(10).is_some());
        assert!(live.take(30).is_some());
    }

    #[test]
    fn forgetting_a_member_drops_only_their_interviews() {
        let live = Live::with_capacity(8);
        let iv = interview();
        live.keep(10, kept(1, 7, &iv));
        live.keep(20, kept(2, 8, &iv));
        live.keep(30, kept(3, 7, &iv));
        live.forget_user(7);
        assert_eq!(live.len(), 1);
        assert!(live.take(20).is_some());
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let live = Live::with_capacity(0);
        live.keep(10, kept(1, 7, &interview()));
        assert!(live.take(10).is_none());
    }
}
