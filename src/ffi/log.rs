//! The log callback and levels: process-wide, like curl's debug callback.
//! Lines come from `src/logging.rs`; this file converts them for C.

use super::{call, get_or, hsession_error, hsession_result, Failure, HSESSION_INVALID_ARGUMENT};
use crate::logging::{self, Level};
use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

/// No logging (for `hsession_set_log_level`).
pub const HSESSION_LOG_OFF: c_int = 0;
/// A request failed.
pub const HSESSION_LOG_ERROR: c_int = 1;
/// A request is retried: its reason and the wait before the next try.
pub const HSESSION_LOG_WARN: c_int = 2;
/// One line per request: status, elapsed time, redirects and retries.
pub const HSESSION_LOG_INFO: c_int = 3;
/// Each exchange: new connections, request lines, responses (new or
/// reused connection), redirects, silent resends.
pub const HSESSION_LOG_DEBUG: c_int = 4;
/// Connection detail: raw connects, bodies read, connections reusable or closed.
pub const HSESSION_LOG_TRACE: c_int = 5;

/// Receives one log line. `level` is HSESSION_LOG_ERROR .. HSESSION_LOG_TRACE;
/// `message` is one line of UTF-8 without a newline: words, then
/// `key=value` fields (a value with spaces is quoted). It is valid only
/// during the call. Lines carry no header values, and credentials in URLs
/// are shown as `***`.
///
/// The callback runs on hsession's logging thread, `hsession-log`, one line
/// at a time, never on a thread doing I/O. Lines wait for it in a bounded
/// queue (4,096 lines); when the queue is full new lines are dropped and
/// counted (`hsession_log_dropped`), and the next line delivered says how
/// many were lost. The callback may call any hsession function, this one
/// included.
///
/// Functions: `hsession_set_log_callback`, `hsession_set_log_level`,
/// `hsession_log_dropped`.
pub type hsession_log_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: c_int, message: *const c_char)>;

/// `user_data` goes to the logging thread; hsession never dereferences it.
struct UserData(*mut c_void);
// SAFETY: only handed back to the caller's callback, which the caller wrote
// to run on hsession's logging thread.
unsafe impl Send for UserData {}
// SAFETY: as above; the pointer is copied, never dereferenced by hsession.
unsafe impl Sync for UserData {}

impl UserData {
    fn get(&self) -> *mut c_void {
        self.0
    }
}

fn level_arg(level: c_int, arg: &str) -> Result<Level, Failure> {
    Level::from_number(level.into()).ok_or_else(|| {
        Failure::new(
            HSESSION_INVALID_ARGUMENT,
            format!("`{arg}` must be HSESSION_LOG_OFF (0) .. HSESSION_LOG_TRACE (5), got {level}"),
        )
    })
}

/// Sets the process-wide log callback: `callback(user_data, level,
/// message)` receives every line at `min_level` or more important
/// (HSESSION_LOG_ERROR .. HSESSION_LOG_TRACE). A NULL `callback`, or
/// `min_level` HSESSION_LOG_OFF, removes it. When this returns, the previous
/// callback is not running and will not be called again (unless this is
/// called from inside it), so its `user_data` may be freed. Independent of
/// the stderr log (`HSESSION_LOG`, `hsession_set_log_level`).
/// Thread-safe. Fails with HSESSION_INVALID_ARGUMENT for another level, or
/// HSESSION_RUNTIME if the logging thread cannot start.
#[no_mangle]
pub extern "C" fn hsession_set_log_callback(
    callback: hsession_log_callback,
    user_data: *mut c_void,
    min_level: c_int,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let level = level_arg(min_level, "min_level")?;
        let sink = callback.map(|cb| {
            let user_data = UserData(user_data);
            Arc::new(move |level: Level, line: &str| {
                let line = super::c_string(line);
                // SAFETY: the caller's callback with the caller's user_data,
                // and a NUL-terminated line valid for the call.
                unsafe { cb(user_data.get(), level as c_int, line.as_ptr()) }
            }) as logging::Sink
        });
        Ok(logging::set_callback(sink, level)?)
    })
}

/// Sets the level of the log written to stderr (lines `hsession LEVEL
/// message`), replacing what the environment variable HSESSION_LOG (off,
/// error, warn, info, debug or trace; read when the first session is made)
/// said. HSESSION_LOG_OFF stops it. Thread-safe. Fails with
/// HSESSION_INVALID_ARGUMENT for a level outside 0..=5.
#[no_mangle]
pub extern "C" fn hsession_set_log_level(
    level: c_int,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        logging::set_level(level_arg(level, "level")?);
        Ok(())
    })
}

/// How many log lines were dropped because the callback's queue was full,
/// since the process started. Thread-safe.
#[no_mangle]
pub extern "C" fn hsession_log_dropped() -> u64 {
    get_or(0, logging::dropped)
}
