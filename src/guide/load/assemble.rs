//! A role's question made whole: its own fields merged with its template's,
//! placeholders filled from the role's vocabulary, and the filled text
//! checked against Discord's limits.

use std::sync::Arc;

use super::fields::QUESTION_FIELDS;
use super::file::{RawQuestion, RawRole};
use super::limits;
use crate::guide::model::{FollowUp, Framework, Question};
use crate::guide::read::{GuideError, SourceFile, Text};
use crate::guide::template;

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
pub(super) fn assemble(
    errors: &mut Vec<GuideError>,
    files: &[SourceFile],
    role: &RawRole,
    q: &RawQuestion,
    tmpl: Option<&RawQuestion>,
    frameworks: &[Arc<Framework>],
    id: String,
) -> Option<Question> {
    // Where an error about a templated field is reported: the override if the
    // role wrote one, else the role's `template = …` line (the template file
    // itself is fine; it is this role's vocabulary that made it too long).
    let pick =
        |own: &Option<Text>, from_tmpl: Option<&Option<Text>>| -> Option<(Text, usize, bool)> {
            match own {
                Some(t) => Some((t.clone(), q.file, false)),
                None => from_tmpl.and_then(|t| t.clone()).map(|t| (t, q.file, true)),
            }
        };
    let mut ok = true;
    let mut fill = |errors: &mut Vec<GuideError>,
                    source: (Text, usize, bool),
                    max: usize,
                    name: &str|
     -> String {
        let (text, file, templated) = source;
        let filled = match template::fill(&text.value, &role.name.value, &role.vocabulary) {
            Ok(s) => s,
            // Already reported where the text was read.
            Err(_) => {
                ok = false;
                return String::new();
            }
        };
        let n = filled.chars().count();
        if n > max {
            let at = if templated {
                q.template.as_ref().map_or(&q.span, |t| &t.span)
            } else {
                &text.span
            };
            let note = if templated || filled != text.value {
                " once the role's vocabulary is filled in"
            } else {
                ""
            };
            errors.push(files[file].error_at(
                at.start,
                format!(
                    "{name} of question `{id}` is {n} characters long{note}; the limit is {max}"
                ),
            ));
            ok = false;
        }
        filled
    };
    let t = |f: fn(&RawQuestion) -> &Option<Text>| tmpl.map(f);

    let text = fill(
        errors,
        pick(&q.text, t(|x| &x.text))?,
        limits::QUESTION_TEXT_MAX,
        "text",
    );
    let why = fill(
        errors,
        pick(&q.why, t(|x| &x.why))?,
        limits::FIELD_MAX,
        "`why`",
    );
    let example = fill(
        errors,
        pick(&q.example, t(|x| &x.example))?,
        limits::EXAMPLE_MAX,
        "the example answer",
    );
    let framework_id = pick(&q.framework, t(|x| &x.framework))?.0.value;
    let framework = frameworks.iter().find(|f| f.id == framework_id)?.clone();
    let tips_src: &Vec<Text> = q.tips.as_ref().or(tmpl.and_then(|x| x.tips.as_ref()))?;
    let tips_templated = q.tips.is_none();
    let tips: Vec<String> = tips_src
        .iter()
        .map(|tip| {
            fill(
                errors,
                (tip.clone(), q.file, tips_templated),
                limits::FIELD_MAX,
                "a tip",
            )
        })
        .collect();
    let follow_src = q
        .follow_ups
        .as_ref()
        .or(tmpl.and_then(|x| x.follow_ups.as_ref()))?;
    let follow_templated = q.follow_ups.is_none();
    let follow_ups: Vec<FollowUp> = follow_src
        .iter()
        .map(|f| FollowUp {
            question: fill(
                errors,
                (f.question.clone(), q.file, follow_templated),
                limits::FIELD_MAX,
                "a follow-up",
            ),
            checks: fill(
                errors,
                (f.checks.clone(), q.file, follow_templated),
                limits::FIELD_MAX,
                "a follow-up's `checks`",
            ),
        })
        .collect();
    let category = q
        .category
        .as_ref()
        .or(tmpl.and_then(|x| x.category.as_ref()))?
        .0;
    let stage = q.stage.as_ref().or(tmpl.and_then(|x| x.stage.as_ref()))?.0;
    let answer_words = q
        .answer_words
        .or(tmpl.and_then(|x| x.answer_words))
        .unwrap_or(limits::DEFAULT_ANSWER_WORDS);
    ok.then(|| Question {
        id,
        text,
        category,
        stage,
        why,
        framework,
        tips,
        example,
        follow_ups,
        answer_words,
        template: q.template.as_ref().map(|t| t.value.clone()),
    })
}
