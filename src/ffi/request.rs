//! `hsession_request_builder`: a request being built by one thread.

use super::cancel::hsession_cancel_token;
use super::retry;
use super::*;
use crate::Request;
use std::path::Path;

/// A request to send with `hsession_request`: method, URL, headers, query
/// parameters, body, auth and timeouts. Created by `hsession_request_new`,
/// freed by `hsession_request_free`. Not thread-safe: build it on one
/// thread; once built it may be sent (read) from several threads at once.
/// Every input is validated when it is set, so a built request is valid.
///
/// Functions: `hsession_request_new`, `hsession_request_new_packed`,
/// `hsession_request_free`, `hsession_request_add_header`,
/// `hsession_request_remove_header`, `hsession_request_add_query_param`,
/// `hsession_request_set_body`, `hsession_request_set_basic_auth`,
/// `hsession_request_set_digest_auth`, `hsession_request_set_bearer_auth`,
/// `hsession_request_set_no_auth`, `hsession_request_set_max_redirects`,
/// `hsession_request_set_return_at_redirect_limit`,
/// `hsession_request_set_max_body_size`, `hsession_request_set_stream`,
/// `hsession_request_set_connect_timeout_ms`,
/// `hsession_request_set_read_timeout_ms`,
/// `hsession_request_set_total_timeout_ms`, `hsession_request_set_body_file`,
/// `hsession_request_set_body_callback`, `hsession_request_set_body_pipe`,
/// `hsession_request_add_form_field`,
/// `hsession_request_add_form_file`, `hsession_request_set_retry_count`,
/// `hsession_request_set_retry_seconds`,
/// `hsession_request_set_retry_statuses`,
/// `hsession_request_set_retry_methods`, `hsession_request_set_retry_flags`,
/// `hsession_request_add_form_bytes`, `hsession_request_set_verify`,
/// `hsession_request_set_ca_file`, `hsession_request_set_client_cert`,
/// `hsession_request_set_proxy`, `hsession_request_set_no_proxy`,
/// `hsession_request_add_cookie`, `hsession_request_set_cancel_token`.
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

/// Builds a whole request from one packed buffer of `len` bytes at `data`
/// (copied): method, URL, headers, query, body, auth, timeouts, retry policy
/// and the other per-request options as tagged fields, so a language
/// binding crosses the boundary once instead of once per header. The format
/// is in docs/packed-format.md and `src/packed.rs`. Every field is
/// validated as its setter would validate it, with the same result codes;
/// a malformed buffer is HSESSION_INVALID_ARGUMENT. On success writes a new
/// builder to `*request_out`, owned by the caller.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_new_packed(
    data: *const u8,
    len: usize,
    request_out: *mut *mut hsession_request_builder,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let out = out_arg(request_out, "request_out")?;
        let req = super::packed::unpack_request(bytes_arg(data, len, "data")?)?;
        *out = Box::into_raw(Box::new(hsession_request_builder(req)));
        Ok(())
    })
}

/// Frees a request. NULL is a no-op. Responses to it stay valid.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_free(request: *mut hsession_request_builder) {
    free_box(request)
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
        r.0.body(bytes_arg(data, len, "data")?.to_vec());
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

/// Uses HTTP Digest auth for this request instead of the session's auth
/// (as `hsession_set_digest_auth`): a 401 with a Digest challenge from the
/// request's origin is answered once.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_digest_auth(
    request: *mut hsession_request_builder,
    user: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.digest_auth(str_arg(user, "user")?, str_arg(password, "password")?)?;
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

/// With `on` non-zero, a redirect past this request's limit is returned as
/// the response (the last redirect, with the history before it) instead of
/// failing with HSESSION_TOO_MANY_REDIRECTS (requests' `TooManyRedirects`
/// carries that response).
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_return_at_redirect_limit(
    request: *mut hsession_request_builder,
    on: i32,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?
            .0
            .return_at_redirect_limit(on != 0);
        Ok(())
    })
}

/// This request's largest accepted decoded body in bytes, over the
/// session's `hsession_set_max_body_size`; 0 means no limit. A larger body
/// fails with HSESSION_BODY_TOO_LARGE. Unlike the session's limit it also
/// bounds a streamed body: the read that passes it fails.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_max_body_size(
    request: *mut hsession_request_builder,
    bytes: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?
            .0
            .max_body_size((bytes > 0).then_some(bytes));
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

