//! The C ABI. Every exported function checks its pointers, runs its body
//! inside a panic boundary (a panic unwinding into C would abort the host
//! process), returns an `hsession_result`, and writes out-params only on
//! success. No HTTP logic lives here: it converts and calls the core.
//!
//! `include/hsession.h` is generated from this module by cbindgen; the doc
//! comments here are the header's documentation.
#![allow(non_camel_case_types)]
#![allow(unsafe_code)]
#![allow(clippy::missing_safety_doc)]

// In the header, handles and their functions come in this order.
pub mod call;
pub mod cancel;
pub mod cookies;
pub mod error;
pub mod log;
pub mod queue;
pub mod request;
pub mod response;
pub mod result;
pub mod session;
// Shared by the handles above.
pub(crate) mod fork;
pub mod packed;
pub mod retry;

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub use error::hsession_error;
pub use log::{
    HSESSION_LOG_DEBUG, HSESSION_LOG_ERROR, HSESSION_LOG_INFO, HSESSION_LOG_OFF,
    HSESSION_LOG_TRACE, HSESSION_LOG_WARN,
};
pub use result::*;
pub use retry::{
    HSESSION_RETRY_BACKOFF_FACTOR, HSESSION_RETRY_BACKOFF_JITTER, HSESSION_RETRY_BACKOFF_MAX,
    HSESSION_RETRY_CONNECT, HSESSION_RETRY_READ, HSESSION_RETRY_STATUS, HSESSION_RETRY_TOTAL,
};

/// This header's major version; `hsession_version()` gives the loaded library's.
pub const HSESSION_VERSION_MAJOR: u32 = 0;
/// This header's minor version.
pub const HSESSION_VERSION_MINOR: u32 = 1;
/// This header's patch version.
pub const HSESSION_VERSION_PATCH: u32 = 0;
/// The ABI number, also the shared library's soname suffix (libhsession.so.0).
pub const HSESSION_ABI_VERSION: u32 = 0;

/// A failure on its way to C: a result code and the error object's content.
pub(crate) struct Failure {
    code: hsession_result,
    message: String,
    url: Option<String>,
}

impl Failure {
    pub(crate) fn new(code: hsession_result, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            url: None,
        }
    }

    pub(crate) fn null(arg: &str) -> Failure {
        Failure::new(HSESSION_NULL_ARGUMENT, format!("argument `{arg}` is NULL"))
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Failure {
        Failure {
            code: error::code_of(e.kind()),
            message: e.message().to_owned(),
            url: e.url().map(str::to_owned),
        }
    }
}

pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

/// Runs `f` inside the panic boundary; a failure becomes a result code and,
/// when `err_out` is not NULL, an `hsession_error` written to `*err_out`.
pub(crate) fn call(
    err_out: *mut *mut hsession_error,
    f: impl FnOnce() -> FfiResult,
) -> hsession_result {
    let failure = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return HSESSION_OK,
        Ok(Err(failure)) => failure,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Failure::new(
                HSESSION_PANIC,
                format!("internal error in hsession (panic): {what}"),
            )
        }
    };
    let code = failure.code;
    if !err_out.is_null() {
        let boxed = catch_unwind(AssertUnwindSafe(|| error::into_raw(failure)));
        // SAFETY: the caller passes either NULL or a writable pointer.
        unsafe { *err_out = boxed.unwrap_or(std::ptr::null_mut()) };
    }
    code
}

/// Runs an infallible getter inside the panic boundary.
pub(crate) fn get_or<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

/// A C string of `s` without its NUL bytes: C strings cannot hold NUL, and
/// a message quoting caller input might.
pub(crate) fn c_string(s: impl AsRef<[u8]>) -> std::ffi::CString {
    let mut bytes = s.as_ref().to_vec();
    bytes.retain(|&b| b != 0);
    std::ffi::CString::new(bytes).unwrap_or_default()
}

/// A NUL-terminated UTF-8 argument, borrowed for the call.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, arg: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(Failure::null(arg));
    }
    CStr::from_ptr(p).to_str().map_err(|e| {
        Failure::new(
            HSESSION_INVALID_UTF8,
            format!("argument `{arg}` is not valid UTF-8: {e}"),
        )
    })
}

/// A NUL-terminated UTF-8 argument that may be NULL (meaning "none").
pub(crate) unsafe fn opt_str_arg<'a>(p: *const c_char, arg: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        str_arg(p, arg).map(Some)
    }
}

/// `len` bytes at `p`, borrowed for the call; NULL is allowed only with 0.
pub(crate) unsafe fn bytes_arg<'a>(p: *const u8, len: usize, arg: &str) -> FfiResult<&'a [u8]> {
    match (p.is_null(), len) {
        (true, 0) => Ok(&[]),
        (true, _) => Err(Failure::null(arg)),
        (false, _) => Ok(std::slice::from_raw_parts(p, len)),
    }
}

