//! TLS: verification against a CA made by the test, CA bundle, verification
//! off (and that it never leaks into a later verifying request), mutual TLS,
//! minimum version, and the checks made when files are set.

mod common;
use common::*;
use hsession::{ErrorKind, Session, TlsVersion};
use hsession_testserver::{TestCa, TlsOptions};
use std::path::{Path, PathBuf};

/// A fresh directory for this test's PEM files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hsession-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

struct Pki {
    ca: TestCa,
    ca_file: PathBuf,
    dir: PathBuf,
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn pki(name: &str) -> Pki {
    let ca = TestCa::new("hsession test CA").unwrap();
    let dir = dir(name);
    let ca_file = write(&dir, "ca.pem", &ca.cert_pem());
    Pki { ca, ca_file, dir }
}

fn server(pki: &Pki) -> TestServer {
    let cert = pki.ca.server_cert(&["localhost", "127.0.0.1"]).unwrap();
    TestServer::start_tls(&TlsOptions::new(cert))
}

fn fails_with(s: &Session, url: &str) -> hsession::Error {
    match s.send(&hsession::Request::new("GET", url).unwrap()) {
        Ok(r) => panic!("GET {url} succeeded with {}", r.status()),
        Err(e) => e,
    }
}

#[test]
fn default_verification_rejects_an_unknown_ca() {
    let pki = pki("unknown");
    let srv = server(&pki);
    let s = Session::new().unwrap();
    let e = fails_with(&s, &srv.url("/get"));
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().to_lowercase().contains("certificate"), "{e}");
    // The kind once, then the cause, without the client's wrapper text.
    assert!(e.message().starts_with("TLS failure: "), "{e}");
    assert!(!e.message().contains("client error ("), "{e}");
}

#[test]
fn the_ca_bundle_is_trusted_and_replaces_the_platform_roots() {
    let pki = pki("bundle");
    let srv = server(&pki);
    let s = Session::new().unwrap();
    s.set_ca_file(Some(&pki.ca_file)).unwrap();
    let resp = get(&s, &srv.url("/echo"));
    assert_eq!(resp.status(), 200);
    // localhost is in the certificate too.
    let resp = get(&s, &srv.url("/echo").replace("127.0.0.1", "localhost"));
    assert_eq!(resp.status(), 200);
    // Two requests, one connection: the pool works over TLS.
    assert_eq!(srv.connections_accepted(), 2, "one per host name");
    get(&s, &srv.url("/echo"));
    assert_eq!(srv.connections_accepted(), 2);
    // Back to the platform roots: the test CA is unknown again.
    s.set_ca_file(None).unwrap();
    assert_eq!(fails_with(&s, &srv.url("/echo")).kind(), ErrorKind::Tls);
}

#[test]
fn a_certificate_for_another_name_is_rejected() {
    let pki = pki("wrongname");
    let cert = pki.ca.server_cert(&["other.example"]).unwrap();
    let srv = TestServer::start_tls(&TlsOptions::new(cert));
    let s = Session::new().unwrap();
    s.set_ca_file(Some(&pki.ca_file)).unwrap();
    let e = fails_with(&s, &srv.url("/echo"));
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().contains("not valid for name"), "{e}");
}

#[test]
fn verify_off_accepts_and_never_leaks_into_a_verifying_request() {
    let pki = pki("verifyoff");
    let srv = server(&pki);
    let s = Session::new().unwrap();
    s.set_verify(false).unwrap();
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
    // The unverified connection is pooled and idle now.
    assert_eq!(srv.connections_accepted(), 1);
    s.set_verify(true).unwrap();
    let e = fails_with(&s, &srv.url("/echo"));
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    // The verifying request opened its own connection (and failed its handshake).
    assert_eq!(srv.connections_accepted(), 2);
    assert_eq!(srv.requests_served(), 2);
    // With the CA it verifies, on a connection of its own again.
    s.set_ca_file(Some(&pki.ca_file)).unwrap();
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
    assert_eq!(srv.connections_accepted(), 3);
}

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let pki = pki("mtls");
    let mut opts = TlsOptions::new(pki.ca.server_cert(&["127.0.0.1"]).unwrap());
    opts.client_ca = Some(pki.ca.cert_pem());
    let srv = TestServer::start_tls(&opts);
    let client = pki.ca.client_cert("hsession test client").unwrap();
    let cert = write(&pki.dir, "client.pem", &client.cert);
    let key = write(&pki.dir, "client-key.pem", &client.key);

    let s = Session::new().unwrap();
    s.set_ca_file(Some(&pki.ca_file)).unwrap();
    let e = fails_with(&s, &srv.url("/echo"));
    assert!(
        matches!(e.kind(), ErrorKind::Tls | ErrorKind::ConnectionClosed),
        "{:?} {e}",
        e.kind()
    );
    s.set_client_cert(Some((&cert, &key))).unwrap();
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
    // A certificate from another CA is refused by the server.
    let stranger = TestCa::new("stranger").unwrap().client_cert("x").unwrap();
    let cert2 = write(&pki.dir, "stranger.pem", &stranger.cert);
    let key2 = write(&pki.dir, "stranger-key.pem", &stranger.key);
    s.set_client_cert(Some((&cert2, &key2))).unwrap();
    assert!(s
        .send(&hsession::Request::new("GET", &srv.url("/echo")).unwrap())
        .is_err());
}

