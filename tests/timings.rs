//! Response::timings through the Rust API: a streamed response ends at its
//! head, a retried hop's back-off is in its queued phase, and a digest
//! challenge (a hop of the history) has its own record. The C ABI's tests
//! (tests/c/test_timings.c) cover new/reused connections, redirects, TLS
//! and DNS.

mod common;
use common::TestServer;
use hsession::{Request, RetryPolicy, Session};

use std::time::Duration;

fn ordered(t: &hsession::Timings) {
    let p = [t.queued, t.dns, t.connect, t.tls, t.first_byte, t.total];
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
}

#[test]
fn a_streamed_response_ends_at_its_head() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let mut req = Request::new("GET", &srv.url("/bytes/100000")).unwrap();
    req.stream(true);
    let resp = s.send(&req).unwrap();
    let t = resp.timings();
    ordered(t);
    assert_eq!(t.total, t.first_byte);
    assert!(!t.connection.reused);
    assert_eq!(t.connection.http_version, "HTTP/1.1");
}

#[test]
fn a_retried_status_waits_in_queued() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let retry = RetryPolicy {
        total: Some(1),
        status_forcelist: vec![503],
        ..RetryPolicy::default()
    };
    s.set_retry(retry);
    // The first answer is a 503 with Retry-After: 1; the second a 200.
    let resp = s
        .send(&Request::new("GET", &srv.url("/flaky/timings/1?status=503&retry_after=1")).unwrap())
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.retries(), 1);
    let t = resp.timings();
    ordered(t);
    assert!(t.queued >= Duration::from_millis(900), "{t:?}");
    assert!(
        t.connection.reused,
        "the retry reuses the connection: {t:?}"
    );
}

#[test]
fn a_digest_challenge_has_its_own_record() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_digest_auth("user", "passwd").unwrap();
    let resp = s
        .send(&Request::new("GET", &srv.url("/digest-auth/auth/user/passwd")).unwrap())
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.hop_heads().len(), 1);
    let challenge = &resp.hop_heads()[0].timings;
    ordered(challenge);
    assert!(!challenge.connection.reused);
    ordered(resp.timings());
    assert!(resp.timings().connection.reused);
    assert_eq!(
        challenge.connection.local_addr,
        resp.timings().connection.local_addr
    );
}

#[test]
fn http2_over_tls_then_the_same_connection_again() {
    let ca = hsession_testserver::TestCa::new("hsession timings h2 CA").unwrap();
    let opts =
        hsession_testserver::TlsOptions::new(ca.server_cert(&["localhost", "127.0.0.1"]).unwrap());
    let srv =
        hsession_testserver::H2Server::start(hsession_testserver::H2Fault::GoawayAfter(100), &opts)
            .unwrap();
    let dir = std::env::temp_dir().join(format!("hsession-timings-h2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.cert_pem()).unwrap();
    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    s.set_ca_file(Some(&ca_file)).unwrap();
    let first = s
        .send(&Request::new("GET", &srv.url("/")).unwrap())
        .unwrap();
    let t = first.timings();
    ordered(t);
    assert!(t.queued < t.connect && t.connect < t.tls, "{t:?}");
    let c = &t.connection;
    assert!(!c.reused);
    assert_eq!(c.http_version, "HTTP/2");
    assert_eq!(c.tls_version, Some("TLSv1.3"));
    assert!(
        c.tls_cipher.is_some_and(|n| n.starts_with("TLS13_")),
        "{c:?}"
    );
    std::thread::sleep(Duration::from_millis(20));
    let second = s
        .send(&Request::new("GET", &srv.url("/")).unwrap())
        .unwrap();
    let t2 = second.timings();
    ordered(t2);
    let c2 = &t2.connection;
    assert!(c2.reused && c2.local_addr == c.local_addr, "{c2:?}");
    assert!(
        c2.idle.is_some_and(|d| d >= Duration::from_millis(15)),
        "{c2:?}"
    );
    assert_eq!(
        (c2.tls_version, c2.tls_cipher),
        (c.tls_version, c.tls_cipher)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
