//! Request validation: schema, limit and policy checks, and Discord's nested
//! `Invalid Form Body` error shape.

use serde_json::{json, Map, Value};

use crate::limits::{self, Severity};
use crate::spec::dotted;
use crate::{RecordedRequest, Shared};

use super::Reply;

/// Runs the schema, limit and policy checks; records violations; returns the 400 Discord
/// would answer with, if any.
pub(super) fn validate(
    shared: &Shared,
    rec: &RecordedRequest,
    template: &str,
    method: &str,
    at: &str,
) -> Option<Reply> {
    let mut form: Vec<(Vec<String>, &'static str, String)> = Vec::new();
    let mut empty = false;
    if let Some((schema, required)) = shared.spec.request_schema(template, method) {
        if rec.body.is_null() {
            if required {
                form.push((
                    Vec::new(),
                    "BASE_TYPE_REQUIRED",
                    "A JSON body is required".into(),
                ));
            }
        } else {
            for e in shared
                .spec
                .validate(&numeric_placeholders_as_strings(&rec.body), schema)
            {
                form.push((e.path, e.code, e.message));
            }
        }
    }
    if !rec.body.is_null() {
        for p in limits::check(&rec.route, &rec.body) {
            match p.severity {
                Severity::FormError => {
                    // The schema may already have flagged the same field (e.g. a 256-char title).
                    if !form.iter().any(|(path, _, _)| *path == p.path) {
                        form.push((p.path, p.code, p.message));
                    }
                }
                // Files alone make a message (sent without `attachments` metadata).
                Severity::EmptyMessage if !rec.files.is_empty() => {}
                Severity::EmptyMessage => {
                    empty = true;
                    shared.violation(format!(
                        "{at}: body: {} [50006; Discord answers 400]",
                        p.message
                    ));
                }
                Severity::Policy => {
                    shared.violation(format!("{at}: body.{}: {}", dotted(&p.path), p.message));
                }
            }
        }
    }
    for (path, code, message) in &form {
        shared.violation(format!(
            "{at}: body.{}: {message} [{code}; Discord answers 400 Invalid Form Body]",
            dotted(path)
        ));
    }
    if !form.is_empty() {
        return Some(Reply::json(400, form_error_body(&form)));
    }
    if empty {
        return Some(Reply::empty_message());
    }
    None
}

/// The body with attachment ids given as JSON numbers turned into strings, for the schema
/// check: the OpenAPI description says snowflake strings, but Discord's own upload example
/// sends the `files[n]` placeholders as `"id": 0`, and so does serenity; Discord reads both.
fn numeric_placeholders_as_strings(body: &Value) -> Value {
    let mut body = body.clone();
    for at in ["/attachments", "/data/attachments"] {
        let list = body.pointer_mut(at).and_then(Value::as_array_mut);
        for a in list.into_iter().flatten() {
            if let Some(n) = a.get("id").and_then(Value::as_u64) {
                a["id"] = json!(n.to_string());
            }
        }
    }
    body
}

/// Discord's `Invalid Form Body` with the nested `errors` tree
/// (`{"embeds": {"0": {"title": {"_errors": [{code, message}]}}}}`).
pub(super) fn form_error_body(errors: &[(Vec<String>, &'static str, String)]) -> Value {
    let mut root = Map::new();
    for (path, code, message) in errors {
        let mut node = &mut root;
        for seg in path {
            node = node
                .entry(seg.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("error tree node");
        }
        node.entry("_errors")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("_errors list")
            .push(json!({"code": code, "message": message}));
    }
    json!({"code": 50035, "errors": root, "message": "Invalid Form Body"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_error_body_nests_like_discord() {
        let body = form_error_body(&[
            (
                vec!["embeds".into(), "0".into(), "title".into()],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 256 or fewer in length.".into(),
            ),
            (vec![], "X", "root".into()),
        ]);
        assert_eq!(body["code"], 50035);
        assert_eq!(
            body["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"],
            "BASE_TYPE_MAX_LENGTH"
        );
        assert_eq!(body["errors"]["_errors"][0]["message"], "root");
    }
}
