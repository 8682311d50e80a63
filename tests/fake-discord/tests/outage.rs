//! The outage faults: a gateway taken down refuses connections until it is brought
//! back, and command registration in a guild the bot is not in is refused like Discord.

use std::time::Duration;

use fake_discord::{fixtures, FakeDiscord};
use futures_util::StreamExt;
use serenity::all::{CreateCommand, GuildId, HttpBuilder};

async fn connect(fake: &FakeDiscord) -> Result<(), String> {
    let url = format!("{}?v=10", fake.gateway_url());
    match tokio_tungstenite::connect_async(url).await {
        Ok((mut ws, _)) => {
            // The fake says HELLO first.
            let hello = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
            assert!(matches!(hello, Ok(Some(Ok(_)))), "{hello:?}");
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test]
async fn a_gateway_taken_down_refuses_connections_until_brought_back() {
    let fake = FakeDiscord::start().await;
    connect(&fake).await.expect("up at first");
    fake.set_gateway_down(true).await;
    let refused = connect(&fake).await.expect_err("down");
    assert!(refused.contains("503"), "{refused}");
    assert_eq!(fake.gateway_refusals(), 1);
    fake.set_gateway_down(false).await;
    connect(&fake).await.expect("back up");
    assert_eq!(fake.gateway_refusals(), 1);
}

#[tokio::test]
async fn registering_commands_in_a_guild_the_bot_is_not_in_is_403_missing_access() {
    let fake = FakeDiscord::start().await;
    let http = HttpBuilder::new(fake.token())
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .application_id(fixtures::BOT_ID.into())
        .build();
    let ping = CreateCommand::new("ping").description("Ping");
    GuildId::new(fixtures::GUILD_ID)
        .set_commands(&http, vec![ping.clone()])
        .await
        .expect("the bot's own guild");
    let err = GuildId::new(424242)
        .set_commands(&http, vec![ping])
        .await
        .expect_err("not the bot's guild");
    match err {
        serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)) => {
            assert_eq!(r.status_code.as_u16(), 403);
            assert_eq!(r.error.code, 50001);
        }
        other => panic!("expected a 403, got {other:?}"),
    }
    fake.assert_no_violations();
}
