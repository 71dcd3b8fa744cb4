//! `hsession_queue`: a completion queue for `hsession_send_packed_queued`.

use super::call::hsession_call;
use super::session::hsession;
use super::*;
use crate::CompletionQueue;
use std::ffi::c_void;

/// A completion queue: requests started with `hsession_send_packed_queued`
/// push their tag into it when they finish, and its notify function runs
/// (on the callback thread) when tags arrive in a drained queue, so a burst
/// of completions costs one notification, not one callback each. Created by
/// `hsession_queue_new`, freed by `hsession_queue_free`. Thread-safe.
///
/// Functions: `hsession_queue_new`, `hsession_queue_free`,
/// `hsession_queue_poll`, `hsession_send_packed_queued`,
/// `hsession_send_queued`, `hsession_queue_new_fd`,
/// `hsession_queue_new_driven`, `hsession_queue_wait`.
pub struct hsession_queue(CompletionQueue);

/// Notification of `hsession_queue_new`: tags are ready to poll. Called on
/// hsession's callback thread, like `hsession_callback`; it must not block.
/// It may call `hsession_queue_poll` (typically until it returns fewer than
/// it asked for) and any other hsession function.
pub type hsession_queue_notify = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// `user_data` goes to the callback thread; hsession never dereferences it.
struct UserData(*mut c_void);
// SAFETY: only handed back to the caller's notify function, which the caller
// wrote to run on hsession's callback thread.
unsafe impl Send for UserData {}
// SAFETY: as above; the pointer is copied, never dereferenced by hsession.
unsafe impl Sync for UserData {}

/// Creates a completion queue. `notify` (required) is called with
/// `user_data` each time tags arrive in a queue that `hsession_queue_poll`
/// had drained (at least once per such burst, sometimes with nothing left
/// to poll); `user_data` must stay valid until the queue is freed. On
/// success writes the queue to `*queue_out`, owned by the caller.
#[no_mangle]
pub unsafe extern "C" fn hsession_queue_new(
    notify: hsession_queue_notify,
    user_data: *mut c_void,
    queue_out: *mut *mut hsession_queue,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let out = out_arg(queue_out, "queue_out")?;
        let f = notify.ok_or_else(|| Failure::null("notify"))?;
        let user = UserData(user_data);
        let queue = CompletionQueue::new(move || {
            let user = &user;
            // SAFETY: the caller's function pointer, called as documented.
            unsafe { f(user.0) }
        });
        // SAFETY: `out` was checked non-NULL above.
        unsafe { *out = Box::into_raw(Box::new(hsession_queue(queue))) };
        Ok(())
    })
}

/// Frees the caller's queue handle: no notification starts after this
/// returns (one already running on the callback thread finishes). Requests
/// still in flight keep their share and end as usual; their tags are
/// dropped. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn hsession_queue_free(queue: *mut hsession_queue) {
    get_or((), || {
        if !queue.is_null() {
            // SAFETY: a handle from hsession_queue_new, freed once by the caller.
            let q = unsafe { Box::from_raw(queue) };
            q.0.close();
        }
    })
}

/// Moves up to `cap` tags of finished requests, oldest first, into
/// `tags_out` and returns how many (0 if `queue` or `tags_out` is NULL).
/// Each tag is handed out once. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_queue_poll(
    queue: *const hsession_queue,
    tags_out: *mut u64,
    cap: usize,
) -> usize {
    get_or(0, || {
        if queue.is_null() || tags_out.is_null() || cap == 0 {
            return 0;
        }
        // SAFETY: the caller passes a live queue and `cap` writable slots.
        let (q, out) = unsafe { (&*queue, std::slice::from_raw_parts_mut(tags_out, cap)) };
        q.0.poll(out)
    })
}

/// Starts the request packed in `len` bytes at `data` (as
/// `hsession_send_packed`) and returns at once; when it has finished,
/// whatever the outcome (cancelled, session freed), `tag` is pushed into
/// `queue` once. Collect the result with `hsession_call_take` on the call
/// handle written to `*call_out` (owned by the caller). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_send_packed_queued(
    session: *const hsession,
    data: *const u8,
    len: usize,
    queue: *const hsession_queue,
    tag: u64,
    call_out: *mut *mut hsession_call,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let q = ref_arg(queue, "queue")?;
        let out = out_arg(call_out, "call_out")?;
        let req = super::packed::unpack_request(bytes_arg(data, len, "data")?)?;
        super::call::hand_out(s.0.start_queued(&req, &q.0, tag)?, out);
        Ok(())
    })
}

