//! Feedback inside a mock interview: the engine analyses each answer, may
//! probe for what the framework needs, and sums up at the end.

use interview_coach::coach::engine::{Interview, PromptKind, Step, FORMAT_VERSION};
use interview_coach::coach::feedback::{AnswerContext, LibraryCues};
use interview_coach::guide::{Expect, GuideLibrary};

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
    // Its answer is judged as the answer to "What changed, in numbers?": the
    // Result step and a number, against the follow-up band — not as a whole
    // STAR answer of 150-300 words.
    let answered = iv
        .answer_with("It cut deploy time by 40%.", Some(cues))
        .unwrap();
    let feedback = answered.feedback.expect("feedback on the probe's answer");
    let expectations = feedback
        .expectations
        .as_ref()
        .expect("judged as a follow-up");
    let number = expectations.iter().find(|f| f.expects == Expect::Number);
    assert_eq!(number.and_then(|f| f.met), Some(true), "{expectations:?}");
    assert!(
        expectations
            .iter()
            .any(|f| f.expects == Expect::Step("result".into())),
        "{expectations:?}"
    );
    for line in &feedback.lines {
        for whole_answer in ["150–300", "Situation", "Task", "Action"] {
            assert!(!line.contains(whole_answer), "{:#?}", feedback.lines);
        }
    }
    assert!(
        feedback.lines.iter().any(|l| l.contains("40–150")),
        "six words are short of a follow-up's band too: {:#?}",
        feedback.lines
    );
    assert!(
        feedback.headline.starts_with("follow-up · step:result"),
        "{}",
        feedback.headline
    );
    let Step::Ask(next) = answered.step else {
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
    // One main answer: the probe's and the follow-up's answers are not whole
    // answers, and the summary does not count them as such.
    assert_eq!(coaching.answers, 1);
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
        // The main answer is judged as a whole answer; the second, to a
        // follow-up or the coach's probe, as a follow-up.
        assert_eq!(
            stdout.matches("Feedback on your answer:").count(),
            1,
            "{stdout}"
        );
        assert_eq!(
            stdout.matches("Feedback on your follow-up answer:").count(),
            1,
            "{stdout}"
        );
        assert!(stdout.contains("Interview complete"), "{stdout}");
    }
}

/// A state stored by format 1 (`tests/fixtures/state-v1.json`, written by that
/// release's engine: one weak answer in, its probe waiting) goes on with feedback,
/// keeps its stored analysis for the summary, and keeps its format-1 parts when
/// saved again.
#[test]
fn a_format_1_state_goes_on_with_its_feedback_and_summary() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let stored = include_str!("fixtures/state-v1.json");
    let raw: serde_json::Value = serde_json::from_str(stored).unwrap();
    assert_eq!(raw["format_version"], 1);
    assert!(raw.get("terms").is_none());
    let mut iv: Interview = serde_json::from_str(stored).unwrap();
    assert_eq!(iv.current().unwrap().kind, PromptKind::Probe);

    // Format 2 rebuilds exactly the context format 1 stored for each question.
    for (i, planned) in iv.plan.iter().enumerate() {
        let stored: AnswerContext =
            serde_json::from_value(raw["plan"][i]["context"].clone()).unwrap();
        assert_eq!(
            planned.answer_context(&stored.terms),
            stored,
            "question {i}"
        );
    }

    let answer = "I owned the rollout of our new billing queue: I wrote the plan, \
                  ran the canary and cut p99 latency by 40% for the payments team.";
    let answered = iv.answer_with(answer, Some(cues)).unwrap();
    assert!(
        answered.feedback.is_some(),
        "a format-1 state still gets feedback"
    );
    let saved = serde_json::to_value(&iv).unwrap();
    assert_eq!(saved["plan"][0]["context"], raw["plan"][0]["context"]);
    assert_eq!(saved["analyses"], raw["analyses"]);
    let mut iv: Interview = serde_json::from_value(saved).unwrap();

    let mut summary = None;
    for _ in 0..10 {
        match iv.answer_with(answer, Some(cues)).unwrap().step {
            Step::Finished(s) => {
                summary = Some(s);
                break;
            }
            Step::Ask(_) => {}
        }
    }
    let summary = summary.expect("the interview finishes");
    let coaching = summary.coaching.expect("coaching from the analyses");
    // The stored weak answer and its probe, then the second main question, whose
    // answer also misses framework steps and so earns a probe of its own: the
    // summary counts the two main answers (format 1 kept an analysis for each
    // probe's answer too; they are left out).
    assert_eq!(summary.questions_answered, 2);
    assert_eq!(coaching.answers, 2, "{coaching:?}");
    assert_eq!(summary.checks.len(), 2, "{:?}", summary.checks);
}