/// Sets the body to the file at `path` (NUL-terminated UTF-8, copied),
/// streamed from disk when the request is sent, with its size as the
/// Content-Length. The file is opened at each send: a missing one fails
/// that send with HSESSION_IO.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_body_file(
    request: *mut hsession_request_builder,
    path: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.body_file(str_arg(path, "path")?);
        Ok(())
    })
}

/// Reads the next bytes of a request body into `buf` (at most `cap`) and
/// returns how many, 0 at the end of the body, or -1 to fail the request
/// (HSESSION_IO). Called on a thread of hsession's blocking pool, one call at
/// a time, while the request is being sent; it may block.
pub type hsession_body_read_callback =
    Option<unsafe extern "C" fn(user_data: *mut std::ffi::c_void, buf: *mut u8, cap: usize) -> i64>;

/// The caller's read callback and its user_data, sent to the blocking pool.
struct BodyReader {
    read: unsafe extern "C" fn(*mut std::ffi::c_void, *mut u8, usize) -> i64,
    user_data: *mut std::ffi::c_void,
}
// SAFETY: hsession calls the callback from one thread at a time and never
// touches user_data itself; the caller wrote both to be called that way.
unsafe impl Send for BodyReader {}

/// Sets the body to what `read` produces (see `hsession_body_read_callback`).
/// `length` is the body's size if known (sent as Content-Length), or -1 for
/// unknown (the body is sent chunked). `user_data` must stay valid while any
/// send of this request runs. Such a body is read once per send and cannot
/// be replayed: a 307/308 redirect is returned as the response. Blocking
/// callers and callbacks: with `hsession_request` the callback runs while the
/// caller's thread waits, so an FFI that can only run callbacks on the
/// caller's thread must use `hsession_send`.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_body_callback(
    request: *mut hsession_request_builder,
    read: hsession_body_read_callback,
    user_data: *mut std::ffi::c_void,
    length: i64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        let Some(read) = read else {
            return Err(Failure::null("read"));
        };
        let len = body_length(length)?;
        let reader = BodyReader { read, user_data };
        r.0.body_reader(
            Box::new(move |buf: &mut [u8]| {
                let reader = &reader;
                // SAFETY: the caller's callback with a buffer of `buf.len()` bytes.
                let n = unsafe { (reader.read)(reader.user_data, buf.as_mut_ptr(), buf.len()) };
                match usize::try_from(n) {
                    Ok(n) if n <= buf.len() => Ok(n),
                    Ok(_) => Err(std::io::Error::other(
                        "the read callback returned more than it was given room for",
                    )),
                    Err(_) => Err(std::io::Error::other("the read callback returned -1")),
                }
            }),
            len,
        );
        Ok(())
    })
}

/// A streamed body's `length` argument: -1 for unknown (chunked), else the size.
fn body_length(length: i64) -> FfiResult<Option<u64>> {
    match length {
        -1 => Ok(None),
        n if n >= 0 => Ok(Some(n as u64)),
        _ => Err(Failure::new(
            HSESSION_INVALID_ARGUMENT,
            "length must be -1 or at least 0",
        )),
    }
}

/// The frames a caller writes into a body pipe: u32 LE length, then that
/// many bytes; length 0 ends the body, 0xFFFFFFFF fails it. The pipe closed
/// anywhere else fails it too, so a writer that goes away (its process or
/// thread torn down) never ends the body early as if it were complete.
struct PipeFrames {
    pipe: std::io::PipeReader,
    left: u32,
    done: bool,
}

impl PipeFrames {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::Read;
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut head = [0u8; 4];
            self.pipe
                .read_exact(&mut head)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => {
                        std::io::Error::other("the body pipe was closed before the end of the body")
                    }
                    _ => e,
                })?;
            match u32::from_le_bytes(head) {
                0 => {
                    self.done = true;
                    return Ok(0);
                }
                u32::MAX => return Err(std::io::Error::other("the body's writer failed it")),
                n => self.left = n,
            }
        }
        let want = buf.len().min(self.left as usize);
        let n = loop {
            match self.pipe.read(&mut buf[..want]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        if n == 0 {
            return Err(std::io::Error::other(
                "the body pipe was closed in the middle of a frame",
            ));
        }
        self.left -= n as u32;
        Ok(n)
    }
}

