//! `CompletionQueue`: calls started with [`Session::start_queued`] report
//! their end by pushing a caller's tag into a queue instead of running a
//! callback each. The queue's one notify function runs on the callback
//! thread when the queue turns non-empty, and the caller drains every tag
//! ready in one poll. For FFIs where each callback is a thread hand-off
//! (koffi relays every call to the JS thread and blocks until it has run), a
//! burst of completions then costs one hand-off instead of one per request.
//!
//!
//! Instead of a notify function the queue can signal a socket
//! ([`CompletionQueue::with_socket`]): the pushing thread writes one byte,
//! and an event loop (Node's libuv, Go's poller) waits for it like any other
//! I/O, with no thread of hsession's blocked on the caller.
//!
//! [`Session::start_queued`]: crate::Session::start_queued

use crate::runtime;
use std::collections::VecDeque;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

type Notify = Arc<dyn Fn() + Send + Sync>;

/// A completion queue. Clones share it. Thread-safe.
#[derive(Clone)]
pub struct CompletionQueue {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
}

struct State {
    ready: VecDeque<u64>,
    /// A notify is scheduled or running and the queue has not been drained
    /// empty since: further pushes need no new one.
    notified: bool,
    /// None once closed: no more notifications.
    notify: Option<Notify>,
    /// The socket variant's writing end, and a clone of the reading end
    /// held so the socket never looks closed to the writer (no EPIPE or
    /// SIGPIPE in a host that closed its end early). None once closed.
    socket: Option<(UnixStream, UnixStream)>,
}

impl std::fmt::Debug for CompletionQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletionQueue")
            .field("ready", &self.state().ready.len())
            .finish()
    }
}

impl CompletionQueue {
    /// A queue whose `notify` runs on the callback thread each time tags
    /// arrive in an empty (drained) queue.
    pub fn new(notify: impl Fn() + Send + Sync + 'static) -> CompletionQueue {
        CompletionQueue {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    ready: VecDeque::new(),
                    notified: false,
                    notify: Some(Arc::new(notify)),
                    socket: None,
                }),
            }),
        }
    }

    /// A queue that signals by writing one byte to a socket each time tags
    /// arrive in a drained queue; returns it with the other end, for the
    /// caller to wait on (reading and discarding the bytes).
    pub fn with_socket() -> std::io::Result<(CompletionQueue, UnixStream)> {
        let (writer, reader) = UnixStream::pair()?;
        // Never block an I/O thread: a full socket already holds a wake-up.
        writer.set_nonblocking(true)?;
        let kept = reader.try_clone()?;
        let queue = CompletionQueue {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    ready: VecDeque::new(),
                    notified: false,
                    notify: None,
                    socket: Some((writer, kept)),
                }),
            }),
        };
        Ok((queue, reader))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a tag; schedules a notify unless one is pending. Never blocks on
    /// the notify itself, so it is safe on the runtime's I/O threads.
    pub(crate) fn push(&self, tag: u64) {
        let schedule = {
            let mut st = self.state();
            st.ready.push_back(tag);
            let first = !std::mem::replace(&mut st.notified, true);
            if first {
                if let Some((socket, _)) = st.socket.as_mut() {
                    // Full means a wake-up is already waiting.
                    let _ = socket.write(&[1]);
                    return;
                }
            }
            first
        };
        if schedule {
            let queue = self.clone();
            runtime::dispatch(Box::new(move || {
                // Looked up when it runs, so close() stops scheduled ones;
                // the lock is not held while it runs (it may poll).
                let notify = queue.state().notify.clone();
                if let Some(notify) = notify {
                    notify();
                }
            }));
        }
    }

    /// Moves up to `out.len()` ready tags, oldest first, into `out` and
    /// returns how many. Once the queue is drained empty, the next push
    /// notifies again.
    pub fn poll(&self, out: &mut [u64]) -> usize {
        let mut st = self.state();
        let n = out.len().min(st.ready.len());
        for (slot, tag) in out.iter_mut().zip(st.ready.drain(..n)) {
            *slot = tag;
        }
        if st.ready.is_empty() {
            st.notified = false;
        }
        n
    }

    /// Tags ready and not yet polled.
    pub fn len(&self) -> usize {
        self.state().ready.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stops notifications: a notify scheduled but not yet running does not
    /// run its function (one already running finishes). Tags are still
    /// collected for `poll`.
    pub fn close(&self) {
        let mut st = self.state();
        st.notify = None;
        st.socket = None;
    }
}
