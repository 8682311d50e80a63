//! Interviews answered lately, kept decoded between answers, so the next
//! answer in a thread need not read and decode its state from the store.
//!
//! It is a guess, not a second copy of the truth: the store checks, in the
//! transaction that records an answer, that the interview is open and still at
//! the kept revision. Anything that changed it meanwhile (another answer, a
//! close, `/forget-me`) makes the store refuse the write and the answer starts
//! over from a fresh read, so an out-of-date entry costs one retry and is never
//! written back.

use std::sync::Mutex;

use hashlink::LruCache;

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

/// Kept interviews by thread, the one answered longest ago dropped first
/// when full. A std mutex: every use is a map operation, never held across
/// an `.await`.
pub struct Live {
    entries: Mutex<LruCache<u64, Kept>>,
}

impl Default for Live {
    fn default() -> Self {
        Live::with_capacity(CAPACITY)
    }
}

impl Live {
    pub fn with_capacity(capacity: usize) -> Live {
        Live {
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<u64, Kept>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the kept state out, so two answers racing in one thread never
    /// start from the same copy (the second reads the store instead).
    pub fn take(&self, thread_id: u64) -> Option<Kept> {
        self.lock().remove(&thread_id)
    }

    /// Keeps `kept` for the next answer in `thread_id`, dropping the entry
    /// answered longest ago when full.
    pub fn keep(&self, thread_id: u64, kept: Kept) {
        let mut entries = self.lock();
        if entries.capacity() > 0 {
            entries.insert(thread_id, kept);
        }
    }

    /// The interview in `thread_id` ended or is gone.
    pub fn forget(&self, thread_id: u64) {
        self.lock().remove(&thread_id);
    }

    /// The member asked to be forgotten: nothing of theirs stays in memory.
    pub fn forget_user(&self, user_id: u64) {
        self.lock().retain(|_, kept| kept.user_id != user_id);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
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
