//! The packed forms: a whole request in one buffer and a response's head in
//! another, so a binding (ctypes, koffi, cgo — where every call across the
//! boundary costs) hands over a request and reads back a response in a call
//! or two instead of one call per header.
//!
//! The format is documented for users in docs/packed-format.md:
//! fields of `tag: u8`, `len: u32` (little-endian) and a payload; the
//! response head is fixed fields, then length-prefixed strings.

#![deny(unsafe_code)]

use crate::config::millis;
use crate::error::{Error, ErrorKind, Result};
use crate::retry::{self, RetryPolicy};
use crate::{Request, Response};

/// Field tags of a packed request; a tag number is never reused. The
/// payloads are described in docs/packed-format.md.
/// The method (required): str.
pub const HSESSION_PACKED_METHOD: u8 = 1;
/// The URL (required): str.
pub const HSESSION_PACKED_URL: u8 = 2;
/// A header, added (repeat for more values): name, value.
pub const HSESSION_PACKED_HEADER: u8 = 3;
/// Do not send the session header of this name: name.
pub const HSESSION_PACKED_REMOVE_HEADER: u8 = 4;
/// A query parameter: key, value.
pub const HSESSION_PACKED_QUERY: u8 = 5;
/// The body: bytes.
pub const HSESSION_PACKED_BODY: u8 = 6;
/// A cookie for this request only: name, value.
pub const HSESSION_PACKED_COOKIE: u8 = 7;
/// Basic auth: user, password.
pub const HSESSION_PACKED_BASIC_AUTH: u8 = 8;
/// Bearer auth: token.
pub const HSESSION_PACKED_BEARER_AUTH: u8 = 9;
/// No auth: empty.
pub const HSESSION_PACKED_NO_AUTH: u8 = 10;
/// Connect timeout in ms (0 = no limit): u64.
pub const HSESSION_PACKED_CONNECT_TIMEOUT: u8 = 11;
/// Read-idle timeout in ms (0 = no limit): u64.
pub const HSESSION_PACKED_READ_TIMEOUT: u8 = 12;
/// Total timeout in ms (0 = no limit): u64.
pub const HSESSION_PACKED_TOTAL_TIMEOUT: u8 = 13;
/// Redirects followed at most (0 = return the redirect): u32.
pub const HSESSION_PACKED_MAX_REDIRECTS: u8 = 14;
/// The largest decoded body (0 = no limit): u64.
pub const HSESSION_PACKED_MAX_BODY_SIZE: u8 = 15;
/// Stream the response body: u8.
pub const HSESSION_PACKED_STREAM: u8 = 16;
/// A multipart text field: name, value.
pub const HSESSION_PACKED_FORM_FIELD: u8 = 17;
/// A multipart file from disk: name, path, file name, content type.
pub const HSESSION_PACKED_FORM_FILE: u8 = 18;
/// The body from a file: path.
pub const HSESSION_PACKED_BODY_FILE: u8 = 19;
/// A retry policy replacing the session's (see docs/packed-format.md).
pub const HSESSION_PACKED_RETRY: u8 = 20;
/// A multipart file from memory: name, file name, content type, bytes.
pub const HSESSION_PACKED_FORM_BYTES: u8 = 21;
/// Verify the server's certificate, this request only: u8.
pub const HSESSION_PACKED_VERIFY: u8 = 22;
/// A CA bundle, this request only: path ("" = the platform roots).
pub const HSESSION_PACKED_CA_FILE: u8 = 23;
/// A client certificate, this request only: cert path, key path.
pub const HSESSION_PACKED_CLIENT_CERT: u8 = 24;
/// A proxy, this request only: scheme, URL ("" = none).
pub const HSESSION_PACKED_PROXY: u8 = 25;
/// A no_proxy list, this request only: list ("" = none).
pub const HSESSION_PACKED_NO_PROXY: u8 = 26;
/// At the redirect limit, return the last redirect response instead of
/// failing with HSESSION_TOO_MANY_REDIRECTS: u8.
pub const HSESSION_PACKED_RETURN_AT_REDIRECT_LIMIT: u8 = 27;
/// Digest auth: user, password.
pub const HSESSION_PACKED_DIGEST_AUTH: u8 = 28;

fn bad(what: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("packed request: {}", what.into()),
    )
}

