//! Draft mode: a policy judged in place of the published one, and the comparison.

mod common;

use common::canned::*;
use common::has;
use mtasts_core::draft::{Change, Draft, TxtSource};
use mtasts_core::report::*;
use mtasts_core::Mode;

const TLSRPT: &str = "v=TLSRPTv1; rua=mailto:tls@example.com";
const ONLY_MX1: &str = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 604800\n";

fn draft(policy: &str) -> Option<Draft> {
    Some(Draft {
        policy: policy.into(),
        txt: None,
        new_id: "20261202T101500".into(),
    })
}

fn two_mx_with(policy: &str, d: Option<Draft>) -> Report {
    run_draft(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        txt(&[TLSRPT]),
        fetched(policy),
        |_| probe(TlsStatus::Ok),
        d,
    )
}

#[test]
fn a_draft_that_fixes_a_missing_mx_passes_where_the_published_policy_fails() {
    let published = two_mx_with(ONLY_MX1, None);
    assert_eq!(published.verdict, Some(Verdict::Fail));
    assert!(published.draft.is_none());

    let fixed = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\nmax_age: 604800\n";
    let r = two_mx_with(ONLY_MX1, draft(fixed));
    assert_eq!(r.verdict, Some(Verdict::Pass), "{:?}", r.findings);
    let d = r.draft.expect("a draft object");
    assert_eq!(d.published_verdict, Some(Verdict::Fail));
    assert_eq!(d.diff.mx_added, ["mx2.example.com"]);
    assert!(d.diff.mx_removed.is_empty());
    assert_eq!(d.diff.mode, None);
    assert_eq!(d.diff.max_age, None);
    assert!(d.txt_id_must_change);
    assert_eq!(d.txt_source, TxtSource::Published);
    assert_eq!(d.txt, "v=STSv1; id=1");
    assert!(
        d.effects
            .iter()
            .any(|e| e.contains("mx2.example.com") && e.contains("verified TLS")),
        "{:?}",
        d.effects
    );
    // Serve first, check, then the new id; the order is the point.
    let serve = d
        .rollout
        .iter()
        .position(|s| s.starts_with("Serve the new policy"));
    let check = d
        .rollout
        .iter()
        .position(|s| s.starts_with("Check that it is served"));
    let id = d
        .rollout
        .iter()
        .position(|s| s.contains("id=20261202T101500"));
    assert!(
        serve < check && check < id && serve.is_some(),
        "{:?}",
        d.rollout
    );
    // mx2 is an MX already: no advice about moving to new MX hosts.
    assert!(
        !d.rollout.iter().any(|s| s.contains("no MX of today")),
        "{:?}",
        d.rollout
    );
    // The report is of the draft: both MX are matched now.
    assert!(r
        .mx
        .iter()
        .all(|m| m.matched && m.sender == Some(Sender::Deliver)));
}

#[test]
fn a_draft_that_refuses_every_mx_fails_and_says_why() {
    let bad = "version: STSv1\nmode: enforce\nmx: mail.other.example\nmax_age: 604800\n";
    let r = two_mx_with(ENFORCE, draft(bad));
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert!(has(&r.findings, "mx.pattern.no_match"), "{:?}", r.findings);
    let d = r.draft.unwrap();
    assert_eq!(d.published_verdict, Some(Verdict::Pass));
    for host in ["mx1.example.com", "mx2.example.com"] {
        assert!(
            d.effects.iter().any(|e| e.starts_with(&format!(
                "Mail to {host} will be refused by enforcing senders"
            )) && e.contains("no mx pattern")),
            "{host}: {:?}",
            d.effects
        );
    }
    assert_eq!(d.diff.mx_added, ["mail.other.example"]);
    assert_eq!(d.diff.mx_removed, ["*.example.com"]);
    assert_eq!(
        d.diff.max_age,
        Some(Change {
            from: Some(31_557_600),
            to: Some(604_800)
        })
    );
    assert!(d.rollout.iter().any(
        |s| s.starts_with("Remove *.example.com only once no MX record points to a host it covers")
    ));
}

