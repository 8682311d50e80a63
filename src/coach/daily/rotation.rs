//! Which question the daily post asks next, for one role.
//!
//! The rule: no question comes back within the role's question count. Among
//! the `n` questions a role offers (those for the schedule's level, when it
//! has one), the next is one of those not among the last `n - 1` of them
//! posted, so any `n` consecutive posts are all different. Of those, a
//! question never posted comes first, else the one posted longest ago. Ties
//! (the first round, before every question has been posted) are broken by a
//! hash of the seed and the question id, so each server's first round comes
//! in its own order. When every question has been posted, the order repeats
//! (the rule leaves no other choice); a guide reload that adds a question
//! slots it in next, and one that removes a question shortens the round.
//!
//! The choice is a function of the role's questions, the ids posted and the
//! seed alone, so a bot that restarts makes the same one. Ids posted that the
//! role no longer offers (a reload, another level) are passed over.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::guide::{Level, Question, Role};

/// The next of `eligible` to post, given the ids already posted for the
/// role (most recent last). `None` only when `eligible` is empty.
pub fn next_in_rotation<'a, S: AsRef<str>>(
    eligible: &[&'a str],
    posted: &[S],
    seed: u64,
) -> Option<&'a str> {
    let n = eligible.len();
    // Where each eligible id was last posted (a larger index is more recent),
    // and the last n - 1 posts of eligible ids, which are excluded.
    let mut last_at: HashMap<&str, usize> = HashMap::new();
    let mut recent = 0;
    for (i, id) in posted.iter().enumerate().rev() {
        let id = id.as_ref();
        if !eligible.contains(&id) {
            continue;
        }
        if recent < n.saturating_sub(1) {
            recent += 1;
            last_at.entry(id).or_insert(usize::MAX);
        } else {
            last_at.entry(id).or_insert(i);
        }
    }
    eligible
        .iter()
        .copied()
        .filter(|id| last_at.get(id) != Some(&usize::MAX))
        .min_by_key(|id| (last_at.get(id).map_or(0, |&i| i + 1), mix(seed ^ fnv1a(id))))
}

/// The next question of `role` for the daily post: [`next_in_rotation`] over
/// the role's questions that suit `level`.
pub fn next_question<'r, S: AsRef<str>>(
    role: &'r Role,
    level: Option<Level>,
    posted: &[S],
    seed: u64,
) -> Option<&'r Question> {
    let eligible: Vec<&str> = role
        .questions
        .iter()
        .filter(|q| q.suits(level))
        .map(|q| q.id.as_str())
        .collect();
    let id = next_in_rotation(&eligible, posted, seed)?;
    role.questions.iter().find(|q| q.id == id)
}

/// The role for the next daily post when a schedule names several: the one
/// after `last` in `roles`, round the list; the first when `last` is none
/// of them.
pub fn next_role<'a>(roles: &[&'a str], last: Option<&str>) -> Option<&'a str> {
    let after = last
        .and_then(|last| roles.iter().position(|r| *r == last))
        .map_or(0, |i| i + 1);
    roles.get(after % roles.len().max(1)).copied()
}

/// A seed for [`next_in_rotation`] from the server and the local date of the
/// post; the same inputs always give the same seed, on any build.
pub fn rotation_seed(server: u64, date: Date) -> u64 {
    let day = (i64::from(date.year()) * 12 + i64::from(date.month())) * 31 + i64::from(date.day());
    mix(server ^ mix(day as u64))
}

