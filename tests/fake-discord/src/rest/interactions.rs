//! Interaction routes (callbacks, `@original`, follow-ups via the webhook routes) and
//! `observe_dispatch`, which lets the model learn from dispatches the test sends.

use std::time::Instant;

use serde_json::{json, Value};

use crate::model::{self, channel_type, Channel, InteractionState, MessageOrigin, NewMessage};
use crate::util::id_of;
use crate::Shared;

use super::{form_error_body, Handler, Reply};

impl Handler<'_> {
    pub(super) fn callback(&mut self) -> Reply {
        let id = self.id("interaction_id").unwrap_or(0);
        let token = self.param("interaction_token").to_string();
        let deadline = self.shared.cfg.interaction_deadline;
        let cb_type = self.body()["type"].as_u64().unwrap_or(0);
        let Some(inter) = self.model.interactions.get(&id) else {
            self.violation(format!(
                "callback for interaction {id}, which was never dispatched"
            ));
            return Reply::unknown_interaction();
        };
        if inter.token != token {
            self.violation(format!(
                "callback token does not belong to interaction {id}"
            ));
            return Reply::unknown_interaction();
        }
        if let Some(prev) = inter.acked {
            self.violation(format!(
                "interaction {id} answered twice (first with callback type {prev}, now {cb_type})"
            ));
            return Reply::error(400, 40060, "Interaction has already been acknowledged.");
        }
        let elapsed = self.rec.at.saturating_duration_since(inter.dispatched_at);
        if let Some(limit) = deadline {
            if elapsed > limit {
                self.violation(format!("interaction {id} answered {elapsed:?} after dispatch; Discord allows {limit:?}"));
                return Reply::unknown_interaction();
            }
        }
        let allowed: &[u64] = match inter.kind {
            2 => &[4, 5, 9],
            3 => &[4, 5, 6, 7, 9],
            4 => &[8],
            5 => &[4, 5, 6, 7],
            _ => &[4, 5, 6, 7, 8, 9],
        };
        if !allowed.contains(&cb_type) {
            self.violation(format!(
                "callback type {cb_type} is not valid for interaction type {} (allowed: {allowed:?})",
                inter.kind
            ));
            return Reply::json(
                400,
                form_error_body(&[(
                    vec!["type".into()],
                    "INTERACTION_RESPONSE_TYPE_INVALID",
                    format!(
                        "Interaction response type {cb_type} is not valid for this interaction."
                    ),
                )]),
            );
        }
        let kind = inter.kind;
        let component_message = inter.component_message;
        let data = self
            .body()
            .get("data")
            .filter(|d| d.is_object())
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut original = None;
        match cb_type {
            4 | 5 => {
                let message_kind = if kind == 2 { 20 } else { 0 };
                let loading = if cb_type == 5 { model::FLAG_LOADING } else { 0 };
                let msg = match self.interaction_message(id, &data, message_kind, loading) {
                    Ok(m) => m,
                    Err(r) => return r,
                };
                let mid = self.model.add_message(
                    msg.clone(),
                    MessageOrigin::InteractionResponse { interaction_id: id },
                );
                original = Some(mid);
                if cb_type == 4 {
                    self.echo_message_create(&msg);
                }
            }
            7 => {
                if let Some(mid) = component_message.filter(|m| self.model.messages.contains_key(m))
                {
                    let mut m = self.model.messages[&mid].json.clone();
                    if let Err(r) = self.edit_stored(&mut m, &data) {
                        return r;
                    }
                    self.model.messages.get_mut(&mid).expect("checked").json = m;
                }
            }
            9 => {
                let user = id_of(&self.model.interactions[&id].user["id"]).unwrap_or(0);
                if let Some(custom_id) = data["custom_id"].as_str() {
                    self.model
                        .open_modals
                        .insert((user, custom_id.to_string()), id);
                }
            }
            _ => {}
        }
        let inter = self.model.interactions.get_mut(&id).expect("checked above");
        inter.acked = Some(cb_type);
        inter.original_message = original;
        Reply::no_content()
    }

    /// Finds the interaction a webhook route refers to (the application id plus the
    /// interaction token).
    pub(super) fn webhook_interaction(&self) -> Result<u64, Reply> {
        let webhook_id = self.id("webhook_id");
        let token = self.param("webhook_token");
        if webhook_id != Some(self.shared.cfg.application_id) {
            self.violation(format!(
                "webhook {} is not the application's ({}); interaction follow-ups use the application id",
                self.param("webhook_id"),
                self.shared.cfg.application_id
            ));
            return Err(Reply::unknown_webhook());
        }
        match self.model.interaction_by_token.get(token) {
            Some(id) => Ok(*id),
            None => {
                self.violation(format!(
                    "webhook token {token:.40} belongs to no dispatched interaction"
                ));
                Err(Reply::unknown_webhook())
            }
        }
    }

    /// A message the bot posts through interaction `id` (its reply or a follow-up),
    /// in the interaction's channel, carrying the interaction's metadata.
    /// Answers with Discord's refusal when its files are refused.
    fn interaction_message(
        &mut self,
        id: u64,
        body: &Value,
        kind: u64,
        extra_flags: u64,
    ) -> Result<Value, Reply> {
        let channel_id = self.model.interactions[&id].channel_id;
        let flags = body["flags"].as_u64().unwrap_or(0) | extra_flags;
        let ephemeral = flags & model::FLAG_EPHEMERAL != 0;
        let attachments = self.resolve_attachments(body, &json!([]), channel_id, ephemeral)?;
        let meta = interaction_metadata(self.model, id);
        let bot = self.bot_user();
        let mut msg = NewMessage {
            channel_id,
            guild_id: self
                .model
                .channels
                .get(&channel_id)
                .and_then(|c| c.guild_id),
            author: &bot,
            body,
            kind,
            webhook_id: Some(self.shared.cfg.application_id),
            application_id: Some(self.shared.cfg.application_id),
            extra_flags,
            interaction_metadata: Some(meta),
        }
        .build();
        if let Some(a) = attachments {
            msg["attachments"] = a;
        }
        Ok(msg)
    }

    pub(super) fn followup(&mut self) -> Reply {
        let id = match self.webhook_interaction() {
            Ok(id) => id,
            Err(r) => return r,
        };
        let inter = &self.model.interactions[&id];
        if inter.acked.is_none() {
            self.violation(format!(
                "follow-up for interaction {id} before it was acknowledged with a callback"
            ));
            return Reply::unknown_webhook();
        }
        let body = self.body().clone();
        let msg = match self.interaction_message(id, &body, 0, 0) {
            Ok(m) => m,
            Err(r) => return r,
        };
        let mid = self
            .model
            .add_message(msg.clone(), MessageOrigin::Followup { interaction_id: id });
        self.model
            .interactions
            .get_mut(&id)
            .expect("exists")
            .followups
            .push(mid);
        self.echo_message_create(&msg);
        Reply::ok(model::for_rest(&msg))
    }

    /// GET/PATCH/DELETE of `@original` (`which == None`) or a follow-up message.
    pub(super) fn webhook_message(&mut self, which: Option<u64>) -> Reply {
        let id = match self.webhook_interaction() {
            Ok(id) => id,
            Err(r) => return r,
        };
        let inter = &self.model.interactions[&id];
        let target = match which {
            // For components acknowledged with 6/7, @original is the message they were on.
            None => inter
                .original_message
                .or(if matches!(inter.acked, Some(6 | 7)) {
                    inter.component_message
                } else {
                    None
                }),
            Some(mid) if inter.followups.contains(&mid) || inter.original_message == Some(mid) => {
                Some(mid)
            }
            Some(_) => None,
        };
        let Some(mid) = target.filter(|m| self.model.messages.contains_key(m)) else {
            if which.is_none() && inter.acked.is_none() {
                self.violation(format!(
                    "@original of interaction {id} used before the interaction was acknowledged"
                ));
            }
            return Reply::unknown_message();
        };
        match self.rec.method.as_str() {
            "GET" => Reply::ok(model::for_rest(&self.model.messages[&mid].json)),
            "DELETE" => {
                self.model.remove_message(mid);
                Reply::no_content()
            }
            _ => self.apply_message_edit(mid),
        }
    }
}

