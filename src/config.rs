//! Session options and the validation every input goes through once, when it
//! is set, so nothing invalid is ever sent.

use crate::error::{Error, ErrorKind, Result};
use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

/// Default connect timeout: long enough for a slow DNS answer and a TLS
/// handshake across the world, short enough that a dead host fails fast.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default read-idle timeout: the longest wait for the headers, then for each body chunk.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default total timeout of one request, body included.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(300);
/// Default idle time after which a pooled connection is closed; below the
/// common server keep-alive timeouts so we rarely reuse a half-closed socket.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on idle pooled connections per host.
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 64;
/// Default maximum decoded response body: 256 MiB. Far above any API or page
/// response, so it never gets in the way of normal use, yet a decompression
/// bomb (1 MiB of gzip can decode to 1 GiB) or a runaway server cannot take
/// a process's memory. Larger downloads raise it, or stream.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 256 << 20;

/// The three timeouts; `None` means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From starting to connect to having a connection (TCP and TLS).
    pub connect: Option<Duration>,
    /// Once the request has been sent: the longest wait for the complete
    /// response headers (a trickle of header bytes does not extend it), and
    /// then between body chunks.
    pub read: Option<Duration>,
    /// The whole request, from the call to the last byte of the body.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Some(DEFAULT_CONNECT_TIMEOUT),
            read: Some(DEFAULT_READ_TIMEOUT),
            total: Some(DEFAULT_TOTAL_TIMEOUT),
        }
    }
}

/// One timeout set by a request over the session's: `None` inherits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeoutOverrides {
    pub connect: Option<Option<Duration>>,
    pub read: Option<Option<Duration>>,
    pub total: Option<Option<Duration>>,
}

impl TimeoutOverrides {
    pub(crate) fn apply(&self, base: Timeouts) -> Timeouts {
        Timeouts {
            connect: self.connect.unwrap_or(base.connect),
            read: self.read.unwrap_or(base.read),
            total: self.total.unwrap_or(base.total),
        }
    }
}

/// Milliseconds as the C ABI and bindings give them: 0 means no limit.
pub fn millis(ms: u64) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms))
}

/// Settings that live in the reqwest client; changing one builds a new client
/// (the cookie jar and counters are shared, so they survive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    pub pool_idle_timeout: Option<Duration>,
    pub pool_max_idle_per_host: usize,
    /// At most this many connections per host at once (None: no cap);
    /// requests beyond it wait for one to come free (src/host_limit.rs).
    pub max_connections_per_host: Option<usize>,
    pub tcp_nodelay: bool,
    /// HTTP/2 keep-alive pings: (interval, timeout). A pooled HTTP/2
    /// connection that does not answer a ping within the timeout is closed,
    /// so a silently dead one is found in seconds. None (default): no pings.
    pub http2_keep_alive: Option<(Duration, Duration)>,
    pub proxy: crate::proxy::ProxyConfig,
    pub tls: crate::tls::TlsConfig,
}

impl Default for TransportConfig {
    fn default() -> TransportConfig {
        TransportConfig {
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            max_connections_per_host: None,
            tcp_nodelay: true,
            http2_keep_alive: None,
            proxy: Default::default(),
            tls: crate::tls::TlsConfig::default(),
        }
    }
}

/// Transport settings of one request that differ from its session's
/// (requests' per-call `verify=`, `cert=`, `proxies=`). Each field left
/// `None` keeps the session's setting. The request goes through a pool built
/// for the session's settings with these applied, so TLS and proxy choices
/// never share connections with other settings (src/session.rs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransportOverride {
    pub(crate) verify: Option<bool>,
    pub(crate) ca: Option<Option<crate::tls::PemFile>>,
    pub(crate) client_cert: Option<Option<(crate::tls::PemFile, crate::tls::PemFile)>>,
    pub(crate) proxy_http: Option<Option<String>>,
    pub(crate) proxy_https: Option<Option<String>>,
    pub(crate) proxy_all: Option<Option<String>>,
    pub(crate) no_proxy: Option<Option<String>>,
}

