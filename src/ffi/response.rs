//! `hsession_response`: a complete response, read-only.

use super::*;
use crate::Response;
use std::ffi::{c_int, CString};
use std::sync::OnceLock;

/// A complete response: status, reason, headers, body, final URL, HTTP
/// version and elapsed time. Owned by the caller, freed with
/// `hsession_response_free`. Immutable: may be read from any thread. Every
/// pointer it hands out stays valid until it is freed.
///
/// Functions: `hsession_response_free`, `hsession_response_status`,
/// `hsession_response_reason`, `hsession_response_url`,
/// `hsession_response_version`, `hsession_response_elapsed_us`,
/// `hsession_response_body`, `hsession_response_packed`,
/// `hsession_response_header_count`, `hsession_response_header_at`,
/// `hsession_response_header`, `hsession_response_retries`,
/// `hsession_response_history_count`, `hsession_response_history_at`,
/// `hsession_response_read`, `hsession_response_read_async`,
/// `hsession_response_timing`, `hsession_response_connection`,
/// `hsession_response_connection_text`, `hsession_response_history_timing`,
/// `hsession_response_history_connection`,
/// `hsession_response_history_connection_text`.
pub struct hsession_response {
    inner: Response,
    /// The C strings handed out, each made when first asked for: most
    /// callers read the status and the body only.
    reason: OnceLock<CString>,
    url: OnceLock<CString>,
    version: OnceLock<CString>,
    history: OnceLock<Vec<CString>>,
    /// How far `hsession_response_read` has read a body that is not streamed.
    read_pos: std::sync::Mutex<usize>,
    /// `hsession_response_packed`'s head, made on first use.
    packed_head: OnceLock<Vec<u8>>,
    /// Each exchange's connection facts as C strings (redirect hops, then
    /// the final response), made on first use.
    conn_text: OnceLock<Vec<[Option<CString>; CONN_TEXTS]>>,
}

pub(crate) fn into_raw(inner: Response) -> *mut hsession_response {
    Box::into_raw(Box::new(hsession_response {
        inner,
        reason: OnceLock::new(),
        url: OnceLock::new(),
        version: OnceLock::new(),
        history: OnceLock::new(),
        read_pos: std::sync::Mutex::new(0),
        packed_head: OnceLock::new(),
        conn_text: OnceLock::new(),
    }))
}

/// Frees a response and everything borrowed from it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_free(response: *mut hsession_response) {
    free_box(response)
}

/// The HTTP status code; 0 if `response` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_status(response: *const hsession_response) -> u16 {
    get_or(0, || response.as_ref().map_or(0, |r| r.inner.status()))
}

/// The reason phrase the server sent (or the standard one), NUL-terminated.
/// NULL if `response` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_reason(
    response: *const hsession_response,
) -> *const c_char {
    get_or(std::ptr::null(), || {
        response.as_ref().map_or(std::ptr::null(), |r| {
            r.reason.get_or_init(|| c_string(r.inner.reason())).as_ptr()
        })
    })
}

/// The final URL, after redirects, NUL-terminated. NULL if `response` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_url(
    response: *const hsession_response,
) -> *const c_char {
    get_or(std::ptr::null(), || {
        response.as_ref().map_or(std::ptr::null(), |r| {
            r.url
                .get_or_init(|| c_string(r.inner.url().as_str()))
                .as_ptr()
        })
    })
}

/// "HTTP/1.0", "HTTP/1.1" or "HTTP/2". NULL if `response` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_version(
    response: *const hsession_response,
) -> *const c_char {
    get_or(std::ptr::null(), || {
        response.as_ref().map_or(std::ptr::null(), |r| {
            r.version
                .get_or_init(|| c_string(r.inner.version()))
                .as_ptr()
        })
    })
}

/// Microseconds from the call to the last byte of the body; 0 if NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_elapsed_us(response: *const hsession_response) -> u64 {
    get_or(0, || {
        response.as_ref().map_or(0, |r| {
            r.inner.elapsed().as_micros().min(u64::MAX as u128) as u64
        })
    })
}

