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

use super::analyse::{cover, Scan};
use super::cues::{flag, Target, Unit};
use super::{AnswerContext, Evidence, Quantity, QuantityKind, Term};
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

/// Words that may sit between a preposition and its number: "from about
/// 2,000 to under 50", "went from like two seconds".
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
    "like",
    "approx",
    "some",
    "maybe",
    "fewer",
    "less",
    "more",
    "than",
];

/// Words that state a change in what they govern, when a range, an amount
/// or a new level follows: "went from", "cut ... by", "dropped to". Past
/// forms and participles: a present-tense "goes to 10% of pods" describes how
/// a system works, not what changed.
const CHANGE: &[&str] = &[
    "went",
    "gone",
    "going",
    "fell",
    "fallen",
    "falling",
    "dropped",
    "dropping",
    "cut",
    "cutting",
    "reduced",
    "reducing",
    "lowered",
    "lowering",
    "decreased",
    "decreasing",
    "shrank",
    "shrunk",
    "shrinking",
    "rose",
    "risen",
    "rising",
    "grew",
    "grown",
    "growing",
    "increased",
    "increasing",
    "improved",
    "improving",
    "climbed",
    "climbing",
    "climb",
    "jumped",
    "down",
    "up",
    "brought",
    "bringing",
    "took",
    "taking",
    "got",
    "getting",
    "moved",
    "sped",
    "slashed",
    "trimmed",
    "boosted",
    "raised",
    "lifted",
    "lifting",
    "returned",
    "recovered",
    "saved",
    "saving",
    "dipped",
    "declined",
    "halved",
];

/// Change words that take their amount straight after them: "down 50%",
/// "dropped about 35%", "rose 8%".
const DIRECT: &[&str] = &[
    "down",
    "up",
    "dropped",
    "fell",
    "rose",
    "grew",
    "climbed",
    "jumped",
    "declined",
    "dipped",
    "decreased",
    "increased",
    "improved",
    "shrank",
    "saved",
    "saving",
    "saves",
    "gained",
];

/// Prepositions that put a number as the new level of a change: "dropped to
/// 2 s", "fell below 200 ms", "back above 99.8%".
const TO_LEVEL: &[&str] = &["to", "below", "under", "above", "over"];

/// Words that make the change after them a goal, a plan, a condition or a
/// guess: "would drop to", "the goal was to cut", "if it went over", "we
/// hoped to get".
const HYPOTHETICAL: &[&str] = &[
    "would",
    "could",
    "should",
    "might",
    "must",
    "will",
    "shall",
    "i'd",
    "we'd",
    "it'd",
    "they'd",
    "you'd",
    "that'd",
    "i'll",
    "we'll",
    "it'll",
    "they'll",
    "aim",
    "aimed",
    "aiming",
    "aims",
    "target",
    "targets",
    "goal",
    "goals",
    "hope",
    "hoped",
    "hopes",
    "hoping",
    "hopefully",
    "expect",
    "expected",
    "expects",
    "expecting",
    "projected",
    "projection",
    "estimate",
    "estimated",
    "estimates",
    "plan",
    "planned",
    "plans",
    "want",
    "wanted",
    "wants",
    "assume",
    "assumed",
    "assuming",
    "if",
    "unless",
    "asked",
    "promised",
    "supposed",
    "proposed",
    "propose",
    "proposing",
    "suggested",
    "suggest",
];

/// Things one sets or builds rather than outcomes: a change to one of them
/// ("raised the pool size from 20 to 60", "4 replicas now") is the work, not
/// its result.
const SETTINGS: &[&str] = &[
    "pool",
    "batch",
    "batches",
    "timeout",
    "ttl",
    "debounce",
    "interval",
    "threshold",
    "thresholds",
    "limit",
    "limits",
    "quota",
    "quotas",
    "replica",
    "replicas",
    "workers",
    "shards",
    "partitions",
    "nodes",
    "pods",
    "instances",
    "concurrency",
    "parallelism",
    "sampling",
    "rollout",
    "heap",
    "buffer",
    "traffic",
];

/// Parts of what was built: a count of them ("40 services", "four parts")
/// is the shape of the system, and a change in it ("from 12 services to 4")
/// is the work, not its result.
const PARTS: &[&str] = &[
    "services",
    "microservices",
    "clusters",
    "regions",
    "components",
    "parts",
    "endpoints",
    "screens",
    "fields",
    "tasks",
    "steps",
    "tables",
    "repos",
    "repositories",
];

