//! Glue between the guide loader's types and the feedback's own inputs.
//!
//! The analyser's inputs stay owned and serde-able (the engine keeps them in
//! session state); these conversions are the only place that knows the
//! loader's model.

use std::sync::Arc;

use crate::guide::{Framework, FrameworkStep, GuideLibrary, Question, Role, Vocabulary};

use super::{AnswerContext, Cues, FrameworkRef, RoleTerms, StepRef, Term};

impl FrameworkRef {
    pub fn from_framework(f: &Framework) -> FrameworkRef {
        FrameworkRef {
            id: f.id.clone(),
            name: f.name.clone(),
            steps: f.steps.iter().map(StepRef::from_step).collect(),
        }
    }
}

impl StepRef {
    pub fn from_step(s: &FrameworkStep) -> StepRef {
        StepRef {
            key: s.key.clone(),
            name: s.name.clone(),
            guidance: Some(s.guidance.clone()),
            probe: s.probe.clone(),
            functions: s.functions.clone(),
            first_person: s.first_person,
        }
    }
}

impl RoleTerms {
    pub fn from_vocabulary(v: &Vocabulary) -> RoleTerms {
        let terms = |list: &[String]| {
            list.iter()
                .map(|c| Term {
                    canonical: c.clone(),
                    variants: v
                        .synonyms
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, vs)| vs.clone())
                        .unwrap_or_default(),
                })
                .collect()
        };
        RoleTerms {
            skills: terms(&v.skills),
            metrics: terms(&v.metrics),
            stakeholders: terms(&v.stakeholders),
        }
    }
}

impl AnswerContext {
    /// The context for answering `question` as `role`; the loader has already
    /// applied the default length band to `question.answer_words`.
    pub fn for_question(role: &Role, question: &Question) -> AnswerContext {
        AnswerContext {
            framework: FrameworkRef::from_framework(&question.framework),
            terms: RoleTerms::from_vocabulary(&role.vocabulary),
            target_words: question.answer_words,
        }
    }
}

/// The coach's side of a loaded library: its cue file compiled into matchers.
///
/// The library keeps the compiled form, made on the first call, for as long as
/// it lives; a reload builds a new library and so compiles anew.
pub trait LibraryCues {
    /// `None` when the guides have no cue file.
    fn cues(&self) -> Option<&Arc<Cues>>;
}

impl LibraryCues for GuideLibrary {
    fn cues(&self) -> Option<&Arc<Cues>> {
        self.compiled_cues(|file, model| Arc::new(Cues::compile(file, model)))
    }
}
