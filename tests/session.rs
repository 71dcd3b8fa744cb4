//! The session's behaviour against the test server: defaults, auth, query
//! parameters, cookies, pooling and errors.

mod common;
use common::*;
use hsession::{ErrorKind, Request, Session, TransportConfig};

#[test]
fn default_headers_set_replace_remove_and_per_request_override() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let body = json(&get(&s, &srv.url("/echo")));
    assert_eq!(
        echoed(&body, "user-agent"),
        vec![format!("hsession/{}", hsession::VERSION)]
    );

    s.set_header("User-Agent", "MyApp/1.0").unwrap();
    s.set_header("Accept", "application/json").unwrap();
    s.append_header("X-Multi", "a").unwrap();
    s.append_header("X-Multi", "b").unwrap();
    let body = json(&get(&s, &srv.url("/echo")));
    assert_eq!(echoed(&body, "user-agent"), vec!["MyApp/1.0"]);
    assert_eq!(echoed(&body, "accept"), vec!["application/json"]);
    assert_eq!(echoed(&body, "x-multi"), vec!["a", "b"]);

    s.set_header("user-agent", "MyApp/2.0").unwrap();
    let mut req = Request::new("GET", &srv.url("/echo")).unwrap();
    req.remove_header("Accept").unwrap();
    req.header("X-Multi", "only").unwrap();
    let body = json(&s.send(&req).unwrap());
    assert_eq!(echoed(&body, "user-agent"), vec!["MyApp/2.0"]);
    assert!(!echoed(&body, "accept").contains(&"application/json".to_string()));
    assert_eq!(echoed(&body, "x-multi"), vec!["only"]);

    // The removal was for that request only.
    let body = json(&get(&s, &srv.url("/echo")));
    assert_eq!(echoed(&body, "accept"), vec!["application/json"]);

    s.remove_header("Accept").unwrap();
    s.remove_header("X-Multi").unwrap();
    s.remove_header("X-Never-Set").unwrap();
    let body = json(&get(&s, &srv.url("/echo")));
    assert!(echoed(&body, "x-multi").is_empty());
}

#[test]
fn basic_and_bearer_auth_session_and_request() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let url = srv.url("/basic-auth/user/pass");
    assert_eq!(get(&s, &url).status(), 401);

    s.set_basic_auth("user", "pass").unwrap();
    let resp = get(&s, &url);
    assert_eq!(resp.status(), 200);
    assert_eq!(json(&resp)["user"], "user");

    // A request can use other credentials or none.
    let mut req = Request::new("GET", &url).unwrap();
    req.basic_auth("user", "wrong").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    let mut req = Request::new("GET", &url).unwrap();
    req.no_auth();
    assert_eq!(s.send(&req).unwrap().status(), 401);
    let mut req = Request::new("GET", &url).unwrap();
    req.remove_header("authorization").unwrap();
    assert_eq!(s.send(&req).unwrap().status(), 401);

    s.set_bearer_auth("my_token").unwrap();
    let resp = get(&s, &srv.url("/bearer"));
    assert_eq!(resp.status(), 200);
    assert_eq!(json(&resp)["token"], "my_token");
    let mut req = Request::new("GET", &srv.url("/bearer")).unwrap();
    req.bearer_auth("other").unwrap();
    assert_eq!(json(&s.send(&req).unwrap())["token"], "other");

    s.clear_auth();
    assert_eq!(get(&s, &srv.url("/bearer")).status(), 401);

    // Credentials in the URL become basic auth and leave the URL.
    let with_creds = url.replace("http://", "http://user:pass@");
    let resp = get(&s, &with_creds);
    assert_eq!(resp.status(), 200);
    assert!(!resp.url().as_str().contains("pass@"));
    assert!(s.set_basic_auth("us:er", "x").is_err());
}

