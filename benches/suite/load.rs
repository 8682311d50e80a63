//! The load generator: the same traffic for the floor and the bot, and the clock.
//!
//! A latency runs from the moment the fake wrote the dispatch frame to the bot's socket
//! ([`FakeDiscord::try_dispatch_timed`]) to the arrival of the bot's request that carries the
//! reply's content ([`RecordedRequest::at`]): the interaction callback with a message, or the
//! follow-up after a defer (a defer itself does not count); for a thread reply, the post in
//! the thread. Requests are watched through [`FakeDiscord::subscribe_requests`], so the
//! generator costs one channel message per request, not a rescan of the log.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use fake_discord::fixtures::{self, opt, Fixture, SlashCommand, User};
use fake_discord::{routes, FakeDiscord, QueuedDispatch, RecordedRequest};
use serde_json::Value;

use super::floor;
use super::stats::Run;

/// Discord's interaction deadline: answered later, the member sees an error.
pub const DEADLINE: Duration = Duration::from_secs(3);

/// What a correct reply looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// The floor's fixed string, in a callback or a post.
    Floor,
    /// The bot's `/ask`: a public message with the question's embed.
    BotAsk,
    /// The bot's next prompt in an interview thread.
    BotPrompt,
    /// The bot's `/guides reload` follow-up saying it reloaded.
    Reload,
}

