//! Where a number is, what unit it has, and what it counts.

use super::super::analyse::{cover, Scan};
use super::super::cues::{flag, Target, Unit};
use super::super::QuantityKind;
use super::words::*;
use super::{kind_of, parse, Found};
use crate::guide::words::Kind;

impl Scan<'_> {
    pub(super) fn is_content(&self, j: usize) -> bool {
        self.t.kind(j) == Some(Kind::Word)
            && self.flags[j] & (flag::STOP | flag::NEGATION | flag::SINGULAR | flag::PLURAL) == 0
            && self.entries[j].is_none_or(|e| e.number.is_none())
            && self.cover[j] & cover::UNIT == 0
    }

    pub(super) fn is_measure_word(&self, j: usize) -> bool {
        self.is_content(j) && self.cover[j] & cover::CUE_HEAD == 0 && !self.on(&COMPARATIVES, j)
    }

    pub(super) fn is_month(&self, j: usize) -> bool {
        self.flags.get(j).is_some_and(|f| f & flag::MONTH != 0)
            && self.t.toks.get(j).is_some_and(|t| t.capitalised)
    }

    pub(super) fn same_clause(&self, a: usize, b: usize) -> bool {
        match (self.t.toks.get(a), self.t.toks.get(b)) {
            (Some(x), Some(y)) => x.clause == y.clause,
            _ => false,
        }
    }

    /// The longest unit phrase starting at `j`, with its unit and end.
    pub(super) fn unit_at(&self, j: usize) -> Option<(Unit, usize)> {
        self.matches_at(j)
            .iter()
            .filter_map(|m| match self.target(m) {
                Some(Target::Unit(u)) => Some((u, m.end)),
                _ => None,
            })
            .max_by_key(|(_, e)| *e)
    }

    pub(super) fn has_target_at(&self, j: usize, target: Target) -> bool {
        self.matches_at(j)
            .iter()
            .any(|m| self.target(m) == Some(target))
    }

    pub(super) fn scale_factor(&self, j: usize) -> f64 {
        // Multi-word scale phrases are not allowed by the cue file, so the
        // phrase is the single token at `j`.
        self.cues
            .suffix_units
            .get(self.t.norm(j))
            .map_or(1.0, |(_, f)| *f)
    }

    pub(super) fn is_numberish(&self, j: usize) -> bool {
        match self.t.kind(j) {
            Some(Kind::Number) => true,
            Some(Kind::Word) => self.entries[j].is_some_and(|e| e.number.is_some()),
            _ => false,
        }
    }

    /// A one-word filler or hedge ("um", "basically", "maybe").
    pub(super) fn is_filler(&self, j: usize) -> bool {
        self.flags.get(j).is_some_and(|f| f & flag::SOFT != 0)
    }

    /// A comma that sets off a spoken filler: the commas of "from, um, 40"
    /// and "from, like, 2 seconds".
    pub(super) fn is_pause(&self, j: usize) -> bool {
        let soft = |k: usize| self.is_filler(k) || self.on(&APPROX, k);
        self.t.kind(j) == Some(Kind::Clause)
            && self.t.norm(j) == ","
            && (j.checked_sub(1).is_some_and(soft) || soft(j + 1))
    }

    /// An approximation, a spoken filler or its comma, which may stand
    /// between a preposition and its number.
    pub(super) fn is_aside(&self, j: usize) -> bool {
        self.on(&APPROX, j) || self.is_filler(j) || self.is_pause(j)
    }

    /// Tokens `a` and `b` are in one clause, or only pauses around fillers
    /// part them ("went from, um, 40 to 12").
    pub(super) fn joined(&self, a: usize, b: usize) -> bool {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        hi < self.t.len()
            && (self.same_clause(lo, hi)
                || (lo..=hi).all(|k| {
                    self.t.kind(k) != Some(Kind::Sentence)
                        && (self.t.kind(k) != Some(Kind::Clause) || self.is_pause(k))
                }))
    }

    /// The first token at or before `j` that is not an approximation or a
    /// filler.
    pub(super) fn back_over_approx(&self, mut j: usize) -> Option<usize> {
        while self.is_aside(j) {
            j = j.checked_sub(1)?;
        }
        Some(j)
    }

    /// The word before number `i` in its clause, over approximations and
    /// fillers.
    pub(super) fn word_before(&self, i: usize) -> Option<usize> {
        let j = self.back_over_approx(i.checked_sub(1)?)?;
        self.joined(i, j).then_some(j)
    }

    /// The other end of a "from N ... to M" range that number `i` is part
    /// of, within one clause, and the index of its "from". The far end may be
    /// "one" or "none" ("from 40 seconds to under one").
    pub(super) fn range(&self, i: usize) -> Option<(usize, usize)> {
        let t = &self.t;
        let same = |j: usize| self.joined(i, j);
        let before = self.word_before(i)?;
        match t.norm(before) {
            "from" => {
                let to = (i + 1..i + 7)
                    .take_while(|&j| same(j))
                    .filter(|&j| !self.is_aside(j))
                    .take(4)
                    .find(|&j| t.norm(j) == "to")?;
                let mut q = to + 1;
                while q < t.len() && self.is_aside(q) {
                    q += 1;
                }
                let end = self.is_numberish(q) || matches!(t.norm(q), "one" | "none");
                (same(q) && end).then_some((q, before))
            }
            "to" => {
                let p = (before.saturating_sub(6)..before)
                    .rev()
                    .take_while(|&j| same(j))
                    .find(|&j| self.is_numberish(j))?;
                let from = self.back_over_approx(p.checked_sub(1)?)?;
                (t.norm(from) == "from").then_some((p, from))
            }
            _ => None,
        }
    }

    /// The unit of a number token without the count fallback, for "from 800
    /// to 120 ms" where the first number borrows the second's unit.
    pub(super) fn unit_kind_of_number(&self, j: usize) -> Option<QuantityKind> {
        if self.t.kind(j) != Some(Kind::Number) {
            return None;
        }
        let p = parse(self.t.norm(j))?;
        if p.suffix == "%" {
            return Some(QuantityKind::Percent);
        }
        if !p.suffix.is_empty() {
            if let Some((u, _)) = self.cues.suffix_units.get(p.suffix) {
                if let Some(k) = kind_of(*u) {
                    return Some(k);
                }
            }
        }
        if let Some((u, _)) = self.unit_at(j + 1) {
            if let Some(k) = kind_of(u) {
                return Some(k);
            }
        }
        p.currency.then_some(QuantityKind::Money)
    }

    /// The number at `i` with its unit or counted noun, or `None` when it is
    /// no amount of anything (a year, a date, a version, a time of day, a
    /// count of people).
    pub(super) fn quantity_at(&self, i: usize) -> Option<Found> {
        let t = &self.t;
        let n = t.len();
        let (mut value, suffix, currency, plain) = match t.kind(i)? {
            Kind::Number => {
                let p = parse(t.norm(i))?;
                (p.value, p.suffix, p.currency, p.plain)
            }
            Kind::Word if t.norm(i) == "one" => (1.0, "", false, false),
            Kind::Word => (self.entries[i]?.number?, "", false, false),
            _ => return None,
        };
        if i > 0 && self.cover[i - 1] & cover::NOT_RESULT_BEFORE_END != 0 {
            return None;
        }
        if (i > 0 && self.is_month(i - 1)) || self.is_month(i + 1) {
            return None;
        }
        if plain
            && (1900.0..=2100.0).contains(&value)
            && i > 0
            && self.flags[i - 1] & flag::YEAR_BEFORE != 0
        {
            return None;
        }
        let mut kind = None;
        match suffix {
            "" => {}
            "%" => kind = Some(QuantityKind::Percent),
            s => match self.cues.suffix_units.get(s) {
                Some((Unit::Scale, f)) => value *= f,
                Some((u, _)) => kind = kind_of(*u),
                // "2GB", "300rps": an amount of data or load.
                None if DATA_UNITS.contains(&s) => kind = Some(QuantityKind::Count),
                // "3rd", "2fa", "4xx": not an amount of anything.
                None => return None,
            },
        }
        let mut end = i + 1;
        if kind.is_none() {
            if let Some((Unit::Scale, e)) = self.unit_at(end) {
                value *= self.scale_factor(end);
                end = e;
            }
            if let Some((u, e)) = self.unit_at(end) {
                if let Some(k) = kind_of(u) {
                    kind = Some(k);
                    end = e;
                }
            }
        }
        if currency && kind.is_none() {
            kind = Some(QuantityKind::Money);
        }
        if self.has_target_at(i + 1, Target::NotResultAfter)
            || self.has_target_at(end, Target::NotResultAfter)
        {
            return None;
        }
        let unit_end = end;
        let mut noun = None;
        if kind.is_none() {
            let mut j = end;
            if j < n && self.on(&COMPARATIVES, j) {
                j += 1;
            }
            if j < n && self.is_content(j) {
                if self.has_target_at(j, Target::NotResultCount) {
                    return None;
                }
                let mut k = j + 1;
                // "12 critical incidents", "two service calls".
                if k < n && self.is_content(k) && !self.has_target_at(k, Target::NotResultCount) {
                    k += 1;
                }
                kind = Some(QuantityKind::Count);
                noun = Some((j, k));
                end = k;
            }
        }
        if kind.is_none() {
            // "went from 48 to 3", "from 9 a day to 0": a range counts, and
            // a bare end borrows the other end's unit ("from 800 to 120 ms").
            if let Some((p, _)) = self.range(i) {
                let years = plain && (1900.0..=2100.0).contains(&value) && {
                    let pv = self.entries[p]
                        .and_then(|e| e.number)
                        .or_else(|| parse(t.norm(p)).map(|x| x.value));
                    pv.is_some_and(|v| (1900.0..=2100.0).contains(&v))
                };
                if years {
                    return None;
                }
                kind = Some(self.unit_kind_of_number(p).unwrap_or(QuantityKind::Count));
            }
        }
        if matches!(kind, None | Some(QuantityKind::Count)) && i > 0 {
            // A number right after a product name without a unit is a
            // version: "Spark 3.3 upgrade", "PostgreSQL 14".
            let prev = t.toks[i - 1];
            if prev.kind == Kind::Word
                && prev.capitalised
                && !prev.sentence_start
                && t.norm(i - 1) != "i"
            {
                return None;
            }
        }
        Some(Found {
            start: i,
            unit_end,
            end,
            kind,
            value,
            noun,
        })
    }
}
