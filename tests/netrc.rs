//! `.netrc` credentials while `trust_env` is on, as requests: the file named
//! by NETRC, else `$HOME/.netrc`; matched by host; sent as basic auth only
//! when the request has no other auth. One test function: it changes the
//! process environment.

mod common;
use common::*;
use hsession::{Request, Session};

#[test]
fn netrc_credentials_with_trust_env_only() {
    let srv = TestServer::start();
    let other = TestServer::start();
    let dir = std::env::temp_dir().join(format!("hsession-netrc-{}", std::process::id()));
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let url = srv.url("/basic-auth/user/pass");
    std::env::remove_var("NETRC");
    std::env::set_var("HOME", &home);

    // $HOME/.netrc, with a comment, a macro and another machine before ours.
    std::fs::write(
        home.join(".netrc"),
        "# credentials\nmachine example.org login x password y\n\
         macdef init\ncd /pub\n\nmachine 127.0.0.1\n  login user\n  password pass\n",
    )
    .unwrap();
    let s = Session::new().unwrap();
    let resp = get(&s, &url);
    assert_eq!(resp.status(), 200, "{}", resp.text());
    assert_eq!(json(&resp)["user"], "user");

    // Other auth wins: the session's, the request's, no auth, URL credentials.
    s.set_bearer_auth("tok").unwrap();
    assert_eq!(get(&s, &url).status(), 401);
    s.clear_auth();
    let mut req = Request::new("GET", &url).unwrap();
    req.basic_auth("user", "wrong").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    let mut req = Request::new("GET", &url).unwrap();
    req.no_auth();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    let mut req = Request::new("GET", &url).unwrap();
    req.remove_header("Authorization").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    let mut req = Request::new("GET", &url).unwrap();
    req.header("Authorization", "Basic Zm9vOmJhcg==").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    assert_eq!(
        get(&s, &url.replace("http://", "http://user:bad@")).status(),
        401
    );

    // Never with trust_env off.
    s.set_trust_env(false).unwrap();
    assert_eq!(get(&s, &url).status(), 401);
    s.set_trust_env(true).unwrap();

    // NETRC names the file instead of $HOME/.netrc; a host without an entry
    // gets none (the file has no default).
    let named = dir.join("named-netrc");
    std::fs::write(&named, "machine localhost login user password pass\n").unwrap();
    std::env::set_var("NETRC", &named);
    assert_eq!(get(&s, &url).status(), 401);
    let local = other
        .url("/basic-auth/user/pass")
        .replace("127.0.0.1", "localhost");
    assert_eq!(get(&s, &local).status(), 200);
    // A default entry answers any host.
    std::fs::write(
        &named,
        "machine example.org login a password b\ndefault login user password pass\n",
    )
    .unwrap();
    assert_eq!(get(&s, &url).status(), 200);
    // A file that does not parse or is missing is ignored.
    std::fs::write(&named, "machine").unwrap();
    assert_eq!(get(&s, &url).status(), 401);
    std::env::set_var("NETRC", dir.join("missing"));
    assert_eq!(get(&s, &url).status(), 401);

    // After a redirect to another host, that host's entry (as requests'
    // rebuild_auth); trust_env off: none.
    std::fs::write(&named, "machine localhost login user password pass\n").unwrap();
    std::env::set_var("NETRC", &named);
    let hop = srv.url(&format!("/redirect-to?url={local}"));
    assert_eq!(get(&s, &hop).status(), 200);
    s.set_trust_env(false).unwrap();
    assert_eq!(get(&s, &hop).status(), 401);

    std::env::remove_var("NETRC");
    let _ = std::fs::remove_dir_all(&dir);
}
