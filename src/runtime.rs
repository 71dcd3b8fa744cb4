//! The runtimes, the blocking bridge and the callback thread.
//!
//! A blocking call drives its own I/O. Each runtime is a tokio
//! current-thread runtime that any number of threads may `block_on` at once:
//! the thread holding its core runs every task of it (the connections'
//! tasks, other requests), the others poll their own request on their own
//! thread and wait for it or for the core. So a lone caller sends, waits in
//! epoll and parses on its own thread, with no hand-off to another thread
//! and back; measured in docs/performance.md against the multi-thread
//! runtime this replaced.
//!
//! Non-blocking work (`Session::start`, streamed bodies, async reads) is
//! spawned and counted. While such a task is in flight and no caller is
//! inside a blocking call, the runtime's driver thread holds the core, so
//! completions arrive with no thread blocked in hsession; a blocking caller
//! that arrives meanwhile is handed the core and drives those tasks too.
//!
//! Sessions are spread over [`worker_threads`] runtimes (one by default;
//! more on bigger machines): each session's connections live on its own
//! runtime, so busy sessions use more than one core between them, and
//! within one session the callers' threads prepare requests and read
//! responses in parallel while one of them runs the sockets.

use crate::error::{Error, ErrorKind, Result};
use futures_util::task::AtomicWaker;
use once_cell::sync::OnceCell;
use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::task::Poll;
use tokio::runtime::Runtime;

/// One set of runtimes per process generation. After fork() the parent's
/// threads do not exist in the child, so neither do its runtimes' driver
/// threads and callback thread: the child starts the next generation's, and
/// the parent's stay leaked, never dropped (dropping would wait for threads
/// that are gone). A chain of nested forks deeper than this fails with
/// `ErrorKind::Runtime`.
const GENERATIONS: usize = 64;
static ENGINES: [OnceCell<Box<[Engine]>>; GENERATIONS] = [const { OnceCell::new() }; GENERATIONS];
static GENERATION: AtomicUsize = AtomicUsize::new(0);
/// The process that owns the current generation; 0 before first use,
/// `u32::MAX` while a forked child moves to the next one.
static GENERATION_PID: AtomicU32 = AtomicU32::new(0);

/// Whether the fork handler that moves a child to the next generation is
/// registered (it is, unless libc refused).
static FORK_HOOK: OnceCell<bool> = OnceCell::new();

/// Runs in the child after fork(): its parent's runtimes are gone.
extern "C" fn forked_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The current process generation: it changes once in a child after fork().
/// A fork handler (pthread_atfork) moves the child on, so the check costs a
/// load; where the handler could not be registered, the process id is
/// compared instead. Both cover a Python `os.fork()` and a C `fork()`; a
/// child that only execs (Go's `syscall.ForkExec`) never calls in.
pub(crate) fn generation() -> usize {
    if *FORK_HOOK.get_or_init(|| crate::ffi::fork::on_fork_in_child(forked_child)) {
        return GENERATION.load(Ordering::SeqCst);
    }
    let pid = std::process::id();
    for _ in 0..10_000 {
        let owner = GENERATION_PID.load(Ordering::SeqCst);
        if owner == pid {
            return GENERATION.load(Ordering::SeqCst);
        }
        if owner == u32::MAX {
            std::thread::yield_now();
            continue;
        }
        if GENERATION_PID
            .compare_exchange(owner, u32::MAX, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            if owner != 0 {
                // A forked child: its parent's runtimes are gone.
                GENERATION.fetch_add(1, Ordering::SeqCst);
            }
            GENERATION_PID.store(pid, Ordering::SeqCst);
        }
    }
    GENERATION.load(Ordering::SeqCst)
}

fn engines_cell() -> Result<&'static OnceCell<Box<[Engine]>>> {
    ENGINES.get(generation()).ok_or_else(|| {
        Error::new(
            ErrorKind::Runtime,
            format!("more than {GENERATIONS} nested fork() generations"),
        )
    })
}

