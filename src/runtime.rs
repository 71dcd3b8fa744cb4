//! The one global tokio runtime and the blocking bridge.
//!
//! DESIGN.md measured the bridges: spawning the whole request as one task and
//! blocking the caller on a oneshot keeps one pooled connection per caller
//! and costs one hand-off each way; `Handle::block_on` from the caller's
//! thread opens extra connections. So every blocking call here spawns.

use crate::error::{Error, ErrorKind, Result};
use once_cell::sync::OnceCell;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::runtime::Runtime;

static RUNTIME: OnceCell<Runtime> = OnceCell::new();
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
    if RUNTIME.get().is_some() {
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
    if let Some(rt) = RUNTIME.get() {
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
/// Measured on 2 cores (README, Performance): one worker beat two both
/// sequentially (90 vs 120 us CPU per request) and from 8 threads (22,500
/// vs 16,600 requests/s), since every extra worker adds wake-ups.
fn default_workers(cpus: usize) -> usize {
    (cpus / 4).max(1)
}

/// The runtime, started on first use. It lives for the rest of the process:
/// it is never dropped, so no async code can end up dropping it.
pub(crate) fn get() -> Result<&'static Runtime> {
    RUNTIME.get_or_try_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(configured_workers())
            .thread_name("hsession-worker")
            .enable_all()
            .build()
            .map_err(|e| Error::new(ErrorKind::Runtime, format!("cannot start the runtime: {e}")))
    })
}

type Job = Box<dyn FnOnce() + Send>;
static DISPATCHER: OnceCell<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> = OnceCell::new();

/// Name of the thread that runs completion callbacks.
pub const CALLBACK_THREAD: &str = "hsession-callbacks";

/// Runs `job` on the callback thread: one thread, started on first use,
/// running jobs one at a time in the order they come. Callbacks run there and
/// not on the runtime's workers, so a slow callback (or an FFI layer that
/// blocks it until another thread has run the callback) delays only other
/// callbacks, never the I/O of requests in flight.
pub(crate) fn dispatch(job: Job) {
    let sender = DISPATCHER.get_or_init(|| {
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
