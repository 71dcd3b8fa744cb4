//! `Session`: one pooled client, one cookie jar, the session's defaults and
//! counters, shared by any number of threads.
//!
//! Defaults and transport live behind `RwLock<Arc<_>>`: a request takes a
//! snapshot (two Arc clones) when it starts, so a setter applies to requests
//! started after it returns and never waits for requests in flight.

use crate::body::BodySpec;
use crate::call::Call;
use crate::cancel::Cancels;
use crate::config::{self, Defaults, Timeouts, TransportConfig};
use crate::connector::{ConnectProbe, Counters, CountingLayer, PROBE};
use crate::cookies::Jar;
use crate::error::{self, Error, ErrorKind, Result};
use crate::queue::CompletionQueue;
use crate::redirect;
use crate::request::{AuthOverride, Request};
use crate::response::{self, Response};
use crate::retry::{self, RetryPolicy};
use crate::runtime;
use crate::stream::{self, BodyStream, Limits};
use bytes::Bytes;
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, COOKIE, LOCATION,
    RETRY_AFTER, SET_COOKIE,
};
use reqwest::Method;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Pools kept for per-request TLS/proxy settings besides the session's own.
const MAX_VARIANT_POOLS: usize = 8;

/// A persistent HTTP session. Cloning it is cheap and shares everything.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    defaults: RwLock<Arc<Defaults>>,
    transport: RwLock<Arc<Transport>>,
    /// Pools for requests whose TLS or proxy settings differ from the
    /// session's (per-request `verify`, CA, client certificate, proxies),
    /// most recently used first, at most [`MAX_VARIANT_POOLS`]. Keyed by the
    /// whole transport config, so each combination has its own connections.
    variants: Mutex<Vec<Arc<Transport>>>,
    jar: Arc<Jar>,
    counters: Arc<Counters>,
    /// Cancelled when the last handle to the session goes: non-blocking
    /// requests still in flight then end with `ErrorKind::Cancelled`.
    closing: CancellationToken,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.closing.cancel();
        let variants = self.variants.get_mut().unwrap_or_else(|e| e.into_inner());
        for old in std::mem::take(variants) {
            forget_if_forked(old);
        }
    }
}

struct Transport {
    config: TransportConfig,
    client: Client,
    /// The process generation whose runtime the pool's connections live on.
    generation: usize,
}

/// A pool and the proxy route it was built with.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    route: Option<Arc<crate::proxy::ProxyRoute>>,
}

/// A request merged with the session's defaults, ready for the wire.
struct Prepared {
    client: Client,
    jar: Arc<Jar>,
    counters: Arc<Counters>,
    method: Method,
    url: url::Url,
    headers: HeaderMap,
    body: Option<BodySpec>,
    timeouts: Timeouts,
    max_redirects: usize,
    refuse_downgrade: bool,
    max_body: Option<u64>,
    /// A streamed body is bounded only by the request's own limit: the
    /// session's limit is there to bound memory, which streaming does anyway.
    stream_max_body: Option<u64>,
    stream: bool,
    cancels: Cancels,
    cookies: Vec<(String, String)>,
    retry: Arc<RetryPolicy>,
    start: Instant,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("requests_sent", &self.requests_sent())
            .field("connections_opened", &self.connections_opened())
            .finish_non_exhaustive()
    }
}

fn read<T>(lock: &RwLock<Arc<T>>) -> Arc<T> {
    lock.read().unwrap_or_else(|e| e.into_inner()).clone()
}

impl Session {
    /// A session with the documented defaults. Starts the global runtime if
    /// it is not running yet.
    pub fn new() -> Result<Session> {
        runtime::get()?;
        let jar = Arc::new(Jar::default());
        let counters = Arc::new(Counters::default());
        let defaults = Defaults::default();
        store_connect_default(&counters, defaults.timeouts.connect);
        let config = TransportConfig::default();
        let client = build_client(&config, &counters)?;
        Ok(Session {
            inner: Arc::new(Inner {
                defaults: RwLock::new(Arc::new(defaults)),
                transport: RwLock::new(Arc::new(Transport {
                    config,
                    client,
                    generation: runtime::generation(),
                })),
                variants: Mutex::new(Vec::new()),
                jar,
                counters,
                closing: CancellationToken::new(),
            }),
        })
    }

