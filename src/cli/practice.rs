//! `interview-coach practice`: a mock interview on stdin/stdout, stepped and
//! worded by the same session layer as the bot's. With `--db PATH` each answer
//! and its feedback are recorded in a local database as they are given
//! ([`Recorder`]); without it nothing is written.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::local::Recorder;
use super::Failure;
use crate::coach::feedback::Cues;
use crate::coach::select;
use crate::guide::Role;
use crate::messages;
use crate::session::turn;
use crate::session::Medium;

pub struct Options {
    pub questions: usize,
    pub follow_ups: usize,
    pub seed: Option<u64>,
    /// Ask only questions written for this level.
    pub level: Option<crate::guide::Level>,
    /// Record the session in this database.
    pub db: Option<PathBuf>,
}

/// Reads one answer: lines up to a blank line. `None` at end of input with
/// nothing read. Bytes that are not UTF-8 are replaced, and noted once.
fn read_answer(
    input: &mut impl BufRead,
    warned: &mut bool,
    err: &mut impl Write,
) -> std::io::Result<Option<String>> {
    let mut answer = String::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok((!answer.is_empty()).then_some(answer));
        }
        let text = match std::str::from_utf8(&line) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => {
                if !*warned {
                    *warned = true;
                    writeln!(err, "warning: {}", messages::INPUT_NOT_UTF8)?;
                }
                String::from_utf8_lossy(&line)
            }
        };
        if text.trim().is_empty() {
            // A blank line ends the answer; a blank line before any text is
            // an empty answer, which the engine turns down and asks again.
            return Ok(Some(answer));
        }
        answer.push_str(&text);
    }
}

pub fn run(
    role: &Role,
    cues: Option<&Cues>,
    options: &Options,
    input: &mut impl BufRead,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<(), Failure> {
    let mut rng = match options.seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_os_rng(),
    };
    let plan = select::plan(role, options.questions, None, options.level, &mut rng);
    if plan.is_empty() {
        return Err(Failure(messages::no_question_at_level(
            &role.name,
            options.level.map_or("", |l| l.id()),
        )));
    }
    let (mut interview, first) = turn::begin(role, &plan, options.follow_ups, Medium::Terminal);
    let mut recorder = match &options.db {
        Some(db) => Some(Recorder::start(db, &interview)?),
        None => None,
    };
    let intro = messages::practice_intro(&role.name, plan.len(), options.follow_ups);
    writeln!(out, "{intro}\n")?;
    writeln!(out, "{}\n", first.content)?;
    let mut warned = false;
    loop {
        out.flush()?;
        let Some(answer) = read_answer(input, &mut warned, err)? else {
            let summary = turn::finish(&mut interview, Medium::Terminal);
            if let Some(Err(e)) = recorder.take().map(Recorder::end_early) {
                warn_not_recording(options, &e, err)?;
            }
            writeln!(out, "\n{}", summary.content)?;
            break;
        };
        let prompt = interview.current().map(|p| p.text).unwrap_or_default();
        match turn::take_answer(&mut interview, &answer, cues, Medium::Terminal) {
            Ok(taken) => {
                if let Some(r) = recorder.as_mut() {
                    let feedback = taken.feedback.as_ref();
                    let recorded = r.answer(&prompt, &answer, feedback, &interview, taken.finished);
                    if let Err(e) = recorded {
                        if let Some(r) = recorder.take() {
                            r.close();
                        }
                        warn_not_recording(options, &e, err)?;
                    }
                }
                writeln!(out, "\n{}\n", taken.reply.content)?;
                if taken.finished {
                    break;
                }
            }
            Err(e) => {
                writeln!(err, "note: {}", messages::answer_rejected(&e))?;
                if let Some(again) = turn::current_prompt(&interview, Medium::Terminal) {
                    writeln!(out, "{}\n", again.content)?;
                }
            }
        }
    }
    if let Some(r) = recorder {
        r.close();
    }
    out.flush()?;
    Ok(())
}

/// Recording failed: practice goes on, and says the rest is not recorded.
fn warn_not_recording(options: &Options, error: &str, err: &mut impl Write) -> std::io::Result<()> {
    let db = options.db.as_deref().unwrap_or(std::path::Path::new(""));
    writeln!(err, "warning: {}", messages::not_recording(db, error))
}
