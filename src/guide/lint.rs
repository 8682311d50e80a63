//! The strict check (`interview-coach check --strict`): problems that do not
//! stop a library from loading but make it worse to practise with.
//!
//! - A follow-up must work after anyone's answer, so it may not name what
//!   only its question's example answer has: a capitalised name or a number
//!   that neither the question nor the role's vocabulary has, a person from
//!   the example ("he", "she"), or a word found in the example and nowhere
//!   in the question, its framework, the role's vocabulary or the library's
//!   common wording.
//! - No opener starts more than [`MAX_SAME_OPENER`] example answers, so the
//!   examples do not teach a stock phrase.
//! - No two examples share [`RETOLD_RUNS`] runs of [`RUN_WORDS`] words: each
//!   tells its own story in its own words.
//!
//! What the loader notices while filling placeholders (a whole list spoken
//! in a question, a list inside a list) is kept with the library and joins
//! these; the coach adds its analysis of each example.

use std::collections::{HashMap, HashSet};

use super::model::{GuideLibrary, Question, Role};
use super::read::GuideError;

/// At most this many examples may open with the same three words.
pub const MAX_SAME_OPENER: usize = 3;

/// A word used in the prompts (text, why, tips) of this many questions, or in
/// the follow-ups of this many roles, is the library's common wording.
const COMMON_IN: usize = 3;

/// So is a word in this many example answers: everyday words ("wrote",
/// "year", "redesign") are, the details of one story are not. A fixed count,
/// so a growing library does not make more words look specific.
const COMMON_IN_EXAMPLES: usize = 5;

/// Two examples that share this many runs of [`RUN_WORDS`] words retell one
/// answer.
pub const RETOLD_RUNS: usize = 5;

/// The length of a run of words compared between examples.
pub const RUN_WORDS: usize = 8;

/// Words for numbers that a follow-up may not bring in on its own.
const NUMBER_WORDS: [&str; 17] = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "fifty", "hundred", "thousand", "million",
];

/// Pronouns that point at a person the follow-up never introduced.
const PERSONS: [&str; 6] = ["he", "she", "him", "her", "his", "hers"];

/// Every strict problem the guides themselves show, sorted by place.
pub fn strict(lib: &GuideLibrary) -> Vec<GuideError> {
    let common = common_words(lib);
    let mut out: Vec<GuideError> = lib.strict_notes().to_vec();
    for role in lib.roles() {
        // A template's follow-ups were written for every role, with no
        // example answer in view.
        for q in role.questions.iter().filter(|q| !q.templated_follow_ups) {
            for (i, f) in q.follow_ups.iter().enumerate() {
                for why in specific_words(role, q, &f.question, &common) {
                    out.push(at(
                        role,
                        q,
                        format!(
                            "follow-up #{} of question `{}` in role `{}` {why}; refer to \"the change you described\" or \"that decision\" so it fits anyone's answer",
                            i + 1,
                            q.id,
                            role.id
                        ),
                    ));
                }
            }
        }
    }
    out.extend(repeated_openers(lib));
    out.extend(retold(lib));
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    out.dedup();
    out
}

/// A problem reported at a question's place in its role file.
pub fn at(role: &Role, q: &Question, message: String) -> GuideError {
    GuideError {
        path: role.source.clone(),
        line: q.origin.0,
        column: q.origin.1,
        message,
    }
}

/// Words as the check compares them: lowercase, Snowball-stemmed, so
/// "virtualised" and "virtualise" are one word.
fn stems(text: &str) -> impl Iterator<Item = String> + '_ {
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    words(text).map(move |w| stemmer.stem(&w.to_lowercase()).into_owned())
}

/// Alphanumeric runs, keeping inner apostrophes and hyphens ("didn't",
/// "trade-off").
fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-' || c == '’'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
}

fn common_words(lib: &GuideLibrary) -> HashSet<String> {
    let mut by_question: HashMap<String, usize> = HashMap::new();
    let mut by_role: HashMap<String, usize> = HashMap::new();
    let mut by_example: HashMap<String, usize> = HashMap::new();
    for role in lib.roles() {
        let mut in_role: HashSet<String> = HashSet::new();
        for q in &role.questions {
            let prompt = std::iter::once(q.text.as_str())
                .chain([q.why.as_str()])
                .chain(q.tips.iter().map(String::as_str));
            let seen: HashSet<String> = prompt.flat_map(stems).collect();
            for w in seen {
                *by_question.entry(w).or_default() += 1;
            }
            for w in stems(&q.example).collect::<HashSet<String>>() {
                *by_example.entry(w).or_default() += 1;
            }
            in_role.extend(q.follow_ups.iter().flat_map(|f| stems(&f.question)));
        }
        for w in in_role {
            *by_role.entry(w).or_default() += 1;
        }
    }
    by_question
        .into_iter()
        .chain(by_role)
        .filter(|(_, n)| *n >= COMMON_IN)
        .chain(
            by_example
                .into_iter()
                .filter(|(_, n)| *n >= COMMON_IN_EXAMPLES),
        )
        .map(|(w, _)| w)
        .collect()
}

