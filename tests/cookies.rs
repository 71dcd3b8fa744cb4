//! The cookie jar: RFC 6265 rules on the wire against the test server on
//! 127.0.0.1 (an IP host: cookies there are host-only) and, for domain and
//! public-suffix rules, through the API that sets cookies for any URL
//! without sending anything; editing; persistence in JSON and cookies.txt,
//! including a file written by real curl.

mod common;

use common::{echoed, get, json, TestServer};
use hsession::{Cookie, CookieFileFormat, ErrorKind, Request, Session};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// GET /cookies/set-raw with each `raw` as a verbatim Set-Cookie header.
fn set_raw(s: &Session, srv: &TestServer, raws: &[&str]) {
    let query: Vec<String> = raws.iter().map(|r| format!("c={}", enc(r))).collect();
    let resp = get(
        s,
        &srv.url(&format!("/cookies/set-raw?{}", query.join("&"))),
    );
    assert_eq!(resp.status(), 200, "{}", resp.text());
}

/// The cookies the server received on a GET of `path`.
fn sent(s: &Session, srv: &TestServer, path: &str) -> serde_json::Map<String, serde_json::Value> {
    json(&get(s, &srv.url(path)))["cookies"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn names(cookies: &[Cookie]) -> Vec<&str> {
    cookies.iter().map(|c| c.name.as_str()).collect()
}

fn find<'a>(cookies: &'a [Cookie], name: &str) -> &'a Cookie {
    cookies
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no cookie {name} in {cookies:?}"))
}

fn rejected(r: hsession::Result<()>, why: &str) {
    let e = r.expect_err("the cookie should have been refused");
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(
        e.message().contains(why),
        "message {:?} lacks {why:?}",
        e.message()
    );
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "hsession-cookies-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn entries(&self) -> Vec<String> {
        let mut v: Vec<_> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------- on the wire, 127.0.0.1 ----------

#[test]
fn a_server_cookie_is_host_only_on_an_ip_and_listed_with_its_fields() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    set_raw(
        &s,
        &srv,
        &["plain=1; Path=/", "ho=2; Path=/; HttpOnly; Max-Age=3600"],
    );
    let all = s.jar().cookies();
    assert_eq!(names(&all), ["plain", "ho"], "oldest first");
    let plain = find(&all, "plain");
    assert_eq!(plain.domain, "127.0.0.1");
    assert!(plain.host_only && !plain.secure && !plain.http_only);
    assert_eq!(plain.expires, None, "no Max-Age/Expires: a session cookie");
    let ho = find(&all, "ho");
    assert!(ho.http_only);
    let left = ho
        .expires
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(left > Duration::from_secs(3590) && left <= Duration::from_secs(3600));
    let got = sent(&s, &srv, "/cookies");
    assert_eq!(got["plain"], "1");
    assert_eq!(
        got["ho"], "2",
        "HttpOnly cookies are sent by an HTTP client"
    );
}

#[test]
fn domain_on_an_ip_host_is_host_only_or_refused() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    set_raw(
        &s,
        &srv,
        &[
            "same=1; Path=/; Domain=127.0.0.1",
            "other_ip=1; Path=/; Domain=127.0.0.2",
            "name=1; Path=/; Domain=example.com",
            "suffix=1; Path=/; Domain=0.0.1",
        ],
    );
    let all = s.jar().cookies();
    assert_eq!(names(&all), ["same"]);
    assert!(all[0].host_only, "Domain=<the IP> is host-only");
    rejected(
        s.jar().set_cookie("http://127.0.0.1/", "x=1; Domain=0.0.1"),
        "IP hosts only get host-only cookies",
    );
}

#[test]
fn path_foo_matches_foo_and_below_but_not_foobar() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    set_raw(&s, &srv, &["p=1; Path=/anything/foo", "d=1"]);
    assert!(sent(&s, &srv, "/anything/foo").contains_key("p"));
    assert!(sent(&s, &srv, "/anything/foo/bar").contains_key("p"));
    assert!(!sent(&s, &srv, "/anything/foobar").contains_key("p"));
    assert!(!sent(&s, &srv, "/anything").contains_key("p"));
    // No Path: the default path of /cookies/set-raw is /cookies.
    assert_eq!(find(&s.jar().cookies(), "d").path, "/cookies");
    assert!(sent(&s, &srv, "/cookies").contains_key("d"));
    assert!(!sent(&s, &srv, "/anything/x").contains_key("d"));
}

