//! Loading a guide directory: find the files, tell their kinds apart, read
//! them, expand templates for each role, and check everything a moderator can
//! get wrong — reporting every problem, each with its position.
//!
//! A file's kind is decided by its top-level tables:
//! - a **role file** has a `[role]` table (and its `[[questions]]`);
//! - a **shared file** has any of `[[frameworks]]`, `[[templates]]`.
//!
//! A file with neither, or with both, is an error rather than silently skipped.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::model::{
    lookup_key, Category, FollowUp, Framework, FrameworkStep, GuideLibrary, Question, Role, Stage,
    Vocabulary,
};
use super::read::{self, Diagnostics, Fields, GuideError, SourceFile, Text};
use super::{cues, suggest, template};

/// Limits that come from where the text ends up: ids travel inside Discord
/// button ids (100 characters in all), a question is an embed title (256), a
/// field value holds 1024, and an example answer is sent as its own message
/// or embed description (4000 leaves room for a heading).
pub mod limits {
    pub const ID_MAX: usize = 40;
    pub const ROLE_NAME_MAX: usize = 60;
    pub const QUESTION_TEXT_MAX: usize = 256;
    pub const FIELD_MAX: usize = 1024;
    pub const EXAMPLE_MAX: usize = 4000;
    pub const DEFAULT_ANSWER_WORDS: (u32, u32) = (150, 300);
}

/// Every problem found while loading a guide directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<GuideError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::ID_MAX
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn check_id(diags: &mut Diagnostics<'_>, text: &Text, what: &str) -> bool {
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
fn source_offset(file: &SourceFile, text: &Text, value_offset: usize) -> usize {
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

struct RawFollowUp {
    question: Text,
    checks: Text,
}

/// A question as written, before templates are applied: a template's fields
/// or a role question's own fields (for a templated question, its overrides).
struct RawQuestion {
    file: usize,
    span: Range<usize>,
    id: Option<Text>,
    template: Option<Text>,
    text: Option<Text>,
    category: Option<(Category, Range<usize>)>,
    stage: Option<(Stage, Range<usize>)>,
    why: Option<Text>,
    framework: Option<Text>,
    tips: Option<Vec<Text>>,
    example: Option<Text>,
    follow_ups: Option<Vec<RawFollowUp>>,
    answer_words: Option<(u32, u32)>,
    /// The required fields written in the file, valid or not: a field that
    /// is there but wrong has had its own error and is not also "missing".
    written: Vec<&'static str>,
}

struct RawRole {
    file: usize,
    id: Text,
    name: Text,
    aliases: Vec<Text>,
    vocabulary: Vocabulary,
    questions: Vec<RawQuestion>,
}

struct RawFramework {
    file: usize,
    framework: Framework,
    id_span: Range<usize>,
}

#[derive(Default)]
struct Raw {
    roles: Vec<RawRole>,
    frameworks: Vec<RawFramework>,
    templates: Vec<RawQuestion>,
    /// Files whose top-level table is `[feedback]` (the answer-feedback cues);
    /// compiled once the frameworks are known.
    feedback: Vec<usize>,
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        // Editors and VCS keep hidden files and folders next to guides.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

impl GuideLibrary {
    /// Reads every `*.toml` under `dir` (hidden files and folders aside) and
    /// returns the validated library, or every problem found.
    pub fn load(dir: impl AsRef<Path>) -> Result<GuideLibrary, LoadErrors> {
        let dir = dir.as_ref();
        let fail = |msg: String| Err(LoadErrors(vec![GuideError::whole_file(dir, msg)]));
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return fail(
                    "is not a directory; pass the folder that holds the guide files".into(),
                )
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return fail("guide directory not found".into())
            }
            Err(e) => return fail(format!("cannot open guide directory: {e}")),
        }
        let mut paths = Vec::new();
        if let Err(e) = collect_files(dir, &mut paths) {
            return fail(format!("cannot read guide directory: {e}"));
        }
        if paths.is_empty() {
            return fail("no guide files (*.toml) in this directory".into());
        }

        let mut errors = Vec::new();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => files.push(SourceFile::new(path, text)),
                    Err(e) => {
                        let file = SourceFile::new(
                            path,
                            String::from_utf8_lossy(e.as_bytes()).into_owned(),
                        );
                        errors.push(file.error_at(
                            e.utf8_error().valid_up_to(),
                            "file is not valid UTF-8 text",
                        ));
                    }
                },
                Err(e) => errors.push(GuideError::whole_file(
                    &path,
                    format!("cannot read file: {e}"),
                )),
            }
        }

        let raw = read_files(&files, &mut errors);
        let library = build(dir, &files, raw, &mut errors);
        errors.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        errors.dedup();
        if errors.is_empty() {
            Ok(library)
        } else {
            Err(LoadErrors(errors))
        }
    }
}

