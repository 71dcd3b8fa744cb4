//! hsession: a persistent, thread-safe HTTP session (cookies, pooled
//! keep-alive connections, default headers, auth and timeouts) with a C ABI.
//!
//! The safe Rust core is [`Session`], [`Request`] and [`Response`]; the C ABI
//! in `ffi` is a thin layer over it, and `include/hsession.h` is generated
//! from that layer by cbindgen.
//!
//! ```no_run
//! let session = hsession::Session::new()?;
//! session.set_header("User-Agent", "MyApp/1.0")?;
//! let resp = session.send(&hsession::Request::new("GET", "http://127.0.0.1:8080/json")?)?;
//! println!("{} {}", resp.status(), resp.text());
//! # Ok::<(), hsession::Error>(())
//! ```

#![deny(unsafe_code)]

pub mod body;
pub mod call;
mod cancel;
mod classify;
pub mod config;
mod connector;
pub mod cookies;
mod digest;
pub mod error;
#[doc(hidden)] // The C ABI: for C callers through include/hsession.h, not for Rust.
pub mod ffi;
mod host_limit;
pub mod logging;
mod netrc;
pub mod proxy;
pub mod queue;
mod redirect;
pub mod request;
pub mod response;
pub mod retry;
pub mod runtime;
mod send;
pub mod session;
pub mod stream;
pub mod timings;
pub mod tls;
mod tls_hooks;
mod zstd_decode;

pub use call::Call;
pub use config::{Timeouts, TransportConfig};
pub use cookies::{Cookie, CookieFileFormat, Jar};
pub use error::{Error, ErrorKind, Result};
pub use proxy::ProxyConfig;
pub use queue::CompletionQueue;
pub use redirect::DEFAULT_MAX_REDIRECTS;
pub use request::Request;
pub use response::Response;
pub use retry::RetryPolicy;
pub use session::Session;
pub use stream::BodyStream;
pub use timings::{ConnectionInfo, Timings};
pub use tls::{TlsConfig, TlsVersion};
pub use tokio_util::sync::CancellationToken;

/// The library version, as in Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
