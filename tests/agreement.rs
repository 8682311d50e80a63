//! How often the feedback analyser agrees with careful human labels, per
//! detection kind, on answers in many voices (tests/feedback_labelled/,
//! LABELLING.md).
//!
//! - `tuning_*`: the tuning answers; the sentence model is trained on them,
//!   so their figure is agreement with itself. `tuning_cross_writer` is the
//!   honest one: writers split into four folds, each fold's answers scored by
//!   a model trained on the others'.
//! - `held_out_*`: answers written and labelled by people who never saw the
//!   analyser; never tuned against. Their first-run figures are recorded in
//!   tests/feedback_labelled/README.md.
//!
//! `AGREEMENT_SHOW=1` prints every disagreement (`2` adds each piece's
//! functions). For experiments, `tuning_cross_writer` takes its fitting
//! settings from `AGREEMENT_THRESHOLD`, `TRAIN_EPOCHS`, `TRAIN_LR`,
//! `TRAIN_L2`, `TRAIN_MIN`, `TRAIN_BALANCE`, `TRAIN_SOFTMAX`, `TRAIN_ABSENT`
//! and `TRAIN_PRESENT` when set, and absolute per-function thresholds from
//! `AGREEMENT_FUNCTION_THRESHOLDS` (`goal=0.2,context=0.5`); the shipped
//! model uses `Settings::default()`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use interview_coach::coach::feedback::sentences::train::{self, CorpusAnswer, Settings};
use interview_coach::coach::feedback::{
    self, Analysis, AnswerContext, Cues, FrameworkRef, LibraryCues, RoleTerms,
};
use interview_coach::guide::GuideLibrary;
use serde::Deserialize;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[derive(Deserialize)]
struct RolesFile {
    roles: BTreeMap<String, Vocab>,
}

#[derive(Deserialize)]
struct Vocab {
    skills: Vec<String>,
    metrics: Vec<String>,
    stakeholders: Vec<String>,
    #[serde(default)]
    synonyms: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct File {
    answers: Vec<Labelled>,
}

#[derive(Deserialize)]
struct Labelled {
    id: String,
    role: String,
    framework: String,
    #[serde(default)]
    voice: String,
    /// The question's own length band, when it has one.
    answer_words: Option<(u32, u32)>,
    text: String,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Bounds {
    Exact(u32),
    Range([u32; 2]),
}

impl Bounds {
    fn holds(&self, n: u32) -> bool {
        match *self {
            Bounds::Exact(e) => n == e,
            Bounds::Range([lo, hi]) => (lo..=hi).contains(&n),
        }
    }
}

#[derive(Deserialize)]
struct Expect {
    steps: Vec<String>,
    quantified: bool,
    terms: Vec<String>,
    ownership: String,
    fillers: Bounds,
    hedges: Bounds,
    words: u32,
}

fn labelled(dir: &Path) -> Vec<Labelled> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|p| {
            let f: File =
                toml::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            f.answers
        })
        .collect()
}

fn library() -> GuideLibrary {
    GuideLibrary::load(root().join("guides")).unwrap_or_else(|e| panic!("guides:\n{e}"))
}

fn enum_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Agreements and checks per detection kind.
#[derive(Default)]
struct Tally {
    kinds: BTreeMap<&'static str, (u32, u32)>,
    misses: Vec<String>,
}

impl Tally {
    fn check(&mut self, kind: &'static str, ok: bool, detail: impl FnOnce() -> String) {
        let t = self.kinds.entry(kind).or_default();
        t.1 += 1;
        if ok {
            t.0 += 1;
        } else {
            self.misses.push(format!("{kind}: {}", detail()));
        }
    }

    fn rate(&self, kind: &str) -> f64 {
        self.kinds
            .get(kind)
            .map_or(1.0, |(a, n)| f64::from(*a) / f64::from((*n).max(1)))
    }

    fn table(&self, title: &str) -> String {
        let mut s = format!("{title}\n");
        for (k, (a, n)) in &self.kinds {
            s.push_str(&format!(
                "  {k:<10} {a:>4}/{n:<4} {:.1}%\n",
                100.0 * f64::from(*a) / f64::from((*n).max(1))
            ));
        }
        s
    }
}

