//! The fake's small world model: channels, threads, messages, interactions and commands,
//! plus the JSON shapes Discord uses for them.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::fixtures::{Guild, User};
use crate::reactions::ReactionState;
use crate::uploads::StoredFile;
use crate::util::{id_of, next_snowflake, now_timestamp};

/// Channel types used by the model (Discord's numbering).
pub mod channel_type {
    pub const GUILD_TEXT: u8 = 0;
    pub const DM: u8 = 1;
    pub const GUILD_VOICE: u8 = 2;
    pub const GUILD_ANNOUNCEMENT: u8 = 5;
    pub const ANNOUNCEMENT_THREAD: u8 = 10;
    pub const PUBLIC_THREAD: u8 = 11;
    pub const PRIVATE_THREAD: u8 = 12;
    pub const GUILD_FORUM: u8 = 15;
}

/// Message flags the model cares about.
pub const FLAG_HAS_THREAD: u64 = 1 << 5;
pub const FLAG_EPHEMERAL: u64 = 1 << 6;
pub const FLAG_LOADING: u64 = 1 << 7;

/// A snapshot of a channel or thread as the fake knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    pub id: u64,
    /// Discord channel type: 0 text, 1 DM, 11 public thread, 12 private thread, ...
    pub kind: u8,
    pub name: Option<String>,
    pub guild_id: Option<u64>,
    /// For threads: the channel the thread lives in.
    pub parent_id: Option<u64>,
    /// For threads: who created it.
    pub owner_id: Option<u64>,
    pub archived: bool,
    pub locked: bool,
    pub auto_archive_duration: u64,
    /// Private threads only: whether non-moderators can add members.
    pub invitable: Option<bool>,
    /// For threads: user ids that were added (or joined by creating it).
    pub members: BTreeSet<u64>,
    /// For DMs: the other user.
    pub recipient: Option<u64>,
    /// For guild channels other than threads: the permission overwrites, as Discord returns
    /// them (`id` and `allow`/`deny` as strings, `type` 0 for a role, 1 for a member).
    pub permission_overwrites: Vec<Value>,
    pub(crate) archive_timestamp: String,
    pub(crate) create_timestamp: String,
    pub(crate) message_count: u64,
    pub(crate) last_message_id: Option<u64>,
}

impl Channel {
    pub fn is_thread(&self) -> bool {
        matches!(
            self.kind,
            channel_type::ANNOUNCEMENT_THREAD
                | channel_type::PUBLIC_THREAD
                | channel_type::PRIVATE_THREAD
        )
    }

    pub(crate) fn new(id: u64, kind: u8, name: Option<String>, guild_id: Option<u64>) -> Self {
        let now = now_timestamp();
        Channel {
            id,
            kind,
            name,
            guild_id,
            parent_id: None,
            owner_id: None,
            archived: false,
            locked: false,
            auto_archive_duration: 1440,
            invitable: None,
            members: BTreeSet::new(),
            recipient: None,
            permission_overwrites: Vec::new(),
            archive_timestamp: now.clone(),
            create_timestamp: now,
            message_count: 0,
            last_message_id: None,
        }
    }

    /// The channel object Discord's REST API returns.
    pub(crate) fn to_json(&self, users: &HashMap<u64, User>) -> Value {
        let mut v = json!({
            "id": self.id.to_string(),
            "type": self.kind,
            "flags": 0,
            "last_message_id": self.last_message_id.map(|i| i.to_string()),
        });
        let o = v.as_object_mut().unwrap();
        if self.kind == channel_type::DM {
            let recipient = self.recipient.unwrap_or(0);
            let user = users
                .get(&recipient)
                .cloned()
                .unwrap_or_else(|| User::new(recipient, "user"));
            o.insert("recipients".into(), json!([user.to_json()]));
            return v;
        }
        o.insert("name".into(), json!(self.name.clone().unwrap_or_default()));
        if let Some(g) = self.guild_id {
            o.insert("guild_id".into(), json!(g.to_string()));
        }
        o.insert(
            "parent_id".into(),
            json!(self.parent_id.map(|p| p.to_string())),
        );
        o.insert("rate_limit_per_user".into(), json!(0));
        if self.is_thread() {
            o.insert(
                "owner_id".into(),
                json!(self.owner_id.map(|p| p.to_string())),
            );
            o.insert("message_count".into(), json!(self.message_count));
            o.insert("total_message_sent".into(), json!(self.message_count));
            o.insert("member_count".into(), json!(self.members.len().min(50)));
            let mut meta = json!({
                "archived": self.archived,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.archive_timestamp,
                "locked": self.locked,
                "create_timestamp": self.create_timestamp,
            });
            if let Some(inv) = self.invitable {
                meta["invitable"] = json!(inv);
            }
            o.insert("thread_metadata".into(), meta);
        } else {
            o.insert("position".into(), json!(0));
            o.insert(
                "permission_overwrites".into(),
                json!(self.permission_overwrites),
            );
            o.insert("nsfw".into(), json!(false));
            if self.kind == channel_type::GUILD_VOICE {
                o.insert("bitrate".into(), json!(64000));
                o.insert("user_limit".into(), json!(0));
                o.insert("rtc_region".into(), Value::Null);
            } else {
                o.insert("topic".into(), Value::Null);
            }
        }
        v
    }
}

