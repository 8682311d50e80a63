//! Reading the items inside a guide file — questions, templates, frameworks —
//! and the checks that need nothing outside the file: ids, lengths,
//! placeholders, fixed choices.

use std::ops::Range;

use super::file::{RawFollowUp, RawFramework, RawQuestion};
use super::limits;
use crate::guide::model::{Category, Expect, Framework, FrameworkStep, Stage};
use crate::guide::read::{Diagnostics, Fields, SourceFile, Text};
use crate::guide::{suggest, template, Level};

pub(crate) fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::ID_MAX
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(super) fn check_id(diags: &mut Diagnostics<'_>, text: &Text, what: &str) -> bool {
    if valid_id(&text.value) {
        return true;
    }
    let why = if text.value.chars().count() > limits::ID_MAX {
        format!(
            "is {} characters long; the limit is {}",
            text.value.chars().count(),
            limits::ID_MAX
        )
    } else {
        "must use only lowercase letters a-z, digits and `-` (not at either end)".to_string()
    };
    diags.at(&text.span, format!("{what} `{}` {why}", text.value));
    false
}

/// Placeholder problems are found in the decoded string; this finds the same
/// token in the file so the column points at it rather than at the opening quote.
pub(super) fn source_offset(file: &SourceFile, text: &Text, value_offset: usize) -> usize {
    let token: String = {
        let rest = &text.value[value_offset..];
        match rest.find('}') {
            Some(end) if !rest[1..end].contains(['{', '\n']) => rest[..=end].to_string(),
            _ => "{".to_string(),
        }
    };
    let nth = text.value[..value_offset].matches(token.as_str()).count();
    let raw = file.text.get(text.span.clone()).unwrap_or("");
    raw.match_indices(token.as_str())
        .nth(nth)
        .map_or(text.span.start, |(i, _)| text.span.start + i)
}

fn check_placeholders(diags: &mut Diagnostics<'_>, text: &Text) {
    if let Err(errors) = template::check(&text.value) {
        for e in errors {
            let offset = source_offset(diags.file, text, e.offset);
            diags.errors.push(diags.file.error_at(offset, e.message));
        }
    }
}

pub(super) fn read_framework(
    index: usize,
    diags: &mut Diagnostics<'_>,
    fw: &mut Fields<'_, '_>,
) -> Option<RawFramework> {
    let id = fw.text(diags, "id");
    if let Some(id) = &id {
        if check_id(diags, id, "framework id") {
            fw.set_what(format!("framework `{}`", id.value));
        }
    }
    let name = fw.text(diags, "name");
    let summary = fw.text(diags, "summary");
    let tips = fw.text_list(diags, "tips");
    let mut function_names = Vec::new();
    let steps = read_steps(diags, fw, &mut function_names);
    for t in [&name, &summary]
        .into_iter()
        .flatten()
        .chain(tips.iter().flatten())
    {
        check_length(diags, t, limits::FIELD_MAX, "text");
    }
    let (id, name, summary, tips, steps) = (id?, name?, summary?, tips?, steps?);
    Some(RawFramework {
        file: index,
        id_span: id.span.clone(),
        function_names,
        framework: Framework {
            id: id.value,
            name: name.value,
            summary: summary.value,
            steps,
            tips: tips.into_iter().map(|t| t.value).collect(),
        },
    })
}

/// A framework's `[[steps]]`; `None` when any is unusable (reported).
/// Every step's `functions` entry also goes to `function_names`, with its
/// position, for the check against the sentence model.
fn read_steps(
    diags: &mut Diagnostics<'_>,
    fw: &mut Fields<'_, '_>,
    function_names: &mut Vec<Text>,
) -> Option<Vec<FrameworkStep>> {
    let tables = match fw.opt_tables(diags, "steps", "step") {
        Some(tables) if !tables.is_empty() => tables,
        Some(_) => {
            diags.at(&fw.span(), format!("{} has no steps", fw.what()));
            return None;
        }
        None => {
            let message = format!("{} is missing the required field `steps`", fw.what());
            diags.at(&fw.span(), message);
            return None;
        }
    };
    let mut steps = Vec::new();
    let mut steps_ok = true;
    for mut step in tables {
        let key = step.text(diags, "key");
        let key = key.filter(|k| check_id(diags, k, "step key"));
        let name = step.text(diags, "name");
        let guidance = step.text(diags, "guidance");
        let probe = step.opt_nonblank_text(diags, "probe");
        let functions = step.opt_text_list(diags, "functions").unwrap_or_default();
        let first_person = step.opt_bool(diags, "first_person").unwrap_or(false);
        function_names.extend(functions.iter().cloned());
        for t in [&name, &guidance, &probe].into_iter().flatten() {
            check_length(diags, t, limits::FIELD_MAX, "text");
        }
        if let Some(k) = &key {
            if steps.iter().any(|s: &FrameworkStep| s.key == k.value) {
                let message = format!("duplicate step key `{}` in {}", k.value, fw.what());
                diags.at(&k.span, message);
            }
        }
        step.finish(diags);
        match (key, name, guidance) {
            (Some(key), Some(name), Some(guidance)) => steps.push(FrameworkStep {
                key: key.value,
                name: name.value,
                guidance: guidance.value,
                probe: probe.map(|p| p.value),
                functions: functions.iter().map(|f| f.value.clone()).collect(),
                first_person,
            }),
            _ => steps_ok = false,
        }
    }
    steps_ok.then_some(steps)
}

