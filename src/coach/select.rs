//! Choosing questions: one for `/ask` (never the same twice in a row for a
//! person, when the role has more than one), several for a mock interview.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};

use crate::guide::{Category, Level, Question, Role, Stage};

/// Narrows the questions a pick may choose from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    pub category: Option<Category>,
    pub stage: Option<Stage>,
    /// Only questions written for this level (see [`Question::suits`]).
    pub level: Option<Level>,
}

impl Filter {
    pub fn matches(&self, q: &Question) -> bool {
        self.category.is_none_or(|c| q.category == c)
            && self.stage.is_none_or(|s| q.stage == s)
            && q.suits(self.level)
    }
}

/// One random question of the role that passes the filter, avoiding `avoid`
/// (the question this person saw last) whenever there is another choice.
pub fn pick<'r>(
    role: &'r Role,
    filter: Filter,
    avoid: Option<&str>,
    rng: &mut impl Rng,
) -> Option<&'r Question> {
    let all: Vec<&Question> = role
        .questions
        .iter()
        .filter(|q| filter.matches(q))
        .collect();
    let fresh: Vec<&Question> = all
        .iter()
        .copied()
        .filter(|q| Some(q.id.as_str()) != avoid)
        .collect();
    let pool = if fresh.is_empty() { &all } else { &fresh };
    if pool.is_empty() {
        return None;
    }
    Some(pool[rng.random_range(0..pool.len())])
}

/// `count` different questions for a mock interview, in the order an
/// interview runs: screening first, then the technical round, then the final.
/// `first`, when given, opens the interview (e.g. "practise this question");
/// the others suit `level`, when one is given.
pub fn plan<'r>(
    role: &'r Role,
    count: usize,
    first: Option<&'r Question>,
    level: Option<Level>,
    rng: &mut impl Rng,
) -> Vec<&'r Question> {
    let mut pool: Vec<&Question> = role
        .questions
        .iter()
        .filter(|q| first.is_none_or(|f| f.id != q.id) && q.suits(level))
        .collect();
    pool.shuffle(rng);
    let rest = count.saturating_sub(usize::from(first.is_some()));
    pool.truncate(rest);
    pool.sort_by_key(|q| q.stage);
    first.into_iter().chain(pool).take(count.max(1)).collect()
}

/// A question for a peer-interview round: of the role `role_id` (of any role with such a
/// question when `None`), suiting `level`, whose framework has at most `max_steps` steps
/// (a peer rates each), and none of `avoid` (the pair's earlier questions) when another
/// fits.
pub fn pick_scorable<'r>(
    roles: &'r [Role],
    role_id: Option<&str>,
    level: Option<Level>,
    max_steps: usize,
    avoid: &[String],
    rng: &mut impl Rng,
) -> Option<(&'r Role, &'r Question)> {
    let all: Vec<(&Role, &Question)> = roles
        .iter()
        .filter(|r| role_id.is_none_or(|id| r.id == id))
        .flat_map(|r| r.questions.iter().map(move |q| (r, q)))
        .filter(|(_, q)| q.suits(level) && q.framework.steps.len() <= max_steps)
        .collect();
    let fresh: Vec<(&Role, &Question)> = all
        .iter()
        .copied()
        .filter(|(_, q)| !avoid.contains(&q.id))
        .collect();
    let pool = if fresh.is_empty() { &all } else { &fresh };
    if pool.is_empty() {
        return None;
    }
    Some(pool[rng.random_range(0..pool.len())])
}

/// The question picker the bot shares between members: the random source and
/// each person's last question.
pub struct Picker {
    /// `None` (the bot): each thread's own generator. A shared one behind a
    /// mutex made an `/ask` wait 64 ms once in a benchmark profile, for a
    /// holder the kernel had preempted. `Some`: one seeded generator, so tests
    /// and benchmarks are reproducible.
    seeded: Option<Mutex<StdRng>>,
    /// A plain mutex: every use is a map lookup or insert, never across an `.await`.
    last: Mutex<HashMap<u64, String>>,
}

/// Enough to remember everyone active on a busy server; past it the memory
/// is simply cleared, at worst repeating one question for someone.
const LAST_ASKED_CAP: usize = 50_000;

impl Picker {
    pub fn new() -> Self {
        Picker {
            seeded: None,
            last: Mutex::new(HashMap::new()),
        }
    }

    pub fn seeded(seed: u64) -> Self {
        Picker {
            seeded: Some(Mutex::new(StdRng::seed_from_u64(seed))),
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `f` with the random source. A panic while holding the seeded
    /// generator cannot leave it in a state that matters, so a poisoned lock
    /// is simply taken over.
    fn with_rng<T>(&self, f: impl FnOnce(&mut dyn RngCore) -> T) -> T {
        match &self.seeded {
            Some(rng) => f(&mut *rng.lock().unwrap_or_else(|e| e.into_inner())),
            None => f(&mut rand::rng()),
        }
    }

    /// Picks for `user`, never repeating that user's previous question when
    /// the role offers another one, and remembers the choice.
    pub fn pick_for<'r>(&self, user: u64, role: &'r Role, filter: Filter) -> Option<&'r Question> {
        let key_last = {
            let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            last.get(&user).cloned()
        };
        let avoid = key_last
            .as_deref()
            .and_then(|k| k.strip_prefix(&format!("{}/", role.id)));
        let q = self.with_rng(|mut rng| pick(role, filter, avoid, &mut rng))?;
        self.remember(user, role, &q.id);
        Some(q)
    }

    /// Records a question shown to `user` by id (e.g. `/ask question:`).
    pub fn remember(&self, user: u64, role: &Role, question_id: &str) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.len() >= LAST_ASKED_CAP {
            last.clear();
        }
        last.insert(user, format!("{}/{question_id}", role.id));
    }

    pub fn plan<'r>(
        &self,
        role: &'r Role,
        count: usize,
        first: Option<&'r Question>,
        level: Option<Level>,
    ) -> Vec<&'r Question> {
        self.with_rng(|mut rng| plan(role, count, first, level, &mut rng))
    }

    /// [`pick_scorable`] with this picker's random source.
    pub fn pick_scorable<'r>(
        &self,
        roles: &'r [Role],
        role_id: Option<&str>,
        level: Option<Level>,
        max_steps: usize,
        avoid: &[String],
    ) -> Option<(&'r Role, &'r Question)> {
        self.with_rng(|mut rng| pick_scorable(roles, role_id, level, max_steps, avoid, &mut rng))
    }
}

impl Default for Picker {
    fn default() -> Self {
        Self::new()
    }
}
