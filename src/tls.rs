//! TLS settings of a session: certificate verification, a CA bundle, a
//! client certificate for mutual TLS, and the lowest TLS version accepted.
//!
//! They live in [`crate::TransportConfig`], so changing one builds a new
//! reqwest client with its own connection pool. That is what guarantees that
//! a connection opened with verification off is never reused by a request
//! made with verification on: pooled connections belong to the client that
//! opened them, a request takes the client of the settings in force when it
//! starts, and the new client's pool starts empty, so every request after
//! the change opens (and verifies) its own connections.
//!
//! Files are read and checked when they are set, not when a request is sent:
//! a bad path or a bad PEM fails the setter, and a file changed later has no
//! effect until it is set again.

use crate::error::{Error, ErrorKind, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The lowest TLS version a session accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsVersion {
    /// TLS 1.2 or 1.3 (the default; rustls supports nothing older).
    #[default]
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// PEM text read from a file, with the path it came from (for messages).
#[derive(Clone, PartialEq, Eq)]
pub struct PemFile {
    pub path: PathBuf,
    pem: Vec<u8>,
}

impl std::fmt::Debug for PemFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("PemFile").field("path", &self.path).finish()
    }
}

/// TLS settings; `TlsConfig::default()` verifies against the platform's
/// roots and accepts TLS 1.2 and 1.3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// Verify the server's certificate and host name (default true). Off
    /// accepts any certificate for any name: for tests only.
    pub verify: bool,
    /// Trusted CA certificates. When set they REPLACE the platform's roots
    /// (as `verify=path` does in requests and `CURLOPT_CAINFO` in curl).
    pub ca: Option<PemFile>,
    /// Certificate chain and private key presented to servers that ask.
    pub client_cert: Option<(PemFile, PemFile)>,
    pub min_version: TlsVersion,
}

impl Default for TlsConfig {
    fn default() -> TlsConfig {
        TlsConfig {
            verify: true,
            ca: None,
            client_cert: None,
            min_version: TlsVersion::Tls12,
        }
    }
}

fn read_pem(path: &Path, what: &str) -> Result<PemFile> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read the {what} file {}: {e}", path.display()),
        )
    })?;
    Ok(PemFile {
        path: path.to_owned(),
        pem,
    })
}

fn bad_pem(path: &Path, what: &str, detail: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("{} is not a valid {what}: {detail}", path.display()),
    )
}

fn certs(file: &PemFile, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(&file.pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad_pem(&file.path, what, e))?;
    if certs.is_empty() {
        return Err(bad_pem(
            &file.path,
            what,
            "it contains no PEM certificate (-----BEGIN CERTIFICATE-----)",
        ));
    }
    Ok(certs)
}

impl TlsConfig {
    /// Reads and checks a PEM bundle of CA certificates; they replace the
    /// platform roots.
    pub fn set_ca_file(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let file = read_pem(path.as_ref(), "CA bundle")?;
        for cert in certs(&file, "PEM CA bundle")? {
            // The same check rustls makes when it builds its root store.
            webpki_anchor(&cert).map_err(|e| bad_pem(&file.path, "CA bundle", e))?;
        }
        self.ca = Some(file);
        Ok(())
    }

    /// Reads and checks a client certificate chain and its private key (PEM;
    /// PKCS#8, PKCS#1 RSA or SEC1 EC key), and that the key fits the certificate.
    pub fn set_client_cert(
        &mut self,
        cert_path: impl AsRef<Path>,
        key_path: impl AsRef<Path>,
    ) -> Result<()> {
        let cert = read_pem(cert_path.as_ref(), "client certificate")?;
        let key = read_pem(key_path.as_ref(), "client key")?;
        let chain = certs(&cert, "PEM client certificate")?;
        let private = PrivateKeyDer::from_pem_slice(&key.pem)
            .map_err(|e| bad_pem(&key.path, "PEM private key", e))?;
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let signing = provider
            .key_provider
            .load_private_key(private)
            .map_err(|e| bad_pem(&key.path, "private key", e))?;
        let certified = rustls::sign::CertifiedKey::new(chain, signing);
        certified.keys_match().map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "the key {} does not belong to the certificate {}: {e}",
                    key.path.display(),
                    cert.path.display()
                ),
            )
        })?;
        self.client_cert = Some((cert, key));
        Ok(())
    }

    /// Applies the settings to a client being built: always a rustls
    /// configuration hsession builds, with the hooks that time the handshake
    /// and name its suite (src/tls_hooks.rs).
    pub(crate) fn apply(&self, b: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        if self.verify && self.ca.is_none() && self.client_cert.is_none() {
            return Ok(b.tls_backend_preconfigured(platform_config(self.min_version)?));
        }
        let provider = crate::tls_hooks::provider();
        let failed =
            |e: rustls::Error| Error::new(ErrorKind::Tls, format!("cannot set up TLS: {e}"));
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions(self.min_version))
            .map_err(failed)?;
        let builder = if !self.verify {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerifier(provider)))
        } else if let Some(ca) = &self.ca {
            let mut roots = rustls::RootCertStore::empty();
            for cert in certs(ca, "PEM CA bundle")? {
                roots
                    .add(cert)
                    .map_err(|e| bad_pem(&ca.path, "CA bundle", e))?;
            }
            builder.with_root_certificates(roots)
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(platform_verifier(&provider)?)
        };
        let mut config = match &self.client_cert {
            Some((cert, key)) => {
                let chain = certs(cert, "PEM client certificate")?;
                let private = PrivateKeyDer::from_pem_slice(&key.pem)
                    .map_err(|e| bad_pem(&key.path, "PEM private key", e))?;
                builder
                    .with_client_auth_cert(chain, private)
                    .map_err(|e| bad_pem(&cert.path, "client certificate and key", e))?
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        config.resumption = crate::tls_hooks::resumption();
        Ok(b.tls_backend_preconfigured(config))
    }
}

