//! Where the TLS handshake shows itself to the request that runs it:
//! reqwest's connector hides the TCP stream and the TLS session, so hsession
//! builds every rustls configuration itself (src/tls.rs) with two hooks:
//!
//! - a session store around rustls' own, whose `kx_hint` rustls asks while
//!   it builds the ClientHello, that is when the TCP connect is done and the
//!   handshake begins;
//! - each cipher suite's key derivation (HKDF for TLS 1.3, the PRF for 1.2)
//!   wrapped, so the suite that derives the handshake keys names itself
//!   (the version follows from the suite). A TLS 1.2 session resumed from
//!   its cache derives no new master secret: its suite stays unknown.
//!
//! Both note into the request's connect probe (a task-local): a handshake
//! hyper finishes in the background, for no request, notes nothing.

use crate::connector::PROBE;
use once_cell::sync::OnceCell;
use rustls::client::{ClientSessionMemoryCache, ClientSessionStore};
use rustls::crypto::{ActiveKeyExchange, CryptoProvider};
use rustls::pki_types::ServerName;
use rustls::{NamedGroup, SupportedCipherSuite};
use std::sync::Arc;
use std::time::Instant;

/// Each wrapped suite's TLS version and IANA name, numbered from 1.
static SUITES: OnceCell<Vec<(&'static str, &'static str)>> = OnceCell::new();

/// The TLS version and cipher suite name of suite number `n` (0 = none).
pub(crate) fn suite(n: u8) -> Option<(&'static str, &'static str)> {
    SUITES.get()?.get(usize::from(n).checked_sub(1)?).copied()
}

fn note_suite(n: u8) {
    let _ = PROBE.try_with(|p| {
        p.phases.lock().unwrap_or_else(|e| e.into_inner()).tls_suite = Some(n);
    });
}

/// aws-lc-rs' default provider with every cipher suite's key derivation
/// wrapped; built once per process.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceCell<Arc<CryptoProvider>> = OnceCell::new();
    PROVIDER
        .get_or_init(|| {
            let mut provider = rustls::crypto::aws_lc_rs::default_provider();
            let mut names = Vec::new();
            // At most 15 suites have a number (the connection table keeps 4
            // bits); any beyond stay unwrapped and unnamed.
            provider.cipher_suites = provider
                .cipher_suites
                .iter()
                .map(|s| {
                    if names.len() >= 15 {
                        return *s;
                    }
                    let name = s.suite().as_str().unwrap_or("unknown");
                    match s {
                        SupportedCipherSuite::Tls13(t) => {
                            names.push(("TLSv1.3", name));
                            let hook: &'static HkdfHook = Box::leak(Box::new(HkdfHook {
                                inner: t.hkdf_provider,
                                suite: names.len() as u8,
                            }));
                            let suite = rustls::Tls13CipherSuite {
                                common: common(&t.common),
                                hkdf_provider: hook,
                                aead_alg: t.aead_alg,
                                quic: t.quic,
                            };
                            SupportedCipherSuite::Tls13(Box::leak(Box::new(suite)))
                        }
                        SupportedCipherSuite::Tls12(t) => {
                            names.push(("TLSv1.2", name));
                            let hook: &'static PrfHook = Box::leak(Box::new(PrfHook {
                                inner: t.prf_provider,
                                suite: names.len() as u8,
                            }));
                            let suite = rustls::Tls12CipherSuite {
                                common: common(&t.common),
                                prf_provider: hook,
                                kx: t.kx,
                                sign: t.sign,
                                aead_alg: t.aead_alg,
                            };
                            SupportedCipherSuite::Tls12(Box::leak(Box::new(suite)))
                        }
                    }
                })
                .collect();
            let _ = SUITES.set(names);
            Arc::new(provider)
        })
        .clone()
}

