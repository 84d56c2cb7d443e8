//! A check compared with an earlier report of the same domain (`mtasts check --baseline`):
//! what changed between the two runs, and the one change that breaks senders by itself, a
//! policy edited without a new TXT id (RFC 8461 §3.1: senders refetch only when the id
//! changes, so those holding the old policy keep it until its max_age runs out).

use crate::finding::{Finding, Severity};
use crate::recordset::RecordStatus;
use crate::report::{Certificate, Report};
use crate::rules;
use serde::{Deserialize, Serialize};

/// One difference between the baseline and this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Change {
    pub kind: ChangeKind,
    /// The change in words: what it was, what it is.
    pub detail: String,
}

/// The kinds of change, by stable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ChangeKind {
    #[serde(rename = "verdict.changed")]
    VerdictChanged,
    /// The `_mta-sts` record appeared or went away.
    #[serde(rename = "txt.changed")]
    TxtChanged,
    #[serde(rename = "txt.id.changed")]
    TxtIdChanged,
    /// The policy text changed (by its SHA-256).
    #[serde(rename = "policy.changed")]
    PolicyChanged,
    #[serde(rename = "mx.added")]
    MxAdded,
    #[serde(rename = "mx.removed")]
    MxRemoved,
    #[serde(rename = "mx.preference.changed")]
    MxPreferenceChanged,
    /// The STARTTLS probe of an MX host ended differently.
    #[serde(rename = "mx.tls.changed")]
    MxTlsChanged,
    /// A certificate now expires later than the baseline's.
    #[serde(rename = "certificate.renewed")]
    CertificateRenewed,
    /// A different certificate that does not expire later (a new issuer, or a shorter life).
    #[serde(rename = "certificate.changed")]
    CertificateChanged,
    /// Where TLS reports go (the `_smtp._tls` rua) changed.
    #[serde(rename = "tlsrpt.changed")]
    TlsRptChanged,
    /// A finding this run has that the baseline did not.
    #[serde(rename = "finding.added")]
    FindingAdded,
    /// A finding of the baseline this run no longer has.
    #[serde(rename = "finding.resolved")]
    FindingResolved,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        use ChangeKind::*;
        match self {
            VerdictChanged => "verdict.changed",
            TxtChanged => "txt.changed",
            TxtIdChanged => "txt.id.changed",
            PolicyChanged => "policy.changed",
            MxAdded => "mx.added",
            MxRemoved => "mx.removed",
            MxPreferenceChanged => "mx.preference.changed",
            MxTlsChanged => "mx.tls.changed",
            CertificateRenewed => "certificate.renewed",
            CertificateChanged => "certificate.changed",
            TlsRptChanged => "tlsrpt.changed",
            FindingAdded => "finding.added",
            FindingResolved => "finding.resolved",
        }
    }
}

/// Why a baseline cannot be compared with a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineError {
    /// The baseline is a report of another domain.
    OtherDomain { baseline: String, checked: String },
    /// The baseline's check never finished, so it has nothing to compare.
    Incomplete,
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaselineError::OtherDomain { baseline, checked } => write!(
                f,
                "the baseline is a report of {baseline}, not of {checked}"
            ),
            BaselineError::Incomplete => {
                f.write_str("the baseline is the report of a check that did not finish")
            }
        }
    }
}

/// Fills `report.changes` from `baseline`, and when the policy text changed under the same
/// TXT id adds the `txt.id.not_updated` error, which fails a verdict that was pass or warn.
pub fn compare(baseline: &Report, report: &mut Report) -> Result<(), BaselineError> {
    if !baseline.domain.eq_ignore_ascii_case(&report.domain) {
        return Err(BaselineError::OtherDomain {
            baseline: baseline.domain.clone(),
            checked: report.domain.clone(),
        });
    }
    if !baseline.complete {
        return Err(BaselineError::Incomplete);
    }
    if let Some(f) = id_not_updated(baseline, report) {
        crate::late::add_to_lookup(report, f);
    }
    report.changes = Some(changes(baseline, report));
    Ok(())
}

