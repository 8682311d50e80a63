//! Discord's documented limits (things the real API rejects with a 400 even when the OpenAPI
//! schema is silent or looser, e.g. message content is 4000 in the schema but 2000 for bots)
//! and the project's "never ping anyone" policy.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

/// What kind of problem a check found, which decides how the fake answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Real Discord answers 400 `Invalid Form Body` (code 50035).
    FormError,
    /// Real Discord answers 400 `Cannot send an empty message` (code 50006).
    EmptyMessage,
    /// Allowed by Discord, forbidden by project policy: answered normally, recorded.
    Policy,
}

#[derive(Clone, Debug)]
pub struct Problem {
    pub path: Vec<String>,
    pub code: &'static str,
    pub message: String,
    pub severity: Severity,
}

/// Message flag that switches a message to "components v2" (different component limits).
const IS_COMPONENTS_V2: u64 = 1 << 15;

struct Checker {
    problems: Vec<Problem>,
    path: Vec<String>,
}

impl Checker {
    fn new() -> Self {
        Checker {
            problems: Vec::new(),
            path: Vec::new(),
        }
    }

    fn push(&mut self, rel: &[&str], code: &'static str, message: String, severity: Severity) {
        let mut path = self.path.clone();
        path.extend(rel.iter().map(|s| s.to_string()));
        self.problems.push(Problem {
            path,
            code,
            message,
            severity,
        });
    }

    fn form(&mut self, rel: &[&str], code: &'static str, message: String) {
        self.push(rel, code, message, Severity::FormError);
    }

    fn scoped(&mut self, seg: impl Into<String>, f: impl FnOnce(&mut Self)) {
        self.path.push(seg.into());
        f(self);
        self.path.pop();
    }

    fn max_chars(&mut self, v: &Value, key: &str, max: usize) -> usize {
        match v.get(key).and_then(Value::as_str) {
            Some(s) => {
                let n = s.chars().count();
                if n > max {
                    self.form(
                        &[key],
                        "BASE_TYPE_MAX_LENGTH",
                        format!("Must be {max} or fewer in length (got {n})."),
                    );
                }
                n
            }
            None => 0,
        }
    }

    fn bounded_chars(&mut self, v: &Value, key: &str, min: usize, max: usize, required: bool) {
        match v.get(key) {
            Some(Value::String(s)) => {
                let n = s.chars().count();
                if n < min || n > max {
                    self.form(
                        &[key],
                        "BASE_TYPE_BAD_LENGTH",
                        format!("Must be between {min} and {max} in length (got {n})."),
                    );
                }
            }
            None | Some(Value::Null) if required => self.form(
                &[key],
                "BASE_TYPE_REQUIRED",
                "This field is required".into(),
            ),
            _ => {}
        }
    }

    fn max_items(&mut self, v: &Value, key: &str, max: usize) -> usize {
        match v.get(key).and_then(Value::as_array) {
            Some(a) => {
                if a.len() > max {
                    self.form(
                        &[key],
                        "BASE_TYPE_MAX_LENGTH",
                        format!("Must be {max} or fewer in length (got {}).", a.len()),
                    );
                }
                a.len()
            }
            None => 0,
        }
    }

    /// A message body being created or edited (channel message, webhook, callback data).
    fn message(&mut self, body: &Value, create: bool) {
        self.max_chars(body, "content", 2000);
        self.max_items(body, "embeds", 10);
        let mut total = 0usize;
        if let Some(embeds) = body.get("embeds").and_then(Value::as_array) {
            for (i, embed) in embeds.iter().enumerate() {
                self.scoped("embeds", |c| {
                    c.scoped(i.to_string(), |c| total += c.embed(embed))
                });
            }
        }
        if total > 6000 {
            self.form(
                &["embeds"],
                "BASE_TYPE_MAX_LENGTH",
                format!("Embed size exceeds maximum size of 6000 (got {total})."),
            );
        }
        let flags = body.get("flags").and_then(Value::as_u64).unwrap_or(0);
        if let Some(rows) = body.get("components").and_then(Value::as_array) {
            if flags & IS_COMPONENTS_V2 == 0 {
                self.legacy_components(rows);
            }
        }
        if create && is_empty_message(body) {
            self.push(
                &[],
                "MESSAGE_EMPTY",
                "Cannot send an empty message".into(),
                Severity::EmptyMessage,
            );
        }
    }

