//! The checks of peer-interview input that need no store: settings, a round's question,
//! a scorecard. Each says what is wrong as a [`Refusal`] for the front end to word.

use std::collections::HashSet;

use crate::guide::{Question, Role};
use crate::store::{NewScorecard, Pair, PairSettings};

/// The queue time of a server without settings, in minutes.
pub const DEFAULT_QUEUE_MINUTES: u8 = 10;
/// The longest queue time: a queue reply is edited through its interaction token, which
/// Discord honours for 15 minutes.
pub const MAX_QUEUE_MINUTES: u8 = 14;
/// The most framework steps a scorecard rates: one select menu per step and the submit
/// row fill the five rows of a Discord message.
pub const MAX_SCORED_STEPS: usize = crate::guide::limits::PAIR_STEPS_MAX;
/// The longest scorecard note, in characters (the modal's `max_length`).
pub const NOTE_MAX_CHARS: usize = 1000;

/// The settings of a server that never ran `/pair setup`: announced where the second
/// member joined, ten minutes in the queue, no voice.
pub(super) const DEFAULT_SETTINGS: PairSettings = PairSettings {
    channel_id: None,
    queue_minutes: DEFAULT_QUEUE_MINUTES,
    voice: false,
};

/// Why a peer-interview action was turned down. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Queue minutes outside 1–[`MAX_QUEUE_MINUTES`].
    QueueMinutes(u8),
    /// The pair has ended (or no longer exists).
    PairNotOpen,
    /// No round is running.
    NoRound,
    /// A round is running already: swap instead.
    RoundRunning,
    /// Another swap got in first; the round asked about has ended.
    RoundChanged,
    /// Only the round's interviewer may do this.
    NotInterviewer,
    /// Only the round's candidate answers.
    NotCandidate,
    /// The answer was empty.
    EmptyAnswer,
    /// The pair practises this role, not the question's.
    OtherRole { pair_role: String },
    /// The question is not one of the role's.
    NotInRole,
    /// The question is not written for the pair's level.
    OtherLevel,
    /// The question's framework has more steps than a scorecard rates.
    TooManySteps { steps: usize },
    /// A scorecard with no ratings.
    NoRatings,
    /// A rating of a step the round's question does not have.
    UnknownStep(String),
    /// The same step rated twice.
    RatedTwice(String),
    /// A rating outside 1–4.
    RatingOutOfRange { step: String, rating: u8 },
    /// A note left empty.
    EmptyNote(Note),
    /// A note longer than [`NOTE_MAX_CHARS`].
    NoteTooLong { note: Note, chars: usize },
}

/// A scorecard's two notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    Strength,
    Improve,
}

/// `/pair setup`'s values.
pub(super) fn settings(settings: &PairSettings) -> Result<(), Refusal> {
    let minutes = settings.queue_minutes;
    if !(1..=MAX_QUEUE_MINUTES).contains(&minutes) {
        return Err(Refusal::QueueMinutes(minutes));
    }
    Ok(())
}

/// Whether `question` of `role` may be a round of `pair`.
pub(super) fn question(pair: &Pair, role: &Role, question: &Question) -> Result<(), Refusal> {
    if let Some(wanted) = pair.role.as_deref().filter(|wanted| *wanted != role.id) {
        return Err(Refusal::OtherRole {
            pair_role: wanted.to_string(),
        });
    }
    if role.question(&question.id).is_none() {
        return Err(Refusal::NotInRole);
    }
    if !question.suits(pair.level) {
        return Err(Refusal::OtherLevel);
    }
    let steps = question.framework.steps.len();
    if steps > MAX_SCORED_STEPS {
        return Err(Refusal::TooManySteps { steps });
    }
    Ok(())
}

