//! The check state machine, driven by hand with canned answers (the end-to-end tests drive
//! it against real servers; these pin the verdict rules).

mod common;

use common::canned::*;
use mtasts_core::dns::{DnsAnswer, DnsOutcome, MxRecord};
use mtasts_core::report::*;
use mtasts_core::{Answer, Check, RecordStatus, Request};

fn ok_probe(_: &str) -> ProbeResult {
    probe(TlsStatus::Ok)
}

fn codes(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_ref()).collect()
}

#[test]
fn a_good_enforce_domain_passes_and_every_mx_delivers() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        txt(&["v=TLSRPTv1; rua=mailto:tls@example.com"]),
        fetched(ENFORCE),
        ok_probe,
    );
    assert_eq!(r.verdict, Some(Verdict::Pass), "{:?}", codes(&r));
    assert_eq!(r.domain, "example.com");
    assert_eq!(r.txt.id.as_deref(), Some("1"));
    assert_eq!(r.policy.mode, Some(mtasts_core::Mode::Enforce));
    assert_eq!(r.mx.len(), 2);
    for m in &r.mx {
        assert!(m.matched);
        assert_eq!(m.pattern.as_deref(), Some("*.example.com"));
        assert_eq!(m.sender, Some(Sender::Deliver));
        assert_eq!(m.tlsrpt_result, None);
    }
    assert_eq!(r.tlsrpt.status, Some(RecordStatus::Valid));
    assert!(r.summary.contains("all 2 MX hosts"));
}

#[test]
fn no_txt_is_none_even_when_a_policy_is_served() {
    let r = run(
        txt(&[]),
        mx(&["mx1.example.com"]),
        txt(&[]),
        fetched(ENFORCE),
        ok_probe,
    );
    assert_eq!(r.verdict, Some(Verdict::None));
    assert_eq!(r.txt.status, Some(RecordStatus::None));
    assert!(codes(&r).contains(&"policy.unadvertised"));
    assert_eq!(r.mx[0].sender, Some(Sender::DeliverUnverified));
    assert_eq!(r.mx[0].tlsrpt_result, None);
}

#[test]
fn a_dns_failure_is_not_an_absence() {
    let r = run(
        DnsAnswer::failed(DnsOutcome::ServFail),
        mx(&["mx1.example.com"]),
        txt(&[]),
        fetched(ENFORCE),
        ok_probe,
    );
    assert_eq!(r.txt.status, Some(RecordStatus::Error));
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert!(codes(&r).contains(&"txt.lookup.failed"));
}

#[test]
fn enforce_refuses_an_mx_outside_the_patterns_and_a_bad_certificate() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx.other.net", "mx3.example.com"]),
        txt(&["v=TLSRPTv1; rua=mailto:tls@example.com"]),
        fetched(ENFORCE),
        |h| {
            probe(if h == "mx3.example.com" {
                TlsStatus::CertificateExpired
            } else {
                TlsStatus::Ok
            })
        },
    );
    assert_eq!(r.verdict, Some(Verdict::Fail));
    let by = |h: &str| r.mx.iter().find(|m| m.host == h).unwrap();
    assert_eq!(by("mx1.example.com").sender, Some(Sender::Deliver));
    assert_eq!(by("mx.other.net").sender, Some(Sender::Refuse));
    assert!(!by("mx.other.net").matched);
    assert_eq!(
        by("mx.other.net").tlsrpt_result,
        Some(ResultType::ValidationFailure)
    );
    assert_eq!(by("mx3.example.com").sender, Some(Sender::Refuse));
    assert_eq!(
        by("mx3.example.com").tlsrpt_result,
        Some(ResultType::CertificateExpired)
    );
    assert!(codes(&r).contains(&"mx.cert.expired"));
}

#[test]
fn testing_mode_delivers_unverified_and_warns() {
    let body = ENFORCE.replace("enforce", "testing");
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&["v=TLSRPTv1; rua=mailto:tls@example.com"]),
        fetched(&body),
        |_| probe(TlsStatus::StarttlsNotSupported),
    );
    assert_eq!(r.verdict, Some(Verdict::Warn));
    assert_eq!(r.mx[0].sender, Some(Sender::DeliverUnverified));
    assert_eq!(
        r.mx[0].tlsrpt_result,
        Some(ResultType::StarttlsNotSupported)
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "mx.starttls.missing")
        .unwrap();
    assert_eq!(f.severity, mtasts_core::Severity::Warning, "mode-scaled");
}