/// Starts `request` (a builder, as `hsession_send`) and returns at once;
/// when it has finished, whatever the outcome, `tag` is pushed into `queue`
/// once, as `hsession_send_packed_queued` does. For requests a packed
/// buffer cannot carry, such as a body written through
/// `hsession_request_set_body_pipe`. `request` is only read and stays the
/// caller's. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_send_queued(
    session: *const hsession,
    request: *const super::request::hsession_request_builder,
    queue: *const hsession_queue,
    tag: u64,
    call_out: *mut *mut hsession_call,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let req = ref_arg(request, "request")?;
        let q = ref_arg(queue, "queue")?;
        let out = out_arg(call_out, "call_out")?;
        super::call::hand_out(s.0.start_queued(&req.0, &q.0, tag)?, out);
        Ok(())
    })
}

/// Creates a completion queue that signals through a socket instead of a
/// notify function: each time tags arrive in a drained queue, the thread
/// that finished the request writes one byte to it, so an event loop (Node's
/// libuv, a poll/epoll loop) can wait for completions like any other I/O,
/// with no hsession thread waiting on the caller. On success writes the
/// queue to `*queue_out` and the readable end of the socket (a file
/// descriptor, close-on-exec) to `*fd_out`; both are the caller's: read and
/// discard the bytes, poll the queue until it returns fewer than asked for,
/// and close the descriptor when done (before or after
/// `hsession_queue_free`; hsession never writes to a closed socket).
#[no_mangle]
pub unsafe extern "C" fn hsession_queue_new_fd(
    queue_out: *mut *mut hsession_queue,
    fd_out: *mut i32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let out = out_arg(queue_out, "queue_out")?;
        let fd = out_arg(fd_out, "fd_out")?;
        let (queue, reader) = CompletionQueue::with_socket().map_err(|e| {
            Failure::new(
                HSESSION_IO,
                format!("cannot create the queue's socket: {e}"),
            )
        })?;
        use std::os::fd::IntoRawFd;
        // SAFETY: both out-params were checked non-NULL above.
        unsafe {
            *fd = reader.into_raw_fd();
            *out = Box::into_raw(Box::new(hsession_queue(queue)));
        }
        Ok(())
    })
}

/// Creates a driven completion queue: it signals nothing, and its requests
/// start and run while a thread waits on it in `hsession_queue_wait`, which
/// runs their sockets on the waiting thread (as `curl_multi_poll` does for a
/// multi handle): a completion then costs no hand-off between threads.
/// Started requests also progress while another thread makes a blocking
/// call on the same session, or while other async calls keep the runtime's
/// driver busy, but do not count on it: wait on the queue
/// (`hsession_call_wait` on one of its calls works too). Once it is freed, requests still
/// in flight are run to their end by hsession's driver thread. On success
/// writes the queue to `*queue_out`, owned by the caller.
#[no_mangle]
pub unsafe extern "C" fn hsession_queue_new_driven(
    queue_out: *mut *mut hsession_queue,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let out = out_arg(queue_out, "queue_out")?;
        // SAFETY: `out` was checked non-NULL above.
        unsafe { *out = Box::into_raw(Box::new(hsession_queue(CompletionQueue::driven()))) };
        Ok(())
    })
}

/// Waits until requests of `queue` have finished or `timeout_ms` has passed
/// (negative: no limit; 0: do not wait), then moves up to `cap` of their
/// tags, oldest first, into `tags_out` and writes how many to `*count_out`
/// (0 if the time ran out). While waiting, the calling thread runs the
/// sockets of the session's requests if no other thread is doing so. Any
/// kind of queue may be waited on; a driven one must be, for its requests to
/// make progress. Several threads may wait on one queue: each tag is handed
/// out once. Fails with `HSESSION_WRONG_THREAD` inside an async runtime,
/// where blocking would stall it.
#[no_mangle]
pub unsafe extern "C" fn hsession_queue_wait(
    queue: *const hsession_queue,
    tags_out: *mut u64,
    cap: usize,
    timeout_ms: i64,
    count_out: *mut usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let q = ref_arg(queue, "queue")?;
        let count = out_arg(count_out, "count_out")?;
        if tags_out.is_null() || cap == 0 {
            return Err(Failure::new(
                HSESSION_INVALID_ARGUMENT,
                "tags_out must point to at least one slot (cap > 0)",
            ));
        }
        // SAFETY: the caller passes `cap` writable slots at `tags_out`.
        let out = unsafe { std::slice::from_raw_parts_mut(tags_out, cap) };
        let timeout = u64::try_from(timeout_ms)
            .ok()
            .map(std::time::Duration::from_millis);
        let n = q.0.wait(out, timeout)?;
        // SAFETY: `count` was checked non-NULL above.
        unsafe { *count = n };
        Ok(())
    })
}