    /// Returns the embed's character count toward the 6000 total.
    fn embed(&mut self, e: &Value) -> usize {
        let mut total = self.max_chars(e, "title", 256) + self.max_chars(e, "description", 4096);
        self.max_items(e, "fields", 25);
        if let Some(fields) = e.get("fields").and_then(Value::as_array) {
            for (i, f) in fields.iter().enumerate() {
                self.scoped("fields", |c| {
                    c.scoped(i.to_string(), |c| {
                        c.bounded_chars(f, "name", 1, 256, true);
                        c.bounded_chars(f, "value", 1, 1024, true);
                        total += chars(f, "name") + chars(f, "value");
                    })
                });
            }
        }
        if let Some(footer) = e.get("footer").filter(|f| f.is_object()) {
            self.scoped("footer", |c| total += c.max_chars(footer, "text", 2048));
        }
        if let Some(author) = e.get("author").filter(|a| a.is_object()) {
            self.scoped("author", |c| total += c.max_chars(author, "name", 256));
        }
        total
    }

    fn legacy_components(&mut self, rows: &[Value]) {
        if rows.len() > 5 {
            self.form(
                &["components"],
                "BASE_TYPE_MAX_LENGTH",
                format!(
                    "Must be 5 or fewer in length (got {} action rows).",
                    rows.len()
                ),
            );
        }
        let mut custom_ids = HashSet::new();
        for (r, row) in rows.iter().enumerate() {
            let r = r.to_string();
            if row.get("type").and_then(Value::as_u64) != Some(1) {
                self.form(
                    &["components", &r, "type"],
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "Top-level components must be action rows (type 1) unless the IS_COMPONENTS_V2 flag is set.".into(),
                );
                continue;
            }
            let children = row
                .get("components")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if children.is_empty() || children.len() > 5 {
                self.form(
                    &["components", &r, "components"],
                    "BASE_TYPE_BAD_LENGTH",
                    format!(
                        "Must be between 1 and 5 in length (got {}).",
                        children.len()
                    ),
                );
            }
            let has_select = children
                .iter()
                .any(|c| matches!(c.get("type").and_then(Value::as_u64), Some(3 | 5..=8)));
            if has_select && children.len() > 1 {
                self.form(
                    &["components", &r, "components"],
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "A select menu must be alone in its action row.".into(),
                );
            }
            for (i, comp) in children.iter().enumerate() {
                let i = i.to_string();
                self.scoped("components", |c| {
                    c.scoped(r.clone(), |c| {
                        c.scoped("components", |c| {
                            c.scoped(i, |c| c.component(comp, &mut custom_ids))
                        })
                    })
                });
            }
        }
    }

