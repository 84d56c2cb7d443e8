//! The policy fetch (RFC 8461 §3.3), the policy body (§3.2) and the policy senders apply.

use super::lookup::state_of;
use super::mx::MxJudged;
use super::text::{self, fetch_finding};
use crate::answers::{Answers, MxSet};
use crate::finding::{Finding, Severity};
use crate::policy::{check_policy, Mode, Policy};
use crate::recordset::RecordStatus;
use crate::report::{FetchStatus, PolicyStep, ResultType, TlsRptStep, TxtStep};
use crate::{pattern, rules};

/// What senders know about the domain's policy, as the sender decisions need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyView {
    /// No valid `_mta-sts` record: senders look for no policy.
    NotAdvertised,
    /// Advertised, but senders cannot use the policy: those without a cached one deliver
    /// unverified and report this result type.
    Unusable(ResultType),
    /// The tester could not see the record or the policy.
    Unknown,
    /// The policy senders apply.
    Applied(Mode),
}

/// The policy step, judged.
pub(super) struct PolicyJudged {
    pub step: PolicyStep,
    /// Findings about the fetch (retrieval step).
    pub fetch_findings: Vec<Finding>,
    /// Findings about the body (validation step).
    pub parse_findings: Vec<Finding>,
    /// The parsed policy, usable or not.
    pub parsed: Option<Policy>,
    pub view: PolicyView,
}

impl PolicyJudged {
    pub fn mode_in_effect(&self) -> Option<Mode> {
        match self.view {
            PolicyView::Applied(mode) => Some(mode),
            _ => None,
        }
    }

    /// True when the fetch could not be observed (companion or resolver unreachable).
    pub fn fetch_blind(&self) -> bool {
        self.step
            .fetch
            .as_ref()
            .is_some_and(|f| tester_side(f.status))
    }
}

fn tester_side(status: FetchStatus) -> bool {
    matches!(status, FetchStatus::Unchecked | FetchStatus::ResolverFailed)
}

pub(super) fn judge(a: &Answers, txt: &TxtStep) -> PolicyJudged {
    let mut judged = PolicyJudged {
        step: PolicyStep {
            state: state_of(a.policy.as_ref()),
            fetch: None,
            valid: false,
            mode: None,
            max_age: None,
            mx: Vec::new(),
            unused_patterns: Vec::new(),
            findings: Vec::new(),
            body: None,
            body_truncated: false,
            sha256: None,
        },
        fetch_findings: Vec::new(),
        parse_findings: Vec::new(),
        parsed: None,
        view: PolicyView::Unknown,
    };
    let Some(fetch) = a.policy.as_ref() else {
        judged.view = view(txt, None, None);
        return judged;
    };
    let fetch = fetch.clone().settled();
    let advertised = txt.status == Some(RecordStatus::Valid);
    let txt_known = txt.status.is_some() && !txt.dns.as_ref().is_some_and(|d| d.tester_side());
    let mut check = None;
    if matches!(fetch.status, FetchStatus::Ok | FetchStatus::ContentType) {
        if let Some(body) = fetch.body_bytes() {
            keep_body(&mut judged.step, &body);
            let c = check_policy(&body);
            if let Some(p) = &c.policy {
                judged.step.mode = Some(p.mode);
                judged.step.max_age = Some(p.max_age);
                judged.step.mx = p.mx.clone();
            }
            check = Some(c);
        }
    }
    if fetch.status == FetchStatus::Ok {
        if let Some(cert) = fetch
            .certificate
            .as_ref()
            .filter(|c| c.days_left >= 0 && c.days_left < a.expiry_days())
        {
            judged.fetch_findings.push(
                rules::POLICY_CERT_EXPIRING
                    .finding(format!(
                        "The certificate of {} expires in {} days ({}), within the {}-day warning threshold. Once it expires, senders cannot fetch the policy.",
                        text::policy_host(&fetch), cert.days_left, cert.not_after, a.expiry_days()
                    ))
                    .fix("Renew it now and check that renewal is automated."),
            );
        }
        if let Some(ct) = &fetch.content_type {
            if let Some(charset) = charset_of(ct).filter(|c| c != "utf-8" && c != "us-ascii") {
                judged.fetch_findings.push(rules::POLICY_CHARSET_IGNORED.finding(format!(
                    "The Content-Type names charset \"{charset}\"; senders ignore it and read the policy as UTF-8."
                )));
            }
        }
        if !advertised && txt_known {
            judged.fetch_findings.push(rules::POLICY_UNADVERTISED.finding(
                "A policy is served, but no valid _mta-sts TXT record advertises it, so senders do not fetch it (senders that cached it earlier keep applying it until its max_age runs out).",
            ));
        }
    } else if tester_side(fetch.status) {
        // The blind-spot findings say what could not be seen.
    } else if advertised || !txt_known {
        judged.fetch_findings.push(fetch_finding(&fetch));
    } else if fetch.status != FetchStatus::DnsNxdomain {
        judged.fetch_findings.push(
            fetch_finding(&fetch)
                .severity(Severity::Info)
                .fix("Nothing to do while MTA-STS is not advertised; fix this before publishing the TXT record."),
        );
    }
    if let Some(c) = &check {
        judged.step.valid = fetch.status == FetchStatus::Ok && c.valid;
        judged.parse_findings.extend(c.findings.iter().cloned());
    }
    judged.view = view(txt, Some(fetch.status), check.as_ref());
    judged.parsed = check.and_then(|c| c.policy);
    judged.step.unused_patterns = unused_patterns(a, judged.parsed.as_ref());
    judged.step.fetch = Some(fetch);
    judged
}

