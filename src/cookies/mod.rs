//! The session's cookie jar.
//!
//! cookie_store keeps the cookies and does what RFC 6265 asks of parsing,
//! domain and path matching, host-only cookies, HttpOnly and expiry
//! (Max-Age over Expires). This module adds what it leaves out or does
//! differently:
//!
//! - a public suffix list compiled into the library (psl): `Domain=co.uk`,
//!   `Domain=com` or an unlisted TLD such as `Domain=corp` is refused, or
//!   becomes host-only when it is the host itself;
//! - Secure cookies only over https, loopback included (cookie_store treats
//!   http://127.0.0.1 and http://localhost as secure), and never set from
//!   http, nor overwriting a Secure cookie from http (RFC 6265bis);
//! - the `__Secure-` and `__Host-` prefixes (RFC 6265bis);
//! - IP hosts get host-only cookies only;
//! - control characters, tabs and `;` in names and values are refused, and
//!   name + value is at most 4096 bytes;
//! - at most 50 cookies taken from one response, 50 kept per registrable
//!   domain and 3000 in all (expired, then non-Secure, then Secure cookies
//!   go, least recently used first), and a Cookie header of at most 8 KiB;
//! - the Cookie header in RFC order (longest path first, then oldest first);
//! - expired cookies are deleted, not only hidden;
//! - listing, editing, and saving to / loading from JSON and the Netscape
//!   cookies.txt format of curl and wget.

mod cookie;
mod files;
mod rules;

pub use cookie::{Cookie, CookieFileFormat};
pub use rules::MAX_NAME_VALUE;

use crate::error::{Error, ErrorKind, Result};
use cookie_store::{CookieDomain, CookieExpiration, CookiePath, CookieStore, RawCookie};
use files::*;
use reqwest::header::HeaderValue;
use rules::*;
pub(crate) use rules::{check_name_value, from_unix_secs, unix_secs};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::SystemTime;

/// Cookies kept per registrable domain (eTLD+1, or the host for IPs);
/// beyond it the least recently used are deleted, non-Secure ones first.
pub const MAX_COOKIES_PER_DOMAIN: usize = 50;
/// Cookies kept in one jar; beyond it the least recently used are deleted,
/// non-Secure ones first.
pub const MAX_COOKIES: usize = 3000;
/// Set-Cookie headers taken from one response (curl's limit); the rest are
/// ignored, so that no single response can flood the jar.
pub const MAX_COOKIES_PER_RESPONSE: usize = 50;
/// The longest Cookie header sent, in bytes; cookies that do not fit are
/// left out, least specific path first, then newest first.
pub const MAX_COOKIE_HEADER: usize = 8192;

/// The cookie jar of a session: cookie_store behind a lock, plus the rules
/// above. Thread-safe; every method takes `&self`.
#[derive(Debug, Default)]
pub struct Jar {
    state: RwLock<State>,
    /// The file given to `set_cookie_file`, saved when the jar is dropped.
    file: Mutex<Option<(PathBuf, CookieFileFormat)>>,
}

/// (domain, path, name): a cookie's identity in the jar.
type Key = (String, String, String);

/// What the jar keeps per cookie besides cookie_store's fields.
#[derive(Debug)]
struct Meta {
    /// Creation order: the header's order among equal paths (RFC 6265).
    created: u64,
    /// Last set or sent: the eviction order (least recently used first).
    /// Sending only holds the read lock, hence atomic.
    used: AtomicU64,
    /// The `used` under which the cookie sits in `State::order`.
    indexed: u64,
    secure: bool,
    /// Unix seconds, for `State::expiries`.
    expires: Option<i64>,
}

/// Per (domain, path, name), as cookie_store nests them, so lookups borrow.
type Metas = HashMap<String, HashMap<String, HashMap<String, Meta>>>;

