//! A member's answers over time, as figures to chart and to sum up in a line.
//!
//! A [`ProgressPoint`] is what one analysed answer showed: framework steps
//! covered, whether it quantified a result, its length against its target band
//! and its fillers per minute. It is read from the [`Analysis`] stored with the
//! answer ([`ProgressPoint::from_analysis`]), so old answers chart as they were
//! judged then. [`summarise`] compares the early answers with the recent ones
//! ([`ProgressSummary`], which `messages` words as one line for screen readers),
//! and [`chart::render`] draws the points as a PNG.
//!
//! Which answers count is the caller's choice: the session charts answers to
//! main questions only, since an answer to a follow-up or a probe is analysed
//! against the question's framework but asked for one thing, and would show as
//! a poor answer (see `session::progress`).

pub mod chart;

use super::feedback::{Analysis, AnswerDigest};

/// How many answers at each end of the list [`summarise`] averages, at most:
/// a single answer says little, and a month-old one little about today.
const TREND_WINDOW: usize = 5;

/// What one answer showed, at the time it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressPoint {
    /// When the answer was given, unix seconds.
    pub at: i64,
    /// Framework steps the answer covered, of `steps_total`.
    pub steps_covered: u32,
    pub steps_total: u32,
    /// The answer has the numbers its framework asks for (results, or figures
    /// where its numbers step asks for scale).
    pub quantified: bool,
    /// The framework's answers have a result to measure; `false` for questions
    /// such as "what would you like to ask us?" (`Analysis::unmeasured`), whose
    /// answers leave `quantified` out of every count.
    pub measured: bool,
    pub words: u32,
    /// The answer's target length in words, `(min, max)`.
    pub target_words: (u32, u32),
    /// Fillers ("um", "you know" …) per minute of estimated speaking time; 0
    /// for an answer too short to take a second.
    pub fillers_per_minute: f64,
}

impl ProgressPoint {
    /// The figures of the answer given at `at` and analysed as `analysis`.
    pub fn from_analysis(at: i64, analysis: &Analysis) -> ProgressPoint {
        let digest = AnswerDigest::of(analysis);
        let fillers: u32 = analysis.fillers.iter().map(|f| f.count).sum();
        let seconds = analysis.length.seconds;
        let fillers_per_minute = if seconds == 0 {
            0.0
        } else {
            f64::from(fillers) * 60.0 / f64::from(seconds)
        };
        ProgressPoint {
            at,
            steps_covered: count(digest.steps.iter().filter(|s| s.covered).count()),
            steps_total: count(digest.steps.len()),
            quantified: digest.numbers,
            measured: !analysis.unmeasured,
            words: analysis.length.words,
            target_words: analysis.length.target_words,
            fillers_per_minute,
        }
    }

    /// The share of the framework's steps covered, in percent; `None` for a
    /// framework without steps.
    pub fn steps_percent(&self) -> Option<f64> {
        (self.steps_total > 0)
            .then(|| f64::from(self.steps_covered) * 100.0 / f64::from(self.steps_total))
    }

    /// The answer's length is within its target band (bounds included, as the
    /// analyser's `LengthBand::Within`).
    pub fn within_length(&self) -> bool {
        let (lo, hi) = self.target_words;
        (lo..=hi).contains(&self.words)
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A figure averaged over the early answers and over the recent ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    pub early: f64,
    pub recent: f64,
}

/// The points of [`summarise`], in figures; `messages` words them.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressSummary {
    pub answers: usize,
    /// The first and the last answer's time, unix seconds.
    pub first_at: i64,
    pub last_at: i64,
    /// How many answers each end of a [`Trend`] averages (the same answers
    /// when there are fewer than two).
    pub window: usize,
    /// Framework steps covered, in percent; `None` when no answer's framework
    /// has steps.
    pub steps: Option<Trend>,
    /// Answers with a quantified result, of the `measured` ones.
    pub quantified: usize,
    pub measured: usize,
    /// Answers within their target length.
    pub within_length: usize,
    pub fillers_per_minute: Trend,
}

/// Sums up `points` (oldest first); `None` when there are none.
///
/// The trends average the first and the last few answers (a third of them, at
/// least one and at most [`TREND_WINDOW`]), so one good or bad day moves them
/// less than comparing two single answers would.
pub fn summarise(points: &[ProgressPoint]) -> Option<ProgressSummary> {
    let (first, last) = (points.first()?, points.last()?);
    let window = (points.len() / 3).clamp(1, TREND_WINDOW);
    let early = &points[..window];
    let recent = &points[points.len() - window..];
    let steps = |part: &[ProgressPoint]| mean(part.iter().filter_map(|p| p.steps_percent()));
    let fillers = |part: &[ProgressPoint]| mean(part.iter().map(|p| p.fillers_per_minute));
    let measured: Vec<&ProgressPoint> = points.iter().filter(|p| p.measured).collect();
    Some(ProgressSummary {
        answers: points.len(),
        first_at: first.at,
        last_at: last.at,
        window,
        steps: steps(early)
            .zip(steps(recent))
            .map(|(early, recent)| Trend { early, recent }),
        quantified: measured.iter().filter(|p| p.quantified).count(),
        measured: measured.len(),
        within_length: points.iter().filter(|p| p.within_length()).count(),
        fillers_per_minute: Trend {
            early: fillers(early).unwrap_or(0.0),
            recent: fillers(recent).unwrap_or(0.0),
        },
    })
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(sum, n), v| (sum + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

#[cfg(test)]
mod tests;
