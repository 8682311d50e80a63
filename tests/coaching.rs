//! Feedback inside a mock interview: the engine analyses each answer, may
//! probe for what the framework needs, and sums up at the end.

use interview_coach::coach::engine::{Interview, PromptKind, Step};
use interview_coach::guide::GuideLibrary;

fn library() -> GuideLibrary {
    GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).unwrap()
}

#[test]
fn a_weak_answer_gets_feedback_and_one_probe_in_a_follow_up_place() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let role = lib.role("backend").unwrap();
    let q = role.question("owned-risky-migration").unwrap();
    let (mut iv, first) = Interview::start(role, &[q], 2);
    assert_eq!(first.kind, PromptKind::Main);

    let answered = iv
        .answer_with(
            "We had no metrics, we basically just fixed it together.",
            Some(cues),
        )
        .unwrap();
    let feedback = answered.feedback.expect("feedback with cues");
    assert!(!feedback.lines.is_empty() && feedback.lines.len() <= 3);
    assert!(
        feedback
            .lines
            .iter()
            .any(|l| l.contains("no result in numbers")),
        "{:?}",
        feedback.lines
    );
    let Step::Ask(probe) = answered.step else {
        panic!("expected a probe")
    };
    assert_eq!(probe.kind, PromptKind::Probe);
    assert_eq!((probe.follow_up, probe.follow_ups_total), (Some(0), 2));
    let star = lib.framework("star").unwrap();
    assert!(star
        .steps
        .iter()
        .any(|s| s.probe.as_deref() == Some(probe.text.as_str())));

    // The probe took the first follow-up place: one guide follow-up remains.
    let Step::Ask(next) = iv
        .answer_with("It cut deploy time by 40%.", Some(cues))
        .unwrap()
        .step
    else {
        panic!()
    };
    assert_eq!(
        (next.kind, next.follow_up, next.guide_follow_up),
        (PromptKind::FollowUp, Some(1), Some(0))
    );
    let Step::Finished(summary) = iv
        .answer_with("I told SRE first.", Some(cues))
        .unwrap()
        .step
    else {
        panic!("two follow-up places, two answers")
    };
    assert_eq!(summary.follow_ups_answered, 2);
    let coaching = summary.coaching.expect("a coaching summary");
    assert_eq!(coaching.answers, 2);
    assert!(summary
        .checks
        .iter()
        .any(|c| c.checks.contains("step your first answer left out")));
}

#[test]
fn a_strong_answer_goes_straight_to_the_guide_follow_ups() {
    let lib = library();
    let cues = lib.cues().unwrap();
    for role in lib.roles() {
        let q = &role.questions[0];
        let (mut iv, _) = Interview::start(role, &[q], 1);
        let answered = iv.answer_with(&q.example, Some(cues)).unwrap();
        let Step::Ask(next) = answered.step else {
            panic!()
        };
        assert_eq!(next.kind, PromptKind::FollowUp, "{}/{}", role.id, q.id);
        assert_eq!(next.text, q.follow_ups[0].question);
    }
}

#[test]
fn without_cues_there_is_no_feedback_and_no_probe() {
    let lib = library();
    let role = lib.role("qa").unwrap();
    let q = &role.questions[1];
    let (mut iv, _) = Interview::start(role, &[q], 1);
    let answered = iv.answer_with("short", None).unwrap();
    assert!(answered.feedback.is_none());
    let Step::Ask(next) = answered.step else {
        panic!()
    };
    assert_eq!(next.kind, PromptKind::FollowUp);
}

#[test]
fn the_feedback_command_prints_every_detection_as_json() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-coach"))
        .args(["--guides", concat!(env!("CARGO_MANIFEST_DIR"), "/guides")])
        .args([
            "feedback",
            "--role",
            "backend",
            "--question",
            "tell-me-about-yourself",
            "--json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Right now I run the Postgres fleet at Acme and cut p99 latency 40%. Before that I, um, built queues. Next I want to bring that here.")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in [
        "framework",
        "steps",
        "quantified_results",
        "role_terms",
        "ownership",
        "length",
        "fillers",
        "hedges",
        "top_words",
    ] {
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(
        v["quantified_results"][0]["text"], "40%",
        "{}",
        v["quantified_results"]
    );
    let used = v["role_terms"].to_string();
    assert!(
        used.contains("PostgreSQL"),
        "Postgres counts as PostgreSQL: {used}"
    );
}

#[test]
fn practice_gives_feedback_after_each_answer_for_every_role() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    for role in library().roles() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_interview-coach"))
            .args(["--guides", concat!(env!("CARGO_MANIFEST_DIR"), "/guides")])
            .args([
                "practice",
                "--role",
                &role.id,
                "--questions",
                "1",
                "--follow-ups",
                "1",
                "--seed",
                "1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"I led it and we shipped.\n\nIt cut costs by 20%.\n\n")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {}",
            role.id,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            stdout.matches("Feedback on your answer:").count(),
            2,
            "{stdout}"
        );
        assert!(stdout.contains("Interview complete"), "{stdout}");
    }
}
