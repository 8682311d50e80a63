//! `interview-coach practice`: the mock-interview engine on stdin/stdout.

use std::io::{BufRead, Write};

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::Failure;
use crate::coach::engine::{Answered, Interview, Step};
use crate::coach::feedback::Cues;
use crate::coach::select;
use crate::guide::Role;
use crate::messages;

pub struct Options {
    pub questions: usize,
    pub follow_ups: usize,
    pub seed: Option<u64>,
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
                    writeln!(err, "warning: the input is not valid UTF-8; unreadable bytes were replaced with \u{fffd}")?;
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
    let questions = select::plan(role, options.questions, None, &mut rng);
    let (mut interview, first) = Interview::start(role, &questions, options.follow_ups);
    writeln!(
        out,
        "Mock interview: {} — {} question{}, up to {} follow-up{} each.\nAnswer each prompt, then press Enter on an empty line. End of input (Ctrl-D) ends the interview.\n",
        role.name,
        questions.len(),
        if questions.len() == 1 { "" } else { "s" },
        options.follow_ups,
        if options.follow_ups == 1 { "" } else { "s" },
    )?;
    let mut prompt = first;
    let mut warned = false;
    let summary = loop {
        writeln!(
            out,
            "{}\n{}\n",
            messages::prompt_heading(&prompt),
            prompt.text
        )?;
        out.flush()?;
        let Some(answer) = read_answer(input, &mut warned, err)? else {
            break interview.end();
        };
        let answered = interview.answer_with(&answer, cues);
        if let Ok(Answered {
            feedback: Some(f), ..
        }) = &answered
        {
            writeln!(out, "\n{}\n", messages::feedback_lines(&f.lines).join("\n"))?;
        }
        match answered.map(|a| a.step) {
            Ok(Step::Ask(next)) => prompt = next,
            Ok(Step::Finished(summary)) => break summary,
            Err(e) => {
                writeln!(err, "note: {}", messages::answer_rejected(&e))?;
            }
        }
    };
    writeln!(out, "\n{}", messages::summary_lines(&summary).join("\n"))?;
    out.flush()?;
    Ok(())
}
