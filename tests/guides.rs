//! The shipped guide library: enough roles and questions to practise with
//! (the second edition's minimums: 14 roles, 280 questions, 20 per role and
//! 10 of each role's own, the shared templates with an example for every
//! role, levels), each question complete and its example within its band,
//! the strict check, and the facts a review found wrong, pinned so they
//! cannot come back.

use interview_coach::coach::examples;
use interview_coach::coach::feedback::LibraryCues;
use interview_coach::guide::{GuideLibrary, Level, Role};

fn library() -> GuideLibrary {
    GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).expect("shipped guides load")
}

#[test]
fn every_question_is_complete_and_its_example_is_within_its_band() {
    use interview_coach::coach::feedback::{check_example, AnswerContext};
    let lib = library();
    let cues = lib.cues().expect("the shipped guides carry feedback cues");
    for role in lib.roles() {
        for q in &role.questions {
            let at = format!("{}/{}", role.id, q.id);
            let words = q.example.split_whitespace().count() as u32;
            let (lo, hi) = q.answer_words;
            assert!(
                (lo..=hi).contains(&words),
                "{at}: example has {words} words, not {lo}-{hi}"
            );
            // Story answers sit in the usual one to two minutes.
            let check = check_example(&q.example, &AnswerContext::for_question(role, q), cues);
            if !check.unmeasured {
                assert!((150..=300).contains(&words), "{at}: {words} words");
            }
            assert!(
                q.follow_ups.len() >= 3,
                "{at}: {} follow-ups",
                q.follow_ups.len()
            );
            assert!(!q.tips.is_empty() && !q.why.is_empty(), "{at}");
            // An answer with no result to measure (questions for the
            // interviewer, a salary range) invents none.
            assert!(
                check.unmeasured || !check.quantified_results.is_empty(),
                "{at}: no result in numbers in the example"
            );
        }
    }
}

#[test]
fn the_seed_guide_is_carried_over() {
    let lib = library();
    let backend = lib.role("backend").unwrap();
    let q = backend.question("tell-me-about-yourself").unwrap();
    assert_eq!(q.text, "Tell me about yourself as a Backend Engineer.");
    assert_eq!(q.framework.name, "Present-Past-Future");
    assert_eq!(q.follow_ups.len(), 3);
    assert_eq!(
        backend.vocabulary.skills,
        [
            "Node.js",
            "Python",
            "Go",
            "PostgreSQL",
            "Redis",
            "queues",
            "API design",
            "observability",
            "cloud services"
        ]
    );
    assert_eq!(
        backend.vocabulary.metrics,
        [
            "latency",
            "uptime",
            "error rate",
            "throughput",
            "data correctness",
            "scalability",
            "developer velocity"
        ]
    );
    assert!(q.follow_ups[1].question.contains(
        "frontend engineers, product managers, data teams, SRE, security, QA, and support teams"
    ));
    assert!(q.example.contains("42%"));
}

