//! The messages of a pair's room, built within Discord's limits: the console, the
//! briefing, the follow-up and rating menus, the notes form and the summary.

use serenity::all::{
    ActionRow, ActionRowComponent, ButtonStyle, CreateActionRow, CreateButton, CreateEmbed,
    CreateInputText, CreateInteractionResponse, CreateModal, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, InputTextStyle,
};

use crate::coach::feedback::{self, feedback_text, headline, AnswerContext, LibraryCues};
use crate::discord::ids::{ComponentId, PairAction};
use crate::discord::render::{self, fit, follow_up_lines, limits, split, step_lines};
use crate::guide::{GuideLibrary, Question, Role};
use crate::messages::{self, pairs as text};
use crate::session::pairs::NOTE_MAX_CHARS;
use crate::store::{EndReason, PairId, PairSummary, Round, RoundId};

/// Discord's limits on select menus.
const OPTIONS_MAX: usize = 25;
const OPTION_TEXT_MAX: usize = 100;

/// The console's two rows: the interviewer's buttons, and the candidate's *Answer*.
pub fn console_buttons(pair: PairId) -> Vec<CreateActionRow> {
    let button = |action, label: &str, style| {
        CreateButton::new(
            ComponentId::Pair {
                action,
                pair: pair.0,
            }
            .encode(),
        )
        .label(label)
        .style(style)
    };
    vec![
        CreateActionRow::Buttons(vec![
            button(
                PairAction::Briefing,
                text::BUTTON_BRIEFING,
                ButtonStyle::Primary,
            ),
            button(PairAction::Ask, text::BUTTON_ASK, ButtonStyle::Secondary),
            button(
                PairAction::FollowUp,
                text::BUTTON_FOLLOW_UP,
                ButtonStyle::Secondary,
            ),
            button(PairAction::Score, text::BUTTON_SCORE, ButtonStyle::Success),
        ]),
        CreateActionRow::Buttons(vec![
            button(PairAction::Swap, text::BUTTON_SWAP, ButtonStyle::Secondary),
            button(PairAction::End, text::BUTTON_END, ButtonStyle::Danger),
            button(
                PairAction::Answer,
                messages::BUTTON_ANSWER,
                ButtonStyle::Primary,
            ),
        ]),
    ]
}

/// The console's text for a round.
pub fn console_text(round: &Round, role_name: &str) -> String {
    fit(
        &text::console(
            round.number,
            round.interviewer.unwrap_or_default(),
            round.candidate.unwrap_or_default(),
            role_name,
        ),
        limits::CONTENT,
    )
}

/// The interviewer's briefing: the question, why it is asked, the framework's steps, what
/// each follow-up checks, and the example answer.
pub fn briefing(role: &Role, q: &Question) -> Vec<CreateEmbed> {
    let steps = step_lines(q);
    let follow_ups = follow_up_lines(q);
    let mut brief = CreateEmbed::new()
        .title(fit(&q.text, limits::EMBED_TITLE))
        .description(fit(&format!("**{}:** {}", text::BRIEFING_WHY, q.why), 1000))
        .field(
            text::BRIEFING_STEPS,
            fit(
                &format!("{}\n{}", q.framework.name, steps.join("\n")),
                limits::FIELD_VALUE,
            ),
            false,
        );
    if !follow_ups.is_empty() {
        brief = brief.field(
            text::BRIEFING_FOLLOW_UPS,
            fit(&follow_ups.join("\n"), limits::FIELD_VALUE),
            false,
        );
    }
    let example = CreateEmbed::new()
        .title(fit(
            &format!("{} · {}", text::BRIEFING_EXAMPLE, role.name),
            limits::EMBED_TITLE,
        ))
        .description(fit(&q.example, 3000))
        .colour(0x22c55e);
    vec![brief, example]
}

