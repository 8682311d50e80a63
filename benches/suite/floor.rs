//! The floor: the least a serenity bot can do for the same traffic. It answers every slash
//! command with a fixed string in the interaction callback and every member's message with
//! a fixed-string post in the same channel. Same serenity features, HTTP set-up, intents and
//! runtime as the real bot, so the difference between the two is the bot's own work.
//!
//! It runs as a process of its own: the benchmark starts its own executable again with
//! [`ENV`] set, and `main` hands over to [`run_if_requested`]. The same process is the
//! same-work floor ([`super::work_floor`]) when started with that module's variable.

use serenity::all::{
    ClientBuilder, Context, CreateAllowedMentions, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, EventHandler, GatewayIntents, HttpBuilder,
    Interaction, Message, Ready,
};

use super::work_floor::WorkFloor;

/// Set in the environment of a process that should be the floor bot.
pub const ENV: &str = "IC_BENCH_FLOOR";
/// Printed once connected.
pub const READY_LINE: &str = "floor bot ready";
/// Everything the floor says.
pub const REPLY: &str = "Noted, thank you.";

/// The plain floor, or with `work` the same-work floor.
struct Floor {
    work: Option<WorkFloor>,
}

#[serenity::async_trait]
impl EventHandler for Floor {
    async fn ready(&self, _ctx: Context, _ready: Ready) {
        println!("{READY_LINE}");
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Command(cmd) = interaction {
            if let Some(work) = &self.work {
                return work.answer(&ctx, &cmd).await;
            }
            let reply = CreateInteractionResponseMessage::new()
                .content(REPLY)
                .allowed_mentions(CreateAllowedMentions::new());
            if let Err(e) = cmd
                .create_response(&ctx.http, CreateInteractionResponse::Message(reply))
                .await
            {
                eprintln!("floor: cannot answer an interaction: {e}");
            }
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.author.bot || msg.guild_id.is_none() {
            return;
        }
        if let Some(work) = &self.work {
            return work.reply(&ctx, &msg).await;
        }
        let reply = CreateMessage::new()
            .content(REPLY)
            .allowed_mentions(CreateAllowedMentions::new());
        if let Err(e) = msg.channel_id.send_message(&ctx.http, reply).await {
            eprintln!("floor: cannot post: {e}");
        }
    }
}

/// If this process was started as a floor bot (this plain one, or the same-work floor of
/// [`super::work_floor`]), runs it until killed and returns true.
pub fn run_if_requested() -> bool {
    let work = std::env::var_os(super::work_floor::ENV);
    if std::env::var_os(ENV).is_none() && work.is_none() {
        return false;
    }
    let token = std::env::var("DISCORD_TOKEN").unwrap_or_default();
    let base = std::env::var("DISCORD_API_BASE").unwrap_or_default();
    // The same runtime the bot builds in `interview-coach run`.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("floor: cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(async move {
        let handler = match work {
            None => Floor { work: None },
            Some(spec) => match WorkFloor::start(spec.as_ref()).await {
                Ok(work) => Floor { work: Some(work) },
                Err(e) => {
                    eprintln!("same-work floor: {e}");
                    std::process::exit(1);
                }
            },
        };
        let http = HttpBuilder::new(&token)
            .proxy(base.as_str())
            .ratelimiter_disabled(true)
            .build();
        // The bot's intents: it receives the same events, the echoes of its posts included.
        let intents = GatewayIntents::GUILDS
            | GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT;
        match ClientBuilder::new_with_http(http, intents)
            .event_handler(handler)
            .await
        {
            Ok(mut client) => {
                if let Err(e) = client.start().await {
                    eprintln!("floor: {e}");
                }
            }
            Err(e) => eprintln!("floor: cannot build the client: {e}"),
        }
    });
    std::process::exit(1);
}
