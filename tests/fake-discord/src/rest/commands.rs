//! Application routes: the application itself, its gateway start-up data (`/gateway/bot`)
//! and its global and guild slash commands.

use serde_json::{json, Value};

use crate::model;
use crate::util::{id_of, next_snowflake};

use super::{Handler, Reply};

/// Sessions a bot may start per day (`session_start_limit.total`), Discord's for a bot not
/// on large-bot sharding.
const SESSION_STARTS_PER_DAY: u64 = 1000;

impl Handler<'_> {
    /// `GET /gateway/bot`: the URL, the shard count to run, and the session-start limit, whose
    /// `remaining` counts the sessions started on this fake.
    pub(super) fn gateway_bot(&self) -> Value {
        let cfg = &self.shared.cfg;
        let started = self.shared.gateway.sessions_started();
        json!({
            "url": self.shared.gateway_url(),
            "shards": cfg.shards,
            "session_start_limit": {
                "total": SESSION_STARTS_PER_DAY,
                "remaining": SESSION_STARTS_PER_DAY.saturating_sub(started),
                "reset_after": 14_400_000,
                "max_concurrency": cfg.max_concurrency,
            }
        })
    }

    pub(super) fn application_json(&self) -> Value {
        let cfg = &self.shared.cfg;
        json!({
            "id": cfg.application_id.to_string(),
            "name": cfg.bot.username,
            "icon": null,
            "description": "",
            "summary": "",
            "type": null,
            "bot_public": false,
            "bot_require_code_grant": false,
            "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
            "flags": 0,
            "owner": cfg.owner.to_json(),
            "team": null,
            "bot": cfg.bot.to_json(),
            "redirect_uris": [],
            "interactions_endpoint_url": null,
            "approximate_guild_count": cfg.guilds.len(),
            "integration_types_config": {"0": {}},
            "hook": true,
            "is_monetized": false,
        })
    }

    pub(super) fn check_application(&self) -> Option<Reply> {
        if self.id("application_id") != Some(self.shared.cfg.application_id) {
            self.violation(format!(
                "application id {} is not the bot's application ({})",
                self.param("application_id"),
                self.shared.cfg.application_id
            ));
            return Some(Reply::error(404, 10002, "Unknown Application"));
        }
        None
    }

    /// Like Discord, a guild's commands can only be set where the application was invited
    /// (with the `applications.commands` scope): elsewhere 403 `50001 Missing Access`.
    pub(super) fn check_guild(&self, guild: Option<u64>) -> Option<Reply> {
        let g = guild?;
        (!self.model.guilds.contains_key(&g)).then(|| Reply::error(403, 50001, "Missing Access"))
    }

    pub(super) fn command_json(&mut self, cmd: &Value, guild: Option<u64>) -> (Value, bool) {
        let mut c = model::strip_nulls(cmd);
        let kind = c.get("type").and_then(Value::as_u64).unwrap_or(1);
        let name = c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let key = (guild, kind, name);
        let existed = self.model.command_ids.contains_key(&key);
        let id = *self
            .model
            .command_ids
            .entry(key)
            .or_insert_with(next_snowflake);
        let o = c.as_object_mut().expect("validated: commands are objects");
        o.insert("id".into(), json!(id.to_string()));
        o.insert(
            "application_id".into(),
            json!(self.shared.cfg.application_id.to_string()),
        );
        o.insert("version".into(), json!(next_snowflake().to_string()));
        o.insert("type".into(), json!(kind));
        o.entry("description").or_insert_with(|| json!(""));
        o.entry("default_member_permissions").or_insert(Value::Null);
        o.entry("nsfw").or_insert_with(|| json!(false));
        o.entry("integration_types").or_insert_with(|| json!([0]));
        o.entry("contexts").or_insert(Value::Null);
        match guild {
            Some(g) => {
                o.insert("guild_id".into(), json!(g.to_string()));
            }
            None => {
                o.entry("dm_permission").or_insert_with(|| json!(true));
            }
        }
        (c, existed)
    }

    pub(super) fn put_commands(&mut self, guild: Option<u64>) -> Reply {
        if let Some(r) = self.check_application().or_else(|| self.check_guild(guild)) {
            return r;
        }
        let list = self.body().as_array().cloned().unwrap_or_default();
        let answer: Vec<Value> = list.iter().map(|c| self.command_json(c, guild).0).collect();
        // Bulk overwrite: commands kept by name keep their ids, the others are deleted.
        let kept: std::collections::HashSet<u64> =
            answer.iter().filter_map(|c| id_of(&c["id"])).collect();
        self.model
            .command_ids
            .retain(|(g, _, _), id| *g != guild || kept.contains(id));
        match guild {
            Some(g) => {
                self.model.commands_guild.insert(g, answer.clone());
            }
            None => self.model.commands_global = answer.clone(),
        }
        Reply::ok(json!(answer))
    }

    pub(super) fn post_command(&mut self, guild: Option<u64>) -> Reply {
        if let Some(r) = self.check_application().or_else(|| self.check_guild(guild)) {
            return r;
        }
        let body = self.body().clone();
        let (cmd, existed) = self.command_json(&body, guild);
        let list = match guild {
            Some(g) => self.model.commands_guild.entry(g).or_default(),
            None => &mut self.model.commands_global,
        };
        list.retain(|c| !(c["name"] == cmd["name"] && c["type"] == cmd["type"]));
        list.push(cmd.clone());
        Reply::json(if existed { 200 } else { 201 }, cmd)
    }
}
