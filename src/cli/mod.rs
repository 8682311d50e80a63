//! The command line. Every failure ends as one `error: …` line on stderr and
//! exit code 1 (guide problems print one line each first) — except `run`,
//! whose exit code tells the failure's class (see [`crate::exit`]); nothing
//! here panics on bad input. Everything a command prints goes through
//! [`Output`], so a reader that goes away (`roles | head -1`) ends the command
//! quietly with 0, and output that cannot be written (a full disk) is one
//! error line and exit code 1.

mod local;
mod practice;
mod text;
mod train;

use std::fmt::Display;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::coach::feedback::LibraryCues;
use crate::config::Config;
use crate::exit::Exit;
use crate::guide::{GuideLibrary, Question, Role};
use crate::messages;

#[derive(Debug, Parser)]
#[command(
    name = "interview-coach",
    version,
    about = "Job-interview practice: a Discord bot, and the same coach in your terminal."
)]
struct Cli {
    /// Folder that holds the guide files [default: guides; for `run`, the
    /// config file's `[guides] dir`].
    #[arg(long, global = true, value_name = "DIR")]
    guides: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a guide folder and print a summary, or every problem found.
    Check {
        /// The guide folder (defaults to --guides).
        dir: Option<PathBuf>,
        /// Also hold the library to the standard of the shipped guides:
        /// follow-ups that fit anyone's answer, spoken questions that name
        /// at most two items, and example answers the coach finds complete.
        #[arg(long)]
        strict: bool,
    },
    /// List the roles you can practise.
    Roles,
    /// Show a role's questions, or one question's full guide.
    Show {
        /// Role id, alias or name.
        role: String,
        /// Question id (see `show ROLE`).
        question: Option<String>,
    },
    /// A mock interview in the terminal: answer each question, end an answer with an empty line.
    Practice {
        /// Role id, alias or name.
        #[arg(long)]
        role: String,
        /// Main questions to ask.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=20))]
        questions: u16,
        /// Follow-ups per main question.
        #[arg(long = "follow-ups", default_value_t = 2, value_parser = clap::value_parser!(u16).range(0..=10))]
        follow_ups: u16,
        /// Seed for question choice, to repeat the same interview.
        #[arg(long)]
        seed: Option<u64>,
        /// Only questions written for this level: junior, mid, senior or staff.
        #[arg(long, value_parser = parse_level)]
        level: Option<crate::guide::Level>,
        /// Record the session (answers and feedback) in this local database, for `progress`.
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Chart your recorded answers over time: print a one-line summary and write a PNG.
    Progress {
        /// The database `practice --db` recorded in.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// Where to write the chart [default: progress.png].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Delete every interview and answer recorded in a local database.
    Forget {
        /// The database `practice --db` recorded in.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Analyse one answer read from stdin, as the coach would after a mock question.
    Feedback {
        /// Role id, alias or name.
        #[arg(long)]
        role: String,
        /// Question id (see `show ROLE`).
        #[arg(long)]
        question: String,
        /// Print the full analysis as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fit the sentence model from labelled answers and write it beside the guides.
    #[command(name = "train-sentences")]
    TrainSentences {
        /// Folders of labelled answer files with [[answers.parts]] (repeat the flag for more).
        #[arg(
            long,
            default_values = ["tests/feedback_labelled/tuning", "tests/feedback_labelled/examples"]
        )]
        data: Vec<PathBuf>,
        /// Where to write the model (default: GUIDES/shared/sentences.toml).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run the Discord bot (the token comes from DISCORD_TOKEN).
    Run {
        /// Configuration file (default: ./config.toml if present).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Base URL of a Discord-compatible API (a proxy or a test server);
        /// overrides the config file's `api_base`.
        #[arg(long, value_name = "URL", env = "DISCORD_API_BASE")]
        api_base: Option<String>,
    },
}

fn parse_level(s: &str) -> Result<crate::guide::Level, String> {
    crate::guide::Level::parse(s).ok_or_else(|| {
        let ids: Vec<&str> = crate::guide::Level::ALL.iter().map(|l| l.id()).collect();
        messages::unknown_level(s, &ids)
    })
}

/// Where the guides are when `--guides` is not given (and, for `run`, the
/// config file does not say).
const DEFAULT_GUIDES: &str = "guides";

/// `run`: the bot until it stops. Everything the bot needs from the operator is
/// checked first, before the runtime, Discord or the database is touched; a
/// failure is one `error: …` line (config problems one line each first) and the
/// exit code of its class (see [`crate::exit`]).
fn run_bot(path: Option<&Path>, api_base: Option<&str>, guides: Option<PathBuf>) -> Exit {
    let fail = |exit: Exit, Failure(line): Failure| {
        report(format_args!("error: {line}"));
        exit
    };
    let mut config = match Config::load(path) {
        Ok(config) => config,
        Err(errors) => {
            let file = path.unwrap_or(Path::new("config.toml"));
            let failure = problems(&errors.0, |count| {
                format!("{count} in the config file {}", file.display())
            });
            return fail(Exit::Config, failure);
        }
    };
    if let Some(dir) = guides {
        config.guides.dir = dir;
    }
    // The token has no flag (a command line is visible to every user in the
    // process list), so it is read here, not by clap.
    let token = config.token(std::env::var("DISCORD_TOKEN").ok());
    if let Err(e) = config.apply_database_url(std::env::var(crate::config::DATABASE_URL_ENV).ok()) {
        return fail(Exit::Config, e.into());
    }
    let api_base = match config.api_base(api_base, "--api-base (or DISCORD_API_BASE)") {
        Ok(api_base) => api_base,
        Err(e) => return fail(Exit::Config, e.into()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let failure = Failure(format!("cannot start the async runtime: {e}"));
            return fail(Exit::Failure, failure);
        }
    };
    let ended = runtime.block_on(crate::discord::run(config, token, api_base));
    // Tasks still running (a shard reconnecting, a blocking DNS lookup) must not
    // hold the process up once the bot has decided to stop.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match ended {
        Ok(()) => Exit::Clean,
        Err(e) => fail(e.exit(), e.into()),
    }
}

/// A failure to report: one line, already worded for the user.
pub(crate) struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(matches!(cli.command, Command::Run { .. }));
    let mut out = Output::new(io::stdout());
    let result = dispatch(cli, &mut out);
    // A failed flush is kept in `out.error` like any other write error.
    let _ = out.flush();
    match (out.error, result) {
        // The reader went away (`roles | head -1`): it has all it wanted.
        (Some((io::ErrorKind::BrokenPipe, _)), _) => ExitCode::SUCCESS,
        (Some((_, e)), _) => {
            report(format_args!("error: cannot write to standard output: {e}"));
            ExitCode::FAILURE
        }
        (None, Ok(code)) => code,
        (None, Err(Failure(message))) => {
            report(format_args!("error: {message}"));
            ExitCode::FAILURE
        }
    }
}

/// Standard output for every command. It keeps its first write error, so
/// `main` can tell a closed pipe from a full disk even when the error reached
/// it as a [`Failure`] (as it does from `practice`).
struct Output<W> {
    inner: W,
    error: Option<(io::ErrorKind, String)>,
}

impl<W: Write> Output<W> {
    fn new(inner: W) -> Self {
        Output { inner, error: None }
    }

