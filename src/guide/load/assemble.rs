//! A role's question made whole: its own fields merged with its template's,
//! placeholders filled from the role's vocabulary, and the filled text
//! checked against Discord's limits.

use std::sync::Arc;

use super::fields::{unknown_expected_steps, QUESTION_FIELDS};
use super::file::{RawQuestion, RawRole};
use super::limits;
use crate::guide::model::{FollowUp, Framework, Question};
use crate::guide::read::{GuideError, SourceFile, Text};
use crate::guide::{template, Level};

/// Reports required fields that neither the question nor its template has.
/// Returns whether all were present.
pub(super) fn require_fields(
    errors: &mut Vec<GuideError>,
    file: &SourceFile,
    q: &RawQuestion,
    tmpl: Option<&RawQuestion>,
    what: &str,
    need_example: bool,
) -> bool {
    let mut ok = true;
    for field in QUESTION_FIELDS {
        let there = (field == "example" && !need_example)
            || q.written.contains(&field)
            || tmpl.is_some_and(|t| t.written.contains(&field));
        if !there {
            let hint = if field == "example" && tmpl.is_some() {
                " (the template has none, so the role must write one)"
            } else {
                ""
            };
            errors.push(file.error_at(
                q.span.start,
                format!("{what} is missing the required field `{field}`{hint}"),
            ));
            ok = false;
        }
    }
    for (field, list_empty) in [
        ("tips", q.tips.as_ref().is_some_and(Vec::is_empty)),
        (
            "follow_ups",
            q.follow_ups.as_ref().is_some_and(Vec::is_empty),
        ),
    ] {
        if list_empty {
            errors.push(file.error_at(
                q.span.start,
                format!("`{field}` in {what} must not be empty"),
            ));
            ok = false;
        }
    }
    ok
}

/// Merges a role's question with its template, fills placeholders from the
/// role's vocabulary, and checks the filled text against Discord's limits.
#[allow(clippy::too_many_arguments)]
pub(super) fn assemble(
    errors: &mut Vec<GuideError>,
    notes: &mut Vec<GuideError>,
    files: &[SourceFile],
    role: &RawRole,
    q: &RawQuestion,
    tmpl: Option<&RawQuestion>,
    frameworks: &[Arc<Framework>],
    id: String,
) -> Option<Question> {
    let mut f = Filler {
        errors,
        notes,
        file: &files[q.file],
        template_file: tmpl.map(|t| &files[t.file]),
        role,
        q,
        id: &id,
        ok: true,
    };
    let own_or_template = |field: fn(&RawQuestion) -> &Option<Text>| {
        let own = field(q).as_ref().map(|t| (t, false));
        own.or_else(|| tmpl.and_then(|t| field(t).as_ref()).map(|t| (t, true)))
    };
    let text = f.fill_spoken(
        own_or_template(|x| &x.text)?,
        limits::QUESTION_TEXT_MAX,
        "text",
    );
    let why = f.fill(own_or_template(|x| &x.why)?, limits::FIELD_MAX, "`why`");
    let example = f.fill(
        own_or_template(|x| &x.example)?,
        limits::EXAMPLE_MAX,
        "the example answer",
    );
    let framework_id = &own_or_template(|x| &x.framework)?.0.value;
    let framework = frameworks.iter().find(|f| &f.id == framework_id)?.clone();
    let tips_src = q.tips.as_ref().or(tmpl.and_then(|x| x.tips.as_ref()))?;
    let tips: Vec<String> = tips_src
        .iter()
        .map(|tip| {
            f.lint((tip, q.tips.is_none()), false);
            f.fill((tip, q.tips.is_none()), limits::FIELD_MAX, "a tip")
        })
        .collect();
    let follow_src = q.follow_ups.as_ref();
    let follow_src = follow_src.or(tmpl.and_then(|x| x.follow_ups.as_ref()))?;
    let templated = q.follow_ups.is_none();
    // A template's follow-ups were checked against the template's framework;
    // they are checked again only when this question names its own.
    if !templated || q.framework.is_some() {
        let what = format!("question `{id}`");
        for (span, message) in unknown_expected_steps(follow_src, &framework, &what) {
            // The role's `template = …` line when the follow-ups are the template's.
            let at = match templated {
                true => q.template.as_ref().map_or(&q.span, |t| &t.span),
                false => &span,
            };
            f.errors.push(f.file.error_at(at.start, message));
            f.ok = false;
        }
    }
    let follow_ups: Vec<FollowUp> = follow_src
        .iter()
        .map(|fu| FollowUp {
            question: f.fill_spoken((&fu.question, templated), limits::FIELD_MAX, "a follow-up"),
            checks: f.fill(
                (&fu.checks, templated),
                limits::FIELD_MAX,
                "a follow-up's `checks`",
            ),
            expects: fu.expects.iter().map(|(e, _)| e.clone()).collect(),
            answer_words: fu.answer_words,
        })
        .collect();
    let category = q
        .category
        .as_ref()
        .or(tmpl.and_then(|x| x.category.as_ref()))?;
    let stage = q.stage.as_ref().or(tmpl.and_then(|x| x.stage.as_ref()))?;
    let answer_words = q
        .answer_words
        .or(tmpl.and_then(|x| x.answer_words))
        .unwrap_or(limits::DEFAULT_ANSWER_WORDS);
    let at = q
        .template
        .as_ref()
        .or(q.id.as_ref())
        .map_or(q.span.start, |t| t.span.start);
    let origin = files[q.file].position(at);
    f.ok.then(|| Question {
        id,
        text,
        category: category.0,
        stage: stage.0,
        why,
        framework,
        tips,
        example,
        follow_ups,
        answer_words,
        template: q.template.as_ref().map(|t| t.value.clone()),
        levels: q
            .levels
            .clone()
            .or_else(|| tmpl.and_then(|t| t.levels.clone()))
            .unwrap_or_else(|| Level::ALL.to_vec()),
        origin,
        templated_follow_ups: templated,
    })
}

