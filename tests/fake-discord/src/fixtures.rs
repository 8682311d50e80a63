//! Builders for the gateway `d` payloads tests dispatch to the bot.
//!
//! Every payload here carries all the fields serenity 0.12.5's models require: an event that
//! misses one is not an error in serenity, it silently becomes `Event::Unknown` and no handler
//! runs. Each builder is unit-tested by deserializing it with serenity's `GatewayEvent`.
//!
//! Defaults line up with [`FakeDiscord`](crate::FakeDiscord)'s defaults: guild [`GUILD_ID`]
//! with text channel [`CHANNEL_ID`], user [`USER_ID`] ("alice"), bot [`BOT_ID`].
//!
//! ```
//! use fake_discord::fixtures::{self, opt, perms, Fixture};
//! let cmd = fixtures::slash_command("practice")
//!     .subcommand("start", vec![opt::string("role", "backend"), opt::integer("questions", 5)])
//!     .permissions(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD);
//! let payload = cmd.build();
//! assert_eq!(payload["data"]["options"][0]["name"], "start");
//! assert_eq!(cmd.event_name(), "INTERACTION_CREATE");
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use crate::util::{next_snowflake, now_timestamp};

/// The bot's user id (and application id) unless configured otherwise.
pub const BOT_ID: u64 = 1000;
/// The default guild.
pub const GUILD_ID: u64 = 2000;
/// The default guild's text channel.
pub const CHANNEL_ID: u64 = 3000;
/// The default human user.
pub const USER_ID: u64 = 4000;
/// Owner of the default guild and the application (deliberately not [`USER_ID`], so
/// owner-only checks fail for the default user).
pub const OWNER_ID: u64 = 4999;

/// Permission bits (Discord's numbering) for `member.permissions` / `app_permissions`.
pub mod perms {
    pub const CREATE_INSTANT_INVITE: u64 = 1 << 0;
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_CHANNELS: u64 = 1 << 4;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const ADD_REACTIONS: u64 = 1 << 6;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const MENTION_EVERYONE: u64 = 1 << 17;
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const CREATE_PRIVATE_THREADS: u64 = 1 << 36;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;

    /// What an ordinary member typically has in a text channel.
    pub const DEFAULT_MEMBER: u64 = CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | SEND_MESSAGES_IN_THREADS;
    /// What the bot is typically granted in the channel (`app_permissions`).
    pub const DEFAULT_BOT: u64 = DEFAULT_MEMBER | MANAGE_THREADS | MANAGE_MESSAGES;
}

/// Gateway intent bits (for checking what the bot identified with).
pub mod intents {
    pub const GUILDS: u64 = 1 << 0;
    pub const GUILD_MEMBERS: u64 = 1 << 1;
    pub const GUILD_PRESENCES: u64 = 1 << 8;
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    pub const DIRECT_MESSAGES: u64 = 1 << 12;
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
    /// Intents Discord only grants when enabled for the application.
    pub const PRIVILEGED: u64 = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT;
}

/// A payload builder that knows which gateway event it is, so it can be sent with
/// [`FakeDiscord::send`](crate::FakeDiscord::send).
pub trait Fixture {
    /// The dispatch name (`t`), e.g. `INTERACTION_CREATE`.
    fn event_name(&self) -> &'static str;
    /// The `d` payload.
    fn build(&self) -> Value;
}

fn next_fixture_id() -> u64 {
    next_snowflake()
}

fn next_token() -> String {
    static N: AtomicU64 = AtomicU64::new(1);
    format!("interaction-token-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// A Discord user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub global_name: Option<String>,
    pub bot: bool,
}

impl User {
    pub fn new(id: u64, username: impl Into<String>) -> Self {
        User {
            id,
            username: username.into(),
            global_name: None,
            bot: false,
        }
    }

    pub fn bot(id: u64, username: impl Into<String>) -> Self {
        User {
            bot: true,
            ..User::new(id, username)
        }
    }

    pub fn global_name(mut self, name: impl Into<String>) -> Self {
        self.global_name = Some(name.into());
        self
    }

    /// The default human user, [`USER_ID`] "alice".
    pub fn alice() -> Self {
        User::new(USER_ID, "alice").global_name("Alice")
    }

    /// The user object as Discord sends it.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": null,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": null,
            "accent_color": null,
            "avatar_decoration_data": null,
        })
    }
}

/// A channel inside a configured [`Guild`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuildChannel {
    pub id: u64,
    pub name: String,
    /// Discord channel type (0 text, 5 announcement, 15 forum...).
    pub kind: u8,
}

/// A guild the fake knows about: its channels exist in the model, READY lists it, and
/// (by default) a GUILD_CREATE describing it follows READY.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub channels: Vec<GuildChannel>,
    /// Members besides the bot (which is always added).
    pub members: Vec<User>,
}

