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

pub mod call;
pub mod cancel;
pub mod cookies;
pub mod error;
pub mod queue;
pub mod request;
pub mod response;
pub mod session;
pub mod tls;

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub use error::hsession_error;

/// A result code. 0 is success; every other value names one kind of failure.
/// Values are never reused or renumbered.
pub type hsession_result = u32;

/// Success.
pub const HSESSION_OK: hsession_result = 0;
/// A required pointer argument was NULL.
pub const HSESSION_NULL_ARGUMENT: hsession_result = 1;
/// A string argument is not valid UTF-8.
pub const HSESSION_INVALID_UTF8: hsession_result = 2;
/// An argument is out of range or otherwise unusable.
pub const HSESSION_INVALID_ARGUMENT: hsession_result = 3;
/// The HTTP method is not a valid token.
pub const HSESSION_INVALID_METHOD: hsession_result = 4;
/// The URL cannot be parsed, has no host, or contains control characters.
pub const HSESSION_INVALID_URL: hsession_result = 5;
/// The URL's scheme is not http or https.
pub const HSESSION_UNSUPPORTED_SCHEME: hsession_result = 6;
/// A header name is not a valid HTTP token.
pub const HSESSION_INVALID_HEADER_NAME: hsession_result = 7;
/// A header value contains CR, LF or another forbidden control character.
pub const HSESSION_INVALID_HEADER_VALUE: hsession_result = 8;
/// No such item (a header that is absent, an index past the end).
pub const HSESSION_NOT_FOUND: hsession_result = 9;
/// The connection could not be made (refused, unreachable, DNS failure).
pub const HSESSION_CONNECT: hsession_result = 10;
/// No connection within the connect timeout.
pub const HSESSION_CONNECT_TIMEOUT: hsession_result = 11;
/// No data from the server within the read-idle timeout.
pub const HSESSION_READ_TIMEOUT: hsession_result = 12;
/// The request did not complete within the total timeout.
pub const HSESSION_TIMEOUT: hsession_result = 13;
/// The server closed the connection before the response was complete.
pub const HSESSION_CONNECTION_CLOSED: hsession_result = 14;
/// The server's response is not valid HTTP.
pub const HSESSION_PROTOCOL: hsession_result = 15;
/// The TLS handshake or certificate verification failed.
pub const HSESSION_TLS: hsession_result = 16;
/// The response body could not be decoded (for example corrupt gzip).
pub const HSESSION_DECODE: hsession_result = 17;
/// More redirects than the session allows.
pub const HSESSION_TOO_MANY_REDIRECTS: hsession_result = 18;
/// The request was cancelled.
pub const HSESSION_CANCELLED: hsession_result = 19;
/// A blocking call was made from one of hsession's own runtime threads (for
/// example from inside a completion callback), where it would deadlock.
pub const HSESSION_WRONG_THREAD: hsession_result = 20;
/// The runtime could not be started, or is already started and cannot be
/// reconfigured.
pub const HSESSION_RUNTIME: hsession_result = 21;
/// A bug in hsession was caught (a panic); the call had no effect on the session.
pub const HSESSION_PANIC: hsession_result = 22;
/// Another internal failure.
pub const HSESSION_INTERNAL: hsession_result = 23;
/// The request is still in flight (from `hsession_call_take`).
pub const HSESSION_PENDING: hsession_result = 24;
/// A file could not be read or written (a cookie file: missing, no
/// permission, disk full).
pub const HSESSION_IO: hsession_result = 25;
/// A file's content is not in the expected format (a malformed cookie file).
pub const HSESSION_PARSE: hsession_result = 26;
/// The decoded response body is larger than the maximum body size
/// (`hsession_set_max_body_size`, `hsession_request_set_max_body_size`).
pub const HSESSION_BODY_TOO_LARGE: hsession_result = 27;
/// The retry policy ran out of retries while a status in its forcelist kept
/// coming back (with raise-on-status on).
pub const HSESSION_TOO_MANY_RETRIES: hsession_result = 28;
/// The proxy could not be reached, or it refused the tunnel (CONNECT or
/// SOCKS); the origin was not reached.
pub const HSESSION_PROXY: hsession_result = 29;

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