/// Reads a packed buffer front to back; every read checks the bounds.
struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if self.buf.len() < n {
            return Err(bad(format!("{what} runs past the end of its field")));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let bytes = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn i64(&mut self, what: &str) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    fn f64(&mut self, what: &str) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    fn str(&mut self, what: &str) -> Result<&'a str> {
        let len = self.u32(what)? as usize;
        utf8(self.take(len, what)?, what)
    }

    /// The rest of a field as text.
    fn rest_str(&mut self, what: &str) -> Result<&'a str> {
        let all = self.take(self.buf.len(), what)?;
        utf8(all, what)
    }

    fn end(&self, what: &str) -> Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(bad(format!("{what} has {} bytes too many", self.buf.len())))
        }
    }
}

fn utf8<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str> {
    std::str::from_utf8(bytes)
        .map_err(|_| Error::new(ErrorKind::InvalidUtf8, format!("{what} is not valid UTF-8")))
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn retry_policy(f: &mut Reader<'_>) -> Result<RetryPolicy> {
    let mut p = RetryPolicy {
        total: retry::count_from_i64(f.i64("retry total")?, "retry total")?,
        connect: retry::count_from_i64(f.i64("retry connect")?, "retry connect")?,
        read: retry::count_from_i64(f.i64("retry read")?, "retry read")?,
        status: retry::count_from_i64(f.i64("retry status")?, "retry status")?,
        backoff_factor: retry::seconds_from_f64(f.f64("backoff factor")?, "backoff factor")?,
        backoff_max: retry::seconds_from_f64(f.f64("backoff max")?, "backoff max")?,
        backoff_jitter: retry::seconds_from_f64(f.f64("backoff jitter")?, "backoff jitter")?,
        respect_retry_after: f.u8("respect Retry-After")? != 0,
        raise_on_status: f.u8("raise on status")? != 0,
        ..RetryPolicy::default()
    };
    let n = f.u32("status count")? as usize;
    let raw = f.take(n.saturating_mul(2), "statuses")?;
    let codes: Vec<u16> = raw
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    p.status_forcelist = retry::statuses_from_list(&codes)?;
    p.allowed_methods = retry::methods_from_list(f.rest_str("retry methods")?)?;
    Ok(p)
}

/// Builds the request a packed buffer describes; every field is validated
/// as the builder's setters validate it.
pub fn unpack_request(buf: &[u8]) -> Result<Request> {
    let mut fields = Vec::new();
    let mut all = Reader { buf };
    while !all.buf.is_empty() {
        let tag = all.u8("field tag")?;
        let len = all.u32("field length")? as usize;
        fields.push((tag, all.take(len, "field")?));
    }
    let (mut method, mut url) = (None, None);
    for &(tag, payload) in &fields {
        match tag {
            HSESSION_PACKED_METHOD => method = Some(utf8(payload, "method")?),
            HSESSION_PACKED_URL => url = Some(utf8(payload, "url")?),
            _ => {}
        }
    }
    let method = method.ok_or_else(|| bad("no method field (tag 1)"))?;
    let url = url.ok_or_else(|| bad("no url field (tag 2)"))?;
    let mut req = Request::new(method, url)?;
    for (tag, payload) in fields {
        let mut f = Reader { buf: payload };
        match tag {
            HSESSION_PACKED_METHOD | HSESSION_PACKED_URL => continue,
            HSESSION_PACKED_HEADER => {
                let name = f.str("header name")?;
                req.header(name, f.rest_str("header value")?)?;
            }
            HSESSION_PACKED_REMOVE_HEADER => {
                req.remove_header(f.rest_str("header name")?)?;
            }
            HSESSION_PACKED_QUERY => {
                let key = f.str("query key")?;
                req.query(key, f.rest_str("query value")?);
            }
            HSESSION_PACKED_BODY => {
                req.body(bytes::Bytes::copy_from_slice(
                    f.take(payload.len(), "body")?,
                ));
            }
            HSESSION_PACKED_COOKIE => {
                let name = f.str("cookie name")?;
                req.cookie(name, f.rest_str("cookie value")?)?;
            }
            HSESSION_PACKED_BASIC_AUTH => {
                let user = f.str("user")?;
                req.basic_auth(user, f.rest_str("password")?)?;
            }
            HSESSION_PACKED_DIGEST_AUTH => {
                let user = f.str("user")?;
                req.digest_auth(user, f.rest_str("password")?)?;
            }
            HSESSION_PACKED_BEARER_AUTH => {
                req.bearer_auth(f.rest_str("token")?)?;
            }
            HSESSION_PACKED_NO_AUTH => {
                req.no_auth();
            }
            HSESSION_PACKED_CONNECT_TIMEOUT => {
                req.connect_timeout(millis(f.u64("connect timeout")?));
            }
            HSESSION_PACKED_READ_TIMEOUT => {
                req.read_timeout(millis(f.u64("read timeout")?));
            }
            HSESSION_PACKED_TOTAL_TIMEOUT => {
                req.total_timeout(millis(f.u64("total timeout")?));
            }
            HSESSION_PACKED_RETURN_AT_REDIRECT_LIMIT => {
                req.return_at_redirect_limit(f.u8("return at redirect limit")? != 0);
            }
            HSESSION_PACKED_MAX_REDIRECTS => {
                req.max_redirects(f.u32("max redirects")? as usize);
            }
            HSESSION_PACKED_MAX_BODY_SIZE => {
                let n = f.u64("max body size")?;
                req.max_body_size((n > 0).then_some(n));
            }
            HSESSION_PACKED_STREAM => {
                req.stream(f.u8("stream")? != 0);
            }
            HSESSION_PACKED_FORM_FIELD => {
                let name = f.str("form field name")?;
                req.form_text(name, f.rest_str("form field value")?);
            }
            HSESSION_PACKED_FORM_FILE => {
                let name = f.str("form file name")?;
                let path = f.str("form file path")?;
                let file_name = non_empty(f.str("form file file name")?);
                let mime = non_empty(f.str("form file content type")?);
                if let Some(m) = mime {
                    crate::body::check_mime(m)?;
                }
                req.form_file(name, path, file_name, mime);
            }
            HSESSION_PACKED_BODY_FILE => {
                req.body_file(f.rest_str("body file path")?);
            }
            HSESSION_PACKED_RETRY => {
                req.retry(retry_policy(&mut f)?);
            }
            HSESSION_PACKED_FORM_BYTES => {
                let name = f.str("form bytes name")?;
                let file_name = non_empty(f.str("form bytes file name")?);
                let mime = non_empty(f.str("form bytes content type")?);
                if let Some(m) = mime {
                    crate::body::check_mime(m)?;
                }
                let data = f.take(f.buf.len(), "form bytes")?;
                req.form_bytes(name, bytes::Bytes::copy_from_slice(data), file_name, mime);
            }
            HSESSION_PACKED_VERIFY => {
                req.verify(f.u8("verify")? != 0);
            }
            HSESSION_PACKED_CA_FILE => {
                let path = non_empty(f.rest_str("CA file path")?);
                req.ca_file(path.map(std::path::Path::new))?;
            }
            HSESSION_PACKED_CLIENT_CERT => {
                let cert = f.str("client certificate path")?;
                let key = f.rest_str("client key path")?;
                let files = match (cert, key) {
                    ("", "") => None,
                    (c, k) => Some((std::path::Path::new(c), std::path::Path::new(k))),
                };
                req.client_cert(files)?;
            }
            HSESSION_PACKED_PROXY => {
                let scheme = f.str("proxy scheme")?;
                req.proxy(scheme, non_empty(f.rest_str("proxy URL")?))?;
            }
            HSESSION_PACKED_NO_PROXY => {
                req.no_proxy(non_empty(f.rest_str("no_proxy list")?))?;
            }
            other => return Err(bad(format!("unknown field tag {other}"))),
        }
        f.end(&format!("field {tag}"))?;
    }
    Ok(req)
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s);
}

