//! The shape of a whole answer, read with each of its pieces: how many
//! specific things it names per hundred words and how dense it is in
//! content words. The same sentence reads differently in an answer full of
//! names and figures and in one of generalities, and the labelled answers'
//! writers judged it so ("I fixed the main ones" is an action in the first
//! and a claim in the second). Scored across writers, these two features
//! took steps agreement up by about 0.4 points.

use super::features::{class_bits, content_word, is_i};
use super::named::Named;
use crate::coach::feedback::analyse::Scan;
use crate::guide::words::Kind;

/// Whether token `i` names something specific: a number, a name
/// (capitalised inside a sentence), an acronym, or a word with a digit or
/// an inner hyphen, dot or slash ("p99", "read-replica", "S3").
fn specific(scan: &Scan<'_>, i: usize) -> bool {
    let t = &scan.t;
    match t.kind(i) {
        Some(Kind::Number) => true,
        Some(Kind::Word) => {
            let (o, tok, w) = (t.orig(i), t.toks[i], t.norm(i));
            (tok.capitalised && !tok.sentence_start && !is_i(w))
                || (o.len() >= 2
                    && o.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
                || o.chars().any(|c| c.is_ascii_digit())
                || o.trim_matches(|c: char| !c.is_alphanumeric())
                    .contains(['-', '.', '/'])
        }
        _ => false,
    }
}

/// What every piece of an answer is read with: the answer's specific
/// tokens per hundred words and its share of content words, bucketed at
/// round values chosen before fitting (2 and 6 per hundred; 40% and 50%).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnswerShape {
    pub(super) specific: Named,
    pub(super) dense: Named,
}

impl AnswerShape {
    pub(crate) fn of(scan: &Scan<'_>) -> AnswerShape {
        let t = &scan.t;
        let (mut words, mut spec, mut content) = (0usize, 0usize, 0usize);
        for i in 0..t.len() {
            match t.kind(i) {
                Some(Kind::Number) => {
                    words += 1;
                    spec += 1;
                    content += 1;
                }
                Some(Kind::Word) => {
                    words += 1;
                    spec += usize::from(specific(scan, i));
                    let w = t.norm(i);
                    content += usize::from(content_word(scan, i, w, class_bits(scan, i)));
                }
                _ => {}
            }
        }
        let words = words.max(1);
        let per_hundred = spec * 100 / words;
        let percent = content * 100 / words;
        AnswerShape {
            specific: match per_hundred {
                0..2 => Named::AnsSpecLow,
                2..6 => Named::AnsSpecMid,
                _ => Named::AnsSpecHigh,
            },
            dense: match percent {
                0..40 => Named::AnsDenseLow,
                40..50 => Named::AnsDenseMid,
                _ => Named::AnsDenseHigh,
            },
        }
    }
}
