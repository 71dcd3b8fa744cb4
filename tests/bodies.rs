//! Response bodies: every content encoding decoded, and the maximum decoded
//! body size (session default, per-request override, streamed bodies).

mod common;
use common::*;
use hsession::{ErrorKind, Request, Session};
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;

#[test]
fn every_encoding_is_decoded_and_offered() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    for (path, name) in [
        ("/deflate", "deflate"),
        ("/brotli", "br"),
        ("/zstd", "zstd"),
    ] {
        let resp = get(&s, &srv.url(path));
        assert_eq!(resp.status(), 200);
        let body = json(&resp);
        assert_eq!(body["encoding"], name, "{path}");
        let offered = echoed(&body, "accept-encoding").join(",");
        for enc in ["gzip", "deflate", "br", "zstd"] {
            assert!(offered.contains(enc), "{enc} not in {offered:?}");
        }
    }
    assert_eq!(json(&get(&s, &srv.url("/gzip")))["gzipped"], true);
}

#[test]
fn the_default_limit_is_256_mib_and_zero_means_none() {
    let s = Session::new().unwrap();
    assert_eq!(s.max_body_size(), Some(256 * MIB));
    assert_eq!(hsession::config::DEFAULT_MAX_BODY_SIZE, 256 * MIB);
    s.set_max_body_size(None);
    assert_eq!(s.max_body_size(), None);
}

#[test]
fn a_gzip_bomb_fails_fast_with_body_too_large() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    // Without a limit the bomb really decodes to 10 MiB.
    s.set_max_body_size(None);
    let whole = get(&s, &srv.url("/gzip-bomb/10"));
    assert_eq!(whole.body().len() as u64, 10 * MIB);

    s.set_max_body_size(Some(MIB));
    let start = Instant::now();
    let e = s
        .send(&Request::new("GET", &srv.url("/gzip-bomb/10")).unwrap())
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::BodyTooLarge, "{e}");
    assert!(e.message().contains("1048576"), "{e}");
    assert!(e.url().unwrap().ends_with("/gzip-bomb/10"));
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // A limit equal to the size passes; one byte less fails.
    s.set_max_body_size(Some(10 * MIB));
    assert_eq!(
        get(&s, &srv.url("/gzip-bomb/10")).body().len() as u64,
        10 * MIB
    );
    s.set_max_body_size(Some(10 * MIB - 1));
    let e = s
        .send(&Request::new("GET", &srv.url("/gzip-bomb/10")).unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BodyTooLarge);
}

#[test]
fn a_request_overrides_the_session_limit() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_max_body_size(Some(1000));
    let mut req = Request::new("GET", &srv.url("/bytes/5000")).unwrap();
    // Declared by Content-Length: fails before the body is read.
    assert_eq!(s.send(&req).unwrap_err().kind(), ErrorKind::BodyTooLarge);
    req.max_body_size(None);
    assert_eq!(s.send(&req).unwrap().body().len(), 5000);
    req.max_body_size(Some(5000));
    assert_eq!(s.send(&req).unwrap().body().len(), 5000);
    let mut small = Request::new("GET", &srv.url("/bytes/100")).unwrap();
    small.max_body_size(Some(10));
    assert_eq!(s.send(&small).unwrap_err().kind(), ErrorKind::BodyTooLarge);
}

#[test]
fn a_streamed_body_stops_at_the_limit() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    // The session's limit bounds memory: a stream is not held to it.
    s.set_max_body_size(Some(MIB));
    let mut req = Request::new("GET", &srv.url("/gzip-bomb/10")).unwrap();
    req.stream(true);
    let resp = s.send(&req).unwrap();
    let stream = resp.stream().expect("a streamed body").clone();
    let mut buf = vec![0u8; 64 * 1024];
    let mut all = 0u64;
    while let n @ 1.. = stream.read(&mut buf).unwrap() {
        all += n as u64;
    }
    assert_eq!(all, 10 * MIB);
    // The request's own limit does.
    req.max_body_size(Some(MIB));
    let resp = s.send(&req).unwrap();
    let stream = resp.stream().expect("a streamed body").clone();
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = 0u64;
    let err = loop {
        match stream.read(&mut buf) {
            Ok(0) => panic!("the whole bomb was delivered"),
            Ok(n) => got += n as u64,
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err}");
    assert!(got <= MIB, "{got} bytes delivered before the error");
    assert!(
        got >= MIB / 2,
        "only {got} bytes delivered before the error"
    );
}

#[test]
fn a_zstd_window_over_8_mib_is_refused() {
    // RFC 9659: the zstd content coding's window is at most 8 MiB; a
    // decoder that allows zstd's default 128 MiB holds that much per body.
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    assert_eq!(
        json(&get(&s, &srv.url("/zstd-window/23")))["zstd"],
        "window"
    );
    let e = s
        .send(&Request::new("GET", &srv.url("/zstd-window/27")).unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    // Streamed too, and the session goes on.
    let mut req = Request::new("GET", &srv.url("/zstd-window/27")).unwrap();
    req.stream(true);
    let resp = s.send(&req).unwrap();
    let stream = resp.stream().expect("a streamed body").clone();
    let mut buf = [0u8; 64];
    let e = stream.read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert_eq!(json(&get(&s, &srv.url("/zstd")))["encoding"], "zstd");
}

#[test]
fn a_zstd_head_response_has_an_empty_body() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let resp = s
        .send(&Request::new("HEAD", &srv.url("/zstd")).unwrap())
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.body().is_empty());
}