impl Guild {
    pub fn new(id: u64, name: impl Into<String>) -> Self {
        Guild {
            id,
            name: name.into(),
            owner_id: OWNER_ID,
            channels: Vec::new(),
            members: Vec::new(),
        }
    }

    /// The default guild: [`GUILD_ID`] with text channel [`CHANNEL_ID`] "general" and alice.
    pub fn default_guild() -> Self {
        Guild::new(GUILD_ID, "Test Guild")
            .text_channel(CHANNEL_ID, "general")
            .member(User::alice())
    }

    pub fn text_channel(mut self, id: u64, name: impl Into<String>) -> Self {
        self.channels.push(GuildChannel {
            id,
            name: name.into(),
            kind: 0,
        });
        self
    }

    pub fn channel(mut self, id: u64, name: impl Into<String>, kind: u8) -> Self {
        self.channels.push(GuildChannel {
            id,
            name: name.into(),
            kind,
        });
        self
    }

    pub fn member(mut self, user: User) -> Self {
        self.members.push(user);
        self
    }

    pub fn owner(mut self, id: u64) -> Self {
        self.owner_id = id;
        self
    }
}

fn member_json(user: Option<&User>, permissions: Option<u64>, roles: &[u64]) -> Value {
    let mut m = json!({
        "roles": roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "nick": null,
        "avatar": null,
        "banner": null,
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    });
    if let Some(u) = user {
        m["user"] = u.to_json();
    }
    if let Some(p) = permissions {
        m["permissions"] = json!(p.to_string());
    }
    m
}

fn role_json(id: u64, name: &str, permissions: u64, position: u64) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "color": 0,
        // serenity 0.12.5 requires `colors`; a role without it fails to deserialize and takes
        // the whole GUILD_CREATE down with it (silently).
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": permissions.to_string(),
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

/// GUILD_CREATE for a configured guild, with `bot` as a member.
pub fn guild_create(guild: &Guild, bot: &User) -> GuildCreate {
    GuildCreate {
        guild: guild.clone(),
        bot: bot.clone(),
    }
}

/// Builder for GUILD_CREATE; see [`guild_create`].
#[derive(Clone, Debug)]
pub struct GuildCreate {
    pub guild: Guild,
    pub bot: User,
}

impl Fixture for GuildCreate {
    fn event_name(&self) -> &'static str {
        "GUILD_CREATE"
    }

    fn build(&self) -> Value {
        let g = &self.guild;
        let channels: Vec<Value> = g
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| {
                json!({
                    "id": c.id.to_string(), "type": c.kind, "name": c.name, "guild_id": g.id.to_string(),
                    "position": i, "permission_overwrites": [], "topic": null, "nsfw": false,
                    "last_message_id": null, "rate_limit_per_user": 0, "parent_id": null, "flags": 0,
                })
            })
            .collect();
        let mut members = vec![member_json(Some(&self.bot), None, &[])];
        members.extend(g.members.iter().map(|u| member_json(Some(u), None, &[])));
        json!({
            "id": g.id.to_string(),
            "name": g.name,
            "icon": null, "icon_hash": null, "splash": null, "discovery_splash": null,
            "owner_id": g.owner_id.to_string(),
            "afk_channel_id": null, "afk_timeout": 300,
            "widget_enabled": false, "widget_channel_id": null,
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            // The @everyone role has the guild's id.
            "roles": [role_json(g.id, "@everyone", perms::DEFAULT_MEMBER, 0)],
            "emojis": [], "features": [], "mfa_level": 0, "application_id": null,
            "system_channel_id": null, "system_channel_flags": 0, "rules_channel_id": null,
            "max_presences": null, "max_members": 500000, "vanity_url_code": null,
            "description": null, "banner": null, "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": "en-US", "public_updates_channel_id": null,
            "max_video_channel_users": 25, "max_stage_video_channel_users": 50,
            "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": false,
            "safety_alerts_channel_id": null, "incidents_data": null,
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "large": false, "unavailable": false,
            "member_count": members.len(),
            "voice_states": [], "members": members, "channels": channels, "threads": [],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "lazy": true,
        })
    }
}

/// Where an interaction happens and who triggers it.
#[derive(Clone, Debug)]
pub struct InteractionContext {
    /// Interaction id (fresh snowflake by default).
    pub id: u64,
    pub token: String,
    pub application_id: u64,
    /// `None` means a DM with the bot.
    pub guild_id: Option<u64>,
    pub channel_id: u64,
    /// Channel type: 0 text, 1 DM, 11/12 thread.
    pub channel_type: u8,
    /// For threads: the parent channel.
    pub parent_id: Option<u64>,
    pub user: User,
    /// `member.permissions` (guild only).
    pub permissions: u64,
    pub roles: Vec<u64>,
    /// `app_permissions`: what the bot may do in the channel.
    pub app_permissions: u64,
    pub locale: String,
}

