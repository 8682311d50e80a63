//! Files: serenity uploads them as multipart bodies; the fake keeps every part on the
//! recorded request, puts Discord-shaped attachments on the message and serves the bytes.

mod support;

use fake_discord::fixtures::{self, CHANNEL_ID};
use fake_discord::{routes, FakeDiscord};
use serde_json::json;
use serenity::all::{
    ChannelId, CreateAttachment, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, CreateMessage, EditAttachments, EditInteractionResponse,
    EditMessage, GatewayIntents,
};
use serenity::async_trait;
use serenity::client::{Context, EventHandler};
use serenity::model::application::Interaction;
use serenity::model::channel::Attachment;
use tokio::sync::mpsc;

use support::{
    http_for, init_tracing, next, post, quiet, raw_request, start_client, tiny_png, WAIT,
};

/// Answers /progress with an ephemeral reply carrying a chart, and /progress-later with a
/// deferred reply edited to carry one plus a follow-up carrying another.
struct Charts(mpsc::UnboundedSender<serenity::model::channel::Message>);

#[async_trait]
impl EventHandler for Charts {
    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Interaction::Command(cmd) = interaction else {
            return;
        };
        let chart = CreateAttachment::bytes(tiny_png(3, 2), "progress.png");
        match cmd.data.name.as_str() {
            "progress" => {
                let msg = CreateInteractionResponseMessage::new()
                    .content("Your answers over time")
                    .ephemeral(true)
                    .add_file(chart)
                    .allowed_mentions(quiet());
                cmd.create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                    .await
                    .expect("reply with a file");
            }
            _ => {
                cmd.defer_ephemeral(&ctx.http).await.unwrap();
                let edited = cmd
                    .edit_response(
                        &ctx.http,
                        EditInteractionResponse::new()
                            .content("Your answers over time")
                            .new_attachment(chart)
                            .allowed_mentions(quiet()),
                    )
                    .await
                    .expect("edit with a file");
                let _ = self.0.send(edited);
                let followup = cmd
                    .create_followup(
                        &ctx.http,
                        CreateInteractionResponseFollowup::new()
                            .add_file(CreateAttachment::bytes(tiny_png(1, 1), "dot.png"))
                            .allowed_mentions(quiet()),
                    )
                    .await
                    .expect("follow-up with a file");
                let _ = self.0.send(followup);
            }
        }
    }
}

/// What a client gets by following an attachment's `url`.
async fn download(json: &serde_json::Value) -> Vec<u8> {
    let a: Attachment = serde_json::from_value(json.clone()).expect("serenity reads it");
    a.download().await.expect("the url serves the file")
}

#[tokio::test]
async fn a_file_in_an_interaction_response_is_kept_and_served() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let (tx, _rx) = mpsc::unbounded_channel();
    let task = start_client(&fake, GatewayIntents::GUILDS, Charts(tx)).await;
    let png = tiny_png(3, 2);

    fake.send(&fixtures::slash_command("progress")).await;
    let callback = fake
        .wait_for(
            |r| r.is(routes::INTERACTION_CALLBACK) && r.status.is_some(),
            WAIT,
        )
        .await;
    assert_eq!(callback.status, Some(204), "{}", fake.describe());
    assert_eq!(callback.body["data"]["attachments"][0]["id"], 0);
    assert_eq!(callback.files.len(), 1);
    let part = &callback.files[0];
    assert_eq!(part.name, "files[0]");
    assert_eq!(part.index(), Some(0));
    assert_eq!(part.filename.as_deref(), Some("progress.png"));
    assert_eq!(part.content_type.as_deref(), Some("image/png"));
    assert_eq!(&part.data[..], &png[..]);

    let reply = fake.messages(CHANNEL_ID).pop().expect("the reply");
    assert!(reply.is_ephemeral());
    let stored = fake.attachments(reply.id);
    assert_eq!(stored.len(), 1);
    let a = &stored[0];
    assert_eq!(&a.data[..], &png[..]);
    assert_eq!(
        (a.filename.as_str(), a.size, a.width, a.height),
        ("progress.png", png.len() as u64, Some(3), Some(2))
    );
    assert_eq!(a.content_type.as_deref(), Some("image/png"));
    assert!(a.ephemeral, "attachments of ephemeral messages say so");
    assert_eq!(
        a.url,
        format!(
            "{}/attachments/{CHANNEL_ID}/{}/progress.png",
            fake.base_url(),
            a.id
        )
    );
    assert_eq!(reply.json["attachments"][0], a.json);
    assert_eq!(fake.attachment(a.id).map(|x| x.message_id), Some(reply.id));
    assert_eq!(download(&a.json).await, png);

    // The URL names the channel and file; anything else is not there.
    let wrong = a.url.replace("progress.png", "other.png");
    let path = wrong.strip_prefix(&fake.base_url()).unwrap();
    let (status, _, _) = raw_request(&fake, "GET", path, "text/plain", b"").await;
    assert_eq!(status, 404);
    fake.assert_no_violations();
    task.abort();
}

#[tokio::test]
async fn a_deferred_reply_edited_with_a_file_and_a_follow_up_with_one() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = start_client(&fake, GatewayIntents::GUILDS, Charts(tx)).await;

    fake.send(&fixtures::slash_command("progress-later")).await;
    let edited = next(&mut rx).await;
    assert_eq!(edited.attachments.len(), 1);
    assert_eq!(edited.attachments[0].dimensions(), Some((3, 2)));
    assert!(edited.attachments[0].ephemeral);
    assert_eq!(
        edited.attachments[0].download().await.unwrap(),
        tiny_png(3, 2)
    );
    let followup = next(&mut rx).await;
    assert_eq!(followup.attachments[0].filename, "dot.png");
    assert!(!followup.attachments[0].ephemeral);
    assert_eq!(
        &fake.attachments(followup.id.get())[0].data[..],
        &tiny_png(1, 1)[..]
    );
    let edit = fake.requests_to(routes::EDIT_ORIGINAL);
    assert_eq!(edit[0].files[0].filename.as_deref(), Some("progress.png"));
    fake.assert_no_violations();
    task.abort();
}