/// The follow-ups a question offers the interviewer: the guide's follow-ups, then the
/// framework steps' probes, in full.
pub fn follow_ups(q: &Question) -> Vec<String> {
    q.follow_ups
        .iter()
        .map(|f| f.question.clone())
        .chain(q.framework.steps.iter().filter_map(|s| s.probe.clone()))
        .take(OPTIONS_MAX)
        .collect()
}

/// The follow-up menu: labels cut to Discord's 100 characters, values the index.
pub fn follow_up_menu(pair: PairId, q: &Question) -> Option<CreateActionRow> {
    let options: Vec<CreateSelectMenuOption> = follow_ups(q)
        .iter()
        .enumerate()
        .map(|(i, f)| CreateSelectMenuOption::new(fit(f, OPTION_TEXT_MAX), i.to_string()))
        .collect();
    if options.is_empty() {
        return None;
    }
    Some(CreateActionRow::SelectMenu(
        CreateSelectMenu::new(
            ComponentId::PairFollowUpPick { pair: pair.0 }.encode(),
            CreateSelectMenuKind::String { options },
        )
        .placeholder(text::FOLLOW_UP_PLACEHOLDER),
    ))
}

/// The scoring message's rows: a 1–4 menu per step (at most four), then *Submit ratings*.
pub fn score_rows(round: RoundId, q: &Question, keys: &[String]) -> Vec<CreateActionRow> {
    let mut rows: Vec<CreateActionRow> = keys
        .iter()
        .enumerate()
        .take(4)
        .map(|(i, key)| {
            let name = q
                .framework
                .steps
                .iter()
                .find(|s| &s.key == key)
                .map_or(key.as_str(), |s| s.name.as_str());
            let options = text::RATING_LABELS
                .iter()
                .enumerate()
                .map(|(r, label)| CreateSelectMenuOption::new(*label, (r + 1).to_string()))
                .collect();
            CreateActionRow::SelectMenu(
                CreateSelectMenu::new(
                    ComponentId::PairRate {
                        round: round.0,
                        step: i as u8,
                    }
                    .encode(),
                    CreateSelectMenuKind::String { options },
                )
                .placeholder(fit(&text::rate_placeholder(name), OPTION_TEXT_MAX)),
            )
        })
        .collect();
    rows.push(submit_row(round));
    rows
}

fn submit_row(round: RoundId) -> CreateActionRow {
    CreateActionRow::Buttons(vec![CreateButton::new(
        ComponentId::PairScoreSubmit { round: round.0 }.encode(),
    )
    .label(text::BUTTON_SUBMIT_SCORE)
    .style(ButtonStyle::Success)])
}

/// The ratings chosen so far on a scoring message: a digit per step, `0` for none. The
/// message itself remembers them (each choice marks its option as the menu's default), so
/// they survive a restart with no state in the bot.
pub fn chosen_ratings(rows: &[ActionRow]) -> String {
    let mut digits = String::new();
    for menu in menus(rows) {
        let chosen = menu
            .options
            .iter()
            .find(|o| o.default)
            .and_then(|o| o.value.parse::<u8>().ok())
            .filter(|r| (1..=4).contains(r))
            .unwrap_or(0);
        digits.push(char::from(b'0' + chosen));
    }
    digits
}

fn menus(rows: &[ActionRow]) -> impl Iterator<Item = &serenity::all::SelectMenu> {
    rows.iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|c| match c {
            ActionRowComponent::SelectMenu(menu) => Some(menu),
            _ => None,
        })
}

/// The scoring message again, with `value` chosen in the menu `custom_id` and every other
/// choice kept.
pub fn rechosen(
    rows: &[ActionRow],
    round: RoundId,
    custom_id: &str,
    value: &str,
) -> Vec<CreateActionRow> {
    let mut out: Vec<CreateActionRow> = menus(rows)
        .filter_map(|menu| {
            let id = menu.custom_id.clone()?;
            let this = id == custom_id;
            let options = menu
                .options
                .iter()
                .map(|o| {
                    let default = if this { o.value == value } else { o.default };
                    CreateSelectMenuOption::new(o.label.clone(), o.value.clone())
                        .default_selection(default)
                })
                .collect();
            let mut rebuilt = CreateSelectMenu::new(id, CreateSelectMenuKind::String { options });
            if let Some(p) = &menu.placeholder {
                rebuilt = rebuilt.placeholder(p.clone());
            }
            Some(CreateActionRow::SelectMenu(rebuilt))
        })
        .collect();
    out.push(submit_row(round));
    out
}

