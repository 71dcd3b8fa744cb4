//! Arbitrary sequences of C ABI calls with arbitrary arguments on a session:
//! setters (headers, auth, query, timeouts, retries, proxies, pool, TLS),
//! the cookie API and cookie files in both formats, request builders and
//! packed requests, blocking, async, cancelled and streamed sends, and NULL
//! pointers everywhere one may be passed. Requests go only to a local server
//! (the URL's path is fuzzed, its host never is); URLs that are only parsed
//! are fully fuzzed. Any panic (even one caught at the ABI: libfuzzer-sys
//! aborts on panic), crash, sanitizer report or missed callback is a finding.
#![no_main]

use ::hsession::ffi::call::*;
use ::hsession::ffi::cancel::*;
use ::hsession::ffi::cookies::*;
use ::hsession::ffi::error::*;
use ::hsession::ffi::request::*;
use ::hsession::ffi::response::*;
use ::hsession::ffi::session::*;
use ::hsession::ffi::*;
use arbitrary::Arbitrary;
use hsession_fuzz::{friendly_port, CArg};
use libfuzzer_sys::fuzz_target;
use std::ffi::c_void;
use std::path::PathBuf;
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Strings that reach interesting branches faster than random bytes.
const DICT: &[&str] = &[
    "",
    "X-Test",
    "Content-Type",
    "Host",
    "Cookie",
    "Authorization",
    "Content-Length",
    "Transfer-Encoding",
    "chunked",
    "a\r\nb: c",
    "v\0x",
    "tab\there",
    "GET",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "G E T",
    "http://127.0.0.1/",
    "https://example.com/a/b?c=d#e",
    "http://user:pa:ss@127.0.0.1:1/x",
    "ftp://127.0.0.1/",
    "http://[::1]:0/",
    "http://",
    "*",
    "http",
    "https",
    "all",
    "socks5h://127.0.0.1:1",
    "localhost, 127.0.0.1:80, 10.0.0.0/8",
    "GET,PUT",
    "a=b; Domain=127.0.0.1; Path=/; Max-Age=100",
    "__Host-x=1; Secure; Path=/",
    "s=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
    "x=\u{7f}",
    "co.uk",
    "/",
    "\u{fffd}\u{1F600}",
];

#[derive(Arbitrary, Debug)]
enum Str {
    Null,
    Dict(u8),
    Bytes(Vec<u8>),
}

impl Str {
    fn arg(&self) -> CArg {
        match self {
            Str::Null => CArg::new(None),
            Str::Dict(i) => CArg::text(DICT[*i as usize % DICT.len()]),
            Str::Bytes(b) => CArg::new(Some(b)),
        }
    }
}

/// A file argument: the harness picks the path, the fuzzer the content.
#[derive(Arbitrary, Debug)]
enum File {
    Null,
    Missing,
    Directory,
    Written(Vec<u8>),
}

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("hsession-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    })
}

impl File {
    fn arg(&self, name: &str) -> CArg {
        let path = match self {
            File::Null => return CArg::new(None),
            File::Missing => scratch().join("missing/none"),
            File::Directory => scratch().clone(),
            File::Written(content) => {
                let p = scratch().join(name);
                std::fs::write(&p, content).expect("write scratch file");
                p
            }
        };
        CArg::text(path.to_str().unwrap())
    }
}

#[derive(Arbitrary, Debug)]
enum Proxy {
    /// The local server as an http proxy.
    Local,
    /// Anything: if accepted, requests must bypass it (see `proxy_fuzzed`).
    Fuzzed(Str),
}

#[derive(Arbitrary, Debug)]
enum BuilderOp {
    AddHeader(Str, Str),
    RemoveHeader(Str),
    AddQuery(Str, Str),
    Body(Option<Vec<u8>>, u16),
    Basic(Str, Str),
    Bearer(Str),
    NoAuth,
    MaxRedirects(u8),
    MaxBody(u64),
    Stream(i32),
    ConnectTimeout(u64),
    ReadTimeout(u64),
    TotalTimeout(u64),
    BodyFile(File),
    BodyCallback {
        length: i64,
        produce: u16,
        fail: bool,
    },
    /// A body pipe: these bytes written into it as they are (frames or
    /// not), then its write end closed.
    BodyPipe {
        length: i64,
        bytes: Vec<u8>,
    },
    FormField(Str, Str),
    FormFile(Str, File, Str, Str),
    Cookie(Str, Str),
    CancelToken {
        cancelled: bool,
    },
}

