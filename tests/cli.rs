//! The `interview-coach` binary, run as a person would run it: every bad
//! input from the issue (exit code, one line on stderr, never a panic), a
//! piped mock interview from first question to summary, and the `check`,
//! `roles` and `show` commands on the shipped guides. `cli_faults.rs` has
//! output that cannot be written and `run` with a bad config.

mod support;

use std::path::Path;

use interview_coach::guide::GuideLibrary;
use support::cli::{assert_one_error, run, run_in, Run};
use support::copy_dir;

const GUIDES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/guides");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/guides");

fn practice(extra: &[&str], stdin: &[u8]) -> Run {
    let mut args = vec!["--guides", GUIDES, "practice", "--role", "backend"];
    args.extend_from_slice(extra);
    run(&args, stdin)
}

// ---------------------------------------------------------------------------
// Bad guide directories.

#[test]
fn check_on_malformed_toml_prints_one_error_and_exits_1() {
    let dir = format!("{FIXTURES}/malformed-toml");
    let expected =
        format!("error: {dir}/tester.toml:4:15: invalid TOML: invalid basic string, expected `\"`");
    assert_one_error(&run(&["check", &dir], b""), &expected);
    // Commands that need the guides fail the same way.
    assert_one_error(&run(&["--guides", &dir, "roles"], b""), &expected);
    assert_one_error(
        &run(
            &["--guides", &dir, "practice", "--role", "tester"],
            b"hi\n\n",
        ),
        &expected,
    );
}

#[test]
fn check_on_a_missing_directory_prints_one_error_and_exits_1() {
    let dir = format!("{FIXTURES}/does-not-exist");
    let expected = format!("error: {dir}: guide directory not found");
    assert_one_error(&run(&["check", &dir], b""), &expected);
    assert_one_error(&run(&["--guides", &dir, "show", "backend"], b""), &expected);
}

#[test]
fn check_on_an_empty_directory_prints_one_error_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().display().to_string();
    let expected = format!("error: {dir}: no guide files (*.toml) in this directory");
    assert_one_error(&run(&["check", &dir], b""), &expected);
    assert_one_error(&run(&["--guides", &dir, "roles"], b""), &expected);
}

#[test]
fn check_on_several_errors_prints_each_and_a_count() {
    let dir = format!("{FIXTURES}/several-errors");
    let expected: Vec<String> = GuideLibrary::load(&dir)
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(expected.len(), 10);
    let r = run(&["check", &dir], b"");
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let lines = r.stderr_lines();
    assert_eq!(lines[..10], expected);
    assert_eq!(lines[10..], ["10 problems found"]);
    assert!(lines[0].starts_with(&format!("{dir}/data.toml:5:8: ")));

    // Other commands list them too, then one `error:` line saying what to run.
    let r = run(&["--guides", &dir, "roles"], b"");
    assert_eq!(r.code, 1);
    let lines = r.stderr_lines();
    assert_eq!(lines[..10], expected);
    assert_eq!(
        lines[10..],
        [format!(
            "error: 10 problems in the guides at {dir}; run `interview-coach check {dir}` after fixing them"
        )]
    );
}

// ---------------------------------------------------------------------------
// Unknown roles and questions.

#[test]
fn an_unknown_role_gets_one_error_with_a_suggestion() {
    let expected = "error: There is no role called `bakend`; did you mean `backend`?";
    assert_one_error(&run(&["--guides", GUIDES, "show", "bakend"], b""), expected);
    assert_one_error(
        &run(
            &["--guides", GUIDES, "practice", "--role", "bakend"],
            b"an answer\n\n",
        ),
        expected,
    );
    assert_one_error(
        &run(&["--guides", GUIDES, "show", "zzzzzzzz"], b""),
        "error: There is no role called `zzzzzzzz`; see the list of roles",
    );
}

#[test]
fn an_unknown_question_gets_one_error_with_a_suggestion() {
    assert_one_error(
        &run(&["--guides", GUIDES, "show", "backend", "tell-me"], b""),
        "error: Role `backend` has no question `tell-me`; did you mean `tell-me-about-yourself`?",
    );
    assert_one_error(
        &run(
            &["--guides", GUIDES, "show", "backend", "no-such-question"],
            b"",
        ),
        "error: Role `backend` has no question `no-such-question`",
    );
}

// ---------------------------------------------------------------------------
// Bad answers on stdin.

#[test]
fn an_empty_answer_is_asked_again() {
    // A blank line before any text is an empty answer.
    let r = practice(
        &["--questions", "1", "--follow-ups", "0", "--seed", "1"],
        b"\nmy real answer\n\n",
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr_lines(),
        ["note: That answer was empty; please write your answer and send it again."]
    );
    assert_eq!(
        r.stdout.matches("Question 1 of 1\n").count(),
        2,
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .contains("Interview complete: Backend Engineer practice."));
    assert!(r.stdout.contains("about 3 words in all"), "{}", r.stdout);
}