#[test]
fn secure_cookies_are_not_set_from_http_nor_sent_over_it() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    // cookie_store would treat loopback http as secure; hsession does not.
    set_raw(
        &s,
        &srv,
        &["sec=1; Path=/; Secure", "__Secure-a=1; Path=/; Secure"],
    );
    assert!(s.jar().is_empty(), "{:?}", s.jar().cookies());
    rejected(
        s.jar().set_cookie(&srv.url("/"), "sec=1; Secure"),
        "can only be set from an https URL",
    );

    // Set for https://127.0.0.1 (same host, any port): only https gets it.
    s.jar()
        .set_cookie("https://127.0.0.1/", "sec=1; Path=/; Secure")
        .unwrap();
    let https: Vec<_> = s.jar().cookies_for("https://127.0.0.1/").unwrap();
    assert_eq!(names(&https), ["sec"]);
    assert!(s.jar().cookies_for(&srv.url("/")).unwrap().is_empty());
    assert!(!sent(&s, &srv, "/cookies").contains_key("sec"));
}

#[test]
fn http_cannot_overwrite_or_shadow_a_secure_cookie() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.jar()
        .set_cookie("https://127.0.0.1/", "tok=good; Path=/; Secure")
        .unwrap();
    set_raw(&s, &srv, &["tok=evil; Path=/", "tok=evil2; Path=/cookies"]);
    let all = s.jar().cookies();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].value, "good");
    assert!(all[0].secure);
    // From https it may be replaced.
    s.jar()
        .set_cookie("https://127.0.0.1/", "tok=new; Path=/")
        .unwrap();
    assert_eq!(s.jar().cookies()[0].value, "new");
}

#[test]
fn prefixes_secure_and_host_are_enforced() {
    let s = Session::new().unwrap();
    let j = s.jar();
    rejected(
        j.set_cookie("https://example.com/", "__Secure-a=1"),
        "__Secure- prefix",
    );
    rejected(
        j.set_cookie("https://example.com/", "__secure-a=1"),
        "__Secure- prefix",
    );
    j.set_cookie("https://example.com/", "__Secure-a=1; Secure")
        .unwrap();

    let host = |sc: &str| j.set_cookie("https://www.example.com/x/y", sc);
    rejected(host("__Host-h=1; Path=/"), "__Host- prefix");
    rejected(host("__Host-h=1; Secure"), "__Host- prefix");
    rejected(host("__Host-h=1; Secure; Path=/x"), "__Host- prefix");
    rejected(
        host("__Host-h=1; Secure; Path=/; Domain=example.com"),
        "__Host- prefix",
    );
    rejected(
        host("__HOST-h=1; Secure; Path=/; Domain=www.example.com"),
        "__Host- prefix",
    );
    host("__Host-h=1; Secure; Path=/").unwrap();
    let h = find(&j.cookies(), "__Host-h").clone();
    assert!(h.host_only && h.secure);
    assert_eq!(
        (h.domain.as_str(), h.path.as_str()),
        ("www.example.com", "/")
    );
    assert_eq!(j.len(), 2);
}

#[test]
fn max_age_wins_over_expires_and_expired_cookies_are_deleted() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    set_raw(
        &s,
        &srv,
        &[
            "m=1; Path=/; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:10 GMT",
            "gone=1; Path=/; Max-Age=0; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
            "past=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:10 GMT",
            "keep=1; Path=/",
            "neg=1; Path=/",
        ],
    );
    let all = s.jar().cookies();
    assert_eq!(names(&all), ["m", "keep", "neg"]);
    let left = find(&all, "m")
        .expires
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(left > Duration::from_secs(3590), "{left:?}");

    // Max-Age=0 and a negative Max-Age delete; the jar keeps no expired entry.
    get(&s, &srv.url("/cookies/delete?keep"));
    set_raw(&s, &srv, &["neg=x; Path=/; Max-Age=-1"]);
    assert_eq!(names(&s.jar().cookies()), ["m"]);
    assert_eq!(s.jar().len(), 1);
    let got = sent(&s, &srv, "/cookies");
    assert_eq!(got.keys().collect::<Vec<_>>(), ["m"]);

    // A cookie that expires while in the jar is neither listed nor sent.
    s.jar()
        .set_cookie(&srv.url("/"), "short=1; Path=/; Max-Age=1")
        .unwrap();
    assert!(sent(&s, &srv, "/cookies").contains_key("short"));
    std::thread::sleep(Duration::from_millis(2100));
    assert!(!sent(&s, &srv, "/cookies").contains_key("short"));
    assert_eq!(names(&s.jar().cookies()), ["m"]);
}

