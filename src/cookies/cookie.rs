//! One cookie as the jar holds it, and the jar's file formats.

use std::time::SystemTime;

/// One cookie as the jar holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    /// The host for a host-only cookie, else the Domain without leading dot.
    /// When setting: ignored if empty and `host_only`.
    pub domain: String,
    /// When setting: empty means the default path of the URL.
    pub path: String,
    /// None for a session cookie (kept until the session ends, or in a
    /// file, until it is cleared). Whole seconds.
    pub expires: Option<SystemTime>,
    pub secure: bool,
    pub http_only: bool,
    /// Sent only to `domain` itself, not to its subdomains.
    pub host_only: bool,
}

impl Cookie {
    /// A host-only session cookie with the default path, to be completed
    /// field by field and given to `Jar::set`.
    pub fn new(name: &str, value: &str) -> Cookie {
        Cookie {
            name: name.to_owned(),
            value: value.to_owned(),
            domain: String::new(),
            path: String::new(),
            expires: None,
            secure: false,
            http_only: false,
            host_only: true,
        }
    }
}

/// The file formats of `Jar::save` and `Jar::load`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieFileFormat {
    /// hsession's JSON: `{"format": "hsession-cookies", "version": 1,
    /// "cookies": [{name, value, domain, path, host_only, secure,
    /// http_only, expires (Unix seconds or null)}]}`.
    Json,
    /// The Netscape cookies.txt format that curl (`-b`/`-c`) and wget read
    /// and write: seven tab-separated fields, `#HttpOnly_` before the domain
    /// of HttpOnly cookies, expiry 0 for session cookies.
    Netscape,
}