/// Where a message in a transcript came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageOrigin {
    /// `POST /channels/{id}/messages` by the bot.
    Rest,
    /// The initial response to an interaction (callback type 4 or 5).
    InteractionResponse { interaction_id: u64 },
    /// `POST /webhooks/{app}/{token}` follow-up to an interaction.
    Followup { interaction_id: u64 },
    /// A message the test dispatched over the gateway (a user talking), or a message an
    /// interaction fixture carried (the message a button was on).
    Gateway,
}

/// A snapshot of a message as the fake knows it (after any edits).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: u64,
    pub channel_id: u64,
    pub author_id: u64,
    /// Whether the bot under test authored it.
    pub from_bot: bool,
    pub content: String,
    pub embeds: Vec<Value>,
    pub components: Vec<Value>,
    pub flags: u64,
    pub origin: MessageOrigin,
    pub edited: bool,
    /// The full message object, as the fake last returned it.
    pub json: Value,
}

impl Message {
    pub fn is_ephemeral(&self) -> bool {
        self.flags & FLAG_EPHEMERAL != 0
    }

    pub(crate) fn from_json(json: Value, origin: MessageOrigin, bot_id: u64) -> Self {
        let author_id = id_of(&json["author"]["id"]).unwrap_or(0);
        let list = |k: &str| {
            json.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        Message {
            id: id_of(&json["id"]).unwrap_or(0),
            channel_id: id_of(&json["channel_id"]).unwrap_or(0),
            author_id,
            from_bot: author_id == bot_id,
            content: json["content"].as_str().unwrap_or_default().to_string(),
            embeds: list("embeds"),
            components: list("components"),
            flags: json["flags"].as_u64().unwrap_or(0),
            origin,
            edited: !json["edited_timestamp"].is_null(),
            json,
        }
    }
}

pub(crate) struct StoredMessage {
    pub json: Value,
    pub origin: MessageOrigin,
    /// Who reacted with what; mirrored into `json["reactions"]`.
    pub reactions: Vec<ReactionState>,
}

/// What the fake remembers about a dispatched INTERACTION_CREATE.
pub(crate) struct InteractionState {
    pub token: String,
    /// Interaction type: 2 command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u64,
    pub channel_id: u64,
    /// The invoking user's object (for `interaction_metadata` on responses).
    pub user: Value,
    pub dispatched_at: Instant,
    /// The callback type it was answered with.
    pub acked: Option<u64>,
    pub original_message: Option<u64>,
    /// Component/modal interactions: the message the component was on.
    pub component_message: Option<u64>,
    /// Modal submits: the interaction whose modal (callback type 9) this submits, when the
    /// fake saw it opened.
    pub triggered_by: Option<u64>,
    pub followups: Vec<u64>,
}

#[derive(Default)]
pub(crate) struct Model {
    /// The bot's user id (whose reactions are `me`).
    pub bot_id: u64,
    pub channels: HashMap<u64, Channel>,
    pub messages: HashMap<u64, StoredMessage>,
    /// Per channel, message ids in creation order.
    pub transcript: HashMap<u64, Vec<u64>>,
    pub interactions: HashMap<u64, InteractionState>,
    /// Interaction id by token, so webhook routes find theirs without a scan.
    pub interaction_by_token: HashMap<String, u64>,
    /// Modals shown (callback type 9) and not yet submitted: by (user id, modal custom_id),
    /// the interaction that opened them.
    pub open_modals: HashMap<(u64, String), u64>,
    pub users: HashMap<u64, User>,
    pub dm_by_user: HashMap<u64, u64>,
    pub commands_global: Vec<Value>,
    pub commands_guild: HashMap<u64, Vec<Value>>,
    /// Stable command ids per (guild or global, type, name), as Discord keeps them across
    /// bulk overwrites.
    pub command_ids: HashMap<(Option<u64>, u64, String), u64>,
    pub guilds: HashMap<u64, Guild>,
    /// The bytes of uploaded attachments, by attachment id.
    pub files: HashMap<u64, StoredFile>,
}

impl Model {
    pub fn new(guilds: &[Guild], bot: &User) -> Self {
        let mut m = Model {
            bot_id: bot.id,
            ..Model::default()
        };
        m.users.insert(bot.id, bot.clone());
        for g in guilds {
            for c in &g.channels {
                m.channels.insert(
                    c.id,
                    Channel::new(c.id, c.kind, Some(c.name.clone()), Some(g.id)),
                );
            }
            for u in &g.members {
                m.users.insert(u.id, u.clone());
            }
            m.guilds.insert(g.id, g.clone());
        }
        m
    }