impl Default for InteractionContext {
    fn default() -> Self {
        InteractionContext {
            id: next_fixture_id(),
            token: next_token(),
            application_id: BOT_ID,
            guild_id: Some(GUILD_ID),
            channel_id: CHANNEL_ID,
            channel_type: 0,
            parent_id: None,
            user: User::alice(),
            permissions: perms::DEFAULT_MEMBER,
            roles: Vec::new(),
            app_permissions: perms::DEFAULT_BOT,
            locale: "en-US".into(),
        }
    }
}

impl InteractionContext {
    fn base(&self, kind: u64, data: Value) -> Value {
        let mut channel =
            json!({"id": self.channel_id.to_string(), "type": self.channel_type, "flags": 0});
        let mut v = json!({
            "id": self.id.to_string(),
            "application_id": self.application_id.to_string(),
            "type": kind,
            "data": data,
            "channel_id": self.channel_id.to_string(),
            "token": self.token,
            "version": 1,
            "locale": self.locale,
            "entitlements": [],
            "attachment_size_limit": 10485760,
            "app_permissions": self.app_permissions.to_string(),
        });
        let o = v.as_object_mut().unwrap();
        match self.guild_id {
            Some(g) => {
                o.insert("guild_id".into(), json!(g.to_string()));
                o.insert(
                    "guild".into(),
                    json!({"id": g.to_string(), "locale": "en-US", "features": []}),
                );
                o.insert("guild_locale".into(), json!("en-US"));
                o.insert(
                    "member".into(),
                    member_json(Some(&self.user), Some(self.permissions), &self.roles),
                );
                o.insert("context".into(), json!(0));
                o.insert(
                    "authorizing_integration_owners".into(),
                    json!({"0": g.to_string()}),
                );
                channel["guild_id"] = json!(g.to_string());
                channel["name"] = json!(if self.channel_type >= 10 {
                    "thread"
                } else {
                    "general"
                });
                channel["permissions"] = json!(self.permissions.to_string());
                if let Some(p) = self.parent_id {
                    channel["parent_id"] = json!(p.to_string());
                }
            }
            None => {
                o.insert("user".into(), self.user.to_json());
                o.insert("context".into(), json!(1));
                o.insert("authorizing_integration_owners".into(), json!({"0": "0"}));
                channel["recipients"] = json!([self.user.to_json()]);
            }
        }
        o.insert("channel".into(), channel);
        v
    }
}

/// Implements the shared interaction-context setters on a builder with a `ctx` field.
macro_rules! context_setters {
    ($t:ty) => {
        impl $t {
            /// Sets the interaction id (default: a fresh snowflake).
            pub fn id(mut self, id: u64) -> Self {
                self.ctx.id = id;
                self
            }
            /// Sets the interaction token (default: a unique `interaction-token-N`).
            pub fn token(mut self, token: impl Into<String>) -> Self {
                self.ctx.token = token.into();
                self
            }
            /// Sets the application id (must match the fake's for callbacks to be accepted).
            pub fn application_id(mut self, id: u64) -> Self {
                self.ctx.application_id = id;
                self
            }
            /// Who triggers the interaction.
            pub fn user(mut self, user: User) -> Self {
                self.ctx.user = user;
                self
            }
            /// In a guild text channel.
            pub fn guild(mut self, guild_id: u64, channel_id: u64) -> Self {
                self.ctx.guild_id = Some(guild_id);
                self.ctx.channel_id = channel_id;
                self.ctx.channel_type = 0;
                self.ctx.parent_id = None;
                self
            }
            /// In a thread (private unless `kind` says 11) under `parent_id`.
            pub fn thread(
                mut self,
                guild_id: u64,
                thread_id: u64,
                parent_id: u64,
                kind: u8,
            ) -> Self {
                self.ctx.guild_id = Some(guild_id);
                self.ctx.channel_id = thread_id;
                self.ctx.channel_type = kind;
                self.ctx.parent_id = Some(parent_id);
                self
            }
            /// In the user's DM with the bot (`channel_id` is the DM channel).
            pub fn dm(mut self, channel_id: u64) -> Self {
                self.ctx.guild_id = None;
                self.ctx.channel_id = channel_id;
                self.ctx.channel_type = 1;
                self.ctx.parent_id = None;
                self
            }
            /// `member.permissions` of the invoking member (guild only).
            pub fn permissions(mut self, bits: u64) -> Self {
                self.ctx.permissions = bits;
                self
            }
            /// Role ids of the invoking member.
            pub fn roles(mut self, roles: Vec<u64>) -> Self {
                self.ctx.roles = roles;
                self
            }
            /// `app_permissions`: the bot's permissions in the channel.
            pub fn app_permissions(mut self, bits: u64) -> Self {
                self.ctx.app_permissions = bits;
                self
            }
            pub fn locale(mut self, locale: impl Into<String>) -> Self {
                self.ctx.locale = locale.into();
                self
            }
            /// The interaction id the payload will carry.
            pub fn interaction_id(&self) -> u64 {
                self.ctx.id
            }
            /// The token the payload will carry (callbacks and follow-ups use it).
            pub fn interaction_token(&self) -> &str {
                &self.ctx.token
            }
            /// The channel the interaction happens in.
            pub fn channel_id(&self) -> u64 {
                self.ctx.channel_id
            }
            /// Replaces the whole context.
            pub fn context(mut self, ctx: InteractionContext) -> Self {
                self.ctx = ctx;
                self
            }
        }
    };
}

