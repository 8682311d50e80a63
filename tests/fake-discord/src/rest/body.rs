//! Reading request bodies: JSON, or `multipart/form-data` (how serenity sends messages with
//! files) parsed with `multer` into the JSON payload and the file parts.

use std::convert::Infallible;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::uploads::UploadedFile;

/// A request body as the handlers see it.
#[derive(Debug, Default)]
pub(super) struct ParsedBody {
    /// The JSON body; for multipart, `payload_json` (or the plain text fields without it).
    pub value: Value,
    pub files: Vec<UploadedFile>,
    /// Why the body could not be read (answered with 400 `50109`).
    pub error: Option<String>,
    /// Things Discord documents otherwise but accepts (recorded as violations).
    pub notes: Vec<String>,
}

pub(super) async fn parse_body(bytes: &Bytes, content_type: &str) -> ParsedBody {
    if bytes.is_empty() {
        return ParsedBody {
            value: Value::Null,
            ..ParsedBody::default()
        };
    }
    if content_type.starts_with("multipart/form-data") {
        return parse_multipart(bytes, content_type).await;
    }
    json_body(bytes, bytes)
}

fn json_body(json: &[u8], raw: &[u8]) -> ParsedBody {
    match serde_json::from_slice(json) {
        Ok(value) => ParsedBody {
            value,
            ..ParsedBody::default()
        },
        Err(e) => ParsedBody {
            value: Value::String(String::from_utf8_lossy(raw).into_owned()),
            error: Some(format!("body is not JSON: {e}")),
            ..ParsedBody::default()
        },
    }
}

async fn parse_multipart(bytes: &Bytes, content_type: &str) -> ParsedBody {
    let boundary = match multer::parse_boundary(content_type) {
        Ok(b) => b,
        Err(e) => {
            return ParsedBody {
                error: Some(format!("multipart body without a usable boundary: {e}")),
                ..ParsedBody::default()
            }
        }
    };
    let stream = futures_util::stream::once(std::future::ready(Ok::<_, Infallible>(bytes.clone())));
    let mut form = multer::Multipart::new(stream, boundary);
    let mut payload: Option<Bytes> = None;
    let mut fields = Map::new();
    let mut files = Vec::new();
    let mut notes = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return ParsedBody {
                    error: Some(format!("malformed multipart body: {e}")),
                    files,
                    ..ParsedBody::default()
                }
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let part_type = field.content_type().map(|m| m.essence_str().to_string());
        let data = match field.bytes().await {
            Ok(d) => d,
            Err(e) => {
                return ParsedBody {
                    error: Some(format!("malformed multipart part {name:?}: {e}")),
                    files,
                    ..ParsedBody::default()
                }
            }
        };
        if name == "payload_json" {
            payload = Some(data);
        } else if filename.is_some() || name.starts_with("files[") {
            let file = UploadedFile {
                name,
                filename,
                content_type: part_type,
                data,
            };
            if file.index().is_none() {
                notes.push(format!(
                    "file part {:?} is not named files[n], as Discord documents",
                    file.name
                ));
            }
            if file.filename.is_none() {
                notes.push(format!(
                    "file part {:?} has no filename in its Content-Disposition, which Discord requires",
                    file.name
                ));
            }
            files.push(file);
        } else {
            fields.insert(name, Value::String(String::from_utf8_lossy(&data).into()));
        }
    }
    let mut parsed = match payload {
        Some(p) => json_body(&p, &p),
        // Without `payload_json`, Discord reads the JSON params as form fields.
        None => ParsedBody {
            value: Value::Object(fields),
            ..ParsedBody::default()
        },
    };
    parsed.files = files;
    parsed.notes = notes;
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn parse(body: &'static [u8]) -> ParsedBody {
        parse_body(
            &Bytes::from_static(body),
            "multipart/form-data; boundary=XX",
        )
        .await
    }

    #[tokio::test]
    async fn payload_json_and_file_parts_are_separated() {
        let p = parse(b"--XX\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n{\"content\":\"x\"}\r\n--XX--\r\n").await;
        assert_eq!(p.error, None);
        assert_eq!(p.value, json!({"content": "x"}));
        assert_eq!(p.files.len(), 1);
        let f = &p.files[0];
        assert_eq!(
            (
                f.name.as_str(),
                f.filename.as_deref(),
                f.content_type.as_deref()
            ),
            ("files[0]", Some("a.txt"), Some("text/plain"))
        );
        assert_eq!(&f.data[..], b"hello");
        assert!(p.notes.is_empty());
    }

    #[tokio::test]
    async fn form_fields_stand_in_for_a_missing_payload_json() {
        let p = parse(b"--XX\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nHello, World!\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.bin\"\r\n\r\n\x00\x01\r\n--XX--\r\n").await;
        assert_eq!(p.value, json!({"content": "Hello, World!"}));
        assert_eq!(&p.files[0].data[..], b"\x00\x01");
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    }

    #[tokio::test]
    async fn a_broken_multipart_body_is_an_error() {
        let p =
            parse(b"--XX\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\r\n{").await;
        assert!(p.error.is_some());
    }
}
