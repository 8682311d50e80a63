//! End-to-end self-tests: a real serenity 0.12.5 client against the fake.

use std::sync::Arc;
use std::time::Duration;

use fake_discord::fixtures::{self, intents, opt, User};
use fake_discord::{routes, FakeDiscord, IdentifyPolicy};
use serde_json::{json, Value};
use serenity::all::{
    ChannelId, ChannelType, Command, CommandOptionType, CreateActionRow, CreateAllowedMentions,
    CreateButton, CreateCommand, CreateCommandOption, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    CreateThread, EditInteractionResponse, EditMessage, EditThread, GatewayIntents, GuildId,
    Permissions, UserId,
};
use serenity::async_trait;
use serenity::client::{Client, ClientBuilder, Context, EventHandler};
use serenity::http::{Http, HttpBuilder};
use serenity::model::application::Interaction;
use serenity::model::gateway::Ready;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_test_writer()
        .try_init();
}

fn http_for(fake: &FakeDiscord, token: &str) -> Http {
    HttpBuilder::new(token)
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build()
}

fn status_of(err: &serenity::Error) -> Option<u16> {
    match err {
        serenity::Error::Http(e) => e.status_code().map(|s| s.as_u16()),
        _ => None,
    }
}

fn quiet() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// A tiny bot: answers /ping with a message, /thread by opening a private thread and
/// posting in it, /defer with a deferred ephemeral reply, a follow-up and an edit.
struct Bot {
    ready: mpsc::UnboundedSender<Ready>,
}

#[async_trait]
impl EventHandler for Bot {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let _ = self.ready.send(ready);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Interaction::Command(cmd) = interaction else {
            return;
        };
        let result = match cmd.data.name.as_str() {
            "ping" => {
                let msg = CreateInteractionResponseMessage::new()
                    .content("pong")
                    .allowed_mentions(quiet());
                cmd.create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                    .await
            }
            "thread" => {
                let ack = CreateInteractionResponseMessage::new()
                    .content("Opening a thread")
                    .ephemeral(true)
                    .allowed_mentions(quiet());
                cmd.create_response(&ctx.http, CreateInteractionResponse::Message(ack))
                    .await
                    .unwrap();
                let thread = cmd
                    .channel_id
                    .create_thread(
                        &ctx.http,
                        CreateThread::new("Interview practice").kind(ChannelType::PrivateThread),
                    )
                    .await
                    .unwrap();
                thread
                    .id
                    .add_thread_member(&ctx.http, cmd.user.id)
                    .await
                    .unwrap();
                let first = CreateMessage::new()
                    .content("Question 1: tell me about yourself.")
                    .embed(
                        CreateEmbed::new()
                            .title("Question 1")
                            .description("Take your time")
                            .field("Tip", "Use STAR", false),
                    )
                    .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
                        "next",
                    )
                    .label("Next")])])
                    .allowed_mentions(quiet());
                thread.id.send_message(&ctx.http, first).await.map(|_| ())
            }
            "defer" => {
                cmd.defer_ephemeral(&ctx.http).await.unwrap();
                cmd.create_followup(
                    &ctx.http,
                    CreateInteractionResponseFollowup::new()
                        .content("follow-up")
                        .allowed_mentions(quiet()),
                )
                .await
                .unwrap();
                cmd.edit_response(
                    &ctx.http,
                    EditInteractionResponse::new()
                        .content("done")
                        .allowed_mentions(quiet()),
                )
                .await
                .map(|_| ())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            panic!("bot failed to answer /{}: {e:?}", cmd.data.name);
        }
    }
}

struct RunningBot {
    client_task: tokio::task::JoinHandle<Result<(), serenity::Error>>,
    ready: mpsc::UnboundedReceiver<Ready>,
}

async fn start_bot(fake: &FakeDiscord, intents: GatewayIntents) -> RunningBot {
    let (tx, ready) = mpsc::unbounded_channel();
    let http = http_for(fake, fake.token());
    let mut client: Client = ClientBuilder::new_with_http(http, intents)
        .event_handler(Bot { ready: tx })
        .await
        .expect("client builds");
    let client_task = tokio::spawn(async move { client.start().await });
    RunningBot { client_task, ready }
}

