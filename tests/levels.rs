//! Levels from end to end: `/ask level:`, `/mock level:` (the real bot
//! against the local Discord) and `practice --level` (the binary) offer only
//! questions written for that level, and say so plainly for a level that
//! does not exist.

mod support;

use fake_discord::fixtures::{self, opt, User};
use interview_coach::guide::{GuideLibrary, Level, Role};
use support::cli::run;
use support::{content, data, is_ephemeral, Harness};

const GUIDES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/guides");

fn backend(lib: &GuideLibrary) -> &Role {
    lib.role("backend").unwrap()
}

/// The question ids of `role` that suit `level`, and those that do not.
fn split(role: &Role, level: Level) -> (Vec<String>, Vec<String>) {
    let (yes, no): (Vec<_>, Vec<_>) = role.questions.iter().partition(|q| q.suits(Some(level)));
    let ids = |v: Vec<&interview_coach::guide::Question>| v.iter().map(|q| q.id.clone()).collect();
    (ids(yes), ids(no))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_and_mock_with_a_level_offer_only_questions_for_it() {
    let h = Harness::start().await;
    let lib = GuideLibrary::load(h.guides_dir()).unwrap();
    let role = backend(&lib);
    let (junior, not_junior) = split(role, Level::Junior);
    assert!(!not_junior.is_empty(), "backend has questions above junior");

    // /ask level:junior, many times: never a question for seniors only.
    let mut seen = Vec::new();
    for _ in 0..25 {
        let ask = fixtures::slash_command("ask")
            .option(opt::string("role", "backend"))
            .option(opt::string("level", "junior"));
        let reply = h.interact(&ask, ask.interaction_id()).await;
        assert_eq!(reply.body["type"], 4, "{}", reply.body);
        let footer = data(&reply)["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap()
            .to_string();
        let id = footer
            .rsplit(' ')
            .next()
            .unwrap()
            .trim_matches('`')
            .to_string();
        assert!(junior.contains(&id), "{id} is not for juniors ({footer})");
        seen.push(id);
    }
    seen.sort();
    seen.dedup();
    assert!(seen.len() > 3, "only {seen:?}");

    // A level that does not exist is named, to the member only.
    let ask = fixtures::slash_command("ask")
        .option(opt::string("role", "backend"))
        .option(opt::string("level", "wizard"));
    let reply = h.interact(&ask, ask.interaction_id()).await;
    let d = data(&reply);
    assert!(is_ephemeral(d), "{d}");
    assert!(
        d["content"]
            .as_str()
            .unwrap()
            .contains("There is no level `wizard`"),
        "{d}"
    );

    // /mock level:staff: the interview's question is one for staff.
    let (staff, _) = split(role, Level::Staff);
    let mock = fixtures::slash_command("mock")
        .option(opt::string("role", "backend"))
        .option(opt::string("level", "staff"))
        .user(User::new(4200, "sam"));
    let token = mock.interaction_token().to_string();
    let ack = h.interact(&mock, mock.interaction_id()).await;
    assert_eq!(ack.body["type"], 5, "{}", ack.body);
    h.followup(&token).await;
    let thread = h.fake.threads().last().unwrap().id;
    let q1 = content(&h.bot_post(thread, 1).await);
    let asked: Vec<&str> = role
        .questions
        .iter()
        .filter(|q| q1.contains(&q.text))
        .map(|q| q.id.as_str())
        .collect();
    assert_eq!(asked.len(), 1, "{q1}");
    assert!(
        staff.iter().any(|s| s == asked[0]),
        "{} is not for staff",
        asked[0]
    );
    h.fake.assert_no_violations();
}

#[test]
fn practice_with_a_level_asks_only_questions_for_it() {
    let lib = GuideLibrary::load(GUIDES).unwrap();
    let role = backend(&lib);
    let (senior, _) = split(role, Level::Senior);
    for seed in ["1", "2", "3", "4", "5"] {
        let r = run(
            &[
                "--guides",
                GUIDES,
                "practice",
                "--role",
                "backend",
                "--level",
                "senior",
                "--questions",
                "3",
                "--follow-ups",
                "0",
                "--seed",
                seed,
            ],
            b"",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let asked: Vec<&str> = role
            .questions
            .iter()
            .filter(|q| r.stdout.contains(&q.text))
            .map(|q| q.id.as_str())
            .collect();
        assert!(!asked.is_empty(), "{}", r.stdout);
        for id in asked {
            assert!(senior.iter().any(|s| s == id), "{id} is not for seniors");
        }
    }
    let bad = run(
        &[
            "--guides", GUIDES, "practice", "--role", "backend", "--level", "wizard",
        ],
        b"",
    );
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("There is no level `wizard`"),
        "{}",
        bad.stderr
    );
}