    fn update_defaults(&self, change: impl FnOnce(&mut Defaults)) {
        let mut guard = self
            .inner
            .defaults
            .write()
            .unwrap_or_else(|e| e.into_inner());
        change(Arc::make_mut(&mut guard));
    }

    /// Sets a session header, replacing every value it had.
    pub fn set_header(&self, name: &str, value: &str) -> Result<()> {
        let name_v = config::header_name(name)?;
        let value = config::header_value(name, value)?;
        self.update_defaults(|d| {
            d.headers.insert(name_v, value);
        });
        Ok(())
    }

    /// Adds a value to a session header, keeping the values it had.
    pub fn append_header(&self, name: &str, value: &str) -> Result<()> {
        let name_v = config::header_name(name)?;
        let value = config::header_value(name, value)?;
        self.update_defaults(|d| {
            d.headers.append(name_v, value);
        });
        Ok(())
    }

    /// Removes a session header (all its values); Ok whether or not it was set.
    pub fn remove_header(&self, name: &str) -> Result<()> {
        let name = config::header_name(name)?;
        self.update_defaults(|d| {
            d.headers.remove(&name);
        });
        Ok(())
    }

    /// The session headers' current values of `name`.
    pub fn header(&self, name: &str) -> Vec<HeaderValue> {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            return Vec::new();
        };
        read(&self.inner.defaults)
            .headers
            .get_all(name)
            .iter()
            .cloned()
            .collect()
    }

    pub fn set_basic_auth(&self, user: &str, password: &str) -> Result<()> {
        let value = config::basic_auth(user, password)?;
        self.update_defaults(|d| d.auth = Some(value));
        Ok(())
    }

    pub fn set_bearer_auth(&self, token: &str) -> Result<()> {
        let value = config::bearer_auth(token)?;
        self.update_defaults(|d| d.auth = Some(value));
        Ok(())
    }

    pub fn clear_auth(&self) {
        self.update_defaults(|d| d.auth = None);
    }

    /// Adds a query parameter sent with every request.
    pub fn add_query_param(&self, key: &str, value: &str) {
        let pair = (key.to_owned(), value.to_owned());
        self.update_defaults(|d| d.query.push(pair));
    }

    pub fn clear_query_params(&self) {
        self.update_defaults(|d| d.query.clear());
    }

    pub fn timeouts(&self) -> Timeouts {
        read(&self.inner.defaults).timeouts
    }

    /// Sets all three default timeouts; `None` in a field means no limit.
    pub fn set_timeouts(&self, timeouts: Timeouts) {
        self.update_defaults(|d| d.timeouts = timeouts);
        store_connect_default(&self.inner.counters, timeouts.connect);
    }

    pub fn set_connect_timeout(&self, t: Option<Duration>) {
        self.set_timeouts(Timeouts {
            connect: t,
            ..self.timeouts()
        });
    }

    pub fn set_read_timeout(&self, t: Option<Duration>) {
        self.set_timeouts(Timeouts {
            read: t,
            ..self.timeouts()
        });
    }

    pub fn set_total_timeout(&self, t: Option<Duration>) {
        self.set_timeouts(Timeouts {
            total: t,
            ..self.timeouts()
        });
    }

    /// The retry policy for requests started from now on (default: none).
    pub fn set_retry(&self, policy: RetryPolicy) {
        let policy = Arc::new(policy);
        self.update_defaults(|d| d.retry = policy);
    }

    /// Changes the retry policy in place, atomically with other setters.
    pub fn update_retry(&self, change: impl FnOnce(&mut RetryPolicy)) {
        self.update_defaults(|d| change(Arc::make_mut(&mut d.retry)));
    }

    pub fn retry(&self) -> RetryPolicy {
        (*read(&self.inner.defaults).retry).clone()
    }

    /// Redirects a request follows at most (default 30); 0 does not follow.
    pub fn set_max_redirects(&self, n: usize) {
        self.update_defaults(|d| d.max_redirects = n);
    }

    /// With `true`, a redirect from https to http fails with
    /// `ErrorKind::UnsupportedScheme` instead of being followed.
    pub fn set_refuse_downgrade(&self, on: bool) {
        self.update_defaults(|d| d.refuse_downgrade = on);
    }

    pub fn max_redirects(&self) -> usize {
        read(&self.inner.defaults).max_redirects
    }

    /// The largest decoded response body accepted, in bytes (`None`: no
    /// limit; default [`config::DEFAULT_MAX_BODY_SIZE`]). A larger body fails
    /// with `ErrorKind::BodyTooLarge`. It bounds memory, so it applies to
    /// bodies read whole; a streamed body is bounded only by its request's
    /// own [`Request::max_body_size`].
    pub fn set_max_body_size(&self, limit: Option<u64>) {
        self.update_defaults(|d| d.max_body_size = limit);
    }

    pub fn max_body_size(&self) -> Option<u64> {
        read(&self.inner.defaults).max_body_size
    }

    pub fn transport_config(&self) -> TransportConfig {
        read(&self.inner.transport).config.clone()
    }

    /// Replaces the transport settings. This builds a new connection pool;
    /// requests in flight finish on the old one. The jar and counters stay.
    pub fn set_transport_config(&self, config: TransportConfig) -> Result<()> {
        self.update_transport(|c| *c = config)
    }

    /// Changes the transport settings in place, under the lock, so setters
    /// racing on other fields never undo each other; builds a new pool only
    /// if something changed.
    pub fn update_transport(&self, change: impl FnOnce(&mut TransportConfig)) -> Result<()> {
        let mut guard = self
            .inner
            .transport
            .write()
            .unwrap_or_else(|e| e.into_inner());
        let mut config = guard.config.clone();
        change(&mut config);
        if guard.config == config {
            return Ok(());
        }
        self.install(&mut guard, config)
    }

    /// Builds a pool for `config` and puts it in place of the current one.
    fn install(&self, slot: &mut Arc<Transport>, config: TransportConfig) -> Result<()> {
        let client = build_client(&config, &self.inner.counters)?;
        let fresh = Arc::new(Transport {
            config,
            client,
            generation: runtime::generation(),
        });
        forget_if_forked(std::mem::replace(slot, fresh));
        Ok(())
    }

    /// The proxy for `scheme` ("http", "https" or "all"); `None` removes it.
    pub fn set_proxy(&self, scheme: &str, url: Option<&str>) -> Result<()> {
        if let Some(url) = url {
            crate::proxy::check_proxy_url(url)?;
        }
        if !matches!(scheme, "http" | "https" | "all") {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("proxy scheme {scheme:?}: use \"http\", \"https\" or \"all\""),
            ));
        }
        let url = url.map(str::to_owned);
        self.update_transport(|c| match scheme {
            "http" => c.proxy.http = url,
            "https" => c.proxy.https = url,
            _ => c.proxy.all = url,
        })
    }

    /// Hosts that bypass the proxies (replacing NO_PROXY); `None` removes the list.
    pub fn set_no_proxy(&self, list: Option<&str>) -> Result<()> {
        if let Some(list) = list {
            crate::proxy::check_no_proxy(list)?;
        }
        let list = list.map(str::to_owned);
        self.update_transport(|c| c.proxy.no_proxy = list)
    }

    /// HTTP/2 keep-alive pings every `interval` on each pooled HTTP/2
    /// connection, idle or not; one unanswered within `timeout` closes the
    /// connection, so a dead one is found in seconds rather than by a
    /// request's timeout. `None` (the default) sends no pings.
    pub fn set_http2_keep_alive(&self, ping: Option<(Duration, Duration)>) -> Result<()> {
        if ping.is_some_and(|(interval, timeout)| interval.is_zero() || timeout.is_zero()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "HTTP/2 keep-alive: the interval and the timeout must be above 0",
            ));
        }
        self.update_transport(|c| c.http2_keep_alive = ping)
    }

    /// Whether the environment's proxy variables are used (default true).
    pub fn set_trust_env(&self, on: bool) -> Result<()> {
        self.update_transport(|c| c.proxy.trust_env = on)
    }

    /// The pooled client; in a child process after fork() a new one, since
    /// the parent's connections belong to a runtime that is not there.
    fn client(&self) -> Result<Client> {
        let transport = read(&self.inner.transport);
        if transport.generation == runtime::generation() {
            return Ok(transport.client.clone());
        }
        drop(transport);
        let mut guard = self
            .inner
            .transport
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if guard.generation != runtime::generation() {
            let config = guard.config.clone();
            self.install(&mut guard, config)?;
        }
        Ok(guard.client.clone())
    }

    /// The pool for a request with its own TLS or proxy settings: the
    /// session's own when they come to the same, else one kept for that
    /// combination (built on first use; the least recently used goes when
    /// there are too many). Cookies, headers and counters are the session's
    /// whichever pool carries the request.
    fn client_for(&self, change: &crate::config::TransportOverride) -> Result<Client> {
        let current = read(&self.inner.transport);
        let config = change.apply(&current.config);
        if config == current.config {
            drop(current);
            return self.client();
        }
        drop(current);
        let generation = runtime::generation();
        let mut variants = self
            .inner
            .variants
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if variants.iter().any(|t| t.generation != generation) {
            // After fork(): the parent's pools are not usable here.
            for old in std::mem::take(&mut *variants) {
                forget_if_forked(old);
            }
        }
        if let Some(i) = variants.iter().position(|t| t.config == config) {
            let hit = variants.remove(i);
            let client = hit.client.clone();
            variants.insert(0, hit);
            return Ok(client);
        }
        let client = build_client(&config, &self.inner.counters)?;
        variants.insert(
            0,
            Arc::new(Transport {
                config,
                client: client.clone(),
                generation,
            }),
        );
        variants.truncate(MAX_VARIANT_POOLS);
        Ok(client)
    }

    /// The cookie jar shared by every request of this session.
    pub fn jar(&self) -> &Jar {
        &self.inner.jar
    }

    /// HTTP requests this session has sent; each redirect hop counts.
    pub fn requests_sent(&self) -> u64 {
        self.inner.counters.requests.load(Ordering::Relaxed)
    }

    /// TCP connections this session's pool has opened.
    pub fn connections_opened(&self) -> u64 {
        self.inner.counters.connections.load(Ordering::Relaxed)
    }

    /// Sends `req` and waits for the whole response, body included, on the
    /// calling thread. Must not be called from inside an async runtime.
    pub fn send(&self, req: &Request) -> Result<Response> {
        let prepared = self.prepare(req)?;
        runtime::block_on_task(execute(prepared))
    }

    /// Starts `req` and returns at once. The request runs on the runtime;
    /// `on_done`, if given, is called once when it has finished (whatever the
    /// outcome) on the callback thread ([`runtime::CALLBACK_THREAD`]).
    pub fn start(
        &self,
        req: &Request,
        on_done: Option<Box<dyn FnOnce(Call) + Send>>,
    ) -> Result<Call> {
        self.start_then(req, move |finished| {
            if let Some(on_done) = on_done {
                runtime::dispatch(Box::new(move || on_done(finished)));
            }
        })
    }

    /// Starts `req` like [`Session::start`]; when it has finished, `tag` is
    /// pushed into `queue` (once, whatever the outcome) and the result waits
    /// in the returned [`Call`].
    pub fn start_queued(&self, req: &Request, queue: &CompletionQueue, tag: u64) -> Result<Call> {
        let queue = queue.clone();
        self.start_then(req, move |_| queue.push(tag))
    }

    /// Spawns `req`; `then` runs on the runtime thread once the result is in
    /// the call, so it must not block.
    fn start_then(&self, req: &Request, then: impl FnOnce(Call) + Send + 'static) -> Result<Call> {
        let mut prepared = self.prepare(req)?;
        let token = self.inner.closing.child_token();
        prepared.cancels.call = Some(token.clone());
        let call = Call::new(token);
        let finished = call.clone();
        runtime::get()?.spawn(async move {
            let result = execute(prepared).await;
            finished.finish(result);
            then(finished);
        });
        Ok(call)
    }

    /// Merges the request with the session's defaults. Runs on the caller's
    /// thread, so the runtime's few workers only do I/O.
    fn prepare(&self, req: &Request) -> Result<Prepared> {
        let start = Instant::now();
        let defaults = read(&self.inner.defaults);
        let client = match &req.transport {
            None => self.client()?,
            Some(change) => self.client_for(change)?,
        };

        let mut url = req.url.clone();
        let session_query = defaults
            .query
            .iter()
            .filter(|(k, _)| !req.query.iter().any(|(rk, _)| rk == k));
        let mut query = session_query.chain(req.query.iter()).peekable();
        if query.peek().is_some() {
            url.query_pairs_mut().extend_pairs(query);
        }

        let mut headers = defaults.headers.clone();
        if let Some(auth) = &defaults.auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        for name in &req.removed {
            headers.remove(name);
        }
        for name in req.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &req.headers {
            headers.append(name.clone(), value.clone());
        }
        match &req.auth {
            AuthOverride::Inherit => {}
            AuthOverride::None => {
                headers.remove(AUTHORIZATION);
            }
            AuthOverride::Value(v) => {
                headers.insert(AUTHORIZATION, v.clone());
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Credentials in the URL are used as basic auth when nothing else
            // set Authorization (as requests does), and never sent in the URL.
            if !headers.contains_key(AUTHORIZATION) {
                let user = percent_decode(url.username());
                let password = percent_decode(url.password().unwrap_or(""));
                headers.insert(AUTHORIZATION, config::basic_auth(&user, &password)?);
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }

        Ok(Prepared {
            client,
            jar: self.inner.jar.clone(),
            counters: self.inner.counters.clone(),
            method: req.method.clone(),
            url,
            headers,
            body: req.body.clone(),
            timeouts: req.timeouts.apply(defaults.timeouts),
            max_redirects: req.max_redirects.unwrap_or(defaults.max_redirects),
            refuse_downgrade: defaults.refuse_downgrade,
            max_body: req.max_body_size.unwrap_or(defaults.max_body_size),
            stream_max_body: req.max_body_size.flatten(),
            stream: req.stream,
            retry: req.retry.clone().unwrap_or_else(|| defaults.retry.clone()),
            cancels: Cancels {
                call: None,
                user: req.cancel.clone(),
            },
            cookies: req.cookies.clone(),
            start,
        })
    }
}

/// A pool from before fork() is leaked in the child, not dropped: its
/// connections' tasks belong to the parent's runtime, which is not there.
fn forget_if_forked(old: Arc<Transport>) {
    if old.generation != runtime::generation() {
        std::mem::forget(old);
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn store_connect_default(counters: &Counters, connect: Option<Duration>) {
    let ms = connect.map_or(0, |d| d.as_millis().clamp(1, u64::MAX as u128) as u64);
    counters.default_connect_ms.store(ms, Ordering::Relaxed);
}

fn build_client(config: &TransportConfig, counters: &Arc<Counters>) -> Result<Client> {
    // Each TLS configuration gets its own client and pool (src/tls.rs).
    let builder = config.tls.apply(reqwest::Client::builder())?;
    let (mut builder, route) = config.proxy.apply(builder)?;
    if let Some((interval, timeout)) = config.http2_keep_alive {
        builder = builder
            .http2_keep_alive_interval(interval)
            .http2_keep_alive_timeout(timeout)
            .http2_keep_alive_while_idle(true);
    }
    let http = builder
        .connector_layer(CountingLayer(counters.clone()))
        .pool_idle_timeout(config.pool_idle_timeout)
        .pool_max_idle_per_host(config.pool_max_idle_per_host)
        .tcp_nodelay(config.tcp_nodelay)
        // hsession follows redirects and keeps cookies itself (src/redirect.rs).
        .redirect(reqwest::redirect::Policy::none())
        // zstd with a bounded window (src/zstd_decode.rs).
        .no_zstd()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot build the HTTP client: {e}"),
            )
        })?;
    Ok(Client { http, route })
}

