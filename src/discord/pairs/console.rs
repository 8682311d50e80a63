//! A pair's room: the interviewer's console buttons, the follow-up and rating menus, the
//! notes and answer forms, and the candidate's messages.
//!
//! Only the running round's interviewer may use the console (others are told so,
//! ephemerally); only its candidate answers. Every press that reads the store is
//! acknowledged first; the forms, which must be the first response, are opened from
//! what the press itself carries (the scoring message holds its ratings as the menus'
//! chosen options) or after a short lookup, as `/mock`'s *Answer* does.

use std::time::Duration;

use serenity::all::{
    ActionRowComponent, ChannelId, ComponentInteraction, ComponentInteractionDataKind,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, EditInteractionResponse, Http, Message, ModalInteraction, ReactionType,
};

use super::{finish, send, view};
use crate::discord::error::Error;
use crate::discord::ids::{ComponentId, PairAction};
use crate::discord::render::{fit, limits, no_pings};
use crate::discord::reply::{whisper, Reply};
use crate::discord::Data;
use crate::guide::{GuideLibrary, Question, Role};
use crate::messages::{self, pairs as text};
use crate::session::now;
use crate::session::pairs::{Answered, Refusal, MAX_SCORED_STEPS};
use crate::store::{EndReason, NewScorecard, Pair, PairId, Round, RoundId};

/// How long the *Answer* button waits for the store to name the candidate before it
/// shows the form anyway (the submitted answer is checked again).
const LOOKUP_BUDGET: Duration = Duration::from_millis(1500);

/// The reaction that acknowledges a candidate's answer.
const RECEIVED: char = '✅';

/// A press on a pair's console or menus.
pub async fn on_component(
    reply: &mut Reply<'_>,
    data: &Data,
    c: &ComponentInteraction,
    id: ComponentId,
) -> Result<(), Error> {
    let user = c.user.id.get();
    match id {
        ComponentId::Pair {
            action: PairAction::Answer,
            pair,
        } => {
            let round = tokio::time::timeout(LOOKUP_BUDGET, data.pairs.running_round(PairId(pair)));
            let response = match round.await {
                Ok(Ok(Some(r))) if r.candidate != Some(user) => whisper(text::ONLY_CANDIDATE),
                Ok(Ok(None)) => whisper(text::NOT_A_PAIR),
                _ => view::answer_form(PairId(pair)),
            };
            reply.respond(response).await
        }
        ComponentId::Pair { action, pair } => {
            reply.defer_ephemeral().await?;
            let (pair, round) = interviewer_round(data, PairId(pair), user).await?;
            console(reply, data, c.channel_id, action, &pair, &round).await
        }
        ComponentId::PairFollowUpPick { pair } => {
            let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
                return Ok(());
            };
            let chosen = values.first().and_then(|v| v.parse::<usize>().ok());
            reply.defer_update().await?;
            let (pair, round) = interviewer_round(data, PairId(pair), user).await?;
            let lib = data.guides();
            let (_, q) = question(&lib, &round)?;
            let Some(follow_up) = chosen.and_then(|i| view::follow_ups(q).get(i).cloned()) else {
                return Ok(());
            };
            post(reply.http(), c.channel_id, &text::follow_up(&follow_up)).await?;
            data.pairs.touch(pair.id, now()).await?;
            let done = EditInteractionResponse::new()
                .content(fit(&text::follow_up(&follow_up), limits::CONTENT))
                .components(Vec::new());
            reply.edit_original(done).await
        }
        ComponentId::PairRate { round, .. } => {
            let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
                return Ok(());
            };
            let value = values.first().map_or("", String::as_str);
            let rows = view::rechosen(
                &c.message.components,
                RoundId(round),
                &c.data.custom_id,
                value,
            );
            let update = CreateInteractionResponseMessage::new()
                .components(rows)
                .allowed_mentions(no_pings());
            reply
                .respond(CreateInteractionResponse::UpdateMessage(update))
                .await
        }
        ComponentId::PairScoreSubmit { round } => {
            let ratings = view::chosen_ratings(&c.message.components);
            if ratings.bytes().all(|d| d == b'0') {
                return reply.respond(whisper(text::NO_RATINGS_YET)).await;
            }
            reply
                .respond(view::notes_form(RoundId(round), ratings))
                .await
        }
        _ => Ok(()),
    }
}