/// The jar's state. Besides cookie_store's map, indexes that keep every
/// insert from scanning the jar: the keys per registrable domain (for the
/// per-domain limit and the Secure-shadowing check), the eviction order,
/// and the expiries.
#[derive(Debug, Default)]
struct State {
    store: CookieStore,
    meta: Metas,
    by_base: HashMap<String, HashSet<Key>>,
    /// (Secure, last use when indexed, key): non-Secure cookies go first,
    /// then the least recently used. A cookie sent since it was indexed is
    /// indexed again when eviction meets it.
    order: BTreeSet<(bool, u64, Key)>,
    expiries: BTreeSet<(i64, Key)>,
    count: usize,
    clock: AtomicU64,
}

type StoreCookie = cookie_store::Cookie<'static>;

fn parse_url(url: &str) -> Result<url::Url> {
    crate::config::parse_url(url)
}

fn key(c: &StoreCookie) -> (String, String, String) {
    (
        String::from(&c.domain),
        String::from(&c.path),
        c.name().to_owned(),
    )
}

fn info(c: &StoreCookie) -> Cookie {
    Cookie {
        name: c.name().to_owned(),
        value: c.value().to_owned(),
        domain: String::from(&c.domain),
        path: String::from(&c.path),
        expires: match c.expires {
            CookieExpiration::AtUtc(t) => Some(from_unix_secs(t.unix_timestamp().max(0))),
            CookieExpiration::SessionEnd => None,
        },
        secure: c.secure() == Some(true),
        http_only: c.http_only() == Some(true),
        host_only: matches!(c.domain, CookieDomain::HostOnly(_)),
    }
}

impl State {
    fn meta(&self, c: &StoreCookie) -> Option<&Meta> {
        // Borrowed lookups: this runs for every cookie of every request.
        let d = c.domain.as_cow().unwrap_or_default();
        self.meta
            .get(d.as_ref())
            .and_then(|m| m.get(&*c.path))
            .and_then(|m| m.get(c.name()))
    }