#[test]
fn the_analyser_finds_a_quantified_result_and_every_step_in_each_example() {
    use interview_coach::coach::feedback::{check_example, AnswerContext};
    let lib = library();
    let cues = lib.cues().expect("the shipped guides carry feedback cues");
    let mut problems = Vec::new();
    for role in lib.roles() {
        for q in &role.questions {
            let check = check_example(&q.example, &AnswerContext::for_question(role, q), cues);
            for p in check.problems() {
                problems.push(format!("{}/{}: {p}", role.id, q.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The roles whose loops have engineering levels (junior to staff).
const ENGINEERING: [&str; 11] = [
    "backend",
    "frontend",
    "full-stack",
    "mobile",
    "data-engineer",
    "data-scientist",
    "ml-engineer",
    "devops-sre",
    "security",
    "qa",
    "embedded",
];

const TEMPLATES: [&str; 14] = [
    "tell-me-about-yourself",
    "disagreement",
    "failure",
    "prioritisation",
    "influence-without-authority",
    "why-this-company",
    "strengths-weaknesses",
    "feedback-received",
    "ambiguity",
    "mentoring",
    "mistake",
    "ai-tools",
    "salary-expectations",
    "questions-for-us",
];

fn role<'l>(lib: &'l GuideLibrary, id: &str) -> &'l Role {
    lib.role(id)
        .unwrap_or_else(|| panic!("role {id} is missing"))
}

#[test]
fn fourteen_roles_and_280_questions_with_20_per_role_and_10_of_their_own() {
    let lib = library();
    let counts = lib.counts();
    assert!(counts.roles >= 14, "{counts}");
    assert!(counts.questions >= 280, "{counts}");
    assert!(counts.templates >= 14, "{counts}");
    for role in lib.roles() {
        let own = role
            .questions
            .iter()
            .filter(|q| q.template.is_none())
            .count();
        assert!(
            role.questions.len() >= 20,
            "{} has {} questions",
            role.id,
            role.questions.len()
        );
        assert!(own >= 10, "{} has only {own} questions of its own", role.id);
    }
}

#[test]
fn every_role_answers_every_shared_template_with_its_own_example() {
    let lib = library();
    for id in TEMPLATES {
        let mut seen: Vec<&str> = Vec::new();
        for role in lib.roles() {
            let q = role
                .question(id)
                .unwrap_or_else(|| panic!("{} does not use the template {id}", role.id));
            assert_eq!(q.template.as_deref(), Some(id));
            assert!(
                !seen.contains(&q.example.as_str()),
                "{}/{id}: the same example as another role",
                role.id
            );
            seen.push(&q.example);
        }
    }
}

#[test]
fn answers_that_are_not_stories_have_their_own_framework_and_no_figures() {
    let lib = library();
    for role in lib.roles() {
        let salary = role.question("salary-expectations").unwrap();
        assert_eq!(salary.framework.id, "research-range-flex");
        // Pay figures go out of date: the example says how to research and
        // state a range, with no amount.
        assert!(
            !salary
                .example
                .chars()
                .any(|c| c.is_ascii_digit() || "$€£¥".contains(c)),
            "{}: {}",
            role.id,
            salary.example
        );
        let ask = role.question("questions-for-us").unwrap();
        assert_eq!(ask.framework.id, "research-ask-connect");
        assert!(ask.example.contains('?'), "{}: asks no question", role.id);
    }
}

#[test]
fn engineering_roles_have_senior_and_new_graduate_questions() {
    let lib = library();
    for id in ENGINEERING {
        let r = role(&lib, id);
        let senior = r
            .questions
            .iter()
            .filter(|q| q.has_levels() && !q.suits(Some(Level::Junior)))
            .filter(|q| q.suits(Some(Level::Senior)) || q.suits(Some(Level::Staff)))
            .count();
        let graduate = r
            .questions
            .iter()
            .filter(|q| q.has_levels() && q.suits(Some(Level::Junior)))
            .filter(|q| !q.suits(Some(Level::Senior)) && !q.suits(Some(Level::Staff)))
            .count();
        assert!(senior >= 3, "{id}: {senior} senior/staff questions");
        assert!(graduate >= 3, "{id}: {graduate} new-graduate questions");
        for level in Level::ALL {
            let n = r.questions.iter().filter(|q| q.suits(Some(level))).count();
            assert!(n >= 5, "{id}: only {n} questions at {level}");
        }
    }
}

/// The check CI runs: nothing a follow-up assumes from its example, no list
/// read aloud, no stock opener, and every example complete for the coach.
#[test]
fn the_shipped_guides_pass_the_strict_check() {
    let lib = library();
    let problems = examples::strict(&lib, lib.cues().map(|c| c.as_ref()));
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        lines.is_empty(),
        "{}\n{} problems",
        lines.join("\n"),
        lines.len()
    );
}

/// Each fact the review of the first edition found wrong, as a check that
/// would fail if it came back.
#[test]
fn the_facts_found_wrong_stay_fixed() {
    let lib = library();
    let all_text = |r: &Role| -> String {
        r.questions
            .iter()
            .flat_map(|q| {
                [q.text.clone(), q.why.clone(), q.example.clone()]
                    .into_iter()
                    .chain(q.tips.clone())
                    .chain(q.follow_ups.iter().map(|f| f.question.clone()))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for r in lib.roles() {
        let text = all_text(r);
        assert!(!text.contains("WCAG 2.1"), "{}: WCAG 2.2 is current", r.id);
    }
    // A server cannot see which response fields a client reads.
    let api = role(&lib, "full-stack")
        .question("evolving-shared-api")
        .unwrap();
    let ex = api.example.to_lowercase();
    assert!(
        !(ex.contains("logged") && ex.contains("fields") && ex.contains("read")),
        "{}",
        api.example
    );
    // 1.9 mA to 0.7 mA multiplies battery life by 2.7, not to 14.5 days
    // from five.
    let embedded = all_text(role(&lib, "embedded"));
    assert!(!embedded.contains("14.5 days"), "battery arithmetic");
    // A pipeline that promises merge to production in under an hour adds
    // its stages up to less than that (its canary and regions once took
    // longer than the promise).
    let pipeline = role(&lib, "devops-sre")
        .question("design-deployment-pipeline")
        .unwrap();
    if pipeline.example.contains("under an hour") {
        let total = pipeline
            .example
            .split("about ")
            .skip(1)
            .filter_map(|rest| rest.split_once(" minutes"))
            .filter_map(|(n, _)| n.trim().parse::<u32>().ok())
            .last();
        assert!(
            total.is_some_and(|m| m < 60),
            "the pipeline's stages must add up to under an hour: {}",
            pipeline.example
        );
    }
    // The influence template does not tell a manager that engineers do not
    // report to them.
    let em = role(&lib, "engineering-manager")
        .question("influence-without-authority")
        .unwrap();
    assert!(!em.why.contains("do not report to"), "{}", em.why);
    // One tip on where the time goes: STAR's (most on the action).
    let failure = role(&lib, "backend").question("failure").unwrap();
    assert!(
        failure.tips.iter().all(|t| !t.contains("a third")),
        "{:?}",
        failure.tips
    );
    // No tip holds a list inside a list.
    let prio = role(&lib, "backend").question("prioritisation").unwrap();
    assert!(
        prio.tips
            .iter()
            .all(|t| !t.contains("developer velocity, risk")),
        "{:?}",
        prio.tips
    );
}

/// Follow-ups the review found written for the example's story.
#[test]
fn the_follow_ups_found_story_bound_are_rewritten() {
    let lib = library();
    let follow_ups = |role_id: &str, q: &str| -> String {
        role(&lib, role_id)
            .question(q)
            .unwrap_or_else(|| panic!("{role_id}/{q}"))
            .follow_ups
            .iter()
            .map(|f| f.question.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (role_id, q, phrase) in [
        ("frontend", "page-performance", "virtualise"),
        ("backend", "idempotent-apis", "SETNX"),
        (
            "product-designer",
            "portfolio-walkthrough",
            "recommended rate",
        ),
        ("product-manager", "discovery-to-launch", "reporting suite"),
        ("devops-sre", "owned-reliability-gap", "certificates"),
        ("security", "least-privilege-rollout", "three roles"),
    ] {
        let text = follow_ups(role_id, q);
        assert!(!text.contains(phrase), "{role_id}/{q}: {text}");
    }
    let text = follow_ups("engineering-manager", "underperformer");
    assert!(
        !text
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w == "he" || w == "He"),
        "{text}"
    );
}
