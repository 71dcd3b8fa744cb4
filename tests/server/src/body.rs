//! Response body type: one enum so every handler returns the same concrete type,
//! including the streaming and deliberately broken bodies.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use tokio::time::Sleep;

/// Chunk size for generated bodies, so /bytes/{n} never holds n bytes in memory.
const CHUNK: u64 = 64 * 1024;

pub enum Body {
    Full(Option<Bytes>),
    /// `len` bytes where byte i is `(i % 251) as u8`.
    Pattern {
        offset: u64,
        len: u64,
    },
    /// `remaining` single bytes, each after `delay`.
    Drip {
        remaining: u64,
        delay: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
    },
    /// Announces `declared` bytes, sends `prefix`, waits, then fails so hyper aborts the
    /// connection. The wait lets hyper flush the head and prefix before the abort.
    Truncated {
        declared: u64,
        prefix: Option<Bytes>,
        sleep: Pin<Box<Sleep>>,
    },
}

impl Body {
    pub fn full(data: impl Into<Bytes>) -> Body {
        let data = data.into();
        Body::Full(if data.is_empty() { None } else { Some(data) })
    }

    pub fn pattern(len: u64) -> Body {
        Body::Pattern { offset: 0, len }
    }

    pub fn drip(bytes: u64, delay: Duration) -> Body {
        Body::Drip {
            remaining: bytes,
            delay,
            sleep: None,
        }
    }

    pub fn truncated(declared: u64, prefix: Bytes) -> Body {
        Body::Truncated {
            declared,
            prefix: Some(prefix),
            sleep: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Body::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Body::Pattern { offset, len } => {
                if *offset >= *len {
                    return Poll::Ready(None);
                }
                let n = CHUNK.min(*len - *offset);
                let chunk: Vec<u8> = (*offset..*offset + n).map(|i| (i % 251) as u8).collect();
                *offset += n;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
            }
            Body::Drip {
                remaining,
                delay,
                sleep,
            } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let timer = sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(*delay)));
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *sleep = None;
                *remaining -= 1;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"*")))))
            }
            Body::Truncated { prefix, sleep, .. } => {
                if let Some(p) = prefix.take() {
                    return Poll::Ready(Some(Ok(Frame::data(p))));
                }
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "deliberately truncated body",
                ))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(data) => data.is_none(),
            Body::Pattern { offset, len } => offset >= len,
            Body::Drip { remaining, .. } => *remaining == 0,
            Body::Truncated { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Body::Pattern { offset, len } => SizeHint::with_exact(len.saturating_sub(*offset)),
            Body::Drip { remaining, .. } => SizeHint::with_exact(*remaining),
            // Exact length makes hyper send Content-Length instead of chunked encoding.
            Body::Truncated { declared, .. } => SizeHint::with_exact(*declared),
        }
    }
}
