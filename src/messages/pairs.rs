//! What peer mock interviews say: `/pair`, the queue reply, the pair's room, the
//! interviewer's console, the scorecard and the summary.

use crate::guide::template::join_list;
use crate::session::pairs::{Note, Refusal, MAX_QUEUE_MINUTES, NOTE_MAX_CHARS};

pub const NOT_MODERATOR: &str =
    "Only moderators (Manage Server, or a moderator role set by the operator) can change the pair settings.";

pub fn missing_channel_permissions(channel_id: u64, names: &[&str]) -> String {
    format!(
        "I can't open pair rooms in <#{channel_id}>: I'm missing {} there. A moderator can grant them to my role for that channel, then run `/pair setup` again.",
        bold_list(names)
    )
}

pub fn missing_voice_permissions(names: &[&str]) -> String {
    format!(
        "I can't give pairs a voice channel: I'm missing {} in this server. Grant them to my role, or run `/pair setup` with `voice:false`.",
        bold_list(names)
    )
}

fn bold_list(names: &[&str]) -> String {
    join_list(&names.iter().map(|n| format!("**{n}**")).collect::<Vec<_>>())
}

pub fn settings_saved(channel_id: Option<u64>, queue_minutes: u8, voice: bool) -> String {
    let channel = channel_id.map_or(
        "the channel where the second member joins".to_string(),
        |c| format!("<#{c}>"),
    );
    let voice = if voice {
        "each pair also gets a voice channel only its two members can see"
    } else {
        "no voice channels"
    };
    format!("Pairs are announced in {channel}; a member waits up to {queue_minutes} minutes for a partner; {voice}.")
}

pub const BUSY_NOT_QUEUED: &str =
    "The database is busy right now, so you were not queued. Please try `/pair join` again in a minute.";

pub fn waiting(position: u32, role: Option<&str>, level: Option<&str>, minutes: u8) -> String {
    let role = role.map_or("any role".to_string(), |r| format!("**{r}**"));
    let level = level.map_or(String::new(), |l| format!(" at the **{l}** level"));
    format!(
        "You're in the queue for {role}{level}, number {position} in line. I'll change this message when you're matched; if nobody comes within {minutes} minutes you leave the queue. `/pair leave` leaves it now."
    )
}

pub const REPLACED: &str =
    "You joined the queue again; your newer `/pair join` reply is the one that counts.";

pub fn already_in_pair(thread_id: Option<u64>) -> String {
    match thread_id {
        Some(t) => format!("You're already practising in a pair: <#{t}>. Press **End** there before joining again."),
        None => "You're already in a pair; its room is being opened.".to_string(),
    }
}

pub fn matched(partner: u64, thread_id: u64) -> String {
    format!("You're matched with <@{partner}>! Your room: <#{thread_id}>.")
}

pub const MATCH_FAILED: &str =
    "You were matched, but I could not open your room, so the pair ended. Please `/pair join` again.";

pub const MEMBER_UNREACHABLE: &str =
    "You were matched, but I could not add one of you to the room (they may have left the server), so the pair ended. Please `/pair join` again.";

/// Where the pair was announced, when its thread was deleted (no pings).
pub fn thread_gone_note(first: u64, second: u64) -> String {
    format!("The peer interview of <@{first}> and <@{second}> has ended: its thread was deleted. `/pair join` to practise again.")
}

pub fn voice_refused(names: &[&str]) -> String {
    format!(
        "I could not make your voice channel: I'm missing {} in this server (a moderator can grant them to my role). Practise here in the thread.",
        bold_list(names)
    )
}

pub const LEFT: &str = "You left the queue.";
pub const NOT_WAITING: &str = "You weren't in the queue.";
pub const LEFT_BY_REQUEST: &str = "You left the queue with `/pair leave`.";
pub const WAIT_ENDED: &str =
    "Nobody joined for a matching role in time, so you left the queue. `/pair join` again any time.";
pub const QUEUE_FORGOTTEN: &str = "You asked me to forget you, so you left the queue.";