/// The packed head of `resp` (see the module documentation).
pub fn pack_head(resp: &Response) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&u32::from(resp.status()).to_le_bytes());
    let us = resp.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
    out.extend_from_slice(&us.to_le_bytes());
    out.extend_from_slice(&resp.retries().to_le_bytes());
    put_str(&mut out, resp.version().as_bytes());
    put_str(&mut out, resp.reason().as_bytes());
    put_str(&mut out, resp.url().as_str().as_bytes());
    out.extend_from_slice(&(resp.headers().len() as u32).to_le_bytes());
    for (name, value) in resp.headers() {
        put_str(&mut out, name.as_str().as_bytes());
        put_str(&mut out, value.as_bytes());
    }
    out.extend_from_slice(&(resp.history().len() as u32).to_le_bytes());
    for (status, url) in resp.history() {
        out.extend_from_slice(&u32::from(*status).to_le_bytes());
        put_str(&mut out, url.as_str().as_bytes());
    }
    // After the history, so readers of the shorter form stop before it.
    for hop in resp.hop_heads() {
        put_str(&mut out, hop.reason.as_bytes());
        out.extend_from_slice(&(hop.headers.len() as u32).to_le_bytes());
        for (name, value) in &hop.headers {
            put_str(&mut out, name.as_str().as_bytes());
            put_str(&mut out, value.as_bytes());
        }
    }
    // Then each exchange's timings: the hops', then the final one's.
    for hop in resp.hop_heads() {
        put_timings(&mut out, &hop.timings);
    }
    put_timings(&mut out, resp.timings());
    out
}

