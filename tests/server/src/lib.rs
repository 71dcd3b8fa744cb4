//! httpbin-like HTTP/1.1 test server for hsession's tests in every language.
//!
//! Binds 127.0.0.1 only. Runs on its own tokio runtime so it can be started from plain
//! test code or from inside another runtime. Keep-alive is on, and accepted TCP
//! connections are counted so tests can verify client connection pooling.

use std::collections::HashSet;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

mod body;
pub mod fault;
mod handlers;
pub mod http2_fault;
pub mod tls;

pub use fault::{Fault, FaultServer};
pub use http2_fault::{H2Fault, H2Server};
pub use tls::{CertPem, TestCa, TlsOptions};

/// Shared by all connections of one server.
pub(crate) struct State {
    port: u16,
    connections: AtomicU64,
    /// Connections open now, and the most open at once since the last reset.
    open: AtomicU64,
    max_open: AtomicU64,
    requests: AtomicU64,
    /// Never reset, so connection ids stay unique for the server's lifetime.
    next_conn_id: AtomicU64,
    sessions: Mutex<HashSet<String>>,
    token_seq: AtomicU64,
    /// Connections whose next request is dropped unanswered (`/arm-drop`).
    armed: Mutex<HashSet<u64>>,
    /// Requests seen per key by `/flaky/{key}/...`.
    attempts: Mutex<std::collections::HashMap<String, u64>>,
    /// Digest nonces issued by `/digest-auth/...`, each with the highest
    /// nonce count accepted so far (a count must grow).
    digest_nonces: Mutex<std::collections::HashMap<String, u64>>,
}

/// A running test server; dropping it stops the server.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    runtime: Option<Runtime>,
    tls: bool,
}

impl TestServer {
    /// Starts on a free port of 127.0.0.1. Panics if that fails.
    pub fn start() -> TestServer {
        TestServer::start_on(0).expect("hsession-testserver: failed to start")
    }

    /// Starts on 127.0.0.1:`port` (0 = a free port).
    pub fn start_on(port: u16) -> io::Result<TestServer> {
        TestServer::start_with(port, None)
    }

    /// Starts an HTTPS server on a free port of 127.0.0.1 (HTTP/1.1 over
    /// TLS, same endpoints). Panics if that fails.
    pub fn start_tls(opts: &TlsOptions) -> TestServer {
        TestServer::start_with(0, Some(opts)).expect("hsession-testserver: failed to start TLS")
    }

    /// Starts on 127.0.0.1:`port` (0 = a free port), with TLS when `tls` is set.
    pub fn start_with(port: u16, tls: Option<&TlsOptions>) -> io::Result<TestServer> {
        let acceptor = match tls {
            Some(opts) => Some(tokio_rustls::TlsAcceptor::from(tls::server_config(opts)?)),
            None => None,
        };
        // Build the runtime and register the listener on a fresh thread: this never
        // touches the caller's runtime context, whatever it is.
        let (runtime, listener) = std::thread::Builder::new()
            .name("hsession-testserver-init".into())
            .spawn(move || -> io::Result<(Runtime, TcpListener)> {
                let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
                std_listener.set_nonblocking(true)?;
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("hsession-testserver")
                    .enable_all()
                    .build()?;
                let listener = {
                    let _guard = runtime.enter();
                    TcpListener::from_std(std_listener)?
                };
                Ok((runtime, listener))
            })?
            .join()
            .map_err(|_| io::Error::other("hsession-testserver: init thread panicked"))??;

        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            port: addr.port(),
            connections: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            next_conn_id: AtomicU64::new(0),
            open: AtomicU64::new(0),
            max_open: AtomicU64::new(0),
            sessions: Mutex::new(HashSet::new()),
            token_seq: AtomicU64::new(0),
            armed: Mutex::new(HashSet::new()),
            attempts: Mutex::new(std::collections::HashMap::new()),
            digest_nonces: Mutex::new(std::collections::HashMap::new()),
        });
        let tls = acceptor.is_some();
        runtime.spawn(accept_loop(listener, state.clone(), acceptor));
        Ok(TestServer {
            addr,
            state,
            runtime: Some(runtime),
            tls,
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` + `path` (which should start with '/');
    /// `https://` for a TLS server.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{}", self.addr, path)
    }

    /// The most TCP connections open at once since start or the last reset.
    pub fn max_open_connections(&self) -> u64 {
        self.state.max_open.load(Ordering::SeqCst)
    }

    /// TCP connections accepted since start or the last reset.
    pub fn connections_accepted(&self) -> u64 {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Requests received since start or the last reset.
    pub fn requests_served(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }

    pub fn reset_counters(&self) {
        self.state.reset_counters();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Background shutdown never blocks, so it is safe even inside an async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl State {
    /// Returns (connections, requests) as they were before the reset.
    fn reset_counters(&self) -> (u64, u64) {
        self.max_open
            .store(self.open.load(Ordering::SeqCst), Ordering::SeqCst);
        (
            self.connections.swap(0, Ordering::SeqCst),
            self.requests.swap(0, Ordering::SeqCst),
        )
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // E.g. EMFILE: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        state.connections.fetch_add(1, Ordering::SeqCst);
        let open = state.open.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_open.fetch_max(open, Ordering::SeqCst);
        let conn_id = state.next_conn_id.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let tls = tls.clone();
        let state_of_conn = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handlers::handle(req, state.clone(), conn_id));
            // Errors here are client disconnects or the deliberate aborts of
            // /close-mid-body and /close-no-response; nothing to do about them.
            let mut http = http1::Builder::new();
            http.keep_alive(true);
            match tls {
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
                Some(acceptor) => {
                    // A failed handshake (unknown CA, no client certificate,
                    // no common version) just ends the connection.
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            }
            state_of_conn.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}
