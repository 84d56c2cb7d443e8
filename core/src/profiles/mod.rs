//! What each real sender does with the domain: the strict RFC 8461 reading beside the
//! implementations people actually send from. A profile is a row of rules ([`table`]), each
//! citing where it comes from; [`evaluate`] applies one to a finished report. Pure: it
//! reads the report and nothing else.

mod table;

pub use table::{CITES, PROFILES};

use crate::dane::DaneStatus;
use crate::pattern;
use crate::policy::{check_policy, Mode};
use crate::recordset::RecordStatus;
use crate::report::{FetchStatus, Report, TlsStatus};
use serde::{Deserialize, Serialize};

/// How a profile's rules are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Compared with the real sender on the test world (`cargo xtask interop`).
    Measured,
    /// Read from the sender's source code (the profile cites repository, file, version).
    Source,
    /// From public documentation (the profile cites the URL).
    Documented,
}

/// The policy a sender applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Applied {
    Enforce,
    Testing,
    None,
}

/// What happens to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    DeliverVerified,
    DeliverUnverified,
    /// Queued and retried (a temporary failure).
    Defer,
    /// Returned to its sender (a permanent failure).
    Bounce,
}

/// One sender's verdict, as the report carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SenderOutcome {
    pub id: String,
    pub name: String,
    pub version: String,
    pub evidence: Evidence,
    /// Where the rules come from: repository and version, or a URL.
    pub reference: String,
    /// The policy it applies; `None` when that cannot be told from what the check saw.
    pub policy: Option<Applied>,
    pub outcome: Outcome,
    /// The MX host that receives the mail, or `None`.
    pub mx: Option<String>,
    /// Why, in plain words.
    pub why: String,
    /// True when this sender does something else than the strict RFC 8461 reading.
    pub differs_from_rfc: bool,
}

impl SenderOutcome {
    /// How the profile is known, in words.
    pub fn evidence_label(&self) -> &'static str {
        match self.evidence {
            Evidence::Measured => "measured",
            Evidence::Source => "from its source",
            Evidence::Documented => "from its documentation",
        }
    }
}

/// How a `_mta-sts` record set with two `v=STSv1` records is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoRecords {
    /// No policy (RFC 8461 §3.1).
    NoPolicy,
    /// The first record is used.
    First,
}

/// What happens to a policy body over the size the sender reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeLimit {
    /// More than this many bytes is a failed fetch (no policy).
    Reject(usize),
    /// The body is cut at this many bytes and the rest ignored.
    Truncate(usize),
    /// No limit.
    Unlimited,
}

/// How a sender treats `*.example.com`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcard {
    /// Exactly one label (RFC 8461 §4.1).
    OneLabel,
    /// Any name below `example.com`.
    AnyDepth,
}

/// What a sender does with `mode: testing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Testing {
    /// Validates and reports, delivers either way (RFC 8461 §5).
    Validate,
    /// Treats it as no policy.
    Ignore,
}

/// Which names the certificate is checked against under enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCheck {
    /// The MX host must be covered by a pattern and named by the certificate (RFC 8461
    /// §4.1, §4.2).
    MxHost,
    /// Only the certificate's names are checked against the patterns; the MX host name
    /// itself is not (Postfix `match=` as postfix-mta-sts-resolver sets it).
    CertificateAgainstPatterns,
}

/// What a failure under enforce does once no MX host passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Defer,
    Bounce,
}

/// The rules of one sender implementation; where each comes from is in [`table::CITES`].
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub id: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    pub evidence: Evidence,
    pub reference: &'static str,
    /// The id must match the ABNF (1 to 32 letters and digits).
    pub id_checked: bool,
    pub two_records: TwoRecords,
    /// A policy not served as `text/plain` is discarded.
    pub content_type_checked: bool,
    pub size: SizeLimit,
    /// The grammar errors of the "tolerated" kind (blank lines, indentation, a space before
    /// the colon) it accepts, by finding code; any other voids the policy.
    pub tolerates: &'static [&'static str],
    /// `mode: none` without an `mx` line is rejected.
    pub none_needs_mx: bool,
    pub wildcard: Wildcard,
    pub names: NameCheck,
    pub testing: Testing,
    /// Under enforce, when the last MX tried is covered by no pattern.
    pub on_mismatch: Failure,
    /// Under enforce, when the last MX tried fails TLS: no STARTTLS, a broken handshake, or
    /// a certificate that does not name the host.
    pub on_bad_tls: Failure,
    /// Under enforce, when the last MX tried presents a chain that does not validate
    /// (expired, not yet valid, untrusted, incomplete).
    pub on_bad_chain: Failure,
    /// Under enforce, a TLS failure at one MX host sends it on to the next; `false` when
    /// the first host that accepts the connection decides the delivery.
    pub next_mx_after_tls: bool,
    /// Uses DANE (RFC 7672) first where the MX hosts publish secure TLSA records.
    pub dane: bool,
    /// Implements MTA-STS at all.
    pub sts: bool,
    /// For a sender without MTA-STS: when a handshake fails at a host that needs no
    /// authenticated TLS, it delivers to the same host in plain text on a new connection
    /// (measured: Exim yes, Postfix no).
    pub plaintext_fallback: bool,
}

