//! The sender profiles, one row each. Every rule cites where it was read (repository, file,
//! version) or documented (URL). `evidence` becomes `measured` for a profile once
//! `cargo xtask interop` has compared it with the real sender on every scenario.

use super::Evidence::{Documented, Measured, Source};
use super::{Failure, NameCheck, Profile, SizeLimit, Testing, TwoRecords, Wildcard};

const KIB: usize = 1024;

/// No grammar error accepted.
const STRICT: &[&str] = &[];
/// Blank lines only: keys are not trimmed, so indentation loses the field.
const BLANK_LINES: &[&str] = &["policy.syntax.blank_line"];
/// Lines are trimmed and blank ones skipped.
const LENIENT: &[&str] = &[
    "policy.syntax.blank_line",
    "policy.syntax.indented",
    "policy.syntax.space_before_colon",
];

/// The strict reading of RFC 8461, the reference every other row is compared with.
const RFC8461: Profile = Profile {
    id: "rfc8461",
    name: "RFC 8461, strict reading",
    version: "",
    evidence: Documented,
    reference: "https://www.rfc-editor.org/rfc/rfc8461",
    id_checked: true,
    two_records: TwoRecords::NoPolicy,
    content_type_checked: true,
    size: SizeLimit::Reject(64 * KIB),
    tolerates: STRICT,
    none_needs_mx: false,
    wildcard: Wildcard::OneLabel,
    names: NameCheck::MxHost,
    testing: Testing::Validate,
    on_mismatch: Failure::Defer,
    on_bad_tls: Failure::Defer,
    on_bad_chain: Failure::Defer,
    next_mx_after_tls: true,
    dane: false,
    sts: true,
    plaintext_fallback: false,
};

/// A sender that has DANE and no MTA-STS: its MTA-STS rules are never read (`sts: false`),
/// so they are the RFC reading's.
const DANE_ONLY: Profile = Profile {
    dane: true,
    sts: false,
    ..RFC8461
};

