//! DANE for SMTP (RFC 7672 over RFC 7671): which TLSA records at `_25._tcp.<mx host>` a
//! sender may use, and whether the certificate chain the MX host presented matches one.
//! Pure: the driver reports the chain's digests, the resolver's DNSSEC verdicts come in
//! the answers.

use crate::dns::{DnsAnswer, TlsaRecord};
use crate::dnssec::{self, DnssecStatus};
use crate::report::{TlsProbe, TlsStatus};
use serde::{Deserialize, Serialize};

/// One certificate of the chain a server presented, by its digests (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChainCert {
    pub subject: String,
    /// SHA-256 and SHA-512 of the whole certificate (selector 0).
    pub sha256: String,
    pub sha512: String,
    /// SHA-256 and SHA-512 of its SubjectPublicKeyInfo (selector 1).
    pub spki_sha256: String,
    pub spki_sha512: String,
}

/// What DANE decides for one MX host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum DaneStatus {
    /// No TLSA records: senders use DANE only where they are published.
    None,
    /// A usable, validated record matches the presented chain.
    Ok,
    /// Usable, validated records exist and none matches: DANE senders do not deliver here.
    Mismatch,
    /// Every record is unusable for SMTP: DANE senders require TLS but do not authenticate.
    Unusable,
    /// Records exist but are not DNSSEC-validated (or the way to them is not): senders
    /// ignore them.
    Insecure,
    /// The TLSA look-up (or the way to it) fails DNSSEC validation: DANE senders defer.
    Bogus,
}

impl DaneStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DaneStatus::None => "none",
            DaneStatus::Ok => "ok",
            DaneStatus::Mismatch => "mismatch",
            DaneStatus::Unusable => "unusable",
            DaneStatus::Insecure => "insecure",
            DaneStatus::Bogus => "bogus",
        }
    }
}

/// A record that matched a certificate of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DaneMatch {
    /// The record in presentation form ("3 1 1 …").
    pub record: String,
    /// The certificate's place in the chain: 0 is the server's own.
    pub certificate: u32,
    pub subject: String,
}

/// DANE for one MX host, as the report carries it (`mx[].dane`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Dane {
    pub tlsa: Vec<TlsaRecord>,
    /// The DNSSEC status of the TLSA look-up.
    pub dnssec: DnssecStatus,
    /// `None` while the look-up or the probe runs, or when the tester could not see enough
    /// to decide (a resolver that does not validate, a probe that did not connect).
    pub status: Option<DaneStatus>,
    pub matched: Vec<DaneMatch>,
    /// Why nothing matched, when the status is `mismatch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<Mismatch>,
}

/// Why a usable record set matched nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Mismatch {
    /// The host presented no certificate (no STARTTLS, a failed handshake).
    NoCertificate,
    /// No record's digest is that of a certificate in the chain.
    NoRecordMatches,
    /// A DANE-TA record matched, but the server's certificate does not name the host
    /// (RFC 7672 §3.2.2).
    TrustAnchorNameMismatch,
    /// A DANE-TA record matched, but the server's certificate has expired (RFC 7672
    /// §3.1.2 keeps the validity check for DANE-TA).
    TrustAnchorExpired,
}

/// Why a TLSA record cannot be used by an SMTP client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// PKIX-TA(0) or PKIX-EE(1): not for SMTP (RFC 7672 §3.1.3).
    PkixUsage,
    UnknownUsage,
    UnknownSelector,
    UnknownMatchingType,
    /// The data is not hex, or not the length of its digest.
    BadData,
}

/// Why `record` cannot be used for SMTP, or `None` when it can (RFC 7671 §4.1, RFC 7672
/// §3.1).
pub fn unusable(record: &TlsaRecord) -> Option<Unusable> {
    match record.usage {
        0 | 1 => return Some(Unusable::PkixUsage),
        2 | 3 => {}
        _ => return Some(Unusable::UnknownUsage),
    }
    if record.selector > 1 {
        return Some(Unusable::UnknownSelector);
    }
    let Some(data) = crate::hex::decode(&record.data) else {
        return Some(Unusable::BadData);
    };
    match (record.matching_type, data.len()) {
        (0, n) if n > 0 => None,
        (1, 32) | (2, 64) => None,
        (0..=2, _) => Some(Unusable::BadData),
        _ => Some(Unusable::UnknownMatchingType),
    }
}