#[tokio::test]
async fn serenity_client_gets_ready_and_answers_an_interaction() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(
        &fake,
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES,
    )
    .await;

    let identify = fake.wait_ready(WAIT).await;
    assert_eq!(identify.token, format!("Bot {}", fake.token()));
    assert!(identify.has_intent(intents::GUILDS | intents::GUILD_MESSAGES));
    assert!(!identify.has_intent(intents::MESSAGE_CONTENT));
    let ready = tokio::time::timeout(WAIT, bot.ready.recv())
        .await
        .expect("ready handler ran")
        .unwrap();
    assert_eq!(ready.user.id.get(), fixtures::BOT_ID);
    assert_eq!(ready.application.id.get(), fake.application_id());

    let cmd = fixtures::slash_command("ping");
    fake.send(&cmd).await;
    let callback = fake
        .wait_for_route(routes::INTERACTION_CALLBACK, WAIT)
        .await;
    assert_eq!(
        callback.param("interaction_token"),
        Some(cmd.interaction_token())
    );
    assert_eq!(
        callback.param_id("interaction_id"),
        Some(cmd.interaction_id())
    );
    assert_eq!(callback.body["type"], 4);
    assert_eq!(callback.body["data"]["content"], "pong");
    // The reply is part of the channel's transcript.
    let reply = fake
        .wait_for(|r| r.index == callback.index && r.status.is_some(), WAIT)
        .await;
    assert_eq!(reply.status, Some(204));
    let transcript = fake.messages(fixtures::CHANNEL_ID);
    assert_eq!(transcript.last().map(|m| m.content.as_str()), Some("pong"));
    assert!(transcript.last().unwrap().from_bot);

    let gateway_requests = fake.requests_to(routes::GET_GATEWAY);
    assert_eq!(gateway_requests.len(), 1, "{}", fake.describe());
    fake.assert_no_violations();
    bot.client_task.abort();
}

#[tokio::test]
async fn bot_threads_followups_and_edits_are_modelled() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(
        &fake,
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES,
    )
    .await;
    fake.wait_ready(WAIT).await;
    tokio::time::timeout(WAIT, bot.ready.recv()).await.unwrap();

    fake.send(&fixtures::slash_command("thread")).await;
    let post = fake.wait_for_route(routes::CREATE_MESSAGE, WAIT).await;
    let created = fake.requests_to(routes::CREATE_THREAD);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].body["type"], 12);
    assert_eq!(
        created[0].param_id("channel_id"),
        Some(fixtures::CHANNEL_ID)
    );
    let thread = fake.threads().pop().expect("a thread exists");
    assert_eq!(post.param_id("channel_id"), Some(thread.id));
    assert_eq!(thread.kind, 12);
    assert_eq!(thread.parent_id, Some(fixtures::CHANNEL_ID));
    assert!(
        thread.members.contains(&fixtures::USER_ID),
        "user was added: {thread:?}"
    );
    let _ = fake
        .wait_for(|r| r.index == post.index && r.status.is_some(), WAIT)
        .await;
    let transcript = fake.messages(thread.id);
    assert_eq!(transcript.len(), 1);
    assert_eq!(transcript[0].embeds[0]["title"], "Question 1");

    // The user answers in the thread; the transcript keeps both sides.
    fake.send(&fixtures::message_create("I am a backend engineer").in_thread(thread.id))
        .await;
    assert_eq!(fake.messages(thread.id).len(), 2);

    fake.send(&fixtures::slash_command("defer")).await;
    let edit = fake.wait_for_route(routes::EDIT_ORIGINAL, WAIT).await;
    assert_eq!(edit.body["content"], "done");
    let callbacks = fake.requests_to(routes::INTERACTION_CALLBACK);
    let deferred = &callbacks.last().unwrap().body;
    // serenity adds `"attachments": []` to the deferred response's data.
    assert_eq!(
        (deferred["type"].clone(), deferred["data"]["flags"].clone()),
        (json!(5), json!(64))
    );
    assert_eq!(fake.requests_to(routes::CREATE_FOLLOWUP).len(), 1);
    let _ = fake
        .wait_for(|r| r.index == edit.index && r.status.is_some(), WAIT)
        .await;
    let contents: Vec<String> = fake
        .messages(fixtures::CHANNEL_ID)
        .iter()
        .map(|m| m.content.clone())
        .collect();
    assert!(
        contents.ends_with(&["done".to_string(), "follow-up".to_string()]),
        "{contents:?}"
    );
    fake.assert_no_violations();
    bot.client_task.abort();
}

