//! The strict check of a guide library, for `interview-coach check --strict`
//! and the tests: the guide-level lints of [`crate::guide::lint`], plus the
//! coach's own reading of every example answer. An example teaches by being
//! copied, so it must be what the coach asks of an answer: every framework
//! step heard, a result in numbers (unless the framework's answers have none
//! to measure), a length inside the question's band, and no stock phrase
//! shared with many other examples.

use std::collections::HashMap;

use crate::coach::feedback::{check_example, AnswerContext, Cues};
use crate::guide::lint;
use crate::guide::{GuideError, GuideLibrary};

/// Phrases that examples had learned to recite instead of answering; each
/// may appear in at most [`lint::MAX_SAME_OPENER`] examples.
pub const STOCK_PHRASES: [&str; 4] = [
    "first i'd clarify",
    "my approach was",
    "the design has",
    "four components",
];

/// Every strict problem in the library, sorted by place. `cues` is the
/// library's compiled cue file; without one the examples are not analysed.
pub fn strict(lib: &GuideLibrary, cues: Option<&Cues>) -> Vec<GuideError> {
    let mut out = lint::strict(lib);
    let mut stock: HashMap<&str, usize> = HashMap::new();
    for role in lib.roles() {
        for q in &role.questions {
            if let Some(cues) = cues {
                let check = check_example(&q.example, &AnswerContext::for_question(role, q), cues);
                for p in check.problems() {
                    out.push(lint::at(
                        role,
                        q,
                        format!("the example answer of `{}` {p}", q.id),
                    ));
                }
            }
            let lower = q.example.to_lowercase().replace('’', "'");
            for phrase in STOCK_PHRASES {
                if !lower.contains(phrase) {
                    continue;
                }
                let n = stock.entry(phrase).or_default();
                *n += 1;
                if *n > lint::MAX_SAME_OPENER {
                    out.push(lint::at(
                        role,
                        q,
                        format!(
                            "the example answer of `{}` says \"{phrase}\" like {} examples before it; say it in this answer's own words",
                            q.id,
                            *n - 1
                        ),
                    ));
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    out.dedup();
    out
}