impl TransportOverride {
    /// `base` with this request's changes.
    pub(crate) fn apply(&self, base: &TransportConfig) -> TransportConfig {
        let mut c = base.clone();
        if let Some(v) = self.verify {
            c.tls.verify = v;
        }
        if let Some(ca) = &self.ca {
            c.tls.ca = ca.clone();
        }
        if let Some(cert) = &self.client_cert {
            c.tls.client_cert = cert.clone();
        }
        for (set, slot) in [
            (&self.proxy_http, &mut c.proxy.http),
            (&self.proxy_https, &mut c.proxy.https),
            (&self.proxy_all, &mut c.proxy.all),
            (&self.no_proxy, &mut c.proxy.no_proxy),
        ] {
            if let Some(v) = set {
                *slot = v.clone();
            }
        }
        c
    }
}

pub(crate) fn header_name(name: &str) -> Result<HeaderName> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidHeaderName,
            format!(
                "invalid header name {name:?}: a name is a non-empty HTTP token \
                 (no spaces, colons or control characters)"
            ),
        )
    })
}

pub(crate) fn header_value(name: &str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value).map_err(|_| {
        Error::new(
            ErrorKind::InvalidHeaderValue,
            format!("invalid value for header {name:?}: CR, LF, NUL and other control characters are not allowed"),
        )
    })
}

pub(crate) fn basic_auth(user: &str, password: &str) -> Result<HeaderValue> {
    if user.contains(':') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "a basic-auth user name cannot contain ':'",
        ));
    }
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    sensitive(format!("Basic {token}"))
}

pub(crate) fn bearer_auth(token: &str) -> Result<HeaderValue> {
    sensitive(format!("Bearer {token}"))
}

fn sensitive(value: String) -> Result<HeaderValue> {
    let mut v = HeaderValue::try_from(value).map_err(|_| {
        Error::new(
            ErrorKind::InvalidHeaderValue,
            "credentials contain CR, LF, NUL or another control character",
        )
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// Rejects control characters anywhere in a URL: the URL parser would drop
/// tabs and newlines silently, and a URL is never sent other than meant.
pub(crate) fn parse_url(raw: &str) -> Result<url::Url> {
    if let Some(c) = raw.chars().find(|c| c.is_ascii_control()) {
        return Err(Error::new(
            ErrorKind::InvalidUrl,
            format!("invalid URL: it contains the control character {c:?}"),
        ));
    }
    let url = url::Url::parse(raw)
        .map_err(|e| Error::new(ErrorKind::InvalidUrl, format!("invalid URL {raw:?}: {e}")))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::new(
                ErrorKind::UnsupportedScheme,
                format!("unsupported URL scheme {other:?}: only http and https are supported"),
            )
            .with_url(&url))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(
            Error::new(ErrorKind::InvalidUrl, "invalid URL: it has no host").with_url(&url),
        );
    }
    Ok(url)
}

/// Headers set on the session, applied to every request unless overridden.
#[derive(Debug, Clone)]
pub(crate) struct Defaults {
    pub headers: HeaderMap,
    pub auth: Option<HeaderValue>,
    /// Digest credentials, instead of `auth` (one or the other is set).
    pub(crate) digest: Option<std::sync::Arc<crate::digest::DigestAuth>>,
    pub query: Vec<(String, String)>,
    pub timeouts: Timeouts,
    pub max_redirects: usize,
    /// Refuse redirects from https to http (off by default, as requests).
    pub refuse_downgrade: bool,
    pub retry: std::sync::Arc<crate::retry::RetryPolicy>,
    /// Decoded response body limit in bytes; `None` means no limit.
    pub max_body_size: Option<u64>,
}

impl Default for Defaults {
    fn default() -> Defaults {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(concat!("hsession/", env!("CARGO_PKG_VERSION"))),
        );
        Defaults {
            headers,
            auth: None,
            digest: None,
            query: Vec::new(),
            timeouts: Timeouts::default(),
            max_redirects: crate::redirect::DEFAULT_MAX_REDIRECTS,
            refuse_downgrade: false,
            retry: Default::default(),
            max_body_size: Some(DEFAULT_MAX_BODY_SIZE),
        }
    }
}