#[tokio::test]
async fn rejected_token_closes_with_4004_and_start_returns_an_error() {
    init_tracing();
    let fake = FakeDiscord::builder()
        .token("the-right-token")
        .start()
        .await;
    let http = http_for(&fake, "a-wrong-token");
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .await
        .unwrap();
    let result = tokio::time::timeout(WAIT, client.start())
        .await
        .expect("start() returns instead of retrying");
    assert!(result.is_err(), "client.start() should fail on 4004");
    assert_eq!(fake.identifies().len(), 1);
    assert!(!fake.is_ready());
}

#[tokio::test]
async fn disallowed_privileged_intent_closes_with_4014() {
    init_tracing();
    let fake = FakeDiscord::builder()
        .allowed_privileged_intents(0)
        .start()
        .await;
    let http = http_for(&fake, fake.token());
    let mut client = ClientBuilder::new_with_http(
        http,
        GatewayIntents::GUILDS | GatewayIntents::MESSAGE_CONTENT,
    )
    .await
    .unwrap();
    let result = tokio::time::timeout(WAIT, client.start())
        .await
        .expect("start() returns");
    let err = result.expect_err("4014 is fatal");
    assert!(
        format!("{err:?}").contains("DisallowedGatewayIntents"),
        "{err:?}"
    );
}

#[tokio::test]
async fn identify_policy_reject_closes_with_the_given_code() {
    init_tracing();
    let fake = FakeDiscord::builder()
        .identify_policy(IdentifyPolicy::Reject(4004))
        .start()
        .await;
    let http = http_for(&fake, fake.token());
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .await
        .unwrap();
    let result = tokio::time::timeout(WAIT, client.start())
        .await
        .expect("start() returns");
    assert!(result.is_err());
}

#[tokio::test]
async fn heartbeats_are_acknowledged_and_reconnect_resumes_with_replay() {
    init_tracing();
    let fake = FakeDiscord::builder()
        .heartbeat_interval(Duration::from_millis(300))
        .start()
        .await;
    let mut bot = start_bot(&fake, GatewayIntents::GUILDS).await;
    fake.wait_ready(WAIT).await;
    tokio::time::timeout(WAIT, bot.ready.recv()).await.unwrap();
    // Several heartbeat intervals: an unacknowledged heartbeat would make serenity reconnect.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let frames = fake.gateway_frames();
    assert!(
        frames.iter().filter(|f| f["op"] == 1).count() >= 2,
        "{frames:?}"
    );
    assert_eq!(
        frames.iter().filter(|f| f["op"] == 2).count(),
        1,
        "no re-identify: {frames:?}"
    );

    fake.send_reconnect().await;
    let resume = fake.wait_for_gateway_frame(|f| f["op"] == 6, WAIT).await;
    assert_eq!(resume["d"]["token"], format!("Bot {}", fake.token()));
    fake.wait_ready(WAIT).await;
    // Dispatching still works on the resumed session.
    fake.send(&fixtures::slash_command("ping")).await;
    fake.wait_for_route(routes::INTERACTION_CALLBACK, WAIT)
        .await;

    // A close with a resumable code makes serenity resume again.
    fake.close_gateway(4000).await;
    fake.wait_ready(WAIT).await;
    assert_eq!(
        fake.gateway_frames()
            .iter()
            .filter(|f| f["op"] == 6)
            .count(),
        2
    );
    fake.assert_no_violations();
    bot.client_task.abort();
}