#[test]
fn testing_without_tlsrpt_is_a_warning() {
    let body = ENFORCE.replace("enforce", "testing");
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&[]),
        fetched(&body),
        ok_probe,
    );
    assert!(codes(&r).contains(&"policy.testing_without_tlsrpt"));
}

#[test]
fn fetch_facts_become_rfc_verdicts() {
    let mut redirect = fetched("");
    redirect.http_status = Some(301);
    redirect.redirect_to = Some("https://www.example.com/".into());
    redirect.body = None;
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&[]),
        redirect,
        ok_probe,
    );
    assert_eq!(
        r.policy.fetch.as_ref().unwrap().status,
        FetchStatus::Redirect
    );
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert_eq!(r.mx[0].tlsrpt_result, Some(ResultType::StsPolicyFetchError));
    assert_eq!(r.mx[0].sender, Some(Sender::DeliverUnverified));

    let mut html = fetched(ENFORCE);
    html.content_type = Some("text/html".into());
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&[]),
        html,
        ok_probe,
    );
    assert_eq!(
        r.policy.fetch.as_ref().unwrap().status,
        FetchStatus::ContentType
    );
    assert!(!r.policy.valid);

    let mut missing = fetched("not found");
    missing.http_status = Some(404);
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&[]),
        missing,
        ok_probe,
    );
    assert_eq!(
        r.policy.fetch.as_ref().unwrap().status,
        FetchStatus::HttpStatus
    );
    assert!(codes(&r).contains(&"policy.fetch.status"));
}

#[test]
fn only_tolerated_errors_make_a_warn_verdict_that_names_strict_senders() {
    let body = format!("{ENFORCE}\n");
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&["v=TLSRPTv1; rua=mailto:a@example.com"]),
        fetched(&body),
        ok_probe,
    );
    assert_eq!(r.verdict, Some(Verdict::Warn), "{:?}", codes(&r));
    assert!(!r.policy.valid);
    assert!(r.summary.contains("mox"));
    assert_eq!(
        r.mx[0].sender,
        Some(Sender::Deliver),
        "lenient senders apply the policy"
    );
    assert!(r.findings.iter().any(|f| f.tolerated));
}

#[test]
fn no_mx_means_the_domain_itself_and_null_mx_means_no_mail() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        DnsAnswer::failed(DnsOutcome::NoData),
        txt(&[]),
        fetched("version: STSv1\nmode: enforce\nmx: example.com\nmax_age: 604800\n"),
        ok_probe,
    );
    assert_eq!(r.mx.len(), 1);
    assert_eq!(r.mx[0].host, "example.com");
    assert!(codes(&r).contains(&"mx.implicit"));

    let mut null = DnsAnswer::failed(DnsOutcome::Answer);
    null.mx = vec![MxRecord {
        preference: 0,
        host: String::new(),
    }];
    let r = run(
        txt(&["v=STSv1; id=1"]),
        null,
        txt(&[]),
        fetched(ENFORCE),
        ok_probe,
    );
    assert!(r.mx.is_empty());
    assert!(codes(&r).contains(&"mx.null"));
}

#[test]
fn the_partial_report_grows_and_answers_are_checked() {
    let mut check = Check::new("example.com");
    let reqs = check.poll_requests();
    assert!(
        check.poll_requests().is_empty(),
        "each request is handed out once"
    );
    let r = check.report();
    assert!(!r.complete);
    assert_eq!(r.verdict, None);
    assert_eq!(r.txt.state, StepState::Running);
    let mx_id = reqs
        .iter()
        .find(|r| matches!(r, Request::Dns { name, .. } if name == "example.com"))
        .unwrap()
        .id();
    assert!(
        check
            .handle(mx_id, Answer::Policy(fetched(ENFORCE)), 1)
            .is_err(),
        "wrong kind"
    );
    assert!(
        check.handle(999, Answer::Dns(mx(&[])), 1).is_err(),
        "unknown id"
    );
    check
        .handle(
            mx_id,
            Answer::Dns(mx(&["a.example.com", "b.example.com"])),
            2,
        )
        .unwrap();
    let probes: Vec<Request> = check
        .poll_requests()
        .into_iter()
        .filter(|r| matches!(r, Request::Probe { .. }))
        .collect();
    assert_eq!(probes.len(), 2, "one probe per MX, all at once");
    assert!(
        check.handle(mx_id, Answer::Dns(mx(&[])), 3).is_err(),
        "answered once"
    );
    assert_eq!(check.report().mx.len(), 2);
    assert_eq!(check.report().mx[0].state, StepState::Running);
}

