//! Retries with urllib3 semantics, counted on the server, and the silent
//! resend on a pooled connection the server had closed.

mod common;
use common::*;
use hsession::{ErrorKind, Request, RetryPolicy, Session};
use std::time::{Duration, Instant};

fn attempts(s: &Session, srv: &TestServer, key: &str) -> u64 {
    json(&get(s, &srv.url(&format!("/attempts/{key}"))))["attempts"]
        .as_u64()
        .unwrap()
}

fn policy(total: u32, forcelist: &[u16]) -> RetryPolicy {
    RetryPolicy {
        total: Some(total),
        status_forcelist: forcelist.to_vec(),
        ..RetryPolicy::default()
    }
}

#[test]
fn forcelist_statuses_are_retried_until_they_pass_or_run_out() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_retry(policy(3, &[500, 502, 503, 504]));
    let resp = get(&s, &srv.url("/flaky/a/2"));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.retries(), 2);
    assert_eq!(attempts(&s, &srv, "a"), 3);

    let err = s
        .send(&Request::new("GET", &srv.url("/flaky/b/9")).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRetries, "{err}");
    assert_eq!(attempts(&s, &srv, "b"), 4, "the first try and 3 retries");

    let mut req = Request::new("GET", &srv.url("/flaky/c/9")).unwrap();
    req.retry(RetryPolicy {
        raise_on_status: false,
        ..policy(2, &[503])
    });
    let resp = s.send(&req).unwrap();
    assert_eq!((resp.status(), resp.retries()), (503, 2));

    // A status outside the forcelist is a response.
    assert_eq!(get(&s, &srv.url("/flaky/d/1?status=404")).status(), 404);
    assert_eq!(attempts(&s, &srv, "d"), 1);
}

#[test]
fn post_is_not_retried_unless_allowed() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_retry(policy(3, &[503]));
    let resp = s
        .send(&Request::new("POST", &srv.url("/flaky/p/1")).unwrap())
        .unwrap();
    assert_eq!((resp.status(), resp.retries()), (503, 0));
    assert_eq!(attempts(&s, &srv, "p"), 1);

    s.set_retry(RetryPolicy {
        allowed_methods: None,
        ..policy(3, &[503])
    });
    let resp = s
        .send(&Request::new("POST", &srv.url("/flaky/q/1")).unwrap())
        .unwrap();
    assert_eq!((resp.status(), resp.retries()), (200, 1));
}

#[test]
fn backoff_grows_and_retry_after_is_honoured() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_retry(RetryPolicy {
        backoff_factor: Duration::from_millis(100),
        ..policy(3, &[503])
    });
    // Sleeps of 0, 200 and 400 ms (urllib3 2.x: the first retry is immediate).
    let t = Instant::now();
    assert_eq!(get(&s, &srv.url("/flaky/bo/3")).status(), 200);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_millis(1300),
        "{took:?}"
    );

    let t = Instant::now();
    assert_eq!(get(&s, &srv.url("/flaky/ra/1?retry_after=1")).status(), 200);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(1000) && took < Duration::from_millis(1700),
        "{took:?}"
    );

    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let t = Instant::now();
    let url = srv.url(&format!(
        "/flaky/rd/1?status=429&retry_after={}",
        date.replace(' ', "%20").replace(',', "%2C")
    ));
    s.set_retry(policy(3, &[429]));
    assert_eq!(get(&s, &url).status(), 200);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2700),
        "{took:?}"
    );
}

#[test]
fn connect_and_read_failures() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}/", l.local_addr().unwrap().port())
    };
    s.set_retry(RetryPolicy {
        connect: Some(2),
        read: Some(2),
        ..policy(10, &[])
    });
    let err = s.send(&Request::new("GET", &closed).unwrap()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert_eq!(s.requests_sent(), 3);
    // The request never left, so even POST goes again.
    let err = s.send(&Request::new("POST", &closed).unwrap()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert_eq!(s.requests_sent(), 6);

    let before = srv.requests_served();
    let err = s
        .send(&Request::new("GET", &srv.url("/close-no-response")).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionClosed);
    assert_eq!(srv.requests_served() - before, 3);

    // A body read from a function cannot be replayed: no retry.
    let before = srv.requests_served();
    let mut req = Request::new("PUT", &srv.url("/close-no-response")).unwrap();
    let mut sent = false;
    req.body_reader(
        Box::new(move |buf: &mut [u8]| {
            if sent {
                return Ok(0);
            }
            sent = true;
            buf[..5].copy_from_slice(b"hello");
            Ok(5)
        }),
        Some(5),
    );
    assert_eq!(
        s.send(&req).unwrap_err().kind(),
        ErrorKind::ConnectionClosed
    );
    assert_eq!(srv.requests_served() - before, 1);
}

#[test]
fn a_pooled_connection_the_server_closed_is_resent_once_for_idempotent_methods() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    // No retry policy at all: the resend is not a retry.
    get(&s, &srv.url("/arm-drop"));
    let resp = get(&s, &srv.url("/echo"));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.retries(), 0);
    assert_eq!(s.connections_opened(), 2);

    get(&s, &srv.url("/arm-drop"));
    let err = s
        .send(&Request::new("POST", &srv.url("/echo")).unwrap())
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::ConnectionClosed,
        "POST may have been processed: no resend"
    );
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}
