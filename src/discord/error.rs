//! One error type for the bot, separating what the member is told (short,
//! friendly, ephemeral) from what the operator needs in the log.

use serenity::all::{HttpError, StatusCode};

use crate::messages;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the member can fix or should know; shown as is, not logged
    /// as a failure.
    #[error("{0}")]
    User(String),
    // Boxed: serenity's error is large, and every `Result` in the bot carries this type.
    #[error("Discord request failed: {0}")]
    Discord(Box<serenity::Error>),
    #[error("storage failed: {0}")]
    Store(Box<StoreError>),
    /// The database stayed locked past the busy timeout; `told` says what did
    /// not happen, in the member's terms (see [`Error::when_busy`]).
    #[error("storage failed: {source}")]
    Busy {
        told: &'static str,
        source: Box<StoreError>,
    },
    #[error("{0}")]
    Internal(String),
}

impl From<serenity::Error> for Error {
    fn from(e: serenity::Error) -> Self {
        Error::Discord(Box::new(e))
    }
}

// Every store failure that reaches the bot passes one of these two conversions, so
// they count them for the metrics.
impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        metrics::counter!("interview_coach_store_errors_total").increment(1);
        Error::Store(Box::new(e))
    }
}

impl From<crate::session::Error> for Error {
    fn from(e: crate::session::Error) -> Self {
        match e {
            crate::session::Error::Store(e) => Error::from(e),
            crate::session::Error::Internal(why) => Error::Internal(why),
        }
    }
}

impl Error {
    pub fn user(message: impl Into<String>) -> Self {
        Error::User(message.into())
    }

    /// This error, or, if it is a busy database, one that tells the member
    /// `told` (what did not happen) instead of the generic wording.
    pub fn when_busy(self, told: &'static str) -> Self {
        match self {
            Error::Store(source) if matches!(*source, StoreError::Busy { .. }) => {
                Error::Busy { told, source }
            }
            other => other,
        }
    }

    /// The HTTP status Discord answered with, if this was a Discord HTTP error.
    pub fn discord_status(&self) -> Option<StatusCode> {
        match self {
            Error::Discord(e) => match e.as_ref() {
                serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.status_code),
                _ => None,
            },
            _ => None,
        }
    }

    /// What the member sees. Never includes internals.
    pub fn user_message(&self) -> String {
        match self {
            Error::User(message) => message.clone(),
            Error::Busy { told, .. } => (*told).into(),
            Error::Store(e) if matches!(**e, StoreError::Busy { .. }) => messages::BUSY.into(),
            _ => match self.discord_status().map(|s| s.as_u16()) {
                Some(403) => messages::NO_PERMISSION.into(),
                Some(404) => messages::GONE.into(),
                Some(429) => messages::RATE_LIMITED.into(),
                Some(s) if s >= 500 => messages::DISCORD_FAILED.into(),
                _ => messages::OUR_FAULT.into(),
            },
        }
    }

    /// Whether the operator should hear about it at error level.
    pub fn is_operator_problem(&self) -> bool {
        !matches!(self, Error::User(_))
    }
}

/// True for a Discord answer worth retrying later (rate limit, server error).
pub fn is_transient(error: &serenity::Error) -> bool {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            r.status_code.as_u16() == 429 || r.status_code.is_server_error()
        }
        serenity::Error::Http(HttpError::Request(_)) => true,
        _ => false,
    }
}

/// The status of a failed Discord request, if it was an HTTP answer.
pub fn status_of(error: &serenity::Error) -> Option<u16> {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.status_code.as_u16()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy() -> Error {
        Error::from(StoreError::Busy {
            database: "bot.db".into(),
            op: "delete a member's data",
            timeout: std::time::Duration::from_millis(300),
        })
    }

    #[test]
    fn a_busy_database_is_told_in_the_callers_words_and_still_logged() {
        assert_eq!(busy().user_message(), messages::BUSY);
        let told = busy().when_busy(messages::BUSY_NOTHING_DELETED);
        assert_eq!(told.user_message(), messages::BUSY_NOTHING_DELETED);
        assert!(told.is_operator_problem());
        let other = Error::user("no").when_busy(messages::BUSY_NOTHING_DELETED);
        assert_eq!(other.user_message(), "no");
    }
}