    fn keep<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            if self.error.is_none() && e.kind() != io::ErrorKind::Interrupted {
                self.error = Some((e.kind(), e.to_string()));
            }
        }
        result
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.keep(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.keep(result)
    }
}

/// One line on stderr. Nothing is left to tell if stderr itself fails, so
/// that error is dropped (where `eprintln!` would panic).
fn report(line: impl Display) {
    let _ = writeln!(io::stderr(), "{line}");
}

/// Several problems: each on its own line, then a failure that sums them up
/// from "N problems"; a single one is the failure itself.
fn problems<E: Display>(errors: &[E], summary: impl FnOnce(String) -> String) -> Failure {
    if let [only] = errors {
        return Failure(only.to_string());
    }
    for e in errors {
        report(e);
    }
    Failure(summary(format!("{} problems", errors.len())))
}

fn init_tracing(bot: bool) {
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    // Logs go to stderr so they never mix with what a command prints. The
    // bot logs its own progress at info; serenity's chatter stays at warn,
    // except its fatal gateway closes (bad token, refused intent), which
    // the bot reports itself as one clearer line.
    let default = if bot {
        "warn,interview_coach=info,serenity::gateway::shard=off,serenity::gateway::bridge::shard_runner=off"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(filter)
        .with_filter(tracing_subscriber::filter::filter_fn(payload_free));
    let _ = tracing_subscriber::registry().with(fmt).try_init();
}

/// Libraries whose spans and fine-grained events carry whole gateway frames,
/// events or request bodies, and so members' answers.
const PAYLOAD_CARRIERS: [&str; 8] = [
    "serenity",
    "poise",
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "reqwest",
    "h2",
];

/// Whether a span or event may be logged whatever `RUST_LOG` asks for: from
/// the libraries above, no span (their fields hold the payloads) and no event
/// below warn (frame and body dumps are trace and debug).
fn payload_free(meta: &tracing::Metadata<'_>) -> bool {
    let target = meta.target();
    let carrier = PAYLOAD_CARRIERS.iter().any(|lib| {
        target
            .strip_prefix(lib)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    });
    !carrier || (meta.is_event() && *meta.level() <= tracing::Level::WARN)
}

/// Loads guides for commands that need a valid library; guide problems
/// become one line each, then a count.
pub(crate) fn load_guides(dir: &Path) -> Result<GuideLibrary, Failure> {
    GuideLibrary::load(dir).map_err(|errors| {
        problems(&errors.0, |count| {
            format!(
                "{count} in the guides at {dir}; run `interview-coach check {dir}` after fixing them",
                dir = dir.display()
            )
        })
    })
}

/// Loads the guides and resolves `role` in them, then runs `then`: the
/// first steps of `show`, `practice` and `feedback`.
fn with_role<T>(
    dir: &Path,
    role: &str,
    then: impl FnOnce(&GuideLibrary, &Role) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let lib = load_guides(dir)?;
    let role = lib
        .resolve_role(role)
        .map_err(|u| Failure(messages::unknown_role(&u)))?;
    then(&lib, role)
}

fn resolve_question<'r>(role: &'r Role, id: &str) -> Result<&'r Question, Failure> {
    role.resolve_question(id)
        .map_err(|u| Failure(messages::unknown_question(&role.id, &u)))
}

