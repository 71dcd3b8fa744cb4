//! One session shared by many threads.

mod common;
use common::*;
use hsession::{Request, Session};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

#[test]
fn sixteen_threads_two_hundred_requests_each_on_one_session() {
    let srv = Arc::new(TestServer::start());
    let s = Session::new().unwrap();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (s, srv) = (s.clone(), srv.clone());
            std::thread::spawn(move || {
                for i in 0..200 {
                    let nonce = format!("t{t}-r{i}");
                    let resp = get(&s, &srv.url(&format!("/nonce/{nonce}")));
                    assert_eq!(resp.status(), 200);
                    assert_eq!(
                        json(&resp)["nonce"],
                        nonce.as_str(),
                        "response of another request"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(s.requests_sent(), 3200);
    let opened = s.connections_opened();
    eprintln!("16 threads x 200 requests: {opened} connections opened");
    assert!(
        (1..=16).contains(&opened),
        "opened {opened} connections for 16 threads"
    );
    assert_eq!(srv.connections_accepted(), opened);
}

#[test]
fn header_changed_on_one_thread_applies_to_later_requests_on_all_threads() {
    let srv = Arc::new(TestServer::start());
    let s = Session::new().unwrap();
    s.set_header("X-Version", "1").unwrap();
    let check_all = |expected: Option<&'static str>| {
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (s, srv, barrier) = (s.clone(), srv.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..10 {
                        let got = echoed(&json(&get(&s, &srv.url("/echo"))), "x-version");
                        assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    };
    check_all(Some("1"));
    let setter = {
        let s = s.clone();
        std::thread::spawn(move || s.set_header("X-Version", "2").unwrap())
    };
    setter.join().unwrap();
    check_all(Some("2"));
    let remover = {
        let s = s.clone();
        std::thread::spawn(move || s.remove_header("X-Version").unwrap())
    };
    remover.join().unwrap();
    check_all(None);
}

#[test]
fn a_slow_server_does_not_block_other_threads() {
    let srv = Arc::new(TestServer::start());
    let s = Session::new().unwrap();
    let slow = {
        let (s, srv) = (s.clone(), srv.clone());
        std::thread::spawn(move || {
            let t = Instant::now();
            get(&s, &srv.url("/delay/1500"));
            t.elapsed()
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    for i in 0..20 {
        assert_eq!(
            json(&get(&s, &srv.url(&format!("/nonce/{i}"))))["nonce"],
            i.to_string()
        );
    }
    let fast = t.elapsed();
    let slow = slow.join().unwrap();
    assert!(
        fast < Duration::from_millis(1000),
        "20 fast requests took {fast:?} behind a slow one"
    );
    assert!(slow >= Duration::from_millis(1500));
}

#[test]
fn setters_race_with_requests_without_harm() {
    let srv = Arc::new(TestServer::start());
    let s = Session::new().unwrap();
    // Set before the workers start, so every request carries one value.
    s.set_header("X-N", "start").unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let setter = {
        let (s, stop) = (s.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 100_000 {
                s.set_header("X-N", &n.to_string()).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5 + n % 3)));
                s.add_query_param("n", "1");
                s.clear_query_params();
                n += 1;
            }
        })
    };
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (s, srv) = (s.clone(), srv.clone());
            std::thread::spawn(move || {
                for _ in 0..100 {
                    let req = Request::new("GET", &srv.url("/echo")).unwrap();
                    let body = json(&s.send(&req).unwrap());
                    assert_eq!(echoed(&body, "x-n").len(), 1);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    setter.join().unwrap();
}
