//! Gateway edge cases with a raw WebSocket client: zlib-compressed binary frames, RESUME of
//! an unknown session, unknown opcodes, dispatch sequencing.

use std::io::Write;
use std::time::Duration;

use fake_discord::{fixtures, FakeDiscord};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(fake: &FakeDiscord) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}?v=10", fake.gateway_url()))
        .await
        .expect("ws connects");
    ws
}

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

fn identify(token: &str, intents: u64) -> Value {
    json!({"op": 2, "d": {"token": format!("Bot {token}"), "intents": intents, "shard": [0, 1], "compress": true,
                          "properties": {"os": "linux", "browser": "test", "device": "test"}}})
}

#[tokio::test]
async fn zlib_binary_identify_gets_hello_ready_and_guild_create() {
    let fake = FakeDiscord::builder()
        .heartbeat_interval(Duration::from_millis(1234))
        .start()
        .await;
    let mut ws = connect(&fake).await;
    let hello = next_json(&mut ws).await;
    assert_eq!(hello, json!({"op": 10, "d": {"heartbeat_interval": 1234}}));

    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(identify(fake.token(), 1 | (1 << 9)).to_string().as_bytes())
        .unwrap();
    ws.send(Message::Binary(z.finish().unwrap())).await.unwrap();

    let ready = next_json(&mut ws).await;
    assert_eq!(
        (ready["op"].clone(), ready["s"].clone(), ready["t"].clone()),
        (json!(0), json!(1), json!("READY"))
    );
    assert_eq!(
        ready["d"]["application"]["id"],
        fixtures::BOT_ID.to_string()
    );
    assert_eq!(ready["d"]["resume_gateway_url"], fake.gateway_url());
    assert_eq!(
        ready["d"]["guilds"][0],
        json!({"id": fixtures::GUILD_ID.to_string(), "unavailable": true})
    );
    let guild = next_json(&mut ws).await;
    assert_eq!(
        (guild["s"].clone(), guild["t"].clone()),
        (json!(2), json!("GUILD_CREATE"))
    );
    assert!(guild["d"]["roles"][0]["colors"].is_object());

    let identify = fake.wait_ready(Duration::from_secs(5)).await;
    assert_eq!(identify.intents, 1 | (1 << 9));
    ws.send(Message::Text(json!({"op": 1, "d": 2}).to_string()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await, json!({"op": 11}));

    let (seq, frame) = tokio::join!(
        fake.dispatch(
            "TYPING_START",
            json!({"channel_id": "1", "user_id": "2", "timestamp": 0})
        ),
        next_json(&mut ws)
    );
    assert_eq!(seq, 3);
    assert_eq!(frame["s"], 3);
    assert_eq!(frame["t"], "TYPING_START");
    fake.assert_no_violations();
}

#[tokio::test]
async fn resume_replays_missed_events_and_unknown_sessions_are_invalidated() {
    let fake = FakeDiscord::builder()
        .send_guild_create(false)
        .start()
        .await;
    let mut ws = connect(&fake).await;
    next_json(&mut ws).await;
    ws.send(Message::Text(identify(fake.token(), 1).to_string()))
        .await
        .unwrap();
    let ready = next_json(&mut ws).await;
    let session = ready["d"]["session_id"].as_str().unwrap().to_string();
    fake.wait_ready(Duration::from_secs(5)).await;
    fake.dispatch(
        "TYPING_START",
        json!({"channel_id": "1", "user_id": "2", "timestamp": 0}),
    )
    .await;
    fake.dispatch(
        "TYPING_START",
        json!({"channel_id": "1", "user_id": "3", "timestamp": 0}),
    )
    .await;
    drop(ws);

    // Resume having seen only READY (s=1): both typing events are replayed, then RESUMED.
    let mut ws = connect(&fake).await;
    assert_eq!(next_json(&mut ws).await["op"], 10);
    ws.send(Message::Text(json!({"op": 6, "d": {"token": format!("Bot {}", fake.token()), "session_id": session, "seq": 1}}).to_string()))
        .await
        .unwrap();
    let a = next_json(&mut ws).await;
    let b = next_json(&mut ws).await;
    let resumed = next_json(&mut ws).await;
    assert_eq!(
        (a["s"].clone(), a["d"]["user_id"].clone()),
        (json!(2), json!("2"))
    );
    assert_eq!(
        (b["s"].clone(), b["d"]["user_id"].clone()),
        (json!(3), json!("3"))
    );
    assert_eq!(
        (resumed["s"].clone(), resumed["t"].clone()),
        (json!(4), json!("RESUMED"))
    );

    let mut other = connect(&fake).await;
    next_json(&mut other).await;
    other
        .send(Message::Text(json!({"op": 6, "d": {"token": format!("Bot {}", fake.token()), "session_id": "nope", "seq": 1}}).to_string()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut other).await, json!({"op": 9, "d": false}));
    fake.assert_no_violations();
}

#[tokio::test]
async fn unknown_opcodes_and_versions_are_violations() {
    let fake = FakeDiscord::start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(fake.gateway_url())
        .await
        .unwrap();
    next_json(&mut ws).await;
    ws.send(Message::Text(json!({"op": 99, "d": null}).to_string()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await, json!({"close": 4001}));
    let v = fake.violations();
    assert_eq!(v.len(), 2, "{v:#?}");
    assert!(v[0].contains("?v=10"));
    assert!(v[1].contains("unknown opcode"));
    assert!(
        fake.try_dispatch("X", json!({})).await.is_err(),
        "nobody is ready"
    );
}