#[tokio::test]
async fn serenity_builders_produce_valid_requests_and_parse_the_answers() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake, fake.token());

    let me = http
        .get_current_user()
        .await
        .expect("GET /users/@me parses");
    assert_eq!(me.id.get(), fixtures::BOT_ID);
    let app = http
        .get_current_application_info()
        .await
        .expect("application info parses");
    assert_eq!(
        app.owner.as_ref().map(|o| o.id.get()),
        Some(fixtures::OWNER_ID)
    );
    let gw = http.get_bot_gateway().await.expect("gateway/bot parses");
    assert_eq!(gw.url, fake.gateway_url());

    http.set_application_id(fake.application_id().into());
    let practice = CreateCommand::new("practice")
        .description("Start a practice session")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "start", "Start")
                .add_sub_option(
                    CreateCommandOption::new(CommandOptionType::String, "role", "Role")
                        .required(true)
                        .set_autocomplete(true),
                )
                .add_sub_option(
                    CreateCommandOption::new(CommandOptionType::Integer, "questions", "How many")
                        .min_int_value(1)
                        .max_int_value(20),
                ),
        );
    let commands = Command::set_global_commands(
        &http,
        vec![
            practice.clone(),
            CreateCommand::new("help").description("Help"),
        ],
    )
    .await
    .expect("commands parse");
    assert_eq!(commands.len(), 2);
    assert_eq!(fake.commands()[0]["name"], "practice");
    let again = Command::set_global_commands(&http, vec![practice.clone()])
        .await
        .unwrap();
    assert_eq!(
        again[0].id, commands[0].id,
        "ids are stable across bulk overwrites"
    );
    let guild_cmds = GuildId::new(fixtures::GUILD_ID)
        .set_commands(&http, vec![practice])
        .await
        .expect("guild commands");
    assert_eq!(
        guild_cmds[0].guild_id.map(|g| g.get()),
        Some(fixtures::GUILD_ID)
    );

    let channel = ChannelId::new(fixtures::CHANNEL_ID);
    let fetched = channel.to_channel(&http).await.expect("GET channel parses");
    assert!(fetched.guild().is_some());
    let msg = channel
        .send_message(
            &http,
            CreateMessage::new()
                .content("hello")
                .embed(
                    CreateEmbed::new()
                        .title("t")
                        .description("d")
                        .footer(serenity::all::CreateEmbedFooter::new("f")),
                )
                .components(vec![CreateActionRow::Buttons(vec![
                    CreateButton::new("a").label("A"),
                    CreateButton::new_link("https://example.com").label("Docs"),
                ])])
                .allowed_mentions(quiet()),
        )
        .await
        .expect("message parses");
    assert_eq!(msg.content, "hello");
    let edited = channel
        .edit_message(
            &http,
            msg.id,
            EditMessage::new()
                .content("edited")
                .allowed_mentions(quiet()),
        )
        .await
        .expect("edit parses");
    assert_eq!(edited.content, "edited");
    assert!(edited.edited_timestamp.is_some());

    let public = channel
        .create_thread_from_message(&http, msg.id, CreateThread::new("From message"))
        .await
        .expect("thread parses");
    assert_eq!(
        public.id.get(),
        msg.id.get(),
        "a thread from a message shares its id"
    );
    assert_eq!(public.kind, ChannelType::PublicThread);
    let private = channel
        .create_thread(
            &http,
            CreateThread::new("Private").kind(ChannelType::PrivateThread),
        )
        .await
        .expect("thread parses");
    assert_eq!(private.kind, ChannelType::PrivateThread);
    assert_eq!(
        private.parent_id.map(|p| p.get()),
        Some(fixtures::CHANNEL_ID)
    );
    assert_eq!(private.owner_id.map(|o| o.get()), Some(fixtures::BOT_ID));
    private
        .id
        .add_thread_member(&http, UserId::new(fixtures::USER_ID))
        .await
        .expect("add member");
    let archived = private
        .id
        .edit_thread(&http, EditThread::new().archived(true).locked(true))
        .await
        .expect("edit thread parses");
    assert!(archived.thread_metadata.unwrap().archived);
    assert!(fake.channel(private.id.get()).unwrap().archived);
    private
        .id
        .remove_thread_member(&http, UserId::new(fixtures::USER_ID))
        .await
        .expect("remove member");
    channel.delete_message(&http, msg.id).await.expect("delete");
    assert!(fake.message(msg.id.get()).is_none());
    let dm = UserId::new(fixtures::USER_ID)
        .create_dm_channel(&http)
        .await
        .expect("dm parses");
    dm.id
        .send_message(
            &http,
            CreateMessage::new().content("hi").allowed_mentions(quiet()),
        )
        .await
        .expect("dm message");
    channel.broadcast_typing(&http).await.expect("typing");

    fake.assert_no_violations();
}