/// The whole request on the runtime, redirects included, under the total
/// timer.
async fn execute(p: Prepared) -> Result<Response> {
    let url = p.url.clone();
    let timeouts = p.timeouts;
    let start = p.start;
    let probe = Arc::new(ConnectProbe::new(timeouts.connect));
    let cancels = p.cancels.clone();
    let work = PROBE.scope(probe.clone(), follow(p, probe));
    let work = async move {
        tokio::select! {
            biased;
            _ = cancels.cancelled() => Err(Error::new(ErrorKind::Cancelled, "the request was cancelled")),
            r = work => r,
        }
    };
    let result = match timeouts.total {
        Some(total) => match tokio::time::timeout_at((start + total).into(), work).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "the request did not complete within the total timeout of {} ms",
                    total.as_millis()
                ),
            )),
        },
        None => work.await,
    };
    result.map_err(|e| {
        if e.url().is_none() {
            e.with_url(&url)
        } else {
            e
        }
    })
}

/// Sends each hop of the request: jar cookies are recomputed for every hop,
/// every hop's cookies are stored, and credentials never follow a redirect
/// to another origin.
async fn follow(mut p: Prepared, probe: Arc<ConnectProbe>) -> Result<Response> {
    let mut history = Vec::new();
    let mut used = retry::Used::default();
    loop {
        let mut resp = attempt(&p, &probe, &mut used).await.map_err(|e| {
            match p.client.route.as_ref().and_then(|r| r.for_url(&p.url)) {
                Some(proxy) => crate::proxy::proxy_error(e, proxy),
                None => e,
            }
        })?;
        p.jar
            .store(resp.headers().get_all(SET_COOKIE).iter(), &p.url);
        if let Some(wait) = status_retry(&p, &mut used, &resp)? {
            drain(&mut resp, p.timeouts.read).await;
            tokio::time::sleep(wait).await;
            continue;
        }

        let hop = match p.max_redirects {
            0 => None,
            _ => redirect::next_hop(
                resp.status(),
                resp.headers().get(LOCATION),
                &p.url,
                &p.method,
            )
            .map_err(|e| e.with_url(&p.url))?,
        };
        // A body read from the caller's function cannot be sent twice: a
        // redirect that keeps the body ends the chain with its response.
        let replayable = p.body.as_ref().is_none_or(BodySpec::replayable);
        let hop = hop.filter(|h| !h.keep_body || replayable);
        let Some(hop) = hop else {
            if p.stream {
                let limits = Limits {
                    read: p.timeouts.read,
                    deadline: p.timeouts.total.map(|t| p.start + t),
                    cancels: p.cancels.clone(),
                    max_body: p.stream_max_body,
                };
                let mut done = head(resp, history, p.start, |resp| {
                    Some(Arc::new(BodyStream::start(resp, limits)))
                });
                done.retries = used.total;
                return Ok(done);
            }
            let mut done = receive(resp, p.timeouts.read, p.max_body, history, p.start).await?;
            done.retries = used.total;
            return Ok(done);
        };
        if p.refuse_downgrade && redirect::is_downgrade(&p.url, &hop.url) {
            return Err(Error::new(
                ErrorKind::UnsupportedScheme,
                "redirect from https to http refused (the session refuses downgrades)",
            )
            .with_url(&hop.url));
        }
        if history.len() >= p.max_redirects {
            return Err(Error::new(
                ErrorKind::TooManyRedirects,
                format!("more than {} redirects", p.max_redirects),
            )
            .with_url(&hop.url));
        }
        drain(&mut resp, p.timeouts.read).await;
        history.push((resp.status().as_u16(), p.url.clone()));
        if !redirect::same_origin(&p.url, &hop.url) {
            // Per-request cookies go only where a Cookie header would.
            p.cookies.clear();
        }
        redirect::carry_headers(&mut p.headers, &p.url, &hop);
        if !hop.keep_body {
            p.body = None;
        }
        p.method = hop.method;
        p.url = hop.url;
    }
}

