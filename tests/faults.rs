//! A misbehaving server: each fault gives its own documented error within
//! its timeout, memory stays bounded, and the session stays usable.

mod common;
use common::*;
use hsession::{ErrorKind, Request, Session, Timeouts};
use hsession_testserver::{Fault, FaultServer};
use std::time::{Duration, Instant};

fn ms(n: u64) -> Option<Duration> {
    Some(Duration::from_millis(n))
}

/// Sends to a server with `fault`, checks the error kind and that it came
/// within `within`, then checks the session still works.
fn expect(fault: Fault, kind: ErrorKind, within: Duration, setup: impl FnOnce(&Session)) {
    let bad = FaultServer::start(fault);
    let good = TestServer::start();
    let s = Session::new().unwrap();
    setup(&s);
    let t = Instant::now();
    let err = match s.send(&Request::new("GET", &bad.url("/x")).unwrap()) {
        Ok(r) => panic!("{fault:?}: got a response {}", r.status()),
        Err(e) => e,
    };
    let took = t.elapsed();
    eprintln!("{fault:?}: {:?} in {took:?}: {err}", err.kind());
    assert_eq!(err.kind(), kind, "{fault:?}: {err}");
    assert!(took < within, "{fault:?} took {took:?}");
    assert_eq!(
        get(&s, &good.url("/echo")).status(),
        200,
        "{fault:?}: session unusable"
    );
}

const QUICK: Duration = Duration::from_secs(2);

#[test]
fn broken_framing_is_a_closed_connection() {
    expect(
        Fault::WrongLength,
        ErrorKind::ConnectionClosed,
        QUICK,
        |_| {},
    );
    expect(
        Fault::TruncatedChunked,
        ErrorKind::ConnectionClosed,
        QUICK,
        |_| {},
    );
    expect(
        Fault::ResetMidBody,
        ErrorKind::ConnectionClosed,
        QUICK,
        |_| {},
    );
}

#[test]
fn a_body_that_breaks_off_says_so() {
    // Bindings tell it from a failed connection by the message (Python's
    // ChunkedEncodingError).
    for fault in [Fault::TruncatedChunked, Fault::WrongLength] {
        let bad = FaultServer::start(fault);
        let s = Session::new().unwrap();
        let err = s
            .send(&Request::new("GET", &bad.url("/x")).unwrap())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionClosed);
        assert!(
            err.message().starts_with("the response body broke off"),
            "{fault:?}: {err}"
        );
    }
}

#[test]
fn oversized_or_invalid_heads_are_protocol_errors() {
    expect(Fault::HugeHeader, ErrorKind::Protocol, QUICK, |_| {});
    expect(Fault::ManyHeaders, ErrorKind::Protocol, QUICK, |_| {});
    expect(Fault::BadStatusLine, ErrorKind::Protocol, QUICK, |_| {});
}

#[test]
fn servers_that_stall_hit_their_timeouts() {
    expect(Fault::Silent, ErrorKind::ReadTimeout, QUICK, |s| {
        s.set_read_timeout(ms(300))
    });
    // Headers trickling in a byte at a time must still be complete within
    // the read-idle timeout; without one, the total timeout ends the wait.
    expect(Fault::SlowLoris, ErrorKind::ReadTimeout, QUICK, |s| {
        s.set_read_timeout(ms(1000))
    });
    expect(Fault::SlowLoris, ErrorKind::Timeout, QUICK, |s| {
        s.set_timeouts(Timeouts {
            connect: ms(1000),
            read: None,
            total: ms(1500),
        })
    });
}

#[test]
fn an_endless_body_stops_at_the_body_limit() {
    expect(
        Fault::EndlessChunked,
        ErrorKind::BodyTooLarge,
        Duration::from_secs(5),
        |s| s.set_max_body_size(Some(8 << 20)),
    );
    // Read as a stream (memory stays flat), the endless body ends at the
    // total timeout. Read whole, it would hit the body limit first.
    let bad = FaultServer::start(Fault::EndlessChunked);
    let s = Session::new().unwrap();
    let mut req = Request::new("GET", &bad.url("/x")).unwrap();
    req.stream(true).total_timeout(ms(500));
    let t = Instant::now();
    let resp = s.send(&req).unwrap();
    let stream = resp.stream().unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let err = loop {
        match stream.read(&mut buf) {
            Ok(0) => panic!("an endless body ended"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

/// A message says its kind once, then the cause: no wrapper text from the
/// layers underneath ("client error (Connect)", "error sending request").
#[test]
fn messages_name_their_kind_once_without_wrapper_text() {
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let bad = FaultServer::start(Fault::BadStatusLine);
    let s = Session::new().unwrap();
    for (url, kind, what) in [
        (refused, ErrorKind::Connect, "could not connect"),
        (bad.url("/x"), ErrorKind::Protocol, "invalid HTTP response"),
    ] {
        let err = s.send(&Request::new("GET", &url).unwrap()).unwrap_err();
        let msg = err.message();
        eprintln!("{kind:?}: {msg}");
        assert_eq!(err.kind(), kind, "{msg}");
        assert!(msg.starts_with(&format!("{what}: ")), "{msg}");
        assert_eq!(msg.matches(what).count(), 1, "{msg}");
        for noise in [
            "client error (",
            "error sending request",
            "error trying to connect",
        ] {
            assert!(!msg.contains(noise), "{msg}");
        }
    }
}
