//! The loaded, validated guide library: roles, their questions and the
//! frameworks those questions use. Everything here is immutable once built;
//! a reload builds a new library and swaps it in whole.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::cues::CueFile;
use super::read::GuideError;
use super::sentences::SentenceModelFile;
use super::suggest;

/// What kind of question it is; `/ask` can filter by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    General,
    Behavioral,
    Technical,
    SystemDesign,
    Situational,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::General,
        Category::Behavioral,
        Category::Technical,
        Category::SystemDesign,
        Category::Situational,
    ];

    /// The id used in guide files and command options.
    pub fn id(self) -> &'static str {
        match self {
            Category::General => "general",
            Category::Behavioral => "behavioral",
            Category::Technical => "technical",
            Category::SystemDesign => "system-design",
            Category::Situational => "situational",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::General => "General",
            Category::Behavioral => "Behavioral",
            Category::Technical => "Technical",
            Category::SystemDesign => "System design",
            Category::Situational => "Situational",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        let s = s.trim().to_lowercase().replace([' ', '_'], "-");
        Self::ALL
            .into_iter()
            .find(|c| c.id() == s || (s == "behavioural" && *c == Category::Behavioral))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The interview stage where a question usually comes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Screening,
    Technical,
    Final,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Screening, Stage::Technical, Stage::Final];

    pub fn id(self) -> &'static str {
        match self {
            Stage::Screening => "screening",
            Stage::Technical => "technical",
            Stage::Final => "final",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Screening => "Screening",
            Stage::Technical => "Technical round",
            Stage::Final => "Final round",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        let s = s.trim().to_lowercase();
        Self::ALL.into_iter().find(|st| st.id() == s)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkStep {
    /// Stable id that feedback cue lists refer to, e.g. `result`.
    pub key: String,
    pub name: String,
    pub guidance: String,
    /// A question the coach may ask when an answer skips this step.
    pub probe: Option<String>,
    /// The sentence functions (names in the sentence model) that cover this
    /// step; empty when the step is found by cue phrases alone. Interview
    /// states stored before the sentence model have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    /// The covering sentence must have the speaker's "I" in it (STAR's
    /// action is what you did, not what the team did).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_person: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub steps: Vec<FrameworkStep>,
    pub tips: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub question: String,
    /// What the follow-up tells the interviewer.
    pub checks: String,
    /// What an answer to it should contain; the feedback on that answer
    /// speaks to these and to its length, nothing else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expects: Vec<Expect>,
    /// Target length of an answer in words, `(min, max)`; `None` takes the
    /// cue file's `follow_up_words`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_words: Option<(u32, u32)>,
}

/// One thing a follow-up (or a coach's probe) asks the answer for. Written
/// in guides and stored in interview states as its id: `"number"`,
/// `"step:result"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Expect {
    /// A number: what changed, and by how much.
    Number,
    /// The speaker's own part, told as "I".
    Ownership,
    /// A trade-off: what was weighed, given up or rejected.
    Tradeoff,
    /// The people involved, or who was told.
    People,
    /// What was learned, or what would be done differently.
    Learning,
    /// A step of the question's framework, by key.
    Step(String),
}

impl Expect {
    /// The ids a guide may write, for messages.
    pub const IDS: [&'static str; 6] = [
        "number",
        "ownership",
        "tradeoff",
        "people",
        "learning",
        "step:<key>",
    ];

    /// Reads an id as written in a guide; `None` for anything else. A step
    /// key is checked against the framework later, where it is known.
    pub fn parse(s: &str) -> Option<Expect> {
        Some(match s.trim() {
            "number" => Expect::Number,
            "ownership" => Expect::Ownership,
            "tradeoff" => Expect::Tradeoff,
            "people" => Expect::People,
            "learning" => Expect::Learning,
            other => {
                let key = other.strip_prefix("step:")?;
                if !super::load::valid_id(key) {
                    return None;
                }
                Expect::Step(key.to_string())
            }
        })
    }

