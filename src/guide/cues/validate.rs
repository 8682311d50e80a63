//! Checks a parsed cue file against itself and the guides' frameworks, and
//! turns it into [`CueFile`]; every problem is reported, each at its position.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

use super::shape::{CueToml, FeedbackTable, FrameworkTable, List, Map, NumbersTable};
use super::{parse_phrase, CueFile, FrameworkCues, NumberCues, Phrase, StepCues};
use crate::guide::read::SourceFile;
use crate::guide::words::tokenize;
use crate::guide::{Framework, GuideError};

/// The validated cue file, or every problem in it.
pub fn validate(
    file: &SourceFile,
    cues: &CueToml,
    frameworks: &[Arc<Framework>],
) -> Result<CueFile, Vec<GuideError>> {
    let mut check = Check {
        file,
        errors: Vec::new(),
        seen: HashSet::new(),
    };
    let t = &cues.feedback;
    let (words_per_minute, answer_words, markers_needed) = check.settings(t);
    let follow_up_words = check.band(&t.follow_up_words, "follow_up_words", FOLLOW_UP_WORDS);
    let negations = check.words(&t.negations, "negations");
    let singular = check.words(&t.singular, "singular");
    let plural = check.words(&t.plural, "plural");
    let stop_words = check.words(&t.stop_words, "stop_words");
    let months = check.words(&t.numbers.months, "months");
    let year_before = check.words(&t.numbers.year_before, "year_before");
    let fillers = check.phrases(Some(&t.fillers), "fillers");
    let hedges = check.phrases(Some(&t.hedges), "hedges");
    let not_fillers = check.phrases(t.not_fillers.as_ref(), "not_fillers");
    let negation_exceptions = check.phrases(t.negation_exceptions.as_ref(), "negation_exceptions");
    let numbers = check.numbers(&t.numbers, months, year_before);
    let frameworks = check.frameworks(&t.frameworks, frameworks);
    if !check.errors.is_empty() {
        return Err(check.errors);
    }
    Ok(CueFile {
        words_per_minute,
        answer_words,
        follow_up_words,
        markers_needed,
        negations,
        singular,
        plural,
        stop_words,
        fillers,
        hedges,
        not_fillers,
        negation_exceptions,
        numbers,
        frameworks,
    })
}

/// A follow-up asks for one thing: 15 seconds to a minute of speaking at
/// 150 words a minute, where a whole answer takes one to two minutes.
const FOLLOW_UP_WORDS: (u32, u32) = (40, 150);

struct Check<'f> {
    file: &'f SourceFile,
    errors: Vec<GuideError>,
    /// (list or group, phrase as parsed): the same phrase may be a cue in two
    /// frameworks, not twice in one.
    seen: HashSet<(String, Vec<String>)>,
}