/// Format 2 keeps the role's vocabulary once and a digest per answer: the state
/// that is decoded, re-encoded and written for every answer stays small.
#[test]
fn a_new_state_keeps_the_role_terms_once_and_digests_not_analyses() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let role = lib.role("backend").unwrap();
    let questions: Vec<_> = role.questions.iter().take(2).collect();
    let (mut iv, _) = Interview::start(role, &questions, 1);
    let answer = "We moved the billing service to a new queue and it went fine.";
    iv.answer_with(answer, Some(cues)).unwrap();
    let json = serde_json::to_string(&iv).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format_version"], FORMAT_VERSION);
    assert!(value["terms"].is_object());
    assert!(value["plan"][0].get("context").is_none(), "{json}");
    assert!(value.get("analyses").is_none(), "{json}");
    assert_eq!(value["digests"].as_array().map(Vec::len), Some(1));
    // What the plan has gained since format 1 — the steps' sentence functions,
    // the follow-ups' expectations — is left out of the comparison: it is new
    // content, not the repetition format 2 removed.
    let mut same_content = value.clone();
    for planned in same_content["plan"].as_array_mut().unwrap() {
        for step in planned["steps"].as_array_mut().unwrap() {
            step.as_object_mut().unwrap().remove("functions");
            step.as_object_mut().unwrap().remove("first_person");
        }
        for f in planned["follow_ups"].as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("expects");
            f.as_object_mut().unwrap().remove("answer_words");
        }
    }
    let now = serde_json::to_string(&same_content).unwrap().len();
    let stored = include_str!("fixtures/state-v1.json");
    assert!(
        now * 2 < stored.len(),
        "the same point of an interview: {now} bytes now, {} in format 1",
        stored.len()
    );
    let back: Interview = serde_json::from_str(&json).unwrap();
    assert_eq!(back, iv);
}

/// Format 3 keeps an answer's word count, not its text (the store has the text
/// with the answer), so the state written for every answer does not grow with
/// what the member wrote.
#[test]
fn a_new_state_keeps_word_counts_not_answer_texts() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let role = lib.role("backend").unwrap();
    let questions: Vec<_> = role.questions.iter().take(2).collect();
    let (mut iv, _) = Interview::start(role, &questions, 1);
    let answer = "I owned the move of our billing service onto a new queue and cut p99 \
                  latency by 40% for the payments team. "
        .repeat(10);
    iv.answer_with(&answer, Some(cues)).unwrap();
    let json = serde_json::to_string(&iv).unwrap();
    assert!(!json.contains("billing service onto"), "{json}");
    let mut back: Interview = serde_json::from_str(&json).unwrap();
    let words = answer.split_whitespace().count();
    assert_eq!(back.turns[0].words(), words);
    assert_eq!(back.end().words_spoken, words);
}

/// A state stored by format 2 (`tests/fixtures/state-v2.json`, written by that
/// release's engine: one answer in, its probe waiting) counts the words of the
/// answer it stored as text, and keeps that text when saved again.
#[test]
fn a_format_2_state_counts_its_stored_answer_and_keeps_it() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let stored = include_str!("fixtures/state-v2.json");
    let raw: serde_json::Value = serde_json::from_str(stored).unwrap();
    assert_eq!(raw["format_version"], 2);
    let old_answer = raw["turns"][0]["answer"].as_str().unwrap();
    let old_words = old_answer.split_whitespace().count();
    let mut iv: Interview = serde_json::from_str(stored).unwrap();
    assert_eq!(iv.turns[0].words(), old_words);

    let answer = "I own the payments API today and cut its error rate by half this year.";
    iv.answer_with(answer, Some(cues)).unwrap();
    let saved = serde_json::to_value(&iv).unwrap();
    assert_eq!(saved["turns"][0]["answer"], raw["turns"][0]["answer"]);
    assert!(saved["turns"][1].get("answer").is_none(), "{saved}");
    let mut iv: Interview = serde_json::from_value(saved).unwrap();
    assert_eq!(
        iv.end().words_spoken,
        old_words + answer.split_whitespace().count()
    );
}