/// The body (decoded if the server compressed it), borrowed: `*data_out`
/// points at `*len_out` bytes, not NUL-terminated, valid until the response
/// is freed. `*data_out` is never NULL on success, even for an empty body.
/// HSESSION_INVALID_ARGUMENT for a streamed response (read it instead).
#[no_mangle]
pub unsafe extern "C" fn hsession_response_body(
    response: *const hsession_response,
    data_out: *mut *const u8,
    len_out: *mut usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let data = out_arg(data_out, "data_out")?;
        let len = out_arg(len_out, "len_out")?;
        if r.inner.stream().is_some() {
            return Err(Failure::new(
                HSESSION_INVALID_ARGUMENT,
                "the body is streamed: read it with hsession_response_read",
            ));
        }
        let body = r.inner.body();
        *data = if body.is_empty() {
            [0u8; 0].as_ptr()
        } else {
            body.as_ptr()
        };
        *len = body.len();
        Ok(())
    })
}

/// Everything about the response in one call, for language bindings: the
/// packed head (status, elapsed µs, retries, version, reason, URL, every
/// header in order, the redirect history; format in
/// docs/packed-format.md) at `*head_out`/`*head_len_out`, and the body as
/// `hsession_response_body` gives it at `*body_out`/`*body_len_out` (empty
/// for a streamed response). All borrowed, valid until the response is
/// freed; never NULL on success.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_packed(
    response: *const hsession_response,
    head_out: *mut *const u8,
    head_len_out: *mut usize,
    body_out: *mut *const u8,
    body_len_out: *mut usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let (head, head_len) = (
            out_arg(head_out, "head_out")?,
            out_arg(head_len_out, "head_len_out")?,
        );
        let (body_p, body_len) = (
            out_arg(body_out, "body_out")?,
            out_arg(body_len_out, "body_len_out")?,
        );
        let packed = r
            .packed_head
            .get_or_init(|| super::packed::pack_head(&r.inner));
        let body: &[u8] = match r.inner.stream() {
            Some(_) => &[],
            None => r.inner.body(),
        };
        *head = packed.as_ptr();
        *head_len = packed.len();
        *body_p = if body.is_empty() {
            [0u8; 0].as_ptr()
        } else {
            body.as_ptr()
        };
        *body_len = body.len();
        Ok(())
    })
}

/// The number of header lines (a repeated header counts once per value);
/// 0 if `response` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_header_count(
    response: *const hsession_response,
) -> usize {
    get_or(0, || {
        response.as_ref().map_or(0, |r| r.inner.headers().len())
    })
}

/// Header line `index` (0-based, in the order received): the name
/// (lower case) and the value, borrowed, not NUL-terminated, valid until the
/// response is freed. HSESSION_NOT_FOUND if `index` is past the end.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_header_at(
    response: *const hsession_response,
    index: usize,
    name_out: *mut *const c_char,
    name_len_out: *mut usize,
    value_out: *mut *const c_char,
    value_len_out: *mut usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let outs = (
            out_arg(name_out, "name_out")?,
            out_arg(name_len_out, "name_len_out")?,
            out_arg(value_out, "value_out")?,
            out_arg(value_len_out, "value_len_out")?,
        );
        let (name, value) = r.inner.headers().get(index).ok_or_else(|| {
            Failure::new(HSESSION_NOT_FOUND, format!("no header at index {index}"))
        })?;
        *outs.0 = name.as_str().as_ptr().cast();
        *outs.1 = name.as_str().len();
        *outs.2 = value.as_bytes().as_ptr().cast();
        *outs.3 = value.len();
        Ok(())
    })
}