    fn created(&self, c: &StoreCookie) -> u64 {
        self.meta(c).map_or(0, |m| m.created)
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    /// Marks `c` as just used (sent).
    fn touch(&self, c: &StoreCookie) {
        if let Some(m) = self.meta(c) {
            m.used.store(self.tick(), Ordering::Relaxed);
        }
    }

    /// Records a stored cookie: new, or replaced (`keep_old`: it keeps its
    /// creation time, RFC 6265 5.3 step 11). Either way it was just used.
    fn set_meta(&mut self, c: &StoreCookie, keep_old: bool) {
        let seq = self.tick();
        let k = key(c);
        let secure = c.secure() == Some(true);
        let expires = match c.expires {
            CookieExpiration::AtUtc(t) => Some(t.unix_timestamp()),
            CookieExpiration::SessionEnd => None,
        };
        let mut created = seq;
        if let Some(old) = self.unindex(&k) {
            if keep_old {
                created = old.created;
            }
        } else {
            self.by_base
                .entry(base_domain(&k.0).to_owned())
                .or_default()
                .insert(k.clone());
            self.count += 1;
        }
        self.order.insert((secure, seq, k.clone()));
        if let Some(at) = expires {
            self.expiries.insert((at, k.clone()));
        }
        let meta = Meta {
            created,
            used: AtomicU64::new(seq),
            indexed: seq,
            secure,
            expires,
        };
        let (d, p, n) = k;
        self.meta
            .entry(d)
            .or_default()
            .entry(p)
            .or_default()
            .insert(n, meta);
    }

    /// Takes `k` out of `meta` and the order and expiry indexes (not
    /// `by_base` or the count).
    fn unindex(&mut self, (d, p, n): &Key) -> Option<Meta> {
        let paths = self.meta.get_mut(d)?;
        let names = paths.get_mut(p)?;
        let old = names.remove(n)?;
        if names.is_empty() {
            paths.remove(p);
        }
        if paths.is_empty() {
            self.meta.remove(d);
        }
        let k = (d.clone(), p.clone(), n.clone());
        if let Some(at) = old.expires {
            self.expiries.remove(&(at, k.clone()));
        }
        self.order.remove(&(old.secure, old.indexed, k));
        Some(old)
    }

    fn remove(&mut self, d: &str, p: &str, n: &str) -> bool {
        let k = (d.to_owned(), p.to_owned(), n.to_owned());
        if self.unindex(&k).is_some() {
            let base = base_domain(d);
            if let Some(keys) = self.by_base.get_mut(base) {
                keys.remove(&k);
                if keys.is_empty() {
                    self.by_base.remove(base);
                }
            }
            self.count -= 1;
        }
        self.store.remove(d, p, n).is_some()
    }

    /// Removes every cookie `pred` selects; returns how many (unexpired).
    fn remove_where(&mut self, pred: impl Fn(&StoreCookie) -> bool) -> usize {
        let doomed: Vec<_> = self
            .store
            .iter_any()
            .filter(|c| pred(c))
            .map(|c| (key(c), c.is_expired()))
            .collect();
        let mut live = 0;
        for ((d, p, n), expired) in doomed {
            if self.remove(&d, &p, &n) && !expired {
                live += 1;
            }
        }
        live
    }

    /// cookie_store keeps expired cookies (only hiding them); delete them,
    /// soonest expiry first, without scanning the jar.
    fn prune_expired(&mut self) {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        while let Some((at, k)) = self.expiries.first().cloned() {
            if at > now {
                break;
            }
            self.remove(&k.0, &k.1, &k.2);
            // A key whose meta is already gone leaves only its index entry.
            self.expiries.remove(&(at, k));
        }
    }

    /// Unexpired cookies, oldest first.
    fn sorted(&self) -> Vec<&StoreCookie> {
        let mut all: Vec<_> = self.store.iter_unexpired().collect();
        all.sort_by_key(|c| self.created(c));
        all
    }

    /// The cookies to send to `url`, in header order (RFC 6265 5.4:
    /// longest path first, then oldest first), before the size limit.
    fn matching(&self, url: &url::Url) -> Vec<&StoreCookie> {
        if !matches!(url.scheme(), "http" | "https") {
            return Vec::new();
        }
        let https = is_https(url);
        let mut found: Vec<_> = self
            .store
            .matches(url)
            .into_iter()
            // cookie_store counts loopback http as secure; hsession does not.
            .filter(|c| https || c.secure() != Some(true))
            .collect();
        if found.len() > 1 {
            found.sort_by_cached_key(|c| (std::cmp::Reverse(c.path.len()), self.created(c)));
        }
        found
    }

    /// Checks `raw` against the rules cookie_store does not apply, as
    /// received from `url`; may turn it host-only (public suffix or IP
    /// equal to the host).
    fn admit(&self, raw: &mut RawCookie<'static>, url: &url::Url) -> Result<()> {
        let host = url
            .host_str()
            .ok_or_else(|| invalid("the URL has no host"))?
            .to_owned();
        check_name_value(raw.name(), raw.value())?;
        let https = is_https(url);
        let secure = raw.secure() == Some(true);
        let name = raw.name().to_owned();
        if secure && !https {
            return Err(invalid(format!(
                "cookie {name:?} is Secure and can only be set from an https URL"
            )));
        }
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("__secure-") && !secure {
            return Err(invalid(format!(
                "cookie {name:?}: the __Secure- prefix requires the Secure attribute (and https)"
            )));
        }
        if lower.starts_with("__host-")
            && (!secure || raw.domain().is_some() || raw.path() != Some("/"))
        {
            return Err(invalid(format!(
                "cookie {name:?}: the __Host- prefix requires Secure, https, Path=/ and no Domain"
            )));
        }
        if let Some(d) = raw.domain().map(|d| d.trim().trim_start_matches('.')) {
            let domain = match url::Host::parse(d) {
                Ok(url::Host::Domain(d)) => d,
                Ok(url::Host::Ipv4(ip)) => ip.to_string(),
                Ok(url::Host::Ipv6(ip)) => format!("[{ip}]"),
                Err(e) => {
                    return Err(invalid(format!(
                        "cookie {name:?}: invalid Domain {d:?}: {e}"
                    )))
                }
            };
            if domain == host {
                // Domain=<the host> on an IP or a public suffix is host-only.
                if is_ip(&host) || is_public_suffix(&domain) {
                    raw.unset_domain();
                }
            } else if is_ip(&host) || is_ip(&domain) {
                return Err(invalid(format!(
                    "cookie {name:?}: Domain={domain} is not the host {host}; \
                     IP hosts only get host-only cookies"
                )));
            } else if is_public_suffix(&domain) {
                return Err(invalid(format!(
                    "cookie {name:?}: Domain={domain} is a public suffix"
                )));
            } else if !domain_match(&host, &domain) {
                return Err(invalid(format!(
                    "cookie {name:?}: Domain={domain} does not domain-match the host {host}"
                )));
            }
        }
        if !https && !secure {
            // RFC 6265bis: http cannot overwrite or shadow a Secure cookie.
            let new_domain = match raw.domain() {
                Some(d) => d.trim().trim_start_matches('.').to_ascii_lowercase(),
                None => host.clone(),
            };
            let new_path = String::from(match raw.path() {
                Some(p) => CookiePath::new(p, url),
                None => CookiePath::default_path(url),
            });
            // Cookies that domain-match each other share a registrable domain.
            let same_base = self.by_base.get(base_domain(&new_domain));
            let shadowed = same_base.into_iter().flatten().any(|(d, p, n)| {
                let Some(c) = self.store.get_any(d, p, n) else {
                    return false;
                };
                !c.is_expired()
                    && c.secure() == Some(true)
                    && c.name() == name
                    && (domain_match(d, &new_domain) || domain_match(&new_domain, d))
                    && path_match(&new_path, &c.path)
            });
            if shadowed {
                return Err(invalid(format!(
                    "cookie {name:?} would overwrite a Secure cookie and is not set from https"
                )));
            }
        }
        Ok(())
    }

    /// Applies the rules, then stores (or, when expired, deletes).
    fn insert(&mut self, mut raw: RawCookie<'static>, url: &url::Url) -> Result<()> {
        self.admit(&mut raw, url)?;
        let cookie = StoreCookie::try_from_raw_cookie(&raw, url)
            .map_err(|e| invalid(format!("cookie {:?} refused: {e}", raw.name())))?
            .into_owned();
        self.prune_expired();
        let k = key(&cookie);
        let stored = cookie.clone();
        match self.store.insert(cookie, url) {
            Ok(cookie_store::StoreAction::Inserted) => self.set_meta(&stored, false),
            // RFC 6265 5.3 step 11: a replaced cookie keeps its creation time.
            Ok(cookie_store::StoreAction::UpdatedExisting) => self.set_meta(&stored, true),
            Ok(cookie_store::StoreAction::ExpiredExisting) => {
                self.remove(&k.0, &k.1, &k.2);
                return Ok(());
            }
            // An already expired cookie deletes nothing and is not kept.
            Err(cookie_store::CookieError::Expired) => return Ok(()),
            Err(e) => {
                return Err(invalid(format!("cookie {:?} refused: {e}", k.2)));
            }
        }
        self.enforce_limits(&k.0);
        Ok(())
    }

    /// Deletes cookies beyond the per-domain and total limits: expired
    /// ones, then non-Secure ones, then Secure ones, least recently used
    /// first. Looks only at `domain`'s registrable domain and at the front
    /// of the eviction order, never at the whole jar.
    fn enforce_limits(&mut self, domain: &str) {
        let base = base_domain(domain);
        if self
            .by_base
            .get(base)
            .is_some_and(|keys| keys.len() > MAX_COOKIES_PER_DOMAIN)
        {
            let mut group: Vec<_> = self.by_base[base]
                .iter()
                .map(|k| {
                    let c = self.store.get_any(&k.0, &k.1, &k.2);
                    let expired = c.is_none_or(|c| c.is_expired());
                    let meta = c.and_then(|c| self.meta(c));
                    let secure = meta.is_some_and(|m| m.secure);
                    let used = meta.map_or(0, |m| m.used.load(Ordering::Relaxed));
                    (!expired, secure, used, k.clone())
                })
                .collect();
            group.sort();
            let excess = group.len() - MAX_COOKIES_PER_DOMAIN;
            for (_, _, _, (d, p, n)) in group.into_iter().take(excess) {
                self.remove(&d, &p, &n);
            }
        }
        while self.count > MAX_COOKIES {
            let Some((secure, indexed, k)) = self.order.pop_first() else {
                break;
            };
            let used = self
                .meta
                .get(&k.0)
                .and_then(|m| m.get(&k.1))
                .and_then(|m| m.get(&k.2))
                .map(|m| m.used.load(Ordering::Relaxed));
            match used {
                // Sent since it was indexed: back in line at its last use.
                Some(used) if used != indexed => {
                    if let Some(m) = self
                        .meta
                        .get_mut(&k.0)
                        .and_then(|m| m.get_mut(&k.1))
                        .and_then(|m| m.get_mut(&k.2))
                    {
                        m.indexed = used;
                    }
                    self.order.insert((secure, used, k));
                }
                Some(_) => {
                    // Back in the set so that remove() finds and drops it.
                    self.order.insert((secure, indexed, k.clone()));
                    self.remove(&k.0, &k.1, &k.2);
                }
                // Not in the jar any more: only the index entry was left.
                None => {}
            }
        }
    }
}

impl Jar {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The `Cookie` header value the jar would send to `url`, if any.
    pub fn header_for(&self, url: &url::Url) -> Option<String> {
        self.header_with(url, &[])
    }

