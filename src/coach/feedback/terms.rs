//! Which of the role's skills, metrics and stakeholders an answer names,
//! spelling variants and simple plurals included.

use super::analyse::Scan;
use super::cues::flag;
use super::{AnswerContext, MissedTerm, RoleTermReport, Term, TermKind, TermUse};
use crate::guide::words::tokenize;

/// Whether answer word `a` is term word `t` or a simple variant of it:
/// plural, possessive, or the singular of a plural term. `last` limits the
/// variants to the term's last word ("product managers", not "products manager").
fn term_word_eq(a: &str, t: &str, last: bool, case_sensitive: bool) -> bool {
    let eq = |x: &str, y: &str| {
        if case_sensitive {
            x == y
        } else {
            x.eq_ignore_ascii_case(y)
        }
    };
    if eq(a, t) {
        return true;
    }
    if !last {
        return false;
    }
    let a = a
        .strip_suffix("'s")
        .or_else(|| a.strip_suffix('\''))
        .unwrap_or(a);
    if eq(a, t) {
        return true;
    }
    let tail_eq = |suffix: &str, base: &str| {
        a.len() > suffix.len() && a.is_char_boundary(a.len() - suffix.len()) && {
            let (head, tail) = a.split_at(a.len() - suffix.len());
            tail.eq_ignore_ascii_case(suffix) && eq(head, base)
        }
    };
    if tail_eq("s", t) || tail_eq("es", t) {
        return true;
    }
    if let Some(stem) = t.strip_suffix('y').filter(|s| !s.is_empty()) {
        if tail_eq("ies", stem) {
            return true;
        }
    }
    if let Some(single) = t.strip_suffix('s').filter(|s| s.len() > 2) {
        if eq(a, single) {
            return true;
        }
    }
    false
}

pub(super) fn role_terms(scan: &Scan, ctx: &AnswerContext) -> RoleTermReport {
    let t = &scan.t;
    // Word tokens bucketed by first byte (a counting sort): a term is then
    // compared with the few answer words sharing its first letter.
    let first_byte = |i: usize| usize::from(t.norm(i).as_bytes().first().copied().unwrap_or(0));
    let mut starts = [0usize; 257];
    for i in (0..t.len()).filter(|&i| t.is_wordlike(i)) {
        starts[first_byte(i) + 1] += 1;
    }
    for b in 1..257 {
        starts[b] += starts[b - 1];
    }
    let mut fill = starts;
    let mut idx = vec![0usize; starts[256]];
    for i in (0..t.len()).filter(|&i| t.is_wordlike(i)) {
        let b = first_byte(i);
        idx[fill[b]] = i;
        fill[b] += 1;
    }
    let mut used = Vec::new();
    let mut missed = Vec::new();
    let lists: [(TermKind, &Vec<Term>); 3] = [
        (TermKind::Skill, &ctx.terms.skills),
        (TermKind::Metric, &ctx.terms.metrics),
        (TermKind::Stakeholder, &ctx.terms.stakeholders),
    ];
    for (kind, list) in lists {
        for term in list {
            let mut count = 0u32;
            let mut written: Option<&str> = None;
            for variant in std::iter::once(&term.canonical).chain(&term.variants) {
                let v = variant.trim();
                let vt = tokenize(v);
                if vt.len() == 0 {
                    continue;
                }
                // Short capitalised terms ("Go", "QA") are everyday words in
                // lower case ("go", "qa"), so they match only as written.
                let case_sensitive = v.chars().count() <= 3 && v.chars().any(char::is_uppercase);
                // A one-word variant that is also a stop word ("Next" for
                // Next.js) matches only as written and never as the first
                // word of a sentence, where everything is capitalised.
                let everyday = vt.len() == 1
                    && scan
                        .cues
                        .index
                        .get(vt.norm(0))
                        .is_some_and(|e| e.flags & flag::STOP != 0);
                let case_sensitive = case_sensitive || everyday;
                let first = vt.norm(0);
                let base = first
                    .strip_suffix('s')
                    .or_else(|| first.strip_suffix('y'))
                    .filter(|b| !b.is_empty())
                    .unwrap_or(first);
                let b = usize::from(base.as_bytes().first().copied().unwrap_or(0));
                for &i in idx[starts[b]..starts[b + 1]]
                    .iter()
                    .filter(|&&i| t.norm(i).starts_with(base))
                {
                    let ok = (0..vt.len()).all(|k| {
                        let j = i + k;
                        let last = k + 1 == vt.len();
                        t.is_wordlike(j)
                            && (k == 0 || t.toks[j].sentence == t.toks[i].sentence)
                            && if case_sensitive {
                                term_word_eq(t.orig(j), vt.orig(k), last, true)
                            } else {
                                term_word_eq(t.norm(j), vt.norm(k), last, false)
                            }
                    });
                    if ok && everyday && t.toks[i].sentence_start {
                        continue;
                    }
                    if ok {
                        count += 1;
                        written.get_or_insert(t.orig_span(i, i + vt.len()));
                    }
                }
            }
            match written {
                Some(w) => used.push(TermUse {
                    term: term.canonical.clone(),
                    kind,
                    written: w.to_string(),
                    count,
                }),
                None => missed.push(MissedTerm {
                    term: term.canonical.clone(),
                    kind,
                }),
            }
        }
    }
    RoleTermReport { used, missed }
}
