//! Numbers in an answer, and which of them are results of the work.
//!
//! A number is *found* when it carries a unit (percent, multiplier, duration,
//! money), counts a thing ("12 incidents"), or takes a place in a change
//! ("went to zero", "from 212 to three"). Years ("in 2019"), dates ("March
//! 3"), versions ("Python 3.11"), times of day ("3 a.m."), ordinals and counts
//! of people ("5 engineers") are not amounts of anything and are left out.
//!
//! A found number is a *result* only when its clause says what changed after
//! the work, or what level an outcome reached:
//! - a change over a range: "p95 fell from 900 ms to 180 ms";
//! - a change by an amount: "cut the bill by 30%", "down 50%";
//! - a change to a level: "dropped to 2 seconds", "went to zero", "back above
//!   99.8%";
//! - a level now, or stated in a sentence that reports the outcome: "boot time
//!   is now 2.4 s", "After release the cold start is 1.6 s", "After: zero
//!   secrets found";
//! - a comparison with before: "9% higher than the previous sale", "3x
//!   faster", "two incidents instead of nine", "19% against 15%", "a 27%
//!   lift", "forty a week before";
//! - a change written with an arrow ("40 min -> 12 min"), a saving ("saved
//!   the team 10 hours a week"), or how long an outcome held beside an
//!   absence of problems ("no incident in the 14 months since").
//!
//! Spoken fillers between the words ("went from, um, 40 to, like, 12") are
//! passed over.
//!
//! And it is none of: a setting or a part of the system being changed ("raised
//! the pool size from 20 to 60"); a goal, plan or hypothetical ("to cut",
//! "would drop to", "if it went over"); the situation before the work ("had
//! crept up to 70 days"); the means ("by cutting the form from 14 fields to
//! 5"); a claim the answer says was never measured; a negated number ("we
//! never got below 200 ms"). Every other found number with a unit or a
//! counted noun is a *figure*: the scale of the system, a setting, a count of
//! parts, the duration of the work.
//!
//! The word lists below are grammar (verb forms, modal words, prepositions)
//! and general vocabulary (settings, parts of a system, plain outcomes), the
//! same for every role; the cue file's `[feedback.numbers]` lists still
//! decide units, scale words and what is no amount at all, and the role's
//! metrics name what a result measures (see [`Quantity::metric`]).
//!
//! Files: `words` (the word lists), `outcomes` (what a result can
//! measure), `find` (where a number and its unit
//! are), `change` (changes, settings and levels), `frame` (the sentence
//! around a result: outcome frames, comparisons, what was measured, and
//! the entry point [`Scan::numbers`]).

mod change;
mod find;
mod frame;
mod outcomes;
mod words;

pub(crate) use words::bits as list_bits;

use super::cues::Unit;
use super::{Evidence, Quantity, QuantityKind};
use crate::guide::words::is_currency;

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

/// A number found in the answer. `kind` is `None` for a bare number ("went
/// to zero"), which only a change construction can make a result.
struct Found {
    start: usize,
    /// After the number and its unit, before any counted noun.
    unit_end: usize,
    end: usize,
    kind: Option<QuantityKind>,
    value: f64,
    noun: Option<(usize, usize)>,
}

impl Found {
    /// Has a unit that measures something by itself.
    fn has_unit(&self) -> bool {
        matches!(
            self.kind,
            Some(
                QuantityKind::Percent
                    | QuantityKind::Multiplier
                    | QuantityKind::Duration
                    | QuantityKind::Money
            )
        )
    }
}

/// What [`Scan::numbers`] found.
pub(crate) struct Numbers {
    pub results: Vec<Quantity>,
    pub figures: Vec<Quantity>,
    pub negated: Vec<Evidence>,
    /// The framework's numbers step asks for figures, not results.
    pub figures_count: bool,
}