#[tokio::test]
async fn invalid_bodies_get_discords_400_and_are_recorded() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake, fake.token());
    let channel = ChannelId::new(fixtures::CHANNEL_ID);

    // serenity itself refuses content over 2000 chars before sending, but not a long title.
    let err = channel
        .send_message(
            &http,
            CreateMessage::new()
                .embed(CreateEmbed::new().title("x".repeat(257)))
                .allowed_mentions(quiet()),
        )
        .await
        .expect_err("too long");
    let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(resp)) = err else {
        panic!("{err:?}")
    };
    assert_eq!(resp.status_code.as_u16(), 400);
    assert_eq!(resp.error.code, 50035);
    assert_eq!(resp.error.errors[0].path, "embeds.0.title");
    assert_eq!(resp.error.errors[0].code, "BASE_TYPE_MAX_LENGTH");

    let err = channel
        .send_message(&http, CreateMessage::new().allowed_mentions(quiet()))
        .await
        .expect_err("empty");
    let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(resp)) = err else {
        panic!("{err:?}")
    };
    assert_eq!(resp.error.code, 50006);

    // Policy problems are answered normally but recorded.
    channel
        .send_message(&http, CreateMessage::new().content("ping!"))
        .await
        .expect("Discord accepts it");
    let v = fake.violations();
    assert_eq!(v.len(), 3, "{v:#?}");
    assert!(
        v[0].contains("POST /channels/{channel_id}/messages")
            && v[0].contains("body.embeds[0].title"),
        "{v:#?}"
    );
    assert!(v[1].contains("empty message"), "{v:#?}");
    assert!(
        v[2].contains("body.allowed_mentions") && v[2].contains("missing"),
        "{v:#?}"
    );
}

