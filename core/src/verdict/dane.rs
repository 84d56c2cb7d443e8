//! DNSSEC per look-up and DANE per MX host, judged from the answers: the statuses the
//! report carries and the findings with their fixes.

use super::text;
use crate::answers::{Answers, MxSet};
use crate::dane::{self, Dane, DaneInput, DaneStatus, Mismatch, Unusable};
use crate::dns::DnsAnswer;
use crate::dnssec::{self, DnssecStatus};
use crate::finding::Finding;
use crate::report::TlsProbe;
use crate::rules;

/// What DANE adds to one MX host's report.
pub(super) struct HostDane {
    pub address_dnssec: Option<DnssecStatus>,
    pub dane: Option<Dane>,
    pub findings: Vec<Finding>,
}

/// The DNSSEC status of the MX look-up, `None` until answered.
pub(super) fn mx_status(a: &Answers, validating: bool) -> Option<DnssecStatus> {
    a.mx_answer.as_ref().map(|d| dnssec::status(d, validating))
}

fn addresses(a: &Answers, host: &str, validating: bool) -> Option<DnssecStatus> {
    let (v4, v6) = (a.host_a.get(host)?, a.host_aaaa.get(host)?);
    Some(DnssecStatus::combine(
        [v4, v6].map(|d| dnssec::status(d, validating)),
    ))
}

pub(super) fn host(a: &Answers, host: &str, probe: Option<&TlsProbe>) -> HostDane {
    let validating = a.resolver_validates();
    let address_dnssec = addresses(a, host, validating);
    let mut out = HostDane {
        address_dnssec,
        dane: None,
        findings: Vec::new(),
    };
    let Some(tlsa) = a.tlsa.get(host) else {
        return out;
    };
    // The host name must come from a secure MX look-up (RFC 7672 §2.2.1); the implicit MX
    // rests on the secure denial of the MX records, the same answer.
    let mx = match &a.mx {
        Some(MxSet::Failed(_)) | None => DnssecStatus::Unknown,
        Some(_) => mx_status(a, validating).unwrap_or(DnssecStatus::Unknown),
    };
    let path = DnssecStatus::combine([mx, address_dnssec.unwrap_or(DnssecStatus::Unknown)]);
    let judged = dane::judge(&DaneInput {
        host,
        tlsa,
        validating,
        path,
        probe,
    });
    out.findings = findings(host, tlsa, &judged, probe, path);
    out.dane = Some(judged);
    out
}

fn tlsa_name(host: &str) -> String {
    format!("_25._tcp.{host}")
}

const ROLLOVER: &str = "Keep a \"3 1 1\" record for the key in use and one for the next key, and publish the new record at least two TTLs before the new key goes live.";

