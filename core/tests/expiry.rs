//! Expiring certificates: the policy host's and every MX host's, against the threshold a
//! scheduler sets (`--expiry-days`), 14 days when none is set.

mod common;

use common::canned::*;
use common::{codes, find};
use mtasts_core::dns::{DnsAnswer, DnsOutcome, RecordType};
use mtasts_core::report::*;
use mtasts_core::{Answer, Check, Request};

fn cert(days_left: i64) -> Certificate {
    Certificate {
        subject: "CN=host.example.com".into(),
        sans: vec!["mta-sts.example.com".into(), "mx1.example.com".into()],
        issuer: "CN=Example CA".into(),
        not_before: "2026-09-01T00:00:00Z".into(),
        not_after: "2026-12-20T00:00:00Z".into(),
        days_left,
        chain_len: 2,
    }
}

/// A healthy enforce set-up whose policy host certificate has `policy_days` left and
/// whose one MX certificate has `mx_days` left, checked with `threshold` (None: default).
fn check(policy_days: i64, mx_days: i64, threshold: Option<i64>) -> Report {
    let mut fetch = fetched(ENFORCE);
    fetch.certificate = Some(cert(policy_days));
    let mut probed = probe(TlsStatus::Ok);
    probed.tls.cert = Some(cert(mx_days));
    let mut check = Check::new("example.com");
    if let Some(days) = threshold {
        check.set_expiry_days(days);
    }
    let mut queue = check.poll_requests();
    while let Some(req) = queue.pop() {
        let answer = match &req {
            Request::Dns { name, rtype, .. } => Answer::Dns(match (name.as_str(), rtype) {
                ("_mta-sts.example.com", _) => txt(&["v=STSv1; id=1"]),
                ("example.com", RecordType::Mx) => mx(&["mx1.example.com"]),
                _ => DnsAnswer::failed(DnsOutcome::NxDomain),
            }),
            Request::FetchPolicy { .. } => Answer::Policy(fetch.clone()),
            Request::Probe { .. } => Answer::Probe(probed.clone()),
        };
        check.handle(req.id(), answer, 1).unwrap();
        queue.extend(check.poll_requests());
    }
    check.report()
}

#[test]
fn the_default_threshold_is_fourteen_days() {
    let r = check(13, 13, None);
    assert!(codes(&r.findings).contains(&"policy.certificate.expiring"));
    assert!(codes(&r.findings).contains(&"mx.certificate.expiring"));
    assert_eq!(r.verdict, Some(Verdict::Warn), "{}", r.summary);
    let f = find(&r.findings, "policy.certificate.expiring");
    assert!(f.message.contains("mta-sts.example.com"), "{}", f.message);
    assert!(f.message.contains("13 days"), "{}", f.message);
    let r = check(14, 14, None);
    assert!(!codes(&r.findings).iter().any(|c| c.ends_with(".expiring")));
    assert_eq!(r.verdict, Some(Verdict::Pass), "{}", r.summary);
}

#[test]
fn a_scheduler_sets_its_own_threshold() {
    // 20 days left: fine by default, a warning when the scheduler wants 30 days' notice.
    let r = check(20, 40, Some(30));
    assert!(codes(&r.findings).contains(&"policy.certificate.expiring"));
    assert!(!codes(&r.findings).contains(&"mx.certificate.expiring"));
    let r = check(40, 20, Some(30));
    assert!(!codes(&r.findings).contains(&"policy.certificate.expiring"));
    assert!(codes(&r.findings).contains(&"mx.certificate.expiring"));
    let f = find(&r.findings, "mx.certificate.expiring");
    assert!(f.message.contains("30-day"), "{}", f.message);
    // Zero turns the warnings off.
    let r = check(1, 1, Some(0));
    assert!(!codes(&r.findings).iter().any(|c| c.ends_with(".expiring")));
}
