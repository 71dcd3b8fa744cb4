//! Credentials in URLs never reach an error: not in its message, not in
//! its URL, whether the URL parses or not, for the request's URL and for a
//! proxy's.

mod common;
use common::*;
use hsession::{Request, Session};

const SECRET: &str = "TOPSECRET";

fn clean(err: &hsession::Error) {
    let shown = format!("{err} {:?} {:?}", err.message(), err.url());
    assert!(!shown.contains(SECRET), "the password leaked: {shown}");
    assert!(!shown.contains("alice"), "the user name leaked: {shown}");
}

#[test]
fn no_error_carries_a_url_password() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    // Unparsable URLs, quoted in the message.
    for raw in [
        "http://alice:TOPSECRET@exa mple.com/",
        "http://alice:TOPSECRET@[::1/",
        "http://alice:TOP SECRET@host:99999/",
        "//alice:TOPSECRET@example.com/",
        "http://alice:TOP\"SECRET@exa mple.com/",
    ] {
        let err = Request::new("GET", raw).unwrap_err();
        clean(&err);
        assert!(err.message().contains("***"), "{err}");
        clean(&s.jar().set_cookie(raw, "a=1").unwrap_err());
    }
    // Parsed URLs: unsupported scheme, nothing listening, a bad proxy.
    clean(&Request::new("GET", "ftp://alice:TOPSECRET@example.com/").unwrap_err());
    let dead = "http://alice:TOPSECRET@127.0.0.1:1/private";
    let err = s.send(&Request::new("GET", dead).unwrap()).unwrap_err();
    clean(&err);
    assert!(err.url().unwrap().contains("127.0.0.1:1/private"));
    clean(
        &s.set_proxy("all", Some("http://alice:TOPSECRET@exa mple.com"))
            .unwrap_err(),
    );
    clean(
        &s.set_proxy("all", Some("ftp://alice:TOPSECRET@example.com"))
            .unwrap_err(),
    );
    s.set_proxy("all", Some("http://alice:TOPSECRET@127.0.0.1:1"))
        .unwrap();
    clean(
        &s.send(&Request::new("GET", &srv.url("/echo")).unwrap())
            .unwrap_err(),
    );
    s.set_proxy("all", Some("socks5://alice:TOPSECRET@127.0.0.1:1"))
        .unwrap();
    clean(
        &s.send(&Request::new("GET", &srv.url("/echo")).unwrap())
            .unwrap_err(),
    );
}
