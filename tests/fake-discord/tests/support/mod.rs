//! Helpers shared by the self-tests that drive the fake with serenity.
#![allow(dead_code)]

use std::time::Duration;

use fake_discord::FakeDiscord;
use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, GatewayIntents, Message};
use serenity::client::{ClientBuilder, EventHandler};
use serenity::http::{Http, HttpBuilder};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub const WAIT: Duration = Duration::from_secs(10);

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_test_writer()
        .try_init();
}

/// serenity's HTTP client pointed at the fake.
pub fn http_for(fake: &FakeDiscord) -> Http {
    let http = HttpBuilder::new(fake.token())
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    http.set_application_id(fake.application_id().into());
    http
}

/// `allowed_mentions` that pings nobody (the fake's policy check wants it on every message).
pub fn quiet() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// Posts `message` (pinging nobody) in the default channel, as the bot.
pub async fn post(http: &Http, message: CreateMessage) -> Message {
    ChannelId::new(fake_discord::fixtures::CHANNEL_ID)
        .send_message(http, message.allowed_mentions(quiet()))
        .await
        .expect("the post is accepted")
}

/// Starts a serenity client with `handler` and waits until the fake saw it identify.
pub async fn start_client(
    fake: &FakeDiscord,
    intents: GatewayIntents,
    handler: impl EventHandler + 'static,
) -> JoinHandle<Result<(), serenity::Error>> {
    let mut client = ClientBuilder::new_with_http(http_for(fake), intents)
        .event_handler(handler)
        .await
        .expect("client builds");
    let task = tokio::spawn(async move { client.start().await });
    fake.wait_ready(WAIT).await;
    task
}

/// The next thing a handler reported.
pub async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>) -> T {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("handler ran")
        .expect("handler alive")
}

/// An HTTP/1.1 request serenity would never build, answered as (status, headers, body).
pub async fn raw_request(
    fake: &FakeDiscord,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(fake.addr()).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bot {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        fake.addr(),
        fake.token(),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let status = head[9..12].parse().unwrap();
    (status, head, out[split + 4..].to_vec())
}

/// A valid PNG of `width` x `height` grey pixels, as a chart renderer would produce.
pub fn tiny_png(width: u32, height: u32) -> Vec<u8> {
    use std::io::Write;
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    let mut rows = Vec::new();
    for _ in 0..height {
        rows.push(0); // filter: none
        rows.extend(std::iter::repeat_n(0x80, width as usize));
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&rows).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z.finish().unwrap());
    chunk(&mut png, b"IEND", &[]);
    png
}
