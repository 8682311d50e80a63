//! Turning guides and the session layer's posts into Discord messages that
//! always fit Discord's limits and never ping anyone.
//!
//! The `/ask` text is laid out in a plain struct first ([`AskView`]) so the
//! limits can be unit-tested without Discord; the serenity builders are made
//! from it, and from each [`Post`], at the edge.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInputText, CreateInteractionResponse, CreateMessage, CreateModal,
    InputTextStyle, Nonce,
};

use super::ids::ComponentId;
use crate::coach::engine::MAX_ANSWER_CHARS;
use crate::guide::{Question, Role};
use crate::messages;
use crate::session::{Post, PostButtons};

/// Discord's limits, as its API enforces them.
pub mod limits {
    pub const CONTENT: usize = 2000;
    pub const EMBED_TITLE: usize = 256;
    pub const EMBED_DESCRIPTION: usize = 4096;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    pub const EMBED_TOTAL: usize = 6000;
    pub const THREAD_NAME: usize = 100;
    pub const MODAL_TITLE: usize = 45;
}

/// Allowed mentions that allow nothing: guide text and answers may contain
/// `@everyone` or a user mention, and none of it may ping.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// Cuts `text` to at most `max` characters, at a word boundary when one is
/// near, marking the cut with "…".
pub fn fit(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(1);
    let cut: String = text.chars().take(keep).collect();
    let at = match cut.rfind(char::is_whitespace) {
        Some(i) if cut[..i].chars().count() > keep * 3 / 4 => i,
        _ => cut.len(),
    };
    format!("{}…", cut[..at].trim_end())
}

/// Splits text into pieces of at most `max` characters, preferring paragraph,
/// then line, then word boundaries, so long transcripts arrive whole.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > max {
        let byte_max = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let window = &rest[..byte_max];
        let at = ["\n\n", "\n", " "]
            .iter()
            .find_map(|sep| window.rfind(sep).filter(|&i| i > byte_max / 2))
            .unwrap_or(byte_max);
        pieces.push(rest[..at].trim_end().to_string());
        rest = rest[at..].trim_start();
    }
    if !rest.is_empty() {
        pieces.push(rest.to_string());
    }
    pieces
}

/// The question's framework steps, numbered, each with its guidance.
pub fn step_lines(q: &Question) -> Vec<String> {
    q.framework
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("**{}. {}** — {}", i + 1, s.name, s.guidance))
        .collect()
}

/// The question's follow-ups, each with what it checks.
pub fn follow_up_lines(q: &Question) -> Vec<String> {
    q.follow_ups
        .iter()
        .map(|f| messages::ask_follow_up(&f.question, &f.checks))
        .collect()
}

/// The form a member writes an answer in, submitted as `custom_id`.
pub fn answer_form(custom_id: String) -> CreateInteractionResponse {
    let field = CreateInputText::new(InputTextStyle::Paragraph, messages::ANSWER_FIELD, "answer")
        .placeholder(messages::ANSWER_PLACEHOLDER)
        .min_length(1)
        .max_length(MAX_ANSWER_CHARS as u16)
        .required(true);
    CreateInteractionResponse::Modal(
        CreateModal::new(custom_id, messages::ANSWER_FORM_TITLE)
            .components(vec![CreateActionRow::InputText(field)]),
    )
}

/// The `/ask` reply as plain text, already within Discord's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskView {
    pub title: String,
    pub description: String,
    pub fields: Vec<(String, String)>,
    pub footer: String,
}

impl AskView {
    pub fn new(role: &Role, q: &Question) -> AskView {
        let fw = &q.framework;
        let steps = step_lines(q);
        let tips: Vec<String> = q
            .tips
            .iter()
            .chain(&fw.tips)
            .map(|t| format!("• {t}"))
            .collect();
        let follow_ups = follow_up_lines(q);
        let mut view = AskView {
            title: fit(&q.text, limits::EMBED_TITLE),
            description: fit(&messages::ask_why(&q.why), limits::EMBED_DESCRIPTION),
            fields: vec![
                (
                    fit(&messages::ask_structure(&fw.name), limits::FIELD_NAME),
                    fit(
                        &format!("{}\n{}", fw.summary, steps.join("\n")),
                        limits::FIELD_VALUE,
                    ),
                ),
                (
                    messages::ASK_TIPS.into(),
                    fit(&tips.join("\n"), limits::FIELD_VALUE),
                ),
                (
                    messages::ASK_FOLLOW_UPS.into(),
                    fit(&follow_ups.join("\n"), limits::FIELD_VALUE),
                ),
            ],
            footer: fit(
                &messages::ask_footer(
                    &role.name,
                    q.category.label(),
                    q.stage.label(),
                    q.has_levels().then_some(q.levels.as_slice()),
                    &q.id,
                ),
                limits::FOOTER,
            ),
        };
        view.shrink_to(limits::EMBED_TOTAL);
        view
    }

    pub fn total_chars(&self) -> usize {
        self.title.chars().count()
            + self.description.chars().count()
            + self.footer.chars().count()
            + self
                .fields
                .iter()
                .map(|(n, v)| n.chars().count() + v.chars().count())
                .sum::<usize>()
    }