impl Check {
    fn verify(self, r: &RecordedRequest) -> Result<(), String> {
        let body = &r.body;
        let ok = match self {
            Check::Floor => {
                let content = if r.route == routes::INTERACTION_CALLBACK {
                    &body["data"]["content"]
                } else {
                    &body["content"]
                };
                content == floor::REPLY
            }
            Check::BotAsk => {
                body["type"] == 4
                    && body["data"]["flags"].as_u64().unwrap_or(0) & 64 == 0
                    && body["data"]["embeds"][0]["title"]
                        .as_str()
                        .is_some_and(|t| !t.is_empty())
            }
            // The next prompt, after the feedback on the answer when there is some.
            Check::BotPrompt => body["content"]
                .as_str()
                .is_some_and(|c| c.contains("**Question") || c.contains("**Follow-up")),
            Check::Reload => body["content"]
                .as_str()
                .is_some_and(|c| c.starts_with("Reloaded the guides in")),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("unexpected reply {}: {}", r.route, short(body)))
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

/// An interview (or, for the floor, just a thread) a member answers in.
#[derive(Clone, Debug)]
pub struct Conversation {
    /// The server the thread is in (what decides its gateway shard).
    pub guild_id: u64,
    pub thread_id: u64,
    pub user: User,
}

/// `/ask role:<role>` from one of 100 members, cycling through `roles`.
pub fn asks(n: usize, roles: &[String], salt: usize) -> Vec<SlashCommand> {
    (0..n)
        .map(|i| {
            let member = (salt * 7 + i) % 100;
            fixtures::slash_command("ask")
                .option(opt::string("role", roles[(salt + i) % roles.len()].clone()))
                .user(User::new(300_000 + member as u64, format!("asker{member}")))
        })
        .collect()
}

/// `/mock role:<role>` from `n` members who have no interview open yet (`first_user` on).
pub fn mocks(n: usize, roles: &[String], first_user: u64) -> Vec<SlashCommand> {
    (0..n)
        .map(|i| {
            let id = first_user + i as u64;
            fixtures::slash_command("mock")
                .option(opt::string("role", roles[i % roles.len()].clone()))
                .user(User::new(id, format!("cand{id}")))
        })
        .collect()
}

/// [`mocks`] taking turns over servers, each `(guild_id, channel_id)`: interviews spread
/// over the shards those servers are on.
pub fn mocks_in(
    n: usize,
    roles: &[String],
    first_user: u64,
    places: &[(u64, u64)],
) -> Vec<SlashCommand> {
    mocks(n, roles, first_user)
        .into_iter()
        .enumerate()
        .map(|(i, cmd)| {
            let (guild, channel) = places[i % places.len().max(1)];
            cmd.guild(guild, channel)
        })
        .collect()
}

/// `/ask`s taking turns over servers, like [`mocks_in`].
pub fn asks_in(
    n: usize,
    roles: &[String],
    salt: usize,
    places: &[(u64, u64)],
) -> Vec<SlashCommand> {
    asks(n, roles, salt)
        .into_iter()
        .enumerate()
        .map(|(i, cmd)| {
            let (guild, channel) = places[i % places.len().max(1)];
            cmd.guild(guild, channel)
        })
        .collect()
}

/// `/guides reload` from a moderator.
pub fn reload() -> SlashCommand {
    fixtures::slash_command("guides")
        .subcommand("reload", Vec::new())
        .user(User::new(4_500, "moderator"))
        .roles(vec![super::proc::MOD_ROLE])
}

/// A member's answer of about a hundred words; `n` varies it.
pub fn answer_text(n: usize) -> String {
    let openers = [
        "At my last job I owned the billing service",
        "In my previous team I was responsible for onboarding",
        "Two years ago I led the migration of our reporting stack",
        "As the on-call engineer that quarter I took charge of incidents",
    ];
    format!(
        "{}, and the situation was that customers waited too long for results. My task was to \
         cut that time without hurting reliability. I measured where the time went, found that \
         three queries did most of the damage, and proposed a plan to my lead and to the product \
         manager. I rewrote the slowest query, added an index, and moved the report generation \
         to a queue so the page could return at once. I kept the team informed every week. As a \
         result the p95 wait dropped from 9 seconds to 1.2 seconds and support tickets about it \
         fell by {} percent. Next time I would measure before promising a date.",
        openers[n % openers.len()],
        40 + n % 50
    )
}

/// Hands a dispatch to the fake's gateway connection without waiting for it to be written,
/// so a burst goes out back to back.
fn queue(fake: &FakeDiscord, f: &impl Fixture) -> Result<QueuedDispatch, String> {
    fake.queue_send(f)
        .map_err(|e| format!("cannot dispatch {}: {e}", f.event_name()))
}

/// When a queued dispatch's frame was written.
async fn written(q: QueuedDispatch) -> Result<Instant, String> {
    q.written()
        .await
        .map(|d| d.sent_at)
        .map_err(|e| format!("a dispatch was not written: {e}"))
}

/// One dispatched interaction and what answers it.
struct Pending {
    check: Check,
    sent_at: Instant,
    reply: Option<RecordedRequest>,
}

/// The interaction a request answers with content, if any: a callback carrying a message
/// (not a defer), or a follow-up / edit of the original after a defer.
fn answered_interaction(
    r: &RecordedRequest,
    by_id: &HashMap<u64, usize>,
    by_token: &HashMap<String, usize>,
) -> Option<usize> {
    match r.route.as_str() {
        routes::INTERACTION_CALLBACK => {
            // 5 (deferred message) and 6 (deferred update) carry no content.
            if matches!(r.body["type"].as_u64(), Some(5 | 6)) {
                return None;
            }
            by_id.get(&r.param_id("interaction_id")?).copied()
        }
        routes::CREATE_FOLLOWUP | routes::EDIT_ORIGINAL => {
            by_token.get(r.param("webhook_token")?).copied()
        }
        _ => None,
    }
}

/// Interactions dispatched at given offsets from the start (all at once for a burst), with
/// their replies collected. Returns one [`Run`] per kind of check.
pub async fn interactions(
    fake: &FakeDiscord,
    schedule: Vec<(Duration, Check, SlashCommand)>,
    stall: Duration,
) -> Result<HashMap<Check, Run>, String> {
    let mut rx = fake.subscribe_requests();
    let mut pending = Vec::with_capacity(schedule.len());
    let mut by_id = HashMap::new();
    let mut by_token = HashMap::new();
    // Built before the clock starts, so a burst is only the writing of the frames.
    let frames: Vec<_> = schedule
        .into_iter()
        .map(|(offset, check, cmd)| (offset, check, cmd.event_name(), cmd.build(), cmd))
        .collect();
    let start = tokio::time::Instant::now();
    let mut queued = Vec::with_capacity(frames.len());
    for (offset, check, event, data, cmd) in frames {
        if !offset.is_zero() {
            tokio::time::sleep_until(start + offset).await;
        }
        let q = fake
            .queue_dispatch(event, data)
            .map_err(|e| format!("cannot dispatch {event}: {e}"))?;
        queued.push(q);
        by_id.insert(cmd.interaction_id(), pending.len());
        by_token.insert(cmd.interaction_token().to_string(), pending.len());
        pending.push(Pending {
            check,
            sent_at: start.into_std(),
            reply: None,
        });
    }
    for (p, q) in pending.iter_mut().zip(queued) {
        p.sent_at = written(q).await?;
    }
    let mut left = pending.len();
    while left > 0 {
        let Ok(Some(r)) = tokio::time::timeout(stall, rx.recv()).await else {
            break;
        };
        if let Some(i) = answered_interaction(&r, &by_id, &by_token) {
            if pending[i].reply.is_none() {
                pending[i].reply = Some(r);
                left -= 1;
            }
        }
    }
    let statuses = final_statuses(fake, pending.iter().filter_map(|p| p.reply.as_ref())).await;
    let mut runs: HashMap<Check, Run> = HashMap::new();
    let mut spans: HashMap<Check, (Option<Instant>, Option<Instant>)> = HashMap::new();
    for p in &pending {
        let run = runs.entry(p.check).or_default();
        let span = spans.entry(p.check).or_default();
        run.sent += 1;
        span.0 = Some(span.0.map_or(p.sent_at, |a| a.min(p.sent_at)));
        let Some(r) = &p.reply else {
            run.problem(format!("no reply within {stall:?} of the last request"));
            continue;
        };
        if let Err(e) = p.check.verify(r) {
            run.problem(e);
            continue;
        }
        match statuses.get(&r.index).copied().flatten() {
            Some(s) if (200..300).contains(&s) => {}
            other => {
                run.problem(format!("the fake answered {:?} to {}", other, r.route));
                continue;
            }
        }
        let latency = r.at.saturating_duration_since(p.sent_at);
        if latency > DEADLINE {
            run.late += 1;
        }
        run.latencies.push(latency);
        if p.check == Check::Reload {
            run.contents
                .push(r.body["content"].as_str().unwrap_or_default().to_string());
        }
        span.1 = Some(span.1.map_or(r.at, |b| b.max(r.at)));
    }
    for (check, run) in runs.iter_mut() {
        let (a, b) = spans.get(check).copied().unwrap_or_default();
        run.set_span(a, b);
    }
    Ok(runs)
}

/// The status the fake answered each request with, waiting briefly for ones in progress.
async fn final_statuses<'a>(
    fake: &FakeDiscord,
    replies: impl Iterator<Item = &'a RecordedRequest>,
) -> HashMap<usize, Option<u16>> {
    let wanted: Vec<usize> = replies.map(|r| r.index).collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = fake.requests();
        let statuses: HashMap<usize, Option<u16>> = wanted
            .iter()
            .map(|&i| (i, log.get(i).and_then(|r| r.status)))
            .collect();
        if statuses.values().all(Option::is_some) || Instant::now() > deadline {
            return statuses;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One every `gap`: far enough apart that no request waits for another.
pub fn paced(
    cmds: Vec<SlashCommand>,
    check: Check,
    gap: Duration,
) -> Vec<(Duration, Check, SlashCommand)> {
    cmds.into_iter()
        .enumerate()
        .map(|(i, c)| (gap * i as u32, check, c))
        .collect()
}

/// All at once.
pub fn burst(cmds: Vec<SlashCommand>, check: Check) -> Vec<(Duration, Check, SlashCommand)> {
    cmds.into_iter()
        .map(|c| (Duration::ZERO, check, c))
        .collect()
}

/// Opens mock interviews, all at once; the latency of each is to the first post in its new
/// thread. Returns the run and the interviews that opened.
pub async fn open_mocks(
    fake: &FakeDiscord,
    cmds: Vec<SlashCommand>,
    stall: Duration,
) -> Result<(Run, Vec<Conversation>), String> {
    let mut rx = fake.subscribe_requests();
    let mut queued = Vec::with_capacity(cmds.len());
    let mut by_token = HashMap::new();
    for (i, cmd) in cmds.iter().enumerate() {
        queued.push(queue(fake, cmd)?);
        by_token.insert(cmd.interaction_token().to_string(), i);
    }
    let mut sent = Vec::with_capacity(cmds.len());
    for q in queued {
        sent.push(written(q).await?);
    }
    let mut first_post: HashMap<u64, Instant> = HashMap::new();
    let mut answer: Vec<Option<RecordedRequest>> = vec![None; cmds.len()];
    let mut left = cmds.len();
    // Threads named in a reply whose first post has not arrived yet: the delivery
    // worker posts after the reply may have gone out.
    let mut unposted: HashSet<u64> = HashSet::new();
    while left > 0 || !unposted.is_empty() {
        let Ok(Some(r)) = tokio::time::timeout(stall, rx.recv()).await else {
            break;
        };
        if r.route == routes::CREATE_MESSAGE {
            if let Some(ch) = r.param_id("channel_id") {
                first_post.entry(ch).or_insert(r.at);
                unposted.remove(&ch);
            }
        } else if r.route == routes::CREATE_FOLLOWUP {
            if let Some(&i) = r.param("webhook_token").and_then(|t| by_token.get(t)) {
                if answer[i].is_none() {
                    let content = r.body["content"].as_str().unwrap_or_default();
                    unposted
                        .extend(thread_mention(content).filter(|t| !first_post.contains_key(t)));
                    answer[i] = Some(r);
                    left -= 1;
                }
            }
        }
    }
    let mut run = Run {
        sent: cmds.len(),
        ..Run::default()
    };
    let mut conversations = Vec::new();
    let mut last = None;
    for (i, reply) in answer.iter().enumerate() {
        let Some(reply) = reply else {
            run.problem(format!("/mock got no follow-up within {stall:?}"));
            continue;
        };
        let content = reply.body["content"].as_str().unwrap_or_default();
        let Some(thread) = thread_mention(content) else {
            run.problem(format!("/mock did not open a thread: {content}"));
            continue;
        };
        let Some(&posted) = first_post.get(&thread) else {
            run.problem(format!("nothing was posted in thread {thread}"));
            continue;
        };
        let latency = posted.saturating_duration_since(sent[i]);
        if latency > DEADLINE {
            run.late += 1;
        }
        run.latencies.push(latency);
        last = Some(last.map_or(posted, |l: Instant| l.max(posted)));
        conversations.push(Conversation {
            guild_id: cmds[i].ctx.guild_id.unwrap_or(fixtures::GUILD_ID),
            thread_id: thread,
            user: cmds[i].ctx.user.clone(),
        });
    }
    run.set_span(sent.iter().min().copied(), last);
    Ok((run, conversations))
}

/// The channel id in the first `<#123>` of a text.
fn thread_mention(text: &str) -> Option<u64> {
    let start = text.find("<#")? + 2;
    let end = start + text[start..].find('>')?;
    text[start..end].parse().ok()
}

/// `total` answers spread over the conversations; each member answers again as soon as the
/// bot's reply to their previous answer arrives (none of them answering before the
/// interviewer asked). At most `concurrency` conversations are in flight at once: all of
/// them for the load run (200 members typing at once), 1 for answers one at a time.
/// Latency: dispatch to the post in the thread.
pub async fn converse(
    fake: &FakeDiscord,
    conversations: &[Conversation],
    total: usize,
    check: Check,
    stall: Duration,
    concurrency: usize,
) -> Result<Run, String> {
    let n = conversations.len();
    let mut run = Run::default();
    if n == 0 {
        run.problem("no conversations to answer in".into());
        return Ok(run);
    }
    let mut rx = fake.subscribe_requests();
    let mut left: Vec<usize> = (0..n)
        .map(|i| total / n + usize::from(i < total % n))
        .collect();
    // A conversation's answer in flight: which conversation, and its queued dispatch.
    let mut in_flight: HashMap<u64, (usize, QueuedDispatch)> = HashMap::new();
    let mut answers = 0;
    let next = |i: usize, k: usize| {
        let c = &conversations[i];
        fixtures::message_create(answer_text(k))
            .channel(c.guild_id, c.thread_id)
            .author(c.user.clone())
    };
    let mut first = None;
    let mut last = None;
    // The next conversation to start once one in flight is done.
    let mut cursor = 0;
    while cursor < n && in_flight.len() < concurrency.max(1) {
        if left[cursor] > 0 {
            let q = queue(fake, &next(cursor, answers))?;
            in_flight.insert(conversations[cursor].thread_id, (cursor, q));
            answers += 1;
        }
        cursor += 1;
    }
    run.sent = total;
    while !in_flight.is_empty() {
        let Ok(Some(r)) = tokio::time::timeout(stall, rx.recv()).await else {
            break;
        };
        if r.route != routes::CREATE_MESSAGE {
            continue;
        }
        let Some((i, q)) = r
            .param_id("channel_id")
            .and_then(|ch| in_flight.remove(&ch))
        else {
            continue;
        };
        // Written long before its reply arrived; this does not wait.
        let sent_at = written(q).await?;
        first = Some(first.map_or(sent_at, |f: Instant| f.min(sent_at)));
        left[i] -= 1;
        match check.verify(&r) {
            Ok(()) => {
                run.latencies.push(r.at.saturating_duration_since(sent_at));
                last = Some(r.at);
            }
            Err(e) => run.problem(e),
        }
        // The same member answers the next prompt; when done, the next member starts.
        let mut follow = (left[i] > 0).then_some(i);
        while follow.is_none() && cursor < n {
            follow = (left[cursor] > 0).then_some(cursor);
            cursor += 1;
        }
        if let Some(j) = follow {
            let q = queue(fake, &next(j, answers))?;
            in_flight.insert(conversations[j].thread_id, (j, q));
            answers += 1;
        }
    }
    let unanswered = left.iter().sum::<usize>();
    for _ in 0..unanswered {
        run.problem(format!("an answer got no reply within {stall:?}"));
    }
    run.set_span(first, last);
    Ok(run)
}

/// Threads for the floor: it keeps no interviews, so any channel id will do; the fake
/// learns a channel from the first message dispatched in it.
pub fn floor_conversations(n: usize, first_user: u64) -> Vec<Conversation> {
    (0..n as u64)
        .map(|i| Conversation {
            guild_id: fixtures::GUILD_ID,
            thread_id: 8_000_000 + first_user + i,
            user: User::new(first_user + i, format!("cand{}", first_user + i)),
        })
        .collect()
}

#[cfg(test)]
#[allow(unused_imports)] // bench builds compile this module but drop its #[test]s
mod tests {
    use super::*;

    #[test]
    fn finds_the_thread_in_the_ready_message() {
        assert_eq!(
            thread_mention("Your mock interview is ready in <#12345>. Good luck!"),
            Some(12345)
        );
        assert_eq!(thread_mention("no thread"), None);
    }
}