/// A policy as a sender holds it: its mode and its mx patterns.
type Held = (Mode, Vec<String>);

/// The policy a profile would take from the report, or `None` with why it applies none;
/// `Err` when the check could not see the record or the policy.
fn policy_of(p: &Profile, r: &Report) -> Result<(Option<Held>, String), String> {
    let blind = |d: &Option<crate::dns::DnsOutcome>| d.as_ref().is_some_and(|d| d.tester_side());
    if blind(&r.txt.dns) || r.txt.status.is_none() {
        return Err("the _mta-sts record could not be seen from here".into());
    }
    let codes: Vec<&str> = r.txt.findings.iter().map(|f| f.code.as_ref()).collect();
    let errors: Vec<&str> = r
        .txt
        .findings
        .iter()
        .filter(|f| f.is_error())
        .map(|f| f.code.as_ref())
        .collect();
    match r.txt.status {
        Some(RecordStatus::Valid) => {}
        Some(RecordStatus::None) => return Ok((None, "no _mta-sts record".into())),
        Some(RecordStatus::Invalid) if errors == ["txt.id.bad"] && !p.id_checked => {}
        Some(RecordStatus::Invalid) if errors == ["txt.multiple"] => {
            if p.two_records == TwoRecords::NoPolicy {
                return Ok((None, "two v=STSv1 records mean no policy to it".into()));
            }
        }
        Some(RecordStatus::Invalid) if codes.contains(&"txt.id.bad") => {
            return Ok((
                None,
                "the id breaks the ABNF, so its strict parser ignores the record".into(),
            ))
        }
        _ => return Ok((None, "the _mta-sts record is invalid".into())),
    }
    let Some(fetch) = &r.policy.fetch else {
        return Err("the policy fetch did not finish".into());
    };
    let body = match fetch.status {
        FetchStatus::Ok => fetch.body_bytes(),
        FetchStatus::ContentType if !p.content_type_checked => fetch.body_bytes(),
        FetchStatus::ContentType => {
            return Ok((
                None,
                "the policy is not served as text/plain, which it requires".into(),
            ))
        }
        FetchStatus::TooLarge => match p.size {
            SizeLimit::Reject(n) if n <= crate::policy::MAX_POLICY_BYTES => {
                return Ok((None, "the policy is over its size limit".into()))
            }
            // It keeps a prefix the check did read.
            SizeLimit::Truncate(n) if n <= crate::policy::MAX_POLICY_BYTES => fetch.body_bytes(),
            _ => return Err("it reads policies over 64 KiB, which the check does not read".into()),
        },
        FetchStatus::Unchecked | FetchStatus::ResolverFailed => {
            return Err("the policy could not be fetched from here".into())
        }
        _ => {
            return Ok((
                None,
                format!("the policy fetch fails ({})", fetch.status.as_str()),
            ))
        }
    };
    let Some(mut body) = body else {
        return Ok((None, "the policy host sent no body".into()));
    };
    if let SizeLimit::Truncate(n) = p.size {
        body.truncate(n);
    }
    let check = check_policy(&body);
    let Some(policy) = check.policy.clone() else {
        return Ok((None, "the policy lacks a field it needs".into()));
    };
    let untolerated = check.findings.iter().any(|f| f.is_error() && !f.tolerated);
    if untolerated {
        return Ok((None, "the policy is invalid".into()));
    }
    if let Some(f) = check
        .findings
        .iter()
        .find(|f| f.tolerated && !p.tolerates.contains(&f.code.as_ref()))
    {
        return Ok((None, format!("its parser rejects the policy ({})", f.code)));
    }
    if policy.mode == Mode::None && policy.mx.is_empty() && p.none_needs_mx {
        return Ok((None, "it rejects mode none without mx lines".into()));
    }
    if policy.mode == Mode::Testing && p.testing == Testing::Ignore {
        return Ok((None, "it ignores policies in testing mode".into()));
    }
    Ok((Some((policy.mode, policy.mx)), String::new()))
}