/// Command option values for [`slash_command`] and [`autocomplete`].
pub mod opt {
    use serde_json::{json, Value};

    /// One option in `data.options` of a command interaction.
    #[derive(Clone, Debug, PartialEq)]
    pub struct CommandOption(pub Value);

    fn value(name: &str, kind: u8, value: Value) -> CommandOption {
        CommandOption(json!({"name": name, "type": kind, "value": value}))
    }

    pub fn string(name: &str, v: impl Into<String>) -> CommandOption {
        value(name, 3, json!(v.into()))
    }
    pub fn integer(name: &str, v: i64) -> CommandOption {
        value(name, 4, json!(v))
    }
    pub fn boolean(name: &str, v: bool) -> CommandOption {
        value(name, 5, json!(v))
    }
    pub fn user(name: &str, id: u64) -> CommandOption {
        value(name, 6, json!(id.to_string()))
    }
    pub fn channel(name: &str, id: u64) -> CommandOption {
        value(name, 7, json!(id.to_string()))
    }
    pub fn role(name: &str, id: u64) -> CommandOption {
        value(name, 8, json!(id.to_string()))
    }
    pub fn number(name: &str, v: f64) -> CommandOption {
        value(name, 10, json!(v))
    }
    /// A subcommand with its own options.
    pub fn subcommand(name: &str, options: Vec<CommandOption>) -> CommandOption {
        CommandOption(
            json!({"name": name, "type": 1, "options": options.into_iter().map(|o| o.0).collect::<Vec<_>>()}),
        )
    }
    /// A subcommand group containing subcommands.
    pub fn group(name: &str, subcommands: Vec<CommandOption>) -> CommandOption {
        CommandOption(
            json!({"name": name, "type": 2, "options": subcommands.into_iter().map(|o| o.0).collect::<Vec<_>>()}),
        )
    }
    /// The option being typed in an autocomplete interaction: always sent as a string with
    /// `focused: true`, whatever the option's declared type (`kind`, 3 for string).
    pub fn focused(name: &str, kind: u8, partial: impl Into<String>) -> CommandOption {
        CommandOption(json!({"name": name, "type": kind, "value": partial.into(), "focused": true}))
    }
}

/// A slash command (INTERACTION_CREATE type 2).
pub fn slash_command(name: impl Into<String>) -> SlashCommand {
    SlashCommand {
        ctx: InteractionContext::default(),
        name: name.into(),
        command_id: None,
        options: Vec::new(),
    }
}

/// Builder for a slash-command interaction; see [`slash_command`].
#[derive(Clone, Debug)]
pub struct SlashCommand {
    pub ctx: InteractionContext,
    pub name: String,
    /// The registered command's id (default: stable per name).
    pub command_id: Option<u64>,
    pub options: Vec<opt::CommandOption>,
}

context_setters!(SlashCommand);

impl SlashCommand {
    pub fn option(mut self, o: opt::CommandOption) -> Self {
        self.options.push(o);
        self
    }
    pub fn options(mut self, o: Vec<opt::CommandOption>) -> Self {
        self.options.extend(o);
        self
    }
    /// Invokes `/name sub ...` with the subcommand's options.
    pub fn subcommand(self, sub: &str, options: Vec<opt::CommandOption>) -> Self {
        self.option(opt::subcommand(sub, options))
    }
    pub fn command_id(mut self, id: u64) -> Self {
        self.command_id = Some(id);
        self
    }
}

fn command_id_for(name: &str) -> u64 {
    // Stable per name so repeated fixtures look like the same registered command.
    let mut h: u64 = 1469598103934665603;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(1099511628211);
    }
    (h >> 20) | 1
}

