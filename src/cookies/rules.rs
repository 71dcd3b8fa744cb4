//! The cookie rules of RFC 6265 and 6265bis that hsession applies on top of
//! cookie_store: public suffixes (the implicit `*` rule included), IP
//! hosts, domain and path matching, what a name and value may hold, and
//! expiry times.

use crate::error::{Error, ErrorKind, Result};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest name + value of one cookie, in bytes (RFC 6265bis).
pub const MAX_NAME_VALUE: usize = 4096;

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

pub(crate) fn is_https(url: &url::Url) -> bool {
    url.scheme() == "https"
}

pub(crate) fn is_ip(host: &str) -> bool {
    host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// A public suffix: one on the list (ICANN or private section), such as
/// `com`, `co.uk` or `github.io`, and, by the list's implicit `*` rule,
/// every TLD it does not name (`corp`, `internal`, `local`, `test`), as
/// curl and browsers treat them. A dot-less name is always one.
pub(crate) fn is_public_suffix(domain: &str) -> bool {
    let domain = domain.trim_end_matches('.');
    !domain.contains('.')
        || psl::suffix(domain.as_bytes()).is_some_and(|s| s.as_bytes() == domain.as_bytes())
}

/// The registrable domain that the per-domain limit counts under.
pub(crate) fn base_domain(domain: &str) -> &str {
    if is_ip(domain) {
        return domain;
    }
    psl::domain_str(domain).unwrap_or(domain)
}

/// `host` is `domain` or one of its subdomains (not for IPs).
pub(crate) fn domain_match(host: &str, domain: &str) -> bool {
    host == domain
        || (!is_ip(host)
            && host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// RFC 6265 5.1.4: `/foo` matches `/foo` and `/foo/bar`, not `/foobar`.
pub(crate) fn path_match(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/')
                || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

/// Names and values: no control characters (RFC 6265bis), and also no tab
/// and no `;` so that every stored cookie can be written to a header and to
/// cookies.txt as it is. Names also cannot hold `=` or spaces.
pub(crate) fn check_name_value(name: &str, value: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid("a cookie name cannot be empty"));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c.is_ascii_control() || matches!(c, ';' | '=' | ' ' | ',' | '"'))
    {
        return Err(invalid(format!(
            "invalid cookie name {name:?}: it contains {c:?}"
        )));
    }
    if let Some(c) = value.chars().find(|&c| c.is_ascii_control() || c == ';') {
        return Err(invalid(format!(
            "invalid value for cookie {name:?}: it contains {c:?}"
        )));
    }
    if value.trim() != value {
        return Err(invalid(format!(
            "invalid value for cookie {name:?}: leading or trailing spaces"
        )));
    }
    if name.len() + value.len() > MAX_NAME_VALUE {
        return Err(invalid(format!(
            "cookie {name:?} is too large: name and value are over {MAX_NAME_VALUE} bytes"
        )));
    }
    Ok(())
}

/// A Set-Cookie string: RFC 6265bis refuses it whole when it holds a
/// control character other than tab.
pub(crate) fn check_set_cookie(s: &str) -> Result<()> {
    match s.chars().find(|&c| c.is_ascii_control() && c != '\t') {
        Some(c) => Err(invalid(format!(
            "invalid Set-Cookie: it contains the control character {c:?}"
        ))),
        None => Ok(()),
    }
}

pub(crate) fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs().min(i64::MAX as u64) as i64,
        Err(e) => -(e.duration().as_secs().min(i64::MAX as u64) as i64),
    }
}

/// The end of year 9999: cookie_store's latest expiry. Expiries are
/// clamped to ±this, so no input overflows SystemTime or the time crate.
pub(crate) const MAX_EXPIRY_SECS: i64 = 253_402_300_799;

pub(crate) fn from_unix_secs(secs: i64) -> SystemTime {
    let secs = secs.clamp(-MAX_EXPIRY_SECS, MAX_EXPIRY_SECS);
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}
