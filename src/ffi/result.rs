//! Result codes: the constants the header publishes, and one table that
//! gives each its name, its text (`hsession_result_str`) and the core's
//! error kind that maps to it. Tests hold the constants, the table, every
//! `ErrorKind` and the committed header to each other; each binding's own
//! table is tested against the header.

use crate::ErrorKind;
use std::ffi::{c_char, CStr};

/// A result code. 0 is success; every other value names one kind of failure.
/// Values are never reused or renumbered.
pub type hsession_result = u32;

/// Success.
pub const HSESSION_OK: hsession_result = 0;
/// A required pointer argument was NULL.
pub const HSESSION_NULL_ARGUMENT: hsession_result = 1;
/// A string argument is not valid UTF-8.
pub const HSESSION_INVALID_UTF8: hsession_result = 2;
/// An argument is out of range or otherwise unusable.
pub const HSESSION_INVALID_ARGUMENT: hsession_result = 3;
/// The HTTP method is not a valid token.
pub const HSESSION_INVALID_METHOD: hsession_result = 4;
/// The URL cannot be parsed, has no host, or contains control characters.
pub const HSESSION_INVALID_URL: hsession_result = 5;
/// The URL's scheme is not http or https.
pub const HSESSION_UNSUPPORTED_SCHEME: hsession_result = 6;
/// A header name is not a valid HTTP token.
pub const HSESSION_INVALID_HEADER_NAME: hsession_result = 7;
/// A header value contains CR, LF or another forbidden control character.
pub const HSESSION_INVALID_HEADER_VALUE: hsession_result = 8;
/// No such item (a header that is absent, an index past the end).
pub const HSESSION_NOT_FOUND: hsession_result = 9;
/// The connection could not be made (refused, unreachable, DNS failure).
pub const HSESSION_CONNECT: hsession_result = 10;
/// No connection within the connect timeout.
pub const HSESSION_CONNECT_TIMEOUT: hsession_result = 11;
/// No data from the server within the read-idle timeout.
pub const HSESSION_READ_TIMEOUT: hsession_result = 12;
/// The request did not complete within the total timeout.
pub const HSESSION_TIMEOUT: hsession_result = 13;
/// The server closed the connection before the response was complete.
pub const HSESSION_CONNECTION_CLOSED: hsession_result = 14;
/// The server's response is not valid HTTP.
pub const HSESSION_PROTOCOL: hsession_result = 15;
/// The TLS handshake or certificate verification failed.
pub const HSESSION_TLS: hsession_result = 16;
/// The response body could not be decoded (for example corrupt gzip).
pub const HSESSION_DECODE: hsession_result = 17;
/// More redirects than the session allows.
pub const HSESSION_TOO_MANY_REDIRECTS: hsession_result = 18;
/// The request was cancelled.
pub const HSESSION_CANCELLED: hsession_result = 19;
/// A blocking call was made from one of hsession's own runtime threads (for
/// example from inside a completion callback), where it would deadlock.
pub const HSESSION_WRONG_THREAD: hsession_result = 20;
/// The runtime could not be started, or is already started and cannot be
/// reconfigured.
pub const HSESSION_RUNTIME: hsession_result = 21;
/// A bug in hsession was caught (a panic); the call had no effect on the session.
pub const HSESSION_PANIC: hsession_result = 22;
/// Another internal failure.
pub const HSESSION_INTERNAL: hsession_result = 23;
/// The request is still in flight (from `hsession_call_take`).
pub const HSESSION_PENDING: hsession_result = 24;
/// A file could not be read or written (a cookie file: missing, no
/// permission, disk full).
pub const HSESSION_IO: hsession_result = 25;
/// A file's content is not in the expected format (a malformed cookie file).
pub const HSESSION_PARSE: hsession_result = 26;
/// The decoded response body is larger than the maximum body size
/// (`hsession_set_max_body_size`, `hsession_request_set_max_body_size`).
pub const HSESSION_BODY_TOO_LARGE: hsession_result = 27;
/// The retry policy ran out of retries while a status in its forcelist kept
/// coming back (with raise-on-status on).
pub const HSESSION_TOO_MANY_RETRIES: hsession_result = 28;
/// The proxy could not be reached, or it refused the tunnel (CONNECT or
/// SOCKS); the origin was not reached.
pub const HSESSION_PROXY: hsession_result = 29;

/// One result code's row.
pub(crate) struct ResultRow {
    pub(crate) code: hsession_result,
    /// The constant's name, as `hsession_result_name` gives it.
    pub(crate) name: &'static CStr,
    pub(crate) text: &'static CStr,
    /// The core's error kind reported with this code; None for codes only
    /// the C ABI produces (OK, NULL_ARGUMENT, PANIC).
    pub(crate) kind: Option<ErrorKind>,
}

