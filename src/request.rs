//! A request as the caller builds it: everything is validated as it is set,
//! so sending never finds a bad method, URL or header.

use crate::body::{BodySpec, FormPart, ReadFn};
use crate::config::{self, TimeoutOverrides};
use crate::error::{Error, ErrorKind, Result};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Authorization chosen by one request over the session's.
#[derive(Debug, Clone, Default)]
pub(crate) enum AuthOverride {
    #[default]
    Inherit,
    None,
    Value(HeaderValue),
    Digest(std::sync::Arc<crate::digest::DigestAuth>),
}

/// One HTTP request. Build it, then send it with [`crate::Session::send`];
/// it can be sent again.
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) url: url::Url,
    pub(crate) headers: HeaderMap,
    pub(crate) removed: Vec<HeaderName>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<BodySpec>,
    pub(crate) auth: AuthOverride,
    pub(crate) timeouts: TimeoutOverrides,
    pub(crate) max_redirects: Option<usize>,
    /// At the redirect limit, return the last redirect response instead of
    /// failing with TooManyRedirects (packed tag 27; requests' exception
    /// carries that response).
    pub(crate) return_at_redirect_limit: bool,
    pub(crate) retry: Option<std::sync::Arc<crate::retry::RetryPolicy>>,
    pub(crate) max_body_size: Option<Option<u64>>,
    pub(crate) cancel: Option<CancellationToken>,
    pub(crate) stream: bool,
    /// Sent with this request only, never stored in the jar.
    pub(crate) cookies: Vec<(String, String)>,
    /// TLS and proxy settings of this request that differ from the session's.
    pub(crate) transport: Option<Box<config::TransportOverride>>,
}