static WORKER_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Environment variable that sets the number of runtimes.
pub const WORKER_THREADS_ENV: &str = "HSESSION_WORKER_THREADS";

/// Sets how many runtimes sessions are spread over. Only possible before
/// they have started (before the first session is created).
pub fn set_worker_threads(n: usize) -> Result<()> {
    if n == 0 || n > 1024 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("worker thread count must be between 1 and 1024, got {n}"),
        ));
    }
    if engines_cell()?.get().is_some() {
        return Err(Error::new(
            ErrorKind::Runtime,
            "the runtime has already started; set the worker count before the first session",
        ));
    }
    WORKER_THREADS.store(n, Ordering::SeqCst);
    Ok(())
}

/// The number of runtimes (started, or to be started).
pub fn worker_threads() -> usize {
    if let Some(engines) = engines_cell().ok().and_then(|c| c.get()) {
        return engines.len();
    }
    configured_workers()
}

fn configured_workers() -> usize {
    let set = WORKER_THREADS.load(Ordering::SeqCst);
    if set > 0 {
        return set;
    }
    if let Some(n) = std::env::var(WORKER_THREADS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=1024).contains(n))
    {
        return n;
    }
    default_workers(std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// One runtime per four CPUs, at least one: the sockets of a runtime are
/// run by one thread at a time, while requests are prepared and responses
/// read on the callers' threads.
fn default_workers(cpus: usize) -> usize {
    (cpus / 4).max(1)
}

fn engines() -> Result<&'static [Engine]> {
    let engines = engines_cell()?.get_or_try_init(|| {
        (0..configured_workers())
            .map(|_| Engine::new())
            .collect::<Result<Vec<_>>>()
            .map(Vec::into_boxed_slice)
    })?;
    Ok(engines)
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// How long the driver keeps the runtime after its last task has ended.
const LINGER: std::time::Duration = std::time::Duration::from_millis(20);

/// A runtime for a new session: the next one round the set.
pub(crate) fn pick() -> Result<usize> {
    let n = engines()?.len();
    Ok(NEXT.fetch_add(1, Ordering::Relaxed) % n)
}

/// Runtime `index` of this process generation, started on first use.
pub(crate) fn engine(index: usize) -> Result<&'static Engine> {
    let engines = engines()?;
    Ok(&engines[index % engines.len()])
}

thread_local! {
    /// The runtime this thread is inside (blocking on or driving), for work
    /// spawned from inside a request that must stay on its connection's runtime.
    static CURRENT: Cell<Option<&'static Engine>> = const { Cell::new(None) };
}

/// One current-thread runtime, the count of work on it that someone must
/// drive, and the thread that drives it when no caller does.
pub(crate) struct Engine {
    rt: Runtime,
    /// Threads inside a blocking call on this runtime.
    callers: AtomicUsize,
    /// Spawned hsession tasks not yet finished.
    tasks: AtomicUsize,
    /// Wakes the driver out of `block_on`: a caller wants the core, or the
    /// last task ended.
    hand_over: AtomicWaker,
    /// Whether the driver thread is inside `block_on` (holding or waiting
    /// for the core): work spawned then needs no wake-up through `wake`.
    driving: AtomicBool,
    /// Whether the driver thread was started; its condvar's mutex.
    driver_started: Mutex<bool>,
    wake: Condvar,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("callers", &self.callers)
            .field("tasks", &self.tasks)
            .finish_non_exhaustive()
    }
}

