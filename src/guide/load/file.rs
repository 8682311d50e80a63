//! Reading one guide file on its own: its kind, decided by its top-level
//! tables, and the raw roles, frameworks and templates in it, with positions.
//!
//! - a **role file** has a `[role]` table (and its `[[questions]]`);
//! - a **shared file** has any of `[[frameworks]]`, `[[templates]]`;
//! - the **cue file** has a `[feedback]` table and nothing else;
//! - the **sentence model** has a `[sentence_model]` table and nothing else.
//!
//! A file with none of these, or with more than one kind, is an error rather
//! than silently skipped.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::fields::{check_id, read_framework, read_question};
use super::limits;
use crate::guide::model::{Category, Expect, Framework, Stage, Vocabulary};
use crate::guide::read::{self, Diagnostics, Fields, GuideError, SourceFile, Text};
use crate::guide::suggest;
use crate::guide::Level;

pub(super) struct RawFollowUp {
    pub(super) question: Text,
    pub(super) checks: Text,
    /// Each with where it is written: a step key is checked once the
    /// question's framework is known.
    pub(super) expects: Vec<(Expect, Range<usize>)>,
    pub(super) answer_words: Option<(u32, u32)>,
}

/// A question as written, before templates are applied: a template's fields
/// or a role question's own fields (for a templated question, its overrides).
pub(super) struct RawQuestion {
    pub(super) file: usize,
    pub(super) span: Range<usize>,
    pub(super) id: Option<Text>,
    pub(super) template: Option<Text>,
    pub(super) text: Option<Text>,
    pub(super) category: Option<(Category, Range<usize>)>,
    pub(super) stage: Option<(Stage, Range<usize>)>,
    pub(super) why: Option<Text>,
    pub(super) framework: Option<Text>,
    pub(super) tips: Option<Vec<Text>>,
    pub(super) example: Option<Text>,
    pub(super) follow_ups: Option<Vec<RawFollowUp>>,
    pub(super) answer_words: Option<(u32, u32)>,
    pub(super) levels: Option<Vec<Level>>,
    /// The required fields written in the file, valid or not: a field that
    /// is there but wrong has had its own error and is not also "missing".
    pub(super) written: Vec<&'static str>,
}

pub(super) struct RawRole {
    pub(super) file: usize,
    pub(super) id: Text,
    pub(super) name: Text,
    pub(super) aliases: Vec<Text>,
    pub(super) vocabulary: Vocabulary,
    pub(super) questions: Vec<RawQuestion>,
}

pub(super) struct RawFramework {
    pub(super) file: usize,
    pub(super) framework: Framework,
    pub(super) id_span: Range<usize>,
    /// Every step's sentence function names, checked against the model.
    pub(super) function_names: Vec<Text>,
}

#[derive(Default)]
pub(super) struct Raw {
    pub(super) roles: Vec<RawRole>,
    pub(super) frameworks: Vec<RawFramework>,
    pub(super) templates: Vec<RawQuestion>,
    /// Files whose top-level table is `[feedback]` (the answer-feedback cues);
    /// compiled once the frameworks are known.
    pub(super) feedback: Vec<usize>,
    /// Files whose top-level table is `[sentence_model]`.
    pub(super) sentence_models: Vec<usize>,
}