fn check_length(diags: &mut Diagnostics<'_>, text: &Text, max: usize, what: &str) {
    let n = text.value.chars().count();
    if n > max {
        diags.at(
            &text.span,
            format!("{what} is {n} characters long; the limit is {max}"),
        );
    }
}

/// A field whose value must be one of a fixed set of ids.
fn read_choice<T>(
    q: &mut Fields<'_, '_>,
    diags: &mut Diagnostics<'_>,
    key: &'static str,
    parse: fn(&str) -> Option<T>,
    ids: &[&str],
) -> Option<(T, Range<usize>)> {
    let text = q.opt_text(diags, key)?;
    match parse(&text.value) {
        Some(value) => Some((value, text.span)),
        None => {
            diags.at(
                &text.span,
                format!(
                    "unknown {key} `{}`; use one of: {}",
                    text.value,
                    ids.join(", ")
                ),
            );
            None
        }
    }
}

pub(super) fn read_question(
    index: usize,
    diags: &mut Diagnostics<'_>,
    mut q: Fields<'_, '_>,
    is_template: bool,
) -> RawQuestion {
    let id = q.opt_nonblank_text(diags, "id");
    let template = if is_template {
        None
    } else {
        q.opt_nonblank_text(diags, "template")
    };
    if let Some(id) = &id {
        let kind = if is_template {
            "template id"
        } else {
            "question id"
        };
        if check_id(diags, id, kind) {
            q.set_what(format!(
                "{} `{}`",
                if is_template { "template" } else { "question" },
                id.value
            ));
        }
    } else if let Some(t) = &template {
        q.set_what(format!("question from template `{}`", t.value));
    }
    let text = q.opt_nonblank_text(diags, "text");
    let category = read_choice(
        &mut q,
        diags,
        "category",
        Category::parse,
        &Category::ALL.map(Category::id),
    );
    let stage = read_choice(
        &mut q,
        diags,
        "stage",
        Stage::parse,
        &Stage::ALL.map(Stage::id),
    );
    let why = q.opt_nonblank_text(diags, "why");
    let framework = q.opt_nonblank_text(diags, "framework");
    let tips = q.opt_text_list(diags, "tips");
    let example = q.opt_nonblank_text(diags, "example");
    let answer_words = q.opt_int_pair(diags, "answer_words").map(|(pair, _)| pair);
    let levels = read_levels(diags, &mut q);
    let follow_ups = q
        .opt_tables(diags, "follow_ups", "follow-up")
        .and_then(|tables| read_follow_ups(diags, tables));
    for t in [&text, &why, &example]
        .into_iter()
        .flatten()
        .chain(tips.iter().flatten())
    {
        check_placeholders(diags, t);
    }
    for f in follow_ups.iter().flatten() {
        check_placeholders(diags, &f.question);
        check_placeholders(diags, &f.checks);
    }
    let span = q.span();
    let written = QUESTION_FIELDS
        .into_iter()
        .filter(|field| q.has(field))
        .collect();
    q.finish(diags);
    RawQuestion {
        file: index,
        span,
        id,
        template,
        text,
        category,
        stage,
        why,
        framework,
        tips,
        example,
        follow_ups,
        answer_words,
        levels,
        written,
    }
}

/// `levels`: known ids, none twice, at least one. `None` when absent or
/// wrong (reported); the question then suits every level.
fn read_levels(diags: &mut Diagnostics<'_>, q: &mut Fields<'_, '_>) -> Option<Vec<Level>> {
    let written = q.has("levels");
    let list = q.opt_text_list(diags, "levels")?;
    if written && list.is_empty() {
        let message = format!(
            "`levels` in {} is empty; leave it out for every level",
            q.what()
        );
        diags.at(&q.span(), message);
        return None;
    }
    let mut out: Vec<Level> = Vec::with_capacity(list.len());
    for t in list {
        match Level::parse(&t.value) {
            Some(l) if l.id() != t.value.trim() => diags.at(
                &t.span,
                format!("write the level `{}` as `{}`", t.value, l.id()),
            ),
            Some(l) if out.contains(&l) => diags.at(
                &t.span,
                format!("`{}` is in `levels` of {} twice", l.id(), q.what()),
            ),
            Some(l) => out.push(l),
            None => diags.at(
                &t.span,
                format!(
                    "unknown level `{}` in {}; use one of: {}",
                    t.value,
                    q.what(),
                    Level::ALL.map(Level::id).join(", ")
                ),
            ),
        }
    }
    out.sort_unstable();
    Some(out)
}

