//! The shipped guide library: enough roles and questions to practise with,
//! each question complete and its example answer within the length band.

use interview_coach::coach::feedback::LibraryCues;
use interview_coach::guide::GuideLibrary;

fn library() -> GuideLibrary {
    GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).expect("shipped guides load")
}

const ROLES: [&str; 14] = [
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
    "engineering-manager",
    "product-manager",
    "product-designer",
];

#[test]
fn fourteen_roles_and_at_least_140_questions() {
    let lib = library();
    let counts = lib.counts();
    assert!(counts.roles >= 14, "{counts}");
    assert!(counts.questions >= 140, "{counts}");
    for id in ROLES {
        let role = lib
            .role(id)
            .unwrap_or_else(|| panic!("role {id} is missing"));
        assert!(
            role.questions.len() >= 10,
            "{id} has {} questions",
            role.questions.len()
        );
        let own = role
            .questions
            .iter()
            .filter(|q| q.template.is_none())
            .count();
        assert!(own >= 5, "{id} has only {own} questions of its own");
    }
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
                check.unmeasured || q.example.chars().any(|c| c.is_ascii_digit()),
                "{at}: no number in the example"
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
