//! Per-request transport settings (requests' per-call `verify=`, `cert=`,
//! `proxies=`) and in-memory multipart file parts: what the Python binding
//! sends as packed tags 21-26.

mod common;
use base64::Engine as _;
use common::*;
use hsession::{ErrorKind, Request, Session};
use hsession_testserver::{TestCa, TlsOptions};
use std::path::PathBuf;

fn ca_file(ca: &TestCa, name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("hsession-rt-{}-{name}.pem", std::process::id()));
    std::fs::write(&p, ca.cert_pem()).unwrap();
    p
}

#[test]
fn verify_off_for_one_request_leaves_the_session_verifying() {
    let ca = TestCa::new("hsession rt CA").unwrap();
    let srv = TestServer::start_tls(&TlsOptions::new(ca.server_cert(&["127.0.0.1"]).unwrap()));
    let s = Session::new().unwrap();
    let url = srv.url("/cookies/set?k=v");
    let mut req = Request::new("GET", &url).unwrap();
    req.verify(false);
    assert_eq!(s.send(&req).unwrap().status(), 200);
    // The same override again reuses its pool's connection.
    assert_eq!(s.send(&req).unwrap().status(), 200);
    assert_eq!(srv.connections_accepted(), 1);
    // The cookie set over the unverified pool is in the session's one jar.
    assert_eq!(s.jar().cookies().len(), 1);
    // A request without the override verifies, on a connection of its own.
    let e = s
        .send(&Request::new("GET", &srv.url("/echo")).unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert_eq!(srv.connections_accepted(), 2);
}

#[test]
fn a_ca_file_for_one_request() {
    let ca = TestCa::new("hsession rt CA 2").unwrap();
    let srv = TestServer::start_tls(&TlsOptions::new(ca.server_cert(&["127.0.0.1"]).unwrap()));
    let path = ca_file(&ca, "ca");
    let s = Session::new().unwrap();
    let mut req = Request::new("GET", &srv.url("/echo")).unwrap();
    req.ca_file(Some(&path)).unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 200);
    let e = s
        .send(&Request::new("GET", &srv.url("/echo")).unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls);
    // With the CA on the session, a request can go back to the platform roots.
    s.set_ca_file(Some(&path)).unwrap();
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
    let mut req = Request::new("GET", &srv.url("/echo")).unwrap();
    req.ca_file(None).unwrap();
    assert_eq!(s.send(&req).unwrap_err().kind(), ErrorKind::Tls);
    // Files are checked when set.
    let mut req = Request::new("GET", &srv.url("/echo")).unwrap();
    let e = req.ca_file(Some(std::path::Path::new("/nonexistent/ca.pem")));
    assert_eq!(e.unwrap_err().kind(), ErrorKind::Io);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_proxy_for_one_request() {
    // The test server answers absolute-form requests, so it can stand in
    // for an HTTP proxy: what it echoes shows the request went through it.
    let proxy = TestServer::start();
    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    let target = "http://origin.invalid:9/echo";
    let mut req = Request::new("GET", target).unwrap();
    req.proxy("http", Some(&proxy.url(""))).unwrap();
    let echo = json(&s.send(&req).unwrap());
    assert_eq!(echoed(&echo, "host"), ["origin.invalid:9"]);
    assert_eq!(proxy.requests_served(), 1);
    // Without it the name does not resolve.
    let e = s.send(&Request::new("GET", target).unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    // no_proxy on the request bypasses the proxy again.
    req.no_proxy(Some("origin.invalid")).unwrap();
    assert_eq!(s.send(&req).unwrap_err().kind(), ErrorKind::Connect);
    assert_eq!(proxy.requests_served(), 1);
    // A proxy removed for one request.
    s.set_proxy("http", Some(&proxy.url(""))).unwrap();
    let mut req = Request::new("GET", target).unwrap();
    req.proxy("http", None).unwrap();
    assert_eq!(s.send(&req).unwrap_err().kind(), ErrorKind::Connect);
    assert_eq!(get(&s, target).status(), 200);
    // Bad input is refused when set.
    let mut req = Request::new("GET", target).unwrap();
    assert_eq!(
        req.proxy("ftp", Some("http://127.0.0.1:1"))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert!(req.proxy("http", Some("no scheme")).is_err());
}

#[test]
fn multipart_parts_from_memory() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let data: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let mut req = Request::new("POST", &srv.url("/echo")).unwrap();
    req.form_text("k", "v")
        .form_bytes(
            "blob",
            data.clone(),
            Some("blob.bin"),
            Some("application/x-test"),
        )
        .form_bytes("plain", &b"hello"[..], None, None);
    let echo = json(&s.send(&req).unwrap());
    let m = &echo["multipart"];
    assert!(m.get("error").is_none(), "{m}");
    assert_eq!(m["fields"]["k"], "v");
    assert_eq!(m["files"]["blob"]["filename"], "blob.bin");
    assert_eq!(m["files"]["blob"]["content_type"], "application/x-test");
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    assert_eq!(b64(&m["files"]["blob"]["body_base64"]), data);
    // A part without a file name is a field to the server.
    assert_eq!(m["fields"]["plain"], "hello");
}
