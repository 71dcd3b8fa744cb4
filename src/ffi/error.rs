//! `hsession_error`: the detail of one failure, owned by the caller.

use super::*;
use crate::ErrorKind;
use std::ffi::CString;

/// The detail of a failed call: its result code, a message, and the URL it
/// concerns with credentials redacted. Created by hsession, owned by the
/// caller, freed with `hsession_error_free`. Immutable: may be read from
/// any thread.
pub struct hsession_error {
    code: hsession_result,
    message: CString,
    url: Option<CString>,
}

pub(crate) fn code_of(kind: ErrorKind) -> hsession_result {
    match kind {
        ErrorKind::InvalidArgument => HSESSION_INVALID_ARGUMENT,
        ErrorKind::InvalidUtf8 => HSESSION_INVALID_UTF8,
        ErrorKind::InvalidMethod => HSESSION_INVALID_METHOD,
        ErrorKind::InvalidUrl => HSESSION_INVALID_URL,
        ErrorKind::UnsupportedScheme => HSESSION_UNSUPPORTED_SCHEME,
        ErrorKind::InvalidHeaderName => HSESSION_INVALID_HEADER_NAME,
        ErrorKind::InvalidHeaderValue => HSESSION_INVALID_HEADER_VALUE,
        ErrorKind::Connect => HSESSION_CONNECT,
        ErrorKind::ConnectTimeout => HSESSION_CONNECT_TIMEOUT,
        ErrorKind::ReadTimeout => HSESSION_READ_TIMEOUT,
        ErrorKind::Timeout => HSESSION_TIMEOUT,
        ErrorKind::ConnectionClosed => HSESSION_CONNECTION_CLOSED,
        ErrorKind::Protocol => HSESSION_PROTOCOL,
        ErrorKind::Tls => HSESSION_TLS,
        ErrorKind::Decode => HSESSION_DECODE,
        ErrorKind::TooManyRedirects => HSESSION_TOO_MANY_REDIRECTS,
        ErrorKind::Cancelled => HSESSION_CANCELLED,
        ErrorKind::WrongThread => HSESSION_WRONG_THREAD,
        ErrorKind::Runtime => HSESSION_RUNTIME,
        ErrorKind::Internal => HSESSION_INTERNAL,
        ErrorKind::Pending => HSESSION_PENDING,
        ErrorKind::Consumed => HSESSION_NOT_FOUND,
        ErrorKind::TooManyRetries => HSESSION_TOO_MANY_RETRIES,
        ErrorKind::Io => HSESSION_IO,
        ErrorKind::Parse => HSESSION_PARSE,
        ErrorKind::BodyTooLarge => HSESSION_BODY_TOO_LARGE,
        ErrorKind::Proxy => HSESSION_PROXY,
    }
}

/// C strings cannot hold NUL; a message quoting caller input might.
fn c_string(s: String) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let mut bytes = e.into_vec();
        bytes.retain(|&b| b != 0);
        CString::new(bytes).unwrap_or_default()
    })
}

pub(crate) fn into_raw(f: Failure) -> *mut hsession_error {
    Box::into_raw(Box::new(hsession_error {
        code: f.code,
        message: c_string(f.message),
        url: f.url.map(c_string),
    }))
}

/// The result code of the failure; HSESSION_NULL_ARGUMENT if `err` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_error_code(err: *const hsession_error) -> hsession_result {
    get_or(HSESSION_NULL_ARGUMENT, || {
        err.as_ref().map_or(HSESSION_NULL_ARGUMENT, |e| e.code)
    })
}

/// The message, NUL-terminated UTF-8, valid until `err` is freed. NULL if
/// `err` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_error_message(err: *const hsession_error) -> *const c_char {
    get_or(std::ptr::null(), || {
        err.as_ref()
            .map_or(std::ptr::null(), |e| e.message.as_ptr())
    })
}

/// The URL the failure concerns, with any user name and password replaced
/// by "***"; valid until `err` is freed. NULL if there is none or `err` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_error_url(err: *const hsession_error) -> *const c_char {
    get_or(std::ptr::null(), || {
        err.as_ref()
            .and_then(|e| e.url.as_ref())
            .map_or(std::ptr::null(), |u| u.as_ptr())
    })
}

/// Frees an error. NULL is a no-op. `err` must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn hsession_error_free(err: *mut hsession_error) {
    free_box(err)
}