/// FNV-1a: a fixed hash, unlike std's, which may change between releases.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64's finaliser: spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const IDS: [&str; 7] = ["a", "b", "c", "d", "e", "f", "g"];

    /// `days` more posts after `posted`, one a day from 2025-12-20 (so across
    /// the new year), each with its day's seed.
    fn run(eligible: &[&str], mut posted: Vec<String>, days: usize, server: u64) -> Vec<String> {
        let first = date(2025, 12, 20);
        let mut day = first
            .checked_add(jiff::ToSpan::days(posted.len() as i64))
            .unwrap();
        for _ in 0..days {
            let next = next_in_rotation(eligible, &posted, rotation_seed(server, day)).unwrap();
            posted.push(next.to_string());
            day = day.tomorrow().unwrap();
        }
        posted
    }

    fn assert_no_repeat_within(posts: &[String], n: usize) {
        for window in posts.windows(n) {
            let mut sorted = window.to_vec();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), n, "repeat within {n}: {window:?}");
        }
    }

    #[test]
    fn never_repeats_within_the_question_count_across_rounds() {
        let posts = run(&IDS, Vec::new(), 50, 42);
        assert_no_repeat_within(&posts, IDS.len());
        // Each round of seven is every question once.
        for round in posts.chunks(IDS.len()).filter(|r| r.len() == IDS.len()) {
            let mut sorted = round.to_vec();
            sorted.sort();
            assert_eq!(sorted, IDS);
        }
    }

    #[test]
    fn a_restart_mid_round_makes_the_same_choices() {
        let straight = run(&IDS, Vec::new(), 20, 7);
        for cut in [1, 3, 7, 12] {
            let resumed = run(&IDS, straight[..cut].to_vec(), 20 - cut, 7);
            assert_eq!(resumed, straight, "restart after {cut} posts");
        }
    }

    #[test]
    fn each_server_has_its_own_first_round() {
        let one = run(&IDS, Vec::new(), 7, 1);
        let orders: Vec<Vec<String>> = (2..6).map(|s| run(&IDS, Vec::new(), 7, s)).collect();
        assert!(orders.iter().any(|o| *o != one), "every seed gave {one:?}");
        assert_eq!(
            rotation_seed(9, date(2026, 1, 1)),
            rotation_seed(9, date(2026, 1, 1))
        );
        assert_ne!(
            rotation_seed(9, date(2026, 1, 1)),
            rotation_seed(9, date(2025, 12, 31))
        );
        assert_ne!(
            rotation_seed(9, date(2026, 1, 1)),
            rotation_seed(10, date(2026, 1, 1))
        );
    }

    #[test]
    fn edge_sizes() {
        assert_eq!(next_in_rotation::<&str>(&[], &[], 1), None);
        // One question: the only choice, every day.
        assert_eq!(next_in_rotation(&["a"], &["a", "a"], 1), Some("a"));
        // Two: they alternate.
        let posts = run(&["x", "y"], Vec::new(), 6, 3);
        assert_no_repeat_within(&posts, 2);
    }

    #[test]
    fn a_guide_reload_is_absorbed() {
        // A question added mid-round comes next; the rule holds from there.
        let before = run(&IDS[..5], Vec::new(), 8, 5);
        let after = run(&IDS, before.clone(), 14, 5);
        assert!(["f", "g"].contains(&after[8].as_str()));
        assert_no_repeat_within(&after[8..], IDS.len());
        // A question removed: the old id is passed over, the rest keep the rule.
        let fewer = ["a", "b", "c"];
        let after = run(&fewer, before.clone(), 9, 5);
        assert_no_repeat_within(&after[8..], fewer.len());
        assert!(after[8..].iter().all(|id| fewer.contains(&id.as_str())));
        // Unknown ids in the history do not count toward the window.
        let noisy = vec![
            "zz".to_string(),
            "a".into(),
            "zz".into(),
            "b".into(),
            "zz".into(),
        ];
        assert_eq!(next_in_rotation(&["a", "b", "c"], &noisy, 0), Some("c"));
    }

    #[test]
    fn the_least_recently_posted_comes_first_when_several_may() {
        // A steady round leaves one choice: the question posted n posts ago.
        let posted = ["a", "b", "c", "a", "b", "c", "g", "d", "e", "f"];
        assert_eq!(next_in_rotation(&IDS, &posted, 0), Some("a"));
        // A history from a narrower filter (a and b only, with c long ago):
        // the window (the last three) holds just a and b, so c and d may
        // come; d, never posted, comes first, then c, for any seed.
        let eligible = ["a", "b", "c", "d"];
        let posted = ["c", "a", "b", "a", "b"];
        for seed in 0..20 {
            assert_eq!(next_in_rotation(&eligible, &posted, seed), Some("d"));
        }
        let posted = ["c", "d", "a", "b", "a", "b"];
        for seed in 0..20 {
            assert_eq!(next_in_rotation(&eligible, &posted, seed), Some("c"));
        }
    }

    #[test]
    fn roles_take_turns() {
        let roles = ["backend", "frontend", "qa"];
        assert_eq!(next_role(&roles, None), Some("backend"));
        assert_eq!(next_role(&roles, Some("backend")), Some("frontend"));
        assert_eq!(next_role(&roles, Some("qa")), Some("backend"));
        assert_eq!(next_role(&roles, Some("removed")), Some("backend"));
        assert_eq!(next_role(&[], Some("qa")), None);
    }

    #[test]
    fn questions_of_a_shipped_role_for_a_level() {
        let lib = crate::guide::GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides"))
            .expect("shipped guides");
        let role = lib.role("backend").unwrap();
        let junior: Vec<&str> = role
            .questions
            .iter()
            .filter(|q| q.suits(Some(Level::Junior)))
            .map(|q| q.id.as_str())
            .collect();
        assert!(
            junior.len() < role.questions.len(),
            "backend narrows some questions"
        );
        let mut posted: Vec<String> = Vec::new();
        for day in 0..(2 * junior.len() + 3) {
            let q = next_question(role, Some(Level::Junior), &posted, day as u64).unwrap();
            assert!(q.suits(Some(Level::Junior)), "{} is not for juniors", q.id);
            posted.push(q.id.clone());
        }
        assert_no_repeat_within(&posted, junior.len());
        let all = next_question(role, None, &posted, 0).unwrap();
        assert!(
            !junior.contains(&all.id.as_str()),
            "a question left out so far comes first"
        );
    }
}
