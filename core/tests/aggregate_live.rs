//! A reported failure tied to what a live check of the domain shows today.
#![cfg(feature = "reports")]

mod common;

use common::canned::*;
use mtasts_core::aggregate::correlate;
use mtasts_core::report::*;

const TXT: &str = "v=STSv1; id=1";
const TLSRPT: &str = "v=TLSRPTv1; rua=mailto:tls@example.com";

fn live(policy: PolicyFetch, probe_of: impl Fn(&str) -> ProbeResult) -> Report {
    run(
        txt(&[TXT]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        txt(&[TLSRPT]),
        policy,
        probe_of,
    )
}

#[test]
fn an_mx_failure_seen_live_links_to_its_finding() {
    let report = live(fetched(ENFORCE), |host| {
        probe(if host == "mx1.example.com" {
            TlsStatus::CertificateExpired
        } else {
            TlsStatus::Ok
        })
    });
    let m = correlate("certificate-expired", Some("MX1.example.com."), &report).expect("seen live");
    assert_eq!(m.mx.as_deref(), Some("mx1.example.com"));
    assert_eq!(m.finding.code, "mx.cert.expired");
    // The same type on the healthy MX, or another type on the broken one, is not seen now.
    assert_eq!(
        correlate("certificate-expired", Some("mx2.example.com"), &report),
        None
    );
    assert_eq!(
        correlate("starttls-not-supported", Some("mx1.example.com"), &report),
        None
    );
    // A failure the report does not tie to a host matches any MX that shows it.
    assert!(correlate("certificate-expired", None, &report).is_some());
}

#[test]
fn starttls_missing_links_too() {
    let report = live(fetched(ENFORCE), |_| probe(TlsStatus::StarttlsNotSupported));
    let m = correlate("starttls-not-supported", Some("mx2.example.com"), &report).unwrap();
    assert_eq!(m.finding.code, "mx.starttls.missing");
}

#[test]
fn policy_failures_link_to_the_retrieval_findings() {
    let mut broken = fetched(ENFORCE);
    broken.status = FetchStatus::CertificateNotTrusted;
    broken.body = None;
    let report = live(broken, |_| probe(TlsStatus::Ok));
    let m = correlate("sts-webpki-invalid", None, &report).expect("seen live");
    assert!(
        m.finding.code.starts_with("policy.tls."),
        "{}",
        m.finding.code
    );
    assert_eq!(m.mx, None);
    assert_eq!(correlate("sts-policy-invalid", None, &report), None);

    let invalid = live(fetched("version: STSv1\nmode: enforce\n"), |_| {
        probe(TlsStatus::Ok)
    });
    let m = correlate("sts-policy-invalid", None, &invalid).expect("seen live");
    assert!(m.finding.code.starts_with("policy."), "{}", m.finding.code);
    assert_eq!(correlate("sts-policy-fetch-error", None, &invalid), None);
}

#[test]
fn a_healthy_domain_shows_none_of_the_reported_failures() {
    let report = live(fetched(ENFORCE), |_| probe(TlsStatus::Ok));
    for t in [
        "starttls-not-supported",
        "certificate-host-mismatch",
        "certificate-expired",
        "certificate-not-trusted",
        "validation-failure",
        "sts-policy-fetch-error",
        "sts-policy-invalid",
        "sts-webpki-invalid",
        "tlsa-invalid",
        "x",
    ] {
        assert_eq!(correlate(t, Some("mx1.example.com"), &report), None, "{t}");
    }
}