/// Session resumption as rustls does it by default (an in-memory cache of
/// 256 servers), behind the store that notes the handshake's start.
pub(crate) fn resumption() -> rustls::client::Resumption {
    rustls::client::Resumption::store(Arc::new(NotingStore(ClientSessionMemoryCache::new(256))))
}

#[derive(Debug)]
struct NotingStore(ClientSessionMemoryCache);

impl ClientSessionStore for NotingStore {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.0.set_kx_hint(server_name, group)
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        // Asked once per handshake, while the ClientHello is built.
        let _ = PROBE.try_with(|p| {
            p.phases.lock().unwrap_or_else(|e| e.into_inner()).tls_start = Some(Instant::now());
        });
        self.0.kx_hint(server_name)
    }

    fn set_tls12_session(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls12ClientSessionValue,
    ) {
        self.0.set_tls12_session(server_name, value)
    }

    fn tls12_session(
        &self,
        server_name: &ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.0.tls12_session(server_name)
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.0.remove_tls12_session(server_name)
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls13ClientSessionValue,
    ) {
        self.0.insert_tls13_ticket(server_name, value)
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.0.take_tls13_ticket(server_name)
    }
}

fn common(c: &rustls::CipherSuiteCommon) -> rustls::CipherSuiteCommon {
    rustls::CipherSuiteCommon {
        suite: c.suite,
        hash_provider: c.hash_provider,
        confidentiality_limit: c.confidentiality_limit,
    }
}

struct HkdfHook {
    inner: &'static dyn rustls::crypto::tls13::Hkdf,
    suite: u8,
}

impl rustls::crypto::tls13::Hkdf for HkdfHook {
    fn extract_from_zero_ikm(
        &self,
        salt: Option<&[u8]>,
    ) -> Box<dyn rustls::crypto::tls13::HkdfExpander> {
        self.inner.extract_from_zero_ikm(salt)
    }

    fn extract_from_secret(
        &self,
        salt: Option<&[u8]>,
        secret: &[u8],
    ) -> Box<dyn rustls::crypto::tls13::HkdfExpander> {
        // The handshake secret from the key exchange, with the suite the
        // server chose (a resumption's binder before it, with the ticket's).
        note_suite(self.suite);
        self.inner.extract_from_secret(salt, secret)
    }

    fn extract_from_kx_shared_secret(
        &self,
        salt: Option<&[u8]>,
        kx: Box<dyn ActiveKeyExchange>,
        peer_pub_key: &[u8],
    ) -> Result<Box<dyn rustls::crypto::tls13::HkdfExpander>, rustls::Error> {
        note_suite(self.suite);
        self.inner
            .extract_from_kx_shared_secret(salt, kx, peer_pub_key)
    }

    fn expander_for_okm(
        &self,
        okm: &rustls::crypto::tls13::OkmBlock,
    ) -> Box<dyn rustls::crypto::tls13::HkdfExpander> {
        self.inner.expander_for_okm(okm)
    }

    fn hmac_sign(
        &self,
        key: &rustls::crypto::tls13::OkmBlock,
        message: &[u8],
    ) -> rustls::crypto::hmac::Tag {
        self.inner.hmac_sign(key, message)
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

struct PrfHook {
    inner: &'static dyn rustls::crypto::tls12::Prf,
    suite: u8,
}

impl rustls::crypto::tls12::Prf for PrfHook {
    fn for_key_exchange(
        &self,
        output: &mut [u8; 48],
        kx: Box<dyn ActiveKeyExchange>,
        peer_pub_key: &[u8],
        label: &[u8],
        seed: &[u8],
    ) -> Result<(), rustls::Error> {
        // The master secret, derived with the suite the server chose.
        note_suite(self.suite);
        self.inner
            .for_key_exchange(output, kx, peer_pub_key, label, seed)
    }

    fn for_secret(&self, output: &mut [u8], secret: &[u8], label: &[u8], seed: &[u8]) {
        self.inner.for_secret(output, secret, label, seed)
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}
