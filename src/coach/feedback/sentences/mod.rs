//! What each sentence of an answer does, and so which framework steps the
//! answer covers.
//!
//! An answer is cut into pieces ([`segment`]); each piece is described by
//! features that carry over between voices ([`features`]); a linear model
//! from `guides/shared/sentences.toml` turns them into one probability per
//! sentence function (context, goal, action, outcome …). A framework step
//! lists the functions that satisfy it; it is covered by the most confident
//! piece doing one of them that also carries content, so reciting step names
//! earns nothing. [`train`] fits the weights from the labelled pieces.
//!
//! Deterministic and explainable: the same answer always gives the same
//! pieces and scores, and the covering piece is shown as the evidence.

mod features;
mod lexicon;
mod named;
mod segment;
mod shape;
pub mod train;

use super::analyse::Scan;
use super::cues::FastMap;
use crate::guide::words::{Kind, Tokens};
use crate::guide::SentenceModelFile;

pub(crate) use features::{features, has_speaker, Feat};
pub(crate) use lexicon::bits as lexicon_bits;
pub(crate) use segment::{segments, Segment};
pub(crate) use shape::AnswerShape;

use lexicon::CLASSES;
use named::Named;

/// The compiled model: feature names resolved to weight rows once per load.
/// Fixed names and word classes index tables; the words of a piece are
/// looked up once per token of the answer ([`WordRows`]).
#[derive(Debug, Clone)]
pub struct SentenceModel {
    functions: Vec<String>,
    /// One per function (see `SentenceModelFile::thresholds`).
    thresholds: Vec<f32>,
    softmax: bool,
    /// By [`Named`] discriminant.
    named: Vec<Option<u32>>,
    /// By index in [`CLASSES`].
    classes: Vec<Option<u32>>,
    starts: FastMap<Box<str>, u32>,
    cues: FastMap<Box<str>, u32>,
    frameworks: FastMap<Box<str>, u32>,
    stems: FastMap<Box<str>, u32>,
    /// Each word that appears in a word pair, numbered, so a pair is looked
    /// up by two numbers instead of by its text.
    pair_words: FastMap<Box<str>, u32>,
    /// Word pairs by their words' numbers (see [`pair_key`]).
    pairs: FastMap<u64, u32>,
    /// Row-major: row `r` holds one weight per function.
    weights: Vec<f32>,
    /// How many rows the file has.
    rows: usize,
    /// Unique per compiled model (see `word_rows`).
    id: u64,
}

/// What the model reads of one word token: the row of its stem and its
/// number among the words of pairs.
#[derive(Debug, Clone, Copy, Default)]
struct WordRows {
    stem: Option<u32>,
    pair_word: Option<u32>,
}

/// The key of a word pair in [`SentenceModel::pairs`].
fn pair_key(first: u32, second: u32) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
}

/// Longest pair name, in bytes, the model reads ("first second"): the
/// pairs were always looked up through a buffer of this size, so a longer
/// pair in a model file has never been read and is not now.
const PAIR_MAX: usize = 64;

/// One piece of an answer and what the model says it does.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub seg: Segment,
    /// One probability per function, in the model's order.
    pub probs: Vec<f32>,
    /// Content words in the piece (see [`features`]).
    pub content: usize,
}

