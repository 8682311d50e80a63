//! Question selection, the mock-interview engine and template filling,
//! through the library's public API, on the valid fixture library
//! (`tests/fixtures/guides/valid`): `tester` has four questions (general,
//! behavioral, technical, situational), `support-engineer` has one.

use std::collections::HashSet;

use interview_coach::coach::engine::{
    AnswerError, Interview, Prompt, PromptKind, Step, Summary, FORMAT_VERSION, MAX_ANSWER_CHARS,
};
use interview_coach::coach::select::{self, Filter, Picker};
use interview_coach::guide::template::{self, join_list, with_article};
use interview_coach::guide::{Category, GuideLibrary, Question, Role, Stage, Vocabulary};
use rand::rngs::StdRng;
use rand::SeedableRng;

fn library() -> GuideLibrary {
    GuideLibrary::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/guides/valid"
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn ids<'a>(questions: impl IntoIterator<Item = &'a Question>) -> Vec<&'a str> {
    questions.into_iter().map(|q| q.id.as_str()).collect()
}

// ---------------------------------------------------------------------------
// Selection.

#[test]
fn pick_respects_the_category_and_stage_filters() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    let mut rng = StdRng::seed_from_u64(1);

    let technical = Filter {
        category: Some(Category::Technical),
        stage: None,
        level: None,
    };
    for _ in 0..20 {
        let q = select::pick(tester, technical, None, &mut rng).unwrap();
        assert_eq!(q.id, "flaky-tests");
    }

    // Two questions are at the final stage; over many picks both come up
    // and nothing else does.
    let final_stage = Filter {
        category: None,
        stage: Some(Stage::Final),
        level: None,
    };
    let seen: HashSet<&str> = (0..100)
        .map(|_| {
            select::pick(tester, final_stage, None, &mut rng)
                .unwrap()
                .id
                .as_str()
        })
        .collect();
    assert_eq!(seen, HashSet::from(["failure", "release-blocker"]));

    let both = Filter {
        category: Some(Category::Situational),
        stage: Some(Stage::Final),
        level: None,
    };
    assert_eq!(
        select::pick(tester, both, None, &mut rng).unwrap().id,
        "release-blocker"
    );

    let nothing = Filter {
        category: Some(Category::SystemDesign),
        stage: None,
        level: None,
    };
    assert!(select::pick(tester, nothing, None, &mut rng).is_none());
    assert!(Filter::default().matches(&tester.questions[0]));
}

#[test]
fn pick_avoids_the_last_question_when_there_is_another() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    let mut rng = StdRng::seed_from_u64(2);
    let final_stage = Filter {
        category: None,
        stage: Some(Stage::Final),
        level: None,
    };
    for _ in 0..50 {
        let q = select::pick(tester, final_stage, Some("failure"), &mut rng).unwrap();
        assert_eq!(q.id, "release-blocker");
    }
    // With only one candidate, it is asked again rather than nothing.
    let technical = Filter {
        category: Some(Category::Technical),
        stage: None,
        level: None,
    };
    let q = select::pick(tester, technical, Some("flaky-tests"), &mut rng).unwrap();
    assert_eq!(q.id, "flaky-tests");
}

#[test]
fn pick_for_never_repeats_a_users_last_question_and_covers_the_role() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    let picker = Picker::seeded(7);
    let mut last: [Option<String>; 2] = [None, None];
    let mut seen = HashSet::new();
    // Two people interleaved: each one's memory is their own.
    for i in 0..400 {
        let user = (i % 2) as u64;
        let q = picker.pick_for(user, tester, Filter::default()).unwrap();
        assert_ne!(
            Some(&q.id),
            last[user as usize].as_ref(),
            "user {user} got {} twice in a row",
            q.id
        );
        last[user as usize] = Some(q.id.clone());
        seen.insert(q.id.as_str());
    }
    assert_eq!(seen.len(), tester.questions.len());
}