/// The console's buttons other than *Answer*, for the round's interviewer.
async fn console(
    reply: &mut Reply<'_>,
    data: &Data,
    thread: ChannelId,
    action: PairAction,
    pair: &Pair,
    round: &Round,
) -> Result<(), Error> {
    let lib = data.guides();
    let http = reply.http();
    match action {
        PairAction::Briefing => {
            let (role, q) = question(&lib, round)?;
            let brief = CreateInteractionResponseFollowup::new().embeds(view::briefing(role, q));
            reply.whisper_message(brief).await
        }
        PairAction::Ask => {
            let (_, q) = question(&lib, round)?;
            post(http, thread, &text::asked(round.number, &q.text)).await?;
            data.pairs.touch(pair.id, now()).await?;
            reply.whisper(text::ASKED).await
        }
        PairAction::FollowUp => {
            let (_, q) = question(&lib, round)?;
            match view::follow_up_menu(pair.id, q) {
                Some(menu) => {
                    let pick = CreateInteractionResponseFollowup::new()
                        .content(text::FOLLOW_UP_PICK)
                        .components(vec![menu]);
                    reply.whisper_message(pick).await
                }
                None => reply.whisper(text::NO_FOLLOW_UPS).await,
            }
        }
        PairAction::Score => {
            let (_, q) = question(&lib, round)?;
            let rows = view::score_rows(round.id, q, &round.step_keys);
            let card = CreateInteractionResponseFollowup::new()
                .content(text::SCORE_HOW)
                .components(rows);
            reply.whisper_message(card).await
        }
        PairAction::Swap => {
            let avoid = vec![round.question_id.clone()];
            let role_id = pair.role.as_deref();
            let Some((role, q)) = data.interviews.picker().pick_scorable(
                lib.roles(),
                role_id,
                pair.level,
                MAX_SCORED_STEPS,
                &avoid,
            ) else {
                let role = role_id.unwrap_or(text::ANY_ROLE_NAME);
                return reply.whisper(text::no_scorable_question(role)).await;
            };
            let swapped = data
                .pairs
                .swap(
                    pair.id,
                    round.interviewer.unwrap_or_default(),
                    role,
                    q,
                    now(),
                )
                .await?;
            match swapped {
                Ok(swapped) => {
                    post(http, thread, &text::swapped(swapped.round.number)).await?;
                    let console = CreateMessage::new()
                        .content(view::console_text(&swapped.round, &role.name))
                        .components(view::console_buttons(pair.id))
                        .allowed_mentions(no_pings());
                    send(http, thread, console).await?;
                    reply.whisper(text::swapped(swapped.round.number)).await
                }
                Err(refused) => reply.whisper(text::refusal(&refused)).await,
            }
        }
        PairAction::End => {
            let ended = data.pairs.end(pair.id, EndReason::Finished, now()).await?;
            reply.whisper(text::REASON_FINISHED).await?;
            if let Some(summary) = ended {
                finish(http, data, &summary, EndReason::Finished).await;
            }
            Ok(())
        }
        PairAction::Answer => Ok(()),
    }
}

/// The pair and its running round, if `user` interviews in it; else what to tell them.
async fn interviewer_round(data: &Data, pair: PairId, user: u64) -> Result<(Pair, Round), Error> {
    let record = data.pairs.pair(pair).await?;
    let Some(record) = record.filter(|p| p.status.is_open()) else {
        return Err(Error::user(text::NOT_A_PAIR));
    };
    let Some(round) = data.pairs.running_round(pair).await? else {
        return Err(Error::user(text::NOT_A_PAIR));
    };
    if round.interviewer != Some(user) {
        return Err(Error::user(text::ONLY_INTERVIEWER));
    }
    Ok((record, round))
}

/// The round's question in the guides in service.
fn question<'g>(lib: &'g GuideLibrary, round: &Round) -> Result<(&'g Role, &'g Question), Error> {
    lib.role(&round.role_id)
        .and_then(|role| role.question(&round.question_id).map(|q| (role, q)))
        .ok_or_else(|| Error::user(messages::QUESTION_GONE))
}