fn command_data(
    name: &str,
    command_id: Option<u64>,
    options: &[opt::CommandOption],
    guild_id: Option<u64>,
) -> Value {
    let mut d = json!({
        "id": command_id.unwrap_or_else(|| command_id_for(name)).to_string(),
        "name": name,
        "type": 1,
        "options": options.iter().map(|o| o.0.clone()).collect::<Vec<_>>(),
    });
    if let Some(g) = guild_id {
        d["guild_id"] = json!(g.to_string());
    }
    // Discord resolves every channel option into `resolved.channels` (a partial channel:
    // id, name, type, and the invoking member's permissions there).
    let mut channels = serde_json::Map::new();
    resolve_channels(options.iter().map(|o| &o.0), &mut channels);
    if !channels.is_empty() {
        d["resolved"] = json!({ "channels": channels });
    }
    d
}

fn resolve_channels<'a>(
    options: impl Iterator<Item = &'a Value>,
    out: &mut serde_json::Map<String, Value>,
) {
    for o in options {
        if o["type"] == 7 {
            if let Some(id) = o["value"].as_str() {
                out.insert(
                    id.to_string(),
                    json!({"id": id, "name": format!("channel-{id}"), "type": 0,
                           "permissions": perms::DEFAULT_MEMBER.to_string()}),
                );
            }
        }
        if let Some(nested) = o["options"].as_array() {
            resolve_channels(nested.iter(), out);
        }
    }
}

impl Fixture for SlashCommand {
    fn event_name(&self) -> &'static str {
        "INTERACTION_CREATE"
    }
    fn build(&self) -> Value {
        // `data.guild_id` is only present for guild-registered commands; leave it out.
        self.ctx.base(
            2,
            command_data(&self.name, self.command_id, &self.options, None),
        )
    }
}

/// An autocomplete request (INTERACTION_CREATE type 4) while the user types into `focused`.
/// Use [`Autocomplete::subcommand`] when the option belongs to a subcommand.
pub fn autocomplete(
    command: impl Into<String>,
    focused: &str,
    partial: impl Into<String>,
) -> Autocomplete {
    Autocomplete {
        ctx: InteractionContext::default(),
        name: command.into(),
        command_id: None,
        subcommand: None,
        options: vec![opt::focused(focused, 3, partial)],
    }
}

/// Builder for an autocomplete interaction; see [`autocomplete`].
#[derive(Clone, Debug)]
pub struct Autocomplete {
    pub ctx: InteractionContext,
    pub name: String,
    pub command_id: Option<u64>,
    /// If set, the options (incl. the focused one) are nested under this subcommand.
    pub subcommand: Option<String>,
    pub options: Vec<opt::CommandOption>,
}

context_setters!(Autocomplete);

impl Autocomplete {
    /// Other, already filled-in options.
    pub fn option(mut self, o: opt::CommandOption) -> Self {
        self.options.push(o);
        self
    }
    pub fn subcommand(mut self, sub: impl Into<String>) -> Self {
        self.subcommand = Some(sub.into());
        self
    }
}

impl Fixture for Autocomplete {
    fn event_name(&self) -> &'static str {
        "INTERACTION_CREATE"
    }
    fn build(&self) -> Value {
        let options = match &self.subcommand {
            Some(sub) => vec![opt::subcommand(sub, self.options.clone())],
            None => self.options.clone(),
        };
        self.ctx
            .base(4, command_data(&self.name, self.command_id, &options, None))
    }
}

/// A message object as the bot would have posted it (author = bot), for components.
pub fn bot_message(id: u64, channel_id: u64, content: &str, components: Value) -> Value {
    json!({
        "id": id.to_string(), "type": 0, "channel_id": channel_id.to_string(),
        "author": User::bot(BOT_ID, "interview-coach").to_json(),
        "content": content, "timestamp": now_timestamp(), "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "components": components, "pinned": false, "flags": 0,
    })
}

/// A button click (INTERACTION_CREATE type 3) on a message.
pub fn button(custom_id: impl Into<String>) -> Button {
    Button {
        ctx: InteractionContext::default(),
        custom_id: custom_id.into(),
        message: None,
        message_id: None,
    }
}

/// Builder for a button interaction; see [`button`].
#[derive(Clone, Debug)]
pub struct Button {
    pub ctx: InteractionContext,
    pub custom_id: String,
    /// The full message the button was on. Default: a bot message in the interaction's
    /// channel holding one action row with this button.
    pub message: Option<Value>,
    pub message_id: Option<u64>,
}

context_setters!(Button);

impl Button {
    /// The message object the button sits on (e.g. taken from the bot's earlier request).
    pub fn message(mut self, message: Value) -> Self {
        self.message = Some(message);
        self
    }
    /// Id for the default synthesized message (e.g. the id the fake returned for the bot's post).
    pub fn message_id(mut self, id: u64) -> Self {
        self.message_id = Some(id);
        self
    }
}

