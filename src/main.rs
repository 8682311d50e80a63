//! The `interview-coach` binary: everything lives in the library; this only
//! hands over the command line and turns the outcome into an exit code.

// mimalloc rather than glibc's malloc. On a busy 2-core machine a tokio worker
// that freed memory belonging to another thread's glibc arena could wait for
// that arena's lock while its holder sat preempted: 14 such waits in one reload
// benchmark, 219 ms in all, the longest 68 ms; with mimalloc, which frees into
// another thread's heap without a lock, none. `no_thp`: without it mimalloc asks
// for transparent huge pages and the idle bot was 42 MB resident instead of 21.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    interview_coach::cli::main()
}
