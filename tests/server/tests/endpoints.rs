//! Endpoint tests over a hand-written HTTP/1.1 client on a raw TcpStream, so the server
//! is checked without depending on any HTTP client crate.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hsession_testserver::TestServer;
use serde_json::Value;

struct Resp {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(server: &TestServer) -> Client {
        let stream = TcpStream::connect(server.addr()).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut req = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let stream = self.reader.get_mut();
        stream.write_all(req.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
    }

    /// Reads status line and headers; `None` if the server closed without answering.
    fn read_head(&mut self) -> Option<Resp> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).unwrap_or(0) == 0 {
            return None;
        }
        let mut parts = line.trim_end().splitn(3, ' ');
        let _version = parts.next()?;
        let status = parts.next()?.parse().ok()?;
        let reason = parts.next().unwrap_or("").to_owned();
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).ok()?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (n, v) = l.split_once(':')?;
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
        Some(Resp {
            status,
            reason,
            headers,
            body: Vec::new(),
        })
    }

    fn read_response(&mut self, head_request: bool) -> Resp {
        let mut resp = self.read_head().expect("response head");
        if !head_request {
            let len: usize = resp
                .header("content-length")
                .map(|v| v.parse().unwrap())
                .unwrap_or(0);
            resp.body = vec![0; len];
            self.reader.read_exact(&mut resp.body).unwrap();
        }
        resp
    }

    fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Resp {
        self.send(method, target, headers, body);
        self.read_response(method == "HEAD")
    }
}

fn get(server: &TestServer, target: &str, headers: &[(&str, &str)]) -> Resp {
    Client::connect(server).request("GET", target, headers, b"")
}

#[test]
fn echo_reports_the_request() {
    let server = TestServer::start();
    let mut c = Client::connect(&server);
    let r = c.request(
        "POST",
        "/echo?a=1&a=2&b=x%20y",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", "s=1; t=2"),
            ("X-Rep", "one"),
            ("X-Rep", "two"),
        ],
        b"k=v&k2=v%202",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["method"], "POST");
    assert_eq!(j["path"], "/echo");
    assert_eq!(j["raw_query"], "a=1&a=2&b=x%20y");
    assert_eq!(j["query"]["a"], serde_json::json!(["1", "2"]));
    assert_eq!(j["query"]["b"], serde_json::json!(["x y"]));
    assert_eq!(j["cookies"], serde_json::json!({"s": "1", "t": "2"}));
    assert_eq!(j["form"], serde_json::json!({"k": "v", "k2": "v 2"}));
    assert_eq!(j["json"], Value::Null);
    assert_eq!(j["body"], "k=v&k2=v%202");
    assert_eq!(j["body_len"], 12);
    assert_eq!(j["body_base64"], "az12JmsyPXYlMjAy");
    assert_eq!(j["connection_id"], 1);
    assert_eq!(j["http_version"], "HTTP/1.1");
    let headers = j["headers"].as_array().unwrap();
    let reps: Vec<&Value> = headers.iter().filter(|h| h[0] == "x-rep").collect();
    assert_eq!(reps.len(), 2);
    assert_eq!(reps[0][1], "one");
    assert_eq!(reps[1][1], "two");

    let r = c.request(
        "PUT",
        "/anything/x/y",
        &[("Content-Type", "application/json; charset=utf-8")],
        br#"{"a":[1,2]}"#,
    );
    let j = r.json();
    assert_eq!(j["method"], "PUT");
    assert_eq!(j["path"], "/anything/x/y");
    assert_eq!(j["json"], serde_json::json!({"a": [1, 2]}));
    assert_eq!(j["form"], Value::Null);
}