/// The notes form after the ratings; the ratings ride in its id.
pub fn notes_form(round: RoundId, ratings: String) -> CreateInteractionResponse {
    let field = |id: &str, label: &str| {
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Paragraph, label, id)
                .min_length(1)
                .max_length(NOTE_MAX_CHARS as u16)
                .required(true),
        )
    };
    CreateInteractionResponse::Modal(
        CreateModal::new(
            ComponentId::PairScoreForm {
                round: round.0,
                ratings,
            }
            .encode(),
            text::SCORE_FORM_TITLE,
        )
        .components(vec![
            field("strength", text::STRENGTH_FIELD),
            field("improve", text::IMPROVE_FIELD),
        ]),
    )
}

/// The candidate's answer form.
pub fn answer_form(pair: PairId) -> CreateInteractionResponse {
    render::answer_form(ComponentId::PairAnswerForm { pair: pair.0 }.encode())
}

pub fn reason_text(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Finished => text::REASON_FINISHED,
        EndReason::Left => text::REASON_LEFT,
        EndReason::ThreadGone => text::REASON_THREAD_GONE,
        EndReason::MemberGone => text::REASON_MEMBER_GONE,
        EndReason::Idle => text::REASON_IDLE,
    }
}

/// The summary of every round, in messages that fit: the question, the peer's ratings and
/// notes, and the coach's notes on the candidate's written answers.
pub fn summary(lib: &GuideLibrary, s: &PairSummary) -> Vec<String> {
    let mut parts = vec![text::SUMMARY_HEADING.to_string()];
    if s.rounds.is_empty() {
        parts.push(text::NO_ROUNDS.to_string());
    }
    for r in &s.rounds {
        let found = lib
            .role(&r.round.role_id)
            .and_then(|role| role.question(&r.round.question_id).map(|q| (role, q)));
        let question = found.map_or(r.round.question_id.clone(), |(_, q)| fit(&q.text, 500));
        let mut lines = vec![text::summary_round(
            r.round.number,
            r.round.interviewer,
            r.round.candidate,
            &question,
        )];
        match &r.scorecard {
            Some(card) => {
                for (key, rating) in &card.ratings {
                    let name = found
                        .and_then(|(_, q)| q.framework.steps.iter().find(|s| &s.key == key))
                        .map_or(key.as_str(), |s| s.name.as_str());
                    lines.push(text::rating_line(name, *rating));
                }
                lines.push(text::strength_line(&card.strength));
                lines.push(text::improve_line(&card.improve));
            }
            None => lines.push(text::NOT_SCORED.to_string()),
        }
        let answer: Vec<&str> = r.answers.iter().map(|a| a.text.as_str()).collect();
        let answer = answer.join("\n");
        match found.zip(lib.cues()).filter(|_| !answer.trim().is_empty()) {
            Some(((role, q), cues)) => {
                let ctx = AnswerContext::for_question(role, q);
                let analysis = feedback::analyse(&answer, &ctx, cues);
                lines.push(text::COACH_HEADING.to_string());
                lines.push(headline(&analysis));
                lines.extend(feedback_text(&analysis).iter().map(|l| format!("- {l}")));
            }
            None if answer.trim().is_empty() => lines.push(text::NO_TEXT_ANSWER.to_string()),
            None => {}
        }
        parts.push(lines.join("\n"));
    }
    split(&parts.join("\n\n"), limits::CONTENT)
}
