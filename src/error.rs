//! Errors of the core. Each `ErrorKind` maps to one stable C result code in
//! `ffi::error`; a message says what went wrong in words, and the URL (when
//! there is one) has its credentials redacted before it is stored.

use std::fmt;

/// Declares `ErrorKind` and `ErrorKind::ALL` from one list of variants, so
/// the list of every kind (which the result-code table is tested against)
/// cannot miss one.
macro_rules! error_kinds {
    ($($(#[$doc:meta])* $kind:ident,)*) => {
        /// What kind of failure an [`Error`] is. New kinds are only ever added.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$doc])* $kind,)*
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind),*];
        }
    };
}

error_kinds! {
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
    /// The server never processed the request: HTTP/2 REFUSED_STREAM, a
    /// stream above a graceful GOAWAY's last stream id, or a request hyper
    /// cancelled before writing any of it.
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
