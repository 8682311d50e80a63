//! The cue file (`guides/shared/feedback.toml`, top-level `[feedback]` table):
//! its TOML shape, its validation, and its compiled form.
//!
//! Everything the analyser recognises — step cue phrases, tense markers,
//! fillers, hedges, negations, pronouns, stop words, units — lives in that file
//! so guide authors can extend it without touching Rust. It is compiled once at
//! load time into one phrase index keyed by a phrase's first word, so analysing
//! an answer is a single pass with one hash lookup per token.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::text::tokenize;
use super::FrameworkRef;

/// One cue-file problem, with the byte range in the file it points at. The
/// loader turns the range into `path:line:column` (see [`CueError::render`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CueError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl CueError {
    fn at(span: Range<usize>, message: impl Into<String>) -> Self {
        CueError {
            span: Some(span),
            message: message.into(),
        }
    }

    /// `path:line:column: message`, with a 1-based line and column (in
    /// characters) computed from the span; errors without one point at 1:1.
    pub fn render(&self, path: &str, src: &str) -> String {
        let (line, col) = line_col(src, self.span.as_ref().map_or(0, |s| s.start));
        format!("{path}:{line}:{col}: {}", self.message)
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `src`.
pub fn line_col(src: &str, at: usize) -> (usize, usize) {
    let at = at.min(src.len());
    let before = src.get(..at).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

type List = Spanned<Vec<Spanned<String>>>;

/// The file as written. Unknown keys are errors so a misspelt list name does
/// not silently drop its phrases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueFile {
    pub feedback: FeedbackTable,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackTable {
    /// Speaking rate used to turn words into seconds.
    pub words_per_minute: Option<Spanned<u32>>,
    /// Default target length band `[min, max]` in words; a question's
    /// `answer_words` overrides it.
    pub answer_words: Option<Spanned<[u32; 2]>>,
    /// How many tense-marker hits stand in for one cue phrase.
    pub markers_needed: Option<Spanned<u32>>,
    pub fillers: List,
    pub hedges: List,
    /// Phrases that contain a filler or hedge but are not one ("what kind of").
    pub not_fillers: Option<List>,
    /// Single words that negate their clause; any word ending in "n't" does too.
    pub negations: List,
    /// Phrases that contain a negation word but do not negate ("with no downtime").
    pub negation_exceptions: Option<List>,
    pub singular: List,
    pub plural: List,
    pub stop_words: List,
    pub numbers: NumbersTable,
    pub frameworks: Spanned<BTreeMap<Spanned<String>, FrameworkCues>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumbersTable {
    pub percent: List,
    pub multiplier: List,
    pub duration: List,
    /// Currency words after a number ("40 thousand dollars"). A currency sign
    /// before it ($ € £ ¥) makes it money too.
    pub money: List,
    /// Scale words and suffixes with their factor ("k" = 1000).
    pub scale: Spanned<BTreeMap<Spanned<String>, f64>>,
    /// Spelled-out numbers with their value ("three" = 3).
    pub number_words: Spanned<BTreeMap<Spanned<String>, f64>>,
    /// Capitalised month names around a number make it a date.
    pub months: List,
    /// Words before a 1900-2100 number that make it a year ("in 2019").
    pub year_before: List,
    /// Phrases right before a number that make it no result ("version 3").
    pub not_result_before: List,
    /// Phrases right after a number or its unit that make it no result ("3 a.m.", "5 years ago").
    pub not_result_after: List,
    /// Nouns that a count may not measure to be a result ("5 engineers").
    pub not_result_counts: List,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkCues {
    /// The step whose probe asks for numbers when an answer has none.
    pub numbers_step: Option<Spanned<String>>,
    /// The step whose probe asks what "I" did when an answer only says "we".
    pub ownership_step: Option<Spanned<String>>,
    pub steps: Spanned<BTreeMap<Spanned<String>, StepCues>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepCues {
    /// Signal phrases: one match covers the step.
    pub cues: List,
    /// Weaker tense markers: `markers_needed` of them cover the step.
    pub markers: Option<List>,
}

/// Parse the cue file's text (no validation beyond its shape).
pub fn parse_cue_file(src: &str) -> Result<CueFile, CueError> {
    toml::from_str(src).map_err(|e| CueError {
        span: e.span(),
        message: e.message().trim_end().to_string(),
    })
}

// ---------------------------------------------------------------------------
// Compiled form

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Elem {
    Lit(Box<str>),
    /// `<Name>`: a capitalised word that does not start its sentence.
    Name,
    /// `<number>`: a numeric token.
    Number,
    /// `...`: up to [`GAP_MAX`] tokens within the sentence.
    Gap,
}

/// Longest gap a `...` spans; long enough for "I chose Kafka's log compaction
/// over", short enough not to join unrelated halves of a sentence.
pub(crate) const GAP_MAX: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Percent,
    Multiplier,
    Duration,
    Money,
    Scale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Step { fw: u16, step: u16, marker: bool },
    Filler(u16),
    Hedge(u16),
    NotFiller,
    NegationException,
    Unit(Unit),
    NotResultBefore,
    NotResultAfter,
    NotResultCount,
}

#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    pub elems: Vec<Elem>,
    pub anchored: bool,
    pub target: Target,
}

/// Per-word facts looked up once per token.
pub(crate) mod flag {
    pub const STOP: u16 = 1;
    pub const NEGATION: u16 = 1 << 1;
    pub const SINGULAR: u16 = 1 << 2;
    pub const PLURAL: u16 = 1 << 3;
    pub const MONTH: u16 = 1 << 4;
    pub const YEAR_BEFORE: u16 = 1 << 5;
    /// A one-word filler or hedge ("just", "basically"): cue phrases step
    /// over one, so "I just started" still reads as "I started".
    pub const SOFT: u16 = 1 << 6;
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Entry {
    /// Position in the index, so phrase lookups by second word hash a number
    /// instead of the word again.
    pub id: u32,
    pub flags: u16,
    pub number: Option<f64>,
    /// Phrases starting with this word whose second element is not a word.
    pub phrases: Vec<u32>,
    /// Phrases starting with this word, by their second word's id: "i"
    /// starts over a hundred cues, and this keeps each "i" in an answer to
    /// one more lookup instead of a hundred comparisons.
    pub next: FastMap<u32, Vec<u32>>,
}

/// A multiply-rotate hash over 8-byte words (the scheme rustc uses): the
/// keys are short lowercase words, which SipHash is needlessly slow for, and
/// hash flooding is no concern for a bot reading its own guide files.
#[derive(Default)]
pub(crate) struct Fnv(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Fnv {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for Fnv {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[derive(Debug, Clone)]
pub(crate) struct StepInfo {
    pub key: String,
}

#[derive(Debug, Clone)]
pub(crate) struct FwInfo {
    pub id: String,
    pub steps: Vec<StepInfo>,
    pub numbers_step: Option<usize>,
    pub ownership_step: Option<usize>,
}

/// The compiled cue file. Build it once with [`Cues::from_toml`] (or
/// [`Cues::compile`]) and share it; [`super::analyse`] only reads it.
#[derive(Clone)]
pub struct Cues {
    pub(crate) words_per_minute: u32,
    pub(crate) answer_words: (u32, u32),
    pub(crate) markers_needed: u32,
    pub(crate) frameworks: Vec<FwInfo>,
    pub(crate) phrases: Vec<Phrase>,
    pub(crate) index: FastMap<Box<str>, Entry>,
    /// Phrases that start with `<Name>` or `<number>`, tried only at
    /// capitalised words and numbers respectively.
    pub(crate) wild_name: Vec<u32>,
    pub(crate) wild_number: Vec<u32>,
    pub(crate) fillers: Vec<String>,
    pub(crate) hedges: Vec<String>,
    /// Suffixes glued to a number: "42%", "3x", "200ms", "$40k".
    pub(crate) suffix_units: FastMap<Box<str>, (Unit, f64)>,
}

impl fmt::Debug for Cues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cues")
            .field(
                "frameworks",
                &self.frameworks.iter().map(|f| &f.id).collect::<Vec<_>>(),
            )
            .field("phrases", &self.phrases.len())
            .finish_non_exhaustive()
    }
}

impl Cues {
    /// Parse and validate the cue file against the frameworks defined in
    /// `frameworks.toml`. This is the one entry point the guide loader needs:
    /// every error carries a byte span for `path:line:column`.
    pub fn from_toml(src: &str, frameworks: &[FrameworkRef]) -> Result<Cues, Vec<CueError>> {
        let file = parse_cue_file(src).map_err(|e| vec![e])?;
        Cues::compile(&file.feedback, frameworks)
    }

    pub fn words_per_minute(&self) -> u32 {
        self.words_per_minute
    }

    /// The default target band in words, used when a question sets none.
    pub fn default_answer_words(&self) -> (u32, u32) {
        self.answer_words
    }

    /// Validate the parsed table and build the phrase index. Collects every
    /// error rather than stopping at the first, so an author fixes them in one
    /// round.
    pub fn compile(t: &FeedbackTable, frameworks: &[FrameworkRef]) -> Result<Cues, Vec<CueError>> {
        let mut b = Builder::default();

        let words_per_minute = match &t.words_per_minute {
            Some(w) if *w.get_ref() == 0 => {
                b.err(w.span(), "words_per_minute must be above 0");
                150
            }
            Some(w) => *w.get_ref(),
            None => 150,
        };
        let answer_words = match &t.answer_words {
            Some(a) => {
                let [lo, hi] = *a.get_ref();
                if lo == 0 || lo >= hi {
                    b.err(
                        a.span(),
                        "answer_words must be [min, max] with 0 < min < max",
                    );
                }
                (lo, hi)
            }
            None => (150, 300),
        };
        let markers_needed = match &t.markers_needed {
            Some(m) if *m.get_ref() == 0 => {
                b.err(m.span(), "markers_needed must be at least 1");
                2
            }
            Some(m) => *m.get_ref(),
            None => 2,
        };

        // Single-word lists become flags on the index entry of that word.
        b.words(&t.negations, "negations", flag::NEGATION);
        b.words(&t.singular, "singular", flag::SINGULAR);
        b.words(&t.plural, "plural", flag::PLURAL);
        b.words(&t.stop_words, "stop_words", flag::STOP);
        b.words(&t.numbers.months, "months", flag::MONTH);
        b.words(&t.numbers.year_before, "year_before", flag::YEAR_BEFORE);

        let mut fillers = Vec::new();
        for (i, p) in b.non_empty(&t.fillers, "fillers").iter().enumerate() {
            fillers.push(p.get_ref().trim().to_string());
            b.phrase(p, Target::Filler(to_u16(i)), "fillers");
            b.soft(p);
        }
        let mut hedges = Vec::new();
        for (i, p) in b.non_empty(&t.hedges, "hedges").iter().enumerate() {
            hedges.push(p.get_ref().trim().to_string());
            b.phrase(p, Target::Hedge(to_u16(i)), "hedges");
            b.soft(p);
        }
        b.phrase_list(t.not_fillers.as_ref(), Target::NotFiller, "not_fillers");
        b.phrase_list(
            t.negation_exceptions.as_ref(),
            Target::NegationException,
            "negation_exceptions",
        );

        let n = &t.numbers;
        let mut suffix_units: FastMap<Box<str>, (Unit, f64)> = FastMap::default();
        for (list, unit, name) in [
            (&n.percent, Unit::Percent, "percent"),
            (&n.multiplier, Unit::Multiplier, "multiplier"),
            (&n.duration, Unit::Duration, "duration"),
            (&n.money, Unit::Money, "money"),
        ] {
            for p in b.non_empty(list, name) {
                b.phrase(p, Target::Unit(unit), name);
                let key = p.get_ref().trim().to_lowercase();
                if !key.contains(char::is_whitespace) {
                    suffix_units.entry(key.into()).or_insert((unit, 1.0));
                }
            }
        }
        for (k, factor) in n.scale.get_ref() {
            let key = k.get_ref().trim().to_lowercase();
            if key.is_empty()
                || key.contains(char::is_whitespace)
                || factor.is_nan()
                || *factor <= 0.0
            {
                b.err(
                    k.span(),
                    "scale entries are single words with a factor above 0",
                );
                continue;
            }
            let sp = Spanned::new(k.span(), key.clone());
            b.phrase(&sp, Target::Unit(Unit::Scale), "scale");
            suffix_units.insert(key.into(), (Unit::Scale, *factor));
        }
        for (k, v) in n.number_words.get_ref() {
            let key = k.get_ref().trim().to_lowercase();
            if key.is_empty() || !key.chars().all(char::is_alphabetic) || v.is_nan() || *v < 0.0 {
                b.err(
                    k.span(),
                    "number_words entries are single words with a value of 0 or more",
                );
                continue;
            }
            b.entry(&key).number = Some(*v);
        }
        b.phrase_list(
            Some(&n.not_result_before),
            Target::NotResultBefore,
            "not_result_before",
        );
        b.phrase_list(
            Some(&n.not_result_after),
            Target::NotResultAfter,
            "not_result_after",
        );
        b.phrase_list(
            Some(&n.not_result_counts),
            Target::NotResultCount,
            "not_result_counts",
        );

        let fws = b.frameworks(&t.frameworks, frameworks);

        if !b.errors.is_empty() {
            return Err(b.errors);
        }
        Ok(Cues {
            words_per_minute,
            answer_words,
            markers_needed,
            frameworks: fws,
            phrases: b.phrases,
            index: b.index,
            wild_name: b.wild_name,
            wild_number: b.wild_number,
            fillers,
            hedges,
            suffix_units,
        })
    }

    pub(crate) fn framework(&self, id: &str) -> Option<(usize, &FwInfo)> {
        self.frameworks.iter().enumerate().find(|(_, f)| f.id == id)
    }
}

fn to_u16(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Compile one phrase: words are tokenized like answers; `...`, `<Name>`,
/// `<number>` and a leading `^` (sentence start) are the only syntax.
pub(crate) fn compile_phrase(src: &str) -> Result<(Vec<Elem>, bool), String> {
    let mut text = src.trim();
    let anchored = text.starts_with('^');
    if anchored {
        text = text[1..].trim_start();
    }
    let mut elems = Vec::new();
    for piece in text.split_whitespace() {
        match piece {
            "..." | "…" => {
                if matches!(elems.last(), None | Some(Elem::Gap)) {
                    return Err("`...` must come between words".into());
                }
                elems.push(Elem::Gap);
            }
            "<Name>" => elems.push(Elem::Name),
            "<number>" => elems.push(Elem::Number),
            p if p.starts_with('<') && p.ends_with('>') => {
                return Err(format!(
                    "unknown placeholder `{p}`; use <Name>, <number>, `...` or a leading ^"
                ))
            }
            p => {
                let t = tokenize(p);
                if t.len() == 0 {
                    return Err(format!("`{p}` has no words in it"));
                }
                for i in 0..t.len() {
                    elems.push(Elem::Lit(t.norm(i).into()));
                }
            }
        }
    }
    match elems.last() {
        None => Err("empty phrase".into()),
        Some(Elem::Gap) => Err("`...` must come between words".into()),
        Some(_) => Ok((elems, anchored)),
    }
}

#[derive(Default)]
struct Builder {
    errors: Vec<CueError>,
    phrases: Vec<Phrase>,
    index: FastMap<Box<str>, Entry>,
    wild_name: Vec<u32>,
    wild_number: Vec<u32>,
    /// Compiled phrase → (target group, span of its first use), to report
    /// duplicates with the place they first appeared.
    seen: HashMap<(String, Vec<String>), Range<usize>>,
}

impl Builder {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push(CueError::at(span, message));
    }

    fn entry(&mut self, word: &str) -> &mut Entry {
        let id = u32::try_from(self.index.len()).unwrap_or(u32::MAX);
        self.index.entry(word.into()).or_insert_with(|| Entry {
            id,
            ..Entry::default()
        })
    }

    fn non_empty<'l>(&mut self, list: &'l List, name: &str) -> &'l [Spanned<String>] {
        if list.get_ref().is_empty() {
            self.err(
                list.span(),
                format!("`{name}` is empty; give at least one phrase or remove it"),
            );
        }
        list.get_ref()
    }

    fn duplicate(
        &mut self,
        group: &str,
        key: Vec<String>,
        span: Range<usize>,
        shown: &str,
    ) -> bool {
        match self.seen.get(&(group.to_string(), key.clone())) {
            Some(_) => {
                self.errors.push(CueError::at(
                    span,
                    format!("duplicate phrase \"{shown}\": it is already listed in {group}"),
                ));
                true
            }
            None => {
                self.seen.insert((group.to_string(), key), span);
                false
            }
        }
    }

    fn words(&mut self, list: &List, name: &str, f: u16) {
        for w in self.non_empty(list, name) {
            let t = tokenize(w.get_ref());
            if t.len() != 1 || !t.is_wordlike(0) {
                self.err(
                    w.span(),
                    format!(
                        "`{name}` takes single words; \"{}\" is not one",
                        w.get_ref()
                    ),
                );
                continue;
            }
            let word = t.norm(0).to_string();
            if self.duplicate(name, vec![word.clone()], w.span(), w.get_ref()) {
                continue;
            }
            self.entry(&word).flags |= f;
        }
    }

    fn soft(&mut self, p: &Spanned<String>) {
        if let Ok((elems, false)) = compile_phrase(p.get_ref()) {
            if let [Elem::Lit(w)] = elems.as_slice() {
                let w = w.clone();
                self.entry(&w).flags |= flag::SOFT;
            }
        }
    }

    fn phrase_list(&mut self, list: Option<&List>, target: Target, name: &str) {
        let Some(list) = list else { return };
        for p in self.non_empty(list, name) {
            self.phrase(p, target, name);
        }
    }

    /// Compile `p` and add it to the index. `group` scopes duplicate checks:
    /// the same phrase may be a cue in two frameworks, not twice in one.
    fn phrase(&mut self, p: &Spanned<String>, target: Target, group: &str) {
        let (elems, anchored) = match compile_phrase(p.get_ref()) {
            Ok(c) => c,
            Err(e) => {
                self.err(p.span(), format!("in {group}: {e}"));
                return;
            }
        };
        let key: Vec<String> = std::iter::once(if anchored { "^" } else { "" }.to_string())
            .chain(elems.iter().map(|e| match e {
                Elem::Lit(s) => s.to_string(),
                Elem::Name => "<Name>".into(),
                Elem::Number => "<number>".into(),
                Elem::Gap => "...".into(),
            }))
            .collect();
        if self.duplicate(group, key, p.span(), p.get_ref()) {
            return;
        }
        let id = u32::try_from(self.phrases.len()).unwrap_or(u32::MAX);
        match (elems.first(), elems.get(1)) {
            (Some(Elem::Lit(w)), Some(Elem::Lit(second))) => {
                let (w, second) = (w.clone(), second.clone());
                let second = self.entry(&second).id;
                self.entry(&w).next.entry(second).or_default().push(id);
            }
            (Some(Elem::Lit(w)), _) => {
                let w = w.clone();
                self.entry(&w).phrases.push(id);
            }
            (Some(Elem::Name), _) => self.wild_name.push(id),
            _ => self.wild_number.push(id),
        }
        self.phrases.push(Phrase {
            elems,
            anchored,
            target,
        });
    }

    fn frameworks(
        &mut self,
        table: &Spanned<BTreeMap<Spanned<String>, FrameworkCues>>,
        known: &[FrameworkRef],
    ) -> Vec<FwInfo> {
        let mut out = Vec::new();
        let known_ids = || {
            known
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (id, fc) in table.get_ref() {
            let Some(fw) = known.iter().find(|f| f.id == *id.get_ref()) else {
                let msg = format!(
                    "unknown framework `{}`; frameworks.toml defines: {}",
                    id.get_ref(),
                    known_ids()
                );
                self.err(id.span(), msg);
                continue;
            };
            let fw_idx = to_u16(out.len());
            let group = format!("the cues of framework `{}`", fw.id);
            let step_keys = || {
                fw.steps
                    .iter()
                    .map(|s| s.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            for (key, sc) in fc.steps.get_ref() {
                let Some(step_idx) = fw.steps.iter().position(|s| s.key == *key.get_ref()) else {
                    let msg = format!(
                        "framework `{}` has no step `{}`; its steps are: {}",
                        fw.id,
                        key.get_ref(),
                        step_keys()
                    );
                    self.err(key.span(), msg);
                    continue;
                };
                let cues = self.non_empty(&sc.cues, "cues");
                for p in cues {
                    let target = Target::Step {
                        fw: fw_idx,
                        step: to_u16(step_idx),
                        marker: false,
                    };
                    self.phrase(p, target, &group);
                }
                if let Some(markers) = &sc.markers {
                    for p in self.non_empty(markers, "markers") {
                        let target = Target::Step {
                            fw: fw_idx,
                            step: to_u16(step_idx),
                            marker: true,
                        };
                        self.phrase(p, target, &group);
                    }
                }
            }
            for s in &fw.steps {
                if !fc.steps.get_ref().keys().any(|k| *k.get_ref() == s.key) {
                    let msg = format!("framework `{}`: step `{}` has no cues", fw.id, s.key);
                    self.err(fc.steps.span(), msg);
                }
            }
            let mut step_ref = |s: &Option<Spanned<String>>, what: &str| -> Option<usize> {
                let s = s.as_ref()?;
                let pos = fw.steps.iter().position(|st| st.key == *s.get_ref());
                if pos.is_none() {
                    let msg = format!(
                        "{what} `{}` is not a step of `{}`; its steps are: {}",
                        s.get_ref(),
                        fw.id,
                        step_keys()
                    );
                    self.err(s.span(), msg);
                }
                pos
            };
            let numbers_step = step_ref(&fc.numbers_step, "numbers_step");
            let ownership_step = step_ref(&fc.ownership_step, "ownership_step");
            out.push(FwInfo {
                id: fw.id.clone(),
                steps: fw
                    .steps
                    .iter()
                    .map(|s| StepInfo { key: s.key.clone() })
                    .collect(),
                numbers_step,
                ownership_step,
            });
        }
        for fw in known {
            if !table.get_ref().keys().any(|k| *k.get_ref() == fw.id) {
                self.err(
                    table.span(),
                    format!("framework `{}` has no cues in [feedback.frameworks]", fw.id),
                );
            }
        }
        out
    }
}
