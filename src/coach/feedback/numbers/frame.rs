//! The sentence around a number: outcome frames, comparisons, what was measured, and the entry point.

use super::super::analyse::Scan;
use super::super::cues::{flag, Unit};
use super::super::{AnswerContext, Evidence, Quantity, QuantityKind, Term};
use super::words::*;
use super::{Found, Numbers};
use crate::guide::words::Kind;

/// The role's metrics, each spelling split into words once per answer
/// rather than once per word it is compared with.
pub(super) struct Metrics<'c> {
    /// Per spelling with words, in the order of the metrics and of each
    /// one's spellings (canonical first): its metric's canonical name and
    /// its words in `words`.
    spellings: Vec<(&'c str, std::ops::Range<usize>)>,
    words: Vec<&'c str>,
}

impl<'c> Metrics<'c> {
    pub(super) fn new(metrics: &'c [Term]) -> Metrics<'c> {
        let mut out = Metrics {
            spellings: Vec::new(),
            words: Vec::new(),
        };
        for m in metrics {
            for s in std::iter::once(&m.canonical).chain(&m.variants) {
                let start = out.words.len();
                out.words.extend(s.split_whitespace());
                if out.words.len() > start {
                    out.spellings.push((&m.canonical, start..out.words.len()));
                }
            }
        }
        out
    }

    /// Each spelling as (its metric's canonical name, its words).
    fn spellings(&self) -> impl Iterator<Item = (&'c str, &[&'c str])> + '_ {
        self.spellings
            .iter()
            .map(|(name, r)| (*name, self.words.get(r.clone()).unwrap_or_default()))
    }
}

