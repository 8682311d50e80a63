//! Glue between the guide loader's types and the feedback's own inputs.
//!
//! The analyser's inputs stay owned and serde-able (the engine keeps them in
//! session state); these conversions are the only place that knows the
//! loader's model.

use std::path::Path;
use std::sync::Arc;

use crate::guide::read::SourceFile;
use crate::guide::{
    Framework, FrameworkStep, GuideError, GuideLibrary, Question, Role, Vocabulary,
};

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

impl Cues {
    /// Compile the `[feedback]` file the loader has read. This is what the
    /// loader calls when a file's top-level table is `[feedback]`, after the
    /// frameworks are known; each error comes back as `path:line:column`.
    pub fn from_source(
        file: &SourceFile,
        frameworks: &[Arc<Framework>],
    ) -> Result<Cues, Vec<GuideError>> {
        let refs: Vec<FrameworkRef> = frameworks
            .iter()
            .map(|f| FrameworkRef::from_framework(f))
            .collect();
        Cues::from_toml(&file.text, &refs).map_err(|errs| {
            errs.into_iter()
                .map(|e| match e.span {
                    Some(span) => file.error_at(span.start, e.message),
                    None => GuideError::whole_file(&file.path, e.message),
                })
                .collect()
        })
    }

    /// Read and compile `shared/feedback.toml` under the library's folder.
    /// For callers outside the loader (tools, tests) until the library
    /// carries the compiled cues itself.
    pub fn load_for(library: &GuideLibrary) -> Result<Cues, Vec<GuideError>> {
        Cues::load_file(
            &library.dir().join("shared").join("feedback.toml"),
            library.frameworks(),
        )
    }

    pub fn load_file(path: &Path, frameworks: &[Arc<Framework>]) -> Result<Cues, Vec<GuideError>> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![GuideError::whole_file(
                path,
                format!("cannot read file: {e}"),
            )]
        })?;
        Cues::from_source(&SourceFile::new(path.to_path_buf(), text), frameworks)
    }
}
