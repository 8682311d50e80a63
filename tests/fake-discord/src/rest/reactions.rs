//! Reaction routes: the bot's own (`@me`), removing others', listing who reacted, and the
//! gateway events Discord sends about them.

use serde_json::{json, Value};

use crate::fixtures::{intents, member_json};
use crate::reactions::{AddError, Emoji, MAX_DISTINCT};
use crate::util::id_of;

use super::{Handler, Reply};

impl Handler<'_> {
    /// The routes under `/reactions/{emoji_name}`.
    pub(super) fn reaction(&mut self) -> Reply {
        let mid = match self.message_in_channel() {
            Ok(mid) => mid,
            Err(r) => return r,
        };
        let Some(emoji) = Emoji::from_route(self.param("emoji_name")) else {
            self.violation(format!(
                "{:?} is neither a URL-encoded unicode emoji nor name:id [10014 Unknown Emoji]",
                self.param("emoji_name")
            ));
            return Reply::error(400, 10014, "Unknown Emoji");
        };
        let bot = self.shared.cfg.bot.id;
        let me = self.rec.route.ends_with("/@me");
        match (self.rec.method.as_str(), me) {
            ("PUT", _) => self.add_reaction(mid, &emoji),
            ("GET", _) => self.list_reactions(mid, &emoji),
            ("DELETE", true) => self.remove_reaction(mid, &emoji, bot),
            ("DELETE", false) if self.rec.param("user_id").is_some() => {
                let user = self.id("user_id").unwrap_or(0);
                self.remove_reaction(mid, &emoji, user)
            }
            _ => {
                if self.model.remove_reactions(mid, Some(&emoji), None) {
                    let mut d = self.reaction_event_base(mid);
                    d["emoji"] = emoji.to_json();
                    self.echo_reaction("MESSAGE_REACTION_REMOVE_EMOJI", d);
                }
                Reply::no_content()
            }
        }
    }

    pub(super) fn delete_all_reactions(&mut self) -> Reply {
        let mid = match self.message_in_channel() {
            Ok(mid) => mid,
            Err(r) => return r,
        };
        if self.model.remove_reactions(mid, None, None) {
            let d = self.reaction_event_base(mid);
            self.echo_reaction("MESSAGE_REACTION_REMOVE_ALL", d);
        }
        Reply::no_content()
    }

    fn add_reaction(&mut self, mid: u64, emoji: &Emoji) -> Reply {
        let channel_id = self.id("channel_id").unwrap_or(0);
        if self
            .model
            .channels
            .get(&channel_id)
            .is_some_and(|c| c.is_thread() && c.archived)
        {
            return Reply::archived();
        }
        let bot = self.bot_user();
        match self.model.add_reaction(mid, emoji, bot.id) {
            Ok(true) => {
                let mut d = self.reaction_event_base(mid);
                d["user_id"] = json!(bot.id.to_string());
                d["emoji"] = emoji.to_json();
                d["message_author_id"] = self.model.messages[&mid].json["author"]["id"].clone();
                d["burst"] = json!(false);
                d["burst_colors"] = json!([]);
                d["type"] = json!(0);
                if d.get("guild_id").is_some() {
                    d["member"] = member_json(Some(&bot), None, &[]);
                }
                self.echo_reaction("MESSAGE_REACTION_ADD", d);
                Reply::no_content()
            }
            Ok(false) => Reply::no_content(),
            Err(AddError::TooManyEmoji) => Reply::error(
                400,
                30010,
                &format!("Maximum number of reactions reached ({MAX_DISTINCT})"),
            ),
            Err(AddError::UnknownMessage) => Reply::unknown_message(),
        }
    }

    fn remove_reaction(&mut self, mid: u64, emoji: &Emoji, user: u64) -> Reply {
        if self.model.remove_reactions(mid, Some(emoji), Some(user)) {
            let mut d = self.reaction_event_base(mid);
            d["user_id"] = json!(user.to_string());
            d["emoji"] = emoji.to_json();
            d["burst"] = json!(false);
            d["type"] = json!(0);
            self.echo_reaction("MESSAGE_REACTION_REMOVE", d);
        }
        // Discord answers 204 whether or not there was a reaction to remove.
        Reply::no_content()
    }

    /// `GET .../reactions/{emoji}`: the users who reacted, by id, paged with `after` and
    /// `limit` (default 25, at most 100).
    fn list_reactions(&mut self, mid: u64, emoji: &Emoji) -> Reply {
        let query = self.rec.query.as_deref().unwrap_or("");
        let param = |key: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse::<u64>().ok())
        };
        let after = param("after").unwrap_or(0);
        let limit = param("limit").unwrap_or(25).clamp(1, 100) as usize;
        let mut users = self.model.reaction_users(mid, emoji);
        users.sort_unstable();
        let list: Vec<Value> = users
            .into_iter()
            .filter(|u| *u > after)
            .take(limit)
            .map(|u| {
                self.model
                    .users
                    .get(&u)
                    .cloned()
                    .unwrap_or_else(|| crate::User::new(u, "user"))
                    .to_json()
            })
            .collect();
        Reply::ok(Value::Array(list))
    }

    /// `channel_id`, `message_id` and (in a guild) `guild_id` of a reaction event.
    fn reaction_event_base(&self, mid: u64) -> Value {
        let channel_id = self.id("channel_id").unwrap_or(0);
        let mut d = json!({"channel_id": channel_id.to_string(), "message_id": mid.to_string()});
        let guild = self
            .model
            .channels
            .get(&channel_id)
            .and_then(|c| c.guild_id)
            .or_else(|| id_of(&self.model.messages[&mid].json["guild_id"]));
        if let Some(g) = guild {
            d["guild_id"] = json!(g.to_string());
        }
        d
    }

    fn echo_reaction(&self, t: &str, d: Value) {
        let intent = if d.get("guild_id").is_some() {
            intents::GUILD_MESSAGE_REACTIONS
        } else {
            intents::DIRECT_MESSAGE_REACTIONS
        };
        self.echo(t, d, intent);
    }
}
