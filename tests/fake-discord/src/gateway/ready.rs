//! The READY dispatch a new session starts with.

use serde_json::{json, Value};

use crate::fixtures::intents;
use crate::{Guild, Shared};

/// READY for a session serving `shard`, listing (as unavailable, like Discord) the guilds
/// of that shard: the ones whose GUILD_CREATE follows.
pub(super) fn payload(
    shared: &Shared,
    session_id: &str,
    shard: [u64; 2],
    guilds: &[&Guild],
) -> Value {
    let cfg = &shared.cfg;
    let mut app_flags = 0u64;
    // GATEWAY_PRESENCE, GATEWAY_GUILD_MEMBERS, GATEWAY_MESSAGE_CONTENT (the "enabled in the
    // developer portal" flags) mirror which privileged intents are allowed.
    if cfg.allowed_privileged_intents & intents::GUILD_PRESENCES != 0 {
        app_flags |= 1 << 12;
    }
    if cfg.allowed_privileged_intents & intents::GUILD_MEMBERS != 0 {
        app_flags |= 1 << 14;
    }
    if cfg.allowed_privileged_intents & intents::MESSAGE_CONTENT != 0 {
        app_flags |= 1 << 18;
    }
    let mut user = cfg.bot.to_json();
    user["verified"] = json!(true);
    user["mfa_enabled"] = json!(false);
    user["email"] = Value::Null;
    json!({
        "v": 10,
        "user": user,
        "guilds": guilds.iter().map(|g| json!({"id": g.id.to_string(), "unavailable": true})).collect::<Vec<_>>(),
        "session_id": session_id,
        "resume_gateway_url": shared.gateway_url(),
        "shard": shard,
        "application": {"id": cfg.application_id.to_string(), "flags": app_flags},
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "user_settings": {},
        "session_type": "normal",
        "geo_ordered_rtc_regions": ["fake"],
    })
}
