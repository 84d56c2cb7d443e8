//! Each result type of RFC 8460 §4.3 in plain words with its fix, and the tie from a reported
//! failure to what the live check shows for the same MX or policy today.

use crate::finding::{Finding, Severity};
use crate::report::Report;
use serde::Serialize;

/// Where a result type's cause lives, which decides what in a live check can show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// One MX host's SMTP or certificate.
    Mx,
    /// The MTA-STS policy or its host.
    Policy,
    /// DANE records or DNSSEC (RFC 7672), which this check does not test yet.
    Dane,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// One line for a heading.
    pub title: &'static str,
    pub meaning: &'static str,
    pub fix: &'static str,
    pub scope: Scope,
    pub rfc: &'static str,
}

/// The explanation of `result_type`; an unknown type gets a general one.
pub fn explain(result_type: &str) -> Explanation {
    let (title, meaning, fix, scope, rfc) = match result_type {
        "starttls-not-supported" => (
            "The MX did not offer STARTTLS",
            "The sender connected to your MX and found no STARTTLS in its EHLO reply, or STARTTLS was refused, so no encrypted session could be set up. Under an enforcing policy the sender does not deliver; under testing it delivers in the clear and reports it.",
            "Enable STARTTLS on the MX (Postfix: smtpd_tls_security_level = may with a certificate and key; Exchange: a receive connector with TLS). Check from outside: a firewall or an \"SMTP fixup\" box in front of the MX can strip STARTTLS.",
            Scope::Mx,
            "RFC 8460 §4.3.1",
        ),
        "certificate-host-mismatch" => (
            "The MX's certificate does not name the MX, or the MX is not in the policy",
            "The certificate the MX presented does not carry its host name in the subject alternative names, or the MX host is not matched by any mx: line of your MTA-STS policy. Either way the sender could not verify it is talking to your MX.",
            "Put the MX host name in the certificate's subject alternative names (the name in the MX record, not the domain), and list every MX host, or a wildcard that covers it, in the policy's mx: lines.",
            Scope::Mx,
            "RFC 8460 §4.3.1",
        ),
        "certificate-expired" => (
            "The MX's certificate had expired",
            "The certificate the MX presented was past its end date when the sender connected.",
            "Renew the certificate and make the mail server load it (a reload after renewal is often forgotten: Postfix and Dovecot keep the old file open until reloaded). Automate renewal and the reload.",
            Scope::Mx,
            "RFC 8460 §4.3.1",
        ),
        "certificate-not-trusted" => (
            "The MX's certificate is not trusted",
            "The sender could not build a chain from the certificate to a CA it trusts: a self-signed or private-CA certificate, a missing intermediate certificate, or a broken chain. The failure-reason-code usually says which.",
            "Use a certificate from a public CA and serve the full chain (the leaf and its intermediates: in Postfix, smtpd_tls_chain_files or a fullchain file as smtpd_tls_cert_file).",
            Scope::Mx,
            "RFC 8460 §4.3.1",
        ),
        "validation-failure" => (
            "TLS failed for another reason",
            "A general failure the sender could not put in another category: a handshake that failed, a protocol version or cipher the sender refuses, or a certificate problem it did not name. The failure-reason-code says more.",
            "Read the failure-reason-code and compare with the TLS step of the live check; allow TLS 1.2 and 1.3 with current ciphers.",
            Scope::Mx,
            "RFC 8460 §4.3.1",
        ),
        "sts-policy-fetch-error" => (
            "The sender could not fetch your MTA-STS policy",
            "The sender found your _mta-sts TXT record but could not download https://mta-sts.<domain>/.well-known/mta-sts.txt: the host did not resolve or answer, or it answered with an error status, a redirect or the wrong content type.",
            "Serve the policy over HTTPS at mta-sts.<your domain> with status 200 and Content-Type text/plain, no redirect. Keep that host up: senders fetch it whenever the TXT id changes or their cached copy expires.",
            Scope::Policy,
            "RFC 8460 §4.3.2.2",
        ),
        "sts-policy-invalid" => (
            "Your MTA-STS policy did not parse",
            "The sender fetched the policy but it breaks the RFC 8461 grammar (a missing or bad version, mode, mx or max_age line), so the sender could not use it.",
            "Fix the policy file as the validation step of the live check shows, then publish a new id in the _mta-sts TXT record so that senders fetch it again.",
            Scope::Policy,
            "RFC 8460 §4.3.2.2",
        ),
        "sts-webpki-invalid" => (
            "The policy host's HTTPS certificate did not verify",
            "The certificate of mta-sts.<domain> is expired, not trusted, or does not name that host, so the sender could not trust the policy it served.",
            "Give mta-sts.<your domain> a certificate from a public CA that names exactly that host (many web hosts serve a certificate for the bare domain only), with the full chain.",
            Scope::Policy,
            "RFC 8460 §4.3.2.2",
        ),
        "tlsa-invalid" => (
            "No TLSA record matched (DANE)",
            "The sender uses DANE and found TLSA records for the MX, but none of them matched the certificate the MX presented. This is the classic result of a certificate renewed with a new key before the TLSA record was updated.",
            "Publish a TLSA record for the key the MX uses now (\"3 1 1\" with the SHA-256 of its public key), and before the next key change publish the next key's record alongside it.",
            Scope::Dane,
            "RFC 8460 §4.3.2.1",
        ),
        "dnssec-invalid" => (
            "DNSSEC validation failed (DANE)",
            "The sender's resolver could not validate the DNSSEC signatures of your records, so it treated them as bogus. Expired signatures or a DS record that no longer matches the zone's key are the usual causes.",
            "Check the zone's DNSSEC chain (signatures not expired, the DS at the parent matching the KSK); re-sign the zone.",
            Scope::Dane,
            "RFC 8460 §4.3.2.1",
        ),
        "dane-required" => (
            "The sender requires DANE and found no TLSA records",
            "The sender is configured to require DANE for your domain (by agreement with you) but found no DNSSEC-validated TLSA records for the MX.",
            "Sign the MX host's zone with DNSSEC and publish TLSA records at _25._tcp.<mx host>, or ask the sender to drop the requirement.",
            Scope::Dane,
            "RFC 8460 §4.3.2.1",
        ),
        _ => (
            "A result type RFC 8460 does not define",
            "The reporter used a result type outside RFC 8460 §4.3; its failure-reason-code and additional-information fields may explain it.",
            "Compare the failure-reason-code with the live check's TLS step, or ask the reporter (contact-info) what it means.",
            Scope::Unknown,
            "RFC 8460 §4.3",
        ),
    };
    Explanation {
        title,
        meaning,
        fix,
        scope,
        rfc,
    }
}