/// Reads a small body that is not wanted (a redirect's, a retried status')
/// to the end so its connection goes back to the pool; a large one is
/// dropped with its connection.
async fn drain(resp: &mut reqwest::Response, read: Option<Duration>) {
    if resp.content_length().is_some_and(|n| n <= 64 * 1024) {
        for _ in 0..64 {
            match stream::read_chunk(resp, read).await {
                Ok(Some(_)) => continue,
                _ => break,
            }
        }
    }
}

/// Silent resends of one attempt: each on a pooled connection found dead
/// (a different one each time) or refused unprocessed by HTTP/2.
const MAX_SILENT_RESENDS: usize = 8;

/// One HTTP exchange for the current hop, up to the response headers:
/// retried as the policy allows after connect and read failures, and sent
/// once more, silently, when a pooled connection turns out to have been
/// closed by the server (idempotent methods with a replayable body only).
async fn attempt(
    p: &Prepared,
    probe: &ConnectProbe,
    used: &mut retry::Used,
) -> Result<reqwest::Response> {
    let replayable = p.body.as_ref().is_none_or(BodySpec::replayable);
    // Silent resends so far, and the connections they found dead.
    let mut resends = 0;
    let mut dead: Vec<std::net::SocketAddr> = Vec::new();
    loop {
        let mut headers = p.headers.clone();
        if !headers.contains_key(ACCEPT_ENCODING) {
            headers.insert(ACCEPT_ENCODING, crate::zstd_decode::ACCEPT);
        }
        if !headers.contains_key(COOKIE) {
            if let Some(cookies) = p.jar.header_with(&p.url, &p.cookies) {
                // Cookie text came from Set-Cookie headers, which were header values.
                if let Ok(v) = HeaderValue::try_from(cookies) {
                    headers.insert(COOKIE, v);
                }
            }
        }
        let body = match &p.body {
            Some(spec) => Some(spec.build(&mut headers).await?),
            None => None,
        };
        let mut request = reqwest::Request::new(p.method.clone(), p.url.clone());
        *request.headers_mut() = headers;
        *request.body_mut() = body;
        p.counters.requests.fetch_add(1, Ordering::Relaxed);
        let sent_at = Instant::now();
        let err = match send_one(&p.client.http, request, probe, p.timeouts.read).await {
            Ok(resp) => return Ok(crate::zstd_decode::decode(resp, &p.method)),
            Err(e) => e,
        };
        if replayable && resends < MAX_SILENT_RESENDS {
            // HTTP/2 said the server never processed it: any method.
            let unprocessed = err.transport.unprocessed;
            // A pooled connection the server had closed: the request used a
            // connection this attempt did not open, and that has not failed
            // before. Without the connection's identity, only once and only
            // when no connect started since sending.
            let stale = err.kind() == ErrorKind::ConnectionClosed
                && retry::idempotent_methods().contains(&p.method)
                && match err.transport.local_addr {
                    Some(addr) => !probe.opened_since(addr, sent_at) && !dead.contains(&addr),
                    None => {
                        resends == 0
                            && probe
                                .times
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .0
                                .is_none_or(|started| started < sent_at)
                    }
                };
            if unprocessed || stale {
                resends += 1;
                dead.extend(err.transport.local_addr);
                continue;
            }
        }
        let failure = match err.kind() {
            ErrorKind::Connect | ErrorKind::ConnectTimeout => retry::Failure::Connect,
            ErrorKind::ConnectionClosed | ErrorKind::ReadTimeout | ErrorKind::Protocol => {
                retry::Failure::Read
            }
            _ => return Err(err),
        };
        // A connect failure means nothing left: any method may go again.
        let allowed = match failure {
            retry::Failure::Connect => true,
            _ => replayable && p.retry.method_allowed(&p.method),
        };
        if !allowed || !p.retry.take(used, failure) {
            return Err(err);
        }
        tokio::time::sleep(p.retry.sleep(used, None, None)).await;
    }
}

