//! The runtime a session's requests run on: blocking calls drive it on the
//! caller's thread, non-blocking ones are driven by the runtime's own thread
//! when no caller is there, and both kinds share the session's pool.

mod common;
use common::*;
use hsession::{Request, Session};
use std::sync::mpsc;
use std::time::Duration;

fn get(srv: &TestServer, path: &str) -> Request {
    Request::new("GET", &srv.url(path)).unwrap()
}

/// Starts `req` and returns a receiver for its status, sent by the callback.
fn start(s: &Session, req: &Request) -> mpsc::Receiver<u16> {
    let (tx, rx) = mpsc::channel();
    s.start(
        req,
        Some(Box::new(move |call| {
            let _ = tx.send(call.take().map(|r| r.status()).unwrap_or(0));
        })),
    )
    .unwrap();
    rx
}

#[test]
fn an_async_request_completes_with_no_thread_in_a_blocking_call() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    // Before any blocking call, and again after one: the test thread only
    // waits on a channel, so the runtime's own thread must drive the I/O.
    for round in 0..2 {
        let rx = start(&s, &get(&srv, "/delay/100"));
        let status = rx.recv_timeout(Duration::from_secs(10));
        assert_eq!(status, Ok(200), "round {round}");
        assert_eq!(s.send(&get(&srv, "/bytes/10")).unwrap().status(), 200);
    }
}

#[test]
fn a_blocking_call_and_async_calls_from_another_thread_share_one_pool() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    assert_eq!(s.send(&get(&srv, "/bytes/10")).unwrap().status(), 200);
    assert_eq!(s.connections_opened(), 1);
    // Async calls from another thread, one after another, reuse the
    // connection the blocking call opened...
    let other = s.clone();
    let url = srv.url("/bytes/10");
    std::thread::spawn(move || {
        for _ in 0..20 {
            let rx = start(&other, &Request::new("GET", &url).unwrap());
            assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(200));
        }
    })
    .join()
    .unwrap();
    // ...and the blocking call reuses it after them.
    assert_eq!(s.send(&get(&srv, "/bytes/10")).unwrap().status(), 200);
    assert_eq!(s.connections_opened(), 1, "one pool, one connection");
}

#[test]
fn a_blocking_call_made_while_async_calls_run_finishes_with_them() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let pending: Vec<_> = (0..16)
        .map(|_| start(&s, &get(&srv, "/delay/200")))
        .collect();
    // The runtime's own thread is driving those; this caller is handed the
    // runtime, drives them and itself, and gives it back.
    for _ in 0..5 {
        assert_eq!(s.send(&get(&srv, "/bytes/10")).unwrap().status(), 200);
    }
    for rx in pending {
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(200));
    }
    // Connections: at most one per request that was in flight at once.
    assert!(s.connections_opened() <= 17, "{}", s.connections_opened());
}

#[test]
fn blocking_calls_from_many_threads_open_no_more_connections_than_threads() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let s = s.clone();
            let url = srv.url("/bytes/100");
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let r = s.send(&Request::new("GET", &url).unwrap()).unwrap();
                    assert_eq!(r.status(), 200);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(s.connections_opened() <= 8, "{}", s.connections_opened());
}
