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
//! A driven queue ([`CompletionQueue::driven`]) signals nothing: its caller
//! waits on it ([`CompletionQueue::wait`]) and, while waiting, runs the
//! sockets of its requests on its own thread, as a libcurl multi handle's
//! caller does. Completions then cost no thread hand-off at all.
//!
//! [`Session::start_queued`]: crate::Session::start_queued

use crate::error::Result;
use crate::runtime;
use std::collections::VecDeque;
use std::future::Future;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Poll, Waker};
use std::time::Duration;

type Notify = Arc<dyn Fn() + Send + Sync>;

/// A driven queue's request, not yet started.
pub(crate) type Deferred = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A completion queue. Clones share it. Thread-safe.
#[derive(Clone)]
pub struct CompletionQueue {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Requests of this queue run while a caller waits on it, not on the
    /// runtime's driver thread.
    driven: bool,
    /// The runtime whose sockets a waiter runs: the first session's to start
    /// a request here (the first runtime if a wait comes first). A driven
    /// queue's requests on other runtimes run as ordinary async calls.
    engine: OnceLock<usize>,
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
    /// Threads waiting in `wait` (and, once a driven queue is closed, the
    /// task finishing its requests): woken by every push.
    waiting: Vec<Waker>,
    /// Requests started and not yet pushed.
    outstanding: usize,
    /// A driven queue's requests not yet started: the next thread to wait
    /// starts them from inside the runtime, straight into its run queue.
    pending: Vec<Deferred>,
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
        CompletionQueue::make(false, Some(Arc::new(notify)), None)
    }

    /// A queue that signals nothing: its caller collects completions with
    /// [`CompletionQueue::wait`], which starts the requests and runs their
    /// sockets on the waiting thread. They make progress only while a thread
    /// waits on the queue or on one of its calls (or, once started, while
    /// another thread drives the same runtime, in a blocking call or for
    /// other async calls); once the queue is closed, those still in flight
    /// are started and finished by the runtime's driver thread.
    pub fn driven() -> CompletionQueue {
        CompletionQueue::make(true, None, None)
    }

    fn make(
        driven: bool,
        notify: Option<Notify>,
        socket: Option<(UnixStream, UnixStream)>,
    ) -> CompletionQueue {
        CompletionQueue {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    ready: VecDeque::new(),
                    notified: false,
                    notify,
                    socket,
                    waiting: Vec::new(),
                    outstanding: 0,
                    pending: Vec::new(),
                }),
                driven,
                engine: OnceLock::new(),
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
        Ok((
            CompletionQueue::make(false, None, Some((writer, kept))),
            reader,
        ))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a tag; schedules a notify unless one is pending. Never blocks on
    /// the notify itself, so it is safe on the runtime's I/O threads.
    pub(crate) fn push(&self, tag: u64) {
        let (schedule, waiting) = {
            let mut st = self.state();
            st.ready.push_back(tag);
            st.outstanding = st.outstanding.saturating_sub(1);
            let waiting = std::mem::take(&mut st.waiting);
            let first = !std::mem::replace(&mut st.notified, true);
            let mut schedule = first && st.notify.is_some();
            if first {
                if let Some((socket, _)) = st.socket.as_mut() {
                    // Full means a wake-up is already waiting.
                    let _ = socket.write(&[1]);
                    schedule = false;
                }
            }
            (schedule, waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
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
    /// collected for `poll`. A driven queue's requests still in flight are
    /// handed to the runtime's driver thread, which runs them to their end.
    pub fn close(&self) {
        let (outstanding, pending) = {
            let mut st = self.state();
            st.notify = None;
            st.socket = None;
            (st.outstanding, std::mem::take(&mut st.pending))
        };
        if !self.inner.driven || outstanding == 0 {
            return;
        }
        let Some(engine) = self
            .inner
            .engine
            .get()
            .and_then(|&i| runtime::engine(i).ok())
        else {
            return;
        };
        // Counted tasks: the driver holds the runtime until they end.
        for task in pending {
            engine.spawn(task);
        }
        let queue = self.clone();
        engine.spawn(std::future::poll_fn(move |cx| {
            let mut st = queue.state();
            if st.outstanding == 0 {
                return Poll::Ready(());
            }
            register(&mut st.waiting, cx.waker());
            Poll::Pending
        }));
    }

    /// A request is starting on `engine`'s runtime: counts it, and says
    /// whether it should run only while a caller drives the runtime (a
    /// driven queue bound to that runtime) rather than as an ordinary async
    /// call.
    pub(crate) fn starting(&self, engine: usize) -> bool {
        self.state().outstanding += 1;
        self.inner.driven && *self.inner.engine.get_or_init(|| engine) == engine
    }

    /// Keeps a driven queue's request until a thread waits on the queue, and
    /// wakes those waiting now to start it. (Spawned from outside the
    /// runtime, each would cost a write to wake the runtime's poller.)
    pub(crate) fn defer(&self, task: Deferred) {
        let waiting = {
            let mut st = self.state();
            st.pending.push(task);
            std::mem::take(&mut st.waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
    }

    /// The runtime a waiter drives.
    pub(crate) fn engine(&self) -> Result<&'static runtime::Engine> {
        runtime::engine(*self.inner.engine.get_or_init(|| 0))
    }

    /// Inside the runtime: starts the requests waiting to start, and
    /// registers `waker` for the next push or deferred request unless
    /// `done` (checked under the queue's lock) says the wait is over.
    pub(crate) fn start_pending(
        &self,
        waker: &Waker,
        done: impl FnOnce(&VecDeque<u64>) -> bool,
    ) -> bool {
        let (pending, done) = {
            let mut st = self.state();
            let done = done(&st.ready);
            if !done {
                register(&mut st.waiting, waker);
            }
            (std::mem::take(&mut st.pending), done)
        };
        for task in pending {
            tokio::spawn(task);
        }
        done
    }

    /// Waits up to `timeout` (None: no limit) for finished requests, running
    /// the runtime's sockets on this thread meanwhile if no other thread
    /// does, then moves up to `out.len()` tags into `out` like
    /// [`CompletionQueue::poll`] and returns how many (0 if the time ran
    /// out). Works on every kind of queue; a driven queue's requests run only
    /// while someone waits. Refused inside an async runtime.
    pub fn wait(&self, out: &mut [u64], timeout: Option<Duration>) -> Result<usize> {
        let n = self.poll(out);
        if n > 0 || out.is_empty() || timeout == Some(Duration::ZERO) {
            return Ok(n);
        }
        if runtime::on_runtime_thread() {
            return Err(runtime::wrong_thread());
        }
        let engine = self.engine()?;
        let ready = std::future::poll_fn(|cx| {
            if self.start_pending(cx.waker(), |ready| !ready.is_empty()) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        engine.block_on(async {
            match timeout {
                // Elapsed is an answer too: nothing finished in time.
                Some(limit) => tokio::time::timeout(limit, ready).await.unwrap_or(()),
                None => ready.await,
            }
        })?;
        Ok(self.poll(out))
    }
}

/// Adds `waker` to a list of wakers to wake, once.
pub(crate) fn register(waiting: &mut Vec<Waker>, waker: &Waker) {
    if !waiting.iter().any(|w| w.will_wake(waker)) {
        waiting.push(waker.clone());
    }
}
