//! TLS for the test server: a throwaway PKI made with rcgen (a CA, server
//! and client certificates) and the rustls server configuration.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio_rustls::rustls::{self, pki_types::pem::PemObject};

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone)]
pub struct CertPem {
    pub cert: String,
    pub key: String,
}

/// A certificate authority made for one test run.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl TestCa {
    /// A new self-signed CA named `name`.
    pub fn new(name: &str) -> io::Result<TestCa> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().map_err(other)?;
        let issuer = CertifiedIssuer::self_signed(params, key).map_err(other)?;
        Ok(TestCa { issuer })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn server_cert(&self, names: &[&str]) -> io::Result<CertPem> {
        self.leaf(names, ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate for mutual TLS.
    pub fn client_cert(&self, name: &str) -> io::Result<CertPem> {
        self.leaf(&[name], ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn leaf(&self, names: &[&str], usage: ExtendedKeyUsagePurpose) -> io::Result<CertPem> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).map_err(other)?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        params.extended_key_usages = vec![usage];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().map_err(other)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(other)?;
        Ok(CertPem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        })
    }
}

/// Writes a new PKI to `dir`: `ca.pem`, `cert.pem` + `key.pem` (server, for
/// localhost and 127.0.0.1), `client.pem` + `client-key.pem` (mutual TLS).
/// Returns the server's certificate and key.
pub fn write_self_signed(dir: &Path) -> io::Result<CertPem> {
    std::fs::create_dir_all(dir)?;
    let ca = TestCa::new("hsession test CA")?;
    let server = ca.server_cert(&["localhost", "127.0.0.1"])?;
    let client = ca.client_cert("hsession test client")?;
    std::fs::write(dir.join("ca.pem"), ca.cert_pem())?;
    std::fs::write(dir.join("cert.pem"), &server.cert)?;
    std::fs::write(dir.join("key.pem"), &server.key)?;
    std::fs::write(dir.join("client.pem"), &client.cert)?;
    std::fs::write(dir.join("client-key.pem"), &client.key)?;
    Ok(server)
}

/// How the test server speaks TLS.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// The server's certificate chain and key, PEM.
    pub identity: CertPem,
    /// When set, clients must present a certificate issued by this CA (PEM).
    pub client_ca: Option<String>,
    /// Offer TLS 1.2 only (to test a client's minimum version).
    pub tls12_only: bool,
}

impl TlsOptions {
    pub fn new(identity: CertPem) -> TlsOptions {
        TlsOptions {
            identity,
            client_ca: None,
            tls12_only: false,
        }
    }
}

pub(crate) fn server_config(opts: &TlsOptions) -> io::Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(opts.identity.cert.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(other)?;
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(opts.identity.key.as_bytes())
        .map_err(other)?;
    let versions: &[&rustls::SupportedProtocolVersion] = if opts.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(other)?;
    let builder = match &opts.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(ca.as_bytes()) {
                roots.add(cert.map_err(other)?).map_err(other)?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(other)?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config = builder.with_single_cert(certs, key).map_err(other)?;
    Ok(Arc::new(config))
}
