//! Request routing and the endpoint handlers.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::ext::ReasonPhrase;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode, Version};
use serde_json::{json, Map, Value};

use crate::body::Body;
use crate::State;

const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;
// The body is generated as it is sent (64 KiB at a time), so a large one
// costs the server no memory; 4 GiB allows the 1 GB streaming tests.
const MAX_BYTES: u64 = 4 * 1024 * 1024 * 1024;
const MAX_DELAY_MS: u64 = 60_000;
/// Drip sends one frame per byte; keep that bounded.
const MAX_DRIP_BYTES: u64 = 1_000_000;
const VALID_USER: &str = "user";
const VALID_PASSWORD: &str = "pass";

type Resp = Response<Body>;

/// Returned by the service to make hyper drop the connection without any response.
#[derive(Debug)]
pub struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed deliberately")
    }
}

impl std::error::Error for CloseConnection {}

struct Ctx {
    parts: Parts,
    body: Bytes,
    state: Arc<State>,
    conn_id: u64,
}

pub async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
    conn_id: u64,
) -> Result<Resp, CloseConnection> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    if req.uri().path() == "/close-no-response" {
        return Err(CloseConnection);
    }
    // A keep-alive connection the server has given up on: the request that
    // arrives on it is dropped unanswered, as after an idle timeout.
    if lock(&state.armed).remove(&conn_id) {
        return Err(CloseConnection);
    }
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Ok(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large",
            ));
        }
        Err(_) => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                "could not read request body",
            ))
        }
    };
    let ctx = Ctx {
        parts,
        body,
        state,
        conn_id,
    };
    Ok(route(&ctx).await)
}

async fn route(ctx: &Ctx) -> Resp {
    let path = ctx.parts.uri.path();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        ["echo"] | ["submit"] | ["data"] | ["anything", ..] => json_ok(echo_value(ctx)),
        ["headers"] => json_ok(json!({ "headers": header_list(ctx) })),
        ["cookies"] => json_ok(json!({ "cookies": cookies(ctx) })),
        ["cookies", "set"] => cookies_set(ctx),
        ["cookies", "set-raw"] => cookies_set_raw(ctx),
        ["cookies", "delete"] => cookies_delete(ctx),
        ["login"] => login(ctx),
        ["protected"] => protected(ctx),
        ["basic-auth", user, pass] => basic_auth(ctx, user, pass),
        ["digest-auth", qop, user, pass] => digest_auth(ctx, qop, user, pass, "MD5"),
        ["digest-auth", qop, user, pass, algorithm] => digest_auth(ctx, qop, user, pass, algorithm),
        ["bearer"] => bearer(ctx),
        ["status", code] => status(ctx, code),
        ["delay", ms] => match ms.parse::<u64>() {
            Ok(ms) => {
                tokio::time::sleep(Duration::from_millis(ms.min(MAX_DELAY_MS))).await;
                json_ok(echo_value(ctx))
            }
            Err(_) => error(StatusCode::BAD_REQUEST, "invalid delay"),
        },
        ["redirect", n] => redirect(ctx, n, false),
        ["absolute-redirect", n] => redirect(ctx, n, true),
        ["redirect-to"] => redirect_to(ctx),
        ["gzip"] => gzip(ctx),
        ["deflate"] => encoded(ctx, "deflate"),
        ["brotli"] => encoded(ctx, "br"),
        ["zstd"] => encoded(ctx, "zstd"),
        ["zstd-window", log] => zstd_window(log),
        ["gzip-bomb", mib] => gzip_bomb(mib),
        ["bytes", n] => bytes(n),
        ["json"] => json_ok(json!({
            "slideshow": { "title": "Sample Slide Show", "author": "hsession" }
        })),
        ["arm-drop"] => {
            lock(&ctx.state.armed).insert(ctx.conn_id);
            json_ok(json!({ "armed": ctx.conn_id }))
        }
        ["flaky", key, n] => flaky(ctx, key, n),
        ["attempts", key] => {
            let n = lock(&ctx.state.attempts).get(*key).copied().unwrap_or(0);
            json_ok(json!({ "attempts": n }))
        }
        ["stats"] => json_ok(stats_value(
            ctx.state.connections.load(Ordering::SeqCst),
            ctx.state.requests.load(Ordering::SeqCst),
        )),
        ["stats", "reset"] => {
            if ctx.parts.method != Method::POST {
                return error(StatusCode::METHOD_NOT_ALLOWED, "use POST");
            }
            let (connections, requests) = ctx.state.reset_counters();
            json_ok(stats_value(connections, requests))
        }
        ["close-mid-body"] => {
            let mut resp = Response::new(Body::truncated(1000, Bytes::from_static(b"0123456789")));
            let headers = resp.headers_mut();
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("1000"));
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            resp
        }
        ["drip"] => drip(ctx),
        ["nonce", value] => json_ok(json!({
            "nonce": percent_decode(value),
            "connection_id": ctx.conn_id,
        })),
        _ => error(StatusCode::NOT_FOUND, "not found"),
    }
}

