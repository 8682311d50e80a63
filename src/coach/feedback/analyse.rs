//! One pass over an answer: tokenize, look every token up once in the cue
//! index, collect phrase matches, then derive each kind of finding from them.

use super::cues::{flag, Cues, Elem, Entry, FastMap, Target, GAP_MAX};
use super::sentences;
use super::{
    Analysis, AnswerContext, Evidence, FunctionScore, Length, LengthBand, Ownership, PhraseCount,
    SentenceFinding, StepFinding,
};
use crate::guide::words::{tokenize, Kind, Tokens};

/// How far back (in tokens, within the clause) a negation reaches: "we didn't
/// cut p95 latency by 40%" is negated, a "not" at the start of a long run-on
/// sentence is not.
const NEG_WINDOW: usize = 6;

/// Longest excerpt shown as evidence, in bytes.
const EXCERPT_MAX: usize = 120;

/// How many top content words to report.
const TOP_WORDS: usize = 5;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Match {
    pub phrase: u32,
    pub start: usize,
    pub end: usize,
}

/// Per-token bits set from phrase matches.
pub(crate) mod cover {
    pub const NOT_FILLER: u8 = 1;
    pub const NEG_EXEMPT: u8 = 1 << 1;
    /// A `not_result_before` phrase ends on this token.
    pub const NOT_RESULT_BEFORE_END: u8 = 1 << 2;
    /// Inside a unit phrase ("ms", "per cent").
    pub const UNIT: u8 = 1 << 3;
    /// First word of a step cue ("fell", "reduced"): a verb, never what a
    /// number measures.
    pub const CUE_HEAD: u8 = 1 << 4;
}

pub(crate) struct Scan<'a> {
    pub t: Tokens<'a>,
    pub cues: &'a Cues,
    pub entries: Vec<Option<&'a Entry>>,
    pub flags: Vec<u16>,
    pub cover: Vec<u8>,
    /// Sorted by start token.
    pub matches: Vec<Match>,
}

fn is_i(w: &str) -> bool {
    matches!(w, "i" | "i'm" | "i've" | "i'd" | "i'll")
}

/// Match `elems` at token `i`, returning the end. `inner` is false for a
/// phrase's first element; later literal words may step over one soft word
/// ("I just started" matches "i started").
fn match_at(t: &Tokens, flags: &[u16], elems: &[Elem], i: usize, inner: bool) -> Option<usize> {
    let Some((first, rest)) = elems.split_first() else {
        return Some(i);
    };
    if let Elem::Gap = first {
        for j in i..=(i + GAP_MAX).min(t.len()) {
            if j > i && t.kind(j - 1) == Some(Kind::Sentence) {
                break;
            }
            if let Some(e) = match_at(t, flags, rest, j, true) {
                return Some(e);
            }
        }
        return None;
    }
    let tok = t.toks.get(i)?;
    if let Elem::Lit(s) = first {
        let soft = flags.get(i).is_some_and(|f| f & flag::SOFT != 0);
        if inner && soft && t.norm(i) != &**s && t.norm(i + 1) == &**s {
            return match_at(t, flags, rest, i + 2, true);
        }
    }
    let ok = match first {
        Elem::Lit(s) => t.norm(i) == &**s,
        Elem::Name => {
            tok.kind == Kind::Word && tok.capitalised && !tok.sentence_start && !is_i(t.norm(i))
        }
        Elem::Number => tok.kind == Kind::Number,
        Elem::Gap => false,
    };
    if ok {
        match_at(t, flags, rest, i + 1, true)
    } else {
        None
    }
}