#[test]
fn pick_for_also_avoids_a_question_remembered_from_elsewhere() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    let picker = Picker::seeded(3);
    let final_stage = Filter {
        category: None,
        stage: Some(Stage::Final),
        level: None,
    };
    for _ in 0..20 {
        // e.g. `/ask question:release-blocker`
        picker.remember(9, tester, "release-blocker");
        let q = picker.pick_for(9, tester, final_stage).unwrap();
        assert_eq!(q.id, "failure");
    }
}

#[test]
fn pick_for_repeats_the_only_question_of_a_role() {
    let lib = library();
    let support = lib.role("support-engineer").unwrap();
    assert_eq!(support.questions.len(), 1);
    let picker = Picker::seeded(11);
    for _ in 0..5 {
        let q = picker.pick_for(1, support, Filter::default()).unwrap();
        assert_eq!(q.id, "angry-customer");
    }
    let none = Filter {
        category: Some(Category::Technical),
        stage: None,
        level: None,
    };
    assert!(picker.pick_for(1, support, none).is_none());
}

#[test]
fn seeded_pickers_choose_the_same_questions() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    let run = |seed| {
        let picker = Picker::seeded(seed);
        (0..30)
            .map(|_| {
                picker
                    .pick_for(1, tester, Filter::default())
                    .unwrap()
                    .id
                    .clone()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn plan_gives_distinct_questions_in_interview_order() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    for seed in 0..20 {
        let mut rng = StdRng::seed_from_u64(seed);
        let plan = select::plan(tester, 3, None, None, &mut rng);
        assert_eq!(plan.len(), 3);
        let distinct: HashSet<&str> = ids(plan.iter().copied()).into_iter().collect();
        assert_eq!(distinct.len(), 3, "seed {seed}: {:?}", ids(plan.clone()));
        // Screening first, then the technical round, then the final.
        assert!(plan.windows(2).all(|w| w[0].stage <= w[1].stage));
    }
}

#[test]
fn plan_caps_at_the_roles_questions_and_honours_a_first_question() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    let mut rng = StdRng::seed_from_u64(4);
    let all = select::plan(tester, 10, None, None, &mut rng);
    let mut got = ids(all);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "failure",
            "flaky-tests",
            "release-blocker",
            "tell-me-about-yourself"
        ]
    );

    let first = tester.question("release-blocker").unwrap();
    for seed in 0..10 {
        let mut rng = StdRng::seed_from_u64(seed);
        let plan = select::plan(tester, 2, Some(first), None, &mut rng);
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].id, "release-blocker");
        assert_ne!(plan[1].id, "release-blocker");
    }

    let picker = Picker::seeded(8);
    let a = ids(picker.plan(tester, 2, None, None));
    let b = ids(Picker::seeded(8).plan(tester, 2, None, None));
    assert_eq!(a, b);
}

// ---------------------------------------------------------------------------
// The engine.

/// An interview of tester's `flaky-tests` (two follow-ups in the guide) then
/// `release-blocker` (one), with up to `follow_ups` follow-ups each.
fn start(lib: &GuideLibrary, follow_ups: usize) -> (Interview, Prompt) {
    let tester = lib.role("tester").unwrap();
    let questions = [
        tester.question("flaky-tests").unwrap(),
        tester.question("release-blocker").unwrap(),
    ];
    Interview::start(tester, &questions, follow_ups)
}

fn ask(step: Step) -> Prompt {
    match step {
        Step::Ask(p) => p,
        Step::Finished(s) => panic!("finished early: {s:?}"),
    }
}

fn finished(step: Step) -> Summary {
    match step {
        Step::Finished(s) => s,
        Step::Ask(p) => panic!("expected the end, got {p:?}"),
    }
}