/// Outcomes a result can measure in any role: time, cost, errors, incidents,
/// conversion, revenue, tickets, adoption. A result whose clause names one (or
/// a role metric) is tied to a metric.
const OUTCOMES: &[&str] = &[
    "latency",
    "p50",
    "p90",
    "p95",
    "p99",
    "time",
    "times",
    "duration",
    "runtime",
    "speed",
    "cost",
    "costs",
    "bill",
    "spend",
    "spending",
    "price",
    "revenue",
    "sales",
    "margin",
    "conversion",
    "conversions",
    "error",
    "errors",
    "incident",
    "incidents",
    "outage",
    "outages",
    "downtime",
    "uptime",
    "availability",
    "crash",
    "crashes",
    "bug",
    "bugs",
    "defect",
    "defects",
    "failure",
    "failures",
    "timeouts",
    "ticket",
    "tickets",
    "complaints",
    "escalations",
    "pages",
    "alerts",
    "hours",
    "churn",
    "retention",
    "adoption",
    "activation",
    "signups",
    "usage",
    "engagement",
    "satisfaction",
    "rating",
    "throughput",
    "freshness",
    "memory",
    "findings",
    "vulnerabilities",
    "abandonment",
    "success",
    "completion",
    "faster",
    "slower",
    "quicker",
    "length",
    "loss",
    "losses",
    "deploys",
    "deployments",
    "failed",
    "use",
    "converted",
    "false",
    "corrections",
    "resets",
    "attrition",
    "regressions",
    "issues",
    "problems",
    "rollbacks",
    "breaches",
    "leaks",
    "finding",
    "mismatches",
    "power",
    "battery",
    "energy",
];

/// Irregular past forms that tell what happened (regular ones end in "-ed").
const PAST: &[&str] = &[
    "was", "were", "became", "got", "ran", "went", "came", "took", "did", "made", "saw", "kept",
    "built", "cut", "brought", "grew", "fell", "rose", "won",
];

/// Verbs that state a level: "boot time is now 2.4 s", "sessions were back
/// above 99.8%".
const BE: &[&str] = &[
    "is", "was", "were", "are", "stayed", "stays", "remained", "remains", "stood", "sat", "sits",
];

/// Comparatives after a number that compare with before: "9% higher", "3x
/// faster", "12 fewer incidents".
const COMPARED: &[&str] = &[
    "higher", "lower", "faster", "slower", "quicker", "cheaper", "smaller", "shorter", "fewer",
    "less", "better", "bigger", "larger",
];

/// Nouns of change after an amount: "a 27% lift", "a 40% reduction".
const CHANGE_NOUNS: &[&str] = &[
    "lift",
    "increase",
    "reduction",
    "improvement",
    "drop",
    "decrease",
    "gain",
    "saving",
    "savings",
    "speedup",
    "decline",
    "jump",
    "rise",
    "growth",
    "boost",
    "cut",
];

/// Nouns that make an amount a target rather than a level: "a 60 ms
/// budget".
const TARGETS: &[&str] = &[
    "budget",
    "target",
    "goal",
    "limit",
    "sla",
    "slo",
    "threshold",
];

/// Words whose negation makes the numbers of their sentence unmeasured: "it
/// should save maybe 2 hours, we never measured".
const MEASURED: &[&str] = &[
    "measured",
    "measure",
    "measuring",
    "tracked",
    "track",
    "checked",
    "verified",
    "counted",
];

/// Verbs of checking that report what was found: "found zero mismatches".
const FOUND: &[&str] = &[
    "found", "saw", "seen", "recorded", "measured", "counted", "reported", "logged",
];

/// Adverbs that may sit between a subject or auxiliary and its verb.
const ADVERBS: &[&str] = &[
    "also",
    "then",
    "just",
    "already",
    "finally",
    "actually",
    "really",
    "steadily",
    "slowly",
    "quickly",
    "basically",
    "eventually",
    "gradually",
];

/// Conjunctions that start a new clause, past which a goal word does not
/// reach.
const CLAUSE_WORDS: &[&str] = &[
    "but", "although", "though", "however", "whereas", "so", "because", "until", "unless",
];

/// Units glued to a number that the cue file's units do not cover: sizes,
/// rates, current. "2GB" is an amount; "3rd", "2fa" and "4xx" are not.
const DATA_UNITS: &[&str] = &[
    "kb", "mb", "gb", "tb", "pb", "kib", "mib", "gib", "mbps", "gbps", "rps", "qps", "tps", "fps",
    "ma", "mah", "kwh", "wh",
];

/// How far (tokens) a change word may stand before its "from", "by" or "to".
const CHANGE_REACH: usize = 7;

/// How far (tokens) before a change word a goal or modal word reaches.
const HYPO_REACH: usize = 5;

