//! The session's cookie jar: cookie_store behind a lock. The session asks it
//! for the Cookie header of every hop and gives it every hop's Set-Cookie.

use reqwest::header::HeaderValue;
use std::sync::RwLock;

#[derive(Debug, Default)]
pub struct Jar {
    store: RwLock<cookie_store::CookieStore>,
}

impl Jar {
    /// The `Cookie` header value the jar would send to `url`, if any.
    pub fn header_for(&self, url: &url::Url) -> Option<String> {
        let store = self.store.read().unwrap_or_else(|e| e.into_inner());
        let mut header = String::new();
        for (name, value) in store.get_request_values(url) {
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(name);
            header.push('=');
            header.push_str(value);
        }
        (!header.is_empty()).then_some(header)
    }

    /// Number of unexpired cookies in the jar.
    pub fn len(&self) -> usize {
        let store = self.store.read().unwrap_or_else(|e| e.into_inner());
        store.iter_unexpired().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores the cookies of `Set-Cookie` headers received from `url`.
    /// Cookies that do not parse, or that the rules refuse, are ignored, as
    /// browsers do.
    pub fn store<'a>(&self, set_cookie: impl Iterator<Item = &'a HeaderValue>, url: &url::Url) {
        let cookies: Vec<_> = set_cookie
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter_map(|s| cookie_store::RawCookie::parse(s.to_owned()).ok())
            .collect();
        if cookies.is_empty() {
            return;
        }
        let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
        store.store_response_cookies(cookies.into_iter(), url);
    }

    pub fn clear(&self) {
        self.store
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