/// A minimal HTTP/1.1 client, for requests serenity would never build.
async fn raw(fake: &FakeDiscord, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(fake.addr()).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bot {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        fake.addr(),
        fake.token(),
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    let status = text[9..12].parse().unwrap();
    let payload = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}

#[tokio::test]
async fn unknown_routes_and_protocol_mistakes_are_violations() {
    init_tracing();
    let fake = FakeDiscord::builder()
        .interaction_deadline(Some(Duration::from_millis(500)))
        .start()
        .await;
    let (status, body) = raw(&fake, "GET", "/api/v10/definitely/not/discord", None).await;
    assert_eq!((status, body["code"].clone()), (404, json!(0)));
    let (status, _) = raw(&fake, "GET", "/api/v10/guilds/1/audit-logs", None).await;
    assert_eq!(status, 404, "real route, not implemented");
    let (status, _) = raw(
        &fake,
        "POST",
        "/api/v10/interactions/1/tok/callback",
        Some(json!({"type": 4, "data": {"content": "x", "allowed_mentions": {"parse": []}}})),
    )
    .await;
    assert_eq!(status, 404, "never dispatched");

    // Dispatching needs a connected session; the bot ignores commands it does not know, so
    // the test answers them itself to exercise the protocol checks.
    let mut bot = start_bot(&fake, GatewayIntents::GUILDS).await;
    fake.wait_ready(WAIT).await;
    tokio::time::timeout(WAIT, bot.ready.recv()).await.unwrap();
    let cmd = fixtures::slash_command("nobody-answers");
    fake.send(&cmd).await;
    let path = format!(
        "/api/v10/interactions/{}/{}/callback",
        cmd.interaction_id(),
        cmd.interaction_token()
    );
    let ok = json!({"type": 4, "data": {"content": "x", "allowed_mentions": {"parse": []}}});
    assert_eq!(raw(&fake, "POST", &path, Some(ok.clone())).await.0, 204);
    let (second, body) = raw(&fake, "POST", &path, Some(ok.clone())).await;
    assert_eq!((second, body["code"].clone()), (400, json!(40060)));
    let wrong_type = fixtures::slash_command("nobody-answers");
    fake.send(&wrong_type).await;
    let path = format!(
        "/api/v10/interactions/{}/{}/callback",
        wrong_type.interaction_id(),
        wrong_type.interaction_token()
    );
    assert_eq!(
        raw(
            &fake,
            "POST",
            &path,
            Some(json!({"type": 8, "data": {"choices": []}}))
        )
        .await
        .0,
        400
    );
    let late = fixtures::slash_command("nobody-answers");
    fake.send(&late).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let path = format!(
        "/api/v10/interactions/{}/{}/callback",
        late.interaction_id(),
        late.interaction_token()
    );
    let (status, body) = raw(&fake, "POST", &path, Some(ok)).await;
    assert_eq!((status, body["code"].clone()), (404, json!(10062)));
    let followup = format!(
        "/api/v10/webhooks/{}/{}",
        fake.application_id(),
        late.interaction_token()
    );
    assert_eq!(
        raw(
            &fake,
            "POST",
            &followup,
            Some(json!({"content": "x", "allowed_mentions": {"parse": []}}))
        )
        .await
        .0,
        404
    );
    bot.client_task.abort();

    let v = fake.violations();
    assert!(
        v.iter().any(|x| x.contains("is not a Discord API route")),
        "{v:#?}"
    );
    assert!(v.iter().any(|x| x.contains("does not implement")), "{v:#?}");
    assert!(v.iter().any(|x| x.contains("never dispatched")), "{v:#?}");
    assert!(v.iter().any(|x| x.contains("answered twice")), "{v:#?}");
    assert!(
        v.iter().any(|x| x.contains("callback type 8 is not valid")),
        "{v:#?}"
    );
    assert!(
        v.iter()
            .any(|x| x.contains("after dispatch; Discord allows")),
        "{v:#?}"
    );
    assert!(
        v.iter().any(|x| x.contains("before it was acknowledged")),
        "{v:#?}"
    );
}

#[tokio::test]
async fn fault_injection_and_holds() {
    init_tracing();
    let fake = Arc::new(FakeDiscord::start().await);
    let http = Arc::new(http_for(&fake, fake.token()));
    let channel = ChannelId::new(fixtures::CHANNEL_ID);
    let send = |http: Arc<Http>| async move {
        channel
            .send_message(
                &*http,
                CreateMessage::new().content("x").allowed_mentions(quiet()),
            )
            .await
    };

    fake.fail_next(routes::CREATE_MESSAGE, 403, 1);
    let err = send(http.clone()).await.expect_err("403");
    let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(resp)) = err else {
        panic!()
    };
    assert_eq!((resp.status_code.as_u16(), resp.error.code), (403, 50013));

    fake.fail_next(
        format!("POST /channels/{}/messages", fixtures::CHANNEL_ID),
        429,
        2,
    );
    for _ in 0..2 {
        let err = send(http.clone()).await.expect_err("429");
        let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(resp)) = err
        else {
            panic!()
        };
        assert_eq!(resp.status_code.as_u16(), 429);
        assert_eq!(resp.error.message, "You are being rate limited.");
    }
    let (status, body) = {
        fake.fail_next("*", 429, 1);
        raw(&fake, "GET", "/api/v10/users/@me", None).await
    };
    assert_eq!((status, body["global"].clone()), (429, json!(false)));
    assert!(body["retry_after"].as_f64().unwrap() > 0.0);
    fake.fail_next_with_retry_after("*", Duration::from_millis(300), 1);
    let (status, body) = raw(&fake, "GET", "/api/v10/users/@me", None).await;
    assert_eq!((status, body["retry_after"].as_f64()), (429, Some(0.3)));
    fake.fail_next_global_rate_limit("*", Duration::from_millis(300));
    let (status, body) = raw(&fake, "GET", "/api/v10/users/@me", None).await;
    assert_eq!((status, body["global"].clone()), (429, json!(true)));

    fake.fail_next(routes::CREATE_MESSAGE, 500, 1);
    let err = send(http.clone()).await.expect_err("500");
    assert_eq!(status_of(&err), Some(500), "{err:?}");
    fake.fail_next(routes::CREATE_MESSAGE, 404, 1);
    let err = send(http.clone()).await.expect_err("404");
    let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(resp)) = err else {
        panic!()
    };
    assert_eq!(resp.error.code, 10003);
    send(http.clone()).await.expect("faults are used up");

    fake.hold(routes::CREATE_MESSAGE);
    let pending = tokio::spawn(send(http.clone()));
    let held = fake
        .wait_for(|r| r.is(routes::CREATE_MESSAGE) && r.status.is_none(), WAIT)
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!pending.is_finished(), "held request must not be answered");
    fake.release();
    pending.await.unwrap().expect("released request succeeds");
    let done = fake.requests()[held.index].clone();
    assert_eq!(done.status, Some(200));
    fake.assert_no_violations();
}

