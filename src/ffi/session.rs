//! `hsession`: the shared session handle.

use super::request::hsession_request_builder;
use super::response::{self, hsession_response};
use super::retry;
use super::*;
use crate::{Request, Session, TlsVersion, TransportConfig};
use std::path::Path;

/// A persistent HTTP session: one connection pool, one cookie jar, default
/// headers, auth, query parameters and timeouts. Created by `hsession_new`,
/// freed by `hsession_free`. Thread-safe: every function taking a
/// `const hsession *` may be called from any number of threads at once;
/// setters apply to requests started after they return.
///
/// Functions: `hsession_new`, `hsession_free`, `hsession_set_header`,
/// `hsession_append_header`, `hsession_remove_header`,
/// `hsession_set_basic_auth`, `hsession_set_bearer_auth`,
/// `hsession_set_digest_auth`, `hsession_clear_auth`,
/// `hsession_add_query_param`, `hsession_clear_query_params`,
/// `hsession_set_connect_timeout_ms`, `hsession_set_read_timeout_ms`,
/// `hsession_set_total_timeout_ms`, `hsession_set_max_redirects`,
/// `hsession_set_refuse_downgrade`, `hsession_set_retry`,
/// `hsession_set_retry_count`, `hsession_set_retry_seconds`,
/// `hsession_set_retry_statuses`, `hsession_set_retry_methods`,
/// `hsession_set_retry_flags`, `hsession_set_max_body_size`,
/// `hsession_set_proxy`, `hsession_set_no_proxy`, `hsession_set_trust_env`,
/// `hsession_set_pool_idle_timeout_ms`, `hsession_set_http2_keep_alive_ms`,
/// `hsession_set_pool_max_idle_per_host`,
/// `hsession_set_max_connections_per_host`, `hsession_requests_sent`,
/// `hsession_connections_opened`, `hsession_request`,
/// `hsession_request_packed`, `hsession_get`, `hsession_set_verify`,
/// `hsession_set_ca_file`, `hsession_set_client_cert`,
/// `hsession_set_min_tls_version`.
pub struct hsession(pub(crate) Session);

/// Creates a session with the default settings (docs/behaviour.md: timeouts
/// connect 10 s, read-idle 30 s, total 300 s; User-Agent "hsession/VERSION").
/// On success writes a new handle to `*session_out`, owned by the caller,
/// to be freed with `hsession_free`. On failure `*session_out` is untouched
/// and, if `err_out` is not NULL, `*err_out` receives an error to free with
/// `hsession_error_free` (this holds for every function with `err_out`).
/// Starts hsession's runtime threads on first use.
#[no_mangle]
pub unsafe extern "C" fn hsession_new(
    session_out: *mut *mut hsession,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let out = out_arg(session_out, "session_out")?;
        let session = Session::new()?;
        *out = Box::into_raw(Box::new(hsession(session)));
        Ok(())
    })
}

/// Frees a session and closes its idle connections. NULL is a no-op. Call it
/// once, after every call using the session has returned; `session` must
/// not be used afterwards. Responses already returned stay valid.
#[no_mangle]
pub unsafe extern "C" fn hsession_free(session: *mut hsession) {
    free_box(session)
}

/// Sets a default header sent with every request, replacing any value it
/// had. `name` and `value` are NUL-terminated UTF-8, copied. A name must be
/// an HTTP token; a value must not contain CR, LF or other control
/// characters (HSESSION_INVALID_HEADER_NAME / _VALUE). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_header(
    session: *const hsession,
    name: *const c_char,
    value: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        Ok(s.0.set_header(str_arg(name, "name")?, str_arg(value, "value")?)?)
    })
}

/// Adds one more value to a default header, keeping the values it had.
/// Same rules as `hsession_set_header`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_append_header(
    session: *const hsession,
    name: *const c_char,
    value: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        Ok(s.0.append_header(str_arg(name, "name")?, str_arg(value, "value")?)?)
    })
}

/// Removes a default header (all its values). Succeeds whether or not it was
/// set, including the built-in User-Agent. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_remove_header(
    session: *const hsession,
    name: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        Ok(s.0.remove_header(str_arg(name, "name")?)?)
    })
}

