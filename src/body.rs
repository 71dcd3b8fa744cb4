//! Request bodies: bytes, a file, a caller's read function, or a
//! multipart/form-data form. Each hop of a redirect builds the body anew
//! from this description, so files and forms can be sent again (307/308);
//! a read function can only be read once.

use crate::error::{Error, ErrorKind, Result};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Fills the buffer with the next bytes of the body; `Ok(0)` at its end.
pub type ReadFn = dyn FnMut(&mut [u8]) -> std::io::Result<usize> + Send;

/// A request body as the caller described it.
#[derive(Clone)]
pub(crate) enum BodySpec {
    Bytes(Bytes),
    File(PathBuf),
    Reader {
        read: Arc<Mutex<Box<ReadFn>>>,
        len: Option<u64>,
    },
    Form(Vec<FormPart>),
}

impl std::fmt::Debug for BodySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodySpec::Bytes(b) => write!(f, "Bytes({})", b.len()),
            BodySpec::File(p) => write!(f, "File({p:?})"),
            BodySpec::Reader { len, .. } => write!(f, "Reader({len:?})"),
            BodySpec::Form(parts) => write!(f, "Form({parts:?})"),
        }
    }
}

/// A multipart part's content type must be a valid header value of the
/// form type/subtype.
pub fn check_mime(m: &str) -> Result<()> {
    if m.parse::<HeaderValue>().is_err() || !m.contains('/') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("invalid content type {m:?}"),
        ));
    }
    Ok(())
}

/// One part of a multipart/form-data body.
#[derive(Debug, Clone)]
pub(crate) enum FormPart {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        path: PathBuf,
        file_name: Option<String>,
        mime: Option<String>,
    },
    /// A file part whose content is in memory (requests' `files=` with
    /// bytes or a file object that is not a file on disk).
    Bytes {
        name: String,
        data: Bytes,
        file_name: Option<String>,
        mime: Option<String>,
    },
}

/// A file name as browsers put it in `filename="..."` (the HTML standard's
/// multipart encoding): `"`, CR and LF percent-encoded, and other control
/// characters too, so that no file name can end the header line and add
/// part headers of its own (reqwest only puts a backslash before them).
fn escape_file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '"' || c.is_ascii_control() {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A multipart part with its optional file name and content type.
fn named_part(
    mut p: reqwest::multipart::Part,
    file_name: &Option<String>,
    mime: &Option<String>,
) -> Result<reqwest::multipart::Part> {
    if let Some(file_name) = file_name {
        p = p.file_name(escape_file_name(file_name));
    }
    if let Some(mime) = mime {
        p = p.mime_str(mime).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("invalid content type {mime:?}"),
            )
        })?;
    }
    Ok(p)
}

/// Reading the request body failed (the caller's read function, or a file).
#[derive(Debug)]
pub struct BodyReadError(pub String);

impl std::fmt::Display for BodyReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reading the request body failed: {}", self.0)
    }
}

impl std::error::Error for BodyReadError {}

impl BodySpec {
    /// Whether the body can be sent again (for a 307/308 redirect).
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self, BodySpec::Reader { .. })
    }

    /// A fresh reqwest body, and the headers it implies. `client` only
    /// frames a multipart form (reqwest computes a form's length there).
    pub(crate) async fn build(
        &self,
        client: &reqwest::Client,
        headers: &mut HeaderMap,
    ) -> Result<reqwest::Body> {
        match self {
            BodySpec::Bytes(b) => Ok(b.clone().into()),
            BodySpec::File(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| io_error(path, e))?;
                let len = file.metadata().await.map_err(|e| io_error(path, e))?.len();
                headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
                Ok(reqwest::Body::wrap_stream(
                    tokio_util::io::ReaderStream::new(file),
                ))
            }
            BodySpec::Reader { read, len } => {
                if let Some(len) = len {
                    headers.insert(CONTENT_LENGTH, HeaderValue::from(*len));
                }
                Ok(reqwest::Body::wrap_stream(reader_stream(read.clone())))
            }
            BodySpec::Form(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for part in parts {
                    form = match part {
                        FormPart::Text { name, value } => form.text(name.clone(), value.clone()),
                        FormPart::File {
                            name,
                            path,
                            file_name,
                            mime,
                        } => {
                            let p = reqwest::multipart::Part::file(path)
                                .await
                                .map_err(|e| io_error(path, e))?;
                            form.part(name.clone(), named_part(p, file_name, mime)?)
                        }
                        FormPart::Bytes {
                            name,
                            data,
                            file_name,
                            mime,
                        } => {
                            let p = reqwest::multipart::Part::stream_with_length(
                                data.clone(),
                                data.len() as u64,
                            );
                            form.part(name.clone(), named_part(p, file_name, mime)?)
                        }
                    };
                }
                // reqwest's RequestBuilder::multipart sets the boundary and,
                // when every part's size is known (files on disk, bytes,
                // text), Content-Length: many servers refuse a chunked upload.
                let mut framed = client
                    .post("http://localhost/")
                    .multipart(form)
                    .build()
                    .map_err(|e| Error::new(ErrorKind::Internal, format!("multipart form: {e}")))?;
                headers.remove(CONTENT_LENGTH);
                for name in [CONTENT_TYPE, CONTENT_LENGTH] {
                    if let Some(v) = framed.headers_mut().remove(&name) {
                        headers.insert(name, v);
                    }
                }
                framed
                    .body_mut()
                    .take()
                    .ok_or_else(|| Error::new(ErrorKind::Internal, "multipart form without a body"))
            }
        }
    }
}

fn io_error(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("cannot read {}: {e}", path.display()),
    )
}

/// Chunks from the caller's read function, each read on tokio's blocking
/// pool so a slow reader never holds an I/O thread.
fn reader_stream(
    read: Arc<Mutex<Box<ReadFn>>>,
) -> impl futures_core::Stream<Item = std::result::Result<Bytes, BodyReadError>> + Send + 'static {
    const CHUNK: usize = 64 * 1024;
    futures_util::stream::unfold(Some(read), |state| async move {
        let read = state?;
        let next = read.clone();
        let chunk = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; CHUNK];
            let mut f = next.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut buf).map(|n| {
                buf.truncate(n.min(CHUNK));
                buf
            })
        })
        .await;
        match chunk {
            Ok(Ok(buf)) if buf.is_empty() => None,
            Ok(Ok(buf)) => Some((Ok(Bytes::from(buf)), Some(read))),
            Ok(Err(e)) => Some((Err(BodyReadError(e.to_string())), None)),
            Err(_) => Some((
                Err(BodyReadError("the read function panicked".into())),
                None,
            )),
        }
    })
}