fn covers(p: &Profile, patterns: &[String], host: &str) -> bool {
    let host = host
        .strip_prefix("*.")
        .map_or(host.to_string(), |h| format!("any.{h}"));
    let host = host.as_str();
    match p.wildcard {
        Wildcard::OneLabel => {
            pattern::find_match(host, patterns.iter().map(String::as_str)).is_some()
        }
        Wildcard::AnyDepth => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            patterns.iter().any(|pat| {
                let pat = pat.to_ascii_lowercase();
                match pat.strip_prefix('*') {
                    Some(suffix) => host.ends_with(suffix) && host.len() > suffix.len(),
                    None => host == pat,
                }
            })
        }
    }
}

/// Why an MX fails for a sender under enforce: `None` when it passes. `sans` are the names
/// of the certificate the probe saw.
fn failure_at(
    p: &Profile,
    patterns: &[String],
    host: &str,
    tls: TlsStatus,
    sans: &[String],
) -> Option<Failure> {
    if p.names == NameCheck::CertificateAgainstPatterns {
        // The chain must be valid; the names are the certificate's, whatever the MX is.
        let name_only = matches!(tls, TlsStatus::Ok | TlsStatus::CertificateHostMismatch);
        if !name_only {
            return Some(tls_failure(p, tls));
        }
        return (!sans.iter().any(|n| covers(p, patterns, n))).then_some(p.on_bad_tls);
    }
    // Senders compare the MX host with the patterns before they connect (mx-connect,
    // chasquid, mox, Stalwart, maddy): an uncovered host is a mismatch whatever its TLS.
    if !covers(p, patterns, host) {
        return Some(p.on_mismatch);
    }
    if tls != TlsStatus::Ok {
        return Some(tls_failure(p, tls));
    }
    None
}

/// What a TLS failure (any status but `Ok`) does under enforce: a chain that does not
/// validate, or any other failure.
fn tls_failure(p: &Profile, tls: TlsStatus) -> Failure {
    let bad_chain = matches!(
        tls,
        TlsStatus::CertificateExpired
            | TlsStatus::CertificateNotYetValid
            | TlsStatus::CertificateNotTrusted
            | TlsStatus::CertificateChainIncomplete
    );
    if bad_chain {
        p.on_bad_chain
    } else {
        p.on_bad_tls
    }
}

/// An MX host the probe reached with a TLS answer (a connection refused or a timeout is
/// not a TLS verdict; senders try the next host either way).
fn tls_seen(s: TlsStatus) -> bool {
    !matches!(
        s,
        TlsStatus::ConnectFailed
            | TlsStatus::ConnectTimeout
            | TlsStatus::Timeout
            | TlsStatus::SmtpError
            | TlsStatus::DnsError
            | TlsStatus::ResolverFailed
            | TlsStatus::Unchecked
            | TlsStatus::RateLimited
    )
}