/// Parses and reads every file. Files are independent until `resolve` joins
/// them, so each of the machine's cores takes the next unread file from a
/// shared counter (parsing TOML is most of a load: 10,000 questions took
/// ~225 ms on one core of the benchmark machine); the parts are put back in
/// file order, whichever thread read what. Written here rather than with
/// rayon: one scoped loop does not warrant a thread pool that stays alive
/// for the whole process, and a counter balances uneven files, where fixed
/// runs of files measured ~14 % slower in the load benchmark.
pub(super) fn read_files(files: &[SourceFile], errors: &mut Vec<GuideError>) -> Raw {
    let readers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .min(MAX_READERS);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = files.get(at) else { break };
            let mut raw = Raw::default();
            let mut diags = Diagnostics::new(file);
            read_file(at, &mut diags, &mut raw);
            done.push((at, raw, diags.errors));
        }
        done
    };
    let mut parts = std::thread::scope(|scope| {
        // The calling thread reads too; a helper that cannot be started
        // (thread limits) only means fewer hands.
        let helpers: Vec<_> = (1..readers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("guide-reader".into())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut parts = work();
        for helper in helpers {
            parts.extend(
                helper
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        parts
    });
    parts.sort_unstable_by_key(|(index, _, _)| *index);
    let mut raw = Raw::default();
    for (_, part, mut part_errors) in parts {
        raw.roles.extend(part.roles);
        raw.frameworks.extend(part.frameworks);
        raw.templates.extend(part.templates);
        raw.feedback.extend(part.feedback);
        raw.sentence_models.extend(part.sentence_models);
        errors.append(&mut part_errors);
    }
    raw
}

/// More readers than this only contend for memory bandwidth.
const MAX_READERS: usize = 8;

fn read_file(index: usize, diags: &mut Diagnostics<'_>, raw: &mut Raw) {
    let file = diags.file;
    let Some(doc) = read::parse(file, diags) else {
        return;
    };
    let mut top = Fields::new(doc.get_ref(), 0..0, "this file");
    let is_role = top.has("role");
    let is_shared = top.has("frameworks") || top.has("templates");
    if top.has("sentence_model") {
        if is_role || is_shared || top.has("feedback") {
            diags.at(
                &(0..0),
                "a [sentence_model] file holds only the model; move the other tables to their own file",
            );
        } else {
            raw.sentence_models.push(index);
        }
        return;
    }
    if top.has("feedback") {
        if is_role || is_shared {
            diags.at(
                &(0..0),
                "a [feedback] file holds only the feedback cues; move the other tables to their own file",
            );
        } else {
            raw.feedback.push(index);
        }
        return;
    }
    match (is_role, is_shared) {
        // When the kind is unclear, nothing in the file was read, so listing
        // its top-level tables as unknown fields would only add noise.
        (true, true) => {
            diags.at(
                &(0..0),
                "a file is either a role file ([role]) or a shared file ([[frameworks]], [[templates]]), not both; move the shared tables to their own file",
            );
            return;
        }
        (false, false) => {
            diags.at(
                &(0..0),
                "this file is neither a role file (it has no [role] table) nor a shared file (no [[frameworks]] or [[templates]]); see guides/README.md",
            );
            return;
        }
        (true, false) => read_role_file(index, diags, &mut top, raw),
        (false, true) => read_shared_file(index, diags, &mut top, raw),
    }
    top.finish(diags);
}

fn read_role_file(
    index: usize,
    diags: &mut Diagnostics<'_>,
    top: &mut Fields<'_, '_>,
    raw: &mut Raw,
) {
    let Some(mut role) = top.opt_table(diags, "role", "[role]") else {
        return;
    };
    let id = role.text(diags, "id");
    if let Some(id) = &id {
        if check_id(diags, id, "role id") {
            role.set_what(format!("role `{}`", id.value));
        }
    }
    let name = role.text(diags, "name");
    if let Some(name) = &name {
        let n = name.value.chars().count();
        if n > limits::ROLE_NAME_MAX {
            diags.at(
                &name.span,
                format!(
                    "role name is {n} characters long; the limit is {} (it goes into thread names)",
                    limits::ROLE_NAME_MAX
                ),
            );
        }
    }
    let aliases = role.opt_text_list(diags, "aliases").unwrap_or_default();
    for alias in &aliases {
        check_id(diags, alias, "alias");
    }
    let field = role.text(diags, "field");
    let focus = role.text_list(diags, "focus");
    let skills = role.text_list(diags, "skills");
    let metrics = role.text_list(diags, "metrics");
    let stakeholders = role.text_list(diags, "stakeholders");
    let terms: Vec<&str> = [&skills, &metrics, &stakeholders]
        .into_iter()
        .flatten()
        .flatten()
        .map(|t| t.value.as_str())
        .collect();
    let synonyms = match role.opt_table(diags, "synonyms", "[role.synonyms]") {
        Some(table) => read_synonyms(diags, &table, &terms),
        None => Vec::new(),
    };
    let what = role.what().to_string();
    role.finish(diags);

    let questions = match top.opt_tables(diags, "questions", "question") {
        Some(tables) if !tables.is_empty() => tables
            .into_iter()
            .map(|q| read_question(index, diags, q, false))
            .collect(),
        Some(_) | None => {
            diags.at(
                &(0..0),
                format!("{what} has no questions; add at least one [[questions]] table"),
            );
            Vec::new()
        }
    };

    // A role whose vocabulary is incomplete has had those errors reported,
    // but its questions are still checked (with what vocabulary there is),
    // so one run shows every problem in the file.
    let values = |list: Option<Vec<Text>>| {
        list.map_or_else(Vec::new, |l| l.into_iter().map(|t| t.value).collect())
    };
    if let (Some(id), Some(name)) = (id, name) {
        raw.roles.push(RawRole {
            file: index,
            id,
            name,
            aliases,
            vocabulary: Vocabulary {
                field: field.map_or_else(String::new, |f| f.value),
                focus: values(focus),
                skills: values(skills),
                metrics: values(metrics),
                stakeholders: values(stakeholders),
                synonyms,
            },
            questions,
        });
    }
}

/// A role's `[role.synonyms]`: term → other spellings.
fn read_synonyms(
    diags: &mut Diagnostics<'_>,
    table: &Fields<'_, '_>,
    terms: &[&str],
) -> Vec<(String, Vec<String>)> {
    let mut synonyms = Vec::new();
    for (term, variants) in table.string_list_map(diags) {
        // A synonym only helps the feedback if its term is one the role
        // lists; anything else is a typo that would silently do nothing.
        if !terms.is_empty() && !terms.iter().any(|k| k.eq_ignore_ascii_case(&term.value)) {
            let hint = match suggest::closest(&term.value, terms.iter().copied(), 1).first() {
                Some(best) => format!("; did you mean `{best}`?"),
                None => String::new(),
            };
            diags.at(
                &term.span,
                format!(
                    "synonym `{}` is not one of the role's skills, metrics or stakeholders{hint}",
                    term.value
                ),
            );
        }
        synonyms.push((term.value, variants.into_iter().map(|t| t.value).collect()));
    }
    synonyms
}

fn read_shared_file(
    index: usize,
    diags: &mut Diagnostics<'_>,
    top: &mut Fields<'_, '_>,
    raw: &mut Raw,
) {
    for mut fw in top
        .opt_tables(diags, "frameworks", "framework")
        .unwrap_or_default()
    {
        if let Some(f) = read_framework(index, diags, &mut fw) {
            raw.frameworks.push(f);
        }
        fw.finish(diags);
    }
    for t in top
        .opt_tables(diags, "templates", "template")
        .unwrap_or_default()
    {
        raw.templates.push(read_question(index, diags, t, true));
    }
}
