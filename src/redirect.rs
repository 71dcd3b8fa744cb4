//! Redirect decisions, as requests and browsers make them: which hop comes
//! next, with which method, and which credentials must not follow it.

use crate::error::{Error, ErrorKind, Result};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
use reqwest::{Method, StatusCode};

/// Redirects followed by default, as in requests.
pub const DEFAULT_MAX_REDIRECTS: usize = 30;

/// The request to make after a redirect response.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Hop {
    pub url: url::Url,
    pub method: Method,
    /// False when the method became GET: the body is not sent again.
    pub keep_body: bool,
}

/// The next hop for a response, or None when it is not a redirect to follow
/// (not a 301/302/303/307/308, or no Location).
pub(crate) fn next_hop(
    status: StatusCode,
    location: Option<&HeaderValue>,
    current: &url::Url,
    method: &Method,
) -> Result<Option<Hop>> {
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = location else {
        return Ok(None);
    };
    let bad = |why: &str| {
        Error::new(
            ErrorKind::InvalidUrl,
            format!("redirect with an invalid Location: {why}"),
        )
    };
    // Non-ASCII bytes are percent-encoded, as browsers and requests do
    // (RFC 1808 Locations in UTF-8 and in other charsets).
    let text: String = location
        .as_bytes()
        .iter()
        .map(|&b| match b {
            0x80.. => format!("%{b:02X}"),
            _ => char::from(b).to_string(),
        })
        .collect();
    if text.chars().any(|c| c.is_ascii_control()) {
        return Err(bad("control characters"));
    }
    let url = current.join(&text).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::new(
            ErrorKind::UnsupportedScheme,
            format!("redirect to unsupported URL scheme {:?}", url.scheme()),
        )
        .with_url(&url));
    }
    // requests' rules: 303, and 302 for anything but HEAD, become GET;
    // 301 turns POST into GET; 307 and 308 keep method and body.
    let to_get = match status.as_u16() {
        302 | 303 => *method != Method::HEAD,
        301 => *method == Method::POST,
        _ => false,
    };
    Ok(Some(Hop {
        url,
        method: if to_get { Method::GET } else { method.clone() },
        keep_body: !to_get,
    }))
}

/// An https page sending the client to plain http.
pub(crate) fn is_downgrade(from: &url::Url, to: &url::Url) -> bool {
    from.scheme() == "https" && to.scheme() == "http"
}

/// Same scheme, host and port (the default port counts as given).
pub(crate) fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Applies a hop to the headers that travel along: credentials are dropped
/// when the origin changes, and stay dropped for the rest of the chain; a
/// body's headers go when the body does.
pub(crate) fn carry_headers(headers: &mut HeaderMap, from: &url::Url, hop: &Hop) {
    if !same_origin(from, &hop.url) {
        headers.remove(AUTHORIZATION);
        headers.remove(PROXY_AUTHORIZATION);
        headers.remove(COOKIE);
    }
    if !hop.keep_body {
        for name in [
            "content-type",
            "content-length",
            "content-encoding",
            "transfer-encoding",
        ] {
            headers.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn hop(status: u16, loc: &str, method: Method) -> Result<Option<Hop>> {
        let v = HeaderValue::from_str(loc).unwrap();
        next_hop(
            StatusCode::from_u16(status).unwrap(),
            Some(&v),
            &url("http://a.test/x/y"),
            &method,
        )
    }

    #[test]
    fn methods_follow_requests_rules() {
        let m = |s, meth| hop(s, "/z", meth).unwrap().unwrap().method;
        assert_eq!(m(303, Method::POST), Method::GET);
        assert_eq!(m(303, Method::PUT), Method::GET);
        assert_eq!(m(303, Method::HEAD), Method::HEAD);
        assert_eq!(m(302, Method::POST), Method::GET);
        assert_eq!(m(302, Method::DELETE), Method::GET);
        assert_eq!(m(301, Method::POST), Method::GET);
        assert_eq!(m(301, Method::PUT), Method::PUT);
        assert_eq!(m(307, Method::POST), Method::POST);
        assert_eq!(m(308, Method::PUT), Method::PUT);
        assert!(hop(307, "/z", Method::POST).unwrap().unwrap().keep_body);
        assert!(!hop(303, "/z", Method::POST).unwrap().unwrap().keep_body);
    }

    #[test]
    fn locations_resolve_and_bad_ones_fail() {
        assert_eq!(
            hop(302, "z", Method::GET).unwrap().unwrap().url,
            url("http://a.test/x/z")
        );
        assert_eq!(
            hop(302, "//b.test/q", Method::GET).unwrap().unwrap().url,
            url("http://b.test/q")
        );
        assert!(hop(200, "/z", Method::GET).unwrap().is_none());
        assert!(hop(304, "/z", Method::GET).unwrap().is_none());
        assert_eq!(
            hop(302, "ftp://b.test/", Method::GET).unwrap_err().kind(),
            ErrorKind::UnsupportedScheme
        );
        assert_eq!(
            hop(302, "javascript:alert(1)", Method::GET)
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedScheme
        );
        assert_eq!(
            hop(302, "http://[::1", Method::GET).unwrap_err().kind(),
            ErrorKind::InvalidUrl
        );
    }

    #[test]
    fn downgrades_are_https_to_http_only() {
        assert!(is_downgrade(
            &url("https://a.test/"),
            &url("http://a.test/")
        ));
        assert!(!is_downgrade(
            &url("http://a.test/"),
            &url("https://a.test/")
        ));
        assert!(!is_downgrade(
            &url("https://a.test/"),
            &url("https://b.test/")
        ));
        assert!(!is_downgrade(
            &url("http://a.test/"),
            &url("http://b.test/")
        ));
    }

    #[test]
    fn credentials_stay_dropped_after_an_origin_change() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic x"));
        h.insert(COOKIE, HeaderValue::from_static("a=1"));
        h.insert("x-other", HeaderValue::from_static("kept"));
        let a = url("http://a.test/");
        let same = Hop {
            url: url("http://a.test:80/next"),
            method: Method::GET,
            keep_body: true,
        };
        carry_headers(&mut h, &a, &same);
        assert!(h.contains_key(AUTHORIZATION));
        for other in ["https://a.test/", "http://a.test:8080/", "http://b.test/"] {
            let mut h2 = h.clone();
            let hop = Hop {
                url: url(other),
                method: Method::GET,
                keep_body: true,
            };
            carry_headers(&mut h2, &a, &hop);
            assert!(!h2.contains_key(AUTHORIZATION), "{other}");
            assert!(!h2.contains_key(COOKIE), "{other}");
            assert_eq!(h2["x-other"], "kept");
        }
    }
}
