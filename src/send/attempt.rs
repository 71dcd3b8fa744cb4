//! One exchange for a hop: retries after connect and read failures, silent
//! resends on dead pooled connections, and retries for forcelist statuses.

use super::receive::send_one;
use super::Prepared;
use crate::connector::ConnectProbe;
use crate::error::{ErrorKind, Result};
use crate::logging::{hlog, Level, Ms, ShownUrl};
use crate::retry::{self};
use crate::timings::Marks;
use reqwest::header::{HeaderValue, ACCEPT_ENCODING, COOKIE, RETRY_AFTER};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Silent resends of one attempt: each on a pooled connection found dead
/// (a different one each time) or refused unprocessed by HTTP/2.
pub(crate) const MAX_SILENT_RESENDS: usize = 8;

/// One HTTP exchange for the current hop, up to the response headers:
/// retried as the policy allows after connect and read failures, and sent
/// once more, silently, when a pooled connection turns out to have been
/// closed by the server (idempotent methods with a replayable body only).
pub(crate) async fn attempt(
    p: &Prepared,
    probe: &ConnectProbe,
    used: &mut retry::Used,
) -> Result<(reqwest::Response, Marks)> {
    let replayable = p.replayable();
    // Silent resends so far, and the connections they found dead.
    let mut resends = 0;
    let mut dead: Vec<std::net::SocketAddr> = Vec::new();
    loop {
        let mut headers = p.headers.clone();
        if !headers.contains_key(ACCEPT_ENCODING) {
            headers.insert(ACCEPT_ENCODING, crate::zstd_decode::ACCEPT);
        }
        if !headers.contains_key(COOKIE) {
            if let Some(cookies) = p.jar.header_with(&p.url, &p.cookies) {
                // Cookie text came from Set-Cookie headers, which were header values.
                if let Ok(v) = HeaderValue::try_from(cookies) {
                    headers.insert(COOKIE, v);
                }
            }
        }
        let body = match &p.body {
            Some(spec) => Some(spec.build(&p.client.http, &mut headers).await?),
            None => None,
        };
        let mut request = reqwest::Request::new(p.method.clone(), p.url.clone());
        *request.headers_mut() = headers;
        *request.body_mut() = body;
        p.counters.requests.fetch_add(1, Ordering::Relaxed);
        // Under a cap on connections per host, a connection must be free
        // first; the response holds it until its body is read.
        let permit = match &p.client.limiter {
            Some(limiter) => Some(limiter.acquire(&p.url, p.timeouts.connect).await?),
            None => None,
        };
        let sent_at = Instant::now();
        let mark = probe.opened_count();
        let conns_before = p.counters.connections.load(Ordering::Relaxed);
        hlog!(Level::Debug, "request {} {}", p.method, ShownUrl(&p.url));
        let err = match send_one(&p.client.http, request, probe, p.timeouts.read).await {
            Ok(mut resp) => {
                if crate::logging::enabled(Level::Debug) {
                    crate::logging::exchange(&p.method, &p.url, probe, mark, &resp, sent_at);
                }
                let marks =
                    Marks::observe(&p.counters, probe, (mark, conns_before), sent_at, &resp);
                // HTTP/2 streams share one connection: the head frees it.
                if let Some(permit) = permit.filter(|_| resp.version() != reqwest::Version::HTTP_2)
                {
                    resp.extensions_mut().insert(permit);
                }
                return Ok((crate::zstd_decode::decode(resp, &p.method), marks));
            }
            Err(e) => e,
        };
        if replayable && resends < MAX_SILENT_RESENDS {
            // HTTP/2 said the server never processed it: any method.
            let unprocessed = err.transport.unprocessed;
            // A pooled connection the server had closed: the request used a
            // connection this attempt did not open, and that has not failed
            // before. Without the connection's identity, only once and only
            // when no connect started since sending.
            let stale = err.kind() == ErrorKind::ConnectionClosed
                && retry::idempotent_methods().contains(&p.method)
                && match err.transport.local_addr {
                    Some(addr) => !probe.opened_since(mark, addr) && !dead.contains(&addr),
                    None => {
                        resends == 0
                            && probe
                                .times
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .0
                                .is_none_or(|started| started < sent_at)
                    }
                };
            if unprocessed || stale {
                hlog!(
                    Level::Debug,
                    "resend {} {} reason={:?} local={:?}",
                    p.method,
                    ShownUrl(&p.url),
                    if unprocessed {
                        "the server refused it unprocessed"
                    } else {
                        "the pooled connection was closed by the server"
                    },
                    err.transport.local_addr
                );
                resends += 1;
                dead.extend(err.transport.local_addr);
                continue;
            }
        }
        let failure = match err.kind() {
            ErrorKind::Connect | ErrorKind::ConnectTimeout => retry::Failure::Connect,
            ErrorKind::ConnectionClosed | ErrorKind::ReadTimeout | ErrorKind::Protocol => {
                retry::Failure::Read
            }
            _ => return Err(err),
        };
        // A connect failure means nothing left: any method may go again.
        let allowed = match failure {
            retry::Failure::Connect => true,
            _ => replayable && p.retry.method_allowed(&p.method),
        };
        if !allowed || !p.retry.take(used, failure) {
            return Err(err);
        }
        let wait = p.retry.sleep(used, None, None);
        hlog!(
            Level::Warn,
            "retry {} {} kind={:?} reason={:?} wait_ms={} retries={}",
            p.method,
            ShownUrl(&p.url),
            err.kind(),
            err.message(),
            Ms(wait),
            used.total
        );
        tokio::time::sleep(wait).await;
    }
}

/// Whether a response's status asks for a retry, and after how long.
pub(crate) fn status_retry(
    p: &Prepared,
    used: &mut retry::Used,
    resp: &reqwest::Response,
) -> Result<Option<Duration>> {
    let status = resp.status().as_u16();
    let replayable = p.replayable();
    if !p.retry.status_forcelist.contains(&status)
        || !replayable
        || !p.retry.method_allowed(&p.method)
    {
        return Ok(None);
    }
    let failure = retry::Failure::Status(status);
    if !p.retry.take(used, failure) {
        return match p.retry.raise_on_status {
            true => Err(p.retry.exhausted(failure).with_url(&p.url)),
            false => Ok(None),
        };
    }
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok());
    Ok(Some(p.retry.sleep(used, Some(status), retry_after)))
}