impl SentenceModel {
    pub fn compile(file: &SentenceModelFile) -> SentenceModel {
        let nf = file.functions.len();
        // Sized up front: the stems and pairs are most of the file's rows,
        // and growing their tables row by row is a good part of the compile.
        let count = |prefix: &str| {
            file.weights
                .iter()
                .filter(|(n, _)| n.starts_with(prefix))
                .count()
        };
        let (stems, pairs) = (count("s:"), count("b:"));
        let mut m = SentenceModel {
            functions: file.functions.clone(),
            thresholds: file.thresholds.clone(),
            softmax: file.softmax,
            named: vec![None; Named::ALL.len()],
            classes: vec![None; CLASSES.len()],
            starts: FastMap::default(),
            cues: FastMap::default(),
            frameworks: FastMap::default(),
            stems: FastMap::with_capacity_and_hasher(stems, Default::default()),
            pair_words: FastMap::default(),
            pairs: FastMap::with_capacity_and_hasher(pairs, Default::default()),
            weights: Vec::with_capacity(file.weights.len() * nf),
            rows: file.weights.len(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        // A name listed twice keeps its last row, as a map insert would.
        for (row, (name, w)) in file.weights.iter().enumerate() {
            let row = u32::try_from(row).unwrap_or(u32::MAX);
            m.weights.extend_from_slice(w);
            let (map, key) = if let Some(k) = name.strip_prefix("start:") {
                (&mut m.starts, k)
            } else if let Some(k) = name.strip_prefix("cue:") {
                (&mut m.cues, k)
            } else if let Some(k) = name.strip_prefix("s:") {
                (&mut m.stems, k)
            } else if let Some(k) = name.strip_prefix("b:") {
                m.add_pair(k, row);
                continue;
            } else if let Some(k) = name.strip_prefix("fw:") {
                (&mut m.frameworks, k)
            } else {
                // A fixed name or a word class (a name could be both; then
                // both read this row).
                if let Some(n) = Named::ALL.iter().find(|n| n.name() == name) {
                    m.named[*n as usize] = Some(row);
                }
                if let Some(k) = CLASSES.iter().position(|c| c.name == name) {
                    m.classes[k] = Some(row);
                }
                continue;
            };
            map.insert(key.into(), row);
        }
        m
    }

    /// Registers pair row `key` ("first second"). Tokens hold no spaces, so
    /// a key without exactly one, or longer than [`PAIR_MAX`], can never be
    /// read and is left out.
    fn add_pair(&mut self, key: &str, row: u32) {
        let Some((a, b)) = key.split_once(' ') else {
            return;
        };
        if key.len() > PAIR_MAX || b.contains(' ') {
            return;
        }
        // Most words are in many pairs: look before allocating a key.
        let mut number = |w: &str| match self.pair_words.get(w) {
            Some(&n) => n,
            None => {
                let n = u32::try_from(self.pair_words.len()).unwrap_or(u32::MAX);
                self.pair_words.insert(w.into(), n);
                n
            }
        };
        let (a, b) = (number(a), number(b));
        self.pairs.insert(pair_key(a, b), row);
    }

    pub fn functions(&self) -> &[String] {
        &self.functions
    }

    /// The probability at which a piece does function `f`.
    pub fn threshold(&self, f: usize) -> f32 {
        self.thresholds.get(f).copied().unwrap_or(1.0)
    }

    pub fn function(&self, name: &str) -> Option<usize> {
        self.functions.iter().position(|f| f == name)
    }

    /// The row of feature `f`; `words` holds the rows of each token.
    fn row(&self, f: &Feat<'_>, words: &[WordRows]) -> Option<u32> {
        match f {
            Feat::Named(n) => self.named.get(*n as usize).copied().flatten(),
            Feat::Class(k) => self.classes.get(*k).copied().flatten(),
            Feat::Start(w) => self.starts.get(*w).copied(),
            Feat::Cue(k) => self.cues.get(*k).copied(),
            Feat::Framework(f) => self.frameworks.get(*f).copied(),
            Feat::Word(i) => words.get(*i)?.stem,
            Feat::Pair(a, b) => {
                let (a, b) = (words.get(*a)?.pair_word?, words.get(*b)?.pair_word?);
                self.pairs.get(&pair_key(a, b)).copied()
            }
        }
    }

    /// The rows of every word token of `t` (numbers and punctuation get
    /// none). Stemming costs more than the rest of a word's features
    /// together, so each thread remembers, for the model it last served,
    /// the rows each word it has seen leads to (a few thousand words in
    /// practice, bounded below). A model has its own id, so a reloaded model
    /// never reads rows remembered for the one before.
    fn word_rows(&self, t: &Tokens<'_>) -> Vec<WordRows> {
        type Remembered = (u64, FastMap<Box<str>, WordRows>);
        thread_local! {
            static ROWS: std::cell::RefCell<Remembered> =
                std::cell::RefCell::new((0, FastMap::default()));
        }
        ROWS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let (model, rows) = &mut *cache;
            if *model != self.id {
                *model = self.id;
                rows.clear();
            }
            (0..t.len())
                .map(|i| {
                    if t.kind(i) != Some(Kind::Word) {
                        return WordRows::default();
                    }
                    let w = t.norm(i);
                    if let Some(&known) = rows.get(w) {
                        return known;
                    }
                    if rows.len() >= WORD_CACHE_MAX {
                        rows.clear();
                    }
                    let found = WordRows {
                        stem: self.stems.get(features::stem(w).as_ref()).copied(),
                        pair_word: self.pair_words.get(w).copied(),
                    };
                    rows.insert(w.into(), found);
                    found
                })
                .collect()
        })
    }

