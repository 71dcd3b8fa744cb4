//! Helpers shared by the integration tests.
#![allow(dead_code)]

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