#[derive(Arbitrary, Debug)]
enum Mode {
    Blocking,
    Async {
        cancel: bool,
        take_in_callback: bool,
    },
    Stream {
        cap: u16,
    },
}

/// A request to the local server: the path and everything else is fuzzed.
#[derive(Arbitrary, Debug)]
struct Req {
    method: Str,
    path: Vec<u8>,
    ops: Vec<BuilderOp>,
    mode: Mode,
}

#[derive(Arbitrary, Debug)]
enum PackedMode {
    Builder,
    Blocking,
    Async,
}

#[derive(Arbitrary, Debug)]
enum Op {
    SetHeader(Str, Str),
    AppendHeader(Str, Str),
    RemoveHeader(Str),
    Basic(Str, Str),
    Bearer(Str),
    ClearAuth,
    AddQuery(Str, Str),
    ClearQuery,
    ConnectTimeout(u64),
    ReadTimeout(u64),
    TotalTimeout(u64),
    MaxRedirects(u16),
    RefuseDowngrade(i32),
    Retry(i64, i64, i64, i64, f64, f64, f64),
    RetryStatuses(Option<Vec<u16>>, u8),
    RetryMethods(Str),
    RetryFlags(i32, i32),
    MaxBody(u64),
    SetProxy(Str, Proxy),
    NoProxy(Str),
    TrustEnv(i32),
    PoolIdle(u64),
    PoolMaxIdle(u16),
    Verify(i32),
    CaFile(File),
    ClientCert(File, File),
    MinTls(u32),
    CookieSet(Str, Str),
    CookieSetFields(Str, Str, Str, Str, Str, i64, u32),
    CookieDelete(Str, Str, Str),
    CookieClear,
    CookieClearDomain(Str),
    CookieClearSession,
    CookieList,
    CookiesForUrl(Str),
    CookieSave(u32),
    CookieLoad(u32, File),
    CookieFile(u32, File),
    /// A builder with any method and URL, never sent.
    BuildOnly(Str, Str, Vec<BuilderOp>),
    /// Any bytes as a packed request, built but never sent.
    PackedRaw(Vec<u8>),
    /// Packed fields; the harness supplies the URL, paths and total timeout.
    Packed(Vec<(u8, Vec<u8>)>, Vec<u8>, PackedMode),
    Send(Req),
    /// Start a request, then free the session while it is in flight.
    FreeWhileInFlight(Req),
    ResultStr(u32),
    WorkerThreads(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    ops: Vec<Op>,
}

const TOTAL_MS: u64 = 1500;
const MAX_SENDS: usize = 6;

static CALLBACKS: AtomicU64 = AtomicU64::new(0);
static STARTED: AtomicU64 = AtomicU64::new(0);

unsafe extern "C" fn on_done(
    user_data: *mut c_void,
    call: *mut hsession_call,
    _r: hsession_result,
) {
    if !user_data.is_null() {
        let mut resp = null_mut();
        if hsession_call_take(call, &mut resp, null_mut()) == HSESSION_OK {
            hsession_response_free(resp);
        }
    }
    CALLBACKS.fetch_add(1, Ordering::SeqCst);
}

/// Body callback state: 'static slots, so a callback still running after
/// its input ended touches nothing freed.
static SLOTS: [AtomicI64; 8] = [const { AtomicI64::new(0) }; 8];
static NEXT_SLOT: AtomicU64 = AtomicU64::new(0);
const FAIL: i64 = i64::MIN;

unsafe extern "C" fn read_body(user_data: *mut c_void, buf: *mut u8, cap: usize) -> i64 {
    let slot = &*(user_data as *const AtomicI64);
    let left = slot.load(Ordering::SeqCst);
    if left == FAIL {
        return -1;
    }
    let n = (left.max(0) as usize).min(cap);
    std::ptr::write_bytes(buf, b'u', n);
    slot.fetch_sub(n as i64, Ordering::SeqCst);
    n as i64
}

fn check(rc: hsession_result, what: &str) {
    assert!(
        rc != HSESSION_PANIC,
        "{what}: a panic was caught at the ABI"
    );
    assert!(
        rc <= HSESSION_TOO_MANY_RETRIES,
        "{what}: unknown result {rc}"
    );
}

/// Checks the result and frees the error, after reading it.
unsafe fn done(rc: hsession_result, err: *mut hsession_error, what: &str) {
    check(rc, what);
    if rc == HSESSION_OK {
        assert!(err.is_null(), "{what}: an error written on success");
    } else if !err.is_null() {
        assert_eq!(hsession_error_code(err), rc, "{what}: error code");
        let _ = std::ffi::CStr::from_ptr(hsession_error_message(err));
        let _ = hsession_error_url(err);
        hsession_error_free(err);
    }
}

struct Ctx {
    s: *mut hsession,
    proxy_fuzzed: bool,
    sends: usize,
    calls: Vec<*mut hsession_call>,
}

unsafe fn base_url(path: &[u8]) -> Vec<u8> {
    let mut url = format!("http://127.0.0.1:{}/", friendly_port()).into_bytes();
    // The path never reaches the authority: it starts after the '/'.
    url.extend_from_slice(path.strip_prefix(b"/").unwrap_or(path));
    url
}

unsafe fn apply_builder(
    r: *mut hsession_request_builder,
    ops: &[BuilderOp],
    tokens: &mut Vec<*mut hsession_cancel_token>,
) {
    for (i, op) in ops.iter().enumerate() {
        let mut e = null_mut();
        let rc = match op {
            BuilderOp::AddHeader(n, v) => {
                hsession_request_add_header(r, n.arg().ptr(), v.arg().ptr(), &mut e)
            }
            BuilderOp::RemoveHeader(n) => hsession_request_remove_header(r, n.arg().ptr(), &mut e),
            BuilderOp::AddQuery(k, v) => {
                hsession_request_add_query_param(r, k.arg().ptr(), v.arg().ptr(), &mut e)
            }
            BuilderOp::Body(b, len) => match b {
                Some(b) => hsession_request_set_body(r, b.as_ptr(), b.len(), &mut e),
                None => hsession_request_set_body(r, null(), *len as usize, &mut e),
            },
            BuilderOp::Basic(u, p) => {
                hsession_request_set_basic_auth(r, u.arg().ptr(), p.arg().ptr(), &mut e)
            }
            BuilderOp::Bearer(t) => hsession_request_set_bearer_auth(r, t.arg().ptr(), &mut e),
            BuilderOp::NoAuth => hsession_request_set_no_auth(r),
            BuilderOp::MaxRedirects(n) => hsession_request_set_max_redirects(r, *n as usize),
            BuilderOp::MaxBody(n) => hsession_request_set_max_body_size(r, *n),
            BuilderOp::Stream(v) => hsession_request_set_stream(r, *v),
            BuilderOp::ConnectTimeout(ms) => hsession_request_set_connect_timeout_ms(r, *ms),
            BuilderOp::ReadTimeout(ms) => hsession_request_set_read_timeout_ms(r, *ms),
            BuilderOp::TotalTimeout(ms) => hsession_request_set_total_timeout_ms(r, *ms),
            BuilderOp::BodyFile(f) => {
                hsession_request_set_body_file(r, f.arg(&format!("body{i}")).ptr(), &mut e)
            }
            BuilderOp::BodyCallback {
                length,
                produce,
                fail,
            } => {
                let slot = &SLOTS[(NEXT_SLOT.fetch_add(1, Ordering::SeqCst) % 8) as usize];
                slot.store(if *fail { FAIL } else { *produce as i64 }, Ordering::SeqCst);
                let length = (*length).clamp(-2, 1 << 20);
                hsession_request_set_body_callback(
                    r,
                    Some(read_body),
                    slot as *const AtomicI64 as *mut c_void,
                    length,
                    &mut e,
                )
            }
            BuilderOp::BodyPipe { length, bytes } => {
                let mut fd = -1;
                let length = (*length).clamp(-2, 1 << 20);
                let rc = hsession_request_set_body_pipe(r, length, &mut fd, &mut e);
                if rc == HSESSION_OK {
                    use std::io::Write;
                    use std::os::fd::FromRawFd;
                    // At most 4 KiB, less than a pipe holds, so the write never
                    // blocks; closing the write end lets the body end or fail.
                    let mut w = std::fs::File::from_raw_fd(fd);
                    let _ = w.write_all(&bytes[..bytes.len().min(4096)]);
                }
                rc
            }
            BuilderOp::FormField(n, v) => {
                hsession_request_add_form_field(r, n.arg().ptr(), v.arg().ptr(), &mut e)
            }
            BuilderOp::FormFile(n, f, name, ct) => hsession_request_add_form_file(
                r,
                n.arg().ptr(),
                f.arg(&format!("form{i}")).ptr(),
                name.arg().ptr(),
                ct.arg().ptr(),
                &mut e,
            ),
            BuilderOp::Cookie(n, v) => {
                hsession_request_add_cookie(r, n.arg().ptr(), v.arg().ptr(), &mut e)
            }
            BuilderOp::CancelToken { cancelled } => {
                let mut t = null_mut();
                check(hsession_cancel_token_new(&mut t), "token_new");
                if *cancelled {
                    check(hsession_cancel_token_cancel(t), "token_cancel");
                    assert_eq!(hsession_cancel_token_is_cancelled(t), 1);
                }
                tokens.push(t);
                hsession_request_set_cancel_token(r, t)
            }
        };
        done(rc, e, "builder op");
    }
}

/// Reads everything a response offers.
unsafe fn inspect(resp: *mut hsession_response, stream_cap: Option<u16>) {
    let _ = hsession_response_status(resp);
    for p in [
        hsession_response_reason(resp),
        hsession_response_url(resp),
        hsession_response_version(resp),
    ] {
        if !p.is_null() {
            let _ = std::ffi::CStr::from_ptr(p);
        }
    }
    let _ = hsession_response_elapsed_us(resp);
    let _ = hsession_response_retries(resp);
    let n = hsession_response_header_count(resp);
    for i in 0..=n {
        let (mut k, mut kl, mut v, mut vl) = (null(), 0, null(), 0);
        let rc = hsession_response_header_at(resp, i, &mut k, &mut kl, &mut v, &mut vl);
        check(rc, "header_at");
        if rc == HSESSION_OK {
            let _ = std::slice::from_raw_parts(k as *const u8, kl).to_vec();
            let _ = std::slice::from_raw_parts(v as *const u8, vl).to_vec();
        }
    }
    let (mut v, mut vl) = (null(), 0);
    check(
        hsession_response_header(resp, c"SET-COOKIE".as_ptr(), 0, &mut v, &mut vl),
        "header",
    );
    check(
        hsession_response_header(resp, null(), 0, &mut v, &mut vl),
        "header NULL",
    );
    for i in 0..=hsession_response_history_count(resp) {
        let (mut st, mut u) = (0u16, null());
        check(
            hsession_response_history_at(resp, i, &mut st, &mut u),
            "history_at",
        );
    }
    let (mut h, mut hl, mut b, mut bl) = (null(), 0, null(), 0);
    check(
        hsession_response_packed(resp, &mut h, &mut hl, &mut b, &mut bl),
        "packed",
    );
    match stream_cap {
        Some(cap) => {
            let mut buf = vec![0u8; cap as usize];
            for _ in 0..256 {
                let mut n = 0usize;
                let mut e = null_mut();
                let rc = hsession_response_read(resp, buf.as_mut_ptr(), buf.len(), &mut n, &mut e);
                done(rc, e, "read");
                if rc != HSESSION_OK || n == 0 {
                    break;
                }
                assert!(n <= buf.len());
            }
        }
        None => {
            let (mut d, mut l) = (null(), 0);
            if hsession_response_body(resp, &mut d, &mut l) == HSESSION_OK && l > 0 {
                let _ = std::slice::from_raw_parts(d, l)
                    .iter()
                    .fold(0u8, |a, b| a ^ b);
            }
        }
    }
    hsession_response_free(resp);
}

unsafe fn send(cx: &mut Ctx, req: &Req, free_session: bool) {
    if cx.sends >= MAX_SENDS {
        return;
    }
    cx.sends += 1;
    if cx.proxy_fuzzed {
        // A fuzzed proxy may name any host: keep every request local.
        let mut e = null_mut();
        let rc = hsession_set_no_proxy(cx.s, c"*".as_ptr(), &mut e);
        done(rc, e, "no_proxy *");
        assert_eq!(rc, HSESSION_OK);
    }
    let url = CArg::new(Some(&base_url(&req.path)));
    let mut r = null_mut();
    let mut e = null_mut();
    let rc = hsession_request_new(req.method.arg().ptr(), url.ptr(), &mut r, &mut e);
    done(rc, e, "request_new");
    if rc != HSESSION_OK {
        return;
    }
    let mut tokens = Vec::new();
    apply_builder(r, &req.ops, &mut tokens);
    // Whatever the fuzzer set, no request outlives its input for long.
    check(hsession_request_set_total_timeout_ms(r, TOTAL_MS), "total");
    let (asynchronous, cancel, take) = match &req.mode {
        Mode::Async {
            cancel,
            take_in_callback,
        } => (true, *cancel, *take_in_callback),
        _ => (free_session, false, false),
    };
    match &req.mode {
        _ if asynchronous => {
            let mut call = null_mut();
            let mut e = null_mut();
            // A non-NULL user_data asks the callback to take the response.
            let ud = if take {
                1usize as *mut c_void
            } else {
                null_mut()
            };
            let rc = hsession_send(cx.s, r, Some(on_done), ud, &mut call, &mut e);
            done(rc, e, "send");
            if rc == HSESSION_OK {
                STARTED.fetch_add(1, Ordering::SeqCst);
                if cancel {
                    check(hsession_call_cancel(call), "cancel");
                }
                if free_session {
                    hsession_free(cx.s);
                    cx.s = new_session();
                    cx.proxy_fuzzed = false;
                }
                let mut resp = null_mut();
                let mut e = null_mut();
                let rc = hsession_call_wait(call, &mut resp, &mut e);
                done(rc, e, "wait");
                if rc == HSESSION_OK {
                    inspect(resp, None);
                }
                check(hsession_call_status(call), "status");
                cx.calls.push(call);
            }
        }
        Mode::Stream { cap } => {
            check(hsession_request_set_stream(r, 1), "stream");
            let mut resp = null_mut();
            let mut e = null_mut();
            let rc = hsession_request(cx.s, r, &mut resp, &mut e);
            done(rc, e, "request stream");
            if rc == HSESSION_OK {
                inspect(resp, Some(*cap));
            }
        }
        _ => {
            let mut resp = null_mut();
            let mut e = null_mut();
            let rc = hsession_request(cx.s, r, &mut resp, &mut e);
            done(rc, e, "request");
            if rc == HSESSION_OK {
                inspect(resp, None);
            }
        }
    }
    hsession_request_free(r);
    for t in tokens {
        hsession_cancel_token_free(t);
    }
}

unsafe fn new_session() -> *mut hsession {
    let mut s = null_mut();
    let mut e = null_mut();
    let rc = hsession_new(&mut s, &mut e);
    assert_eq!(rc, HSESSION_OK, "hsession_new");
    // No proxy from the environment, whatever the machine has.
    check(hsession_set_trust_env(s, 0, null_mut()), "trust_env");
    s
}

unsafe fn packed(cx: &mut Ctx, fields: &[(u8, Vec<u8>)], path: &[u8], mode: &PackedMode) {
    let mut buf = Vec::new();
    let mut put = |tag: u8, payload: &[u8]| {
        buf.push(tag);
        buf.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        buf.extend_from_slice(payload);
    };
    put(2, &base_url(path));
    for (i, (tag, payload)) in fields.iter().enumerate() {
        match tag {
            2 | 13 => {}
            18 => {
                let f = File::Written(payload.clone()).arg(&format!("pform{i}"));
                let p = &path_bytes(&f);
                let mut v = Vec::new();
                for s in [b"f".as_slice(), p, b"n.txt", b""] {
                    v.extend_from_slice(&(s.len() as u32).to_le_bytes());
                    v.extend_from_slice(s);
                }
                put(18, &v);
            }
            19 => {
                let f = File::Written(payload.clone()).arg(&format!("pbody{i}"));
                put(19, &path_bytes(&f));
            }
            _ => put(*tag, payload),
        }
    }
    put(13, &TOTAL_MS.to_le_bytes());
    match mode {
        PackedMode::Builder => {
            let mut r = null_mut();
            let mut e = null_mut();
            let rc = hsession_request_new_packed(buf.as_ptr(), buf.len(), &mut r, &mut e);
            done(rc, e, "new_packed");
            if rc == HSESSION_OK {
                if cx.sends < MAX_SENDS {
                    cx.sends += 1;
                    let mut resp = null_mut();
                    let mut e = null_mut();
                    let rc = hsession_request(cx.s, r, &mut resp, &mut e);
                    done(rc, e, "request(packed builder)");
                    if rc == HSESSION_OK {
                        inspect(resp, Some(4096));
                    }
                }
                hsession_request_free(r);
            }
        }
        PackedMode::Blocking if cx.sends < MAX_SENDS => {
            cx.sends += 1;
            let mut resp = null_mut();
            let mut e = null_mut();
            let rc = hsession_request_packed(cx.s, buf.as_ptr(), buf.len(), &mut resp, &mut e);
            done(rc, e, "request_packed");
            if rc == HSESSION_OK {
                inspect(resp, Some(512));
            }
        }
        PackedMode::Async if cx.sends < MAX_SENDS => {
            cx.sends += 1;
            let mut call = null_mut();
            let mut e = null_mut();
            let rc = hsession_send_packed(
                cx.s,
                buf.as_ptr(),
                buf.len(),
                Some(on_done),
                null_mut(),
                &mut call,
                &mut e,
            );
            done(rc, e, "send_packed");
            if rc == HSESSION_OK {
                STARTED.fetch_add(1, Ordering::SeqCst);
                let mut resp = null_mut();
                let mut e = null_mut();
                let rc = hsession_call_wait(call, &mut resp, &mut e);
                done(rc, e, "wait packed");
                if rc == HSESSION_OK {
                    inspect(resp, None);
                }
                cx.calls.push(call);
            }
        }
        _ => {}
    }
}

/// The path bytes of a file argument, without its NUL.
fn path_bytes(a: &CArg) -> Vec<u8> {
    let p = a.ptr();
    if p.is_null() {
        return Vec::new();
    }
    unsafe { std::ffi::CStr::from_ptr(p).to_bytes().to_vec() }
}

/// The session lives across inputs, as a long-lived session in a program
/// would (building one loads the platform's CA roots, ~100 ms under ASan):
/// its address and whether a fuzzed proxy was set on it.
static KEPT: std::sync::Mutex<Option<(usize, bool)>> = std::sync::Mutex::new(None);

unsafe fn run(input: &Input) {
    let kept = KEPT.lock().unwrap().take();
    let (s, proxy_fuzzed) = match kept {
        Some((p, f)) => (p as *mut hsession, f),
        None => (new_session(), false),
    };
    let mut cx = Ctx {
        s,
        proxy_fuzzed,
        sends: 0,
        calls: Vec::new(),
    };
    for op in input.ops.iter().take(64) {
        let s = cx.s;
        let mut e = null_mut();
        let rc = match op {
            Op::SetHeader(n, v) => hsession_set_header(s, n.arg().ptr(), v.arg().ptr(), &mut e),
            Op::AppendHeader(n, v) => {
                hsession_append_header(s, n.arg().ptr(), v.arg().ptr(), &mut e)
            }
            Op::RemoveHeader(n) => hsession_remove_header(s, n.arg().ptr(), &mut e),
            Op::Basic(u, p) => hsession_set_basic_auth(s, u.arg().ptr(), p.arg().ptr(), &mut e),
            Op::Bearer(t) => hsession_set_bearer_auth(s, t.arg().ptr(), &mut e),
            Op::ClearAuth => hsession_clear_auth(s),
            Op::AddQuery(k, v) => hsession_add_query_param(s, k.arg().ptr(), v.arg().ptr(), &mut e),
            Op::ClearQuery => hsession_clear_query_params(s),
            Op::ConnectTimeout(ms) => hsession_set_connect_timeout_ms(s, *ms),
            Op::ReadTimeout(ms) => hsession_set_read_timeout_ms(s, *ms),
            Op::TotalTimeout(ms) => hsession_set_total_timeout_ms(s, *ms),
            Op::MaxRedirects(n) => hsession_set_max_redirects(s, *n as usize),
            Op::RefuseDowngrade(v) => hsession_set_refuse_downgrade(s, *v),
            Op::Retry(t, c, r, st, f, m, j) => {
                hsession_set_retry(s, *t, *c, *r, *st, *f, *m, *j, &mut e)
            }
            Op::RetryStatuses(list, n) => match list {
                Some(l) => hsession_set_retry_statuses(s, l.as_ptr(), l.len(), &mut e),
                None => hsession_set_retry_statuses(s, null(), *n as usize, &mut e),
            },
            Op::RetryMethods(m) => hsession_set_retry_methods(s, m.arg().ptr(), &mut e),
            Op::RetryFlags(a, b) => hsession_set_retry_flags(s, *a, *b),
            Op::MaxBody(n) => hsession_set_max_body_size(s, *n),
            Op::SetProxy(scheme, p) => {
                let url = match p {
                    Proxy::Local => CArg::text(&format!("http://127.0.0.1:{}", friendly_port())),
                    Proxy::Fuzzed(u) => u.arg(),
                };
                let rc = hsession_set_proxy(s, scheme.arg().ptr(), url.ptr(), &mut e);
                if rc == HSESSION_OK && matches!(p, Proxy::Fuzzed(_)) {
                    cx.proxy_fuzzed = true;
                }
                rc
            }
            Op::NoProxy(l) => hsession_set_no_proxy(s, l.arg().ptr(), &mut e),
            // Never on: the environment's proxies could name any host.
            Op::TrustEnv(v) => hsession_set_trust_env(s, *v & 0, &mut e),
            Op::PoolIdle(ms) => hsession_set_pool_idle_timeout_ms(s, *ms, &mut e),
            Op::PoolMaxIdle(n) => hsession_set_pool_max_idle_per_host(s, *n as usize, &mut e),
            Op::Verify(v) => hsession_set_verify(s, *v, &mut e),
            Op::CaFile(f) => hsession_set_ca_file(s, f.arg("ca.pem").ptr(), &mut e),
            Op::ClientCert(c, k) => {
                hsession_set_client_cert(s, c.arg("cert.pem").ptr(), k.arg("key.pem").ptr(), &mut e)
            }
            Op::MinTls(v) => hsession_set_min_tls_version(s, *v, &mut e),
            Op::CookieSet(u, c) => hsession_cookies_set(s, u.arg().ptr(), c.arg().ptr(), &mut e),
            Op::CookieSetFields(u, n, v, d, p, exp, fl) => hsession_cookies_set_fields(
                s,
                u.arg().ptr(),
                n.arg().ptr(),
                v.arg().ptr(),
                d.arg().ptr(),
                p.arg().ptr(),
                *exp,
                *fl,
                &mut e,
            ),
            Op::CookieDelete(d, p, n) => {
                hsession_cookies_delete(s, d.arg().ptr(), p.arg().ptr(), n.arg().ptr(), &mut e)
            }
            Op::CookieClear => hsession_cookies_clear(s),
            Op::CookieClearDomain(d) => {
                let mut n = 0;
                hsession_cookies_clear_domain(s, d.arg().ptr(), &mut n, &mut e)
            }
            Op::CookieClearSession => {
                let mut n = 0;
                hsession_cookies_clear_session(s, &mut n)
            }
            Op::CookieList | Op::CookiesForUrl(_) => {
                let mut list = null_mut();
                let rc = match op {
                    Op::CookiesForUrl(u) => {
                        hsession_cookies_for_url(s, u.arg().ptr(), &mut list, &mut e)
                    }
                    _ => hsession_cookies_list(s, &mut list, &mut e),
                };
                if rc == HSESSION_OK {
                    let n = hsession_cookie_list_count(list);
                    for i in 0..=n {
                        let (mut a, mut b, mut c, mut d) = (null(), null(), null(), null());
                        let (mut x, mut f) = (0i64, 0u32);
                        check(
                            hsession_cookie_list_at(
                                list, i, &mut a, &mut b, &mut c, &mut d, &mut x, &mut f,
                            ),
                            "list_at",
                        );
                    }
                    let mut idx = 0;
                    check(
                        hsession_cookie_list_find(list, c"fz".as_ptr(), &mut idx),
                        "find",
                    );
                    hsession_cookie_list_free(list);
                }
                rc
            }
            Op::CookieSave(fmt) => {
                let p = CArg::text(scratch().join("saved.jar").to_str().unwrap());
                let mut n = 0;
                hsession_cookies_save(s, p.ptr(), *fmt % 4, &mut n, &mut e)
            }
            Op::CookieLoad(fmt, f) => {
                let mut n = 0;
                hsession_cookies_load(s, f.arg("load.jar").ptr(), *fmt % 4, &mut n, &mut e)
            }
            Op::CookieFile(fmt, f) => {
                let mut n = 0;
                hsession_set_cookie_file(s, f.arg("persist.jar").ptr(), *fmt % 4, &mut n, &mut e)
            }
            Op::BuildOnly(m, u, ops) => {
                let mut r = null_mut();
                let rc = hsession_request_new(m.arg().ptr(), u.arg().ptr(), &mut r, &mut e);
                if rc == HSESSION_OK {
                    let mut tokens = Vec::new();
                    apply_builder(r, ops, &mut tokens);
                    hsession_request_free(r);
                    for t in tokens {
                        hsession_cancel_token_free(t);
                    }
                }
                rc
            }
            Op::PackedRaw(b) => {
                let mut r = null_mut();
                let rc = hsession_request_new_packed(b.as_ptr(), b.len(), &mut r, &mut e);
                hsession_request_free(r);
                rc
            }
            Op::Packed(fields, path, mode) => {
                packed(&mut cx, fields, path, mode);
                HSESSION_OK
            }
            Op::Send(r) => {
                send(&mut cx, r, false);
                HSESSION_OK
            }
            Op::FreeWhileInFlight(r) => {
                send(&mut cx, r, true);
                HSESSION_OK
            }
            Op::ResultStr(code) => {
                let _ = std::ffi::CStr::from_ptr(hsession_result_str(*code));
                HSESSION_OK
            }
            Op::WorkerThreads(n) => hsession_set_worker_threads(*n as usize, &mut e),
        };
        done(rc, e, &format!("{op:?}"));
    }
    *KEPT.lock().unwrap() = Some((cx.s as usize, cx.proxy_fuzzed));
    for c in cx.calls {
        hsession_call_free(c);
    }
    // Every started call's callback runs exactly once, soon.
    let t = Instant::now();
    while CALLBACKS.load(Ordering::SeqCst) < STARTED.load(Ordering::SeqCst) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "a callback never ran"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        CALLBACKS.load(Ordering::SeqCst),
        STARTED.load(Ordering::SeqCst),
        "a callback ran twice"
    );
}

fuzz_target!(|input: Input| unsafe { run(&input) });
