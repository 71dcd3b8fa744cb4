//! A tower layer around reqwest's connector: it enforces the connect timeout
//! (per request, which reqwest cannot do) and counts the TCP connections
//! actually opened, so pool reuse is measured rather than guessed.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Counters shared by a session and every client it builds.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub connections: AtomicU64,
    /// The session's connect timeout in ms (0 = none), for connects that run
    /// outside a request's task (hyper finishes those in the background).
    pub default_connect_ms: AtomicU64,
    /// Per connection: when it was last used, its TLS suite (src/timings.rs).
    pub conns: crate::timings::ConnTable,
}

/// What a request's task tells the connector, and what the connector tells
/// the request's read-idle timer: when its own connect started and ended.
#[derive(Debug)]
pub(crate) struct ConnectProbe {
    pub connect_timeout: Option<Duration>,
    pub times: Mutex<(Option<Instant>, Option<Instant>)>,
    /// Local addresses of the connections this request's connects opened:
    /// a failure on one of them was not on a stale pooled connection.
    pub opened: Mutex<Vec<std::net::SocketAddr>>,
    /// What the resolver and the TLS hooks saw of the latest connect
    /// (src/timings.rs); written only while connecting.
    pub phases: Mutex<crate::timings::ConnectPhases>,
}

impl ConnectProbe {
    pub fn new(connect_timeout: Option<Duration>) -> ConnectProbe {
        ConnectProbe {
            connect_timeout,
            times: Mutex::new((None, None)),
            opened: Mutex::new(Vec::new()),
            phases: Mutex::new(Default::default()),
        }
    }

    /// How many connections the request has opened so far: a mark taken
    /// before one send, for `opened_since`.
    pub fn opened_count(&self) -> usize {
        self.opened.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether `addr` is a connection opened after `mark`, that is by this
    /// send rather than by an earlier hop of the same request (whose
    /// connection went back to the pool and may have died there since).
    pub fn opened_since(&self, mark: usize, addr: std::net::SocketAddr) -> bool {
        let opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        opened.get(mark..).is_some_and(|new| new.contains(&addr))
    }
}

/// The local address of a new connection, its identity in errors.
fn local_addr(
    conn: &impl hyper_util::client::legacy::connect::Connection,
) -> Option<std::net::SocketAddr> {
    let mut extras = http::Extensions::new();
    conn.connected().get_extras(&mut extras);
    extras
        .get::<hyper_util::client::legacy::connect::HttpInfo>()
        .map(|i| i.local_addr())
}

/// A connect's outcome (trace when made, debug when it failed); the
/// request's own line says which host it was for.
fn log_connect<C: hyper_util::client::legacy::connect::Connection>(
    result: &Result<C, BoxError>,
    began: Instant,
) {
    use crate::logging::{hlog, Level, Ms};
    match result {
        Ok(conn) => {
            let mut extras = http::Extensions::new();
            conn.connected().get_extras(&mut extras);
            if let Some(info) = extras.get::<hyper_util::client::legacy::connect::HttpInfo>() {
                hlog!(
                    Level::Trace,
                    "connected remote={} local={} connect_ms={}",
                    info.remote_addr(),
                    info.local_addr(),
                    Ms(began.elapsed())
                );
            }
        }
        Err(e) if e.is::<NotNeeded>() => {
            hlog!(
                Level::Trace,
                "connect abandoned: a pooled connection served the request"
            )
        }
        Err(e) => {
            let mut error = e.to_string();
            let mut source = e.source();
            while let Some(cause) = source {
                error = format!("{error}: {cause}");
                source = cause.source();
            }
            hlog!(
                Level::Debug,
                "connect failed error={error:?} connect_ms={}",
                Ms(began.elapsed())
            )
        }
    }
}

tokio::task_local! {
    pub(crate) static PROBE: Arc<ConnectProbe>;
}

/// The connect did not finish within its timeout.
#[derive(Debug)]
pub struct ConnectTimeoutError(pub Duration);

impl std::fmt::Display for ConnectTimeoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no connection within {} ms", self.0.as_millis())
    }
}

