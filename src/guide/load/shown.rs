//! How much of a question `/ask` can show. Its embed holds each list (the
//! framework's steps, the tips, the follow-ups) in one field of at most 1,024
//! characters, so a question whose list adds up to more is cut when shown.
//! The per-item overheads mirror the layout `discord::render` builds (a bullet
//! or number and a line break per item, a follow-up's `checks` under it),
//! rounded up so a warning comes a little early rather than late.

use super::limits::FIELD_MAX;
use crate::guide::model::Question;

/// What `/ask` would cut from `q`, worded for `check`; `None` when it all fits.
pub(super) fn overflow(q: &Question) -> Option<String> {
    // Bytes bound characters from above, and almost every question fits by
    // that cheap measure; only the rest are counted in characters.
    if list_lengths(q, str::len)
        .iter()
        .all(|&(_, n)| n <= FIELD_MAX)
    {
        return None;
    }
    let over: Vec<String> = list_lengths(q, |s| s.chars().count())
        .into_iter()
        .filter(|&(_, n)| n > FIELD_MAX)
        .map(|(what, n)| format!("{what} take about {n}"))
        .collect();
    (!over.is_empty()).then(|| {
        format!(
            "warning: /ask shows each list of question `{}` in at most {FIELD_MAX} characters, and {}; the end will be cut: shorten or drop some items",
            q.id,
            over.join(" and ")
        )
    })
}

/// Each list `/ask` shows in one field, with its length as `len` measures text.
fn list_lengths(q: &Question, len: fn(&str) -> usize) -> [(&'static str, usize); 3] {
    let fw = &q.framework;
    let steps = len(&fw.summary)
        + fw.steps
            .iter()
            .map(|s| 12 + len(&s.name) + len(&s.guidance))
            .sum::<usize>();
    let tips = q.tips.iter().chain(&fw.tips).map(|t| 3 + len(t)).sum();
    let follow_ups = q
        .follow_ups
        .iter()
        .map(|f| 20 + len(&f.question) + len(&f.checks))
        .sum();
    [
        ("its framework's steps", steps),
        ("its tips (with the framework's)", tips),
        ("its follow-ups", follow_ups),
    ]
}
