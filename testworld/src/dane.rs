//! TLSA records for the world's MX hosts, computed from the certificate each presents.

use crate::ca::Issued;
use crate::scenarios::TlsaSpec;
use sha2::{Digest, Sha256};

fn spki(der: &[u8]) -> Vec<u8> {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, c)| c.tbs_certificate.subject_pki.raw.to_vec())
        .expect("the world's certificates parse")
}

/// A public key no server of the world uses (the one before a renewal, or after it).
fn other_key() -> Vec<u8> {
    use rcgen::PublicKeyData as _;
    rcgen::KeyPair::generate()
        .expect("a key")
        .subject_public_key_info()
}

/// The record `spec` stands for: usage, selector, matching type, data.
pub fn tlsa(spec: TlsaSpec, issued: &Issued) -> (u8, u8, u8, Vec<u8>) {
    let leaf = issued.chain[0].as_ref();
    let sha = |b: &[u8]| Sha256::digest(b).to_vec();
    match spec {
        TlsaSpec::CurrentKey => (3, 1, 1, sha(&spki(leaf))),
        TlsaSpec::OldKey | TlsaSpec::NextKey => (3, 1, 1, sha(&other_key())),
        TlsaSpec::Intermediate => (
            2,
            0,
            1,
            sha(issued
                .chain
                .get(1)
                .expect("a leaf issued by the intermediate")
                .as_ref()),
        ),
        TlsaSpec::PkixEe => (1, 1, 1, sha(&spki(leaf))),
    }
}