fn score(answers: &[Labelled], fws: &[FrameworkRef], cues: &Cues, tally: &mut Tally) {
    let roles: RolesFile =
        toml::from_str(&read(&root().join("tests/feedback_labelled/roles.toml"))).unwrap();
    for l in answers {
        let vocab = roles
            .roles
            .get(&l.role)
            .unwrap_or_else(|| panic!("{}: unknown role {}", l.id, l.role));
        let fw = fws
            .iter()
            .find(|f| f.id == l.framework)
            .unwrap_or_else(|| panic!("{}: unknown framework {}", l.id, l.framework));
        let terms = RoleTerms::from_lists(
            &vocab.skills,
            &vocab.metrics,
            &vocab.stakeholders,
            &vocab.synonyms,
        );
        let ctx = AnswerContext::new(fw.clone(), terms.clone(), l.answer_words, cues);
        let a = feedback::analyse(&l.text, &ctx, cues);
        compare(l, &a, &terms, tally);
    }
}

fn compare(l: &Labelled, a: &Analysis, terms: &RoleTerms, tally: &mut Tally) {
    let who = format!("{} [{}]", l.id, l.voice);
    let pieces = || {
        if std::env::var("AGREEMENT_SHOW").is_ok_and(|v| v == "2") {
            a.sentences
                .iter()
                .map(|s| {
                    let f: Vec<String> = s
                        .functions
                        .iter()
                        .map(|f| format!("{}:{:.2}", f.function, f.probability))
                        .collect();
                    format!("\n      [{}] {}", f.join(" "), s.text)
                })
                .collect()
        } else {
            String::new()
        }
    };
    for s in &a.steps {
        let want = l.expect.steps.contains(&s.key);
        tally.check("steps", s.covered == want, || {
            format!(
                "{who}: {} expected {}, found {} {:?}{}",
                s.key,
                if want { "present" } else { "absent" },
                if s.covered { "present" } else { "absent" },
                s.evidence.as_ref().map(|e| &e.excerpt),
                pieces()
            )
        });
    }
    let quantified = !a.quantified_results.is_empty();
    tally.check("quantified", quantified == l.expect.quantified, || {
        format!(
            "{who}: expected {}, found {:?}",
            l.expect.quantified,
            a.quantified_results
                .iter()
                .map(|q| &q.text)
                .collect::<Vec<_>>()
        )
    });
    for t in terms
        .skills
        .iter()
        .chain(&terms.metrics)
        .chain(&terms.stakeholders)
    {
        let want = l.expect.terms.contains(&t.canonical);
        let found = a.role_terms.used.iter().any(|u| u.term == t.canonical);
        tally.check("terms", want == found, || {
            format!("{who}: {} expected {want}, found {found}", t.canonical)
        });
    }
    let verdict = enum_name(&a.ownership.verdict);
    tally.check("ownership", verdict == l.expect.ownership, || {
        format!(
            "{who}: expected {}, found {verdict} (I {}, we {})",
            l.expect.ownership, a.ownership.singular, a.ownership.plural
        )
    });
    let fillers: u32 = a.fillers.iter().map(|p| p.count).sum();
    tally.check("fillers", l.expect.fillers.holds(fillers), || {
        format!("{who}: found {fillers} {:?}", a.fillers)
    });
    let hedges: u32 = a.hedges.iter().map(|p| p.count).sum();
    tally.check("hedges", l.expect.hedges.holds(hedges), || {
        format!("{who}: found {hedges} {:?}", a.hedges)
    });
    tally.check("length", a.length.words == l.expect.words, || {
        format!(
            "{who}: expected {} words, found {}",
            l.expect.words, a.length.words
        )
    });
}

fn shipped() -> (Vec<FrameworkRef>, Cues) {
    let lib = library();
    let fws = lib
        .frameworks()
        .iter()
        .map(|f| FrameworkRef::from_framework(f))
        .collect();
    let cues = Cues::clone(lib.cues().expect("the shipped guides have a cue file"));
    (fws, cues)
}

fn show(tally: &Tally) {
    if std::env::var_os("AGREEMENT_SHOW").is_some() {
        for m in &tally.misses {
            println!("{m}");
        }
    }
}

