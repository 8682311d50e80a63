//! Joining the files: frameworks, templates and the cue file are looked up
//! across them, every way to name a role must lead to one role, and each
//! role's questions are assembled from their templates.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::assemble::{assemble, require_fields};
use super::fields::unknown_expected_steps;
use super::file::{Raw, RawFramework, RawQuestion, RawRole};
use crate::guide::cues::{self, CueFile};
use crate::guide::model::{lookup_key, Framework, GuideLibrary, Question, Role};
use crate::guide::read::{GuideError, SourceFile, Text};
use crate::guide::sentences::{self, SentenceModelFile};
use crate::guide::suggest;

/// Turns the raw pieces into the library, reporting cross-file problems.
pub(super) fn resolve(
    dir: &Path,
    files: &[SourceFile],
    raw: Raw,
    errors: &mut Vec<GuideError>,
) -> GuideLibrary {
    let mut r = Resolver {
        files,
        errors,
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    // The model first: frameworks name its functions. Then frameworks:
    // questions and the cue file refer to them.
    let sentence_model = r.sentence_model(&raw.sentence_models);
    let frameworks = r.frameworks(raw.frameworks, sentence_model.as_ref());
    let cue_file = r.cue_file(&raw.feedback, &frameworks);
    let known = Known {
        framework_ids: frameworks.iter().map(|f| f.id.as_str()).collect(),
        templates: HashMap::new(),
        template_ids: Vec::new(),
    };
    let known = r.templates(&raw.templates, known, &frameworks);
    let (roles, lookup) = r.roles(raw.roles, &known, &frameworks);
    if roles.is_empty() && r.errors.is_empty() {
        r.errors.push(GuideError::whole_file(
            dir,
            "no role files found (a role file has a [role] table); see guides/README.md",
        ));
    }
    GuideLibrary {
        dir: dir.to_path_buf(),
        roles,
        lookup,
        templates: known.templates.len(),
        frameworks,
        files: files.len(),
        cue_file,
        sentence_model,
        compiled_cues: Default::default(),
        digest: digest(dir, files),
        warnings: r.warnings,
        strict_notes: {
            let mut notes = r.notes;
            notes.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
            notes.dedup();
            notes
        },
    }
}

/// What questions may refer to.
struct Known<'r> {
    framework_ids: Vec<&'r str>,
    templates: HashMap<String, &'r RawQuestion>,
    /// Sorted, for hints.
    template_ids: Vec<&'r str>,
}

struct Resolver<'a> {
    files: &'a [SourceFile],
    errors: &'a mut Vec<GuideError>,
    warnings: Vec<GuideError>,
    /// For the strict check only (see `guide::lint`).
    notes: Vec<GuideError>,
}