/// Applies one profile to a finished report; `None` when the check could not see what the
/// sender would decide on.
pub fn evaluate(p: &Profile, r: &Report) -> Option<SenderOutcome> {
    if p.dane && dane_applies(r) {
        return dane_outcome(p, r);
    }
    let (policy, why_no_policy) = if p.sts {
        policy_of(p, r).ok()?
    } else {
        (
            None,
            "it does not implement MTA-STS, and no MX host has secure TLSA records".into(),
        )
    };
    let reached: Vec<(&str, TlsStatus, Vec<String>)> =
        r.mx.iter()
            .filter_map(|m| {
                let tls = m.tls.as_ref()?;
                let sans = tls
                    .cert
                    .as_ref()
                    .map(|c| c.sans.clone())
                    .unwrap_or_default();
                Some((m.host.as_str(), tls.status, sans))
            })
            .filter(|(_, s, _)| tls_seen(*s))
            .collect();
    // No MX host answered with a TLS verdict, and some could not be observed: what a
    // sender does depends on what the check could not see.
    let unseen = r.mx.iter().any(|m| {
        m.tls.as_ref().is_none_or(|t| {
            matches!(
                t.status,
                TlsStatus::ConnectTimeout
                    | TlsStatus::Timeout
                    | TlsStatus::ResolverFailed
                    | TlsStatus::Unchecked
                    | TlsStatus::RateLimited
            )
        })
    });
    if reached.is_empty() && unseen {
        return None;
    }
    let out =
        |policy, outcome, mx: Option<&str>, why: String| outcome_of(p, policy, outcome, mx, why);
    let Some((mode, patterns)) = policy else {
        // Measured for the DANE-only senders: without a policy, a failed handshake ends
        // the host for Postfix and is followed by plain text for Exim.
        let usable = reached
            .iter()
            .find(|(_, s, _)| p.sts || p.plaintext_fallback || *s != TlsStatus::TlsHandshakeFailed);
        if usable.is_none() && !reached.is_empty() {
            return Some(out(
                Some(Applied::None),
                Outcome::Defer,
                None,
                "The TLS handshake fails at every MX host it reaches, and it does not fall back to plain text, so the mail waits in its queue.".into(),
            ));
        }
        return Some(match usable {
            Some((host, _, _)) => out(
                Some(Applied::None),
                Outcome::DeliverUnverified,
                Some(host),
                format!("No policy applies ({why_no_policy}): it delivers to {host} without verifying TLS."),
            ),
            None if r.mx.is_empty() => return None,
            None => out(
                Some(Applied::None),
                Outcome::Defer,
                None,
                "No MX host completes an SMTP session, so the mail waits in its queue.".into(),
            ),
        });
    };
    let applied = match mode {
        Mode::Enforce => Applied::Enforce,
        Mode::Testing => Applied::Testing,
        Mode::None => Applied::None,
    };
    if mode != Mode::Enforce {
        let Some((host, tls, sans)) = reached.first() else {
            return Some(out(
                Some(applied),
                Outcome::Defer,
                None,
                "No MX host completes an SMTP session, so the mail waits in its queue.".into(),
            ));
        };
        let passes = failure_at(p, &patterns, host, *tls, sans).is_none();
        let (outcome, why) = match (mode, passes) {
            (Mode::Testing, true) => (
                Outcome::DeliverVerified,
                format!("Testing mode: {host} passes validation."),
            ),
            (Mode::Testing, false) => (
                Outcome::DeliverUnverified,
                format!("Testing mode: {host} fails validation, and it delivers anyway."),
            ),
            _ => (
                Outcome::DeliverUnverified,
                "Mode none: no verification.".to_string(),
            ),
        };
        return Some(out(Some(applied), outcome, Some(host), why));
    }
    // Enforce: MX hosts in preference order, the first that passes takes the mail.
    let mut skipped = Vec::new();
    let mut last = None;
    for (host, tls, sans) in &reached {
        match failure_at(p, &patterns, host, *tls, sans) {
            None => {
                let why = if skipped.is_empty() {
                    format!("Enforce: {host} passes validation.")
                } else {
                    format!(
                        "Enforce: it skips {} and delivers to {host}.",
                        skipped.join(", ")
                    )
                };
                return Some(out(
                    Some(applied),
                    Outcome::DeliverVerified,
                    Some(host),
                    why,
                ));
            }
            Some(f) => {
                skipped.push(host.to_string());
                last = Some(f);
                // A host the policy covers was connected to; its TLS failure is final for
                // senders that do not move on.
                if *tls != TlsStatus::Ok && !p.next_mx_after_tls && covers(p, &patterns, host) {
                    break;
                }
            }
        }
    }
    let Some(last) = last else {
        return Some(out(
            Some(applied),
            Outcome::Defer,
            None,
            "No MX host completes an SMTP session, so the mail waits in its queue.".into(),
        ));
    };
    let (outcome, verb) = match last {
        Failure::Defer => (Outcome::Defer, "queues the mail and retries"),
        Failure::Bounce => (Outcome::Bounce, "returns the mail to its sender"),
    };
    Some(out(
        Some(applied),
        outcome,
        None,
        format!(
            "Enforce: no MX host passes ({}), so it {verb}.",
            skipped.join(", ")
        ),
    ))
}

/// One profile's verdict.
fn outcome_of(
    p: &Profile,
    policy: Option<Applied>,
    outcome: Outcome,
    mx: Option<&str>,
    why: String,
) -> SenderOutcome {
    SenderOutcome {
        id: p.id.into(),
        name: p.name.into(),
        version: p.version.into(),
        evidence: p.evidence,
        reference: p.reference.into(),
        policy,
        outcome,
        mx: mx.map(String::from),
        why,
        differs_from_rfc: false,
    }
}

/// True when some MX host publishes secure TLSA records (or fails DNSSEC), so that a DANE
/// sender decides by DANE (RFC 8461 §2: DANE takes precedence).
fn dane_applies(r: &Report) -> bool {
    r.mx.iter().any(|m| {
        m.dane.as_ref().is_some_and(|d| {
            matches!(
                d.status,
                Some(
                    DaneStatus::Ok
                        | DaneStatus::Mismatch
                        | DaneStatus::Unusable
                        | DaneStatus::Bogus
                )
            )
        })
    })
}