impl Check<'_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push(self.file.error_at(span.start, message));
    }

    fn settings(&mut self, t: &FeedbackTable) -> (u32, (u32, u32), u32) {
        let words_per_minute = match &t.words_per_minute {
            Some(w) if *w.get_ref() == 0 => {
                self.err(w.span(), "words_per_minute must be above 0");
                150
            }
            Some(w) => *w.get_ref(),
            None => 150,
        };
        let answer_words = match &t.answer_words {
            Some(a) => {
                let [lo, hi] = *a.get_ref();
                if lo == 0 || lo >= hi {
                    self.err(
                        a.span(),
                        "answer_words must be [min, max] with 0 < min < max",
                    );
                }
                (lo, hi)
            }
            None => (150, 300),
        };
        let markers_needed = match &t.markers_needed {
            Some(m) if *m.get_ref() == 0 => {
                self.err(m.span(), "markers_needed must be at least 1");
                2
            }
            Some(m) => *m.get_ref(),
            None => 2,
        };
        (words_per_minute, answer_words, markers_needed)
    }

    /// A `[min, max]` length band, `default` when absent.
    fn band(
        &mut self,
        value: &Option<Spanned<[u32; 2]>>,
        name: &str,
        default: (u32, u32),
    ) -> (u32, u32) {
        let Some(a) = value else { return default };
        let [lo, hi] = *a.get_ref();
        if lo == 0 || lo >= hi {
            self.err(
                a.span(),
                format!("{name} must be [min, max] with 0 < min < max"),
            );
        }
        (lo, hi)
    }

    fn non_empty<'l>(&mut self, list: &'l List, name: &str) -> &'l [Spanned<String>] {
        if list.get_ref().is_empty() {
            self.err(
                list.span(),
                format!("`{name}` is empty; give at least one phrase or remove it"),
            );
        }
        list.get_ref()
    }

    /// Whether `key` was already listed in `group`, reporting it if so.
    fn duplicate(&mut self, group: &str, key: Vec<String>, at: &Spanned<String>) -> bool {
        if self.seen.insert((group.to_string(), key)) {
            return false;
        }
        self.err(
            at.span(),
            format!(
                "duplicate phrase \"{}\": it is already listed in {group}",
                at.get_ref()
            ),
        );
        true
    }

    /// A list of single words, normalised.
    fn words(&mut self, list: &List, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for w in self.non_empty(list, name) {
            let t = tokenize(w.get_ref());
            if t.len() != 1 || !t.is_wordlike(0) {
                self.err(
                    w.span(),
                    format!(
                        "`{name}` takes single words; \"{}\" is not one",
                        w.get_ref()
                    ),
                );
                continue;
            }
            let word = t.norm(0).to_string();
            if !self.duplicate(name, vec![word.clone()], w) {
                out.push(word);
            }
        }
        out
    }

    fn phrases(&mut self, list: Option<&List>, name: &str) -> Vec<Phrase> {
        let Some(list) = list else {
            return Vec::new();
        };
        let list = self.non_empty(list, name);
        list.iter().filter_map(|p| self.phrase(p, name)).collect()
    }

    /// Parses `p`; `group` scopes the duplicate check.
    fn phrase(&mut self, p: &Spanned<String>, group: &str) -> Option<Phrase> {
        let (elems, anchored) = match parse_phrase(p.get_ref()) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.err(p.span(), format!("in {group}: {e}"));
                return None;
            }
        };
        let key: Vec<String> = std::iter::once(if anchored { "^" } else { "" }.to_string())
            .chain(elems.iter().map(|e| match e {
                super::Elem::Lit(s) => s.to_string(),
                super::Elem::Name => "<Name>".into(),
                super::Elem::Number => "<number>".into(),
                super::Elem::Gap => "...".into(),
            }))
            .collect();
        if self.duplicate(group, key, p) {
            return None;
        }
        Some(Phrase {
            text: p.get_ref().trim().to_string(),
            elems,
            anchored,
        })
    }

    fn numbers(
        &mut self,
        n: &NumbersTable,
        months: Vec<String>,
        year_before: Vec<String>,
    ) -> NumberCues {
        let percent = self.phrases(Some(&n.percent), "percent");
        let multiplier = self.phrases(Some(&n.multiplier), "multiplier");
        let duration = self.phrases(Some(&n.duration), "duration");
        let money = self.phrases(Some(&n.money), "money");
        let mut scale = Vec::new();
        for (k, factor) in n.scale.get_ref() {
            let key = k.get_ref().trim().to_lowercase();
            if key.is_empty()
                || key.contains(char::is_whitespace)
                || factor.is_nan()
                || *factor <= 0.0
            {
                self.err(
                    k.span(),
                    "scale entries are single words with a factor above 0",
                );
                continue;
            }
            if let Some(p) = self.phrase(&Spanned::new(k.span(), key), "scale") {
                scale.push((p, *factor));
            }
        }
        let mut number_words = Vec::new();
        for (k, v) in n.number_words.get_ref() {
            let key = k.get_ref().trim().to_lowercase();
            if key.is_empty() || !key.chars().all(char::is_alphabetic) || v.is_nan() || *v < 0.0 {
                self.err(
                    k.span(),
                    "number_words entries are single words with a value of 0 or more",
                );
                continue;
            }
            number_words.push((key, *v));
        }
        NumberCues {
            percent,
            multiplier,
            duration,
            money,
            scale,
            number_words,
            months,
            year_before,
            not_result_before: self.phrases(Some(&n.not_result_before), "not_result_before"),
            not_result_after: self.phrases(Some(&n.not_result_after), "not_result_after"),
            not_result_counts: self.phrases(Some(&n.not_result_counts), "not_result_counts"),
        }
    }

    fn frameworks(
        &mut self,
        table: &Map<FrameworkTable>,
        known: &[Arc<Framework>],
    ) -> Vec<FrameworkCues> {
        let mut out = Vec::new();
        for (id, fc) in table.get_ref() {
            match known.iter().find(|f| f.id == *id.get_ref()) {
                Some(fw) => out.push(self.framework(fw, fc)),
                None => {
                    let known_ids: Vec<&str> = known.iter().map(|f| f.id.as_str()).collect();
                    let msg = format!(
                        "unknown framework `{}`; frameworks.toml defines: {}",
                        id.get_ref(),
                        known_ids.join(", ")
                    );
                    self.err(id.span(), msg);
                }
            }
        }
        for fw in known {
            if !table.get_ref().keys().any(|k| *k.get_ref() == fw.id) {
                self.err(
                    table.span(),
                    format!("framework `{}` has no cues in [feedback.frameworks]", fw.id),
                );
            }
        }
        out
    }

    fn framework(&mut self, fw: &Framework, fc: &FrameworkTable) -> FrameworkCues {
        let group = format!("the cues of framework `{}`", fw.id);
        let keys: Vec<String> = fw.steps.iter().map(|s| s.key.clone()).collect();
        let mut cues = Vec::new();
        for (key, sc) in fc.steps.get_ref() {
            let Some(step) = keys.iter().position(|k| k == key.get_ref()) else {
                let msg = format!(
                    "framework `{}` has no step `{}`; its steps are: {}",
                    fw.id,
                    key.get_ref(),
                    keys.join(", ")
                );
                self.err(key.span(), msg);
                continue;
            };
            let list = self.non_empty(&sc.cues, "cues");
            let signal = list.iter().filter_map(|p| self.phrase(p, &group)).collect();
            let markers = match &sc.markers {
                Some(markers) => {
                    let list = self.non_empty(markers, "markers");
                    list.iter().filter_map(|p| self.phrase(p, &group)).collect()
                }
                None => Vec::new(),
            };
            cues.push(StepCues {
                step,
                cues: signal,
                markers,
            });
        }
        for key in &keys {
            if !fc.steps.get_ref().keys().any(|k| k.get_ref() == key) {
                let msg = format!("framework `{}`: step `{key}` has no cues", fw.id);
                self.err(fc.steps.span(), msg);
            }
        }
        let mut step_ref = |s: &Option<Spanned<String>>, what: &str| -> Option<usize> {
            let s = s.as_ref()?;
            let pos = keys.iter().position(|k| k == s.get_ref());
            if pos.is_none() {
                let msg = format!(
                    "{what} `{}` is not a step of `{}`; its steps are: {}",
                    s.get_ref(),
                    fw.id,
                    keys.join(", ")
                );
                self.err(s.span(), msg);
            }
            pos
        };
        let numbers_step = step_ref(&fc.numbers_step, "numbers_step");
        let ownership_step = step_ref(&fc.ownership_step, "ownership_step");
        FrameworkCues {
            id: fw.id.clone(),
            steps: keys,
            cues,
            numbers_step,
            ownership_step,
            results: fc.results.unwrap_or(true),
        }
    }
}