impl<'a> Scan<'a> {
    pub(crate) fn new(answer: &'a str, ctx: &AnswerContext, cues: &'a Cues) -> Scan<'a> {
        let t = tokenize(answer);
        let n = t.len();
        let fw = cues.framework(&ctx.framework.id).map(|(i, _)| i);
        let mut entries = Vec::with_capacity(n);
        let mut flags = Vec::with_capacity(n);
        for i in 0..n {
            // Punctuation is looked up too: "like ," is a phrase.
            let e = cues.index.get(t.norm(i));
            let mut f = e.map_or(0, |e| e.flags);
            let w = t.norm(i);
            if t.kind(i) == Some(Kind::Word) && w.len() > 3 && w.ends_with("n't") {
                f |= flag::NEGATION;
            }
            // "US" the country is not "us" the team.
            if t.orig(i) == "US" {
                f &= !flag::PLURAL;
            }
            entries.push(e);
            flags.push(f);
        }
        let mut matches = Vec::new();
        let mut cover = vec![0u8; n];
        let none: &[u32] = &[];
        for i in 0..n {
            let (listed, after, after_soft) = match entries[i] {
                Some(e) if !e.next.is_empty() => {
                    let by_id = |j: usize| {
                        entries
                            .get(j)
                            .copied()
                            .flatten()
                            .and_then(|n| e.next.get(&n.id))
                            .map_or(none, Vec::as_slice)
                    };
                    let after = by_id(i + 1);
                    // "I just started": also try the word after a soft one.
                    let soft = flags.get(i + 1).is_some_and(|f| f & flag::SOFT != 0);
                    let after_soft = if soft { by_id(i + 2) } else { none };
                    (e.phrases.as_slice(), after, after_soft)
                }
                Some(e) => (e.phrases.as_slice(), none, none),
                None => (none, none, none),
            };
            let wild = match t.toks[i] {
                tk if tk.kind == Kind::Number => cues.wild_number.as_slice(),
                tk if tk.capitalised => cues.wild_name.as_slice(),
                _ => none,
            };
            let candidates = listed.iter().chain(after).chain(after_soft).chain(wild);
            for &pid in candidates {
                let Some(p) = cues.phrases.get(pid as usize) else {
                    continue;
                };
                if let Target::Step { fw: f, .. } = p.target {
                    if Some(usize::from(f)) != fw {
                        continue;
                    }
                }
                if p.anchored && !t.toks[i].sentence_start {
                    continue;
                }
                let Some(end) = match_at(&t, &flags, &p.elems, i, false) else {
                    continue;
                };
                let bit = match p.target {
                    Target::NotFiller => cover::NOT_FILLER,
                    Target::NegationException => cover::NEG_EXEMPT,
                    Target::Unit(_) => cover::UNIT,
                    _ => 0,
                };
                for c in &mut cover[i..end] {
                    *c |= bit;
                }
                if let Target::Step { .. } = p.target {
                    cover[i] |= cover::CUE_HEAD;
                }
                if p.target == Target::NotResultBefore {
                    cover[end - 1] |= cover::NOT_RESULT_BEFORE_END;
                }
                matches.push(Match {
                    phrase: pid,
                    start: i,
                    end,
                });
            }
        }
        Scan {
            t,
            cues,
            entries,
            flags,
            cover,
            matches,
        }
    }

    pub fn target(&self, m: &Match) -> Option<Target> {
        self.cues.phrases.get(m.phrase as usize).map(|p| p.target)
    }

    /// The text being analysed.
    pub fn src(&self) -> &'a str {
        self.t.src()
    }

    /// Matches that start in tokens `a..b`.
    pub fn matches_in(&self, a: usize, b: usize) -> &[Match] {
        let lo = self.matches.partition_point(|m| m.start < a);
        let hi = self.matches.partition_point(|m| m.start < b);
        &self.matches[lo..hi]
    }

    pub fn matches_at(&self, i: usize) -> &[Match] {
        let a = self.matches.partition_point(|m| m.start < i);
        let b = self.matches.partition_point(|m| m.start <= i);
        &self.matches[a..b]
    }

    pub fn is_negation(&self, i: usize) -> bool {
        self.flags.get(i).is_some_and(|f| f & flag::NEGATION != 0)
            && self
                .cover
                .get(i)
                .is_some_and(|c| c & cover::NEG_EXEMPT == 0)
    }

    /// A negation up to [`NEG_WINDOW`] tokens before token `i` (exclusive) in
    /// the same clause.
    pub fn negation_before(&self, i: usize) -> Option<usize> {
        let clause = self.t.toks.get(i)?.clause;
        (i.saturating_sub(NEG_WINDOW)..i)
            .rev()
            .take_while(|&j| self.t.toks[j].clause == clause)
            .find(|&j| self.is_negation(j))
    }

    /// Whether a cue match is negated: a negation inside it, shortly before it
    /// in its clause, or — for the step that reports results, when the cue is
    /// a clause of its own like "As a result," — early in the clause it
    /// introduces. Only there: "At Quill, customers didn't like the editor"
    /// still sets the scene.
    fn cue_negated(&self, m: &Match, result_step: bool) -> bool {
        if (m.start..m.end).any(|j| self.is_negation(j)) || self.negation_before(m.start).is_some()
        {
            return true;
        }
        if !result_step {
            return false;
        }
        let toks = &self.t.toks;
        let clause = toks[m.start].clause;
        let starts_clause = m.start == 0 || toks[m.start - 1].clause != clause;
        let comma_after = toks.get(m.end).is_some_and(|t| t.kind == Kind::Clause);
        if starts_clause && comma_after {
            let next = m.end + 1;
            if let Some(nc) = toks.get(next).map(|t| t.clause) {
                return (next..(next + NEG_WINDOW).min(toks.len()))
                    .take_while(|&j| toks[j].clause == nc)
                    .any(|j| self.is_negation(j));
            }
        }
        false
    }

    fn evidence(&self, m: &Match) -> Evidence {
        Evidence {
            phrase: self.t.orig_span(m.start, m.end).to_string(),
            excerpt: self.t.excerpt(m.start, m.end, EXCERPT_MAX),
        }
    }
}