#[test]
fn an_interview_runs_from_first_question_to_summary() {
    let lib = library();
    let (mut iv, first) = start(&lib, 2);
    assert_eq!(iv.format_version, FORMAT_VERSION);
    assert_eq!(iv.role_id, "tester");
    assert_eq!(first.kind, PromptKind::Main);
    assert_eq!((first.question, first.questions_total), (0, 2));
    assert_eq!(first.follow_up, None);
    assert_eq!(first.follow_ups_total, 2);
    assert_eq!(
        first.text,
        "How do you deal with flaky tests in a software testing team?"
    );
    assert_eq!(iv.current(), Some(first.clone()));
    assert_eq!(iv.current_question().unwrap().framework_id, "star");

    let p = ask(iv.answer("I quarantine them first.").unwrap());
    assert_eq!(p.kind, PromptKind::FollowUp);
    assert_eq!((p.question, p.follow_up), (0, Some(0)));
    assert_eq!(
        p.text,
        "How did you find the flaky tests in the first place?"
    );

    let p = ask(iv.answer("From the CI history.").unwrap());
    assert_eq!((p.question, p.follow_up), (0, Some(1)));
    assert_eq!(p.text, "What did you change so new tests are not flaky?");

    let p = ask(iv.answer("  A lint rule for sleeps.\n").unwrap());
    assert_eq!(p.kind, PromptKind::Main);
    assert_eq!((p.question, p.follow_up, p.follow_ups_total), (1, None, 1));
    assert_eq!(
        p.text,
        "The release is due in an hour and you have found a serious bug. What do you do?"
    );

    let p = ask(iv.answer("Tell the release owner.").unwrap());
    assert_eq!(p.text, "What if the product manager wants to ship anyway?");

    let summary = finished(iv.answer("Escalate with the evidence.").unwrap());
    assert!(iv.finished);
    assert!(!iv.ended_early);
    assert_eq!(iv.current(), None);
    assert_eq!(
        summary,
        Summary {
            role_name: "Test Engineer".into(),
            questions_planned: 2,
            questions_answered: 2,
            follow_ups_answered: 3,
            ended_early: false,
            questions: vec![
                "How do you deal with flaky tests in a software testing team?".into(),
                "The release is due in an hour and you have found a serious bug. What do you do?"
                    .into(),
            ],
            checks: vec![
                lib.role("tester").unwrap().questions[2].follow_ups[0].clone(),
                lib.role("tester").unwrap().questions[2].follow_ups[1].clone(),
                lib.role("tester").unwrap().questions[3].follow_ups[0].clone(),
            ],
            words_spoken: 4 + 4 + 5 + 4 + 4,
            coaching: None,
        }
    );
    // Each answer is counted once trimmed, with the prompt it answered.
    assert_eq!(iv.turns.len(), 5);
    assert_eq!(iv.turns[2].words(), 5);
    assert_eq!(iv.turns[2].prompt.follow_up, Some(1));
    assert_eq!(iv.summary(), summary);
}

#[test]
fn the_caller_decides_how_many_follow_ups() {
    let lib = library();

    let (mut iv, _) = start(&lib, 0);
    let p = ask(iv.answer("one").unwrap());
    assert_eq!((p.kind, p.question), (PromptKind::Main, 1));
    let s = finished(iv.answer("two").unwrap());
    assert_eq!((s.questions_answered, s.follow_ups_answered), (2, 0));
    assert!(s.checks.is_empty());

    let (mut iv, first) = start(&lib, 1);
    assert_eq!(first.follow_ups_total, 1);
    let p = ask(iv.answer("one").unwrap());
    assert_eq!(p.follow_up, Some(0));
    let p = ask(iv.answer("two").unwrap());
    assert_eq!((p.kind, p.question), (PromptKind::Main, 1));

    // Asking for more than the guide has gives what the guide has.
    let (iv, first) = start(&lib, 9);
    assert_eq!(first.follow_ups_total, 2);
    assert_eq!(iv.plan[1].follow_ups.len(), 1);
}

