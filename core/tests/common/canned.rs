//! Canned answers for driving the check state machine by hand.

use mtasts_core::dns::{DnsAnswer, DnsOutcome, MxRecord, RecordType};
use mtasts_core::draft::Draft;
use mtasts_core::report::*;
use mtasts_core::{Answer, Check, Request, TxtRecord};

pub fn txt(records: &[&str]) -> DnsAnswer {
    let mut a = DnsAnswer::failed(if records.is_empty() {
        DnsOutcome::NxDomain
    } else {
        DnsOutcome::Answer
    });
    a.txt = records.iter().map(|r| TxtRecord::from_text(r)).collect();
    a
}

pub fn mx(hosts: &[&str]) -> DnsAnswer {
    let mut a = DnsAnswer::failed(DnsOutcome::Answer);
    a.mx = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| MxRecord {
            preference: 10 * (i as u16 + 1),
            host: h.to_string(),
        })
        .collect();
    a
}

pub fn fetched(body: &str) -> PolicyFetch {
    PolicyFetch {
        status: FetchStatus::Ok,
        url: "https://mta-sts.example.com/.well-known/mta-sts.txt".into(),
        http_status: Some(200),
        content_type: Some("text/plain; charset=utf-8".into()),
        bytes: Some(body.len() as u64),
        redirect_to: None,
        certificate: None,
        error: None,
        elapsed_ms: None,
        body: Some(body.into()),
        body_base64: None,
    }
}

pub fn probe(status: TlsStatus) -> ProbeResult {
    ProbeResult {
        addresses: vec!["192.0.2.25".into()],
        probes: vec![],
        tls: TlsProbe {
            status,
            address: Some("192.0.2.25".into()),
            version: Some("TLSv1.3".into()),
            cipher: None,
            cert: None,
            transcript: vec![],
            error: None,
            elapsed_ms: None,
            age_ms: None,
            chain: vec![],
        },
    }
}

pub const ENFORCE: &str = "version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 31557600\n";

/// Runs a check to the end with the given answers; probes answer by host.
pub fn run(
    txt_answer: DnsAnswer,
    mx_answer: DnsAnswer,
    tlsrpt_answer: DnsAnswer,
    policy: PolicyFetch,
    probe_of: impl Fn(&str) -> ProbeResult,
) -> Report {
    run_draft(txt_answer, mx_answer, tlsrpt_answer, policy, probe_of, None)
}

/// [`run`], with `dns` answering any look-up it knows first (for DNSSEC and DANE).
pub fn run_dns(
    txt_answer: DnsAnswer,
    mx_answer: DnsAnswer,
    policy: PolicyFetch,
    probe_of: impl Fn(&str) -> ProbeResult,
    dns: impl Fn(&str, RecordType) -> Option<DnsAnswer>,
) -> Report {
    let mut check = Check::new("example.com");
    let mut queue = check.poll_requests();
    while let Some(req) = queue.pop() {
        let answer = match &req {
            Request::Dns { name, rtype, .. } => Answer::Dns(dns(name, *rtype).unwrap_or_else(
                || match (name.as_str(), rtype) {
                    ("_mta-sts.example.com", _) => txt_answer.clone(),
                    ("example.com", RecordType::Mx) => mx_answer.clone(),
                    _ => DnsAnswer::failed(DnsOutcome::NxDomain),
                },
            )),
            Request::FetchPolicy { .. } => Answer::Policy(policy.clone()),
            Request::Probe { host, .. } => Answer::Probe(probe_of(host)),
        };
        check.handle(req.id(), answer, 1).unwrap();
        queue.extend(check.poll_requests());
    }
    assert!(check.is_complete());
    check.report()
}

/// [`run`], judging `draft` in place of the published policy.
pub fn run_draft(
    txt_answer: DnsAnswer,
    mx_answer: DnsAnswer,
    tlsrpt_answer: DnsAnswer,
    policy: PolicyFetch,
    probe_of: impl Fn(&str) -> ProbeResult,
    draft: Option<Draft>,
) -> Report {
    let mut check = Check::new("Example.COM.");
    check.set_draft(draft);
    let first = check.poll_requests();
    assert_eq!(
        first.len(),
        5,
        "three look-ups, the resolver's DNSSEC canary and the fetch at once: {first:?}"
    );
    let mut queue: Vec<Request> = first;
    let mut elapsed = 0;
    while let Some(req) = queue.pop() {
        let answer = match &req {
            // No DNSSEC and no DANE unless a test says so.
            Request::Dns {
                rtype: RecordType::Soa | RecordType::A | RecordType::Aaaa | RecordType::Tlsa,
                ..
            } => Answer::Dns(DnsAnswer::failed(DnsOutcome::NoData)),
            Request::Dns { name, .. } if name == "_mta-sts.example.com" => {
                Answer::Dns(txt_answer.clone())
            }
            Request::Dns { name, .. } if name == "example.com" => Answer::Dns(mx_answer.clone()),
            Request::Dns { name, .. } if name == "_smtp._tls.example.com" => {
                Answer::Dns(tlsrpt_answer.clone())
            }
            Request::FetchPolicy { url, host, .. } => {
                assert_eq!(host, "mta-sts.example.com");
                assert_eq!(url, "https://mta-sts.example.com/.well-known/mta-sts.txt");
                Answer::Policy(policy.clone())
            }
            Request::Probe { host, .. } => Answer::Probe(probe_of(host)),
            other => panic!("unexpected {other:?}"),
        };
        elapsed += 7;
        check.handle(req.id(), answer, elapsed).unwrap();
        queue.extend(check.poll_requests());
    }
    assert!(check.is_complete());
    check.report()
}