/// Frees a handle made with `Box::into_raw`, inside the panic boundary;
/// NULL is a no-op. Every `*_free` of the ABI is this.
pub(crate) unsafe fn free_box<T>(p: *mut T) {
    get_or((), || {
        if !p.is_null() {
            drop(Box::from_raw(p));
        }
    })
}

/// A handle argument, borrowed for the call.
pub(crate) unsafe fn ref_arg<'a, T>(p: *const T, arg: &str) -> FfiResult<&'a T> {
    p.as_ref().ok_or_else(|| Failure::null(arg))
}

/// A handle argument that the call changes.
pub(crate) unsafe fn mut_arg<'a, T>(p: *mut T, arg: &str) -> FfiResult<&'a mut T> {
    p.as_mut().ok_or_else(|| Failure::null(arg))
}

/// Checks an out-param before any work, so nothing happens when it is NULL.
pub(crate) fn out_arg<T>(p: *mut T, arg: &str) -> FfiResult<*mut T> {
    if p.is_null() {
        Err(Failure::null(arg))
    } else {
        Ok(p)
    }
}

/// Timeouts cross the ABI as milliseconds; 0 means no limit.
pub(crate) fn ms(ms: u64) -> Option<std::time::Duration> {
    crate::config::millis(ms)
}

/// The library version, "MAJOR.MINOR.PATCH", as a static string. Thread-safe.
#[no_mangle]
pub extern "C" fn hsession_version() -> *const c_char {
    const V: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => panic!("version contains NUL"),
        };
    V.as_ptr()
}

/// The ABI number of the loaded library; compare with HSESSION_ABI_VERSION.
#[no_mangle]
pub extern "C" fn hsession_abi_version() -> u32 {
    HSESSION_ABI_VERSION
}

/// Sets how many runtimes sessions are spread over (each has one thread
/// that runs its sockets while no blocking call does; a blocking call runs
/// them on the caller's thread). Call it before the first `hsession_new`;
/// afterwards it fails with HSESSION_RUNTIME. `threads` must be 1..=1024.
/// Without this call the environment variable HSESSION_WORKER_THREADS
/// decides, else one per four CPUs (at least one).
/// Thread-safe. `*err_out` (if `err_out` is not NULL) is written only on failure.
#[no_mangle]
pub extern "C" fn hsession_set_worker_threads(
    threads: usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || Ok(crate::runtime::set_worker_threads(threads)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_result_code_and_an_error() {
        let mut err: *mut hsession_error = std::ptr::null_mut();
        let rc = call(&mut err, || panic!("boom"));
        assert_eq!(rc, HSESSION_PANIC);
        assert!(!err.is_null());
        unsafe {
            assert_eq!(error::hsession_error_code(err), HSESSION_PANIC);
            let msg = CStr::from_ptr(error::hsession_error_message(err))
                .to_str()
                .unwrap();
            assert!(msg.contains("boom"), "{msg}");
            error::hsession_error_free(err);
        }
        assert_eq!(get_or(7u32, || panic!("getter")), 7);
        // Without err_out the code still comes back.
        assert_eq!(
            call(std::ptr::null_mut(), || panic!("quiet")),
            HSESSION_PANIC
        );
    }

    /// Each handle's doc comment lists every function of its file, so the
    /// header shows a handle's whole API where the handle is declared.
    #[test]
    fn every_handle_lists_its_functions() {
        let files = [
            ("session", include_str!("session.rs")),
            ("request", include_str!("request.rs")),
            ("response", include_str!("response.rs")),
            ("call", include_str!("call.rs")),
            ("cancel", include_str!("cancel.rs")),
            ("queue", include_str!("queue.rs")),
            ("cookies", include_str!("cookies.rs")),
            ("error", include_str!("error.rs")),
            ("log", include_str!("log.rs")),
        ];
        for (file, text) in files {
            let defined: Vec<&str> = text
                .split("extern \"C\" fn ")
                .skip(1)
                .filter_map(|rest| rest.split('(').next())
                .filter(|name| name.starts_with("hsession_"))
                .collect();
            let listed_at = text
                .find("/// Functions")
                .unwrap_or_else(|| panic!("{file}.rs: its handle's doc lists no functions"));
            let listed: String = text[listed_at..]
                .lines()
                .take_while(|l| l.starts_with("///"))
                .collect();
            for name in &defined {
                assert!(
                    listed.contains(&format!("`{name}`")),
                    "{file}.rs: the handle's doc does not list {name}"
                );
            }
            let count = listed.matches("`hsession_").count();
            assert_eq!(
                count,
                defined.len(),
                "{file}.rs lists {count} functions, defines {}",
                defined.len()
            );
        }
    }
}
