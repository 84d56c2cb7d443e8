//! The generator: from a finished check of the live domain (its MX, their probes), the records
//! to publish, with the reason for every choice. Conservative on purpose: it proposes enforce
//! only when every MX was seen passing verified TLS.

use crate::finding::Finding;
use crate::policy::{check_policy, Mode, Policy};
use crate::recordset::{RecordStatus, TxtRecord};
use crate::report::{Report, TlsStatus};
use crate::{rules, tlsrpt, txt};
use serde::{Deserialize, Serialize};

/// A week: long enough that a sender keeps the policy across an outage of the policy host.
pub const ENFORCE_MAX_AGE: u64 = 604_800;
/// A day, while testing: changes reach senders quickly.
pub const TESTING_MAX_AGE: u64 = 86_400;

/// What to publish. `policy` is empty when nothing sensible can be proposed (see findings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Proposal {
    pub domain: String,
    /// The `_mta-sts` TXT record.
    pub txt: String,
    /// The policy body to serve at `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
    pub policy: String,
    /// The `_smtp._tls` TXT record.
    pub tlsrpt: String,
    /// Why each choice was made.
    pub notes: Vec<String>,
    pub findings: Vec<Finding>,
}

/// A policy id from a UTC clock reading: `20261201T120000`. The drivers read the clock;
/// the form is the same everywhere.
pub fn policy_id(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> String {
    format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}")
}

/// Proposes records for `report`'s domain. `id` is a fresh policy id (a timestamp the driver
/// made); `rua` the reporting address, or `None` for a placeholder to fill in.
pub fn propose(report: &Report, id: &str, rua: Option<&str>) -> Proposal {
    let domain = report.domain.clone();
    let mut notes = Vec::new();
    let mut findings = Vec::new();
    let hosts: Vec<&str> = report.mx.iter().map(|m| m.host.as_str()).collect();
    let txt = format!("v=STSv1; id={id}");
    notes.push(format!(
        "id {id}: a timestamp, so every change of the policy gets a new id; publish a new one each time the policy changes."
    ));
    let tlsrpt = tlsrpt_record(report, rua, &mut notes);

    if hosts.is_empty() {
        let why = if report
            .findings
            .iter()
            .any(|f| f.code == rules::MX_NULL.code)
        {
            "the domain publishes a null MX (it takes no mail), so it needs no MTA-STS policy"
        } else {
            "the MX look-up did not succeed, so the hosts to name are unknown"
        };
        findings.push(
            rules::GENERATE_NO_MX
                .finding(format!("No policy is proposed: {why}."))
                .fix("Check the domain's MX records, then generate again."),
        );
        return Proposal {
            domain,
            txt,
            policy: String::new(),
            tlsrpt,
            notes,
            findings,
        };
    }

    let mx = patterns(&domain, &hosts, &mut notes);
    let failing: Vec<String> = report
        .mx
        .iter()
        .filter_map(|m| {
            let status = m.tls.as_ref().map(|t| t.status);
            match status {
                Some(TlsStatus::Ok) => None,
                Some(s) if unseen(s) => None,
                Some(s) => Some(format!("{} ({})", m.host, failure_words(s))),
                None => None,
            }
        })
        .collect();
    let unprobed: Vec<&str> = report
        .mx
        .iter()
        .filter(|m| m.tls.as_ref().is_none_or(|t| unseen(t.status)))
        .map(|m| m.host.as_str())
        .collect();
    let (mode, max_age) = if failing.is_empty() && unprobed.is_empty() {
        notes.push("mode enforce: every MX offered STARTTLS with a certificate that verifies for its name, so senders can require it.".into());
        notes.push(format!(
            "max_age {ENFORCE_MAX_AGE} (a week): senders keep the policy that long, across an outage of the policy host; raise it to several weeks once it has run cleanly."
        ));
        (Mode::Enforce, ENFORCE_MAX_AGE)
    } else {
        for host in &failing {
            findings.push(
                rules::GENERATE_MX_FAILING
                    .finding(format!("Not proposing enforce: {host} fails verified TLS, and enforcing senders would refuse mail to it."))
                    .fix("Fix its TLS, check again, then switch the policy to enforce with a new id."),
            );
        }
        if !unprobed.is_empty() {
            findings.push(
                rules::GENERATE_MX_UNPROBED
                    .finding(format!(
                        "Not proposing enforce: the TLS of {} could not be seen from here (not probed, rate-limited, or no answer in time).",
                        unprobed.join(", ")
                    ))
                    .fix("Run the generator where port 25 can be reached (`mtasts generate`, or the page with its companion)."),
            );
        }
        let why = if failing.is_empty() {
            format!("{} could not be probed", unprobed.join(", "))
        } else {
            let verb = if failing.len() == 1 { "fails" } else { "fail" };
            format!("{} {verb} verified TLS", failing.join(", "))
        };
        notes.push(format!(
            "mode testing: {why}; in testing mode senders still deliver and report failures, where enforce would refuse mail."
        ));
        notes.push(format!(
            "max_age {TESTING_MAX_AGE} (a day) while testing, so the switch to enforce reaches senders quickly."
        ));
        (Mode::Testing, TESTING_MAX_AGE)
    };
    let policy = Policy {
        version: "STSv1".into(),
        mode,
        max_age,
        mx,
    }
    .render();

    findings.extend(check_policy(policy.as_bytes()).findings);
    findings.extend(txt::check_sts_records(&[TxtRecord::from_text(&txt)]).findings);
    findings.extend(tlsrpt::check_tlsrpt_records(&[TxtRecord::from_text(&tlsrpt)]).findings);
    Proposal {
        domain,
        txt,
        policy,
        tlsrpt,
        notes,
        findings,
    }
}

