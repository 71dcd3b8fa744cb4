//! Digest authentication (RFC 7616) against the test server's
//! `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}]`, which checks the
//! response hash and that each nonce count grows.

mod common;
use common::*;
use hsession::{Request, Session};

#[test]
fn md5_and_sha256_with_qop_auth_and_without_qop() {
    let srv = TestServer::start();
    for path in [
        "/digest-auth/auth/user/pass",
        "/digest-auth/auth/user/pass/MD5",
        "/digest-auth/auth/user/pass/SHA-256",
        "/digest-auth/auth/user/pass/MD5-sess",
        "/digest-auth/auth/user/pass/SHA-256-sess",
        "/digest-auth/auth/user/pass/SHA-512",
        "/digest-auth/none/user/pass",
        "/digest-auth/none/user/pass/SHA-256",
    ] {
        let s = Session::new().unwrap();
        let url = srv.url(path);
        assert_eq!(get(&s, &url).status(), 401, "{path} without credentials");
        s.set_digest_auth("user", "pass").unwrap();
        let resp = get(&s, &url);
        assert_eq!(resp.status(), 200, "{path}: {}", resp.text());
        let body = json(&resp);
        assert_eq!(body["authenticated"], true);
        assert_eq!(body["user"], "user");
        // The 401 answered is in the history, as with requests.
        assert_eq!(resp.history().len(), 1);
        assert_eq!(resp.history()[0].0, 401);
        // The challenge's cookie was kept, as with requests.
        assert!(s
            .jar()
            .header_for(&url::Url::parse(&url).unwrap())
            .is_some_and(|c| c.contains("fake=fake_value")));
    }
}

#[test]
fn wrong_password_returns_the_second_401() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_digest_auth("user", "wrong").unwrap();
    let before = s.requests_sent();
    let resp = get(&s, &srv.url("/digest-auth/auth/user/pass"));
    assert_eq!(resp.status(), 401);
    assert!(resp
        .header("www-authenticate")
        .unwrap()
        .starts_with("Digest "));
    // The challenge was answered once, not again.
    assert_eq!(s.requests_sent() - before, 2);
    assert_eq!(resp.history().len(), 1);

    let mut req = Request::new("GET", &srv.url("/digest-auth/auth/user/pass/SHA-256")).unwrap();
    req.digest_auth("user", "wrong").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 401);
}

#[test]
fn later_requests_reuse_the_challenge_with_the_next_nonce_count() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_digest_auth("user", "pass").unwrap();
    let url = srv.url("/digest-auth/auth/user/pass/SHA-256");
    assert_eq!(get(&s, &url).status(), 200);
    assert_eq!(s.requests_sent(), 2); // the 401, then the answer
    for n in 0..3 {
        // The server refuses a nonce count that does not grow.
        assert_eq!(get(&s, &url).status(), 200, "request {n}");
    }
    assert_eq!(s.requests_sent(), 5); // no new 401
                                      // Another path of the same origin, with a query: same challenge.
    let resp = get(&s, &format!("{url}?x=1"));
    assert_eq!(resp.status(), 200);
    assert_eq!(s.requests_sent(), 6);
    // A POST with a body is answered too, the body sent again.
    let mut req = Request::new("POST", &srv.url("/digest-auth/none/user/pass")).unwrap();
    req.body("hello");
    let resp = s.send(&req).unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(s.requests_sent(), 8); // new challenge (another nonce) for no qop

    // Basic auth replaces digest, and clear_auth removes it.
    s.set_basic_auth("user", "pass").unwrap();
    assert_eq!(get(&s, &url).status(), 401);
    s.set_digest_auth("user", "pass").unwrap();
    assert_eq!(get(&s, &url).status(), 200);
    s.clear_auth();
    assert_eq!(get(&s, &url).status(), 401);
}

#[test]
fn per_request_digest_and_opt_outs() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let url = srv.url("/digest-auth/auth/user/pass/MD5");
    let mut req = Request::new("GET", &url).unwrap();
    req.digest_auth("user", "pass").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 200);
    // The same request again reuses its challenge.
    let before = s.requests_sent();
    assert_eq!(s.send(&req).unwrap().status(), 200);
    assert_eq!(s.requests_sent() - before, 1);

    // The session's digest is not used by a request without auth.
    s.set_digest_auth("user", "pass").unwrap();
    let mut req = Request::new("GET", &url).unwrap();
    req.no_auth();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    let mut req = Request::new("GET", &url).unwrap();
    req.basic_auth("user", "pass").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    // Nor with credentials in the URL: digest comes first.
    let with_creds = url.replace("http://", "http://user:bad@");
    assert_eq!(get(&s, &with_creds).status(), 200);
}

#[test]
fn a_body_that_cannot_be_resent_gets_the_401() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_digest_auth("user", "pass").unwrap();
    let mut req = Request::new("POST", &srv.url("/digest-auth/auth/user/pass")).unwrap();
    let mut left = 5;
    req.body_reader(
        Box::new(move |buf: &mut [u8]| {
            let n = left.min(buf.len());
            buf[..n].fill(b'x');
            left -= n;
            Ok(n)
        }),
        Some(5),
    );
    let before = s.requests_sent();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    assert_eq!(s.requests_sent() - before, 1);
}

#[test]
fn digest_stays_with_its_origin_across_redirects() {
    let srv = TestServer::start();
    let other = TestServer::start();
    let s = Session::new().unwrap();
    s.set_digest_auth("user", "pass").unwrap();
    // A redirect within the origin: answered at the new path.
    let target = "/digest-auth/auth/user/pass";
    let resp = get(&s, &srv.url(&format!("/redirect-to?url={target}")));
    assert_eq!(resp.status(), 200, "{}", resp.text());
    assert_eq!(s.requests_sent(), 3);
    // The history: the redirect, then the 401 answered; only the redirect
    // counts toward the redirect limit.
    let statuses: Vec<u16> = resp.history().iter().map(|h| h.0).collect();
    assert_eq!(statuses, vec![302, 401]);
    let mut req = Request::new(
        "GET",
        &srv.url(&format!("/redirect-to?url={target}/SHA-256")),
    )
    .unwrap();
    req.max_redirects(1);
    assert_eq!(s.send(&req).unwrap().status(), 200);
    // Now the origin's challenge is known; a redirect to another origin
    // carries no Authorization there, and its 401 is not answered.
    let away = other.url("/echo");
    let resp = get(&s, &srv.url(&format!("/redirect-to?url={away}")));
    assert_eq!(resp.status(), 200);
    assert!(echoed(&json(&resp), "authorization").is_empty());
    let away = other.url(target);
    let before = s.requests_sent();
    let resp = get(&s, &srv.url(&format!("/redirect-to?url={away}")));
    assert_eq!(resp.status(), 401);
    assert_eq!(s.requests_sent() - before, 2);
}
