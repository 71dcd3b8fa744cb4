//! `hsession_response`: a complete response, read-only.

use super::*;
use crate::Response;
use std::ffi::CString;
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
/// `hsession_response_read`, `hsession_response_read_async`.
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
