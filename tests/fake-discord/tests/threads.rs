//! A day's post with a thread for answers, as the question of the day uses it: a thread
//! started from a channel message, a user's answer in it, and components on the post.

mod support;

use fake_discord::fixtures::{self, CHANNEL_ID, GUILD_ID};
use fake_discord::{routes, FakeDiscord};
use serenity::all::{
    ChannelId, ChannelType, ComponentInteractionDataKind, CreateActionRow, CreateButton,
    CreateInteractionResponse, CreateMessage, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption, CreateThread, EditThread, GatewayIntents, MessageFlags,
};
use serenity::async_trait;
use serenity::client::{Context, EventHandler};
use serenity::model::application::Interaction;
use tokio::sync::mpsc;

use support::{http_for, init_tracing, next, quiet, start_client, WAIT};

/// Reports what reached the bot and acknowledges every component and modal (type 6).
struct Daily(mpsc::UnboundedSender<String>);

#[async_trait]
impl EventHandler for Daily {
    async fn message(&self, _ctx: Context, msg: serenity::model::channel::Message) {
        let _ = self.0.send(format!(
            "message in {} (guild {:?}): {}",
            msg.channel_id,
            msg.guild_id.map(|g| g.get()),
            msg.content
        ));
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let seen = match &interaction {
            Interaction::Component(c) => {
                let what = match &c.data.kind {
                    ComponentInteractionDataKind::Button => "button".to_string(),
                    ComponentInteractionDataKind::StringSelect { values } => {
                        format!("select {values:?}")
                    }
                    other => format!("{other:?}"),
                };
                c.create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
                    .await
                    .expect("acknowledged");
                format!(
                    "{what} {} on {} in {}",
                    c.data.custom_id, c.message.id, c.channel_id
                )
            }
            Interaction::Modal(m) => {
                m.create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
                    .await
                    .expect("acknowledged");
                let on = m.message.as_ref().map(|x| x.id.get());
                format!("modal {} on {on:?}", m.data.custom_id)
            }
            _ => return,
        };
        let _ = self.0.send(seen);
    }
}

#[tokio::test]
async fn a_post_its_thread_an_answer_and_its_components() {
    init_tracing();
    let fake = FakeDiscord::builder().echo_bot_events(false).start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let intents =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let task = start_client(&fake, intents, Daily(tx)).await;
    let http = http_for(&fake);
    let channel = ChannelId::new(CHANNEL_ID);

    let select = CreateSelectMenu::new(
        "level",
        CreateSelectMenuKind::String {
            options: vec![
                CreateSelectMenuOption::new("Junior", "junior"),
                CreateSelectMenuOption::new("Senior", "senior"),
            ],
        },
    );
    let post = channel
        .send_message(
            &http,
            CreateMessage::new()
                .content("Question of the day")
                .components(vec![
                    CreateActionRow::Buttons(vec![
                        CreateButton::new("my-feedback").label("My feedback")
                    ]),
                    CreateActionRow::SelectMenu(select),
                ])
                .allowed_mentions(quiet()),
        )
        .await
        .unwrap();

    // A thread from the post shares its id, and the post now shows it.
    let thread = channel
        .create_thread_from_message(&http, post.id, CreateThread::new("Answers"))
        .await
        .expect("thread");
    assert_eq!(
        (thread.id.get(), thread.kind),
        (post.id.get(), ChannelType::PublicThread)
    );
    let shown = channel.message(&http, post.id).await.unwrap();
    assert_eq!(shown.thread.as_ref().map(|t| t.id), Some(thread.id));
    assert!(shown.flags.unwrap().contains(MessageFlags::HAS_THREAD));
    let again = channel
        .create_thread_from_message(&http, post.id, CreateThread::new("Again"))
        .await
        .unwrap_err();
    let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(resp)) = again else {
        panic!("{again:?}")
    };
    assert_eq!((resp.status_code.as_u16(), resp.error.code), (400, 160004));

    // A member answers in the thread.
    fake.send(&fixtures::message_create("I would use a queue").in_thread(thread.id.get()))
        .await;
    assert_eq!(
        next(&mut rx).await,
        format!(
            "message in {} (guild Some({GUILD_ID})): I would use a queue",
            thread.id
        )
    );
    let answers = fake.messages(thread.id.get());
    assert_eq!(answers.len(), 1);
    assert!(!answers[0].from_bot);

    // Components on the post in the channel (not a thread).
    let stored = fake.message(post.id.get()).expect("the post");
    fake.send(&fixtures::button("my-feedback").on_message(&stored))
        .await;
    assert_eq!(
        next(&mut rx).await,
        format!("button my-feedback on {} in {CHANNEL_ID}", post.id)
    );
    fake.send(&fixtures::string_select("level", ["senior"]).on_message(&stored))
        .await;
    assert_eq!(
        next(&mut rx).await,
        format!("select [\"senior\"] level on {} in {CHANNEL_ID}", post.id)
    );
    fake.send(
        &fixtures::modal_submit("answer-form")
            .field("answer", "My answer")
            .on_message(&stored),
    )
    .await;
    assert_eq!(
        next(&mut rx).await,
        format!("modal answer-form on Some({})", post.id)
    );
    let acks = fake
        .wait_for(
            |r| r.is(routes::INTERACTION_CALLBACK) && r.index > 0 && r.status.is_some(),
            WAIT,
        )
        .await;
    assert_eq!(acks.status, Some(204));

    // The post's `thread` follows the thread, and goes when the thread does.
    thread
        .id
        .edit_thread(&http, EditThread::new().archived(true))
        .await
        .unwrap();
    let post_json = fake.message(post.id.get()).unwrap().json;
    assert_eq!(post_json["thread"]["thread_metadata"]["archived"], true);
    thread.id.delete(&http).await.unwrap();
    let after = channel.message(&http, post.id).await.unwrap();
    assert!(after.thread.is_none());
    assert!(!after.flags.unwrap().contains(MessageFlags::HAS_THREAD));
    fake.assert_no_violations();
    task.abort();
}
