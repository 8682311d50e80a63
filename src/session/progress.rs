//! A member's progress over time: their answers to main questions as the
//! chart's points ([`points`]), and the chart with its one-line summary
//! ([`report`]), for `/progress` and `interview-coach progress`.
//!
//! Main answers only. An answer to a follow-up or a probe is analysed against
//! the question's framework too, but it was asked for one thing, so its missing
//! steps and short length would chart as a poor answer. The `answers` table
//! keeps only the prompt's text, so a row is a main answer when its prompt is
//! one of the main questions planned in its interview's stored state. When a
//! state cannot be read (a format this release does not know), that
//! interview's answers all count, as nothing tells them apart.

use std::collections::{HashMap, HashSet};

use jiff::tz::TimeZone;

use super::Error;
use crate::coach::engine::Interview;
use crate::coach::feedback::Analysis;
use crate::coach::progress::{chart, summarise, ProgressPoint};
use crate::messages;
use crate::store::{InterviewId, MemberProgress, Store};

/// The chart and the line that says what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// For screen readers, and the terminal.
    pub summary: String,
    /// A PNG of [`chart::WIDTH`] × [`chart::HEIGHT`].
    pub png: Vec<u8>,
}

/// The member's answers to main questions and to questions of the day, oldest first,
/// as chart points.
pub async fn points(store: &Store, user_id: u64) -> Result<Vec<ProgressPoint>, Error> {
    let mut points = points_of(&store.member_progress(user_id).await?);
    for (at, json) in store.member_daily_feedback(user_id).await? {
        match serde_json::from_str::<Analysis>(&json) {
            Ok(analysis) => points.push(ProgressPoint::from_analysis(at, &analysis)),
            Err(e) => tracing::warn!(
                line = e.line(),
                column = e.column(),
                "a daily answer's stored analysis does not read; left out of the chart"
            ),
        }
    }
    points.sort_by_key(|p| p.at);
    Ok(points)
}

/// The chart and summary of the member's answers (dates in `tz`), or `None`
/// when they have no analysed answer to a main question. Drawn off the async
/// workers: it takes tens of milliseconds.
pub async fn report(store: &Store, user_id: u64, tz: &TimeZone) -> Result<Option<Report>, Error> {
    let points = points(store, user_id).await?;
    let tz = tz.clone();
    tokio::task::spawn_blocking(move || render(&points, &tz))
        .await
        .map_err(|e| Error::Internal(format!("drawing the progress chart failed: {e}")))?
}

/// [`report`]'s drawing: `None` for no points.
pub fn render(points: &[ProgressPoint], tz: &TimeZone) -> Result<Option<Report>, Error> {
    let Some(summary) = summarise(points) else {
        return Ok(None);
    };
    let text = messages::progress_chart_text(Some(&summary), tz);
    let png = chart::render(points, &text).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Some(Report {
        summary: messages::progress_summary(&summary, tz),
        png,
    }))
}

/// The chart points of the rows that answer a main question, in their order.
/// A row whose analysis cannot be read is left out.
pub fn points_of(progress: &MemberProgress) -> Vec<ProgressPoint> {
    // Per interview, its main questions' texts; `None` when its state is unreadable.
    let mains: HashMap<InterviewId, Option<HashSet<String>>> = progress
        .interviews
        .iter()
        .map(|i| {
            let plan = serde_json::from_str::<Interview>(&i.state_json)
                .ok()
                .map(|state| state.plan.into_iter().map(|q| q.text).collect());
            (i.interview_id, plan)
        })
        .collect();
    progress
        .answers
        .iter()
        .filter(|row| match mains.get(&row.interview_id) {
            Some(Some(texts)) => texts.contains(&row.prompt),
            Some(None) | None => true,
        })
        .filter_map(|row| {
            let analysis = serde_json::from_str::<Analysis>(&row.feedback_json);
            match analysis {
                Ok(a) => Some(ProgressPoint::from_analysis(row.created_at, &a)),
                Err(e) => {
                    // Where and what kind, not the message: it may quote a stored value.
                    tracing::debug!(
                        interview = %row.interview_id,
                        category = ?e.classify(),
                        line = e.line(),
                        column = e.column(),
                        "stored analysis unreadable; left out of the progress chart"
                    );
                    None
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{InterviewState, ProgressRow};

    fn row(interview: i64, at: i64, prompt: &str, feedback_json: &str) -> ProgressRow {
        ProgressRow {
            interview_id: InterviewId(interview),
            created_at: at,
            prompt: prompt.into(),
            feedback_json: feedback_json.into(),
        }
    }

    /// A stored analysis: the real analyser's, of a guide's example answer.
    fn analysis_json() -> String {
        let lib = crate::guide::GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides"))
            .expect("shipped guides");
        let role = lib.resolve_role("backend").unwrap();
        let q = &role.questions[0];
        let ctx = crate::coach::feedback::AnswerContext::for_question(role, q);
        let cues = crate::coach::feedback::LibraryCues::cues(&lib).unwrap();
        serde_json::to_string(&crate::coach::feedback::analyse(&q.example, &ctx, cues)).unwrap()
    }

    #[test]
    fn an_unreadable_state_keeps_every_answer_and_an_unreadable_analysis_none() {
        let json = analysis_json();
        let progress = MemberProgress {
            answers: vec![
                row(1, 10, "Main question?", &json),
                row(1, 20, "A follow-up?", &json),
                row(1, 30, "Main question?", r#"{"steps": "not an analysis"}"#),
            ],
            interviews: vec![InterviewState {
                interview_id: InterviewId(1),
                state_json: r#"{"format_version": 99}"#.into(),
            }],
        };
        let at: Vec<i64> = points_of(&progress).iter().map(|p| p.at).collect();
        assert_eq!(at, [10, 20]);
    }
}