fn findings(
    host: &str,
    tlsa: &DnsAnswer,
    judged: &Dane,
    probe: Option<&TlsProbe>,
    path: DnssecStatus,
) -> Vec<Finding> {
    let name = tlsa_name(host);
    let mut out = Vec::new();
    let secure = judged.dnssec == DnssecStatus::Secure && path == DnssecStatus::Secure;
    if secure {
        for r in &judged.tlsa {
            match dane::unusable(r) {
                Some(Unusable::PkixUsage) => out.push(
                    rules::MX_DANE_PKIX_USAGE
                        .finding(format!("The TLSA record \"{r}\" at {name} has usage {} (PKIX-{}), which SMTP senders do not use: mail servers have no list of trusted CAs to check it against.", r.usage, if r.usage == 0 { "TA" } else { "EE" }))
                        .fix("Publish usage 3 (DANE-EE) or 2 (DANE-TA) records instead, such as \"3 1 1\" with the SHA-256 of the server's public key."),
                ),
                Some(other) => out.push(
                    rules::MX_DANE_RECORD_UNUSABLE
                        .finding(format!("The TLSA record \"{r}\" at {name} cannot be used: {}.", match other {
                            Unusable::UnknownUsage => "its usage is not 2 or 3",
                            Unusable::UnknownSelector => "its selector is not 0 or 1",
                            Unusable::UnknownMatchingType => "its matching type is not 0, 1 or 2",
                            _ => "its data is not the hex of a digest of the right length",
                        }))
                        .fix("Correct or remove it; senders skip it."),
                ),
                None => {}
            }
        }
    }
    let server_key = probe
        .and_then(|p| p.chain.first())
        .map(|c| format!("\"{name}. IN TLSA 3 1 1 {}\"", c.spki_sha256));
    match judged.status {
        Some(DaneStatus::Mismatch) => {
            let (rule, why) = match judged.mismatch {
                Some(Mismatch::NoCertificate) => (
                    rules::MX_DANE_NO_STARTTLS,
                    format!("{host} publishes TLSA records but showed no certificate{}", probe.and_then(|p| p.error.as_deref()).map(|e| format!(" ({})", text::clause(e))).unwrap_or_default()),
                ),
                Some(Mismatch::TrustAnchorNameMismatch) => (
                    rules::MX_DANE_MISMATCH,
                    format!("A DANE-TA record at {name} matches the issuer, but the certificate of {host} does not name {host}"),
                ),
                Some(Mismatch::TrustAnchorExpired) => (
                    rules::MX_DANE_MISMATCH,
                    format!("A DANE-TA record at {name} matches the issuer, but the certificate of {host} has expired"),
                ),
                _ => (
                    rules::MX_DANE_MISMATCH,
                    format!("No TLSA record at {name} matches the certificate chain {host} presents; this is what happens when a certificate is renewed with a new key before the TLSA records are updated"),
                ),
            };
            let fix = match (&server_key, judged.mismatch) {
                (_, Some(Mismatch::NoCertificate)) => "Enable STARTTLS, or remove the TLSA records if the host cannot offer TLS.".to_string(),
                (Some(record), _) => format!("Publish {record} for the key the server uses now (or put the previous key back). {ROLLOVER}"),
                (None, _) => format!("Publish a TLSA record for the key the server uses now. {ROLLOVER}"),
            };
            out.push(
                rule.finding(format!("{why}. DANE senders (Postfix, Exim and large providers that validate DNSSEC) do not deliver to it, whatever the MTA-STS policy says."))
                    .fix(fix),
            );
        }
        Some(DaneStatus::Bogus) => {
            let ede = tlsa
                .ede
                .as_ref()
                .map(|e| format!(" (the resolver says: {}{})", e.name(), if e.text.is_empty() { String::new() } else { format!(", {}", e.text) }))
                .unwrap_or_default();
            out.push(
                rules::MX_DANE_BOGUS
                    .finding(format!("The look-up of {name} or of {host} fails DNSSEC validation{ede}. Senders that validate DNSSEC cannot tell whether DANE applies, and defer mail to {host}."))
                    .fix("Fix the zone's signatures (expired RRSIGs, a DS record for a key that is gone) and check it with a DNSSEC debugger."),
            );
        }
        Some(DaneStatus::Unusable) => out.push(
            rules::MX_DANE_UNUSABLE
                .finding(format!("Every TLSA record at {name} is unusable for SMTP: DANE senders still require TLS to {host}, but do not authenticate it."))
                .fix(server_key.map(|r| format!("Publish {r}. {ROLLOVER}")).unwrap_or_else(|| "Publish a \"3 1 1\" record of the server's public key.".into())),
        ),
        Some(DaneStatus::Insecure) => out.push(
            rules::MX_DANE_INSECURE
                .finding(format!("{name} has TLSA records, but {} not DNSSEC-signed, so senders ignore them.", if judged.dnssec == DnssecStatus::Insecure { "they are" } else { "the way to them (the MX or address records) is" }))
                .fix("Sign the zones of the domain and of the MX host (and publish their DS records), or remove the TLSA records."),
        ),
        Some(DaneStatus::Ok) => {
            let keys = judged
                .tlsa
                .iter()
                .filter(|r| dane::unusable(r).is_none())
                .count();
            if keys < 2 {
                out.push(
                    rules::MX_DANE_SINGLE_KEY
                        .finding(format!("{name} has one usable TLSA record: the next key change breaks DANE delivery unless its record is published first."))
                        .fix(ROLLOVER),
                );
            }
        }
        None if tlsa.outcome == crate::dns::DnsOutcome::ServFail => out.push(
            rules::MX_DANE_LOOKUP_FAILED
                .finding(format!("The look-up of {name} failed (SERVFAIL). Senders that use DANE defer mail to {host} until it answers."))
                .fix("Make sure the name servers of the MX host's zone answer TLSA queries (a NODATA answer is fine)."),
        ),
        _ => {}
    }
    out
}

/// Findings about DNSSEC across the look-ups: a look-up that fails validation, and a
/// resolver that cannot tell.
pub(super) fn lookup_findings(a: &Answers) -> Vec<Finding> {
    let mut out = Vec::new();
    let looked_up = [
        (format!("_mta-sts.{}", a.domain), &a.txt),
        (a.domain.clone(), &a.mx_answer),
        (format!("_smtp._tls.{}", a.domain), &a.tlsrpt),
    ];
    for (name, answer) in looked_up {
        let Some(answer) = answer.as_ref().filter(|d| dnssec::failed_validation(d)) else {
            continue;
        };
        let ede = answer
            .ede
            .as_ref()
            .map(|e| e.name())
            .unwrap_or("DNSSEC Bogus");
        out.push(
            rules::DNSSEC_BOGUS
                .finding(format!("The look-up of {name} fails DNSSEC validation ({ede}): every validating resolver answers SERVFAIL, so most senders cannot see it."))
                .fix("Fix the zone's signatures or its DS record at the parent, then check it with a DNSSEC debugger."),
        );
    }
    let any_tlsa = a.tlsa.values().any(|d| !d.tlsa.is_empty());
    if a.complete && !a.resolver_validates() && any_tlsa {
        out.push(
            rules::CHECK_DNSSEC_NOT_VALIDATING
                .finding("The resolver this check used did not validate any answer, so it cannot tell signed from unsigned: the DANE records found were not judged.")
                .fix("Run the check with a validating resolver (Cloudflare, Google and Quad9 DoH validate)."),
        );
    }
    out
}