#[test]
fn control_characters_are_refused() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    // A tab passes HTTP header rules but not a cookie value's.
    set_raw(&s, &srv, &["t=a\tb; Path=/", "ok=1; Path=/"]);
    assert_eq!(names(&s.jar().cookies()), ["ok"]);
    let j = s.jar();
    let url = srv.url("/");
    for bad in [
        "a=b\u{1}c",
        "a=b\rc",
        "a=b\nc",
        "a=b\0",
        "a=b; Path=/\u{7f}",
        "a\u{1}=b",
    ] {
        rejected(j.set_cookie(&url, bad), "control character");
    }
    rejected(j.set(&url, &Cookie::new("a", "x\ty")), "contains");
    rejected(j.set(&url, &Cookie::new("a b", "x")), "invalid cookie name");
    rejected(j.set(&url, &Cookie::new("", "x")), "empty");
    rejected(j.set(&url, &Cookie::new("a", "x;y")), "contains");
    rejected(
        j.set(&url, &Cookie::new("big", &"x".repeat(4094))),
        "too large",
    );
    rejected(j.set_cookie(&url, "novalue"), "invalid Set-Cookie");
    assert_eq!(j.len(), 1, "nothing bad entered the jar");
    // The session is still usable.
    assert_eq!(sent(&s, &srv, "/cookies")["ok"], "1");
}

#[test]
fn at_most_50_cookies_per_domain_the_least_recently_used_go_first() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let raws: Vec<String> = (0..60).map(|i| format!("c{i}=v; Path=/")).collect();
    let refs: Vec<&str> = raws.iter().map(String::as_str).collect();
    // One response sets at most 50 (curl's limit); the rest are ignored.
    set_raw(&s, &srv, &refs);
    let all = s.jar().cookies();
    assert_eq!(all.len(), 50);
    assert_eq!(all[0].name, "c0");
    assert_eq!(all[49].name, "c49");
    // Two responses: the per-domain limit deletes the least recently used.
    s.jar().clear();
    set_raw(&s, &srv, &refs[..30]);
    set_raw(&s, &srv, &refs[30..]);
    let all = s.jar().cookies();
    assert_eq!(all.len(), 50);
    assert_eq!(all[0].name, "c10");
    assert_eq!(all[49].name, "c59");

    // Per registrable domain: subdomains share it, another domain does not.
    let j = Session::new().unwrap();
    for i in 0..30 {
        j.jar()
            .set_cookie("https://a.example.com/", &format!("a{i}=1"))
            .unwrap();
        j.jar()
            .set_cookie("https://b.example.com/", &format!("b{i}=1"))
            .unwrap();
    }
    j.jar()
        .set_cookie("https://example.org/", "other=1")
        .unwrap();
    let all = j.jar().cookies();
    assert_eq!(all.len(), 51);
    assert!(!all.iter().any(|c| c.name == "a0" || c.name == "b4"));
    assert!(all.iter().any(|c| c.name == "b5"));
    // Updating a cookie keeps its place (RFC 6265: creation time kept).
    j.jar()
        .set_cookie("https://a.example.com/", "a5=changed")
        .unwrap();
    assert_eq!(j.jar().cookies()[0].name, "a5");
}

/// Set-Cookie header values, as a response carries them.
fn set_cookies(raws: impl IntoIterator<Item = String>) -> Vec<reqwest::header::HeaderValue> {
    raws.into_iter()
        .map(|r| reqwest::header::HeaderValue::try_from(r).unwrap())
        .collect()
}