impl Resolver<'_> {
    fn err(&mut self, file: usize, span: &Range<usize>, message: String) {
        self.errors
            .push(self.files[file].error_at(span.start, message));
    }

    /// `path:line` of an earlier definition, for "already defined" messages.
    fn place(&self, file: usize, span: &Range<usize>) -> String {
        let (line, _) = self.files[file].position(span.start);
        format!("{}:{line}", self.files[file].path.display())
    }

    fn sentence_model(&mut self, files: &[usize]) -> Option<SentenceModelFile> {
        let mut model = None;
        for &index in files {
            let file = &self.files[index];
            if model.is_some() {
                self.errors.push(GuideError::whole_file(
                    &file.path,
                    "a second [sentence_model] file; keep one (guides/shared/sentences.toml)",
                ));
                continue;
            }
            match sentences::read(file) {
                Ok(m) => model = Some(m),
                Err(e) => self.errors.extend(e),
            }
        }
        model
    }

    fn frameworks(
        &mut self,
        raw: Vec<RawFramework>,
        model: Option<&SentenceModelFile>,
    ) -> Vec<Arc<Framework>> {
        let mut frameworks: Vec<Arc<Framework>> = Vec::new();
        let mut defined_at: HashMap<String, (usize, Range<usize>)> = HashMap::new();
        for f in raw {
            for name in &f.function_names {
                let message = match model {
                    Some(m) if m.function(&name.value).is_none() => format!(
                        "unknown sentence function `{}`; the sentence model has: {}",
                        name.value,
                        m.functions.join(", ")
                    ),
                    Some(_) => continue,
                    None => format!(
                        "`functions` names sentence function `{}`, but the guides have no sentence \
                         model ([sentence_model] file, guides/shared/sentences.toml)",
                        name.value
                    ),
                };
                self.err(f.file, &name.span, message);
            }
            if let Some((file, span)) = defined_at.get(&f.framework.id) {
                let message = format!(
                    "duplicate framework id `{}` (already defined in {})",
                    f.framework.id,
                    self.place(*file, span)
                );
                self.err(f.file, &f.id_span, message);
                continue;
            }
            defined_at.insert(f.framework.id.clone(), (f.file, f.id_span.clone()));
            let steps = f.framework.steps.len();
            if steps > super::limits::PAIR_STEPS_MAX {
                let message = format!(
                    "warning: framework `{}` has {steps} steps; a peer interview's scorecard rates at most \
                     {}, so `/pair` never asks its questions",
                    f.framework.id,
                    super::limits::PAIR_STEPS_MAX
                );
                self.warnings
                    .push(self.files[f.file].error_at(f.id_span.start, message));
            }
            frameworks.push(Arc::new(f.framework));
        }
        frameworks
    }

    /// The cue file names framework steps, so it is checked once the
    /// frameworks are known.
    fn cue_file(&mut self, feedback: &[usize], frameworks: &[Arc<Framework>]) -> Option<CueFile> {
        let mut cue_file = None;
        for &index in feedback {
            let file = &self.files[index];
            if cue_file.is_some() {
                self.errors.push(GuideError::whole_file(
                    &file.path,
                    "a second [feedback] file; keep every cue in one file (guides/shared/feedback.toml)",
                ));
                continue;
            }
            let checked = cues::parse(file)
                .map_err(|e| vec![e])
                .and_then(|toml| cues::validate(file, &toml, frameworks));
            match checked {
                Ok(c) => cue_file = Some(c),
                Err(e) => self.errors.extend(e),
            }
        }
        cue_file
    }

    fn check_framework(&mut self, known: &Known<'_>, file: usize, text: &Text) {
        let ids = &known.framework_ids;
        if ids.contains(&text.value.as_str()) {
            return;
        }
        let hint = match suggest::closest(&text.value, ids.iter().copied(), 1).first() {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known frameworks: {}", ids.join(", ")),
        };
        let message = format!("unknown framework `{}`; {hint}", text.value);
        self.err(file, &text.span, message);
    }

    /// Template ids are unique, and a template has every required field but
    /// the example, which each role may supply.
    fn templates<'r>(
        &mut self,
        raw: &'r [RawQuestion],
        mut known: Known<'r>,
        frameworks: &[Arc<Framework>],
    ) -> Known<'r> {
        for t in raw {
            let Some(id) = &t.id else {
                let message = "template is missing the required field `id`".into();
                self.err(t.file, &t.span, message);
                continue;
            };
            if let Some(first) = known.templates.get(&id.value) {
                let message = format!(
                    "duplicate template id `{}` (already defined in {})",
                    id.value,
                    self.place(first.file, &first.span)
                );
                self.err(t.file, &id.span, message);
                continue;
            }
            let what = format!("template `{}`", id.value);
            require_fields(self.errors, &self.files[t.file], t, None, &what, false);
            if let Some(fw) = &t.framework {
                self.check_framework(&known, t.file, fw);
                // Steps its follow-ups expect, against its own framework; a
                // role that swaps the framework is checked at its question.
                let framework = frameworks.iter().find(|f| f.id == fw.value);
                if let (Some(framework), Some(follow_ups)) = (framework, &t.follow_ups) {
                    let what = format!("template `{}`", id.value);
                    for (span, message) in unknown_expected_steps(follow_ups, framework, &what) {
                        self.err(t.file, &span, message);
                    }
                }
            }
            known.templates.insert(id.value.clone(), t);
        }
        let ids = known.templates.values().filter_map(|t| t.id.as_ref());
        known.template_ids = ids.map(|id| id.value.as_str()).collect();
        known.template_ids.sort_unstable();
        known
    }

    fn roles(
        &mut self,
        raw: Vec<RawRole>,
        known: &Known<'_>,
        frameworks: &[Arc<Framework>],
    ) -> (Vec<Role>, HashMap<String, usize>) {
        let mut roles = Vec::new();
        let mut lookup: HashMap<String, usize> = HashMap::new();
        let mut claimed: HashMap<String, (String, usize, Range<usize>)> = HashMap::new();
        for r in raw {
            let keys = self.claim_keys(&r, &mut claimed);
            // A role whose name clashes still has its questions checked.
            let questions = self.questions(&r, known, frameworks);
            let Some(keys) = keys else { continue };
            for key in keys {
                lookup.insert(key, roles.len());
            }
            roles.push(Role {
                id: r.id.value,
                name: r.name.value,
                aliases: r.aliases.into_iter().map(|a| a.value).collect(),
                vocabulary: r.vocabulary,
                questions,
                source: self.files[r.file].path.clone(),
            });
        }
        (roles, lookup)
    }

    /// Every way to name a role must lead to exactly one role: claims the
    /// role's keys, or reports each one another role has (then `None`).
    fn claim_keys(
        &mut self,
        r: &RawRole,
        claimed: &mut HashMap<String, (String, usize, Range<usize>)>,
    ) -> Option<Vec<String>> {
        let mut names: Vec<(&Text, &str)> = vec![(&r.id, "role id")];
        names.extend(r.aliases.iter().map(|a| (a, "alias")));
        names.push((&r.name, "role name"));
        let mut clash = false;
        let mut own: Vec<String> = Vec::new();
        // An id and a name that normalise alike ("tester", "Tester") are one
        // key: report a clash on it once.
        let mut tried: Vec<String> = Vec::new();
        for (text, kind) in names {
            let key = lookup_key(&text.value);
            if tried.contains(&key) {
                continue;
            }
            tried.push(key.clone());
            match claimed.get(&key) {
                Some((owner, file, span)) => {
                    let message = format!(
                        "{kind} `{}` is already used by role `{owner}` ({})",
                        text.value,
                        self.place(*file, span)
                    );
                    self.err(r.file, &text.span, message);
                    clash = true;
                }
                None => own.push(key),
            }
        }
        for key in &own {
            claimed.insert(key.clone(), (r.id.value.clone(), r.file, r.id.span.clone()));
        }
        (!clash).then_some(own)
    }

    fn questions(
        &mut self,
        r: &RawRole,
        known: &Known<'_>,
        frameworks: &[Arc<Framework>],
    ) -> Vec<Question> {
        let role_what = format!("role `{}`", r.id.value);
        let mut questions: Vec<Question> = Vec::new();
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        for q in &r.questions {
            let Ok(tmpl) = self.template_of(q, known) else {
                continue;
            };
            let Some(id) = tmpl.and_then(|t| t.id.as_ref()).or(q.id.as_ref()) else {
                let message = format!(
                    "question in {role_what} is missing the required field `id` (or `template`)"
                );
                self.err(q.file, &q.span, message);
                continue;
            };
            // A templated question is reported at its `template = …` line.
            let at = q.template.as_ref().map_or(&id.span, |t| &t.span);
            if let Some(first) = seen.get(&id.value) {
                let (line, _) = self.files[q.file].position(first.start);
                let message = format!(
                    "duplicate question id `{}` in {role_what} (first at line {line})",
                    id.value
                );
                self.err(q.file, at, message);
                continue;
            }
            seen.insert(id.value.clone(), at.clone());
            let what = format!("question `{}` in {role_what}", id.value);
            // The framework is checked whether or not other fields are missing.
            if let Some(fw) = &q.framework {
                self.check_framework(known, q.file, fw);
            }
            if !require_fields(self.errors, &self.files[q.file], q, tmpl, &what, true) {
                continue;
            }
            let id = id.value.clone();
            if let Some(question) = assemble(
                self.errors,
                &mut self.notes,
                self.files,
                r,
                q,
                tmpl,
                frameworks,
                id,
            ) {
                if let Some(warning) = super::shown::overflow(&question) {
                    let at = q.template.as_ref().map_or(&q.span, |t| &t.span);
                    self.warnings
                        .push(self.files[q.file].error_at(at.start, warning));
                }
                questions.push(question);
            }
        }
        questions
    }

    /// The template a question is built from, if it names one; `Err` when
    /// the name matches no template (reported).
    fn template_of<'r>(
        &mut self,
        q: &RawQuestion,
        known: &Known<'r>,
    ) -> Result<Option<&'r RawQuestion>, ()> {
        let Some(t) = &q.template else {
            return Ok(None);
        };
        if let Some(found) = known.templates.get(&t.value) {
            if let Some(id) = &q.id {
                let message = format!(
                    "a question built from template `{}` takes the template's id; remove `id` or drop `template`",
                    t.value
                );
                self.err(q.file, &id.span, message);
            }
            return Ok(Some(*found));
        }
        let ids = &known.template_ids;
        let hint = match suggest::closest(&t.value, ids.iter().copied(), 1).first() {
            Some(s) => format!("did you mean `{s}`?"),
            None if ids.is_empty() => "no templates are defined".to_string(),
            None => format!("known templates: {}", ids.join(", ")),
        };
        self.err(
            q.file,
            &t.span,
            format!("unknown template `{}`; {hint}", t.value),
        );
        Err(())
    }
}

/// SHA-256 over `files` (path relative to `dir`, a NUL, the text, a NUL), in path order.
fn digest(dir: &Path, files: &[SourceFile]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hasher = Sha256::new();
    for file in sorted {
        let relative = file.path.strip_prefix(dir).unwrap_or(&file.path);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(file.text.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
