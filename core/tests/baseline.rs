//! A run compared with an earlier report of the same domain: each kind of change, and the
//! policy edited without a new TXT id.

mod common;

use common::canned::*;
use common::codes;
use mtasts_core::baseline::{compare, BaselineError, ChangeKind};
use mtasts_core::report::*;

/// What a run saw, as knobs a test turns between the baseline and the next run.
#[derive(Clone)]
struct World {
    txt: &'static str,
    policy: String,
    mx: Vec<&'static str>,
    rua: Option<&'static str>,
    mx_status: TlsStatus,
    not_after: &'static str,
}

impl World {
    fn healthy() -> World {
        World {
            txt: "v=STSv1; id=20260101",
            policy: ENFORCE.to_string(),
            mx: vec!["mx1.example.com", "mx2.example.com"],
            rua: Some("v=TLSRPTv1; rua=mailto:tls@example.com"),
            mx_status: TlsStatus::Ok,
            not_after: "2027-01-10T00:00:00Z",
        }
    }

    fn run(&self) -> Report {
        let cert = Certificate {
            subject: "CN=mx".into(),
            sans: vec![],
            issuer: "CN=Example CA".into(),
            not_before: "2026-10-01T00:00:00Z".into(),
            not_after: self.not_after.into(),
            days_left: 40,
            chain_len: 2,
        };
        let tlsrpt = match self.rua {
            Some(r) => txt(&[r]),
            None => txt(&[]),
        };
        let status = self.mx_status;
        run(
            txt(&[self.txt]),
            mx(&self.mx),
            tlsrpt,
            fetched(&self.policy),
            move |_| {
                let mut p = probe(status);
                p.tls.cert = Some(cert.clone());
                p
            },
        )
    }
}

fn kinds(r: &Report) -> Vec<ChangeKind> {
    r.changes
        .as_ref()
        .expect("changes present")
        .iter()
        .map(|c| c.kind)
        .collect()
}

fn compared(old: &World, new: &World) -> Report {
    let baseline = old.run();
    let mut report = new.run();
    compare(&baseline, &mut report).unwrap();
    report
}

fn detail(r: &Report, kind: ChangeKind) -> String {
    r.changes
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {:?}", r.changes))
        .detail
        .clone()
}

#[test]
fn the_same_world_twice_has_no_changes() {
    let w = World::healthy();
    let r = compared(&w, &w);
    assert_eq!(r.changes, Some(vec![]));
    assert_eq!(r.verdict, Some(Verdict::Pass), "{}", r.summary);
    let sha = r.policy.sha256.as_deref().unwrap();
    assert_eq!(sha.len(), 64);
    assert_eq!(r.policy.body.as_deref(), Some(ENFORCE));
    assert!(!r.policy.body_truncated);
}

#[test]
fn without_a_baseline_there_is_no_changes_field() {
    let r = World::healthy().run();
    assert_eq!(r.changes, None);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("changes").is_none());
    assert_eq!(
        json["policy"]["sha256"].as_str().unwrap().len(),
        64,
        "the policy's digest is in every report"
    );
}

#[test]
fn an_edited_policy_under_the_same_id_is_an_error_that_fails_the_verdict() {
    let old = World::healthy();
    let mut new = old.clone();
    new.policy = ENFORCE.replace("*.example.com", "*.example.com\nmx: backup.example.net");
    let r = compared(&old, &new);
    assert!(codes(&r.findings).contains(&"txt.id.not_updated"));
    assert!(codes(&r.txt.findings).contains(&"txt.id.not_updated"));
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert!(r.summary.contains("20260101"), "{}", r.summary);
    assert!(kinds(&r).contains(&ChangeKind::PolicyChanged));
    assert!(kinds(&r).contains(&ChangeKind::VerdictChanged));
    let d = detail(&r, ChangeKind::PolicyChanged);
    assert!(d.contains("mx added backup.example.net"), "{d}");
    assert_eq!(detail(&r, ChangeKind::VerdictChanged), "pass → fail");
}

