//! Cutting an answer into the pieces the sentence model judges one by one.
//!
//! A piece is a sentence; a line of its own (bullets, numbered lists); or,
//! in a long run of words with no full stops (answers typed on a phone), a
//! stretch between discourse words such as "so", "then" or "and I", or
//! before the speaker's own clause ("... at peak i ran the traces"). The
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

/// Whether `w` (then `next`) starts the speaker's own clause in a run with
/// no punctuation at all: "... every evening peak i ran the traces", "... at peak
/// my task was to move ingestion". Told without punctuation, that is where
/// the story moves from the scene to the speaker's part in it.
fn speaker_opens(w: &str, next: &str) -> bool {
    w == "i"
        || (w == "my"
            && matches!(
                next,
                "task" | "job" | "goal" | "role" | "brief" | "manager" | "lead" | "boss"
            ))
}

/// Words after which an "I" or "my" continues the clause rather than
/// starting one ("the thing that i fixed", "what my lead wanted").
fn binds(w: &str) -> bool {
    matches!(
        w,
        "that"
            | "what"
            | "which"
            | "who"
            | "where"
            | "when"
            | "if"
            | "as"
            | "thing"
            | "one"
            | "and"
            | "so"
            | "then"
            | "but"
            | "because"
            | "how"
            | "why"
            | "whether"
            | "since"
            | "until"
            | "before"
            | "after"
            | "than"
            | "like"
            | "uh"
            | "um"
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
    // A run with no commas either (typed on a phone): "i" and "my task"
    // open clauses there, where in written English they may not ("the
    // next four migrations I led").
    let bare = !(a..b).any(|i| t.kind(i) == Some(Kind::Clause));
    let mut start = a;
    // Words in `a..i`, and in `a..start`.
    let (mut before, mut at_start) = (0, 0);
    for i in a..b {
        if !t.is_wordlike(i) {
            continue;
        }
        let w = t.norm(i);
        let opens = opens_clause(w)
            || (w == "and" && is_subject(t.norm(i + 1)))
            || (bare && speaker_opens(w, t.norm(i + 1)) && i > a && !binds(t.norm(i - 1)));
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
