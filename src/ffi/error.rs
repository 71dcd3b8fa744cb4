//! `hsession_error`: the detail of one failure, owned by the caller.

use super::*;
use std::ffi::CString;

/// The detail of a failed call: its result code, a message, and the URL it
/// concerns with credentials redacted. Created by hsession, owned by the
/// caller, freed with `hsession_error_free`. Immutable: may be read from
/// any thread.
///
/// Functions: `hsession_error_code`, `hsession_error_message`,
/// `hsession_error_url`, `hsession_error_free`.
pub struct hsession_error {
    code: hsession_result,
    message: CString,
    url: Option<CString>,
}

pub(crate) use super::result::code_of;

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