#[test]
fn the_published_policy_as_a_draft_changes_nothing() {
    let r = two_mx_with(ENFORCE, draft(ENFORCE));
    let d = r.draft.unwrap();
    assert!(!d.txt_id_must_change);
    assert!(d.diff.mx_added.is_empty() && d.diff.mx_removed.is_empty());
    assert!(d.diff.mode.is_none() && d.diff.max_age.is_none());
    assert!(d.effects.is_empty(), "{:?}", d.effects);
    assert!(
        !d.rollout.iter().any(|s| s.contains("id=")),
        "{:?}",
        d.rollout
    );
    assert_eq!(r.verdict, Some(Verdict::Pass));
    // Line endings and field order are not a change senders see.
    let crlf = "version: STSv1\r\nmax_age: 31557600\r\nmx: *.example.com\r\nmode: enforce\r\n";
    assert!(
        !two_mx_with(ENFORCE, draft(crlf))
            .draft
            .unwrap()
            .txt_id_must_change
    );
}

#[test]
fn a_draft_txt_that_keeps_the_id_of_a_changed_policy_is_an_error() {
    let testing = "version: STSv1\nmode: testing\nmx: *.example.com\nmax_age: 86400\n";
    let mut d = draft(testing).unwrap();
    d.txt = Some("v=STSv1; id=1".into());
    let r = two_mx_with(ENFORCE, Some(d.clone()));
    assert!(
        has(&r.findings, "draft.txt.id_unchanged"),
        "{:?}",
        r.findings
    );
    let dr = r.draft.as_ref().unwrap();
    assert_eq!(dr.txt_source, TxtSource::Draft);
    assert_eq!(
        dr.diff.mode,
        Some(Change {
            from: Some(Mode::Enforce),
            to: Some(Mode::Testing)
        })
    );
    assert!(
        dr.effects.iter().any(|e| e.contains("stop refusing")),
        "{:?}",
        dr.effects
    );
    assert!(
        dr.effects
            .iter()
            .any(|e| e.contains("up to about 365 days")),
        "{:?}",
        dr.effects
    );

    d.txt = Some("v=STSv1; id=2".into());
    let r = two_mx_with(ENFORCE, Some(d));
    assert!(!has(&r.findings, "draft.txt.id_unchanged"));
    assert_eq!(r.txt.id.as_deref(), Some("2"));
}