pub fn queue_minutes_range(minutes: i64) -> String {
    format!("The queue time must be 1 to {MAX_QUEUE_MINUTES} minutes, not {minutes}.")
}

pub const ANY_ROLE: &str = "any";

pub fn no_scorable_question(role: &str) -> String {
    format!("The guides have no question for **{role}** (at that level) that a peer can score: each needs a framework of at most four steps.")
}

pub fn thread_name(role: &str) -> String {
    format!("Peer interview · {role}")
}

pub const ANY_ROLE_NAME: &str = "any role";

/// The announcement that pings the two members.
pub fn announcement(first: u64, second: u64, thread_id: u64, role: &str) -> String {
    format!("<@{first}> and <@{second}>, you're paired for a **{role}** mock interview: <#{thread_id}>.")
}

pub fn voice_line(voice_id: u64) -> String {
    format!("Your voice channel: <#{voice_id}> (only you two can see it).")
}

pub const VOICE_NAME: &str = "peer interview";

/// The console posted in the thread at each round.
pub fn console(number: u32, interviewer: u64, candidate: u64, role: &str) -> String {
    format!(
        "**Round {number}** · {role}: <@{interviewer}> interviews <@{candidate}>.\n\
         Interviewer: **Briefing** shows you the question, why it's asked, what a good answer holds and what each follow-up checks — only you see it. **Ask question** posts the question here; **Ask follow-up** picks one to post; **Score** rates the answer; **Swap** reverses the roles with a new question; **End** finishes with a summary.\n\
         Candidate: answer here with a message (or the **Answer** button). The coach's notes on your written answers come at the end."
    )
}

pub const BUTTON_BRIEFING: &str = "Briefing";
pub const BUTTON_ASK: &str = "Ask question";
pub const BUTTON_FOLLOW_UP: &str = "Ask follow-up";
pub const BUTTON_SCORE: &str = "Score";
pub const BUTTON_SWAP: &str = "Swap";
pub const BUTTON_END: &str = "End";
pub const BUTTON_SUBMIT_SCORE: &str = "Submit ratings";

pub const ONLY_INTERVIEWER: &str = "Only this round's interviewer can use these buttons.";
pub const ONLY_CANDIDATE: &str = "Only this round's candidate answers.";
pub const NOT_A_PAIR: &str = "This pair has ended.";

pub const BRIEFING_WHY: &str = "Why it's asked";
pub const BRIEFING_STEPS: &str = "What a good answer holds";
pub const BRIEFING_FOLLOW_UPS: &str = "Follow-ups and what they check";
pub const BRIEFING_EXAMPLE: &str = "Example answer";

pub fn asked(number: u32, question: &str) -> String {
    format!("**Question (round {number}):** {question}")
}

pub fn follow_up(question: &str) -> String {
    format!("**Follow-up:** {question}")
}

pub const ASKED: &str = "Posted.";
pub const FOLLOW_UP_PICK: &str = "Choose a follow-up to post in the thread:";
pub const FOLLOW_UP_PLACEHOLDER: &str = "A follow-up or probe";
pub const NO_FOLLOW_UPS: &str = "This question has no follow-ups in the guide.";

pub const SCORE_HOW: &str =
    "Rate each step 1–4 (1: missing, 2: thin, 3: solid, 4: excellent), then **Submit ratings** to add one strength and one thing to improve.";
pub fn rate_placeholder(step: &str) -> String {
    format!("{step}: 1–4")
}
pub const RATING_LABELS: [&str; 4] = ["1 · missing", "2 · thin", "3 · solid", "4 · excellent"];
pub const NO_RATINGS_YET: &str = "Choose a rating for at least one step first.";
pub const SCORE_FORM_TITLE: &str = "Scorecard";
pub const STRENGTH_FIELD: &str = "One thing they did well";
pub const IMPROVE_FIELD: &str = "One thing to improve";
pub const SCORED: &str = "Scorecard saved; both of you see it in the summary at the end.";

pub const ANSWER_SAVED: &str =
    "Answer saved. The coach's notes on it come in the summary at the end.";
pub const USE_THE_BUTTON: &str =
    "I can't read the text of messages here, so candidates: please answer with the **Answer** button on the round's console.";

