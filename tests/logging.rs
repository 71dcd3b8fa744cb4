//! Logging: HSESSION_LOG lines on stderr (a child process, as the variable
//! is read once), and the process-wide callback receiving lines on its own
//! thread with no credentials in any of them. The callback is process-wide,
//! so the tests here take turns.

mod common;
use common::*;
use hsession::logging::{self, Level};
use hsession::{Request, RetryPolicy, Session};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

type Lines = Arc<Mutex<Vec<(Level, String, String)>>>;

/// Installs a callback collecting (level, line, thread name).
fn collect(level: Level) -> Lines {
    let lines: Lines = Arc::default();
    let sink = lines.clone();
    logging::set_callback(
        Some(Arc::new(move |level, line: &str| {
            let thread = std::thread::current().name().unwrap_or("").to_owned();
            sink.lock().unwrap().push((level, line.to_owned(), thread));
        })),
        level,
    )
    .unwrap();
    lines
}

/// Waits (bounded) until a line containing every one of `parts` arrived.
fn wait_for(lines: &Lines, parts: &[&str]) -> String {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some((_, l, _)) = lines
            .lock()
            .unwrap()
            .iter()
            .find(|(_, l, _)| parts.iter().all(|p| l.contains(p)))
        {
            return l.clone();
        }
        assert!(
            Instant::now() < end,
            "no line with {parts:?} in {:#?}",
            lines.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

const SECRETS: &[&str] = &["s3cret", "alice", "pr0xypw", "proxyuser", "tok3n", "c00kie"];

fn assert_no_secrets(lines: &[(Level, String, String)]) {
    for (_, line, _) in lines {
        for secret in SECRETS {
            assert!(!line.contains(secret), "{secret:?} in log line {line:?}");
        }
    }
}

/// The child half of `hsession_log_writes_stderr`: requests with
/// credentials, logged by HSESSION_LOG.
#[test]
fn child_requests_for_stderr_log() {
    let Ok(base) = std::env::var("HSESSION_LOG_TEST_URL") else {
        return;
    };
    let s = Session::new().unwrap();
    let url = base.replace("http://", "http://alice:s3cret@");
    let mut req = Request::new("GET", &format!("{url}/redirect/1")).unwrap();
    req.header("Authorization", "Bearer tok3n").unwrap();
    req.header("Cookie", "session=c00kie").unwrap();
    let resp = s.send(&req).unwrap();
    assert_eq!(resp.status(), 200);
}

#[test]
fn hsession_log_writes_stderr() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let srv = TestServer::start();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_requests_for_stderr_log", "--nocapture"])
        .env("HSESSION_LOG", "debug")
        .env("HSESSION_LOG_TEST_URL", srv.url(""))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let port = srv.port();
    for expected in [
        // The URL's credentials became an Authorization header.
        format!("hsession DEBUG request GET http://127.0.0.1:{port}/redirect/1"),
        "hsession DEBUG new connection to 127.0.0.1:".to_owned(),
        "hsession DEBUG response 302".to_owned(),
        format!("hsession DEBUG redirect 302 from=http://127.0.0.1:{port}/redirect/1 to=http://127.0.0.1:{port}/echo"),
        "hsession INFO done 200 GET".to_owned(),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} not in:\n{stderr}");
    }
    for secret in SECRETS {
        assert!(!stderr.contains(secret), "{secret:?} in:\n{stderr}");
    }
    // Without the variable, nothing.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_requests_for_stderr_log", "--nocapture"])
        .env_remove("HSESSION_LOG")
        .env("HSESSION_LOG_TEST_URL", srv.url(""))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hsession "));
    // An unknown level is said once, and logs nothing.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_requests_for_stderr_log", "--nocapture"])
        .env("HSESSION_LOG", "loud")
        .env("HSESSION_LOG_TEST_URL", srv.url(""))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .matches("HSESSION_LOG=\"loud\" is not one of")
            .count(),
        1,
        "{stderr}"
    );
    assert!(!stderr.contains("hsession DEBUG"), "{stderr}");
}