    /// Keeps the whole embed within Discord's total by trimming the longest
    /// part first; with today's per-field limits this rarely triggers.
    fn shrink_to(&mut self, total: usize) {
        while self.total_chars() > total {
            let over = self.total_chars() - total;
            let desc = self.description.chars().count();
            let (longest, len) = self
                .fields
                .iter()
                .enumerate()
                .map(|(i, (_, v))| (i, v.chars().count()))
                .max_by_key(|&(_, n)| n)
                .unwrap_or((0, 0));
            if desc >= len {
                self.description = fit(&self.description, desc.saturating_sub(over).max(1));
            } else {
                let value = &mut self.fields[longest].1;
                *value = fit(value, len.saturating_sub(over).max(1));
            }
        }
    }

    pub fn embed(&self) -> CreateEmbed {
        let mut embed = CreateEmbed::new()
            .title(&self.title)
            .description(&self.description)
            .footer(CreateEmbedFooter::new(&self.footer))
            .colour(0x3b82f6);
        for (name, value) in &self.fields {
            embed = embed.field(name, value, false);
        }
        embed
    }
}

pub fn ask_buttons(role: &Role, q: &Question) -> Vec<CreateActionRow> {
    let role = role.id.clone();
    let question = q.id.clone();
    vec![CreateActionRow::Buttons(vec![
        CreateButton::new(
            ComponentId::Example {
                role: role.clone(),
                question: question.clone(),
            }
            .encode(),
        )
        .label(messages::BUTTON_EXAMPLE)
        .style(ButtonStyle::Primary),
        CreateButton::new(ComponentId::Another { role: role.clone() }.encode())
            .label(messages::BUTTON_ANOTHER)
            .style(ButtonStyle::Secondary),
        CreateButton::new(ComponentId::Practice { role, question }.encode())
            .label(messages::BUTTON_PRACTICE)
            .style(ButtonStyle::Success),
    ])]
}

pub fn example_embed(role: &Role, q: &Question) -> CreateEmbed {
    CreateEmbed::new()
        .title(fit(&messages::example_title(&q.text), limits::EMBED_TITLE))
        .description(fit(&q.example, limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(fit(
            &messages::example_footer(&role.name, &q.framework.name),
            limits::FOOTER,
        )))
        .colour(0x22c55e)
}

/// A post split into messages that each fit, buttons on the last. `key` (the
/// outbox id) becomes each message's enforced nonce, so if the bot dies after
/// Discord accepted a post but before it was marked done, the repeat after the
/// restart is recognised by Discord, not posted twice.
pub fn post_messages(post: &Post, key: i64) -> Vec<CreateMessage> {
    let pieces = split(&post.content, limits::CONTENT);
    let count = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut m = CreateMessage::new()
                .content(piece)
                .allowed_mentions(no_pings())
                .nonce(Nonce::String(format!("ic{key}.{i}")))
                .enforce_nonce(true);
            if i + 1 == count && post.buttons == PostButtons::AnswerAndEnd {
                m = m.components(interview_buttons());
            }
            m
        })
        .collect()
}

pub fn interview_buttons() -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(vec![
        CreateButton::new(ComponentId::Answer.encode())
            .label(messages::BUTTON_ANSWER)
            .style(ButtonStyle::Primary),
        CreateButton::new(ComponentId::End.encode())
            .label(messages::BUTTON_END)
            .style(ButtonStyle::Danger),
    ])]
}

/// "Mock interview · Backend Engineer · alice", within Discord's 100.
pub fn thread_name(role_name: &str, member: &str) -> String {
    fit(
        &messages::thread_name(role_name, member),
        limits::THREAD_NAME,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_at_words_and_marks_the_cut() {
        assert_eq!(fit("short", 10), "short");
        let cut = fit("alpha beta gamma delta", 12);
        assert!(cut.chars().count() <= 12);
        assert_eq!(cut, "alpha beta…");
    }

    #[test]
    fn split_keeps_every_word_and_respects_the_limit() {
        let text = "word ".repeat(1000);
        let pieces = split(&text, 2000);
        assert!(pieces.iter().all(|p| p.chars().count() <= 2000));
        assert_eq!(pieces.join(" ").split_whitespace().count(), 1000);
        let unbroken = "x".repeat(4500);
        let pieces = split(&unbroken, 2000);
        assert_eq!(pieces.iter().map(|p| p.len()).sum::<usize>(), 4500);
    }

    #[test]
    fn thread_names_fit() {
        let name = thread_name(&"R".repeat(60), &"m".repeat(80));
        assert!(name.chars().count() <= 100);
        assert_eq!(
            thread_name("Backend Engineer", "alice"),
            "Mock interview · Backend Engineer · alice"
        );
    }

    #[test]
    fn every_shipped_question_renders_within_limits() {
        let lib = crate::guide::GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides"))
            .expect("shipped guides load");
        for role in lib.roles() {
            for q in &role.questions {
                let view = AskView::new(role, q);
                assert!(
                    view.total_chars() <= limits::EMBED_TOTAL,
                    "{}/{}",
                    role.id,
                    q.id
                );
                assert!(view.title.chars().count() <= limits::EMBED_TITLE);
                assert!(view
                    .fields
                    .iter()
                    .all(|(n, v)| n.chars().count() <= limits::FIELD_NAME
                        && v.chars().count() <= limits::FIELD_VALUE));
            }
        }
    }
}
