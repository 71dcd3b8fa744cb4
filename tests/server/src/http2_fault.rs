//! An HTTP/2 server over TLS (ALPN h2) that misbehaves on purpose, built
//! on the h2 crate so that it can do at will what a server does only under
//! load or when broken: refuse a stream unprocessed, go away after a few
//! streams, reset a stream, stall a body, advertise tiny limits, stop
//! reading. Every fault is bounded in bytes (at most 64 KiB of body per
//! stream) and holds streams open only until the server is dropped.
//! Binds 127.0.0.1; stops when dropped.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

use crate::tls::{server_config, TlsOptions};

/// What the server does with the streams of each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H2Fault {
    /// The first stream of each connection is reset with REFUSED_STREAM
    /// (never processed); the others get 200 "ok".
    RefuseFirstStream,
    /// Answers this many streams of each connection with 200 "ok", then
    /// shuts the connection down gracefully: GOAWAY (NO_ERROR), a PING,
    /// then the final GOAWAY whose last-stream-id is the last stream it
    /// received; it answers those streams too, then closes. Streams the
    /// client opened above that id were not processed.
    GoawayAfter(u64),
    /// RST_STREAM INTERNAL_ERROR instead of a response (the request may
    /// have been processed).
    ResetBeforeHeaders,
    /// 200 headers (Content-Length 1000), 50 ms, then RST_STREAM
    /// INTERNAL_ERROR.
    ResetAfterHeaders,
    /// 200 headers (Content-Length 1000), 10 bytes, 50 ms, then
    /// RST_STREAM INTERNAL_ERROR.
    ResetMidBody,
    /// 200 headers (Content-Length 1 MiB) and the first 65,535 bytes (one
    /// default flow-control window), then nothing: the stream stays open
    /// and no more DATA comes.
    StallBody,
    /// SETTINGS_MAX_CONCURRENT_STREAMS 1 and SETTINGS_INITIAL_WINDOW_SIZE
    /// 16: the request body reaches the server 16 bytes a window update;
    /// each stream is answered 200 with the body's length in bytes.
    TinyWindowOneStream,
    /// SETTINGS_MAX_HEADER_LIST_SIZE 1024; streams answered 200 "ok".
    MaxHeaderList1k,
    /// Accepts each stream and never reads its body nor answers: the
    /// client's flow-control window (65,535 bytes) is never given back.
    NeverReads,
}

pub struct H2Server {
    addr: SocketAddr,
    counts: Arc<Counts>,
    runtime: Option<Runtime>,
}

/// What the server did, over all its connections.
#[derive(Default)]
struct Counts {
    answered: AtomicU64,
    refused: AtomicU64,
    body_bytes: AtomicU64,
}

impl H2Server {
    pub fn start(fault: H2Fault, opts: &TlsOptions) -> io::Result<H2Server> {
        let mut config = (*server_config(opts)?).clone();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hsession-h2-testserver")
            .enable_all()
            .build()?;
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let counts = Arc::new(Counts::default());
        let c = counts.clone();
        runtime.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let (acceptor, c) = (acceptor.clone(), c.clone());
                tokio::spawn(async move {
                    let _ = serve(acceptor, tcp, fault, c).await;
                });
            }
        });
        Ok(H2Server {
            addr,
            counts,
            runtime: Some(runtime),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://{}{}", self.addr, path)
    }

    /// Streams answered with a response.
    pub fn answered(&self) -> u64 {
        self.counts.answered.load(Ordering::SeqCst)
    }

    /// Streams refused unprocessed.
    pub fn refused(&self) -> u64 {
        self.counts.refused.load(Ordering::SeqCst)
    }

    /// Bytes of request bodies read (`TinyWindowOneStream` reads them).
    pub fn body_bytes(&self) -> u64 {
        self.counts.body_bytes.load(Ordering::SeqCst)
    }
}

impl Drop for H2Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn serve(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: tokio::net::TcpStream,
    fault: H2Fault,
    counts: Arc<Counts>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let tls = acceptor.accept(tcp).await?;
    let mut builder = h2::server::Builder::new();
    match fault {
        H2Fault::TinyWindowOneStream => {
            builder.max_concurrent_streams(1).initial_window_size(16);
        }
        H2Fault::MaxHeaderList1k => {
            builder.max_header_list_size(1024);
        }
        _ => {}
    }
    let mut conn = builder.handshake(tls).await?;
    let mut streams = 0u64;
    while let Some(stream) = conn.accept().await {
        let (request, mut respond) = stream?;
        streams += 1;
        match fault {
            H2Fault::GoawayAfter(n) => {
                ok(&mut respond, &counts)?;
                if streams == n {
                    conn.graceful_shutdown();
                }
            }
            H2Fault::ResetBeforeHeaders => {
                let _held = request;
                respond.send_reset(h2::Reason::INTERNAL_ERROR);
            }
            H2Fault::ResetAfterHeaders | H2Fault::ResetMidBody => {
                let head = hyper::Response::builder()
                    .status(200)
                    .header("content-length", "1000")
                    .body(())?;
                let mut body = respond.send_response(head, false)?;
                tokio::spawn(async move {
                    if fault == H2Fault::ResetMidBody {
                        let _ = body.send_data(Bytes::from_static(b"0123456789"), false);
                    }
                    // A reset drops the frames still queued: let them go out.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    body.send_reset(h2::Reason::INTERNAL_ERROR);
                });
            }
            H2Fault::StallBody => {
                let head = hyper::Response::builder()
                    .status(200)
                    .header("content-length", (1u32 << 20).to_string())
                    .body(())?;
                let mut body = respond.send_response(head, false)?;
                body.send_data(Bytes::from(vec![b'x'; 65_535]), false)?;
                // Held open, silent, until the server is dropped.
                tokio::spawn(async move {
                    let _held = (body, request);
                    std::future::pending::<()>().await;
                });
            }
            H2Fault::TinyWindowOneStream => {
                let counts = counts.clone();
                tokio::spawn(async move {
                    let mut req_body = request.into_body();
                    let mut len = 0usize;
                    while let Some(chunk) = req_body.data().await {
                        let Ok(chunk) = chunk else { return };
                        len += chunk.len();
                        counts
                            .body_bytes
                            .fetch_add(chunk.len() as u64, Ordering::SeqCst);
                        let _ = req_body.flow_control().release_capacity(chunk.len());
                    }
                    let Ok(head) = hyper::Response::builder().status(200).body(()) else {
                        return;
                    };
                    if let Ok(mut body) = respond.send_response(head, false) {
                        if body.send_data(Bytes::from(len.to_string()), true).is_ok() {
                            counts.answered.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                });
            }
            H2Fault::MaxHeaderList1k => ok(&mut respond, &counts)?,
            H2Fault::NeverReads => {
                tokio::spawn(async move {
                    let _held = (request, respond);
                    std::future::pending::<()>().await;
                });
            }
            H2Fault::RefuseFirstStream if streams == 1 => {
                respond.send_reset(h2::Reason::REFUSED_STREAM);
                counts.refused.fetch_add(1, Ordering::SeqCst);
            }
            H2Fault::RefuseFirstStream => ok(&mut respond, &counts)?,
        }
    }
    Ok(())
}

/// Answers 200 "ok" and counts it.
fn ok(
    respond: &mut h2::server::SendResponse<Bytes>,
    counts: &Counts,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let head = hyper::Response::builder().status(200).body(())?;
    let mut body = respond.send_response(head, false)?;
    body.send_data(Bytes::from_static(b"ok"), true)?;
    counts.answered.fetch_add(1, Ordering::SeqCst);
    Ok(())
}