pub const PROFILES: &[Profile] = &[
    RFC8461,
    Profile {
        id: "postfix-mta-sts-resolver",
        name: "Postfix with postfix-mta-sts-resolver",
        version: "1.5.1",
        evidence: Measured,
        reference: "Snawoot/postfix-mta-sts-resolver 1.5.1 (PyPI sdist) with Postfix 3.7.11",
        id_checked: false,
        two_records: TwoRecords::NoPolicy,
        content_type_checked: true,
        size: SizeLimit::Reject(64 * KIB),
        tolerates: BLANK_LINES,
        none_needs_mx: false,
        wildcard: Wildcard::AnyDepth,
        names: NameCheck::CertificateAgainstPatterns,
        testing: Testing::Ignore,
        on_mismatch: Failure::Defer,
        on_bad_tls: Failure::Defer,
        on_bad_chain: Failure::Defer,
        next_mx_after_tls: true,
        dane: false,
        sts: true,
        plaintext_fallback: false,
    },
    Profile {
        id: "chasquid",
        name: "chasquid",
        version: "1.11",
        evidence: Measured,
        reference: "albertito/chasquid v1.11 (Debian 12), internal/sts",
        id_checked: false,
        two_records: TwoRecords::First,
        content_type_checked: true,
        size: SizeLimit::Truncate(10 * KIB),
        tolerates: LENIENT,
        none_needs_mx: true,
        wildcard: Wildcard::OneLabel,
        names: NameCheck::MxHost,
        testing: Testing::Ignore,
        on_mismatch: Failure::Defer,
        on_bad_tls: Failure::Defer,
        on_bad_chain: Failure::Defer,
        next_mx_after_tls: true,
        dane: false,
        sts: true,
        plaintext_fallback: false,
    },
    Profile {
        id: "mailauth",
        name: "ZoneMTA with mx-connect and mailauth (also WildDuck, Nodemailer)",
        version: "ZoneMTA 3.10.18 (mx-connect 1.6.0, mailauth 4.13, nodemailer 9.0.3)",
        evidence: Measured,
        reference: "postalsys/mailauth v5.0.2 lib/mta-sts.js; zone-eu/mx-connect v1.6.0; zone-eu/zone-mta v3.10.18 lib/sender.js",
        id_checked: false,
        two_records: TwoRecords::NoPolicy,
        content_type_checked: false,
        size: SizeLimit::Unlimited,
        tolerates: LENIENT,
        none_needs_mx: false,
        wildcard: Wildcard::AnyDepth,
        names: NameCheck::MxHost,
        testing: Testing::Ignore,
        on_mismatch: Failure::Bounce,
        on_bad_tls: Failure::Bounce,
        on_bad_chain: Failure::Defer,
        next_mx_after_tls: false,
        dane: false,
        sts: true,
        plaintext_fallback: false,
    },
    Profile {
        id: "mox",
        name: "mox",
        version: "0.0.17",
        evidence: Source,
        reference: "mjl-/mox v0.0.17, mtasts/ and queue/direct.go",
        id_checked: true,
        two_records: TwoRecords::NoPolicy,
        content_type_checked: false,
        size: SizeLimit::Reject(64 * KIB),
        tolerates: STRICT,
        none_needs_mx: false,
        wildcard: Wildcard::OneLabel,
        names: NameCheck::MxHost,
        testing: Testing::Validate,
        on_mismatch: Failure::Defer,
        on_bad_tls: Failure::Defer,
        on_bad_chain: Failure::Defer,
        next_mx_after_tls: true,
        dane: false,
        sts: true,
        plaintext_fallback: false,
    },
    Profile {
        id: "stalwart",
        name: "Stalwart (mail-auth)",
        version: "0.16.18",
        evidence: Source,
        reference: "stalwartlabs/stalwart v0.16.18 crates/smtp/src/outbound/mta_sts; stalwartlabs/mail-auth 0.12.1",
        id_checked: false,
        two_records: TwoRecords::First,
        content_type_checked: false,
        size: SizeLimit::Reject(1024 * KIB),
        tolerates: LENIENT,
        none_needs_mx: true,
        wildcard: Wildcard::OneLabel,
        names: NameCheck::MxHost,
        testing: Testing::Validate,
        on_mismatch: Failure::Bounce,
        on_bad_tls: Failure::Defer,
        on_bad_chain: Failure::Defer,
        next_mx_after_tls: true,
        dane: false,
        sts: true,
        plaintext_fallback: false,
    },
    Profile {
        id: "maddy",
        name: "maddy (go-mtasts)",
        version: "0.9.4",
        evidence: Source,
        reference: "foxcpp/maddy v0.9.4 internal/target/remote/security.go; foxcpp/go-mtasts 1438da2",
        id_checked: false,
        two_records: TwoRecords::NoPolicy,
        content_type_checked: true,
        size: SizeLimit::Unlimited,
        tolerates: STRICT,
        none_needs_mx: false,
        wildcard: Wildcard::OneLabel,
        names: NameCheck::MxHost,
        testing: Testing::Ignore,
        on_mismatch: Failure::Bounce,
        on_bad_tls: Failure::Defer,
        on_bad_chain: Failure::Defer,
        next_mx_after_tls: true,
        dane: false,
        sts: true,
        plaintext_fallback: false,
    },
    Profile {
        id: "gmail",
        name: "Gmail",
        version: "",
        evidence: Documented,
        reference: "https://support.google.com/a/answer/9261504",
        id_checked: true,
        two_records: TwoRecords::NoPolicy,
        content_type_checked: true,
        size: SizeLimit::Reject(64 * KIB),
        tolerates: STRICT,
        none_needs_mx: false,
        wildcard: Wildcard::OneLabel,
        names: NameCheck::MxHost,
        testing: Testing::Validate,
        on_mismatch: Failure::Bounce,
        on_bad_tls: Failure::Bounce,
        on_bad_chain: Failure::Bounce,
        next_mx_after_tls: true,
        dane: false,
        sts: true,
        plaintext_fallback: false,
    },
    Profile {
        id: "microsoft365",
        name: "Microsoft 365 (Exchange Online)",
        version: "",
        evidence: Documented,
        reference: "https://techcommunity.microsoft.com/t5/exchange-team-blog/introducing-mta-sts-for-exchange-online/ba-p/3106386",
        // Undocumented beyond DANE first: modelled on the RFC reading (see CITES).
        dane: true,
        ..RFC8461
    },
    Profile {
        id: "postfix-dane",
        name: "Postfix with DANE",
        version: "3.7",
        evidence: Measured,
        reference: "https://www.postfix.org/TLS_README.html#client_tls_dane",
        ..DANE_ONLY
    },
    Profile {
        id: "exim-dane",
        name: "Exim with DANE",
        version: "4.96",
        evidence: Measured,
        reference: "https://www.exim.org/exim-html-current/doc/html/spec_html/ch-encrypted_smtp_connections_using_tlsssl.html#SECDANE",
        plaintext_fallback: true,
        ..DANE_ONLY
    },
];

