//! TLS client set-up: the trust anchors (public roots plus `--ca` files), a strict
//! configuration for DNS-over-HTTPS, and a recording one for the policy host and MX probes
//! that finishes the handshake whatever the certificate, so the report can say exactly what
//! is wrong with it (expired, wrong name, untrusted, incomplete chain) instead of failing.

use mtasts_core::report::Certificate;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The public web PKI roots and any extra anchors.
#[derive(Clone)]
pub struct Trust {
    roots: Arc<RootCertStore>,
}

impl Trust {
    pub fn new(extra_ca_files: &[impl AsRef<Path>]) -> Result<Trust, String> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for file in extra_ca_files {
            let file = file.as_ref();
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{} is not a PEM certificate file: {e}", file.display()))?;
            if certs.is_empty() {
                return Err(format!("{} holds no certificate", file.display()));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            }
        }
        Ok(Trust {
            roots: Arc::new(roots),
        })
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// Verifies certificates and fails the handshake on any problem (for DoH).
    pub fn strict(&self) -> Arc<ClientConfig> {
        let config = ClientConfig::builder_with_provider(Self::provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default versions")
            .with_root_certificates(self.roots.clone())
            .with_no_client_auth();
        Arc::new(config)
    }

    /// Verifies certificates but lets the handshake finish, recording the verdict.
    pub fn recording(&self) -> (Arc<ClientConfig>, Arc<Recorder>) {
        let inner =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), Self::provider())
                .build()
                .expect("the root store is not empty");
        let recorder = Arc::new(Recorder {
            inner,
            verdict: Mutex::new(None),
        });
        let config = ClientConfig::builder_with_provider(Self::provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default versions")
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        (Arc::new(config), recorder)
    }
}

/// What was wrong with a server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertProblem {
    Expired,
    NotYetValid,
    HostMismatch,
    NotTrusted,
    ChainIncomplete,
}

/// Records the web PKI verdict on the server's chain and accepts it.
#[derive(Debug)]
pub struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    verdict: Mutex<Option<Result<(), (CertProblem, String)>>>,
}

impl Recorder {
    /// `None` before the certificate was seen; `Some(Ok(()))` when it is valid.
    pub fn verdict(&self) -> Option<Result<(), (CertProblem, String)>> {
        self.verdict.lock().map(|v| v.clone()).unwrap_or(None)
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            .map(|_| ())
            .map_err(|e| (classify(&e, end_entity, intermediates.len()), e.to_string()));
        if let Ok(mut slot) = self.verdict.lock() {
            *slot = Some(result);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Maps a rustls verdict to the report's vocabulary. An unknown issuer with a lone leaf
/// that is not self-signed means the server left out the intermediate.
fn classify(err: &rustls::Error, leaf: &CertificateDer<'_>, intermediates: usize) -> CertProblem {
    match err {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertProblem::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CertProblem::HostMismatch
            }
            CertificateError::UnknownIssuer if intermediates == 0 && !self_signed(leaf) => {
                CertProblem::ChainIncomplete
            }
            _ => CertProblem::NotTrusted,
        },
        _ => CertProblem::NotTrusted,
    }
}

fn self_signed(der: &CertificateDer<'_>) -> bool {
    x509_parser::parse_x509_certificate(der.as_ref())
        .map(|(_, c)| c.subject() == c.issuer())
        .unwrap_or(false)
}

/// The report's view of a chain: the leaf's names and dates, and how many were sent.
pub fn describe(chain: &[CertificateDer<'_>], now_unix: i64) -> Option<Certificate> {
    let leaf = chain.first()?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).ok()?;
    let sans = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => Some(d.to_string()),
                    x509_parser::extensions::GeneralName::IPAddress(ip) => {
                        Some(format!("IP:{}", hex_ip(ip)))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let rfc3339 = |t: x509_parser::time::ASN1Time| {
        t.to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| t.to_string())
    };
    let not_after = cert.validity().not_after.timestamp();
    Some(Certificate {
        subject: cert.subject().to_string(),
        sans,
        issuer: cert.issuer().to_string(),
        not_before: rfc3339(cert.validity().not_before),
        not_after: rfc3339(cert.validity().not_after),
        days_left: (not_after - now_unix).div_euclid(86_400),
        chain_len: chain.len() as u32,
    })
}

/// Each certificate's digests, whole and of its public key, as DANE compares them (RFC
/// 6698 §2.1.2, §2.1.3). A certificate that does not parse gets its whole-certificate
/// digests only.
pub fn digests(chain: &[CertificateDer<'_>]) -> Vec<mtasts_core::dane::ChainCert> {
    use mtasts_core::hex::encode as hex;
    use sha2::{Digest, Sha256, Sha512};
    chain
        .iter()
        .map(|der| {
            let parsed = x509_parser::parse_x509_certificate(der.as_ref()).ok();
            let spki = parsed
                .as_ref()
                .map(|(_, c)| c.tbs_certificate.subject_pki.raw)
                .unwrap_or_default();
            let (spki_sha256, spki_sha512) = if spki.is_empty() {
                (String::new(), String::new())
            } else {
                (hex(&Sha256::digest(spki)), hex(&Sha512::digest(spki)))
            };
            mtasts_core::dane::ChainCert {
                subject: parsed
                    .as_ref()
                    .map(|(_, c)| c.subject().to_string())
                    .unwrap_or_default(),
                sha256: hex(&Sha256::digest(der.as_ref())),
                sha512: hex(&Sha512::digest(der.as_ref())),
                spki_sha256,
                spki_sha512,
            }
        })
        .collect()
}

fn hex_ip(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => <[u8; 16]>::try_from(bytes)
            .map(|b| std::net::Ipv6Addr::from(b).to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// True when a handshake failed because the server offers no protocol version we speak
/// (TLS 1.2 and 1.3 only): the typed rustls error inside tokio-rustls's I/O error.
pub fn is_version_mismatch(e: &std::io::Error) -> bool {
    use rustls::{AlertDescription, PeerIncompatible};
    let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) else {
        return false;
    };
    matches!(
        inner,
        rustls::Error::AlertReceived(AlertDescription::ProtocolVersion)
            | rustls::Error::PeerIncompatible(
                PeerIncompatible::Tls12NotOffered
                    | PeerIncompatible::Tls12NotOfferedOrEnabled
                    | PeerIncompatible::Tls13RequiredForQuic
                    | PeerIncompatible::SupportedVersionsExtensionRequired
            )
            | rustls::Error::InvalidMessage(rustls::InvalidMessage::UnknownProtocolVersion)
    )
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
