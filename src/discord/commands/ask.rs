//! `/ask`: one question with everything needed to prepare an answer.

use poise::CreateReply;
use serenity::all::{CreateActionRow, CreateEmbed};

use super::{complete_category, complete_level, complete_question, complete_role};
use crate::coach::select::Filter;
use crate::discord::render::{ask_buttons, no_pings, AskView};
use crate::discord::{AppContext, Data, Error};
use crate::guide::{Category, Question, Role};
use crate::messages;

/// The embed and buttons of an `/ask` reply.
pub fn ask_reply(role: &Role, q: &Question) -> (CreateEmbed, Vec<CreateActionRow>) {
    (AskView::new(role, q).embed(), ask_buttons(role, q))
}

/// Picks the question to show: the one asked for, or a fresh random one.
pub fn choose<'r>(
    data: &Data,
    user: u64,
    role: &'r Role,
    question: Option<&str>,
    category: Option<&str>,
    level: Option<&str>,
) -> Result<&'r Question, Error> {
    if let Some(id) = question.filter(|q| !q.trim().is_empty()) {
        let q = role
            .resolve_question(id)
            .map_err(|u| Error::user(messages::unknown_question(&role.id, &u)))?;
        data.interviews.picker().remember(user, role, &q.id);
        return Ok(q);
    }
    let category = match category.filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(Category::parse(c).ok_or_else(|| {
            let ids: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
            Error::user(messages::unknown_category(c, &ids))
        })?),
        None => None,
    };
    let level = super::parse_level(level)?;
    let filter = Filter {
        category,
        stage: None,
        level,
    };
    data.interviews
        .picker()
        .pick_for(user, role, filter)
        .ok_or_else(|| {
            Error::user(match (level, filter.category) {
                (Some(l), None) => messages::no_question_at_level(&role.name, l.id()),
                _ => messages::no_question_matches(&role.name),
            })
        })
}

/// Get an interview question with why it is asked, how to structure the answer, and follow-ups
#[poise::command(slash_command, rename = "ask")]
pub async fn ask(
    ctx: AppContext<'_>,
    #[description = "The role you are interviewing for"]
    #[autocomplete = "complete_role"]
    role: String,
    #[description = "A specific question (optional)"]
    #[autocomplete = "complete_question"]
    question: Option<String>,
    #[description = "Only questions of this kind (optional)"]
    #[autocomplete = "complete_category"]
    category: Option<String>,
    #[description = "Only questions for this level: junior, mid, senior or staff (optional)"]
    #[autocomplete = "complete_level"]
    level: Option<String>,
) -> Result<(), Error> {
    let lib = ctx.data().guides();
    let role = lib
        .resolve_role(&role)
        .map_err(|u| Error::user(messages::unknown_role(&u)))?;
    let q = choose(
        ctx.data(),
        ctx.author().id.get(),
        role,
        question.as_deref(),
        category.as_deref(),
        level.as_deref(),
    )?;
    let (embed, components) = ask_reply(role, q);
    ctx.send(
        CreateReply::default()
            .embed(embed)
            .components(components)
            .allowed_mentions(no_pings()),
    )
    .await?;
    Ok(())
}