/// Sends HTTP basic auth with every request (replacing any session auth).
/// `user` must not contain ':'. Strings are copied. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_basic_auth(
    session: *const hsession,
    user: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        Ok(s.0.set_basic_auth(str_arg(user, "user")?, str_arg(password, "password")?)?)
    })
}

/// Sends `Authorization: Bearer <token>` with every request (replacing any
/// session auth). The token is copied. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_bearer_auth(
    session: *const hsession,
    token: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        Ok(s.0.set_bearer_auth(str_arg(token, "token")?)?)
    })
}

/// Uses HTTP Digest auth (RFC 7616: MD5, SHA-256 and their -sess variants,
/// qop=auth or none) for every request, replacing any session auth. A 401
/// with a Digest challenge from the request's origin is answered once;
/// later requests to that origin send Authorization from its last challenge
/// without waiting for a 401. Never sent to another origin after a
/// redirect. `user` must not contain '"'. Strings are copied. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_digest_auth(
    session: *const hsession,
    user: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        Ok(s.0.set_digest_auth(str_arg(user, "user")?, str_arg(password, "password")?)?)
    })
}

/// Stops sending session auth. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_clear_auth(session: *const hsession) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?.0.clear_auth();
        Ok(())
    })
}

/// Adds a query parameter to every request's URL (percent-encoded by
/// hsession). A request's own parameter of the same key replaces it.
/// Strings are copied. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_add_query_param(
    session: *const hsession,
    key: *const c_char,
    value: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        s.0.add_query_param(str_arg(key, "key")?, str_arg(value, "value")?);
        Ok(())
    })
}

/// Removes every session query parameter. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_clear_query_params(session: *const hsession) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?.0.clear_query_params();
        Ok(())
    })
}

/// Default connect timeout in milliseconds (TCP and TLS); 0 means no limit.
/// Default 10000. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_connect_timeout_ms(
    session: *const hsession,
    ms: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?
            .0
            .set_connect_timeout(super::ms(ms));
        Ok(())
    })
}

/// Default read-idle timeout in milliseconds: the longest wait, once the
/// request is sent, for the complete response headers, and then for each
/// next chunk of the body; 0 means no limit. Default 30000. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_read_timeout_ms(
    session: *const hsession,
    ms: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?
            .0
            .set_read_timeout(super::ms(ms));
        Ok(())
    })
}

/// Default total timeout in milliseconds for a whole request, body
/// included; 0 means no limit. Default 300000. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_total_timeout_ms(
    session: *const hsession,
    ms: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?
            .0
            .set_total_timeout(super::ms(ms));
        Ok(())
    })
}

/// Redirects a request follows at most; 0 returns redirect responses as
/// they are. Default 30, as in requests. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_max_redirects(
    session: *const hsession,
    max: usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?.0.set_max_redirects(max);
        Ok(())
    })
}

/// With `refuse` non-zero, a redirect from https to http fails with
/// HSESSION_UNSUPPORTED_SCHEME instead of being followed. Default 0, as in
/// requests. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_refuse_downgrade(
    session: *const hsession,
    refuse: i32,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?
            .0
            .set_refuse_downgrade(refuse != 0);
        Ok(())
    })
}