/// The `index`-th value (0-based) of header `name`, matched without regard
/// to case; call with index 0, 1, … until HSESSION_NOT_FOUND to read every
/// value of a repeated header. The value is borrowed, not NUL-terminated,
/// valid until the response is freed.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_header(
    response: *const hsession_response,
    name: *const c_char,
    index: usize,
    value_out: *mut *const c_char,
    value_len_out: *mut usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let name = str_arg(name, "name")?;
        let value_out = out_arg(value_out, "value_out")?;
        let len_out = out_arg(value_len_out, "value_len_out")?;
        let value = r.inner.header_values(name).nth(index).ok_or_else(|| {
            Failure::new(
                HSESSION_NOT_FOUND,
                format!("no value {index} of header {name:?}"),
            )
        })?;
        *value_out = value.as_bytes().as_ptr().cast();
        *len_out = value.len();
        Ok(())
    })
}

/// Retries the retry policy used to get this response; 0 if NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_retries(response: *const hsession_response) -> u32 {
    get_or(0, || response.as_ref().map_or(0, |r| r.inner.retries()))
}

/// The number of redirects followed to get this response; 0 if NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_history_count(
    response: *const hsession_response,
) -> usize {
    get_or(0, || {
        response.as_ref().map_or(0, |r| r.inner.history().len())
    })
}

/// Redirect `index` (0 = the first): its status and URL (NUL-terminated,
/// valid until the response is freed). HSESSION_NOT_FOUND past the end.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_history_at(
    response: *const hsession_response,
    index: usize,
    status_out: *mut u16,
    url_out: *mut *const c_char,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let status = out_arg(status_out, "status_out")?;
        let url = out_arg(url_out, "url_out")?;
        let not_found =
            || Failure::new(HSESSION_NOT_FOUND, format!("no redirect at index {index}"));
        let (code, _) = r.inner.history().get(index).ok_or_else(not_found)?;
        let urls = r.history.get_or_init(|| {
            r.inner
                .history()
                .iter()
                .map(|(_, u)| c_string(u.as_str()))
                .collect()
        });
        let text = urls.get(index).ok_or_else(not_found)?;
        *status = *code;
        *url = text.as_ptr();
        Ok(())
    })
}

/// The caller's read buffer; a zero capacity would make "0 bytes" ambiguous
/// with the end of the body, so it is refused.
unsafe fn read_buf<'a>(buf: *mut u8, cap: usize) -> FfiResult<&'a mut [u8]> {
    if buf.is_null() {
        return Err(Failure::null("buf"));
    }
    if cap == 0 {
        return Err(Failure::new(
            HSESSION_INVALID_ARGUMENT,
            "cap must be at least 1",
        ));
    }
    Ok(std::slice::from_raw_parts_mut(buf, cap))
}

/// Copies the next bytes of a body that is not streamed.
fn read_full(r: &hsession_response, buf: &mut [u8]) -> usize {
    let mut pos = r.read_pos.lock().unwrap_or_else(|e| e.into_inner());
    let body = r.inner.body();
    let n = buf.len().min(body.len() - *pos);
    buf[..n].copy_from_slice(&body[*pos..*pos + n]);
    *pos += n;
    n
}

/// Reads the next bytes of the body into `buf` (at most `cap`), blocking
/// until some have arrived; `*n_out` is the count, 0 at the end of the body.
/// Works for every response: a streamed one (`hsession_request_set_stream`)
/// is read from the network as it arrives, another from memory. A failure
/// mid-body (HSESSION_READ_TIMEOUT, HSESSION_TIMEOUT, HSESSION_CANCELLED,
/// HSESSION_CONNECTION_CLOSED) ends the body. One reader at a time;
/// refused with HSESSION_WRONG_THREAD on hsession's I/O threads.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_read(
    response: *const hsession_response,
    buf: *mut u8,
    cap: usize,
    n_out: *mut usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = ref_arg(response, "response")?;
        let n_out = out_arg(n_out, "n_out")?;
        let buf = read_buf(buf, cap)?;
        let n = match r.inner.stream() {
            Some(stream) => stream.read(buf)?,
            None => read_full(r, buf),
        };
        *n_out = n;
        Ok(())
    })
}