/// Sets the body to what the caller writes into a pipe, for callers that
/// cannot run a read callback on another thread (an event loop that
/// produces the body asynchronously). On success writes the pipe's write
/// end to `*fd_out`: a file descriptor, close-on-exec, owned by the caller,
/// who writes the body into it as frames, each a u32 little-endian length n
/// and then n bytes, ends it with a frame of length 0, and then closes it.
/// A frame of length 0xFFFFFFFF, or the descriptor closed before the end
/// frame, fails the request with HSESSION_IO (a body is never cut short
/// silently). The library reads while it sends, on its blocking pool, so a
/// caller that writes without blocking sees back-pressure when the pipe is
/// full. `length` is the body's size if known (sent as Content-Length), or
/// -1 (chunked). Like `hsession_request_set_body_callback`, the body is read
/// once and cannot be replayed: send the request once.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_body_pipe(
    request: *mut hsession_request_builder,
    length: i64,
    fd_out: *mut i32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        let fd_out = out_arg(fd_out, "fd_out")?;
        let len = body_length(length)?;
        let (pipe, writer) = std::io::pipe()
            .map_err(|e| Failure::new(HSESSION_IO, format!("cannot create the body pipe: {e}")))?;
        let mut frames = PipeFrames {
            pipe,
            left: 0,
            done: false,
        };
        r.0.body_reader(Box::new(move |buf: &mut [u8]| frames.read(buf)), len);
        let fd = std::os::fd::IntoRawFd::into_raw_fd(writer);
        // SAFETY: `fd_out` was checked non-NULL above.
        unsafe { *fd_out = fd };
        Ok(())
    })
}

/// Adds a text field to a multipart/form-data body (the `data=` that goes
/// with `files=` in requests). The first form part replaces any other body;
/// Content-Type and the boundary are set by hsession. Strings are copied.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_add_form_field(
    request: *mut hsession_request_builder,
    name: *const c_char,
    value: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.form_text(str_arg(name, "name")?, str_arg(value, "value")?);
        Ok(())
    })
}

/// Adds a file part to a multipart/form-data body, streamed from `path` when
/// the request is sent. `file_name` (NULL: the path's last component) and
/// `content_type` (NULL: guessed from the extension) are optional. Strings
/// are copied; a missing file fails the send with HSESSION_IO.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_add_form_file(
    request: *mut hsession_request_builder,
    name: *const c_char,
    path: *const c_char,
    file_name: *const c_char,
    content_type: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        let name = str_arg(name, "name")?;
        let path = str_arg(path, "path")?;
        let file_name = opt_str_arg(file_name, "file_name")?;
        let mime = opt_str_arg(content_type, "content_type")?;
        if let Some(m) = mime {
            crate::body::check_mime(m)?;
        }
        r.0.form_file(name, path, file_name, mime);
        Ok(())
    })
}

/// Sets one retry count of this request's own policy, as
/// `hsession_set_retry_count` does for the session's (HSESSION_RETRY_TOTAL,
/// _CONNECT, _READ or _STATUS; -1 = no limit from it). The request's policy
/// starts from the library's defaults (no retries) at its first retry
/// setter and then replaces the session's policy for this request.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_retry_count(
    request: *mut hsession_request_builder,
    option: u32,
    count: i64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        retry::count(option, count)?(r.0.retry_policy_mut());
        Ok(())
    })
}

/// Sets one backoff time (seconds) of this request's own policy, as
/// `hsession_set_retry_seconds` does for the session's; see
/// `hsession_request_set_retry_count` for how the request's policy starts.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_retry_seconds(
    request: *mut hsession_request_builder,
    option: u32,
    seconds: f64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        retry::seconds(option, seconds)?(r.0.retry_policy_mut());
        Ok(())
    })
}

/// This request's retried statuses, as `hsession_set_retry_statuses`.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_retry_statuses(
    request: *mut hsession_request_builder,
    statuses: *const u16,
    count: usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        retry::statuses(statuses, count)?(r.0.retry_policy_mut());
        Ok(())
    })
}

/// This request's retried methods, as `hsession_set_retry_methods`.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_retry_methods(
    request: *mut hsession_request_builder,
    methods: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        retry::methods(methods)?(r.0.retry_policy_mut());
        Ok(())
    })
}

