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
}

/// A failure with its kind, a message, and the redacted URL it concerns.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    url: Option<String>,
}

/// Result alias of the core.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            url: None,
        }
    }

    /// Attaches the URL the error concerns; credentials in it are redacted.
    pub fn with_url(mut self, url: &url::Url) -> Error {
        self.url = Some(redact_url(url));
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

/// hyper-util's client error only names its kind ("client error (Connect)"),
/// which the message already says in words; its source has the detail.
fn is_wrapper_text(text: &str) -> bool {
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
    while let Some(cause) = source {
        if cause.is::<crate::connector::ConnectTimeoutError>() {
            kind = ErrorKind::ConnectTimeout;
        } else if cause.is::<crate::body::BodyReadError>() {
            kind = ErrorKind::Io;
        } else if cause.is::<rustls::Error>() {
            kind = ErrorKind::Tls;
        } else if let Some(h) = cause.downcast_ref::<hyper::Error>() {
            under_hyper = true;
            if h.is_parse() || h.is_parse_status() {
                kind = ErrorKind::Protocol;
            } else if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
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
    Error::new(kind, format!("{what}{detail}")).with_url(url)
}
