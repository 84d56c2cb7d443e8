//! Per MX host: the pattern that covers it (RFC 8461 §4.1), what its STARTTLS probe saw
//! (§4.2), and what senders do with it.

use super::lookup::state_of;
use super::retrieval::{PolicyJudged, PolicyView};
use super::senders::{self, SenderInput, TlsView};
use super::text;
use crate::answers::Answers;
use crate::finding::{Finding, Rule, Severity};
use crate::policy::Mode;
use crate::report::{MxReport, Sender, StepState, TlsStatus};
use crate::{pattern, rules};

/// One MX host, judged.
pub(super) struct MxJudged {
    pub report: MxReport,
    /// How a sender sees the probe; `None` while it runs or when it was not probed.
    pub tls: Option<TlsView>,
    /// The pattern finding (validation step).
    pub match_findings: Vec<Finding>,
    /// The probe's findings (TLS step).
    pub tls_findings: Vec<Finding>,
}

impl MxJudged {
    pub fn into_report(self) -> MxReport {
        self.report
    }

    pub fn status(&self) -> Option<TlsStatus> {
        self.report.tls.as_ref().map(|t| t.status)
    }
}

/// The severity of an MX failure under the mode in effect: an error under enforce, a
/// warning under testing, advice otherwise.
fn scaled(rule: Rule, mode: Option<Mode>) -> Severity {
    match mode {
        Some(Mode::Enforce) => rule.severity,
        Some(Mode::Testing) => Severity::Warning,
        _ => Severity::Info,
    }
}