/// One broken follow-up makes the whole list unusable (its error is
/// reported), rather than an empty list that would also be "empty".
fn read_follow_ups(
    diags: &mut Diagnostics<'_>,
    tables: Vec<Fields<'_, '_>>,
) -> Option<Vec<RawFollowUp>> {
    let read: Vec<Option<RawFollowUp>> = tables
        .into_iter()
        .map(|mut f| {
            let question = f.text(diags, "question");
            let checks = f.text(diags, "checks");
            let expects = read_expects(diags, &mut f);
            let answer_words = f.opt_int_pair(diags, "answer_words");
            f.finish(diags);
            Some(RawFollowUp {
                question: question?,
                checks: checks?,
                expects: expects?,
                answer_words: answer_words.map(|(pair, _)| pair),
            })
        })
        .collect();
    read.into_iter().collect()
}

/// A follow-up's `expects`: each a known id, none twice. `None` when any is
/// wrong (reported); empty when absent.
fn read_expects(
    diags: &mut Diagnostics<'_>,
    f: &mut Fields<'_, '_>,
) -> Option<Vec<(Expect, Range<usize>)>> {
    let written = f.has("expects");
    let Some(list) = f.opt_text_list(diags, "expects") else {
        return (!written).then(Vec::new);
    };
    let mut out: Vec<(Expect, Range<usize>)> = Vec::with_capacity(list.len());
    let mut ok = true;
    for t in list {
        let value = t.value.trim();
        let message = match Expect::parse(value) {
            Some(e) if out.iter().any(|(seen, _)| *seen == e) => {
                format!("`{value}` is in `expects` of {} twice", f.what())
            }
            Some(e) => {
                out.push((e, t.span));
                continue;
            }
            None => match value.strip_prefix("step:") {
                Some(key) => format!(
                    "step key `{key}` in `expects` of {} must be a framework step's key \
                     (lowercase letters a-z, digits and `-`), as in `step:result`",
                    f.what()
                ),
                None => {
                    let hint = match suggest::closest(value, Expect::IDS, 1).first() {
                        Some(best) => format!("did you mean `{best}`? "),
                        None => String::new(),
                    };
                    format!(
                        "unknown expectation `{value}` in {}; {hint}use one of: {}",
                        f.what(),
                        Expect::IDS.join(", ")
                    )
                }
            },
        };
        diags.at(&t.span, message);
        ok = false;
    }
    ok.then_some(out)
}

/// Each `step:<key>` in the follow-ups' `expects` that `framework` has no
/// step for: where it is written and what to say.
pub(super) fn unknown_expected_steps(
    follow_ups: &[RawFollowUp],
    framework: &Framework,
    question: &str,
) -> Vec<(Range<usize>, String)> {
    let keys: Vec<&str> = framework.steps.iter().map(|s| s.key.as_str()).collect();
    let mut out = Vec::new();
    for (i, f) in follow_ups.iter().enumerate() {
        for (e, span) in &f.expects {
            let Expect::Step(key) = e else { continue };
            if keys.contains(&key.as_str()) {
                continue;
            }
            let hint = match suggest::closest(key, keys.iter().copied(), 1).first() {
                Some(best) => format!("did you mean `step:{best}`?"),
                None => format!("its steps are: {}", keys.join(", ")),
            };
            out.push((
                span.clone(),
                format!(
                    "follow-up #{} in {question} expects step `{key}`, but framework `{}` has no such step; {hint}",
                    i + 1,
                    framework.id
                ),
            ));
        }
    }
    out
}

/// The fields a question needs, from itself or its template.
pub(super) const QUESTION_FIELDS: [&str; 8] = [
    "text",
    "category",
    "stage",
    "why",
    "framework",
    "tips",
    "follow_ups",
    "example",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_lowercase_slugs() {
        assert!(valid_id("tell-me-about-yourself"));
        assert!(valid_id("q1"));
        assert!(!valid_id("Tell"));
        assert!(!valid_id("-x"));
        assert!(!valid_id("a_b"));
        assert!(!valid_id(&"a".repeat(41)));
    }
}
