//! The fork() hook the core's runtime uses to notice it is in a child
//! process (see `crate::runtime::generation`). Not part of the C API; it
//! lives here because registering a handler with libc is `unsafe`.

/// Registers `child` to run in the child process after every fork(), in the
/// child's only thread. Returns whether it was registered.
pub(crate) fn on_fork_in_child(child: extern "C" fn()) -> bool {
    // SAFETY: registering handlers has no preconditions; `child` only
    // touches atomics, which is allowed in a forked child.
    unsafe { libc::pthread_atfork(None, None, Some(child)) == 0 }
}