/// The scorecard as it will be stored (notes trimmed), if it rates the round's steps
/// (`step_keys`) properly.
pub(super) fn scorecard(
    step_keys: &[String],
    card: &NewScorecard,
) -> Result<NewScorecard, Refusal> {
    if card.ratings.is_empty() {
        return Err(Refusal::NoRatings);
    }
    let mut seen = HashSet::new();
    for (step, rating) in &card.ratings {
        if !step_keys.contains(step) {
            return Err(Refusal::UnknownStep(step.clone()));
        }
        if !seen.insert(step) {
            return Err(Refusal::RatedTwice(step.clone()));
        }
        if !(1..=4).contains(rating) {
            return Err(Refusal::RatingOutOfRange {
                step: step.clone(),
                rating: *rating,
            });
        }
    }
    let note = |text: &str, which: Note| {
        let text = text.trim();
        let chars = text.chars().count();
        match chars {
            0 => Err(Refusal::EmptyNote(which)),
            n if n > NOTE_MAX_CHARS => Err(Refusal::NoteTooLong { note: which, chars }),
            _ => Ok(text.to_string()),
        }
    };
    Ok(NewScorecard {
        ratings: card.ratings.clone(),
        strength: note(&card.strength, Note::Strength)?,
        improve: note(&card.improve, Note::Improve)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        ["situation", "task", "action", "result"]
            .map(String::from)
            .to_vec()
    }

    fn card(ratings: &[(&str, u8)]) -> NewScorecard {
        NewScorecard {
            ratings: ratings.iter().map(|(k, r)| (k.to_string(), *r)).collect(),
            strength: "  Clear situation. ".into(),
            improve: "Say what you did.".into(),
        }
    }

    #[test]
    fn a_proper_scorecard_is_kept_with_trimmed_notes() {
        let checked = scorecard(&keys(), &card(&[("situation", 4), ("result", 1)])).unwrap();
        assert_eq!(checked.strength, "Clear situation.");
        assert_eq!(checked.ratings.len(), 2);
    }

    #[test]
    fn bad_ratings_are_refused_and_say_which() {
        let keys = keys();
        assert_eq!(scorecard(&keys, &card(&[])), Err(Refusal::NoRatings));
        assert_eq!(
            scorecard(&keys, &card(&[("impact", 3)])),
            Err(Refusal::UnknownStep("impact".into()))
        );
        assert_eq!(
            scorecard(&keys, &card(&[("task", 3), ("task", 2)])),
            Err(Refusal::RatedTwice("task".into()))
        );
        for rating in [0, 5] {
            assert_eq!(
                scorecard(&keys, &card(&[("task", rating)])),
                Err(Refusal::RatingOutOfRange {
                    step: "task".into(),
                    rating
                })
            );
        }
    }

    #[test]
    fn notes_must_be_written_and_short_enough() {
        let mut empty = card(&[("task", 2)]);
        empty.improve = "   ".into();
        assert_eq!(
            scorecard(&keys(), &empty),
            Err(Refusal::EmptyNote(Note::Improve))
        );
        let mut long = card(&[("task", 2)]);
        long.strength = "é".repeat(NOTE_MAX_CHARS + 1);
        assert_eq!(
            scorecard(&keys(), &long),
            Err(Refusal::NoteTooLong {
                note: Note::Strength,
                chars: NOTE_MAX_CHARS + 1
            })
        );
        long.strength = "é".repeat(NOTE_MAX_CHARS);
        assert!(scorecard(&keys(), &long).is_ok());
    }

    #[test]
    fn queue_minutes_must_be_one_to_fourteen() {
        let with = |queue_minutes| PairSettings {
            queue_minutes,
            ..DEFAULT_SETTINGS
        };
        assert_eq!(settings(&with(0)), Err(Refusal::QueueMinutes(0)));
        assert_eq!(settings(&with(15)), Err(Refusal::QueueMinutes(15)));
        assert!(settings(&with(1)).is_ok());
        assert!(settings(&with(14)).is_ok());
        assert!(settings(&DEFAULT_SETTINGS).is_ok());
    }
}