impl std::error::Error for ConnectTimeoutError {}

/// Turns a new connect gives pool returns before it starts (see `call`).
const GRACE_YIELDS: usize = 8;

/// A connect abandoned before it began because the pool served the request.
#[derive(Debug)]
struct NotNeeded;

impl std::fmt::Display for NotNeeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connect not needed: a pooled connection served the request")
    }
}

impl std::error::Error for NotNeeded {}

#[derive(Clone)]
pub(crate) struct CountingLayer {
    pub counters: Arc<Counters>,
    /// Under a cap on connections per host: a connect its request stopped
    /// waiting for is abandoned whenever it is next polled, not only during
    /// the grace turns, so no connection beyond the cap reaches the pool.
    pub strict: bool,
}

impl<S> tower_layer::Layer<S> for CountingLayer {
    type Service = Counting<S>;
    fn layer(&self, inner: S) -> Counting<S> {
        Counting {
            inner,
            counters: self.counters.clone(),
            strict: self.strict,
        }
    }
}

#[derive(Clone)]
pub(crate) struct Counting<S> {
    inner: S,
    counters: Arc<Counters>,
    strict: bool,
}

impl<S, R> tower_service::Service<R> for Counting<S>
where
    S: tower_service::Service<R>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    S::Response: hyper_util::client::legacy::connect::Connection + Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let probe = PROBE.try_with(Arc::clone).ok();
        let timeout = match &probe {
            Some(p) => p.connect_timeout,
            None => match self.counters.default_connect_ms.load(Ordering::Relaxed) {
                0 => None,
                ms => Some(Duration::from_millis(ms)),
            },
        };
        if let Some(p) = &probe {
            *p.times.lock().unwrap_or_else(|e| e.into_inner()) = (Some(Instant::now()), None);
            *p.phases.lock().unwrap_or_else(|e| e.into_inner()) = Default::default();
        }
        let connecting = self.inner.call(req);
        let counters = self.counters.clone();
        let began = crate::logging::enabled(crate::logging::Level::Debug).then(Instant::now);
        let strict = self.strict;
        Box::pin(async move {
            if let Some(p) = &probe {
                // hyper races this connect against the pool. A connection
                // about to come back to the pool (its return runs as a task
                // of its own) would make this one surplus, and hyper would
                // finish it in the background anyway. So give those tasks a
                // few turns first; if the pool won meanwhile, this future now
                // runs outside the request's task and connects nothing.
                for _ in 0..GRACE_YIELDS {
                    tokio::task::yield_now().await;
                    if !PROBE.try_with(|now| Arc::ptr_eq(now, p)).unwrap_or(false) {
                        return Err(Box::new(NotNeeded) as BoxError);
                    }
                }
            }
            let connecting = async {
                let Some(p) = probe.as_ref().filter(|_| strict) else {
                    return connecting.await.map_err(Into::<BoxError>::into);
                };
                let mut connecting = std::pin::pin!(connecting);
                std::future::poll_fn(|cx| {
                    if !PROBE.try_with(|now| Arc::ptr_eq(now, p)).unwrap_or(false) {
                        return Poll::Ready(Err(Box::new(NotNeeded).into()));
                    }
                    connecting.as_mut().poll(cx).map_err(Into::<BoxError>::into)
                })
                .await
            };
            let result = match timeout {
                Some(limit) => match tokio::time::timeout(limit, connecting).await {
                    Ok(r) => r,
                    Err(_) => Err(Box::new(ConnectTimeoutError(limit)) as BoxError),
                },
                None => connecting.await,
            };
            if result.is_ok() {
                counters.connections.fetch_add(1, Ordering::Relaxed);
            }
            if let Some(began) = began {
                log_connect(&result, began);
            }
            if let Some(p) = probe {
                p.times.lock().unwrap_or_else(|e| e.into_inner()).1 = Some(Instant::now());
                if let Some(addr) = result.as_ref().ok().and_then(local_addr) {
                    p.opened
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(addr);
                }
            }
            result
        })
    }
}
