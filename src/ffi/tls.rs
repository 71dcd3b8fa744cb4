//! TLS settings of an `hsession`. Every setter here is thread-safe, applies
//! to requests started after it returns, and builds a new connection pool
//! (requests in flight finish on the old one; cookies and counters stay):
//! that is why a connection opened with verification off is never reused by
//! a request made after verification is turned back on.

use super::session::hsession;
use super::*;
use crate::TlsVersion;
use std::path::Path;

/// Minimum TLS version 1.2 (the default), for `hsession_set_min_tls_version`.
pub const HSESSION_TLS_1_2: u32 = 0x0303;
/// Minimum TLS version 1.3, for `hsession_set_min_tls_version`.
pub const HSESSION_TLS_1_3: u32 = 0x0304;

/// Turns verification of the server's certificate and host name on
/// (`verify` non-zero, the default) or off (0: any certificate for any name
/// is accepted; for tests only). Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_verify(
    session: *const hsession,
    verify: i32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        Ok(ref_arg(session, "session")?.0.set_verify(verify != 0)?)
    })
}

/// Trusts only the CA certificates in the PEM file `path` (NUL-terminated
/// UTF-8, copied): they REPLACE the platform's roots, as `verify=path` does
/// in requests. NULL `path` goes back to the platform roots. The file is
/// read and checked during the call: unreadable gives HSESSION_IO, no valid
/// PEM certificate gives HSESSION_INVALID_ARGUMENT, and on failure the
/// session is unchanged. Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_ca_file(
    session: *const hsession,
    path: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let path = opt_str_arg(path, "path")?;
        Ok(s.0.set_ca_file(path.map(Path::new))?)
    })
}

/// Presents a client certificate for mutual TLS: `cert_path` is a PEM file
/// with the certificate chain (leaf first), `key_path` a PEM file with its
/// private key (PKCS#8, RSA or EC). Both NUL-terminated UTF-8, copied; both
/// NULL removes the client certificate (one NULL is HSESSION_NULL_ARGUMENT).
/// The files are read and checked during the call (HSESSION_IO if
/// unreadable, HSESSION_INVALID_ARGUMENT if not valid PEM or the key does
/// not match the certificate); on failure the session is unchanged.
/// Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_client_cert(
    session: *const hsession,
    cert_path: *const c_char,
    key_path: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        if cert_path.is_null() && key_path.is_null() {
            return Ok(s.0.set_client_cert(None)?);
        }
        let cert = str_arg(cert_path, "cert_path")?;
        let key = str_arg(key_path, "key_path")?;
        Ok(s.0.set_client_cert(Some((Path::new(cert), Path::new(key))))?)
    })
}

/// The lowest TLS version accepted: HSESSION_TLS_1_2 (default) or
/// HSESSION_TLS_1_3; any other value is HSESSION_INVALID_ARGUMENT.
/// Thread-safe; builds a new connection pool.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_min_tls_version(
    session: *const hsession,
    version: u32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let version = match version {
            HSESSION_TLS_1_2 => TlsVersion::Tls12,
            HSESSION_TLS_1_3 => TlsVersion::Tls13,
            other => {
                return Err(Failure::new(
                    HSESSION_INVALID_ARGUMENT,
                    format!(
                        "unknown TLS version {other:#x}: use HSESSION_TLS_1_2 or HSESSION_TLS_1_3"
                    ),
                ))
            }
        };
        Ok(s.0.set_min_tls_version(version)?)
    })
}
