//! Non-blocking sends, completion callbacks, cancellation and streamed
//! bodies, through the core API.

mod common;
use common::*;
use hsession::{CancellationToken, ErrorKind, Request, Session};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

#[test]
fn many_in_flight_from_one_thread_finish_together() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let calls: Vec<_> = (0..300)
        .map(|i| {
            let tx = tx.clone();
            let req = Request::new("GET", &srv.url(&format!("/delay/200?i={i}"))).unwrap();
            s.start(
                &req,
                Some(Box::new(move |call| {
                    let thread = std::thread::current().name().map(str::to_owned);
                    tx.send((i, call.take().map(|r| r.status()), thread))
                        .unwrap();
                })),
            )
            .unwrap()
        })
        .collect();
    let mut seen = vec![false; 300];
    for _ in 0..300 {
        let (i, status, thread) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(status.unwrap(), 200);
        assert_eq!(thread.as_deref(), Some(hsession::runtime::CALLBACK_THREAD));
        assert!(!seen[i], "callback {i} ran twice");
        seen[i] = true;
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(1500),
        "300 x 200 ms took {took:?}"
    );
    assert!(
        rx.recv_timeout(Duration::from_millis(200)).is_err(),
        "a callback ran twice"
    );
    // Taken in the callback: the result is gone, and says so.
    assert_eq!(calls[0].take().unwrap_err().kind(), ErrorKind::Consumed);
}

#[test]
fn wait_and_take() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let call = s
        .start(&Request::new("GET", &srv.url("/delay/150")).unwrap(), None)
        .unwrap();
    assert_eq!(call.take().unwrap_err().kind(), ErrorKind::Pending);
    assert!(call.outcome().is_none());
    let resp = call.wait().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(call.outcome(), Some(None));
    assert_eq!(call.wait().unwrap_err().kind(), ErrorKind::Consumed);
}

#[test]
fn cancel_is_prompt_and_the_callback_runs_once() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let r2 = runs.clone();
    let call = s
        .start(
            &Request::new("GET", &srv.url("/delay/5000")).unwrap(),
            Some(Box::new(move |call| {
                r2.fetch_add(1, Ordering::SeqCst);
                tx.send((Instant::now(), call.outcome())).unwrap();
            })),
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let cancelled_at = Instant::now();
    call.cancel();
    call.cancel();
    let (done_at, outcome) = rx.recv_timeout(Duration::from_secs(2)).unwrap();
    let latency = done_at - cancelled_at;
    eprintln!("cancel -> callback latency: {latency:?}");
    assert!(latency < Duration::from_millis(250), "{latency:?}");
    assert_eq!(outcome, Some(Some(ErrorKind::Cancelled)));
    call.cancel();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // The session goes on; the cancelled connection was not pooled half-read.
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn a_token_cancels_a_blocking_send_from_another_thread() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let token = CancellationToken::new();
    let mut req = Request::new("GET", &srv.url("/delay/5000")).unwrap();
    req.cancel_token(token.clone());
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        token.cancel();
        Instant::now()
    });
    let err = s.send(&req).unwrap_err();
    let latency = canceller.join().unwrap().elapsed();
    eprintln!("token cancel -> blocking call returned: {latency:?}");
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(latency < Duration::from_millis(250), "{latency:?}");
    // A cancelled token cancels at once.
    assert_eq!(s.send(&req).unwrap_err().kind(), ErrorKind::Cancelled);
}

#[test]
fn dropping_the_session_cancels_what_is_in_flight() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let (tx, rx) = mpsc::channel();
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let tx = tx.clone();
            let req = Request::new("GET", &srv.url("/delay/5000")).unwrap();
            s.start(
                &req,
                Some(Box::new(move |call| tx.send(call.outcome()).unwrap())),
            )
            .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    drop(s);
    for _ in 0..100 {
        let outcome = rx.recv_timeout(Duration::from_secs(2)).unwrap();
        assert_eq!(outcome, Some(Some(ErrorKind::Cancelled)));
    }
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    assert!(calls.iter().all(|c| c.is_finished()));
}

#[test]
fn streamed_download_is_read_in_order_and_bounded() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let size = 20 * 1024 * 1024;
    let mut req = Request::new("GET", &srv.url(&format!("/bytes/{size}"))).unwrap();
    req.stream(true);
    let resp = s.send(&req).unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.body().is_empty());
    let stream = resp.stream().unwrap().clone();
    let mut buf = vec![0u8; 100_000];
    let mut total = 0usize;
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n]
            .iter()
            .enumerate()
            .all(|(i, &b)| b == ((total + i) % 251) as u8));
        total += n;
    }
    assert_eq!(total, size);
    assert_eq!(stream.read(&mut buf).unwrap(), 0, "the end stays the end");
}

