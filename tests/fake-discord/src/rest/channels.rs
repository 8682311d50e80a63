//! Channel routes: messages (create, list, get, edit, delete), threads, guild text and
//! voice channels, channel edits, thread members and DMs.

use serde_json::{json, Value};

use crate::fixtures::intents;
use crate::model::{self, channel_type, Channel, MessageOrigin, NewMessage};
use crate::util::{id_of, next_snowflake, now_timestamp};

use super::{form_error_body, Handler, Reply};

impl Handler<'_> {
    pub(super) fn channel_for_post(&mut self) -> Result<u64, Reply> {
        let id = self.id("channel_id").unwrap_or(0);
        let Some(c) = self.model.channels.get_mut(&id) else {
            return Err(Reply::unknown_channel());
        };
        if c.is_thread() && c.archived {
            if c.locked {
                return Err(Reply::archived());
            }
            // Sending to an archived, unlocked thread unarchives it, as on Discord.
            c.archived = false;
            c.archive_timestamp = now_timestamp();
        }
        Ok(id)
    }

    pub(super) fn create_message(&mut self) -> Reply {
        let channel_id = match self.channel_for_post() {
            Ok(id) => id,
            Err(r) => return r,
        };
        let guild_id = self.model.channels[&channel_id].guild_id;
        let bot = self.bot_user();
        let body = self.body().clone();
        // Like Discord: with `enforce_nonce`, a repeat of a recent message's
        // nonce in the same channel returns that message instead of posting
        // a second one (how a bot makes a retried post idempotent).
        if body.get("enforce_nonce").and_then(Value::as_bool) == Some(true) {
            if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
                let existing = self.model.transcript.get(&channel_id).and_then(|ids| {
                    ids.iter()
                        .filter_map(|id| self.model.messages.get(id))
                        .find(|m| m.json.get("nonce") == Some(nonce))
                        .map(|m| m.json.clone())
                });
                if let Some(existing) = existing {
                    return Reply::ok(model::for_rest(&existing));
                }
            }
        }
        let attachments = match self.resolve_attachments(&body, &json!([]), channel_id, false) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let mut msg = NewMessage {
            channel_id,
            guild_id,
            author: &bot,
            body: &body,
            kind: 0,
            webhook_id: None,
            application_id: None,
            extra_flags: 0,
            interaction_metadata: None,
        }
        .build();
        if let Some(a) = attachments {
            msg["attachments"] = a;
        }
        self.model.add_message(msg.clone(), MessageOrigin::Rest);
        self.echo_message_create(&msg);
        Reply::ok(model::for_rest(&msg))
    }

    pub(super) fn list_messages(&mut self) -> Reply {
        let Some(channel_id) = self
            .id("channel_id")
            .filter(|id| self.model.channels.contains_key(id))
        else {
            return Reply::unknown_channel();
        };
        let limit = self
            .rec
            .query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("limit="))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(50)
            .clamp(1, 100);
        let ids = self
            .model
            .transcript
            .get(&channel_id)
            .cloned()
            .unwrap_or_default();
        let list: Vec<Value> = ids
            .iter()
            .rev()
            .take(limit)
            .filter_map(|id| self.model.messages.get(id))
            .map(|m| model::for_rest(&m.json))
            .collect();
        Reply::ok(json!(list))
    }

    pub(super) fn message_in_channel(&self) -> Result<u64, Reply> {
        let channel_id = self.id("channel_id").unwrap_or(0);
        if !self.model.channels.contains_key(&channel_id) {
            return Err(Reply::unknown_channel());
        }
        let mid = self.id("message_id").unwrap_or(0);
        match self.model.messages.get(&mid) {
            Some(m) if id_of(&m.json["channel_id"]) == Some(channel_id) => Ok(mid),
            _ => Err(Reply::unknown_message()),
        }
    }

    pub(super) fn get_message(&mut self) -> Reply {
        match self.message_in_channel() {
            Ok(mid) => Reply::ok(model::for_rest(&self.model.messages[&mid].json)),
            Err(r) => r,
        }
    }

    pub(super) fn edit_message(&mut self) -> Reply {
        let mid = match self.message_in_channel() {
            Ok(mid) => mid,
            Err(r) => return r,
        };
        if id_of(&self.model.messages[&mid].json["author"]["id"]) != Some(self.shared.cfg.bot.id) {
            return Reply::error(403, 50005, "Cannot edit a message authored by another user");
        }
        self.apply_message_edit(mid)
    }

    pub(super) fn delete_message(&mut self) -> Reply {
        match self.message_in_channel() {
            Ok(mid) => {
                self.model.remove_message(mid);
                Reply::no_content()
            }
            Err(r) => r,
        }
    }

    pub(super) fn create_thread(&mut self, from_message: Option<u64>) -> Reply {
        let parent_id = self.id("channel_id").unwrap_or(0);
        let Some(parent) = self.model.channels.get(&parent_id) else {
            return Reply::unknown_channel();
        };
        if parent.is_thread() || parent.kind == channel_type::DM {
            return Reply::wrong_channel_type();
        }
        let guild_id = parent.guild_id;
        let parent_kind = parent.kind;
        let body = self.body();
        let (id, kind) = match from_message {
            Some(mid) => {
                match self.model.messages.get(&mid) {
                    Some(m) if id_of(&m.json["channel_id"]) == Some(parent_id) => {}
                    _ => return Reply::unknown_message(),
                }
                // Only a thread counts: a text channel with this id is a placeholder made
                // for a message dispatched into the thread before it was created here.
                if self
                    .model
                    .channels
                    .get(&mid)
                    .is_some_and(Channel::is_thread)
                {
                    return Reply::error(
                        400,
                        160004,
                        "A thread has already been created for this message",
                    );
                }
                // A thread started from a message shares the message's id.
                (
                    mid,
                    if parent_kind == channel_type::GUILD_ANNOUNCEMENT {
                        channel_type::ANNOUNCEMENT_THREAD
                    } else {
                        channel_type::PUBLIC_THREAD
                    },
                )
            }
            None => {
                let kind = body["type"]
                    .as_u64()
                    .unwrap_or(channel_type::PRIVATE_THREAD as u64)
                    as u8;
                (next_snowflake(), kind)
            }
        };
        let mut thread = Channel::new(
            id,
            kind,
            body["name"].as_str().map(str::to_string),
            guild_id,
        );
        thread.parent_id = Some(parent_id);
        thread.owner_id = Some(self.shared.cfg.bot.id);
        thread.auto_archive_duration = body["auto_archive_duration"].as_u64().unwrap_or(1440);
        if kind == channel_type::PRIVATE_THREAD {
            thread.invitable = Some(body["invitable"].as_bool().unwrap_or(true));
        }
        thread.members.insert(self.shared.cfg.bot.id);
        if let Some(placeholder) = self.model.channels.get(&id) {
            thread.message_count = placeholder.message_count;
            thread.last_message_id = placeholder.last_message_id;
        }
        let json = thread.to_json(&self.model.users);
        self.model.channels.insert(id, thread);
        // The message it started from now shows the thread (and the HAS_THREAD flag).
        self.model.sync_thread_starter(id);
        let mut echo = json.clone();
        echo["newly_created"] = json!(true);
        self.echo("THREAD_CREATE", echo, intents::GUILDS);
        Reply::json(201, json)
    }

    /// `POST /guilds/{guild_id}/channels`: a text or voice channel in a configured guild,
    /// with the permission overwrites as sent (stored the way Discord returns them: ids and
    /// bit sets as strings). Echoed as CHANNEL_CREATE.
    pub(super) fn create_guild_channel(&mut self) -> Reply {
        let guild_id = self.id("guild_id").unwrap_or(0);
        if !self.model.guilds.contains_key(&guild_id) {
            return Reply::error(404, 10004, "Unknown Guild");
        }
        let body = self.body().clone();
        let kind = body["type"].as_u64().unwrap_or(0) as u8;
        if kind != channel_type::GUILD_TEXT && kind != channel_type::GUILD_VOICE {
            self.violation(format!(
                "fake-discord does not implement creating channels of type {kind}"
            ));
            return Reply::error(404, 0, "404: Not Found");
        }
        let as_string = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => "0".to_string(),
        };
        let mut overwrites = Vec::new();
        for o in body["permission_overwrites"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let kind = o["type"].as_u64();
            if o["id"].is_null() || !matches!(kind, Some(0 | 1)) {
                return Reply::error(400, 50035, "Invalid Form Body");
            }
            overwrites.push(json!({
                "id": as_string(&o["id"]),
                "type": kind,
                "allow": as_string(o.get("allow").unwrap_or(&json!("0"))),
                "deny": as_string(o.get("deny").unwrap_or(&json!("0"))),
            }));
        }
        let id = next_snowflake();
        let name = body["name"].as_str().map(str::to_string);
        let mut channel = Channel::new(id, kind, name, Some(guild_id));
        channel.parent_id = id_of(&body["parent_id"]);
        channel.permission_overwrites = overwrites;
        let json = channel.to_json(&self.model.users);
        self.model.channels.insert(id, channel);
        self.echo("CHANNEL_CREATE", json.clone(), intents::GUILDS);
        Reply::json(201, json)
    }

    pub(super) fn edit_channel(&mut self) -> Reply {
        let id = self.id("channel_id").unwrap_or(0);
        let body = self.body().clone();
        let Some(c) = self.model.channels.get_mut(&id) else {
            return Reply::unknown_channel();
        };
        if let Some(name) = body["name"].as_str() {
            c.name = Some(name.to_string());
        }
        if c.is_thread() {
            if let Some(a) = body["archived"].as_bool() {
                if a != c.archived {
                    c.archive_timestamp = now_timestamp();
                }
                c.archived = a;
            }
            if let Some(l) = body["locked"].as_bool() {
                c.locked = l;
            }
            if let Some(d) = body["auto_archive_duration"].as_u64() {
                c.auto_archive_duration = d;
            }
            if let Some(i) = body["invitable"].as_bool() {
                if c.kind == channel_type::PRIVATE_THREAD {
                    c.invitable = Some(i);
                }
            }
        }
        let json = c.to_json(&self.model.users);
        if c.is_thread() {
            self.model.sync_thread_starter(id);
            self.echo("THREAD_UPDATE", json.clone(), intents::GUILDS);
        }
        Reply::ok(json)
    }

    pub(super) fn thread_member(&mut self) -> Reply {
        let id = self.id("channel_id").unwrap_or(0);
        let user = self.id("user_id").unwrap_or(0);
        let Some(c) = self.model.channels.get_mut(&id) else {
            return Reply::unknown_channel();
        };
        if !c.is_thread() {
            return Reply::wrong_channel_type();
        }
        match self.rec.method.as_str() {
            "PUT" => {
                if c.archived {
                    return Reply::archived();
                }
                c.members.insert(user);
                Reply::no_content()
            }
            "DELETE" => {
                c.members.remove(&user);
                Reply::no_content()
            }
            _ => {
                if c.members.contains(&user) {
                    Reply::ok(
                        json!({"id": id.to_string(), "user_id": user.to_string(), "join_timestamp": c.create_timestamp, "flags": 0}),
                    )
                } else {
                    Reply::error(404, 10007, "Unknown Member")
                }
            }
        }
    }

    pub(super) fn create_dm(&mut self) -> Reply {
        let Some(user) = id_of(&self.body()["recipient_id"]) else {
            return Reply::json(
                400,
                form_error_body(&[(
                    vec!["recipient_id".into()],
                    "BASE_TYPE_REQUIRED",
                    "This field is required".into(),
                )]),
            );
        };
        let id = *self
            .model
            .dm_by_user
            .entry(user)
            .or_insert_with(next_snowflake);
        let c = self.model.channels.entry(id).or_insert_with(|| {
            let mut c = Channel::new(id, channel_type::DM, None, None);
            c.recipient = Some(user);
            c
        });
        Reply::ok(c.to_json(&self.model.users))
    }
}
