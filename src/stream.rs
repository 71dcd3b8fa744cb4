//! A response body read while it arrives. A task on the runtime pumps
//! chunks into a small bounded channel, under the read-idle timer, the total
//! deadline and cancellation; readers take them out at their own pace, so
//! memory stays at a few chunks however large the body is. Dropping the
//! stream stops the pump and closes the connection: a half-read connection
//! never goes back to the pool.

use crate::cancel::Cancels;
use crate::error::{Error, ErrorKind, Result};
use crate::runtime;
use bytes::Bytes;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Chunks buffered ahead of the reader.
const AHEAD: usize = 4;

#[derive(Debug)]
pub struct BodyStream {
    state: tokio::sync::Mutex<State>,
    cancel: CancellationToken,
    /// The runtime the pump runs on: a blocking read drives it.
    engine: Option<&'static runtime::Engine>,
}

#[derive(Debug)]
struct State {
    /// Chunks, then `Ok(None)` at the end of the body. A channel that closes
    /// without that marker was stopped (cancelled, or the session freed).
    rx: mpsc::Receiver<Result<Option<Bytes>>>,
    leftover: Bytes,
    failed: Option<Error>,
    ended: bool,
}

pub(crate) struct Limits {
    pub read: Option<Duration>,
    pub deadline: Option<Instant>,
    pub cancels: Cancels,
    pub max_body: Option<u64>,
}

impl BodyStream {
    /// Starts pumping `resp`'s body; must be called on the runtime.
    pub(crate) fn start(resp: reqwest::Response, limits: Limits) -> BodyStream {
        let (tx, rx) = mpsc::channel(AHEAD);
        // The stream's own switch: dropping or cancelling the stream stops
        // the pump without touching the request's tokens.
        let cancel = CancellationToken::new();
        let engine = runtime::spawn_here(pump(resp, tx, limits, cancel.clone()));
        BodyStream {
            state: tokio::sync::Mutex::new(State {
                rx,
                leftover: Bytes::new(),
                failed: None,
                ended: false,
            }),
            cancel,
            engine,
        }
    }

    /// Up to `max` bytes of the body, or None at its end. Reads are served
    /// one at a time, in order.
    pub async fn next(&self, max: usize) -> Result<Option<Bytes>> {
        let mut state = self.state.lock().await;
        state.next(max).await
    }

    /// Fills `buf` with the next bytes of the body, blocking the calling
    /// thread; 0 means the body has ended.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
        if runtime::on_runtime_thread() {
            return Err(runtime::wrong_thread());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let chunk = self.engine()?.block_on(self.next(buf.len()))??;
        Ok(chunk.map_or(0, |chunk| {
            buf[..chunk.len()].copy_from_slice(&chunk);
            chunk.len()
        }))
    }

    /// The runtime the body arrives on, where reads of it are spawned.
    pub(crate) fn engine(&self) -> Result<&'static runtime::Engine> {
        self.engine
            .ok_or_else(|| Error::new(ErrorKind::Internal, "a streamed body without its runtime"))
    }

    /// Stops the download; readers then get `ErrorKind::Cancelled`.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

impl Drop for BodyStream {
    fn drop(&mut self) {
        // The pump also stops when the channel closes; cancelling stops it
        // even while it waits for the server.
        self.cancel.cancel();
    }
}

impl State {
    async fn next(&mut self, max: usize) -> Result<Option<Bytes>> {
        if self.leftover.is_empty() && self.failed.is_none() && !self.ended {
            let got = self.rx.recv().await;
            self.accept(got);
        }
        self.take(max)
    }

    fn accept(&mut self, got: Option<Result<Option<Bytes>>>) {
        match got {
            Some(Ok(Some(chunk))) => self.leftover = chunk,
            Some(Ok(None)) => self.ended = true,
            Some(Err(e)) => self.failed = Some(e),
            None => {
                self.failed = Some(Error::new(ErrorKind::Cancelled, "the download was stopped"))
            }
        }
    }

    /// Up to `max` bytes of what was received; None at the end.
    fn take(&mut self, max: usize) -> Result<Option<Bytes>> {
        if !self.leftover.is_empty() {
            let n = max.max(1).min(self.leftover.len());
            return Ok(Some(self.leftover.split_to(n)));
        }
        match &self.failed {
            Some(e) => Err(e.clone()),
            None => Ok(None),
        }
    }
}

async fn cancelled(limits: &Limits, own: &CancellationToken) {
    tokio::select! {
        _ = limits.cancels.cancelled() => {}
        _ = own.cancelled() => {}
    }
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

async fn pump(
    mut resp: reqwest::Response,
    tx: mpsc::Sender<Result<Option<Bytes>>>,
    limits: Limits,
    own: CancellationToken,
) {
    let url = resp.url().clone();
    let mut total = resp.content_length().unwrap_or(0);
    if let Err(e) = check_body_size(total, limits.max_body) {
        let _ = tx.send(Err(e.with_url(&url))).await;
        return;
    }
    total = 0;
    loop {
        let next = tokio::select! {
            biased;
            _ = cancelled(&limits, &own) => Err(Error::new(ErrorKind::Cancelled, "the download was cancelled")),
            _ = until(limits.deadline) => Err(Error::new(ErrorKind::Timeout, "the download did not complete within the total timeout")),
            _ = tx.closed() => return,
            chunk = read_chunk(&mut resp, limits.read) => chunk,
        };
        let next = next.and_then(|chunk| {
            total += chunk.as_ref().map_or(0, |c| c.len() as u64);
            check_body_size(total, limits.max_body).map(|_| chunk)
        });
        let item = next.map_err(|e| {
            if e.url().is_none() {
                e.with_url(&url)
            } else {
                e
            }
        });
        let last = !matches!(item, Ok(Some(_)));
        // Waiting for room is where a slow reader holds the download back.
        tokio::select! {
            biased;
            _ = cancelled(&limits, &own) => {
                let _ = tx.try_send(Err(Error::new(ErrorKind::Cancelled, "the download was cancelled")));
                return;
            }
            sent = tx.send(item) => if sent.is_err() { return },
        }
        if last {
            return;
        }
    }
}

/// The next chunk of a body under the read-idle timer.
pub(crate) async fn read_chunk(
    resp: &mut reqwest::Response,
    read: Option<Duration>,
) -> Result<Option<Bytes>> {
    let next = match read {
        Some(read) => tokio::time::timeout(read, resp.chunk())
            .await
            .map_err(|_| read_timeout(read))?,
        None => resp.chunk().await,
    };
    next.map_err(|e| {
        let err = crate::classify::from_transport(e, resp.url());
        if err.kind() != ErrorKind::ConnectionClosed {
            return err;
        }
        // Said in the message, so callers can tell a body that broke off
        // from a connection that failed before the response (requests'
        // ChunkedEncodingError).
        Error::new(
            ErrorKind::ConnectionClosed,
            format!("the response body broke off: {}", err.message()),
        )
        .with_url(resp.url())
    })
}

/// Fails once `total` decoded bytes exceed the body limit.
pub(crate) fn check_body_size(total: u64, limit: Option<u64>) -> Result<()> {
    match limit {
        Some(limit) if total > limit => Err(Error::new(
            ErrorKind::BodyTooLarge,
            format!(
                "the response body is larger than the limit of {limit} bytes \
                 (max body size; 0 or None means no limit)"
            ),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn read_timeout(read: Duration) -> Error {
    Error::new(
        ErrorKind::ReadTimeout,
        format!(
            "no data from the server for {} ms (read timeout)",
            read.as_millis()
        ),
    )
}
