//! From the [`Answers`] of a check to the [`Report`]: every judgement is made here, once, so
//! the page, the CLI and the Markdown export only render it.
//!
//! - [`lookup`]: the `_mta-sts`, MX and `_smtp._tls` look-ups;
//! - [`retrieval`]: the policy fetch and the policy senders apply;
//! - [`mx`]: MX matching and the STARTTLS probes, per host;
//! - [`senders`]: what a sender does with one MX (a pure decision table);
//! - [`blind`]: what the tester could not see, and why;
//! - [`steps`] and [`outcome`]: the four steps and the verdict;
//! - [`text`]: the wording shared by several of them.

mod blind;
mod dane;
mod lookup;
mod mx;
mod outcome;
mod retrieval;
pub mod senders;
mod steps;
mod text;

use crate::answers::Answers;
use crate::finding::Finding;
use crate::report::Report;

/// Findings of one step, before they are merged into the report's list.
#[derive(Default)]
pub(crate) struct Judged {
    pub retrieval: Vec<Finding>,
    pub validation: Vec<Finding>,
    pub tls: Vec<Finding>,
}

pub(crate) use text::{fetch_finding, policy_host, tls_reason};

/// The report of the answers; with a draft, the report of the draft as if it were
/// published, compared with the published set-up.
pub(crate) fn build(a: &Answers) -> Report {
    let Some(draft) = &a.draft else {
        return build_published(a);
    };
    build_draft(a, draft, &build_published(a))
}

/// The report of `draft` judged on the answers, compared with `published`, their report
/// without it (a driver that already has that report passes it, and it is not built again).
pub(crate) fn build_draft(a: &Answers, draft: &crate::draft::Draft, published: &Report) -> Report {
    let (drafted, txt, source) = crate::draft::drafted_answers(a, draft);
    let mut report = build_published(&drafted);
    crate::draft::compare(draft, txt, source, published, &mut report);
    report
}

pub(crate) fn build_published(a: &Answers) -> Report {
    let validating = a.resolver_validates();
    let status = |d: &Option<crate::dns::DnsAnswer>| {
        d.as_ref().map(|d| crate::dnssec::status(d, validating))
    };
    let mut txt = lookup::txt_step(a.txt.as_ref());
    txt.dnssec = status(&a.txt);
    let mut tlsrpt = lookup::tlsrpt_step(a.tlsrpt.as_ref());
    tlsrpt.dnssec = status(&a.tlsrpt);
    let mut mx_set_findings = lookup::mx_set_findings(a);
    mx_set_findings.extend(dane::lookup_findings(a));
    let policy = retrieval::judge(a, &txt);
    let mx = mx::reports(a, &policy);
    let mut judged = Judged {
        retrieval: policy.fetch_findings.clone(),
        validation: policy.parse_findings.clone(),
        tls: Vec::new(),
    };
    judged
        .validation
        .extend(retrieval::domain_findings(a, &policy, &tlsrpt, &mx));
    let blind = blind::spots(a, &txt, &policy, &mx);
    judged.tls.extend(mx::domain_findings(&policy, &mx));
    judged.tls.extend(blind::findings(&blind));

    let step_list = steps::all(a, &txt, &tlsrpt, &mx_set_findings, &policy, &mx, &judged);

    let mut findings: Vec<Finding> = Vec::new();
    findings.extend(txt.findings.iter().cloned());
    findings.extend(mx_set_findings.iter().cloned());
    findings.extend(judged.retrieval.iter().cloned());
    findings.extend(judged.validation.iter().cloned());
    for m in &mx {
        findings.extend(m.report.findings.iter().cloned());
    }
    findings.extend(judged.tls.iter().cloned());
    findings.extend(tlsrpt.findings.iter().cloned());

    let (verdict, summary) = if a.complete {
        let (v, s) = outcome::verdict(&outcome::Facts {
            txt: &txt,
            policy: &policy,
            mx: &mx,
            findings: &findings,
            blind: &blind,
        });
        (Some(v), s)
    } else {
        (None, "The check is running.".to_string())
    };
    let mut policy_step = policy.step.clone();
    policy_step.findings = [judged.retrieval, judged.validation].concat();
    let mut report = Report {
        report_version: crate::report::REPORT_VERSION,
        domain: a.domain.clone(),
        verdict,
        summary,
        complete: a.complete,
        steps: step_list,
        txt,
        policy: policy_step,
        mx: mx.into_iter().map(|m| m.into_report()).collect(),
        tlsrpt,
        senders: Vec::new(),
        findings,
        draft: None,
        changes: None,
        resolvers: None,
        checked_at: None,
        dnssec: crate::report::DnssecReport {
            resolver_validates: validating,
            mx: dane::mx_status(a, validating),
        },
    };
    if report.complete {
        report.senders = crate::profiles::senders(&report);
        if let Some(f) = crate::profiles::disagreement(&report.senders) {
            report.findings.push(f);
        }
        crate::profiles::annotate(&mut report.findings, &report.senders);
        crate::profiles::annotate(&mut report.txt.findings, &report.senders);
        crate::profiles::annotate(&mut report.policy.findings, &report.senders);
    }
    report
}
