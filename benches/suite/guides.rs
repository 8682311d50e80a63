//! A generated guide folder of any size, written like the shipped guides: the shipped
//! shared files (frameworks, templates), and role files whose first questions use the shared
//! templates and whose others are written out in full, with texts of the shipped lengths.

use std::fmt::Write as _;
use std::path::Path;

use interview_coach::guide::{Category, GuideLibrary, Stage};

/// Folder of the shipped guides.
pub fn shipped() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/guides"))
}

/// The shipped roles' ids.
pub fn shipped_roles() -> Result<Vec<String>, String> {
    let lib = GuideLibrary::load(shipped())
        .map_err(|e| format!("the shipped guides do not load:\n{e}"))?;
    Ok(lib.roles().iter().map(|r| r.id.clone()).collect())
}

/// A small deterministic generator, so every run writes the same guides.
struct Words(u64);

impl Words {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }

    /// Prose of about `chars` characters.
    fn prose(&mut self, chars: usize) -> String {
        const SUBJECTS: &[&str] = &[
            "The team",
            "Our service",
            "The on-call rotation",
            "The customer",
            "My manager",
            "The data pipeline",
            "The release process",
            "The dashboard",
            "The design review",
            "The migration",
        ];
        const VERBS: &[&str] = &[
            "needed",
            "measured",
            "reduced",
            "replaced",
            "documented",
            "reviewed",
            "shipped",
            "simplified",
            "monitored",
            "prioritised",
        ];
        const OBJECTS: &[&str] = &[
            "the slowest queries",
            "a clear rollback plan",
            "the error budget",
            "three competing requests",
            "the weekly report",
            "an unreliable dependency",
            "the onboarding checklist",
            "a risky schema change",
            "the alert thresholds",
            "the cost of each request",
        ];
        const ENDINGS: &[&str] = &[
            "before the deadline",
            "with the product manager",
            "in two weeks",
            "without downtime",
            "for every region",
            "after the incident review",
            "by 40 percent",
            "with a small experiment first",
            "so support could answer faster",
            "and wrote down why",
        ];
        let mut out = String::with_capacity(chars + 80);
        while out.len() < chars {
            let _ = write!(
                out,
                "{} {} {} {}. ",
                self.pick(SUBJECTS),
                self.pick(VERBS),
                self.pick(OBJECTS),
                self.pick(ENDINGS)
            );
        }
        out.trim_end().to_string()
    }
}

/// TOML basic string: quotes, backslashes and control characters escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `roles` role files of `questions` questions each into `dir` (which must not hold
/// other guides), with the shipped shared files. Returns the role ids.
pub fn generate(dir: &Path, roles: usize, questions: usize) -> Result<Vec<String>, String> {
    let shipped_lib = GuideLibrary::load(shipped())
        .map_err(|e| format!("the shipped guides do not load:\n{e}"))?;
    copy_dir(&shipped().join("shared"), &dir.join("shared"))?;
    let frameworks: Vec<&str> = shipped_lib
        .frameworks()
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    // The templates the shipped roles use, in their order.
    let mut templates: Vec<String> = Vec::new();
    for q in shipped_lib.roles().iter().flat_map(|r| &r.questions) {
        if let Some(t) = &q.template {
            if !templates.contains(t) {
                templates.push(t.clone());
            }
        }
    }
    let categories = Category::ALL;
    let stages = Stage::ALL;
    let mut ids = Vec::with_capacity(roles);
    for r in 0..roles {
        let mut words = Words(0x9E37_79B9_7F4A_7C15 ^ (r as u64 + 1));
        let id = format!("gen-role-{r:03}");
        let mut f = String::with_capacity(questions * 2_600);
        let _ = write!(
            f,
            "# Generated for the benchmarks: role {r}.\n\n[role]\nid = {}\nname = {}\naliases = [{}]\n\
             field = {}\nfocus = [\"pipelines\", \"reliability\", \"cost\"]\n\
             skills = [\"SQL\", \"Python\", \"queues\", \"dashboards\"]\n\
             metrics = [\"latency\", \"error rate\", \"cost per request\"]\n\
             stakeholders = [\"product managers\", \"support teams\", \"designers\"]\n\n\
             [role.synonyms]\n\"SQL\" = [\"Postgres\"]\n",
            quoted(&id),
            quoted(&format!("Generated Role {r:03}")),
            quoted(&format!("gr{r:03}")),
            quoted(&format!("generated field {r}")),
        );
        for q in 0..questions {
            if let Some(t) = templates.get(q) {
                let _ = write!(
                    f,
                    "\n[[questions]]\ntemplate = {}\nexample = {}\n",
                    quoted(t),
                    quoted(&words.prose(1_500)),
                );
                continue;
            }
            let _ = write!(
                f,
                "\n[[questions]]\nid = {}\ntext = {}\ncategory = {}\nstage = {}\nwhy = {}\n\
                 framework = {}\ntips = [{}, {}, {}]\nexample = {}\n",
                quoted(&format!("question-{q:03}")),
                quoted(&format!(
                    "Question {q} for role {r}: {}?",
                    words.prose(100).trim_end_matches('.')
                )),
                quoted(categories[q % categories.len()].id()),
                quoted(stages[q % stages.len()].id()),
                quoted(&words.prose(400)),
                quoted(frameworks[q % frameworks.len()]),
                quoted(&words.prose(90)),
                quoted(&words.prose(90)),
                quoted(&words.prose(90)),
                quoted(&words.prose(1_500)),
            );
            for _ in 0..3 {
                let _ = write!(
                    f,
                    "\n[[questions.follow_ups]]\nquestion = {}\nchecks = {}\n",
                    quoted(&format!("{}?", words.prose(80).trim_end_matches('.'))),
                    quoted(&words.prose(100)),
                );
            }
        }
        let path = dir.join(format!("{id}.toml"));
        std::fs::write(&path, f).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        ids.push(id);
    }
    Ok(ids)
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let target = to.join(entry.file_name());
        let is_dir = entry
            .file_type()
            .map_err(|e| format!("cannot stat {}: {e}", entry.path().display()))?
            .is_dir();
        if is_dir {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}