impl Fixture for Button {
    fn event_name(&self) -> &'static str {
        "INTERACTION_CREATE"
    }
    fn build(&self) -> Value {
        let message = self.message.clone().unwrap_or_else(|| {
            let row = json!([{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "Button", "custom_id": self.custom_id}]}]);
            bot_message(
                self.message_id.unwrap_or(self.ctx.id - 1),
                self.ctx.channel_id,
                "",
                row,
            )
        });
        let mut v = self
            .ctx
            .base(3, json!({"custom_id": self.custom_id, "component_type": 2}));
        v["message"] = message;
        v
    }
}

/// A modal submission (INTERACTION_CREATE type 5) with text input values.
pub fn modal_submit(custom_id: impl Into<String>) -> ModalSubmit {
    ModalSubmit {
        ctx: InteractionContext::default(),
        custom_id: custom_id.into(),
        fields: Vec::new(),
        message: None,
    }
}

/// Builder for a modal submit; see [`modal_submit`].
#[derive(Clone, Debug)]
pub struct ModalSubmit {
    pub ctx: InteractionContext,
    pub custom_id: String,
    /// `(text input custom_id, value)` pairs, one action row each.
    pub fields: Vec<(String, String)>,
    /// Set when the modal was opened from a component on this message.
    pub message: Option<Value>,
}

context_setters!(ModalSubmit);

impl ModalSubmit {
    pub fn field(mut self, custom_id: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((custom_id.into(), value.into()));
        self
    }
    pub fn message(mut self, message: Value) -> Self {
        self.message = Some(message);
        self
    }
}

impl Fixture for ModalSubmit {
    fn event_name(&self) -> &'static str {
        "INTERACTION_CREATE"
    }
    fn build(&self) -> Value {
        let rows: Vec<Value> = self
            .fields
            .iter()
            .map(|(id, value)| json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]}))
            .collect();
        let mut v = self
            .ctx
            .base(5, json!({"custom_id": self.custom_id, "components": rows}));
        if let Some(m) = &self.message {
            v["message"] = m.clone();
        }
        v
    }
}

/// A user's message (MESSAGE_CREATE) in the default guild channel.
pub fn message_create(content: impl Into<String>) -> MessageCreate {
    MessageCreate {
        id: next_fixture_id(),
        channel_id: CHANNEL_ID,
        guild_id: Some(GUILD_ID),
        author: User::alice(),
        content: content.into(),
        mentions: Vec::new(),
        reference: None,
    }
}

/// Builder for MESSAGE_CREATE; see [`message_create`].
#[derive(Clone, Debug)]
pub struct MessageCreate {
    pub id: u64,
    pub channel_id: u64,
    /// `None` for a DM. Must be set for messages in guild channels and threads, or serenity
    /// treats the message as a DM.
    pub guild_id: Option<u64>,
    pub author: User,
    pub content: String,
    pub mentions: Vec<User>,
    /// Message id this one replies to.
    pub reference: Option<u64>,
}

impl MessageCreate {
    pub fn id(mut self, id: u64) -> Self {
        self.id = id;
        self
    }
    /// In a guild channel or thread (a thread's id is its channel id).
    pub fn channel(mut self, guild_id: u64, channel_id: u64) -> Self {
        self.guild_id = Some(guild_id);
        self.channel_id = channel_id;
        self
    }
    /// In a thread of the default guild.
    pub fn in_thread(self, thread_id: u64) -> Self {
        self.channel(GUILD_ID, thread_id)
    }
    /// In a DM channel.
    pub fn dm(mut self, channel_id: u64) -> Self {
        self.guild_id = None;
        self.channel_id = channel_id;
        self
    }
    pub fn author(mut self, user: User) -> Self {
        self.author = user;
        self
    }
    pub fn mention(mut self, user: User) -> Self {
        self.mentions.push(user);
        self
    }
    pub fn reply_to(mut self, message_id: u64) -> Self {
        self.reference = Some(message_id);
        self
    }
}

impl Fixture for MessageCreate {
    fn event_name(&self) -> &'static str {
        "MESSAGE_CREATE"
    }
    fn build(&self) -> Value {
        let mut v = json!({
            "id": self.id.to_string(), "type": if self.reference.is_some() { 19 } else { 0 },
            "channel_id": self.channel_id.to_string(),
            "author": self.author.to_json(), "content": self.content,
            "timestamp": now_timestamp(), "edited_timestamp": null, "tts": false,
            "mention_everyone": false,
            "mentions": self.mentions.iter().map(User::to_json).collect::<Vec<_>>(),
            "mention_roles": [], "attachments": [], "embeds": [], "components": [],
            "pinned": false, "flags": 0, "nonce": self.id.to_string(),
        });
        if let Some(g) = self.guild_id {
            v["guild_id"] = json!(g.to_string());
            // Gateway messages in guilds carry a partial member (no `user`).
            v["member"] = member_json(None, None, &[]);
        }
        if let Some(r) = self.reference {
            v["message_reference"] = json!({"type": 0, "message_id": r.to_string(), "channel_id": self.channel_id.to_string()});
        }
        v
    }
}

