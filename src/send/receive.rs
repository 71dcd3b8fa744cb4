//! Waiting for the response head under the read-idle timer, and reading
//! the final response: its head, and its body whole or as a stream.

use super::redirects::History;
use crate::classify::from_transport;
use crate::connector::ConnectProbe;
use crate::error::Result;
use crate::response::{self, Response};
use crate::stream::{self, BodyStream};
use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sends one HTTP request and waits for the response headers under the
/// read-idle timer.
pub(crate) async fn send_one(
    client: &reqwest::Client,
    request: reqwest::Request,
    probe: &ConnectProbe,
    read: Option<Duration>,
) -> Result<reqwest::Response> {
    let url = request.url().clone();
    let sending = client.execute(request);
    let sent = match read {
        None => sending.await,
        Some(read) => {
            let hop_start = Instant::now();
            tokio::pin!(sending);
            loop {
                let deadline = header_deadline(probe, hop_start, read);
                tokio::select! {
                    biased;
                    r = &mut sending => break r,
                    _ = tokio::time::sleep_until(deadline.into()) => {
                        if header_deadline(probe, hop_start, read) <= Instant::now() {
                            return Err(stream::read_timeout(read));
                        }
                    }
                }
            }
        }
    };
    sent.map_err(|e| from_transport(e, &url))
}

/// Reads the final response: status, headers in order, and the whole body,
/// each chunk under the read-idle timer.
pub(crate) async fn receive(
    resp: reqwest::Response,
    read: Option<Duration>,
    max_body: Option<u64>,
    history: History,
    start: Instant,
) -> Result<Response> {
    let mut body_of = None;
    let mut response = head(resp, history, start, |resp| {
        body_of = Some(resp);
        None
    });
    let Some(mut resp) = body_of else {
        return Ok(response);
    };
    // A declared length (reqwest drops it for bodies it decodes) fails before
    // any byte is read; otherwise the count of decoded bytes is checked per
    // chunk, so memory stays below the limit plus one chunk.
    let declared = resp.content_length().unwrap_or(0);
    stream::check_body_size(declared, max_body)?;
    let size_hint = declared.min(64 << 20) as usize;
    let mut total = 0u64;
    let mut first: Option<Bytes> = None;
    let mut joined: Option<Vec<u8>> = None;
    while let Some(chunk) = stream::read_chunk(&mut resp, read).await? {
        total += chunk.len() as u64;
        stream::check_body_size(total, max_body)?;
        // One chunk is kept as reqwest gave it; only several are joined.
        match (&mut joined, first.take()) {
            (Some(buf), _) => buf.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(prev)) => {
                let mut buf = Vec::with_capacity(size_hint.max(prev.len() + chunk.len()));
                buf.extend_from_slice(&prev);
                buf.extend_from_slice(&chunk);
                joined = Some(buf);
            }
        }
    }
    crate::logging::hlog!(
        crate::logging::Level::Trace,
        "body complete bytes={total}: its connection can be reused"
    );
    response.body = joined.map(Bytes::from).or(first).unwrap_or_default();
    response.elapsed = start.elapsed();
    Ok(response)
}

/// The reason phrase the server sent, or the standard one for the status.
pub(crate) fn reason_of(resp: &reqwest::Response) -> String {
    match resp.extensions().get::<hyper::ext::ReasonPhrase>() {
        Some(r) => String::from_utf8_lossy(r.as_bytes()).into_owned(),
        None => resp.status().canonical_reason().unwrap_or("").to_owned(),
    }
}

/// Every (name, value) in the order received, a repeated header once per
/// value; moved out of the map, not copied.
pub(crate) fn headers_in_order(map: reqwest::header::HeaderMap) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = Vec::with_capacity(map.len());
    let mut last: Option<HeaderName> = None;
    for (name, value) in map {
        // The map gives a name with its first value only.
        if let Some(name) = name {
            last = Some(name);
        }
        if let Some(name) = &last {
            headers.push((name.clone(), value));
        }
    }
    headers
}

/// The response's status line and headers; `body` decides what becomes of
/// the body (read it whole, or stream it).
pub(crate) fn head(
    mut resp: reqwest::Response,
    history: History,
    start: Instant,
    body: impl FnOnce(reqwest::Response) -> Option<Arc<BodyStream>>,
) -> Response {
    let status = resp.status();
    let reason = reason_of(&resp);
    let version = response::version_str(resp.version());
    let final_url = resp.url().clone();
    let headers = headers_in_order(std::mem::take(resp.headers_mut()));

    Response {
        status: status.as_u16(),
        reason,
        version,
        url: final_url,
        headers,
        body: Bytes::new(),
        history: history.hops,
        hop_heads: history.heads,
        stream: body(resp),
        retries: 0,
        elapsed: start.elapsed(),
        timings: Default::default(),
    }
}

/// When the wait for response headers has been idle too long: `read` after
/// this hop's own connect finished, or after the hop started if it needed none.
pub(crate) fn header_deadline(probe: &ConnectProbe, hop_start: Instant, read: Duration) -> Instant {
    let (started, finished) = *probe.times.lock().unwrap_or_else(|e| e.into_inner());
    match (started, finished) {
        (Some(s), Some(done)) if s >= hop_start => done + read,
        // A connect in progress is bounded by the connect timeout itself.
        (Some(s), None) if s >= hop_start => Instant::now() + read,
        _ => hop_start + read,
    }
}