fn versions(min: TlsVersion) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static TLS13_ONLY: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    match min {
        TlsVersion::Tls12 => rustls::ALL_VERSIONS,
        TlsVersion::Tls13 => &TLS13_ONLY,
    }
}

fn platform_verifier(
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<rustls_platform_verifier::Verifier>> {
    use once_cell::sync::OnceCell;
    static VERIFIER: OnceCell<Arc<rustls_platform_verifier::Verifier>> = OnceCell::new();
    VERIFIER
        .get_or_try_init(|| {
            rustls_platform_verifier::Verifier::new(provider.clone())
                .map(Arc::new)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Tls,
                        format!("cannot set up TLS with the platform's certificates: {e}"),
                    )
                })
        })
        .cloned()
}

/// Verification off (`set_verify(false)`): any certificate for any name, as
/// reqwest's `danger_accept_invalid_certs`. For tests only.
#[derive(Debug)]
struct NoVerifier(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The client configuration of the default settings (the platform's roots),
/// built once per process and copied into each client (its parts are shared
/// `Arc`s): loading and parsing the platform's root certificates costs about
/// 2 ms and 100 KiB, which a session would otherwise pay when it is made.
/// The same configuration reqwest builds: the platform verifier, TLS 1.2
/// and/or 1.3, ALPN h2 then http/1.1.
fn platform_config(min: TlsVersion) -> Result<rustls::ClientConfig> {
    use once_cell::sync::OnceCell;
    static CONFIGS: [OnceCell<rustls::ClientConfig>; 2] = [OnceCell::new(), OnceCell::new()];
    let slot = match min {
        TlsVersion::Tls12 => &CONFIGS[0],
        TlsVersion::Tls13 => &CONFIGS[1],
    };
    let config = slot.get_or_try_init(|| {
        let provider = crate::tls_hooks::provider();
        let verifier = platform_verifier(&provider)?;
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions(min))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Tls,
                    format!("cannot set up TLS with the platform's certificates: {e}"),
                )
            })?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        config.resumption = crate::tls_hooks::resumption();
        Ok::<_, Error>(config)
    })?;
    Ok(config.clone())
}

fn webpki_anchor(cert: &CertificateDer<'_>) -> std::result::Result<(), rustls::Error> {
    let mut store = rustls::RootCertStore::empty();
    store.add(cert.clone())
}

/// TLS setters. Each builds a new connection pool (see the module comment);
/// the cookie jar and counters stay. Files are read and checked before the
/// session's transport lock is taken; only the resulting field is written
/// under it, so setters racing from other threads keep each other's changes.
impl crate::Session {
    /// Turns certificate and host-name verification on (default) or off.
    pub fn set_verify(&self, verify: bool) -> Result<()> {
        self.update_transport(|c| c.tls.verify = verify)
    }

    /// Trusts only the CA certificates in the PEM file at `path` (they
    /// replace the platform roots); `None` goes back to the platform roots.
    pub fn set_ca_file(&self, path: Option<&Path>) -> Result<()> {
        let ca = match path {
            Some(path) => {
                let mut checked = TlsConfig::default();
                checked.set_ca_file(path)?;
                checked.ca
            }
            None => None,
        };
        self.update_transport(|c| c.tls.ca = ca)
    }

    /// Presents this certificate chain and key (PEM files) to servers that
    /// ask for a client certificate; `None` presents none.
    pub fn set_client_cert(&self, files: Option<(&Path, &Path)>) -> Result<()> {
        let client_cert = match files {
            Some((cert, key)) => {
                let mut checked = TlsConfig::default();
                checked.set_client_cert(cert, key)?;
                checked.client_cert
            }
            None => None,
        };
        self.update_transport(|c| c.tls.client_cert = client_cert)
    }

    /// The lowest TLS version accepted (default 1.2).
    pub fn set_min_tls_version(&self, version: TlsVersion) -> Result<()> {
        self.update_transport(|c| c.tls.min_version = version)
    }
}
