//! A small poise 0.7 bot against the fake: command registration, replies, autocomplete and
//! subcommands must pass validation, and poise's pinging defaults must be caught.

use std::time::Duration;

use fake_discord::fixtures::{self, opt, perms};
use fake_discord::{routes, FakeDiscord};
use poise::serenity_prelude as serenity;
use serde_json::json;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Ctx<'a> = poise::Context<'a, (), Error>;

const WAIT: Duration = Duration::from_secs(10);

async fn role_autocomplete(_ctx: Ctx<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let choices = ["backend", "frontend", "data"]
        .iter()
        .filter(|r| r.starts_with(partial));
    choices.fold(serenity::CreateAutocompleteResponse::new(), |resp, r| {
        resp.add_string_choice(*r, *r)
    })
}

/// Practice interviews.
#[poise::command(slash_command, subcommands("start"))]
async fn practice(_ctx: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a practice session.
#[poise::command(slash_command)]
async fn start(
    ctx: Ctx<'_>,
    #[description = "Role to practise for"]
    #[autocomplete = "role_autocomplete"]
    role: String,
    #[description = "How many questions"]
    #[min = 1]
    #[max = 20]
    questions: Option<u32>,
) -> Result<(), Error> {
    let text = format!(
        "Starting {role} practice with {} questions",
        questions.unwrap_or(5)
    );
    ctx.send(poise::CreateReply::default().content(text).ephemeral(true))
        .await?;
    Ok(())
}

/// Server settings (admins only).
#[poise::command(
    slash_command,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
async fn settings(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.say("settings").await?;
    Ok(())
}

async fn start_poise(
    fake: &FakeDiscord,
    quiet: bool,
) -> tokio::task::JoinHandle<Result<(), serenity::Error>> {
    let options = poise::FrameworkOptions {
        commands: vec![practice(), settings()],
        allowed_mentions: if quiet {
            Some(serenity::CreateAllowedMentions::new())
        } else {
            poise::FrameworkOptions::<(), Error>::default().allowed_mentions
        },
        ..Default::default()
    };
    let framework = poise::Framework::builder()
        .options(options)
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let http = serenity::HttpBuilder::new(fake.token())
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .unwrap();
    tokio::spawn(async move { client.start().await })
}

#[tokio::test]
async fn poise_bot_with_quiet_mentions_passes_validation() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    let fake = FakeDiscord::start().await;
    let bot = start_poise(&fake, true).await;
    fake.wait_ready(WAIT).await;
    let put = fake.wait_for_route(routes::PUT_GLOBAL_COMMANDS, WAIT).await;
    let _ = fake
        .wait_for(|r| r.index == put.index && r.status.is_some(), WAIT)
        .await;
    let names: Vec<_> = fake
        .commands()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["practice", "settings"]);
    assert_eq!(
        fake.commands()[1]["default_member_permissions"],
        json!("32")
    );
    // poise asks for the owners first (initialize_owners defaults to true).
    assert_eq!(fake.requests_to(routes::GET_CURRENT_APPLICATION).len(), 1);

    let ac = fixtures::autocomplete("practice", "role", "ba").subcommand("start");
    fake.send(&ac).await;
    let choices = fake
        .wait_for(
            |r| r.is(routes::INTERACTION_CALLBACK) && r.body["type"] == 8,
            WAIT,
        )
        .await;
    assert_eq!(
        choices.body["data"]["choices"],
        json!([{"name": "backend", "value": "backend"}])
    );

    let cmd = fixtures::slash_command("practice").subcommand(
        "start",
        vec![opt::string("role", "backend"), opt::integer("questions", 3)],
    );
    fake.send(&cmd).await;
    let reply = fake
        .wait_for(
            |r| {
                r.is(routes::INTERACTION_CALLBACK)
                    && r.param("interaction_token") == Some(cmd.interaction_token())
            },
            WAIT,
        )
        .await;
    assert_eq!(reply.body["type"], 4);
    assert_eq!(
        reply.body["data"]["content"],
        "Starting backend practice with 3 questions"
    );
    assert_eq!(reply.body["data"]["flags"], 64);

    let admin = fixtures::slash_command("settings")
        .permissions(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD);
    fake.send(&admin).await;
    let reply = fake
        .wait_for(
            |r| {
                r.is(routes::INTERACTION_CALLBACK)
                    && r.param("interaction_token") == Some(admin.interaction_token())
            },
            WAIT,
        )
        .await;
    assert_eq!(reply.body["data"]["content"], "settings");
    fake.assert_no_violations();
    bot.abort();
}

#[tokio::test]
async fn poise_default_allowed_mentions_are_a_policy_violation() {
    let fake = FakeDiscord::start().await;
    let bot = start_poise(&fake, false).await;
    fake.wait_ready(WAIT).await;
    fake.wait_for_route(routes::PUT_GLOBAL_COMMANDS, WAIT).await;
    let cmd = fixtures::slash_command("settings").permissions(perms::MANAGE_GUILD);
    fake.send(&cmd).await;
    let reply = fake
        .wait_for_route(routes::INTERACTION_CALLBACK, WAIT)
        .await;
    let answered = fake
        .wait_for(|r| r.index == reply.index && r.status.is_some(), WAIT)
        .await;
    assert_eq!(answered.status, Some(204), "Discord would accept it");
    let v = fake.violations();
    assert!(
        v.iter()
            .any(|x| x.contains("body.data.allowed_mentions.parse")),
        "{v:#?}"
    );
    assert!(
        v.iter()
            .any(|x| x.contains("body.data.allowed_mentions.replied_user")),
        "{v:#?}"
    );
    bot.abort();
}