/// The shipped model and cues on the tuning answers (which trained it).
#[test]
fn tuning_agreement() {
    let (fws, cues) = shipped();
    let answers = labelled(&root().join("tests/feedback_labelled/tuning"));
    let mut tally = Tally::default();
    score(&answers, &fws, &cues, &mut tally);
    show(&tally);
    println!("{}", tally.table("tuning answers, shipped model"));
    for kind in [
        "steps",
        "quantified",
        "terms",
        "ownership",
        "fillers",
        "length",
    ] {
        assert!(
            tally.rate(kind) >= 0.95,
            "{kind} agreement {:.1}% on the tuning answers",
            100.0 * tally.rate(kind)
        );
    }
}

/// Writers in four folds, each fold's answers scored by a model trained on
/// the other folds': how the model does on voices it was not fitted to.
#[test]
fn tuning_cross_writer() {
    let lib = GuideLibrary::load_without_sentence_model(root().join("guides")).unwrap();
    let fws: Vec<FrameworkRef> = lib
        .frameworks()
        .iter()
        .map(|f| FrameworkRef::from_framework(f))
        .collect();
    let cue_file = lib.cue_file().expect("cue file");
    let bare = Cues::compile(cue_file, None);
    let dir = root().join("tests/feedback_labelled/tuning");
    let answers = labelled(&dir);
    let corpus: Vec<CorpusAnswer> = {
        #[derive(Deserialize)]
        struct F {
            answers: Vec<CorpusAnswer>,
        }
        // The shipped examples train every fold, as they train the shipped
        // model; they are never scored.
        let examples = root().join("tests/feedback_labelled/examples");
        let mut paths: Vec<PathBuf> = [&dir, &examples]
            .iter()
            .flat_map(|d| std::fs::read_dir(d).unwrap().flatten().map(|e| e.path()))
            .collect();
        paths.sort();
        paths
            .iter()
            .flat_map(|p| toml::from_str::<F>(&read(p)).unwrap().answers)
            .collect()
    };
    let mut tally = Tally::default();
    let mut writers: Vec<String> = corpus
        .iter()
        .filter_map(|a| a.id.split_once('-').map(|(w, _)| format!("{w}-")))
        .filter(|w| w != "ex-")
        .collect();
    writers.sort();
    writers.dedup();
    // Four folds of whole writers (round-robin over the sorted names): each
    // writer is scored by a model that never saw their answers, at a quarter
    // of the cost of one model per writer.
    const FOLDS: usize = 4;
    let folds: Vec<Vec<String>> = (0..FOLDS)
        .map(|k| writers.iter().skip(k).step_by(FOLDS).cloned().collect())
        .collect();
    for fold in &folds {
        let in_fold = |id: &str| fold.iter().any(|w| id.starts_with(w.as_str()));
        let train_on: Vec<CorpusAnswer> = corpus
            .iter()
            .filter(|a| !in_fold(&a.id))
            .map(|a| CorpusAnswer {
                id: a.id.clone(),
                framework: a.framework.clone(),
                text: a.text.clone(),
                parts: a
                    .parts
                    .iter()
                    .map(|p| train::CorpusPart {
                        does: p.does.clone(),
                        text: p.text.clone(),
                    })
                    .collect(),
                expect: a.expect.clone(),
            })
            .collect();
        let examples = train::examples(&train_on, &fws, &bare).unwrap();
        let mut settings = Settings::default();
        let env = |k: &str| std::env::var(k).ok().and_then(|t| t.parse::<f64>().ok());
        if let Some(t) = env("AGREEMENT_THRESHOLD") {
            settings.threshold = t;
        }
        if let Some(t) = env("TRAIN_EPOCHS") {
            settings.epochs = t as usize;
        }
        if let Some(t) = env("TRAIN_LR") {
            settings.learning_rate = t;
        }
        if let Some(t) = env("TRAIN_L2") {
            settings.l2 = t;
        }
        if std::env::var_os("TRAIN_SOFTMAX").is_some() {
            settings.softmax = true;
        }
        if let Some(t) = env("TRAIN_BALANCE") {
            settings.balance = t;
        }
        if let Some(t) = env("TRAIN_ABSENT") {
            settings.absent_weight = t;
        }
        if let Some(t) = env("TRAIN_PRESENT") {
            settings.present_weight = t;
        }
        if let Some(t) = env("TRAIN_MIN") {
            settings.min_count = t as usize;
        }
        if let Some(t) = env("TRAIN_KEEP") {
            settings.keep_weight = t;
        }
        let fitted = train::fit(&examples, settings);
        let mut file = train::to_file(&fitted);
        // `AGREEMENT_FUNCTION_THRESHOLDS=goal=0.2,context=0.5`: thresholds
        // for experiments, absolute, per function.
        if let Ok(list) = std::env::var("AGREEMENT_FUNCTION_THRESHOLDS") {
            for (name, value) in list.split(',').filter_map(|kv| kv.split_once('=')) {
                let at = file.functions.iter().position(|f| f == name.trim());
                if let (Some(at), Ok(v)) = (at, value.trim().parse::<f32>()) {
                    file.thresholds[at] = v;
                }
            }
        }
        let cues = Cues::compile(cue_file, Some(&file));
        let test: Vec<Labelled> = answers
            .iter()
            .filter(|a| in_fold(&a.id))
            .map(|a| Labelled {
                id: a.id.clone(),
                role: a.role.clone(),
                framework: a.framework.clone(),
                voice: a.voice.clone(),
                answer_words: a.answer_words,
                text: a.text.clone(),
                expect: Expect {
                    steps: a.expect.steps.clone(),
                    quantified: a.expect.quantified,
                    terms: a.expect.terms.clone(),
                    ownership: a.expect.ownership.clone(),
                    fillers: match a.expect.fillers {
                        Bounds::Exact(n) => Bounds::Exact(n),
                        Bounds::Range(r) => Bounds::Range(r),
                    },
                    hedges: match a.expect.hedges {
                        Bounds::Exact(n) => Bounds::Exact(n),
                        Bounds::Range(r) => Bounds::Range(r),
                    },
                    words: a.expect.words,
                },
            })
            .collect();
        score(&test, &fws, &cues, &mut tally);
    }
    show(&tally);
    println!(
        "{}",
        tally.table("tuning answers, model trained on the other writers")
    );
    assert!(
        tally.rate("steps") >= 0.85,
        "cross-writer step agreement {:.1}%",
        100.0 * tally.rate("steps")
    );
}