/// Whether a response's status asks for a retry, and after how long.
fn status_retry(
    p: &Prepared,
    used: &mut retry::Used,
    resp: &reqwest::Response,
) -> Result<Option<Duration>> {
    let status = resp.status().as_u16();
    let replayable = p.body.as_ref().is_none_or(BodySpec::replayable);
    if !p.retry.status_forcelist.contains(&status)
        || !replayable
        || !p.retry.method_allowed(&p.method)
    {
        return Ok(None);
    }
    let failure = retry::Failure::Status(status);
    if !p.retry.take(used, failure) {
        return match p.retry.raise_on_status {
            true => Err(p.retry.exhausted(failure).with_url(&p.url)),
            false => Ok(None),
        };
    }
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok());
    Ok(Some(p.retry.sleep(used, Some(status), retry_after)))
}

/// Sends one HTTP request and waits for the response headers under the
/// read-idle timer.
async fn send_one(
    client: &reqwest::Client,
    request: reqwest::Request,
    probe: &ConnectProbe,
    read: Option<Duration>,
) -> Result<reqwest::Response> {
    let url = request.url().clone();
    let sending = client.execute(request);
    let sent = match read {
        None => sending.await,
        Some(read) => {
            let hop_start = Instant::now();
            tokio::pin!(sending);
            loop {
                let deadline = header_deadline(probe, hop_start, read);
                tokio::select! {
                    biased;
                    r = &mut sending => break r,
                    _ = tokio::time::sleep_until(deadline.into()) => {
                        if header_deadline(probe, hop_start, read) <= Instant::now() {
                            return Err(stream::read_timeout(read));
                        }
                    }
                }
            }
        }
    };
    sent.map_err(|e| error::from_transport(e, &url))
}

