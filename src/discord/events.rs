//! Gateway events that are not slash commands: button clicks, the answer
//! form, replies in interview threads, and deleted threads (pairs' rooms are handed to
//! `pairs`, days' threads to `daily`). Buttons and forms
//! that touch the database are acknowledged before it (see `reply`).

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{
    ActionRowComponent, ChannelId, ComponentInteraction, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, FullEvent, Http,
    Interaction, Message, ModalInteraction,
};

use super::commands::ask_reply;
use super::error::Error;
use super::ids::ComponentId;
use super::interview::{self, Place};
use super::render::{example_embed, fit, limits, no_pings};
use super::reply::{whisper, Reply};
use super::{daily, delivery, pairs};
use super::{display_name, Data};
use crate::coach::select::Filter;
use crate::messages;
use crate::session::{Answer, AnswerOutcome, Ended};

pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let data = framework.user_data;
    let http = framework.serenity_context.http.as_ref();
    match event {
        // Whatever fails in a button or form is told to the member (and
        // logged when it is the operator's problem), never only logged.
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(c),
        } => {
            let mut reply = Reply::to_component(http, c);
            let handled = on_component(&mut reply, data, c).await;
            reply.settle(handled).await;
            Ok(())
        }
        FullEvent::InteractionCreate {
            interaction: Interaction::Modal(m),
        } => {
            let mut reply = Reply::to_modal(http, m);
            let handled = on_modal(&mut reply, data, m).await;
            reply.settle(handled).await;
            Ok(())
        }
        FullEvent::Message { new_message } => on_message(http, data, new_message).await,
        FullEvent::ThreadDelete { thread, .. } => {
            data.interviews.thread_deleted(thread.id.get()).await?;
            let parent = Some(thread.parent_id.get());
            pairs::thread_deleted(http, data, thread.id.get(), parent).await
        }
        // Only arrives with the privileged Server Members intent, which the
        // bot does not ask for; if an operator grants it, a leaving member's
        // interview is closed at once instead of by the idle sweep.
        FullEvent::GuildMemberRemoval { guild_id, user, .. } => {
            let left = data.interviews.member_left(guild_id.get(), user.id.get());
            left.await?;
            pairs::member_left(http, data, guild_id.get(), user.id.get()).await
        }
        _ => Ok(()),
    }
}

fn place_of_component(c: &ComponentInteraction) -> Result<Place, Error> {
    let guild_id = c
        .guild_id
        .ok_or_else(|| Error::user(messages::GUILD_ONLY))?;
    let name = display_name(c.member.as_ref().and_then(|m| m.nick.as_ref()), &c.user);
    Ok(Place {
        guild_id: guild_id.get(),
        channel_id: c.channel_id.get(),
        channel_kind: c.channel.as_ref().map(|ch| ch.kind),
        user_id: c.user.id.get(),
        user_name: name,
        app_permissions: c.app_permissions,
    })
}

