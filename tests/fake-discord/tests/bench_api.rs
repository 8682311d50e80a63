//! The parts of the fake that benchmarks lean on: dispatch timestamps, the stream of
//! arriving requests, and switching the per-request checks off.

use std::time::{Duration, Instant};

use fake_discord::fixtures;
use fake_discord::{routes, FakeDiscord};
use serenity::all::{
    ChannelId, CreateAllowedMentions, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, GatewayIntents,
};
use serenity::async_trait;
use serenity::client::{ClientBuilder, Context, EventHandler};
use serenity::http::HttpBuilder;
use serenity::model::application::Interaction;

const WAIT: Duration = Duration::from_secs(10);

/// Answers every slash command with "ok".
struct Answering;

#[async_trait]
impl EventHandler for Answering {
    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Command(cmd) = interaction {
            let msg = CreateInteractionResponseMessage::new()
                .content("ok")
                .allowed_mentions(CreateAllowedMentions::new());
            cmd.create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                .await
                .expect("answer");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timed_dispatches_and_the_request_stream_measure_a_round_trip() {
    let fake = FakeDiscord::start().await;
    let http = HttpBuilder::new(fake.token())
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .event_handler(Answering)
        .await
        .expect("client builds");
    let bot = tokio::spawn(async move { client.start().await });
    fake.wait_ready(WAIT).await;

    let mut arrivals = fake.subscribe_requests();
    let before = Instant::now();
    let cmd = fixtures::slash_command("ping");
    let sent = fake.send_timed(&cmd).await;
    assert!(sent.sent_at >= before);
    assert!(sent.seq > 0);

    let reply = tokio::time::timeout(WAIT, async {
        loop {
            let r = arrivals.recv().await.expect("the stream stays open");
            if r.route == routes::INTERACTION_CALLBACK {
                return r;
            }
        }
    })
    .await
    .expect("a callback arrives");
    assert_eq!(reply.param_id("interaction_id"), Some(cmd.interaction_id()));
    assert!(
        reply.at > sent.sent_at,
        "the answer arrives after the dispatch"
    );
    assert_eq!(
        reply.status, None,
        "streamed on arrival, before it is answered"
    );

    // The plain dispatch API is unchanged and keeps counting sequence numbers.
    let seq = fake.send(&fixtures::slash_command("ping")).await;
    assert_eq!(seq, sent.seq + 1);

    // A queued burst goes out in order, and every command is answered.
    let burst: Vec<_> = (0..20).map(|_| fixtures::slash_command("ping")).collect();
    let queued: Vec<_> = burst
        .iter()
        .map(|c| fake.queue_send(c).expect("connected"))
        .collect();
    let mut written = Vec::new();
    for q in queued {
        written.push(q.written().await.expect("written"));
    }
    for pair in written.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1);
        assert!(pair[1].sent_at >= pair[0].sent_at);
    }
    for cmd in &burst {
        let id = cmd.interaction_id();
        fake.wait_for(
            move |r| {
                r.route == routes::INTERACTION_CALLBACK && r.param_id("interaction_id") == Some(id)
            },
            WAIT,
        )
        .await;
    }
    fake.assert_no_violations();
    bot.abort();
}

#[tokio::test]
async fn validation_can_be_switched_off_for_load_runs() {
    let fake = FakeDiscord::builder()
        .validate_requests(false)
        .start()
        .await;
    let http = HttpBuilder::new(fake.token())
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    // Too long a title and no allowed_mentions: both would be recorded with validation on.
    ChannelId::new(fixtures::CHANNEL_ID)
        .send_message(
            &http,
            CreateMessage::new().embed(CreateEmbed::new().title("x".repeat(257))),
        )
        .await
        .expect("accepted without validation");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    // Routing still works: an unknown channel is still a 404.
    let err = ChannelId::new(123)
        .send_message(&http, CreateMessage::new().content("hi"))
        .await
        .expect_err("unknown channel");
    assert!(format!("{err:?}").contains("404"), "{err:?}");
}

#[tokio::test]
async fn a_dropped_subscriber_is_forgotten() {
    let fake = FakeDiscord::builder()
        .validate_requests(false)
        .start()
        .await;
    let http = HttpBuilder::new(fake.token())
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let first = fake.subscribe_requests();
    drop(first);
    let mut second = fake.subscribe_requests();
    let post = || {
        ChannelId::new(fixtures::CHANNEL_ID).send_message(
            &http,
            CreateMessage::new()
                .content("hello")
                .allowed_mentions(CreateAllowedMentions::new()),
        )
    };
    post().await.expect("post");
    post().await.expect("post");
    for _ in 0..2 {
        let r = second.try_recv().expect("both posts were streamed");
        assert_eq!(r.route, routes::CREATE_MESSAGE);
    }
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn connections_use_an_ethernet_sized_segment() {
    // Loopback's ~64 KB segments let a burst stall for a zero-window probe (~200 ms) in the
    // benchmarks; the fake announces an Ethernet path's segment size instead.
    let fake = FakeDiscord::start().await;
    let stream = tokio::net::TcpStream::connect(fake.addr())
        .await
        .expect("connect");
    let mss = socket2::SockRef::from(&stream)
        .tcp_mss()
        .expect("TCP_MAXSEG");
    assert!((500..=1448).contains(&mss), "segment size {mss}");
}