/// Analyse one answer to one question. Total: any text gives an [`Analysis`]
/// (an empty answer gives an empty one with every step missing).
pub fn analyse(answer: &str, ctx: &AnswerContext, cues: &Cues) -> Analysis {
    let scan = Scan::new(answer, ctx, cues);
    let mut negated: Vec<Evidence> = Vec::new();

    let (steps, sentences) = steps(&scan, ctx, &mut negated);
    let numbers = scan.numbers(ctx);
    negated.extend(numbers.negated);

    let mut fillers = vec![0u32; cues.fillers.len()];
    let mut hedges = vec![0u32; cues.hedges.len()];
    for m in &scan.matches {
        let slot = match scan.target(m) {
            Some(Target::Filler(i)) => fillers.get_mut(usize::from(i)),
            Some(Target::Hedge(i)) => hedges.get_mut(usize::from(i)),
            _ => None,
        };
        let excepted = scan.cover[m.start..m.end]
            .iter()
            .any(|c| c & cover::NOT_FILLER != 0);
        if let (Some(slot), false) = (slot, excepted) {
            *slot += 1;
        }
    }

    let (mut singular, mut plural) = (0u32, 0u32);
    for (i, f) in scan.flags.iter().enumerate() {
        if scan.t.kind(i) == Some(Kind::Word) {
            singular += u32::from(f & flag::SINGULAR != 0);
            plural += u32::from(f & flag::PLURAL != 0);
        }
    }

    Analysis {
        framework: ctx.framework.id.clone(),
        steps,
        quantified_results: numbers.results,
        figures: numbers.figures,
        figures_count: numbers.figures_count,
        unmeasured: cues
            .framework(&ctx.framework.id)
            .is_some_and(|(_, f)| !f.results),
        role_terms: super::terms::role_terms(&scan, ctx),
        ownership: Ownership::new(singular, plural),
        length: length(scan.t.words, ctx, cues),
        fillers: counted(&cues.fillers, &fillers),
        hedges: counted(&cues.hedges, &hedges),
        top_words: top_words(&scan),
        negated,
        sentences,
    }
}

fn steps(
    scan: &Scan,
    ctx: &AnswerContext,
    negated: &mut Vec<Evidence>,
) -> (Vec<StepFinding>, Vec<SentenceFinding>) {
    let cues = scan.cues;
    let fw = cues.framework(&ctx.framework.id).map(|(_, f)| f);
    let model = cues.sentence_model();
    let uses_model = model.is_some() && ctx.framework.steps.iter().any(|s| !s.functions.is_empty());
    let pieces = match model {
        Some(m) if uses_model => m.pieces(scan, &ctx.framework.id),
        _ => Vec::new(),
    };
    // Each piece's text, shortened once: the sentence findings show every
    // one, and the evidence of a step is the piece that covers it.
    let texts: Vec<String> = pieces
        .iter()
        .map(|p| short(scan.t.orig_span(p.seg.start, p.seg.end)))
        .collect();
    let mut out = Vec::with_capacity(ctx.framework.steps.len());
    let mut negated_at: Vec<(usize, usize)> = Vec::new();
    for step in &ctx.framework.steps {
        let idx = fw.and_then(|f| f.steps.iter().position(|s| s.key == step.key));
        let result_step = fw.is_some_and(|f| f.numbers_step.is_some() && f.numbers_step == idx);
        let by_model = model.and_then(|m| {
            let wanted: Option<Vec<usize>> = step.functions.iter().map(|f| m.function(f)).collect();
            wanted.filter(|w| !w.is_empty()).map(|w| (m, w))
        });
        let (evidence, function) = match by_model {
            Some((m, wanted)) => {
                match sentences::covering(m, scan, &pieces, &wanted, step.first_person) {
                    Some((k, f, _)) => (
                        texts.get(k).map(|text| Evidence {
                            phrase: text.clone(),
                            excerpt: text.clone(),
                        }),
                        m.functions().get(f).cloned(),
                    ),
                    None => (None, None),
                }
            }
            None => (
                cue_evidence(scan, idx, result_step, negated, &mut negated_at),
                None,
            ),
        };
        out.push(StepFinding {
            key: step.key.clone(),
            name: step.name.clone(),
            covered: evidence.is_some(),
            evidence,
            guidance: step.guidance.clone(),
            wants_numbers: result_step,
            wants_ownership: fw
                .is_some_and(|f| f.ownership_step.is_some() && f.ownership_step == idx),
            function,
        });
    }
    let sentences = match model {
        Some(m) => pieces
            .iter()
            .zip(texts)
            .map(|(p, text)| {
                let mut functions: Vec<FunctionScore> = p
                    .probs
                    .iter()
                    .enumerate()
                    .filter(|&(f, &pr)| pr >= m.threshold(f))
                    .map(|(f, &pr)| FunctionScore {
                        function: m.functions()[f].clone(),
                        probability: (pr * 100.0).round() / 100.0,
                    })
                    .collect();
                functions.sort_by(|a, b| b.probability.total_cmp(&a.probability));
                SentenceFinding { text, functions }
            })
            .collect(),
        None => Vec::new(),
    };
    (out, sentences)
}