/// Sets the retry policy's counts and backoff all at once (the named
/// setters `hsession_set_retry_count` and `hsession_set_retry_seconds` set
/// one at a time, with no positions to mix up), with urllib3's `Retry`
/// meaning: `total`, `connect`, `read` and `status` retries (-1 = no limit
/// from that count; all -1 is capped at 1,000 retries); before retry n >= 2
/// the sleep is `backoff_factor * 2^(n-1)` seconds, at most `backoff_max`,
/// plus up to `backoff_jitter` at random. Default: total 0 (no retries),
/// others -1, backoff 0, max 120, jitter 0. Connect failures are retried for
/// any method (nothing was sent); read failures and statuses only for the
/// allowed methods (`hsession_set_retry_methods`) and replayable bodies.
/// Thread-safe; applies to requests started after it returns.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_retry(
    session: *const hsession,
    total: i64,
    connect: i64,
    read: i64,
    status: i64,
    backoff_factor: f64,
    backoff_max: f64,
    backoff_jitter: f64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        use crate::retry::{count_from_i64, seconds_from_f64};
        let (total, connect, read, status) = (
            count_from_i64(total, "total")?,
            count_from_i64(connect, "connect")?,
            count_from_i64(read, "read")?,
            count_from_i64(status, "status")?,
        );
        let (factor, max, jitter) = (
            seconds_from_f64(backoff_factor, "backoff_factor")?,
            seconds_from_f64(backoff_max, "backoff_max")?,
            seconds_from_f64(backoff_jitter, "backoff_jitter")?,
        );
        s.0.update_retry(|p| {
            p.total = total;
            p.connect = connect;
            p.read = read;
            p.status = status;
            p.backoff_factor = factor;
            p.backoff_max = max;
            p.backoff_jitter = jitter;
        });
        Ok(())
    })
}

/// Sets one retry count, named by `option` (HSESSION_RETRY_TOTAL, _CONNECT,
/// _READ or _STATUS), to `count` (-1 = no limit from this count), with the
/// meaning of `hsession_set_retry`; the other settings stay. Another option
/// number fails with HSESSION_INVALID_ARGUMENT and changes nothing.
/// Thread-safe; applies to requests started after it returns.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_retry_count(
    session: *const hsession,
    option: u32,
    count: i64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        s.0.update_retry(retry::count(option, count)?);
        Ok(())
    })
}

/// Sets one backoff time, named by `option` (HSESSION_RETRY_BACKOFF_FACTOR,
/// _BACKOFF_MAX or _BACKOFF_JITTER), to `seconds` (finite, >= 0), with the
/// meaning of `hsession_set_retry`; the other settings stay. Another option
/// number fails with HSESSION_INVALID_ARGUMENT and changes nothing.
/// Thread-safe; applies to requests started after it returns.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_retry_seconds(
    session: *const hsession,
    option: u32,
    seconds: f64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        s.0.update_retry(retry::seconds(option, seconds)?);
        Ok(())
    })
}

/// The statuses retried (urllib3's `status_forcelist`): `count` codes at
/// `statuses` (copied; NULL allowed with 0, which clears the list). Codes
/// must be 100..=599. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_retry_statuses(
    session: *const hsession,
    statuses: *const u16,
    count: usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        s.0.update_retry(retry::statuses(statuses, count)?);
        Ok(())
    })
}

/// The methods retried after a read failure or a forcelist status: a
/// comma-separated list ("GET,PUT"), "*" for every method (POST included,
/// at the risk of running it twice), or "" for none. Default: DELETE, GET,
/// HEAD, OPTIONS, PUT, TRACE. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_retry_methods(
    session: *const hsession,
    methods: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        s.0.update_retry(retry::methods(methods)?);
        Ok(())
    })
}

/// `respect_retry_after` (default 1): sleep as `Retry-After` says on 413,
/// 429 and 503. `raise_on_status` (default 1): when status retries run out
/// the request fails with HSESSION_TOO_MANY_RETRIES; with 0 the last
/// response is returned. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_retry_flags(
    session: *const hsession,
    respect_retry_after: i32,
    raise_on_status: i32,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let s = ref_arg(session, "session")?;
        s.0.update_retry(retry::flags(respect_retry_after, raise_on_status));
        Ok(())
    })
}

/// The largest decoded response body a request accepts, in bytes; 0 means
/// no limit. Default 268435456 (256 MiB). A larger body fails with
/// HSESSION_BODY_TOO_LARGE as soon as the limit is passed, without reading
/// the rest (a declared Content-Length over the limit fails before any
/// byte); memory stays below the limit plus one chunk. The limit bounds
/// memory, so it does not apply to streamed bodies (`hsession_request_set_stream`),
/// which only their request's own limit bounds. Thread-safe; applies to
/// requests started after it returns.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_max_body_size(
    session: *const hsession,
    bytes: u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?
            .0
            .set_max_body_size((bytes > 0).then_some(bytes));
        Ok(())
    })
}