/// Parses and reads every file. Files are independent until [`build`] joins them,
/// so they are spread over the machine's cores (parsing TOML is most of a load:
/// 10,000 questions took ~225 ms on one core of the benchmark machine). The result
/// is merged in file order, so it does not depend on which thread read what.
fn read_files(files: &[SourceFile], errors: &mut Vec<GuideError>) -> Raw {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .min(MAX_READERS);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = files.get(index) else {
                return done;
            };
            let mut raw = Raw::default();
            let mut diags = Diagnostics::new(file);
            read_file(index, &mut diags, &mut raw);
            done.push((index, raw, diags.errors));
        }
    };
    let mut parts = std::thread::scope(|scope| {
        // The calling thread reads too; a helper that cannot be started (thread
        // limits) only means fewer hands, the shared counter hands out every file.
        let helpers: Vec<_> = (1..workers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("guide-reader".into())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut parts = work();
        for helper in helpers {
            match helper.join() {
                Ok(more) => parts.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    });
    parts.sort_unstable_by_key(|(index, _, _)| *index);
    let mut raw = Raw::default();
    for (_, part, part_errors) in parts {
        raw.roles.extend(part.roles);
        raw.frameworks.extend(part.frameworks);
        raw.templates.extend(part.templates);
        raw.feedback.extend(part.feedback);
        errors.extend(part_errors);
    }
    raw
}

/// Threads reading guide files at once; more than this only adds start-up cost.
const MAX_READERS: usize = 8;

fn read_file(index: usize, diags: &mut Diagnostics<'_>, raw: &mut Raw) {
    let file = diags.file;
    let Some(doc) = read::parse(file, diags) else {
        return;
    };
    let mut top = Fields::new(doc.get_ref(), 0..0, "this file");
    let is_role = top.has("role");
    let is_shared = top.has("frameworks") || top.has("templates");
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
    let mut synonyms = Vec::new();
    if let Some(table) = role.opt_table(diags, "synonyms", "[role.synonyms]") {
        for (term, variants) in table.string_list_map(diags) {
            // A synonym only helps the feedback if its term is one the role
            // lists; anything else is a typo that would silently do nothing.
            let terms = [&skills, &metrics, &stakeholders]
                .into_iter()
                .flatten()
                .flatten()
                .map(|t| t.value.as_str());
            let known: Vec<&str> = terms.collect();
            if !known.is_empty() && !known.iter().any(|k| k.eq_ignore_ascii_case(&term.value)) {
                let hint = match suggest::closest(&term.value, known.iter().copied(), 1).first() {
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
    }
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

fn read_framework(
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
    let mut steps = Vec::new();
    let mut steps_ok = true;
    match fw.opt_tables(diags, "steps", "step") {
        Some(tables) if !tables.is_empty() => {
            for mut step in tables {
                let key = step.text(diags, "key");
                let key = key.filter(|k| check_id(diags, k, "step key"));
                let name = step.text(diags, "name");
                let guidance = step.text(diags, "guidance");
                let probe = step.opt_nonblank_text(diags, "probe");
                for t in [&name, &guidance, &probe].into_iter().flatten() {
                    check_length(diags, t, limits::FIELD_MAX, "text");
                }
                if let Some(k) = &key {
                    if steps.iter().any(|s: &FrameworkStep| s.key == k.value) {
                        diags.at(
                            &k.span,
                            format!("duplicate step key `{}` in {}", k.value, fw.what()),
                        );
                    }
                }
                step.finish(diags);
                match (key, name, guidance) {
                    (Some(key), Some(name), Some(guidance)) => steps.push(FrameworkStep {
                        key: key.value,
                        name: name.value,
                        guidance: guidance.value,
                        probe: probe.map(|p| p.value),
                    }),
                    _ => steps_ok = false,
                }
            }
        }
        Some(_) => {
            diags.at(&fw.span(), format!("{} has no steps", fw.what()));
            steps_ok = false;
        }
        None => {
            diags.at(
                &fw.span(),
                format!("{} is missing the required field `steps`", fw.what()),
            );
            steps_ok = false;
        }
    }
    for t in [&name, &summary]
        .into_iter()
        .flatten()
        .chain(tips.iter().flatten())
    {
        check_length(diags, t, limits::FIELD_MAX, "text");
    }
    let (id, name, summary, tips) = (id?, name?, summary?, tips?);
    steps_ok.then(|| RawFramework {
        file: index,
        id_span: id.span.clone(),
        framework: Framework {
            id: id.value,
            name: name.value,
            summary: summary.value,
            steps,
            tips: tips.into_iter().map(|t| t.value).collect(),
        },
    })
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

fn read_question(
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
    // One broken follow-up makes the whole list unusable (its error is
    // reported), rather than an empty list that would also be "empty".
    let follow_ups = q
        .opt_tables(diags, "follow_ups", "follow-up")
        .and_then(|tables| {
            tables
                .into_iter()
                .map(|mut f| {
                    let question = f.text(diags, "question");
                    let checks = f.text(diags, "checks");
                    f.finish(diags);
                    Some(RawFollowUp {
                        question: question?,
                        checks: checks?,
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<Vec<_>>>()
        });
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
        written,
    }
}

/// Turns the raw pieces into the library, reporting cross-file problems.
fn build(dir: &Path, files: &[SourceFile], raw: Raw, errors: &mut Vec<GuideError>) -> GuideLibrary {
    let err = |errors: &mut Vec<GuideError>, file: usize, span: &Range<usize>, msg: String| {
        errors.push(files[file].error_at(span.start, msg));
    };

    // Frameworks first: questions refer to them.
    let mut frameworks: Vec<Arc<Framework>> = Vec::new();
    let mut framework_at: HashMap<String, (usize, Range<usize>)> = HashMap::new();
    for f in raw.frameworks {
        if let Some((file, span)) = framework_at.get(&f.framework.id) {
            let (line, _) = files[*file].position(span.start);
            err(
                errors,
                f.file,
                &f.id_span,
                format!(
                    "duplicate framework id `{}` (already defined in {}:{line})",
                    f.framework.id,
                    files[*file].path.display()
                ),
            );
            continue;
        }
        framework_at.insert(f.framework.id.clone(), (f.file, f.id_span.clone()));
        frameworks.push(Arc::new(f.framework));
    }
    // The feedback cues name framework steps, so they are checked against
    // the frameworks just built.
    let mut cue_file = None;
    for &file in &raw.feedback {
        if cue_file.is_some() {
            errors.push(GuideError::whole_file(
                &files[file].path,
                "a second [feedback] file; keep every cue in one file (guides/shared/feedback.toml)",
            ));
            continue;
        }
        let file = &files[file];
        match cues::parse(file)
            .map_err(|e| vec![e])
            .and_then(|toml| cues::validate(file, &toml, &frameworks))
        {
            Ok(c) => cue_file = Some(c),
            Err(e) => errors.extend(e),
        }
    }
    let framework_ids: Vec<&str> = frameworks.iter().map(|f| f.id.as_str()).collect();
    let check_framework = |errors: &mut Vec<GuideError>, file: usize, text: &Text| {
        if !framework_ids.contains(&text.value.as_str()) {
            let hint = match suggest::closest(&text.value, framework_ids.iter().copied(), 1).first()
            {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known frameworks: {}", framework_ids.join(", ")),
            };
            err(
                errors,
                file,
                &text.span,
                format!("unknown framework `{}`; {hint}", text.value),
            );
        }
    };

    // Templates: ids unique, required fields present (all but the example,
    // which each role may supply).
    let mut templates: HashMap<String, &RawQuestion> = HashMap::new();
    for t in &raw.templates {
        let Some(id) = &t.id else {
            err(
                errors,
                t.file,
                &t.span,
                "template is missing the required field `id`".into(),
            );
            continue;
        };
        if let Some(first) = templates.get(&id.value) {
            let (line, _) = files[first.file].position(first.span.start);
            err(
                errors,
                t.file,
                &id.span,
                format!(
                    "duplicate template id `{}` (already defined in {}:{line})",
                    id.value,
                    files[first.file].path.display()
                ),
            );
            continue;
        }
        let what = format!("template `{}`", id.value);
        require_fields(errors, &files[t.file], t, None, &what, false);
        if let Some(fw) = &t.framework {
            check_framework(errors, t.file, fw);
        }
        templates.insert(id.value.clone(), t);
    }
    let template_ids: Vec<&str> = {
        let mut ids: Vec<&str> = templates.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    };

    let mut roles = Vec::new();
    let mut lookup: HashMap<String, usize> = HashMap::new();
    let mut claimed: HashMap<String, (String, usize, Range<usize>)> = HashMap::new();
    for r in raw.roles {
        // Every way to name a role must lead to exactly one role.
        let mut keys: Vec<(&Text, &str)> = vec![(&r.id, "role id")];
        keys.extend(r.aliases.iter().map(|a| (a, "alias")));
        keys.push((&r.name, "role name"));
        let mut clash = false;
        let mut own_keys: Vec<String> = Vec::new();
        // An id and a name that normalise alike ("tester", "Tester") are one
        // key: report a clash on it once.
        let mut tried: Vec<String> = Vec::new();
        for (text, kind) in keys {
            let key = lookup_key(&text.value);
            if tried.contains(&key) {
                continue;
            }
            tried.push(key.clone());
            if let Some((owner, file, span)) = claimed.get(&key) {
                let (line, _) = files[*file].position(span.start);
                err(
                    errors,
                    r.file,
                    &text.span,
                    format!(
                        "{kind} `{}` is already used by role `{owner}` ({}:{line})",
                        text.value,
                        files[*file].path.display()
                    ),
                );
                clash = true;
            } else {
                own_keys.push(key);
            }
        }
        for key in &own_keys {
            claimed.insert(key.clone(), (r.id.value.clone(), r.file, r.id.span.clone()));
        }

        let role_what = format!("role `{}`", r.id.value);
        let mut questions: Vec<Question> = Vec::new();
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        for q in &r.questions {
            let tmpl = match &q.template {
                Some(t) => match templates.get(&t.value) {
                    Some(found) => {
                        if let Some(id) = &q.id {
                            err(errors, q.file, &id.span, format!(
                                "a question built from template `{}` takes the template's id; remove `id` or drop `template`",
                                t.value
                            ));
                        }
                        Some(*found)
                    }
                    None => {
                        let hint = match suggest::closest(&t.value, template_ids.iter().copied(), 1)
                            .first()
                        {
                            Some(s) => format!("did you mean `{s}`?"),
                            None if template_ids.is_empty() => {
                                "no templates are defined".to_string()
                            }
                            None => format!("known templates: {}", template_ids.join(", ")),
                        };
                        err(
                            errors,
                            q.file,
                            &t.span,
                            format!("unknown template `{}`; {hint}", t.value),
                        );
                        continue;
                    }
                },
                None => None,
            };
            let Some(id) = tmpl.and_then(|t| t.id.as_ref()).or(q.id.as_ref()) else {
                err(
                    errors,
                    q.file,
                    &q.span,
                    format!(
                    "question in {role_what} is missing the required field `id` (or `template`)"
                ),
                );
                continue;
            };
            if let Some(first) = seen.get(&id.value) {
                let (line, _) = files[q.file].position(first.start);
                let at = q.template.as_ref().map_or(&id.span, |t| &t.span);
                err(
                    errors,
                    q.file,
                    at,
                    format!(
                        "duplicate question id `{}` in {role_what} (first at line {line})",
                        id.value
                    ),
                );
                continue;
            }
            seen.insert(
                id.value.clone(),
                q.template
                    .as_ref()
                    .map_or(id.span.clone(), |t| t.span.clone()),
            );
            let what = format!("question `{}` in {role_what}", id.value);
            // The framework is checked whether or not other fields are missing.
            if let Some(fw) = &q.framework {
                check_framework(errors, q.file, fw);
            }
            if !require_fields(errors, &files[q.file], q, tmpl, &what, true) {
                continue;
            }
            if let Some(question) =
                assemble(errors, files, &r, q, tmpl, &frameworks, id.value.clone())
            {
                questions.push(question);
            }
        }
        if clash {
            continue;
        }
        let index = roles.len();
        for key in own_keys {
            lookup.insert(key, index);
        }
        roles.push(Role {
            id: r.id.value,
            name: r.name.value,
            aliases: r.aliases.into_iter().map(|a| a.value).collect(),
            vocabulary: r.vocabulary,
            questions,
            source: files[r.file].path.clone(),
        });
    }
    if roles.is_empty() && errors.is_empty() {
        errors.push(GuideError::whole_file(
            dir,
            "no role files found (a role file has a [role] table); see guides/README.md",
        ));
    }
    let templates_count = templates.len();
    GuideLibrary {
        dir: dir.to_path_buf(),
        roles,
        lookup,
        frameworks,
        templates: templates_count,
        files: files.len(),
        cue_file,
        compiled_cues: Default::default(),
    }
}

/// The fields a question needs, from itself or its template.
const QUESTION_FIELDS: [&str; 8] = [
    "text",
    "category",
    "stage",
    "why",
    "framework",
    "tips",
    "follow_ups",
    "example",
];

/// Reports required fields that neither the question nor its template has.
/// Returns whether all were present.
fn require_fields(
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
fn assemble(
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