/// Fills one question's texts, reporting those too long once filled.
struct Filler<'a> {
    errors: &'a mut Vec<GuideError>,
    /// What only the strict check reports (see [`template::awkward_lists`]).
    notes: &'a mut Vec<GuideError>,
    file: &'a SourceFile,
    template_file: Option<&'a SourceFile>,
    role: &'a RawRole,
    q: &'a RawQuestion,
    id: &'a str,
    /// Nothing failed so far.
    ok: bool,
}

impl Filler<'_> {
    /// A text someone says aloud: the question, a follow-up.
    fn fill_spoken(&mut self, source: (&Text, bool), max: usize, name: &str) -> String {
        self.lint(source, true);
        self.fill(source, max, name)
    }

    /// Notes lists that read badly once this role's words are in, at the
    /// text's place in its own file (the template's, for a template's text).
    fn lint(&mut self, source: (&Text, bool), spoken: bool) {
        let (text, templated) = source;
        let file = match (templated, self.template_file) {
            (true, Some(t)) => t,
            _ => self.file,
        };
        for (offset, message) in template::awkward_lists(&text.value, &self.role.vocabulary, spoken)
        {
            let at = super::fields::source_offset(file, text, offset);
            self.notes.push(file.error_at(at, message));
        }
    }

    /// `source` is a text and whether it comes from the template.
    fn fill(&mut self, source: (&Text, bool), max: usize, name: &str) -> String {
        let (text, templated) = source;
        let vocabulary = &self.role.vocabulary;
        let Ok(filled) = template::fill(&text.value, &self.role.name.value, vocabulary) else {
            // Already reported where the text was read.
            self.ok = false;
            return String::new();
        };
        let n = filled.chars().count();
        if n > max {
            // A templated text is reported at the role's `template = …` line:
            // the template file is fine, this role's vocabulary made it too long.
            let q = self.q;
            let at = match templated {
                true => q.template.as_ref().map_or(&q.span, |t| &t.span),
                false => &text.span,
            };
            let note = if templated || filled != text.value {
                " once the role's vocabulary is filled in"
            } else {
                ""
            };
            let id = self.id;
            self.errors.push(self.file.error_at(
                at.start,
                format!(
                    "{name} of question `{id}` is {n} characters long{note}; the limit is {max}"
                ),
            ));
            self.ok = false;
        }
        filled
    }
}