#[tokio::test]
#[should_panic(expected = "no request to POST /channels/{channel_id}/messages")]
async fn wait_for_timeout_panics_with_a_listing() {
    let fake = FakeDiscord::start().await;
    let _ = raw(&fake, "GET", "/api/v10/users/@me", None).await;
    fake.wait_for_route(routes::CREATE_MESSAGE, Duration::from_millis(100))
        .await;
}

#[tokio::test]
async fn fixtures_dispatched_to_a_bot_reach_its_handlers() {
    init_tracing();
    // A user message without MESSAGE_CONTENT arrives blanked, as on Discord.
    struct Seen(mpsc::UnboundedSender<String>);
    #[async_trait]
    impl EventHandler for Seen {
        async fn message(&self, _ctx: Context, msg: serenity::model::channel::Message) {
            let _ = self.0.send(format!(
                "message:{}:{}",
                msg.guild_id.is_some(),
                msg.content
            ));
        }
        async fn interaction_create(&self, _ctx: Context, i: Interaction) {
            let kind = match i {
                Interaction::Command(_) => "command",
                Interaction::Autocomplete(_) => "autocomplete",
                Interaction::Component(_) => "component",
                Interaction::Modal(_) => "modal",
                _ => "other",
            };
            let _ = self.0.send(kind.to_string());
        }
        async fn thread_delete(
            &self,
            _ctx: Context,
            t: serenity::all::PartialGuildChannel,
            _full: Option<serenity::all::GuildChannel>,
        ) {
            let _ = self.0.send(format!("thread_delete:{}", t.id));
        }
        async fn guild_member_removal(
            &self,
            _ctx: Context,
            _g: GuildId,
            user: serenity::all::User,
            _m: Option<serenity::all::Member>,
        ) {
            let _ = self.0.send(format!("member_removed:{}", user.id));
        }
        async fn guild_create(&self, _ctx: Context, g: serenity::all::Guild, _new: Option<bool>) {
            let _ = self.0.send(format!("guild:{}", g.id));
        }
    }
    let fake = FakeDiscord::start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let http = http_for(&fake, fake.token());
    let intents =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::GUILD_MEMBERS;
    let mut client = ClientBuilder::new_with_http(http, intents)
        .event_handler(Seen(tx))
        .await
        .unwrap();
    let task = tokio::spawn(async move { client.start().await });
    fake.wait_ready(WAIT).await;
    async fn next(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
        tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("handler ran")
            .unwrap()
    }
    assert_eq!(next(&mut rx).await, format!("guild:{}", fixtures::GUILD_ID));

    fake.send(&fixtures::message_create("secret answer").in_thread(77))
        .await;
    assert_eq!(
        next(&mut rx).await,
        "message:true:",
        "content blanked without MESSAGE_CONTENT"
    );
    fake.send(&fixtures::message_create("hey bot").mention(fake.bot().clone()))
        .await;
    assert_eq!(next(&mut rx).await, "message:true:hey bot");
    fake.send(&fixtures::autocomplete("practice", "role", "ba"))
        .await;
    assert_eq!(next(&mut rx).await, "autocomplete");
    fake.send(&fixtures::button("next")).await;
    assert_eq!(next(&mut rx).await, "component");
    fake.send(&fixtures::modal_submit("answer").field("text", "hello"))
        .await;
    assert_eq!(next(&mut rx).await, "modal");
    fake.send(
        &fixtures::slash_command("x")
            .dm(55)
            .option(opt::boolean("b", true)),
    )
    .await;
    assert_eq!(next(&mut rx).await, "command");
    fake.send(&fixtures::thread_delete(77, fixtures::CHANNEL_ID))
        .await;
    assert_eq!(next(&mut rx).await, "thread_delete:77");
    fake.send(&fixtures::guild_member_remove(User::alice()))
        .await;
    assert_eq!(
        next(&mut rx).await,
        format!("member_removed:{}", fixtures::USER_ID)
    );
    task.abort();
}