/// Reads the final response: status, headers in order, and the whole body,
/// each chunk under the read-idle timer.
async fn receive(
    resp: reqwest::Response,
    read: Option<Duration>,
    max_body: Option<u64>,
    history: Vec<(u16, url::Url)>,
    start: Instant,
) -> Result<Response> {
    let mut body_of = None;
    let mut response = head(resp, history, start, |resp| {
        body_of = Some(resp);
        None
    });
    let Some(mut resp) = body_of else {
        return Ok(response);
    };
    // A declared length (reqwest drops it for bodies it decodes) fails before
    // any byte is read; otherwise the count of decoded bytes is checked per
    // chunk, so memory stays below the limit plus one chunk.
    let declared = resp.content_length().unwrap_or(0);
    stream::check_body_size(declared, max_body)?;
    let size_hint = declared.min(64 << 20) as usize;
    let mut total = 0u64;
    let mut first: Option<Bytes> = None;
    let mut joined: Option<Vec<u8>> = None;
    while let Some(chunk) = stream::read_chunk(&mut resp, read).await? {
        total += chunk.len() as u64;
        stream::check_body_size(total, max_body)?;
        // One chunk is kept as reqwest gave it; only several are joined.
        match (&mut joined, first.take()) {
            (Some(buf), _) => buf.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(prev)) => {
                let mut buf = Vec::with_capacity(size_hint.max(prev.len() + chunk.len()));
                buf.extend_from_slice(&prev);
                buf.extend_from_slice(&chunk);
                joined = Some(buf);
            }
        }
    }
    response.body = joined.map(Bytes::from).or(first).unwrap_or_default();
    response.elapsed = start.elapsed();
    Ok(response)
}