/// A button press.
async fn on_component(
    reply: &mut Reply<'_>,
    data: &Data,
    c: &ComponentInteraction,
) -> Result<(), Error> {
    let Some(id) = ComponentId::decode(&c.data.custom_id) else {
        return Ok(());
    };
    count_press(&c.data.custom_id);
    let http = reply.http();
    let user = c.user.id.get();
    match id {
        ComponentId::Example { role, question } => {
            let lib = data.guides();
            let response = match lib
                .role(&role)
                .and_then(|r| r.question(&question).map(|q| (r, q)))
            {
                Some((r, q)) => CreateInteractionResponse::Message(
                    CreateInteractionResponseMessage::new()
                        .embed(example_embed(r, q))
                        .ephemeral(true)
                        .allowed_mentions(no_pings()),
                ),
                None => whisper(messages::QUESTION_GONE),
            };
            reply.respond(response).await
        }
        ComponentId::Another { role } => {
            // The picker works from memory, so this answers at once.
            let lib = data.guides();
            let response = match lib.role(&role) {
                Some(r) => match data
                    .interviews
                    .picker()
                    .pick_for(user, r, Filter::default())
                {
                    Some(q) => {
                        let (embed, components) = ask_reply(r, q);
                        CreateInteractionResponse::Message(
                            CreateInteractionResponseMessage::new()
                                .embed(embed)
                                .components(components)
                                .allowed_mentions(no_pings()),
                        )
                    }
                    None => whisper(messages::no_question_matches(&r.name)),
                },
                None => whisper(messages::QUESTION_GONE),
            };
            reply.respond(response).await
        }
        ComponentId::Practice { role, question } => {
            let place = place_of_component(c)?;
            let lib = data.guides();
            let Some((r, q)) = lib
                .role(&role)
                .and_then(|r| r.question(&question).map(|q| (r, q)))
            else {
                return reply.whisper(messages::QUESTION_GONE).await;
            };
            reply.defer_ephemeral().await?;
            let count = usize::from(data.config().mock.questions);
            // A question written for some levels sets the level of the rest.
            let level = q.has_levels().then(|| q.levels[0]);
            let text = interview::start(http, data, place, r, count, Some(q), level)
                .await
                .map_err(|e| e.when_busy(messages::BUSY_NOT_STARTED))?;
            reply.whisper(text).await
        }
        ComponentId::Answer => {
            // The form must be the first response, so it cannot wait behind a
            // deferral; a database too slow to say who the candidate is gets
            // the form anyway, and the submitted answer is checked again.
            let thread = c.channel_id.get();
            let candidate =
                tokio::time::timeout(LOOKUP_BUDGET, data.interviews.candidate_in(thread)).await;
            let response = match candidate {
                Ok(Ok(Some(candidate))) if candidate == user => answer_form(),
                Ok(Ok(Some(_))) => whisper(messages::ONLY_CANDIDATE_CAN_ANSWER),
                Ok(Ok(None)) => whisper(messages::NOT_AN_INTERVIEW),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "could not look up the candidate; showing the form");
                    answer_form()
                }
                Err(_) => answer_form(),
            };
            reply.respond(response).await
        }
        ComponentId::End => {
            reply.defer_update().await?;
            let ended = data.interviews.end_early(c.channel_id.get(), user).await;
            match ended.map_err(|e| Error::from(e).when_busy(messages::BUSY_NOT_ENDED))? {
                Ended::Closed(posts) => {
                    delivery::hand(data, posts);
                    Ok(())
                }
                Ended::NotCandidate => reply.whisper(messages::ONLY_CANDIDATE_CAN_END).await,
                Ended::NotOpen => reply.whisper(messages::NOT_AN_INTERVIEW).await,
            }
        }
        ComponentId::Forget { confirmed: false } => {
            reply
                .respond(forget_result(messages::NOTHING_DELETED))
                .await
        }
        ComponentId::Forget { confirmed: true } => {
            reply.defer_update().await?;
            // On failure the buttons stay, so the member can press again.
            let deleted = data.interviews.forget_member(user).await;
            let deleted =
                deleted.map_err(|e| Error::from(e).when_busy(messages::BUSY_NOTHING_DELETED))?;
            let daily = data.daily.forget_member(user).await;
            let daily =
                daily.map_err(|e| Error::from(e).when_busy(messages::BUSY_NOTHING_DELETED))?;
            let peer = pairs::forget(http, data, user).await?;
            tracing::info!(
                interviews = deleted.interviews,
                answers = deleted.answers,
                "forgot a member on request"
            );
            let text = messages::forgotten(
                deleted.interviews,
                deleted.answers,
                deleted.outbox,
                [daily.answers, daily.streaks, daily.boards],
            );
            let text = format!("{text}\n{peer}");
            let edit = EditInteractionResponse::new()
                .content(text)
                .components(Vec::new());
            reply.edit_original(edit).await
        }
        ComponentId::DailyAnswer { post } => reply.respond(daily::answer_form(post)).await,
        ComponentId::DailyFeedback { post } => daily::on_feedback(reply, data, post, user).await,
        id @ (ComponentId::Pair { .. }
        | ComponentId::PairFollowUpPick { .. }
        | ComponentId::PairRate { .. }
        | ComponentId::PairScoreSubmit { .. }) => pairs::on_component(reply, data, c, id).await,
        ComponentId::AnswerModal
        | ComponentId::DailyForm { .. }
        | ComponentId::PairScoreForm { .. }
        | ComponentId::PairAnswerForm { .. } => Ok(()),
    }
}

/// How long the Answer button waits for the database to name the candidate
/// before it shows the form anyway, well inside Discord's 3 seconds.
const LOOKUP_BUDGET: Duration = Duration::from_millis(1500);

/// The confirmation message, replaced by what happened, without its buttons.
fn forget_result(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::UpdateMessage(
        CreateInteractionResponseMessage::new()
            .content(text)
            .components(Vec::new())
            .allowed_mentions(no_pings()),
    )
}