/// The text and digest a later run compares with.
fn keep_body(step: &mut PolicyStep, body: &[u8]) {
    step.sha256 = Some(crate::hex::sha256(body));
    let text = String::from_utf8_lossy(body);
    let mut cut = text.len().min(crate::report::POLICY_BODY_SHOWN);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    step.body_truncated = cut < text.len();
    step.body = Some(text[..cut].to_string());
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    })
}

/// The policy senders apply (RFC 8461 §5): only a valid TXT record makes them fetch one,
/// and only a policy fetched with a valid certificate and free of (untolerated) errors
/// counts.
fn view(
    txt: &TxtStep,
    fetch: Option<FetchStatus>,
    check: Option<&crate::PolicyCheck>,
) -> PolicyView {
    if txt.dns.as_ref().is_some_and(|d| d.tester_side()) {
        return PolicyView::Unknown;
    }
    match txt.status {
        Some(RecordStatus::Valid) => {}
        Some(_) => return PolicyView::NotAdvertised,
        None => return PolicyView::Unknown,
    }
    let Some(status) = fetch else {
        return PolicyView::Unknown;
    };
    if tester_side(status) {
        return PolicyView::Unknown;
    }
    let webpki = matches!(
        status,
        FetchStatus::CertificateExpired
            | FetchStatus::CertificateNotYetValid
            | FetchStatus::CertificateHostMismatch
            | FetchStatus::CertificateNotTrusted
            | FetchStatus::CertificateChainIncomplete
    );
    if webpki {
        return PolicyView::Unusable(ResultType::StsWebpkiInvalid);
    }
    if status != FetchStatus::Ok {
        return PolicyView::Unusable(ResultType::StsPolicyFetchError);
    }
    let usable = check
        .filter(|c| {
            c.findings
                .iter()
                .all(|f| f.severity != Severity::Error || f.tolerated)
        })
        .and_then(|c| c.policy.as_ref());
    match usable {
        Some(policy) => PolicyView::Applied(policy.mode),
        None => PolicyView::Unusable(ResultType::StsPolicyInvalid),
    }
}

/// Patterns that cover none of the current MX hosts, by the same matching senders use.
fn unused_patterns(a: &Answers, policy: Option<&Policy>) -> Vec<String> {
    let (Some(policy), Some(MxSet::Hosts(_) | MxSet::Implicit(_))) = (policy, &a.mx) else {
        return Vec::new();
    };
    let hosts = a.mx.as_ref().map(MxSet::hosts).unwrap_or_default();
    policy
        .mx
        .iter()
        .filter(|p| {
            !hosts
                .iter()
                .any(|m| pattern::find_match(&m.host, [p.as_str()]).is_some())
        })
        .cloned()
        .collect()
}

/// Findings about the policy as a whole, beside the domain's MX and TLS-RPT set-up.
pub(super) fn domain_findings(
    a: &Answers,
    policy: &PolicyJudged,
    tlsrpt: &TlsRptStep,
    _mx: &[MxJudged],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &policy.step.unused_patterns {
        out.push(rules::POLICY_MX_UNUSED.finding(format!(
            "The pattern \"{p}\" covers none of the current MX hosts; it may be left over from a migration."
        )));
    }
    if policy.mode_in_effect() == Some(Mode::Testing)
        && tlsrpt.status.is_some()
        && tlsrpt.status != Some(RecordStatus::Valid)
        && a.tlsrpt.as_ref().is_some_and(|t| !t.outcome.tester_side())
    {
        out.push(
            rules::POLICY_TESTING_WITHOUT_TLSRPT
                .finding("The policy is in testing mode but no valid TLS-RPT record asks for reports, so failures are never reported to you.")
                .fix("Publish e.g. \"v=TLSRPTv1; rua=mailto:tls-reports@example.com\" at _smtp._tls."),
        );
    }
    let tolerated = policy.parse_findings.iter().filter(|f| f.tolerated).count();
    let served = policy
        .step
        .fetch
        .as_ref()
        .is_some_and(|f| f.status == FetchStatus::Ok);
    if tolerated > 0 && served {
        out.push(
            rules::POLICY_TOLERATED_ONLY
                .finding(format!(
                    "The policy breaks the strict grammar in {tolerated} place(s) that lenient senders tolerate; strict parsers (such as mox) ignore the whole policy."
                ))
                .fix("Fix the lines marked \"tolerated\" so that every sender applies the policy."),
        );
    }
    out
}

/// What a failed fetch means for senders, in words (RFC 8461 §3.3, §5.1).
pub(super) fn fetch_failure_consequence() -> &'static str {
    "senders with no cached policy deliver without MTA-STS protection, and senders that cached an earlier policy keep enforcing it until its max_age runs out"
}

/// The policy host, for summaries.
pub(super) fn host_of(policy: &PolicyJudged) -> String {
    policy
        .step
        .fetch
        .as_ref()
        .map(|f| text::policy_host(f).to_string())
        .unwrap_or_else(|| "the policy host".into())
}
