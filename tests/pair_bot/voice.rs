//! `/pair setup voice:true`: each pair gets a voice channel only its two members (and the
//! bot) can see, deleted when the pair ends; a 403 on making it names what the bot lacks.

use fake_discord::fixtures::{self, opt, perms};
use fake_discord::routes;
use serde_json::Value;

use crate::support::{content, Harness, WAIT};
use crate::{alice, announcement, assert_clean, console, matched_pair, round_one};

/// A moderator runs `/pair setup channel:<default channel> voice:true`.
async fn setup_voice(h: &Harness) {
    let cmd = fixtures::slash_command("pair")
        .subcommand(
            "setup",
            vec![
                opt::channel("channel", fixtures::CHANNEL_ID),
                opt::boolean("voice", true),
            ],
        )
        .permissions(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD)
        .app_permissions(perms::DEFAULT_BOT | perms::MANAGE_CHANNELS | perms::CONNECT);
    h.interact(&cmd, cmd.interaction_id()).await;
    let saved = h.followup(cmd.interaction_token()).await;
    assert!(
        content(&saved).contains("voice channel only"),
        "{}",
        saved.body
    );
}

/// Who an overwrite lets see the channel, and who it hides it from.
fn sees(overwrites: &[Value]) -> (Vec<u64>, Vec<u64>) {
    let view = 1u64 << 10;
    let bits = |o: &Value, k: &str| o[k].as_str().unwrap().parse::<u64>().unwrap();
    let id = |o: &Value| o["id"].as_str().unwrap().parse::<u64>().unwrap();
    let mut allowed: Vec<u64> = overwrites
        .iter()
        .filter(|o| o["type"] == 1 && bits(o, "allow") & view != 0)
        .map(id)
        .collect();
    allowed.sort();
    let denied = overwrites
        .iter()
        .filter(|o| bits(o, "deny") & view != 0)
        .map(id)
        .collect();
    (allowed, denied)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voice_channel_only_the_two_see_goes_when_the_pair_ends() {
    let h = Harness::start().await;
    setup_voice(&h).await;
    let (_, thread, pair) = matched_pair(&h).await;
    let announced = announcement(&h).await;
    let made = h
        .fake
        .wait_for(|r| r.route == routes::CREATE_GUILD_CHANNEL, WAIT)
        .await;
    assert_eq!(made.body["type"], 2, "{}", made.body);
    let voice = h.fake.voice_channels().pop().expect("a voice channel");
    let (allowed, denied) = sees(&voice.permission_overwrites);
    assert_eq!(allowed, [fixtures::BOT_ID, 4000, 4100], "{voice:?}");
    assert_eq!(denied, [fixtures::GUILD_ID], "@everyone: {voice:?}");
    let (round_console, _) = round_one(&h, thread).await;
    assert!(content(&round_console).contains(&format!("<#{}>", voice.id)));

    console(&h, thread, &format!("ic:pair:end:{pair}"), alice()).await;
    let id = voice.id;
    h.fake
        .wait_for(
            move |r| {
                r.route == routes::DELETE_CHANNEL
                    && r.param_id("channel_id") == Some(id)
                    && r.status.is_some()
            },
            WAIT,
        )
        .await;
    assert!(h.fake.channel(id).is_none());
    assert_clean(&h, &announced);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_voice_channel_names_the_missing_permissions() {
    let h = Harness::start().await;
    setup_voice(&h).await;
    h.fake.fail_next(routes::CREATE_GUILD_CHANNEL, 403, 1);
    let (_, thread, _) = matched_pair(&h).await;
    let announced = announcement(&h).await;
    let (round_console, _) = round_one(&h, thread).await;
    let text = content(&round_console);
    for name in ["Manage Channels", "View Channel", "Connect"] {
        assert!(text.contains(name), "{name} in {text}");
    }
    assert_clean(&h, &announced);
}
