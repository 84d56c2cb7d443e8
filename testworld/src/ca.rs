//! A throwaway certificate authority: a root, an intermediate, and leaf certificates that
//! are good or wrong in exactly one way each.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// How a leaf certificate is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaf {
    /// Issued by the intermediate for the right names; the chain includes the intermediate.
    Good,
    Expired,
    NotYetValid,
    /// Valid, but for these other names.
    WrongName(Vec<String>),
    SelfSigned,
    /// Issued by the intermediate, but the server sends the leaf alone.
    ChainIncomplete,
}

pub struct Ca {
    root: CertifiedIssuer<'static, KeyPair>,
    intermediate: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate chain and its key, ready for a rustls server.
pub struct Issued {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

fn dn(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, "mtasts test world");
    dn
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.distinguished_name = dn(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(30);
    params.not_after = now + Duration::days(3650);
    params
}

impl Ca {
    pub fn new() -> Ca {
        let root = CertifiedIssuer::self_signed(
            ca_params("mtasts test root CA"),
            KeyPair::generate().expect("key"),
        )
        .expect("root");
        let intermediate = CertifiedIssuer::signed_by(
            ca_params("mtasts test intermediate CA"),
            KeyPair::generate().expect("key"),
            &root,
        )
        .expect("intermediate");
        Ca { root, intermediate }
    }

    /// The root in PEM, the file given to `--ca`.
    pub fn root_pem(&self) -> String {
        self.root.pem()
    }

    pub fn root_der(&self) -> CertificateDer<'static> {
        self.root.der().clone()
    }

    /// A leaf for `names` (DNS names or IP addresses), made as `kind` says.
    pub fn issue(&self, names: &[&str], kind: &Leaf) -> Issued {
        let names: Vec<String> = match kind {
            Leaf::WrongName(other) => other.clone(),
            _ => names.iter().map(|s| s.to_string()).collect(),
        };
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params.subject_alt_names = names
            .iter()
            .map(|n| match n.parse::<std::net::IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName(n.as_str().try_into().expect("a DNS name")),
            })
            .collect();
        params.distinguished_name = dn(names.first().map_or("leaf", String::as_str));
        params.use_authority_key_identifier_extension = true;
        let now = OffsetDateTime::now_utc();
        (params.not_before, params.not_after) = match kind {
            Leaf::Expired => (now - Duration::days(100), now - Duration::days(10)),
            Leaf::NotYetValid => (now + Duration::days(10), now + Duration::days(100)),
            _ => (now - Duration::days(1), now + Duration::days(90)),
        };
        let key = KeyPair::generate().expect("key");
        let (leaf, chain_rest): (CertificateDer<'static>, Vec<CertificateDer<'static>>) = match kind
        {
            Leaf::SelfSigned => (
                params.self_signed(&key).expect("self-signed").der().clone(),
                vec![],
            ),
            Leaf::ChainIncomplete => (
                params
                    .signed_by(&key, &self.intermediate)
                    .expect("leaf")
                    .der()
                    .clone(),
                vec![],
            ),
            _ => (
                params
                    .signed_by(&key, &self.intermediate)
                    .expect("leaf")
                    .der()
                    .clone(),
                vec![self.intermediate.der().clone()],
            ),
        };
        let mut chain = vec![leaf];
        chain.extend(chain_rest);
        Issued {
            chain,
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }

    pub fn server_config(
        &self,
        names: &[&str],
        kind: &Leaf,
    ) -> std::sync::Arc<rustls::ServerConfig> {
        Self::config(self.issue(names, kind))
    }

    /// A rustls server presenting `issued`.
    pub fn config(issued: Issued) -> std::sync::Arc<rustls::ServerConfig> {
        let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(issued.chain, issued.key)
        .expect("a usable certificate");
        std::sync::Arc::new(config)
    }
}

impl Default for Ca {
    fn default() -> Self {
        Ca::new()
    }
}