    /// Makes sure a channel seen in an event exists, so the bot can post to it.
    pub fn ensure_channel(
        &mut self,
        id: u64,
        kind: u8,
        guild_id: Option<u64>,
        parent_id: Option<u64>,
    ) {
        self.channels.entry(id).or_insert_with(|| {
            let mut c = Channel::new(id, kind, None, guild_id);
            c.parent_id = parent_id;
            if c.is_thread() {
                c.name = Some(format!("thread-{id}"));
            }
            c
        });
    }

    pub fn add_message(&mut self, json: Value, origin: MessageOrigin) -> u64 {
        let id = id_of(&json["id"]).unwrap_or_else(next_snowflake);
        let channel_id = id_of(&json["channel_id"]).unwrap_or(0);
        if let Some(c) = self.channels.get_mut(&channel_id) {
            c.message_count += 1;
            c.last_message_id = Some(id);
        }
        if self
            .messages
            .insert(
                id,
                StoredMessage {
                    json,
                    origin,
                    reactions: Vec::new(),
                },
            )
            .is_none()
        {
            self.transcript.entry(channel_id).or_default().push(id);
        }
        id
    }

    pub fn remove_message(&mut self, id: u64) -> bool {
        let Some(m) = self.messages.remove(&id) else {
            return false;
        };
        let channel_id = id_of(&m.json["channel_id"]).unwrap_or(0);
        if let Some(list) = self.transcript.get_mut(&channel_id) {
            list.retain(|x| *x != id);
        }
        true
    }

    /// Keeps the `thread` of a thread's starter message (same id) in step with the thread,
    /// and drops it (and the HAS_THREAD flag) when the thread is gone, as Discord does.
    pub fn sync_thread_starter(&mut self, thread_id: u64) {
        let thread = self
            .channels
            .get(&thread_id)
            .filter(|c| c.is_thread())
            .map(|c| c.to_json(&self.users));
        let Some(m) = self.messages.get_mut(&thread_id) else {
            return;
        };
        let o = m.json.as_object_mut().expect("messages are objects");
        let flags = o.get("flags").and_then(Value::as_u64).unwrap_or(0);
        match thread {
            Some(t) if id_of(&t["parent_id"]) == id_of(&o["channel_id"]) => {
                o.insert("thread".into(), t);
                o.insert("flags".into(), json!(flags | FLAG_HAS_THREAD));
            }
            _ => {
                if o.remove("thread").is_some() {
                    o.insert("flags".into(), json!(flags & !FLAG_HAS_THREAD));
                }
            }
        }
    }

