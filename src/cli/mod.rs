//! The command line. Every failure ends as one `error: …` line on stderr and
//! exit code 1 (guide problems print one line each); nothing here panics on
//! bad input.

mod practice;
mod text;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::coach::feedback::LibraryCues;
use crate::guide::GuideLibrary;
use crate::messages;

#[derive(Debug, Parser)]
#[command(
    name = "interview-coach",
    version,
    about = "Job-interview practice: a Discord bot, and the same coach in your terminal."
)]
struct Cli {
    /// Folder that holds the guide files.
    #[arg(long, global = true, value_name = "DIR", default_value = "guides")]
    guides: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a guide folder and print a summary, or every problem found.
    Check {
        /// The guide folder (defaults to --guides).
        dir: Option<PathBuf>,
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
    /// Run the Discord bot (the token comes from DISCORD_TOKEN).
    Run {
        /// Configuration file (default: ./config.toml if present).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
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
    match dispatch(cli) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(bot: bool) {
    use std::io::IsTerminal;
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
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Loads guides for commands that need a valid library; guide problems
/// become one line each, then a count.
pub(crate) fn load_guides(dir: &std::path::Path) -> Result<GuideLibrary, Failure> {
    GuideLibrary::load(dir).map_err(|errors| {
        if let [only] = errors.0.as_slice() {
            return Failure(only.to_string());
        }
        for e in &errors.0 {
            eprintln!("{e}");
        }
        Failure(format!(
            "{} problem{} in the guides at {}; run `interview-coach check {}` after fixing them",
            errors.0.len(),
            if errors.0.len() == 1 { "" } else { "s" },
            dir.display(),
            dir.display()
        ))
    })
}

fn dispatch(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Check { dir } => {
            let dir = dir.unwrap_or(cli.guides);
            match GuideLibrary::load(&dir) {
                Ok(lib) => {
                    println!("{}: ok — {}", dir.display(), lib.counts());
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) if errors.0.len() == 1 => Err(Failure(errors.0[0].to_string())),
                Err(errors) => {
                    for e in &errors.0 {
                        eprintln!("{e}");
                    }
                    eprintln!(
                        "{} problem{} found",
                        errors.0.len(),
                        if errors.0.len() == 1 { "" } else { "s" }
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Roles => {
            let lib = load_guides(&cli.guides)?;
            for role in lib.roles() {
                println!(
                    "{}",
                    messages::role_line(&role.id, &role.name, &role.aliases, role.questions.len())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { role, question } => {
            let lib = load_guides(&cli.guides)?;
            let role = lib
                .resolve_role(&role)
                .map_err(|u| Failure(messages::unknown_role(&u)))?;
            match question {
                None => print!("{}", text::role_overview(role)),
                Some(id) => {
                    let q = role
                        .resolve_question(&id)
                        .map_err(|u| Failure(messages::unknown_question(&role.id, &u)))?;
                    print!("{}", text::question_guide(role, q));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Practice {
            role,
            questions,
            follow_ups,
            seed,
        } => {
            let lib = load_guides(&cli.guides)?;
            let role = lib
                .resolve_role(&role)
                .map_err(|u| Failure(messages::unknown_role(&u)))?;
            let options = practice::Options {
                questions: usize::from(questions),
                follow_ups: usize::from(follow_ups),
                seed,
            };
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let mut out = std::io::stdout().lock();
            practice::run(
                role,
                lib.cues().map(|c| c.as_ref()),
                &options,
                &mut input,
                &mut out,
                &mut std::io::stderr(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Feedback {
            role,
            question,
            json,
        } => {
            let lib = load_guides(&cli.guides)?;
            let role = lib
                .resolve_role(&role)
                .map_err(|u| Failure(messages::unknown_role(&u)))?;
            let q = role
                .resolve_question(&question)
                .map_err(|u| Failure(messages::unknown_question(&role.id, &u)))?;
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
                println!("{}", serde_json::to_string_pretty(&analysis)?);
            } else {
                println!("{}", crate::coach::feedback::headline(&analysis));
                println!(
                    "{}",
                    messages::feedback_lines(&crate::coach::feedback::feedback_text(&analysis))
                        .join("\n")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { config } => {
            let mut config = crate::config::Config::load(config.as_deref())?;
            // `--guides` given explicitly overrides the config file.
            if cli.guides != std::path::Path::new("guides") {
                config.guides.dir = cli.guides;
            }
            let token = config.token(std::env::var("DISCORD_TOKEN").ok());
            let api_base = config.api_base(std::env::var("DISCORD_API_BASE").ok());
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure(format!("cannot start the async runtime: {e}")))?;
            runtime.block_on(crate::discord::run(config, token, api_base))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
