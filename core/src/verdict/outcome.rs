//! The verdict and the sentence a manager reads (CHECKLIST §2, with the rules of the
//! report-truth issue): the tester's blind spots make a verdict inconclusive, never a fail;
//! TLS-RPT problems alone give at most a warning; a failing backup MX is named as such.

use super::blind::Blind;
use super::mx::MxJudged;
use super::retrieval::{self, PolicyJudged, PolicyView};
use super::senders::TlsView;
use super::text;
use crate::finding::{Finding, Severity};
use crate::policy::Mode;
use crate::recordset::RecordStatus;
use crate::report::{FetchStatus, Sender, TxtStep, Verdict};

pub(super) struct Facts<'a> {
    pub txt: &'a TxtStep,
    pub policy: &'a PolicyJudged,
    pub mx: &'a [MxJudged],
    pub findings: &'a [Finding],
    pub blind: &'a [Blind],
}

/// TLS-RPT only asks for reports (RFC 8460 §3): delivery never depends on it.
fn reporting_only(f: &Finding) -> bool {
    f.code.starts_with("tlsrpt.")
}

/// Findings about DANE: they fail the domain for DANE senders, whatever MTA-STS does.
fn dane_related(f: &Finding) -> bool {
    f.code.starts_with("mx.dane.")
}

/// True when DANE authenticates every MX host.
fn dane_everywhere(mx: &[MxJudged]) -> bool {
    !mx.is_empty()
        && mx.iter().all(|m| {
            m.report
                .dane
                .as_ref()
                .is_some_and(|d| d.status == Some(crate::dane::DaneStatus::Ok))
        })
}

fn blocking(f: &Finding) -> bool {
    f.severity == Severity::Error && !f.tolerated && !reporting_only(f)
}

pub(super) fn verdict(facts: &Facts) -> (Verdict, String) {
    let decisive: Vec<&Blind> = facts.blind.iter().filter(|b| b.decisive()).collect();
    let txt_blind = facts.txt.dns.as_ref().is_some_and(|d| d.tester_side());
    if txt_blind {
        return (Verdict::Inconclusive, inconclusive(&decisive));
    }
    if facts.txt.status == Some(RecordStatus::None) {
        if let Some(f) = facts
            .findings
            .iter()
            .find(|f| blocking(f) && dane_related(f))
        {
            return (
                Verdict::Fail,
                format!("MTA-STS is not deployed, and DANE is broken: {}", f.message),
            );
        }
        if dane_everywhere(facts.mx) {
            return (
                Verdict::None,
                "MTA-STS is not deployed, but DANE protects every MX host: senders that validate DNSSEC deliver over authenticated TLS; the others deliver without verifying TLS.".to_string(),
            );
        }
        return (
            Verdict::None,
            "MTA-STS is not deployed: senders deliver without verifying TLS.".to_string(),
        );
    }
    if let Some(f) = facts.findings.iter().find(|f| blocking(f)) {
        let sts_fine = !facts
            .findings
            .iter()
            .any(|g| blocking(g) && !dane_related(g));
        if sts_fine {
            return (
                Verdict::Fail,
                format!("MTA-STS works, but DANE is broken: {}", f.message),
            );
        }
        return (Verdict::Fail, fail_summary(facts, f));
    }
    if !decisive.is_empty() {
        return (Verdict::Inconclusive, inconclusive(&decisive));
    }
    if facts
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.tolerated)
    {
        return (
            Verdict::Warn,
            "MTA-STS works for lenient senders, but strict parsers (such as mox) ignore the policy because of grammar errors.".to_string(),
        );
    }
    if let Some(f) = facts
        .findings
        .iter()
        .find(|f| reporting_only(f) && f.severity == Severity::Error)
    {
        return (
            Verdict::Warn,
            format!(
                "MTA-STS works, but TLS-RPT is broken, so no failure reports reach you (delivery does not depend on it): {}",
                f.message
            ),
        );
    }
    if let Some(f) = facts
        .findings
        .iter()
        .find(|f| f.severity == Severity::Warning)
    {
        return (
            Verdict::Warn,
            format!("MTA-STS works, with a warning: {}", f.message),
        );
    }
    (Verdict::Pass, pass_summary(facts))
}

