//! Matching with more than two members: the same role, `role:any`, levels, and the
//! member who waited longer interviewing first.

use fake_discord::fixtures;

use crate::support::Harness;
use crate::{
    alice, announcement, assert_clean, bob, carol, dave, join, join_at, reply_edit, round_one,
};

/// The thread `text` (a "matched" reply) links to.
fn thread_in(text: &str) -> u64 {
    let start = text.find("<#").expect("a thread link") + 2;
    let end = start + text[start..].find('>').unwrap();
    text[start..end].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_role_takes_the_longest_waiting_member_and_same_roles_pair_up() {
    let h = Harness::start().await;
    // Alice waits for backend, Carol for frontend.
    let a = join(&h, alice(), "backend").await;
    reply_edit(&h, &a, "number 1 in line").await;
    let c = join(&h, carol(), "frontend").await;
    reply_edit(&h, &c, "frontend**, number 1 in line").await;

    // Bob will take any role: both fit him, Alice waited longer, so he gets her and she
    // interviews first.
    let b = join(&h, bob(), "any").await;
    let matched = reply_edit(&h, &b, "matched with <@4000>").await;
    let first = thread_in(&crate::support::content(&matched));
    reply_edit(&h, &a, "matched with <@4100>").await;
    let (console, _) = round_one(&h, first).await;
    let text = crate::support::content(&console);
    assert!(text.contains("<@4000> interviews <@4100>"), "{text}");
    assert!(
        text.contains("Backend"),
        "the waiting member's role: {text}"
    );
    // Carol is still waiting; Dave, for frontend too, is hers.
    let d = join(&h, dave(), "frontend").await;
    let matched = reply_edit(&h, &d, "matched with <@4200>").await;
    let second = thread_in(&crate::support::content(&matched));
    assert_ne!(first, second);
    reply_edit(&h, &c, "matched with <@4300>").await;
    let (console, _) = round_one(&h, second).await;
    let text = crate::support::content(&console);
    assert!(text.contains("<@4200> interviews <@4300>"), "{text}");
    let room = h.fake.channel(second).unwrap();
    assert!(room.members.contains(&4200) && room.members.contains(&4300));
    assert!(!room.members.contains(&4000) && !room.members.contains(&4100));

    // Each announcement pings its own two members only.
    let announcements: Vec<_> = h
        .posts_in(fixtures::CHANNEL_ID)
        .into_iter()
        .filter(|p| crate::support::content(p).contains("paired"))
        .collect();
    assert_eq!(announcements.len(), 2);
    for (post, want) in announcements
        .iter()
        .zip([["4000", "4100"], ["4200", "4300"]])
    {
        let mut users: Vec<String> =
            serde_json::from_value(post.body["allowed_mentions"]["users"].clone()).unwrap();
        users.sort();
        assert_eq!(users, want, "{}", post.body);
    }
    let left: Vec<String> = h
        .fake
        .violations()
        .into_iter()
        .filter(|v| {
            !(announcements
                .iter()
                .any(|a| v.contains(&format!("(request #{})", a.index)))
                && v.contains("allowed_mentions"))
        })
        .collect();
    assert!(left.is_empty(), "{left:#?}\n{}", h.fake.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_with_a_level_is_never_paired_with_another_level() {
    let h = Harness::start().await;
    let a = join_at(&h, alice(), "backend", Some("senior")).await;
    let waiting = reply_edit(&h, &a, "number 1 in line").await;
    assert!(crate::support::content(&waiting).contains("**senior**"));
    // Bob is junior: he waits beside Alice rather than being paired with her.
    let b = join_at(&h, bob(), "backend", Some("junior")).await;
    reply_edit(&h, &b, "number 2 in line").await;
    assert!(h.fake.threads().is_empty(), "{}", h.fake.describe());

    // Carol gave no level: any suits her, and Alice waited longest.
    let c = join(&h, carol(), "backend").await;
    reply_edit(&h, &c, "matched with <@4000>").await;
    reply_edit(&h, &a, "matched with <@4200>").await;
    let thread = h.fake.threads().last().unwrap().id;
    let (console, _) = round_one(&h, thread).await;
    let text = crate::support::content(&console);
    assert!(text.contains("<@4000> interviews <@4200>"), "{text}");

    // Bob is still in the queue, his reply untouched since it said so.
    h.wait_for_db(
        "SELECT count(*) FROM pair_queue WHERE user_id = ?1",
        4100,
        1,
    )
    .await;
    let edits = h
        .fake
        .requests_to(fake_discord::routes::EDIT_ORIGINAL)
        .into_iter()
        .filter(|r| r.param("webhook_token") == Some(b.as_str()))
        .count();
    assert_eq!(edits, 1, "{}", h.fake.describe());
    let announced = announcement(&h).await;
    assert_clean(&h, &announced);
}
