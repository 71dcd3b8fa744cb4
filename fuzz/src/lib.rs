//! Shared by the fuzz targets: two tiny HTTP servers on 127.0.0.1 (plain
//! threads and sockets, started once per fuzz process) and C-string helpers.
//! Nothing here leaves 127.0.0.1: the targets only send to these servers.

use std::ffi::c_char;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// A NUL-terminated copy of fuzzer bytes (an interior NUL ends the string
/// early, as it would in C); `None` stands for a NULL pointer.
pub struct CArg(Option<Vec<u8>>);

impl CArg {
    pub fn new(bytes: Option<&[u8]>) -> CArg {
        CArg(bytes.map(|b| {
            let mut v = b.to_vec();
            v.push(0);
            v
        }))
    }

    pub fn text(s: &str) -> CArg {
        CArg::new(Some(s.as_bytes()))
    }

    pub fn ptr(&self) -> *const c_char {
        match &self.0 {
            Some(v) => v.as_ptr().cast(),
            None => std::ptr::null(),
        }
    }
}

/// Reads one request head; false when the peer closed or stalled.
fn read_head(s: &mut TcpStream, head: &mut Vec<u8>) -> bool {
    head.clear();
    let mut buf = [0u8; 4096];
    while head.len() < 256 * 1024 {
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return true;
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    false
}

fn spawn_server(serve: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
            let _ = stream.set_write_timeout(Some(Duration::from_secs(3)));
            let _ = stream.set_nodelay(true);
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

// ---- a well-behaved server for the C ABI target ----

/// Port of the server that answers every request sensibly: `/r/N` redirects
/// to `/r/N-1` (relative, so it stays here), `/s/N` answers status N,
/// `/sc?X` sets the cookie `X` (percent-decoded), `/chunked` sends a chunked
/// body, `/gz` a gzip body; anything else 200 with a cookie.
pub fn friendly_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| spawn_server(serve_friendly))
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

// A 2-byte body "ok", gzip-compressed (made with Python's gzip module).
const GZIP_OK: &[u8] = &[
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0xcf, 0x06, 0x00, 0x47, 0xdd,
    0xdc, 0x79, 0x02, 0x00, 0x00, 0x00,
];

fn serve_friendly(mut s: TcpStream) {
    let mut head = Vec::new();
    while read_head(&mut s, &mut head) {
        let end = head.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let text = String::from_utf8_lossy(&head[..end]).into_owned();
        // Drain a Content-Length body; a chunked upload ends the connection.
        let mut close = header_value(&text, "transfer-encoding").is_some();
        if let Some(n) = header_value(&text, "content-length").and_then(|v| v.parse::<usize>().ok())
        {
            let mut left = n.saturating_sub(head.len() - end);
            let mut buf = [0u8; 4096];
            while left > 0 {
                match s.read(&mut buf[..left.min(4096)]) {
                    Ok(0) | Err(_) => return,
                    Ok(k) => left -= k,
                }
            }
        }
        let target = text.split(' ').nth(1).unwrap_or("/");
        // A proxied request carries an absolute URL: answer its path.
        let path = match target.find("://") {
            Some(i) => target[i + 3..]
                .find('/')
                .map_or("/", |j| &target[i + 3 + j..]),
            None => target,
        };
        let mut out: Vec<u8> = Vec::new();
        let head_only = text.starts_with("HEAD ");
        if let Some(n) = path.strip_prefix("/r/") {
            let n: u32 = n.parse().unwrap_or(0);
            if n > 0 {
                out.extend_from_slice(
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: /r/{}\r\nContent-Length: 0\r\n\r\n",
                        n - 1
                    )
                    .as_bytes(),
                );
            }
        } else if let Some(n) = path.strip_prefix("/s/") {
            let code: u16 = n.parse().unwrap_or(200);
            let code = if (200..1000).contains(&code) {
                code
            } else {
                200
            };
            let body = if code == 204 || code == 304 {
                ""
            } else {
                "status"
            };
            out.extend_from_slice(
                format!(
                    "HTTP/1.1 {code} X\r\nRetry-After: 0\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        } else if let Some(q) = path.strip_prefix("/sc?") {
            let cookie = percent_decode(q);
            if !cookie.contains(&b'\r') && !cookie.contains(&b'\n') {
                out.extend_from_slice(b"HTTP/1.1 200 OK\r\nSet-Cookie: ");
                out.extend_from_slice(&cookie);
                out.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\nok");
            }
        } else if path == "/chunked" {
            out.extend_from_slice(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n");
        } else if path == "/gz" {
            out.extend_from_slice(
                b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 22\r\n\r\n",
            );
            out.extend_from_slice(GZIP_OK);
        }
        if out.is_empty() {
            out.extend_from_slice(
                b"HTTP/1.1 200 OK\r\nSet-Cookie: fz=1; Path=/\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
            );
        }
        if head_only {
            // HEAD: the same head, no body (the body is the tail after the blank line).
            if let Some(p) = out.windows(4).position(|w| w == b"\r\n\r\n") {
                out.truncate(p + 4);
            }
        }
        if s.write_all(&out).is_err() {
            return;
        }
        if text.to_ascii_lowercase().contains("\r\nconnection: close") {
            close = true;
        }
        if close {
            let _ = s.shutdown(Shutdown::Both);
            return;
        }
    }
}

// ---- a server that answers with whatever the fuzzer gives it ----

static REPLY: Mutex<Option<Arc<Vec<u8>>>> = Mutex::new(None);

/// Port of the server that answers every request with the bytes last given
/// to `set_reply`, then closes the connection.
pub fn malicious_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| spawn_server(serve_reply))
}

pub fn set_reply(bytes: Vec<u8>) {
    *REPLY.lock().unwrap() = Some(Arc::new(bytes));
}

fn serve_reply(mut s: TcpStream) {
    let mut head = Vec::new();
    if !read_head(&mut s, &mut head) {
        return;
    }
    let reply = REPLY.lock().unwrap().clone().unwrap_or_default();
    let _ = s.write_all(&reply);
    let _ = s.shutdown(Shutdown::Both);
}