fn inter_user(inter: &InteractionState) -> Value {
    inter.user.clone()
}

/// `interaction_metadata` of a message posted through interaction `id`, as Discord shapes
/// it per interaction type: a component's names the message it was on
/// (`interacted_message_id`), a modal submit's holds the metadata of the interaction that
/// opened the modal (`triggering_interaction_metadata`; a command, when the fake did not
/// see it opened).
pub(super) fn interaction_metadata(model: &model::Model, id: u64) -> Value {
    let inter = &model.interactions[&id];
    let mut meta = json!({"id": id.to_string(), "type": inter.kind, "user": inter_user(inter), "authorizing_integration_owners": {}});
    match inter.kind {
        3 => {
            if let Some(mid) = inter.component_message {
                meta["interacted_message_id"] = json!(mid.to_string());
            }
        }
        5 => {
            meta["triggering_interaction_metadata"] = match inter.triggered_by {
                Some(opener) if opener != id && model.interactions.contains_key(&opener) => {
                    interaction_metadata(model, opener)
                }
                _ => {
                    json!({"id": id.to_string(), "type": 2, "user": inter_user(inter), "authorizing_integration_owners": {}})
                }
            };
        }
        _ => {}
    }
    meta
}

/// Lets the model learn from a dispatch the test sends: interactions become answerable,
/// user messages join transcripts, deleted threads disappear.
pub(crate) fn observe_dispatch(shared: &Shared, t: &str, d: &Value) {
    let mut model = shared.model.lock().unwrap();
    let guild_id = id_of(&d["guild_id"]);
    match t {
        "INTERACTION_CREATE" => {
            let Some(id) = id_of(&d["id"]) else { return };
            let channel_id = id_of(&d["channel_id"])
                .or_else(|| id_of(&d["channel"]["id"]))
                .unwrap_or(0);
            let kind =
                d["channel"]["type"]
                    .as_u64()
                    .map(|k| k as u8)
                    .unwrap_or(if guild_id.is_some() {
                        0
                    } else {
                        channel_type::DM
                    });
            model.ensure_channel(
                channel_id,
                kind,
                guild_id,
                id_of(&d["channel"]["parent_id"]),
            );
            let user = if d["member"]["user"].is_object() {
                d["member"]["user"].clone()
            } else {
                d["user"].clone()
            };
            if let (Some(c), Some(uid)) = (model.channels.get_mut(&channel_id), id_of(&user["id"]))
            {
                if c.kind == channel_type::DM && c.recipient.is_none() {
                    c.recipient = Some(uid);
                }
            }
            let component_message = id_of(&d["message"]["id"]);
            if let Some(mid) = component_message {
                if !model.messages.contains_key(&mid) {
                    let mut m = d["message"].clone();
                    m["channel_id"] = json!(channel_id.to_string());
                    model.add_message(m, MessageOrigin::Gateway);
                }
            }
            let token = d["token"].as_str().unwrap_or_default().to_string();
            model.interaction_by_token.insert(token.clone(), id);
            let kind = d["type"].as_u64().unwrap_or(0);
            let triggered_by = match (kind, id_of(&user["id"]), d["data"]["custom_id"].as_str()) {
                (5, Some(uid), Some(custom_id)) => {
                    model.open_modals.remove(&(uid, custom_id.to_string()))
                }
                _ => None,
            };
            model.interactions.insert(
                id,
                InteractionState {
                    token,
                    kind,
                    channel_id,
                    user,
                    dispatched_at: Instant::now(),
                    acked: None,
                    original_message: None,
                    component_message,
                    triggered_by,
                    followups: Vec::new(),
                },
            );
        }
        "MESSAGE_CREATE" => {
            let channel_id = id_of(&d["channel_id"]).unwrap_or(0);
            model.ensure_channel(
                channel_id,
                if guild_id.is_some() {
                    channel_type::GUILD_TEXT
                } else {
                    channel_type::DM
                },
                guild_id,
                None,
            );
            if guild_id.is_none() {
                let author = id_of(&d["author"]["id"]);
                if let Some(c) = model.channels.get_mut(&channel_id) {
                    c.recipient = c.recipient.or(author);
                }
            }
            let mut m = d.clone();
            if let Some(o) = m.as_object_mut() {
                o.remove("member");
            }
            model.add_message(m, MessageOrigin::Gateway);
        }
        "MESSAGE_DELETE" => {
            if let Some(id) = id_of(&d["id"]) {
                model.remove_message(id);
            }
        }
        "THREAD_CREATE" | "CHANNEL_CREATE" | "THREAD_UPDATE" | "CHANNEL_UPDATE" => {
            let Some(id) = id_of(&d["id"]) else { return };
            let kind = d["type"].as_u64().unwrap_or(0) as u8;
            let mut c = model
                .channels
                .remove(&id)
                .unwrap_or_else(|| Channel::new(id, kind, None, guild_id));
            c.kind = kind;
            c.name = d["name"].as_str().map(str::to_string).or(c.name);
            c.guild_id = guild_id.or(c.guild_id);
            c.parent_id = id_of(&d["parent_id"]).or(c.parent_id);
            c.owner_id = id_of(&d["owner_id"]).or(c.owner_id);
            let meta = &d["thread_metadata"];
            c.archived = meta["archived"].as_bool().unwrap_or(c.archived);
            c.locked = meta["locked"].as_bool().unwrap_or(c.locked);
            c.auto_archive_duration = meta["auto_archive_duration"]
                .as_u64()
                .unwrap_or(c.auto_archive_duration);
            c.invitable = meta["invitable"].as_bool().or(c.invitable);
            model.channels.insert(id, c);
        }
        "THREAD_DELETE" | "CHANNEL_DELETE" => {
            if let Some(id) = id_of(&d["id"]) {
                model.channels.remove(&id);
                model.sync_thread_starter(id);
            }
        }
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => {
            crate::reactions::observe(&mut model, t, d);
        }
        "GUILD_MEMBER_REMOVE" => {
            if let Some(user) = id_of(&d["user"]["id"]) {
                for c in model
                    .channels
                    .values_mut()
                    .filter(|c| c.guild_id == guild_id && c.is_thread())
                {
                    c.members.remove(&user);
                }
            }
        }
        _ => {}
    }
}
