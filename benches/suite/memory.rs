//! Seeding a database with open interviews, as the bot itself would have stored them.

use std::path::Path;

use fake_discord::fixtures;
use interview_coach::coach::engine::{self, Interview};
use interview_coach::coach::select::Picker;
use interview_coach::guide::GuideLibrary;
use interview_coach::messages;
use interview_coach::session::post::{prompt_post, Medium, Post};
use interview_coach::store::{Created, NewInterview, OutgoingMessage, Store};

use super::guides::shipped;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Stores `n` open interviews (two questions, two follow-ups each, as the default config
/// plans them), each with its intro and first question queued and marked posted, through
/// the store's own API. Activity is "now", so the bot's idle sweep leaves them open.
pub async fn seed(db: &Path, n: usize) -> Result<(), String> {
    let lib = GuideLibrary::load(shipped())
        .map_err(|e| format!("the shipped guides do not load:\n{e}"))?;
    let roles = lib.roles();
    let store = Store::open(db)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    let picker = Picker::seeded(7);
    let now = now();
    let encode =
        |post: &Post| serde_json::to_string(post).map_err(|e| format!("cannot encode a post: {e}"));
    for i in 0..n {
        let role = &roles[i % roles.len()];
        let plan = picker.plan(role, 2, None, None);
        let (interview, first) = Interview::start(role, &plan, 2);
        let thread_id = 9_000_000_000 + i as u64;
        let intro = Post::text(messages::mock_intro(&role.name, plan.len(), 2, true));
        let outgoing = [
            OutgoingMessage {
                channel_id: thread_id,
                payload_json: encode(&intro)?,
            },
            OutgoingMessage {
                channel_id: thread_id,
                payload_json: encode(&prompt_post(&first, Medium::Thread))?,
            },
        ];
        let new = NewInterview {
            guild_id: fixtures::GUILD_ID,
            thread_id,
            user_id: 10_000_000 + i as u64,
            role_id: role.id.clone(),
            role_name: role.name.clone(),
            state_json: serde_json::to_string(&interview)
                .map_err(|e| format!("cannot encode an interview: {e}"))?,
            format_version: engine::FORMAT_VERSION,
        };
        let created = store
            .create_interview(&new, &outgoing, now)
            .await
            .map_err(|e| format!("cannot store interview {i}: {e}"))?;
        let Created::New { outbox, .. } = created else {
            return Err(format!("interview {i} clashed with an open one"));
        };
        for (k, item) in outbox.into_iter().enumerate() {
            store
                .mark_posted(item, thread_id * 10 + k as u64, now)
                .await
                .map_err(|e| format!("cannot mark a post of interview {i}: {e}"))?;
        }
    }
    store.close().await;
    Ok(())
}