/// Probe outcomes that say nothing about the MX: the tester could not look.
fn unseen(status: TlsStatus) -> bool {
    // A timeout is as often a filter on the tester's network as the host (the verdict
    // treats it the same way).
    matches!(
        status,
        TlsStatus::Unchecked
            | TlsStatus::RateLimited
            | TlsStatus::ResolverFailed
            | TlsStatus::ConnectTimeout
            | TlsStatus::Timeout
    )
}

fn failure_words(status: TlsStatus) -> &'static str {
    match status {
        TlsStatus::ConnectFailed => "refuses connections on port 25",
        TlsStatus::DnsError => "no address",
        TlsStatus::SmtpError => "SMTP error",
        other => crate::verdict::tls_reason(other),
    }
}

/// Exact names, or `*.parent` where two or more MX share a parent: a wildcard stands for one
/// label, so it covers those MX and no deeper name. The parent must be the domain itself (or
/// under it), or have three labels or more, so no wildcard lands on a public suffix such as
/// `co.uk`, where anyone can hold a name.
fn patterns(domain: &str, hosts: &[&str], notes: &mut Vec<String>) -> Vec<String> {
    let parent = |h: &str| h.split_once('.').map(|(_, p)| p.to_string());
    let mut out: Vec<String> = Vec::new();
    for host in hosts {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let shared = parent(&host).filter(|p| {
            (p == domain || p.ends_with(&format!(".{domain}")) || p.matches('.').count() >= 2)
                && hosts
                    .iter()
                    .filter(|h| {
                        parent(&h.trim_end_matches('.').to_ascii_lowercase()).as_ref() == Some(p)
                    })
                    .count()
                    >= 2
        });
        let pattern = match shared {
            Some(p) => format!("*.{p}"),
            None => host.clone(),
        };
        if !out.contains(&pattern) {
            out.push(pattern);
        }
    }
    let wild: Vec<&String> = out.iter().filter(|p| p.starts_with("*.")).collect();
    if wild.is_empty() {
        notes.push("mx: each MX host by its exact name.".into());
    } else {
        notes.push(format!(
            "mx: {} stand{} for the MX hosts that share that parent (one label, never deeper); the others by exact name.",
            wild.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            if wild.len() == 1 { "s" } else { "" }
        ));
    }
    out
}

fn tlsrpt_record(report: &Report, rua: Option<&str>, notes: &mut Vec<String>) -> String {
    if let Some(rua) = rua {
        notes.push("TLS-RPT: reports go to the address given.".into());
        return format!("v=TLSRPTv1; rua={}", rua_uri(rua));
    }
    if report.tlsrpt.status == Some(RecordStatus::Valid) {
        if let Some(record) = report.tlsrpt.records.iter().find(|r| {
            tlsrpt::check_tlsrpt_records(&[TxtRecord::from_text(r)]).status == RecordStatus::Valid
        }) {
            notes.push("TLS-RPT: the published record is kept.".into());
            return record.clone();
        }
    }
    notes.push(format!(
        "TLS-RPT: mailto:tlsrpt@{} is a placeholder; put a mailbox that reads the daily reports there.",
        report.domain
    ));
    format!("v=TLSRPTv1; rua=mailto:tlsrpt@{}", report.domain)
}

/// A bare e-mail address becomes a `mailto:` URI; URIs stay as given.
fn rua_uri(rua: &str) -> String {
    let rua = rua.trim();
    if rua.contains(':') {
        rua.to_string()
    } else {
        format!("mailto:{rua}")
    }
}

/// The two TXT records in zone-file syntax, ready to paste into a zone (strings of at most
/// 255 bytes, quotes and backslashes escaped).
pub fn zone_records(domain: &str, txt: &str, tlsrpt: &str) -> String {
    let mut out = String::new();
    for (name, text) in [("_mta-sts", txt), ("_smtp._tls", tlsrpt)] {
        if text.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{name}.{domain}. 3600 IN TXT {}\n",
            txt_strings(text)
        ));
    }
    out
}

fn txt_strings(text: &str) -> String {
    let mut strings: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    for c in text.chars() {
        if len + c.len_utf8() > 255 {
            strings.push(std::mem::take(&mut current));
            len = 0;
        }
        if c == '"' || c == '\\' {
            current.push('\\');
        }
        current.push(c);
        len += c.len_utf8();
    }
    strings.push(current);
    strings
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(" ")
}
