//! User-facing text that both front ends (terminal and Discord) say, kept in
//! one place so wording stays consistent and is easy to review. What the
//! progress chart and its summary say is in `progress`.

mod progress;

pub mod daily;
pub mod pairs;

use crate::coach::engine::{AnswerError, Prompt, PromptKind, Summary};
use crate::guide::{template::join_list, Counts, Unknown};
use crate::store::{CloseReason, InterviewStatus};

pub use crate::guide::template::plural;
pub use progress::*;

/// "did you mean `a`, `b` or `c`?" — or nothing when there is no good guess.
pub fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("did you mean `{one}`?"),
        [init @ .., last] => format!(
            "did you mean {} or `{last}`?",
            init.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The most characters of a member's own input that a reply repeats: enough
/// to recognise a typo, and a long paste cannot push the reply past Discord's
/// limits (which would refuse it, so the member would hear nothing).
pub const ECHO_CHARS: usize = 100;

/// `input` as a reply repeats it: at most [`ECHO_CHARS`] characters, cut with
/// "…", and without backticks, which would end the code span it is shown in.
pub fn input_excerpt(input: &str) -> String {
    let mut out: String = input
        .chars()
        .take(ECHO_CHARS)
        .map(|c| if c == '`' { '\'' } else { c })
        .collect();
    if input.chars().nth(ECHO_CHARS).is_some() {
        out.pop();
        out.push('…');
    }
    out
}

pub fn unknown_role(unknown: &Unknown) -> String {
    let mut s = format!(
        "There is no role called `{}`",
        input_excerpt(&unknown.input)
    );
    match did_you_mean(&unknown.suggestions) {
        hint if hint.is_empty() => s.push_str("; see the list of roles"),
        hint => {
            s.push_str("; ");
            s.push_str(&hint);
        }
    }
    s
}

pub fn unknown_question(role_id: &str, unknown: &Unknown) -> String {
    let mut s = format!(
        "Role `{role_id}` has no question `{}`",
        input_excerpt(&unknown.input)
    );
    let hint = did_you_mean(&unknown.suggestions);
    if !hint.is_empty() {
        s.push_str("; ");
        s.push_str(&hint);
    }
    s
}

pub fn no_question_matches(role_name: &str) -> String {
    format!("{role_name} has no question in that category yet.")
}

pub fn answer_rejected(err: &AnswerError) -> String {
    match err {
        AnswerError::Empty => "That answer was empty; please write your answer and send it again.".into(),
        AnswerError::TooLong { chars, max } => format!(
            "That answer is {chars} characters long. Answers can be at most {max} characters (about {} minutes spoken); please shorten it and send it again.",
            max / 5 / 150
        ),
        AnswerError::Finished => "This interview has already finished.".into(),
    }
}

/// The feedback on one answer, as a short list.
pub fn feedback_lines(lines: &[String]) -> Vec<String> {
    let mut out = vec!["Feedback on your answer:".to_string()];
    out.extend(lines.iter().map(|l| format!("- {l}")));
    out
}

/// The feedback on an answer to a follow-up (or the coach's probe): judged
/// on what the follow-up asked, which the heading says.
pub fn follow_up_feedback_lines(lines: &[String]) -> Vec<String> {
    let mut out = vec!["Feedback on your follow-up answer:".to_string()];
    out.extend(lines.iter().map(|l| format!("- {l}")));
    out
}

/// "Question 1 of 2" or "Follow-up 2 of 2 on question 1".
pub fn prompt_heading(prompt: &Prompt) -> String {
    match (prompt.kind, prompt.follow_up) {
        (PromptKind::FollowUp | PromptKind::Probe, Some(i)) => format!(
            "Follow-up {} of {} on question {}",
            i + 1,
            prompt.follow_ups_total,
            prompt.question + 1
        ),
        _ => format!(
            "Question {} of {}",
            prompt.question + 1,
            prompt.questions_total
        ),
    }
}

/// The end-of-interview recap as plain lines (Markdown-friendly).
pub fn summary_lines(summary: &Summary) -> Vec<String> {
    let mut lines = Vec::new();
    let how = if summary.ended_early {
        "Interview ended early"
    } else {
        "Interview complete"
    };
    lines.push(format!("{how}: {} practice.", summary.role_name));
    lines.push(format!(
        "You answered {} of {} main questions and {}, about {} in all (roughly {} spoken).",
        summary.questions_answered,
        summary.questions_planned,
        plural(summary.follow_ups_answered as u64, "follow-up"),
        plural(summary.words_spoken as u64, "word"),
        speaking_time(summary.words_spoken),
    ));
    if !summary.questions.is_empty() {
        lines.push("Questions covered:".into());
        for q in &summary.questions {
            lines.push(format!("- {q}"));
        }
    }
    if let Some(coaching) = &summary.coaching {
        if !coaching.strengths.is_empty() {
            lines.push("Consistently strong:".into());
            lines.extend(coaching.strengths.iter().map(|s| format!("- {s}")));
        }
        if !coaching.gaps.is_empty() {
            lines.push("Consistently missing:".into());
            lines.extend(coaching.gaps.iter().map(|s| format!("- {s}")));
        }
    }
    if !summary.checks.is_empty() {
        lines.push("What the follow-ups were checking:".into());
        for c in &summary.checks {
            lines.push(format!("- {} {}", c.question, c.checks));
        }
    }
    if summary.questions_answered == 0 {
        lines.push(
            "No answers were given, so there is nothing to review yet. Try again any time.".into(),
        );
    }
    lines
}

/// Speaking time at 150 words a minute, as "1 min 20 s".
pub fn speaking_time(words: usize) -> String {
    let secs = words * 60 / 150;
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

pub fn role_line(id: &str, name: &str, aliases: &[String], questions: usize) -> String {
    let aliases = if aliases.is_empty() {
        String::new()
    } else {
        format!(" (also: {})", join_list(aliases))
    };
    format!("{id:<20} {name}{aliases} · {questions} questions")
}

/// How `practice` opens.
pub fn practice_intro(role_name: &str, questions: usize, follow_ups: usize) -> String {
    format!(
        "Mock interview: {role_name} — {}, up to {} each.\nAnswer each prompt, then press Enter on an empty line. End of input (Ctrl-D) ends the interview.",
        plural(questions as u64, "question"),
        plural(follow_ups as u64, "follow-up"),
    )
}

pub const INPUT_NOT_UTF8: &str =
    "the input is not valid UTF-8; unreadable bytes were replaced with \u{fffd}";

// ---- Discord-only wording ----

/// `/help`.
pub const HELP: &str = "\
**interview-coach** helps you practise job interviews.

• `/ask role:backend` — a question for the role, why recruiters ask it, how to structure your answer, and the follow-ups to prepare for. Add `level:junior` (or mid, senior, staff) for questions written for your level. Try your own answer first; **Show example answer** reveals one.
• `/mock role:backend` — a mock interview in its own thread: answer each question with a message (or the **Answer** button), get the next follow-up, and a summary at the end.
• `/guides list` — the roles you can practise. Moderators: `/guides reload` after editing the guide files.
• `/streak` — your streak of days answering the server's question of the day (answer in the day's thread; **My feedback** on the post shows only you what the coach thinks). `/daily board join` puts your streak on the weekly board. Moderators: `/daily setup`.
• `/progress` — a chart of how your answers change over time, only for you.
• `/pair join role:backend` — practise with another member: when someone joins for the same role (or `role:any`), you get a thread together; one interviews with a private briefing and scorecard, then you **Swap**. `/pair leave` leaves the queue. Moderators: `/pair setup`.
• `/history` — your recent mock interviews and peer rounds. `/forget-me` — delete everything stored about you.

Your interview thread is private (you, the bot and the server's moderators can see it) where I may create private threads; elsewhere it is public, readable by anyone who can see the channel, and `/mock` tells you so before you answer. I never ping anyone, except the two members of a new pair when I announce it.";

pub const NO_PERMISSION: &str = "I don't have the permission to do that here. A server admin can check my role's permissions for this channel.";
pub const GONE: &str = "That channel or message no longer exists.";
pub const RATE_LIMITED: &str =
    "Discord is rate-limiting me right now; please try again in a few seconds.";
pub const DISCORD_FAILED: &str =
    "Discord had a problem handling that; please try again in a moment.";
pub const OUR_FAULT: &str =
    "Something went wrong on my side. It has been logged; please try again.";

/// A store call that gave up waiting for another process's lock, when the
/// caller has no more specific wording.
pub const BUSY: &str =
    "The database is busy right now, so that did not go through; please try again in a minute.";
pub const BUSY_NOTHING_DELETED: &str =
    "The database is busy right now; nothing was deleted. Please try again in a minute.";
pub const BUSY_NOT_ENDED: &str =
    "The database is busy right now, so the interview is still open. Please press **End interview** again in a minute.";
pub const BUSY_ANSWER_NOT_SAVED: &str =
    "The database is busy right now, so your answer was not saved. Please send it again in a minute.";
pub const BUSY_NO_HISTORY: &str =
    "The database is busy right now, so I can't read your history. Please try again in a minute.";
pub const BUSY_NOT_STARTED: &str =
    "The database is busy right now, so no interview was started. Please try again in a minute.";

pub const THREAD_ARCHIVED: &str = "This thread will now be archived; run `/mock` again any time.";

/// An interview thread's name (before Discord's length limit).
pub fn thread_name(role_name: &str, member: &str) -> String {
    format!("Mock interview · {role_name} · {member}")
}

pub fn ask_why(why: &str) -> String {
    format!("**Why recruiters ask this**\n{why}")
}

pub fn ask_structure(framework_name: &str) -> String {
    format!("How to structure it: {framework_name}")
}

pub const ASK_TIPS: &str = "Tips";
pub const ASK_FOLLOW_UPS: &str = "Follow-ups to prepare for";

pub fn ask_follow_up(question: &str, checks: &str) -> String {
    format!("• **{question}**\n  _Checks:_ {checks}")
}

/// `levels`: the levels a question is written for, when not every level.
pub fn ask_footer(
    role_name: &str,
    category: &str,
    stage: &str,
    levels: Option<&[crate::guide::Level]>,
    question_id: &str,
) -> String {
    let levels = levels
        .map(|l| {
            let names: Vec<String> = l.iter().map(|l| l.label().to_string()).collect();
            format!("for {} · ", crate::guide::template::join_or(&names))
        })
        .unwrap_or_default();
    format!("{role_name} · {category} · {stage} · {levels}question id: {question_id}")
}

pub fn example_title(question: &str) -> String {
    format!("Example answer · {question}")
}

pub fn example_footer(role_name: &str, framework_name: &str) -> String {
    format!("{role_name} · {framework_name} · try your own answer before reading this one closely")
}

pub const ANSWER_FORM_TITLE: &str = "Your answer";
pub const ANSWER_FIELD: &str = "Answer";
pub const ANSWER_PLACEHOLDER: &str = "Take your time; structure it as the guide suggests.";

pub const BUTTON_ANSWER: &str = "Answer";
pub const BUTTON_END: &str = "End interview";
pub const BUTTON_EXAMPLE: &str = "Show example answer";
pub const BUTTON_ANOTHER: &str = "Another question";
pub const BUTTON_PRACTICE: &str = "Practice this as a mock interview";

pub const FORGET_CONFIRM: &str = "This deletes every mock interview, answer and summary stored about you, your answers, streaks and board place for the question of the day, and your peer interview queue places, answers and the scorecards about you, in every server. It cannot be undone. Continue?";
pub const BUTTON_FORGET: &str = "Delete my data";
pub const BUTTON_KEEP: &str = "Keep it";
pub const NOTHING_DELETED: &str = "Nothing was deleted.";

/// After `/forget-me` was confirmed: the interview counts, then the daily question's
/// (answers, streak records, board places).
pub fn forgotten(interviews: u64, answers: u64, queued: u64, daily: [usize; 3]) -> String {
    let [daily_answers, streaks, boards] = daily.map(|n| n as u64);
    format!(
        "Done. Deleted {}, {} and {}; {}, {} and {}. Nothing about you is stored any more.",
        plural(interviews, "interview"),
        plural(answers, "answer"),
        plural(queued, "queued message"),
        plural(daily_answers, "daily answer"),
        plural(streaks, "streak"),
        plural(boards, "board place"),
    )
}

/// How `/history` names an interview's status.
pub fn status_label(status: InterviewStatus) -> &'static str {
    match status {
        InterviewStatus::Open => "in progress",
        InterviewStatus::Finished => "completed",
        InterviewStatus::Abandoned => "abandoned",
        InterviewStatus::Closed(reason) => match reason {
            CloseReason::ThreadDeleted => "thread deleted",
            CloseReason::MemberLeft => "left the server",
            CloseReason::Ended => "ended early",
            CloseReason::Idle => "timed out",
        },
    }
}

pub const NO_HISTORY: &str = "You have no mock interviews yet. Start one with `/mock`.";
pub const HISTORY_HEADING: &str = "**Your recent mock interviews**";

/// One line of `/history` (the date is Discord's timestamp markup).
pub fn history_line(created_at: i64, role_name: &str, status: &str, answers: u64) -> String {
    format!(
        "• <t:{created_at}:d> {role_name} — {status}, {}",
        plural(answers, "answer")
    )
}

pub fn no_question_at_level(role_name: &str, level: &str) -> String {
    format!("{role_name} has no question for the level `{level}` yet; try another level or none.")
}

pub fn unknown_level(input: &str, ids: &[&str]) -> String {
    format!(
        "There is no level `{}`; use one of: {}.",
        input_excerpt(input),
        ids.join(", ")
    )
}

pub fn unknown_category(input: &str, ids: &[&str]) -> String {
    format!(
        "There is no category `{}`; use one of: {}.",
        input_excerpt(input),
        ids.join(", ")
    )
}

pub fn guides_list_heading(roles: usize) -> String {
    format!(
        "**{}** (use the id with `/ask` or `/mock`):",
        plural(roles as u64, "role")
    )
}

pub fn guides_list_line(id: &str, name: &str, questions: usize) -> String {
    format!("• `{id}` {name} — {}", plural(questions as u64, "question"))
}

pub const RELOAD_OUTSIDE_SERVER: &str = "Guides can only be reloaded from inside a server.";
pub const RELOAD_NOT_HERE: &str = "The guides are shared by every server this bot is in, so only moderators of the operator's own server can reload them. Ask the bot's operator.";
pub const RELOAD_NOT_MODERATOR: &str = "Only moderators (Manage Server, or a moderator role set by the operator) can reload the guides.";

pub fn guides_reloaded(millis: u128, counts: &Counts) -> String {
    format!("Reloaded the guides in {millis} ms: {counts}.")
}

/// Opens the list of problems that kept a reload from happening.
pub fn reload_refused(problems: usize) -> String {
    format!(
        "The guides were **not** reloaded: {} found. The previous guides are still in use.",
        plural(problems as u64, "problem")
    )
}

pub fn and_more(n: usize) -> String {
    format!("…and {n} more.")
}

pub const MOCK_IN_THREAD: &str =
    "Mock interviews run in their own thread, so please use `/mock` in a regular text channel, not inside a thread.";

pub const GUILD_ONLY: &str =
    "This works inside a server, where I can open a thread for you; it is not available in direct messages.";

pub const ONLY_CANDIDATE_CAN_END: &str =
    "Only the member being interviewed can end this interview. Start your own with `/mock`.";

pub const ONLY_CANDIDATE_CAN_ANSWER: &str =
    "This interview belongs to someone else. Start your own with `/mock`.";

pub const NOT_AN_INTERVIEW: &str = "This thread has no interview in progress.";

pub const QUESTION_GONE: &str =
    "That question is no longer in the guides (they have been updated since). Run `/ask` for a current one.";

pub const USE_THE_BUTTON: &str =
    "I can't read the text of messages here, so please answer with the **Answer** button under the question.";

pub fn already_interviewing(thread_id: u64) -> String {
    format!("You already have a mock interview open in <#{thread_id}>. Finish it there, or press **End interview** in it to start a new one.")
}

pub fn missing_permissions(names: &[&str]) -> String {
    let list = names
        .iter()
        .map(|n| format!("**{n}**"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("I can't open an interview thread in this channel: I'm missing {list}. A server admin can grant it to my role for this channel.")
}

pub fn mock_ready(thread_id: u64) -> String {
    format!("Your mock interview is ready in <#{thread_id}>. Good luck!")
}

/// Said in the `/mock` reply and at the top of the thread when the interview runs in a
/// public thread, so nobody answers believing it private.
pub const PUBLIC_THREAD: &str = "**This is a public thread**: anyone who can see the channel it belongs to can read it, because I lack the **Create Private Threads** permission there. A moderator can grant it to my role for that channel so interviews stay private.";

pub fn mock_ready_public(thread_id: u64) -> String {
    format!("Your mock interview is ready in <#{thread_id}>. {PUBLIC_THREAD}")
}

pub fn mock_intro(
    role_name: &str,
    questions: usize,
    follow_ups: usize,
    message_content: bool,
) -> String {
    let how = if message_content {
        "Answer each question by sending one message in this thread, or press **Answer** to write it in a form."
    } else {
        "Answer each question with the **Answer** button under it."
    };
    format!(
        "**Mock interview: {role_name}**\n{}, each with up to {}. {how} Only your answers move the interview on; press **End interview** to stop early and get your summary.",
        plural(questions as u64, "question"),
        plural(follow_ups as u64, "follow-up"),
    )
}

pub fn echo_answer(name: &str, text: &str) -> String {
    format!("**{name}** answered:\n{text}")
}

pub fn idle_ended(minutes: u32) -> String {
    format!("No answer for {minutes} minutes, so this interview has ended.")
}
