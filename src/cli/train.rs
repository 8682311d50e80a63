//! `train-sentences`: fit the sentence model from the labelled tuning
//! answers and write it beside the guides.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::coach::feedback::sentences::train::{self, CorpusAnswer, CorpusFile, Settings};
use crate::coach::feedback::{Cues, FrameworkRef};
use crate::guide::GuideLibrary;

use super::{problems, Failure};

/// Reads every `*.toml` in each folder of `data`, in the order given and by
/// name within a folder, so the corpus order and hence the fitted weights
/// never depend on the file system.
fn corpus(data: &[PathBuf]) -> Result<Vec<CorpusAnswer>, Failure> {
    let mut answers = Vec::new();
    for dir in data {
        answers.extend(corpus_dir(dir)?);
    }
    Ok(answers)
}

fn corpus_dir(data: &Path) -> Result<Vec<CorpusAnswer>, Failure> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data)
        .map_err(|e| Failure(format!("cannot read {}: {e}", data.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut answers = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p)
            .map_err(|e| Failure(format!("cannot read {}: {e}", p.display())))?;
        let file: CorpusFile = toml::from_str(&text)
            .map_err(|e| Failure(format!("{}: {}", p.display(), e.message())))?;
        answers.extend(file.answers);
    }
    Ok(answers)
}

pub(super) fn run(
    guides: &Path,
    data: &[PathBuf],
    out_path: Option<PathBuf>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let lib = GuideLibrary::load_without_sentence_model(guides).map_err(|errors| {
        problems(&errors.0, |count| {
            format!("{count} in the guides at {}", guides.display())
        })
    })?;
    let Some(cue_file) = lib.cue_file() else {
        return Err(Failure(format!(
            "{}: no feedback cue file; the model's features include its step cues",
            guides.display()
        )));
    };
    let cues = Cues::compile(cue_file, None);
    let frameworks: Vec<FrameworkRef> = lib
        .frameworks()
        .iter()
        .map(|f| FrameworkRef::from_framework(f))
        .collect();
    let answers = corpus(data)?;
    let examples = train::examples(&answers, &frameworks, &cues).map_err(|e| Failure(e.0))?;
    if examples.is_empty() {
        return Err(Failure(
            "no answers with [[answers.parts]] to train on in the --data folders".into(),
        ));
    }
    let fitted = train::fit(&examples, Settings::default());
    let names: Vec<String> = data.iter().map(|d| d.display().to_string()).collect();
    let text = train::render(&fitted, &names.join(", "));
    let path = out_path.unwrap_or_else(|| guides.join("shared").join("sentences.toml"));
    std::fs::write(&path, text)
        .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
    writeln!(
        out,
        "{}: {} features, trained on {} pieces of {} answers",
        path.display(),
        fitted.weights.len(),
        fitted.pieces,
        answers.iter().filter(|a| !a.parts.is_empty()).count()
    )?;
    Ok(())
}
