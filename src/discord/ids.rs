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
    /// A button of a pair's console (or its candidate's *Answer*).
    Pair { action: PairAction, pair: i64 },
    /// The interviewer chose a follow-up of the pair's running round to post.
    PairFollowUpPick { pair: i64 },
    /// A 1–4 rating of the round's step number `step` (0-based) on the scoring message.
    PairRate { round: i64, step: u8 },
    /// *Submit ratings* on the scoring message: opens the notes form.
    PairScoreSubmit { round: i64 },
    /// The submitted notes form; `ratings` has a digit per step, 0 for not rated.
    PairScoreForm { round: i64, ratings: String },
    /// The submitted answer form of a pair's candidate.
    PairAnswerForm { pair: i64 },
}

/// The buttons of a pair's room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairAction {
    Briefing,
    Ask,
    FollowUp,
    Score,
    Swap,
    End,
    Answer,
}

impl PairAction {
    pub const ALL: [PairAction; 7] = [
        PairAction::Briefing,
        PairAction::Ask,
        PairAction::FollowUp,
        PairAction::Score,
        PairAction::Swap,
        PairAction::End,
        PairAction::Answer,
    ];

    fn as_str(self) -> &'static str {
        match self {
            PairAction::Briefing => "brief",
            PairAction::Ask => "ask",
            PairAction::FollowUp => "fu",
            PairAction::Score => "score",
            PairAction::Swap => "swap",
            PairAction::End => "end",
            PairAction::Answer => "answer",
        }
    }
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
            ComponentId::Pair { action, pair } => {
                format!("{PREFIX}:pair:{}:{pair}", action.as_str())
            }
            ComponentId::PairFollowUpPick { pair } => format!("{PREFIX}:pair-fu:{pair}"),
            ComponentId::PairRate { round, step } => format!("{PREFIX}:pair-rate:{round}:{step}"),
            ComponentId::PairScoreSubmit { round } => format!("{PREFIX}:pair-submit:{round}"),
            ComponentId::PairScoreForm { round, ratings } => {
                format!("{PREFIX}:pair-card:{round}:{ratings}")
            }
            ComponentId::PairAnswerForm { pair } => format!("{PREFIX}:pair-answer:{pair}"),
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
            ("pair", [action, pair]) => ComponentId::Pair {
                action: PairAction::ALL
                    .into_iter()
                    .find(|a| a.as_str() == *action)?,
                pair: pair.parse().ok()?,
            },
            ("pair-fu", [pair]) => ComponentId::PairFollowUpPick {
                pair: pair.parse().ok()?,
            },
            ("pair-rate", [round, step]) => ComponentId::PairRate {
                round: round.parse().ok()?,
                step: step.parse().ok()?,
            },
            ("pair-submit", [round]) => ComponentId::PairScoreSubmit {
                round: round.parse().ok()?,
            },
            ("pair-card", [round, ratings])
                if ratings.bytes().all(|b| (b'0'..=b'4').contains(&b)) =>
            {
                ComponentId::PairScoreForm {
                    round: round.parse().ok()?,
                    ratings: owned(ratings),
                }
            }
            ("pair-answer", [pair]) => ComponentId::PairAnswerForm {
                pair: pair.parse().ok()?,
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
            ComponentId::PairFollowUpPick { pair: i64::MAX },
            ComponentId::PairRate {
                round: i64::MAX,
                step: 3,
            },
            ComponentId::PairScoreSubmit { round: 7 },
            ComponentId::PairScoreForm {
                round: i64::MAX,
                ratings: "4301".into(),
            },
            ComponentId::PairAnswerForm { pair: 9 },
        ];
        let ids = ids
            .into_iter()
            .chain(PairAction::ALL.into_iter().map(|action| ComponentId::Pair {
                action,
                pair: i64::MAX,
            }));
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
        assert_eq!(ComponentId::decode("ic:pair-card:1:45"), None);
        assert_eq!(ComponentId::decode("ic:pair:dance:1"), None);
        assert_eq!(ComponentId::decode(""), None);
    }
}
