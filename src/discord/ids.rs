//! Button and modal ids. They carry everything a click needs (role and
//! question ids), never a pointer into memory, so a button keeps working after
//! a restart or a guide reload. Guide ids are at most 40 characters, so the
//! longest id here stays well under Discord's 100.

const PREFIX: &str = "ic";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentId {
    /// Show the example answer of a question (ephemeral to whoever clicks).
    Example { role: String, question: String },
    /// A new `/ask` reply for the same role.
    Another { role: String },
    /// Start a mock interview that opens with this question.
    Practice { role: String, question: String },
    /// In a mock thread: open the answer form. The thread says which interview.
    Answer,
    /// In a mock thread: end the interview now.
    End,
    /// The submitted answer form.
    AnswerModal,
    /// `/forget-me`: confirmed or cancelled.
    Forget { confirmed: bool },
    /// On a day's post: open the form to answer it.
    DailyAnswer { post: i64 },
    /// On a day's post: the presser's own feedback on their answer.
    DailyFeedback { post: i64 },
    /// The submitted form answering a day's post.
    DailyForm { post: i64 },
}

impl ComponentId {
    pub fn encode(&self) -> String {
        match self {
            ComponentId::Example { role, question } => format!("{PREFIX}:ex:{role}:{question}"),
            ComponentId::Another { role } => format!("{PREFIX}:more:{role}"),
            ComponentId::Practice { role, question } => format!("{PREFIX}:mock:{role}:{question}"),
            ComponentId::Answer => format!("{PREFIX}:answer"),
            ComponentId::End => format!("{PREFIX}:end"),
            ComponentId::AnswerModal => format!("{PREFIX}:answer-form"),
            ComponentId::Forget { confirmed: true } => format!("{PREFIX}:forget:yes"),
            ComponentId::Forget { confirmed: false } => format!("{PREFIX}:forget:no"),
            ComponentId::DailyAnswer { post } => format!("{PREFIX}:daily-answer:{post}"),
            ComponentId::DailyFeedback { post } => format!("{PREFIX}:daily-feedback:{post}"),
            ComponentId::DailyForm { post } => format!("{PREFIX}:daily-form:{post}"),
        }
    }

    /// `None` for ids this bot did not make (or an older, unknown shape).
    pub fn decode(id: &str) -> Option<ComponentId> {
        let mut parts = id.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let kind = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        let owned = |s: &str| s.to_string();
        Some(match (kind, rest.as_slice()) {
            ("ex", [role, question]) => ComponentId::Example {
                role: owned(role),
                question: owned(question),
            },
            ("more", [role]) => ComponentId::Another { role: owned(role) },
            ("mock", [role, question]) => ComponentId::Practice {
                role: owned(role),
                question: owned(question),
            },
            ("answer", []) => ComponentId::Answer,
            ("end", []) => ComponentId::End,
            ("answer-form", []) => ComponentId::AnswerModal,
            ("forget", ["yes"]) => ComponentId::Forget { confirmed: true },
            ("forget", ["no"]) => ComponentId::Forget { confirmed: false },
            ("daily-answer", [post]) => ComponentId::DailyAnswer {
                post: post.parse().ok()?,
            },
            ("daily-feedback", [post]) => ComponentId::DailyFeedback {
                post: post.parse().ok()?,
            },
            ("daily-form", [post]) => ComponentId::DailyForm {
                post: post.parse().ok()?,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_round_trips_and_fits_discord() {
        let long = "a".repeat(40);
        let ids = [
            ComponentId::Example {
                role: long.clone(),
                question: long.clone(),
            },
            ComponentId::Another { role: long.clone() },
            ComponentId::Practice {
                role: long.clone(),
                question: long,
            },
            ComponentId::Answer,
            ComponentId::End,
            ComponentId::AnswerModal,
            ComponentId::Forget { confirmed: true },
            ComponentId::Forget { confirmed: false },
            ComponentId::DailyAnswer { post: i64::MAX },
            ComponentId::DailyFeedback { post: 1 },
            ComponentId::DailyForm { post: 42 },
        ];
        for id in ids {
            let encoded = id.encode();
            assert!(encoded.len() <= 100, "{encoded}");
            assert_eq!(ComponentId::decode(&encoded), Some(id));
        }
    }

    #[test]
    fn foreign_ids_are_ignored() {
        assert_eq!(ComponentId::decode("other:ex:a:b"), None);
        assert_eq!(ComponentId::decode("ic:ex:onlyrole"), None);
        assert_eq!(ComponentId::decode(""), None);
    }
}
