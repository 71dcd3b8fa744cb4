//! The redirect loop: one hop after another until the final response.

use super::attempt::{attempt, status_retry};
use super::receive::{head, headers_in_order, reason_of, receive};
use super::Prepared;
use crate::connector::ConnectProbe;
use crate::error::{Error, ErrorKind, Result};
use crate::logging::{hlog, Level, Ms, ShownUrl};
use crate::redirect;
use crate::response::{HopHead, Response};
use crate::retry::{self};
use crate::stream::{self, BodyStream, Limits};
use crate::timings::Marks;
use reqwest::header::{AUTHORIZATION, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sends each hop of the request: jar cookies are recomputed for every hop,
/// every hop's cookies are stored, and credentials never follow a redirect
/// to another origin.
pub(crate) async fn follow(mut p: Prepared, probe: Arc<ConnectProbe>) -> Result<Response> {
    let mut history = History::default();
    let mut used = retry::Used::default();
    // A Digest challenge is answered once per hop (requests resets its
    // count of 401s on a redirect too).
    let mut digest_answered = false;
    let mut redirects = 0;
    // Each hop's timings are offsets from its own start.
    let mut hop_start = p.start;
    loop {
        if let Some(digest) = &p.digest {
            // From the origin's last challenge, if there was one.
            match digest.authorization(&p.method, &p.url) {
                Some(v) => p.headers.insert(AUTHORIZATION, v),
                None => p.headers.remove(AUTHORIZATION),
            };
        }
        let (mut resp, marks) = attempt(&p, &probe, &mut used).await.map_err(|e| {
            match p.client.route.as_ref().and_then(|r| r.for_url(&p.url)) {
                Some(proxy) => crate::proxy::proxy_error(e, proxy),
                None => e,
            }
        })?;
        p.jar
            .store(resp.headers().get_all(SET_COOKIE).iter(), &p.url);
        if let Some(wait) = status_retry(&p, &mut used, &resp)? {
            hlog!(
                Level::Warn,
                "retry {} {} kind=Status reason=\"status {}\" wait_ms={} retries={}",
                p.method,
                ShownUrl(&p.url),
                resp.status().as_u16(),
                Ms(wait),
                used.total
            );
            drain(&mut resp, p.timeouts.read).await;
            tokio::time::sleep(wait).await;
            continue;
        }
        if resp.status() == StatusCode::UNAUTHORIZED && !digest_answered && p.replayable() {
            if let Some(digest) = &p.digest {
                if digest.learn(&p.url, resp.headers()) {
                    digest_answered = true;
                    hlog!(
                        Level::Debug,
                        "digest challenge {} answered",
                        ShownUrl(&p.url)
                    );
                    // The 401 answered goes in the history, as with requests.
                    end_hop(&mut history, &mut resp, &marks, &mut hop_start, &p).await;
                    continue;
                }
            }
        }

        let hop = match p.max_redirects {
            0 => None,
            _ => redirect::next_hop(
                resp.status(),
                resp.headers().get(LOCATION),
                &p.url,
                &p.method,
            )
            .map_err(|e| e.with_url(&p.url))?,
        };
        // A body read from the caller's function cannot be sent twice: a
        // redirect that keeps the body ends the chain with its response.
        let replayable = p.replayable();
        let hop = hop.filter(|h| !h.keep_body || replayable);
        let at_limit = redirects >= p.max_redirects;
        let hop = hop.filter(|_| !(at_limit && p.return_at_redirect_limit));
        let Some(mut hop) = hop else {
            if p.stream {
                let limits = Limits {
                    read: p.timeouts.read,
                    deadline: p.timeouts.total.map(|t| p.start + t),
                    cancels: p.cancels.clone(),
                    max_body: p.stream_max_body,
                };
                let mut done = head(resp, history, p.start, |resp| {
                    Some(Arc::new(BodyStream::start(resp, limits)))
                });
                done.retries = used.total;
                // A streamed body is still arriving: the exchange ends at its head.
                *done.timings = marks.finish(hop_start, marks.head(), &p.counters.conns);
                done.url = p.url;
                return Ok(done);
            }
            let mut done = receive(resp, p.timeouts.read, p.max_body, history, p.start).await?;
            done.retries = used.total;
            *done.timings = marks.finish(hop_start, Instant::now(), &p.counters.conns);
            // The URL as requested, fragment included (reqwest's has none).
            done.url = p.url;
            return Ok(done);
        };
        // A Location without a fragment keeps the one before (RFC 7231 7.1.2).
        if hop.url.fragment().is_none() && p.url.fragment().is_some() {
            hop.url.set_fragment(p.url.fragment());
        }
        if p.refuse_downgrade && redirect::is_downgrade(&p.url, &hop.url) {
            return Err(Error::new(
                ErrorKind::UnsupportedScheme,
                "redirect from https to http refused (the session refuses downgrades)",
            )
            .with_url(&hop.url));
        }
        if at_limit {
            return Err(Error::new(
                ErrorKind::TooManyRedirects,
                format!("more than {} redirects", p.max_redirects),
            )
            .with_url(&hop.url));
        }
        end_hop(&mut history, &mut resp, &marks, &mut hop_start, &p).await;
        redirects += 1;
        hlog!(
            Level::Debug,
            "redirect {} from={} to={} method={}",
            resp.status().as_u16(),
            ShownUrl(&p.url),
            ShownUrl(&hop.url),
            hop.method
        );
        digest_answered = false;
        if !redirect::same_origin(&p.url, &hop.url) {
            // Per-request cookies go only where a Cookie header would.
            p.cookies.clear();
            // Digest credentials stay with the origin they were meant for.
            p.digest = None;
        }
        redirect::carry_headers(&mut p.headers, &p.url, &hop);
        if p.netrc && !p.headers.contains_key(AUTHORIZATION) {
            // As requests' rebuild_auth: the new host's .netrc entry.
            if let Some(value) = crate::netrc::auth_header(&hop.url) {
                p.headers.insert(AUTHORIZATION, value);
            }
        }
        if !hop.keep_body {
            p.body = None;
        }
        p.method = hop.method;
        p.url = hop.url;
    }
}

/// Reads a small body that is not wanted (a redirect's, a retried status')
/// to the end so its connection goes back to the pool; a large one is
/// dropped with its connection.
pub(crate) async fn drain(resp: &mut reqwest::Response, read: Option<Duration>) {
    if resp.content_length().is_some_and(|n| n <= 64 * 1024) {
        for _ in 0..64 {
            match stream::read_chunk(resp, read).await {
                Ok(Some(_)) => continue,
                _ => break,
            }
        }
        hlog!(
            Level::Trace,
            "unread body drained: its connection can be reused"
        );
    } else {
        hlog!(
            Level::Trace,
            "unread body too large to drain: its connection is closed"
        );
    }
}

/// A hop that is not the final response (a redirect, a digest challenge):
/// its head goes into the history, its body is drained so the connection
/// can be reused, its timings go with its head, and the next hop starts now.
async fn end_hop(
    history: &mut History,
    resp: &mut reqwest::Response,
    marks: &Marks,
    hop_start: &mut Instant,
    p: &Prepared,
) {
    let reason = reason_of(resp);
    let headers = headers_in_order(resp.headers().clone());
    drain(resp, p.timeouts.read).await;
    let now = Instant::now();
    history.heads.push(HopHead {
        reason,
        headers,
        timings: marks.finish(*hop_start, now, &p.counters.conns),
    });
    *hop_start = now;
    history.hops.push((resp.status().as_u16(), p.url.clone()));
}

/// The redirects followed so far: each hop's status and URL, and its head.
#[derive(Default)]
pub(crate) struct History {
    pub(crate) hops: Vec<(u16, url::Url)>,
    pub(crate) heads: Vec<HopHead>,
}