/// The differences from `old` to `new`, most consequential first.
pub fn changes(old: &Report, new: &Report) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |kind, detail: String| out.push(Change { kind, detail });
    if old.verdict != new.verdict {
        push(
            ChangeKind::VerdictChanged,
            format!("{} → {}", verdict_name(old), verdict_name(new)),
        );
    }
    if txt_seen(old) && txt_seen(new) {
        match (&old.txt.id, &new.txt.id) {
            (Some(a), Some(b)) if a != b => push(ChangeKind::TxtIdChanged, format!("{a} → {b}")),
            (Some(a), None) if new.txt.status == Some(RecordStatus::Invalid) => push(
                ChangeKind::TxtChanged,
                format!("the _mta-sts record with id {a} is now invalid"),
            ),
            (Some(a), None) => push(
                ChangeKind::TxtChanged,
                format!("the _mta-sts record with id {a} is gone"),
            ),
            (None, Some(b)) => push(
                ChangeKind::TxtChanged,
                format!("an _mta-sts record with id {b} appeared"),
            ),
            _ => {}
        }
    }
    if let Some(detail) = policy_change(old, new) {
        push(ChangeKind::PolicyChanged, detail);
    }
    let mx_comparable = mx_seen(old) && mx_seen(new);
    for m in new.mx.iter().filter(|_| mx_comparable) {
        match old.mx.iter().find(|o| o.host == m.host) {
            None => push(
                ChangeKind::MxAdded,
                format!(
                    "{} (preference {}){}",
                    m.host,
                    m.preference,
                    if m.matched || new.policy.mx.is_empty() {
                        ""
                    } else {
                        ", not covered by the policy"
                    }
                ),
            ),
            Some(o) => {
                if o.preference != m.preference {
                    push(
                        ChangeKind::MxPreferenceChanged,
                        format!("{}: {} → {}", m.host, o.preference, m.preference),
                    );
                }
                let status = |r: &crate::report::MxReport| r.tls.as_ref().map(|t| t.status);
                if let (Some(a), Some(b)) = (status(o), status(m)) {
                    if a != b {
                        push(
                            ChangeKind::MxTlsChanged,
                            format!("{}: {} → {}", m.host, a.as_str(), b.as_str()),
                        );
                    }
                }
                let cert =
                    |r: &crate::report::MxReport| r.tls.as_ref().and_then(|t| t.cert.clone());
                if let Some((kind, detail)) = certificate_change(cert(o).as_ref(), cert(m).as_ref())
                {
                    push(kind, format!("{}: {detail}", m.host));
                }
            }
        }
    }
    for o in old.mx.iter().filter(|_| mx_comparable) {
        if !new.mx.iter().any(|m| m.host == o.host) {
            push(
                ChangeKind::MxRemoved,
                format!("{} (preference {})", o.host, o.preference),
            );
        }
    }
    let policy_cert = |r: &Report| r.policy.fetch.as_ref().and_then(|f| f.certificate.clone());
    if let Some((kind, detail)) =
        certificate_change(policy_cert(old).as_ref(), policy_cert(new).as_ref())
    {
        let host = new
            .policy
            .fetch
            .as_ref()
            .map(|f| crate::verdict::policy_host(f).to_string())
            .unwrap_or_default();
        push(kind, format!("{host} (policy host): {detail}"));
    }
    if tlsrpt_seen(old) && tlsrpt_seen(new) && old.tlsrpt.rua != new.tlsrpt.rua {
        push(
            ChangeKind::TlsRptChanged,
            format!("rua {} → {}", list(&old.tlsrpt.rua), list(&new.tlsrpt.rua)),
        );
    }
    // By code: messages carry counts and dates that change from run to run.
    for f in &new.findings {
        if !old.findings.iter().any(|o| o.code == f.code) {
            push(ChangeKind::FindingAdded, finding_line(f));
        }
    }
    for f in &old.findings {
        if !new.findings.iter().any(|n| n.code == f.code) {
            push(ChangeKind::FindingResolved, finding_line(f));
        }
    }
    out
}

/// The error for a policy whose fields changed while the TXT id stayed the same; carried
/// forward from a baseline that had it while the id stays the same, since senders holding
/// the old policy still hold it.
fn id_not_updated(old: &Report, new: &Report) -> Option<Finding> {
    let (Some(old_id), Some(new_id)) = (&old.txt.id, &new.txt.id) else {
        return None;
    };
    if old_id != new_id {
        return None;
    }
    let max_age = old
        .policy
        .max_age
        .map(|s| format!(" (max_age {s} s, about {} days)", s / 86_400))
        .unwrap_or_default();
    let fix = "Publish the _mta-sts TXT record with a new id (for example the current date and time, 20261203T120000) whenever the policy changes.";
    if old
        .findings
        .iter()
        .any(|f| f.code == rules::TXT_ID_NOT_UPDATED.code)
    {
        return Some(
            rules::TXT_ID_NOT_UPDATED
                .finding(format!(
                    "The baseline already found the policy changed under the same _mta-sts TXT id, and the id is still {new_id}: senders that cached the earlier policy keep it until their copy's max_age runs out{max_age}."
                ))
                .fix(fix),
        );
    }
    let (Some(old_sha), Some(new_sha)) = (&old.policy.sha256, &new.policy.sha256) else {
        return None;
    };
    // Only what senders apply counts: a new line ending or a reordered mx list leaves a
    // cached copy as good as the new one (it is still a `policy.changed`).
    if old_sha == new_sha || same_fields(old, new) {
        return None;
    }
    Some(
        rules::TXT_ID_NOT_UPDATED
            .finding(format!(
                "The policy changed since the baseline (SHA-256 {} → {}), but the _mta-sts TXT id is still {new_id}. Senders that cached the old policy do not fetch the new one until their copy's max_age runs out{max_age}.",
                short(old_sha),
                short(new_sha),
            ))
            .fix(fix),
    )
}

