//! The `zstd` content coding, decoded here rather than by reqwest: its
//! decoder allows zstd's default window of 128 MiB, which a 33 KB body can
//! ask for and the decoder then holds for the whole download. RFC 9659
//! caps the window of this coding at 8 MiB; frames that need more are a
//! decode error.

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use reqwest::ResponseBuilderExt;

/// log2 of the largest window: 8 MiB (RFC 9659 section 3).
const WINDOW_LOG_MAX: u32 = 23;

/// What the client asks for when the caller set no Accept-Encoding: every
/// coding it decodes (reqwest does gzip, deflate and br; zstd is here).
pub(crate) const ACCEPT: HeaderValue = HeaderValue::from_static("gzip, deflate, br, zstd");

/// A decode failure of the zstd body, the cause under the transport error.
#[derive(Debug)]
pub(crate) struct ZstdError(pub std::io::Error);

impl std::fmt::Display for ZstdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid zstd body: {}", self.0)
    }
}

impl std::error::Error for ZstdError {}

/// `resp` with a zstd body decoded as it is read (window at most 8 MiB);
/// any other response, and one that has no body (a HEAD's, a 204, a 304,
/// Content-Length 0), as it is.
pub(crate) fn decode(resp: reqwest::Response, method: &reqwest::Method) -> reqwest::Response {
    let zstd = resp
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().trim_ascii().eq_ignore_ascii_case(b"zstd"));
    let bodiless = method == reqwest::Method::HEAD
        || matches!(resp.status().as_u16(), 100..=199 | 204 | 304)
        || resp.content_length() == Some(0);
    if !zstd || bodiless {
        return resp;
    }
    let url = resp.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(resp).into_parts();
    parts.headers.remove(CONTENT_ENCODING);
    parts.headers.remove(CONTENT_LENGTH);
    // reqwest keeps the URL in an extension only its builder can set.
    let (with_url, ()) = http::Response::builder()
        .url(url)
        .body(())
        .map(http::Response::into_parts)
        .unwrap_or_else(|_| http::Response::new(()).into_parts());
    parts.extensions.extend(with_url.extensions);

    // Transport errors pass through the decoder as io::Errors and come out
    // as they went in; the decoder's own errors become ZstdError.
    let compressed =
        http_body_util::BodyDataStream::new(body).map(|chunk| chunk.map_err(std::io::Error::other));
    let decoder = async_compression::tokio::bufread::ZstdDecoder::with_params(
        tokio_util::io::StreamReader::new(compressed),
        &[async_compression::zstd::DParameter::window_log_max(
            WINDOW_LOG_MAX,
        )],
    );
    let decoded = tokio_util::io::ReaderStream::new(decoder).map(
        |chunk: std::io::Result<Bytes>| -> Result<Bytes, Box<dyn std::error::Error + Send + Sync>> {
            chunk.map_err(|e| {
                match e
                    .get_ref()
                    .is_some_and(|inner| inner.is::<reqwest::Error>())
                {
                    true => e.into_inner().expect("checked just above"),
                    false => Box::new(ZstdError(e)),
                }
            })
        },
    );
    reqwest::Response::from(http::Response::from_parts(
        parts,
        reqwest::Body::wrap_stream(decoded),
    ))
}