/// A static description of a result code, for logs. Never NULL; unknown
/// codes give "unknown result code". Thread-safe.
#[no_mangle]
pub extern "C" fn hsession_result_str(result: hsession_result) -> *const c_char {
    let s: &'static CStr = match result {
        HSESSION_OK => c"ok",
        HSESSION_NULL_ARGUMENT => c"a required pointer argument is NULL",
        HSESSION_INVALID_UTF8 => c"a string argument is not valid UTF-8",
        HSESSION_INVALID_ARGUMENT => c"invalid argument",
        HSESSION_INVALID_METHOD => c"invalid HTTP method",
        HSESSION_INVALID_URL => c"invalid URL",
        HSESSION_UNSUPPORTED_SCHEME => c"unsupported URL scheme",
        HSESSION_INVALID_HEADER_NAME => c"invalid header name",
        HSESSION_INVALID_HEADER_VALUE => c"invalid header value",
        HSESSION_NOT_FOUND => c"not found",
        HSESSION_CONNECT => c"could not connect",
        HSESSION_CONNECT_TIMEOUT => c"connect timed out",
        HSESSION_READ_TIMEOUT => c"read timed out",
        HSESSION_TIMEOUT => c"request timed out",
        HSESSION_CONNECTION_CLOSED => c"connection closed before the response was complete",
        HSESSION_PROTOCOL => c"invalid HTTP response",
        HSESSION_TLS => c"TLS failure",
        HSESSION_DECODE => c"could not decode the response body",
        HSESSION_TOO_MANY_REDIRECTS => c"too many redirects",
        HSESSION_CANCELLED => c"cancelled",
        HSESSION_WRONG_THREAD => c"blocking call from a runtime thread",
        HSESSION_RUNTIME => c"runtime failure",
        HSESSION_PANIC => c"internal error (panic)",
        HSESSION_INTERNAL => c"internal error",
        HSESSION_PENDING => c"still in flight",
        HSESSION_IO => c"file I/O failed",
        HSESSION_PARSE => c"malformed file",
        HSESSION_BODY_TOO_LARGE => c"response body larger than the maximum body size",
        HSESSION_TOO_MANY_RETRIES => c"retries exhausted",
        HSESSION_PROXY => c"the proxy could not be used",
        _ => c"unknown result code",
    };
    s.as_ptr()
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

/// Sets how many worker threads hsession's runtime starts with. Call it
/// before the first `hsession_new`; afterwards it fails with HSESSION_RUNTIME.
/// `threads` must be 1..=1024. Without this call the environment variable
/// HSESSION_WORKER_THREADS decides, else one per four CPUs (at least one).
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

    #[test]
    fn every_error_kind_has_its_own_code_and_text() {
        use crate::ErrorKind::*;
        let kinds = [
            InvalidArgument,
            InvalidUtf8,
            InvalidMethod,
            InvalidUrl,
            UnsupportedScheme,
            InvalidHeaderName,
            InvalidHeaderValue,
            Connect,
            ConnectTimeout,
            ReadTimeout,
            Timeout,
            ConnectionClosed,
            Protocol,
            Tls,
            Decode,
            TooManyRedirects,
            Cancelled,
            WrongThread,
            Runtime,
            Internal,
            Pending,
            Io,
            Parse,
            BodyTooLarge,
            TooManyRetries,
            Proxy,
        ];
        let mut codes: Vec<_> = kinds.iter().map(|k| error::code_of(*k)).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
        for code in codes {
            let text = unsafe { CStr::from_ptr(hsession_result_str(code)) };
            assert_ne!(text.to_str().unwrap(), "unknown result code");
        }
    }
}
