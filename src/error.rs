//! Errors of the core. Each `ErrorKind` maps to one stable C result code in
//! `ffi::error`; a message says what went wrong in words, and the URL (when
//! there is one) has its credentials redacted before it is stored.

use std::fmt;

/// What kind of failure an [`Error`] is. New kinds are only ever added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument is out of range or otherwise unusable.
    InvalidArgument,
    /// A string argument is not valid UTF-8.
    InvalidUtf8,
    /// The HTTP method is not a valid token.
    InvalidMethod,
    /// The URL cannot be parsed, has no host, or contains control characters.
    InvalidUrl,
    /// The URL's scheme is not http or https.
    UnsupportedScheme,
    /// A header name is not a valid HTTP token.
    InvalidHeaderName,
    /// A header value contains CR, LF, NUL or another forbidden byte.
    InvalidHeaderValue,
    /// The connection could not be made (refused, unreachable, DNS failure).
    Connect,
    /// The connection was not made within the connect timeout.
    ConnectTimeout,
    /// No data arrived from the server within the read-idle timeout.
    ReadTimeout,
    /// The whole request took longer than the total timeout.
    Timeout,
    /// The server closed the connection before the response was complete.
    ConnectionClosed,
    /// The server's response is not valid HTTP.
    Protocol,
    /// The TLS handshake or certificate verification failed.
    Tls,
    /// The response body could not be decoded (for example corrupt gzip).
    Decode,
    /// More redirects than the session allows.
    TooManyRedirects,
    /// The request was cancelled.
    Cancelled,
    /// A blocking call was made from one of the runtime's own threads.
    WrongThread,
    /// The runtime could not be started or configured.
    Runtime,
    /// A bug inside hsession (a panic or an impossible state).
    Internal,
    /// The request is still in flight.
    Pending,
    /// The result was already taken, or the call is used the wrong way.
    Consumed,
    /// The retry policy ran out of retries (a status kept failing).
    TooManyRetries,
    /// A file could not be read or written (cookie jar files).
    Io,
    /// A file's content is not in the expected format (cookie jar files).
    Parse,
    /// The decoded response body is larger than the maximum body size.
    BodyTooLarge,
    /// The proxy could not be reached, or it refused the tunnel.
    Proxy,
}

/// A failure with its kind, a message, and the redacted URL it concerns.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    url: Option<String>,
    /// For transport errors: what the attempt's resend decision needs.
    pub(crate) transport: Transport,
}

/// What a transport error says about the request's fate.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Transport {
    /// The local address of the connection the request was sent on (its
    /// identity), when hyper-util reports it.
    pub local_addr: Option<std::net::SocketAddr>,
    /// The server never processed the request: HTTP/2 REFUSED_STREAM, or a
    /// stream above a graceful GOAWAY's last stream id.
    pub unprocessed: bool,
}

/// Result alias of the core.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Credentials in any URL the message quotes become `***`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let message = message.into();
        let message = match redact_text(&message) {
            std::borrow::Cow::Borrowed(_) => message,
            std::borrow::Cow::Owned(redacted) => redacted,
        };
        Error {
            kind,
            message,
            url: None,
            transport: Transport::default(),
        }
    }

    /// Attaches the URL the error concerns; credentials in it are redacted.
    pub fn with_url(mut self, url: &url::Url) -> Error {
        self.url = Some(redact_url(url));
        self
    }

    /// Attaches a URL already redacted (taken from another error).
    pub(crate) fn with_shown_url(mut self, url: String) -> Error {
        self.url = Some(url);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The URL with any user name and password replaced by `***`.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.url {
            Some(url) => write!(f, "{} ({})", self.message, url),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// The URL as it may be shown in logs: user name and password become `***`.
pub fn redact_url(url: &url::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.as_str().to_owned();
    }
    let mut shown = url.clone();
    // Setting credentials only fails for URLs that cannot have any, and
    // those never carried credentials in the first place.
    let _ = shown.set_username("***");
    if url.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.into()
}

/// `text` with the userinfo of every URL in it (parsed or not, as an
/// unparsable URL is quoted raw) replaced by `***`: whatever sits between
/// a `//` and the last `@` before the next `/`, `?` or `#`. It may hide a
/// little more than the userinfo, never less.
pub fn redact_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('@') || !text.contains("//") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("//") {
        let (head, after) = rest.split_at(i + 2);
        out.push_str(head);
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        match after[..end].rfind('@') {
            Some(at) => {
                out.push_str(if after[..at].contains(':') {
                    "***:***"
                } else {
                    "***"
                });
                rest = &after[at..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Whether an io::Error carries a rustls error, perhaps inside other
/// io::Errors (hyper-util wraps tokio-rustls's handshake error again).
fn wraps_rustls(io: &std::io::Error) -> bool {
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
            } else if h.is_incomplete_message()
                || h.is_closed()
                || h.is_canceled()
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
        if !text.is_empty() && !detail.contains(&text) {
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

#[cfg(test)]
mod tests {
    use super::redact_text;

    #[test]
    fn userinfo_is_redacted_in_any_text() {
        for (text, shown) in [
            ("no url here", "no url here"),
            ("a@b.c", "a@b.c"),
            ("http://example.com/a@b", "http://example.com/a@b"),
            (
                r#"invalid URL "http://alice:pw@exa mple.com/": bad"#,
                r#"invalid URL "http://***:***@exa mple.com/": bad"#,
            ),
            ("//tok@host?x=@", "//***@host?x=@"),
            (
                "via http://u:p@proxy:8080 to https://a:b@c/d",
                "via http://***:***@proxy:8080 to https://***:***@c/d",
            ),
            ("http://u:p@@h", "http://***:***@h"),
        ] {
            assert_eq!(redact_text(text), shown, "{text}");
        }
    }
}
