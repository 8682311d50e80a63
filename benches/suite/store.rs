//! The durable commit alone: the store calls one thread reply makes (record the answer with
//! its feedback, the interview's next state and the queued post in one transaction, then
//! the "posted" mark), driven directly through `Store` with no Discord and no coaching.
//! The payloads are what the bot writes: the engine's state and analysis and the rendered
//! prompt for the benchmark's own answers. It shows what "write before you speak" costs
//! next to the floor's whole reply, measured in the same run.

use std::time::{Duration, Instant};

use interview_coach::coach::engine::{Interview, Step};
use interview_coach::coach::feedback::LibraryCues;
use interview_coach::guide::GuideLibrary;
use interview_coach::session::post::{answer_reply, Medium};
use interview_coach::store::{
    Applied, Created, InterviewId, NewAnswer, NewInterview, NextState, OutgoingMessage, Store,
};

use super::{guides, load, proc};

#[derive(Clone, Debug, Default)]
pub struct StoreCost {
    /// Open interviews answered at once in the burst.
    pub interviews: usize,
    /// Answers recorded in the burst, and their CPU and wall time.
    pub burst_answers: usize,
    pub burst_cpu: Option<Duration>,
    pub burst_wall: Duration,
    /// Answers recorded one at a time (each after the previous one committed).
    pub single_answers: usize,
    pub single_cpu: Option<Duration>,
    pub single_wall: Duration,
    /// Sizes of what one answer writes, in bytes.
    pub state_bytes: usize,
    pub feedback_bytes: usize,
    pub post_bytes: usize,
}

impl StoreCost {
    pub fn burst_cpu_per_answer(&self) -> Option<Duration> {
        per(self.burst_cpu, self.burst_answers)
    }

    pub fn single_cpu_per_answer(&self) -> Option<Duration> {
        per(self.single_cpu, self.single_answers)
    }
}

fn per(total: Option<Duration>, n: usize) -> Option<Duration> {
    total.and_then(|t| u32::try_from(n).ok().filter(|n| *n > 0).map(|n| t / n))
}

/// What one answer writes, as the bot builds it.
pub struct Payload {
    pub start_state: String,
    pub state: String,
    pub feedback: String,
    pub post: String,
}

pub fn payload() -> Result<Payload, String> {
    let lib = GuideLibrary::load(guides::shipped()).map_err(|e| format!("{e:?}"))?;
    let role = lib.role("backend").ok_or("no backend role")?;
    let questions: Vec<_> = role.questions.iter().take(2).collect();
    let (mut interview, _) = Interview::start(role, &questions, 2);
    let start_state = serde_json::to_string(&interview).map_err(|e| e.to_string())?;
    let answered = interview
        .answer_with(&load::answer_text(1), lib.cues().map(|c| c.as_ref()))
        .map_err(|e| e.to_string())?;
    if !matches!(answered.step, Step::Ask(_)) {
        return Err("the interview ended after one answer".into());
    }
    let post = answer_reply(&answered, Medium::Thread);
    let feedback = answered.feedback.ok_or("no feedback without cues")?;
    Ok(Payload {
        start_state,
        state: serde_json::to_string(&interview).map_err(|e| e.to_string())?,
        feedback: serde_json::to_string(&feedback.analysis).map_err(|e| e.to_string())?,
        post: serde_json::to_string(&post).map_err(|e| e.to_string())?,
    })
}