/// Every result code, in number order.
pub(crate) const RESULTS: &[ResultRow] = &[
    ResultRow {
        code: HSESSION_OK,
        name: c"HSESSION_OK",
        text: c"ok",
        kind: None,
    },
    ResultRow {
        code: HSESSION_NULL_ARGUMENT,
        name: c"HSESSION_NULL_ARGUMENT",
        text: c"a required pointer argument is NULL",
        kind: None,
    },
    ResultRow {
        code: HSESSION_INVALID_UTF8,
        name: c"HSESSION_INVALID_UTF8",
        text: c"a string argument is not valid UTF-8",
        kind: Some(ErrorKind::InvalidUtf8),
    },
    ResultRow {
        code: HSESSION_INVALID_ARGUMENT,
        name: c"HSESSION_INVALID_ARGUMENT",
        text: c"invalid argument",
        kind: Some(ErrorKind::InvalidArgument),
    },
    ResultRow {
        code: HSESSION_INVALID_METHOD,
        name: c"HSESSION_INVALID_METHOD",
        text: c"invalid HTTP method",
        kind: Some(ErrorKind::InvalidMethod),
    },
    ResultRow {
        code: HSESSION_INVALID_URL,
        name: c"HSESSION_INVALID_URL",
        text: c"invalid URL",
        kind: Some(ErrorKind::InvalidUrl),
    },
    ResultRow {
        code: HSESSION_UNSUPPORTED_SCHEME,
        name: c"HSESSION_UNSUPPORTED_SCHEME",
        text: c"unsupported URL scheme",
        kind: Some(ErrorKind::UnsupportedScheme),
    },
    ResultRow {
        code: HSESSION_INVALID_HEADER_NAME,
        name: c"HSESSION_INVALID_HEADER_NAME",
        text: c"invalid header name",
        kind: Some(ErrorKind::InvalidHeaderName),
    },
    ResultRow {
        code: HSESSION_INVALID_HEADER_VALUE,
        name: c"HSESSION_INVALID_HEADER_VALUE",
        text: c"invalid header value",
        kind: Some(ErrorKind::InvalidHeaderValue),
    },
    ResultRow {
        code: HSESSION_NOT_FOUND,
        name: c"HSESSION_NOT_FOUND",
        text: c"not found",
        kind: Some(ErrorKind::Consumed),
    },
    ResultRow {
        code: HSESSION_CONNECT,
        name: c"HSESSION_CONNECT",
        text: c"could not connect",
        kind: Some(ErrorKind::Connect),
    },
    ResultRow {
        code: HSESSION_CONNECT_TIMEOUT,
        name: c"HSESSION_CONNECT_TIMEOUT",
        text: c"connect timed out",
        kind: Some(ErrorKind::ConnectTimeout),
    },
    ResultRow {
        code: HSESSION_READ_TIMEOUT,
        name: c"HSESSION_READ_TIMEOUT",
        text: c"read timed out",
        kind: Some(ErrorKind::ReadTimeout),
    },
    ResultRow {
        code: HSESSION_TIMEOUT,
        name: c"HSESSION_TIMEOUT",
        text: c"request timed out",
        kind: Some(ErrorKind::Timeout),
    },
    ResultRow {
        code: HSESSION_CONNECTION_CLOSED,
        name: c"HSESSION_CONNECTION_CLOSED",
        text: c"connection closed before the response was complete",
        kind: Some(ErrorKind::ConnectionClosed),
    },
    ResultRow {
        code: HSESSION_PROTOCOL,
        name: c"HSESSION_PROTOCOL",
        text: c"invalid HTTP response",
        kind: Some(ErrorKind::Protocol),
    },
    ResultRow {
        code: HSESSION_TLS,
        name: c"HSESSION_TLS",
        text: c"TLS failure",
        kind: Some(ErrorKind::Tls),
    },
    ResultRow {
        code: HSESSION_DECODE,
        name: c"HSESSION_DECODE",
        text: c"could not decode the response body",
        kind: Some(ErrorKind::Decode),
    },
    ResultRow {
        code: HSESSION_TOO_MANY_REDIRECTS,
        name: c"HSESSION_TOO_MANY_REDIRECTS",
        text: c"too many redirects",
        kind: Some(ErrorKind::TooManyRedirects),
    },
    ResultRow {
        code: HSESSION_CANCELLED,
        name: c"HSESSION_CANCELLED",
        text: c"cancelled",
        kind: Some(ErrorKind::Cancelled),
    },
    ResultRow {
        code: HSESSION_WRONG_THREAD,
        name: c"HSESSION_WRONG_THREAD",
        text: c"blocking call from a runtime thread",
        kind: Some(ErrorKind::WrongThread),
    },
    ResultRow {
        code: HSESSION_RUNTIME,
        name: c"HSESSION_RUNTIME",
        text: c"runtime failure",
        kind: Some(ErrorKind::Runtime),
    },
    ResultRow {
        code: HSESSION_PANIC,
        name: c"HSESSION_PANIC",
        text: c"internal error (panic)",
        kind: None,
    },
    ResultRow {
        code: HSESSION_INTERNAL,
        name: c"HSESSION_INTERNAL",
        text: c"internal error",
        kind: Some(ErrorKind::Internal),
    },
    ResultRow {
        code: HSESSION_PENDING,
        name: c"HSESSION_PENDING",
        text: c"still in flight",
        kind: Some(ErrorKind::Pending),
    },
    ResultRow {
        code: HSESSION_IO,
        name: c"HSESSION_IO",
        text: c"file I/O failed",
        kind: Some(ErrorKind::Io),
    },
    ResultRow {
        code: HSESSION_PARSE,
        name: c"HSESSION_PARSE",
        text: c"malformed file",
        kind: Some(ErrorKind::Parse),
    },
    ResultRow {
        code: HSESSION_BODY_TOO_LARGE,
        name: c"HSESSION_BODY_TOO_LARGE",
        text: c"response body larger than the maximum body size",
        kind: Some(ErrorKind::BodyTooLarge),
    },
    ResultRow {
        code: HSESSION_TOO_MANY_RETRIES,
        name: c"HSESSION_TOO_MANY_RETRIES",
        text: c"retries exhausted",
        kind: Some(ErrorKind::TooManyRetries),
    },
    ResultRow {
        code: HSESSION_PROXY,
        name: c"HSESSION_PROXY",
        text: c"the proxy could not be used",
        kind: Some(ErrorKind::Proxy),
    },
];

