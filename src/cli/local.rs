//! The terminal's own database, opt-in with `--db PATH`: `practice --db`
//! records the session ([`Recorder`]), `progress` charts what was recorded and
//! `forget` deletes it.
//!
//! It is the bot's [`Store`], with the terminal as one member of one server:
//! guild [`TERMINAL_GUILD`], user [`TERMINAL_USER`], and a random thread id per
//! session (Discord's ids are never 0, so a bot's database opened here by
//! mistake keeps its members' data: `forget` deletes the terminal's only).
//! Each command runs the store's async calls on a runtime of its own.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::tz::TimeZone;
use tokio::runtime::Runtime;

use super::Failure;
use crate::coach::engine::{self, AnswerFeedback, Interview};
use crate::messages;
use crate::session::{now, progress};
use crate::store::{
    Applied, CloseReason, Created, InterviewId, InterviewStatus, NewAnswer, NewInterview,
    NextState, Store,
};

/// The terminal's server and member in its database.
pub const TERMINAL_GUILD: u64 = 0;
pub const TERMINAL_USER: u64 = 0;

/// Where `progress` writes the chart without `--out`.
pub const DEFAULT_CHART: &str = "progress.png";

fn runtime() -> Result<Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the async runtime: {e}")))
}

/// A database that must already exist (`progress`, `forget`): a missing file is
/// an error rather than a new empty database.
fn open_existing(runtime: &Runtime, db: &Path) -> Result<Store, Failure> {
    if !db.is_file() {
        let what = if db.exists() {
            "is not a file"
        } else {
            "does not exist"
        };
        return Err(Failure(messages::no_database(db, what)));
    }
    Ok(runtime.block_on(Store::open(db))?)
}

fn encode(state: &Interview) -> Result<String, String> {
    serde_json::to_string(state).map_err(|e| format!("cannot encode the interview: {e}"))
}

/// `practice --db`: the session's interview and each answer, written as they
/// happen, so an interrupted session keeps what was answered.
pub struct Recorder {
    runtime: Runtime,
    store: Store,
    id: InterviewId,
    revision: i64,
}

impl Recorder {
    /// Opens (or creates) the database and starts the session's interview.
    /// A terminal interview still open there (its session was killed, or runs
    /// beside this one and will say so at its next answer) is closed as
    /// abandoned first: a member has one open interview.
    pub fn start(db: &Path, state: &Interview) -> Result<Recorder, Failure> {
        let runtime = runtime()?;
        let store = runtime.block_on(Store::open(db))?;
        let new = NewInterview {
            guild_id: TERMINAL_GUILD,
            thread_id: rand::random::<u64>() >> 1,
            user_id: TERMINAL_USER,
            role_id: state.role_id.clone(),
            role_name: state.role_name.clone(),
            state_json: encode(state).map_err(Failure)?,
            format_version: engine::FORMAT_VERSION,
        };
        let created = runtime.block_on(async {
            let stale = InterviewStatus::Abandoned;
            store
                .close_by_user_in_guild(TERMINAL_GUILD, TERMINAL_USER, stale, now())
                .await?;
            store.create_interview(&new, &[], now()).await
        })?;
        let interview = match created {
            Created::New { interview, .. } => interview,
            // Another session opened one in between.
            Created::AlreadyOpen(_) => {
                return Err(Failure(messages::practice_in_progress(db)));
            }
        };
        Ok(Recorder {
            runtime,
            store,
            id: interview.id,
            revision: interview.revision,
        })
    }

