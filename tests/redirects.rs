//! Redirects: history, limits, method rewriting, cookies on every hop, and
//! credentials that never follow a change of origin.

mod common;
use common::*;
use hsession::{ErrorKind, Request, Session};

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn history_lists_each_hop() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let resp = get(&s, &srv.url("/redirect/3"));
    assert_eq!(resp.status(), 200);
    assert!(resp.url().path().ends_with("/echo"));
    let hops: Vec<_> = resp
        .history()
        .iter()
        .map(|(st, u)| (*st, u.path().to_owned()))
        .collect();
    assert_eq!(
        hops,
        vec![
            (302, "/redirect/3".into()),
            (302, "/redirect/2".into()),
            (302, "/redirect/1".into())
        ]
    );
    assert_eq!(s.requests_sent(), 4, "each hop is a request on the wire");
    assert_eq!(
        s.connections_opened(),
        1,
        "small redirect bodies are drained, the connection reused"
    );
}

#[test]
fn limits_session_and_per_request() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    assert_eq!(s.max_redirects(), 30);

    s.set_max_redirects(0);
    let resp = get(&s, &srv.url("/redirect/2"));
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.header("location"), Some("/redirect/1"));
    assert!(resp.history().is_empty());

    s.set_max_redirects(30);
    let mut req = Request::new("GET", &srv.url("/redirect/5")).unwrap();
    req.max_redirects(2);
    let err = s.send(&req).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);

    // A redirect to itself ("#x" resolves to the same URL) stops at the limit.
    let before = srv.requests_served();
    let err = s
        .send(&Request::new("GET", &srv.url("/redirect-to?url=%23x")).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects, "{err}");
    assert!(err.message().contains("30"), "{err}");
    assert_eq!(
        srv.requests_served() - before,
        31,
        "the first request and 30 redirects"
    );
}

#[test]
fn methods_and_bodies_across_redirects() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    for (status, method, body) in [
        (303, "GET", ""),
        (302, "GET", ""),
        (307, "POST", "payload"),
        (308, "POST", "payload"),
    ] {
        let mut req = Request::new(
            "POST",
            &srv.url(&format!("/redirect-to?url=%2Fecho&status={status}")),
        )
        .unwrap();
        req.header("Content-Type", "text/plain")
            .unwrap()
            .body("payload");
        let resp = s.send(&req).unwrap();
        let echo = json(&resp);
        assert_eq!(echo["method"], method, "{status}");
        assert_eq!(echo["body"], body, "{status}");
        if body.is_empty() {
            assert!(
                echoed(&echo, "content-type").is_empty(),
                "{status}: Content-Type kept without a body"
            );
        }
        assert_eq!(resp.history()[0].0, status);
    }
}

#[test]
fn unsupported_location_schemes_are_refused() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let req = Request::new(
        "GET",
        &srv.url("/redirect-to?url=ftp%3A%2F%2F127.0.0.1%2Ff"),
    )
    .unwrap();
    assert_eq!(
        s.send(&req).unwrap_err().kind(),
        ErrorKind::UnsupportedScheme
    );
}

#[test]
fn cookies_set_on_intermediate_hops_are_kept_and_recomputed() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let url = srv.url(&format!(
        "/redirect-to?url=%2Fcookies&set_cookie={}",
        enc("hop=1; Path=/")
    ));
    let resp = get(&s, &url);
    assert_eq!(
        json(&resp)["cookies"]["hop"],
        "1",
        "the cookie set on the hop went to the next hop"
    );
    assert_eq!(s.jar().len(), 1);
}

#[test]
fn credentials_do_not_follow_another_origin_and_stay_dropped() {
    let a = TestServer::start();
    let b = TestServer::start();
    let s = Session::new().unwrap();
    s.set_bearer_auth("secret").unwrap();
    get(&s, &a.url("/cookies/set?a_only=1"));

    // Same origin: Authorization kept.
    let resp = get(&s, &a.url("/redirect-to?url=%2Fecho"));
    assert_eq!(echoed(&json(&resp), "authorization"), vec!["Bearer secret"]);

    // A -> B (another port): dropped. (Cookies are per host, not per port,
    // by RFC 6265, so the jar's 127.0.0.1 cookies do go to B.)
    let resp = get(
        &s,
        &a.url(&format!("/redirect-to?url={}", enc(&b.url("/echo")))),
    );
    assert!(echoed(&json(&resp), "authorization").is_empty());

    // A -> B -> A: still dropped on the way back, and a caller-set Cookie too;
    // the jar's cookies for A are computed again for the last hop.
    let back = b.url(&format!("/redirect-to?url={}", enc(&a.url("/echo"))));
    let mut req = Request::new("GET", &a.url(&format!("/redirect-to?url={}", enc(&back)))).unwrap();
    req.header("Cookie", "caller=1").unwrap();
    let resp = s.send(&req).unwrap();
    let echo = json(&resp);
    assert_eq!(resp.history().len(), 2);
    assert!(
        echoed(&echo, "authorization").is_empty(),
        "Authorization came back on A->B->A"
    );
    assert!(echo["cookies"].get("caller").is_none());
    assert_eq!(echo["cookies"]["a_only"], "1");
}

#[test]
fn non_ascii_location_is_percent_encoded() {
    // RFC 1808 Locations: UTF-8 (or other) bytes are percent-encoded and
    // followed, as requests and browsers do.
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let resp = get(
        &s,
        &srv.url(&format!("/redirect-to?url={}", enc("/anything/é?q=ü"))),
    );
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.url().path(), "/anything/%C3%A9");
    assert_eq!(resp.url().query(), Some("q=%C3%BC"));
}

#[test]
fn fragment_kept_across_redirects_unless_location_has_one() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let start = srv.url(&format!("/redirect-to?url={}", enc("/echo")));
    let resp = get(&s, &format!("{start}#section"));
    assert_eq!(resp.url().fragment(), Some("section"));
    assert_eq!(resp.history()[0].1.fragment(), Some("section"));

    let start = srv.url(&format!("/redirect-to?url={}", enc("/echo#other")));
    let resp = get(&s, &format!("{start}#section"));
    assert_eq!(resp.url().fragment(), Some("other"));

    // No redirect: the URL as requested.
    let resp = get(&s, &srv.url("/echo#here"));
    assert_eq!(resp.url().fragment(), Some("here"));
}

#[test]
fn packed_tag_27_returns_the_redirect_at_the_limit() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let field = |tag: u8, payload: &[u8]| {
        let mut v = vec![tag];
        v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    };
    let url = srv.url("/redirect/5");
    let mut buf = field(1, b"GET");
    buf.extend(field(2, url.as_bytes()));
    buf.extend(field(14, &2u32.to_le_bytes()));
    let req = hsession::ffi::packed::unpack_request(&buf).unwrap();
    assert_eq!(
        s.send(&req).unwrap_err().kind(),
        ErrorKind::TooManyRedirects
    );
    buf.extend(field(27, &[1]));
    let req = hsession::ffi::packed::unpack_request(&buf).unwrap();
    let resp = s.send(&req).unwrap();
    assert_eq!(resp.status(), 302, "the third redirect, not followed");
    assert_eq!(resp.history().len(), 2);
    assert_eq!(resp.header("location"), Some("/redirect/2"));
}