#[test]
fn query_params_merge_session_and_request() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    s.add_query_param("api_key", "k 1&2");
    s.add_query_param("page", "1");
    let mut req = Request::new("GET", &srv.url("/echo?fixed=yes")).unwrap();
    req.query("page", "2").query("q", "ä");
    let body = json(&s.send(&req).unwrap());
    assert_eq!(body["query"]["fixed"], serde_json::json!(["yes"]));
    assert_eq!(body["query"]["api_key"], serde_json::json!(["k 1&2"]));
    assert_eq!(body["query"]["page"], serde_json::json!(["2"]));
    assert_eq!(body["query"]["q"], serde_json::json!(["ä"]));

    s.clear_query_params();
    let body = json(&get(&s, &srv.url("/echo")));
    assert!(body["query"].as_object().unwrap().is_empty());
}

#[test]
fn cookie_set_by_one_response_is_sent_on_the_next() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    get(&s, &srv.url("/cookies/set?flavour=oat&size=big"));
    let body = json(&get(&s, &srv.url("/cookies")));
    assert_eq!(body["cookies"]["flavour"], "oat");
    assert_eq!(body["cookies"]["size"], "big");
    assert_eq!(s.jar().len(), 2);

    get(&s, &srv.url("/cookies/delete?flavour"));
    let body = json(&get(&s, &srv.url("/cookies")));
    assert!(body["cookies"].get("flavour").is_none());
    assert_eq!(body["cookies"]["size"], "big");
}

#[test]
fn login_then_protected_page() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    assert_eq!(get(&s, &srv.url("/protected")).status(), 401);
    let mut login = Request::new("POST", &srv.url("/login")).unwrap();
    login
        .header("Content-Type", "application/x-www-form-urlencoded")
        .unwrap()
        .body("username=user&password=pass");
    assert_eq!(s.send(&login).unwrap().status(), 200);
    let resp = get(&s, &srv.url("/protected"));
    assert_eq!(resp.status(), 200);
    assert_eq!(json(&resp)["authenticated"], true);
}

#[test]
fn body_method_and_response_fields() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let mut req = Request::new("PUT", &srv.url("/echo")).unwrap();
    req.header("Content-Type", "application/json")
        .unwrap()
        .body(&b"{\"key\":\"value\"}"[..]);
    let resp = s.send(&req).unwrap();
    let body = json(&resp);
    assert_eq!(body["method"], "PUT");
    assert_eq!(body["json"]["key"], "value");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.reason(), "OK");
    assert_eq!(resp.version(), "HTTP/1.1");
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.header("CONTENT-TYPE"), Some("application/json"));
    assert!(resp.elapsed().as_micros() > 0);

    let resp = get(&s, &srv.url("/status/418?reason=Short%20And%20Stout"));
    assert_eq!(resp.status(), 418);
    assert_eq!(resp.reason(), "Short And Stout");
    assert_eq!(get(&s, &srv.url("/status/503")).status(), 503);

    let resp = get(&s, &srv.url("/bytes/300000"));
    assert_eq!(resp.body().len(), 300000);
    assert!(resp
        .body()
        .iter()
        .enumerate()
        .all(|(i, &b)| b == (i % 251) as u8));

    let resp = get(&s, &srv.url("/gzip"));
    assert_eq!(json(&resp)["gzipped"], true);

    let resp = get(&s, &srv.url("/redirect/3"));
    assert_eq!(resp.status(), 200);
    assert!(resp.url().path().ends_with("/echo"), "{}", resp.url());

    let resp = get(&s, &srv.url("/cookies/set?a=1&b=2"));
    let set: Vec<_> = resp.header_values("set-cookie").collect();
    assert_eq!(set.len(), 2);
}

#[test]
fn two_hundred_sequential_requests_use_one_connection() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    for i in 0..200 {
        let resp = get(&s, &srv.url(&format!("/nonce/{i}")));
        assert_eq!(json(&resp)["nonce"], i.to_string());
    }
    assert_eq!(s.requests_sent(), 200);
    assert_eq!(s.connections_opened(), 1);
    assert_eq!(srv.connections_accepted(), 1);
}

