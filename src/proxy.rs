//! Proxies: per scheme (http, https, all), http/https (CONNECT) and
//! socks5/socks5h, credentials in the proxy URL, a `no_proxy` list, and the
//! environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) only when
//! `trust_env` is on, as in requests. Proxy credentials go only to the proxy.
//! Under CGI (REQUEST_METHOD set) the environment's http proxy is ignored
//! (httpoxy), and a bad NO_PROXY entry is skipped alone.

use crate::error::{Error, ErrorKind, Result};

/// Where requests go through. Proxies set here replace those of the
/// environment; a `no_proxy` list set here replaces NO_PROXY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    pub http: Option<String>,
    pub https: Option<String>,
    pub all: Option<String>,
    /// Hosts that bypass the proxies: comma-separated domains (matching
    /// their subdomains), IPs, CIDR blocks, or "*", each with an optional
    /// ":port".
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

/// Which requests a proxy setting applies to: "http", "https" or "all".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProxyFor {
    Http,
    Https,
    All,
}

/// A proxy setting from the API, checked: its scheme name and its URL
/// (`None` removes the proxy for that scheme).
pub(crate) fn proxy_setting(scheme: &str, url: Option<&str>) -> Result<(ProxyFor, Option<String>)> {
    if let Some(url) = url {
        check_proxy_url(url)?;
    }
    let which = match scheme {
        "http" => ProxyFor::Http,
        "https" => ProxyFor::Https,
        "all" => ProxyFor::All,
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("proxy scheme {scheme:?}: use \"http\", \"https\" or \"all\""),
            ))
        }
    };
    Ok((which, url.map(str::to_owned)))
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

/// One entry of a `no_proxy` list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Any,
    Net(std::net::IpAddr, u8),
    /// A domain and its subdomains, lower case, without a leading dot.
    Domain(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Bypass {
    host: Host,
    port: Option<u16>,
}

/// Parses a `no_proxy` list: comma- or space-separated entries, each "*", a
/// domain (".example.com" and "example.com" both match the domain and its
/// subdomains), an IP address or a CIDR block, any of them with ":port"
/// (IPv6 with a port as "[::1]:8080"). Each entry parses alone: the bad
/// ones come back as errors next to the good ones.
fn parse_entries(list: &str) -> impl Iterator<Item = Result<Bypass>> + '_ {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            parse_entry(entry).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("invalid no_proxy entry {entry:?}"),
                )
            })
        })
}

fn parse_entry(entry: &str) -> Option<Bypass> {
    let (host, port) = split_port(entry)?;
    let host = if host == "*" {
        Host::Any
    } else if let Some((ip, bits)) = host.split_once('/') {
        let ip: std::net::IpAddr = ip.parse().ok()?;
        let bits: u8 = bits.parse().ok()?;
        if bits > if ip.is_ipv4() { 32 } else { 128 } {
            return None;
        }
        Host::Net(ip, bits)
    } else if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        Host::Net(ip, if ip.is_ipv4() { 32 } else { 128 })
    } else {
        let domain = host.trim_start_matches('.').to_ascii_lowercase();
        if domain.is_empty()
            || domain
                .chars()
                .any(|c| c.is_ascii_control() || matches!(c, '/' | ':' | '@' | '[' | ']'))
        {
            return None;
        }
        Host::Domain(domain)
    };
    Some(Bypass { host, port })
}

/// A list set through the API: any bad entry refuses the whole list, so
/// the caller hears of it.
fn parse_no_proxy(list: &str) -> Result<Vec<Bypass>> {
    parse_entries(list).collect()
}

/// The environment's NO_PROXY: a bad entry is skipped, never the whole
/// list (dropping it would send the hosts it names through the proxy), as
/// curl, requests and Go do.
fn parse_env_no_proxy(list: &str) -> Vec<Bypass> {
    parse_entries(list).filter_map(Result::ok).collect()
}