#[test]
fn a_flood_of_cookies_evicts_non_secure_least_recently_used_first() {
    // Redirects through 60 IP hosts, each setting 50 cookies or more, fill
    // the jar (3000).
    let s = Session::new().unwrap();
    let j = s.jar();
    j.set_cookie("https://bank.example/", "login=1; Secure")
        .unwrap();
    j.set_cookie("http://shop.example/", "cart=1").unwrap();
    j.set_cookie("http://news.example/", "unused=1").unwrap();
    // The cart cookie is sent: now it is the more recently used.
    assert!(j
        .header_for(&"http://shop.example/".parse().unwrap())
        .is_some());
    // 59 responses of 60 Set-Cookie (50 taken from each), then 48: the
    // jar is one over its limit.
    for host in 0..60 {
        let url = url::Url::parse(&format!("http://10.0.0.{host}/")).unwrap();
        let n = if host == 59 { 48 } else { 60 };
        j.store(set_cookies((0..n).map(|i| format!("f{i}=x"))).iter(), &url);
    }
    assert_eq!(j.len(), hsession::cookies::MAX_COOKIES);
    let has = |n: &str| j.cookies().iter().any(|c| c.name == n);
    assert!(has("login"), "the Secure login cookie was evicted");
    assert!(has("cart"), "the recently sent cookie was evicted");
    assert!(!has("unused"));
    // One more: the cart cookie is now the least recently used non-Secure.
    let url = url::Url::parse("http://10.0.1.1/").unwrap();
    j.store(set_cookies(["g=x".to_owned()]).iter(), &url);
    assert!(!has("cart"));
    assert!(has("login") && has("g"));
    assert_eq!(j.len(), hsession::cookies::MAX_COOKIES);
}

#[test]
fn the_cookie_header_stays_under_8_kib_dropping_the_least_specific() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let big = "v".repeat(1000);
    // Specific (long path) cookies first in the header, then oldest first.
    let mut raws = vec![format!("deep=1; Path=/anything/a")];
    for i in 0..10 {
        raws.push(format!("big{i}={big}; Path=/"));
    }
    let refs: Vec<&str> = raws.iter().map(String::as_str).collect();
    set_raw(&s, &srv, &refs);
    assert_eq!(s.jar().len(), 11);

    let body = json(&get(&s, &srv.url("/anything/a")));
    let header = echoed(&body, "cookie");
    assert_eq!(header.len(), 1);
    assert!(header[0].len() <= 8192, "{}", header[0].len());
    let names_sent: Vec<&str> = header[0]
        .split("; ")
        .map(|p| p.split('=').next().unwrap())
        .collect();
    assert_eq!(
        names_sent,
        ["deep", "big0", "big1", "big2", "big3", "big4", "big5", "big6", "big7"],
        "longest path first, then oldest; the newest /-cookies are left out"
    );
    let listed = s.jar().cookies_for(&srv.url("/anything/a")).unwrap();
    assert_eq!(names(&listed), names_sent);
}