#[test]
fn empty_and_overlong_answers_are_refused_without_changing_anything() {
    let lib = library();
    let (mut iv, first) = start(&lib, 2);
    ask(iv.answer("first answer").unwrap());
    let before = iv.clone();
    let before_json = serde_json::to_string(&iv).unwrap();

    assert_eq!(iv.answer(""), Err(AnswerError::Empty));
    assert_eq!(iv.answer(" \n\t \n"), Err(AnswerError::Empty));
    let long = "a".repeat(20_000);
    assert_eq!(
        iv.answer(&long),
        Err(AnswerError::TooLong {
            chars: 20_000,
            max: MAX_ANSWER_CHARS
        })
    );
    // Characters, not bytes: 4000 `é` fit, 4001 do not.
    assert!(matches!(
        iv.clone().answer(&"é".repeat(MAX_ANSWER_CHARS)),
        Ok(Step::Ask(_))
    ));
    assert_eq!(
        iv.answer(&"é".repeat(MAX_ANSWER_CHARS + 1)),
        Err(AnswerError::TooLong {
            chars: MAX_ANSWER_CHARS + 1,
            max: MAX_ANSWER_CHARS
        })
    );

    assert_eq!(iv, before);
    assert_eq!(serde_json::to_string(&iv).unwrap(), before_json);
    assert_eq!(iv.current().unwrap().follow_up, Some(0));
    assert_ne!(iv.current(), Some(first));
}

#[test]
fn answers_after_the_end_are_refused() {
    let lib = library();
    let (mut iv, _) = start(&lib, 0);
    ask(iv.answer("one").unwrap());
    let summary = finished(iv.answer("two").unwrap());
    let after = iv.clone();
    assert_eq!(iv.answer("three"), Err(AnswerError::Finished));
    assert_eq!(iv, after);
    // Ending a finished interview changes nothing and says the same.
    assert_eq!(iv.end(), summary);
    assert!(!iv.ended_early);
}

#[test]
fn ending_early_summarises_what_was_answered() {
    let lib = library();
    let (mut iv, _) = start(&lib, 2);
    ask(iv.answer("I quarantine them first.").unwrap());
    ask(iv.answer("From the CI history.").unwrap());
    let summary = iv.end();
    assert!(iv.finished);
    assert!(iv.ended_early);
    assert!(summary.ended_early);
    assert_eq!(summary.questions_planned, 2);
    assert_eq!(summary.questions_answered, 1);
    assert_eq!(summary.follow_ups_answered, 1);
    assert_eq!(
        summary.questions,
        ["How do you deal with flaky tests in a software testing team?"]
    );
    assert_eq!(summary.checks.len(), 1);
    assert_eq!(
        summary.checks[0].checks,
        "Whether you measure before you fix."
    );
    assert_eq!(summary.words_spoken, 8);
    assert_eq!(iv.current(), None);
    assert_eq!(iv.answer("more"), Err(AnswerError::Finished));

    // Ending before any answer: nothing answered.
    let (mut iv, _) = start(&lib, 2);
    let s = iv.end();
    assert_eq!((s.questions_answered, s.follow_ups_answered), (0, 0));
    assert!(s.ended_early && s.questions.is_empty());
}

#[test]
fn an_interview_with_no_questions_is_finished_at_once() {
    let lib = library();
    let tester = lib.role("tester").unwrap();
    let (mut iv, first) = Interview::start(tester, &[], 2);
    assert!(iv.finished);
    assert_eq!(first.questions_total, 0);
    assert_eq!(iv.current(), None);
    assert_eq!(iv.answer("hello"), Err(AnswerError::Finished));
}

