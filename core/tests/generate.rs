//! The generator: records proposed from a finished check, used as drafts.

mod common;

use common::canned::*;
use common::has;
use mtasts_core::draft::Draft;
use mtasts_core::generate::{propose, zone_records};
use mtasts_core::report::*;
use mtasts_core::Severity;

const TLSRPT: &str = "v=TLSRPTv1; rua=mailto:tls@example.com";

fn live(hosts: &[&str], probe_of: impl Fn(&str) -> ProbeResult) -> Report {
    run(
        txt(&[]),
        mx(hosts),
        txt(&[]),
        PolicyFetch::new(
            FetchStatus::DnsNxdomain,
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
        ),
        probe_of,
    )
}

/// The proposal judged as a draft of the same domain.
fn as_draft(
    hosts: &[&str],
    probe_of: impl Fn(&str) -> ProbeResult + Copy,
    policy: &str,
    id: &str,
) -> Report {
    run_draft(
        txt(&[]),
        mx(hosts),
        txt(&[TLSRPT]),
        PolicyFetch::new(
            FetchStatus::DnsNxdomain,
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
        ),
        probe_of,
        Some(Draft {
            policy: policy.into(),
            txt: Some(format!("v=STSv1; id={id}")),
            new_id: id.into(),
        }),
    )
}

fn ok(_: &str) -> ProbeResult {
    probe(TlsStatus::Ok)
}

#[test]
fn healthy_mx_get_enforce_for_a_week_and_the_proposal_passes_as_a_draft() {
    let hosts = ["mx1.example.com", "mx2.example.com"];
    let p = propose(
        &live(&hosts, ok),
        "20261201T120000",
        Some("mailto:tls@example.com"),
    );
    assert_eq!(p.domain, "example.com");
    assert_eq!(p.txt, "v=STSv1; id=20261201T120000");
    assert_eq!(
        p.policy,
        "version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 604800\n"
    );
    assert_eq!(p.tlsrpt, "v=TLSRPTv1; rua=mailto:tls@example.com");
    // Only observations (a wildcard, a week of max_age), nothing to fix.
    assert!(
        p.findings.iter().all(|f| f.severity == Severity::Info),
        "{:?}",
        p.findings
    );
    assert!(p.notes.iter().any(|n| n.starts_with("mode enforce")));
    let r = as_draft(&hosts, ok, &p.policy, "20261201T120000");
    assert_eq!(r.verdict, Some(Verdict::Pass), "{:?}", r.findings);
}

#[test]
fn a_failing_mx_keeps_the_proposal_in_testing_and_names_it() {
    let hosts = ["mx1.example.com", "backup.example.net"];
    let fails = |h: &str| {
        probe(if h == "backup.example.net" {
            TlsStatus::CertificateHostMismatch
        } else {
            TlsStatus::Ok
        })
    };
    let p = propose(&live(&hosts, fails), "20261201T120000", None);
    assert!(
        p.policy.contains("mode: testing\n") && p.policy.contains("max_age: 86400\n"),
        "{}",
        p.policy
    );
    assert!(
        p.policy.contains("mx: mx1.example.com\n") && p.policy.contains("mx: backup.example.net\n")
    );
    assert!(has(&p.findings, "generate.mx.tls_failing"));
    let note = p
        .notes
        .iter()
        .find(|n| n.starts_with("mode testing"))
        .unwrap();
    assert!(
        note.contains("backup.example.net (certificate for another name)"),
        "{note}"
    );
    assert_eq!(p.tlsrpt, "v=TLSRPTv1; rua=mailto:tlsrpt@example.com");
    assert!(p.notes.iter().any(|n| n.contains("placeholder")));
    let r = as_draft(&hosts, fails, &p.policy, "20261201T120000");
    assert_ne!(r.verdict, Some(Verdict::Fail), "{:?}", r.findings);
    assert!(r.mx.iter().all(|m| m.sender != Some(Sender::Refuse)));
}

#[test]
fn unprobed_mx_never_get_enforce() {
    let p = propose(
        &live(&["mx1.example.com"], |_| probe(TlsStatus::Unchecked)),
        "1",
        None,
    );
    assert!(p.policy.contains("mode: testing"));
    assert!(has(&p.findings, "generate.mx.unprobed"));
}

