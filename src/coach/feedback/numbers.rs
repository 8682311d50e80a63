//! Quantified results: a number together with what it measures.
//!
//! A number counts when it carries a unit (percent, multiplier, duration,
//! money) or counts a thing ("12 incidents"). Years ("in 2019"), dates
//! ("March 3"), versions ("Python 3.11"), times of day ("3 a.m."), ordinals,
//! counts of people ("5 engineers") and numbers negated in their clause ("we
//! never got below 200 ms") are left out — they are numbers, not results.

use super::analyse::{cover, Scan};
use super::cues::{flag, Target, Unit};
use super::{Evidence, Quantity, QuantityKind};
use crate::guide::words::{is_currency, Kind};

/// Words that sit between a number and its noun without changing what it
/// counts: "12 fewer incidents", "3 new services".
const COMPARATIVES: &[&str] = &[
    "more",
    "fewer",
    "less",
    "most",
    "least",
    "new",
    "extra",
    "additional",
    "other",
];

/// Words that may sit between "from"/"to" and the number in a range: "from
/// about 2,000 to under 50".
const APPROX: &[&str] = &[
    "about",
    "around",
    "roughly",
    "nearly",
    "almost",
    "under",
    "over",
    "below",
    "above",
    "approximately",
    "just",
    "only",
];

struct Parsed<'s> {
    currency: bool,
    value: f64,
    suffix: &'s str,
    /// Digits only: a candidate year.
    plain: bool,
}

fn parse(s: &str) -> Option<Parsed<'_>> {
    let mut rest = s;
    let mut currency = false;
    while let Some(c) = rest.chars().next().filter(|c| is_currency(*c)) {
        currency = true;
        rest = &rest[c.len_utf8()..];
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(rest.len());
    let (digits, suffix) = rest.split_at(end);
    if digits.is_empty() || digits.matches('.').count() > 1 {
        // "3.11.2" is a version, not an amount.
        return None;
    }
    let value = if digits.contains(',') {
        digits.replace(',', "").parse::<f64>().ok()?
    } else {
        digits.parse::<f64>().ok()?
    };
    Some(Parsed {
        currency,
        value,
        suffix,
        plain: !currency && suffix.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
    })
}

fn kind_of(u: Unit) -> Option<QuantityKind> {
    match u {
        Unit::Percent => Some(QuantityKind::Percent),
        Unit::Multiplier => Some(QuantityKind::Multiplier),
        Unit::Duration => Some(QuantityKind::Duration),
        Unit::Money => Some(QuantityKind::Money),
        Unit::Scale => None,
    }
}

struct Found {
    start: usize,
    end: usize,
    kind: QuantityKind,
    value: f64,
    noun: Option<(usize, usize)>,
}

