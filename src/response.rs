//! A complete response: status, headers in the order received, the body as
//! the one buffer reqwest produced, and what it took to get it.

use crate::stream::BodyStream;
use crate::timings::Timings;
use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use std::sync::Arc;
use std::time::Duration;

/// What a redirect hop's response said besides its status and URL.
#[derive(Debug, Clone)]
pub struct HopHead {
    pub reason: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The hop's own timings and connection, from when it was sent.
    pub timings: Timings,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) reason: String,
    pub(crate) version: &'static str,
    pub(crate) url: url::Url,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
    pub(crate) history: Vec<(u16, url::Url)>,
    /// Each redirect hop's reason phrase and headers, in `history`'s order.
    pub(crate) hop_heads: Vec<HopHead>,
    pub(crate) stream: Option<Arc<BodyStream>>,
    pub(crate) retries: u32,
    pub(crate) elapsed: Duration,
    /// The final exchange's timings and connection (after the last redirect);
    /// boxed, as the response is moved through every layer of the runtime.
    pub(crate) timings: Box<Timings>,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase the server sent, or the standard one for the status.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// "HTTP/1.0", "HTTP/1.1", "HTTP/2" or "HTTP/3".
    pub fn version(&self) -> &'static str {
        self.version
    }

    /// The URL of the final response, after redirects.
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// All headers in the order received; a repeated header appears once per value.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// The values of header `name` (case-insensitive), in order.
    pub fn header_values<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a HeaderValue> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The first value of header `name` as text, if it is valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.to_str().ok())
    }

    /// Retries the request's retry policy used (connect, read and status).
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The redirects followed to get here: each hop's status and URL, in order.
    pub fn history(&self) -> &[(u16, url::Url)] {
        &self.history
    }

    /// Each redirect hop's reason phrase and headers (Location among them),
    /// in the order of [`Response::history`].
    pub fn hop_heads(&self) -> &[HopHead] {
        &self.hop_heads
    }

    /// The body being received, for a request sent with `stream(true)`;
    /// then [`Response::body`] is empty.
    pub fn stream(&self) -> Option<&Arc<BodyStream>> {
        self.stream.as_ref()
    }

    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// From the call to the last byte of the body (to the headers, when streamed).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// When each phase of the final exchange ended (offsets from when it was
    /// sent: the request's start, or the last redirect's), and the facts of
    /// its connection; each redirect's are in [`Response::hop_heads`].
    pub fn timings(&self) -> &Timings {
        &self.timings
    }
}

pub(crate) fn version_str(v: reqwest::Version) -> &'static str {
    match v {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_2 => "HTTP/2",
        reqwest::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}