    /// The `Cookie` header for one request: its own cookies (`extra`, sent
    /// first and always) and the jar's, where the request's value wins for
    /// the same name; at most [`MAX_COOKIE_HEADER`] bytes of jar cookies.
    pub(crate) fn header_with(&self, url: &url::Url, extra: &[(String, String)]) -> Option<String> {
        let state = self.read();
        let mut header = String::new();
        let push = |header: &mut String, name: &str, value: &str, limit: bool| {
            let more = name.len() + value.len() + 1 + if header.is_empty() { 0 } else { 2 };
            if limit && header.len() + more > MAX_COOKIE_HEADER {
                return;
            }
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(name);
            header.push('=');
            header.push_str(value);
        };
        for (name, value) in extra {
            push(&mut header, name, value, false);
        }
        for c in state.matching(url) {
            if !extra.iter().any(|(n, _)| n == c.name()) {
                push(&mut header, c.name(), c.value(), true);
                state.touch(c);
            }
        }
        (!header.is_empty()).then_some(header)
    }

    /// Every unexpired cookie, oldest first.
    pub fn cookies(&self) -> Vec<Cookie> {
        self.read().sorted().into_iter().map(info).collect()
    }

    /// The cookies a request to `url` would carry, in the order sent (the
    /// header size limit applied).
    pub fn cookies_for(&self, url: &str) -> Result<Vec<Cookie>> {
        let url = parse_url(url)?;
        let state = self.read();
        let mut size = 0;
        let mut out = Vec::new();
        for c in state.matching(&url) {
            let more = c.name().len() + c.value().len() + 1 + if size == 0 { 0 } else { 2 };
            if size + more <= MAX_COOKIE_HEADER {
                size += more;
                out.push(info(c));
            }
        }
        Ok(out)
    }

