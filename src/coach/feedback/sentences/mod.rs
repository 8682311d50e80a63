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
mod segment;
pub mod train;

use super::analyse::Scan;
use super::cues::FastMap;
use crate::guide::SentenceModelFile;

pub(crate) use features::{features, has_speaker, Feat};
pub(crate) use segment::{segments, Segment};

/// The compiled model: feature names resolved to weight rows once per load.
#[derive(Debug, Clone)]
pub struct SentenceModel {
    functions: Vec<String>,
    /// One per function (see `SentenceModelFile::thresholds`).
    thresholds: Vec<f32>,
    softmax: bool,
    named: FastMap<Box<str>, u32>,
    starts: FastMap<Box<str>, u32>,
    cues: FastMap<Box<str>, u32>,
    frameworks: FastMap<Box<str>, u32>,
    stems: FastMap<Box<str>, u32>,
    /// Word pairs, keyed "first second".
    pairs: FastMap<Box<str>, u32>,
    /// Row-major: row `r` holds one weight per function.
    weights: Vec<f32>,
    /// Unique per compiled model (see `stem_row`).
    id: u64,
}

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
        let mut m = SentenceModel {
            functions: file.functions.clone(),
            thresholds: file.thresholds.clone(),
            softmax: file.softmax,
            named: FastMap::default(),
            starts: FastMap::default(),
            cues: FastMap::default(),
            frameworks: FastMap::default(),
            pairs: FastMap::default(),
            stems: FastMap::default(),
            weights: Vec::with_capacity(file.weights.len() * nf),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        for (row, (name, w)) in file.weights.iter().enumerate() {
            let row = u32::try_from(row).unwrap_or(u32::MAX);
            let (map, key) = if let Some(k) = name.strip_prefix("start:") {
                (&mut m.starts, k)
            } else if let Some(k) = name.strip_prefix("cue:") {
                (&mut m.cues, k)
            } else if let Some(k) = name.strip_prefix("s:") {
                (&mut m.stems, k)
            } else if let Some(k) = name.strip_prefix("b:") {
                (&mut m.pairs, k)
            } else if let Some(k) = name.strip_prefix("fw:") {
                (&mut m.frameworks, k)
            } else {
                (&mut m.named, name.as_str())
            };
            map.insert(key.into(), row);
            m.weights.extend_from_slice(w);
        }
        m
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

    fn row(&self, f: &Feat<'_>) -> Option<u32> {
        match f {
            Feat::Named(n) => self.named.get(*n),
            Feat::Start(w) => self.starts.get(*w),
            Feat::Cue(k) => self.cues.get(*k),
            Feat::Framework(f) => self.frameworks.get(*f),
            Feat::Word(w) => return self.stem_row(w),
            Feat::Pair(a, b) => {
                let mut key = [0u8; 64];
                let n = a.len() + 1 + b.len();
                if n > key.len() {
                    return None;
                }
                key[..a.len()].copy_from_slice(a.as_bytes());
                key[a.len()] = b' ';
                key[a.len() + 1..n].copy_from_slice(b.as_bytes());
                std::str::from_utf8(&key[..n])
                    .ok()
                    .and_then(|k| self.pairs.get(k))
            }
        }
        .copied()
    }

    /// The row of a word's stem. Stemming costs more than the rest of a
    /// word's features together, so each thread remembers, for the model it
    /// last served, the row each word it has seen leads to (a few thousand
    /// words in practice, bounded below). A model has its own id, so a
    /// reloaded model never reads rows remembered for the one before.
    fn stem_row(&self, w: &str) -> Option<u32> {
        type Remembered = (u64, FastMap<Box<str>, Option<u32>>);
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
            if let Some(&row) = rows.get(w) {
                return row;
            }
            if rows.len() >= STEM_CACHE_MAX {
                rows.clear();
            }
            let row = self.stems.get(features::stem(w).as_ref()).copied();
            rows.insert(w.into(), row);
            row
        })
    }

    /// Every piece of the scanned answer with its function probabilities.
    pub(crate) fn pieces(&self, scan: &Scan<'_>, framework: &str) -> Vec<Piece> {
        let segs = segments(&scan.t, scan.src());
        let nf = self.functions.len();
        let mut rows: Vec<u32> = Vec::with_capacity(64);
        let mut out = Vec::with_capacity(segs.len());
        for (k, &seg) in segs.iter().enumerate() {
            rows.clear();
            let content = features(scan, framework, seg, k, segs.len(), &mut |f| {
                if let Some(r) = self.row(&f) {
                    rows.push(r);
                }
            });
            rows.sort_unstable();
            rows.dedup();
            let mut z = vec![0f32; nf];
            for &r in &rows {
                let at = r as usize * nf;
                if let Some(w) = self.weights.get(at..at + nf) {
                    for (z, w) in z.iter_mut().zip(w) {
                        *z += w;
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

/// Distinct words whose stems a thread keeps; past it the cache starts over.
const STEM_CACHE_MAX: usize = 50_000;

/// Content words a piece needs before it can cover a step: "I built things"
/// and "As a result it improved a lot" have fewer.
pub(crate) const SUBSTANCE: usize = 2;

/// The piece that best covers a step needing one of `functions` (model
/// indices), with its function and probability, when one reaches the
/// model's threshold, carries content and, for `first_person` steps, has
/// the speaker in it.
pub(crate) fn covering<'p>(
    model: &SentenceModel,
    scan: &Scan<'_>,
    pieces: &'p [Piece],
    functions: &[usize],
    first_person: bool,
) -> Option<(&'p Piece, usize, f32)> {
    let mut best: Option<(&Piece, usize, f32)> = None;
    for p in pieces {
        if p.content < SUBSTANCE {
            continue;
        }
        if first_person && !has_speaker(scan, p.seg) {
            continue;
        }
        for &f in functions {
            let prob = p.probs.get(f).copied().unwrap_or(0.0);
            if prob >= model.threshold(f) && best.is_none_or(|(_, _, b)| prob > b) {
                best = Some((p, f, prob));
            }
        }
    }
    best
}