    pub fn snapshot_messages(&self, channel_id: u64, bot_id: u64) -> Vec<Message> {
        self.transcript
            .get(&channel_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| self.messages.get(id))
                    .map(|m| Message::from_json(m.json.clone(), m.origin, bot_id))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Removes `null` members recursively. Discord omits absent optional fields in what it
/// returns, and serenity's models reject `null` where they expect e.g. a `bool` with a default.
pub(crate) fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), strip_nulls(x)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

/// Embeds as Discord echoes them: nulls dropped and `type: "rich"` filled in.
pub(crate) fn normalize_embeds(v: Option<&Value>) -> Value {
    let list = v.and_then(Value::as_array).cloned().unwrap_or_default();
    Value::Array(
        list.iter()
            .map(|e| {
                let mut e = strip_nulls(e);
                if let Some(o) = e.as_object_mut() {
                    o.entry("type").or_insert_with(|| json!("rich"));
                }
                e
            })
            .collect(),
    )
}

/// Builds a message object from a create-message style body.
pub(crate) struct NewMessage<'a> {
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub author: &'a User,
    pub body: &'a Value,
    pub kind: u64,
    pub webhook_id: Option<u64>,
    pub application_id: Option<u64>,
    pub extra_flags: u64,
    pub interaction_metadata: Option<Value>,
}

impl NewMessage<'_> {
    pub fn build(self) -> Value {
        let b = self.body;
        let flags = b.get("flags").and_then(Value::as_u64).unwrap_or(0) | self.extra_flags;
        let mut v = json!({
            "id": next_snowflake().to_string(),
            "type": self.kind,
            "channel_id": self.channel_id.to_string(),
            "author": self.author.to_json(),
            "content": b.get("content").and_then(Value::as_str).unwrap_or_default(),
            "timestamp": now_timestamp(),
            "edited_timestamp": null,
            "tts": b.get("tts").and_then(Value::as_bool).unwrap_or(false),
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": normalize_embeds(b.get("embeds")),
            "components": strip_nulls(b.get("components").filter(|c| c.is_array()).unwrap_or(&json!([]))),
            "pinned": false,
            "flags": flags,
        });
        let o = v.as_object_mut().unwrap();
        if let Some(g) = self.guild_id {
            // REST answers omit guild_id; gateway events add it (see `for_gateway`). Kept in the
            // stored copy so gateway echoes can be built from it.
            o.insert("guild_id".into(), json!(g.to_string()));
        }
        if let Some(w) = self.webhook_id {
            o.insert("webhook_id".into(), json!(w.to_string()));
        }
        if let Some(a) = self.application_id {
            o.insert("application_id".into(), json!(a.to_string()));
        }
        if let Some(n) = b.get("nonce").filter(|n| !n.is_null()) {
            o.insert("nonce".into(), n.clone());
        }
        if let Some(r) = b.get("message_reference").filter(|r| r.is_object()) {
            o.insert("message_reference".into(), strip_nulls(r));
            o.insert("type".into(), json!(19));
        }
        if let Some(meta) = self.interaction_metadata {
            o.insert("interaction_metadata".into(), meta);
        }
        v
    }
}

/// The REST shape of a stored message (Discord's REST answers carry no `guild_id`).
pub(crate) fn for_rest(stored: &Value) -> Value {
    let mut v = stored.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("guild_id");
    }
    v
}

/// Applies a PATCH body to a stored message.
pub(crate) fn apply_edit(stored: &mut Value, body: &Value) {
    let o = stored.as_object_mut().expect("messages are objects");
    if let Some(c) = body.get("content") {
        o.insert("content".into(), json!(c.as_str().unwrap_or_default()));
    }
    if let Some(e) = body.get("embeds") {
        o.insert("embeds".into(), normalize_embeds(Some(e)));
    }
    if let Some(c) = body.get("components") {
        o.insert(
            "components".into(),
            strip_nulls(if c.is_array() { c } else { &Value::Null })
                .as_array()
                .map_or(json!([]), |a| json!(a)),
        );
    }
    // `attachments` is applied by the handler, which has the uploaded files.
    // Only SUPPRESS_EMBEDS (1 << 2) can be changed by an edit; ephemeral and loading are kept
    // except that an edit always finishes a deferred ("thinking") response.
    let old = o.get("flags").and_then(Value::as_u64).unwrap_or(0);
    let mut flags = old & !FLAG_LOADING;
    if let Some(new) = body.get("flags").and_then(Value::as_u64) {
        flags = (flags & !(1 << 2)) | (new & (1 << 2));
    }
    o.insert("flags".into(), json!(flags));
    o.insert("edited_timestamp".into(), json!(now_timestamp()));
}