#[test]
fn the_report_serializes_with_the_documented_names() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&[]),
        fetched(ENFORCE),
        |_| probe(TlsStatus::CertificateHostMismatch),
    );
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["verdict"], "fail");
    assert_eq!(v["txt"]["status"], "valid");
    assert_eq!(v["policy"]["fetch"]["status"], "ok");
    assert_eq!(v["mx"][0]["tls"]["status"], "certificate-host-mismatch");
    assert_eq!(v["mx"][0]["sender"], "refuse");
    assert_eq!(v["mx"][0]["tlsrpt_result"], "certificate-host-mismatch");
    assert_eq!(v["tlsrpt"]["status"], "none");
    let back: Report = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
}

#[test]
fn the_markdown_export_names_verdict_hosts_and_findings() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx|evil.example.com"]),
        txt(&[]),
        fetched(ENFORCE),
        |_| probe(TlsStatus::CertificateExpired),
    );
    let md = mtasts_core::markdown::render(&r);
    assert!(
        md.starts_with("# MTA-STS check of example.com: FAIL"),
        "{md}"
    );
    assert!(md.contains("| 10 | mx1.example.com | \\*.example.com | certificate-expired | refuse this host \\(enforce\\): mail waits for another MX or bounces | certificate-expired |"), "{md}");
    assert!(md.contains("1. **lookup**: warn. "), "{md}");
    assert!(md.contains("4. **tls**: fail. "), "{md}");
    assert!(md.contains("**error** `mx.cert.expired`"), "{md}");
    assert!(
        md.contains("mx\\|evil"),
        "table cells from the network are escaped: {md}"
    );
}

#[test]
fn a_huge_mx_set_is_probed_only_for_the_most_preferred_hosts() {
    let hosts: Vec<String> = (0..60).map(|i| format!("mx{i}.example.com")).collect();
    let refs: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let mut answer = mx(&refs);
    answer.mx.push(MxRecord {
        preference: 5,
        host: "mx3.example.com".into(),
    });
    answer.mx.sort_by_key(|m| m.preference);
    let mut check = Check::new("example.com");
    let id = check
        .poll_requests()
        .iter()
        .find(|r| matches!(r, Request::Dns { name, .. } if name == "example.com"))
        .unwrap()
        .id();
    check.handle(id, Answer::Dns(answer), 5).unwrap();
    let requests = check.poll_requests();
    let probes = requests
        .iter()
        .filter(|r| matches!(r, Request::Probe { .. }))
        .count();
    assert_eq!(probes, mtasts_core::check::MAX_PROBED_MX);
    assert_eq!(
        requests.len(),
        4 * mtasts_core::check::MAX_PROBED_MX,
        "each probed host's A, AAAA and TLSA look-ups come with its probe"
    );
    let r = check.report();
    assert_eq!(r.mx.len(), 60, "each host once, at its lowest preference");
    assert_eq!(r.mx[0].host, "mx3.example.com");
    assert_eq!(
        r.mx.iter()
            .filter(|m| m.state == StepState::Skipped)
            .count(),
        35
    );
    assert!(r.mx[59].findings.iter().any(|f| f.code == "mx.not_probed"));
}

#[test]
fn without_the_companion_the_page_says_what_could_not_run() {
    let mut unchecked = fetched("");
    unchecked.status = FetchStatus::Unchecked;
    unchecked.body = None;
    unchecked.http_status = None;
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&["v=TLSRPTv1; rua=mailto:a@example.com"]),
        unchecked,
        |_| probe(TlsStatus::Unchecked),
    );
    assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", codes(&r));
    let unavailable: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.code == "check.unavailable")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(unavailable.len(), 1, "one blind spot, said once");
    assert!(
        unavailable[0].contains("the policy fetch and the STARTTLS probes"),
        "{unavailable:?}"
    );
    assert!(no_domain_errors(&r), "{:?}", codes(&r));
    assert_eq!(r.mx[0].sender, None);
    assert_eq!(
        outcome(&r, StepId::Retrieval),
        Some(StepOutcome::Inconclusive)
    );
    assert_eq!(outcome(&r, StepId::Validation), Some(StepOutcome::Skipped));
    assert_eq!(outcome(&r, StepId::Tls), Some(StepOutcome::Inconclusive));
}