/// One answer's store calls: the answer's transaction, then the batched posted mark.
async fn answer(
    store: &Store,
    p: &Payload,
    id: InterviewId,
    thread: u64,
    message_id: u64,
    revision: i64,
) -> Result<(), String> {
    let text = load::answer_text(message_id as usize);
    let applied = store
        .apply_answer(
            &NewAnswer {
                interview_id: id,
                message_id,
                text,
                prompt: "Tell me about a time you owned a risky migration.".into(),
                feedback_json: Some(p.feedback.clone()),
                feedback_headline: Some("Clear result; say what you did yourself.".into()),
            },
            &NextState {
                expected_revision: revision,
                state_json: p.state.clone(),
                format_version: interview_coach::coach::engine::FORMAT_VERSION,
                finished: false,
            },
            &[OutgoingMessage {
                channel_id: thread,
                payload_json: p.post.clone(),
            }],
            1_800_000_000,
        )
        .await
        .map_err(|e| e.to_string())?;
    match applied {
        Applied::Recorded { outbox, .. } => {
            for item in outbox {
                store.mark_posted_soon(item, message_id, 1_800_000_001);
            }
            Ok(())
        }
        other => Err(format!("answer not recorded: {other:?}")),
    }
}

/// Once the queued marks are written too: the wall time since `started` and this
/// process's CPU time since `before`.
async fn settled(
    store: &Store,
    started: Instant,
    before: Option<Duration>,
) -> Result<(Duration, Option<Duration>), String> {
    store
        .flush_posted_marks()
        .await
        .map_err(|e| e.to_string())?;
    let wall = started.elapsed();
    let cpu = before
        .zip(proc::cpu_time(std::process::id()))
        .map(|(a, b)| b.saturating_sub(a));
    Ok((wall, cpu))
}

/// Records `rounds` answers in each of `interviews` open interviews at once (a round's
/// answers all in flight together, like members answering in the burst), then `single`
/// answers one at a time.
pub async fn measure(interviews: usize, rounds: usize, single: usize) -> Result<StoreCost, String> {
    let p = payload()?;
    let dir = proc::BotDir::new(guides::shipped(), false)?;
    let store = Store::open(&dir.db).await.map_err(|e| e.to_string())?;
    let me = std::process::id();
    let mut ids = Vec::with_capacity(interviews + 1);
    for i in 0..=interviews {
        let new = NewInterview {
            guild_id: 1,
            thread_id: 10_000 + i as u64,
            user_id: 20_000 + i as u64,
            role_id: "backend".into(),
            role_name: "Backend Engineer".into(),
            state_json: p.start_state.clone(),
            format_version: interview_coach::coach::engine::FORMAT_VERSION,
        };
        match store.create_interview(&new, &[], 1_800_000_000).await {
            Ok(Created::New { interview, .. }) => ids.push((interview.id, new.thread_id)),
            other => return Err(format!("could not open an interview: {other:?}")),
        }
    }
    // The last interview is the one answered one at a time.
    let (single_id, single_thread) = ids.pop().ok_or("no interviews")?;
    let store = std::sync::Arc::new(store);
    let p = std::sync::Arc::new(p);
    let mut message_id = 1_000_000u64;

    let before = proc::cpu_time(me);
    let started = Instant::now();
    for round in 0..rounds {
        let mut tasks = Vec::with_capacity(ids.len());
        for &(id, thread) in &ids {
            message_id += 1;
            let (store, p) = (store.clone(), p.clone());
            let m = message_id;
            tasks.push(tokio::spawn(async move {
                answer(&store, &p, id, thread, m, round as i64).await
            }));
        }
        for task in tasks {
            task.await.map_err(|e| e.to_string())??;
        }
    }
    let (burst_wall, burst_cpu) = settled(&store, started, before).await?;

    let before = proc::cpu_time(me);
    let started = Instant::now();
    for revision in 0..single {
        message_id += 1;
        answer(
            &store,
            &p,
            single_id,
            single_thread,
            message_id,
            revision as i64,
        )
        .await?;
    }
    let (single_wall, single_cpu) = settled(&store, started, before).await?;
    store.close().await;
    Ok(StoreCost {
        interviews: ids.len(),
        burst_answers: ids.len() * rounds,
        burst_cpu,
        burst_wall,
        single_answers: single,
        single_cpu,
        single_wall,
        state_bytes: p.state.len(),
        feedback_bytes: p.feedback.len(),
        post_bytes: p.post.len(),
    })
}
