//! Request bodies streamed from a file, from a read function, and as
//! multipart/form-data, checked by the test server.

mod common;
use base64::Engine as _;
use common::*;
use hsession::{ErrorKind, Request, Session};

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hsession-uploads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn b64(s: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s.as_str().unwrap())
        .unwrap()
}

#[test]
fn a_file_body_is_streamed_with_its_length() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let content = pattern(1_500_000);
    let path = temp_file("body.bin", &content);
    let mut req = Request::new("PUT", &srv.url("/echo")).unwrap();
    req.body_file(&path);
    let echo = json(&s.send(&req).unwrap());
    assert_eq!(echo["body_len"], 1_500_000);
    assert_eq!(echoed(&echo, "content-length"), vec!["1500000"]);
    assert_eq!(b64(&echo["body_base64"]), content);

    // Sent again after a 307, the file is read anew.
    let mut req = Request::new("POST", &srv.url("/redirect-to?url=%2Fecho&status=307")).unwrap();
    req.body_file(&path);
    let resp = s.send(&req).unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(json(&resp)["body_len"], 1_500_000);

    let mut req = Request::new("PUT", &srv.url("/echo")).unwrap();
    req.body_file("/nonexistent/hsession/file");
    let err = s.send(&req).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

fn reader_of(content: Vec<u8>, chunk: usize) -> Box<hsession::body::ReadFn> {
    let mut pos = 0;
    Box::new(move |buf: &mut [u8]| {
        let n = buf.len().min(chunk).min(content.len() - pos);
        buf[..n].copy_from_slice(&content[pos..pos + n]);
        pos += n;
        Ok(n)
    })
}

#[test]
fn a_read_function_body_with_and_without_a_length() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let content = pattern(300_000);
    let mut req = Request::new("POST", &srv.url("/echo")).unwrap();
    req.body_reader(reader_of(content.clone(), 7_000), None);
    let echo = json(&s.send(&req).unwrap());
    assert_eq!(b64(&echo["body_base64"]), content);
    assert_eq!(echoed(&echo, "transfer-encoding"), vec!["chunked"]);

    let mut req = Request::new("POST", &srv.url("/echo")).unwrap();
    req.body_reader(reader_of(content.clone(), 50_000), Some(300_000));
    let echo = json(&s.send(&req).unwrap());
    assert_eq!(echoed(&echo, "content-length"), vec!["300000"]);
    assert_eq!(b64(&echo["body_base64"]), content);

    let mut req = Request::new("POST", &srv.url("/echo")).unwrap();
    req.body_reader(
        Box::new(|_buf: &mut [u8]| Err(std::io::Error::other("disk on fire"))),
        None,
    );
    let err = s.send(&req).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert!(err.message().contains("disk on fire"), "{err}");

    // Read once: a 307 that would need it again is returned as the response.
    let mut req = Request::new("POST", &srv.url("/redirect-to?url=%2Fecho&status=307")).unwrap();
    req.body_reader(reader_of(content.clone(), 10_000), None);
    assert_eq!(s.send(&req).unwrap().status(), 307);
    assert_eq!(get(&s, &srv.url("/echo")).status(), 200);
}

#[test]
fn multipart_fields_and_files_reach_the_server() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let report = temp_file("report.csv", b"a,b\n1,2\n");
    let image = pattern(200_000);
    let image_path = temp_file("photo.raw", &image);
    let mut req = Request::new("POST", &srv.url("/echo")).unwrap();
    req.form_text("key", "value")
        .form_text("greeting", "grüß dich")
        .form_file("report", &report, None, Some("text/csv"))
        .form_file("image", &image_path, Some("me.png"), Some("image/png"));
    let echo = json(&s.send(&req).unwrap());
    let m = &echo["multipart"];
    assert!(m.get("error").is_none(), "{m}");
    assert_eq!(m["fields"]["key"], "value");
    assert_eq!(m["fields"]["greeting"], "grüß dich");
    assert_eq!(m["files"]["report"]["filename"], "report.csv");
    assert_eq!(m["files"]["report"]["content_type"], "text/csv");
    assert_eq!(b64(&m["files"]["report"]["body_base64"]), b"a,b\n1,2\n");
    assert_eq!(m["files"]["image"]["filename"], "me.png");
    assert_eq!(m["files"]["image"]["content_type"], "image/png");
    assert_eq!(b64(&m["files"]["image"]["body_base64"]), image);
    assert!(echoed(&echo, "content-type")[0].starts_with("multipart/form-data; boundary="));

    let mut req = Request::new("POST", &srv.url("/echo")).unwrap();
    req.form_file("missing", "/nonexistent/hsession/part", None, None);
    assert_eq!(s.send(&req).unwrap_err().kind(), ErrorKind::Io);
}

#[test]
fn form_file_names_cannot_inject_part_headers() {
    // CR, LF, NUL and '"' in a file name are percent-encoded as browsers
    // do, so the part's headers stay what hsession wrote.
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let mut req = Request::new("POST", &srv.url("/echo")).unwrap();
    req.form_bytes(
        "up\r\nX-Name: 1",
        &b"<b>x</b>"[..],
        Some("a.txt\"\r\nContent-Type: text/html\r\n\r\n\0b.txt"),
        Some("text/plain"),
    );
    let echo = json(&s.send(&req).unwrap());
    let raw = String::from_utf8(b64(&echo["body_base64"])).unwrap();
    let head = raw.split("\r\n\r\n").next().unwrap();
    let lines: Vec<&str> = head.lines().collect();
    assert_eq!(lines.len(), 3, "part headers: {head:?}");
    assert!(lines[1].starts_with("Content-Disposition: form-data; "));
    assert!(
        lines[1]
            .ends_with("; filename=\"a.txt%22%0D%0AContent-Type: text/html%0D%0A%0D%0A%00b.txt\""),
        "{:?}",
        lines[1]
    );
    assert_eq!(lines[2], "Content-Type: text/plain");
    assert!(!head.contains('\0'));
}
