//! Running a thread only when the machine has a core to spare.

/// Puts the calling thread (and the threads it starts: new threads inherit the
/// class) in the idle scheduling class, so it runs only on a core nobody else
/// wants and any waking thread takes the core at once. At nice 19 a waking
/// worker could still wait out a reload's time slice (0.2–2 ms more on an
/// `/ask` stream's p99 in the benchmark). If the class is refused, nice 19; if
/// that fails too, the thread runs at normal priority, which is only slower for
/// others. Does nothing off Linux.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `gettid` takes nothing and cannot fail; `sched_setscheduler` only reads
        // `param`, which lives across the call; `setpriority` takes plain integers. None
        // of them touches memory Rust owns beyond that.
        let refused = unsafe {
            libc::sched_setscheduler(libc::gettid(), libc::SCHED_IDLE, &param) != 0
                && libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19) != 0
        };
        if refused {
            tracing::debug!(error = %std::io::Error::last_os_error(), "cannot lower this thread's priority");
        }
    }
}