impl Engine {
    fn new() -> Result<Engine> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("hsession-blocking")
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Runtime, format!("cannot start the runtime: {e}"))
            })?;
        Ok(Engine {
            rt,
            callers: AtomicUsize::new(0),
            tasks: AtomicUsize::new(0),
            hand_over: AtomicWaker::new(),
            driving: AtomicBool::new(false),
            driver_started: Mutex::new(false),
            wake: Condvar::new(),
        })
    }

    /// Whether the driver thread should hold the core: tasks in flight and
    /// nobody else driving them.
    fn needs_driver(&self) -> bool {
        self.tasks.load(Ordering::SeqCst) > 0 && self.callers.load(Ordering::SeqCst) == 0
    }

    fn notify_driver(&'static self) {
        if !self.needs_driver() || self.driving.load(Ordering::SeqCst) {
            return;
        }
        let mut started = self
            .driver_started
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !*started {
            *started = true;
            let spawned = std::thread::Builder::new()
                .name("hsession-driver".into())
                .spawn(move || self.drive());
            if let Err(e) = spawned {
                // Non-blocking calls then progress only while a blocking
                // call runs; nothing else can be done about it here.
                eprintln!("hsession: cannot start the runtime's driver thread: {e}");
            }
        }
        self.wake.notify_one();
    }

    /// The driver thread: holds the core while tasks need it and no
    /// blocking caller is there to run them.
    fn drive(&'static self) {
        CURRENT.with(|c| c.set(Some(self)));
        loop {
            {
                let mut guard = self
                    .driver_started
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                while !self.needs_driver() {
                    guard = self.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
                }
            }
            self.driving.store(true, Ordering::SeqCst);
            self.rt.block_on(self.hold());
            // Anything spawned from here on sees `driving` false and
            // notifies; what was spawned before is seen by `needs_driver`.
            self.driving.store(false, Ordering::SeqCst);
        }
    }

    /// The driver's hold on the core: while tasks are in flight, and for
    /// [`LINGER`] after the last one ends, so that a caller sending request
    /// after request finds the runtime awake (its next spawn then wakes the
    /// runtime's poller, not a thread parked on a condvar that must enter
    /// the runtime again). Given up at once to a blocking caller.
    async fn hold(&'static self) {
        let wanted = |cx: &mut std::task::Context<'_>| {
            self.hand_over.register(cx.waker());
            self.callers.load(Ordering::SeqCst) > 0
        };
        loop {
            let idle = std::future::poll_fn(|cx| {
                if wanted(cx) {
                    Poll::Ready(false)
                } else if self.tasks.load(Ordering::SeqCst) == 0 {
                    Poll::Ready(true)
                } else {
                    Poll::Pending
                }
            })
            .await;
            if !idle {
                return;
            }
            let more = std::future::poll_fn(|cx| {
                if wanted(cx) || self.tasks.load(Ordering::SeqCst) > 0 {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            });
            if tokio::time::timeout(LINGER, more).await.is_err() {
                return;
            }
        }
    }

    /// Runs `fut` to completion on the calling thread, driving the runtime
    /// if no other thread is. Refused on a thread already inside a runtime,
    /// where blocking would stall that runtime's other tasks.
    pub(crate) fn block_on<F: Future>(&'static self, fut: F) -> Result<F::Output> {
        if on_runtime_thread() {
            return Err(wrong_thread());
        }
        struct Leave(&'static Engine, Option<&'static Engine>);
        impl Drop for Leave {
            fn drop(&mut self) {
                CURRENT.with(|c| c.set(self.1));
                if self.0.callers.fetch_sub(1, Ordering::SeqCst) == 1 {
                    self.0.notify_driver();
                }
            }
        }
        self.callers.fetch_add(1, Ordering::SeqCst);
        let _leave = Leave(self, CURRENT.with(|c| c.replace(Some(self))));
        // The driver, if it holds the core, gives it up to this caller. (If
        // it is not driving, the waker is a stale one: waking it would only
        // cost a write to the runtime's eventfd. The driver checks `callers`
        // before it holds the core, so it sees this caller either way.)
        if self.driving.load(Ordering::SeqCst) {
            self.hand_over.wake();
        }
        Ok(self.rt.block_on(fut))
    }

    /// Runs `fut` as a task and blocks the calling thread until it is done,
    /// driving the runtime meanwhile if no other thread is. As a task, every
    /// request on a runtime is polled by the one thread holding its core,
    /// never by several threads at once: hyper's pool and HTTP/2 streams
    /// are then used as from one thread (measured: polled in parallel from
    /// eight callers, an HTTP/2 connection closing with GOAWAY every five
    /// requests left about one request in a thousand waiting for a stream
    /// that never came).
    pub(crate) fn run<F, T>(&'static self, fut: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        if on_runtime_thread() {
            return Err(wrong_thread());
        }
        // Boxed, the task moves a pointer instead of the whole request state
        // machine (kilobytes) each time tokio moves the task's future.
        let fut = Box::pin(fut);
        // Spawned from inside block_on: on the thread holding the core it
        // goes straight into its run queue, with no wake-up of the driver.
        self.block_on(async move { tokio::spawn(fut).await })?
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorKind::Internal,
                    "the request task ended without a result (it panicked)",
                ))
            })
    }

    /// Spawns `fut`, counted, so the driver thread runs it whenever no
    /// blocking caller does.
    pub(crate) fn spawn<F>(&'static self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        struct Done(&'static Engine);
        impl Drop for Done {
            fn drop(&mut self) {
                if self.0.tasks.fetch_sub(1, Ordering::SeqCst) == 1 {
                    self.0.hand_over.wake();
                }
            }
        }
        self.tasks.fetch_add(1, Ordering::SeqCst);
        // A lingering driver learns of it through its waker; one that is
        // not driving, through `notify_driver` below.
        if self.driving.load(Ordering::SeqCst) {
            self.hand_over.wake();
        }
        let done = Done(self);
        // Boxed, the task moves a pointer instead of the whole request state
        // machine (kilobytes) each time tokio moves the task's future.
        let fut = Box::pin(fut);
        self.rt.spawn(async move {
            let _done = done;
            fut.await;
        });
        self.notify_driver();
    }
}

