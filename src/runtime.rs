//! The one global tokio runtime and the blocking bridge.
//!
//! Measured on this design's bridges: spawning the whole request as one task and
//! blocking the caller on a oneshot keeps one pooled connection per caller
//! and costs one hand-off each way; `Handle::block_on` from the caller's
//! thread opens extra connections. So every blocking call here spawns.

use crate::error::{Error, ErrorKind, Result};
use once_cell::sync::OnceCell;
use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use tokio::runtime::Runtime;

/// One runtime per process generation. After fork() the parent's threads do
/// not exist in the child, so neither do its runtime and callback thread:
/// the child starts the next generation's, and the parent's stay leaked,
/// never dropped (dropping would wait for threads that are gone). A chain
/// of nested forks deeper than this fails with `ErrorKind::Runtime`.
const GENERATIONS: usize = 64;
static RUNTIMES: [OnceCell<Runtime>; GENERATIONS] = [const { OnceCell::new() }; GENERATIONS];
static GENERATION: AtomicUsize = AtomicUsize::new(0);
/// The process that owns the current generation; 0 before first use,
/// `u32::MAX` while a forked child moves to the next one.
static GENERATION_PID: AtomicU32 = AtomicU32::new(0);

/// The current process generation: it changes once in a child after fork().
/// Checked on every call, so no fork handler is needed (a Python
/// `os.fork()`, a C `fork()` and a Go `syscall.ForkExec` all just work).
pub(crate) fn generation() -> usize {
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
                // A forked child: its parent's runtime is gone.
                GENERATION.fetch_add(1, Ordering::SeqCst);
            }
            GENERATION_PID.store(pid, Ordering::SeqCst);
        }
    }
    GENERATION.load(Ordering::SeqCst)
}

fn runtime_cell() -> Result<&'static OnceCell<Runtime>> {
    RUNTIMES.get(generation()).ok_or_else(|| {
        Error::new(
            ErrorKind::Runtime,
            format!("more than {GENERATIONS} nested fork() generations"),
        )
    })
}
static WORKER_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Environment variable that sets the number of runtime worker threads.
pub const WORKER_THREADS_ENV: &str = "HSESSION_WORKER_THREADS";

/// Sets how many worker threads the runtime starts with. Only possible
/// before the runtime has started (before the first session is created).
pub fn set_worker_threads(n: usize) -> Result<()> {
    if n == 0 || n > 1024 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("worker thread count must be between 1 and 1024, got {n}"),
        ));
    }
    if runtime_cell()?.get().is_some() {
        return Err(Error::new(
            ErrorKind::Runtime,
            "the runtime has already started; set the worker count before the first session",
        ));
    }
    WORKER_THREADS.store(n, Ordering::SeqCst);
    Ok(())
}

/// The worker count the runtime uses (or will use when it starts).
pub fn worker_threads() -> usize {
    if let Some(rt) = runtime_cell().ok().and_then(|c| c.get()) {
        return rt.metrics().num_workers();
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

/// One worker per four CPUs, at least one. The workers only move bytes:
/// requests are prepared and responses converted on the callers' threads.
/// Measured on 2 cores (docs/performance.md): one worker beat two both
/// sequentially (90 vs 120 us CPU per request) and from 8 threads (22,500
/// vs 16,600 requests/s), since every extra worker adds wake-ups.
fn default_workers(cpus: usize) -> usize {
    (cpus / 4).max(1)
}

/// The runtime, started on first use. It lives for the rest of the process:
/// it is never dropped, so no async code can end up dropping it.
pub(crate) fn get() -> Result<&'static Runtime> {
    runtime_cell()?.get_or_try_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(configured_workers())
            .thread_name("hsession-worker")
            .enable_all()
            .build()
            .map_err(|e| Error::new(ErrorKind::Runtime, format!("cannot start the runtime: {e}")))
    })
}

type Job = Box<dyn FnOnce() + Send>;
type Dispatcher = OnceCell<std::sync::Mutex<std::sync::mpsc::Sender<Job>>>;
/// One callback thread per process generation, like the runtime.
static DISPATCHERS: [Dispatcher; GENERATIONS] = [const { OnceCell::new() }; GENERATIONS];

/// Name of the thread that runs completion callbacks.
pub const CALLBACK_THREAD: &str = "hsession-callbacks";

/// Runs `job` on the callback thread: one thread, started on first use,
/// running jobs one at a time in the order they come. Callbacks run there and
/// not on the runtime's workers, so a slow callback (or an FFI layer that
/// blocks it until another thread has run the callback) delays only other
/// callbacks, never the I/O of requests in flight.
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

/// Whether the calling thread is one of the runtime's (where blocking is refused).
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

/// Runs `fut` as a task on the runtime and blocks the calling thread until it
/// finishes. Refuses to run on a thread that is inside a tokio runtime, where
/// blocking would stall that runtime's other tasks.
pub(crate) fn block_on_task<F, T>(fut: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    if on_runtime_thread() {
        return Err(wrong_thread());
    }
    let rt = get()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    // Boxed, the task moves a pointer instead of the whole request state
    // machine (kilobytes) each time tokio moves the task's future.
    let fut = Box::pin(fut);
    rt.spawn(async move {
        // The receiver only goes away if the caller's thread is gone.
        let _ = tx.send(fut.await);
    });
    rx.blocking_recv().unwrap_or_else(|_| {
        Err(Error::new(
            ErrorKind::Internal,
            "the request task ended without a result (it panicked)",
        ))
    })
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