/// A finding of a live check that shows the same failure a report describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveMatch {
    /// The MX the finding is about; `None` for a policy finding.
    pub mx: Option<String>,
    pub finding: Finding,
}

/// The finding in `live` (a finished check of the report's policy domain) that shows the
/// failure `result_type` on `mx` today, if any. `None` means the live check does not see it
/// now: fixed since, intermittent, or visible only from the sender's network.
pub fn correlate(result_type: &str, mx: Option<&str>, live: &Report) -> Option<LiveMatch> {
    match explain(result_type).scope {
        Scope::Mx => {
            let same = |host: &str| {
                mx.is_none_or(|m| {
                    host.trim_end_matches('.')
                        .eq_ignore_ascii_case(m.trim_end_matches('.'))
                })
            };
            live.mx
                .iter()
                .filter(|m| same(&m.host))
                .filter(|m| m.tlsrpt_result.is_some_and(|t| t.as_str() == result_type))
                .find_map(|m| {
                    serious(&m.findings).map(|f| LiveMatch {
                        mx: Some(m.host.clone()),
                        finding: f.clone(),
                    })
                })
        }
        Scope::Policy => {
            let wanted = |code: &str| match result_type {
                "sts-policy-fetch-error" => {
                    code.starts_with("policy.fetch.")
                        || code == "policy.host.unresolvable"
                        || code == "policy.content_type"
                }
                "sts-webpki-invalid" => code.starts_with("policy.tls."),
                _ => {
                    code.starts_with("policy.")
                        && !code.starts_with("policy.fetch.")
                        && !code.starts_with("policy.tls.")
                        && code != "policy.host.unresolvable"
                        && code != "policy.content_type"
                }
            };
            live.policy
                .findings
                .iter()
                .find(|f| f.severity == Severity::Error && !f.tolerated && wanted(&f.code))
                .map(|f| LiveMatch {
                    mx: None,
                    finding: f.clone(),
                })
        }
        Scope::Dane | Scope::Unknown => None,
    }
}

fn serious(findings: &[Finding]) -> Option<&Finding> {
    findings
        .iter()
        .find(|f| f.severity == Severity::Error)
        .or_else(|| findings.iter().find(|f| f.severity == Severity::Warning))
}