/// Completion of `hsession_response_read_async`: `result` is HSESSION_OK with
/// `n` bytes written to the buffer (0 at the end of the body), or the failure
/// that ended the body. Called once, on the callback thread, like
/// `hsession_callback`; it must not block.
pub type hsession_read_callback = Option<
    unsafe extern "C" fn(user_data: *mut std::ffi::c_void, result: hsession_result, n: usize),
>;

/// Where an asynchronous read writes, handed to the runtime.
struct ReadTarget {
    buf: *mut u8,
    cap: usize,
    user_data: *mut std::ffi::c_void,
}
// SAFETY: the caller keeps `buf` valid and unused until the callback runs
// (documented on hsession_response_read_async); user_data is only handed back.
unsafe impl Send for ReadTarget {}

/// Starts reading the next bytes of the body into `buf` (at most `cap`) and
/// returns at once; `callback` gets the outcome. `buf` and `user_data` must
/// stay valid, and `buf` untouched, until the callback has run. Reads are
/// served in order. The response may be freed meanwhile: the read still
/// completes (with HSESSION_CANCELLED if the download stopped). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_read_async(
    response: *const hsession_response,
    buf: *mut u8,
    cap: usize,
    callback: hsession_read_callback,
    user_data: *mut std::ffi::c_void,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let r = ref_arg(response, "response")?;
        let Some(cb) = callback else {
            return Err(Failure::null("callback"));
        };
        read_buf(buf, cap)?;
        let target = ReadTarget {
            buf,
            cap,
            user_data,
        };
        let deliver = move |target: ReadTarget, outcome: crate::Result<Option<bytes::Bytes>>| {
            crate::runtime::dispatch(Box::new(move || {
                let target = target;
                let (code, n) = match outcome {
                    Ok(Some(chunk)) => {
                        // SAFETY: `buf` has room for `cap` bytes and the chunk
                        // was cut to at most `cap`.
                        unsafe {
                            std::ptr::copy_nonoverlapping(chunk.as_ptr(), target.buf, chunk.len())
                        };
                        (HSESSION_OK, chunk.len())
                    }
                    Ok(None) => (HSESSION_OK, 0),
                    Err(e) => (error::code_of(e.kind()), 0),
                };
                // SAFETY: the caller's callback, called as documented.
                unsafe { cb(target.user_data, code, n) };
            }));
        };
        match r.inner.stream() {
            Some(stream) => {
                let stream = stream.clone();
                stream.engine()?.spawn(async move {
                    let outcome = stream.next(target.cap).await;
                    deliver(target, outcome);
                });
            }
            None => {
                let mut chunk = vec![0u8; cap.min(r.inner.body().len())];
                let n = read_full(r, &mut chunk);
                chunk.truncate(n);
                deliver(target, Ok((n > 0).then(|| chunk.into())));
            }
        }
        Ok(())
    })
}

/// A phase of one exchange for `hsession_response_timing`: each is the
/// offset in microseconds, from when the exchange was sent (the request's
/// start; for the exchange after a redirect, when that redirect was
/// answered), to when the phase ended, like libcurl's CURLINFO_*_TIME_T.
/// They never decrease in this order; a phase that did not happen (no DNS
/// for an IP address, no connect or TLS on a reused connection, no TLS over
/// http) ends where the phase before it ended.
pub type hsession_timing = u32;
/// Handed to the connection pool: after the body was prepared, a wait for a
/// free connection under a per-host cap, and any retries with their back-off.
pub const HSESSION_TIMING_QUEUED: hsession_timing = 1;
/// The host name resolved (CURLINFO_NAMELOOKUP_TIME_T).
pub const HSESSION_TIMING_DNS: hsession_timing = 2;
/// TCP connected, to the server or its proxy (CURLINFO_CONNECT_TIME_T).
pub const HSESSION_TIMING_CONNECT: hsession_timing = 3;
/// TLS handshake done (CURLINFO_APPCONNECT_TIME_T).
pub const HSESSION_TIMING_TLS: hsession_timing = 4;
/// The response head received (CURLINFO_STARTTRANSFER_TIME_T; hyper
/// reports the parsed head, not its first byte).
pub const HSESSION_TIMING_FIRST_BYTE: hsession_timing = 5;
/// The body received to its end; the head, for a streamed response
/// (CURLINFO_TOTAL_TIME_T).
pub const HSESSION_TIMING_TOTAL: hsession_timing = 6;