// ---------- response helpers ----------

fn json_response(status: StatusCode, value: &Value) -> Resp {
    let mut resp = Response::new(Body::full(value.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A poisoned lock only means another handler panicked; the data is still usable.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn json_ok(value: Value) -> Resp {
    json_response(StatusCode::OK, &value)
}

fn error(status: StatusCode, message: &str) -> Resp {
    json_response(status, &json!({ "error": message }))
}

fn with_header(mut resp: Resp, name: HeaderName, value: HeaderValue) -> Resp {
    resp.headers_mut().append(name, value);
    resp
}

fn stats_value(connections: u64, requests: u64) -> Value {
    json!({ "connections_accepted": connections, "requests_served": requests })
}

// ---------- request helpers ----------

fn query_pairs(ctx: &Ctx) -> Vec<(String, String)> {
    ctx.parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

fn query_param(ctx: &Ctx, key: &str) -> Option<String> {
    query_values(ctx, key).into_iter().next()
}

fn query_values(ctx: &Ctx, key: &str) -> Vec<String> {
    query_pairs(ctx)
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect()
}

/// Headers as [name, value] pairs. hyper's HeaderMap keeps first-seen name order, but
/// repeated names are grouped together rather than interleaved as on the wire.
fn header_list(ctx: &Ctx) -> Value {
    ctx.parts
        .headers
        .iter()
        .map(|(name, value)| {
            json!([
                name.as_str(),
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            ])
        })
        .collect::<Vec<_>>()
        .into()
}

fn cookies(ctx: &Ctx) -> Map<String, Value> {
    let mut map = Map::new();
    for value in ctx.parts.headers.get_all(header::COOKIE) {
        let value = String::from_utf8_lossy(value.as_bytes());
        for pair in value.split(';') {
            let pair = pair.trim();
            if pair.is_empty() {
                continue;
            }
            let (name, val) = pair.split_once('=').unwrap_or((pair, ""));
            map.insert(name.trim().to_owned(), Value::String(val.trim().to_owned()));
        }
    }
    map
}

fn header_str(ctx: &Ctx, name: HeaderName) -> Option<&str> {
    ctx.parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Media type of the request body, without parameters, lowercase.
fn content_type(ctx: &Ctx) -> String {
    header_str(ctx, header::CONTENT_TYPE)
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A multipart/form-data body as {"fields": {name: value}, "files": {name:
/// {"filename", "content_type", "size", "body_base64"}}}; null for other
/// bodies, and {"error": ...} for a malformed one.
fn multipart(ctx: &Ctx) -> Option<Value> {
    if content_type(ctx) != "multipart/form-data" {
        return None;
    }
    let full = header_str(ctx, header::CONTENT_TYPE).unwrap_or_default();
    let Some(boundary) = full
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
        .next()
    else {
        return Some(json!({ "error": "no boundary" }));
    };
    let delim = format!("--{boundary}");
    let body = &ctx.body[..];
    let mut fields = Map::new();
    let mut files = Map::new();
    let mut pos = match find(body, delim.as_bytes(), 0) {
        Some(p) => p + delim.len(),
        None => return Some(json!({ "error": "no first boundary" })),
    };
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        let Some(start) = find(body, b"\r\n", pos).map(|p| p + 2) else {
            return Some(json!({ "error": "truncated part" }));
        };
        let Some(head_end) = find(body, b"\r\n\r\n", start) else {
            return Some(json!({ "error": "part without headers" }));
        };
        let Some(next) = find(body, format!("\r\n{delim}").as_bytes(), head_end + 4) else {
            return Some(json!({ "error": "part without end" }));
        };
        let head = String::from_utf8_lossy(&body[start..head_end]);
        let content = &body[head_end + 4..next];
        let mut name = None;
        let mut filename = None;
        let mut part_type = None;
        for line in head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                for attr in line.split(';').skip(1) {
                    let (k, v) = attr.trim().split_once('=').unwrap_or(("", ""));
                    let v = v.trim_matches('"').to_owned();
                    match k {
                        "name" => name = Some(v),
                        "filename" => filename = Some(v),
                        _ => {}
                    }
                }
            } else if lower.starts_with("content-type:") {
                part_type = Some(line["content-type:".len()..].trim().to_owned());
            }
        }
        let name = name.unwrap_or_default();
        match filename {
            Some(filename) => {
                files.insert(
                    name,
                    json!({
                        "filename": filename,
                        "content_type": part_type,
                        "size": content.len(),
                        "body_base64": base64::engine::general_purpose::STANDARD.encode(content),
                    }),
                );
            }
            None => {
                fields.insert(
                    name,
                    Value::String(String::from_utf8_lossy(content).into_owned()),
                );
            }
        }
        pos = next + 2 + delim.len();
    }
    Some(json!({ "fields": fields, "files": files }))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn form(ctx: &Ctx) -> Option<Map<String, Value>> {
    if content_type(ctx) != "application/x-www-form-urlencoded" {
        return None;
    }
    Some(
        url::form_urlencoded::parse(&ctx.body)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

fn json_body(ctx: &Ctx) -> Option<Value> {
    if content_type(ctx) != "application/json" {
        return None;
    }
    serde_json::from_slice(&ctx.body).ok()
}

/// Strips an auth scheme prefix, case-insensitively.
fn auth_param<'a>(ctx: &'a Ctx, scheme: &str) -> Option<&'a str> {
    let value = header_str(ctx, header::AUTHORIZATION)?.trim();
    let (s, rest) = value.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// Percent-decodes a path segment ('+' stays '+', unlike form decoding).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------- endpoints ----------

fn echo_value(ctx: &Ctx) -> Value {
    let mut query = Map::new();
    for (k, v) in query_pairs(ctx) {
        if let Value::Array(values) = query.entry(k).or_insert_with(|| Value::Array(Vec::new())) {
            values.push(Value::String(v));
        }
    }
    let http_version = match ctx.parts.version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2.0",
        Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    };
    json!({
        "method": ctx.parts.method.as_str(),
        "path": ctx.parts.uri.path(),
        "query": query,
        "raw_query": ctx.parts.uri.query().unwrap_or(""),
        "headers": header_list(ctx),
        "cookies": cookies(ctx),
        "body": String::from_utf8_lossy(&ctx.body),
        "body_base64": STANDARD.encode(&ctx.body),
        "body_len": ctx.body.len(),
        "form": form(ctx),
        "multipart": multipart(ctx),
        "json": json_body(ctx),
        "connection_id": ctx.conn_id,
        "http_version": http_version,
    })
}

/// The jar's cookies as JSON, with a Set-Cookie for each of `values`; a
/// value that cannot be a header is a 400 naming `what`.
fn with_set_cookies(ctx: &Ctx, values: impl IntoIterator<Item = String>, what: &str) -> Resp {
    let mut resp = json_ok(json!({ "cookies": cookies(ctx) }));
    for value in values {
        match HeaderValue::from_str(&value) {
            Ok(v) => resp.headers_mut().append(header::SET_COOKIE, v),
            Err(_) => return error(StatusCode::BAD_REQUEST, &format!("invalid {what}")),
        };
    }
    resp
}

fn cookies_set(ctx: &Ctx) -> Resp {
    let values = query_pairs(ctx)
        .into_iter()
        .map(|(name, value)| format!("{name}={value}; Path=/"));
    with_set_cookies(ctx, values, "cookie")
}

fn cookies_set_raw(ctx: &Ctx) -> Resp {
    let values = query_pairs(ctx)
        .into_iter()
        .filter(|(k, _)| k == "c")
        .map(|(_, raw)| raw);
    with_set_cookies(ctx, values, "Set-Cookie value")
}

fn cookies_delete(ctx: &Ctx) -> Resp {
    let values = query_pairs(ctx)
        .into_iter()
        .map(|(name, _)| format!("{name}=; Max-Age=0; Path=/"));
    with_set_cookies(ctx, values, "cookie name")
}

fn login(ctx: &Ctx) -> Resp {
    if ctx.parts.method != Method::POST {
        return error(StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    let field = |name: &str| -> Option<String> {
        if let Some(f) = form(ctx) {
            return f.get(name).and_then(Value::as_str).map(str::to_owned);
        }
        json_body(ctx)?
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let ok = field("username").as_deref() == Some(VALID_USER)
        && field("password").as_deref() == Some(VALID_PASSWORD);
    if !ok {
        return json_response(StatusCode::UNAUTHORIZED, &json!({ "logged_in": false }));
    }
    let token = new_token(&ctx.state);
    if let Ok(mut sessions) = ctx.state.sessions.lock() {
        sessions.insert(token.clone());
    }
    let cookie = format!("session={token}; Path=/; HttpOnly");
    let resp = json_ok(json!({ "logged_in": true, "user": VALID_USER }));
    match HeaderValue::from_str(&cookie) {
        Ok(v) => with_header(resp, header::SET_COOKIE, v),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "bad token"),
    }
}

/// Unguessable enough for a test server: a per-call random hash plus a sequence number.
fn new_token(state: &State) -> String {
    let seq = state.token_seq.fetch_add(1, Ordering::SeqCst);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(seq);
    hasher.write_u128(nanos);
    format!("{:016x}{:08x}", hasher.finish(), seq)
}

fn protected(ctx: &Ctx) -> Resp {
    let valid = cookies(ctx)
        .get("session")
        .and_then(Value::as_str)
        .is_some_and(|token| {
            ctx.state
                .sessions
                .lock()
                .map(|s| s.contains(token))
                .unwrap_or(false)
        });
    if valid {
        json_ok(json!({ "authenticated": true, "user": VALID_USER }))
    } else {
        json_response(StatusCode::UNAUTHORIZED, &json!({ "authenticated": false }))
    }
}

fn basic_auth(ctx: &Ctx, user: &str, pass: &str) -> Resp {
    let user = percent_decode(user);
    let expected = format!("{user}:{}", percent_decode(pass));
    let given = auth_param(ctx, "Basic").and_then(|b64| STANDARD.decode(b64).ok());
    if given.as_deref() == Some(expected.as_bytes()) {
        json_ok(json!({ "authenticated": true, "user": user }))
    } else {
        with_header(
            json_response(StatusCode::UNAUTHORIZED, &json!({ "authenticated": false })),
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"hsession\""),
        )
    }
}

/// httpbin's `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}]`: `qop` is
/// `auth` (anything else: no qop, RFC 2069), `algorithm` MD5, MD5-sess,
/// SHA-256, SHA-256-sess, SHA-512 or SHA-512-sess. The response hash is checked, the nonce must be
/// one this server issued and, with qop, its count must grow. The challenge
/// and the success set the cookie `fake=fake_value`, as httpbin does.
fn digest_auth(ctx: &Ctx, qop: &str, user: &str, pass: &str, algorithm: &str) -> Resp {
    let user = percent_decode(user);
    let pass = percent_decode(pass);
    let qop = (qop == "auth").then_some("auth");
    let Some(hash) = digest_hash(algorithm) else {
        return error(StatusCode::BAD_REQUEST, "unsupported digest algorithm");
    };
    let realm = "me@hsession.test";
    let given = auth_param(ctx, "Digest").map(digest_params);
    if let Some(p) = given {
        let get = |k: &str| p.get(k).map(String::as_str);
        let uri = ctx.parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let nonce = get("nonce").unwrap_or("");
        let cnonce = get("cnonce").unwrap_or("");
        let nc = get("nc").unwrap_or("");
        let nc_value = u64::from_str_radix(nc, 16).ok();
        let mut ha1 = hash(&format!("{user}:{realm}:{pass}"));
        if algorithm.to_ascii_lowercase().ends_with("-sess") {
            ha1 = hash(&format!("{ha1}:{nonce}:{cnonce}"));
        }
        let ha2 = hash(&format!("{}:{uri}", ctx.parts.method));
        let expected = match qop {
            Some(q) => hash(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{q}:{ha2}")),
            None => hash(&format!("{ha1}:{nonce}:{ha2}")),
        };
        let fresh = {
            let mut nonces = lock(&ctx.state.digest_nonces);
            match (nonces.get_mut(nonce), qop) {
                (Some(last), Some(_)) => match nc_value {
                    Some(n) if n > *last => {
                        *last = n;
                        true
                    }
                    _ => false,
                },
                (Some(_), None) => true,
                (None, _) => false,
            }
        };
        let matches = get("username") == Some(user.as_str())
            && get("uri") == Some(uri)
            && get("qop") == qop
            && get("response") == Some(expected.as_str());
        if matches && fresh {
            let resp = json_ok(json!({ "authenticated": true, "user": user }));
            return with_header(
                resp,
                header::SET_COOKIE,
                HeaderValue::from_static("fake=fake_value; Path=/"),
            );
        }
    }
    let nonce = new_token(&ctx.state);
    lock(&ctx.state.digest_nonces).insert(nonce.clone(), 0);
    let opaque = new_token(&ctx.state);
    let mut challenge = format!(
        "Digest realm=\"{realm}\", nonce=\"{nonce}\", opaque=\"{opaque}\", algorithm={algorithm}"
    );
    if let Some(q) = qop {
        challenge.push_str(&format!(", qop=\"{q}\""));
    }
    let resp = json_response(StatusCode::UNAUTHORIZED, &json!({ "authenticated": false }));
    let resp = with_header(
        resp,
        header::SET_COOKIE,
        HeaderValue::from_static("fake=fake_value; Path=/"),
    );
    match HeaderValue::try_from(challenge) {
        Ok(v) => with_header(resp, header::WWW_AUTHENTICATE, v),
        Err(_) => error(StatusCode::BAD_REQUEST, "invalid challenge"),
    }
}

fn digest_hash(algorithm: &str) -> Option<fn(&str) -> String> {
    use md5::Digest as _;
    fn md5_hex(s: &str) -> String {
        hex(&md5::Md5::digest(s.as_bytes()))
    }
    fn sha256_hex(s: &str) -> String {
        hex(&sha2::Sha256::digest(s.as_bytes()))
    }
    fn sha512_hex(s: &str) -> String {
        hex(&sha2::Sha512::digest(s.as_bytes()))
    }
    match algorithm.to_ascii_uppercase().as_str() {
        "MD5" | "MD5-SESS" => Some(md5_hex),
        "SHA-256" | "SHA-256-SESS" => Some(sha256_hex),
        "SHA-512" | "SHA-512-SESS" => Some(sha512_hex),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `key=value` and `key="quoted value"` pairs of a Digest Authorization.
fn digest_params(s: &str) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let mut rest = s.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, next) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next().map(|(_, c)| c)),
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &quoted[end..])
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            }
        };
        out.insert(key, value);
        rest = next.trim_start().trim_start_matches(',');
    }
    out
}

fn bearer(ctx: &Ctx) -> Resp {
    match auth_param(ctx, "Bearer").filter(|t| !t.is_empty()) {
        Some(token) => json_ok(json!({ "authenticated": true, "token": token })),
        None => with_header(
            json_response(StatusCode::UNAUTHORIZED, &json!({ "authenticated": false })),
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer"),
        ),
    }
}

fn status(ctx: &Ctx, code: &str) -> Resp {
    // 1xx cannot be a final response (and 101 would need an upgrade), so reject < 200.
    let status = match code.parse::<u16>() {
        Ok(c @ 200..=599) => StatusCode::from_u16(c).ok(),
        _ => None,
    };
    let Some(status) = status else {
        return error(StatusCode::BAD_REQUEST, "status must be 200..=599");
    };
    let mut resp = json_response(status, &json!({ "status": status.as_u16() }));
    if let Some(reason) = query_param(ctx, "reason") {
        match ReasonPhrase::try_from(reason) {
            Ok(r) => {
                resp.extensions_mut().insert(r);
            }
            Err(_) => return error(StatusCode::BAD_REQUEST, "invalid reason phrase"),
        }
    }
    resp
}

fn redirect(ctx: &Ctx, n: &str, absolute: bool) -> Resp {
    let Ok(n) = n.parse::<u32>() else {
        return error(StatusCode::BAD_REQUEST, "invalid redirect count");
    };
    if n == 0 {
        return json_ok(echo_value(ctx));
    }
    let path = match (n, absolute) {
        (1, _) => "/echo".to_owned(),
        (_, false) => format!("/redirect/{}", n - 1),
        (_, true) => format!("/absolute-redirect/{}", n - 1),
    };
    let location = if absolute {
        format!("http://127.0.0.1:{}{}", ctx.state.port, path)
    } else {
        path
    };
    redirect_response(StatusCode::FOUND, &location)
}

fn redirect_response(status: StatusCode, location: &str) -> Resp {
    match HeaderValue::from_str(location) {
        Ok(v) => with_header(
            json_response(status, &json!({ "redirect_to": location })),
            header::LOCATION,
            v,
        ),
        Err(_) => error(StatusCode::BAD_REQUEST, "invalid redirect url"),
    }
}

fn redirect_to(ctx: &Ctx) -> Resp {
    let Some(url) = query_param(ctx, "url") else {
        return error(StatusCode::BAD_REQUEST, "missing url");
    };
    let status = match query_param(ctx, "status") {
        None => Some(StatusCode::FOUND),
        Some(s) => match s.parse::<u16>() {
            Ok(c @ 300..=399) => StatusCode::from_u16(c).ok(),
            _ => None,
        },
    };
    match status {
        Some(status) => {
            let mut resp = redirect_response(status, &url);
            // `set_cookie=<raw Set-Cookie>` (repeatable): cookies set on a hop.
            for raw in query_values(ctx, "set_cookie") {
                if let Ok(v) = HeaderValue::from_str(&raw) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            resp
        }
        None => error(StatusCode::BAD_REQUEST, "status must be 300..=399"),
    }
}

/// `/flaky/{key}/{n}?status=503&retry_after=S`: the first n requests for
/// `key` get `status` (with `Retry-After: S` if given; `S` may be an HTTP
/// date), later ones 200 with {"attempts": count}. `/attempts/{key}` reads
/// the count.
fn flaky(ctx: &Ctx, key: &str, n: &str) -> Resp {
    let Ok(n) = n.parse::<u64>() else {
        return error(StatusCode::BAD_REQUEST, "n must be a number");
    };
    let status = query_param(ctx, "status")
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let count = {
        let mut attempts = lock(&ctx.state.attempts);
        let c = attempts.entry(key.to_owned()).or_insert(0);
        *c += 1;
        *c
    };
    if count <= n {
        let mut resp = json_response(status, &json!({ "attempts": count }));
        if let Some(ra) = query_param(ctx, "retry_after") {
            if let Ok(v) = HeaderValue::from_str(&ra) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        return resp;
    }
    json_ok(json!({ "attempts": count }))
}

fn gzip(ctx: &Ctx) -> Resp {
    let json = json!({ "gzipped": true, "headers": header_list(ctx) }).to_string();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = enc.write_all(json.as_bytes()).and_then(|_| enc.finish());
    let Ok(compressed) = compressed else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "gzip failed");
    };
    compressed_response(compressed, "application/json", "gzip")
}

/// `{"encoding": .., "headers": ..}` compressed with `encoding` (deflate is
/// the zlib format, as HTTP means it; br; zstd).
fn encoded(ctx: &Ctx, encoding: &'static str) -> Resp {
    let json = json!({ "encoding": encoding, "headers": header_list(ctx) }).to_string();
    let compressed = match encoding {
        "deflate" => {
            let mut enc =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(json.as_bytes()).and_then(|_| enc.finish())
        }
        "br" => {
            let mut out = Vec::new();
            {
                let mut enc = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                let _ = enc.write_all(json.as_bytes());
            }
            Ok(out)
        }
        _ => zstd::encode_all(json.as_bytes(), 3),
    };
    let Ok(compressed) = compressed else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "compression failed");
    };
    compressed_response(compressed, "application/json", encoding)
}

/// A small zstd body whose frame asks for a window of 2^`log` bytes (no
/// content size, so a decoder must allocate the whole window): 27 is the
/// 128 MiB that RFC 9659's 8 MiB limit exists to refuse.
fn zstd_window(log: &str) -> Resp {
    let Ok(log @ 10..=31) = log.parse::<u32>() else {
        return error(StatusCode::BAD_REQUEST, "invalid window log");
    };
    let body = (|| {
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 3)?;
        enc.set_parameter(zstd::zstd_safe::CParameter::WindowLog(log))?;
        enc.include_contentsize(false)?;
        enc.write_all(br#"{"zstd": "window"}"#)?;
        enc.finish()
    })();
    match body {
        Ok(body) => compressed_response(body, "application/json", "zstd"),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "compression failed"),
    }
}