/// True when `record` (usable) names `cert`.
fn names(record: &TlsaRecord, cert: &ChainCert) -> bool {
    let data = record.data.to_ascii_lowercase();
    let (sha256, sha512) = match record.selector {
        0 => (&cert.sha256, &cert.sha512),
        _ => (&cert.spki_sha256, &cert.spki_sha512),
    };
    match record.matching_type {
        1 => &data == sha256,
        2 => &data == sha512,
        // Full data: equal bytes have equal digests, so the chain's digests suffice.
        _ => crate::hex::decode(&data).is_some_and(|bytes| &crate::hex::sha256(&bytes) == sha256),
    }
}

/// The probe statuses after which no certificate was seen for reasons on the tester's
/// side: DANE cannot be judged then.
fn tester_side(status: TlsStatus) -> bool {
    matches!(
        status,
        TlsStatus::ConnectTimeout
            | TlsStatus::Timeout
            | TlsStatus::ResolverFailed
            | TlsStatus::Unchecked
            | TlsStatus::RateLimited
    )
}

/// What DANE needs to judge one MX host.
pub struct DaneInput<'a> {
    pub host: &'a str,
    pub tlsa: &'a DnsAnswer,
    /// Whether the check's resolver is known to validate.
    pub validating: bool,
    /// The weakest status of the look-ups that lead to the host (the MX look-up, the
    /// host's addresses): senders use DANE only when they are secure (RFC 7672 §2.2).
    pub path: DnssecStatus,
    /// `None` while the probe runs.
    pub probe: Option<&'a TlsProbe>,
}

/// DANE for one host.
pub fn judge(input: &DaneInput<'_>) -> Dane {
    let dnssec = dnssec::status(input.tlsa, input.validating);
    let mut dane = Dane {
        tlsa: input.tlsa.tlsa.clone(),
        dnssec,
        status: None,
        matched: Vec::new(),
        mismatch: None,
    };
    dane.status = decide(input, &mut dane);
    dane
}

fn decide(input: &DaneInput<'_>, dane: &mut Dane) -> Option<DaneStatus> {
    if dane.dnssec == DnssecStatus::Bogus || input.path == DnssecStatus::Bogus {
        return Some(DaneStatus::Bogus);
    }
    if !input.tlsa.outcome.resolved() {
        return None;
    }
    if dane.tlsa.is_empty() {
        return Some(DaneStatus::None);
    }
    match (dane.dnssec, input.path) {
        (DnssecStatus::Insecure, _) | (_, DnssecStatus::Insecure) => {
            return Some(DaneStatus::Insecure)
        }
        (DnssecStatus::Unknown, _) | (_, DnssecStatus::Unknown) => return None,
        _ => {}
    }
    let usable: Vec<&TlsaRecord> = dane.tlsa.iter().filter(|r| unusable(r).is_none()).collect();
    if usable.is_empty() {
        return Some(DaneStatus::Unusable);
    }
    let probe = input.probe?;
    if probe.chain.is_empty() {
        if tester_side(probe.status) {
            return None;
        }
        dane.mismatch = Some(Mismatch::NoCertificate);
        return Some(DaneStatus::Mismatch);
    }
    let leaf_names_host = probe.cert.as_ref().is_some_and(|c| {
        crate::pattern::find_match(input.host, c.sans.iter().map(String::as_str)).is_some()
    });
    let leaf_expired = probe.cert.as_ref().is_some_and(|c| c.days_left < 0)
        || probe.status == TlsStatus::CertificateExpired;
    let mut why = Mismatch::NoRecordMatches;
    for record in usable {
        // DANE-EE names the server's own certificate; DANE-TA one that issued it.
        let (from, to) = if record.usage == 3 {
            (0, 1)
        } else {
            (1, probe.chain.len())
        };
        for (depth, cert) in probe.chain.iter().enumerate().take(to).skip(from) {
            if !names(record, cert) {
                continue;
            }
            if record.usage == 2 && !leaf_names_host {
                why = Mismatch::TrustAnchorNameMismatch;
                continue;
            }
            if record.usage == 2 && leaf_expired {
                why = Mismatch::TrustAnchorExpired;
                continue;
            }
            dane.matched.push(DaneMatch {
                record: record.to_string(),
                certificate: depth as u32,
                subject: cert.subject.clone(),
            });
        }
    }
    if dane.matched.is_empty() {
        dane.mismatch = Some(why);
        Some(DaneStatus::Mismatch)
    } else {
        Some(DaneStatus::Ok)
    }
}
