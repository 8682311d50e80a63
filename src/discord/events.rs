//! Gateway events that are not slash commands: button clicks, the answer
//! form, replies in interview threads, and deleted threads.

use poise::serenity_prelude as serenity;
use serenity::all::{
    ActionRowComponent, ChannelId, ComponentInteraction, CreateActionRow, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, CreateModal, FullEvent, Http, InputTextStyle, Interaction, Message,
    ModalInteraction,
};

use super::commands::ask_reply;
use super::error::Error;
use super::ids::ComponentId;
use super::interview::{self, Place};
use super::render::{example_embed, fit, limits, no_pings};
use super::{display_name, Data};
use crate::coach::engine::MAX_ANSWER_CHARS;
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
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(c),
        } => on_component(http, data, c).await,
        FullEvent::InteractionCreate {
            interaction: Interaction::Modal(m),
        } => on_modal(http, data, m).await,
        FullEvent::Message { new_message } => on_message(http, data, new_message).await,
        FullEvent::ThreadDelete { thread, .. } => {
            Ok(data.interviews.thread_deleted(thread.id.get()).await?)
        }
        // Only arrives with the privileged Server Members intent, which the
        // bot does not ask for; if an operator grants it, a leaving member's
        // interview is closed at once instead of by the idle sweep.
        FullEvent::GuildMemberRemoval { guild_id, user, .. } => {
            let left = data.interviews.member_left(guild_id.get(), user.id.get());
            Ok(left.await?)
        }
        _ => Ok(()),
    }
}

fn whisper(text: impl Into<String>) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(fit(&text.into(), limits::CONTENT))
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
}

fn followup(text: impl Into<String>) -> CreateInteractionResponseFollowup {
    CreateInteractionResponseFollowup::new()
        .content(fit(&text.into(), limits::CONTENT))
        .ephemeral(true)
        .allowed_mentions(no_pings())
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

async fn on_component(http: &Http, data: &Data, c: &ComponentInteraction) -> Result<(), Error> {
    let Some(id) = ComponentId::decode(&c.data.custom_id) else {
        return Ok(());
    };
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
            c.create_response(http, response).await?;
        }
        ComponentId::Another { role } => {
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
            c.create_response(http, response).await?;
        }
        ComponentId::Practice { role, question } => {
            let place = match place_of_component(c) {
                Ok(p) => p,
                Err(e) => {
                    c.create_response(http, whisper(e.user_message())).await?;
                    return Ok(());
                }
            };
            let lib = data.guides();
            let Some((r, q)) = lib
                .role(&role)
                .and_then(|r| r.question(&question).map(|q| (r, q)))
            else {
                c.create_response(http, whisper(messages::QUESTION_GONE))
                    .await?;
                return Ok(());
            };
            c.defer_ephemeral(http).await?;
            let count = usize::from(data.config().mock.questions);
            let text = match interview::start(http, data, place, r, count, Some(q)).await {
                Ok(text) => text,
                Err(e) => {
                    log_if_operator(&e);
                    e.user_message()
                }
            };
            c.create_followup(http, followup(text)).await?;
        }
        ComponentId::Answer => {
            let candidate = data.interviews.candidate_in(c.channel_id.get()).await?;
            let response = match candidate {
                Some(candidate) if candidate == user => answer_form(),
                Some(_) => whisper(messages::ONLY_CANDIDATE_CAN_ANSWER),
                None => whisper(messages::NOT_AN_INTERVIEW),
            };
            c.create_response(http, response).await?;
        }
        ComponentId::End => match data.interviews.end_early(c.channel_id.get(), user).await? {
            Ended::Closed(posts) => {
                // The interview is closed already: its summary goes out even if
                // the click could not be acknowledged.
                let acknowledged = c
                    .create_response(http, CreateInteractionResponse::Acknowledge)
                    .await;
                interview::deliver(http, data, posts).await;
                acknowledged?;
            }
            Ended::NotCandidate => {
                c.create_response(http, whisper(messages::ONLY_CANDIDATE_CAN_END))
                    .await?;
            }
            Ended::NotOpen => {
                c.create_response(http, whisper(messages::NOT_AN_INTERVIEW))
                    .await?
            }
        },
        ComponentId::Forget { confirmed } => {
            let text = if confirmed {
                let deleted = data.interviews.forget_member(user).await?;
                tracing::info!(
                    interviews = deleted.interviews,
                    answers = deleted.answers,
                    "forgot a member on request"
                );
                messages::forgotten(deleted.interviews, deleted.answers, deleted.outbox)
            } else {
                messages::NOTHING_DELETED.to_string()
            };
            c.create_response(
                http,
                CreateInteractionResponse::UpdateMessage(
                    CreateInteractionResponseMessage::new()
                        .content(text)
                        .components(Vec::new())
                        .allowed_mentions(no_pings()),
                ),
            )
            .await?;
        }
        ComponentId::AnswerModal => {}
    }
    Ok(())
}

/// The form a candidate writes an answer in.
fn answer_form() -> CreateInteractionResponse {
    let field = CreateInputText::new(InputTextStyle::Paragraph, messages::ANSWER_FIELD, "answer")
        .placeholder(messages::ANSWER_PLACEHOLDER)
        .min_length(1)
        .max_length(MAX_ANSWER_CHARS as u16)
        .required(true);
    CreateInteractionResponse::Modal(
        CreateModal::new(
            ComponentId::AnswerModal.encode(),
            messages::ANSWER_FORM_TITLE,
        )
        .components(vec![CreateActionRow::InputText(field)]),
    )
}

fn log_if_operator(e: &Error) {
    if e.is_operator_problem() {
        tracing::error!(error = %e, "interaction failed");
    }
}

async fn on_modal(http: &Http, data: &Data, m: &ModalInteraction) -> Result<(), Error> {
    if ComponentId::decode(&m.data.custom_id) != Some(ComponentId::AnswerModal) {
        return Ok(());
    }
    let text: String = m
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|c| match c {
            ActionRowComponent::InputText(t) => t.value.clone(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    m.create_response(http, CreateInteractionResponse::Acknowledge)
        .await?;
    let name = display_name(m.member.as_ref().and_then(|mem| mem.nick.as_ref()), &m.user);
    let outcome = interview::answer(
        http,
        data,
        Answer {
            thread_id: m.channel_id.get(),
            author_id: m.user.id.get(),
            author_name: &name,
            source_id: m.id.get(),
            text: &text,
            echo: true,
        },
    )
    .await;
    let note = match outcome {
        Ok(AnswerOutcome::Rejected(why)) => Some(why),
        Ok(AnswerOutcome::NotCandidate) => Some(messages::ONLY_CANDIDATE_CAN_ANSWER.to_string()),
        Ok(AnswerOutcome::NotInterview) => Some(messages::NOT_AN_INTERVIEW.to_string()),
        Ok(_) => None,
        Err(e) => {
            log_if_operator(&e);
            Some(e.user_message())
        }
    };
    if let Some(note) = note {
        m.create_followup(http, followup(note)).await?;
    }
    Ok(())
}

async fn on_message(http: &Http, data: &Data, msg: &Message) -> Result<(), Error> {
    if msg.author.bot
        || msg.guild_id.is_none()
        || !data.interviews.is_open_thread(msg.channel_id.get())
    {
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
        http,
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