/// "host", "host:port", "[v6]:port", or a bare IPv6 address (no port).
fn split_port(entry: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        return match tail.strip_prefix(':') {
            Some(p) => Some((host, Some(p.parse().ok()?))),
            None if tail.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match entry.rsplit_once(':') {
        Some((host, _)) if host.contains(':') => Some((entry, None)),
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None => Some((entry, None)),
    }
}

fn in_net(ip: std::net::IpAddr, net: std::net::IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (std::net::IpAddr::V4(a), std::net::IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (std::net::IpAddr::V6(a), std::net::IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn bypassed(rules: &[Bypass], url: &url::Url) -> bool {
    let Some(host) = url.host() else { return false };
    let port = url.port_or_known_default();
    rules.iter().any(|r| {
        let host_ok = match (&r.host, &host) {
            (Host::Any, _) => true,
            (Host::Net(net, bits), url::Host::Ipv4(ip)) => in_net((*ip).into(), *net, *bits),
            (Host::Net(net, bits), url::Host::Ipv6(ip)) => in_net((*ip).into(), *net, *bits),
            (Host::Domain(d), url::Host::Domain(h)) => {
                let h = h.to_ascii_lowercase();
                h == *d || h.ends_with(&format!(".{d}"))
            }
            _ => false,
        };
        host_ok && r.port.is_none_or(|p| Some(p) == port)
    })
}

/// Checks a `no_proxy` list when it is set.
pub fn check_no_proxy(list: &str) -> Result<()> {
    parse_no_proxy(list).map(|_| ())
}

/// Which proxy a URL goes through, as chosen per request.
#[derive(Debug)]
pub(crate) struct ProxyRoute {
    http: Option<String>,
    https: Option<String>,
    all: Option<String>,
    bypass: Vec<Bypass>,
}

impl ProxyRoute {
    /// The proxy URL for `url`, if any.
    pub(crate) fn for_url(&self, url: &url::Url) -> Option<&str> {
        if bypassed(&self.bypass, url) {
            return None;
        }
        match url.scheme() {
            "http" => self.http.as_ref().or(self.all.as_ref()),
            "https" => self.https.as_ref().or(self.all.as_ref()),
            _ => self.all.as_ref(),
        }
        .map(String::as_str)
    }
}

impl ProxyConfig {
    /// Adds the proxies to a client builder; the builder's own look at the
    /// environment is always off, so `trust_env` alone decides. Returns the
    /// route too, so that errors can tell a proxy failure from the origin's.
    pub(crate) fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<(reqwest::ClientBuilder, Option<std::sync::Arc<ProxyRoute>>)> {
        let builder = builder.no_proxy();
        let from_env = |names: &[&str]| if self.trust_env { env(names) } else { None };
        // httpoxy: a CGI server fills HTTP_PROXY from the client's `Proxy:`
        // request header, so under CGI (REQUEST_METHOD set) the environment's
        // http proxy is not used, as in Python's urllib and Go.
        let cgi = std::env::var_os("REQUEST_METHOD").is_some();
        let http = self.http.clone().or_else(|| {
            if cgi {
                None
            } else {
                from_env(&["http_proxy", "HTTP_PROXY"])
            }
        });
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
        if http.is_none() && https.is_none() && all.is_none() {
            return Ok((builder, None));
        }
        for url in [&http, &https, &all].into_iter().flatten() {
            check_proxy_url(url)?;
        }
        // Chosen per request by hsession, so no_proxy entries can carry ports
        // (reqwest's own list cannot).
        let bypass = match (&self.no_proxy, no_proxy.as_deref()) {
            (Some(list), _) => parse_no_proxy(list)?,
            (None, Some(list)) => parse_env_no_proxy(list),
            (None, None) => Vec::new(),
        };
        let route = std::sync::Arc::new(ProxyRoute {
            http,
            https,
            all,
            bypass,
        });
        let chooser = route.clone();
        let builder = builder.proxy(reqwest::Proxy::custom(move |url: &url::Url| {
            chooser.for_url(url).map(str::to_owned)
        }));
        Ok((builder, Some(route)))
    }
}

/// A connect failure of a request that goes through a proxy: the proxy
/// could not be reached, or refused the tunnel (requests' ProxyError).
pub(crate) fn proxy_error(err: Error, proxy: &str) -> Error {
    if !matches!(err.kind(), ErrorKind::Connect | ErrorKind::ConnectTimeout) {
        return err;
    }
    let shown = url::Url::parse(proxy)
        .map(|u| crate::error::redact_url(&u))
        .unwrap_or_default();
    let mut out = Error::new(
        ErrorKind::Proxy,
        format!("the proxy {shown} could not be used: {}", err.message()),
    );
    if let Some(url) = err.url() {
        out = out.with_shown_url(url.to_owned());
    }
    out.transport = err.transport;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(list: &str, url: &str) -> bool {
        bypassed(
            &parse_no_proxy(list).unwrap(),
            &url::Url::parse(url).unwrap(),
        )
    }

    #[test]
    fn no_proxy_entries_match_hosts_suffixes_ips_cidr_and_ports() {
        assert!(hit("example.com", "http://example.com/"));
        assert!(hit(".example.com", "http://api.example.com/"));
        assert!(!hit("example.com", "http://notexample.com/"));
        assert!(hit("10.0.0.0/8", "http://10.1.2.3/"));
        assert!(!hit("10.0.0.0/8", "http://11.1.2.3/"));
        assert!(hit("127.0.0.1", "http://127.0.0.1:8080/"));
        assert!(hit("::1", "http://[::1]/"));
        assert!(hit("fd00::/8", "http://[fd12::1]/"));
        assert!(hit("127.0.0.1:8080", "http://127.0.0.1:8080/"));
        assert!(!hit("127.0.0.1:8080", "http://127.0.0.1:9090/"));
        assert!(hit("example.com:443", "https://www.example.com/"));
        assert!(!hit("example.com:443", "http://www.example.com/"));
        assert!(hit("[::1]:8080", "http://[::1]:8080/"));
        assert!(hit("*", "http://anything.test/"));
        assert!(hit("a.test, b.test", "http://b.test/"));
        assert!(parse_no_proxy("10.0.0.0/33").is_err());
        assert!(parse_no_proxy("host:notaport").is_err());
    }

    #[test]
    fn a_bad_environment_entry_skips_only_itself() {
        let url = url::Url::parse("http://127.0.0.1:8080/").unwrap();
        for bad in [
            "localhost:*",
            "http://x",
            "10.0.0.0/255.0.0.0",
            "db:",
            "[::1",
        ] {
            let list = format!("127.0.0.1,{bad}");
            assert!(parse_no_proxy(&list).is_err(), "{bad} accepted by the API");
            let rules = parse_env_no_proxy(&list);
            assert_eq!(rules.len(), 1, "{bad}");
            assert!(bypassed(&rules, &url), "{bad} dropped the whole list");
        }
    }
}