#[test]
fn per_request_cookies_are_sent_once_win_by_name_and_never_stored() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    set_raw(&s, &srv, &["a=jar; Path=/", "b=jar; Path=/"]);
    let mut req = Request::new("GET", &srv.url("/cookies")).unwrap();
    req.cookie("a", "req").unwrap().cookie("c", "one").unwrap();
    req.cookie("c", "two").unwrap();
    let got = json(&s.send(&req).unwrap())["cookies"].clone();
    assert_eq!(got["a"], "req", "the request's value wins");
    assert_eq!(got["b"], "jar");
    assert_eq!(got["c"], "two");
    assert_eq!(
        s.jar()
            .cookies()
            .iter()
            .map(|c| (c.name.as_str(), c.value.as_str()))
            .collect::<Vec<_>>(),
        [("a", "jar"), ("b", "jar")],
        "the jar is unchanged"
    );
    let again = sent(&s, &srv, "/cookies");
    assert_eq!(again["a"], "jar");
    assert!(!again.contains_key("c"));

    // Same origin redirect: kept; to another origin: dropped.
    let other = TestServer::start();
    let mut req = Request::new(
        "GET",
        &srv.url(&format!("/redirect-to?url={}", enc(&other.url("/cookies")))),
    )
    .unwrap();
    req.cookie("r", "1").unwrap();
    let got = json(&s.send(&req).unwrap())["cookies"].clone();
    assert!(got.get("r").is_none(), "{got}");
    let mut req = Request::new("GET", &srv.url("/redirect-to?url=%2Fcookies")).unwrap();
    req.cookie("r", "1").unwrap();
    assert_eq!(json(&s.send(&req).unwrap())["cookies"]["r"], "1");

    let mut req = Request::new("GET", &srv.url("/cookies")).unwrap();
    assert_eq!(
        req.cookie("x", "a\rb").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        req.cookie("x=y", "a").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

// ---------- domains, through the API (nothing sent) ----------

#[test]
fn public_suffix_domains_are_refused() {
    let s = Session::new().unwrap();
    let j = s.jar();
    rejected(
        j.set_cookie("https://a.example.co.uk/", "x=1; Domain=co.uk"),
        "public suffix",
    );
    rejected(
        j.set_cookie("https://a.example.co.uk/", "x=1; Domain=.uk"),
        "public suffix",
    );
    rejected(
        j.set_cookie("https://example.com/", "x=1; Domain=com"),
        "public suffix",
    );
    // The private section of the list too.
    rejected(
        j.set_cookie("https://me.github.io/", "x=1; Domain=github.io"),
        "public suffix",
    );
    assert!(j.is_empty());
    j.set_cookie("https://a.example.co.uk/", "ok=1; Domain=example.co.uk")
        .unwrap();
    assert_eq!(
        names(&j.cookies_for("https://b.example.co.uk/").unwrap()),
        ["ok"]
    );
    assert!(j.cookies_for("https://other.co.uk/").unwrap().is_empty());
    // A host that is itself a public suffix gets a host-only cookie.
    j.set_cookie("https://github.io/", "ps=1; Domain=github.io")
        .unwrap();
    let ps = find(&j.cookies(), "ps").clone();
    assert!(ps.host_only);
    assert!(j
        .cookies_for("https://me.github.io/")
        .unwrap()
        .iter()
        .all(|c| c.name != "ps"));
}

#[test]
fn unlisted_top_level_domains_are_public_suffixes() {
    // The list's implicit "*" rule: every TLD it does not name is a public
    // suffix, so wiki.corp cannot set a cookie that payroll.corp receives.
    let s = Session::new().unwrap();
    let j = s.jar();
    for tld in ["corp", "internal", "local", "localhost", "test", "lan"] {
        rejected(
            j.set_cookie(
                &format!("https://wiki.{tld}/"),
                &format!("x=1; Domain={tld}"),
            ),
            "public suffix",
        );
        rejected(
            j.set_cookie(
                &format!("https://wiki.{tld}/"),
                &format!("x=1; Domain=.{tld}"),
            ),
            "public suffix",
        );
        assert!(j
            .cookies_for(&format!("https://payroll.{tld}/"))
            .unwrap()
            .is_empty());
    }
    assert!(j.is_empty());
    // A dot-less host may still set a cookie for itself: host-only.
    j.set_cookie("http://localhost/", "me=1; Domain=localhost")
        .unwrap();
    assert!(find(&j.cookies(), "me").host_only);
    // A registrable domain under an unlisted TLD works as usual.
    j.set_cookie("https://wiki.corp/", "site=1; Domain=wiki.corp")
        .unwrap();
    assert_eq!(
        names(&j.cookies_for("https://a.wiki.corp/").unwrap()),
        ["site"]
    );
}

#[test]
fn host_only_and_domain_cookies_match_as_rfc_6265_says() {
    let s = Session::new().unwrap();
    let j = s.jar();
    j.set_cookie("https://example.com/", "host=1").unwrap();
    j.set_cookie("https://example.com/", "dom=1; Domain=example.com")
        .unwrap();
    j.set_cookie("https://www.example.com/", "sub=1; Domain=.EXAMPLE.com")
        .unwrap();
    rejected(
        j.set_cookie("https://example.com/", "x=1; Domain=other.com"),
        "does not domain-match",
    );
    rejected(
        j.set_cookie("https://example.com/", "x=1; Domain=www.example.com"),
        "does not domain-match",
    );
    let at = |u: &str| {
        let mut v: Vec<String> = j
            .cookies_for(u)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        v.sort();
        v
    };
    assert_eq!(at("https://example.com/"), ["dom", "host", "sub"]);
    assert_eq!(at("https://www.example.com/"), ["dom", "sub"]);
    assert_eq!(at("https://a.b.example.com/"), ["dom", "sub"]);
    assert!(at("https://badexample.com/").is_empty());
    let sub = find(&j.cookies(), "sub").clone();
    assert_eq!(sub.domain, "example.com");
    assert!(!sub.host_only);
}

#[test]
fn set_from_fields_delete_and_clear() {
    let s = Session::new().unwrap();
    let j = s.jar();
    let mut c = Cookie::new("f", "1");
    c.path = "/p".into();
    c.expires = Some(SystemTime::now() + Duration::from_secs(600));
    c.http_only = true;
    j.set("https://example.com/x", &c).unwrap();
    let mut d = Cookie::new("g", "2");
    d.domain = "example.com".into();
    d.host_only = false;
    j.set("https://www.example.com/a/b", &d).unwrap();
    j.set("https://example.org/", &Cookie::new("h", "3"))
        .unwrap();
    j.set_cookie("https://www.example.com/", "w=1; Path=/")
        .unwrap();

    let all = j.cookies();
    assert_eq!(names(&all), ["f", "g", "h", "w"]);
    let g = find(&all, "g");
    assert_eq!(g.path, "/a", "empty path: the URL's default path");
    assert!(!g.host_only);
    let f = find(&all, "f");
    assert!(f.http_only && f.host_only && f.expires.is_some());

    let mut bad = Cookie::new("x", "1");
    bad.domain = "other.com".into();
    rejected(
        j.set("https://example.com/", &bad),
        "host-only cookie's domain",
    );
    bad.host_only = false;
    rejected(j.set("https://example.com/", &bad), "does not domain-match");
    bad.domain.clear();
    rejected(j.set("https://example.com/", &bad), "needs a domain");
    let mut bad = Cookie::new("x", "1");
    bad.path = "nopath".into();
    rejected(j.set("https://example.com/", &bad), "invalid path");
    assert_eq!(
        j.set("ftp://example.com/", &Cookie::new("x", "1"))
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedScheme
    );

    // Expiries past the year 9999 are clamped, not an overflow.
    let mut far = Cookie::new("far", "1");
    far.expires = Some(UNIX_EPOCH + Duration::from_secs(1 << 40));
    j.set("https://example.com/", &far).unwrap();
    let year_9999 = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    assert_eq!(find(&j.cookies(), "far").expires, Some(year_9999));
    for secs in [i64::MIN, i64::MAX] {
        let text = format!(
            "{{\"format\":\"hsession-cookies\",\"version\":1,\"cookies\":[{{\"name\":\"x{}\",\
             \"value\":\"1\",\"domain\":\"example.net\",\"path\":\"/\",\"host_only\":true,\
             \"secure\":false,\"http_only\":false,\"expires\":{secs}}}]}}",
            secs > 0
        );
        assert_eq!(
            j.import(&text, CookieFileFormat::Json).unwrap(),
            usize::from(secs > 0)
        );
    }
    assert_eq!(find(&j.cookies(), "xtrue").expires, Some(year_9999));
    assert_eq!(
        j.remove("example.com", None, "far") + j.remove("example.net", None, "xtrue"),
        2
    );

    // An expiry in the past deletes.
    let mut gone = f.clone();
    gone.expires = Some(UNIX_EPOCH + Duration::from_secs(1));
    j.set("https://example.com/", &gone).unwrap();
    assert_eq!(names(&j.cookies()), ["g", "h", "w"]);

    assert_eq!(j.remove("example.com", Some("/nope"), "g"), 0);
    assert_eq!(j.remove(".example.com", None, "g"), 1);
    assert_eq!(j.remove("example.com", None, "g"), 0);
    j.set("https://example.com/", &Cookie::new("e", "1"))
        .unwrap();
    assert_eq!(
        j.clear_domain("example.com"),
        2,
        "example.com and www.example.com"
    );
    assert_eq!(names(&j.cookies()), ["h"]);

    j.set_cookie("https://example.org/", "p=1; Max-Age=100")
        .unwrap();
    assert_eq!(j.clear_session_cookies(), 1);
    assert_eq!(names(&j.cookies()), ["p"]);
    j.clear();
    assert!(j.is_empty());
}

// ---------- persistence ----------

fn varied_jar() -> Session {
    let s = Session::new().unwrap();
    let j = s.jar();
    let in_a_day = "Max-Age=86400";
    j.set_cookie("https://example.com/", "host=h1; Path=/")
        .unwrap();
    j.set_cookie(
        "https://www.example.com/",
        &format!("dom=d1; Domain=example.com; Path=/; {in_a_day}"),
    )
    .unwrap();
    j.set_cookie(
        "https://example.com/",
        &format!("sec=s1; Secure; HttpOnly; Path=/a/b; {in_a_day}"),
    )
    .unwrap();
    j.set_cookie("http://127.0.0.1:8080/x/y", "ip=i1").unwrap();
    j.set_cookie("https://example.org/", "__Host-k=v; Secure; Path=/")
        .unwrap();
    j.set_cookie("https://example.org/", "empty=; Path=/")
        .unwrap();
    j.set_cookie("https://[::1]/", "six=6; HttpOnly; Path=/")
        .unwrap();
    assert_eq!(j.len(), 7);
    s
}

#[test]
fn json_and_cookies_txt_round_trip_field_by_field() {
    let dir = TempDir::new("roundtrip");
    let original = varied_jar();
    let want = original.jar().cookies();
    for (format, file) in [
        (CookieFileFormat::Json, "jar.json"),
        (CookieFileFormat::Netscape, "cookies.txt"),
    ] {
        let path = dir.path(file);
        assert_eq!(original.jar().save(&path, format).unwrap(), 7);
        let copy = Session::new().unwrap();
        assert_eq!(copy.jar().load(&path, format).unwrap(), 7, "{format:?}");
        assert_eq!(copy.jar().cookies(), want, "{format:?}");
        // Loading again replaces rather than duplicates.
        copy.jar().load(&path, format).unwrap();
        assert_eq!(copy.jar().cookies(), want, "{format:?}");
    }
    let text = std::fs::read_to_string(dir.path("cookies.txt")).unwrap();
    assert!(text.starts_with("# Netscape HTTP Cookie File"));
    assert!(
        text.contains("\nexample.com\tFALSE\t/\tFALSE\t0\thost\th1\n"),
        "{text}"
    );
    assert!(text.contains("\n.example.com\tTRUE\t/\tFALSE\t"), "{text}");
    assert!(
        text.contains("\n#HttpOnly_example.com\tFALSE\t/a/b\tTRUE\t"),
        "{text}"
    );
    assert!(
        text.contains("\nexample.org\tFALSE\t/\tFALSE\t0\tempty\t\n"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn files_are_written_0600_atomically_and_errors_are_clear() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("atomic");
    let s = varied_jar();
    let path = dir.path("jar.txt");
    std::fs::write(&path, "old content").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    s.jar().save(&path, CookieFileFormat::Netscape).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(dir.entries(), ["jar.txt"], "no temporary file left behind");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("\thost\th1"));

    // A directory that does not exist: Io, and nothing is created.
    let e = s
        .jar()
        .save(dir.path("no/such/dir/jar.txt"), CookieFileFormat::Json)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    let e = s
        .jar()
        .load(dir.path("missing.txt"), CookieFileFormat::Json)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.message().contains("missing.txt"), "{e}");
    // A write that fails leaves the old file whole.
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o500)).unwrap();
    let denied = s.jar().save(&path, CookieFileFormat::Json);
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o700)).unwrap();
    if let Err(e) = denied {
        // (root may write anyway; then there is nothing to check here.)
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("\thost\th1"));
    }

    // Malformed files: Parse, naming the line, and the jar is unchanged.
    let before = s.jar().cookies();
    for (text, format, why) in [
        (
            "example.com\tFALSE\t/\tFALSE\t0\tonly6\n",
            CookieFileFormat::Netscape,
            "",
        ),
        (
            "example.com\tFALSE\t/\n",
            CookieFileFormat::Netscape,
            "line 1",
        ),
        (
            "# c\nexample.com\tMAYBE\t/\tFALSE\t0\ta\tb\n",
            CookieFileFormat::Netscape,
            "line 2",
        ),
        (
            "example.com\tFALSE\t/\tFALSE\tsoon\ta\tb\n",
            CookieFileFormat::Netscape,
            "not a number",
        ),
        (
            "{\"cookies\": []}",
            CookieFileFormat::Json,
            "not an hsession cookie file",
        ),
        ("[1,", CookieFileFormat::Json, "not JSON"),
        (
            "{\"format\":\"hsession-cookies\",\"version\":1,\"cookies\":[{\"name\":\"a\"}]}",
            CookieFileFormat::Json,
            "\"value\"",
        ),
    ] {
        let r = s.jar().import(text, format);
        if why.is_empty() {
            // Six fields: curl's form of an empty value.
            assert_eq!(r.unwrap(), 1);
            s.jar().remove("example.com", None, "only6");
            continue;
        }
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
        assert!(e.message().contains(why), "{e} lacks {why}");
    }
    assert_eq!(s.jar().cookies(), before);

    // What the rules refuse is skipped on load, not trusted from the file.
    let n = s
        .jar()
        .import(
            ".co.uk\tTRUE\t/\tFALSE\t0\tsuper\t1\n\
             example.net\tFALSE\t/\tFALSE\t1\told\t1\n\
             example.net\tFALSE\t/\tFALSE\t0\tgood\t1\n",
            CookieFileFormat::Netscape,
        )
        .unwrap();
    assert_eq!(
        n, 2,
        "co.uk becomes host-only of the host co.uk; the expired one is skipped"
    );
    assert!(s.jar().cookies_for("https://a.co.uk/").unwrap().is_empty());
}

