//! Reactions on stored messages: emoji as Discord names them in routes, who reacted with
//! what, and the `reactions` array Discord puts on message objects.

use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::model::Model;
use crate::util::id_of;
use crate::FakeDiscord;

/// Discord allows this many different emoji on one message (error 30010 beyond).
pub(crate) const MAX_DISTINCT: usize = 20;

/// An emoji as a reaction: unicode (`id` none) or a custom emoji.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Emoji {
    pub name: String,
    pub id: Option<u64>,
    pub animated: bool,
}

impl Emoji {
    /// Parses the `{emoji}` of a reaction route: a URL-encoded unicode emoji (`%E2%9C%85`)
    /// or `name:id` for a custom one. `None` is what Discord answers `10014 Unknown Emoji` to.
    pub fn from_route(segment: &str) -> Option<Emoji> {
        let decoded = percent_decode_str(segment).decode_utf8().ok()?;
        Emoji::parse(&decoded)
    }

    /// Parses an emoji written as in a route, but not URL-encoded: `✅` or `name:id`.
    pub fn parse(s: &str) -> Option<Emoji> {
        if let Some((name, id)) = s.split_once(':') {
            let name_ok = (2..=32).contains(&name.chars().count())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let id = id.parse::<u64>().ok().filter(|_| name_ok)?;
            return Some(Emoji {
                name: name.to_string(),
                id: Some(id),
                animated: false,
            });
        }
        // Unicode emoji: no letters, spaces or punctuation of ASCII, apart from the digits,
        // `#` and `*` that keycap sequences start with.
        let count = s.chars().count();
        let plausible = (1..=16).contains(&count)
            && !s.is_ascii()
            && s.chars().all(|c| {
                !c.is_whitespace()
                    && !c.is_control()
                    && (!c.is_ascii() || c.is_ascii_digit() || c == '#' || c == '*')
            });
        plausible.then(|| Emoji {
            name: s.to_string(),
            id: None,
            animated: false,
        })
    }

    /// From a reaction's `emoji` object in a gateway payload.
    pub fn from_json(v: &Value) -> Option<Emoji> {
        Some(Emoji {
            name: v["name"].as_str()?.to_string(),
            id: id_of(&v["id"]),
            animated: v["animated"].as_bool().unwrap_or(false),
        })
    }

    /// How tests name it: the unicode emoji itself, or `name:id`.
    pub fn key(&self) -> String {
        match self.id {
            Some(id) => format!("{}:{id}", self.name),
            None => self.name.clone(),
        }
    }

    /// The `emoji` object of reactions and reaction events.
    pub fn to_json(&self) -> Value {
        match self.id {
            Some(id) => json!({"id": id.to_string(), "name": self.name, "animated": self.animated}),
            None => json!({"id": null, "name": self.name}),
        }
    }
}

/// Who reacted to a message with one emoji, in the order they did.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ReactionState {
    pub emoji: Emoji,
    pub users: Vec<u64>,
}

/// Why a reaction could not be added.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AddError {
    UnknownMessage,
    TooManyEmoji,
}

impl Model {
    /// Adds `user`'s reaction; `Ok(false)` if it was already there.
    pub fn add_reaction(&mut self, mid: u64, emoji: &Emoji, user: u64) -> Result<bool, AddError> {
        let bot = self.bot_id;
        let m = self
            .messages
            .get_mut(&mid)
            .ok_or(AddError::UnknownMessage)?;
        let full = m.reactions.len() >= MAX_DISTINCT;
        let added = match m
            .reactions
            .iter_mut()
            .find(|r| r.emoji.key() == emoji.key())
        {
            Some(r) if r.users.contains(&user) => false,
            Some(r) => {
                r.users.push(user);
                true
            }
            None if full => return Err(AddError::TooManyEmoji),
            None => {
                m.reactions.push(ReactionState {
                    emoji: emoji.clone(),
                    users: vec![user],
                });
                true
            }
        };
        sync_json(&mut m.json, &m.reactions, bot);
        Ok(added)
    }