/// What in `follow_up` only the example answer can explain, each as the end
/// of a sentence ("names `Redis SETNX`, which …").
fn specific_words(
    role: &Role,
    q: &Question,
    follow_up: &str,
    common: &HashSet<String>,
) -> Vec<String> {
    let v = &role.vocabulary;
    let fw = &q.framework;
    let mut context: Vec<&str> = vec![&q.text, &q.why, &role.name, &v.field, &fw.name, &fw.summary];
    context.extend(q.tips.iter().map(String::as_str));
    for list in [&v.focus, &v.skills, &v.metrics, &v.stakeholders] {
        context.extend(list.iter().map(String::as_str));
    }
    for (term, others) in &v.synonyms {
        context.push(term);
        context.extend(others.iter().map(String::as_str));
    }
    for s in &fw.steps {
        context.extend([s.name.as_str(), s.guidance.as_str()]);
    }
    let known_words: HashSet<String> = context
        .iter()
        .flat_map(|t| words(t))
        .map(str::to_lowercase)
        .collect();
    let known: HashSet<String> = context.iter().flat_map(|t| stems(t)).collect();
    let example: HashSet<String> = stems(&q.example).collect();

    let mut out: Vec<String> = Vec::new();
    let mut sentence_start = true;
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    for piece in follow_up.split_inclusive(['.', '?', '!', ':', ';']) {
        for w in words(piece) {
            let lower = w.to_lowercase();
            let stem = stemmer.stem(&lower).into_owned();
            let first = std::mem::replace(&mut sentence_start, false);
            let said = |what: &str| {
                format!("{what} `{w}`, which its question and the role's vocabulary do not")
            };
            let problem = if known_words.contains(&lower) || known.contains(&stem) {
                None
            } else if w.chars().any(|c| c.is_ascii_digit())
                || NUMBER_WORDS.contains(&lower.as_str())
            {
                Some(said("names the number"))
            } else if PERSONS.contains(&lower.as_str()) {
                Some(format!(
                    "refers to a person as `{w}`, whom the question never introduces"
                ))
            } else if !first
                && w != "I"
                && !w.starts_with("I'")
                && w.chars().next().is_some_and(char::is_uppercase)
            {
                Some(said("names"))
            } else if lower.chars().count() >= 4
                && example.contains(&stem)
                && !common.contains(&stem)
            {
                Some(format!(
                    "names `{w}`, which only the question's example answer has"
                ))
            } else {
                None
            };
            if let Some(p) = problem {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        sentence_start = true;
    }
    out
}

/// Examples that open with the same three words as more than
/// [`MAX_SAME_OPENER`] - 1 others: each one past the limit is reported.
fn repeated_openers(lib: &GuideLibrary) -> Vec<GuideError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for role in lib.roles() {
        for q in &role.questions {
            let opener: Vec<String> = words(&q.example).take(3).map(str::to_lowercase).collect();
            if opener.len() < 3 {
                continue;
            }
            let opener = opener.join(" ");
            let n = seen.entry(opener.clone()).or_default();
            *n += 1;
            if *n > MAX_SAME_OPENER {
                out.push(at(
                    role,
                    q,
                    format!(
                        "the example answer of `{}` opens \"{opener} …\" like {} examples before it; open in this answer's own words",
                        q.id,
                        *n - 1
                    ),
                ));
            }
        }
    }
    out
}

/// Pairs of examples that share [`RETOLD_RUNS`] runs of words or more,
/// reported at the later one.
fn retold(lib: &GuideLibrary) -> Vec<GuideError> {
    let examples: Vec<(&Role, &Question)> = lib
        .roles()
        .iter()
        .flat_map(|r| r.questions.iter().map(move |q| (r, q)))
        .collect();
    // Each run of words → the examples it is in (by index), each once.
    let mut runs: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
    for (i, (_, q)) in examples.iter().enumerate() {
        let w: Vec<String> = words(&q.example).map(str::to_lowercase).collect();
        for run in w.windows(RUN_WORDS) {
            let seen = runs.entry(run.to_vec()).or_default();
            if seen.last() != Some(&i) {
                seen.push(i);
            }
        }
    }
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    for ids in runs.values().filter(|ids| ids.len() > 1 && ids.len() < 20) {
        for (n, &a) in ids.iter().enumerate() {
            for &b in &ids[n + 1..] {
                *shared.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut out = Vec::new();
    for ((a, b), n) in shared {
        if n >= RETOLD_RUNS {
            let (ra, qa) = examples[a];
            let (rb, qb) = examples[b];
            out.push(at(
                rb,
                qb,
                format!(
                    "the example answer of `{}` shares {n} runs of {RUN_WORDS} words with `{}/{}`'s; tell its own story in its own words",
                    qb.id, ra.id, qa.id
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_apostrophes_and_hyphens() {
        let w: Vec<&str> = words("Why didn't you take the trade-off (Redis)?").collect();
        assert_eq!(
            w,
            ["Why", "didn't", "you", "take", "the", "trade-off", "Redis"]
        );
    }
}