fn change_transport(
    session: *const hsession,
    change: impl FnOnce(&mut TransportConfig),
) -> FfiResult {
    // SAFETY: the caller passes NULL or a live session handle.
    let s = unsafe { ref_arg(session, "session")? };
    Ok(s.0.update_transport(change)?)
}

/// Sends requests for `scheme` ("http", "https" or "all") through the proxy
/// at `url` (http://, https:// — CONNECT for https targets —, socks5:// or
/// socks5h://, the latter resolving names at the proxy), with credentials
/// as `scheme://user:pass@host:port`; they go only to the proxy, never to
/// the origin. NULL `url` removes that proxy. Proxies set here replace the
/// environment's. Strings are copied. Builds a new connection pool.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_proxy(
    session: *const hsession,
    scheme: *const c_char,
    url: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let scheme = str_arg(scheme, "scheme")?;
        let url = opt_str_arg(url, "url")?;
        Ok(s.0.set_proxy(scheme, url)?)
    })
}

/// Hosts that bypass every proxy: a comma-separated list of domains (each
/// matching its subdomains), IP addresses, CIDR blocks, or "*", each with an
/// optional ":port" ("[::1]:8080" for IPv6). It replaces the environment's
/// NO_PROXY; NULL removes it. A malformed entry is HSESSION_INVALID_ARGUMENT.
/// Copied. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_no_proxy(
    session: *const hsession,
    list: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let list = opt_str_arg(list, "list")?;
        Ok(s.0.set_no_proxy(list)?)
    })
}

/// With `trust` non-zero (the default, as in requests) the environment's
/// HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY (or lower case) apply
/// where the session sets nothing; with 0 they are ignored. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_trust_env(
    session: *const hsession,
    trust: i32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        Ok(ref_arg(session, "session")?.0.set_trust_env(trust != 0)?)
    })
}

/// How long an idle pooled connection is kept, in milliseconds; 0 means
/// forever. Default 30000. Builds a new connection pool (requests in flight
/// finish on the old one); cookies and counters are kept. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_pool_idle_timeout_ms(
    session: *const hsession,
    ms: u64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        change_transport(session, |c| c.pool_idle_timeout = super::ms(ms))
    })
}

/// HTTP/2 keep-alive pings: every `interval_ms` on each pooled HTTP/2
/// connection, idle or not; a ping unanswered within `timeout_ms` closes the
/// connection, so a silently dead one is found in seconds (requests on it
/// are then sent again on a new one where that is safe). `interval_ms` 0
/// turns pings off (the default); otherwise `timeout_ms` must be above 0.
/// Builds a new connection pool like `hsession_set_pool_idle_timeout_ms`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_http2_keep_alive_ms(
    session: *const hsession,
    interval_ms: u64,
    timeout_ms: u64,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let ping =
            super::ms(interval_ms).map(|i| (i, std::time::Duration::from_millis(timeout_ms)));
        Ok(ref_arg(session, "session")?.0.set_http2_keep_alive(ping)?)
    })
}

/// The most idle connections kept per host; 0 disables reuse. Default 64.
/// Builds a new connection pool like `hsession_set_pool_idle_timeout_ms`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_pool_max_idle_per_host(
    session: *const hsession,
    max: usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        change_transport(session, |c| c.pool_max_idle_per_host = max)
    })
}

/// At most `max` connections to one host (scheme, host and port) at a
/// time, like curl's CURLMOPT_MAX_HOST_CONNECTIONS; 0 removes the cap (the
/// default). A request beyond it waits for a connection to come free, at
/// most the connect timeout, then fails with HSESSION_CONNECT_TIMEOUT. Over
/// HTTP/1 a request holds its connection until its body has been read (or
/// its streamed response is freed); HTTP/2 requests share one connection.
/// Builds a new connection pool like `hsession_set_pool_idle_timeout_ms`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_max_connections_per_host(
    session: *const hsession,
    max: usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let max = (max > 0).then_some(max);
        Ok(ref_arg(session, "session")?
            .0
            .set_max_connections_per_host(max)?)
    })
}