fn dispatch(cli: Cli, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let guides = cli.guides;
    let guides_dir = guides
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_GUIDES));
    match cli.command {
        Command::Check { dir, strict } => {
            let dir = dir.unwrap_or(guides_dir);
            match GuideLibrary::load(&dir) {
                Ok(lib) => {
                    for warning in lib.warnings() {
                        report(warning);
                    }
                    // Interviews without the cue file give no feedback at all.
                    if lib.cue_file().is_none() {
                        return Err(Failure(format!(
                            "{}: no feedback cue file (a file with a [feedback] table, shipped as shared/feedback.toml): mock interviews would give no feedback",
                            dir.display()
                        )));
                    }
                    if strict {
                        let found =
                            crate::coach::examples::strict(&lib, lib.cues().map(|c| c.as_ref()));
                        if !found.is_empty() {
                            let Failure(last) = problems(&found, |count| {
                                format!("{count} found by the strict check")
                            });
                            report(last);
                            return Ok(ExitCode::FAILURE);
                        }
                    }
                    writeln!(out, "{}: ok — {}", dir.display(), lib.counts())?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    let Failure(last) = problems(&errors.0, |count| format!("{count} found"));
                    if errors.0.len() == 1 {
                        return Err(Failure(last));
                    }
                    report(last);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::TrainSentences { data, out: path } => {
            train::run(&guides_dir, &data, path, out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Roles => {
            let lib = load_guides(&guides_dir)?;
            for role in lib.roles() {
                writeln!(
                    out,
                    "{}",
                    messages::role_line(&role.id, &role.name, &role.aliases, role.questions.len())
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { role, question } => with_role(&guides_dir, &role, |_, role| {
            match question {
                None => write!(out, "{}", text::role_overview(role))?,
                Some(id) => {
                    let q = resolve_question(role, &id)?;
                    write!(out, "{}", text::question_guide(role, q))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Practice {
            role,
            questions,
            follow_ups,
            seed,
            level,
            db,
        } => with_role(&guides_dir, &role, |lib, role| {
            let options = practice::Options {
                questions: usize::from(questions),
                follow_ups: usize::from(follow_ups),
                seed,
                level,
                db,
            };
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            practice::run(
                role,
                lib.cues().map(|c| c.as_ref()),
                &options,
                &mut input,
                out,
                &mut std::io::stderr(),
            )?;
            Ok(ExitCode::SUCCESS)
        }),
        Command::Feedback {
            role,
            question,
            json,
        } => with_role(&guides_dir, &role, |lib, role| {
            let q = resolve_question(role, &question)?;
            let cues = lib.cues().ok_or_else(|| {
                Failure("the guides have no feedback cue file (a [feedback] table, usually guides/shared/feedback.toml)".into())
            })?;
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
            let answer = String::from_utf8(bytes).map_err(|e| {
                Failure(format!(
                    "the answer on standard input is not UTF-8 text (at byte {})",
                    e.utf8_error().valid_up_to()
                ))
            })?;
            if answer.trim().is_empty() {
                return Err(Failure("the answer on standard input is empty".into()));
            }
            let ctx = crate::coach::feedback::AnswerContext::for_question(role, q);
            let analysis = crate::coach::feedback::analyse(&answer, &ctx, cues);
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&analysis)?)?;
            } else {
                writeln!(out, "{}", crate::coach::feedback::headline(&analysis))?;
                writeln!(
                    out,
                    "{}",
                    messages::feedback_lines(&crate::coach::feedback::feedback_text(&analysis))
                        .join("\n")
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Progress { db, out: chart } => local::progress(&db, chart, out),
        Command::Forget { db } => local::forget(&db, out),
        Command::Run { config, api_base } => {
            Ok(run_bot(config.as_deref(), api_base.as_deref(), guides).into())
        }
    }
}