fn outcome(r: &Report, id: StepId) -> Option<StepOutcome> {
    r.steps.iter().find(|s| s.id == id).and_then(|s| s.outcome)
}

/// True when no finding blames the domain with an error.
fn no_domain_errors(r: &Report) -> bool {
    !r.findings
        .iter()
        .any(|f| f.severity == mtasts_core::Severity::Error)
}

fn good_tlsrpt() -> DnsAnswer {
    txt(&["v=TLSRPTv1; rua=mailto:tls@example.com"])
}

fn unreachable_resolver() -> DnsAnswer {
    DnsAnswer::failed(DnsOutcome::Error(
        "the resolver could not be reached (connection refused)".into(),
    ))
}

#[test]
fn an_unreachable_resolver_is_inconclusive_and_blames_nobody() {
    let mut fetch = fetched("");
    fetch.status = FetchStatus::ResolverFailed;
    fetch.error = Some("the look-up timed out".into());
    fetch.body = None;
    fetch.http_status = None;
    let r = run(
        unreachable_resolver(),
        unreachable_resolver(),
        unreachable_resolver(),
        fetch,
        ok_probe,
    );
    assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", codes(&r));
    assert!(no_domain_errors(&r), "{:?}", r.findings);
    assert!(r.summary.contains("resolver"), "{}", r.summary);
    assert!(
        r.summary.contains("another DNS-over-HTTPS resolver"),
        "{}",
        r.summary
    );
    assert_eq!(
        r.summary.matches("could not be reached").count(),
        1,
        "the driver's words once: {}",
        r.summary
    );
    assert_eq!(outcome(&r, StepId::Lookup), Some(StepOutcome::Inconclusive));
    assert_eq!(
        outcome(&r, StepId::Retrieval),
        Some(StepOutcome::Inconclusive)
    );
    assert_eq!(outcome(&r, StepId::Validation), Some(StepOutcome::Skipped));
    assert_eq!(outcome(&r, StepId::Tls), Some(StepOutcome::Skipped));
    assert!(codes(&r).contains(&"check.resolver.failed"));
}

#[test]
fn servfail_from_a_working_resolver_is_the_domains() {
    let r = run(
        DnsAnswer::failed(DnsOutcome::ServFail),
        mx(&["mx1.example.com"]),
        good_tlsrpt(),
        fetched(ENFORCE),
        ok_probe,
    );
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert_eq!(outcome(&r, StepId::Lookup), Some(StepOutcome::Fail));
}

#[test]
fn a_broken_tlsrpt_record_alone_is_only_a_warning() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        txt(&["v=TLSRPTv1; rua=tls@example.com"]),
        fetched(ENFORCE),
        ok_probe,
    );
    assert_eq!(r.verdict, Some(Verdict::Warn), "{:?}", codes(&r));
    assert!(r.summary.contains("TLS-RPT"), "{}", r.summary);
    assert_eq!(outcome(&r, StepId::Lookup), Some(StepOutcome::Warn));
    assert_eq!(r.mx[0].sender, Some(Sender::Deliver));
}

#[test]
fn every_mx_refusing_connections_under_enforce_fails() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        good_tlsrpt(),
        fetched(ENFORCE),
        |_| probe(TlsStatus::ConnectFailed),
    );
    assert_eq!(r.verdict, Some(Verdict::Fail), "{:?}", codes(&r));
    assert!(codes(&r).contains(&"domain.mx.none_accepts"));
    assert!(
        r.summary.contains("cannot be delivered at all"),
        "{}",
        r.summary
    );
    assert_eq!(outcome(&r, StepId::Tls), Some(StepOutcome::Fail));
}

#[test]
fn mx_timeouts_are_inconclusive_unless_another_mx_answered() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        good_tlsrpt(),
        fetched(ENFORCE),
        |_| probe(TlsStatus::ConnectTimeout),
    );
    assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", codes(&r));
    assert!(no_domain_errors(&r), "{:?}", r.findings);
    assert!(r.summary.contains("port 25"), "{}", r.summary);
    assert_eq!(outcome(&r, StepId::Tls), Some(StepOutcome::Inconclusive));

    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        good_tlsrpt(),
        fetched(ENFORCE),
        |h| {
            probe(if h == "mx2.example.com" {
                TlsStatus::ConnectTimeout
            } else {
                TlsStatus::Ok
            })
        },
    );
    assert_eq!(r.verdict, Some(Verdict::Warn), "{:?}", codes(&r));
    assert!(codes(&r).contains(&"mx.unreachable"));
    assert!(!codes(&r).contains(&"check.mx.unreachable"));
}

