//! Latency samples and the figures the report shows.

use std::time::{Duration, Instant};

/// What one measured run produced: a latency per answered request, the requests that got no
/// answer or a wrong one, and the span from the first dispatch to the last answer.
#[derive(Clone, Debug, Default)]
pub struct Run {
    pub sent: usize,
    pub latencies: Vec<Duration>,
    /// No answer within the stall timeout, an answer that was not the expected reply, or one
    /// the fake refused (non-2xx).
    pub failed: usize,
    /// Answered after Discord's 3-second interaction deadline (the member would have seen
    /// "The application did not respond"). Only counted for interactions.
    pub late: usize,
    /// From the first dispatch to the last answer (summed over pooled runs).
    pub span: Duration,
    /// A few failure descriptions, for the log.
    pub problems: Vec<String>,
    /// CPU time the answering bot process (or processes) used during the run, if measured.
    pub cpu: Option<Duration>,
    /// CPU time the PostgreSQL server used during the run, for bots on PostgreSQL.
    pub db_cpu: Option<Duration>,
    /// Transactions PostgreSQL aborted for a conflict during the run (each run again by
    /// the bot's store, up to its limit).
    pub db_conflicts: Option<u64>,
    /// The text of the replies, for checks whose reply reports something (reloads).
    pub contents: Vec<String>,
}

impl Run {
    pub fn problem(&mut self, what: String) {
        self.failed += 1;
        if self.problems.len() < 5 {
            self.problems.push(what);
        }
    }

    /// Pools the samples of several runs of the same scenario.
    pub fn merge(runs: &[Run]) -> Run {
        let mut all = Run::default();
        for r in runs {
            all.sent += r.sent;
            all.latencies.extend_from_slice(&r.latencies);
            all.failed += r.failed;
            all.late += r.late;
            all.problems.extend(r.problems.iter().take(5).cloned());
        }
        all.latencies.sort();
        all.cpu = runs.iter().map(|r| r.cpu).sum();
        all.db_cpu = runs.iter().map(|r| r.db_cpu).sum();
        all.db_conflicts = runs.iter().map(|r| r.db_conflicts).sum();
        // Throughput of pooled runs: answers over the sum of the runs' own spans.
        all.span = runs.iter().map(|r| r.span).sum();
        all
    }

    /// Sets the span from the first dispatch to the last answer.
    pub fn set_span(&mut self, first_sent: Option<Instant>, last_answer: Option<Instant>) {
        self.span = match (first_sent, last_answer) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => Duration::ZERO,
        };
    }

    pub fn answered(&self) -> usize {
        self.latencies.len()
    }

    pub fn summary(&self) -> Summary {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let span = self.span.as_secs_f64();
        Summary {
            sent: self.sent,
            answered: sorted.len(),
            failed: self.failed,
            late: self.late,
            p50: percentile(&sorted, 50.0),
            p99: percentile(&sorted, 99.0),
            max: sorted.last().copied(),
            throughput: (span > 0.0).then(|| sorted.len() as f64 / span),
            cpu_per_request: self
                .cpu
                .filter(|_| self.sent > 0)
                .map(|c| c / self.sent as u32),
            db_cpu_per_request: self
                .db_cpu
                .filter(|_| self.sent > 0)
                .map(|c| c / self.sent as u32),
        }
    }
}

/// The figures of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub sent: usize,
    pub answered: usize,
    pub failed: usize,
    pub late: usize,
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    pub max: Option<Duration>,
    /// Answers per second, first dispatch to last answer.
    pub throughput: Option<f64>,
    /// The answering process's CPU time per request.
    pub cpu_per_request: Option<Duration>,
    /// The PostgreSQL server's CPU time per request (bots on PostgreSQL only).
    pub db_cpu_per_request: Option<Duration>,
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Median of plain numbers (timings of repeated runs).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

pub fn ratio(bot: Option<Duration>, floor: Option<Duration>) -> Option<f64> {
    match (bot, floor) {
        (Some(b), Some(f)) if !f.is_zero() => Some(b.as_secs_f64() / f.as_secs_f64()),
        _ => None,
    }
}

pub fn ms(d: Option<Duration>) -> String {
    match d {
        Some(d) => format!("{:.2} ms", d.as_secs_f64() * 1000.0),
        None => "—".into(),
    }
}

#[cfg(test)]
#[allow(unused_imports)] // bench builds compile this module but drop its #[test]s
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&v, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(percentile(&v[..1], 99.0), Some(Duration::from_millis(1)));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