    pub fn id(&self) -> String {
        match self {
            Expect::Number => "number".into(),
            Expect::Ownership => "ownership".into(),
            Expect::Tradeoff => "tradeoff".into(),
            Expect::People => "people".into(),
            Expect::Learning => "learning".into(),
            Expect::Step(key) => format!("step:{key}"),
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

impl From<Expect> for String {
    fn from(e: Expect) -> String {
        e.id()
    }
}

impl TryFrom<String> for Expect {
    type Error = String;

    fn try_from(s: String) -> Result<Expect, String> {
        Expect::parse(&s).ok_or_else(|| {
            format!(
                "unknown expectation `{s}`; use one of: {}",
                Expect::IDS.join(", ")
            )
        })
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub text: String,
    pub category: Category,
    pub stage: Stage,
    pub why: String,
    pub framework: Arc<Framework>,
    pub tips: Vec<String>,
    pub example: String,
    pub follow_ups: Vec<FollowUp>,
    /// Target answer length in words, `(min, max)`.
    pub answer_words: (u32, u32),
    /// The shared template this question was built from, if any.
    pub template: Option<String>,
    /// The levels it is written for, in order; every level unless the
    /// guide says otherwise.
    pub levels: Vec<super::Level>,
    /// Where the question is written in its role's file (`Role::source`):
    /// 1-based line and column of its `template = …` or `id = …`.
    pub origin: (usize, usize),
    /// The follow-ups are the template's, not written for this question:
    /// they were written without any example answer in view.
    pub templated_follow_ups: bool,
}

impl Question {
    /// Whether the question suits `level`; any question suits no level.
    pub fn suits(&self, level: Option<super::Level>) -> bool {
        level.is_none_or(|l| self.levels.contains(&l))
    }

    /// Whether the guide narrowed it to some levels.
    pub fn has_levels(&self) -> bool {
        self.levels.len() < super::Level::ALL.len()
    }
}

/// The words a role's guides are written in; they fill template placeholders
/// and tell the feedback which terms matter for the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    pub field: String,
    pub focus: Vec<String>,
    pub skills: Vec<String>,
    pub metrics: Vec<String>,
    pub stakeholders: Vec<String>,
    /// Other spellings of a term, e.g. PostgreSQL → Postgres.
    pub synonyms: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub vocabulary: Vocabulary,
    pub questions: Vec<Question>,
    pub source: PathBuf,
}

impl Role {
    pub fn question(&self, id: &str) -> Option<&Question> {
        let id = id.trim().to_lowercase();
        self.questions.iter().find(|q| q.id == id)
    }

    /// Looks a question up, or says which ids were probably meant.
    pub fn resolve_question(&self, id: &str) -> Result<&Question, Unknown> {
        self.question(id).ok_or_else(|| Unknown {
            input: id.trim().to_string(),
            suggestions: suggest::closest(id, self.questions.iter().map(|q| q.id.as_str()), 3)
                .into_iter()
                .map(str::to_string)
                .collect(),
        })
    }

    pub fn has_category(&self, category: Category) -> bool {
        self.questions.iter().any(|q| q.category == category)
    }
}

/// A role or question id that matched nothing, with the closest real ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub input: String,
    pub suggestions: Vec<String>,
}

/// Counts for summaries (`check`, `/guides reload`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub roles: usize,
    pub questions: usize,
    pub frameworks: usize,
    pub templates: usize,
    pub files: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |count: usize, what: &str| super::template::plural(count as u64, what);
        write!(
            f,
            "{}, {}, {}, {} in {}",
            n(self.roles, "role"),
            n(self.questions, "question"),
            n(self.frameworks, "framework"),
            n(self.templates, "template"),
            n(self.files, "file")
        )
    }
}