/// HTTP requests this session has sent (each redirect hop counts). 0 if
/// `session` is NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_requests_sent(session: *const hsession) -> u64 {
    get_or(0, || session.as_ref().map_or(0, |s| s.0.requests_sent()))
}

/// TCP connections this session has opened, counted where they are made;
/// compare with `hsession_requests_sent` to see connection reuse. 0 if
/// `session` is NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_connections_opened(session: *const hsession) -> u64 {
    get_or(0, || {
        session.as_ref().map_or(0, |s| s.0.connections_opened())
    })
}

fn send(
    session: *const hsession,
    request: &Request,
    response_out: *mut *mut hsession_response,
) -> FfiResult {
    // SAFETY: the caller passes NULL or a live session handle.
    let s = unsafe { ref_arg(session, "session")? };
    let out = out_arg(response_out, "response_out")?;
    let resp = s.0.send(request)?;
    // SAFETY: `out` was checked non-NULL; the caller made it writable.
    unsafe { *out = response::into_raw(resp) };
    Ok(())
}

/// Sends `request` with the session's defaults and blocks the calling thread
/// until the whole response, body included, has arrived or a timeout fires.
/// `request` is only read: it stays owned by the caller and can be sent
/// again. On success writes a response to `*response_out`, owned by the
/// caller, freed with `hsession_response_free`. An HTTP error status (404,
/// 503) is a response, not a failure. Thread-safe for the session; do not
/// call it from inside a callback run by hsession (HSESSION_WRONG_THREAD).
#[no_mangle]
pub unsafe extern "C" fn hsession_request(
    session: *const hsession,
    request: *const hsession_request_builder,
    response_out: *mut *mut hsession_response,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let req = ref_arg(request, "request")?;
        send(session, &req.0, response_out)
    })
}

/// Sends the request packed in `len` bytes at `data` (the format of
/// `hsession_request_new_packed`, copied) and blocks like `hsession_request`:
/// one call for a whole request. Failures of the packed buffer are those of
/// `hsession_request_new_packed`; then those of `hsession_request`.
#[no_mangle]
pub unsafe extern "C" fn hsession_request_packed(
    session: *const hsession,
    data: *const u8,
    len: usize,
    response_out: *mut *mut hsession_response,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let request = super::packed::unpack_request(bytes_arg(data, len, "data")?)?;
        send(session, &request, response_out)
    })
}

/// Sends a GET to `url` (NUL-terminated UTF-8) with the session's defaults;
/// otherwise exactly like `hsession_request`.
#[no_mangle]
pub unsafe extern "C" fn hsession_get(
    session: *const hsession,
    url: *const c_char,
    response_out: *mut *mut hsession_response,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let request = Request::new("GET", str_arg(url, "url")?)?;
        send(session, &request, response_out)
    })
}

// TLS settings. Each setter builds a new connection pool (requests in
// flight finish on the old one; cookies and counters stay): that is why a
// connection opened with verification off is never reused by a request made
// after verification is turned back on.

/// Minimum TLS version 1.2 (the default), for `hsession_set_min_tls_version`.
pub const HSESSION_TLS_1_2: u32 = 0x0303;
/// Minimum TLS version 1.3, for `hsession_set_min_tls_version`.
pub const HSESSION_TLS_1_3: u32 = 0x0304;

/// Turns verification of the server's certificate and host name on
/// (`verify` non-zero, the default) or off (0: any certificate for any name
/// is accepted; for tests only). Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_verify(
    session: *const hsession,
    verify: i32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        Ok(ref_arg(session, "session")?.0.set_verify(verify != 0)?)
    })
}

/// Trusts only the CA certificates in the PEM file `path` (NUL-terminated
/// UTF-8, copied): they REPLACE the platform's roots, as `verify=path` does
/// in requests. NULL `path` goes back to the platform roots. The file is
/// read and checked during the call: unreadable gives HSESSION_IO, no valid
/// PEM certificate gives HSESSION_INVALID_ARGUMENT, and on failure the
/// session is unchanged. Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_ca_file(
    session: *const hsession,
    path: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let path = opt_str_arg(path, "path")?;
        Ok(s.0.set_ca_file(path.map(Path::new))?)
    })
}

