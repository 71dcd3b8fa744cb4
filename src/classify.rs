//! What a transport error from reqwest, hyper, h2 or rustls means: its
//! kind, a message without the layers' wrapper text, and what the attempt's
//! resend decision needs (the connection used, whether HTTP/2 refused it).

use crate::error::{Error, ErrorKind, Transport};

/// Whether an io::Error carries a rustls error, perhaps inside other
/// io::Errors (hyper-util wraps tokio-rustls's handshake error again).
pub(crate) fn wraps_rustls(io: &std::io::Error) -> bool {
    let mut inner = io.get_ref();
    while let Some(e) = inner {
        if e.is::<rustls::Error>() {
            return true;
        }
        inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
    }
    false
}

/// hyper-util's client error only names its kind ("client error (Connect)"),
/// which the message already says in words; its source has the detail.
pub(crate) fn is_wrapper_text(text: &str) -> bool {
    text.strip_prefix("client error (")
        .and_then(|rest| rest.strip_suffix(')'))
        .is_some_and(|kind| kind.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Classifies a transport error from reqwest/hyper by walking its source chain.
pub(crate) fn from_transport(err: reqwest::Error, url: &url::Url) -> Error {
    use std::error::Error as _;
    let mut kind = if err.is_connect() {
        ErrorKind::Connect
    } else if err.is_redirect() {
        ErrorKind::TooManyRedirects
    } else if err.is_decode() {
        ErrorKind::Decode
    } else if err.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::ConnectionClosed
    };
    let mut detail = String::new();
    let mut source = err.source();
    // hyper's own body decoder (chunked framing) reports bad bytes as an
    // io::Error inside a hyper::Error; decompression errors come without one.
    let mut under_hyper = false;
    let mut transport = Transport::default();
    while let Some(cause) = source {
        if let Some(e) = cause.downcast_ref::<hyper_util::client::legacy::Error>() {
            // hyper-util's Canceled: the request was never handed to a
            // connection (its connect lost a race to one that already
            // negotiated HTTP/2). Its kind is only in its Display text.
            transport.unprocessed |= e.to_string() == "client error (Canceled)";
            if let Some(info) = e.connect_info() {
                let mut extras = http::Extensions::new();
                info.get_extras(&mut extras);
                transport.local_addr = extras
                    .get::<hyper_util::client::legacy::connect::HttpInfo>()
                    .map(|i| i.local_addr());
            }
        }
        if let Some(e) = cause.downcast_ref::<h2::Error>() {
            transport.unprocessed |= e.reason() == Some(h2::Reason::REFUSED_STREAM)
                || (e.is_go_away() && e.is_remote() && e.reason() == Some(h2::Reason::NO_ERROR));
            // A stream reset or a GOAWAY while the body is read cuts the
            // body short; it is not corrupt, whatever reqwest calls it.
            if (e.is_reset() || e.is_go_away()) && kind == ErrorKind::Decode {
                kind = ErrorKind::ConnectionClosed;
            }
        }
        if cause.is::<crate::connector::ConnectTimeoutError>() {
            kind = ErrorKind::ConnectTimeout;
        } else if cause.is::<crate::body::BodyReadError>() {
            kind = ErrorKind::Io;
        } else if cause.is::<rustls::Error>() {
            kind = ErrorKind::Tls;
        } else if cause.is::<crate::zstd_decode::ZstdError>() {
            kind = ErrorKind::Decode;
        } else if let Some(h) = cause.downcast_ref::<hyper::Error>() {
            under_hyper = true;
            if h.is_parse() || h.is_parse_status() {
                kind = ErrorKind::Protocol;
            } else if h.is_canceled() {
                // hyper cancels a request it never started to write: the
                // connection closed (or was not ready) while it was queued.
                transport.unprocessed = true;
                kind = ErrorKind::ConnectionClosed;
            } else if h.is_incomplete_message()
                || h.is_closed()
                // An HTTP/2 keep-alive ping went unanswered: the connection
                // is dead, which is not the request's timeout.
                || h.is_timeout()
            {
                kind = ErrorKind::ConnectionClosed;
            }
        } else if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as Io;
            // rustls reports handshake failures inside an io::Error, whose
            // source() skips the error it wraps.
            if wraps_rustls(io) {
                kind = ErrorKind::Tls;
            } else if under_hyper && matches!(io.kind(), Io::InvalidData | Io::InvalidInput) {
                // Invalid chunked framing: the response is not valid HTTP.
                kind = ErrorKind::Protocol;
            } else if kind != ErrorKind::Connect
                && matches!(
                    io.kind(),
                    Io::UnexpectedEof
                        | Io::ConnectionReset
                        | Io::ConnectionAborted
                        | Io::BrokenPipe
                )
            {
                // A body cut short reads as a decode error to reqwest.
                kind = ErrorKind::ConnectionClosed;
            }
        }
        let text = cause.to_string();
        if !text.is_empty() && !detail.contains(&text) && !is_wrapper_text(&text) {
            detail.push_str(": ");
            detail.push_str(&text);
        }
        source = cause.source();
    }
    let what = match kind {
        ErrorKind::Connect => "could not connect",
        ErrorKind::ConnectTimeout => "connect timed out",
        ErrorKind::Tls => "TLS failure",
        ErrorKind::Protocol => "invalid HTTP response",
        ErrorKind::Decode => "could not decode the response body",
        ErrorKind::TooManyRedirects => "too many redirects",
        ErrorKind::Timeout => "timed out",
        ErrorKind::Io => "the request body could not be read",
        _ => "connection closed before the response was complete",
    };
    let mut err = Error::new(kind, format!("{what}{detail}")).with_url(url);
    err.transport = transport;
    err
}