#[test]
fn a_serialized_interview_continues_exactly_where_it_stopped() {
    let lib = library();
    let answers = [
        "I quarantine them first.",
        "From the CI history.",
        "A lint rule for sleeps.",
        "Tell the release owner.",
        "Escalate with the evidence.",
    ];

    // Uninterrupted.
    let (mut whole, _) = start(&lib, 2);
    let mut steps = Vec::new();
    for a in answers {
        steps.push(whole.answer(a).unwrap());
    }

    // Stopped after two answers, stored as JSON, restored, continued.
    let (mut first_half, _) = start(&lib, 2);
    for a in &answers[..2] {
        first_half.answer(a).unwrap();
    }
    let json = serde_json::to_string(&first_half).unwrap();
    drop(first_half);
    let mut restored: Interview = serde_json::from_str(&json).unwrap();
    assert_eq!(restored.current(), Some(ask(steps[1].clone())));
    let mut rest = Vec::new();
    for a in &answers[2..] {
        rest.push(restored.answer(a).unwrap());
    }

    assert_eq!(rest, steps[2..]);
    assert_eq!(restored, whole);
    assert_eq!(
        serde_json::to_string(&restored).unwrap(),
        serde_json::to_string(&whole).unwrap()
    );
}

#[test]
fn a_stored_interview_needs_no_guide_to_continue() {
    // The plan carries its own copy of the texts and steps.
    let json = {
        let lib = library();
        let (iv, _) = start(&lib, 1);
        serde_json::to_string(&iv).unwrap()
    };
    let mut iv: Interview = serde_json::from_str(&json).unwrap();
    assert_eq!(iv.plan[0].framework_name, "STAR");
    assert_eq!(iv.plan[0].steps.len(), 4);
    let p = ask(iv.answer("answer").unwrap());
    assert_eq!(
        p.text,
        "How did you find the flaky tests in the first place?"
    );
}

// ---------------------------------------------------------------------------
// Templates, as the loader uses them.

fn vocabulary() -> Vocabulary {
    Vocabulary {
        field: "embedded software".into(),
        focus: vec!["firmware".into()],
        skills: vec!["C".into(), "Rust".into()],
        metrics: vec!["boot time".into(), "power draw".into(), "defects".into()],
        stakeholders: vec![],
        synonyms: vec![],
    }
}

#[test]
fn template_fill_uses_every_placeholder() {
    let out = template::fill(
        "{a_role} ({role}) in {a_field} / {field}: {focus}; {skills}; {metrics}; [{stakeholders}] {{x}}",
        "Embedded Engineer",
        &vocabulary(),
    )
    .unwrap();
    assert_eq!(
        out,
        "an Embedded Engineer (Embedded Engineer) in an embedded software / embedded software: \
         firmware; C and Rust; boot time, power draw, and defects; [] {x}"
    );
    assert_eq!(template::PLACEHOLDERS.len(), 8);
    assert_eq!(with_article("QA Engineer"), "a QA Engineer");
    assert_eq!(join_list(&[]), "");
}

#[test]
fn template_check_reports_unknown_and_unclosed_placeholders() {
    assert!(template::check("As {a_role}, with {{braces}} and } alone.").is_ok());
    let errors = template::check("{team} then {role").unwrap_err();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].offset, 0);
    assert!(errors[0]
        .message
        .starts_with("unknown placeholder `{team}`"));
    assert_eq!(errors[1].offset, 12);
    assert_eq!(
        errors[1].message,
        "unclosed `{`; write `{{` for a literal brace"
    );
    assert!(template::fill("{team}", "R", &vocabulary()).is_err());
}

#[test]
fn every_role_in_a_library_reads_a_template_in_its_own_words() {
    let lib = library();
    let texts: Vec<(&str, &str)> = lib
        .roles()
        .iter()
        .filter_map(|r: &Role| {
            r.question("tell-me-about-yourself")
                .map(|q| (r.id.as_str(), q.text.as_str()))
        })
        .collect();
    assert_eq!(
        texts,
        [
            (
                "engineering-manager",
                "Tell me about yourself as an Engineering Manager."
            ),
            ("tester", "Tell me about yourself as a Test Engineer."),
        ]
    );
}