pub(super) fn reports(a: &Answers, policy: &PolicyJudged) -> Vec<MxJudged> {
    let hosts = a.mx.as_ref().map(|m| m.hosts()).unwrap_or_default();
    let patterns: Vec<&str> = policy
        .parsed
        .as_ref()
        .map(|p| p.mx.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mode = policy.mode_in_effect();
    hosts
        .into_iter()
        .map(|record| {
            let host = record.host;
            let probed = a.probes.contains_key(&host);
            let probe = a.probes.get(&host).cloned().flatten();
            let pattern = pattern::find_match(&host, patterns.iter().copied()).map(str::to_string);
            let mut judged = MxJudged {
                tls: probe.as_ref().map(|p| TlsView::of(p.tls.status)),
                report: MxReport {
                    host: host.clone(),
                    preference: record.preference,
                    addresses: probe
                        .as_ref()
                        .map(|p| p.addresses.clone())
                        .unwrap_or_default(),
                    matched: pattern.is_some(),
                    pattern,
                    state: if probed {
                        state_of(probe.as_ref())
                    } else {
                        StepState::Skipped
                    },
                    tls: probe.map(|p| p.tls),
                    sender: None,
                    senders_will: String::new(),
                    tlsrpt_result: None,
                    address_dnssec: None,
                    dane: None,
                    findings: Vec::new(),
                },
                match_findings: Vec::new(),
                tls_findings: Vec::new(),
            };
            if !probed {
                judged
                    .tls_findings
                    .push(rules::MX_NOT_PROBED.finding(format!(
                        "{host} was not probed: a check probes the {} most preferred MX hosts.",
                        crate::check::MAX_PROBED_MX
                    )));
            }
            match_finding(&mut judged, policy, mode);
            tls_findings(&mut judged, mode, a.expiry_days());
            let dane = super::dane::host(a, &host, judged.report.tls.as_ref());
            judged.report.address_dnssec = dane.address_dnssec;
            judged.report.dane = dane.dane;
            judged.tls_findings.extend(dane.findings);
            decide(&mut judged, policy);
            judged.report.findings =
                [judged.match_findings.clone(), judged.tls_findings.clone()].concat();
            judged
        })
        .collect()
}

fn match_finding(m: &mut MxJudged, policy: &PolicyJudged, mode: Option<Mode>) {
    let mode_declared = policy.step.mode.is_some_and(|m| m != Mode::None);
    if policy.step.fetch.is_none() || !mode_declared || m.report.matched {
        return;
    }
    let host = &m.report.host;
    m.match_findings.push(
        rules::MX_PATTERN_NO_MATCH
            .finding(format!(
                "No mx pattern of the policy covers {host}; {}",
                text::consequence(mode)
            ))
            .fix(format!(
                "Add \"mx: {host}\" to the policy (a \"*.\" pattern covers exactly one label)."
            ))
            .severity(scaled(rules::MX_PATTERN_NO_MATCH, mode)),
    );
}

fn tls_findings(m: &mut MxJudged, mode: Option<Mode>, expiry_days: i64) {
    let Some(tls) = &m.report.tls else { return };
    let host = m.report.host.clone();
    if let Some((rule, what, fix)) = text::tls_failure(&host, tls) {
        let mut sentence = what;
        if let Some(first) = sentence.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        m.tls_findings.push(
            rule.finding(format!("{sentence}; {}", text::consequence(mode)))
                .fix(fix)
                .severity(scaled(rule, mode)),
        );
    }
    let why = tls
        .error
        .as_deref()
        .map(|e| format!(" ({})", text::clause(e)))
        .unwrap_or_default();
    match tls.status {
        TlsStatus::ConnectFailed | TlsStatus::SmtpError | TlsStatus::DnsError => {
            m.tls_findings.push(
                rules::MX_UNREACHABLE
                    .finding(format!("{host} does not complete an SMTP session on port 25{why}. Senders queue mail for it and try other MX hosts."))
                    .fix("Make sure port 25 is open and the server answers with a 220 greeting."),
            );
        }
        TlsStatus::Timeout | TlsStatus::ConnectTimeout => {
            m.tls_findings.push(
                rules::MX_UNREACHABLE
                    .finding(format!("{host} did not answer the probe in time{why}. Senders wait longer than this probe does, or try other MX hosts."))
                    .fix("Make sure port 25 is open and the server greets within a few seconds."),
            );
        }
        TlsStatus::Ok => {
            if let Some(cert) = tls
                .cert
                .as_ref()
                .filter(|c| c.days_left >= 0 && c.days_left < expiry_days)
            {
                m.tls_findings.push(
                    rules::MX_CERT_EXPIRING
                        .finding(format!(
                            "The certificate of {host} expires in {} days ({}), within the {expiry_days}-day warning threshold.",
                            cert.days_left, cert.not_after
                        ))
                        .fix("Renew it now and check that renewal is automated."),
                );
            }
        }
        // Tester-side gaps (not probed, resolver down) are reported once, as blind spots.
        _ => {}
    }
}

fn decide(m: &mut MxJudged, policy: &PolicyJudged) {
    let Some(tls) = m.tls else {
        m.report.senders_will = if m.report.state == StepState::Skipped {
            "unknown: not probed".into()
        } else {
            "…".into()
        };
        return;
    };
    let input = SenderInput {
        policy: policy.view,
        matched: m.report.matched,
        tls,
    };
    let decision = senders::decide(input);
    m.report.sender = decision.sender;
    m.report.tlsrpt_result = decision.result;
    m.report.senders_will = senders::words(input, decision);
}

/// Findings about the MX hosts together: none accepts mail at all, or none passes under
/// enforce.
pub(super) fn domain_findings(policy: &PolicyJudged, mx: &[MxJudged]) -> Vec<Finding> {
    let mut out = Vec::new();
    let probed: Vec<&MxJudged> = mx.iter().filter(|m| m.tls.is_some()).collect();
    if probed.is_empty() || probed.len() != mx.len() {
        return out;
    }
    if probed.iter().all(|m| m.tls == Some(TlsView::Refused)) {
        let hosts: Vec<String> = probed.iter().map(|m| m.report.host.clone()).collect();
        out.push(
            rules::DOMAIN_MX_NONE_ACCEPTS
                .finding(format!(
                    "No MX host completes an SMTP session on port 25 ({}): mail to this domain cannot be delivered at all.",
                    text::list(&hosts)
                ))
                .fix("Make sure the MX hosts accept connections on port 25 from the internet and greet with 220."),
        );
        return out;
    }
    // Only when every host was seen: a host that timed out may still take the mail.
    let refused =
        |m: &&MxJudged| m.report.sender == Some(Sender::Refuse) || m.tls == Some(TlsView::Refused);
    let all_refuse = probed.iter().all(refused)
        && probed
            .iter()
            .any(|m| m.report.sender == Some(Sender::Refuse));
    if policy.view == PolicyView::Applied(Mode::Enforce) && all_refuse {
        out.push(
            rules::DOMAIN_ENFORCE_ALL_MX_FAIL
                .finding("Under mode enforce no MX host passes: mail from MTA-STS senders will queue and then bounce.")
                .fix("Fix the MX hosts' TLS, or switch the policy to mode testing until they pass."),
        );
    }
    out
}