#[tokio::test]
async fn channel_messages_keep_replace_and_drop_attachments_like_discord() {
    init_tracing();
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);
    let channel = ChannelId::new(CHANNEL_ID);
    let msg = post(
        &http,
        CreateMessage::new()
            .add_file(CreateAttachment::bytes(tiny_png(4, 4), "a.png"))
            .add_file(CreateAttachment::bytes(b"plain text".to_vec(), "notes.txt")),
    )
    .await;
    assert_eq!(msg.attachments.len(), 2);
    assert_eq!(
        msg.attachments[1].content_type.as_deref(),
        Some("text/plain")
    );
    assert_eq!(msg.attachments[1].dimensions(), None);
    assert_eq!(msg.attachments[1].download().await.unwrap(), b"plain text");

    // Keeping the first and adding a new one; then removing all.
    let kept = msg.attachments[0].id;
    let edited = channel
        .edit_message(
            &http,
            msg.id,
            EditMessage::new()
                .attachments(
                    EditAttachments::new()
                        .keep(kept)
                        .add(CreateAttachment::bytes(tiny_png(2, 2), "b.png")),
                )
                .allowed_mentions(quiet()),
        )
        .await
        .unwrap();
    let names: Vec<_> = edited
        .attachments
        .iter()
        .map(|a| (a.id, a.filename.as_str()))
        .collect();
    assert_eq!(names.len(), 2);
    assert_eq!(names[0], (kept, "a.png"));
    assert_eq!(names[1].1, "b.png");
    let cleared = channel
        .edit_message(
            &http,
            msg.id,
            EditMessage::new()
                .content("no files now")
                .attachments(EditAttachments::new())
                .allowed_mentions(quiet()),
        )
        .await
        .unwrap();
    assert!(cleared.attachments.is_empty());
    assert!(fake.attachments(msg.id.get()).is_empty());
    fake.assert_no_violations();
}

/// A multipart body with `payload_json` and the given file parts.
fn multipart(payload: serde_json::Value, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, data) in files {
        body.extend_from_slice(
            format!("--B\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(
        format!("--B\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n{payload}\r\n--B--\r\n").as_bytes(),
    );
    body
}

async fn post_files(fake: &FakeDiscord, body: Vec<u8>) -> (u16, serde_json::Value) {
    let (status, _, answer) = raw_request(
        fake,
        "POST",
        &format!("/api/v10/channels/{CHANNEL_ID}/messages"),
        "multipart/form-data; boundary=B",
        &body,
    )
    .await;
    (status, serde_json::from_slice(&answer).unwrap_or_default())
}

#[tokio::test]
async fn files_discord_would_refuse_are_refused_and_recorded() {
    init_tracing();
    let fake = FakeDiscord::builder()
        .attachment_size_limit(1000)
        .start()
        .await;
    let quiet_json = json!({"parse": []});

    // An attachments entry without its file part.
    let body = multipart(
        json!({"allowed_mentions": quiet_json, "attachments": [{"id": 0, "filename": "f.bin"}, {"id": 1, "filename": "g.bin"}]}),
        &[("files[0]", b"x")],
    );
    let (status, answer) = post_files(&fake, body).await;
    assert_eq!(status, 400);
    assert_eq!(answer["code"], 50035);
    assert_eq!(
        answer["errors"]["attachments"]["1"]["_errors"][0]["code"],
        "ATTACHMENT_NOT_FOUND"
    );

    // Eleven files.
    let parts: Vec<(String, Vec<u8>)> = (0..11).map(|i| (format!("files[{i}]"), vec![1])).collect();
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, d)| (n.as_str(), &d[..])).collect();
    let (status, answer) = post_files(
        &fake,
        multipart(json!({"allowed_mentions": quiet_json}), &refs),
    )
    .await;
    assert_eq!((status, answer["code"].as_u64()), (400, Some(50035)));

    // A file over the upload limit.
    let big = vec![0u8; 1001];
    let (status, answer) = post_files(
        &fake,
        multipart(
            json!({"allowed_mentions": quiet_json, "attachments": [{"id": 0}]}),
            &[("files[0]", &big)],
        ),
    )
    .await;
    assert_eq!((status, answer["code"].as_u64()), (413, Some(40005)));

    // A file part the payload does not list is dropped (and recorded).
    let (status, answer) = post_files(
        &fake,
        multipart(
            json!({"content": "one file", "allowed_mentions": quiet_json, "attachments": [{"id": 0}]}),
            &[("files[0]", b"kept"), ("files[1]", b"dropped")],
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["attachments"].as_array().map(Vec::len), Some(1));

    let v = fake.violations();
    assert_eq!(v.len(), 4, "{v:#?}");
    assert!(v[0].contains("ATTACHMENT_NOT_FOUND"), "{v:#?}");
    assert!(v[1].contains("11 files"), "{v:#?}");
    assert!(v[2].contains("upload limit"), "{v:#?}");
    assert!(
        v[3].contains("files[1]") && v[3].contains("not listed"),
        "{v:#?}"
    );
    let recorded = fake.requests_to(routes::CREATE_MESSAGE);
    assert_eq!(recorded[1].files.len(), 11, "every part is recorded");
}