#[test]
fn a_failing_backup_mx_is_named_and_the_mail_still_arrives() {
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com", "mx3.example.com"]),
        good_tlsrpt(),
        fetched(ENFORCE),
        |h| {
            probe(if h == "mx3.example.com" {
                TlsStatus::CertificateExpired
            } else {
                TlsStatus::Ok
            })
        },
    );
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert!(!r.summary.contains("broken"), "{}", r.summary);
    assert!(
        r.summary
            .contains("delivered over verified TLS to mx1.example.com"),
        "{}",
        r.summary
    );
    assert!(
        r.summary
            .contains("refuse mx3.example.com (expired certificate)"),
        "{}",
        r.summary
    );
    assert!(r.summary.contains("falls back to it"), "{}", r.summary);
}

#[test]
fn a_failed_fetch_names_cached_and_uncached_senders() {
    let mut missing = fetched("not found");
    missing.http_status = Some(404);
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com"]),
        good_tlsrpt(),
        missing,
        ok_probe,
    );
    assert_eq!(r.verdict, Some(Verdict::Fail));
    assert!(
        r.summary
            .contains("no cached policy deliver without MTA-STS"),
        "{}",
        r.summary
    );
    assert!(
        r.summary
            .contains("cached an earlier policy keep enforcing it"),
        "{}",
        r.summary
    );
    assert!(
        r.mx[0].senders_will.contains("cached"),
        "{}",
        r.mx[0].senders_will
    );
    assert_eq!(outcome(&r, StepId::Retrieval), Some(StepOutcome::Fail));
    assert_eq!(outcome(&r, StepId::Validation), Some(StepOutcome::Skipped));
}

#[test]
fn unused_patterns_use_the_senders_matching() {
    let body = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.com\nmx: old.example.net\nmax_age: 604800\n";
    let r = run(
        txt(&["v=STSv1; id=1"]),
        mx(&["mx1.example.com", "mx2.example.com"]),
        good_tlsrpt(),
        fetched(body),
        ok_probe,
    );
    assert_eq!(
        r.policy.unused_patterns,
        vec!["old.example.net".to_string()]
    );
    assert_eq!(
        codes(&r)
            .iter()
            .filter(|c| **c == "policy.mx.unused")
            .count(),
        1
    );
}

#[test]
fn steps_wait_run_and_finish_with_elapsed_times() {
    let mut check = Check::new("example.com");
    let reqs = check.poll_requests();
    let r = check.report();
    let states: Vec<StepProgress> = r.steps.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        [
            StepProgress::Running,
            StepProgress::Running,
            StepProgress::Pending,
            StepProgress::Pending
        ]
    );
    assert!(r.steps.iter().all(|s| s.outcome.is_none()));
    for req in reqs {
        let answer = match &req {
            Request::Dns { name, .. } if name == "example.com" => {
                Answer::Dns(mx(&["mx1.example.com"]))
            }
            Request::Dns { name, .. } if name.starts_with("_mta-sts") => {
                Answer::Dns(txt(&["v=STSv1; id=1"]))
            }
            Request::Dns { .. } => Answer::Dns(good_tlsrpt()),
            Request::FetchPolicy { .. } => Answer::Policy(fetched(ENFORCE)),
            Request::Probe { .. } => unreachable!(),
        };
        check.handle(req.id(), answer, 40).unwrap();
    }
    let r = check.report();
    assert_eq!(r.steps[0].state, StepProgress::Done);
    assert_eq!(r.steps[0].elapsed_ms, Some(40));
    assert_eq!(r.steps[3].state, StepProgress::Running);
    for req in check.poll_requests() {
        let answer = match req {
            Request::Probe { .. } => Answer::Probe(probe(TlsStatus::Ok)),
            _ => Answer::Dns(DnsAnswer::failed(DnsOutcome::NoData)),
        };
        check.handle(req.id(), answer, 250).unwrap();
    }
    let r = check.report();
    assert_eq!(r.steps[3].elapsed_ms, Some(250));
    assert!(
        r.steps.iter().all(|s| s.outcome == Some(StepOutcome::Ok)),
        "{:?}",
        r.steps
    );
    assert_eq!(r.verdict, Some(Verdict::Pass));
}
