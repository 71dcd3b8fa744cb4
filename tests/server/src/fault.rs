//! A misbehaving HTTP server for fault tests: every connection gets the same
//! scripted, broken answer, written byte by byte as given, which hyper (a
//! correct server) could never send. Plain threads and sockets; it stops
//! when dropped, and every loop in it is bounded.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the server does after reading a request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Content-Length 100, 50 bytes, then close.
    WrongLength,
    /// A chunked body cut off inside a chunk.
    TruncatedChunked,
    /// One header line of 1 MiB.
    HugeHeader,
    /// 10,000 header lines.
    ManyHeaders,
    /// A chunked body that never ends (64 KiB chunks, at most 4 GiB).
    EndlessChunked,
    /// The response head one byte every 700 ms (41 bytes, then the body).
    SlowLoris,
    /// A status line that is not HTTP.
    BadStatusLine,
    /// Reads the request and never answers (until the server is dropped).
    Silent,
    /// Headers and 10 of 1000 body bytes, then a TCP reset.
    ResetMidBody,
    /// These bytes as the whole answer, then close (an empty answer closes
    /// without a byte; a 302 to itself is a redirect loop).
    Raw(&'static [u8]),
    /// A keep-alive 200 for the first request on each connection, then the
    /// connection is closed after this many ms of idling (0: at once).
    CloseIdleAfter(u64),
    /// A keep-alive 200 for the first request on each connection; the next
    /// request on it is read and the connection closed without an answer.
    CloseOnNextRequest,
}

const KEEP_ALIVE_OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

pub struct FaultServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl FaultServer {
    pub fn start(fault: Fault) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let flag = flag.clone();
                        std::thread::spawn(move || serve(stream, fault, &flag));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FaultServer { addr, stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    while head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return true;
        }
    }
    false
}

fn serve(mut s: TcpStream, fault: Fault, stop: &AtomicBool) {
    if !read_head(&mut s) {
        return;
    }
    let _ = match fault {
        Fault::WrongLength => {
            let mut out = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
            out.extend_from_slice(&[b'x'; 50]);
            s.write_all(&out)
        }
        Fault::TruncatedChunked => {
            s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789")
        }
        Fault::HugeHeader => {
            let mut out = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
            out.resize(out.len() + (1 << 20), b'a');
            out.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
            s.write_all(&out)
        }
        Fault::ManyHeaders => {
            let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
            for i in 0..10_000 {
                out.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
            }
            out.extend_from_slice(b"Content-Length: 0\r\n\r\n");
            s.write_all(&out)
        }
        Fault::EndlessChunked => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            let chunk = [b"10000\r\n".as_slice(), &[b'z'; 0x10000], b"\r\n"].concat();
            for _ in 0..65_536 {
                if stop.load(Ordering::Relaxed) || s.write_all(&chunk).is_err() {
                    break;
                }
            }
            Ok(())
        }
        Fault::SlowLoris => {
            for &b in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" {
                if stop.load(Ordering::Relaxed) || s.write_all(&[b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(700));
            }
            Ok(())
        }
        Fault::BadStatusLine => s.write_all(b"HTTP/1.1 abc NOT A STATUS\r\n\r\n"),
        Fault::Silent => {
            for _ in 0..6000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(())
        }
        Fault::ResetMidBody => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
            let _ = s.flush();
            std::thread::sleep(Duration::from_millis(50));
            // A zero linger turns close into a reset.
            let _ = socket_linger_zero(&s);
            Ok(())
        }
        Fault::Raw(bytes) => s.write_all(bytes),
        Fault::CloseIdleAfter(ms) => {
            let _ = s.write_all(KEEP_ALIVE_OK);
            std::thread::sleep(Duration::from_millis(ms));
            s.shutdown(std::net::Shutdown::Both)
        }
        Fault::CloseOnNextRequest => {
            let _ = s.write_all(KEEP_ALIVE_OK);
            read_head(&mut s);
            s.shutdown(std::net::Shutdown::Both)
        }
    };
}

fn socket_linger_zero(s: &TcpStream) -> std::io::Result<()> {
    // std has no SO_LINGER setter; tokio's TcpStream does.
    let std = s.try_clone()?;
    std.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let _guard = rt.enter();
    let t = tokio::net::TcpStream::from_std(std)?;
    #[allow(deprecated)]
    t.set_linger(Some(Duration::ZERO))
}