    /// Every piece of the scanned answer with its function probabilities.
    pub(crate) fn pieces(&self, scan: &Scan<'_>, framework: &str) -> Vec<Piece> {
        let segs = segments(&scan.t, scan.src());
        let words = self.word_rows(&scan.t);
        let nf = self.functions.len();
        // The rows a piece reads, one bit per row: each row counts once, and
        // walking the bits visits them in row order, the order the weights
        // have always been added in, so the sums stay bit for bit the same.
        let mut rows = vec![0u64; self.rows.div_ceil(64)];
        let mut out = Vec::with_capacity(segs.len());
        let shape = AnswerShape::of(scan);
        for (k, &seg) in segs.iter().enumerate() {
            let content = features(scan, framework, shape, seg, k, segs.len(), &mut |f| {
                if let Some(r) = self.row(&f, &words) {
                    if let Some(bits) = rows.get_mut(r as usize / 64) {
                        *bits |= 1 << (r % 64);
                    }
                }
            });
            let mut z = vec![0f32; nf];
            for (n, bits) in rows.iter_mut().enumerate() {
                while *bits != 0 {
                    let at = (n * 64 + bits.trailing_zeros() as usize) * nf;
                    *bits &= *bits - 1;
                    if let Some(w) = self.weights.get(at..at + nf) {
                        for (z, w) in z.iter_mut().zip(w) {
                            *z += w;
                        }
                    }
                }
            }
            let mut probs = z;
            if self.softmax {
                let top = probs.iter().copied().fold(f32::MIN, f32::max);
                let mut sum = 0.0;
                for p in &mut probs {
                    *p = (*p - top).exp();
                    sum += *p;
                }
                for p in &mut probs {
                    *p /= sum;
                }
            } else {
                for p in &mut probs {
                    *p = 1.0 / (1.0 + (-*p).exp());
                }
            }
            out.push(Piece {
                seg,
                probs,
                content,
            });
        }
        out
    }
}

/// Ids for compiled models; 0 is never given out.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Distinct words whose rows a thread keeps; past it the cache starts over.
const WORD_CACHE_MAX: usize = 50_000;

/// Content words a piece needs before it can cover a step: "I built things"
/// and "As a result it improved a lot" have fewer.
pub(crate) const SUBSTANCE: usize = 2;

/// The piece that best covers a step needing one of `functions` (model
/// indices), as its index in `pieces` with its function and probability,
/// when one reaches the model's threshold, carries content and, for
/// `first_person` steps, has the speaker in it.
pub(crate) fn covering(
    model: &SentenceModel,
    scan: &Scan<'_>,
    pieces: &[Piece],
    functions: &[usize],
    first_person: bool,
) -> Option<(usize, usize, f32)> {
    let mut best: Option<(usize, usize, f32)> = None;
    for (k, p) in pieces.iter().enumerate() {
        if p.content < SUBSTANCE {
            continue;
        }
        if first_person && !has_speaker(scan, p.seg) {
            continue;
        }
        for &f in functions {
            let prob = p.probs.get(f).copied().unwrap_or(0.0);
            if prob >= model.threshold(f) && best.is_none_or(|(_, _, b)| prob > b) {
                best = Some((k, f, prob));
            }
        }
        // A step met by either of two functions ("the problem": context or
        // goal) is met by a piece whose probabilities for them add up to
        // the higher threshold: the softmax splits a piece that sets the
        // scene and states the goal between the two.
        if functions.len() > 1 {
            let prob = |f: usize| p.probs.get(f).copied().unwrap_or(0.0);
            let sum: f32 = functions.iter().map(|&f| prob(f)).sum();
            let bar = functions
                .iter()
                .map(|&f| model.threshold(f))
                .fold(0.0, f32::max);
            let top = functions
                .iter()
                .copied()
                .max_by(|&a, &b| prob(a).total_cmp(&prob(b)));
            if let Some(f) = top {
                if sum >= bar && best.is_none_or(|(_, _, b)| sum > b) {
                    best = Some((k, f, sum));
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests;