/// A state stored by format 3 (`tests/fixtures/state-v3.json`, written by that
/// release's engine: a weak answer, its probe answered, a guide follow-up
/// waiting) kept a digest for the probe's answer as if it were a whole answer,
/// so its summary said "2 answers" after one. It goes on as stored, and its
/// summary counts the answers to main questions only.
#[test]
fn a_format_3_state_goes_on_and_its_summary_counts_main_answers() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let stored = include_str!("fixtures/state-v3.json");
    let raw: serde_json::Value = serde_json::from_str(stored).unwrap();
    assert_eq!(raw["format_version"], 3);
    assert_eq!(raw["digests"].as_array().map(Vec::len), Some(2));
    let mut iv: Interview = serde_json::from_str(stored).unwrap();
    assert_eq!(iv.summary().coaching.expect("coaching").answers, 1);
    let waiting = iv.current().unwrap();
    assert_eq!(waiting.kind, PromptKind::FollowUp);

    // The waiting follow-up's answer is judged as a follow-up.
    let answered = iv
        .answer_with(
            "I would have stopped the batch job, restored the affected rows from the \
             snapshot and rerun the check before going on.",
            Some(cues),
        )
        .unwrap();
    let feedback = answered.feedback.expect("feedback");
    assert!(feedback.expectations.is_some(), "{feedback:?}");
    assert!(
        feedback.lines.iter().all(|l| !l.contains("150–300")),
        "{:#?}",
        feedback.lines
    );
    let Step::Ask(next) = answered.step else {
        panic!("the second question")
    };
    assert_eq!(next.kind, PromptKind::Main);

    // The rest of the interview, the old state's way: its list keeps a digest
    // per probe answer too, and the summary still leaves them out.
    let mut summary = None;
    for answer in [
        "We argued about it and it got resolved.",
        "Latency fell by 30%.",
        "I would commit to it.",
        "More data.",
        "We stayed friends.",
    ] {
        if let Step::Finished(s) = iv.answer_with(answer, Some(cues)).unwrap().step {
            summary = Some(s);
            break;
        }
    }
    let summary = summary.expect("the interview finishes");
    let saved = serde_json::to_value(&iv).unwrap();
    assert_eq!(
        saved["format_version"], 3,
        "a stored state keeps its format"
    );
    // Two main answers and two probe answers, as format 3 kept them.
    assert_eq!(
        saved["digests"].as_array().map(Vec::len),
        Some(4),
        "{saved}"
    );
    assert_eq!(summary.questions_answered, 2);
    let coaching = summary.coaching.expect("coaching");
    assert_eq!(coaching.answers, 2, "{coaching:?}");
    for gap in &coaching.gaps {
        assert!(!gap.contains("of 4"), "{gap}");
    }
}

/// A new interview keeps a digest for each main answer only: the summary after
/// a main answer, its probe and a follow-up speaks of one answer.
#[test]
fn a_new_interview_summarises_main_answers_only() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let role = lib.role("backend").unwrap();
    let q = role.question("owned-risky-migration").unwrap();
    let (mut iv, _) = Interview::start(role, &[q], 2);
    let weak = "We had no metrics, we basically just fixed it together.";
    let Step::Ask(probe) = iv.answer_with(weak, Some(cues)).unwrap().step else {
        panic!()
    };
    assert_eq!(probe.kind, PromptKind::Probe);
    iv.answer_with("It cut deploy time by 40%.", Some(cues))
        .unwrap();
    let Step::Finished(summary) = iv
        .answer_with("I told SRE first.", Some(cues))
        .unwrap()
        .step
    else {
        panic!()
    };
    assert_eq!(iv.digests.len(), 1);
    assert_eq!(
        (summary.questions_answered, summary.follow_ups_answered),
        (1, 2)
    );
    let coaching = summary.coaching.expect("coaching");
    assert_eq!(coaching.answers, 1);
    // Nothing is praised after a ten-word answer, not even few fillers.
    assert!(coaching.strengths.is_empty(), "{coaching:?}");
}
