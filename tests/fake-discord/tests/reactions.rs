//! Reactions through serenity's `Http`: stored on the message, listed, removed, echoed to the
//! bot as gateway events; and users' reactions dispatched as fixtures.

mod support;

use fake_discord::fixtures::{self, BOT_ID, CHANNEL_ID, USER_ID};
use fake_discord::{routes, FakeDiscord};
use serenity::all::{
    ChannelId, CreateMessage, EmojiId, GatewayIntents, MessageId, Reaction, ReactionType,
};
use serenity::async_trait;
use serenity::client::{Context, EventHandler};
use tokio::sync::mpsc;

use support::{http_for, init_tracing, next, post, raw_request, start_client};

fn custom() -> ReactionType {
    ReactionType::Custom {
        animated: false,
        id: EmojiId::new(42),
        name: Some("blob".into()),
    }
}

fn api_status(err: serenity::Error) -> (u16, isize) {
    match err {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            (r.status_code.as_u16(), r.error.code)
        }
        other => panic!("not an API error: {other:?}"),
    }
}

#[tokio::test]
async fn the_bots_reactions_are_kept_on_the_message() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(CHANNEL_ID);
    let msg = post(&http, CreateMessage::new().content("an answer")).await;

    http.create_reaction(channel, msg.id, &ReactionType::Unicode("✅".into()))
        .await
        .expect("204");
    msg.react(&http, custom()).await.expect("custom emoji");
    // Reacting twice with the same emoji changes nothing.
    msg.react(&http, '✅').await.unwrap();
    assert_eq!(
        fake.reactions(CHANNEL_ID, msg.id.get()),
        vec!["✅".to_string(), "blob:42".to_string()]
    );
    let put = fake.requests_to(routes::ADD_MY_REACTION);
    assert_eq!(put[0].param("emoji_name"), Some("%E2%9C%85"));
    assert_eq!(put[0].status, Some(204));

    let fetched = channel
        .message(&http, msg.id)
        .await
        .expect("message parses");
    assert_eq!(fetched.reactions.len(), 2);
    let r = &fetched.reactions[0];
    assert!(r.me && r.count == 1 && r.reaction_type.unicode_eq("✅"));
    assert_eq!(fetched.reactions[1].reaction_type, custom());
    let listed = channel
        .messages(&http, serenity::all::GetMessages::new())
        .await
        .unwrap();
    assert_eq!(listed[0].reactions.len(), 2, "lists carry reactions too");
    let users = http
        .get_reaction_users(channel, msg.id, &custom(), 25, None)
        .await
        .unwrap();
    assert_eq!(
        users.iter().map(|u| u.id.get()).collect::<Vec<_>>(),
        [BOT_ID]
    );

    http.delete_reaction_me(channel, msg.id, &custom())
        .await
        .unwrap();
    assert_eq!(fake.reactions(CHANNEL_ID, msg.id.get()), ["✅"]);
    channel
        .delete_reactions(&http, msg.id)
        .await
        .expect("delete all");
    assert!(fake.reactions(CHANNEL_ID, msg.id.get()).is_empty());
    let bare = channel.message(&http, msg.id).await.unwrap();
    assert!(bare.reactions.is_empty());
    assert!(fake
        .message(msg.id.get())
        .unwrap()
        .json
        .get("reactions")
        .is_none());
    fake.assert_no_violations();
}

#[tokio::test]
async fn unknown_channels_messages_and_emoji_are_refused_like_discord() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let msg = post(&http, CreateMessage::new().content("x")).await;
    let check = ReactionType::Unicode("✅".into());
    let err = http
        .create_reaction(ChannelId::new(999), msg.id, &check)
        .await
        .unwrap_err();
    assert_eq!(api_status(err), (404, 10003));
    let err = http
        .create_reaction(ChannelId::new(CHANNEL_ID), MessageId::new(12345), &check)
        .await
        .unwrap_err();
    assert_eq!(api_status(err), (404, 10008));
    let err = http
        .create_reaction(
            ChannelId::new(CHANNEL_ID),
            msg.id,
            &ReactionType::Unicode("white_check_mark".into()),
        )
        .await
        .unwrap_err();
    assert_eq!(api_status(err), (400, 10014));
    let path = format!(
        "/api/v10/channels/{CHANNEL_ID}/messages/{}/reactions/%E2%9C%85/@me",
        msg.id
    );
    let (status, _, _) = raw_request(&fake, "PUT", &path, "application/json", b"").await;
    assert_eq!(status, 204, "the raw route works as serenity's");
    let v = fake.violations();
    assert_eq!(v.len(), 1, "{v:#?}");
    assert!(v[0].contains("10014"), "{v:#?}");
}

struct Reactions(mpsc::UnboundedSender<(bool, Reaction)>);

#[async_trait]
impl EventHandler for Reactions {
    async fn reaction_add(&self, _ctx: Context, r: Reaction) {
        let _ = self.0.send((true, r));
    }
    async fn reaction_remove(&self, _ctx: Context, r: Reaction) {
        let _ = self.0.send((false, r));
    }
}

#[tokio::test]
async fn reactions_reach_the_bot_as_gateway_events() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGE_REACTIONS;
    let task = start_client(&fake, intents, Reactions(tx)).await;
    let http = http_for(&fake);
    let channel = ChannelId::new(CHANNEL_ID);
    let msg = post(&http, CreateMessage::new().content("q")).await;

    // The bot's own reaction comes back, as Discord echoes it.
    msg.react(&http, '✅').await.unwrap();
    let (added, r) = next(&mut rx).await;
    assert!(added);
    assert_eq!(r.user_id.map(|u| u.get()), Some(BOT_ID));
    assert_eq!(r.message_id, msg.id);
    assert!(r.guild_id.is_some() && r.member.is_some());
    assert!(r.emoji.unicode_eq("✅"));

    // A user's reaction, dispatched by the test, reaches the bot and the model.
    fake.send(&fixtures::reaction_add(msg.id.get(), "👍")).await;
    let (added, r) = next(&mut rx).await;
    assert!(added && r.user_id.map(|u| u.get()) == Some(USER_ID));
    assert_eq!(fake.reaction_users(msg.id.get(), "👍"), [USER_ID]);
    assert_eq!(
        fake.reactions(CHANNEL_ID, msg.id.get()),
        ["✅"],
        "only the bot's"
    );
    let fetched = channel.message(&http, msg.id).await.unwrap();
    assert!(!fetched.reactions[1].me && fetched.reactions[1].count == 1);
    fake.send(&fixtures::reaction_remove(msg.id.get(), "👍"))
        .await;
    let (added, _) = next(&mut rx).await;
    assert!(!added);
    assert!(fake.reaction_users(msg.id.get(), "👍").is_empty());

    http.delete_reaction_me(channel, msg.id, &ReactionType::Unicode("✅".into()))
        .await
        .unwrap();
    let (added, r) = next(&mut rx).await;
    assert!(!added && r.user_id.map(|u| u.get()) == Some(BOT_ID));
    fake.assert_no_violations();
    task.abort();
}