#[test]
fn a_cookie_file_set_on_the_session_survives_a_restart() {
    let srv = TestServer::start();
    let dir = TempDir::new("restart");
    let path = dir.path("session.json");
    {
        let s = Session::new().unwrap();
        assert_eq!(
            s.jar()
                .set_cookie_file(&path, CookieFileFormat::Json)
                .unwrap(),
            0
        );
        let mut login = Request::new("POST", &srv.url("/login")).unwrap();
        login
            .header("Content-Type", "application/x-www-form-urlencoded")
            .unwrap()
            .body("username=user&password=pass");
        assert_eq!(s.send(&login).unwrap().status(), 200);
        assert!(!path.exists(), "saved when the session goes, not before");
    }
    assert!(path.exists());
    let s = Session::new().unwrap();
    assert_eq!(get(&s, &srv.url("/protected")).status(), 401);
    assert_eq!(
        s.jar()
            .set_cookie_file(&path, CookieFileFormat::Json)
            .unwrap(),
        1
    );
    assert_eq!(get(&s, &srv.url("/protected")).status(), 200);

    // A corrupt file is an error and is never overwritten.
    let bad = dir.path("bad.txt");
    std::fs::write(&bad, "not\ta\tcookie\n").unwrap();
    {
        let s2 = Session::new().unwrap();
        let e = s2
            .jar()
            .set_cookie_file(&bad, CookieFileFormat::Netscape)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse);
        s2.jar().set_cookie(&srv.url("/"), "x=1").unwrap();
    }
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "not\ta\tcookie\n");
}