/// This request's retry flags, as `hsession_set_retry_flags`.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_retry_flags(
    request: *mut hsession_request_builder,
    respect_retry_after: i32,
    raise_on_status: i32,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = mut_arg(request, "request")?;
        retry::flags(respect_retry_after, raise_on_status)(r.0.retry_policy_mut());
        Ok(())
    })
}

/// Adds a file part from memory to a multipart/form-data body: `len` bytes
/// at `data` (copied; NULL allowed with 0), sent as the file `file_name`
/// (NULL: no file name) with `content_type` (NULL: none). Like requests'
/// `files={name: (file_name, data, content_type)}`.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_add_form_bytes(
    request: *mut hsession_request_builder,
    name: *const c_char,
    data: *const u8,
    len: usize,
    file_name: *const c_char,
    content_type: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        let name = str_arg(name, "name")?;
        let data = bytes_arg(data, len, "data")?;
        let file_name = opt_str_arg(file_name, "file_name")?;
        let mime = opt_str_arg(content_type, "content_type")?;
        if let Some(m) = mime {
            crate::body::check_mime(m)?;
        }
        r.0.form_bytes(name, bytes::Bytes::copy_from_slice(data), file_name, mime);
        Ok(())
    })
}

/// Verifies the server's certificate (non-zero) or not (0) for this request
/// only, whatever the session's setting. The request goes through a pool
/// of its own for its TLS and proxy settings, so a connection made with
/// verification off is never reused by a verifying request.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_verify(
    request: *mut hsession_request_builder,
    verify: i32,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        mut_arg(request, "request")?.0.verify(verify != 0);
        Ok(())
    })
}

/// Trusts only the CA certificates of this PEM file for this request, as
/// `hsession_set_ca_file` does for the session; NULL: the platform roots.
/// Read and checked during the call (HSESSION_IO, HSESSION_INVALID_ARGUMENT).
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_ca_file(
    request: *mut hsession_request_builder,
    path: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        let path = opt_str_arg(path, "path")?;
        r.0.ca_file(path.map(Path::new))?;
        Ok(())
    })
}

/// Presents this client certificate and key for this request, as
/// `hsession_set_client_cert` does for the session; both NULL: none.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_client_cert(
    request: *mut hsession_request_builder,
    cert_path: *const c_char,
    key_path: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        if cert_path.is_null() && key_path.is_null() {
            r.0.client_cert(None)?;
            return Ok(());
        }
        let cert = str_arg(cert_path, "cert_path")?;
        let key = str_arg(key_path, "key_path")?;
        r.0.client_cert(Some((Path::new(cert), Path::new(key))))?;
        Ok(())
    })
}

/// The proxy for `scheme` ("http", "https" or "all") for this request, as
/// `hsession_set_proxy` does for the session; NULL `url`: no proxy for that
/// scheme on this request.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_proxy(
    request: *mut hsession_request_builder,
    scheme: *const c_char,
    url: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.proxy(str_arg(scheme, "scheme")?, opt_str_arg(url, "url")?)?;
        Ok(())
    })
}

/// Hosts that bypass the proxies for this request, replacing the session's
/// list (the format of `hsession_set_no_proxy`); NULL: no list.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_no_proxy(
    request: *mut hsession_request_builder,
    list: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.no_proxy(opt_str_arg(list, "list")?)?;
        Ok(())
    })
}

/// Sends the cookie `name=value` with this request only; it never enters
/// the jar. It replaces a jar cookie of the same name for this request (and
/// an earlier one added here), and is dropped, like a Cookie header, once a
/// redirect leaves the origin. A name must be a token (no spaces, '=', ';'
/// or control characters); a value has no ';' or control characters
/// (HSESSION_INVALID_ARGUMENT). Strings are copied. Like every builder call,
/// not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_add_cookie(
    request: *mut hsession_request_builder,
    name: *const c_char,
    value: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = mut_arg(request, "request")?;
        r.0.cookie(str_arg(name, "name")?, str_arg(value, "value")?)?;
        Ok(())
    })
}

/// Sends of this request obey `token` (it is shared, not copied): cancel it
/// from any thread to end them with HSESSION_CANCELLED.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_set_cancel_token(
    request: *mut hsession_request_builder,
    token: *const hsession_cancel_token,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = mut_arg(request, "request")?;
        r.0.cancel_token(ref_arg(token, "token")?.0.clone());
        Ok(())
    })
}