    fn component(&mut self, comp: &Value, custom_ids: &mut HashSet<String>) {
        let kind = comp.get("type").and_then(Value::as_u64).unwrap_or(0);
        self.max_chars(comp, "custom_id", 100);
        if let Some(id) = comp.get("custom_id").and_then(Value::as_str) {
            if !custom_ids.insert(id.to_string()) {
                self.form(
                    &["custom_id"],
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    format!("Component custom id \"{id}\" cannot be duplicated."),
                );
            }
        }
        match kind {
            2 => {
                self.max_chars(comp, "label", 80);
                let style = comp.get("style").and_then(Value::as_u64).unwrap_or(0);
                let has_custom_id = comp.get("custom_id").is_some_and(|v| !v.is_null());
                let has_url = comp.get("url").is_some_and(|v| !v.is_null());
                match style {
                    1..=4 if !has_custom_id => self.form(
                        &["custom_id"],
                        "BASE_TYPE_REQUIRED",
                        "A non-link button needs a custom_id.".into(),
                    ),
                    1..=4 if has_url => self.form(
                        &["url"],
                        "BUTTON_COMPONENT_URL_NOT_ALLOWED",
                        "A non-link button cannot have a url.".into(),
                    ),
                    5 if !has_url => self.form(
                        &["url"],
                        "BASE_TYPE_REQUIRED",
                        "A link button needs a url.".into(),
                    ),
                    5 if has_custom_id => self.form(
                        &["custom_id"],
                        "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                        "A link button cannot have a custom_id.".into(),
                    ),
                    _ => {}
                }
            }
            3 | 5..=8 => {
                self.max_chars(comp, "placeholder", 150);
                if kind == 3 {
                    let n = comp
                        .get("options")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    if n == 0 || n > 25 {
                        self.form(
                            &["options"],
                            "BASE_TYPE_BAD_LENGTH",
                            format!("Must be between 1 and 25 in length (got {n})."),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn modal(&mut self, data: &Value) {
        self.bounded_chars(data, "title", 1, 45, true);
        self.bounded_chars(data, "custom_id", 1, 100, true);
        let rows = data
            .get("components")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if rows.is_empty() || rows.len() > 5 {
            self.form(
                &["components"],
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between 1 and 5 in length (got {}).", rows.len()),
            );
        }
        for (r, row) in rows.iter().enumerate() {
            // Text inputs sit in an action row (type 1) or, in newer layouts, a label (type 18).
            let inputs: Vec<(&str, &Value)> = match row.get("type").and_then(Value::as_u64) {
                Some(1) => row
                    .get("components")
                    .and_then(Value::as_array)
                    .map(|c| c.iter().map(|x| ("components", x)).collect())
                    .unwrap_or_default(),
                Some(18) => row
                    .get("component")
                    .map(|x| vec![("component", x)])
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            for (i, (key, input)) in inputs.into_iter().enumerate() {
                if input.get("type").and_then(Value::as_u64) != Some(4) {
                    continue;
                }
                let mut rel = vec!["components".to_string(), r.to_string(), key.to_string()];
                if key == "components" {
                    rel.push(i.to_string());
                }
                let saved = self.path.len();
                self.path.extend(rel);
                self.max_chars(input, "label", 45);
                self.max_chars(input, "placeholder", 100);
                let value_len = self.max_chars(input, "value", 4000);
                if let Some(max) = input.get("max_length").and_then(Value::as_u64) {
                    if max == 0 || max > 4000 {
                        self.form(
                            &["max_length"],
                            "NUMBER_TYPE_MAX",
                            format!("max_length must be between 1 and 4000 (got {max})."),
                        );
                    } else if value_len as u64 > max {
                        self.form(
                            &["value"],
                            "BASE_TYPE_MAX_LENGTH",
                            format!("Must be {max} or fewer in length (got {value_len})."),
                        );
                    }
                }
                if let Some(min) = input.get("min_length").and_then(Value::as_u64) {
                    if min > 4000 {
                        self.form(
                            &["min_length"],
                            "NUMBER_TYPE_MAX",
                            format!("min_length must be at most 4000 (got {min})."),
                        );
                    }
                }
                self.path.truncate(saved);
            }
        }
    }

    fn autocomplete(&mut self, data: &Value) {
        self.max_items(data, "choices", 25);
        if let Some(choices) = data.get("choices").and_then(Value::as_array) {
            for (i, choice) in choices.iter().enumerate() {
                self.scoped("choices", |c| {
                    c.scoped(i.to_string(), |c| {
                        c.bounded_chars(choice, "name", 1, 100, true);
                        c.max_chars(choice, "value", 100);
                    })
                });
            }
        }
    }

    fn commands(&mut self, commands: &[Value]) {
        let mut names = HashSet::new();
        for (i, cmd) in commands.iter().enumerate() {
            let kind = cmd.get("type").and_then(Value::as_u64).unwrap_or(1);
            if let Some(name) = cmd.get("name").and_then(Value::as_str) {
                if !names.insert((kind, name.to_string())) {
                    self.form(
                        &[&i.to_string(), "name"],
                        "APPLICATION_COMMANDS_DUPLICATE_NAME",
                        format!("Application command names must be unique (\"{name}\")."),
                    );
                }
            }
            self.scoped(i.to_string(), |c| c.command(cmd));
        }
        let chat = commands
            .iter()
            .filter(|c| c.get("type").and_then(Value::as_u64).unwrap_or(1) == 1)
            .count();
        if chat > 100 {
            self.form(
                &[],
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be 100 or fewer chat input commands (got {chat})."),
            );
        }
    }

    fn command(&mut self, cmd: &Value) {
        let chat_input = cmd.get("type").and_then(Value::as_u64).unwrap_or(1) == 1;
        if chat_input {
            self.command_name(cmd);
            self.bounded_chars(cmd, "description", 1, 100, true);
        } else {
            self.bounded_chars(cmd, "name", 1, 32, true);
        }
        let total = chars(cmd, "name") + chars(cmd, "description") + self.options(cmd);
        if total > 4000 {
            self.form(
                &[],
                "APPLICATION_COMMAND_TOO_LARGE",
                format!("Command exceeds maximum size (4000), got {total}."),
            );
        }
    }

    fn command_name(&mut self, v: &Value) {
        static NAME: OnceLock<Regex> = OnceLock::new();
        let re = NAME
            .get_or_init(|| Regex::new(r"^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$").unwrap());
        if let Some(name) = v.get("name").and_then(Value::as_str) {
            if !re.is_match(name) || name.to_lowercase() != name {
                self.form(&["name"], "APPLICATION_COMMAND_INVALID_NAME", format!("Command name \"{name}\" is invalid (1-32 lowercase letters, digits, - or _)."));
            }
        }
    }

    /// Checks `options` recursively; returns their character count (names, descriptions,
    /// choice names and values count toward the 4000 total).
    fn options(&mut self, parent: &Value) -> usize {
        let Some(options) = parent.get("options").and_then(Value::as_array) else {
            return 0;
        };
        self.max_items(parent, "options", 25);
        let mut total = 0;
        let mut seen_optional = false;
        let mut names = HashSet::new();
        for (i, opt) in options.iter().enumerate() {
            self.scoped("options", |c| {
                c.scoped(i.to_string(), |c| {
                    c.command_name(opt);
                    c.bounded_chars(opt, "description", 1, 100, true);
                    if let Some(name) = opt.get("name").and_then(Value::as_str) {
                        if !names.insert(name.to_string()) {
                            c.form(
                                &["name"],
                                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                                format!("Option name \"{name}\" is used twice."),
                            );
                        }
                    }
                    let kind = opt.get("type").and_then(Value::as_u64).unwrap_or(0);
                    let required = opt
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    if kind > 2 {
                        if required && seen_optional {
                            c.form(
                                &["required"],
                                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID_ORDER",
                                "Required options must be placed before non-required options"
                                    .into(),
                            );
                        }
                        seen_optional |= !required;
                    }
                    c.max_items(opt, "choices", 25);
                    if let Some(choices) = opt.get("choices").and_then(Value::as_array) {
                        for (j, ch) in choices.iter().enumerate() {
                            c.scoped("choices", |c| {
                                c.scoped(j.to_string(), |c| {
                                    c.bounded_chars(ch, "name", 1, 100, true)
                                })
                            });
                            total += chars(ch, "name")
                                + ch.get("value").map_or(0, |v| {
                                    v.as_str()
                                        .map_or_else(|| v.to_string().len(), |s| s.chars().count())
                                });
                        }
                    }
                    total += chars(opt, "name") + chars(opt, "description") + c.options(opt);
                })
            });
        }
        total
    }
}

fn chars(v: &Value, key: &str) -> usize {
    v.get(key)
        .and_then(Value::as_str)
        .map_or(0, |s| s.chars().count())
}

fn non_empty_array(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// Discord refuses messages with nothing to show. Whitespace-only content counts as empty.
pub fn is_empty_message(body: &Value) -> bool {
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    !(content
        || non_empty_array(body, "embeds")
        || non_empty_array(body, "components")
        || non_empty_array(body, "sticker_ids")
        || non_empty_array(body, "attachments")
        || body.get("poll").is_some_and(|p| !p.is_null()))
}

/// Project policy: the bot must never be able to ping anyone, so every message it creates or
/// edits carries `allowed_mentions` that allows nothing.
fn mention_policy(c: &mut Checker, body: &Value) {
    let policy = |c: &mut Checker, rel: &[&str], what: String| {
        c.push(rel, "POLICY_ALLOWED_MENTIONS", format!("{what} (project policy: the bot must never ping anyone; send allowed_mentions {{\"parse\": []}})"), Severity::Policy)
    };
    match body.get("allowed_mentions") {
        None | Some(Value::Null) => policy(c, &["allowed_mentions"], "missing".into()),
        Some(am) => {
            if non_empty_array(am, "parse") {
                policy(
                    c,
                    &["allowed_mentions", "parse"],
                    format!("is {} but must be empty", am["parse"]),
                );
            }
            for key in ["users", "roles"] {
                if non_empty_array(am, key) {
                    policy(
                        c,
                        &["allowed_mentions", key],
                        format!("lists {} but must be empty", am[key]),
                    );
                }
            }
            if am.get("replied_user").and_then(Value::as_bool) == Some(true) {
                policy(
                    c,
                    &["allowed_mentions", "replied_user"],
                    "is true but must not be".into(),
                );
            }
        }
    }
}

/// Runs the limit and policy checks for a request, keyed by its route
/// (`METHOD /openapi/template`). Bodies that are not JSON objects/arrays are left to the
/// schema validator.
pub fn check(route: &str, body: &Value) -> Vec<Problem> {
    let mut c = Checker::new();
    match route {
        "POST /channels/{channel_id}/messages" | "POST /webhooks/{webhook_id}/{webhook_token}" => {
            c.message(body, true);
            mention_policy(&mut c, body);
        }
        "PATCH /channels/{channel_id}/messages/{message_id}"
        | "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original"
        | "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" => {
            c.message(body, false);
            mention_policy(&mut c, body);
        }
        "POST /interactions/{interaction_id}/{interaction_token}/callback" => {
            let data = body.get("data").filter(|d| !d.is_null());
            match body.get("type").and_then(Value::as_u64) {
                Some(4) => {
                    let empty = Value::Object(Default::default());
                    let data = data.unwrap_or(&empty);
                    c.scoped("data", |c| {
                        c.message(data, true);
                        mention_policy(c, data);
                    });
                }
                Some(7) => {
                    if let Some(data) = data {
                        c.scoped("data", |c| {
                            c.message(data, false);
                            mention_policy(c, data);
                        });
                    }
                }
                Some(8) => {
                    if let Some(data) = data {
                        c.scoped("data", |c| c.autocomplete(data));
                    }
                }
                Some(9) => {
                    if let Some(data) = data {
                        c.scoped("data", |c| c.modal(data));
                    }
                }
                _ => {}
            }
        }
        "POST /channels/{channel_id}/threads"
        | "POST /channels/{channel_id}/messages/{message_id}/threads" => {
            c.bounded_chars(body, "name", 1, 100, true);
        }
        // Absent or null names are left alone; given ones must be 1-100 chars.
        "PATCH /channels/{channel_id}" => c.bounded_chars(body, "name", 1, 100, false),
        "PUT /applications/{application_id}/commands"
        | "PUT /applications/{application_id}/guilds/{guild_id}/commands" => {
            if let Some(list) = body.as_array() {
                c.commands(list);
            }
        }
        "POST /applications/{application_id}/commands"
        | "POST /applications/{application_id}/guilds/{guild_id}/commands" => {
            c.command(body);
        }
        _ => {}
    }
    c.problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MSG: &str = "POST /channels/{channel_id}/messages";
    const CB: &str = "POST /interactions/{interaction_id}/{interaction_token}/callback";

    fn paths(problems: &[Problem], severity: Severity) -> Vec<String> {
        problems
            .iter()
            .filter(|p| p.severity == severity)
            .map(|p| crate::spec::dotted(&p.path))
            .collect()
    }

    fn quiet() -> Value {
        json!({"parse": []})
    }

    #[test]
    fn valid_message_has_no_problems() {
        let body = json!({"content": "hi", "allowed_mentions": quiet(),
            "embeds": [{"title": "t", "fields": [{"name": "n", "value": "v"}]}],
            "components": [{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "a", "label": "A"},
                                                      {"type": 2, "style": 5, "url": "https://x.y", "label": "B"}]}]});
        assert!(check(MSG, &body).is_empty(), "{:?}", check(MSG, &body));
    }

    #[test]
    fn content_and_embed_limits() {
        let body = json!({"content": "é".repeat(2001), "allowed_mentions": quiet(), "embeds": [{
            "title": "t".repeat(257), "description": "d".repeat(4097),
            "fields": (0..26).map(|_| json!({"name": "n", "value": "v"})).collect::<Vec<_>>(),
            "footer": {"text": "f".repeat(2049)}, "author": {"name": "a".repeat(257)}}]});
        let got = paths(&check(MSG, &body), Severity::FormError);
        for want in [
            "content",
            "embeds[0].title",
            "embeds[0].description",
            "embeds[0].fields",
            "embeds[0].footer.text",
            "embeds[0].author.name",
            "embeds",
        ] {
            assert!(got.contains(&want.to_string()), "missing {want} in {got:?}");
        }
        let fields = json!({"allowed_mentions": quiet(), "embeds": [{"fields": [{"name": "n".repeat(257), "value": "v".repeat(1025)}, {"name": "", "value": "x"}]}]});
        let got = paths(&check(MSG, &fields), Severity::FormError);
        assert_eq!(
            got,
            vec![
                "embeds[0].fields[0].name",
                "embeds[0].fields[0].value",
                "embeds[0].fields[1].name"
            ]
        );
        let eleven = json!({"allowed_mentions": quiet(), "embeds": (0..11).map(|_| json!({"title": "x"})).collect::<Vec<_>>()});
        assert_eq!(
            paths(&check(MSG, &eleven), Severity::FormError),
            vec!["embeds"]
        );
    }

    #[test]
    fn embed_total_is_6000_across_embeds() {
        let body = json!({"allowed_mentions": quiet(), "embeds": [{"description": "x".repeat(4000)}, {"description": "y".repeat(2001)}]});
        assert_eq!(
            paths(&check(MSG, &body), Severity::FormError),
            vec!["embeds"]
        );
        let ok = json!({"allowed_mentions": quiet(), "embeds": [{"description": "x".repeat(4000)}, {"description": "y".repeat(2000)}]});
        assert!(check(MSG, &ok).is_empty());
    }

    #[test]
    fn component_limits() {
        let button = |id: &str| json!({"type": 2, "style": 1, "custom_id": id, "label": "x"});
        let six_rows = json!({"allowed_mentions": quiet(), "components": (0..6).map(|i| json!({"type": 1, "components": [button(&format!("b{i}"))]})).collect::<Vec<_>>()});
        assert_eq!(
            paths(&check(MSG, &six_rows), Severity::FormError),
            vec!["components"]
        );
        let six_buttons = json!({"allowed_mentions": quiet(), "components": [{"type": 1, "components": (0..6).map(|i| button(&format!("b{i}"))).collect::<Vec<_>>()}]});
        assert_eq!(
            paths(&check(MSG, &six_buttons), Severity::FormError),
            vec!["components[0].components"]
        );
        let long = json!({"allowed_mentions": quiet(), "components": [{"type": 1, "components": [
            {"type": 2, "style": 1, "custom_id": "c".repeat(101), "label": "l".repeat(81)},
            {"type": 2, "style": 1, "label": "no id"},
            {"type": 2, "style": 2, "custom_id": "dup"}, {"type": 2, "style": 2, "custom_id": "dup"}]}]});
        assert_eq!(
            paths(&check(MSG, &long), Severity::FormError),
            vec![
                "components[0].components[0].custom_id",
                "components[0].components[0].label",
                "components[0].components[1].custom_id",
                "components[0].components[3].custom_id"
            ]
        );
    }

    #[test]
    fn empty_messages() {
        assert_eq!(
            paths(
                &check(MSG, &json!({"content": "  ", "allowed_mentions": quiet()})),
                Severity::EmptyMessage
            )
            .len(),
            1
        );
        assert_eq!(
            paths(
                &check(MSG, &json!({"allowed_mentions": quiet(), "embeds": []})),
                Severity::EmptyMessage
            )
            .len(),
            1
        );
        assert!(check(
            MSG,
            &json!({"allowed_mentions": quiet(), "embeds": [{"title": "x"}]})
        )
        .is_empty());
        // Edits may leave fields out.
        assert!(check(
            "PATCH /channels/{channel_id}/messages/{message_id}",
            &json!({"allowed_mentions": quiet()})
        )
        .is_empty());
        assert_eq!(
            paths(
                &check(
                    CB,
                    &json!({"type": 4, "data": {"allowed_mentions": quiet()}})
                ),
                Severity::EmptyMessage
            )
            .len(),
            1
        );
        assert!(check(CB, &json!({"type": 6})).is_empty());
        assert!(check(CB, &json!({"type": 5, "data": {"flags": 64}})).is_empty());
    }

    #[test]
    fn mention_policy_is_a_policy_problem() {
        assert_eq!(
            paths(&check(MSG, &json!({"content": "x"})), Severity::Policy),
            vec!["allowed_mentions"]
        );
        let poise_default = json!({"content": "x", "allowed_mentions": {"parse": ["users"], "users": [], "roles": [], "replied_user": true}});
        assert_eq!(
            paths(&check(MSG, &poise_default), Severity::Policy),
            vec!["allowed_mentions.parse", "allowed_mentions.replied_user"]
        );
        let users = json!({"content": "x", "allowed_mentions": {"parse": [], "users": ["1"]}});
        assert_eq!(
            paths(&check(MSG, &users), Severity::Policy),
            vec!["allowed_mentions.users"]
        );
        assert_eq!(
            paths(
                &check(CB, &json!({"type": 4, "data": {"content": "x"}})),
                Severity::Policy
            ),
            vec!["data.allowed_mentions"]
        );
        assert_eq!(
            paths(
                &check(CB, &json!({"type": 7, "data": {"content": "x"}})),
                Severity::Policy
            ),
            vec!["data.allowed_mentions"]
        );
        assert!(check(CB, &json!({"type": 7})).is_empty());
        let fine =
            json!({"content": "x", "allowed_mentions": {"parse": [], "replied_user": false}});
        assert!(check("POST /webhooks/{webhook_id}/{webhook_token}", &fine).is_empty());
    }

    #[test]
    fn modal_and_autocomplete_limits() {
        let modal = json!({"type": 9, "data": {"custom_id": "m", "title": "t".repeat(46), "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 2, "label": "l", "value": "v".repeat(4001), "max_length": 4001}]}]}});
        assert_eq!(
            paths(&check(CB, &modal), Severity::FormError),
            vec![
                "data.title",
                "data.components[0].components[0].value",
                "data.components[0].components[0].max_length"
            ]
        );
        let ok = json!({"type": 9, "data": {"custom_id": "m", "title": "Answer", "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 2, "label": "l", "max_length": 4000}]}]}});
        assert!(check(CB, &ok).is_empty());
        let choices = json!({"type": 8, "data": {"choices": (0..26).map(|i| json!({"name": if i == 0 { "n".repeat(101) } else { "ok".into() }, "value": "v"})).collect::<Vec<_>>()}});
        assert_eq!(
            paths(&check(CB, &choices), Severity::FormError),
            vec!["data.choices", "data.choices[0].name"]
        );
    }

    #[test]
    fn thread_names_and_commands() {
        let t = "POST /channels/{channel_id}/threads";
        assert!(check(t, &json!({"name": "x".repeat(100)})).is_empty());
        assert_eq!(
            paths(
                &check(t, &json!({"name": "x".repeat(101)})),
                Severity::FormError
            ),
            vec!["name"]
        );
        assert_eq!(
            paths(&check(t, &json!({"name": ""})), Severity::FormError),
            vec!["name"]
        );
        let put = "PUT /applications/{application_id}/commands";
        let ok = json!([{"name": "practice", "description": "d", "options": [
            {"type": 3, "name": "role", "description": "r", "required": true}, {"type": 4, "name": "n", "description": "n"}]}]);
        assert!(check(put, &ok).is_empty());
        let bad = json!([{"name": "Practice", "description": "", "options": [
            {"type": 4, "name": "n", "description": "n"}, {"type": 3, "name": "role", "description": "r", "required": true}]},
            {"name": "dup", "description": "d"}, {"name": "dup", "description": "d"}]);
        assert_eq!(
            paths(&check(put, &bad), Severity::FormError),
            vec![
                "[0].name",
                "[0].description",
                "[0].options[1].required",
                "[2].name"
            ]
        );
    }
}
