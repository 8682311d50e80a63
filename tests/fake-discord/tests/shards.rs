//! Sharding with raw WebSocket clients: each session gets its shard's guilds and their
//! events, shard arrays that do not fit are closed with 4010/4011, IDENTIFYs that come
//! too fast are refused and recorded, and `GET /gateway/bot` reports the configuration.
//! Then a serenity client running one shard of two.

mod support;

use std::time::Duration;

use fake_discord::fixtures::{self, intents, User};
use fake_discord::{FakeDiscord, GatewayError, Guild};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use serenity::all::{ChannelId, CreateMessage, GatewayIntents};
use tokio_tungstenite::tungstenite::Message;

use support::{http_for, init_tracing, next, quiet, WAIT};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// On shard 1 of 2: `(id >> 22) % 2 == 1`. The default guild (2000) is on shard 0.
const GUILD_B: u64 = (1 << 22) | 77;
const CHANNEL_B: u64 = 5000;
/// On shard 0 of 2, like the default guild.
const GUILD_C: u64 = 2 << 22;

const ALL: u64 = intents::GUILDS
    | intents::GUILD_MEMBERS
    | intents::GUILD_MESSAGES
    | intents::GUILD_MESSAGE_REACTIONS
    | intents::DIRECT_MESSAGES
    | intents::MESSAGE_CONTENT;

fn three_guilds() -> Vec<Guild> {
    vec![
        Guild::default_guild(),
        Guild::new(GUILD_B, "B")
            .text_channel(CHANNEL_B, "b-general")
            .member(User::alice()),
        Guild::new(GUILD_C, "C").text_channel(6000, "c-general"),
    ]
}

/// Connects and reads HELLO.
async fn connect(fake: &FakeDiscord) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}?v=10", fake.gateway_url()))
        .await
        .expect("ws connects");
    assert_eq!(next_json(&mut ws).await["op"], 10);
    ws
}

async fn send_identify(ws: &mut Ws, fake: &FakeDiscord, shard: Option<[u64; 2]>) {
    let mut d = json!({"token": format!("Bot {}", fake.token()), "intents": ALL,
                       "properties": {"os": "linux", "browser": "test", "device": "test"}});
    if let Some(shard) = shard {
        d["shard"] = json!(shard);
    }
    ws.send(Message::Text(json!({"op": 2, "d": d}).to_string()))
        .await
        .unwrap();
}

/// The next frame as JSON; a close frame as `{"close": code}`.
async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("frame in time")
            .expect("open")
            .expect("ok");
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Close(frame) => return json!({"close": frame.map(|f| u16::from(f.code))}),
            _ => continue,
        }
    }
}

/// Identifies as `shard`; returns READY's `d` and the ids of the GUILD_CREATEs that follow.
async fn start_session(
    fake: &FakeDiscord,
    shard: [u64; 2],
    guilds: usize,
) -> (Ws, Value, Vec<u64>) {
    let mut ws = connect(fake).await;
    send_identify(&mut ws, fake, Some(shard)).await;
    let ready = next_json(&mut ws).await;
    assert_eq!(ready["t"], "READY", "{ready}");
    let mut ids = Vec::new();
    for _ in 0..guilds {
        let g = next_json(&mut ws).await;
        assert_eq!(g["t"], "GUILD_CREATE", "{g}");
        ids.push(g["d"]["id"].as_str().unwrap().parse().unwrap());
    }
    fake.wait_ready_shard(shard[0], WAIT).await;
    (ws, ready["d"].clone(), ids)
}

/// The next dispatch's event name and guild id (`None` without one).
async fn next_event(ws: &mut Ws) -> (String, Option<String>) {
    let f = next_json(ws).await;
    (
        f["t"].as_str().unwrap_or_default().to_string(),
        f["d"]["guild_id"].as_str().map(str::to_string),
    )
}

/// Fails if a frame arrives within a short while.
async fn assert_quiet(ws: &mut Ws) {
    if let Ok(frame) = tokio::time::timeout(Duration::from_millis(200), ws.next()).await {
        panic!("unexpected frame: {frame:?}");
    }
}

