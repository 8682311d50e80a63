//! What the coach says, as plain data: a [`Post`] is one message for an
//! interview thread, and the outbox stores it as JSON until it is delivered,
//! so its serialized shape is a stored format. The same functions write the
//! text for the terminal coach, without Markdown or buttons.

use serde::{Deserialize, Serialize};

use crate::coach::engine::{Answered, Prompt, Step, Summary};
use crate::messages;
use crate::store::{OutboxId, OutgoingMessage};

use super::Error;

/// Where the text will be read. A Discord thread renders Markdown and is
/// archived after the summary; a terminal shows the text as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Thread,
    Terminal,
}

/// Buttons under a message in a mock-interview thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostButtons {
    None,
    AnswerAndEnd,
}

/// One message the bot will post in a thread, as stored in the outbox before
/// it is sent. `archive` asks for the thread to be archived once it is posted
/// (the summary), so a restart between the two still archives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub content: String,
    pub buttons: PostButtons,
    #[serde(default)]
    pub archive: bool,
}

impl Post {
    pub fn text(content: impl Into<String>) -> Post {
        Post {
            content: content.into(),
            buttons: PostButtons::None,
            archive: false,
        }
    }
}

/// A committed outbox item, ready to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: OutboxId,
    pub channel_id: u64,
    pub post: Post,
}

/// The outbox items a store call has just committed, from what is in hand:
/// the posts were written in that order and got those ids, so nothing is
/// read back or decoded again.
pub(super) fn queued(ids: &[OutboxId], channel_id: u64, posts: Vec<Post>) -> Vec<Queued> {
    ids.iter()
        .zip(posts)
        .map(|(id, post)| Queued {
            id: *id,
            channel_id,
            post,
        })
        .collect()
}

pub(super) fn encode(channel_id: u64, post: &Post) -> Result<OutgoingMessage, Error> {
    Ok(OutgoingMessage {
        channel_id,
        payload_json: serde_json::to_string(post)
            .map_err(|e| Error::Internal(format!("cannot encode a post: {e}")))?,
    })
}

pub(super) fn encode_all(channel_id: u64, posts: &[Post]) -> Result<Vec<OutgoingMessage>, Error> {
    posts.iter().map(|p| encode(channel_id, p)).collect()
}

pub(super) fn decode(payload_json: &str) -> Result<Post, serde_json::Error> {
    serde_json::from_str(payload_json)
}

fn strong(text: &str, medium: Medium) -> String {
    match medium {
        Medium::Thread => format!("**{text}**"),
        Medium::Terminal => text.to_string(),
    }
}

/// The interviewer's next question, with the Answer and End buttons.
pub fn prompt_post(prompt: &Prompt, medium: Medium) -> Post {
    Post {
        content: format!(
            "{}\n{}",
            strong(&messages::prompt_heading(prompt), medium),
            prompt.text
        ),
        buttons: PostButtons::AnswerAndEnd,
        archive: false,
    }
}

/// The end-of-interview recap; in a thread it says the thread is archived now.
pub fn summary_post(summary: &Summary, medium: Medium) -> Post {
    let mut lines = messages::summary_lines(summary);
    if let Some(first) = lines.first_mut() {
        *first = strong(first, medium);
    }
    if medium == Medium::Thread {
        lines.push(messages::THREAD_ARCHIVED.into());
    }
    Post {
        content: lines.join("\n"),
        buttons: PostButtons::None,
        archive: true,
    }
}

/// The one reply to an answer: the coach's feedback, when there is some,
/// opening the next prompt or the summary.
pub fn answer_reply(answered: &Answered, medium: Medium) -> Post {
    let mut post = match &answered.step {
        Step::Ask(next) => prompt_post(next, medium),
        Step::Finished(summary) => summary_post(summary, medium),
    };
    if let Some(f) = &answered.feedback {
        let lines = match f.expectations {
            Some(_) => messages::follow_up_feedback_lines(&f.lines),
            None => messages::feedback_lines(&f.lines),
        };
        post.content = format!("{}\n\n{}", lines.join("\n"), post.content);
    }
    post
}

/// An answer given in the form, repeated in the thread for the transcript.
pub fn echo_post(author_name: &str, text: &str) -> Post {
    Post::text(messages::echo_answer(author_name, text.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outbox rows written by earlier releases must still decode after an upgrade.
    #[test]
    fn posts_stored_by_earlier_releases_still_decode() {
        let stored =
            r#"{"content":"**Question 1 of 2**\nWhy?","buttons":"answer-and-end","archive":false}"#;
        let post = decode(stored).unwrap();
        assert_eq!(post.content, "**Question 1 of 2**\nWhy?");
        assert_eq!(post.buttons, PostButtons::AnswerAndEnd);
        assert!(!post.archive);
        // Rows from before `archive` existed.
        let older = decode(r#"{"content":"bye","buttons":"none"}"#).unwrap();
        assert_eq!(older, Post::text("bye"));
        // And what is written today has that same shape.
        assert_eq!(serde_json::to_string(&post).unwrap(), stored);
    }

    #[test]
    fn only_a_thread_gets_markdown_and_the_archive_note() {
        let summary = Summary {
            role_name: "Backend Engineer".into(),
            questions_planned: 1,
            questions_answered: 0,
            follow_ups_answered: 0,
            ended_early: false,
            questions: Vec::new(),
            checks: Vec::new(),
            words_spoken: 0,
            coaching: None,
        };
        let thread = summary_post(&summary, Medium::Thread);
        let terminal = summary_post(&summary, Medium::Terminal);
        assert!(thread.content.starts_with("**Interview complete"));
        assert!(thread.content.ends_with(messages::THREAD_ARCHIVED));
        assert!(terminal.content.starts_with("Interview complete"));
        assert!(!terminal.content.contains("**"));
        assert!(!terminal.content.contains(messages::THREAD_ARCHIVED));
    }
}