#[test]
fn a_20000_character_answer_is_refused_and_asked_again() {
    let mut input = "x".repeat(20_000).into_bytes();
    input.extend_from_slice(b"\n\na short answer\n\n");
    let r = practice(&["--questions", "1", "--follow-ups", "0"], &input);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr_lines(),
        ["note: That answer is 20000 characters long. Answers can be at most 4000 characters (about 5 minutes spoken); please shorten it and send it again."]
    );
    assert_eq!(r.stdout.matches("Question 1 of 1\n").count(), 2);
    assert!(r.stdout.contains("about 3 words in all"), "{}", r.stdout);
    assert!(!r.stdout.contains("xxxxxxxxxx"));
}

#[test]
fn non_utf8_input_is_replaced_with_one_warning() {
    let r = practice(
        &["--questions", "1", "--follow-ups", "0"],
        b"caf\xe9 and \xff\xfe bytes\n\n",
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr_lines(),
        ["warning: the input is not valid UTF-8; unreadable bytes were replaced with \u{fffd}"]
    );
    assert!(r.stdout.contains("Interview complete"));
    assert!(r.stdout.contains("about 4 words in all"), "{}", r.stdout);
}

#[test]
fn input_that_is_only_binary_noise_still_ends_cleanly() {
    let noise: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let r = practice(&["--questions", "2", "--follow-ups", "2"], &noise);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Interview"), "{}", r.stdout);
    assert!(r
        .stderr_lines()
        .iter()
        .all(|l| l.starts_with("warning: ") || l.starts_with("note: ")));
}

// ---------------------------------------------------------------------------
// A whole mock interview on a pipe.

#[test]
fn a_piped_practice_runs_from_first_question_to_summary() {
    // printf 'answer one\n\nanswer two\n\n' | interview-coach practice --role backend --questions 1 --follow-ups 1
    let r = practice(
        &["--questions", "1", "--follow-ups", "1"],
        b"answer one\n\nanswer two\n\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let out = &r.stdout;
    assert!(
        out.starts_with("Mock interview: Backend Engineer — 1 question, up to 1 follow-up each.")
    );
    let question = out.find("Question 1 of 1\n").expect("the question");
    let follow_up = out
        .find("Follow-up 1 of 1 on question 1\n")
        .expect("the follow-up");
    let summary = out
        .find("Interview complete: Backend Engineer practice.")
        .expect("the summary");
    assert!(question < follow_up && follow_up < summary);
    assert!(
        out.contains("You answered 1 of 1 main questions and 1 follow-up, about 4 words in all")
    );
    assert!(out.contains("Questions covered:\n- "));
    assert!(out.contains("What the follow-ups were checking:\n- "));
    // The summary is the end of the output.
    assert!(
        out.trim_end().lines().last().unwrap().starts_with("- "),
        "{out}"
    );
}

/// An answer to a follow-up is judged as one: the coach's "What changed, in
/// numbers?" after a weak answer, answered in one sentence with numbers, gets
/// neither the main question's word target nor missing-step remarks.
#[test]
fn a_piped_follow_up_answer_gets_follow_up_feedback() {
    let r = practice(
        &["--questions", "1", "--follow-ups", "1", "--seed", "27"],
        b"We had no metrics, we basically just fixed it together.\n\n\
          After the switch, p99 latency fell from 900 ms to 180 ms and timeouts dropped by 60%.\n\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.contains("Question 1 of 1\nTell me about a time you owned a risky change"),
        "seed 27 no longer picks the STAR question this test is about:\n{out}"
    );
    let main = out.find("Feedback on your answer:").expect("main feedback");
    let probe = out
        .find("Follow-up 1 of 1 on question 1\nWhat changed, in numbers, after you did that?")
        .expect("the coach's probe");
    let start = out
        .find("Feedback on your follow-up answer:")
        .expect("follow-up feedback");
    let summary = out.find("Interview complete").expect("the summary");
    assert!(main < probe && probe < start && start < summary, "{out}");
    let feedback = &out[start..summary];
    for whole_answer in ["150–300", "no clear", "Situation", "Task", "Action"] {
        assert!(!feedback.contains(whole_answer), "{feedback}");
    }
    assert!(
        feedback.contains("40–150 words a follow-up answer needs"),
        "{feedback}"
    );
    assert!(feedback.contains("a number (\""), "{feedback}");
    assert!(out.contains("You answered 1 of 1 main questions and 1 follow-up"));
}

#[test]
fn the_defaults_are_two_questions_with_two_follow_ups() {
    let answers = "an answer\n\n".repeat(6);
    let r = practice(&["--seed", "3"], answers.as_bytes());
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("2 questions, up to 2 follow-ups each"));
    assert!(r.stdout.contains("Question 2 of 2\n"));
    assert!(r.stdout.contains("Follow-up 2 of 2 on question 2\n"));
    assert!(r
        .stdout
        .contains("You answered 2 of 2 main questions and 4 follow-ups, about 12 words"));
}

