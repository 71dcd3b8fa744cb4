//! Helpers shared by the integration tests.
#![allow(dead_code, unused_imports)]

pub use hsession_testserver::TestServer;
use serde_json::Value;

pub fn get(session: &hsession::Session, url: &str) -> hsession::Response {
    session
        .send(&hsession::Request::new("GET", url).unwrap())
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

pub fn json(resp: &hsession::Response) -> Value {
    serde_json::from_slice(resp.body())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", resp.text()))
}

/// The values of header `name` the server echoed, in order.
pub fn echoed(body: &Value, name: &str) -> Vec<String> {
    body["headers"]
        .as_array()
        .expect("headers array")
        .iter()
        .filter(|pair| pair[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|pair| pair[1].as_str().unwrap().to_owned())
        .collect()
}

/// GETs `url` `per_thread` times on each of `threads` threads sharing `s`;
/// returns every failure in words: an error, or a response `ok` refuses.
pub fn load(
    s: &hsession::Session,
    url: &str,
    threads: usize,
    per_thread: usize,
    ok: impl Fn(&hsession::Response) -> bool + Sync,
) -> Vec<String> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut errors = Vec::new();
                    for _ in 0..per_thread {
                        match s.send(&hsession::Request::new("GET", url).unwrap()) {
                            Ok(resp) if ok(&resp) => {}
                            Ok(resp) => {
                                errors.push(format!("{} {}", resp.status(), resp.version()))
                            }
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                    errors
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

/// Prints what a `load` run saw, then fails on any error.
pub fn expect_no_errors(what: &str, s: &hsession::Session, requests: usize, errors: &[String]) {
    println!(
        "{what}: {requests} GETs, {} errors, {} connections opened",
        errors.len(),
        s.connections_opened()
    );
    assert!(
        errors.is_empty(),
        "{what}: {} errors, first: {}",
        errors.len(),
        errors[0]
    );
}