/// What a DANE sender does (RFC 7672 §2.2, §3): MX hosts in preference order, a host
/// with a matching record takes the mail over authenticated TLS, a mismatch or a failed
/// look-up sends it on to the next, a host without usable records gets TLS as it can.
/// `None` when a host it would try first could not be judged from here.
fn dane_outcome(p: &Profile, r: &Report) -> Option<SenderOutcome> {
    // DANE decides: no MTA-STS policy is applied.
    let out = |outcome, mx: Option<&str>, why: String| {
        outcome_of(p, Some(Applied::None), outcome, mx, why)
    };
    let mut skipped: Vec<String> = Vec::new();
    for m in &r.mx {
        let tls = m.tls.as_ref()?;
        if !tls_seen(tls.status) {
            if matches!(
                tls.status,
                TlsStatus::ConnectFailed | TlsStatus::SmtpError | TlsStatus::DnsError
            ) {
                skipped.push(format!("{} is unreachable", m.host));
                continue;
            }
            return None;
        }
        let status = m.dane.as_ref().and_then(|d| d.status);
        // Measured: Postfix at the `dane` level gives up on a host whose handshake fails;
        // Exim reconnects and sends in plain text. A secure TLSA set fails either way.
        let authenticated = matches!(status, Some(DaneStatus::Ok | DaneStatus::Mismatch));
        if tls.status == TlsStatus::TlsHandshakeFailed && (authenticated || !p.plaintext_fallback) {
            skipped.push(format!("the TLS handshake with {} fails", m.host));
            continue;
        }
        match status {
            Some(DaneStatus::Ok) => {
                let why = if skipped.is_empty() {
                    format!("DANE: a TLSA record of {} matches its certificate.", m.host)
                } else {
                    format!("DANE: {}; a TLSA record of {} matches its certificate.", skipped.join(", "), m.host)
                };
                return Some(out(Outcome::DeliverVerified, Some(&m.host), why));
            }
            Some(DaneStatus::Mismatch) => skipped.push(format!("no TLSA record of {} matches", m.host)),
            Some(DaneStatus::Bogus) => skipped.push(format!("{} fails DNSSEC validation", m.host)),
            Some(DaneStatus::Unusable) if tls.status != TlsStatus::StarttlsNotSupported => {
                return Some(out(
                    Outcome::DeliverUnverified,
                    Some(&m.host),
                    format!("DANE: every TLSA record of {} is unusable, so it requires TLS but does not authenticate it.", m.host),
                ))
            }
            Some(DaneStatus::Unusable) => skipped.push(format!("{} offers no STARTTLS", m.host)),
            Some(DaneStatus::None | DaneStatus::Insecure) => {
                return Some(out(
                    Outcome::DeliverUnverified,
                    Some(&m.host),
                    format!("{} has no secure TLSA records, so it delivers there with opportunistic TLS.", m.host),
                ))
            }
            None => return None,
        }
    }
    Some(out(
        Outcome::Defer,
        None,
        format!(
            "DANE: no MX host passes ({}), so it queues the mail and retries.",
            skipped.join("; ")
        ),
    ))
}

/// The finding when DANE senders and the strict MTA-STS reading do different things with
/// the domain's mail.
pub fn disagreement(senders: &[SenderOutcome]) -> Option<crate::Finding> {
    let rfc = senders.iter().find(|s| s.id == "rfc8461")?;
    let dane = senders
        .iter()
        .find(|s| s.id == "postfix-dane" && s.why.starts_with("DANE"))?;
    let delivers = |o: Outcome| matches!(o, Outcome::DeliverVerified);
    if delivers(rfc.outcome) == delivers(dane.outcome) {
        return None;
    }
    let words = |o: Outcome| match o {
        Outcome::DeliverVerified => "deliver over verified TLS",
        Outcome::DeliverUnverified => "deliver without verifying TLS",
        Outcome::Defer => "queue the mail",
        Outcome::Bounce => "return the mail",
    };
    Some(
        crate::rules::DOMAIN_DANE_STS_DISAGREE
            .finding(format!(
                "DANE and MTA-STS disagree: DANE senders (Postfix, Exim, Microsoft 365) {}, while MTA-STS senders {}. Senders that support both use DANE.",
                words(dane.outcome),
                words(rfc.outcome)
            ))
            .fix("Make both pass: the TLSA records must match the certificates the MX hosts present, and the policy must cover them."),
    )
}

/// Findings whose consequence depends on how a sender reads the record or the policy.
const SENDER_DEPENDENT: &[&str] = &[
    "txt.id.bad",
    "txt.multiple",
    "policy.content_type",
    "policy.fetch.too_large",
    "policy.tolerated_only",
];

/// Adds to each sender-dependent finding which of the modelled senders still apply the
/// policy and which do not.
pub fn annotate(findings: &mut [crate::Finding], senders: &[SenderOutcome]) {
    let names = |applies: bool| -> Vec<String> {
        senders
            .iter()
            .filter(|s| s.id != "rfc8461")
            .filter(|s| s.policy.is_some_and(|p| (p != Applied::None) == applies))
            .map(|s| s.id.clone())
            .collect()
    };
    let (apply, ignore) = (names(true), names(false));
    if apply.is_empty() || ignore.is_empty() {
        return;
    }
    for f in findings
        .iter_mut()
        .filter(|f| SENDER_DEPENDENT.contains(&f.code.as_ref()))
    {
        f.message = format!(
            "{} Senders differ here: {} still apply the policy, {} do not.",
            f.message.trim_end(),
            apply.join(", "),
            ignore.join(", ")
        );
    }
}