    /// Number of unexpired cookies in the jar.
    pub fn len(&self) -> usize {
        self.read().store.iter_unexpired().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores the cookies of `Set-Cookie` headers received from `url`.
    /// Cookies that do not parse, or that the rules refuse, are ignored, as
    /// browsers do.
    pub fn store<'a>(&self, set_cookie: impl Iterator<Item = &'a HeaderValue>, url: &url::Url) {
        let cookies: Vec<_> = set_cookie
            .take(MAX_COOKIES_PER_RESPONSE)
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter(|s| check_set_cookie(s).is_ok())
            .filter_map(|s| RawCookie::parse(s.to_owned()).ok())
            .collect();
        if cookies.is_empty() {
            return;
        }
        let mut state = self.write();
        for c in cookies {
            let _ = state.insert(c, url);
        }
    }

    /// Sets a cookie from a `Set-Cookie` header value, as if `url` had sent
    /// it (nothing is sent). A cookie the rules refuse is an
    /// `InvalidArgument` error saying which rule; an expired one deletes
    /// the matching cookie.
    pub fn set_cookie(&self, url: &str, set_cookie: &str) -> Result<()> {
        let url = parse_url(url)?;
        check_set_cookie(set_cookie)?;
        let raw = RawCookie::parse(set_cookie.to_owned())
            .map_err(|e| invalid(format!("invalid Set-Cookie {set_cookie:?}: {e}")))?;
        self.write().insert(raw, &url)
    }