/// A smoke check that the fake keeps up with a burst: many concurrent posts, all validated,
/// all answered, all in the transcript, in order of their ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_of_concurrent_posts_is_handled() {
    let fake = FakeDiscord::builder().echo_bot_events(false).start().await;
    let http = Arc::new(http_for(&fake, fake.token()));
    let started = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..16 {
        let http = http.clone();
        tasks.spawn(async move {
            for i in 0..25 {
                let msg = CreateMessage::new()
                    .content(format!("worker {worker} message {i}"))
                    .embed(
                        CreateEmbed::new()
                            .title("Question")
                            .description("d".repeat(500)),
                    )
                    .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
                        format!("b{i}"),
                    )
                    .label("Next")])])
                    .allowed_mentions(quiet());
                ChannelId::new(fixtures::CHANNEL_ID)
                    .send_message(&*http, msg)
                    .await
                    .expect("post");
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    let elapsed = started.elapsed();
    eprintln!("400 validated posts in {elapsed:?}");
    assert_eq!(fake.messages(fixtures::CHANNEL_ID).len(), 400);
    assert_eq!(fake.requests().len(), 400);
    fake.assert_no_violations();
}

#[tokio::test]
async fn an_enforced_nonce_returns_the_first_message_instead_of_posting_again() {
    use serenity::all::Nonce;
    let fake = FakeDiscord::builder().echo_bot_events(false).start().await;
    let http = http_for(&fake, fake.token());
    let post = |text: &str, nonce: &str, enforce: bool| {
        CreateMessage::new()
            .content(text)
            .nonce(Nonce::String(nonce.into()))
            .enforce_nonce(enforce)
            .allowed_mentions(quiet())
    };
    let channel = ChannelId::new(fixtures::CHANNEL_ID);
    let first = channel
        .send_message(&http, post("once", "n1", true))
        .await
        .unwrap();
    let again = channel
        .send_message(&http, post("once", "n1", true))
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    // Without enforce_nonce, Discord posts a second message.
    channel
        .send_message(&http, post("twice", "n2", false))
        .await
        .unwrap();
    channel
        .send_message(&http, post("twice", "n2", false))
        .await
        .unwrap();
    assert_eq!(fake.messages(fixtures::CHANNEL_ID).len(), 3);
    fake.assert_no_violations();
}