/// A piece's text cut to one readable line at a word boundary.
fn short(text: &str) -> String {
    let text = text.trim();
    if text.len() <= EXCERPT_MAX {
        return text.to_string();
    }
    let mut cut = EXCERPT_MAX;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    let head = head.rfind(' ').map_or(head, |sp| &head[..sp]);
    format!("{}…", head.trim_end_matches([',', ';', ':', ' ']))
}

/// The cue-phrase way to find a step (frameworks whose steps name no
/// sentence functions, or guides without a sentence model).
fn cue_evidence(
    scan: &Scan,
    idx: Option<usize>,
    result_step: bool,
    negated: &mut Vec<Evidence>,
    negated_at: &mut Vec<(usize, usize)>,
) -> Option<Evidence> {
    let mut cue: Option<&Match> = None;
    let mut marker: Option<&Match> = None;
    let mut markers = 0u32;
    for m in &scan.matches {
        let Some(Target::Step {
            step: s,
            marker: is_marker,
            ..
        }) = scan.target(m)
        else {
            continue;
        };
        if Some(usize::from(s)) != idx {
            continue;
        }
        if scan.cue_negated(m, result_step) {
            if !negated_at.contains(&(m.start, m.end)) {
                negated_at.push((m.start, m.end));
                negated.push(scan.evidence(m));
            }
            continue;
        }
        if is_marker {
            markers += 1;
            marker.get_or_insert(m);
        } else {
            cue.get_or_insert(m);
        }
    }
    match (cue, marker) {
        (Some(m), _) => Some(scan.evidence(m)),
        (None, Some(m)) if markers >= scan.cues.markers_needed => Some(scan.evidence(m)),
        _ => None,
    }
}

fn counted(names: &[String], counts: &[u32]) -> Vec<PhraseCount> {
    let mut out: Vec<PhraseCount> = names
        .iter()
        .zip(counts)
        .filter(|(_, &c)| c > 0)
        .map(|(p, &c)| PhraseCount {
            phrase: p.clone(),
            count: c,
        })
        .collect();
    // Stable: equal counts keep the cue file's order.
    out.sort_by_key(|p| std::cmp::Reverse(p.count));
    out
}

fn length(words: u32, ctx: &AnswerContext, cues: &Cues) -> Length {
    let wpm = cues.words_per_minute.max(1);
    let seconds = (u64::from(words) * 60 + u64::from(wpm) / 2) / u64::from(wpm);
    let (lo, hi) = ctx.target_words;
    let band = if words < lo {
        LengthBand::Short
    } else if words > hi {
        LengthBand::Long
    } else {
        LengthBand::Within
    };
    Length {
        words,
        seconds: u32::try_from(seconds).unwrap_or(u32::MAX),
        target_words: ctx.target_words,
        band,
    }
}

fn top_words(scan: &Scan) -> Vec<PhraseCount> {
    let skip = flag::STOP | flag::SINGULAR | flag::PLURAL | flag::NEGATION;
    let mut counts: FastMap<&str, (u32, usize)> =
        FastMap::with_capacity_and_hasher(scan.t.len() / 2, Default::default());
    for i in 0..scan.t.len() {
        if scan.t.kind(i) != Some(Kind::Word) || scan.flags[i] & skip != 0 {
            continue;
        }
        if scan.entries[i].is_some_and(|e| e.number.is_some()) {
            continue;
        }
        let w = scan.t.norm(i);
        let w = w.strip_suffix("'s").unwrap_or(w);
        if w.len() < 3 {
            continue;
        }
        counts.entry(w).or_insert((0, i)).0 += 1;
    }
    let mut ranked: Vec<(&str, u32, usize)> = counts
        .into_iter()
        .filter(|(_, (c, _))| *c >= 2)
        .map(|(w, (c, first))| (w, c, first))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    ranked
        .into_iter()
        .take(TOP_WORDS)
        .map(|(w, c, _)| PhraseCount {
            phrase: w.to_string(),
            count: c,
        })
        .collect()
}
