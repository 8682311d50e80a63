//! Files the bot uploads: the parts of a multipart request ([`UploadedFile`], on
//! [`RecordedRequest::files`](crate::RecordedRequest::files)) and the attachments the fake
//! made of them ([`Attachment`]), whose bytes it serves back at their `url`.

use bytes::Bytes;
use serde_json::Value;

use crate::util::id_of;
use crate::FakeDiscord;

/// One file part of a `multipart/form-data` request, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedFile {
    /// The form field name, `files[0]` for serenity's first attachment.
    pub name: String,
    /// The `filename` of the part's `Content-Disposition`.
    pub filename: Option<String>,
    /// The part's `Content-Type` (serenity guesses it from the file name).
    pub content_type: Option<String>,
    pub data: Bytes,
}

impl UploadedFile {
    /// `n` of a part named `files[n]`: the placeholder id the payload's `attachments` use.
    pub fn index(&self) -> Option<u64> {
        self.name
            .strip_prefix("files[")?
            .strip_suffix(']')?
            .parse()
            .ok()
    }
}

/// An attachment on a message the fake stores, with its bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Attachment {
    pub id: u64,
    pub message_id: u64,
    pub channel_id: u64,
    pub filename: String,
    pub content_type: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Where the fake serves the bytes: `http://127.0.0.1:PORT/attachments/{channel}/{id}/{filename}`.
    pub url: String,
    /// Image dimensions, read from PNG and GIF headers as Discord reports them.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Set on attachments of ephemeral messages, as Discord does.
    pub ephemeral: bool,
    pub data: Bytes,
    /// The attachment object as it appears in the message's `attachments`.
    pub json: Value,
}

/// The bytes behind an attachment id, kept apart from the message JSON.
#[derive(Clone, Debug)]
pub(crate) struct StoredFile {
    pub channel_id: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// Width and height of a PNG or GIF image, from its header.
pub(crate) fn image_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") && &data[12..16] == b"IHDR" {
        let be = |i: usize| u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
        return Some((be(16), be(20)));
    }
    if data.len() >= 10 && (data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a")) {
        let le = |i: usize| u16::from_le_bytes([data[i], data[i + 1]]) as u32;
        return Some((le(6), le(8)));
    }
    None
}

impl FakeDiscord {
    /// The attachments of a message (after edits), with their bytes; empty for an unknown
    /// message.
    pub fn attachments(&self, message_id: u64) -> Vec<Attachment> {
        let model = self.shared.model.lock().unwrap();
        let Some(m) = model.messages.get(&message_id) else {
            return Vec::new();
        };
        let channel_id = id_of(&m.json["channel_id"]).unwrap_or(0);
        m.json["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let id = id_of(&a["id"])?;
                let file = model.files.get(&id);
                Some(Attachment {
                    id,
                    message_id,
                    channel_id,
                    filename: a["filename"].as_str().unwrap_or_default().to_string(),
                    content_type: a["content_type"].as_str().map(str::to_string),
                    size: a["size"].as_u64().unwrap_or(0),
                    url: a["url"].as_str().unwrap_or_default().to_string(),
                    width: a["width"].as_u64().map(|w| w as u32),
                    height: a["height"].as_u64().map(|h| h as u32),
                    ephemeral: a["ephemeral"].as_bool().unwrap_or(false),
                    data: file.map(|f| f.data.clone()).unwrap_or_default(),
                    json: a.clone(),
                })
            })
            .collect()
    }

    /// One attachment by id, wherever it is.
    pub fn attachment(&self, attachment_id: u64) -> Option<Attachment> {
        let message_id = {
            let model = self.shared.model.lock().unwrap();
            model
                .messages
                .iter()
                .find(|(_, m)| {
                    m.json["attachments"]
                        .as_array()
                        .is_some_and(|l| l.iter().any(|a| id_of(&a["id"]) == Some(attachment_id)))
                })
                .map(|(id, _)| *id)?
        };
        self.attachments(message_id)
            .into_iter()
            .find(|a| a.id == attachment_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_gif_dimensions_are_read_from_the_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((640, 480)));
        assert_eq!(image_dimensions(b"GIF89a\x10\0\x08\0"), Some((16, 8)));
        assert_eq!(image_dimensions(b"hello, world, not an image"), None);
    }

    #[test]
    fn file_parts_know_their_placeholder_index() {
        let f = |name: &str| UploadedFile {
            name: name.into(),
            filename: None,
            content_type: None,
            data: Bytes::new(),
        };
        assert_eq!(f("files[3]").index(), Some(3));
        assert_eq!(f("file").index(), None);
    }
}