/// A fact of an exchange's connection as text, for
/// `hsession_response_connection_text`.
pub type hsession_connection_text = u32;
/// The local address, "127.0.0.1:41234" or "[::1]:41234".
pub const HSESSION_CONNECTION_LOCAL_ADDR: hsession_connection_text = 1;
/// The remote address (the proxy's when one is used).
pub const HSESSION_CONNECTION_REMOTE_ADDR: hsession_connection_text = 2;
/// "TLSv1.2" or "TLSv1.3".
pub const HSESSION_CONNECTION_TLS_VERSION: hsession_connection_text = 3;
/// The cipher suite's IANA name, e.g. "TLS13_AES_256_GCM_SHA384".
pub const HSESSION_CONNECTION_TLS_CIPHER: hsession_connection_text = 4;
/// The HTTP version of the exchange: "HTTP/1.1", "HTTP/2", ...
pub const HSESSION_CONNECTION_HTTP_VERSION: hsession_connection_text = 5;
const CONN_TEXTS: usize = 5;

/// The timings of redirect hop `index`, or of the final exchange.
fn exchange(r: &hsession_response, index: Option<usize>) -> FfiResult<&crate::Timings> {
    match index {
        None => Ok(r.inner.timings()),
        Some(i) => r
            .inner
            .hop_heads()
            .get(i)
            .map(|h| &h.timings)
            .ok_or_else(|| Failure::new(HSESSION_NOT_FOUND, format!("no redirect at index {i}"))),
    }
}

fn timing_of(t: &crate::Timings, which: hsession_timing) -> FfiResult<u64> {
    let d = match which {
        HSESSION_TIMING_QUEUED => t.queued,
        HSESSION_TIMING_DNS => t.dns,
        HSESSION_TIMING_CONNECT => t.connect,
        HSESSION_TIMING_TLS => t.tls,
        HSESSION_TIMING_FIRST_BYTE => t.first_byte,
        HSESSION_TIMING_TOTAL => t.total,
        _ => {
            return Err(Failure::new(
                HSESSION_INVALID_ARGUMENT,
                format!("{which} is not an HSESSION_TIMING_* value"),
            ))
        }
    };
    Ok(d.as_micros().min(u64::MAX as u128) as u64)
}

unsafe fn timing(
    response: *const hsession_response,
    index: Option<usize>,
    which: hsession_timing,
    us_out: *mut u64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let out = out_arg(us_out, "us_out")?;
        let us = timing_of(exchange(r, index)?, which)?;
        *out = us;
        Ok(())
    })
}

unsafe fn connection(
    response: *const hsession_response,
    index: Option<usize>,
    reused_out: *mut c_int,
    idle_us_out: *mut i64,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let reused = out_arg(reused_out, "reused_out")?;
        let idle = out_arg(idle_us_out, "idle_us_out")?;
        let c = &exchange(r, index)?.connection;
        *reused = c_int::from(c.reused);
        *idle = match (c.reused, c.idle) {
            (false, _) => 0,
            (true, Some(d)) => d.as_micros().min(i64::MAX as u128) as i64,
            (true, None) => -1,
        };
        Ok(())
    })
}