/// Every guide, validated and indexed. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct GuideLibrary {
    pub(super) dir: PathBuf,
    pub(super) roles: Vec<Role>,
    /// Lower-case id, alias and name → index into `roles`.
    pub(super) lookup: HashMap<String, usize>,
    pub(super) frameworks: Vec<Arc<Framework>>,
    pub(super) templates: usize,
    pub(super) files: usize,
    /// The `[feedback]` cue file, when the guides have one.
    pub(super) cue_file: Option<CueFile>,
    /// The `[sentence_model]` file, when the guides have one.
    pub(super) sentence_model: Option<SentenceModelFile>,
    pub(super) compiled_cues: CompiledCues,
    /// What loads but will not show whole (see `load::shown`).
    pub(super) warnings: Vec<GuideError>,
    /// What the loader noticed for the strict check (see `lint`).
    pub(super) strict_notes: Vec<GuideError>,
    /// A fingerprint of the files loaded (see [`GuideLibrary::digest`]).
    pub(super) digest: String,
}

/// What a higher layer compiles from the cue file, kept with the library so
/// it is built once per load; stored untyped because this layer sits below
/// the one that defines it.
#[derive(Default)]
pub(super) struct CompiledCues(OnceLock<Box<dyn Any + Send + Sync>>);

impl fmt::Debug for CompiledCues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.0.get().is_some() {
            "compiled"
        } else {
            "not yet"
        };
        f.write_str(state)
    }
}

/// Normalises what a person types for a role: case, surrounding space, and
/// spaces or underscores where ids have dashes.
pub(super) fn lookup_key(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '_'], "-")
}

impl GuideLibrary {
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// SHA-256 over the files this library was loaded from (their paths under the guide
    /// folder and their text, in path order), in hex: two processes whose libraries have
    /// the same digest serve the same guides.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The answer-feedback cues (`guides/shared/feedback.toml`), validated.
    /// Problems that do not stop the guides from serving, such as text that
    /// `/ask` will cut at Discord's limits; `check` prints them.
    pub fn warnings(&self) -> &[GuideError] {
        &self.warnings
    }

    /// What the loader noticed that only the strict check reports: lists
    /// that read badly once a role's words are filled in.
    pub fn strict_notes(&self) -> &[GuideError] {
        &self.strict_notes
    }

    pub fn cue_file(&self) -> Option<&CueFile> {
        self.cue_file.as_ref()
    }

    /// The sentence model (`guides/shared/sentences.toml`), validated.
    pub fn sentence_model(&self) -> Option<&SentenceModelFile> {
        self.sentence_model.as_ref()
    }

    /// The cue file as `compile` makes it, on the first call; later calls
    /// return the same value. A program compiles it to one type (the coach's
    /// matchers): asking for another type gives `None`.
    pub fn compiled_cues<T: Any + Send + Sync>(
        &self,
        compile: impl FnOnce(&CueFile, Option<&SentenceModelFile>) -> T,
    ) -> Option<&T> {
        let file = self.cue_file.as_ref()?;
        let model = self.sentence_model.as_ref();
        let compiled = self
            .compiled_cues
            .0
            .get_or_init(|| Box::new(compile(file, model)));
        compiled.downcast_ref()
    }

    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// A role by id, alias or display name, case-insensitive.
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.lookup.get(&lookup_key(name)).map(|&i| &self.roles[i])
    }

    /// Looks a role up, or says which roles were probably meant (at most three).
    pub fn resolve_role(&self, name: &str) -> Result<&Role, Unknown> {
        self.role(name).ok_or_else(|| {
            let mut suggestions: Vec<String> = Vec::new();
            for key in suggest::closest(
                &lookup_key(name),
                self.lookup.keys().map(String::as_str),
                10,
            ) {
                let id = &self.roles[self.lookup[key]].id;
                if !suggestions.contains(id) {
                    suggestions.push(id.clone());
                }
                if suggestions.len() == 3 {
                    break;
                }
            }
            Unknown {
                input: name.trim().to_string(),
                suggestions,
            }
        })
    }

    pub fn framework(&self, id: &str) -> Option<&Arc<Framework>> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    pub fn frameworks(&self) -> &[Arc<Framework>] {
        &self.frameworks
    }

    pub fn counts(&self) -> Counts {
        Counts {
            roles: self.roles.len(),
            questions: self.roles.iter().map(|r| r.questions.len()).sum(),
            frameworks: self.frameworks.len(),
            templates: self.templates,
            files: self.files,
        }
    }
}