/// Every profile applied to the report, marking those that differ from the RFC reading.
/// Empty when the check could not see the record or the policy.
pub fn senders(r: &Report) -> Vec<SenderOutcome> {
    let all: Vec<SenderOutcome> = PROFILES.iter().filter_map(|p| evaluate(p, r)).collect();
    let Some(rfc) = all.iter().find(|s| s.id == "rfc8461").cloned() else {
        return Vec::new();
    };
    all.into_iter()
        .map(|mut s| {
            s.differs_from_rfc =
                s.policy != rfc.policy || s.outcome != rfc.outcome || s.mx != rfc.mx;
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{DnsAnswer, DnsOutcome, MxRecord};
    use crate::report::{PolicyFetch, ProbeResult, TlsProbe};
    use crate::{Answer, Check, Request, TxtRecord};

    const ENFORCE: &str = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\nmax_age: 604800\n";

    /// A finished report from canned answers: the TXT records, the policy body and its
    /// Content-Type, and each MX host with its probe status, in preference order.
    fn report(txt: &[&str], body: &str, content_type: &str, mx: &[(&str, TlsStatus)]) -> Report {
        let mut check = Check::new("example.com");
        let mut queue = check.poll_requests();
        while let Some(req) = queue.pop() {
            let answer = match &req {
                Request::Dns { name, .. } if name.starts_with("_mta-sts") => {
                    let mut a = DnsAnswer::failed(DnsOutcome::Answer);
                    a.txt = txt.iter().map(|t| TxtRecord::from_text(t)).collect();
                    Answer::Dns(a)
                }
                Request::Dns { name, .. } if name.starts_with("_smtp") => {
                    let mut a = DnsAnswer::failed(DnsOutcome::Answer);
                    a.txt = vec![TxtRecord::from_text("v=TLSRPTv1; rua=mailto:t@example.com")];
                    Answer::Dns(a)
                }
                Request::Dns { .. } => {
                    let mut a = DnsAnswer::failed(DnsOutcome::Answer);
                    a.mx = mx
                        .iter()
                        .enumerate()
                        .map(|(i, (h, _))| MxRecord {
                            preference: 10 * (i as u16 + 1),
                            host: h.to_string(),
                        })
                        .collect();
                    Answer::Dns(a)
                }
                Request::FetchPolicy { url, .. } => {
                    let mut f = PolicyFetch::new(FetchStatus::Ok, url);
                    f.http_status = Some(200);
                    f.content_type = Some(content_type.into());
                    f.bytes = Some(body.len() as u64);
                    f.set_body(body.as_bytes());
                    Answer::Policy(f)
                }
                Request::Probe { host, .. } => {
                    let status = mx.iter().find(|(h, _)| h == host).map(|(_, s)| *s).unwrap();
                    let mut tls = TlsProbe::new(status, None);
                    tls.address = Some("192.0.2.25".into());
                    // The certificate names the host, unless the probe says it does not.
                    let name = if status == TlsStatus::CertificateHostMismatch {
                        "other.example.net".to_string()
                    } else {
                        host.clone()
                    };
                    tls.cert = Some(crate::report::Certificate {
                        subject: format!("CN={name}"),
                        sans: vec![name],
                        issuer: "CN=test".into(),
                        not_before: String::new(),
                        not_after: String::new(),
                        days_left: 60,
                        chain_len: 2,
                    });
                    Answer::Probe(ProbeResult {
                        addresses: vec!["192.0.2.25".into()],
                        tls: tls.clone(),
                        probes: vec![tls],
                    })
                }
            };
            check.handle(req.id(), answer, 1).unwrap();
            queue.extend(check.poll_requests());
        }
        check.report()
    }

    fn good(mx: &[&'static str]) -> Vec<(&'static str, TlsStatus)> {
        mx.iter().map(|h| (*h, TlsStatus::Ok)).collect()
    }

    /// (policy, outcome, mx) of one profile.
    fn of(r: &Report, id: &str) -> (Option<Applied>, Outcome, Option<String>) {
        let s = r
            .senders
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no {id}"));
        (s.policy, s.outcome, s.mx.clone())
    }

    const PLAIN: &str = "text/plain";
    use Applied as A;
    use Outcome as O;

    #[test]
    fn a_bad_id_voids_the_policy_for_strict_parsers_only() {
        let r = report(
            &["v=STSv1; id=2024-01-01"],
            ENFORCE,
            PLAIN,
            &good(&["mx1.example.com"]),
        );
        assert_eq!(
            of(&r, "rfc8461"),
            (
                Some(A::None),
                O::DeliverUnverified,
                Some("mx1.example.com".into())
            )
        );
        assert_eq!(of(&r, "mox").0, Some(A::None));
        for lenient in [
            "postfix-mta-sts-resolver",
            "chasquid",
            "mailauth",
            "stalwart",
            "maddy",
        ] {
            assert_eq!(of(&r, lenient).0, Some(A::Enforce), "{lenient}");
            assert_eq!(of(&r, lenient).1, O::DeliverVerified, "{lenient}");
        }
        let postfix = r
            .senders
            .iter()
            .find(|s| s.id == "postfix-mta-sts-resolver")
            .unwrap();
        assert!(postfix.differs_from_rfc);
        assert!(!r.senders[0].differs_from_rfc);
    }

    #[test]
    fn two_records_are_no_policy_except_where_the_first_is_taken() {
        let r = report(
            &["v=STSv1; id=1", "v=STSv1; id=2"],
            ENFORCE,
            PLAIN,
            &good(&["mx1.example.com"]),
        );
        assert_eq!(of(&r, "rfc8461").0, Some(A::None));
        assert_eq!(of(&r, "mox").0, Some(A::None));
        assert_eq!(of(&r, "chasquid").0, Some(A::Enforce));
        assert_eq!(of(&r, "stalwart").0, Some(A::Enforce));
    }

    #[test]
    fn a_policy_served_as_html_is_kept_by_those_that_do_not_look() {
        let r = report(
            &["v=STSv1; id=1"],
            ENFORCE,
            "text/html",
            &good(&["mx1.example.com"]),
        );
        for (id, applied) in [
            ("rfc8461", A::None),
            ("postfix-mta-sts-resolver", A::None),
            ("chasquid", A::None),
            ("maddy", A::None),
            ("mox", A::Enforce),
            ("mailauth", A::Enforce),
            ("stalwart", A::Enforce),
        ] {
            assert_eq!(of(&r, id).0, Some(applied), "{id}");
        }
    }

    #[test]
    fn a_wildcard_two_labels_deep_passes_only_for_suffix_matchers() {
        let body = "version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 604800\n";
        let r = report(
            &["v=STSv1; id=1"],
            body,
            PLAIN,
            &good(&["b.deep.example.com"]),
        );
        assert_eq!(of(&r, "rfc8461"), (Some(A::Enforce), O::Defer, None));
        assert_eq!(of(&r, "mailauth").1, O::DeliverVerified);
        assert_eq!(of(&r, "postfix-mta-sts-resolver").1, O::DeliverVerified);
        assert_eq!(
            of(&r, "stalwart").1,
            O::Bounce,
            "an MX outside the policy is permanent"
        );
        assert_eq!(of(&r, "maddy").1, O::Bounce);
        assert_eq!(of(&r, "mox").1, O::Defer);
    }

    #[test]
    fn testing_mode_is_validated_or_ignored() {
        let body = ENFORCE.replace("enforce", "testing");
        let r = report(
            &["v=STSv1; id=1"],
            &body,
            PLAIN,
            &good(&["mx1.example.com"]),
        );
        assert_eq!(of(&r, "rfc8461").0, Some(A::Testing));
        assert_eq!(of(&r, "rfc8461").1, O::DeliverVerified);
        assert_eq!(of(&r, "mox").0, Some(A::Testing));
        for ignores in ["postfix-mta-sts-resolver", "chasquid", "mailauth", "maddy"] {
            assert_eq!(
                of(&r, ignores),
                (
                    Some(A::None),
                    O::DeliverUnverified,
                    Some("mx1.example.com".into())
                ),
                "{ignores}"
            );
        }
    }

    #[test]
    fn an_enforce_failure_defers_or_bounces_by_sender() {
        let r = report(
            &["v=STSv1; id=1"],
            ENFORCE,
            PLAIN,
            &[("mx1.example.com", TlsStatus::CertificateExpired)],
        );
        for (id, outcome) in [
            ("rfc8461", O::Defer),
            ("mox", O::Defer),
            ("chasquid", O::Defer),
            ("stalwart", O::Defer),
            ("maddy", O::Defer),
            // Measured: an expired chain is a network error to ZoneMTA, not a policy one.
            ("mailauth", O::Defer),
            ("gmail", O::Bounce),
        ] {
            assert_eq!(of(&r, id).1, outcome, "{id}");
            assert_eq!(of(&r, id).2, None, "{id}");
        }
        let named_wrong = report(
            &["v=STSv1; id=1"],
            ENFORCE,
            PLAIN,
            &[("mx1.example.com", TlsStatus::CertificateHostMismatch)],
        );
        assert_eq!(of(&named_wrong, "mailauth").1, O::Bounce);
        assert_eq!(of(&named_wrong, "rfc8461").1, O::Defer);
        // An MX no pattern covers is refused before any connection: a mismatch, whatever
        // its certificate (ZoneMTA bounces it, where it defers an expired chain).
        let uncovered = report(
            &["v=STSv1; id=1"],
            ENFORCE,
            PLAIN,
            &[("mx.other.net", TlsStatus::CertificateExpired)],
        );
        assert_eq!(of(&uncovered, "mailauth").1, O::Bounce);
        assert_eq!(of(&uncovered, "maddy").1, O::Bounce);
    }

    #[test]
    fn when_the_preferred_mx_fails_the_next_one_takes_the_mail() {
        let r = report(
            &["v=STSv1; id=1"],
            ENFORCE,
            PLAIN,
            &[
                ("mx1.example.com", TlsStatus::CertificateHostMismatch),
                ("mx2.example.com", TlsStatus::Ok),
            ],
        );
        let sts = |s: &&SenderOutcome| PROFILES.iter().any(|p| p.id == s.id && p.sts);
        for s in r.senders.iter().filter(sts).filter(|s| s.id != "mailauth") {
            assert_eq!(s.outcome, O::DeliverVerified, "{}", s.id);
            assert_eq!(s.mx.as_deref(), Some("mx2.example.com"), "{}", s.id);
        }
        // Measured: ZoneMTA stays with the first host it connected to.
        assert_eq!(of(&r, "mailauth"), (Some(A::Enforce), O::Bounce, None));
        assert!(
            r.senders[0].why.contains("skips mx1.example.com"),
            "{}",
            r.senders[0].why
        );
    }

    #[test]
    fn a_policy_after_ten_kib_of_padding_is_lost_to_a_truncating_reader() {
        let padding: String = (0..200)
            .map(|i| format!("padding{i}: {}\n", "x".repeat(60)))
            .collect();
        let body = format!("{padding}{ENFORCE}");
        assert!(body.len() > 10 * 1024 && body.len() < 64 * 1024);
        let r = report(
            &["v=STSv1; id=1"],
            &body,
            PLAIN,
            &good(&["mx1.example.com"]),
        );
        assert_eq!(of(&r, "rfc8461").0, Some(A::Enforce));
        assert_eq!(of(&r, "chasquid").0, Some(A::None));
    }

    #[test]
    fn grammar_errors_are_tolerated_by_some_parsers() {
        let body = "version: STSv1\n  mode: enforce\nmx: mx1.example.com\nmax_age: 604800\n";
        let r = report(&["v=STSv1; id=1"], body, PLAIN, &good(&["mx1.example.com"]));
        assert_eq!(of(&r, "rfc8461").0, Some(A::None));
        assert_eq!(
            of(&r, "postfix-mta-sts-resolver").0,
            Some(A::None),
            "the indented key is lost"
        );
        assert_eq!(of(&r, "chasquid").0, Some(A::Enforce));
        let blank = "version: STSv1\nmode: enforce\n\nmx: mx1.example.com\nmax_age: 604800\n";
        let r = report(
            &["v=STSv1; id=1"],
            blank,
            PLAIN,
            &good(&["mx1.example.com"]),
        );
        assert_eq!(of(&r, "postfix-mta-sts-resolver").0, Some(A::Enforce));
        assert_eq!(of(&r, "maddy").0, Some(A::None));
        assert_eq!(of(&r, "mox").0, Some(A::None));
    }

    #[test]
    fn postfix_checks_the_certificate_against_the_patterns_not_the_mx_host() {
        // Measured with the real Postfix: a certificate for another name under the
        // wildcard passes, so mail goes to the preferred MX that the RFC reading refuses.
        let body = "version: STSv1\nmode: enforce\nmx: *.example.net\nmax_age: 604800\n";
        let r = report(
            &["v=STSv1; id=1"],
            body,
            PLAIN,
            &[
                ("mx1.example.net", TlsStatus::CertificateHostMismatch),
                ("mx2.example.net", TlsStatus::Ok),
            ],
        );
        assert_eq!(of(&r, "rfc8461").2.as_deref(), Some("mx2.example.net"));
        assert_eq!(
            of(&r, "postfix-mta-sts-resolver").2.as_deref(),
            Some("mx1.example.net")
        );
    }

    #[test]
    fn nothing_is_said_for_senders_when_the_record_was_not_seen() {
        let mut check = Check::new("example.com");
        for req in check.poll_requests() {
            let answer = match &req {
                Request::FetchPolicy { url, .. } => {
                    Answer::Policy(PolicyFetch::new(FetchStatus::Unchecked, url))
                }
                _ => Answer::Dns(DnsAnswer::failed(DnsOutcome::Timeout)),
            };
            check.handle(req.id(), answer, 1).unwrap();
        }
        let r = check.report();
        assert!(r.complete);
        assert!(r.senders.is_empty());
    }
}