#[test]
fn an_edited_policy_with_a_new_id_is_a_change_not_an_error() {
    let old = World::healthy();
    let mut new = old.clone();
    new.policy = ENFORCE.replace("enforce", "testing");
    new.txt = "v=STSv1; id=20261203";
    let r = compared(&old, &new);
    assert!(!codes(&r.findings).contains(&"txt.id.not_updated"));
    assert_eq!(detail(&r, ChangeKind::TxtIdChanged), "20260101 → 20261203");
    let d = detail(&r, ChangeKind::PolicyChanged);
    assert!(d.starts_with("mode enforce → testing"), "{d}");
}

#[test]
fn a_new_id_for_the_same_text_is_only_an_id_change() {
    let old = World::healthy();
    let mut new = old.clone();
    new.txt = "v=STSv1; id=20261203";
    let r = compared(&old, &new);
    assert_eq!(kinds(&r), vec![ChangeKind::TxtIdChanged]);
}

#[test]
fn mx_hosts_added_and_removed_are_named_with_their_coverage() {
    let old = World::healthy();
    let mut new = old.clone();
    new.mx = vec!["mx1.example.com", "mail.example.org"];
    let r = compared(&old, &new);
    let added = detail(&r, ChangeKind::MxAdded);
    assert!(
        added.starts_with("mail.example.org (preference 20)"),
        "{added}"
    );
    assert!(added.contains("not covered by the policy"), "{added}");
    assert_eq!(
        detail(&r, ChangeKind::MxRemoved),
        "mx2.example.com (preference 20)"
    );
    assert!(
        kinds(&r).contains(&ChangeKind::FindingAdded),
        "{:?}",
        r.changes
    );
}

#[test]
fn a_reordered_mx_changes_its_preference() {
    let old = World::healthy();
    let mut new = old.clone();
    new.mx = vec!["mx2.example.com", "mx1.example.com"];
    let r = compared(&old, &new);
    assert_eq!(
        kinds(&r),
        vec![
            ChangeKind::MxPreferenceChanged,
            ChangeKind::MxPreferenceChanged
        ]
    );
    assert_eq!(
        detail(&r, ChangeKind::MxPreferenceChanged),
        "mx2.example.com: 20 → 10"
    );
}

#[test]
fn a_later_expiry_is_a_renewal_and_an_earlier_one_a_change() {
    let old = World::healthy();
    let mut renewed = old.clone();
    renewed.not_after = "2027-04-10T00:00:00Z";
    let r = compared(&old, &renewed);
    assert_eq!(
        kinds(&r),
        vec![
            ChangeKind::CertificateRenewed,
            ChangeKind::CertificateRenewed
        ]
    );
    let d = detail(&r, ChangeKind::CertificateRenewed);
    assert!(
        d.starts_with("mx1.example.com: expires 2027-04-10T00:00:00Z (was 2027-01-10T00:00:00Z)"),
        "{d}"
    );
    let r = compared(&renewed, &old);
    assert!(kinds(&r)
        .iter()
        .all(|k| *k == ChangeKind::CertificateChanged));
}

#[test]
fn a_policy_host_certificate_renewal_is_named_for_the_policy_host() {
    let old = World::healthy();
    let mut baseline = old.run();
    let mut report = old.run();
    let cert = |not_after: &str| Certificate {
        subject: "CN=mta-sts.example.com".into(),
        sans: vec![],
        issuer: "CN=Example CA".into(),
        not_before: "2026-10-01T00:00:00Z".into(),
        not_after: not_after.into(),
        days_left: 30,
        chain_len: 2,
    };
    baseline.policy.fetch.as_mut().unwrap().certificate = Some(cert("2026-12-31T00:00:00Z"));
    report.policy.fetch.as_mut().unwrap().certificate = Some(cert("2027-03-31T00:00:00Z"));
    compare(&baseline, &mut report).unwrap();
    assert_eq!(
        detail(&report, ChangeKind::CertificateRenewed),
        "mta-sts.example.com (policy host): expires 2027-03-31T00:00:00Z (was 2026-12-31T00:00:00Z), issuer CN=Example CA"
    );
}