/// A compressed body with its Content-Type and Content-Encoding.
fn compressed_response(body: Vec<u8>, content_type: &'static str, encoding: &'static str) -> Resp {
    let mut resp = Response::new(Body::full(body));
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    resp
}

/// `mib` MiB of zeros, gzipped (about 1 KiB per MiB): a decompression bomb.
fn gzip_bomb(mib: &str) -> Resp {
    let mib = match mib.parse::<u64>() {
        Ok(n) if n <= 4096 => n,
        _ => return error(StatusCode::BAD_REQUEST, "mib must be 0..=4096"),
    };
    let zeros = vec![0u8; 1 << 20];
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut done = Ok(());
    for _ in 0..mib {
        done = done.and_then(|_| enc.write_all(&zeros));
    }
    let compressed = done.and_then(|_| enc.finish());
    let Ok(compressed) = compressed else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "gzip failed");
    };
    compressed_response(compressed, "application/octet-stream", "gzip")
}

fn bytes(n: &str) -> Resp {
    let n = match n.parse::<u64>() {
        Ok(n) if n <= MAX_BYTES => n,
        _ => return error(StatusCode::BAD_REQUEST, "n must be 0..=4294967296"),
    };
    let mut resp = Response::new(Body::pattern(n));
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    resp
}

fn drip(ctx: &Ctx) -> Resp {
    let num = |key: &str, default: u64, max: u64| match query_param(ctx, key) {
        None => Some(default),
        Some(v) => v.parse::<u64>().ok().filter(|n| *n <= max),
    };
    let (Some(n), Some(delay_ms)) = (
        num("bytes", 10, MAX_DRIP_BYTES),
        num("delay_ms", 100, MAX_DELAY_MS),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bytes must be 0..=1000000 and delay_ms 0..=60000",
        );
    };
    let mut resp = Response::new(Body::drip(n, Duration::from_millis(delay_ms)));
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    resp
}
