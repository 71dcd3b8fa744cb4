//! Proxies: per scheme (http, https, all), http/https (CONNECT) and
//! socks5/socks5h, credentials in the proxy URL, a `no_proxy` list, and the
//! environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) only when
//! `trust_env` is on, as in requests. Proxy credentials go only to the proxy.

use crate::error::{Error, ErrorKind, Result};

/// Where requests go through. Proxies set here replace those of the
/// environment; a `no_proxy` list set here replaces NO_PROXY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    pub http: Option<String>,
    pub https: Option<String>,
    pub all: Option<String>,
    /// Hosts that bypass the proxies: comma-separated domains (matching
    /// their subdomains), IPs, CIDR blocks, or "*".
    pub no_proxy: Option<String>,
    /// Use the environment's proxy variables (default true, as requests).
    pub trust_env: bool,
}

impl Default for ProxyConfig {
    fn default() -> ProxyConfig {
        ProxyConfig {
            http: None,
            https: None,
            all: None,
            no_proxy: None,
            trust_env: true,
        }
    }
}

/// Checks a proxy URL when it is set: a scheme hsession can use and a host.
pub fn check_proxy_url(raw: &str) -> Result<()> {
    let url = url::Url::parse(raw)
        .map_err(|e| Error::new(ErrorKind::InvalidUrl, format!("invalid proxy URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(Error::new(
            ErrorKind::UnsupportedScheme,
            format!(
                "unsupported proxy scheme {:?}: use http, https, socks5 or socks5h",
                url.scheme()
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::new(
            ErrorKind::InvalidUrl,
            "invalid proxy URL: it has no host",
        ));
    }
    Ok(())
}

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
}

impl ProxyConfig {
    /// Adds the proxies to a client builder; the builder's own look at the
    /// environment is always off, so `trust_env` alone decides.
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        let mut builder = builder.no_proxy();
        let from_env = |names: &[&str]| if self.trust_env { env(names) } else { None };
        let http = self
            .http
            .clone()
            .or_else(|| from_env(&["http_proxy", "HTTP_PROXY"]));
        let https = self
            .https
            .clone()
            .or_else(|| from_env(&["https_proxy", "HTTPS_PROXY"]));
        let all = self
            .all
            .clone()
            .or_else(|| from_env(&["all_proxy", "ALL_PROXY"]));
        let no_proxy = self
            .no_proxy
            .clone()
            .or_else(|| from_env(&["no_proxy", "NO_PROXY"]));
        let bad =
            |e: reqwest::Error| Error::new(ErrorKind::InvalidUrl, format!("invalid proxy: {e}"));
        for (url, scheme) in [(http, "http"), (https, "https"), (all, "all")] {
            let Some(url) = url else { continue };
            let proxy = match scheme {
                "http" => reqwest::Proxy::http(&url),
                "https" => reqwest::Proxy::https(&url),
                _ => reqwest::Proxy::all(&url),
            }
            .map_err(bad)?;
            let list = no_proxy.as_deref().and_then(reqwest::NoProxy::from_string);
            builder = builder.proxy(proxy.no_proxy(list));
        }
        Ok(builder)
    }
}
