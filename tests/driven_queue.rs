//! Driven completion queues: their requests run on the thread that waits on
//! the queue, as a libcurl multi handle's run on the thread in
//! `curl_multi_poll`. Nothing here starts an ordinary async call, so the
//! runtime's driver thread has no reason to exist in this test process.

mod common;
use common::*;
use hsession::{CompletionQueue, ErrorKind, Request, Session};
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn get(srv: &TestServer, path: &str) -> Request {
    Request::new("GET", &srv.url(path)).unwrap()
}

/// Names of this process's threads.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|n| n.trim().to_string())
        .collect()
}

/// Waits on `queue` until `n` tags have come, at most 10 s.
fn collect(queue: &CompletionQueue, n: usize) -> Vec<u64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut tags = Vec::new();
    while tags.len() < n && Instant::now() < deadline {
        let mut out = [0u64; 16];
        let got = queue.wait(&mut out, Some(Duration::from_secs(1))).unwrap();
        tags.extend_from_slice(&out[..got]);
    }
    tags
}

#[test]
fn requests_run_on_the_thread_waiting_on_the_queue() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let queue = CompletionQueue::driven();
    for round in 0..3 {
        let calls: Vec<_> = (0..8)
            .map(|i| s.start_queued(&get(&srv, "/delay/50"), &queue, i).unwrap())
            .collect();
        let mut tags = collect(&queue, 8);
        tags.sort_unstable();
        assert_eq!(tags, (0..8).collect::<Vec<_>>(), "round {round}");
        for call in &calls {
            assert_eq!(call.take().unwrap().status(), 200);
        }
    }
    assert!(s.connections_opened() <= 8, "{}", s.connections_opened());
    let names = thread_names();
    assert!(
        !names.iter().any(|n| n == "hsession-driver"),
        "the driver thread ran them: {names:?}"
    );
}

#[test]
fn a_wait_returns_nothing_when_its_time_runs_out() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let queue = CompletionQueue::driven();
    let call = s
        .start_queued(&get(&srv, "/delay/5000"), &queue, 7)
        .unwrap();
    let started = Instant::now();
    let mut out = [0u64; 4];
    assert_eq!(
        queue
            .wait(&mut out, Some(Duration::from_millis(100)))
            .unwrap(),
        0
    );
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // Zero: a poll, no wait.
    assert_eq!(queue.wait(&mut out, Some(Duration::ZERO)).unwrap(), 0);
    // Cancelled, the request ends at the next wait, promptly.
    call.cancel();
    let started = Instant::now();
    assert_eq!(collect(&queue, 1), vec![7]);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(call.take().unwrap_err().kind(), ErrorKind::Cancelled);
}

#[test]
fn waiting_on_the_call_runs_it_too() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let queue = CompletionQueue::driven();
    let call = s.start_queued(&get(&srv, "/delay/20"), &queue, 3).unwrap();
    assert_eq!(call.wait().unwrap().status(), 200);
    // Its tag follows (pushed once the result is in the call).
    assert_eq!(collect(&queue, 1), vec![3]);
}

#[test]
fn several_threads_waiting_on_one_queue_each_get_distinct_tags() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let queue = CompletionQueue::driven();
    const N: u64 = 48;
    let calls: Vec<_> = (0..N)
        .map(|i| s.start_queued(&get(&srv, "/delay/10"), &queue, i).unwrap())
        .collect();
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let queue = queue.clone();
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(10);
                let mut mine = Vec::new();
                while Instant::now() < deadline {
                    let mut out = [0u64; 4];
                    match queue
                        .wait(&mut out, Some(Duration::from_millis(300)))
                        .unwrap()
                    {
                        0 if queue.is_empty() => break,
                        got => mine.extend_from_slice(&out[..got]),
                    }
                }
                mine
            })
        })
        .collect();
    let all: Vec<u64> = waiters
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let distinct: HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), N as usize, "each tag once: {all:?}");
    assert_eq!(distinct.len(), N as usize);
    for call in calls {
        assert_eq!(call.take().unwrap().status(), 200);
    }
}

#[test]
fn a_wait_inside_an_async_runtime_is_refused() {
    let queue = CompletionQueue::driven();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt.block_on(async {
        let mut out = [0u64; 1];
        queue.wait(&mut out, None).unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::WrongThread);
}