#[tokio::test]
async fn each_shard_gets_its_guilds_and_their_events_and_dms_go_to_shard_zero() {
    init_tracing();
    let fake = FakeDiscord::builder()
        .guilds(three_guilds())
        .shards(2)
        .max_concurrency(2)
        .start()
        .await;
    let (mut ws0, ready0, guilds0) = start_session(&fake, [0, 2], 2).await;
    let (mut ws1, ready1, guilds1) = start_session(&fake, [1, 2], 1).await;
    assert_eq!(guilds0, [fixtures::GUILD_ID, GUILD_C]);
    assert_eq!(guilds1, [GUILD_B]);
    assert_eq!(ready0["shard"], json!([0, 2]));
    assert_eq!(ready1["shard"], json!([1, 2]));
    assert_eq!(
        ready1["guilds"],
        json!([{"id": GUILD_B.to_string(), "unavailable": true}])
    );
    assert_eq!(fake.connected_shards(), [[0, 2], [1, 2]]);
    assert_eq!(
        (fake.shard_for_guild(GUILD_B), fake.shard_for_guild(GUILD_C)),
        (1, 0)
    );

    let b = GUILD_B.to_string();
    let a = fixtures::GUILD_ID.to_string();
    fake.send(&fixtures::slash_command("ask").guild(GUILD_B, CHANNEL_B))
        .await;
    fake.send(&fixtures::slash_command("ask")).await;
    fake.send(&fixtures::message_create("in B").channel(GUILD_B, CHANNEL_B))
        .await;
    fake.send(&fixtures::guild_member_remove(User::alice()).guild(GUILD_B))
        .await;
    fake.send(&fixtures::thread_delete(7000, CHANNEL_B).guild(GUILD_B))
        .await;
    fake.send(&fixtures::message_create("a DM").dm(8000)).await;
    assert_eq!(
        next_event(&mut ws1).await,
        ("INTERACTION_CREATE".into(), Some(b.clone()))
    );
    assert_eq!(
        next_event(&mut ws1).await,
        ("MESSAGE_CREATE".into(), Some(b.clone()))
    );
    assert_eq!(
        next_event(&mut ws1).await,
        ("GUILD_MEMBER_REMOVE".into(), Some(b.clone()))
    );
    assert_eq!(
        next_event(&mut ws1).await,
        ("THREAD_DELETE".into(), Some(b.clone()))
    );
    assert_eq!(
        next_event(&mut ws0).await,
        ("INTERACTION_CREATE".into(), Some(a))
    );
    assert_eq!(next_event(&mut ws0).await, ("MESSAGE_CREATE".into(), None));

    // The bot's own post in guild B comes back to shard 1 only.
    let http = http_for(&fake);
    ChannelId::new(CHANNEL_B)
        .send_message(
            &http,
            CreateMessage::new().content("hi").allowed_mentions(quiet()),
        )
        .await
        .expect("posted");
    assert_eq!(
        next_event(&mut ws1).await,
        ("MESSAGE_CREATE".into(), Some(b))
    );
    assert_quiet(&mut ws0).await;
    assert_quiet(&mut ws1).await;
    assert!(fake.identify_violations().is_empty());
    fake.assert_no_violations();
}

#[tokio::test]
async fn an_event_for_a_shard_that_is_not_connected_fails_clearly() {
    let fake = FakeDiscord::builder()
        .guilds(three_guilds())
        .shards(2)
        .start()
        .await;
    let cmd = fixtures::message_create("in B").channel(GUILD_B, CHANNEL_B);
    assert_eq!(
        fake.queue_send(&cmd).err(),
        Some(GatewayError::NotConnected)
    );
    let (mut ws0, _, _) = start_session(&fake, [0, 2], 2).await;
    let err = fake
        .try_dispatch("MESSAGE_CREATE", fixtures::Fixture::build(&cmd))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        GatewayError::ShardNotConnected {
            shard: 1,
            guild: Some(GUILD_B)
        }
    );
    assert!(err.to_string().contains("shard 1"), "{err}");
    assert!(
        fake.messages(CHANNEL_B).is_empty(),
        "the model learnt nothing"
    );

    fake.close_shard(0, 4000).await;
    assert_eq!(next_json(&mut ws0).await, json!({"close": 4000}));
    assert!(fake.connected_shards().is_empty());
}