#[test]
fn a_failing_mx_changes_its_tls_status_the_verdict_and_the_findings() {
    let old = World::healthy();
    let mut new = old.clone();
    new.mx_status = TlsStatus::CertificateExpired;
    let r = compared(&old, &new);
    assert_eq!(
        detail(&r, ChangeKind::MxTlsChanged),
        "mx1.example.com: ok → certificate-expired"
    );
    assert_eq!(detail(&r, ChangeKind::VerdictChanged), "pass → fail");
    assert!(detail(&r, ChangeKind::FindingAdded).starts_with("error "));
    // And back: the error is resolved.
    let r = compared(&new, &old);
    assert!(detail(&r, ChangeKind::FindingResolved).starts_with("error "));
    assert_eq!(detail(&r, ChangeKind::VerdictChanged), "fail → pass");
}

#[test]
fn tlsrpt_and_the_record_itself_appearing_or_going() {
    let old = World::healthy();
    let mut new = old.clone();
    new.rua = Some("v=TLSRPTv1; rua=mailto:reports@example.net");
    let r = compared(&old, &new);
    assert_eq!(
        detail(&r, ChangeKind::TlsRptChanged),
        "rua mailto:tls@example.com → mailto:reports@example.net"
    );
    // An SPF record in place of the MTA-STS one is an error (txt.spf): invalid, not gone.
    let mut spf = old.clone();
    spf.txt = "v=spf1 -all";
    let r = compared(&old, &spf);
    assert_eq!(
        detail(&r, ChangeKind::TxtChanged),
        "the _mta-sts record with id 20260101 is now invalid"
    );
    let baseline = old.run();
    let mut gone = run(
        txt(&[]),
        mx(&old.mx),
        txt(&[old.rua.unwrap()]),
        fetched(ENFORCE),
        |_| probe(TlsStatus::Ok),
    );
    compare(&baseline, &mut gone).unwrap();
    assert_eq!(
        detail(&gone, ChangeKind::TxtChanged),
        "the _mta-sts record with id 20260101 is gone"
    );
}

#[test]
fn a_baseline_of_another_domain_or_an_unfinished_check_is_refused() {
    let w = World::healthy();
    let mut other = w.run();
    other.domain = "example.net".into();
    let mut report = w.run();
    assert_eq!(
        compare(&other, &mut report),
        Err(BaselineError::OtherDomain {
            baseline: "example.net".into(),
            checked: "example.com".into()
        })
    );
    assert_eq!(report.changes, None);
    let mut unfinished = w.run();
    unfinished.complete = false;
    assert_eq!(
        compare(&unfinished, &mut report),
        Err(BaselineError::Incomplete)
    );
}

#[test]
fn a_long_policy_is_kept_cut_but_digested_whole() {
    let mut w = World::healthy();
    w.policy = format!("{ENFORCE}{}", "mx: *.padding.example.com\n".repeat(400));
    let r = w.run();
    let body = r.policy.body.as_deref().unwrap();
    assert_eq!(body.len(), POLICY_BODY_SHOWN);
    assert!(r.policy.body_truncated);
    let mut longer = w.clone();
    longer.policy.push_str("mx: *.tail.example.com\n");
    let r2 = longer.run();
    assert_eq!(r2.policy.body.as_deref(), Some(body), "same first 8 KiB");
    assert_ne!(
        r.policy.sha256, r2.policy.sha256,
        "the digest covers the rest"
    );
}