fn inconclusive(blind: &[&Blind]) -> String {
    let clauses: Vec<String> = blind.iter().map(|b| b.clause()).collect();
    let mut remedies: Vec<&str> = Vec::new();
    for b in blind {
        if !remedies.contains(&b.remedy()) {
            remedies.push(b.remedy());
        }
    }
    format!(
        "The check is inconclusive: {}. Nothing here is a fault of the domain. {}",
        clauses.join("; "),
        remedies.join(" ")
    )
}

fn pass_summary(facts: &Facts) -> String {
    let n = facts.mx.len();
    let summary = pass_summary_sts(facts, n);
    if dane_everywhere(facts.mx) {
        format!("{summary} DANE authenticates them too, for senders that use it first.")
    } else {
        summary
    }
}

fn pass_summary_sts(facts: &Facts, n: usize) -> String {
    match facts.policy.mode_in_effect() {
        Some(Mode::Enforce) => format!(
            "MTA-STS is enforced: senders deliver to {} over verified TLS.",
            if n == 1 {
                "the MX host".to_string()
            } else {
                format!("all {n} MX hosts")
            }
        ),
        _ => "MTA-STS is deployed and passes every check.".to_string(),
    }
}

fn fail_summary(facts: &Facts, first: &Finding) -> String {
    if first.code == "domain.mx.none_accepts" {
        return first.message.clone();
    }
    let advertised = facts.txt.status == Some(RecordStatus::Valid);
    let fetch_failed = facts
        .policy
        .step
        .fetch
        .as_ref()
        .is_some_and(|f| f.status != FetchStatus::Ok);
    if advertised && fetch_failed && matches!(facts.policy.view, PolicyView::Unusable(_)) {
        return format!(
            "MTA-STS is advertised, but senders cannot fetch the policy from {}: {}. {}.",
            retrieval::host_of(facts.policy),
            text::clause(&first.message),
            capitalized(retrieval::fetch_failure_consequence())
        );
    }
    if facts.policy.view == PolicyView::Applied(Mode::Enforce) {
        if let Some(summary) = partial_delivery(facts.mx) {
            return summary;
        }
    }
    format!("MTA-STS is broken: {}", first.message)
}

/// Some MX receive the mail and some are refused: say which, in preference order.
fn partial_delivery(mx: &[MxJudged]) -> Option<String> {
    let delivered: Vec<String> = mx
        .iter()
        .filter(|m| m.report.sender == Some(Sender::Deliver))
        .map(|m| m.report.host.clone())
        .collect();
    let refused: Vec<String> = mx
        .iter()
        .filter(|m| m.report.sender == Some(Sender::Refuse))
        .map(|m| {
            let reason = match (m.tls, m.report.matched) {
                (Some(TlsView::Verified), false) => "no mx pattern covers it",
                _ => m.status().map(text::tls_reason).unwrap_or("no TLS session"),
            };
            format!("{} ({reason})", m.report.host)
        })
        .collect();
    let first = delivered.first()?;
    if refused.is_empty() {
        return None;
    }
    let (them, never) = if refused.len() == 1 {
        ("it", "it never receives")
    } else {
        ("them", "they never receive")
    };
    let first_index = mx.iter().position(|m| &m.report.host == first);
    let backups_only = mx
        .iter()
        .enumerate()
        .filter(|(_, m)| m.report.sender == Some(Sender::Refuse))
        .all(|(i, _)| Some(i) > first_index);
    let effect = if backups_only {
        format!("so mail that falls back to {them} is not delivered")
    } else {
        format!("so {never} their mail")
    };
    Some(format!(
        "Mail is delivered over verified TLS to {first}, the most preferred MX that passes{}; enforcing senders refuse {}, {effect}.",
        if delivered.len() > 1 {
            format!(" (also {})", text::list(&delivered[1..]))
        } else {
            String::new()
        },
        text::list(&refused)
    ))
}

fn capitalized(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    out
}
