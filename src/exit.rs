//! The process's exit codes, in one place: what `interview-coach` ends with, by
//! class of failure, so a supervisor can tell "restart me" from "a person must
//! fix something" (the README's table lists the same codes).
//!
//! Usage errors are clap's own (it exits with 2 after printing the usage).

/// Why the process ended, as its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Finished normally, or the bot stopped on SIGTERM/SIGINT.
    Clean,
    /// Anything not classed below, and every failure of the terminal commands.
    Failure,
    /// The command line was wrong (clap prints the usage).
    Usage,
    /// The config file, the token's presence or the guides must be fixed.
    Config,
    /// Discord refused the token or a requested intent.
    Refused,
    /// Discord refused to register the slash commands (e.g. the bot is not in `guild_id`).
    Registration,
    /// Discord (the REST API or the gateway) could not be reached, or kept failing,
    /// for longer than the configured window. Worth a restart later.
    Unreachable,
    /// The database could not be opened or used.
    Database,
}

impl Exit {
    /// Every class, in code order (for the README check).
    pub const ALL: [Exit; 8] = [
        Exit::Clean,
        Exit::Failure,
        Exit::Usage,
        Exit::Config,
        Exit::Refused,
        Exit::Registration,
        Exit::Unreachable,
        Exit::Database,
    ];

    pub const fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::Refused => 4,
            Exit::Registration => 5,
            Exit::Unreachable => 6,
            Exit::Database => 7,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_in_order() {
        for (i, exit) in Exit::ALL.iter().enumerate() {
            assert_eq!(usize::from(exit.code()), i, "{exit:?}");
        }
    }

    #[test]
    fn the_readme_table_lists_every_code() {
        let readme = include_str!("../README.md");
        for exit in Exit::ALL {
            let row = format!("| {} |", exit.code());
            assert!(
                readme.lines().any(|l| l.starts_with(&row)),
                "README.md has no exit-code row starting with `{row}` for {exit:?}"
            );
        }
    }

    #[test]
    fn clap_usage_errors_use_the_usage_code() {
        use clap::error::ErrorKind;
        let error = clap::Error::new(ErrorKind::UnknownArgument);
        assert_eq!(error.exit_code(), i32::from(Exit::Usage.code()));
    }
}
