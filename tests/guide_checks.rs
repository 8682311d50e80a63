//! What `check` says about guide folders that load but would not serve well:
//! folders reached through symbolic links (followed, loops and broken links
//! named), text `/ask` would cut at Discord's limits (a warning), and a
//! library without its feedback cue file (an error: interviews would give no
//! feedback).

mod support;

use std::os::unix::fs::symlink;
use std::path::Path;

use interview_coach::guide::GuideLibrary;
use support::cli::{run, ROOT};
use support::copy_dir;

fn shipped_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(ROOT).join("guides"), &tmp.path().join("guides"));
    tmp
}

#[test]
fn a_folder_linked_into_the_guides_is_followed() {
    let tmp = shipped_copy();
    let guides = tmp.path().join("guides");
    // The role files live elsewhere and are linked in, as a shared checkout would be.
    let elsewhere = tmp.path().join("team-roles");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::rename(guides.join("backend.toml"), elsewhere.join("backend.toml")).unwrap();
    symlink(&elsewhere, guides.join("team")).unwrap();
    let lib = GuideLibrary::load(&guides).unwrap_or_else(|e| panic!("{e}"));
    assert!(lib.role("backend").is_some(), "the linked role was skipped");
    assert_eq!(lib.counts().roles, 14);
}

#[test]
fn a_link_loop_and_a_broken_link_are_each_named() {
    let tmp = shipped_copy();
    let guides = tmp.path().join("guides");
    symlink(&guides, guides.join("again")).unwrap();
    symlink(tmp.path().join("nowhere"), guides.join("gone")).unwrap();
    let Err(errors) = GuideLibrary::load(&guides) else {
        panic!("a folder with a link loop loaded");
    };
    let lines: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].ends_with("guides/again: this folder is reached twice through symbolic links (a loop?); link each folder once"),
        "{lines:#?}"
    );
    assert!(
        lines[1].contains("guides/gone: cannot follow this entry (a broken symbolic link?)"),
        "{lines:#?}"
    );
}

#[test]
fn check_warns_about_lists_that_ask_would_cut_and_still_passes() {
    let tmp = shipped_copy();
    let guides = tmp.path().join("guides");
    let path = guides.join("backend.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    // Forty more follow-ups on the first question that writes its own.
    let at = text.find("[[questions.follow_ups]]").expect("a follow-up");
    let extra: String = (0..40)
        .map(|i| format!("[[questions.follow_ups]]\nquestion = \"Extra follow-up number {i} about the same story?\"\nchecks = \"Depth.\"\n\n"))
        .collect();
    let line = text[..at].lines().count();
    std::fs::write(&path, format!("{}{extra}{}", &text[..at], &text[at..])).unwrap();

    let r = run(&["check", guides.to_str().unwrap()], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(": ok — 14 roles"), "{}", r.stdout);
    let warnings = r.stderr_lines();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let w = warnings[0];
    assert!(w.starts_with(&format!("{}:", path.display())), "{w}");
    assert!(
        w.contains(": warning: /ask shows each list of question `"),
        "{w}"
    );
    assert!(w.contains("its follow-ups take about"), "{w}");
    // Reported at the question's table, above the list.
    let reported: usize = w.split(':').nth(1).unwrap().parse().unwrap();
    assert!(
        reported <= line,
        "line {reported} is below the list at {line}"
    );
}

#[test]
fn check_fails_without_the_feedback_cue_file() {
    let tmp = shipped_copy();
    let guides = tmp.path().join("guides");
    std::fs::remove_file(guides.join("shared/feedback.toml")).unwrap();
    let r = run(&["check", guides.to_str().unwrap()], b"");
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr_lines(),
        [format!(
            "error: {}: no feedback cue file (a file with a [feedback] table, shipped as shared/feedback.toml): mock interviews would give no feedback",
            guides.display()
        )]
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn every_syntax_error_of_a_file_is_reported() {
    let tmp = shipped_copy();
    let guides = tmp.path().join("guides");
    let path = guides.join("backend.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let last = text.lines().count();
    text.push_str("\nbroken = = 1\nfine = 2\nalso broken [\n");
    std::fs::write(&path, text).unwrap();
    let r = run(&["check", guides.to_str().unwrap()], b"");
    assert_eq!(r.code, 1);
    let lines = r.stderr_lines();
    let at = |line: usize| format!("{}:{line}:", path.display());
    assert!(
        lines.iter().any(|l| l.starts_with(&at(last + 2))),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&at(last + 4))),
        "{lines:#?}"
    );
    let (summary, found) = lines.split_last().unwrap();
    assert_eq!(*summary, format!("{} problems found", found.len()));
    assert!(
        found.iter().all(|l| l.contains(": invalid TOML: ")),
        "{lines:#?}"
    );
}

#[test]
fn check_warns_that_a_framework_of_more_than_four_steps_is_never_paired() {
    let tmp = shipped_copy();
    let guides = tmp.path().join("guides");
    let steps: String = ["one", "two", "three", "four", "five"]
        .iter()
        .map(|k| {
            format!(
                "[[frameworks.steps]]\nkey = \"{k}\"\nfunctions = [\"action\"]\nname = \"Step {k}\"\n\
                 guidance = \"What step {k} covers.\"\nprobe = \"Tell me about step {k}.\"\n\n"
            )
        })
        .collect();
    let framework = format!(
        "[[frameworks]]\nid = \"five-steps\"\nname = \"Five steps\"\n\
         summary = \"A framework with one step too many for a scorecard.\"\ntips = [\"Keep it short.\"]\n\n{steps}"
    );
    let path = guides.join("shared/five.toml");
    std::fs::write(&path, framework).unwrap();
    let cues: String = ["one", "two", "three", "four", "five"]
        .iter()
        .map(|k| format!("\n[feedback.frameworks.five-steps.steps.{k}]\ncues = [\"step {k}\"]\n"))
        .collect();
    let feedback = guides.join("shared/feedback.toml");
    let text = std::fs::read_to_string(&feedback).unwrap();
    std::fs::write(&feedback, format!("{text}{cues}")).unwrap();

    let r = run(&["check", guides.to_str().unwrap()], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let warnings = r.stderr_lines();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].starts_with(&format!("{}:2:", path.display())),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("warning: framework `five-steps` has 5 steps")
            && warnings[0].contains("`/pair` never asks its questions"),
        "{}",
        warnings[0]
    );
}