#[tokio::test]
async fn a_resumed_session_serves_its_shard_again() {
    let fake = FakeDiscord::builder()
        .guilds(three_guilds())
        .shards(2)
        .max_concurrency(2)
        .start()
        .await;
    let (_ws0, _, _) = start_session(&fake, [0, 2], 2).await;
    let (ws1, ready, _) = start_session(&fake, [1, 2], 1).await;
    drop(ws1);
    while fake.connected_shards().len() == 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(fake.connected_shards(), [[0, 2]]);

    let mut ws1 = connect(&fake).await;
    let resume = json!({"op": 6, "d": {"token": format!("Bot {}", fake.token()),
                                      "session_id": ready["session_id"], "seq": 2}});
    ws1.send(Message::Text(resume.to_string())).await.unwrap();
    assert_eq!(next_json(&mut ws1).await["t"], "RESUMED");
    fake.wait_ready_shard(1, WAIT).await;
    fake.send(&fixtures::message_create("in B").channel(GUILD_B, CHANNEL_B))
        .await;
    let f = next_json(&mut ws1).await;
    assert_eq!(
        (f["t"].clone(), f["s"].clone()),
        (json!("MESSAGE_CREATE"), json!(4))
    );
}

#[tokio::test]
async fn shard_arrays_that_do_not_fit_are_closed_with_4010_or_4011() {
    let fake = FakeDiscord::builder().shards(2).start().await;
    for (shard, code) in [
        (Some([2, 2]), 4010),
        (Some([0, 3]), 4010),
        (Some([0, 1]), 4011),
        (None, 4011),
    ] {
        let mut ws = connect(&fake).await;
        send_identify(&mut ws, &fake, shard).await;
        assert_eq!(
            next_json(&mut ws).await,
            json!({"close": code}),
            "{shard:?}"
        );
    }

    // With one shard configured, any valid array is accepted, as Discord does.
    let one = FakeDiscord::start().await;
    let mut ws = connect(&one).await;
    send_identify(&mut ws, &one, Some([1, 1])).await;
    assert_eq!(next_json(&mut ws).await, json!({"close": 4010}));
    let (_ws, ready, guilds) = start_session(&one, [1, 2], 0).await;
    assert_eq!(
        (ready["shard"].clone(), ready["guilds"].clone()),
        (json!([1, 2]), json!([]))
    );
    assert!(guilds.is_empty(), "guild 2000 is on shard 0 of 2");
    assert!(fake.connected_shards().is_empty());
}

#[tokio::test]
async fn a_second_identify_in_a_bucket_within_the_window_is_refused_and_recorded() {
    // Long enough that the second IDENTIFY, sent right after the first READY, is inside it
    // even on a loaded machine.
    let window = Duration::from_millis(600);
    let fake = FakeDiscord::builder()
        .shards(2)
        .identify_window(window)
        .start()
        .await;
    let (_ws0, _, _) = start_session(&fake, [0, 2], 1).await;
    let mut ws1 = connect(&fake).await;
    send_identify(&mut ws1, &fake, Some([1, 2])).await;
    assert_eq!(next_json(&mut ws1).await, json!({"op": 9, "d": false}));

    let v = fake.identify_violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!((v[0].shard, v[0].bucket), ([1, 2], 0));
    assert!(v[0].since_previous < window, "{v:?}");
    assert!(fake.violations()[0].contains("IDENTIFY for shard [1, 2]"));

    // After the window the same connection may identify again.
    let first = fake.identify_times(0)[0];
    tokio::time::sleep_until((first + window).into()).await;
    send_identify(&mut ws1, &fake, Some([1, 2])).await;
    assert_eq!(next_json(&mut ws1).await["t"], "READY");
    fake.wait_ready_shard(1, WAIT).await;
    let times = fake.identify_times(1);
    assert_eq!(times.len(), 2);
    assert!(times[1] - first >= window);
    assert_eq!(fake.identify_violations().len(), 1);
}

