//! `Session`: one pooled client, one cookie jar, the session's defaults and
//! counters, shared by any number of threads.
//!
//! Defaults and transport live behind `RwLock<Arc<_>>`: a request takes a
//! snapshot (two Arc clones) when it starts, so a setter applies to requests
//! started after it returns and never waits for requests in flight.

use crate::call::Call;
use crate::cancel::Cancels;
use crate::config::{self, Defaults, Timeouts, TransportConfig};
use crate::connector::{Counters, CountingLayer};
use crate::cookies::Jar;
use crate::error::{Error, ErrorKind, Result};
use crate::queue::CompletionQueue;
use crate::request::{AuthOverride, Request};
use crate::response::Response;
use crate::retry::RetryPolicy;
use crate::runtime;
use crate::send::{execute, Client, Prepared};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
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
    /// Which of the runtimes this session's connections live on.
    engine: usize,
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
    /// Built when the first request needs it, so a session that has sent
    /// nothing holds no pool (and costs a few hundred bytes, not a client).
    client: once_cell::sync::OnceCell<Client>,
    /// The process generation whose runtime the pool's connections live on.
    generation: usize,
}

impl Transport {
    fn new(config: TransportConfig, client: Option<Client>) -> Transport {
        Transport {
            config,
            client: client.map_or_else(Default::default, once_cell::sync::OnceCell::with_value),
            generation: runtime::generation(),
        }
    }