#[test]
fn a_baseline_from_an_older_report_without_the_new_fields_still_reads() {
    let w = World::healthy();
    let mut json = serde_json::to_value(w.run()).unwrap();
    let policy = json["policy"].as_object_mut().unwrap();
    policy.remove("sha256");
    policy.remove("body");
    let old: Report = serde_json::from_value(json).unwrap();
    let mut report = w.run();
    compare(&old, &mut report).unwrap();
    assert_eq!(
        report.changes,
        Some(vec![]),
        "nothing to compare the text by"
    );
}

#[test]
fn new_line_endings_under_the_same_id_are_a_change_but_not_an_error() {
    let old = World::healthy();
    let mut new = old.clone();
    new.policy = ENFORCE.replace('\n', "\r\n");
    let r = compared(&old, &new);
    assert!(!codes(&r.findings).contains(&"txt.id.not_updated"));
    assert_eq!(r.verdict, Some(Verdict::Pass), "{}", r.summary);
    let d = detail(&r, ChangeKind::PolicyChanged);
    assert!(d.starts_with("the text changed, not its fields"), "{d}");
}

#[test]
fn txt_id_not_updated_stays_until_the_id_changes() {
    let old = World::healthy();
    let mut edited = old.clone();
    edited.policy = ENFORCE.replace("max_age: 31557600", "max_age: 86400");
    let first = compared(&old, &edited);
    assert!(codes(&first.findings).contains(&"txt.id.not_updated"));
    // The next night compares with the failing report: same text, same id, still an error.
    let mut second = edited.run();
    compare(&first, &mut second).unwrap();
    assert!(
        codes(&second.findings).contains(&"txt.id.not_updated"),
        "{:?}",
        second.changes
    );
    assert_eq!(second.verdict, Some(Verdict::Fail));
    assert!(!kinds(&second).contains(&ChangeKind::FindingResolved));
    // A new id ends it.
    let mut fixed = edited.clone();
    fixed.txt = "v=STSv1; id=20261204";
    let mut third = fixed.run();
    compare(&second, &mut third).unwrap();
    assert!(!codes(&third.findings).contains(&"txt.id.not_updated"));
    assert_eq!(detail(&third, ChangeKind::VerdictChanged), "fail → pass");
}

#[test]
fn a_failed_look_up_is_not_a_removal() {
    use mtasts_core::dns::{DnsAnswer, DnsOutcome};
    let w = World::healthy();
    let baseline = w.run();
    let failed = |answer: DnsAnswer| {
        run(
            answer.clone(),
            answer,
            DnsAnswer::failed(DnsOutcome::Timeout),
            fetched(ENFORCE),
            |_| probe(TlsStatus::Ok),
        )
    };
    for outcome in [DnsOutcome::Timeout, DnsOutcome::ServFail] {
        let mut report = failed(DnsAnswer::failed(outcome.clone()));
        compare(&baseline, &mut report).unwrap();
        let k = kinds(&report);
        for not in [
            ChangeKind::TxtChanged,
            ChangeKind::MxRemoved,
            ChangeKind::TlsRptChanged,
        ] {
            assert!(
                !k.contains(&not),
                "{outcome:?}: {not:?} in {:?}",
                report.changes
            );
        }
        assert!(
            k.contains(&ChangeKind::VerdictChanged),
            "the verdict still says it"
        );
    }
    // An invalid record is named as such.
    let mut broken = w.clone();
    broken.txt = "v=STSv1; id=bad id!";
    let r = compared(&w, &broken);
    assert_eq!(
        detail(&r, ChangeKind::TxtChanged),
        "the _mta-sts record with id 20260101 is now invalid"
    );
}

#[test]
fn a_hostile_baseline_digest_does_not_panic() {
    let w = World::healthy();
    let mut old = w.run();
    old.policy.sha256 = Some("aáááááá".into());
    old.policy.mx = vec!["*.elsewhere.example".into()];
    let mut report = w.run();
    compare(&old, &mut report).unwrap();
    assert!(codes(&report.findings).contains(&"txt.id.not_updated"));
}
