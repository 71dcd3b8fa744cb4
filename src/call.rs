//! `Call`: a request in flight, started without blocking. Its result can be
//! waited for, taken when ready, or delivered to a completion callback; it
//! can be cancelled from any thread.

use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::runtime;
use std::sync::{Arc, Condvar, Mutex};
use tokio_util::sync::CancellationToken;

/// A request in flight. Clones share it.
#[derive(Clone)]
pub struct Call {
    inner: Arc<Inner>,
}

struct Inner {
    slot: Mutex<Slot>,
    done: Condvar,
    cancel: CancellationToken,
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
    pub(crate) fn new(cancel: CancellationToken) -> Call {
        Call {
            inner: Arc::new(Inner {
                slot: Mutex::new(Slot::Running),
                done: Condvar::new(),
                cancel,
            }),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.inner.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn finish(&self, result: Result<Response>) {
        *self.slot() = Slot::Done(Box::new(result));
        self.inner.done.notify_all();
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
        let mut slot = self.slot();
        while matches!(*slot, Slot::Running) {
            slot = self
                .inner
                .done
                .wait(slot)
                .unwrap_or_else(|e| e.into_inner());
        }
        drop(slot);
        self.take()
    }
}