/// Where each profile's rules come from, by profile id: (rule, citation). Kept apart from
/// [`PROFILES`] so the page, which shows only the reference, does not carry the text.
pub const CITES: &[(&str, &[(&str, &str)])] = &[
    (
        "rfc8461",
        &[
        ("id", "§3.1 sts-id = 1*32(ALPHA / DIGIT)"),
        ("two records", "§3.1: more than one record means no policy"),
        ("content type", "§3.2: senders SHOULD validate text/plain"),
        ("size", "§3.3: senders MAY limit the body to 64 KiB"),
        ("wildcard", "§4.1: a wildcard matches one label"),
        ("testing", "§5: deliver and report"),
        ("failure", "§5: treat enforce failures as transient and retry"),
        ],
    ),
    (
        "postfix-mta-sts-resolver",
        &[
        ("measured", "cargo xtask interop: Postfix 3.7.11 (Debian 12) with the resolver agreed on 35 of 35 scenarios"),
        ("names", "measured (primary-fails.test): a certificate for other.d is accepted for mx1.d under '*.d'; Postfix matches the certificate, not the MX host"),
        ("id", "postfix_mta_sts_resolver/utils.py parse_mta_sts_record: no id syntax check"),
        ("two records", "resolver.py STSResolver.resolve: more than one v=STSv1 record is no policy"),
        ("content type, size", "resolver.py: text/plain required, 64 KiB body limit"),
        ("grammar", "utils.py: blank lines skipped; the key is not stripped, so an indented line loses its field"),
        ("wildcard", "responder.py: '*.d' becomes Postfix match=.d, which matches any depth"),
        ("testing", "responder.py: only mode enforce gives Postfix a 'secure' policy"),
        ("failure", "Postfix smtp_tls_security_level=secure: deferred with 4.7.5"),
        ],
    ),
    (
        "chasquid",
        &[
        ("measured", "cargo xtask interop: chasquid 1.11 (Debian 12) agreed on 34 of 34 scenarios it finished"),
        ("id", "internal/sts/sts.go: the record only needs the prefix v=STSv1;"),
        ("two records", "internal/sts/sts.go: the records are not counted"),
        ("content type", "internal/sts/sts.go Fetch: text/plain required"),
        ("size", "internal/sts/sts.go: the body is read through a 10 KiB limit, the rest ignored"),
        ("grammar", "internal/sts/sts.go: lines trimmed, lines without ':' skipped"),
        ("mode none", "internal/sts/sts.go Policy.Check: mx required in every mode"),
        ("testing", "internal/sts/sts.go MXIsAllowed: true unless mode enforce; no report mode"),
        ("failure", "internal/courier/smtp.go: next MX, then a transient failure (retried for 20 h)"),
        ],
    ),
    (
        "mailauth",
        &[
        ("id", "mailauth lib/mta-sts.js resolvePolicy: the id only has to be non-empty"),
        ("two records", "mailauth resolvePolicy: multi_sts_records, then mode none"),
        ("content type, size", "mailauth fetchPolicy: any 2xx, no type check, no size limit"),
        ("wildcard", "mailauth validateMx: '*.d' is a suffix match on .d"),
        ("testing", "zone-mta lib/sender.js: TLS is enforced only for mode enforce"),
        ("failure", "zone-mta lib/sender.js handleResponseError: policy errors are rejected, not deferred"),
        ("certificate errors", "measured (cargo xtask interop): a name mismatch carries err.cert and bounces as a policy error (sender.js _onError); an expired, self-signed or unverifiable chain carries no err.cert and defers"),
        ("next MX", "measured: after a TLS failure at a host it connected to, ZoneMTA does not try the next MX (only a timeout does); mx-connect skips hosts the policy does not cover before connecting"),
        ("handshake", "measured: a peer that hangs up mid-handshake bounces, one that answers STARTTLS with non-TLS bytes defers; the check reports both as tls-handshake-failed and the profile predicts a bounce (INTEROP.md)"),
        ],
    ),
    (
        "mox",
        &[
        ("id", "mtasts/parse.go xid: 1 to 32 letters and digits"),
        ("two records", "mtasts/mtasts.go LookupRecord: ErrMultipleRecords"),
        ("content type", "mtasts/mtasts.go FetchPolicy: Content-Type is not looked at"),
        ("grammar", "mtasts/parse.go ParsePolicy: a blank line or indentation is an error"),
        ("testing", "queue/direct.go: delivered, failures reported"),
        ("failure", "queue/direct.go: next MX, then a non-permanent error and retries"),
        ],
    ),
    (
        "stalwart",
        &[
        ("id, two records", "mail-auth src/mta_sts/parse.rs: no id check; resolver takes the first record that parses"),
        ("content type, size", "outbound/mta_sts/lookup.rs: no type check, 1 MiB limit"),
        ("mode none", "outbound/mta_sts/parse.rs: 'No mx entries found' in every mode"),
        ("failure", "outbound/delivery.rs: an MX not in the policy is a permanent failure; a TLS error is temporary"),
        ],
    ),
    (
        "maddy",
        &[
        ("id, two records", "go-mtasts cache.go fetch: exactly one TXT record at the name; mtasts.go readDNSRecord: any id"),
        ("content type, size", "go-mtasts cache.go downloadPolicy: text/plain, no total size limit"),
        ("grammar", "go-mtasts mtasts.go readPolicy: a blank line is an error"),
        ("testing", "maddy security.go CheckConn: no TLS requirement unless enforce"),
        ("failure", "maddy security.go CheckMX: 550 for an MX mismatch, 451 for TLS; the last MX decides"),
        ],
    ),
    (
        "gmail",
        &[
        ("enforce", "support.google.com/a/answer/9261504: Gmail complies with enforced policies"),
        ("failure", "Gmail's 2019 announcement: enforcement failures bounce"),
        ("the rest", "not documented: modelled on the RFC reading"),
        ],
    ),
    (
        "microsoft365",
        &[
        ("enforce", "Exchange team blog, 2022: MTA-STS for all outgoing mail, always on"),
        ("the rest", "not documented: modelled on the RFC reading"),
        ("dane", "learn.microsoft.com, 'How SMTP DNS-based Authentication of Named Entities (DANE) works' (2022): outbound DANE for all mail; with both DANE and MTA-STS published, DANE is used"),
        ],
    ),
    (
        "postfix-dane",
        &[
        ("dane", "TLS_README 'dane' level with smtp_dns_support_level = dnssec: TLSA records are used only when the MX and address look-ups are DNSSEC-validated (RFC 7672 §2.2)"),
        ("no mta-sts", "Postfix has no MTA-STS of its own; without TLSA records the 'dane' level is opportunistic TLS"),
        ("usages", "TLS_README: PKIX-TA(0) and PKIX-EE(1) records are unusable; if no record is usable, TLS is mandatory but not authenticated"),
        ("failure", "a TLSA mismatch or a failed TLSA look-up defers the host; the next MX is tried"),
        ("handshake", "measured (INTEROP.md): a failed TLS handshake at a host without TLSA records defers it too; no plain-text retry"),
        ],
    ),
    (
        "exim-dane",
        &[
        ("dane", "spec ch. 42 'DANE': dnssec_request_domains = * and hosts_try_dane = *; DANE only for secure MX and address look-ups"),
        ("no mta-sts", "Exim has no MTA-STS; without TLSA records it sends with opportunistic TLS"),
        ("trust-ad", "glibc passes the AD bit to Exim only with 'options trust-ad' in resolv.conf; without it Exim sees no secure answer and silently skips DANE"),
        ("failure", "a verification failure defers the host; the next MX is tried"),
        ("handshake", "measured (INTEROP.md): a failed TLS handshake at a host without TLSA records is followed by delivery in plain text to the same host (not in hosts_require_tls)"),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_is_named_cited_and_unique() {
        let mut ids = std::collections::HashSet::new();
        for p in PROFILES {
            assert!(ids.insert(p.id), "duplicate profile {}", p.id);
            assert!(!p.name.is_empty() && !p.reference.is_empty(), "{}", p.id);
            assert!(
                CITES.iter().any(|(id, c)| *id == p.id && !c.is_empty()),
                "{} cites nothing",
                p.id
            );
            if p.evidence == Documented {
                assert!(
                    p.reference.starts_with("https://"),
                    "{} documents no URL",
                    p.id
                );
            }
        }
        assert_eq!(PROFILES[0].id, "rfc8461", "the reference comes first");
    }
}
