//! The cue file compiled into matchers: one phrase index keyed by a
//! phrase's first word, so analysing an answer is a single pass with one
//! hash lookup per token. The same entries carry the built-in word lists a
//! token is on (the sentence lexicon's classes, the number rules' lists), so
//! that lookup serves them too.
//!
//! The guide loader has validated the file ([`CueFile`]); compiling cannot
//! fail, and is done once per loaded library (see [`super::LibraryCues`]).

use std::fmt;

pub(crate) use crate::guide::cues::Elem;
use crate::guide::cues::{CueFile, Phrase};
use crate::guide::SentenceModelFile;

use super::sentences::SentenceModel;

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
pub(crate) struct Pattern {
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
    /// The sentence lexicon's word classes and verb forms this word is in
    /// (see [`lexicon_bits`](super::sentences::lexicon_bits)).
    pub lexicon: u32,
    /// The number rules' word lists this word is on, one bit per list (see
    /// [`list_bits`](super::numbers::list_bits)).
    pub number_lists: u32,
    pub number: Option<f64>,
    /// Phrases starting with this word whose second element is not a word.
    pub phrases: Vec<u32>,
    /// Phrases starting with this word, by their second word's id: "i"
    /// starts over a hundred cues, and this keeps each "i" in an answer to
    /// one more lookup instead of a hundred comparisons.
    pub next: FastMap<u32, Vec<u32>>,
}

/// The keys are short lowercase words, which SipHash is needlessly slow for,
/// and hash flooding is no concern for a bot reading its own guide files.
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

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
    /// See [`crate::guide::cues::FrameworkCues::results`].
    pub results: bool,
}

/// The compiled cue file. [`super::analyse`] only reads it.
#[derive(Clone)]
pub struct Cues {
    pub(crate) words_per_minute: u32,
    pub(crate) answer_words: (u32, u32),
    pub(crate) follow_up_words: (u32, u32),
    pub(crate) markers_needed: u32,
    pub(crate) frameworks: Vec<FwInfo>,
    pub(crate) phrases: Vec<Pattern>,
    pub(crate) index: FastMap<Box<str>, Entry>,
    /// Phrases that start with `<Name>` or `<number>`, tried only at
    /// capitalised words and numbers respectively.
    pub(crate) wild_name: Vec<u32>,
    pub(crate) wild_number: Vec<u32>,
    pub(crate) fillers: Vec<String>,
    pub(crate) hedges: Vec<String>,
    /// Suffixes glued to a number: "42%", "3x", "200ms", "$40k".
    pub(crate) suffix_units: FastMap<Box<str>, (Unit, f64)>,
    pub(crate) model: Option<SentenceModel>,
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
    /// Builds the phrase index from the validated cue file, in the file's
    /// order (which decides which of two matching cues is quoted as evidence).
    ///
    /// `model` is the guides' sentence model, when they have one; without it
    /// steps are found by their cue phrases alone.
    pub fn compile(file: &CueFile, model: Option<&SentenceModelFile>) -> Cues {
        let mut b = Builder::default();
        // Single-word lists become flags on the index entry of that word.
        let n = &file.numbers;
        for (words, f) in [
            (&file.negations, flag::NEGATION),
            (&file.singular, flag::SINGULAR),
            (&file.plural, flag::PLURAL),
            (&file.stop_words, flag::STOP),
            (&n.months, flag::MONTH),
            (&n.year_before, flag::YEAR_BEFORE),
        ] {
            for w in words {
                b.entry(w).flags |= f;
            }
        }
        for (i, p) in file.fillers.iter().enumerate() {
            b.phrase(p, Target::Filler(to_u16(i)));
            b.soft(p);
        }
        for (i, p) in file.hedges.iter().enumerate() {
            b.phrase(p, Target::Hedge(to_u16(i)));
            b.soft(p);
        }
        b.phrases(&file.not_fillers, Target::NotFiller);
        b.phrases(&file.negation_exceptions, Target::NegationException);
        let suffix_units = b.units(file);
        for (word, value) in &n.number_words {
            b.entry(word).number = Some(*value);
        }
        b.phrases(&n.not_result_before, Target::NotResultBefore);
        b.phrases(&n.not_result_after, Target::NotResultAfter);
        b.phrases(&n.not_result_counts, Target::NotResultCount);
        let frameworks = b.frameworks(file);
        // Last, so the cue words keep the ids they had before.
        for (word, bits) in super::sentences::lexicon_bits() {
            b.update(word, |e| e.lexicon |= bits);
        }
        for (word, bits) in super::numbers::list_bits() {
            b.update(word, |e| e.number_lists |= bits);
        }
        let text = |list: &[Phrase]| list.iter().map(|p| p.text.clone()).collect();
        Cues {
            words_per_minute: file.words_per_minute,
            answer_words: file.answer_words,
            follow_up_words: file.follow_up_words,
            markers_needed: file.markers_needed,
            frameworks,
            phrases: b.phrases,
            index: b.index,
            wild_name: b.wild_name,
            wild_number: b.wild_number,
            fillers: text(&file.fillers),
            hedges: text(&file.hedges),
            suffix_units,
            model: model.map(SentenceModel::compile),
        }
    }