    /// Sets a cookie from its fields, with the same rules as
    /// [`Jar::set_cookie`]. A host-only cookie's `domain` must be empty or
    /// the URL's host; an empty `path` means the URL's default path; an
    /// `expires` in the past deletes the matching cookie.
    pub fn set(&self, url: &str, cookie: &Cookie) -> Result<()> {
        let url = parse_url(url)?;
        self.write().insert(raw_from(cookie, &url)?, &url)
    }

    /// Deletes the cookie `name` of `domain` (as listed: the host, or the
    /// Domain without leading dot) at `path`, or at every path when `path`
    /// is None. Returns how many were deleted.
    pub fn remove(&self, domain: &str, path: Option<&str>, name: &str) -> usize {
        let domain = domain.trim_start_matches('.').to_ascii_lowercase();
        self.write().remove_where(|c| {
            String::from(&c.domain) == domain
                && c.name() == name
                && path.is_none_or(|p| *c.path == *p)
        })
    }

    /// Deletes every cookie of `domain` and of its subdomains; returns how
    /// many.
    pub fn clear_domain(&self, domain: &str) -> usize {
        let domain = domain.trim_start_matches('.').to_ascii_lowercase();
        self.write()
            .remove_where(|c| domain_match(&String::from(&c.domain), &domain))
    }

    /// Deletes the session cookies (those without an expiry), as a browser
    /// does when it closes; returns how many.
    pub fn clear_session_cookies(&self) -> usize {
        self.write().remove_where(|c| !c.is_persistent())
    }

    pub fn clear(&self) {
        *self.write() = State::default();
    }

    /// The jar in `format`, oldest cookie first (so loading keeps the
    /// order). Session cookies are included.
    pub fn export(&self, format: CookieFileFormat) -> String {
        let cookies = self.cookies();
        match format {
            CookieFileFormat::Json => to_json(&cookies),
            CookieFileFormat::Netscape => to_netscape(&cookies),
        }
    }

