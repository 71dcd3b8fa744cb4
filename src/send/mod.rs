//! The send engine: how one request goes over the wire, redirects and
//! retries included. `Session` prepares a request (its defaults merged in,
//! on the caller's thread) and hands the `Prepared` request to `execute`,
//! which runs on the runtime:
//!
//! - `execute` (here): the total timeout and cancellation around it all;
//! - `redirects::follow`: one hop after another, the jar fed and consulted
//!   on each, credentials dropped when a redirect leaves the origin;
//! - `attempt::attempt`: one exchange for a hop, retried as the policy says
//!   and resent when a pooled connection turns out dead;
//!   `attempt::status_retry` for statuses in the forcelist;
//! - `receive`: the response headers under the read-idle timer, then the
//!   body, whole or streamed;
//!
//! What a transport error from reqwest/hyper means is `crate::classify`'s
//! business (streamed bodies need it too).

pub(crate) mod attempt;
pub(crate) mod receive;
pub(crate) mod redirects;

use crate::body::BodySpec;
use crate::cancel::Cancels;
use crate::config::Timeouts;
use crate::connector::{ConnectProbe, Counters, PROBE};
use crate::cookies::Jar;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::retry::RetryPolicy;
use redirects::follow;
use reqwest::header::HeaderMap;
use reqwest::Method;
use std::sync::Arc;
use std::time::Instant;

/// A request merged with the session's defaults, ready for the wire.
pub(crate) struct Prepared {
    pub(crate) client: Client,
    pub(crate) jar: Arc<Jar>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) method: Method,
    pub(crate) url: url::Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<BodySpec>,
    pub(crate) timeouts: Timeouts,
    pub(crate) max_redirects: usize,
    pub(crate) return_at_redirect_limit: bool,
    pub(crate) refuse_downgrade: bool,
    pub(crate) max_body: Option<u64>,
    /// A streamed body is bounded only by the request's own limit: the
    /// session's limit is there to bound memory, which streaming does anyway.
    pub(crate) stream_max_body: Option<u64>,
    pub(crate) stream: bool,
    pub(crate) cancels: Cancels,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) retry: Arc<RetryPolicy>,
    /// Digest credentials while the request is at the origin they were
    /// meant for; dropped when a redirect leaves it.
    pub(crate) digest: Option<Arc<crate::digest::DigestAuth>>,
    /// Whether a redirect to another host takes that host's .netrc entry
    /// (trust_env on, and the request had no auth of its own).
    pub(crate) netrc: bool,
    pub(crate) start: Instant,
}

/// The whole request on the runtime, redirects included, under the total
/// timer.
pub(crate) async fn execute(p: Prepared) -> Result<Response> {
    let url = p.url.clone();
    let timeouts = p.timeouts;
    let start = p.start;
    let probe = Arc::new(ConnectProbe::new(timeouts.connect));
    let cancels = p.cancels.clone();
    let method = crate::logging::enabled(crate::logging::Level::Error).then(|| p.method.clone());
    // Boxed once here, so the layers around it (task-local, select,
    // timeout) each move a pointer, not the whole request state machine.
    let work = PROBE.scope(probe.clone(), Box::pin(follow(p, probe)));
    let work = async move {
        tokio::select! {
            biased;
            _ = cancels.cancelled() => Err(Error::new(ErrorKind::Cancelled, "the request was cancelled")),
            r = work => r,
        }
    };
    let result = match timeouts.total {
        Some(total) => match tokio::time::timeout_at((start + total).into(), work).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "the request did not complete within the total timeout of {} ms",
                    total.as_millis()
                ),
            )),
        },
        None => work.await,
    };
    if let Some(method) = method {
        crate::logging::finished(&method, &url, &result);
    }
    result.map_err(|e| {
        if e.url().is_none() {
            e.with_url(&url)
        } else {
            e
        }
    })
}

/// A connection pool and the proxy route it was built with; the session
/// builds it (one per TLS/proxy setting), requests go out through it.
#[derive(Clone)]
pub(crate) struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) route: Option<Arc<crate::proxy::ProxyRoute>>,
    /// The cap on connections per host, when the session set one.
    pub(crate) limiter: Option<Arc<crate::host_limit::HostLimiter>>,
}

impl Prepared {
    /// Whether the body can be sent again (for a retry, a resend or a
    /// redirect that keeps it): a body read from the caller's function cannot.
    pub(crate) fn replayable(&self) -> bool {
        self.body.as_ref().is_none_or(BodySpec::replayable)
    }
}