    /// Removes reactions: one user's with one emoji, everyone's with one emoji (`user`
    /// `None`), or all (`emoji` `None`). Returns whether anything was removed.
    pub fn remove_reactions(&mut self, mid: u64, emoji: Option<&Emoji>, user: Option<u64>) -> bool {
        let bot = self.bot_id;
        let Some(m) = self.messages.get_mut(&mid) else {
            return false;
        };
        let before: usize = m.reactions.iter().map(|r| r.users.len()).sum();
        for r in m.reactions.iter_mut() {
            if emoji.is_none_or(|e| e.key() == r.emoji.key()) {
                r.users.retain(|u| user.is_some_and(|x| x != *u));
            }
        }
        m.reactions.retain(|r| !r.users.is_empty());
        let after: usize = m.reactions.iter().map(|r| r.users.len()).sum();
        sync_json(&mut m.json, &m.reactions, bot);
        after != before
    }

    /// The users who reacted with `emoji`, in the order they did.
    pub fn reaction_users(&self, mid: u64, emoji: &Emoji) -> Vec<u64> {
        self.messages
            .get(&mid)
            .and_then(|m| m.reactions.iter().find(|r| r.emoji.key() == emoji.key()))
            .map(|r| r.users.clone())
            .unwrap_or_default()
    }
}

/// Writes the message's `reactions` as Discord shows them (absent when there are none).
fn sync_json(json: &mut Value, reactions: &[ReactionState], bot: u64) {
    let Some(o) = json.as_object_mut() else {
        return;
    };
    if reactions.is_empty() {
        o.remove("reactions");
        return;
    }
    let list: Vec<Value> = reactions
        .iter()
        .map(|r| {
            json!({
                "emoji": r.emoji.to_json(),
                "count": r.users.len(),
                "count_details": {"burst": 0, "normal": r.users.len()},
                "burst_colors": [],
                "me_burst": false,
                "me": r.users.contains(&bot),
            })
        })
        .collect();
    o.insert("reactions".into(), Value::Array(list));
}

/// Lets the model learn from a MESSAGE_REACTION_ADD / _REMOVE the test dispatched.
pub(crate) fn observe(model: &mut Model, t: &str, d: &Value) {
    let (Some(mid), Some(user), Some(emoji)) = (
        id_of(&d["message_id"]),
        id_of(&d["user_id"]),
        Emoji::from_json(&d["emoji"]),
    ) else {
        return;
    };
    if t == "MESSAGE_REACTION_ADD" {
        let _ = model.add_reaction(mid, &emoji, user);
    } else {
        model.remove_reactions(mid, Some(&emoji), Some(user));
    }
}

impl FakeDiscord {
    /// The emoji the bot has reacted with on a message, in the order it did (`"✅"` for a
    /// unicode emoji, `"name:id"` for a custom one). Empty if the message is unknown or not in
    /// that channel.
    pub fn reactions(&self, channel_id: u64, message_id: u64) -> Vec<String> {
        let model = self.shared.model.lock().unwrap();
        let bot = self.shared.cfg.bot.id;
        model
            .messages
            .get(&message_id)
            .filter(|m| id_of(&m.json["channel_id"]) == Some(channel_id))
            .map(|m| {
                m.reactions
                    .iter()
                    .filter(|r| r.users.contains(&bot))
                    .map(|r| r.emoji.key())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Who reacted to a message with `emoji` (written as in [`Self::reactions`]), bot and
    /// users alike, in the order they did.
    pub fn reaction_users(&self, message_id: u64, emoji: &str) -> Vec<u64> {
        let Some(emoji) = Emoji::parse(emoji) else {
            return Vec::new();
        };
        self.shared
            .model
            .lock()
            .unwrap()
            .reaction_users(message_id, &emoji)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_emoji_are_decoded_and_checked_like_discord() {
        let check = Emoji::from_route("%E2%9C%85").unwrap();
        assert_eq!((check.key(), check.id), ("✅".to_string(), None));
        let custom = Emoji::from_route("party_blob:123456").unwrap();
        assert_eq!(custom.key(), "party_blob:123456");
        assert_eq!(custom.to_json()["id"], "123456");
        assert_eq!(Emoji::from_route("party_blob%3A123456"), Some(custom));
        assert!(
            Emoji::from_route("1%EF%B8%8F%E2%83%A3").is_some(),
            "keycap 1"
        );
        for bad in [
            "white_check_mark",
            "%3Awhite_check_mark%3A",
            "x:123",
            "name:abc",
            "",
            "%FF",
            "a%20%E2%9C%85",
        ] {
            assert_eq!(Emoji::from_route(bad), None, "{bad}");
        }
    }
}
