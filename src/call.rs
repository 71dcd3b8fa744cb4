//! `Call`: a request in flight, started without blocking. Its result can be
//! waited for, taken when ready, or delivered to a completion callback; it
//! can be cancelled from any thread.

use crate::error::{Error, ErrorKind, Result};
use crate::queue::CompletionQueue;
use crate::response::Response;
use crate::runtime;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Poll, Waker};
use tokio_util::sync::CancellationToken;

/// A request in flight. Clones share it.
#[derive(Clone)]
pub struct Call {
    inner: Arc<Inner>,
}

struct Inner {
    slot: Mutex<Slot>,
    done: Condvar,
    /// Threads blocked on `done`, counted under the slot's lock: a finish
    /// with none skips the notify (a futex wake-up system call each time).
    sleepers: AtomicUsize,
    cancel: CancellationToken,
    /// The driven queue whose waiters start and run the request, so `wait`
    /// must do that; None for calls the driver thread runs.
    driven: Option<CompletionQueue>,
    /// Threads driving the runtime in `wait` for this call.
    waiting: Mutex<Vec<Waker>>,
}

enum Slot {
    Running,
    // Boxed: the slot lives as long as the handle; most of it is the result.
    Done(Box<Result<Response>>),
    /// The result was taken; its outcome stays, for the callback and for
    /// `outcome`, which may run after a `wait` or `take` collected it.
    Taken(Option<ErrorKind>),
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl Call {
    pub(crate) fn new(cancel: CancellationToken, driven: Option<CompletionQueue>) -> Call {
        Call {
            inner: Arc::new(Inner {
                slot: Mutex::new(Slot::Running),
                done: Condvar::new(),
                sleepers: AtomicUsize::new(0),
                cancel,
                driven,
                waiting: Mutex::new(Vec::new()),
            }),
        }
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, Vec<Waker>> {
        self.inner.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.inner.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn finish(&self, result: Result<Response>) {
        let mut slot = self.slot();
        *slot = Slot::Done(Box::new(result));
        let sleepers = self.inner.sleepers.load(Ordering::Relaxed) > 0;
        drop(slot);
        if sleepers {
            self.inner.done.notify_all();
        }
        if self.inner.driven.is_some() {
            std::mem::take(&mut *self.waiting())
                .into_iter()
                .for_each(Waker::wake);
        }
    }

    /// Cancels the request if it is still in flight; it then ends with
    /// `ErrorKind::Cancelled`. Cancelling again, or after it finished, does nothing.
    pub fn cancel(&self) {
        self.inner.cancel.cancel();
    }

    pub fn is_finished(&self) -> bool {
        !matches!(*self.slot(), Slot::Running)
    }

    /// The outcome without taking it: None while in flight, Some(None) for
    /// success, Some(Some(kind)) for a failure.
    pub fn outcome(&self) -> Option<Option<ErrorKind>> {
        match &*self.slot() {
            Slot::Running => None,
            Slot::Done(result) => Some(result.as_ref().as_ref().err().map(Error::kind)),
            Slot::Taken(outcome) => Some(*outcome),
        }
    }

    /// Takes the result if the request has finished; `ErrorKind::Pending`
    /// while it is in flight, `ErrorKind::Consumed` once taken.
    pub fn take(&self) -> Result<Response> {
        let mut slot = self.slot();
        match std::mem::replace(&mut *slot, Slot::Running) {
            Slot::Done(result) => {
                *slot = Slot::Taken(result.as_ref().as_ref().err().map(Error::kind));
                *result
            }
            Slot::Running => Err(Error::new(
                ErrorKind::Pending,
                "the request is still in flight",
            )),
            Slot::Taken(outcome) => {
                *slot = Slot::Taken(outcome);
                Err(Error::new(
                    ErrorKind::Consumed,
                    "the result of this call was already taken",
                ))
            }
        }
    }

    /// Blocks until the request has finished, then takes its result. Refused
    /// on the runtime's threads, where waiting would stall the I/O it waits for.
    pub fn wait(&self) -> Result<Response> {
        if runtime::on_runtime_thread() {
            return Err(runtime::wrong_thread());
        }
        if let Some(queue) = &self.inner.driven {
            // Nobody else may be running the request: start and run it here.
            queue.engine()?.block_on(std::future::poll_fn(|cx| {
                let mut waiting = self.waiting();
                if self.is_finished() {
                    return Poll::Ready(());
                }
                crate::queue::register(&mut waiting, cx.waker());
                drop(waiting);
                queue.start_pending(cx.waker(), |_| false);
                Poll::Pending
            }))?;
        }
        let mut slot = self.slot();
        while matches!(*slot, Slot::Running) {
            self.inner.sleepers.fetch_add(1, Ordering::Relaxed);
            slot = self
                .inner
                .done
                .wait(slot)
                .unwrap_or_else(|e| e.into_inner());
            self.inner.sleepers.fetch_sub(1, Ordering::Relaxed);
        }
        drop(slot);
        self.take()
    }
}