/// How far (tokens) before a stated level an estimate word reaches, to
/// cover the level's subject ("the projected lifetime ... is now").
const LEVEL_REACH: usize = 20;

fn is(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

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

    fn same_clause(&self, a: usize, b: usize) -> bool {
        match (self.t.toks.get(a), self.t.toks.get(b)) {
            (Some(x), Some(y)) => x.clause == y.clause,
            _ => false,
        }
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

    fn scale_factor(&self, j: usize) -> f64 {
        // Multi-word scale phrases are not allowed by the cue file, so the
        // phrase is the single token at `j`.
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

    /// A one-word filler or hedge ("um", "basically", "maybe").
    fn is_filler(&self, j: usize) -> bool {
        self.flags.get(j).is_some_and(|f| f & flag::SOFT != 0)
    }

    /// A comma that sets off a spoken filler: the commas of "from, um, 40"
    /// and "from, like, 2 seconds".
    fn is_pause(&self, j: usize) -> bool {
        let soft = |k: usize| self.is_filler(k) || APPROX.contains(&self.t.norm(k));
        self.t.kind(j) == Some(Kind::Clause)
            && self.t.norm(j) == ","
            && (j.checked_sub(1).is_some_and(soft) || soft(j + 1))
    }

    /// An approximation, a spoken filler or its comma, which may stand
    /// between a preposition and its number.
    fn is_aside(&self, j: usize) -> bool {
        APPROX.contains(&self.t.norm(j)) || self.is_filler(j) || self.is_pause(j)
    }

    /// Tokens `a` and `b` are in one clause, or only pauses around fillers
    /// part them ("went from, um, 40 to 12").
    fn joined(&self, a: usize, b: usize) -> bool {
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
    fn back_over_approx(&self, mut j: usize) -> Option<usize> {
        while self.is_aside(j) {
            j = j.checked_sub(1)?;
        }
        Some(j)
    }

    /// The word before number `i` in its clause, over approximations and
    /// fillers.
    fn word_before(&self, i: usize) -> Option<usize> {
        let j = self.back_over_approx(i.checked_sub(1)?)?;
        self.joined(i, j).then_some(j)
    }

    /// The other end of a "from N ... to M" range that number `i` is part
    /// of, within one clause, and the index of its "from". The far end may be
    /// "one" or "none" ("from 40 seconds to under one").
    fn range(&self, i: usize) -> Option<(usize, usize)> {
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

    /// The number at `i` with its unit or counted noun, or `None` when it is
    /// no amount of anything (a year, a date, a version, a time of day, a
    /// count of people).
    fn quantity_at(&self, i: usize) -> Option<Found> {
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
                None if is(DATA_UNITS, s) => kind = Some(QuantityKind::Count),
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

    /// A change word at or shortly before `k` (exclusive) in its clause, not
    /// past another number.
    fn change_before(&self, k: usize) -> Option<usize> {
        (k.saturating_sub(CHANGE_REACH)..k)
            .rev()
            .take_while(|&j| self.joined(j, k) && !self.is_numberish(j))
            .find(|&j| is(CHANGE, self.t.norm(j)))
    }

    /// For a range of percentages, durations or money whose clause has no
    /// change word, a change word earlier in its sentence: "lifting
    /// activation, which we define as ..., from 31% to 44%".
    fn change_in_sentence(&self, from: usize, f: &Found) -> Option<usize> {
        let sentence = self.t.toks[from].sentence;
        let v = (from.saturating_sub(30)..from)
            .rev()
            .take_while(|&j| self.t.toks[j].sentence == sentence)
            .find(|&j| is(CHANGE, self.t.norm(j)))?;
        // Near ("Ticket volume halved, from 200 a week to about 100"), any
        // amount; further off, only one with a unit.
        (from - v <= 8 || f.has_unit()).then_some(v)
    }

    /// The word before `j` over adverbs ("had also cut").
    fn before_adverbs(&self, j: usize) -> Option<usize> {
        let mut p = j.checked_sub(1)?;
        while is(ADVERBS, self.t.norm(p)) {
            p = p.checked_sub(1)?;
        }
        self.same_clause(p, j).then_some(p)
    }

    /// A goal, plan, condition or guess shortly before `j` in its clause.
    fn hypothetical_before(&self, j: usize) -> bool {
        self.hypothetical_within(j, HYPO_REACH)
    }

    /// A goal or estimate earlier in the clause of a stated level: "the
    /// projected lifetime on our test fleet is now two years".
    fn estimate_in_clause(&self, j: usize) -> bool {
        (j.saturating_sub(LEVEL_REACH)..j)
            .rev()
            .take_while(|&k| self.same_clause(k, j))
            .any(|k| is(HYPOTHETICAL, self.t.norm(k)))
    }

    /// Reaches over commas ("the company goal for the year, growing
    /// retained customers by 30%") but not into another sentence or past a
    /// conjunction that starts a new clause ("but", "so", "because").
    fn hypothetical_within(&self, j: usize, reach: usize) -> bool {
        let t = &self.t;
        (j.saturating_sub(reach)..j)
            .rev()
            .take_while(|&k| {
                t.toks[k].kind != Kind::Sentence
                    && t.toks[k].sentence == t.toks[j].sentence
                    && !is(CLAUSE_WORDS, t.norm(k))
            })
            .any(|k| is(HYPOTHETICAL, t.norm(k)))
    }

    /// The change word at `v` states what changed: not a goal ("to cut"), a
    /// plan or condition ("would drop"), the situation before ("had crept
    /// up") or the means ("by cutting").
    fn stated_change(&self, v: usize) -> bool {
        // "going down to", "came back up": the verb before the particle.
        let v = match self.before_adverbs(v) {
            Some(p) if matches!(self.t.norm(v), "down" | "up") && is(CHANGE, self.t.norm(p)) => p,
            _ => v,
        };
        // "had crept up to", "had drifted down to": the situation before.
        let had = (v.saturating_sub(3)..v)
            .any(|j| self.same_clause(j, v) && matches!(self.t.norm(j), "had" | "hadn't"));
        if had {
            return false;
        }
        if let Some(p) = self.before_adverbs(v) {
            let w = self.t.norm(p);
            if matches!(w, "to" | "by") {
                return false;
            }
            // "the rating is going down to 3.9": a trend under way, the
            // situation rather than what the work changed.
            if self.t.norm(v).ends_with("ing") && matches!(w, "is" | "are" | "am" | "it's") {
                return false;
            }
        }
        !self.hypothetical_before(v)
    }

    /// A setting or a part of the system is what changes: the words just
    /// before the change word ("the pool size went"), between it and the
    /// number ("raised the pool size from"), or the number's own noun ("to 4
    /// replicas", "10% of pods").
    fn changes_a_setting(&self, v: usize, f: &Found) -> bool {
        let t = &self.t;
        let setting = |j: usize| is(SETTINGS, t.norm(j));
        let mut j = v;
        for _ in 0..4 {
            let Some(p) = j.checked_sub(1) else { break };
            if !self.same_clause(p, v) || !self.is_content(p) {
                break;
            }
            if setting(p) {
                return true;
            }
            j = p;
        }
        // The object and the number's own noun may also be parts of the
        // system: "cut the flow from 9 screens to 4".
        let part = |j: usize| setting(j) || is(PARTS, t.norm(j));
        if (v + 1..f.start).any(part) {
            return true;
        }
        if let Some((a, b)) = f.noun {
            if (a..b).any(part) {
                return true;
            }
        }
        // "10% of pods", "20% of traffic".
        t.norm(f.unit_end) == "of" && part(f.unit_end + 1)
    }

    /// A change construction around the number: a range, "by" an amount, a
    /// new level, or an amount straight after a change word. Returns the
    /// change word.
    fn change_of(&self, f: &Found) -> Option<usize> {
        let t = &self.t;
        let i = f.start;
        if let Some((_, from)) = self.range(i) {
            return self
                .change_before(from)
                .or_else(|| self.change_in_sentence(from, f));
        }
        let p = self.word_before(i)?;
        let w = t.norm(p);
        if w == "by" || w == "from" {
            // "cut the bill by 30%", "MTTR down from 52 min".
            return self.change_before(p);
        }
        if is(TO_LEVEL, w) {
            if w == "over" && f.kind == Some(QuantityKind::Duration) {
                // "dropped over two weeks": the time it took.
                return None;
            }
            let v = self.change_before(p)?;
            if t.norm(v) == "up" && v + 1 == p {
                // "for up to 90 seconds" is a limit; "went up to 12%" is not.
                return self.change_before(v);
            }
            return Some(v);
        }
        // "up 12 points" is as much an amount as "up 12%".
        let points = f
            .noun
            .is_some_and(|(a, _)| matches!(t.norm(a), "points" | "point"));
        if is(DIRECT, w) && (f.has_unit() || points) {
            return Some(p);
        }
        // "cut p99 latency 40%", "reduced costs 30%": the object between the
        // change word and its amount.
        if matches!(
            f.kind,
            Some(QuantityKind::Percent | QuantityKind::Multiplier)
        ) {
            let v = (i.saturating_sub(5)..p)
                .rev()
                .take_while(|&j| self.joined(j, i) && !self.is_numberish(j))
                .find(|&j| is(CHANGE, t.norm(j)) || is(DIRECT, t.norm(j)));
            if let Some(v) = v {
                if (v + 1..=p).all(|j| self.is_content(j) || is(OUTCOMES, t.norm(j))) {
                    return Some(v);
                }
            }
        }
        // "saved the support team roughly 10 hours every week".
        if matches!(f.kind, Some(QuantityKind::Duration | QuantityKind::Money)) {
            return (i.saturating_sub(6)..i)
                .rev()
                .take_while(|&j| self.joined(j, i) && !self.is_numberish(j))
                .find(|&j| matches!(t.norm(j), "saved" | "saving" | "saves"));
        }
        None
    }

    /// An amount written as a change with an arrow: "build time: 40 min ->
    /// 12 min", "40 → 12". Not a setting's ("pool size: 20 -> 60").
    fn arrow(&self, f: &Found) -> bool {
        let t = &self.t;
        let gap = |a: usize, b: usize| -> bool {
            match (t.toks.get(a), t.toks.get(b)) {
                (Some(x), Some(y)) => t
                    .src()
                    .get(x.orig_end as usize..y.orig_start as usize)
                    .is_some_and(|g| g.contains("->") || g.contains('→') || g.contains("=>")),
                _ => false,
            }
        };
        let i = f.start;
        let unit_end = f.unit_end;
        let forward = unit_end > 0 && gap(unit_end - 1, unit_end) && self.is_numberish(unit_end);
        let backward = i > 0 && gap(i - 1, i) && {
            // The other end, maybe with its unit: "40 min -> 12".
            (i.saturating_sub(3)..i).any(|j| self.is_numberish(j))
        };
        if !(forward || backward) || self.counts_a_setting(f) {
            return false;
        }
        let line = self.line_start(i);
        !(line..i).any(|j| is(SETTINGS, t.norm(j)) || is(PARTS, t.norm(j)))
    }

    /// A percent or multiplier written with its sign, as a change: "tickets
    /// -40%", "+12% conversion". Not a bullet's dash ("- 40% of traffic")
    /// nor a range ("10-20%").
    fn signed(&self, f: &Found) -> bool {
        if !matches!(
            f.kind,
            Some(QuantityKind::Percent | QuantityKind::Multiplier)
        ) {
            return false;
        }
        let Some(tok) = self.t.toks.get(f.start) else {
            return false;
        };
        let before = self.t.src().get(..tok.orig_start as usize).unwrap_or("");
        let mut rev = before.chars().rev();
        let sign = rev.next().is_some_and(|c| matches!(c, '-' | '+' | '−'));
        let free = rev
            .next()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | ':' | ','));
        sign && free && !self.counts_a_setting(f) && !self.changes_a_part_after(f)
    }

    /// "20% of traffic", "10% of pods": a share of a setting or part.
    fn changes_a_part_after(&self, f: &Found) -> bool {
        let t = &self.t;
        t.norm(f.unit_end) == "of"
            && (is(SETTINGS, t.norm(f.unit_end + 1)) || is(PARTS, t.norm(f.unit_end + 1)))
    }

    /// "back to 4.3", "back above 99.8%", "is now 2.4 seconds", "now take
    /// 40 minutes": a level reached again, or now.
    fn level_now(&self, f: &Found) -> bool {
        let t = &self.t;
        let i = f.start;
        let Some(p) = self.word_before(i) else {
            return false;
        };
        // "back above" passes over "above" as an approximation;
        // "returned to 99.7%" is back too.
        let again = |j: usize| matches!(t.norm(j), "back" | "returned" | "recovered");
        let back = if t.norm(p) == "back" {
            Some(p)
        } else if is(TO_LEVEL, t.norm(p)) || t.norm(p) == "at" {
            p.checked_sub(1)
                .filter(|&b| self.same_clause(b, p) && again(b))
        } else {
            None
        };
        if let Some(b) = back {
            let rolled = b
                .checked_sub(1)
                .is_some_and(|r| t.norm(r).starts_with("roll") || t.norm(r) == "go");
            // "back to two outcomes" is not a level.
            let level = f.noun.is_none() || self.outcome_amount(f);
            return !rolled && level && !self.hypothetical_before(b);
        }
        // "the forecast's error stayed within 6%", "stayed under 5%" ("under"
        // was passed over as an approximation).
        let held = |j: usize| matches!(t.norm(j), "stayed" | "remained" | "stays" | "remains");
        let held_level = held(p)
            || (matches!(t.norm(p), "within" | "at")
                && p.checked_sub(1)
                    .is_some_and(|b| self.same_clause(b, p) && held(b)));
        if held_level && !self.estimate_in_clause(i) {
            return true;
        }
        let now = (i.saturating_sub(4)..i)
            .rev()
            .take_while(|&j| self.same_clause(j, i) && !self.is_numberish(j))
            .find(|&j| t.norm(j) == "now");
        let Some(now) = now else { return false };
        let habitual = now
            .checked_sub(1)
            .is_some_and(|b| matches!(t.norm(b), "right" | "until" | "by" | "for" | "from"));
        // A level's subject may be an estimate: "the projected lifetime on
        // our test fleet is now two years".
        !habitual && !self.estimate_in_clause(i) && self.outcome_amount(f)
    }

    /// An amount that can be an outcome's level: a unit, zero, or a count of
    /// an outcome ("12 incidents"), not of parts or settings.
    fn outcome_amount(&self, f: &Found) -> bool {
        if f.has_unit() || (f.value == 0.0 && f.kind.is_some()) {
            return true;
        }
        // The noun may run one word past the two a count takes: "5
        // market-specific bugs".
        match f.noun {
            Some((a, b)) => (a..=b).any(|j| is(OUTCOMES, self.t.norm(j))),
            None => false,
        }
    }

    /// The first word of the line (or sentence) holding token `i`, over
    /// bullet marks and list numbers.
    fn line_start(&self, i: usize) -> usize {
        let t = &self.t;
        let sentence = t.toks[i].sentence;
        let mut j = i;
        for _ in 0..80 {
            let Some(p) = j.checked_sub(1) else { break };
            if t.toks[p].sentence != sentence || t.toks[p].kind == Kind::Sentence {
                break;
            }
            let gap = t
                .src()
                .get(t.toks[p].orig_end as usize..t.toks[j].orig_start as usize);
            if gap.is_some_and(|g| g.contains('\n')) {
                break;
            }
            j = p;
        }
        while j < i && t.kind(j) != Some(Kind::Word) {
            j += 1;
        }
        j
    }

    /// Whether the line or sentence holding `i` opens by reporting the
    /// outcome: "After the change", "After:", "As a result", "In the end",
    /// "Outcome:", "The result was".
    fn in_result_frame(&self, i: usize) -> bool {
        let t = &self.t;
        let s = self.line_start(i);
        let w = |k: usize| t.norm(s + k);
        match w(0) {
            // Not "After, I was three years in a bank", nor "After three
            // years I moved".
            "after" => {
                t.kind(s + 1) != Some(Kind::Number) && w(1) != "," && !self.is_numberish(s + 1)
            }
            "afterwards" | "outcome" | "outcomes" | "result" | "results" | "impact" => true,
            "as" => w(1) == "a" && w(2) == "result",
            "in" => w(1) == "the" && w(2) == "end",
            "since" => w(1) == "then",
            "by" => w(1) == "the" && w(2) == "end",
            "the" => matches!(w(1), "outcome" | "result" | "results" | "impact"),
            _ => false,
        }
    }

    /// An "after" phrase in the clause of `i` that dates it after the work:
    /// "and after fix we have only 20 errors", "was 99.99% for the year
    /// after the redesign". Not "an hour after our release" (an event
    /// dated by another) nor "after three years".
    fn after_in_clause(&self, i: usize) -> bool {
        let t = &self.t;
        (i.saturating_sub(12)..i + 12)
            .filter(|&j| j < t.len() && self.same_clause(j, i))
            .any(|j| {
                t.norm(j) == "after"
                    && t.kind(j + 1) == Some(Kind::Word)
                    && !self.is_numberish(j + 1)
                    && !j.checked_sub(1).is_some_and(|p| {
                        // "an hour after", "two days after"; not "for the
                        // whole year after".
                        let amount_of_time = self.cover[p] & cover::UNIT != 0
                            && p.checked_sub(1).is_some_and(|q| {
                                self.is_numberish(q) || matches!(t.norm(q), "a" | "an")
                            });
                        amount_of_time
                            || matches!(
                                t.norm(p),
                                "right" | "shortly" | "soon" | "just" | "straight"
                            )
                    })
            })
    }

    /// Whether the line or sentence holding `i` opens by stating the
    /// problem: "The problem was ...", "Issue:". Its numbers are the
    /// situation the work started from.
    fn in_problem_frame(&self, i: usize) -> bool {
        let t = &self.t;
        let s = self.line_start(i);
        let problem = |w: &str| matches!(w, "problem" | "issue" | "challenge");
        match t.norm(s) {
            "the" => problem(t.norm(s + 1)),
            w => problem(w) || matches!(w, "situation" | "context" | "background"),
        }
    }

    /// A level stated in a sentence that reports the outcome: "After release
    /// the cold start is 1.6 seconds", "After: zero secrets found", "By the
    /// end of the year, 80% of traffic hit React pages", "As a result, the
    /// dashboard landed on time on 58 of the last 60 days".
    fn framed_level(&self, f: &Found) -> bool {
        if !(self.in_result_frame(f.start) || self.after_in_clause(f.start))
            || self.estimate_in_clause(f.start)
        {
            return false;
        }
        if self.share(f) || self.outcome_is(f) {
            return true;
        }
        if !self.outcome_amount(f) {
            return false;
        }
        let t = &self.t;
        // Zero of something, an amount that opens its clause, or an amount
        // of an outcome ("14.5 days of battery life").
        if (f.value == 0.0 && f.noun.is_some())
            || self.word_before(f.start).is_none()
            || (t.norm(f.unit_end) == "of" && is(OUTCOMES, t.norm(f.unit_end + 1)))
        {
            return true;
        }
        let mut p = f.start;
        for _ in 0..4 {
            let Some(b) = p.checked_sub(1).filter(|&b| self.same_clause(b, f.start)) else {
                return false;
            };
            p = b;
            let w = t.norm(p);
            if is(BE, w) {
                // "the cold start is", not "I was".
                return p.checked_sub(1).is_some_and(|s| self.is_content(s));
            }
            if matches!(w, "have" | "has" | "had" | "saw" | "see" | "got" | "get") {
                // "after the fix we have only 20 errors a day", not "after
                // that I had three years at a bank".
                return f.noun.is_some() || !matches!(f.kind, Some(QuantityKind::Duration));
            }
            if is(OUTCOMES, w) {
                // "with p99 latency at 310 ms".
                return true;
            }
            if !matches!(
                w,
                "now" | "back" | "at" | "only" | "just" | "an" | "average" | "of"
            ) && !is(APPROX, w)
            {
                return false;
            }
        }
        false
    }

    /// "The outcome was an average of 0.7 mA": the amount the outcome is.
    fn outcome_is(&self, f: &Found) -> bool {
        let t = &self.t;
        let be = (f.start.saturating_sub(5)..f.start)
            .rev()
            .take_while(|&j| self.same_clause(j, f.start) && !self.is_numberish(j))
            .find(|&j| is(BE, t.norm(j)));
        be.and_then(|b| b.checked_sub(1))
            .is_some_and(|s| matches!(t.norm(s), "outcome" | "result"))
    }

    /// Either number of a share "N of (the last) M": "58 of the last 60
    /// days", "9 of 10 customers".
    fn share(&self, f: &Found) -> bool {
        let t = &self.t;
        let filler = |j: usize| {
            matches!(
                t.norm(j),
                "the" | "last" | "past" | "next" | "first" | "our"
            )
        };
        let mut j = f.unit_end;
        if t.norm(j) == "of" {
            j += 1;
            while filler(j) {
                j += 1;
            }
            if self.is_numberish(j) && self.same_clause(j, f.start) {
                return true;
            }
        }
        let mut j = f.start;
        while j > 0 && filler(j - 1) {
            j -= 1;
        }
        j >= 2
            && t.norm(j - 1) == "of"
            && self.is_numberish(j - 2)
            && self.same_clause(j - 2, f.start)
    }

    /// A comparison with before: "9% higher than", "3x faster", "two
    /// incidents instead of nine", in a clause told in the past or as now.
    fn compared(&self, f: &Found) -> bool {
        let t = &self.t;
        let i = f.start;
        if self.hypothetical_before(i) || self.counts_a_setting(f) {
            return false;
        }
        if self.set_against(f) {
            return true;
        }
        // "a 27% relative lift", "a 40% reduction in errors".
        // The noun heads its phrase: not "35% of drop-offs".
        let change_noun = (f.unit_end..f.unit_end + 2)
            .take_while(|&j| self.same_clause(j, i) && self.is_content(j))
            .any(|j| is(CHANGE_NOUNS, t.norm(j)) && !self.is_content(j + 1));
        if change_noun && f.has_unit() {
            // "for a 1% detectable lift that means three weeks" plans a test.
            return (self.told_as_done(i, 20) || self.in_result_frame(i))
                && !self.hypothetical_within(i, 12);
        }
        // "9% higher", "3x faster", "6%, better than their previous pages".
        let mut after = f.unit_end;
        if t.kind(after) == Some(Kind::Clause) && t.norm(after) == "," {
            after += 1;
        }
        let w = t.norm(after);
        let fits = match w {
            "fewer" | "less" => self.outcome_amount(f),
            _ => {
                is(COMPARED, w)
                    && matches!(
                        f.kind,
                        Some(QuantityKind::Percent | QuantityKind::Multiplier)
                    )
            }
        };
        // Under "Result:" the verb may be left out: "Result: 40% fewer
        // tickets".
        fits && (self.told_as_done(i, 8) || self.in_result_frame(i))
    }

    /// Told as what happened: a past verb or "now" shortly before `i` in its
    /// sentence.
    fn told_as_done(&self, i: usize, reach: usize) -> bool {
        let t = &self.t;
        let sentence = t.toks[i].sentence;
        (i.saturating_sub(reach)..i)
            .filter(|&j| t.toks[j].sentence == sentence)
            .any(|j| {
                let w = t.norm(j);
                w == "now"
                    || is(PAST, w)
                    || (w.len() > 4
                        && w.ends_with("ed")
                        && t.kind(j) == Some(Kind::Word)
                        && !t.toks[j].capitalised)
            })
    }

    /// One amount set against another: "11 minutes instead of a weekend",
    /// "3 minutes to CI instead of 40", "19% against 15%", "0.81 online
    /// versus 0.82 offline".
    fn set_against(&self, f: &Found) -> bool {
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
            while matches!(t.norm(j), "the" | "a" | "an") || is(APPROX, t.norm(j)) {
                j += 1;
            }
            let target = (j + 1..j + 3).any(|k| is(TARGETS, t.norm(k)));
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
    fn value_of_setting(&self, i: usize) -> bool {
        let t = &self.t;
        self.word_before(i).is_some_and(|p| {
            matches!(t.norm(p), "of" | "at" | "to")
                && p.checked_sub(1)
                    .is_some_and(|s| is(SETTINGS, t.norm(s)) || t.norm(s) == "size")
        })
    }

    fn counts_a_setting(&self, f: &Found) -> bool {
        f.noun.is_some_and(|(a, b)| {
            (a..b).any(|j| is(SETTINGS, self.t.norm(j)) || is(PARTS, self.t.norm(j)))
        })
    }

    /// The sentence holding `i` says its numbers were never measured: "we
    /// never measured", "nothing measured yet", "didn't track it".
    fn unmeasured(&self, i: usize) -> bool {
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
            is(MEASURED, t.norm(j))
                && (j.saturating_sub(3)..j).any(|k| self.flags[k] & flag::NEGATION != 0)
        })
    }

    /// Whether found number `f` is a result of the work.
    fn is_result(&self, f: &Found) -> bool {
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
    fn caught(&self, f: &Found) -> bool {
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
    fn sustained(&self, f: &Found) -> bool {
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
            negates && (j + 1..end).any(|k| is(OUTCOMES, t.norm(k)))
        });
        held || absence
    }

    /// Zero found by a check: "found zero mismatches", "saw 0 errors".
    fn found_none(&self, f: &Found) -> bool {
        f.value == 0.0
            && f.noun.is_some()
            && self
                .word_before(f.start)
                .is_some_and(|p| is(FOUND, self.t.norm(p)) && !self.hypothetical_before(p))
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

    /// Whether the words of `term` (one of its spellings) start at token `j`:
    /// case-insensitive, the last word also as a plural.
    fn term_at(&self, j: usize, term: &str) -> bool {
        let t = &self.t;
        let words = term.split_whitespace().count();
        term.split_whitespace().enumerate().all(|(k, w)| {
            let a = t.norm(j + k);
            let last = k + 1 == words;
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
    fn metric_of(&self, f: &Found, metrics: &[Term]) -> Option<String> {
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
            for m in metrics {
                let spellings = std::iter::once(&m.canonical).chain(&m.variants);
                if spellings
                    .filter(|s| !s.trim().is_empty())
                    .any(|s| self.term_at(j, s))
                {
                    return Some(m.canonical.clone());
                }
            }
        }
        if let Some(j) = near.clone().find(|&j| is(OUTCOMES, t.norm(j))) {
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

    fn quantity(&self, f: &Found, kind: QuantityKind, metric: Option<String>) -> Quantity {
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
    fn numbers_are_figures(&self, ctx: &AnswerContext) -> bool {
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
                let metric = self.metric_of(&f, &ctx.terms.metrics);
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
                let metric = self.metric_of(&f, &ctx.terms.metrics);
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
                let metric = self.metric_of(&f, &ctx.terms.metrics);
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
