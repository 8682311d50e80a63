//! The `interview-coach` binary: everything lives in the library; this only
//! hands over the command line and turns the outcome into an exit code.

fn main() -> std::process::ExitCode {
    interview_coach::cli::main()
}