/// The response's status line and headers; `body` decides what becomes of
/// the body (read it whole, or stream it).
fn head(
    mut resp: reqwest::Response,
    history: Vec<(u16, url::Url)>,
    start: Instant,
    body: impl FnOnce(reqwest::Response) -> Option<Arc<BodyStream>>,
) -> Response {
    let status = resp.status();
    let reason = match resp.extensions().get::<hyper::ext::ReasonPhrase>() {
        Some(r) => String::from_utf8_lossy(r.as_bytes()).into_owned(),
        None => status.canonical_reason().unwrap_or("").to_owned(),
    };
    let version = response::version_str(resp.version());
    let final_url = resp.url().clone();
    let mut headers = Vec::with_capacity(resp.headers().len());
    let mut last: Option<HeaderName> = None;
    for (name, value) in std::mem::take(resp.headers_mut()) {
        // HeaderMap's iterator gives a name only for the first of its values.
        if let Some(n) = name {
            last = Some(n);
        }
        if let Some(n) = &last {
            headers.push((n.clone(), value));
        }
    }

    Response {
        status: status.as_u16(),
        reason,
        version,
        url: final_url,
        headers,
        body: Bytes::new(),
        history,
        stream: body(resp),
        retries: 0,
        elapsed: start.elapsed(),
    }
}

/// When the wait for response headers has been idle too long: `read` after
/// this hop's own connect finished, or after the hop started if it needed none.
fn header_deadline(probe: &ConnectProbe, hop_start: Instant, read: Duration) -> Instant {
    let (started, finished) = *probe.times.lock().unwrap_or_else(|e| e.into_inner());
    match (started, finished) {
        (Some(s), Some(done)) if s >= hop_start => done + read,
        // A connect in progress is bounded by the connect timeout itself.
        (Some(s), None) if s >= hop_start => Instant::now() + read,
        _ => hop_start + read,
    }
}