#[test]
fn streamed_body_obeys_read_timeout_and_cancel() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let mut req = Request::new("GET", &srv.url("/drip?bytes=5&delay_ms=600")).unwrap();
    req.stream(true)
        .read_timeout(Some(Duration::from_millis(200)));
    let resp = s.send(&req).unwrap();
    let mut buf = [0u8; 16];
    let err = loop {
        match resp.stream().unwrap().read(&mut buf) {
            Ok(0) => panic!("a timed-out body ended cleanly"),
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);

    // Cancelling the token mid-body ends the body with Cancelled, not with
    // a clean end.
    let token = CancellationToken::new();
    let mut req = Request::new("GET", &srv.url("/drip?bytes=50&delay_ms=50")).unwrap();
    req.stream(true).cancel_token(token.clone());
    let resp = s.send(&req).unwrap();
    let stream = resp.stream().unwrap();
    assert!(stream.read(&mut buf).unwrap() > 0);
    token.cancel();
    let err = loop {
        match stream.read(&mut buf) {
            Ok(0) => panic!("a cancelled body ended cleanly"),
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn a_completion_queue_gets_every_tag_once_and_batches_notifications() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let notifies = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let counted = notifies.clone();
    let queue = hsession::CompletionQueue::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        // As slow as a notify relayed to another thread: completions meanwhile pile up.
        std::thread::sleep(Duration::from_millis(2));
        tx.send(()).unwrap();
    });
    let calls: Vec<_> = (0..100u64)
        .map(|i| {
            let req = Request::new("GET", &srv.url("/delay/100")).unwrap();
            s.start_queued(&req, &queue, i).unwrap()
        })
        .collect();
    let mut seen = [0u32; 100];
    let mut got = 0;
    let mut buf = [0u64; 16];
    while got < 100 {
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        loop {
            let n = queue.poll(&mut buf);
            for &tag in &buf[..n] {
                seen[tag as usize] += 1;
            }
            got += n;
            if n < buf.len() {
                break;
            }
        }
    }
    assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
    for call in calls {
        assert_eq!(call.take().unwrap().status(), 200);
    }
    let n = notifies.load(Ordering::SeqCst);
    assert!(n < 50, "{n} notifications for 100 completions");
    assert!(queue.is_empty());
}

/// A call whose result was collected by `wait` before its callback ran still
/// reports its failure: to the callback, and to `outcome` afterwards.
#[test]
fn outcome_survives_wait_before_callback() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let (hold_tx, hold_rx) = mpsc::channel::<()>();
    // The callback thread runs callbacks one at a time: this one holds it,
    // so the next call's callback runs only after that call was waited for.
    let blocker = s
        .start(
            &Request::new("GET", &srv.url("/get")).unwrap(),
            Some(Box::new(move |_| {
                let _ = hold_rx.recv_timeout(Duration::from_secs(10));
            })),
        )
        .unwrap();
    let cases: [(&str, ErrorKind); 3] = [
        (&refused, ErrorKind::Connect),
        (&srv.url("/delay/5000"), ErrorKind::Cancelled),
        (&srv.url("/delay/5000"), ErrorKind::Timeout),
    ];
    let (tx, rx) = mpsc::channel();
    let mut calls = Vec::new();
    for (i, (url, want)) in cases.iter().enumerate() {
        let mut req = Request::new("GET", url).unwrap();
        if *want == ErrorKind::Timeout {
            req.total_timeout(Some(Duration::from_millis(100)));
        }
        let tx = tx.clone();
        let call = s
            .start(
                &req,
                Some(Box::new(move |c| tx.send((i, c.outcome())).unwrap())),
            )
            .unwrap();
        if *want == ErrorKind::Cancelled {
            call.cancel();
        }
        assert_eq!(call.wait().unwrap_err().kind(), *want, "case {i}");
        assert_eq!(
            call.outcome(),
            Some(Some(*want)),
            "outcome after wait, case {i}"
        );
        calls.push(call);
    }
    hold_tx.send(()).unwrap();
    for _ in 0..cases.len() {
        let (i, outcome) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(
            outcome,
            Some(Some(cases[i].1)),
            "callback outcome, case {i}"
        );
    }
    drop(blocker);
}

#[test]
fn a_closed_driven_queue_hands_its_requests_to_the_driver() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let queue = hsession::CompletionQueue::driven();
    let calls: Vec<_> = (0..4)
        .map(|i| {
            let req = Request::new("GET", &srv.url("/delay/100")).unwrap();
            s.start_queued(&req, &queue, i).unwrap()
        })
        .collect();
    // Nobody will wait on it: once closed, the runtime's driver thread
    // finishes what it started.
    queue.close();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !calls.iter().all(|c| c.is_finished()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    for call in &calls {
        assert_eq!(call.take().unwrap().status(), 200);
    }
    assert_eq!(queue.len(), 4, "the tags are still collected");
}