#[test]
fn a_first_deployment_is_judged_with_a_proposed_record_and_told_to_test_first() {
    let r = run_draft(
        txt(&[]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        txt(&[]),
        PolicyFetch::new(
            FetchStatus::DnsNxdomain,
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
        ),
        |_| probe(TlsStatus::Ok),
        draft(ENFORCE),
    );
    let d = r.draft.as_ref().unwrap();
    assert_eq!(d.published_verdict, Some(Verdict::None));
    assert_eq!(d.txt_source, TxtSource::Proposed);
    assert_eq!(d.txt, "v=STSv1; id=20261202T101500");
    assert!(has(&r.findings, "draft.txt.proposed"));
    assert_eq!(
        d.diff.mode,
        Some(Change {
            from: None,
            to: Some(Mode::Enforce)
        })
    );
    assert!(d.txt_id_must_change);
    // Reports first, then testing, then this enforce policy: served, checked, announced.
    let at = |prefix: &str| d.rollout.iter().position(|s| s.starts_with(prefix));
    let (reports, testing, serve, txt) = (
        at("Publish a TLS-RPT record first"),
        at("Before this enforce policy, run the same policy in mode testing"),
        at("Serve the policy at https://mta-sts.example.com/"),
        at("Only then publish the TXT record"),
    );
    assert!(
        reports.is_some() && reports < testing && testing < serve && serve < txt,
        "{:?}",
        d.rollout
    );
    assert_eq!(r.verdict, Some(Verdict::Pass), "{:?}", r.findings);
}

#[test]
fn a_draft_over_a_failing_mx_in_testing_delivers_and_in_enforce_refuses() {
    let fails = |h: &str| {
        probe(if h == "mx2.example.com" {
            TlsStatus::CertificateExpired
        } else {
            TlsStatus::Ok
        })
    };
    let testing = "version: STSv1\nmode: testing\nmx: *.example.com\nmax_age: 86400\n";
    let r = run_draft(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        txt(&[TLSRPT]),
        fetched(testing),
        fails,
        draft(ENFORCE),
    );
    let d = r.draft.unwrap();
    assert!(
        d.effects
            .iter()
            .any(|e| e.starts_with("Mail to mx2.example.com will be refused")
                && e.contains("TLS does not verify")),
        "{:?}",
        d.effects
    );
    assert_ne!(r.verdict, Some(Verdict::Pass));
}

#[test]
fn a_draft_that_does_not_parse_says_so() {
    let r = two_mx_with(ENFORCE, draft("this is not a policy"));
    assert_eq!(r.verdict, Some(Verdict::Fail));
    let d = r.draft.unwrap();
    assert!(d.effects[0].contains("not a valid policy"));
    assert!(d.rollout[0].starts_with("Fix the errors"));
    assert!(d.txt_id_must_change);
}

#[test]
fn clearing_the_draft_gives_the_published_report_back() {
    let plain = two_mx_with(ONLY_MX1, None);
    let mut again = two_mx_with(ONLY_MX1, None);
    again.draft = None;
    assert_eq!(plain, again);
}

#[test]
fn a_pattern_for_an_mx_not_yet_in_dns_is_published_before_the_mx_changes() {
    let ahead = "version: STSv1\nmode: enforce\nmx: *.example.com\nmx: mx.new-provider.example\nmax_age: 31557600\n";
    let d = two_mx_with(ENFORCE, draft(ahead)).draft.unwrap();
    assert_eq!(d.diff.mx_added, ["mx.new-provider.example"]);
    assert!(
        d.rollout.iter().any(
            |s| s.starts_with("mx.new-provider.example covers no MX of today")
                && s.contains("only then change the MX records")
        ),
        "{:?}",
        d.rollout
    );
}

#[test]
fn a_draft_over_a_policy_host_with_a_bad_certificate_cannot_take_effect() {
    let mut broken = fetched(ENFORCE);
    broken.status = FetchStatus::CertificateExpired;
    let r = two_mx_with_fetch(broken, draft(ENFORCE));
    assert_eq!(r.verdict, Some(Verdict::Fail));
    let f = common::find(&r.findings, "draft.policy_host.broken");
    assert!(
        f.message.starts_with(
            "The draft cannot take effect yet: The certificate of mta-sts.example.com is expired"
        ),
        "{}",
        f.message
    );
    assert!(f.fix.as_deref().unwrap().contains("Renew"));
}

#[test]
fn withdrawing_says_how_and_an_unchanged_draft_has_nothing_to_publish() {
    let none = "version: STSv1\nmode: none\nmax_age: 86400\n";
    let d = two_mx_with(ENFORCE, draft(none)).draft.unwrap();
    assert!(
        d.rollout
            .iter()
            .any(|s| s.starts_with("To withdraw MTA-STS") && s.contains("§8.3")),
        "{:?}",
        d.rollout
    );
    let d = two_mx_with(ENFORCE, draft(ENFORCE)).draft.unwrap();
    assert_eq!(
        d.rollout,
        ["Nothing to publish: senders would see no change."]
    );
}

#[test]
fn patterns_repeated_in_other_case_count_once_in_the_diff() {
    let twice = "version: STSv1\nmode: enforce\nmx: *.example.com\nmx: MX9.example.com\nmx: mx9.example.com\nmax_age: 31557600\n";
    let d = two_mx_with(ENFORCE, draft(twice)).draft.unwrap();
    assert_eq!(d.diff.mx_added, ["MX9.example.com"]);
}

fn two_mx_with_fetch(policy: PolicyFetch, d: Option<Draft>) -> Report {
    run_draft(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        txt(&[TLSRPT]),
        policy,
        |_| probe(TlsStatus::Ok),
        d,
    )
}