#[test]
fn wildcards_only_where_several_mx_share_a_parent() {
    let google = [
        "aspmx.l.google.com",
        "alt1.aspmx.l.google.com",
        "alt2.aspmx.l.google.com",
    ];
    let p = propose(&live(&google, ok), "1", None);
    assert_eq!(p.policy, "version: STSv1\nmode: enforce\nmx: aspmx.l.google.com\nmx: *.aspmx.l.google.com\nmax_age: 604800\n");
    let r = as_draft(&google, ok, &p.policy, "1");
    assert!(r.mx.iter().all(|m| m.matched));
    // One MX alone, or two under a top-level domain, are named exactly.
    let p = propose(
        &live(&["example-com.mail.protection.outlook.com"], ok),
        "1",
        None,
    );
    assert!(p
        .policy
        .contains("mx: example-com.mail.protection.outlook.com\n"));
    let p = propose(&live(&["a.com", "b.com"], ok), "1", None);
    assert!(p.policy.contains("mx: a.com\nmx: b.com\n"), "{}", p.policy);
}

#[test]
fn no_mail_no_policy() {
    let mut null = mx(&[""]);
    null.mx[0].preference = 0;
    let r = run(
        txt(&[]),
        null,
        txt(&[]),
        PolicyFetch::new(
            FetchStatus::DnsNxdomain,
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
        ),
        ok,
    );
    let p = propose(&r, "1", None);
    assert!(p.policy.is_empty());
    assert!(has(&p.findings, "generate.mx.none"));
    assert!(p.findings[0].message.contains("null MX"));
}

#[test]
fn a_published_tlsrpt_record_is_kept() {
    let r = run(
        txt(&[]),
        mx(&["mx1.example.com"]),
        txt(&[TLSRPT]),
        PolicyFetch::new(
            FetchStatus::DnsNxdomain,
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
        ),
        ok,
    );
    assert_eq!(propose(&r, "1", None).tlsrpt, TLSRPT);
    assert_eq!(
        propose(&r, "1", Some("ops@example.com")).tlsrpt,
        "v=TLSRPTv1; rua=mailto:ops@example.com"
    );
}

#[test]
fn zone_records_are_quoted_and_split() {
    let z = zone_records(
        "example.com",
        "v=STSv1; id=1",
        "v=TLSRPTv1; rua=mailto:a@example.com",
    );
    assert_eq!(z, "_mta-sts.example.com. 3600 IN TXT \"v=STSv1; id=1\"\n_smtp._tls.example.com. 3600 IN TXT \"v=TLSRPTv1; rua=mailto:a@example.com\"\n");
    let long = format!(
        "v=TLSRPTv1; rua={}",
        ["mailto:reports@example.com"; 12].join(",")
    );
    let z = zone_records("example.com", "", &long);
    let strings: Vec<&str> = z.split('"').skip(1).step_by(2).collect();
    assert_eq!(strings.len(), 2);
    assert!(strings.iter().all(|s| s.len() <= 255));
    assert_eq!(strings.concat(), long);
    assert!(zone_records("e.com", "a\"b", "").contains("\"a\\\"b\""));
}

#[test]
fn no_wildcard_on_a_public_suffix_and_timeouts_are_not_failures() {
    // Two MX under co.uk share a parent where anyone can hold a name: exact names.
    let p = propose(
        &live(
            &["mx.example.co.uk", "backup-mx.co.uk", "mx2.example.co.uk"],
            ok,
        ),
        "1",
        None,
    );
    assert!(!p.policy.contains("*.co.uk"), "{}", p.policy);
    assert!(p.policy.contains("mx: *.example.co.uk\n"), "{}", p.policy);
    // Under the domain itself a wildcard is fine, two labels or not.
    let p = propose(
        &live(&["mx1.example.com", "mx2.example.com"], ok),
        "1",
        None,
    );
    assert!(p.policy.contains("mx: *.example.com\n"));
    // A timeout may be the tester's network: not proposed as enforce, and not blamed.
    let p = propose(
        &live(&["mx1.example.com"], |_| probe(TlsStatus::ConnectTimeout)),
        "1",
        None,
    );
    assert!(p.policy.contains("mode: testing"));
    assert!(
        has(&p.findings, "generate.mx.unprobed") && !has(&p.findings, "generate.mx.tls_failing")
    );
}

#[test]
fn a_bad_reporting_address_is_a_finding_of_the_proposal() {
    let p = propose(
        &live(&["mx1.example.com"], ok),
        "1",
        Some("Ops <ops@example.com>"),
    );
    assert!(
        p.findings.iter().any(|f| f.code.starts_with("tlsrpt.")),
        "{:?}",
        p.findings
    );
}