    /// Adds the cookies of `text` (in `format`) to the jar, replacing those
    /// with the same domain, path and name. The rules apply as for cookies
    /// set from an https URL: cookies they refuse, and expired ones, are
    /// skipped. A malformed file is a `Parse` error and changes nothing.
    /// Returns how many cookies were stored.
    pub fn import(&self, text: &str, format: CookieFileFormat) -> Result<usize> {
        let cookies = match format {
            CookieFileFormat::Json => from_json(text)?,
            CookieFileFormat::Netscape => from_netscape(text)?,
        };
        let mut state = self.write();
        let mut stored = 0;
        for c in cookies {
            if c.expires.is_some_and(|t| t <= SystemTime::now()) {
                continue;
            }
            let Ok(url) = url::Url::parse(&format!("https://{}/", c.domain)) else {
                continue;
            };
            let Ok(raw) = raw_from(&c, &url) else {
                continue;
            };
            if state.insert(raw, &url).is_ok() {
                stored += 1;
            }
        }
        Ok(stored)
    }

    /// Writes the jar to `path` atomically (a temporary file in the same
    /// directory, then a rename), with mode 0600. Returns how many cookies.
    pub fn save(&self, path: impl AsRef<Path>, format: CookieFileFormat) -> Result<usize> {
        let count = self.len();
        write_atomically(path.as_ref(), self.export(format).as_bytes())?;
        Ok(count)
    }

    /// Reads `path` and adds its cookies as [`Jar::import`] does. Returns
    /// how many cookies were stored.
    pub fn load(&self, path: impl AsRef<Path>, format: CookieFileFormat) -> Result<usize> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| io_error("read", path, e))?;
        self.import(&text, format)
            .map_err(|e| Error::new(e.kind(), format!("{}: {}", path.display(), e.message())))
    }

    /// Loads `path` now (a missing file is an empty jar) and saves the jar
    /// there when the jar is dropped, i.e. when the last handle of the
    /// session goes. A file that cannot be read or parsed is an error, and
    /// then it is not remembered (so it is never overwritten). Errors when
    /// saving on drop are ignored: call [`Jar::save`] to see them.
    pub fn set_cookie_file(
        &self,
        path: impl AsRef<Path>,
        format: CookieFileFormat,
    ) -> Result<usize> {
        let path = path.as_ref();
        let loaded = match self.load(path, format) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Io && !path.exists() => 0,
            Err(e) => return Err(e),
        };
        *self.file.lock().unwrap_or_else(|e| e.into_inner()) = Some((path.to_path_buf(), format));
        Ok(loaded)
    }
}

impl Drop for Jar {
    fn drop(&mut self) {
        let file = self
            .file
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some((path, format)) = file {
            let _ = self.save(path, format);
        }
    }
}

/// The cookie_store input for a cookie given by its fields.
fn raw_from(c: &Cookie, url: &url::Url) -> Result<RawCookie<'static>> {
    check_name_value(&c.name, &c.value)?;
    let mut raw = RawCookie::new(c.name.clone(), c.value.clone());
    let domain = c.domain.trim_start_matches('.');
    if c.host_only {
        if !domain.is_empty() && !domain.eq_ignore_ascii_case(url.host_str().unwrap_or("")) {
            return Err(invalid(format!(
                "cookie {:?}: a host-only cookie's domain must be the URL's host",
                c.name
            )));
        }
    } else if domain.is_empty() {
        return Err(invalid(format!(
            "cookie {:?}: a domain cookie needs a domain",
            c.name
        )));
    } else {
        raw.set_domain(domain.to_owned());
    }
    if !c.path.is_empty() {
        if !c.path.starts_with('/') || c.path.chars().any(|ch| ch.is_ascii_control() || ch == ';') {
            return Err(invalid(format!(
                "cookie {:?}: invalid path {:?} (it must start with '/', without ';' or control characters)",
                c.name, c.path
            )));
        }
        raw.set_path(c.path.clone());
    }
    if let Some(t) = c.expires {
        let secs = unix_secs(t).clamp(-MAX_EXPIRY_SECS, MAX_EXPIRY_SECS);
        let t = time::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| invalid(format!("cookie {:?}: invalid expiry: {e}", c.name)))?;
        raw.set_expires(t);
    }
    if c.secure {
        raw.set_secure(true);
    }
    if c.http_only {
        raw.set_http_only(true);
    }
    Ok(raw)
}