#[test]
fn head_gets_headers_only() {
    let server = TestServer::start();
    let mut c = Client::connect(&server);
    let r = c.request("HEAD", "/echo", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    // The connection must still be usable, i.e. no body bytes were sent.
    let r = c.request("GET", "/json", &[], b"");
    assert_eq!(r.json()["slideshow"]["author"], "hsession");
}

#[test]
fn keep_alive_reuses_one_connection() {
    let server = TestServer::start();
    let mut c = Client::connect(&server);
    let ids: Vec<Value> = (0..3)
        .map(|i| c.request("GET", &format!("/nonce/n{i}"), &[], b"").json())
        .collect();
    for (i, j) in ids.iter().enumerate() {
        assert_eq!(j["nonce"], format!("n{i}"));
        assert_eq!(j["connection_id"], 1);
    }
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.requests_served(), 3);

    let stats = c.request("GET", "/stats", &[], b"").json();
    assert_eq!(stats["connections_accepted"], 1);
    assert_eq!(stats["requests_served"], 4);

    let before = c.request("POST", "/stats/reset", &[], b"").json();
    assert_eq!(before["requests_served"], 5);
    assert_eq!(server.requests_served(), 0);
    assert_eq!(server.connections_accepted(), 0);

    // A second connection gets the next serial id, even after a reset.
    let j = get(&server, "/nonce/z", &[]).json();
    assert_eq!(j["connection_id"], 2);
    assert_eq!(server.connections_accepted(), 1);
    server.reset_counters();
    assert_eq!(server.requests_served(), 0);
}

#[test]
fn status_and_reason_phrase() {
    let server = TestServer::start();
    let r = get(&server, "/status/418?reason=Short%20And%20Stout", &[]);
    assert_eq!((r.status, r.reason.as_str()), (418, "Short And Stout"));
    assert_eq!(r.json()["status"], 418);
    assert_eq!(get(&server, "/status/503", &[]).status, 503);
    assert_eq!(get(&server, "/status/204", &[]).status, 204);
    for bad in ["/status/100", "/status/600", "/status/abc", "/status/99999"] {
        assert_eq!(get(&server, bad, &[]).status, 400, "{bad}");
    }
    let r = get(&server, "/no/such/path", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "not found");
}

#[test]
fn auth_endpoints() {
    let server = TestServer::start();
    // "user:pass" in base64.
    let r = get(
        &server,
        "/basic-auth/user/pass",
        &[("Authorization", "Basic dXNlcjpwYXNz")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["user"], "user");
    let r = get(&server, "/basic-auth/user/other", &[]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"hsession\"")
    );

    let r = get(&server, "/bearer", &[("Authorization", "Bearer tok123")]);
    assert_eq!(r.json()["token"], "tok123");
    let r = get(&server, "/bearer", &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
}

#[test]
fn login_session_cookie_unlocks_protected() {
    let server = TestServer::start();
    let mut c = Client::connect(&server);
    assert_eq!(c.request("GET", "/protected", &[], b"").status, 401);
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = c.request("POST", "/login", &form, b"username=user&password=bad");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["logged_in"], false);

    let r = c.request("POST", "/login", &form, b"username=user&password=pass");
    assert_eq!(r.status, 200);
    let set_cookie = r.header("set-cookie").unwrap().to_owned();
    assert!(set_cookie.starts_with("session="));
    assert!(set_cookie.contains("HttpOnly"));
    let cookie = set_cookie.split(';').next().unwrap();
    let r = c.request("GET", "/protected", &[("Cookie", cookie)], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["user"], "user");
    let r = c.request("GET", "/protected", &[("Cookie", "session=forged")], b"");
    assert_eq!(r.status, 401);

    let json = [("Content-Type", "application/json")];
    let r = c.request(
        "POST",
        "/login",
        &json,
        br#"{"username":"user","password":"pass"}"#,
    );
    assert_eq!(r.status, 200);
}

