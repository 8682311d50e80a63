//! Cutting an answer into the pieces the sentence model judges one by one.
//!
//! A piece is a sentence; a line of its own (bullets, numbered lists); or,
//! in a long run of words with no full stops (answers typed on a phone), a
//! stretch between discourse words such as "so", "then" or "and I". The
//! same cut is used for training and for answers, so the model learns on the
//! pieces it will later see.

use crate::guide::words::{Kind, Tokens};

/// A run of tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub start: usize,
    pub end: usize,
}

/// A sentence longer than this many words is split at discourse words.
const LONG: usize = 28;
/// Neither side of such a split may be shorter than this many words.
const MIN_PIECE: usize = 6;

/// Words that, inside a long unpunctuated run, usually open a new clause.
fn opens_clause(w: &str) -> bool {
    matches!(
        w,
        "so" | "then"
            | "but"
            | "because"
            | "afterwards"
            | "after"
            | "also"
            | "which"
            | "finally"
            | "eventually"
            | "since"
            | "now"
            | "anyway"
            | "basically"
    )
}

/// Subjects that, after "and", start a new clause ("... and I rewrote it").
fn is_subject(w: &str) -> bool {
    matches!(
        w,
        "i" | "we" | "they" | "it" | "he" | "she" | "my" | "our" | "that" | "this" | "then"
    )
}

/// The pieces of `t`, in order; empty when the text has no words.
pub(crate) fn segments(t: &Tokens<'_>, src: &str) -> Vec<Segment> {
    let n = t.len();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..n {
        let breaks_line = i > start && {
            let prev_end = t.toks[i - 1].orig_end as usize;
            let here = t.toks[i].orig_start as usize;
            src.get(prev_end..here)
                .is_some_and(|gap| gap.contains('\n'))
        };
        if breaks_line {
            push_split(t, start, i, &mut out);
            start = i;
        }
        if t.kind(i) == Some(Kind::Sentence) {
            push_split(t, start, i + 1, &mut out);
            start = i + 1;
        }
    }
    if start < n {
        push_split(t, start, n, &mut out);
    }
    out
}

fn word_count(t: &Tokens<'_>, a: usize, b: usize) -> usize {
    (a..b).filter(|&i| t.is_wordlike(i)).count()
}

/// Pushes `a..b`, split at discourse words when it is a long run.
fn push_split(t: &Tokens<'_>, a: usize, b: usize, out: &mut Vec<Segment>) {
    let total = word_count(t, a, b);
    if total == 0 {
        return;
    }
    if total <= LONG {
        // Too short to split: most sentences end here, without looking
        // for discourse words.
        out.push(Segment { start: a, end: b });
        return;
    }
    let mut start = a;
    // Words in `a..i`, and in `a..start`.
    let (mut before, mut at_start) = (0, 0);
    for i in a..b {
        if !t.is_wordlike(i) {
            continue;
        }
        let w = t.norm(i);
        let opens = opens_clause(w) || (w == "and" && is_subject(t.norm(i + 1)));
        if opens
            && before - at_start >= MIN_PIECE
            && total - at_start > LONG
            && total - before >= MIN_PIECE
        {
            out.push(Segment { start, end: i });
            start = i;
            at_start = before;
        }
        before += 1;
    }
    out.push(Segment { start, end: b });
}