#[test]
fn callback_gets_retries_redirects_and_connections_on_its_own_thread() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let srv = TestServer::start();
    let lines = collect(Level::Trace);
    let s = Session::new().unwrap();
    s.set_retry(RetryPolicy {
        total: Some(3),
        status_forcelist: vec![503],
        backoff_factor: Duration::ZERO,
        ..RetryPolicy::default()
    });
    let resp = get(&s, &srv.url("/flaky/logged/1?status=503"));
    assert_eq!((resp.status(), resp.retries()), (200, 1));
    wait_for(&lines, &["retry GET", "reason=\"status 503\"", "wait_ms="]);
    get(&s, &srv.url("/redirect/2"));
    wait_for(
        &lines,
        &["redirect 302 from=", "/redirect/2 to=", "/redirect/1"],
    );
    wait_for(
        &lines,
        &["new connection to 127.0.0.1:", "local=127.0.0.1:"],
    );
    wait_for(&lines, &["response 200 GET", "connection=reused"]);
    wait_for(&lines, &["done 200 GET", "elapsed_ms="]);

    // A connect failure, retried with its reason.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/x", closed.local_addr().unwrap());
    drop(closed);
    let err = s.send(&Request::new("GET", &dead).unwrap()).unwrap_err();
    assert_eq!(err.kind(), hsession::ErrorKind::Connect, "{err}");
    wait_for(&lines, &["retry GET", "kind=Connect", "retries=1"]);
    wait_for(&lines, &["request failed GET", "kind=Connect"]);

    logging::set_callback(None, Level::Off).unwrap();
    let lines = lines.lock().unwrap();
    assert!(
        lines.iter().all(|(_, _, t)| t == "hsession-log"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|(l, _, _)| *l == Level::Warn));
}

#[test]
fn no_credentials_in_any_line() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let srv = TestServer::start();
    let lines = collect(Level::Trace);
    let s = Session::new().unwrap();
    s.set_basic_auth("alice", "s3cret").unwrap();
    s.set_header("Cookie", "jar=c00kie").unwrap();
    let url = srv
        .url("/redirect/1")
        .replace("http://", "http://alice:s3cret@");
    let mut req = Request::new("GET", &url).unwrap();
    req.header("Authorization", "Bearer tok3n").unwrap();
    req.header("Proxy-Authorization", "Basic pr0xypw").unwrap();
    s.send(&req).unwrap();
    // A proxy with credentials that cannot be reached: its error is logged.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://proxyuser:pr0xypw@{}", closed.local_addr().unwrap());
    drop(closed);
    s.set_proxy("http", Some(&proxy)).unwrap();
    s.set_no_proxy(Some("")).unwrap();
    let err = s.send(&Request::new("GET", &url).unwrap()).unwrap_err();
    assert!(!err.to_string().contains("pr0xypw"), "{err}");
    wait_for(&lines, &["request failed GET"]);
    logging::set_callback(None, Level::Off).unwrap();
    let lines = lines.lock().unwrap();
    assert!(lines.len() >= 5, "{lines:?}");
    assert_no_secrets(&lines);
}

#[test]
fn removing_the_callback_stops_delivery_and_levels_filter() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let srv = TestServer::start();
    let lines = collect(Level::Info);
    let s = Session::new().unwrap();
    get(&s, &srv.url("/echo"));
    wait_for(&lines, &["done 200 GET"]);
    assert!(
        lines
            .lock()
            .unwrap()
            .iter()
            .all(|(l, _, _)| *l <= Level::Info),
        "{:?}",
        lines.lock().unwrap()
    );
    logging::set_callback(None, Level::Off).unwrap();
    let before = lines.lock().unwrap().len();
    get(&s, &srv.url("/echo"));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(lines.lock().unwrap().len(), before);
}

#[test]
fn a_stuck_callback_loses_lines_but_never_holds_requests() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let srv = TestServer::start();
    // The callback blocks until released: the queue fills, then overflows.
    let gate = Arc::new(Mutex::new(()));
    let held = gate.lock().unwrap();
    let seen: Lines = Arc::default();
    let (sink_gate, sink_seen) = (gate.clone(), seen.clone());
    logging::set_callback(
        Some(Arc::new(move |level, line: &str| {
            drop(sink_gate.lock().unwrap());
            sink_seen
                .lock()
                .unwrap()
                .push((level, line.to_owned(), String::new()));
        })),
        Level::Trace,
    )
    .unwrap();
    let before = logging::dropped();
    let s = Session::new().unwrap();
    let start = Instant::now();
    // At least four lines each: request, response, body, done.
    for _ in 0..1500 {
        get(&s, &srv.url("/echo"));
    }
    let took = start.elapsed();
    assert!(
        logging::dropped() > before,
        "6000 lines fit a queue of 4096?"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
    drop(held);
    wait_for(&seen, &["log lines dropped: the log callback is slower"]);
    logging::set_callback(None, Level::Off).unwrap();
}