#[test]
fn min_version_1_3_refuses_a_tls_1_2_server() {
    let pki = pki("minver");
    let mut opts = TlsOptions::new(pki.ca.server_cert(&["127.0.0.1"]).unwrap());
    opts.tls12_only = true;
    let srv = TestServer::start_tls(&opts);
    let s = Session::new().unwrap();
    s.set_ca_file(Some(&pki.ca_file)).unwrap();
    assert_eq!(
        get(&s, &srv.url("/echo")).status(),
        200,
        "1.2 is accepted by default"
    );
    s.set_min_tls_version(TlsVersion::Tls13).unwrap();
    let e = fails_with(&s, &srv.url("/echo"));
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    s.set_min_tls_version(TlsVersion::Tls12).unwrap();
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn files_are_checked_when_set_and_a_failure_changes_nothing() {
    let pki = pki("badfiles");
    let srv = server(&pki);
    let s = Session::new().unwrap();
    s.set_ca_file(Some(&pki.ca_file)).unwrap();
    let before = s.transport_config();

    let missing = pki.dir.join("missing.pem");
    assert_eq!(
        s.set_ca_file(Some(&missing)).unwrap_err().kind(),
        ErrorKind::Io
    );
    let junk = write(&pki.dir, "junk.pem", "not a certificate\n");
    let e = s.set_ca_file(Some(&junk)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.message().contains("junk.pem"), "{e}");
    let broken = write(
        &pki.dir,
        "broken.pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    assert_eq!(
        s.set_ca_file(Some(&broken)).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );

    let client = pki.ca.client_cert("c").unwrap();
    let other = pki.ca.client_cert("d").unwrap();
    let cert = write(&pki.dir, "c.pem", &client.cert);
    let key = write(&pki.dir, "c-key.pem", &client.key);
    let wrong_key = write(&pki.dir, "d-key.pem", &other.key);
    assert_eq!(
        s.set_client_cert(Some((&cert, &missing)))
            .unwrap_err()
            .kind(),
        ErrorKind::Io
    );
    assert_eq!(
        s.set_client_cert(Some((&junk, &key))).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        s.set_client_cert(Some((&cert, &junk))).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let e = s.set_client_cert(Some((&cert, &wrong_key))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.message().contains("does not belong"), "{e}");

    assert_eq!(
        s.transport_config(),
        before,
        "failed setters change nothing"
    );
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn https_to_http_redirects_can_be_refused() {
    let pki = pki("downgrade");
    let tls = server(&pki);
    let plain = TestServer::start();
    let s = Session::new().unwrap();
    s.set_ca_file(Some(&pki.ca_file)).unwrap();
    let to_plain = format!(
        "/redirect-to?url={}",
        url::form_urlencoded::byte_serialize(plain.url("/echo").as_bytes()).collect::<String>()
    );
    // Followed by default, as requests does.
    assert_eq!(get(&s, &tls.url(&to_plain)).status(), 200);
    s.set_refuse_downgrade(true);
    let e = fails_with(&s, &tls.url(&to_plain));
    assert_eq!(e.kind(), ErrorKind::UnsupportedScheme, "{e}");
    // https -> https is still followed.
    assert_eq!(get(&s, &tls.url("/redirect/1")).status(), 200);
}

/// TLS setters and other transport setters racing from threads never undo
/// each other's changes: each writes its own field under the session's lock.
#[test]
fn tls_setters_racing_other_setters_lose_nothing() {
    let mut lost = Vec::new();
    for round in 0..300 {
        let s = Session::new().unwrap();
        let barrier = std::sync::Barrier::new(3);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                barrier.wait();
                s.set_min_tls_version(TlsVersion::Tls13).unwrap();
            });
            scope.spawn(|| {
                barrier.wait();
                s.set_verify(false).unwrap();
            });
            scope.spawn(|| {
                barrier.wait();
                s.set_no_proxy(Some("racing.test")).unwrap();
            });
        });
        let c = s.transport_config();
        if c.tls.verify || c.tls.min_version != TlsVersion::Tls13 || c.proxy.no_proxy.is_none() {
            lost.push(round);
        }
    }
    assert!(lost.is_empty(), "a change was lost in rounds {lost:?}");
}