/// Spawns `fut` on the runtime the calling thread is inside (work started by
/// a request, such as a streamed body's pump, must stay with its connection).
/// Returns that runtime; `None` outside hsession's runtimes.
pub(crate) fn spawn_here<F>(fut: F) -> Option<&'static Engine>
where
    F: Future<Output = ()> + Send + 'static,
{
    match CURRENT.with(Cell::get) {
        Some(engine) => {
            engine.spawn(fut);
            Some(engine)
        }
        None => {
            tokio::spawn(fut);
            None
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;
type Dispatcher = OnceCell<std::sync::Mutex<std::sync::mpsc::Sender<Job>>>;
/// One callback thread per process generation, like the runtimes.
static DISPATCHERS: [Dispatcher; GENERATIONS] = [const { OnceCell::new() }; GENERATIONS];

/// Name of the thread that runs completion callbacks.
pub const CALLBACK_THREAD: &str = "hsession-callbacks";

/// Runs `job` on the callback thread: one thread, started on first use,
/// running jobs one at a time in the order they come. Callbacks run there and
/// not on a thread driving a runtime, so a slow callback (or an FFI layer
/// that blocks it until another thread has run the callback) delays only
/// other callbacks, never the I/O of requests in flight.
pub(crate) fn dispatch(job: Job) {
    let Some(cell) = DISPATCHERS.get(generation()) else {
        return;
    };
    let sender = cell.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name(CALLBACK_THREAD.into())
            .spawn(move || {
                for job in rx {
                    // A panicking job must not take the other callbacks with it.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
        if let Err(e) = spawned {
            eprintln!("hsession: cannot start the callback thread: {e}");
        }
        std::sync::Mutex::new(tx)
    });
    let sender = sender.lock().unwrap_or_else(|e| e.into_inner());
    // Only fails if the thread could not start; the job is dropped then.
    let _ = sender.send(job);
}

/// Whether the calling thread is inside a tokio runtime (where blocking is refused).
pub(crate) fn on_runtime_thread() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

pub(crate) fn wrong_thread() -> Error {
    Error::new(
        ErrorKind::WrongThread,
        "a blocking hsession call was made from inside an async runtime; \
         use the non-blocking call there",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_workers_scale_with_cpus() {
        assert_eq!(super::default_workers(1), 1);
        assert_eq!(super::default_workers(2), 1);
        assert_eq!(super::default_workers(8), 2);
        assert_eq!(super::default_workers(64), 16);
    }
}