impl Request {
    /// A request with `method` (any valid HTTP token; case is kept, so use
    /// upper case for the standard ones) to an http or https `url`.
    pub fn new(method: &str, url: &str) -> Result<Request> {
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
            Error::new(
                ErrorKind::InvalidMethod,
                format!("invalid HTTP method {method:?}: a method is a non-empty token"),
            )
        })?;
        let url = config::parse_url(url)?;
        Ok(Request {
            method,
            url,
            headers: HeaderMap::new(),
            removed: Vec::new(),
            query: Vec::new(),
            body: None,
            auth: AuthOverride::Inherit,
            timeouts: TimeoutOverrides::default(),
            max_redirects: None,
            return_at_redirect_limit: false,
            retry: None,
            max_body_size: None,
            cancel: None,
            stream: false,
            cookies: Vec::new(),
            transport: None,
        })
    }

    /// Adds a header. Headers of a request replace the session's headers of
    /// the same name; adding a name twice sends both values.
    pub fn header(&mut self, name: &str, value: &str) -> Result<&mut Request> {
        let name_v = config::header_name(name)?;
        let value = config::header_value(name, value)?;
        self.headers.append(name_v, value);
        Ok(self)
    }

    /// Does not send the session's header `name` with this request (and
    /// drops the session's auth when `name` is Authorization).
    pub fn remove_header(&mut self, name: &str) -> Result<&mut Request> {
        let name = config::header_name(name)?;
        self.headers.remove(&name);
        self.removed.push(name);
        Ok(self)
    }

    /// Adds a query parameter; it replaces session parameters of that key.
    pub fn query(&mut self, key: &str, value: &str) -> &mut Request {
        self.query.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The body, sent as given (set Content-Type yourself).
    pub fn body(&mut self, body: impl Into<Bytes>) -> &mut Request {
        self.body = Some(BodySpec::Bytes(body.into()));
        self
    }

    /// The body is the file at `path`, streamed from disk when the request
    /// is sent (its size becomes the Content-Length).
    pub fn body_file(&mut self, path: impl Into<std::path::PathBuf>) -> &mut Request {
        self.body = Some(BodySpec::File(path.into()));
        self
    }

    /// The body comes from `read`, called for one chunk at a time on a
    /// blocking-pool thread until it returns 0; `len`, if known, is sent as
    /// the Content-Length, otherwise the body is chunked. Such a body can be
    /// sent once: a 307/308 redirect after it is returned as the response.
    pub fn body_reader(&mut self, read: Box<ReadFn>, len: Option<u64>) -> &mut Request {
        self.body = Some(BodySpec::Reader {
            read: std::sync::Arc::new(std::sync::Mutex::new(read)),
            len,
        });
        self
    }

    fn form(&mut self) -> &mut Vec<FormPart> {
        if !matches!(self.body, Some(BodySpec::Form(_))) {
            self.body = Some(BodySpec::Form(Vec::new()));
        }
        match &mut self.body {
            Some(BodySpec::Form(parts)) => parts,
            _ => unreachable!("set just above"),
        }
    }

    /// Adds a text field to a multipart/form-data body (replacing any other body).
    pub fn form_text(&mut self, name: &str, value: &str) -> &mut Request {
        let part = FormPart::Text {
            name: name.to_owned(),
            value: value.to_owned(),
        };
        self.form().push(part);
        self
    }

    /// Adds a file part whose content is `data` (the `files=` of requests
    /// with bytes); sent with `file_name` and `mime` when given.
    pub fn form_bytes(
        &mut self,
        name: &str,
        data: impl Into<bytes::Bytes>,
        file_name: Option<&str>,
        mime: Option<&str>,
    ) -> &mut Request {
        let part = FormPart::Bytes {
            name: name.to_owned(),
            data: data.into(),
            file_name: file_name.map(str::to_owned),
            mime: mime.map(str::to_owned),
        };
        self.form().push(part);
        self
    }

    /// Adds a file part (the `files=` of requests), streamed from `path`;
    /// `file_name` defaults to the path's last component.
    pub fn form_file(
        &mut self,
        name: &str,
        path: impl Into<std::path::PathBuf>,
        file_name: Option<&str>,
        mime: Option<&str>,
    ) -> &mut Request {
        let part = FormPart::File {
            name: name.to_owned(),
            path: path.into(),
            file_name: file_name.map(str::to_owned),
            mime: mime.map(str::to_owned),
        };
        self.form().push(part);
        self
    }

    pub fn basic_auth(&mut self, user: &str, password: &str) -> Result<&mut Request> {
        self.auth = AuthOverride::Value(config::basic_auth(user, password)?);
        Ok(self)
    }

    pub fn bearer_auth(&mut self, token: &str) -> Result<&mut Request> {
        self.auth = AuthOverride::Value(config::bearer_auth(token)?);
        Ok(self)
    }

    /// Digest authentication (RFC 7616) for this request, instead of the
    /// session's auth: a 401 with a Digest challenge from the request's
    /// origin is answered once.
    pub fn digest_auth(&mut self, user: &str, password: &str) -> Result<&mut Request> {
        let digest = crate::digest::DigestAuth::new(user, password)?;
        self.auth = AuthOverride::Digest(std::sync::Arc::new(digest));
        Ok(self)
    }

    /// Sends this request without any Authorization the session would add.
    pub fn no_auth(&mut self) -> &mut Request {
        self.auth = AuthOverride::None;
        self
    }

    /// Connect timeout for this request; `None` means no limit.
    pub fn connect_timeout(&mut self, t: Option<Duration>) -> &mut Request {
        self.timeouts.connect = Some(t);
        self
    }

    /// Read-idle timeout for this request; `None` means no limit.
    pub fn read_timeout(&mut self, t: Option<Duration>) -> &mut Request {
        self.timeouts.read = Some(t);
        self
    }

    /// Total timeout for this request; `None` means no limit.
    pub fn total_timeout(&mut self, t: Option<Duration>) -> &mut Request {
        self.timeouts.total = Some(t);
        self
    }

    /// The retry policy of this request, over the session's.
    pub fn retry(&mut self, policy: crate::retry::RetryPolicy) -> &mut Request {
        self.retry = Some(std::sync::Arc::new(policy));
        self
    }

    /// This request's own retry policy, to change one setting at a time;
    /// the first change starts it from the library's defaults (no retries),
    /// and it then replaces the session's policy for this request.
    pub fn retry_policy_mut(&mut self) -> &mut crate::retry::RetryPolicy {
        std::sync::Arc::make_mut(self.retry.get_or_insert_with(Default::default))
    }

    /// This request's decoded body limit over the session's (`None`: no
    /// limit). Unlike the session's, it also bounds a streamed body: the
    /// read that passes it fails with `ErrorKind::BodyTooLarge`.
    pub fn max_body_size(&mut self, limit: Option<u64>) -> &mut Request {
        self.max_body_size = Some(limit);
        self
    }

    /// With `true`, a redirect past the limit is returned as the response
    /// (the last redirect, with the history before it) instead of failing
    /// with `ErrorKind::TooManyRedirects`.
    pub fn return_at_redirect_limit(&mut self, on: bool) -> &mut Request {
        self.return_at_redirect_limit = on;
        self
    }

    /// Redirects this request follows at most; 0 returns the redirect
    /// response itself.
    pub fn max_redirects(&mut self, n: usize) -> &mut Request {
        self.max_redirects = Some(n);
        self
    }

    /// Cancelling `token` (from any thread) cancels every send of this
    /// request that is in flight, blocking or not.
    pub fn cancel_token(&mut self, token: CancellationToken) -> &mut Request {
        self.cancel = Some(token);
        self
    }

    /// With `true`, the response is returned as soon as its headers arrive
    /// and its body is read from [`crate::Response::stream`] while it arrives.
    pub fn stream(&mut self, on: bool) -> &mut Request {
        self.stream = on;
        self
    }

    fn transport(&mut self) -> &mut config::TransportOverride {
        self.transport.get_or_insert_with(Default::default)
    }

    /// Verifies the server's certificate (or not) for this request only,
    /// whatever the session's setting; sent through a pool of its own.
    pub fn verify(&mut self, on: bool) -> &mut Request {
        self.transport().verify = Some(on);
        self
    }

    /// Trusts only the CA certificates of this PEM file for this request
    /// (`None`: the platform roots). Read and checked now, like the
    /// session's setter.
    pub fn ca_file(&mut self, path: Option<&std::path::Path>) -> Result<&mut Request> {
        let ca = match path {
            Some(path) => {
                let mut t = crate::tls::TlsConfig::default();
                t.set_ca_file(path)?;
                t.ca
            }
            None => None,
        };
        self.transport().ca = Some(ca);
        Ok(self)
    }

    /// Presents this client certificate and key (PEM files) for this
    /// request (`None`: none). Read and checked now.
    pub fn client_cert(
        &mut self,
        files: Option<(&std::path::Path, &std::path::Path)>,
    ) -> Result<&mut Request> {
        let cert = match files {
            Some((cert, key)) => {
                let mut t = crate::tls::TlsConfig::default();
                t.set_client_cert(cert, key)?;
                t.client_cert
            }
            None => None,
        };
        self.transport().client_cert = Some(cert);
        Ok(self)
    }

    /// The proxy for `scheme` ("http", "https" or "all") for this request;
    /// `None` sends it without that proxy.
    pub fn proxy(&mut self, scheme: &str, url: Option<&str>) -> Result<&mut Request> {
        use crate::proxy::ProxyFor;
        let (which, url) = crate::proxy::proxy_setting(scheme, url)?;
        let t = self.transport();
        let slot = match which {
            ProxyFor::Http => &mut t.proxy_http,
            ProxyFor::Https => &mut t.proxy_https,
            ProxyFor::All => &mut t.proxy_all,
        };
        *slot = Some(url);
        Ok(self)
    }

    /// Hosts that bypass the proxies for this request (replacing the
    /// session's list); `None` removes the list.
    pub fn no_proxy(&mut self, list: Option<&str>) -> Result<&mut Request> {
        if let Some(list) = list {
            crate::proxy::check_no_proxy(list)?;
        }
        self.transport().no_proxy = Some(list.map(str::to_owned));
        Ok(self)
    }

    /// Sends the cookie `name=value` with this request only; it never
    /// enters the jar. It replaces a jar cookie of the same name (and an
    /// earlier one of this request), and is dropped, like a Cookie header,
    /// once a redirect leaves the origin.
    pub fn cookie(&mut self, name: &str, value: &str) -> Result<&mut Request> {
        crate::cookies::check_name_value(name, value)?;
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    pub fn url(&self) -> &url::Url {
        &self.url
    }
}