/// THREAD_DELETE for a thread under `parent_id` in the default guild.
pub fn thread_delete(thread_id: u64, parent_id: u64) -> ThreadDelete {
    ThreadDelete {
        id: thread_id,
        guild_id: GUILD_ID,
        parent_id,
        kind: 12,
    }
}

/// Builder for THREAD_DELETE; see [`thread_delete`].
#[derive(Clone, Debug)]
pub struct ThreadDelete {
    pub id: u64,
    pub guild_id: u64,
    pub parent_id: u64,
    /// 11 public, 12 private.
    pub kind: u8,
}

impl ThreadDelete {
    pub fn guild(mut self, guild_id: u64) -> Self {
        self.guild_id = guild_id;
        self
    }
    pub fn kind(mut self, kind: u8) -> Self {
        self.kind = kind;
        self
    }
}

impl Fixture for ThreadDelete {
    fn event_name(&self) -> &'static str {
        "THREAD_DELETE"
    }
    fn build(&self) -> Value {
        json!({"id": self.id.to_string(), "guild_id": self.guild_id.to_string(),
               "parent_id": self.parent_id.to_string(), "type": self.kind})
    }
}

/// GUILD_MEMBER_REMOVE: `user` left (or was removed from) the default guild.
pub fn guild_member_remove(user: User) -> GuildMemberRemove {
    GuildMemberRemove {
        guild_id: GUILD_ID,
        user,
    }
}

/// Builder for GUILD_MEMBER_REMOVE; see [`guild_member_remove`].
#[derive(Clone, Debug)]
pub struct GuildMemberRemove {
    pub guild_id: u64,
    pub user: User,
}

impl GuildMemberRemove {
    pub fn guild(mut self, guild_id: u64) -> Self {
        self.guild_id = guild_id;
        self
    }
}