impl Scan<'_> {
    /// Told as what happened: a past verb or "now" shortly before `i` in its
    /// sentence.
    pub(super) fn told_as_done(&self, i: usize, reach: usize) -> bool {
        let t = &self.t;
        let sentence = t.toks[i].sentence;
        (i.saturating_sub(reach)..i)
            .filter(|&j| t.toks[j].sentence == sentence)
            .any(|j| {
                let w = t.norm(j);
                w == "now"
                    || self.on(&PAST, j)
                    || (w.len() > 4
                        && w.ends_with("ed")
                        && t.kind(j) == Some(Kind::Word)
                        && !t.toks[j].capitalised)
            })
    }

    /// One amount set against another: "11 minutes instead of a weekend",
    /// "3 minutes to CI instead of 40", "19% against 15%", "0.81 online
    /// versus 0.82 offline".
    pub(super) fn set_against(&self, f: &Found) -> bool {
        let t = &self.t;
        let i = f.start;
        // The connector, and whether the amount after it must be a number.
        let connector = |j: usize| -> Option<(usize, bool)> {
            match t.norm(j) {
                "instead" if t.norm(j + 1) == "of" => Some((j + 2, false)),
                "against" | "versus" | "vs" => Some((j + 1, true)),
                "compared" if matches!(t.norm(j + 1), "to" | "with") => Some((j + 2, true)),
                _ => None,
            }
        };
        // The other amount, when it is a number and not a target ("210 ms
        // against a 60 ms budget").
        let number_at = |mut j: usize| {
            while matches!(t.norm(j), "the" | "a" | "an") || self.on(&APPROX, j) {
                j += 1;
            }
            let target = (j + 1..j + 3).any(|k| self.on(&TARGETS, k));
            self.is_numberish(j) && self.same_clause(j, i) && !target
        };
        // "11 minutes instead of a weekend" compares a time or an amount
        // with what it would have been; "two sessions instead of a full
        // review" is how the work was done.
        let after = (f.unit_end..f.unit_end + 4)
            .take_while(|&j| self.same_clause(j, i) && (j == f.unit_end || !self.is_numberish(j)))
            .find_map(connector)
            .is_some_and(|(b, needs_number)| number_at(b) || (!needs_number && f.has_unit()));
        if after {
            return true;
        }
        // The amount after the connector: "instead of nine", "against 15%".
        (i.saturating_sub(3)..i)
            .rev()
            .take_while(|&j| self.same_clause(j, i))
            .find_map(|j| {
                connector(j)
                    .filter(|(b, _)| number_at(*b) && *b <= i)
                    .map(|_| j)
            })
            .is_some_and(|c| {
                (c.saturating_sub(4)..c).any(|j| {
                    // The amount compared must itself be one: not "eight
                    // people instead of four", nor "batches of 500".
                    self.is_numberish(j)
                        && self.same_clause(j, i)
                        && !self.value_of_setting(j)
                        && self.quantity_at(j).is_some()
                })
            })
    }

    /// The value of a setting: "batches of 500", "a pool size of 50", "a
    /// timeout of 30 seconds".
    pub(super) fn value_of_setting(&self, i: usize) -> bool {
        let t = &self.t;
        self.word_before(i).is_some_and(|p| {
            matches!(t.norm(p), "of" | "at" | "to")
                && p.checked_sub(1)
                    .is_some_and(|s| self.on(&SETTINGS, s) || t.norm(s) == "size")
        })
    }

    pub(super) fn counts_a_setting(&self, f: &Found) -> bool {
        f.noun
            .is_some_and(|(a, b)| (a..b).any(|j| self.on(&SETTINGS, j) || self.on(&PARTS, j)))
    }

    /// The sentence holding `i` says its numbers were never measured: "we
    /// never measured", "nothing measured yet", "didn't track it".
    pub(super) fn unmeasured(&self, i: usize) -> bool {
        let t = &self.t;
        let s = t.toks[i].sentence;
        let mut a = i;
        while a > 0 && t.toks[a - 1].sentence == s {
            a -= 1;
        }
        let mut b = i;
        while b + 1 < t.len() && t.toks[b + 1].sentence == s {
            b += 1;
        }
        (a..=b).any(|j| {
            self.on(&MEASURED, j)
                && (j.saturating_sub(3)..j).any(|k| self.flags[k] & flag::NEGATION != 0)
        })
    }

    /// Whether found number `f` is a result of the work.
    pub(super) fn is_result(&self, f: &Found) -> bool {
        if self.in_problem_frame(f.start) || self.value_of_setting(f.start) {
            return false;
        }
        // "grew from 4 to 9 engineers": the other end counts people.
        let people = self.range(f.start).is_some_and(|(p, _)| {
            self.t.kind(p) == Some(Kind::Number) && self.quantity_at(p).is_none()
        });
        if people {
            return false;
        }
        if let Some(v) = self.change_of(f) {
            return self.stated_change(v) && !self.changes_a_setting(v, f);
        }
        if self.arrow(f) || self.signed(f) {
            return !self.hypothetical_before(f.start);
        }
        if f.kind.is_none() {
            // A bare number: "58 of the last 60 days", "instead of nine".
            return (self.share(f) && self.framed_level(f))
                || (!self.hypothetical_before(f.start) && self.set_against(f));
        }
        self.level_now(f)
            || self.framed_level(f)
            || self.compared(f)
            || self.found_none(f)
            || self.caught(f)
    }

    /// Problems a new check caught: "the data set caught 5 market-specific
    /// bugs before release".
    pub(super) fn caught(&self, f: &Found) -> bool {
        self.outcome_amount(f)
            && !f.has_unit()
            && self.word_before(f.start).is_some_and(|p| {
                matches!(self.t.norm(p), "caught" | "prevented" | "blocked")
                    && !self.hypothetical_before(p)
            })
    }

    /// How long (or over how many occasions) an outcome held: "ran without
    /// a failure for the next 60 days", "no incident in the 14 months
    /// since", "the next four migrations went live with no corrections",
    /// "stayed within our error budget for the next three quarters". The
    /// absence of problems is the result, so the negation there does not
    /// negate the number.
    pub(super) fn sustained(&self, f: &Found) -> bool {
        let t = &self.t;
        let i = f.start;
        if !matches!(f.kind, Some(QuantityKind::Duration | QuantityKind::Count))
            || self.counts_a_setting(f)
        {
            return false;
        }
        let mut p = i;
        while p > 0 && t.norm(p - 1) == "the" {
            p -= 1;
        }
        let marked = p
            .checked_sub(1)
            .is_some_and(|b| matches!(t.norm(b), "next" | "following"))
            || t.norm(f.end) == "since"
            || (t.norm(f.end) == "," && t.norm(f.end + 1) == "since");
        if !marked || self.estimate_in_clause(i) || self.in_problem_frame(i) {
            return false;
        }
        let sentence = t.toks[i].sentence;
        let before = || {
            (i.saturating_sub(12)..i)
                .rev()
                .take_while(move |&j| t.toks[j].sentence == sentence)
        };
        if before().any(|j| matches!(t.norm(j), "spent" | "spend" | "took" | "spending")) {
            return false;
        }
        let held = before().any(|j| matches!(t.norm(j), "stayed" | "remained" | "kept"));
        // "no corrections", "without a failure", "haven't had an incident",
        // before the number or after it ("the next four migrations went
        // live with no data corrections").
        let after = (f.end..f.end + 10)
            .take_while(|&j| t.toks.get(j).is_some_and(|x| x.sentence == sentence));
        let absence = before().chain(after).any(|j| {
            let w = t.norm(j);
            let negates = matches!(w, "no" | "without" | "zero")
                || ((w.ends_with("n't") || w == "never")
                    && matches!(t.norm(j + 1), "had" | "have" | "seen" | "saw" | "been"));
            let end = if j < i { (j + 6).min(i) } else { j + 6 };
            negates && (j + 1..end).any(|k| self.on(&OUTCOMES, k))
        });
        held || absence
    }

    /// Zero found by a check: "found zero mismatches", "saw 0 errors".
    pub(super) fn found_none(&self, f: &Found) -> bool {
        f.value == 0.0
            && f.noun.is_some()
            && self
                .word_before(f.start)
                .is_some_and(|p| self.on(&FOUND, p) && !self.hypothetical_before(p))
    }

    /// What a quantity measures: its counted noun, the content word right
    /// after it ("99.9% uptime"), or the one before it in the clause ("cut
    /// latency by 42%").
    pub(super) fn measure(&self, f: &Found) -> Option<String> {
        if let Some((a, b)) = f.noun {
            return Some(self.t.orig_span(a, b).to_string());
        }
        let t = &self.t;
        let clause = t.toks.get(f.start)?.clause;
        let same = |j: usize| t.toks.get(j).is_some_and(|tk| tk.clause == clause);
        let mut j = f.end;
        let mut skipped = 0;
        while same(j) && skipped < 3 {
            if self.is_measure_word(j) {
                return Some(t.orig(j).to_string());
            }
            if t.kind(j) != Some(Kind::Word) {
                break;
            }
            j += 1;
            skipped += 1;
        }
        (f.start.saturating_sub(8)..f.start)
            .rev()
            .take_while(|&j| same(j))
            .find(|&j| self.is_measure_word(j))
            .map(|j| t.orig(j).to_string())
    }

    /// Whether the words of a term's spelling start at token `j`:
    /// case-insensitive, the last word also as a plural.
    pub(super) fn term_at(&self, j: usize, words: &[&str]) -> bool {
        let t = &self.t;
        words.iter().enumerate().all(|(k, w)| {
            let a = t.norm(j + k);
            let last = k + 1 == words.len();
            a.eq_ignore_ascii_case(w)
                || (last
                    && (a
                        .strip_suffix('s')
                        .is_some_and(|s| s.eq_ignore_ascii_case(w))
                        || a.strip_suffix("'s")
                            .is_some_and(|s| s.eq_ignore_ascii_case(w))))
        })
    }

    /// The role metric, or failing that the plain outcome, that result `f`
    /// measures: named near it in its clause ("p95 latency fell", "cut our
    /// AWS bill by 30%", "99.9% uptime"), or its unit when that is time or
    /// money.
    pub(super) fn metric_of(&self, f: &Found, metrics: &Metrics<'_>) -> Option<String> {
        let t = &self.t;
        // From a little before the change word ("lifting activation, which
        // we define as ..., from 31% to 44%") or the dozen words before the
        // number, within its sentence; to a few words after it in its clause.
        let sentence = t.toks[f.start].sentence;
        let from = self
            .change_of(f)
            .map_or(f.start, |v| v.min(f.start))
            .saturating_sub(4)
            .min(f.start.saturating_sub(12));
        let lo = (from..f.start)
            .find(|&j| t.toks[j].sentence == sentence)
            .unwrap_or(f.start);
        let hi = (f.end..f.end + 8)
            .take_while(|&j| self.same_clause(j, f.start))
            .last()
            .map_or(f.end, |j| j + 1);
        // The counted noun, the word right after ("99.9% uptime"), the words
        // before the number nearest first ("p95 latency fell from"), then
        // the rest after it.
        let near = (f.start + 1..=f.end)
            .chain((lo..f.start).rev())
            .chain(f.end + 1..hi)
            .filter(|&j| j < hi && t.kind(j) == Some(Kind::Word));
        for j in near.clone() {
            for (canonical, words) in metrics.spellings() {
                if self.term_at(j, words) {
                    return Some(canonical.to_string());
                }
            }
        }
        if let Some(j) = near
            .clone()
            .find(|&j| self.on(&OUTCOMES, j) || self.on(&MEASURES, j))
        {
            return Some(t.norm(j).to_string());
        }
        // A time unit used as the measure's noun: "average days to payment
        // fell from 34 to 26".
        let time_noun = (lo..f.start).any(|j| {
            matches!(self.unit_at(j), Some((Unit::Duration, _)))
                && t.norm(j).ends_with('s')
                && matches!(t.norm(j + 1), "to" | "of" | "per" | "until")
                && !j.checked_sub(1).is_some_and(|p| self.is_numberish(p))
        });
        if time_noun {
            return Some("time".into());
        }
        match f.kind {
            Some(QuantityKind::Duration) => Some("time".into()),
            Some(QuantityKind::Money) => Some("cost".into()),
            _ => None,
        }
    }

    pub(super) fn quantity(
        &self,
        f: &Found,
        kind: QuantityKind,
        metric: Option<String>,
    ) -> Quantity {
        Quantity {
            text: self.t.orig_span(f.start, f.end).to_string(),
            number: self.t.orig(f.start).to_string(),
            kind,
            value: f.value,
            measure: self.measure(f),
            metric,
        }
    }

    /// Whether the framework's numbers step asks for figures (scale,
    /// limits) rather than results: a step a requirement-pinning sentence
    /// covers, as in a design walk-through, or no numbers step at all.
    pub(super) fn numbers_are_figures(&self, ctx: &AnswerContext) -> bool {
        let Some((_, fw)) = self.cues.framework(&ctx.framework.id) else {
            return true;
        };
        let Some(step) = fw.numbers_step.and_then(|s| fw.steps.get(s)) else {
            return true;
        };
        ctx.framework
            .steps
            .iter()
            .find(|s| s.key == step.key)
            .is_some_and(|s| s.functions.iter().any(|f| f == "clarify"))
    }

    /// Every number found, sorted into results, figures and negated ones.
    pub(crate) fn numbers(&self, ctx: &AnswerContext) -> Numbers {
        let mut out = Numbers {
            results: Vec::new(),
            figures: Vec::new(),
            negated: Vec::new(),
            figures_count: self.numbers_are_figures(ctx),
        };
        let metrics = Metrics::new(&ctx.terms.metrics);
        // Results by token, so the baseline pass below keeps text order.
        let mut results: Vec<(usize, Quantity)> = Vec::new();
        let mut rest: Vec<Found> = Vec::new();
        let mut i = 0;
        while i < self.t.len() {
            let candidate =
                self.is_numberish(i) || (self.t.norm(i) == "one" && self.range(i).is_some());
            let Some(f) = candidate.then(|| self.quantity_at(i)).flatten() else {
                i += 1;
                continue;
            };
            // A count's noun is not itself a number, but a unit phrase may be
            // ("5 million"): continue after the whole quantity.
            i = f.end.max(i + 1);
            if self.sustained(&f) {
                let metric = self.metric_of(&f, &metrics);
                let kind = f.kind.unwrap_or(QuantityKind::Count);
                results.push((f.start, self.quantity(&f, kind, metric)));
                continue;
            }
            if self.negation_before(f.start).is_some() {
                if f.kind.is_some() {
                    out.negated.push(Evidence {
                        phrase: self.t.orig_span(f.start, f.end).to_string(),
                        excerpt: self.t.excerpt(f.start, f.end, 120),
                    });
                }
                continue;
            }
            if self.is_result(&f) && !self.unmeasured(f.start) {
                let metric = self.metric_of(&f, &metrics);
                let kind = f.kind.unwrap_or(QuantityKind::Count);
                results.push((f.start, self.quantity(&f, kind, metric)));
            } else {
                rest.push(f);
            }
        }
        for f in rest {
            // "we had like forty a week before, went to zero": the amount
            // before is the baseline of a result in its sentence.
            let sentence = self.t.toks[f.start].sentence;
            // "fell by 12 percent, worth roughly €35,000 a month": the value
            // of a result.
            let worth = f.has_unit()
                && self
                    .word_before(f.start)
                    .is_some_and(|p| self.t.norm(p) == "worth");
            let baseline = ((f.end..f.end + 4)
                .take_while(|&j| self.same_clause(j, f.start))
                .any(|j| self.t.norm(j) == "before")
                || worth)
                && results
                    .iter()
                    .any(|(r, _)| self.t.toks[*r].sentence == sentence);
            if baseline {
                let metric = self.metric_of(&f, &metrics);
                let kind = f.kind.unwrap_or(QuantityKind::Count);
                results.push((f.start, self.quantity(&f, kind, metric)));
            } else if let Some(kind) = f.kind {
                out.figures.push(self.quantity(&f, kind, None));
            }
        }
        results.sort_by_key(|(at, _)| *at);
        out.results = results.into_iter().map(|(_, q)| q).collect();
        out
    }
}
