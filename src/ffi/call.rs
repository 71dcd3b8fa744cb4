//! `hsession_call`: a request in flight, started by `hsession_send`.

use super::request::hsession_request_builder;
use super::response::{self, hsession_response};
use super::session::hsession;
use super::*;
use crate::Call;
use std::ffi::c_void;

/// A request in flight, started by `hsession_send`. The caller owns the
/// handle and frees it with `hsession_call_free` (which cancels the request
/// if it is still running). Thread-safe: any function taking it may be
/// called from any thread at any time.
///
/// Functions: `hsession_send`, `hsession_send_packed`, `hsession_call_wait`,
/// `hsession_call_take`, `hsession_call_cancel`, `hsession_call_status`,
/// `hsession_call_free`.
pub struct hsession_call(pub(crate) Call);

/// Completion callback of `hsession_send`. Called exactly once per call,
/// whatever the outcome, on hsession's callback thread ("hsession-callbacks":
/// one thread, callbacks run one after another, never on the threads doing
/// I/O). `call` is valid only during the callback (even if the caller has
/// already freed its own handle); use it with `hsession_call_take` to get the
/// response. `result` is the outcome's code (HSESSION_OK or a failure such as
/// HSESSION_CANCELLED). The callback must return quickly and must not block:
/// every other callback waits for it. It may call any hsession function.
pub type hsession_callback = Option<
    unsafe extern "C" fn(user_data: *mut c_void, call: *mut hsession_call, result: hsession_result),
>;

/// `user_data` goes to the callback thread; what it points at is the caller's
/// business, as the header says.
struct UserData(*mut c_void);
// SAFETY: hsession never dereferences user_data; it only hands it back to
// the caller's callback, which the caller wrote to run on another thread.
unsafe impl Send for UserData {}

fn outcome_code(call: &Call) -> hsession_result {
    match call.outcome() {
        None => HSESSION_PENDING,
        Some(None) => HSESSION_OK,
        Some(Some(kind)) => error::code_of(kind),
    }
}

/// Starts `request` on the session and returns at once; the request runs on
/// hsession's runtime, so thousands can be in flight from one thread. On
/// success writes a call handle to `*call_out`, owned by the caller. When the
/// request has finished, `callback` (if not NULL) is called once with
/// `user_data`, which must stay valid until then; the result can also be
/// collected with `hsession_call_wait` or `hsession_call_take`. `request` is
/// only read and stays the caller's. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_send(
    session: *const hsession,
    request: *const hsession_request_builder,
    callback: hsession_callback,
    user_data: *mut c_void,
    call_out: *mut *mut hsession_call,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let req = ref_arg(request, "request")?;
        let out = out_arg(call_out, "call_out")?;
        start(s, &req.0, callback, user_data, out)
    })
}

/// Starts the request packed in `len` bytes at `data` (the format of
/// `hsession_request_new_packed`, copied) and returns at once, exactly like
/// `hsession_send`: one call to put a whole request in flight.
#[no_mangle]
pub unsafe extern "C" fn hsession_send_packed(
    session: *const hsession,
    data: *const u8,
    len: usize,
    callback: hsession_callback,
    user_data: *mut c_void,
    call_out: *mut *mut hsession_call,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let out = out_arg(call_out, "call_out")?;
        let req = super::packed::unpack_request(bytes_arg(data, len, "data")?)?;
        start(s, &req, callback, user_data, out)
    })
}

fn start(
    s: &hsession,
    req: &crate::Request,
    callback: hsession_callback,
    user_data: *mut c_void,
    out: *mut *mut hsession_call,
) -> FfiResult {
    let on_done = callback.map(|cb| {
        let user = UserData(user_data);
        Box::new(move |done: Call| {
            let user = user;
            let code = outcome_code(&done);
            // The callback gets a handle of its own, valid while it runs.
            let mut temp = hsession_call(done);
            // SAFETY: a C function pointer the caller gave us, called as documented.
            unsafe { cb(user.0, &mut temp, code) };
        }) as Box<dyn FnOnce(Call) + Send>
    });
    hand_out(s.0.start(req, on_done)?, out);
    Ok(())
}

/// Gives a started call to the caller through `out`, which the caller of
/// this helper has checked is not NULL.
pub(crate) fn hand_out(started: Call, out: *mut *mut hsession_call) {
    // SAFETY: `out` is non-NULL (checked by the caller) and writable.
    unsafe { *out = Box::into_raw(Box::new(hsession_call(started))) };
}

fn take(
    result: crate::Result<crate::Response>,
    response_out: *mut *mut hsession_response,
) -> FfiResult {
    let resp = result?;
    // SAFETY: checked non-NULL by the caller of this helper.
    unsafe { *response_out = response::into_raw(resp) };
    Ok(())
}

/// Blocks until the request has finished, then hands over its outcome: on
/// success a response in `*response_out` (owned by the caller), otherwise
/// the request's failure (HSESSION_CANCELLED after a cancel). The outcome
/// can be taken once; later calls give HSESSION_NOT_FOUND. Refused with
/// HSESSION_WRONG_THREAD on hsession's I/O threads. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_call_wait(
    call_handle: *const hsession_call,
    response_out: *mut *mut hsession_response,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let c = ref_arg(call_handle, "call")?;
        let out = out_arg(response_out, "response_out")?;
        take(c.0.wait(), out)
    })
}

/// Like `hsession_call_wait` but never blocks: HSESSION_PENDING while the
/// request is in flight. Typically called from the completion callback.
#[no_mangle]
pub unsafe extern "C" fn hsession_call_take(
    call_handle: *const hsession_call,
    response_out: *mut *mut hsession_response,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let c = ref_arg(call_handle, "call")?;
        let out = out_arg(response_out, "response_out")?;
        take(c.0.take(), out)
    })
}

/// Cancels the request if it is still in flight: it ends with
/// HSESSION_CANCELLED within milliseconds (docs/async.md), its connection
/// is closed rather than pooled half-read, and the callback still runs once.
/// Cancelling twice or after the end does nothing. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_call_cancel(
    call_handle: *const hsession_call,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(call_handle, "call")?.0.cancel();
        Ok(())
    })
}

/// HSESSION_PENDING while the request is in flight, else its outcome code,
/// without taking it. HSESSION_NULL_ARGUMENT if `call` is NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_call_status(
    call_handle: *const hsession_call,
) -> hsession_result {
    get_or(HSESSION_PANIC, || {
        call_handle
            .as_ref()
            .map_or(HSESSION_NULL_ARGUMENT, |c| outcome_code(&c.0))
    })
}

/// Frees the caller's handle. A request still in flight is cancelled, and
/// its callback still runs once (with HSESSION_CANCELLED), so `user_data`
/// must stay valid until then. NULL is a no-op. Safe at any time, from any
/// thread, including inside the callback.
#[no_mangle]
pub unsafe extern "C" fn hsession_call_free(call_handle: *mut hsession_call) {
    get_or((), || {
        if !call_handle.is_null() {
            let handle = Box::from_raw(call_handle);
            if !handle.0.is_finished() {
                handle.0.cancel();
            }
        }
    })
}