/// One exchange's timings record (docs/packed-format.md): the phases in µs,
/// reused, idle µs (-1 unknown), the local and remote address, then TLS
/// version, cipher suite and HTTP version as strings ("" = none).
fn put_timings(out: &mut Vec<u8>, t: &crate::Timings) {
    let us = |d: std::time::Duration| d.as_micros().min(u128::from(u64::MAX)) as u64;
    for d in [t.queued, t.dns, t.connect, t.tls, t.first_byte, t.total] {
        out.extend_from_slice(&us(d).to_le_bytes());
    }
    let c = &t.connection;
    out.push(u8::from(c.reused));
    let idle = match (c.reused, c.idle) {
        (false, _) => 0,
        (true, Some(d)) => us(d).min(i64::MAX as u64) as i64,
        (true, None) => -1,
    };
    out.extend_from_slice(&idle.to_le_bytes());
    for addr in [c.local_addr, c.remote_addr] {
        match addr {
            None => out.push(0),
            Some(std::net::SocketAddr::V4(a)) => {
                out.push(4);
                out.extend_from_slice(&a.ip().octets());
                out.extend_from_slice(&a.port().to_le_bytes());
            }
            Some(std::net::SocketAddr::V6(a)) => {
                out.push(6);
                out.extend_from_slice(&a.ip().octets());
                out.extend_from_slice(&a.port().to_le_bytes());
            }
        }
    }
    put_str(out, c.tls_version.unwrap_or("").as_bytes());
    put_str(out, c.tls_cipher.unwrap_or("").as_bytes());
    put_str(out, c.http_version.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::BodySpec;

    fn field(tag: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    fn strs(parts: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            if i + 1 < parts.len() {
                put_str(&mut v, p.as_bytes());
            } else {
                v.extend_from_slice(p.as_bytes());
            }
        }
        v
    }

    #[test]
    fn builds_what_the_fields_say() {
        let mut buf = field(2, b"http://127.0.0.1:1/x");
        buf.extend(field(1, b"POST"));
        buf.extend(field(3, &strs(&["X-A", "1"])));
        buf.extend(field(3, &strs(&["X-A", "2"])));
        buf.extend(field(5, &strs(&["q", "a b"])));
        buf.extend(field(6, b"\0body"));
        buf.extend(field(12, &250u64.to_le_bytes()));
        buf.extend(field(14, &0u32.to_le_bytes()));
        let req = unpack_request(&buf).unwrap();
        assert_eq!(req.method(), "POST");
        assert_eq!(req.headers.get_all("x-a").iter().count(), 2);
        assert_eq!(req.query, vec![("q".into(), "a b".into())]);
        assert_eq!(req.max_redirects, Some(0));
        assert_eq!(
            req.timeouts.read,
            Some(Some(std::time::Duration::from_millis(250)))
        );
        match req.body {
            Some(BodySpec::Bytes(b)) => assert_eq!(&b[..], b"\0body"),
            other => panic!("body {other:?}"),
        }
    }

    #[test]
    fn digest_auth_tag() {
        let base = [field(1, b"GET"), field(2, b"http://127.0.0.1:1/")].concat();
        let buf = [base.clone(), field(28, &strs(&["user", "pass"]))].concat();
        let req = unpack_request(&buf).unwrap();
        assert!(matches!(req.auth, crate::request::AuthOverride::Digest(_)));
        let buf = [base.clone(), field(28, &strs(&["us\"er", "pass"]))].concat();
        assert_eq!(
            unpack_request(&buf).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        let buf = [base, field(28, b"user-without-password")].concat();
        assert!(unpack_request(&buf).is_err());
    }

    #[test]
    fn refuses_what_the_builder_refuses() {
        let base = [field(1, b"GET"), field(2, b"http://127.0.0.1:1/")].concat();
        let cases: Vec<(Vec<u8>, ErrorKind)> = vec![
            (field(1, b"GET"), ErrorKind::InvalidArgument),
            (field(2, b"http://h/"), ErrorKind::InvalidArgument),
            (
                [field(1, b"G T"), field(2, b"http://h/")].concat(),
                ErrorKind::InvalidMethod,
            ),
            (
                [field(1, b"GET"), field(2, b"ftp://h/")].concat(),
                ErrorKind::UnsupportedScheme,
            ),
            (
                [base.clone(), field(3, &strs(&["X", "a\r\nb"]))].concat(),
                ErrorKind::InvalidHeaderValue,
            ),
            (
                [base.clone(), field(3, &strs(&["X:", "a"]))].concat(),
                ErrorKind::InvalidHeaderName,
            ),
            (
                [base.clone(), field(3, &[0xff, 0xff, 0, 0])].concat(),
                ErrorKind::InvalidArgument,
            ),
            (
                [base.clone(), field(9, &[0xc3])].concat(),
                ErrorKind::InvalidUtf8,
            ),
            (
                [base.clone(), field(12, &[1, 2, 3])].concat(),
                ErrorKind::InvalidArgument,
            ),
            (
                [base.clone(), field(12, &[0; 9])].concat(),
                ErrorKind::InvalidArgument,
            ),
            (
                [base.clone(), field(99, b"")].concat(),
                ErrorKind::InvalidArgument,
            ),
            (
                [base.clone(), vec![3, 9, 0]].concat(),
                ErrorKind::InvalidArgument,
            ),
        ];
        for (i, (buf, kind)) in cases.into_iter().enumerate() {
            let err = unpack_request(&buf).expect_err(&format!("case {i}"));
            assert_eq!(err.kind(), kind, "case {i}: {err}");
        }
        assert!(unpack_request(&base).is_ok());
    }

    #[test]
    fn transport_and_memory_part_fields() {
        let base = [field(1, b"POST"), field(2, b"http://127.0.0.1:1/")].concat();
        let ok = [
            base.clone(),
            field(21, &strs(&["f", "a.bin", "application/x-a", "\0\x01raw"])),
            field(21, &strs(&["g", "", "", ""])),
            field(22, &[0]),
            field(23, b""),
            field(24, &strs(&["", ""])),
            field(25, &strs(&["https", "socks5h://127.0.0.1:1080"])),
            field(25, &strs(&["all", ""])),
            field(26, b"localhost, 10.0.0.0/8"),
        ]
        .concat();
        let req = unpack_request(&ok).unwrap();
        let t = req.transport.as_deref().expect("transport override");
        assert_eq!(t.verify, Some(false));
        assert_eq!(t.ca, Some(None));
        assert_eq!(t.client_cert, Some(None));
        assert_eq!(t.proxy_https, Some(Some("socks5h://127.0.0.1:1080".into())));
        assert_eq!(t.proxy_all, Some(None));
        assert_eq!(t.proxy_http, None);
        assert_eq!(t.no_proxy, Some(Some("localhost, 10.0.0.0/8".into())));
        let bad: Vec<(Vec<u8>, ErrorKind)> = vec![
            (
                field(21, &strs(&["f", "x", "no-slash", "d"])),
                ErrorKind::InvalidArgument,
            ),
            (field(22, b""), ErrorKind::InvalidArgument),
            (field(23, b"/nonexistent/ca.pem"), ErrorKind::Io),
            (
                field(24, &strs(&["/nonexistent/c.pem", "/nonexistent/k.pem"])),
                ErrorKind::Io,
            ),
            (
                field(25, &strs(&["ftp", "http://127.0.0.1:1"])),
                ErrorKind::InvalidArgument,
            ),
            (field(26, b"10.0.0.0/99"), ErrorKind::InvalidArgument),
        ];
        for (i, (f, kind)) in bad.into_iter().enumerate() {
            let err = unpack_request(&[base.clone(), f].concat()).expect_err(&format!("case {i}"));
            assert_eq!(err.kind(), kind, "case {i}: {err}");
        }
    }

    #[test]
    fn retry_field_sets_the_whole_policy() {
        let mut p = Vec::new();
        for n in [3i64, -1, 2, 5] {
            p.extend_from_slice(&n.to_le_bytes());
        }
        for s in [0.5f64, 10.0, 0.0] {
            p.extend_from_slice(&s.to_le_bytes());
        }
        p.extend_from_slice(&[1, 0]);
        p.extend_from_slice(&2u32.to_le_bytes());
        p.extend_from_slice(&503u16.to_le_bytes());
        p.extend_from_slice(&429u16.to_le_bytes());
        p.extend_from_slice(b"GET,POST");
        let buf = [
            field(1, b"GET"),
            field(2, b"http://127.0.0.1:1/"),
            field(20, &p),
        ]
        .concat();
        let req = unpack_request(&buf).unwrap();
        let r = req.retry.unwrap();
        assert_eq!((r.total, r.connect, r.status), (Some(3), None, Some(5)));
        assert_eq!(r.status_forcelist, vec![503, 429]);
        assert!(!r.raise_on_status);
        assert_eq!(r.allowed_methods.as_ref().map(Vec::len), Some(2));
    }
}