/// The form a candidate writes an answer in.
fn answer_form() -> CreateInteractionResponse {
    super::render::answer_form(ComponentId::AnswerModal.encode())
}

/// A submitted answer form: acknowledged at once, then stored and answered;
/// what went wrong is told to the member in a follow-up.
/// Counts a press or form of ours by its kind (the id's second part, one of a fixed
/// few), for the metrics.
fn count_press(custom_id: &str) {
    let kind = custom_id.split(':').nth(1).unwrap_or("unknown").to_string();
    metrics::counter!("interview_coach_buttons_total", "kind" => kind).increment(1);
}

/// Every text field of a submitted form, joined by new lines: an answer form has one.
pub(super) fn form_text(m: &ModalInteraction) -> String {
    m.data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|c| match c {
            ActionRowComponent::InputText(t) => t.value.clone(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn on_modal(reply: &mut Reply<'_>, data: &Data, m: &ModalInteraction) -> Result<(), Error> {
    if ComponentId::decode(&m.data.custom_id).is_some() {
        count_press(&m.data.custom_id);
    }
    match ComponentId::decode(&m.data.custom_id) {
        Some(ComponentId::AnswerModal) => {}
        Some(ComponentId::DailyForm { post }) => return daily::on_form(reply, data, m, post).await,
        Some(id @ (ComponentId::PairScoreForm { .. } | ComponentId::PairAnswerForm { .. })) => {
            return pairs::on_modal(reply, data, m, id).await
        }
        _ => return Ok(()),
    }
    let text = form_text(m);
    reply.defer_update().await?;
    let name = display_name(m.member.as_ref().and_then(|mem| mem.nick.as_ref()), &m.user);
    let answer = Answer {
        thread_id: m.channel_id.get(),
        author_id: m.user.id.get(),
        author_name: &name,
        source_id: m.id.get(),
        text: &text,
        echo: true,
    };
    let outcome = interview::answer(data, answer)
        .await
        .map_err(|e| e.when_busy(messages::BUSY_ANSWER_NOT_SAVED))?;
    let note = match outcome {
        AnswerOutcome::Rejected(why) => why,
        AnswerOutcome::NotCandidate => messages::ONLY_CANDIDATE_CAN_ANSWER.to_string(),
        AnswerOutcome::NotInterview => messages::NOT_AN_INTERVIEW.to_string(),
        _ => return Ok(()),
    };
    reply.whisper(note).await
}

async fn on_message(http: &Http, data: &Data, msg: &Message) -> Result<(), Error> {
    if msg.author.bot || msg.guild_id.is_none() {
        return Ok(());
    }
    if !data.interviews.is_open_thread(msg.channel_id.get()) {
        // A pair's room (known from memory), or perhaps a day's thread: one indexed read
        // per message outside interviews and pairs.
        if !pairs::on_message(http, data, msg).await? {
            daily::on_message(http, data, msg).await?;
        }
        return Ok(());
    }
    let thread = msg.channel_id;
    if msg.content.trim().is_empty() {
        // Without the Message Content intent Discord sends candidates'
        // messages with empty text; say once how to answer instead.
        let candidate = data.interviews.candidate_in(thread.get()).await?;
        let is_candidate = candidate == Some(msg.author.id.get());
        let first_time = is_candidate && Data::lock(&data.told_to_use_button).insert(thread.get());
        if first_time && msg.attachments.is_empty() {
            say(http, thread, messages::USE_THE_BUTTON).await?;
        }
        return Ok(());
    }
    let name = display_name(
        msg.member.as_ref().and_then(|m| m.nick.as_ref()),
        &msg.author,
    );
    let outcome = interview::answer(
        data,
        Answer {
            thread_id: thread.get(),
            author_id: msg.author.id.get(),
            author_name: &name,
            source_id: msg.id.get(),
            text: &msg.content,
            echo: false,
        },
    )
    .await?;
    if let AnswerOutcome::Rejected(why) = outcome {
        say(http, thread, &why).await?;
    }
    Ok(())
}

async fn say(http: &Http, channel: ChannelId, text: &str) -> Result<(), Error> {
    channel
        .send_message(
            http,
            CreateMessage::new()
                .content(fit(text, limits::CONTENT))
                .allowed_mentions(no_pings()),
        )
        .await?;
    Ok(())
}