impl Scan<'_> {
    fn is_content(&self, j: usize) -> bool {
        self.t.kind(j) == Some(Kind::Word)
            && self.flags[j] & (flag::STOP | flag::NEGATION | flag::SINGULAR | flag::PLURAL) == 0
            && self.entries[j].is_none_or(|e| e.number.is_none())
            && self.cover[j] & cover::UNIT == 0
    }

    fn is_measure_word(&self, j: usize) -> bool {
        self.is_content(j)
            && self.cover[j] & cover::CUE_HEAD == 0
            && !COMPARATIVES.contains(&self.t.norm(j))
    }

    fn is_month(&self, j: usize) -> bool {
        self.flags.get(j).is_some_and(|f| f & flag::MONTH != 0)
            && self.t.toks.get(j).is_some_and(|t| t.capitalised)
    }

    /// The longest unit phrase starting at `j`, with its unit and end.
    fn unit_at(&self, j: usize) -> Option<(Unit, usize)> {
        self.matches_at(j)
            .iter()
            .filter_map(|m| match self.target(m) {
                Some(Target::Unit(u)) => Some((u, m.end)),
                _ => None,
            })
            .max_by_key(|(_, e)| *e)
    }

    fn has_target_at(&self, j: usize, target: Target) -> bool {
        self.matches_at(j)
            .iter()
            .any(|m| self.target(m) == Some(target))
    }

    fn scale_factor(&self, j: usize, end: usize) -> f64 {
        // Multi-word scale phrases are not allowed by the cue file, so the
        // phrase is the single token at `j`.
        let _ = end;
        self.cues
            .suffix_units
            .get(self.t.norm(j))
            .map_or(1.0, |(_, f)| *f)
    }

    fn is_numberish(&self, j: usize) -> bool {
        match self.t.kind(j) {
            Some(Kind::Number) => true,
            Some(Kind::Word) => self.entries[j].is_some_and(|e| e.number.is_some()),
            _ => false,
        }
    }

    /// The first token at or before `j` that is not an [`APPROX`] word.
    fn back_over_approx(&self, mut j: usize) -> Option<usize> {
        while APPROX.contains(&self.t.norm(j)) {
            j = j.checked_sub(1)?;
        }
        Some(j)
    }

    /// The other end of a "from N ... to M" range that number `i` is part
    /// of, within one clause.
    fn range_partner(&self, i: usize) -> Option<usize> {
        let t = &self.t;
        let clause = t.toks.get(i)?.clause;
        let same = |j: usize| t.toks.get(j).is_some_and(|tk| tk.clause == clause);
        let before = self.back_over_approx(i.checked_sub(1)?)?;
        match t.norm(before) {
            "from" => {
                let to = (i + 1..i + 5)
                    .take_while(|&j| same(j))
                    .find(|&j| t.norm(j) == "to")?;
                let mut q = to + 1;
                while APPROX.contains(&t.norm(q)) {
                    q += 1;
                }
                (same(q) && self.is_numberish(q)).then_some(q)
            }
            "to" => {
                let p = (before.saturating_sub(4)..before)
                    .rev()
                    .take_while(|&j| same(j))
                    .find(|&j| self.is_numberish(j))?;
                let from = self.back_over_approx(p.checked_sub(1)?)?;
                (t.norm(from) == "from").then_some(p)
            }
            _ => None,
        }
    }

    /// The unit of a number token without the count fallback, for "from 800
    /// to 120 ms" where the first number borrows the second's unit.
    fn unit_kind_of_number(&self, j: usize) -> Option<QuantityKind> {
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

    fn quantity_at(&self, i: usize) -> Option<Found> {
        let t = &self.t;
        let n = t.len();
        let (mut value, suffix, currency, plain) = match t.kind(i)? {
            Kind::Number => {
                let p = parse(t.norm(i))?;
                (p.value, p.suffix, p.currency, p.plain)
            }
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
                // "3rd", "2fa", "4xx": not an amount of anything.
                None => return None,
            },
        }
        let mut end = i + 1;
        if kind.is_none() {
            if let Some((Unit::Scale, e)) = self.unit_at(end) {
                value *= self.scale_factor(end, e);
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
        let mut noun = None;
        if kind.is_none() {
            let mut j = end;
            if j < n && COMPARATIVES.contains(&t.norm(j)) {
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
            if let Some(p) = self.range_partner(i) {
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
            end,
            kind: kind?,
            value,
            noun,
        })
    }

    /// What a quantity measures: its counted noun, the content word right
    /// after it ("99.9% uptime"), or the one before it in the clause ("cut
    /// latency by 42%").
    fn measure(&self, f: &Found) -> Option<String> {
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

    /// All quantified results, plus the numbers left out because a negation
    /// governs them.
    pub(crate) fn quantities(&self) -> (Vec<Quantity>, Vec<Evidence>) {
        let mut out = Vec::new();
        let mut negated = Vec::new();
        let mut i = 0;
        while i < self.t.len() {
            let candidate = match self.t.kind(i) {
                Some(Kind::Number) => true,
                Some(Kind::Word) => self.entries[i].is_some_and(|e| e.number.is_some()),
                _ => false,
            };
            let Some(f) = candidate.then(|| self.quantity_at(i)).flatten() else {
                i += 1;
                continue;
            };
            let text = self.t.orig_span(f.start, f.end).to_string();
            if self.negation_before(f.start).is_some() {
                negated.push(Evidence {
                    phrase: text,
                    excerpt: self.t.excerpt(f.start, f.end, 120),
                });
            } else {
                out.push(Quantity {
                    number: self.t.orig(f.start).to_string(),
                    kind: f.kind,
                    value: f.value,
                    measure: self.measure(&f),
                    text,
                });
            }
            // A count's noun is not itself a number, but a unit phrase may be
            // ("5 million"): continue after the whole quantity.
            i = f.end.max(i + 1);
        }
        (out, negated)
    }
}