#[tokio::test]
async fn max_concurrency_two_lets_shards_zero_and_one_identify_together() {
    let fake = FakeDiscord::builder()
        .shards(4)
        .max_concurrency(2)
        .start()
        .await;
    let (_ws0, _, _) = start_session(&fake, [0, 4], 1).await;
    let (_ws1, _, _) = start_session(&fake, [1, 4], 0).await;
    // Shard 2 shares bucket 0 with shard 0.
    let mut ws2 = connect(&fake).await;
    send_identify(&mut ws2, &fake, Some([2, 4])).await;
    assert_eq!(next_json(&mut ws2).await, json!({"op": 9, "d": false}));
    let v = fake.identify_violations();
    assert_eq!(
        v.iter().map(|v| (v.shard, v.bucket)).collect::<Vec<_>>(),
        [([2, 4], 0)]
    );
}

#[tokio::test]
async fn gateway_bot_reports_the_shard_count_and_session_start_limit() {
    let fake = FakeDiscord::builder()
        .shards(3)
        .max_concurrency(2)
        .start()
        .await;
    let http = http_for(&fake);
    let gw = http.get_bot_gateway().await.expect("parses");
    assert_eq!(gw.url, fake.gateway_url());
    assert_eq!(gw.shards, 3);
    assert_eq!(gw.session_start_limit.max_concurrency, 2);
    assert_eq!(
        (
            gw.session_start_limit.total,
            gw.session_start_limit.remaining
        ),
        (1000, 1000)
    );
    let (_ws, _, _) = start_session(&fake, [0, 3], 1).await;
    let gw = http.get_bot_gateway().await.unwrap();
    assert_eq!(gw.session_start_limit.remaining, 999);

    let one = FakeDiscord::start().await;
    let gw = http_for(&one).get_bot_gateway().await.unwrap();
    assert_eq!((gw.shards, gw.session_start_limit.max_concurrency), (1, 1));
}

/// serenity running only shard 1 of 2 reads READY's shard, caches only guild B, and gets
/// guild B's interactions.
#[tokio::test]
async fn serenity_running_one_shard_of_two_gets_that_shards_guild() {
    use serenity::all::{Context, EventHandler, Interaction, Ready};
    use serenity::async_trait;
    use tokio::sync::mpsc;

    struct Handler(mpsc::UnboundedSender<String>);
    #[async_trait]
    impl EventHandler for Handler {
        async fn ready(&self, _: Context, ready: Ready) {
            let shard = ready.shard.map(|s| (s.id.0, s.total));
            let _ = self.0.send(format!("ready {shard:?}"));
        }
        async fn guild_create(&self, _: Context, guild: serenity::all::Guild, _: Option<bool>) {
            let _ = self.0.send(format!("guild {}", guild.id));
        }
        async fn interaction_create(&self, _: Context, interaction: Interaction) {
            let _ = self.0.send(format!(
                "interaction {:?}",
                interaction.guild_id().map(|g| g.get())
            ));
        }
    }

    init_tracing();
    let fake = FakeDiscord::builder()
        .guilds(three_guilds())
        .shards(2)
        .start()
        .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut client =
        serenity::client::ClientBuilder::new_with_http(http_for(&fake), GatewayIntents::GUILDS)
            .event_handler(Handler(tx))
            .await
            .expect("client builds");
    let task = tokio::spawn(async move { client.start_shard(1, 2).await });
    let identify = fake.wait_ready_shard(1, WAIT).await;
    assert_eq!(identify.shard, Some([1, 2]));
    let mut seen = vec![next(&mut rx).await, next(&mut rx).await];
    seen.sort();
    assert_eq!(
        seen,
        [format!("guild {GUILD_B}"), "ready Some((1, 2))".to_string()]
    );
    fake.send(&fixtures::slash_command("ask").guild(GUILD_B, CHANNEL_B))
        .await;
    assert_eq!(next(&mut rx).await, format!("interaction Some({GUILD_B})"));
    task.abort();
}