    fn client(&self, counters: &Arc<Counters>) -> Result<Client> {
        self.client
            .get_or_try_init(|| build_client(&self.config, counters))
            .cloned()
    }
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
    /// A session with the documented defaults. Starts the runtimes if
    /// they are not running yet.
    pub fn new() -> Result<Session> {
        crate::logging::init();
        let engine = runtime::pick()?;
        let jar = Arc::new(Jar::default());
        let counters = Arc::new(Counters::default());
        let defaults = Defaults::default();
        store_connect_default(&counters, defaults.timeouts.connect);
        Ok(Session {
            inner: Arc::new(Inner {
                defaults: RwLock::new(Arc::new(defaults)),
                transport: RwLock::new(Arc::new(Transport::new(TransportConfig::default(), None))),
                variants: Mutex::new(Vec::new()),
                jar,
                counters,
                engine,
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
        self.update_defaults(|d| {
            d.auth = Some(value);
            d.digest = None;
        });
        Ok(())
    }

    pub fn set_bearer_auth(&self, token: &str) -> Result<()> {
        let value = config::bearer_auth(token)?;
        self.update_defaults(|d| {
            d.auth = Some(value);
            d.digest = None;
        });
        Ok(())
    }

    /// Digest authentication (RFC 7616: MD5, SHA-256 and their -sess
    /// variants, qop=auth or none), replacing basic or bearer auth. A 401
    /// with a Digest challenge is answered once; later requests to that
    /// origin send Authorization at once, from the last challenge with the
    /// next nonce count. Never sent to another origin after a redirect.
    pub fn set_digest_auth(&self, user: &str, password: &str) -> Result<()> {
        let digest = Arc::new(crate::digest::DigestAuth::new(user, password)?);
        self.update_defaults(|d| {
            d.auth = None;
            d.digest = Some(digest);
        });
        Ok(())
    }

    pub fn clear_auth(&self) {
        self.update_defaults(|d| {
            d.auth = None;
            d.digest = None;
        });
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
        // Built now, so a setting the client refuses fails its setter.
        let client = build_client(&config, &self.inner.counters)?;
        let fresh = Arc::new(Transport::new(config, Some(client)));
        forget_if_forked(std::mem::replace(slot, fresh));
        Ok(())
    }

    /// The proxy for `scheme` ("http", "https" or "all"); `None` removes it.
    pub fn set_proxy(&self, scheme: &str, url: Option<&str>) -> Result<()> {
        use crate::proxy::ProxyFor;
        let (which, url) = crate::proxy::proxy_setting(scheme, url)?;
        self.update_transport(|c| match which {
            ProxyFor::Http => c.proxy.http = url,
            ProxyFor::Https => c.proxy.https = url,
            ProxyFor::All => c.proxy.all = url,
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

    /// At most `max` connections to one host at a time (`None`: no cap, the
    /// default); a request beyond it waits for one to come free, at most
    /// the connect timeout. Builds a new connection pool.
    pub fn set_max_connections_per_host(&self, max: Option<usize>) -> Result<()> {
        if max == Some(0) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "max connections per host must be above 0 (None for no cap)",
            ));
        }
        self.update_transport(|c| c.max_connections_per_host = max)
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
            return transport.client(&self.inner.counters);
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
        guard.client(&self.inner.counters)
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
            let client = hit.client(&self.inner.counters);
            variants.insert(0, hit);
            return client;
        }
        let client = build_client(&config, &self.inner.counters)?;
        variants.insert(0, Arc::new(Transport::new(config, Some(client.clone()))));
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
        runtime::engine(self.inner.engine)?.run(execute(prepared))
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
    /// A driven queue's ([`CompletionQueue::driven`]) requests start and
    /// run while a thread waits on it.
    pub fn start_queued(&self, req: &Request, queue: &CompletionQueue, tag: u64) -> Result<Call> {
        let mut prepared = self.prepare(req)?;
        let engine = runtime::engine(self.inner.engine)?;
        let driven = queue.starting(self.inner.engine);
        let call = self.new_call(&mut prepared, driven.then(|| queue.clone()));
        let task = run(prepared, call.clone(), {
            let queue = queue.clone();
            move |_| queue.push(tag)
        });
        if driven {
            queue.defer(Box::pin(task));
        } else {
            engine.spawn(task);
        }
        Ok(call)
    }

    /// Spawns `req`; `then` runs on the runtime thread once the result is in
    /// the call, so it must not block.
    fn start_then(&self, req: &Request, then: impl FnOnce(Call) + Send + 'static) -> Result<Call> {
        let mut prepared = self.prepare(req)?;
        let engine = runtime::engine(self.inner.engine)?;
        let call = self.new_call(&mut prepared, None);
        engine.spawn(run(prepared, call.clone(), then));
        Ok(call)
    }

    /// The handle of a request about to start, cancelled with the session.
    fn new_call(&self, prepared: &mut Prepared, driven: Option<CompletionQueue>) -> Call {
        let token = self.inner.closing.child_token();
        prepared.cancels.call = Some(token.clone());
        Call::new(token, driven)
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
        let trust_env = read(&self.inner.transport).config.proxy.trust_env;

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
        // Digest: the session's unless the request sets its own Authorization.
        let mut digest = defaults.digest.clone().filter(|_| {
            !req.headers.contains_key(AUTHORIZATION) && !req.removed.contains(&AUTHORIZATION)
        });
        match &req.auth {
            AuthOverride::Inherit => {}
            AuthOverride::None => {
                headers.remove(AUTHORIZATION);
                digest = None;
            }
            AuthOverride::Value(v) => {
                headers.insert(AUTHORIZATION, v.clone());
                digest = None;
            }
            AuthOverride::Digest(d) => {
                headers.remove(AUTHORIZATION);
                digest = Some(d.clone());
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Credentials in the URL are used as basic auth when nothing else
            // set Authorization (as requests does), and never sent in the URL.
            if !headers.contains_key(AUTHORIZATION) && digest.is_none() {
                let user = percent_decode(url.username());
                let password = percent_decode(url.password().unwrap_or(""));
                headers.insert(AUTHORIZATION, config::basic_auth(&user, &password)?);
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        // .netrc while trust_env is on, when the request has no other auth
        // (requests' get_netrc_auth); also for the hosts of redirects.
        let netrc = trust_env
            && digest.is_none()
            && !matches!(req.auth, AuthOverride::None)
            && !req.removed.contains(&AUTHORIZATION);
        if netrc && !headers.contains_key(AUTHORIZATION) {
            if let Some(value) = crate::netrc::auth_header(&url) {
                headers.insert(AUTHORIZATION, value);
            }
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
            return_at_redirect_limit: req.return_at_redirect_limit,
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
            digest,
            netrc,
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

/// A started request: its result goes into `call`, then `then` runs (on the
/// runtime's thread, so it must not block).
async fn run(prepared: Prepared, call: Call, then: impl FnOnce(Call) + Send + 'static) {
    let result = execute(prepared).await;
    call.finish(result);
    then(call);
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
        .connector_layer(CountingLayer {
            counters: counters.clone(),
            strict: config.max_connections_per_host.is_some(),
        })
        .pool_idle_timeout(config.pool_idle_timeout)
        .pool_max_idle_per_host(
            config
                .max_connections_per_host
                .map_or(config.pool_max_idle_per_host, |max| {
                    max.min(config.pool_max_idle_per_host)
                }),
        )
        .tcp_nodelay(config.tcp_nodelay)
        // The system's resolver, timed (src/timings.rs).
        .dns_resolver(crate::timings::TimedResolver::default())
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
    let limiter = config
        .max_connections_per_host
        .map(|max| Arc::new(crate::host_limit::HostLimiter::new(max)));
    Ok(Client {
        http,
        route,
        limiter,
    })
}
