//! Changes, settings and hypotheticals: what a number is a change of.

use super::super::analyse::{cover, Scan};
use super::super::QuantityKind;
use super::words::*;
use super::Found;
use crate::guide::words::Kind;

impl Scan<'_> {
    /// A change word at or shortly before `k` (exclusive) in its clause, not
    /// past another number.
    pub(super) fn change_before(&self, k: usize) -> Option<usize> {
        (k.saturating_sub(CHANGE_REACH)..k)
            .rev()
            .take_while(|&j| self.joined(j, k) && !self.is_numberish(j))
            .find(|&j| self.on(&CHANGE, j))
    }

    /// For a range of percentages, durations or money whose clause has no
    /// change word, a change word earlier in its sentence: "lifting
    /// activation, which we define as ..., from 31% to 44%".
    pub(super) fn change_in_sentence(&self, from: usize, f: &Found) -> Option<usize> {
        let sentence = self.t.toks[from].sentence;
        let v = (from.saturating_sub(30)..from)
            .rev()
            .take_while(|&j| self.t.toks[j].sentence == sentence)
            .find(|&j| self.on(&CHANGE, j))?;
        // Near ("Ticket volume halved, from 200 a week to about 100"), any
        // amount; further off, only one with a unit.
        (from - v <= 8 || f.has_unit()).then_some(v)
    }

    /// The word before `j` over adverbs ("had also cut").
    pub(super) fn before_adverbs(&self, j: usize) -> Option<usize> {
        let mut p = j.checked_sub(1)?;
        while self.on(&ADVERBS, p) {
            p = p.checked_sub(1)?;
        }
        self.same_clause(p, j).then_some(p)
    }

    /// A goal, plan, condition or guess shortly before `j` in its clause.
    pub(super) fn hypothetical_before(&self, j: usize) -> bool {
        self.hypothetical_within(j, HYPO_REACH)
    }

    /// A goal or estimate earlier in the clause of a stated level: "the
    /// projected lifetime on our test fleet is now two years".
    pub(super) fn estimate_in_clause(&self, j: usize) -> bool {
        (j.saturating_sub(LEVEL_REACH)..j)
            .rev()
            .take_while(|&k| self.same_clause(k, j))
            .any(|k| self.on(&HYPOTHETICAL, k))
    }

    /// Reaches over commas ("the company goal for the year, growing
    /// retained customers by 30%") but not into another sentence or past a
    /// conjunction that starts a new clause ("but", "so", "because").
    pub(super) fn hypothetical_within(&self, j: usize, reach: usize) -> bool {
        let t = &self.t;
        (j.saturating_sub(reach)..j)
            .rev()
            .take_while(|&k| {
                t.toks[k].kind != Kind::Sentence
                    && t.toks[k].sentence == t.toks[j].sentence
                    && !self.on(&CLAUSE_WORDS, k)
            })
            .any(|k| self.on(&HYPOTHETICAL, k))
    }

    /// The change word at `v` states what changed: not a goal ("to cut"), a
    /// plan or condition ("would drop"), the situation before ("had crept
    /// up") or the means ("by cutting").
    pub(super) fn stated_change(&self, v: usize) -> bool {
        // "going down to", "came back up": the verb before the particle.
        let v = match self.before_adverbs(v) {
            Some(p) if matches!(self.t.norm(v), "down" | "up") && self.on(&CHANGE, p) => p,
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
    pub(super) fn changes_a_setting(&self, v: usize, f: &Found) -> bool {
        let t = &self.t;
        let setting = |j: usize| self.on(&SETTINGS, j);
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
        let part = |j: usize| setting(j) || self.on(&PARTS, j);
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
    pub(super) fn change_of(&self, f: &Found) -> Option<usize> {
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
        if self.on(&TO_LEVEL, p) {
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
        if self.on(&DIRECT, p) && (f.has_unit() || points) {
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
                .find(|&j| self.on(&CHANGE, j) || self.on(&DIRECT, j));
            if let Some(v) = v {
                if (v + 1..=p).all(|j| self.is_content(j) || self.on(&OUTCOMES, j)) {
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
    pub(super) fn arrow(&self, f: &Found) -> bool {
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
        !(line..i).any(|j| self.on(&SETTINGS, j) || self.on(&PARTS, j))
    }

    /// A percent or multiplier written with its sign, as a change: "tickets
    /// -40%", "+12% conversion". Not a bullet's dash ("- 40% of traffic")
    /// nor a range ("10-20%").
    pub(super) fn signed(&self, f: &Found) -> bool {
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
    pub(super) fn changes_a_part_after(&self, f: &Found) -> bool {
        let t = &self.t;
        t.norm(f.unit_end) == "of"
            && (self.on(&SETTINGS, f.unit_end + 1) || self.on(&PARTS, f.unit_end + 1))
    }

    /// "back to 4.3", "back above 99.8%", "is now 2.4 seconds", "now take
    /// 40 minutes": a level reached again, or now.
    pub(super) fn level_now(&self, f: &Found) -> bool {
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
        } else if self.on(&TO_LEVEL, p) || t.norm(p) == "at" {
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
    pub(super) fn outcome_amount(&self, f: &Found) -> bool {
        if f.has_unit() || (f.value == 0.0 && f.kind.is_some()) {
            return true;
        }
        // The noun may run one word past the two a count takes: "5
        // market-specific bugs".
        match f.noun {
            Some((a, b)) => (a..=b).any(|j| self.on(&OUTCOMES, j)),
            None => false,
        }
    }

    /// The first word of the line (or sentence) holding token `i`, over
    /// bullet marks and list numbers.
    pub(super) fn line_start(&self, i: usize) -> usize {
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
    pub(super) fn in_result_frame(&self, i: usize) -> bool {
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
    pub(super) fn after_in_clause(&self, i: usize) -> bool {
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
    pub(super) fn in_problem_frame(&self, i: usize) -> bool {
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
    pub(super) fn framed_level(&self, f: &Found) -> bool {
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
            || (t.norm(f.unit_end) == "of" && self.on(&OUTCOMES, f.unit_end + 1))
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
            if self.on(&BE, p) {
                // "the cold start is", not "I was".
                return p.checked_sub(1).is_some_and(|s| self.is_content(s));
            }
            if matches!(w, "have" | "has" | "had" | "saw" | "see" | "got" | "get") {
                // "after the fix we have only 20 errors a day", not "after
                // that I had three years at a bank".
                return f.noun.is_some() || !matches!(f.kind, Some(QuantityKind::Duration));
            }
            if self.on(&OUTCOMES, p) {
                // "with p99 latency at 310 ms".
                return true;
            }
            if !matches!(
                w,
                "now" | "back" | "at" | "only" | "just" | "an" | "average" | "of"
            ) && !self.on(&APPROX, p)
            {
                return false;
            }
        }
        false
    }

    /// "The outcome was an average of 0.7 mA": the amount the outcome is.
    pub(super) fn outcome_is(&self, f: &Found) -> bool {
        let t = &self.t;
        let be = (f.start.saturating_sub(5)..f.start)
            .rev()
            .take_while(|&j| self.same_clause(j, f.start) && !self.is_numberish(j))
            .find(|&j| self.on(&BE, j));
        be.and_then(|b| b.checked_sub(1))
            .is_some_and(|s| matches!(t.norm(s), "outcome" | "result"))
    }

    /// Either number of a share "N of (the last) M": "58 of the last 60
    /// days", "9 of 10 customers".
    pub(super) fn share(&self, f: &Found) -> bool {
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
    pub(super) fn compared(&self, f: &Found) -> bool {
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
            .any(|j| self.on(&CHANGE_NOUNS, j) && !self.is_content(j + 1));
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
                self.on(&COMPARED, after)
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
}