pub fn swapped(number: u32) -> String {
    format!("Roles reversed: round {number} starts below.")
}

pub fn ended_note(reason: &str) -> String {
    format!("This pair has ended ({reason}). The summary follows; the thread will be archived.")
}

pub const REASON_FINISHED: &str = "finished";
pub const REASON_LEFT: &str = "a member left";
pub const REASON_THREAD_GONE: &str = "its thread was deleted";
pub const REASON_MEMBER_GONE: &str = "a member is no longer in the server";
pub const REASON_IDLE: &str = "nothing happened for a while";

pub const SUMMARY_HEADING: &str = "**Peer interview summary**";
pub fn summary_round(
    number: u32,
    interviewer: Option<u64>,
    candidate: Option<u64>,
    question: &str,
) -> String {
    format!(
        "**Round {number}** · {} interviewed {}\n> {question}",
        who(interviewer),
        who(candidate)
    )
}
fn who(user: Option<u64>) -> String {
    user.map_or("a former member".to_string(), |u| format!("<@{u}>"))
}
pub fn rating_line(step: &str, rating: u8) -> String {
    format!("• {step}: {rating}/4")
}
pub fn strength_line(text: &str) -> String {
    format!("Did well: {text}")
}
pub fn improve_line(text: &str) -> String {
    format!("To improve: {text}")
}
pub const NOT_SCORED: &str = "Not scored.";
pub const NO_TEXT_ANSWER: &str = "No written answer, so no notes from the coach.";
pub const COACH_HEADING: &str = "Coach's notes on the written answer:";
pub const NO_ROUNDS: &str = "No round was played.";

pub fn history_line(started_at: i64, role: &str, as_candidate: bool, scored: bool) -> String {
    let seat = if as_candidate {
        "candidate"
    } else {
        "interviewer"
    };
    let scored = if scored { "scored" } else { "not scored" };
    format!("• <t:{started_at}:d> peer interview · {role} · you were the {seat} · {scored}")
}
pub const HISTORY_PEER_HEADING: &str = "**Your peer interview rounds**";

pub fn forgotten(queue: usize, answers: u64, scorecards: u64, rounds: u64) -> String {
    format!("Peer interviews: {queue} queue entries, {answers} answers and {scorecards} scorecards about you deleted; {rounds} rounds no longer name you.")
}

/// A refusal from the use cases, in the member's words.
pub fn refusal(r: &Refusal) -> String {
    match r {
        Refusal::QueueMinutes(m) => queue_minutes_range(i64::from(*m)),
        Refusal::PairNotOpen => NOT_A_PAIR.into(),
        Refusal::NoRound => "No round is running.".into(),
        Refusal::RoundRunning => "A round is running already; use **Swap**.".into(),
        Refusal::RoundChanged => "The round changed meanwhile (roles were swapped already).".into(),
        Refusal::NotInterviewer => ONLY_INTERVIEWER.into(),
        Refusal::NotCandidate => ONLY_CANDIDATE.into(),
        Refusal::EmptyAnswer => "The answer was empty.".into(),
        Refusal::OtherRole { pair_role } => format!("This pair practises **{pair_role}**."),
        Refusal::NotInRole | Refusal::OtherLevel | Refusal::TooManySteps { .. } => {
            "That question does not suit this pair.".into()
        }
        Refusal::NoRatings => NO_RATINGS_YET.into(),
        Refusal::UnknownStep(_) | Refusal::RatedTwice(_) | Refusal::RatingOutOfRange { .. } => {
            "Those ratings don't match this round's question; press **Score** again.".into()
        }
        Refusal::EmptyNote(note) => format!("Please write {}.", note_name(*note)),
        Refusal::NoteTooLong { note, chars } => format!(
            "{} is {chars} characters; at most {NOTE_MAX_CHARS} fit.",
            capitalised(note_name(*note))
        ),
    }
}

fn note_name(note: Note) -> &'static str {
    match note {
        Note::Strength => "one thing they did well",
        Note::Improve => "one thing to improve",
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}
