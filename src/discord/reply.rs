//! Answering a button press or a submitted form. Discord drops an interaction
//! that is not acknowledged within 3 seconds, so handlers acknowledge before
//! any store work (a busy database can take the whole busy timeout), and
//! [`Reply`] remembers whether they did: whatever goes wrong afterwards still
//! reaches the member, as a follow-up instead of a first answer.

use poise::serenity_prelude as serenity;
use serenity::all::{
    Builder, ComponentInteraction, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, EditInteractionResponse, Http, InteractionId,
    ModalInteraction,
};

use super::error::Error;
use super::render::{fit, limits, no_pings};

/// One interaction's answers, in order: at most one first response, then
/// edits and follow-ups.
pub struct Reply<'a> {
    http: &'a Http,
    id: InteractionId,
    token: &'a str,
    acknowledged: bool,
}

impl<'a> Reply<'a> {
    pub fn to_component(http: &'a Http, c: &'a ComponentInteraction) -> Self {
        Reply::new(http, c.id, &c.token)
    }

    pub fn to_modal(http: &'a Http, m: &'a ModalInteraction) -> Self {
        Reply::new(http, m.id, &m.token)
    }

    fn new(http: &'a Http, id: InteractionId, token: &'a str) -> Self {
        Reply {
            http,
            id,
            token,
            acknowledged: false,
        }
    }

    pub fn http(&self) -> &'a Http {
        self.http
    }

    /// The first answer: a message, a form, an update of the clicked message.
    pub async fn respond(&mut self, response: CreateInteractionResponse) -> Result<(), Error> {
        response.execute(self.http, (self.id, self.token)).await?;
        self.acknowledged = true;
        Ok(())
    }

    /// Acknowledges without changing the clicked message (or the form's);
    /// the result comes later as an edit or a follow-up.
    pub async fn defer_update(&mut self) -> Result<(), Error> {
        self.respond(CreateInteractionResponse::Acknowledge).await
    }

    /// Acknowledges with "thinking…" that only the member sees; the first
    /// follow-up replaces it.
    pub async fn defer_ephemeral(&mut self) -> Result<(), Error> {
        let only_them = CreateInteractionResponseMessage::new().ephemeral(true);
        self.respond(CreateInteractionResponse::Defer(only_them))
            .await
    }

    /// Says `text` to the member alone: as the first answer if there was
    /// none yet, else as a follow-up.
    pub async fn whisper(&mut self, text: impl Into<String>) -> Result<(), Error> {
        let text = fit(&text.into(), limits::CONTENT);
        if !self.acknowledged {
            return self.respond(whisper(text)).await;
        }
        CreateInteractionResponseFollowup::new()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(no_pings())
            .execute(self.http, (None, self.token))
            .await?;
        Ok(())
    }

    /// Sends `message` (embeds, menus) to the member alone, after a deferral.
    pub async fn whisper_message(
        &self,
        message: CreateInteractionResponseFollowup,
    ) -> Result<(), Error> {
        message
            .ephemeral(true)
            .allowed_mentions(no_pings())
            .execute(self.http, (None, self.token))
            .await?;
        Ok(())
    }

    /// Changes the message a deferred update was for (the clicked message).
    pub async fn edit_original(&self, edit: EditInteractionResponse) -> Result<(), Error> {
        edit.allowed_mentions(no_pings())
            .execute(self.http, self.token)
            .await?;
        Ok(())
    }

    /// Ends the handling: if it failed, the member is told what went wrong,
    /// and the operator too when it is theirs to fix.
    pub async fn settle(&mut self, handled: Result<(), Error>) {
        if let Err(e) = handled {
            self.fail(&e).await;
        }
    }

    /// Never fails: a reply that cannot be sent is logged.
    async fn fail(&mut self, error: &Error) {
        if error.is_operator_problem() {
            tracing::error!(error = %error, "interaction failed");
        }
        if let Err(e) = self.whisper(error.user_message()).await {
            tracing::warn!(error = %e, "could not tell the member about an error");
        }
    }
}

/// A first answer only the member sees, pinging nobody.
pub fn whisper(text: impl Into<String>) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(fit(&text.into(), limits::CONTENT))
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
}
