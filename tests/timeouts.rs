//! Connect, read-idle and total timeouts, session-wide and per request.

mod common;
use common::*;
use hsession::{ErrorKind, Request, Session, Timeouts};
use std::time::{Duration, Instant};

fn ms(n: u64) -> Option<Duration> {
    Some(Duration::from_millis(n))
}

fn timed(s: &Session, req: &Request) -> (hsession::Result<hsession::Response>, Duration) {
    let t = Instant::now();
    let r = s.send(req);
    (r, t.elapsed())
}

fn assert_near(took: Duration, want: Duration) {
    assert!(
        took >= want && took < want + Duration::from_millis(700),
        "took {took:?}, expected about {want:?}"
    );
}

#[test]
fn defaults_are_finite() {
    let s = Session::new().unwrap();
    assert_eq!(
        s.timeouts(),
        Timeouts {
            connect: Some(Duration::from_secs(10)),
            read: Some(Duration::from_secs(30)),
            total: Some(Duration::from_secs(300)),
        }
    );
}

#[test]
fn read_timeout_fires_before_headers_and_between_chunks() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_read_timeout(ms(300));
    let (r, took) = timed(&s, &Request::new("GET", &srv.url("/delay/3000")).unwrap());
    assert_eq!(r.unwrap_err().kind(), ErrorKind::ReadTimeout);
    assert_near(took, Duration::from_millis(300));

    // Bytes every 100 ms keep a 300 ms read timeout happy...
    let (r, _) = timed(
        &s,
        &Request::new("GET", &srv.url("/drip?bytes=5&delay_ms=100")).unwrap(),
    );
    assert_eq!(r.unwrap().body().len(), 5);
    // ...bytes every 600 ms do not, even though the headers came at once.
    let (r, took) = timed(
        &s,
        &Request::new("GET", &srv.url("/drip?bytes=5&delay_ms=600")).unwrap(),
    );
    assert_eq!(r.unwrap_err().kind(), ErrorKind::ReadTimeout);
    assert_near(took, Duration::from_millis(300));

    // A request overrides the session's read timeout, either way.
    let mut req = Request::new("GET", &srv.url("/delay/500")).unwrap();
    req.read_timeout(ms(2000));
    assert_eq!(s.send(&req).unwrap().status(), 200);
    let mut req = Request::new("GET", &srv.url("/delay/500")).unwrap();
    req.read_timeout(None);
    assert_eq!(s.send(&req).unwrap().status(), 200);
    let mut req = Request::new("GET", &srv.url("/delay/1000")).unwrap();
    req.read_timeout(ms(100));
    let (r, took) = timed(&s, &req);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::ReadTimeout);
    assert_near(took, Duration::from_millis(100));
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn total_timeout_bounds_a_response_that_keeps_trickling() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_timeouts(Timeouts {
        connect: ms(1000),
        read: ms(1000),
        total: ms(500),
    });
    let (r, took) = timed(
        &s,
        &Request::new("GET", &srv.url("/drip?bytes=20&delay_ms=100")).unwrap(),
    );
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Timeout);
    assert_near(took, Duration::from_millis(500));

    let mut req = Request::new("GET", &srv.url("/drip?bytes=20&delay_ms=100")).unwrap();
    req.total_timeout(ms(200));
    let (r, took) = timed(&s, &req);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Timeout);
    assert_near(took, Duration::from_millis(200));

    let mut req = Request::new("GET", &srv.url("/drip?bytes=8&delay_ms=100")).unwrap();
    req.total_timeout(None);
    assert_eq!(s.send(&req).unwrap().body().len(), 8);
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so
/// a connect to it hangs until the client gives up.
fn black_hole() -> (std::net::SocketAddr, Vec<std::net::TcpStream>) {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = rt.block_on(async { sock.listen(0) }).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fill = Vec::new();
    // Fill the queue; stop once a connect no longer completes at once.
    for _ in 0..8 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(c) => fill.push(c),
            Err(_) => break,
        }
    }
    std::mem::forget(listener);
    std::mem::forget(rt);
    (addr, fill)
}

#[test]
fn connect_timeout_session_and_per_request() {
    let (addr, _fill) = black_hole();
    let s = Session::new().unwrap();
    s.set_connect_timeout(ms(300));
    let url = format!("http://{addr}/x");
    let (r, took) = timed(&s, &Request::new("GET", &url).unwrap());
    let err = r.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
    assert_near(took, Duration::from_millis(300));

    let mut req = Request::new("GET", &url).unwrap();
    req.connect_timeout(ms(800));
    let (r, took) = timed(&s, &req);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::ConnectTimeout);
    assert_near(took, Duration::from_millis(800));

    // A connect timeout is not a read timeout: the read timer waits for it.
    let mut req = Request::new("GET", &url).unwrap();
    req.connect_timeout(ms(400)).read_timeout(ms(100));
    let (r, took) = timed(&s, &req);
    assert_eq!(r.unwrap_err().kind(), ErrorKind::ConnectTimeout);
    assert_near(took, Duration::from_millis(400));
}