impl Fixture for GuildMemberRemove {
    fn event_name(&self) -> &'static str {
        "GUILD_MEMBER_REMOVE"
    }
    fn build(&self) -> Value {
        json!({"guild_id": self.guild_id.to_string(), "user": self.user.to_json()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serenity::model::event::{Event, GatewayEvent};

    /// Deserializes a dispatch the way serenity's shard does and fails loudly where serenity
    /// would silently produce `Event::Unknown`.
    fn assert_known(fixture: &dyn Fixture) -> Event {
        let payload = fixture.build();
        let frame = json!({"op": 0, "s": 1, "t": fixture.event_name(), "d": payload});
        let event: GatewayEvent = serde_json::from_value(frame).expect("frame deserializes");
        let GatewayEvent::Dispatch(_, event) = event else {
            panic!("not a dispatch")
        };
        if let Event::Unknown(_) = event {
            panic!(
                "{} became Event::Unknown: {}",
                fixture.event_name(),
                diagnose(fixture.event_name(), payload)
            );
        }
        event
    }

    /// Deserializes into the concrete type to surface serde's message about what is missing.
    fn diagnose(name: &str, d: Value) -> String {
        use serenity::model::prelude::*;
        let r = match name {
            "INTERACTION_CREATE" => serde_json::from_value::<Interaction>(d).map(|_| ()),
            "MESSAGE_CREATE" => {
                serde_json::from_value::<serenity::model::channel::Message>(d).map(|_| ())
            }
            "GUILD_CREATE" => {
                serde_json::from_value::<serenity::model::guild::Guild>(d).map(|_| ())
            }
            "THREAD_DELETE" => serde_json::from_value::<PartialGuildChannel>(d).map(|_| ()),
            "GUILD_MEMBER_REMOVE" => {
                serde_json::from_value::<GuildMemberRemoveEvent>(d).map(|_| ())
            }
            _ => Ok(()),
        };
        format!("{r:?}")
    }

    #[test]
    fn slash_command_in_guild_deserializes_with_permissions() {
        let cmd = slash_command("practice")
            .subcommand(
                "start",
                vec![
                    opt::string("role", "backend"),
                    opt::integer("n", 3),
                    opt::boolean("b", true),
                ],
            )
            .permissions(perms::DEFAULT_MEMBER | perms::MANAGE_GUILD);
        let Event::InteractionCreate(ev) = assert_known(&cmd) else {
            panic!()
        };
        let serenity::model::application::Interaction::Command(c) = ev.interaction else {
            panic!("not a command")
        };
        assert_eq!(c.data.name, "practice");
        assert_eq!(c.guild_id.map(|g| g.get()), Some(GUILD_ID));
        assert_eq!(c.user.id.get(), USER_ID);
        let member = c.member.expect("member");
        assert!(member
            .permissions
            .expect("member.permissions")
            .manage_guild());
        assert!(c
            .app_permissions
            .expect("app_permissions")
            .send_messages_in_threads());
        assert_eq!(c.token, cmd.interaction_token());
        assert_eq!(c.data.options[0].name, "start");
    }

    #[test]
    fn slash_command_in_dm_and_thread_deserialize() {
        let dm = slash_command("help")
            .dm(7777)
            .option(opt::user("who", 42))
            .option(opt::number("x", 1.5));
        let Event::InteractionCreate(ev) = assert_known(&dm) else {
            panic!()
        };
        let c = ev.interaction.command().unwrap();
        assert!(c.guild_id.is_none());
        assert_eq!(c.user.id.get(), USER_ID);
        let th = slash_command("answer")
            .thread(GUILD_ID, 8888, CHANNEL_ID, 12)
            .option(opt::channel("c", 1))
            .option(opt::role("r", 2));
        let Event::InteractionCreate(ev) = assert_known(&th) else {
            panic!()
        };
        assert_eq!(ev.interaction.command().unwrap().channel_id.get(), 8888);
        let grouped = slash_command("admin").option(opt::group(
            "cfg",
            vec![opt::subcommand("set", vec![opt::string("k", "v")])],
        ));
        assert_known(&grouped);
    }

    #[test]
    fn autocomplete_deserializes_with_focused_option() {
        let ac = autocomplete("practice", "role", "back")
            .subcommand("start")
            .option(opt::integer("n", 2));
        let Event::InteractionCreate(ev) = assert_known(&ac) else {
            panic!()
        };
        let serenity::model::application::Interaction::Autocomplete(a) = ev.interaction else {
            panic!("not autocomplete")
        };
        let focused = a.data.autocomplete().expect("focused option");
        assert_eq!((focused.name, focused.value), ("role", "back"));
    }

    #[test]
    fn button_deserializes_with_message() {
        let b = button("next-question").message_id(555);
        let Event::InteractionCreate(ev) = assert_known(&b) else {
            panic!()
        };
        let c = ev.interaction.message_component().expect("component");
        assert_eq!(c.data.custom_id, "next-question");
        assert_eq!(c.message.id.get(), 555);
        assert!(c.member.unwrap().permissions.is_some());
        let custom = button("x").message(bot_message(9, CHANNEL_ID, "hi", json!([])));
        assert_known(&custom);
    }

    #[test]
    fn modal_submit_deserializes_with_values() {
        let m = modal_submit("answer-modal")
            .field("answer", "My answer")
            .field("notes", "");
        let Event::InteractionCreate(ev) = assert_known(&m) else {
            panic!()
        };
        let s = ev.interaction.modal_submit().expect("modal");
        assert_eq!(s.data.custom_id, "answer-modal");
        let serenity::model::application::ActionRowComponent::InputText(t) =
            &s.data.components[0].components[0]
        else {
            panic!("not a text input")
        };
        assert_eq!(t.value.as_deref(), Some("My answer"));
        let dm = modal_submit("m")
            .dm(5)
            .field("a", "b")
            .message(bot_message(3, 5, "q", json!([])));
        assert_known(&dm);
    }

    #[test]
    fn message_create_in_channel_thread_and_dm() {
        let Event::MessageCreate(ev) = assert_known(&message_create("hello").in_thread(9999))
        else {
            panic!()
        };
        assert_eq!(
            ev.message.guild_id.map(|g| g.get()),
            Some(GUILD_ID),
            "guild_id must survive for thread messages"
        );
        assert_eq!(ev.message.channel_id.get(), 9999);
        assert_eq!(ev.message.content, "hello");
        assert_known(
            &message_create("hi")
                .dm(77)
                .mention(User::bot(BOT_ID, "bot"))
                .reply_to(5),
        );
    }

    #[test]
    fn thread_delete_member_remove_and_guild_create() {
        let Event::ThreadDelete(ev) = assert_known(&thread_delete(9999, CHANNEL_ID)) else {
            panic!()
        };
        assert_eq!(ev.thread.id.get(), 9999);
        let Event::GuildMemberRemove(ev) = assert_known(&guild_member_remove(User::alice())) else {
            panic!()
        };
        assert_eq!(ev.user.id.get(), USER_ID);
        let guild = Guild::default_guild().channel(3001, "forum", 15);
        let Event::GuildCreate(ev) = assert_known(&guild_create(&guild, &User::bot(BOT_ID, "bot")))
        else {
            panic!()
        };
        assert_eq!(ev.guild.channels.len(), 2);
        assert_eq!(ev.guild.members.len(), 2);
        assert!(ev.guild.roles.len() == 1);
    }
}