#[test]
fn a_cookies_txt_written_by_curl_loads_and_its_cookies_are_sent() {
    let curl = ["/usr/bin/curl", "/usr/local/bin/curl"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(curl) = curl else {
        eprintln!("SKIPPED: curl is not installed (apt-get install -y curl)");
        return;
    };
    let srv = TestServer::start();
    let dir = TempDir::new("curl");
    let file = dir.path("curl-cookies.txt");
    let url = srv.url(&format!(
        "/cookies/set-raw?c={}&c={}&c={}",
        enc("plain=p1; Path=/"),
        enc("ho=h1; Path=/; HttpOnly"),
        enc("lasting=l1; Path=/; Max-Age=86400"),
    ));
    let status = std::process::Command::new(curl)
        .args(["-s", "-o", "/dev/null", "-c"])
        .arg(&file)
        .arg(&url)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("#HttpOnly_127.0.0.1\t"), "{text}");

    let s = Session::new().unwrap();
    assert_eq!(
        s.jar().load(&file, CookieFileFormat::Netscape).unwrap(),
        3,
        "{text}"
    );
    let all = s.jar().cookies();
    assert!(find(&all, "ho").http_only);
    assert!(find(&all, "lasting").expires.is_some());
    assert_eq!(find(&all, "plain").expires, None);
    let got = sent(&s, &srv, "/cookies");
    assert_eq!(
        (
            got["plain"].as_str(),
            got["ho"].as_str(),
            got["lasting"].as_str()
        ),
        (Some("p1"), Some("h1"), Some("l1"))
    );

    // And curl reads what hsession writes.
    let ours = dir.path("ours.txt");
    s.jar()
        .set_cookie(&srv.url("/"), "mine=m1; Path=/")
        .unwrap();
    s.jar().save(&ours, CookieFileFormat::Netscape).unwrap();
    let out = std::process::Command::new(curl)
        .args(["-s", "-b"])
        .arg(&ours)
        .arg(srv.url("/cookies"))
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["cookies"]["mine"], "m1");
    assert_eq!(body["cookies"]["ho"], "h1");
}
