//! Slash commands, one module per group, plus the one error handler and the
//! autocomplete helpers they share.

mod ask;
mod daily;
mod guides;
mod help;
mod history;
mod mock;
mod pair;
mod progress;

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::all::{AutocompleteChoice, CreateAutocompleteResponse, ResolvedValue};

use super::render::{fit, limits, no_pings};
use super::{AppContext, Data, Error};
use crate::guide::{Category, Level};

pub use ask::ask_reply;

pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask::ask(),
        mock::mock(),
        guides::guides(),
        history::history(),
        history::forget_me(),
        daily::daily(),
        daily::streak(),
        pair::pair(),
        progress::progress(),
        help::help(),
    ]
}

/// Records how long a command took, from the interaction's creation (its id's
/// timestamp) to now: what the member waited, whatever the outcome.
pub fn record_duration(ctx: poise::Context<'_, Data, Error>) {
    // A snowflake's top 42 bits are milliseconds since Discord's epoch (2015).
    let created = (ctx.id() >> 22) as i64 + 1_420_070_400_000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let seconds = (now - created).max(0) as f64 / 1000.0;
    let command = ctx.command().qualified_name.clone();
    metrics::histogram!("interview_coach_command_seconds", "command" => command).record(seconds);
}

/// Everything a command returns as an error ends here: the member gets a
/// short ephemeral message, the operator a log line with the details.
pub async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            record_duration(ctx);
            if error.is_operator_problem() {
                tracing::error!(command = %ctx.command().qualified_name, error = %error, "command failed");
            } else {
                tracing::debug!(command = %ctx.command().qualified_name, message = %error, "told the member");
            }
            let reply = CreateReply::default()
                .content(fit(&error.user_message(), limits::CONTENT))
                .ephemeral(true)
                .allowed_mentions(no_pings());
            if let Err(e) = ctx.send(reply).await {
                tracing::warn!(error = %e, "could not tell the member about an error");
            }
        }
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(event = event.snake_case_name(), error = %error, "event handling failed");
        }
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!(error = %error, "start-up failed");
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!(error = %e, "could not report a framework error");
            }
        }
    }
}

/// Sends an ephemeral, ping-free text reply.
pub async fn whisper(ctx: AppContext<'_>, text: impl Into<String>) -> Result<(), Error> {
    ctx.send(
        CreateReply::default()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
    .await?;
    Ok(())
}

/// The string value another option of the same command has so far, for
/// autocompletes that depend on it (questions depend on the role).
fn option_value(ctx: AppContext<'_>, name: &str) -> Option<String> {
    ctx.interaction
        .data
        .options()
        .into_iter()
        .find(|o| o.name == name)
        .and_then(|o| match o.value {
            ResolvedValue::String(s) => Some(s.to_string()),
            ResolvedValue::Autocomplete { value, .. } => Some(value.to_string()),
            _ => None,
        })
}

/// Discord allows at most 25 choices, each name at most 100 characters.
fn choices(items: impl Iterator<Item = (String, String)>) -> CreateAutocompleteResponse {
    let list = items
        .take(25)
        .map(|(name, value)| AutocompleteChoice::new(super::render::fit(&name, 100), value))
        .collect();
    CreateAutocompleteResponse::new().set_choices(list)
}

pub async fn complete_role(ctx: AppContext<'_>, partial: &str) -> CreateAutocompleteResponse {
    let lib = ctx.data().guides();
    choices(role_choices(&lib, partial))
}

/// The roles whose id, name or alias contains what was typed, as `(name, id)`.
fn role_choices<'l>(
    lib: &'l crate::guide::GuideLibrary,
    partial: &str,
) -> impl Iterator<Item = (String, String)> + 'l {
    let needle = partial.trim().to_lowercase();
    lib.roles()
        .iter()
        .filter(move |r| {
            needle.is_empty()
                || r.id.contains(&needle)
                || r.name.to_lowercase().contains(&needle)
                || r.aliases.iter().any(|a| a.contains(&needle))
        })
        .map(|r| (format!("{} ({})", r.name, r.id), r.id.clone()))
}

pub async fn complete_question(ctx: AppContext<'_>, partial: &str) -> CreateAutocompleteResponse {
    let lib = ctx.data().guides();
    let Some(role) = option_value(ctx, "role").and_then(|r| lib.role(&r).cloned()) else {
        return CreateAutocompleteResponse::new().set_choices(Vec::new());
    };
    let needle = partial.trim().to_lowercase();
    choices(
        role.questions
            .iter()
            .filter(|q| {
                needle.is_empty()
                    || q.id.contains(&needle)
                    || q.text.to_lowercase().contains(&needle)
            })
            .map(|q| (q.text.clone(), q.id.clone())),
    )
}

/// A level typed in a command option; blank is none.
pub fn parse_level(level: Option<&str>) -> Result<Option<Level>, Error> {
    match level.filter(|l| !l.trim().is_empty()) {
        Some(l) => Level::parse(l).map(Some).ok_or_else(|| {
            let ids: Vec<&str> = Level::ALL.iter().map(|l| l.id()).collect();
            Error::user(crate::messages::unknown_level(l, &ids))
        }),
        None => Ok(None),
    }
}

pub async fn complete_level(ctx: AppContext<'_>, partial: &str) -> CreateAutocompleteResponse {
    let lib = ctx.data().guides();
    let role = option_value(ctx, "role").and_then(|r| lib.role(&r).cloned());
    let needle = partial.trim().to_lowercase();
    choices(
        Level::ALL
            .into_iter()
            .filter(|l| {
                role.as_ref()
                    .is_none_or(|r| r.questions.iter().any(|q| q.suits(Some(*l))))
            })
            .filter(|l| needle.is_empty() || l.id().contains(&needle))
            .map(|l| (l.label().to_string(), l.id().to_string())),
    )
}

pub async fn complete_category(ctx: AppContext<'_>, partial: &str) -> CreateAutocompleteResponse {
    let lib = ctx.data().guides();
    let role = option_value(ctx, "role").and_then(|r| lib.role(&r).cloned());
    let needle = partial.trim().to_lowercase();
    choices(
        Category::ALL
            .into_iter()
            .filter(|c| role.as_ref().is_none_or(|r| r.has_category(*c)))
            .filter(|c| needle.is_empty() || c.id().contains(&needle))
            .map(|c| (c.label().to_string(), c.id().to_string())),
    )
}