    /// The key of step `step` of cue framework `fw`.
    pub(crate) fn step_key(&self, fw: u16, step: u16) -> Option<&str> {
        self.frameworks
            .get(usize::from(fw))?
            .steps
            .get(usize::from(step))
            .map(|s| s.key.as_str())
    }

    /// The compiled sentence model, when the guides have one.
    pub fn sentence_model(&self) -> Option<&SentenceModel> {
        self.model.as_ref()
    }

    pub fn words_per_minute(&self) -> u32 {
        self.words_per_minute
    }

    /// The default target band in words, used when a question sets none.
    pub fn default_answer_words(&self) -> (u32, u32) {
        self.answer_words
    }

    /// The default target band in words of an answer to a follow-up or a
    /// probe, used when the follow-up sets none.
    pub fn default_follow_up_words(&self) -> (u32, u32) {
        self.follow_up_words
    }

    pub(crate) fn framework(&self, id: &str) -> Option<(usize, &FwInfo)> {
        self.frameworks.iter().enumerate().find(|(_, f)| f.id == id)
    }
}

fn to_u16(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

#[derive(Default)]
struct Builder {
    phrases: Vec<Pattern>,
    index: FastMap<Box<str>, Entry>,
    wild_name: Vec<u32>,
    wild_number: Vec<u32>,
}

impl Builder {
    fn entry(&mut self, word: &str) -> &mut Entry {
        let id = u32::try_from(self.index.len()).unwrap_or(u32::MAX);
        self.index.entry(word.into()).or_insert_with(|| Entry {
            id,
            ..Entry::default()
        })
    }

    /// Changes `word`'s entry, making it if needed; unlike [`Self::entry`],
    /// allocates no key for a word already there (a word on several of the
    /// built-in lists, or in the cue file too).
    fn update(&mut self, word: &str, change: impl FnOnce(&mut Entry)) {
        match self.index.get_mut(word) {
            Some(e) => change(e),
            None => change(self.entry(word)),
        }
    }

    /// A one-word filler or hedge is soft: cue phrases step over it.
    fn soft(&mut self, p: &Phrase) {
        if let (false, [Elem::Lit(w)]) = (p.anchored, p.elems.as_slice()) {
            self.entry(w).flags |= flag::SOFT;
        }
    }

    fn phrases(&mut self, list: &[Phrase], target: Target) {
        for p in list {
            self.phrase(p, target);
        }
    }

    fn phrase(&mut self, p: &Phrase, target: Target) {
        let id = u32::try_from(self.phrases.len()).unwrap_or(u32::MAX);
        match (p.elems.first(), p.elems.get(1)) {
            (Some(Elem::Lit(w)), Some(Elem::Lit(second))) => {
                let second = self.entry(second).id;
                self.entry(w).next.entry(second).or_default().push(id);
            }
            (Some(Elem::Lit(w)), _) => self.entry(w).phrases.push(id),
            (Some(Elem::Name), _) => self.wild_name.push(id),
            _ => self.wild_number.push(id),
        }
        self.phrases.push(Pattern {
            elems: p.elems.clone(),
            anchored: p.anchored,
            target,
        });
    }

    /// Unit phrases, and the one-word ones as suffixes glued to a number.
    fn units(&mut self, file: &CueFile) -> FastMap<Box<str>, (Unit, f64)> {
        let n = &file.numbers;
        let mut suffixes: FastMap<Box<str>, (Unit, f64)> = FastMap::default();
        for (list, unit) in [
            (&n.percent, Unit::Percent),
            (&n.multiplier, Unit::Multiplier),
            (&n.duration, Unit::Duration),
            (&n.money, Unit::Money),
        ] {
            for p in list {
                self.phrase(p, Target::Unit(unit));
                let key = p.text.to_lowercase();
                if !key.contains(char::is_whitespace) {
                    suffixes.entry(key.into()).or_insert((unit, 1.0));
                }
            }
        }
        for (p, factor) in &n.scale {
            self.phrase(p, Target::Unit(Unit::Scale));
            suffixes.insert(p.text.as_str().into(), (Unit::Scale, *factor));
        }
        suffixes
    }

    fn frameworks(&mut self, file: &CueFile) -> Vec<FwInfo> {
        let mut out = Vec::new();
        for (fw, cues) in file.frameworks.iter().enumerate() {
            let fw_idx = to_u16(fw);
            for step in &cues.cues {
                for (list, marker) in [(&step.cues, false), (&step.markers, true)] {
                    let target = Target::Step {
                        fw: fw_idx,
                        step: to_u16(step.step),
                        marker,
                    };
                    self.phrases(list, target);
                }
            }
            out.push(FwInfo {
                id: cues.id.clone(),
                steps: cues
                    .steps
                    .iter()
                    .map(|key| StepInfo { key: key.clone() })
                    .collect(),
                numbers_step: cues.numbers_step,
                ownership_step: cues.ownership_step,
                results: cues.results,
            });
        }
        out
    }
}
