//! Runs the `interview-coach` binary as a person would from a shell, for the
//! command-line tests: its exit code and what it printed, with standard
//! output captured, or sent where a test wants it (a closed pipe, a full disk).

use std::fs::File;
use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

/// Runs the binary from `cwd` with `stdin` piped in, `env` added, and stdout
/// sent to `stdout` (captured when `None`), and checks what must hold for
/// every run: it exits with a code (no signal) and never panics. The
/// variables that change what it does (`RUST_LOG`, the Discord token and API
/// base) are removed unless `env` sets them.
pub fn run_with(
    cwd: &Path,
    args: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
    stdout: Option<Stdio>,
) -> Run {
    let mut cmd = Command::new(super::binary());
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_API_BASE")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(stdout.unwrap_or_else(Stdio::piped))
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start interview-coach");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Written from another thread so a large input cannot block on a full pipe.
    let writer = std::thread::spawn(move || {
        // The program may stop reading early (e.g. on an unknown role).
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for interview-coach");
    writer.join().unwrap();
    let run = Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
            "{args:?} panicked; {name}:\n{text}"
        );
    }
    run
}

pub fn run_in(cwd: &Path, args: &[&str], stdin: &[u8]) -> Run {
    run_with(cwd, args, stdin, &[], None)
}

/// From the package root.
pub fn run(args: &[&str], stdin: &[u8]) -> Run {
    run_in(Path::new(ROOT), args, stdin)
}

/// A failed command: exit code 1, nothing on stdout, exactly this one line
/// on stderr.
pub fn assert_one_error(run: &Run, line: &str) {
    assert_eq!(run.stderr_lines(), [line], "stderr");
    assert_eq!(run.code, 1, "exit code");
    assert_eq!(run.stdout, "", "stdout");
}

/// The write end of a pipe whose read end is already closed, as when the
/// `head -1` in `roles | head -1` has exited: every write fails (EPIPE).
pub fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: on success pipe2 stores two new descriptors, each owned once
    // below. Close-on-exec keeps the read end out of other tests' children.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

/// A file where every write fails as on a full disk (ENOSPC).
pub fn full_disk() -> Stdio {
    Stdio::from(File::options().write(true).open("/dev/full").unwrap())
}