#[test]
fn end_of_input_mid_interview_ends_early_with_what_was_answered() {
    let r = practice(
        &["--questions", "2", "--follow-ups", "1", "--seed", "5"],
        b"answer one\n\nanswer two\n\nanswer three, cut off",
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.stderr, "");
    assert!(r
        .stdout
        .contains("Interview ended early: Backend Engineer practice."));
    // The last answer had no blank line after it; it still counts.
    assert!(
        r.stdout
            .contains("You answered 2 of 2 main questions and 1 follow-up, about 8 words in all"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Interview complete"));
}

#[test]
fn end_of_input_before_any_answer_says_so() {
    let r = practice(&["--questions", "1"], b"");
    assert_eq!(r.code, 0);
    assert_eq!(r.stderr, "");
    assert!(r.stdout.contains("Interview ended early"));
    assert!(r
        .stdout
        .contains("You answered 0 of 1 main questions and 0 follow-ups"));
    assert!(r.stdout.contains("No answers were given"));
}

#[test]
fn the_same_seed_asks_the_same_questions() {
    let input = b"one\n\ntwo\n\nthree\n\n";
    let args = ["--questions", "3", "--follow-ups", "0", "--seed", "42"];
    let first = practice(&args, input);
    let second = practice(&args, input);
    assert_eq!(first.code, 0);
    assert_eq!(first.stdout, second.stdout);
    // And different seeds do not all ask the same thing.
    let openers: std::collections::HashSet<String> = (1..=6)
        .map(|seed| {
            let seed = seed.to_string();
            let r = practice(
                &["--questions", "3", "--follow-ups", "0", "--seed", &seed],
                input,
            );
            r.stdout
        })
        .collect();
    assert!(openers.len() > 1);
}

// ---------------------------------------------------------------------------
// check, roles, show on the shipped guides.

#[test]
fn check_guides_prints_the_summary_line() {
    // Exactly what a moderator types, from the project folder.
    let counts = GuideLibrary::load(GUIDES).unwrap().counts();
    let r = run(&["check", "guides"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert_eq!(r.stdout, format!("guides: ok — {counts}\n"));
    assert!(counts.roles >= 11 && counts.frameworks >= 2 && counts.questions > counts.roles);

    // `check` with no folder uses `guides` next to the current directory.
    let r = run(&["check"], b"");
    assert_eq!(r.stdout, format!("guides: ok — {counts}\n"));
    let r = run(&["check", GUIDES], b"");
    assert_eq!(r.stdout, format!("{GUIDES}: ok — {counts}\n"));
}

#[test]
fn roles_lists_every_role_file() {
    // One line per role file in guides/ (14 once every role has landed).
    let role_files: Vec<String> = std::fs::read_dir(GUIDES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(role_files.len() >= 11);
    let r = run(&["--guides", GUIDES, "roles"], b"");
    assert_eq!(r.code, 0);
    assert_eq!(r.stderr, "");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), role_files.len(), "{}", r.stdout);
    for id in &role_files {
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.split_whitespace().next() == Some(id.as_str()))
                .count(),
            1,
            "{id} in:\n{}",
            r.stdout
        );
    }
    let backend = lines.iter().find(|l| l.starts_with("backend ")).unwrap();
    assert!(backend.contains("Backend Engineer (also: back-end"));
    assert!(backend.ends_with(" questions"));
}

#[test]
fn show_prints_the_whole_guide_for_a_question() {
    let lib = GuideLibrary::load(GUIDES).unwrap();
    let q = lib
        .role("backend")
        .unwrap()
        .question("tell-me-about-yourself")
        .unwrap();
    let r = run(
        &[
            "--guides",
            GUIDES,
            "show",
            "backend",
            "tell-me-about-yourself",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let out = &r.stdout;
    assert!(out.contains("Tell me about yourself as a Backend Engineer.\n"));
    assert!(out.contains(&format!("Why recruiters ask this\n{}\n", q.why)));
    assert!(out.contains("How to structure your answer: Present-Past-Future\n"));
    let steps = ["Present", "Past", "Future"];
    for (i, (step, name)) in q.framework.steps.iter().zip(steps).enumerate() {
        assert_eq!(step.name, name);
        assert!(out.contains(&format!("  {}. {name}: {}\n", i + 1, step.guidance)));
    }
    assert!(out.contains(&format!("Example answer\n{}\n", q.example)));
    assert!(out.contains("Follow-up questions to prepare for\n"));
    assert_eq!(q.follow_ups.len(), 3);
    for (i, f) in q.follow_ups.iter().enumerate() {
        assert!(out.contains(&format!(
            "  {}. {}\n     This checks: {}\n",
            i + 1,
            f.question,
            f.checks
        )));
    }
    // In that order.
    let at = |s: &str| out.find(s).unwrap();
    assert!(at("Why recruiters ask this") < at("How to structure your answer"));
    assert!(at("How to structure your answer") < at("Example answer"));
    assert!(at("Example answer") < at("Follow-up questions to prepare for"));

    // A role by alias and in any case, and a question id in any case.
    let again = run(
        &[
            "--guides",
            GUIDES,
            "show",
            "Back-End",
            "Tell-Me-About-Yourself",
        ],
        b"",
    );
    assert_eq!(again.stdout, r.stdout);
}

#[test]
fn show_without_a_question_lists_the_roles_questions() {
    let lib = GuideLibrary::load(GUIDES).unwrap();
    let backend = lib.role("backend").unwrap();
    let r = run(&["--guides", GUIDES, "show", "backend"], b"");
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("Backend Engineer (backend)\n"));
    assert!(r
        .stdout
        .contains(&format!("Questions ({}):", backend.questions.len())));
    for q in &backend.questions {
        assert!(r.stdout.contains(&q.id), "{} missing", q.id);
    }
}

// ---------------------------------------------------------------------------
// The worked example in guides/README.md.

/// The TOML block after the `<!-- worked-example` marker in guides/README.md.
fn worked_example() -> String {
    let readme = std::fs::read_to_string(format!("{GUIDES}/README.md")).unwrap();
    let from = readme
        .find("<!-- worked-example")
        .expect("the worked-example marker");
    let block = &readme[from..];
    let start = block.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = start + block[start..].find("\n```").expect("the end of the block");
    block[start..=end].to_string()
}

/// A copy of the shipped guides in a fresh folder, plus `technical-writer.toml`.
fn guides_with(role_file: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(Path::new(GUIDES), &tmp.path().join("guides"));
    std::fs::write(tmp.path().join("guides/technical-writer.toml"), role_file).unwrap();
    tmp
}

#[test]
fn the_worked_example_in_the_guide_readme_passes_check() {
    let example = worked_example();
    assert!(example.contains("id = \"technical-writer\""));
    let tmp = guides_with(&example);
    let r = run_in(tmp.path(), &["check", "guides"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");

    let shipped = GuideLibrary::load(GUIDES).unwrap().counts();
    let with_example = GuideLibrary::load(tmp.path().join("guides")).unwrap();
    let counts = with_example.counts();
    assert_eq!(counts.roles, shipped.roles + 1);
    assert_eq!(counts.questions, shipped.questions + 2);
    assert_eq!(counts.files, shipped.files + 1);
    assert_eq!(r.stdout, format!("guides: ok — {counts}\n"));

    // What the README says the new role looks like.
    let role = with_example.role("tech-writer").unwrap();
    assert_eq!(
        role.question("tell-me-about-yourself").unwrap().text,
        "Tell me about yourself as a Technical Writer."
    );
    let own = role.question("docs-nobody-reads").unwrap();
    assert!(own
        .why
        .starts_with("Every technical writing team hears this."));
    assert_eq!(own.answer_words, (120, 250));

    let r = run_in(
        tmp.path(),
        &["show", "technical-writer", "docs-nobody-reads"],
        b"",
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(&own.text));
    let r = run_in(
        tmp.path(),
        &[
            "practice",
            "--role",
            "technical-writer",
            "--questions",
            "2",
            "--follow-ups",
            "0",
        ],
        b"one\n\ntwo\n\n",
    );
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .contains("Interview complete: Technical Writer practice."));
}

#[test]
fn the_mistakes_shown_in_the_guide_readme_are_what_check_prints() {
    let example = worked_example();
    let broken = example
        .replace(
            "framework = \"clarify-decide-follow-through\"",
            "framework = \"STAR\"",
        )
        .replace("tips = [", "tip = [");
    assert_ne!(broken, example);
    let tmp = guides_with(&broken);
    let r = run_in(tmp.path(), &["check", "guides"], b"");
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr_lines().len(), 4, "{}", r.stderr);
    let readme = std::fs::read_to_string(format!("{GUIDES}/README.md")).unwrap();
    assert!(
        readme.contains(&r.stderr),
        "guides/README.md should show exactly:\n{}",
        r.stderr
    );
}