#[test]
fn transport_change_builds_a_new_pool_and_keeps_the_jar() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    get(&s, &srv.url("/cookies/set?kept=yes"));
    assert_eq!(s.connections_opened(), 1);
    s.set_transport_config(TransportConfig {
        pool_max_idle_per_host: 4,
        ..s.transport_config()
    })
    .unwrap();
    let body = json(&get(&s, &srv.url("/cookies")));
    assert_eq!(body["cookies"]["kept"], "yes");
    // The new pool had to open its own connection.
    assert_eq!(s.connections_opened(), 2);
    assert_eq!(srv.connections_accepted(), 2);

    // No idle connections kept: every request connects anew.
    s.set_transport_config(TransportConfig {
        pool_max_idle_per_host: 0,
        ..s.transport_config()
    })
    .unwrap();
    for _ in 0..3 {
        get(&s, &srv.url("/echo"));
    }
    assert_eq!(s.connections_opened(), 5);
}

#[test]
fn invalid_input_is_rejected_before_anything_is_sent() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let kind = |r: hsession::Result<Request>| r.unwrap_err().kind();
    assert_eq!(
        kind(Request::new("GE T", &srv.url("/"))),
        ErrorKind::InvalidMethod
    );
    assert_eq!(
        kind(Request::new("", &srv.url("/"))),
        ErrorKind::InvalidMethod
    );
    assert_eq!(
        kind(Request::new("GET", "ftp://127.0.0.1/x")),
        ErrorKind::UnsupportedScheme
    );
    assert_eq!(kind(Request::new("GET", "http://")), ErrorKind::InvalidUrl);
    assert_eq!(
        kind(Request::new("GET", "not a url")),
        ErrorKind::InvalidUrl
    );
    assert_eq!(
        kind(Request::new("GET", "/relative")),
        ErrorKind::InvalidUrl
    );
    let with_lf = format!("{}\r\nX-Injected: 1", srv.url("/echo"));
    assert_eq!(kind(Request::new("GET", &with_lf)), ErrorKind::InvalidUrl);
    assert_eq!(
        kind(Request::new("GET", &format!("{}\0", srv.url("/")))),
        ErrorKind::InvalidUrl
    );

    let mut req = Request::new("GET", &srv.url("/echo")).unwrap();
    let bad_names = ["", "X Y", "X:Y", "X\r\nY", "X\0Y", "Ä"];
    for name in bad_names {
        assert_eq!(
            req.header(name, "v").unwrap_err().kind(),
            ErrorKind::InvalidHeaderName,
            "{name:?}"
        );
        assert_eq!(
            s.set_header(name, "v").unwrap_err().kind(),
            ErrorKind::InvalidHeaderName
        );
    }
    for value in ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b"] {
        assert_eq!(
            req.header("X-Ok", value).unwrap_err().kind(),
            ErrorKind::InvalidHeaderValue
        );
        assert_eq!(
            s.set_header("X-Ok", value).unwrap_err().kind(),
            ErrorKind::InvalidHeaderValue
        );
    }
    assert_eq!(
        s.set_bearer_auth("a\r\nb").unwrap_err().kind(),
        ErrorKind::InvalidHeaderValue
    );
    assert_eq!(srv.requests_served(), 0);
    assert_eq!(s.requests_sent(), 0);
    // Still usable.
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn transport_failures_have_their_kinds_and_the_session_survives() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    // A port nobody listens on: bind one, note it, close it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://user:secret@127.0.0.1:{port}/x");
    let err = s.send(&Request::new("GET", &url).unwrap()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(!err.url().unwrap().contains("secret"), "{:?}", err.url());
    assert!(!err.to_string().contains("secret"));

    let err = s
        .send(&Request::new("GET", &srv.url("/close-mid-body")).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionClosed, "{err}");
    let err = s
        .send(&Request::new("GET", &srv.url("/close-no-response")).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionClosed, "{err}");

    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn blocking_call_from_inside_a_runtime_is_refused() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let req = Request::new("GET", &srv.url("/echo")).unwrap();
    let err = rt.block_on(async { s.send(&req) }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongThread);
}