unsafe fn connection_text(
    response: *const hsession_response,
    index: Option<usize>,
    which: hsession_connection_text,
    text_out: *mut *const c_char,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let r = ref_arg(response, "response")?;
        let out = out_arg(text_out, "text_out")?;
        exchange(r, index)?;
        let slot = usize::try_from(which)
            .ok()
            .and_then(|w| w.checked_sub(1))
            .filter(|&w| w < CONN_TEXTS)
            .ok_or_else(|| {
                Failure::new(
                    HSESSION_INVALID_ARGUMENT,
                    format!("{which} is not an HSESSION_CONNECTION_* value"),
                )
            })?;
        let texts = r.conn_text.get_or_init(|| {
            let heads = r.inner.hop_heads().iter().map(|h| &h.timings);
            heads
                .chain(std::iter::once(r.inner.timings()))
                .map(|t| {
                    let c = &t.connection;
                    [
                        c.local_addr.map(|a| c_string(a.to_string())),
                        c.remote_addr.map(|a| c_string(a.to_string())),
                        c.tls_version.map(c_string),
                        c.tls_cipher.map(c_string),
                        Some(c.http_version).filter(|v| !v.is_empty()).map(c_string),
                    ]
                })
                .collect()
        });
        let row = index.unwrap_or(texts.len() - 1);
        let text = texts[row][slot].as_ref().ok_or_else(|| {
            Failure::new(
                HSESSION_NOT_FOUND,
                "not known for this exchange (no TLS, or a pooled connection whose facts were not kept)",
            )
        })?;
        *out = text.as_ptr();
        Ok(())
    })
}

/// The final exchange's `which` phase (an HSESSION_TIMING_* value), in
/// microseconds from when it was sent, in `*us_out`. Redirect hops have their
/// own: `hsession_response_history_timing`. HSESSION_INVALID_ARGUMENT for
/// an unknown `which`.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_timing(
    response: *const hsession_response,
    which: hsession_timing,
    us_out: *mut u64,
) -> hsession_result {
    timing(response, None, which, us_out)
}

/// Redirect hop `index`'s (0 = the first, as `hsession_response_history_at`)
/// `which` phase, in microseconds from when that hop was sent.
/// HSESSION_NOT_FOUND past the end.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_history_timing(
    response: *const hsession_response,
    index: usize,
    which: hsession_timing,
    us_out: *mut u64,
) -> hsession_result {
    timing(response, Some(index), which, us_out)
}

/// The final exchange's connection: `*reused_out` 1 if it came from the
/// pool, 0 if it was opened for this exchange; `*idle_us_out` how long a
/// reused connection had been unused, in microseconds (-1 when not known;
/// 0 for a new one).
#[no_mangle]
pub unsafe extern "C" fn hsession_response_connection(
    response: *const hsession_response,
    reused_out: *mut c_int,
    idle_us_out: *mut i64,
) -> hsession_result {
    connection(response, None, reused_out, idle_us_out)
}

/// Redirect hop `index`'s connection, as `hsession_response_connection`.
/// HSESSION_NOT_FOUND past the end.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_history_connection(
    response: *const hsession_response,
    index: usize,
    reused_out: *mut c_int,
    idle_us_out: *mut i64,
) -> hsession_result {
    connection(response, Some(index), reused_out, idle_us_out)
}

/// A fact of the final exchange's connection (an HSESSION_CONNECTION_*
/// value) as NUL-terminated text, valid until the response is freed.
/// HSESSION_NOT_FOUND when it does not apply or is not known: no TLS
/// version over http, or a pooled connection whose TLS facts were not kept.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_connection_text(
    response: *const hsession_response,
    which: hsession_connection_text,
    text_out: *mut *const c_char,
) -> hsession_result {
    connection_text(response, None, which, text_out)
}

/// Redirect hop `index`'s connection fact, as
/// `hsession_response_connection_text`. HSESSION_NOT_FOUND past the end.
#[no_mangle]
pub unsafe extern "C" fn hsession_response_history_connection_text(
    response: *const hsession_response,
    index: usize,
    which: hsession_connection_text,
    text_out: *mut *const c_char,
) -> hsession_result {
    connection_text(response, Some(index), which, text_out)
}