/// True when both policies say the same to senders: mode, max_age and the set of mx.
fn same_fields(old: &Report, new: &Report) -> bool {
    let set = |r: &Report| {
        let mut mx: Vec<String> = r.policy.mx.iter().map(|m| m.to_ascii_lowercase()).collect();
        mx.sort();
        mx.dedup();
        mx
    };
    old.policy.mode == new.policy.mode
        && old.policy.max_age == new.policy.max_age
        && set(old) == set(new)
}

/// True when the `_mta-sts` look-up was answered (records or none), not failed at the
/// resolver or at the domain's servers.
fn txt_seen(r: &Report) -> bool {
    r.txt.status.is_some() && r.txt.dns.as_ref().is_some_and(|d| d.resolved())
}

fn tlsrpt_seen(r: &Report) -> bool {
    r.tlsrpt.status.is_some() && r.tlsrpt.dns.as_ref().is_some_and(|d| d.resolved())
}

/// False when the MX look-up failed, so the empty host list says nothing.
fn mx_seen(r: &Report) -> bool {
    !(r.mx.is_empty()
        && r.findings.iter().any(|f| {
            f.code == rules::MX_LOOKUP_FAILED.code || f.code == rules::CHECK_RESOLVER_FAILED.code
        }))
}

fn policy_change(old: &Report, new: &Report) -> Option<String> {
    let (a, b) = (old.policy.sha256.as_ref()?, new.policy.sha256.as_ref()?);
    if a == b {
        return None;
    }
    let mut parts = Vec::new();
    if old.policy.mode != new.policy.mode {
        let mode = |r: &Report| r.policy.mode.map_or("none", |m| m.as_str());
        parts.push(format!("mode {} → {}", mode(old), mode(new)));
    }
    if old.policy.max_age != new.policy.max_age {
        let age = |r: &Report| r.policy.max_age.map_or("none".into(), |a| a.to_string());
        parts.push(format!("max_age {} → {}", age(old), age(new)));
    }
    let only_in = |a: &Report, b: &Report| -> Vec<String> {
        let (a, b) = (&a.policy.mx, &b.policy.mx);
        a.iter().filter(|p| !b.contains(p)).cloned().collect()
    };
    let (added, removed) = (only_in(new, old), only_in(old, new));
    if !added.is_empty() {
        parts.push(format!("mx added {}", list(&added)));
    }
    if !removed.is_empty() {
        parts.push(format!("mx removed {}", list(&removed)));
    }
    if parts.is_empty() {
        parts.push("the text changed, not its fields".into());
    }
    Some(format!(
        "{} (SHA-256 {} → {})",
        parts.join("; "),
        short(a),
        short(b)
    ))
}

fn certificate_change(
    old: Option<&Certificate>,
    new: Option<&Certificate>,
) -> Option<(ChangeKind, String)> {
    let (old, new) = (old?, new?);
    if old.not_after == new.not_after && old.issuer == new.issuer && old.subject == new.subject {
        return None;
    }
    let detail = format!(
        "expires {} (was {}), issuer {}",
        new.not_after, old.not_after, new.issuer
    );
    // RFC 3339 times in the same zone sort as text.
    let kind = if new.not_after > old.not_after {
        ChangeKind::CertificateRenewed
    } else {
        ChangeKind::CertificateChanged
    };
    Some((kind, detail))
}

fn finding_line(f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    format!("{severity} {}: {}", f.code, f.message)
}

fn verdict_name(r: &Report) -> &'static str {
    r.verdict.map_or("incomplete", |v| v.as_str())
}

/// The first 12 characters of a digest; a baseline is untrusted, so never a byte slice.
fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}
