//! A malicious server: the input becomes the bytes a local server answers
//! with (then it closes the connection), fetched through the C ABI by one
//! session kept across inputs (short timeouts, a small body limit).
//!
//! Input: two control bytes, then the payload.
//!   byte 0: bits 0-1 method (GET, HEAD, POST, DELETE), bit 2 read as a
//!           stream, bits 3-4 framing: 0 the payload is the whole response;
//!           1 a head with Content-Length; 2 chunked, split at payload-given
//!           sizes; 3 no length (close-delimited)
//!   byte 1: bits 0-2 Content-Encoding (none, gzip, deflate, br, zstd,
//!           "gzip, br", identity, x-unknown); bits 3-7 pick the status
//! For framings 1-3 the payload is the (compressed or corrupt) body.
#![no_main]

use ::hsession::ffi::request::*;
use ::hsession::ffi::response::*;
use ::hsession::ffi::session::*;
use ::hsession::ffi::*;
use hsession_fuzz::{malicious_port, set_reply};
use libfuzzer_sys::fuzz_target;
use std::ptr::{null, null_mut};
use std::sync::OnceLock;

const ENCODINGS: [&str; 8] = [
    "",
    "gzip",
    "deflate",
    "br",
    "zstd",
    "gzip, br",
    "identity",
    "x-unknown",
];
const STATUSES: [u16; 32] = [
    200, 201, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 404, 413, 429, 500, 502, 503, 999,
    100, 101, 103, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
];

struct Session(*mut hsession);
// SAFETY: an hsession is shared by any number of threads (README).
unsafe impl Send for Session {}
unsafe impl Sync for Session {}

fn session() -> *mut hsession {
    static S: OnceLock<Session> = OnceLock::new();
    S.get_or_init(|| unsafe {
        let mut s = null_mut();
        assert_eq!(hsession_new(&mut s, null_mut()), HSESSION_OK);
        assert_eq!(hsession_set_trust_env(s, 0, null_mut()), HSESSION_OK);
        hsession_set_read_timeout_ms(s, 100);
        hsession_set_total_timeout_ms(s, 400);
        hsession_set_max_body_size(s, 1 << 20);
        hsession_set_max_redirects(s, 3);
        Session(s)
    })
    .0
}

fn reply(data: &[u8]) -> (u8, bool, Vec<u8>) {
    if data.len() < 2 {
        return (0, false, data.to_vec());
    }
    let (c0, c1, payload) = (data[0], data[1], &data[2..]);
    let framing = (c0 >> 3) & 3;
    if framing == 0 {
        return (c0 & 3, c0 & 4 != 0, payload.to_vec());
    }
    let status = STATUSES[(c1 >> 3) as usize];
    let mut out = format!("HTTP/1.1 {status} X\r\nLocation: /next\r\n").into_bytes();
    let enc = ENCODINGS[(c1 & 7) as usize];
    if !enc.is_empty() {
        out.extend_from_slice(format!("Content-Encoding: {enc}\r\n").as_bytes());
    }
    match framing {
        1 => {
            out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", payload.len()).as_bytes());
            out.extend_from_slice(payload);
        }
        2 => {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            // The first byte of each piece is the next chunk's size.
            let mut rest = payload;
            while let Some((&n, tail)) = rest.split_first() {
                let n = (n as usize).min(tail.len());
                out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
                out.extend_from_slice(&tail[..n]);
                out.extend_from_slice(b"\r\n");
                rest = &tail[n..];
                if n == 0 {
                    break;
                }
            }
            out.extend_from_slice(b"0\r\n\r\n");
        }
        _ => {
            out.extend_from_slice(b"Connection: close\r\n\r\n");
            out.extend_from_slice(payload);
        }
    }
    (c0 & 3, c0 & 4 != 0, out)
}

fuzz_target!(|data: &[u8]| {
    let s = session();
    let (method, stream, bytes) = reply(data);
    set_reply(bytes);
    let method = [c"GET", c"HEAD", c"POST", c"DELETE"][method as usize];
    let url = std::ffi::CString::new(format!("http://127.0.0.1:{}/x", malicious_port())).unwrap();
    unsafe {
        let mut r = null_mut();
        assert_eq!(
            hsession_request_new(method.as_ptr(), url.as_ptr(), &mut r, null_mut()),
            HSESSION_OK
        );
        hsession_request_set_body(r, b"body".as_ptr(), 4, null_mut());
        hsession_request_set_stream(r, stream as i32);
        let mut resp = null_mut();
        let mut err = null_mut();
        let rc = hsession_request(s, r, &mut resp, &mut err);
        hsession_request_free(r);
        assert!(
            rc != HSESSION_PANIC && rc <= HSESSION_TOO_MANY_RETRIES,
            "result {rc}"
        );
        if rc != HSESSION_OK {
            assert_eq!(hsession_error_code(err), rc);
            hsession_error_free(err);
            return;
        }
        let n = hsession_response_header_count(resp);
        for i in 0..n {
            let (mut k, mut kl, mut v, mut vl) = (null(), 0, null(), 0);
            assert_eq!(
                hsession_response_header_at(resp, i, &mut k, &mut kl, &mut v, &mut vl),
                HSESSION_OK
            );
        }
        let (mut h, mut hl, mut b, mut bl) = (null(), 0, null(), 0);
        let rc = hsession_response_packed(resp, &mut h, &mut hl, &mut b, &mut bl);
        assert!(rc != HSESSION_PANIC);
        if stream {
            let mut buf = [0u8; 1000];
            for _ in 0..2000 {
                let mut n = 0;
                let mut err = null_mut();
                let rc =
                    hsession_response_read(resp, buf.as_mut_ptr(), buf.len(), &mut n, &mut err);
                assert!(rc != HSESSION_PANIC && rc <= HSESSION_TOO_MANY_RETRIES);
                hsession_error_free(err);
                if rc != HSESSION_OK || n == 0 {
                    break;
                }
            }
        }
        hsession_response_free(resp);
    }
});

use ::hsession::ffi::error::{hsession_error_code, hsession_error_free};
