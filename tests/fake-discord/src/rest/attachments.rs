//! Files sent with messages: matching the multipart file parts to the payload's
//! `attachments`, Discord's checks on them, the attachment objects messages carry, and
//! serving the bytes back at each attachment's `url`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

use crate::uploads::{image_dimensions, StoredFile, UploadedFile};
use crate::util::{id_of, next_snowflake};
use crate::Shared;

use super::{form_error_body, Handler, Reply};

/// Discord takes at most this many files per message.
const MAX_FILES: usize = 10;

/// What stays readable in an attachment URL's file name.
const FILENAME: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_');

impl Handler<'_> {
    /// The `attachments` a message gets from this request: `data` is the message payload
    /// (the body, or a callback's `data`), `existing` the attachments of the message being
    /// edited (`[]` for a new one). `Ok(None)` when the request says nothing about
    /// attachments; `Err` with Discord's answer when the files are refused.
    pub(super) fn resolve_attachments(
        &mut self,
        data: &Value,
        existing: &Value,
        channel_id: u64,
        ephemeral: bool,
    ) -> Result<Option<Value>, Reply> {
        let rec = self.rec;
        let files = &rec.files;
        let entries = data.get("attachments").and_then(Value::as_array);
        if entries.is_none() && files.is_empty() {
            return Ok(None);
        }
        if files.len() > MAX_FILES {
            self.violation(format!(
                "{} files in one request; Discord takes at most {MAX_FILES}",
                files.len()
            ));
            return Err(form_error(
                vec!["attachments".into()],
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {MAX_FILES} or fewer in length."),
            ));
        }
        let limit = self.shared.cfg.attachment_size_limit;
        if let Some(big) = files.iter().find(|f| f.data.len() as u64 > limit) {
            self.violation(format!(
                "file part {:?} is {} bytes; Discord's upload limit is {limit} [40005; Discord answers 413]",
                big.name,
                big.data.len()
            ));
            return Err(Reply::error(413, 40005, "Request entity too large"));
        }
        // Without `attachments` metadata Discord attaches every file part, in order.
        let Some(entries) = entries else {
            let list = files
                .iter()
                .map(|f| self.store_file(f, &json!({}), channel_id, ephemeral))
                .collect();
            return Ok(Some(Value::Array(list)));
        };
        let old = existing.as_array().cloned().unwrap_or_default();
        let mut plan: Vec<Result<&UploadedFile, Value>> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let id = id_of(&entry["id"]);
            if let Some(file) = files.iter().find(|f| id.is_some() && f.index() == id) {
                plan.push(Ok(file));
            } else if let Some(kept) = old.iter().find(|a| id.is_some() && id_of(&a["id"]) == id) {
                plan.push(Err(kept.clone()));
            } else {
                self.violation(format!(
                    "attachments[{i}] has id {} but no files[{0}] part and no such attachment on the message [ATTACHMENT_NOT_FOUND; Discord answers 400]",
                    entry["id"]
                ));
                return Err(form_error(
                    vec!["attachments".into(), i.to_string()],
                    "ATTACHMENT_NOT_FOUND",
                    "Attachment data not found".into(),
                ));
            }
        }
        for f in files {
            let listed = entries
                .iter()
                .any(|e| f.index().is_some() && id_of(&e["id"]) == f.index());
            if !listed {
                self.violation(format!(
                    "file part {:?} is not listed in the payload's attachments, so Discord does not attach it",
                    f.name
                ));
            }
        }
        let list = plan
            .into_iter()
            .zip(entries)
            .map(|(p, entry)| match p {
                Ok(file) => self.store_file(file, entry, channel_id, ephemeral),
                Err(kept) => kept,
            })
            .collect();
        Ok(Some(Value::Array(list)))
    }

    /// Keeps a file's bytes and returns its attachment object.
    fn store_file(
        &mut self,
        file: &UploadedFile,
        entry: &Value,
        channel_id: u64,
        ephemeral: bool,
    ) -> Value {
        let id = next_snowflake();
        let filename = entry["filename"]
            .as_str()
            .or(file.filename.as_deref())
            .unwrap_or("unknown")
            .to_string();
        let url = format!(
            "{}/attachments/{channel_id}/{id}/{}",
            self.shared.base_url(),
            utf8_percent_encode(&filename, FILENAME)
        );
        let mut a = Map::new();
        a.insert("id".into(), json!(id.to_string()));
        a.insert("filename".into(), json!(filename));
        a.insert("size".into(), json!(file.data.len()));
        a.insert("url".into(), json!(url));
        a.insert("proxy_url".into(), json!(url));
        if let Some(ct) = &file.content_type {
            a.insert("content_type".into(), json!(ct));
        }
        if let Some((w, h)) = image_dimensions(&file.data) {
            a.insert("width".into(), json!(w));
            a.insert("height".into(), json!(h));
        }
        if let Some(d) = entry["description"].as_str() {
            a.insert("description".into(), json!(d));
        }
        if ephemeral {
            a.insert("ephemeral".into(), json!(true));
        }
        self.model.files.insert(
            id,
            StoredFile {
                channel_id,
                filename,
                content_type: file.content_type.clone(),
                data: file.data.clone(),
            },
        );
        Value::Object(a)
    }
}

fn form_error(path: Vec<String>, code: &'static str, message: String) -> Reply {
    Reply::json(400, form_error_body(&[(path, code, message)]))
}

/// `GET /attachments/{channel_id}/{attachment_id}/{filename}`: the bytes of an uploaded file,
/// as Discord's CDN serves them (not an API route, so not recorded as a request).
pub(super) async fn serve(
    State(shared): State<Arc<Shared>>,
    Path((channel_id, attachment_id, filename)): Path<(u64, u64, String)>,
) -> Response {
    let file = shared
        .model
        .lock()
        .unwrap()
        .files
        .get(&attachment_id)
        .filter(|f| f.channel_id == channel_id && f.filename == filename)
        .cloned();
    let Some(file) = file else {
        return (
            StatusCode::NOT_FOUND,
            "This content is no longer available.",
        )
            .into_response();
    };
    let mut resp = Response::new(Body::from(file.data));
    let ct = file
        .content_type
        .unwrap_or_else(|| "application/octet-stream".into());
    if let Ok(v) = HeaderValue::from_str(&ct) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}
