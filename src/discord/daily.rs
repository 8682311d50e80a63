//! The question of the day on Discord.
//!
//! - **The scheduler** ([`start`]) asks the session layer to claim what is due
//!   ([`crate::session::Daily::tick`]), then makes each pending post: an embed with the
//!   question, why it is asked and the framework, with *Answer* and *My feedback*
//!   buttons, and a thread on it for answers. The message carries its post id as an
//!   enforced nonce, so a post repeated after a crash between Discord accepting it and
//!   the store recording it is dropped by Discord. It wakes at the next due time, at
//!   least every [`TICK_AT_LEAST_EVERY`], and at once after `/daily setup`.
//! - **Answers** in a day's thread are acknowledged with a reaction (so the bot needs Add
//!   Reactions there) and stored privately; the *Answer* button opens a form for members
//!   whose messages the bot cannot read.
//! - ***My feedback*** shows whoever presses it, ephemerally, the coach's analysis of
//!   their own answer that day, never anyone else's.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{
    AutoArchiveDuration, ButtonStyle, ChannelId, CreateActionRow, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponse, CreateMessage, CreateThread, Http, Message,
    MessageId, ModalInteraction, Nonce, ReactionType,
};

use super::error::{is_transient, status_of, Error};
use super::ids::ComponentId;
use super::render::{fit, limits, no_pings};
use super::reply::Reply;
use super::Data;
use crate::coach::feedback::{feedback_text, headline};
use crate::messages::{self, daily as text};
use crate::session::daily::{BoardLine, DailyAnswerOutcome, DailyQuestion};
use crate::session::{self, now};
use crate::store::DailyPostId;

/// The longest the scheduler sleeps, so a missed wake-up (a clock jump, a suspended
/// machine) costs at most this.
const TICK_AT_LEAST_EVERY: Duration = Duration::from_secs(30);
/// After a passing failure (429, 5xx, no connection) the next round comes this soon,
/// doubling with each failed round up to [`TICK_AT_LEAST_EVERY`].
const RETRY_FIRST: Duration = Duration::from_secs(2);

/// The reaction that acknowledges an answer.
const RECEIVED: char = '✅';

/// Starts the scheduler. Pending posts from before a restart are finished first.
pub fn start(data: &Data, http: Arc<Http>) {
    let data = data.clone();
    tokio::spawn(async move {
        let mut failed_rounds = 0u32;
        loop {
            let (mut wait, retry) = run_once(&http, &data).await;
            if retry {
                let backoff = RETRY_FIRST.saturating_mul(2u32.saturating_pow(failed_rounds));
                wait = wait.min(backoff.min(TICK_AT_LEAST_EVERY));
                failed_rounds = failed_rounds.saturating_add(1);
            } else {
                failed_rounds = 0;
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = data.daily_wake.notified() => {}
            }
        }
    });
}