async fn post(http: &Http, channel: ChannelId, content: &str) -> Result<(), Error> {
    let message = CreateMessage::new()
        .content(fit(content, limits::CONTENT))
        .allowed_mentions(no_pings());
    Ok(send(http, channel, message).await?)
}

/// The value of the form's text input `custom_id`.
fn field(m: &ModalInteraction, custom_id: &str) -> String {
    m.data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == custom_id => t.value.clone(),
            _ => None,
        })
        .unwrap_or_default()
}

/// A submitted notes form or answer form. `false`: not a pair's form.
pub async fn on_modal(
    reply: &mut Reply<'_>,
    data: &Data,
    m: &ModalInteraction,
    id: ComponentId,
) -> Result<(), Error> {
    let user = m.user.id.get();
    match id {
        ComponentId::PairScoreForm { round, ratings } => {
            reply.defer_ephemeral().await?;
            let Some(record) = data.pairs.round(RoundId(round)).await? else {
                return reply.whisper(text::NOT_A_PAIR).await;
            };
            let card = NewScorecard {
                ratings: record
                    .step_keys
                    .iter()
                    .zip(ratings.bytes())
                    .filter(|(_, d)| *d != b'0')
                    .map(|(key, d)| (key.clone(), d - b'0'))
                    .collect(),
                strength: field(m, "strength"),
                improve: field(m, "improve"),
            };
            let scored = data.pairs.score(record.id, user, &card, now()).await?;
            match scored {
                Ok(_) => {
                    data.pairs.touch(record.pair_id, now()).await?;
                    reply.whisper(text::SCORED).await
                }
                Err(refused) => reply.whisper(text::refusal(&refused)).await,
            }
        }
        ComponentId::PairAnswerForm { pair } => {
            reply.defer_ephemeral().await?;
            let answer = field(m, "answer");
            let answered = data
                .pairs
                .answer(PairId(pair), user, m.id.get(), &answer, now())
                .await
                .map_err(|e| Error::from(e).when_busy(messages::BUSY_ANSWER_NOT_SAVED))?;
            match answered {
                Ok(Answered::Recorded(_)) => reply.whisper(text::ANSWER_SAVED).await,
                Ok(Answered::Duplicate) => Ok(()),
                Err(refused) => reply.whisper(text::refusal(&refused)).await,
            }
        }
        _ => Ok(()),
    }
}

/// A message in a thread: if it is a pair's room, the candidate's message is their
/// answer (acknowledged with a reaction), anything else counts as activity. `false` when
/// the thread is not a pair's.
pub async fn on_message(http: &Http, data: &Data, msg: &Message) -> Result<bool, Error> {
    let thread = msg.channel_id.get();
    if !Data::lock(&data.pair_threads).contains(&thread) {
        return Ok(false);
    }
    let Some(pair) = data.pairs.pair_in_thread(thread).await? else {
        return Ok(true);
    };
    let author = msg.author.id.get();
    if msg.content.trim().is_empty() {
        // Without the Message Content intent the text arrives empty: say once per
        // thread how to answer instead.
        let first_time = Data::lock(&data.told_to_use_button).insert(thread);
        if pair.has_member(author) && first_time && msg.attachments.is_empty() {
            let note = CreateMessage::new()
                .content(text::USE_THE_BUTTON)
                .allowed_mentions(no_pings());
            send(http, msg.channel_id, note).await?;
        }
        return Ok(true);
    }
    let answered = data
        .pairs
        .answer(pair.id, author, msg.id.get(), &msg.content, now())
        .await?;
    match answered {
        Ok(Answered::Recorded(_)) => {
            msg.react(http, ReactionType::Unicode(RECEIVED.to_string()))
                .await?;
        }
        Ok(Answered::Duplicate) => {}
        Err(Refusal::NotCandidate | Refusal::NoRound | Refusal::EmptyAnswer) => {
            data.pairs.touch(pair.id, now()).await?;
        }
        Err(other) => {
            tracing::debug!(pair = %pair.id, refusal = ?other, "a message in a pair's room was not taken")
        }
    }
    Ok(true)
}