/// Presents a client certificate for mutual TLS: `cert_path` is a PEM file
/// with the certificate chain (leaf first), `key_path` a PEM file with its
/// private key (PKCS#8, RSA or EC). Both NUL-terminated UTF-8, copied; both
/// NULL removes the client certificate (one NULL is HSESSION_NULL_ARGUMENT).
/// The files are read and checked during the call (HSESSION_IO if
/// unreadable, HSESSION_INVALID_ARGUMENT if not valid PEM or the key does
/// not match the certificate); on failure the session is unchanged.
/// Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_client_cert(
    session: *const hsession,
    cert_path: *const c_char,
    key_path: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        if cert_path.is_null() && key_path.is_null() {
            return Ok(s.0.set_client_cert(None)?);
        }
        let cert = str_arg(cert_path, "cert_path")?;
        let key = str_arg(key_path, "key_path")?;
        Ok(s.0.set_client_cert(Some((Path::new(cert), Path::new(key))))?)
    })
}

/// The lowest TLS version accepted: HSESSION_TLS_1_2 (default) or
/// HSESSION_TLS_1_3; any other value is HSESSION_INVALID_ARGUMENT.
/// Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_min_tls_version(
    session: *const hsession,
    version: u32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let version = match version {
            HSESSION_TLS_1_2 => TlsVersion::Tls12,
            HSESSION_TLS_1_3 => TlsVersion::Tls13,
            other => {
                return Err(Failure::new(
                    HSESSION_INVALID_ARGUMENT,
                    format!(
                        "unknown TLS version {other:#x}: use HSESSION_TLS_1_2 or HSESSION_TLS_1_3"
                    ),
                ))
            }
        };
        Ok(s.0.set_min_tls_version(version)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;
    use std::time::Duration;

    /// Each named retry option writes its own field and nothing else.
    #[test]
    fn each_retry_option_sets_its_own_field() {
        let s = hsession(Session::new().unwrap());
        let counts = [
            HSESSION_RETRY_TOTAL,
            HSESSION_RETRY_CONNECT,
            HSESSION_RETRY_READ,
            HSESSION_RETRY_STATUS,
        ];
        for (i, option) in counts.into_iter().enumerate() {
            let rc =
                unsafe { hsession_set_retry_count(&s, option, 10 + i as i64, ptr::null_mut()) };
            assert_eq!(rc, HSESSION_OK);
        }
        let times = [
            HSESSION_RETRY_BACKOFF_FACTOR,
            HSESSION_RETRY_BACKOFF_MAX,
            HSESSION_RETRY_BACKOFF_JITTER,
        ];
        for (i, option) in times.into_iter().enumerate() {
            let rc =
                unsafe { hsession_set_retry_seconds(&s, option, 1.5 + i as f64, ptr::null_mut()) };
            assert_eq!(rc, HSESSION_OK);
        }
        let p = s.0.retry();
        assert_eq!(
            (p.total, p.connect, p.read, p.status),
            (Some(10), Some(11), Some(12), Some(13))
        );
        assert_eq!(
            (p.backoff_factor, p.backoff_max, p.backoff_jitter),
            (
                Duration::from_secs_f64(1.5),
                Duration::from_secs_f64(2.5),
                Duration::from_secs_f64(3.5)
            )
        );
        // A count option at the time setter (and the reverse) changes nothing.
        let rc =
            unsafe { hsession_set_retry_seconds(&s, HSESSION_RETRY_TOTAL, 0.0, ptr::null_mut()) };
        assert_eq!(rc, HSESSION_INVALID_ARGUMENT);
        let rc =
            unsafe { hsession_set_retry_count(&s, HSESSION_RETRY_BACKOFF_MAX, 0, ptr::null_mut()) };
        assert_eq!(rc, HSESSION_INVALID_ARGUMENT);
        assert_eq!(s.0.retry(), p);
    }
}
