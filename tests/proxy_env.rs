//! The proxy environment variables in the cases a review found unsafe: a
//! CGI program's HTTP_PROXY (httpoxy) and a NO_PROXY list with one bad
//! entry. A second test server stands in for the proxy: a request sent
//! through it arrives there (in absolute form) and is counted. One test
//! function, because it sets the process's environment.

mod common;
use common::*;
use hsession::Session;

/// Whether a GET of `url` from a fresh session went through `proxy`.
fn proxied(proxy: &TestServer, url: &str) -> bool {
    proxy.reset_counters();
    let s = Session::new().unwrap();
    assert_eq!(get(&s, url).status(), 200);
    proxy.requests_served() > 0
}

#[test]
fn the_environment_cannot_redirect_requests_to_a_proxy() {
    let origin = TestServer::start();
    let proxy = TestServer::start();
    let url = origin.url("/echo");
    for v in [
        "http_proxy",
        "HTTP_PROXY",
        "NO_PROXY",
        "no_proxy",
        "REQUEST_METHOD",
    ] {
        std::env::remove_var(v);
    }

    // httpoxy: under CGI, HTTP_PROXY comes from the client's Proxy: header.
    std::env::set_var("HTTP_PROXY", proxy.url(""));
    assert!(proxied(&proxy, &url), "HTTP_PROXY is used outside CGI");
    std::env::set_var("REQUEST_METHOD", "GET");
    assert!(
        !proxied(&proxy, &url),
        "HTTP_PROXY was used with REQUEST_METHOD set (httpoxy)"
    );
    // A proxy set through the API is still used under CGI.
    let s = Session::new().unwrap();
    s.set_proxy("http", Some(&proxy.url(""))).unwrap();
    proxy.reset_counters();
    get(&s, &url);
    assert_eq!(proxy.requests_served(), 1, "the API's proxy was not used");
    std::env::remove_var("REQUEST_METHOD");

    // One bad NO_PROXY entry skips only itself.
    for bad in ["localhost:*", "http://x", "10.0.0.0/255.0.0.0", "db:"] {
        std::env::set_var("NO_PROXY", format!("127.0.0.1,{bad}"));
        assert!(
            !proxied(&proxy, &url),
            "NO_PROXY=127.0.0.1,{bad}: 127.0.0.1 went through the proxy"
        );
    }
    std::env::set_var("NO_PROXY", "example.org");
    assert!(proxied(&proxy, &url));
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("HTTP_PROXY");
}
