//! `hsession_request_builder`: a request being built by one thread.

use super::*;
use crate::Request;

/// A request to send with `hsession_request`: method, URL, headers, query
/// parameters, body, auth and timeouts. Created by `hsession_request_new`,
/// freed by `hsession_request_free`. Not thread-safe: build it on one
/// thread; once built it may be sent (read) from several threads at once.
/// Every input is validated when it is set, so a built request is valid.
pub struct hsession_request_builder(pub(crate) Request);

/// Starts a request. `method` is an HTTP token ("GET", "POST", … case is
/// kept); `url` an absolute http:// or https:// URL (credentials in it are
/// sent as basic auth, never in the request line). Both NUL-terminated UTF-8,
/// copied. Failures: HSESSION_INVALID_METHOD, HSESSION_INVALID_URL,
/// HSESSION_UNSUPPORTED_SCHEME. On success writes a new builder to
/// `*request_out`, owned by the caller.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_new(
    method: *const c_char,
    url: *const c_char,
    request_out: *mut *mut hsession_request_builder,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let out = out_arg(request_out, "request_out")?;
        let req = Request::new(str_arg(method, "method")?, str_arg(url, "url")?)?;
        *out = Box::into_raw(Box::new(hsession_request_builder(req)));
        Ok(())
    })
}

/// Frees a request. NULL is a no-op. Responses to it stay valid.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_free(request: *mut hsession_request_builder) {
    get_or((), || {
        if !request.is_null() {
            drop(Box::from_raw(request));
        }
    })
}

/// Adds a header. A request header replaces every session header of the
/// same name; adding one name twice sends both values. Same validation as
/// `hsession_set_header`.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_add_header(
    request: *mut hsession_request_builder,
    name: *const c_char,
    value: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.header(str_arg(name, "name")?, str_arg(value, "value")?)?;
        Ok(())
    })
}

/// Does not send the session's header `name` with this request (nor the
/// session auth, for "Authorization").
#[no_mangle]
pub unsafe extern "C" fn hsession_request_remove_header(
    request: *mut hsession_request_builder,
    name: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.remove_header(str_arg(name, "name")?)?;
        Ok(())
    })
}

/// Adds a query parameter (percent-encoded by hsession); it replaces session
/// parameters of the same key.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_add_query_param(
    request: *mut hsession_request_builder,
    key: *const c_char,
    value: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.query(str_arg(key, "key")?, str_arg(value, "value")?);
        Ok(())
    })
}

/// Sets the body: `len` bytes at `data`, copied (any bytes; NULL is allowed
/// only with `len` 0). Set Content-Type yourself with a header.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_body(
    request: *mut hsession_request_builder,
    data: *const u8,
    len: usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        let body: &[u8] = match (data.is_null(), len) {
            (true, 0) => &[],
            (true, _) => return Err(Failure::null("data")),
            (false, _) => std::slice::from_raw_parts(data, len),
        };
        r.0.body(body.to_vec());
        Ok(())
    })
}

/// Sends HTTP basic auth with this request instead of the session's.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_basic_auth(
    request: *mut hsession_request_builder,
    user: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.basic_auth(str_arg(user, "user")?, str_arg(password, "password")?)?;
        Ok(())
    })
}

/// Sends a bearer token with this request instead of the session's auth.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_bearer_auth(
    request: *mut hsession_request_builder,
    token: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.bearer_auth(str_arg(token, "token")?)?;
        Ok(())
    })
}

/// Sends this request without the session's auth.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_no_auth(
    request: *mut hsession_request_builder,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?.0.no_auth();
        Ok(())
    })
}

/// Redirects this request follows at most, over the session's setting; 0
/// returns a redirect response as it is.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_max_redirects(
    request: *mut hsession_request_builder,
    max: usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?.0.max_redirects(max);
        Ok(())
    })
}

/// With `stream` non-zero, the response is returned as soon as its headers
/// have arrived and its body is read while it arrives, with
/// `hsession_response_read` or `hsession_response_read_async`, so a body of
/// any size takes a few hundred kilobytes of memory. Timeouts keep applying:
/// read-idle between chunks, total until the last byte.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_stream(
    request: *mut hsession_request_builder,
    stream: i32,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?.0.stream(stream != 0);
        Ok(())
    })
}

/// Connect timeout for this request in milliseconds, over the session's; 0
/// means no limit.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_connect_timeout_ms(
    request: *mut hsession_request_builder,
    ms: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?
            .0
            .connect_timeout(super::ms(ms));
        Ok(())
    })
}

/// Read-idle timeout for this request in milliseconds, over the session's;
/// 0 means no limit.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_read_timeout_ms(
    request: *mut hsession_request_builder,
    ms: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?.0.read_timeout(super::ms(ms));
        Ok(())
    })
}

/// Total timeout for this request in milliseconds, over the session's; 0
/// means no limit.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_total_timeout_ms(
    request: *mut hsession_request_builder,
    ms: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?.0.total_timeout(super::ms(ms));
        Ok(())
    })
}
