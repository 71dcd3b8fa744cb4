//! The cap on connections per host: requests beyond it wait for a free
//! connection, bounded by the connect timeout.

mod common;
use common::*;
use hsession::{ErrorKind, Request, Session};
use std::time::Duration;

#[test]
fn sixty_four_concurrent_requests_use_at_most_the_cap() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_max_connections_per_host(Some(4)).unwrap();
    let url = srv.url("/delay/20");
    let errors = load(&s, &url, 64, 3, |r| r.status() == 200);
    assert!(errors.is_empty(), "{errors:?}");
    let most = srv.max_open_connections();
    assert!(most <= 4, "{most} connections open at once with a cap of 4");
    assert!(s.connections_opened() <= 4, "{}", s.connections_opened());
}

#[test]
fn without_a_cap_the_same_load_opens_more() {
    // The control for the test above: the load does need more than 4.
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let errors = load(&s, &srv.url("/delay/20"), 64, 3, |r| r.status() == 200);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(srv.max_open_connections() > 4);
}

#[test]
fn a_streamed_body_holds_its_connection_until_dropped() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_max_connections_per_host(Some(1)).unwrap();
    s.set_connect_timeout(Some(Duration::from_millis(300)));
    let mut req = Request::new("GET", &srv.url("/drip?bytes=20&delay_ms=200")).unwrap();
    req.stream(true);
    let held = s.send(&req).unwrap();
    // The only connection is taken: the next request waits, then fails
    // with the connect timeout, naming the cap.
    let err = s
        .send(&Request::new("GET", &srv.url("/bytes/10")).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
    assert!(
        err.to_string().contains("at most 1 connections per host"),
        "{err}"
    );
    drop(held);
    // Dropped, the stream gives its connection back.
    let r = s
        .send(&Request::new("GET", &srv.url("/bytes/10")).unwrap())
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn the_cap_is_per_host_and_zero_is_refused() {
    let a = TestServer::start();
    let b = TestServer::start();
    let s = Session::new().unwrap();
    assert_eq!(
        s.set_max_connections_per_host(Some(0)).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    s.set_max_connections_per_host(Some(1)).unwrap();
    s.set_connect_timeout(Some(Duration::from_millis(300)));
    let mut req = Request::new("GET", &a.url("/drip?bytes=20&delay_ms=200")).unwrap();
    req.stream(true);
    let _held = s.send(&req).unwrap();
    // Another host (another port: another origin) has its own connections.
    let r = s
        .send(&Request::new("GET", &b.url("/bytes/10")).unwrap())
        .unwrap();
    assert_eq!(r.status(), 200);
    s.set_max_connections_per_host(None).unwrap();
    let r = s
        .send(&Request::new("GET", &a.url("/bytes/10")).unwrap())
        .unwrap();
    assert_eq!(r.status(), 200);
}