    /// Records the answer to `prompt` with its feedback, and `state` after it.
    pub fn answer(
        &mut self,
        prompt: &str,
        text: &str,
        feedback: Option<&AnswerFeedback>,
        state: &Interview,
        finished: bool,
    ) -> Result<(), String> {
        let answer = NewAnswer {
            interview_id: self.id,
            message_id: rand::random::<u64>() >> 1,
            text: text.trim().to_string(),
            prompt: prompt.to_string(),
            feedback_json: feedback.and_then(|f| serde_json::to_string(&f.analysis).ok()),
            feedback_headline: feedback.map(|f| f.headline.clone()),
        };
        let next = NextState {
            expected_revision: self.revision,
            state_json: encode(state)?,
            format_version: engine::FORMAT_VERSION,
            finished,
        };
        let applied = self
            .runtime
            .block_on(self.store.apply_answer(&answer, &next, &[], now()))
            .map_err(|e| e.to_string())?;
        match applied {
            Applied::Recorded { revision, .. } => {
                self.revision = revision;
                Ok(())
            }
            Applied::NotOpen(status) => Err(messages::practice_closed_elsewhere(
                messages::status_label(status),
            )),
            Applied::Duplicate | Applied::Stale { .. } => {
                Err(messages::PRACTICE_CHANGED_ELSEWHERE.to_string())
            }
        }
    }

    /// The member stopped before the end (end of input): the interview is
    /// closed as ended, with `state` as it was left.
    pub fn end_early(self) -> Result<(), String> {
        let status = InterviewStatus::Closed(CloseReason::Ended);
        let result = self
            .runtime
            .block_on(self.store.close_interview(self.id, status, now()));
        self.close();
        result.map(drop).map_err(|e| e.to_string())
    }

    /// Closes the database, checkpointing what was written into its file.
    pub fn close(self) {
        self.runtime.block_on(self.store.close());
    }
}

/// `progress --db PATH [--out FILE]`: the summary line, and the chart written
/// to `out`; a note and no file when nothing was recorded.
pub fn progress(
    db: &Path,
    out: Option<PathBuf>,
    stdout: &mut impl std::io::Write,
) -> Result<ExitCode, Failure> {
    let runtime = runtime()?;
    let store = open_existing(&runtime, db)?;
    let points = runtime.block_on(progress::points(&store, TERMINAL_USER));
    runtime.block_on(store.close());
    let tz = local_zone();
    let Some(report) = progress::render(&points?, &tz)? else {
        writeln!(stdout, "{}", messages::no_progress_terminal(db))?;
        return Ok(ExitCode::SUCCESS);
    };
    let out = out.unwrap_or_else(|| PathBuf::from(DEFAULT_CHART));
    std::fs::write(&out, &report.png)
        .map_err(|e| Failure(messages::chart_not_written(&out, &e)))?;
    writeln!(stdout, "{}", report.summary)?;
    writeln!(stdout, "{}", messages::chart_written(&out))?;
    Ok(ExitCode::SUCCESS)
}

/// `forget --db PATH`: deletes the terminal's interviews and answers.
pub fn forget(db: &Path, stdout: &mut impl std::io::Write) -> Result<ExitCode, Failure> {
    let runtime = runtime()?;
    let store = open_existing(&runtime, db)?;
    let deleted = runtime.block_on(store.forget_user(TERMINAL_USER));
    // Closing checkpoints the write-ahead log, so what was deleted leaves it too.
    runtime.block_on(store.close());
    let deleted = deleted?;
    writeln!(
        stdout,
        "{}",
        messages::forgot_terminal(db, deleted.interviews, deleted.answers)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The terminal's time zone for the chart's dates: `TZ` when it names a zone
/// (`Europe/Paris`, `:Europe/Paris`), else the zone `/etc/localtime` links to,
/// looked up in the IANA data compiled into the binary; UTC when neither does.
fn local_zone() -> TimeZone {
    let from_env = std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_string());
    let from_link = || {
        let target = std::fs::read_link("/etc/localtime").ok()?;
        let target = target.to_string_lossy();
        let (_, name) = target.split_once("zoneinfo/")?;
        Some(name.to_string())
    };
    from_env
        .or_else(from_link)
        .and_then(|name| TimeZone::get(&name).ok())
        .unwrap_or(TimeZone::UTC)
}