/// One round: claim, post, and say how long to sleep and whether something failed for
/// a passing reason (so the next round should come soon).
async fn run_once(http: &Http, data: &Data) -> (Duration, bool) {
    let mut retry = false;
    let guides = data.guides();
    let wait = match data.daily.tick(&guides, now()).await {
        Ok(tick) => {
            let secs = tick.next.as_second().saturating_sub(now()).max(1);
            Duration::from_secs(secs as u64).min(TICK_AT_LEAST_EVERY)
        }
        Err(e) => {
            tracing::error!(error = %e, "the daily scheduler could not read the schedules");
            TICK_AT_LEAST_EVERY
        }
    };
    match data.daily.pending(&guides).await {
        Ok(pending) => {
            for q in pending {
                retry |= !make_post(http, data, &q).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot list pending daily posts"),
    }
    match data.daily.pending_boards(now()).await {
        Ok(boards) => {
            for (board, lines) in boards {
                let posted = ChannelId::new(board.channel_id)
                    .send_message(http, board_message(&lines))
                    .await;
                let done = match posted {
                    Ok(message) => Some(Some(message.id.get())),
                    Err(e) if is_transient(&e) => {
                        retry = true;
                        None
                    }
                    Err(e) => {
                        tracing::warn!(guild = board.guild_id, channel = board.channel_id, error = %e, "Discord refused the weekly board; dropping it");
                        Some(None)
                    }
                };
                if let Some(message) = done {
                    if let Err(e) = data.daily.board_done(board.id, message, now()).await {
                        tracing::error!(error = %e, "cannot record the weekly board");
                    }
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot list pending weekly boards"),
    }
    (wait, retry)
}

/// Makes one day's post: the message (unless it exists), then its thread. A passing
/// failure leaves it pending for the next round (`false`); a refusal gives it up.
async fn make_post(http: &Http, data: &Data, q: &DailyQuestion) -> bool {
    let post = &q.post;
    let channel = ChannelId::new(post.channel_id);
    let message_id = match post.message_id {
        Some(id) => MessageId::new(id),
        None => match channel.send_message(http, post_message(q)).await {
            Ok(message) => {
                if let Err(e) = data.daily.posted_message(post.id, message.id.get()).await {
                    tracing::error!(error = %e, "cannot record a daily post's message");
                }
                message.id
            }
            Err(e) => return failed(data, q, &e).await,
        },
    };
    let thread = CreateThread::new(fit(&text::thread_name(&post.day), limits::THREAD_NAME))
        .auto_archive_duration(AutoArchiveDuration::OneDay);
    let thread_id = match channel
        .create_thread_from_message(http, message_id, thread)
        .await
    {
        Ok(thread) => thread.id.get(),
        // 160004: a thread exists on the message already (made before a crash); a
        // thread on a message has the message's id.
        Err(e) if discord_code(&e) == Some(160_004) => message_id.get(),
        Err(e) => return failed(data, q, &e).await,
    };
    if let Err(e) = data.daily.posted_thread(post.id, thread_id, now()).await {
        tracing::error!(error = %e, "cannot record a daily post's thread");
        return false;
    }
    tracing::info!(guild = post.guild_id, post = %post.id, "daily question posted");
    true
}

/// A failed request for a post: `false` (retry soon) when it was a passing failure.
async fn failed(data: &Data, q: &DailyQuestion, e: &serenity::Error) -> bool {
    if is_transient(e) {
        tracing::warn!(post = %q.post.id, error = %e, "could not make a daily post yet; retrying");
        return false;
    }
    tracing::warn!(guild = q.post.guild_id, channel = q.post.channel_id, status = ?status_of(e), error = %e, "Discord refused a daily post; giving it up (check the bot's permissions there)");
    if let Err(e) = data.daily.post_refused(q.post.id).await {
        tracing::error!(error = %e, "cannot give up a daily post");
    }
    true
}

fn discord_code(e: &serenity::Error) -> Option<isize> {
    match e {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) => Some(r.error.code),
        _ => None,
    }
}

/// The day's post: the question in an embed, with its buttons.
fn post_message(q: &DailyQuestion) -> CreateMessage {
    let steps: Vec<String> = q
        .question
        .framework
        .steps
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let description = [
        fit(&q.question.text, 1500),
        fit(&text::post_why(&q.question.why), 1200),
        fit(
            &text::post_structure(&q.question.framework.name, &steps),
            800,
        ),
        text::POST_HOW.to_string(),
    ]
    .join("\n\n");
    let embed = CreateEmbed::new()
        .title(fit(&text::post_title(&q.role.name), limits::EMBED_TITLE))
        .description(fit(&description, limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(fit(
            &text::post_footer(&q.post.day),
            limits::FOOTER,
        )));
    let buttons = CreateActionRow::Buttons(vec![
        CreateButton::new(ComponentId::DailyAnswer { post: q.post.id.0 }.encode())
            .label(messages::BUTTON_ANSWER)
            .style(ButtonStyle::Primary),
        CreateButton::new(ComponentId::DailyFeedback { post: q.post.id.0 }.encode())
            .label(text::BUTTON_MY_FEEDBACK)
            .style(ButtonStyle::Secondary),
    ]);
    CreateMessage::new()
        .embed(embed)
        .components(vec![buttons])
        .nonce(Nonce::String(format!("daily-{}", q.post.id.0)))
        .enforce_nonce(true)
        .allowed_mentions(no_pings())
}

/// The weekly board: opted-in members as mentions, which never ping (allowed mentions
/// are none).
fn board_message(lines: &[BoardLine]) -> CreateMessage {
    let body = if lines.is_empty() {
        text::BOARD_EMPTY.to_string()
    } else {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| text::board_line(i + 1, l.user_id, l.streaks))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let embed = CreateEmbed::new()
        .title(text::BOARD_TITLE)
        .description(fit(&body, limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(text::BOARD_FOOTER));
    CreateMessage::new()
        .embed(embed)
        .allowed_mentions(no_pings())
}

/// A message in a thread that is not an interview's: if it is a day's thread, the
/// answer is stored and acknowledged. `false` when it is not a daily thread.
pub async fn on_message(http: &Http, data: &Data, msg: &Message) -> Result<bool, Error> {
    let guides = data.guides();
    let outcome = data
        .daily
        .answer(
            &guides,
            msg.channel_id.get(),
            msg.author.id.get(),
            msg.id.get(),
            &msg.content,
            now(),
        )
        .await?;
    match outcome {
        DailyAnswerOutcome::NotDaily => return Ok(false),
        DailyAnswerOutcome::Recorded { .. } => {
            msg.react(http, ReactionType::Unicode(RECEIVED.to_string()))
                .await?;
        }
        DailyAnswerOutcome::Duplicate => {}
        DailyAnswerOutcome::Rejected(why) => {
            // Without the Message Content intent the text arrives empty: say once per
            // thread how to answer instead.
            let empty = msg.content.trim().is_empty();
            let first_time = Data::lock(&data.told_to_use_button).insert(msg.channel_id.get());
            if !empty || first_time {
                let note = if empty {
                    messages::USE_THE_BUTTON.to_string()
                } else {
                    why
                };
                msg.channel_id
                    .send_message(
                        http,
                        CreateMessage::new()
                            .content(fit(&note, limits::CONTENT))
                            .allowed_mentions(no_pings()),
                    )
                    .await?;
            }
        }
    }
    Ok(true)
}

/// The form for answering a day's question.
pub fn answer_form(post: i64) -> CreateInteractionResponse {
    super::render::answer_form(ComponentId::DailyForm { post }.encode())
}

/// A submitted daily answer form: acknowledged at once (ephemerally), then stored.
pub async fn on_form(
    reply: &mut Reply<'_>,
    data: &Data,
    m: &ModalInteraction,
    post: i64,
) -> Result<(), Error> {
    let answer = super::events::form_text(m);
    reply.defer_ephemeral().await?;
    let guides = data.guides();
    let outcome = data
        .daily
        .answer_form(
            &guides,
            DailyPostId(post),
            m.user.id.get(),
            m.id.get(),
            &answer,
            session::now(),
        )
        .await
        .map_err(|e| Error::from(e).when_busy(messages::BUSY_ANSWER_NOT_SAVED))?;
    let note = match outcome {
        DailyAnswerOutcome::Recorded { streaks, replaced } => {
            text::answered_modal(streaks, replaced)
        }
        DailyAnswerOutcome::Rejected(why) => why,
        DailyAnswerOutcome::Duplicate => return Ok(()),
        DailyAnswerOutcome::NotDaily => text::POST_GONE.to_string(),
    };
    reply.whisper(note).await
}

/// *My feedback*: the presser's own feedback on that day's answer, ephemeral.
pub async fn on_feedback(
    reply: &mut Reply<'_>,
    data: &Data,
    post: i64,
    user: u64,
) -> Result<(), Error> {
    reply.defer_ephemeral().await?;
    let guides = data.guides();
    let own = data
        .daily
        .my_feedback(&guides, DailyPostId(post), user)
        .await?;
    let note = match own {
        Some(own) => {
            let mut lines = vec![
                text::feedback_heading(&fit(&own.question, 300)),
                headline(&own.analysis),
            ];
            lines.extend(messages::feedback_lines(&feedback_text(&own.analysis)));
            lines.join("\n")
        }
        None => text::NO_ANSWER_YET.to_string(),
    };
    reply.whisper(fit(&note, limits::CONTENT)).await
}
