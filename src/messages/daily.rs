//! What the daily question says: `/daily`, the day's post, answers, `/streak` and the
//! weekly board.

use crate::coach::daily::{weekday_name, Streaks};

pub fn no_role_at_level(level: &str) -> String {
    format!("No role in the guides has a question at the `{level}` level; choose another level or leave it out.")
}

pub fn setup_refused(problems: &[String]) -> String {
    let mut out = String::from("The daily question was not set up:");
    for p in problems {
        out.push_str("\n• ");
        out.push_str(p);
    }
    out
}

/// `<t:…:F>`: Discord shows the instant in each reader's own time zone.
fn when(unix: i64) -> String {
    format!("<t:{unix}:F> (<t:{unix}:R>)")
}

/// What `/daily setup` and `/daily show` say about a schedule.
#[allow(clippy::too_many_arguments)]
pub fn schedule_summary(
    channel_id: u64,
    time: &str,
    zone: &str,
    roles: &[String],
    level: Option<&str>,
    board_day: jiff::civil::Weekday,
    next_post: i64,
) -> String {
    let roles = if roles.is_empty() {
        "every role, in turn".to_string()
    } else {
        roles.join(", ")
    };
    let level = level.map_or(String::new(), |l| format!(" at the `{l}` level"));
    format!(
        "A question of the day is posted in <#{channel_id}> at **{time}** ({zone}), from {roles}{level}.\n\
         The weekly streak board comes on {}s, for members who join it with `/daily board join`.\n\
         Next question: {}.",
        capitalised(weekday_name(board_day)),
        when(next_post)
    )
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

pub const NO_SCHEDULE: &str =
    "This server has no question of the day. A moderator can start one with `/daily setup`.";
pub const TURNED_OFF: &str =
    "The question of the day is off. Answers, streaks and the board are kept; `/daily setup` starts it again.";
pub const WAS_OFF: &str = "This server had no question of the day to turn off.";
pub const NOT_MODERATOR: &str =
    "Only moderators (Manage Server, or a moderator role set by the operator) can change the question of the day.";

pub fn missing_channel_permissions(channel_id: u64, names: &[&str]) -> String {
    format!(
        "I can't run the question of the day in <#{channel_id}>: I'm missing {} there. A moderator can grant them to my role for that channel, then run `/daily setup` again.",
        crate::guide::template::join_list(
            &names.iter().map(|n| format!("**{n}**")).collect::<Vec<_>>()
        )
    )
}

pub fn post_title(role_name: &str) -> String {
    format!("Question of the day · {role_name}")
}

pub fn post_why(why: &str) -> String {
    format!("**Why it's asked:** {why}")
}

pub fn post_structure(framework: &str, steps: &[String]) -> String {
    format!("**Structure:** {framework} — {}", steps.join(" → "))
}

pub const POST_HOW: &str = "Answer in the thread below (or with the **Answer** button). Press **My feedback** to see, privately, what the coach makes of your answer.";

pub fn post_footer(day: &str) -> String {
    format!("{day} · /streak shows your streak")
}

pub fn thread_name(day: &str) -> String {
    format!("Answers · {day}")
}

pub const BUTTON_MY_FEEDBACK: &str = "My feedback";

pub const NO_ANSWER_YET: &str =
    "You haven't answered this question yet (or your answer is older than this server keeps). Answer in the thread, then press **My feedback** again.";
pub const NO_FEEDBACK: &str = "Your answer is saved, but the coach had no feedback for it: the question is no longer in the guides.";
pub const POST_GONE: &str = "That question of the day is no longer stored.";

pub fn feedback_heading(question: &str) -> String {
    format!("**Your answer to:** {question}")
}

pub fn answered_modal(streaks: Streaks, replaced: bool) -> String {
    let saved = if replaced {
        "Your answer replaced your earlier one"
    } else {
        "Your answer is saved"
    };
    format!(
        "{saved}. {} Press **My feedback** on the day's post to see what the coach makes of it.",
        streak_sentence(streaks)
    )
}

pub fn streak_sentence(streaks: Streaks) -> String {
    let days = |n: u32| {
        if n == 1 {
            "1 day".to_string()
        } else {
            format!("{n} days")
        }
    };
    match streaks.current {
        0 if streaks.longest == 0 => {
            "No streak yet: answer the question of the day to start one.".to_string()
        }
        0 => format!(
            "Your streak has ended; your longest was {}. Answer today's question to start again.",
            days(streaks.longest)
        ),
        n => format!(
            "Your streak: **{}** (longest: {}).",
            days(n),
            days(streaks.longest)
        ),
    }
}

pub const BOARD_JOINED: &str =
    "You're on this server's weekly streak board. `/daily board leave` takes you off it.";
pub const BOARD_ALREADY: &str = "You're on this server's weekly streak board already.";
pub const BOARD_LEFT: &str = "You're off this server's weekly streak board.";
pub const BOARD_NOT_ON: &str = "You weren't on this server's weekly streak board.";

pub const BOARD_TITLE: &str = "Weekly streak board";
pub const BOARD_EMPTY: &str =
    "Nobody has joined the board yet. `/daily board join` puts your streak here each week.";

/// One line of the board: the member as a mention (shown as their name, never a ping:
/// allowed mentions are none).
pub fn board_line(rank: usize, user_id: u64, streaks: Streaks) -> String {
    format!(
        "{rank}. <@{user_id}> — {} day{} (longest {})",
        streaks.current,
        if streaks.current == 1 { "" } else { "s" },
        streaks.longest
    )
}

pub const BOARD_FOOTER: &str = "Only members who opted in with /daily board join appear here.";

pub const NO_PROGRESS: &str = "You have no analysed answers yet. Answer the question of the day, or practise with `/mock`, and your progress chart starts with your first answer.";
pub const PROGRESS_FILE: &str = "progress.png";
pub const PROGRESS_ALT: &str = "Your progress: framework steps covered, results quantified, length against the target, fillers per minute";