#[test]
fn cookie_endpoints() {
    let server = TestServer::start();
    let r = get(&server, "/cookies/set?a=1&b=two", &[("Cookie", "z=9")]);
    assert_eq!(r.all("set-cookie"), ["a=1; Path=/", "b=two; Path=/"]);
    assert_eq!(r.json()["cookies"], serde_json::json!({"z": "9"}));

    let r = get(
        &server,
        "/cookies/set-raw?c=x%3D1%3B%20Max-Age%3D60%3B%20Secure&c=y%3D2",
        &[],
    );
    assert_eq!(r.all("set-cookie"), ["x=1; Max-Age=60; Secure", "y=2"]);

    let r = get(&server, "/cookies/delete?a&b", &[]);
    assert_eq!(
        r.all("set-cookie"),
        ["a=; Max-Age=0; Path=/", "b=; Max-Age=0; Path=/"]
    );

    let r = get(&server, "/cookies", &[("Cookie", "a=1"), ("Cookie", "b=2")]);
    assert_eq!(r.json()["cookies"], serde_json::json!({"a": "1", "b": "2"}));
}

#[test]
fn redirects() {
    let server = TestServer::start();
    let r = get(&server, "/redirect/3", &[]);
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/redirect/2"));
    assert_eq!(
        get(&server, "/redirect/1", &[]).header("location"),
        Some("/echo")
    );
    let r = get(&server, "/absolute-redirect/2", &[]);
    let expected = server.url("/absolute-redirect/1");
    assert_eq!(r.header("location"), Some(expected.as_str()));
    let r = get(
        &server,
        "/redirect-to?url=http%3A%2F%2Fa.test%2Fx&status=307",
        &[],
    );
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some("http://a.test/x"));
    assert_eq!(get(&server, "/redirect-to?url=/x", &[]).status, 302);
    assert_eq!(get(&server, "/redirect/x", &[]).status, 400);
}

#[test]
fn bytes_and_gzip() {
    let server = TestServer::start();
    let r = get(&server, "/bytes/70000", &[]);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.body.len(), 70000);
    assert!(r
        .body
        .iter()
        .enumerate()
        .all(|(i, b)| *b == (i % 251) as u8));
    assert_eq!(get(&server, "/bytes/4294967297", &[]).status, 400);

    let r = get(&server, "/gzip", &[("Accept-Encoding", "gzip")]);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_string(&mut text)
        .unwrap();
    let j: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(j["gzipped"], true);
}

#[test]
fn close_mid_body_truncates() {
    let server = TestServer::start();
    let mut c = Client::connect(&server);
    c.send("GET", "/close-mid-body", &[], b"");
    let r = c.read_head().unwrap();
    assert_eq!(r.header("content-length"), Some("1000"));
    let mut rest = Vec::new();
    // Ends with EOF or a reset; either way only the 10 bytes arrive.
    let _ = c.reader.read_to_end(&mut rest);
    assert_eq!(rest, b"0123456789");
}

#[test]
fn close_no_response_sends_nothing() {
    let server = TestServer::start();
    let mut c = Client::connect(&server);
    c.send("GET", "/close-no-response", &[], b"");
    assert!(c.read_head().is_none());
}

#[test]
fn drip_and_delay_take_their_time() {
    let server = TestServer::start();
    let start = Instant::now();
    let r = get(&server, "/drip?bytes=3&delay_ms=100", &[]);
    assert_eq!(r.body, b"***");
    assert!(start.elapsed() >= Duration::from_millis(300));

    let start = Instant::now();
    let r = get(&server, "/delay/200", &[]);
    assert_eq!(r.json()["path"], "/delay/200");
    assert!(start.elapsed() >= Duration::from_millis(200));
    assert_eq!(get(&server, "/delay/x", &[]).status, 400);
}

#[test]
fn works_inside_a_tokio_runtime_and_stops_on_drop() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let server = TestServer::start();
        let addr = server.addr();
        assert_eq!(get(&server, "/json", &[]).status, 200);
        drop(server); // Dropping inside async code must not panic.
        addr
    });
    assert!(addr.ip().is_loopback());
    // Shutdown is asynchronous; the listener must go away shortly.
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(addr).is_ok() {
        assert!(
            Instant::now() < deadline,
            "server still accepting after drop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