/// The code reported for a core error of this kind.
pub(crate) fn code_of(kind: ErrorKind) -> hsession_result {
    RESULTS
        .iter()
        .find(|r| r.kind == Some(kind))
        .map_or(HSESSION_INTERNAL, |r| r.code)
}

/// The name of a result code's constant ("HSESSION_CONNECT"), a static
/// string; NULL for a code this library does not know. Bindings check their
/// own tables against it. Thread-safe.
#[no_mangle]
pub extern "C" fn hsession_result_name(result: hsession_result) -> *const c_char {
    RESULTS
        .get(result as usize)
        .filter(|r| r.code == result)
        .map_or(std::ptr::null(), |r| r.name.as_ptr())
}

/// A static description of a result code, for logs. Never NULL; unknown
/// codes give "unknown result code". Thread-safe.
#[no_mangle]
pub extern "C" fn hsession_result_str(result: hsession_result) -> *const c_char {
    RESULTS
        .get(result as usize)
        .filter(|r| r.code == result)
        .map_or(c"unknown result code", |r| r.text)
        .as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_number_order_with_a_text_each() {
        for (i, r) in RESULTS.iter().enumerate() {
            assert_eq!(r.code as usize, i, "{:?} is out of order", r.name);
            let text = unsafe { CStr::from_ptr(hsession_result_str(r.code)) };
            assert_eq!(text, r.text);
            assert_ne!(text.to_bytes(), b"unknown result code");
        }
        let past = RESULTS.len() as hsession_result;
        let text = unsafe { CStr::from_ptr(hsession_result_str(past)) };
        assert_eq!(text.to_bytes(), b"unknown result code");
    }

    #[test]
    fn every_error_kind_has_exactly_one_code() {
        for &kind in ErrorKind::ALL {
            let rows = RESULTS.iter().filter(|r| r.kind == Some(kind)).count();
            assert_eq!(rows, 1, "{kind:?} has {rows} rows");
        }
    }

    /// The constants defined above and the committed header say the same
    /// as the table: every name with its number, and no constant left out.
    #[test]
    fn the_constants_and_the_header_match_the_table() {
        let source = include_str!("result.rs");
        let declared: Vec<(String, u32)> = source
            .lines()
            .filter_map(|l| l.strip_prefix("pub const "))
            .filter_map(|l| {
                let (name, rest) = l.split_once(": hsession_result = ")?;
                Some((name.to_owned(), rest.trim_end_matches(';').parse().ok()?))
            })
            .collect();
        let table: Vec<(String, u32)> = RESULTS
            .iter()
            .map(|r| (r.name.to_str().unwrap().to_owned(), r.code))
            .collect();
        assert_eq!(declared, table);
        let header = include_str!("../../include/hsession.h");
        for (name, code) in &table {
            assert!(
                header
                    .lines()
                    .any(|l| l == format!("#define {name} {code}")),
                "the header lacks #define {name} {code}: run make header"
            );
        }
        for r in RESULTS {
            let name = unsafe { CStr::from_ptr(hsession_result_name(r.code)) };
            assert_eq!(name, r.name);
        }
        assert!(hsession_result_name(RESULTS.len() as u32).is_null());
    }
}