/// The held-out set `held_out_agreement` runs, under tests/feedback_labelled/.
/// heldout-7 had its first run at 2cebb22 (every kind at 95% or above) and
/// is kept as a floor; it is never tuned against. The next change to the
/// analyser is judged first on the next unrun set (see the labelled set's
/// README), which then replaces it here.
const HELD_OUT: Option<&str> = Some("heldout-7");

/// The held-out set's first-run figures, per kind, in per mille, as recorded
/// in tests/feedback_labelled/README.md. The test guards against falling
/// below them; it never tunes toward the set. These are heldout-7's (first
/// run at 2cebb22).
const HELD_OUT_FIRST_RUN: &[(&str, u32)] = &[
    ("steps", 952),
    ("quantified", 964),
    ("terms", 995),
    ("ownership", 973),
    ("fillers", 991),
    ("hedges", 955),
    ("length", 1000),
];

/// The held-out answers (`HELD_OUT`): written and labelled by two people who
/// saw only LABELLING.md and roles.toml. Skips, saying so, while no set is
/// waiting to be run.
#[test]
fn held_out_agreement() {
    let Some(set) = HELD_OUT else {
        println!("held_out_agreement: no held-out set to run");
        return;
    };
    let (fws, cues) = shipped();
    let answers = labelled(&root().join("tests/feedback_labelled").join(set));
    let mut tally = Tally::default();
    score(&answers, &fws, &cues, &mut tally);
    show(&tally);
    println!(
        "{}",
        tally.table(&format!("held-out answers ({set}), shipped model"))
    );
    for (kind, floor) in HELD_OUT_FIRST_RUN {
        let per_mille = (tally.rate(kind) * 1000.0).round() as u32;
        assert!(
            per_mille >= *floor,
            "{kind}: {per_mille}‰ on the held-out answers, below the first run's {floor}‰"
        );
    }
}
