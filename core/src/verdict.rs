//! From the answers of a [`Check`] to the report: the findings of each step, what senders do
//! with each MX, and the verdict (CHECKLIST §1 mode scaling, §2 verdict rules).

use crate::check::{Check, MxSet};
use crate::dns::{DnsAnswer, DnsOutcome};
use crate::finding::{Finding, Rule, Severity};
use crate::policy::{check_policy, Mode, Policy, PolicyCheck};
use crate::recordset::RecordStatus;
use crate::report::*;
use crate::{check_sts_records, check_tlsrpt_records, pattern, rules};

/// A certificate this close to expiry is worth a warning.
const EXPIRY_WARNING_DAYS: i64 = 14;

pub(crate) fn build(check: &Check) -> Report {
    let txt = txt_step(check.txt.as_ref());
    let tlsrpt = tlsrpt_step(check.tlsrpt.as_ref());
    let (policy, parsed) = policy_step(check, &txt);
    let in_effect = policy_in_effect(&txt, &policy, parsed.as_ref());
    let mut mx = mx_reports(check, &policy, parsed.as_ref(), in_effect.as_ref());

    let mut domain_findings = Vec::new();
    domain_wide(
        check,
        &policy,
        parsed.as_ref(),
        in_effect.as_ref(),
        &tlsrpt,
        &mut mx,
        &mut domain_findings,
    );

    let mut findings: Vec<Finding> = Vec::new();
    findings.extend(txt.findings.iter().cloned());
    findings.extend(policy.findings.iter().cloned());
    for m in &mx {
        findings.extend(m.findings.iter().cloned());
    }
    findings.extend(tlsrpt.findings.iter().cloned());
    findings.extend(domain_findings);

    let complete = check.is_complete();
    let (verdict, summary) = if complete {
        let (v, s) = verdict(&txt, &findings, &mx, in_effect.as_ref());
        (Some(v), s)
    } else {
        (None, "The check is running.".to_string())
    };
    Report {
        report_version: 0,
        domain: check.domain.clone(),
        verdict,
        summary,
        complete,
        txt,
        policy,
        mx,
        tlsrpt,
        findings,
    }
}

fn state_of<T>(answer: Option<&T>) -> StepState {
    if answer.is_some() {
        StepState::Done
    } else {
        StepState::Running
    }
}

fn txt_step(answer: Option<&DnsAnswer>) -> TxtStep {
    let mut step = TxtStep {
        state: state_of(answer),
        status: None,
        id: None,
        records: Vec::new(),
        cname: Vec::new(),
        ttl: None,
        dns: None,
        findings: Vec::new(),
    };
    let Some(a) = answer else { return step };
    step.dns = Some(a.outcome.clone());
    step.cname = a.cname.clone();
    step.ttl = a.ttl;
    if !a.outcome.resolved() {
        step.status = Some(RecordStatus::Error);
        step.findings.push(
            rules::TXT_LOOKUP_FAILED
                .finding(format!("The look-up of _mta-sts failed: {}. Whether MTA-STS is deployed cannot be told, and senders that hit the same failure skip MTA-STS.", a.outcome.describe()))
                .fix("Make sure every name server of the domain answers for _mta-sts (check DNSSEC signatures too)."),
        );
        return step;
    }
    if !a.cname.is_empty() {
        step.findings.push(rules::TXT_CNAME.finding(format!(
            "_mta-sts is an alias (CNAME) for {}; senders follow it.",
            a.cname.join(" → ")
        )));
    }
    let records = if a.outcome == DnsOutcome::Answer {
        a.txt.as_slice()
    } else {
        &[]
    };
    let checked = check_sts_records(records);
    step.status = Some(checked.status);
    step.id = checked.id;
    step.records = checked.records;
    step.findings = [step.findings, checked.findings].concat();
    step
}

fn tlsrpt_step(answer: Option<&DnsAnswer>) -> TlsRptStep {
    let mut step = TlsRptStep {
        state: state_of(answer),
        status: None,
        rua: Vec::new(),
        records: Vec::new(),
        ttl: None,
        findings: Vec::new(),
    };
    let Some(a) = answer else { return step };
    step.ttl = a.ttl;
    if !a.outcome.resolved() {
        step.status = Some(RecordStatus::Error);
        step.findings.push(
            rules::TLSRPT_LOOKUP_FAILED
                .finding(format!(
                    "The look-up of _smtp._tls failed: {}.",
                    a.outcome.describe()
                ))
                .fix("Make sure every name server of the domain answers for _smtp._tls."),
        );
        return step;
    }
    let records = if a.outcome == DnsOutcome::Answer {
        a.txt.as_slice()
    } else {
        &[]
    };
    let checked = check_tlsrpt_records(records);
    step.status = Some(checked.status);
    step.rua = checked.rua;
    step.records = checked.records;
    step.findings = checked.findings;
    step
}

/// Applies what the RFC says about the HTTP response, then parses the body.
fn policy_step(check: &Check, txt: &TxtStep) -> (PolicyStep, Option<PolicyCheck>) {
    let mut step = PolicyStep {
        state: state_of(check.policy.as_ref()),
        fetch: None,
        valid: false,
        mode: None,
        max_age: None,
        mx: Vec::new(),
        findings: Vec::new(),
    };
    let Some(fetch) = check.policy.as_ref() else {
        return (step, None);
    };
    let fetch = fetch.clone().settled();
    let advertised = txt.status == Some(RecordStatus::Valid);
    let txt_known = txt.status.is_some();
    let mut parsed = None;
    if fetch.status == FetchStatus::Ok || fetch.status == FetchStatus::ContentType {
        if let Some(body) = fetch.body_bytes() {
            let check = check_policy(&body);
            step.mode = check.policy.as_ref().map(|p| p.mode);
            step.max_age = check.policy.as_ref().map(|p| p.max_age);
            step.mx = check
                .policy
                .as_ref()
                .map(|p| p.mx.clone())
                .unwrap_or_default();
            parsed = Some(check);
        }
    }
    if fetch.status == FetchStatus::Ok {
        if let Some(ct) = &fetch.content_type {
            if let Some(charset) = charset_of(ct).filter(|c| c != "utf-8" && c != "us-ascii") {
                step.findings.push(rules::POLICY_CHARSET_IGNORED.finding(format!(
                    "The Content-Type names charset \"{charset}\"; senders ignore it and read the policy as UTF-8."
                )));
            }
        }
        if !advertised && txt_known {
            step.findings.push(rules::POLICY_UNADVERTISED.finding(
                "A policy is served, but no valid _mta-sts TXT record advertises it, so senders do not fetch it (senders that cached it earlier keep applying it until its max_age runs out).",
            ));
        }
    } else if advertised || !txt_known || fetch.status == FetchStatus::Unchecked {
        step.findings.push(fetch_finding(&fetch));
    } else if fetch.status != FetchStatus::DnsNxdomain {
        step.findings.push(
            fetch_finding(&fetch)
                .severity(Severity::Info)
                .fix("Nothing to do while MTA-STS is not advertised; fix this before publishing the TXT record."),
        );
    }
    if let Some(check) = &parsed {
        step.valid = fetch.status == FetchStatus::Ok && check.valid;
        step.findings.extend(check.findings.iter().cloned());
    }
    step.fetch = Some(fetch);
    (step, parsed)
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    })
}

fn fetch_finding(fetch: &PolicyFetch) -> Finding {
    let host = fetch
        .url
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or("the policy host");
    let detail = fetch
        .error
        .as_deref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    let (rule, message, fix): (Rule, String, String) = match fetch.status {
        FetchStatus::DnsNxdomain => (
            rules::POLICY_HOST_UNRESOLVABLE,
            format!("The policy host {host} does not exist in DNS, so senders cannot fetch the policy."),
            format!("Publish an A or AAAA record (or a CNAME to your hosting) for {host}."),
        ),
        FetchStatus::DnsError => (
            rules::POLICY_HOST_UNRESOLVABLE,
            format!("The address of the policy host {host} could not be looked up{detail}."),
            format!("Make sure {host} resolves from the internet."),
        ),
        FetchStatus::ConnectFailed | FetchStatus::Timeout | FetchStatus::TlsHandshakeFailed => (
            rules::POLICY_FETCH_FAILED,
            format!("The policy could not be fetched from {host}: {}{detail}.", match fetch.status {
                FetchStatus::Timeout => "the server did not answer in time",
                FetchStatus::TlsHandshakeFailed => "the TLS handshake failed",
                _ => "no connection to port 443",
            }),
            "Serve the policy over HTTPS on port 443 of the policy host.".to_string(),
        ),
        FetchStatus::CertificateExpired | FetchStatus::CertificateNotYetValid => (
            rules::POLICY_TLS_EXPIRED,
            format!("The certificate of {host} is {}{detail}; senders refuse to fetch the policy.", if fetch.status == FetchStatus::CertificateExpired { "expired" } else { "not yet valid" }),
            "Renew the certificate (and automate renewal).".to_string(),
        ),
        FetchStatus::CertificateHostMismatch => (
            rules::POLICY_TLS_NAME_MISMATCH,
            format!("The certificate of the policy host is not valid for {host}{}.", fetch.certificate.as_ref().map(|c| format!("; it names {}", c.sans.join(", "))).unwrap_or_else(|| detail.clone())),
            format!("Serve a certificate whose subject alternative names include {host} (a hosting provider must use your name, not its own)."),
        ),
        FetchStatus::CertificateNotTrusted | FetchStatus::CertificateChainIncomplete => (
            rules::POLICY_TLS_UNTRUSTED,
            format!("The certificate of {host} does not chain to a trusted root{}{detail}.", if fetch.status == FetchStatus::CertificateChainIncomplete { ": the server does not send the intermediate certificate" } else { "" }),
            "Use a certificate from a public CA and serve the full chain.".to_string(),
        ),
        FetchStatus::HttpStatus => (
            rules::POLICY_FETCH_STATUS,
            format!("{} answered HTTP {} instead of 200; only a 200 response is a policy.", fetch.url, fetch.http_status.map_or("(none)".to_string(), |s| s.to_string())),
            "Serve the policy file at /.well-known/mta-sts.txt with status 200.".to_string(),
        ),
        FetchStatus::Redirect => (
            rules::POLICY_FETCH_REDIRECT,
            format!("{} redirects to {}; senders never follow redirects.", fetch.url, fetch.redirect_to.as_deref().unwrap_or("another address")),
            format!("Serve the policy directly at {} (exempt it from HTTPS or www redirects).", fetch.url),
        ),
        FetchStatus::ContentType => (
            rules::POLICY_CONTENT_TYPE,
            format!("The policy is served as {}, not text/plain; senders that check the type discard it.", fetch.content_type.as_deref().map_or("no Content-Type".to_string(), |c| format!("\"{c}\""))),
            "Serve mta-sts.txt with \"Content-Type: text/plain\".".to_string(),
        ),
        FetchStatus::TooLarge => (
            rules::POLICY_FETCH_TOO_LARGE,
            format!("The policy body is larger than 64 KiB ({} bytes read); senders stop reading and treat the fetch as failed.", fetch.bytes.unwrap_or(0)),
            "Serve only the policy fields.".to_string(),
        ),
        FetchStatus::Unchecked => (
            rules::CHECK_UNAVAILABLE,
            format!("The policy at {} could not be checked from this page: the companion service is unreachable, and the policy host does not let browsers read it (no CORS headers){detail}.", fetch.url),
            "Run the check with the companion service (mtasts serve), or with `mtasts check` in a terminal.".to_string(),
        ),
        FetchStatus::Ok => unreachable!("an ok fetch has no failure finding"),
    };
    rule.finding(message).fix(fix)
}

/// The policy senders apply, with the TLS-RPT result type of a domain-level failure.
struct InEffect {
    policy: Option<Policy>,
    /// Set when a valid TXT points at a policy senders cannot use.
    failure: Option<&'static str>,
}

fn policy_in_effect(
    txt: &TxtStep,
    step: &PolicyStep,
    parsed: Option<&PolicyCheck>,
) -> Option<InEffect> {
    if txt.status != Some(RecordStatus::Valid) {
        return None;
    }
    let fetch = step.fetch.as_ref()?;
    if fetch.status == FetchStatus::Unchecked {
        return None;
    }
    let webpki = matches!(
        fetch.status,
        FetchStatus::CertificateExpired
            | FetchStatus::CertificateNotYetValid
            | FetchStatus::CertificateHostMismatch
            | FetchStatus::CertificateNotTrusted
            | FetchStatus::CertificateChainIncomplete
    );
    if webpki {
        return Some(InEffect {
            policy: None,
            failure: Some("sts-webpki-invalid"),
        });
    }
    if fetch.status != FetchStatus::Ok {
        return Some(InEffect {
            policy: None,
            failure: Some("sts-policy-fetch-error"),
        });
    }
    let usable = parsed
        .filter(|c| {
            c.findings
                .iter()
                .all(|f| f.severity != Severity::Error || f.tolerated)
        })
        .and_then(|c| c.policy.clone());
    match usable {
        Some(policy) => Some(InEffect {
            policy: Some(policy),
            failure: None,
        }),
        None => Some(InEffect {
            policy: None,
            failure: Some("sts-policy-invalid"),
        }),
    }
}

fn scaled(rule: Rule, mode: Option<Mode>) -> Severity {
    match mode {
        Some(Mode::Enforce) => rule.severity,
        Some(Mode::Testing) => Severity::Warning,
        _ => Severity::Info,
    }
}

fn mx_reports(
    check: &Check,
    step: &PolicyStep,
    parsed: Option<&PolicyCheck>,
    in_effect: Option<&InEffect>,
) -> Vec<MxReport> {
    let hosts: Vec<(String, u16)> = match &check.mx {
        Some(MxSet::Hosts(h)) => h.iter().map(|m| (m.host.clone(), m.preference)).collect(),
        Some(MxSet::Implicit(m)) => vec![(m.host.clone(), m.preference)],
        _ => Vec::new(),
    };
    let patterns: Vec<&str> = parsed
        .and_then(|c| c.policy.as_ref())
        .map(|p| p.mx.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mode = in_effect.and_then(|e| e.policy.as_ref()).map(|p| p.mode);
    hosts
        .into_iter()
        .map(|(host, preference)| {
            let probed = check.probes.contains_key(&host);
            let probe = check.probes.get(&host).cloned().flatten();
            let pattern = pattern::find_match(&host, patterns.iter().copied()).map(str::to_string);
            let mut report = MxReport {
                host: host.clone(),
                preference,
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
                tls: probe.as_ref().map(|p| p.tls.clone()),
                sender: None,
                tlsrpt_result: None,
                findings: Vec::new(),
            };
            mx_findings(&mut report, step, mode, in_effect);
            if !probed {
                report.findings.push(rules::MX_NOT_PROBED.finding(format!(
                    "{} was not probed: a check probes the {} most preferred MX hosts.",
                    report.host,
                    crate::check::MAX_PROBED_MX
                )));
            }
            report
        })
        .collect()
}

fn mx_findings(
    m: &mut MxReport,
    step: &PolicyStep,
    mode: Option<Mode>,
    in_effect: Option<&InEffect>,
) {
    let policy_known = step.fetch.is_some();
    if policy_known && step.mode.is_some() && step.mode != Some(Mode::None) && !m.matched {
        m.findings.push(
            rules::MX_PATTERN_NO_MATCH
                .finding(format!(
                    "No mx pattern of the policy covers {}; {}",
                    m.host,
                    consequence(mode)
                ))
                .fix(format!(
                    "Add \"mx: {}\" to the policy (a \"*.\" pattern covers exactly one label).",
                    m.host
                ))
                .severity(scaled(rules::MX_PATTERN_NO_MATCH, mode)),
        );
    }
    let Some(tls) = &m.tls else { return };
    let host = &m.host;
    let cert = tls.cert.as_ref();
    let date = |d: Option<&String>| {
        d.map(|d| d.chars().take(10).collect::<String>())
            .unwrap_or_else(|| "?".into())
    };
    let failure: Option<(Rule, String, &'static str)> = match tls.status {
        TlsStatus::Ok => None,
        TlsStatus::Unchecked => {
            m.findings.push(
                rules::CHECK_UNAVAILABLE
                    .finding(format!("{host} was not probed: the STARTTLS probe needs the companion service, which could not be reached."))
                    .fix("Run the check with the companion service (mtasts serve), or with `mtasts check` in a terminal."),
            );
            m.sender = None;
            return;
        }
        TlsStatus::StarttlsNotSupported => Some((rules::MX_STARTTLS_MISSING, format!("{host} does not offer STARTTLS"), "starttls-not-supported")),
        TlsStatus::CertificateExpired => Some((rules::MX_CERT_EXPIRED, format!("the certificate of {host} expired on {}", date(cert.map(|c| &c.not_after))), "certificate-expired")),
        TlsStatus::CertificateNotYetValid => Some((rules::MX_CERT_EXPIRED, format!("the certificate of {host} is valid only from {}", date(cert.map(|c| &c.not_before))), "certificate-expired")),
        TlsStatus::CertificateHostMismatch => Some((rules::MX_CERT_NAME_MISMATCH, format!("the certificate of {host} does not name {host}{}", cert.map(|c| format!(" (it names {})", c.sans.join(", "))).unwrap_or_default()), "certificate-host-mismatch")),
        TlsStatus::CertificateNotTrusted => Some((rules::MX_CERT_UNTRUSTED, format!("the certificate of {host} does not chain to a trusted root (self-signed or a private CA{})", cert.map(|c| format!("; issuer {}", c.issuer)).unwrap_or_default()), "certificate-not-trusted")),
        TlsStatus::CertificateChainIncomplete => Some((rules::MX_CERT_CHAIN_INCOMPLETE, format!("{host} does not send the intermediate certificate, so the chain cannot be verified"), "certificate-not-trusted")),
        TlsStatus::ProtocolVersion => Some((rules::MX_TLS_VERSION, format!("{host} offers nothing at TLS 1.2 or above"), "validation-failure")),
        TlsStatus::TlsHandshakeFailed => Some((rules::MX_TLS_FAILED, format!("the TLS handshake with {host} failed{}", tls.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()), "validation-failure")),
        TlsStatus::DnsError | TlsStatus::ConnectFailed | TlsStatus::Timeout | TlsStatus::SmtpError => {
            let why = tls.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default();
            m.findings.push(
                rules::MX_UNREACHABLE
                    .finding(format!("The probe could not talk to {host} on port 25{why}. Senders queue mail for it and try other MX hosts."))
                    .fix("Make sure port 25 is open and the server answers with a 220 greeting."),
            );
            None
        }
    };
    if let Some((rule, what, _)) = &failure {
        let fix = match rule.code {
            "mx.starttls.missing" => {
                "Enable STARTTLS on the mail server with a certificate for its MX name."
            }
            "mx.cert.expired" => "Renew the certificate and automate renewal.",
            "mx.cert.name_mismatch" => {
                "Use a certificate whose subject alternative names include the MX host name."
            }
            "mx.tls.version" => "Enable TLS 1.2 and TLS 1.3.",
            _ => "Use a certificate from a public CA and send the full chain.",
        };
        let mut text = what.clone();
        if let Some(first) = text.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        m.findings.push(
            rule.finding(format!("{text}; {}", consequence(mode)))
                .fix(fix)
                .severity(scaled(*rule, mode)),
        );
    }
    if tls.status == TlsStatus::Ok {
        if let Some(cert) = &tls.cert {
            if cert.days_left < EXPIRY_WARNING_DAYS {
                m.findings.push(
                    rules::MX_CERT_EXPIRING
                        .finding(format!(
                            "The certificate of {host} expires in {} days.",
                            cert.days_left
                        ))
                        .fix("Renew it now and check that renewal is automated."),
                );
            }
        }
    }
    let reachable = !matches!(
        tls.status,
        TlsStatus::DnsError | TlsStatus::ConnectFailed | TlsStatus::Timeout | TlsStatus::SmtpError
    );
    let verified = tls.status == TlsStatus::Ok && m.matched;
    let Some(effect) = in_effect else {
        let unchecked = step
            .fetch
            .as_ref()
            .is_some_and(|f| f.status == FetchStatus::Unchecked);
        m.sender = if unchecked {
            None
        } else {
            Some(Sender::DeliverUnverified)
        };
        return;
    };
    if let Some(result) = effect.failure {
        m.sender = Some(Sender::DeliverUnverified);
        m.tlsrpt_result = Some(result.to_string());
        return;
    }
    if !reachable {
        // Whether senders would refuse it cannot be told from here: the probe never got a
        // TLS session (and port 25 is often blocked where a check runs).
        m.sender = None;
        return;
    }
    m.sender = Some(match mode {
        Some(Mode::Enforce) if verified => Sender::Deliver,
        Some(Mode::Enforce) => Sender::Refuse,
        Some(Mode::Testing) if verified => Sender::Deliver,
        _ => Sender::DeliverUnverified,
    });
    if matches!(mode, Some(Mode::Enforce | Mode::Testing)) && reachable {
        m.tlsrpt_result = match &failure {
            Some((_, _, result)) => Some(result.to_string()),
            None if !m.matched => Some("validation-failure".to_string()),
            None => None,
        };
    }
}

fn consequence(mode: Option<Mode>) -> &'static str {
    match mode {
        Some(Mode::Enforce) => "MTA-STS senders will not deliver to this MX.",
        Some(Mode::Testing) => "in testing mode senders still deliver, and report the failure.",
        _ => "this would block delivery once the domain enforces MTA-STS.",
    }
}

fn domain_wide(
    check: &Check,
    step: &PolicyStep,
    parsed: Option<&PolicyCheck>,
    in_effect: Option<&InEffect>,
    tlsrpt: &TlsRptStep,
    mx: &mut [MxReport],
    out: &mut Vec<Finding>,
) {
    match &check.mx {
        Some(MxSet::Failed(outcome)) => out.push(
            rules::MX_LOOKUP_FAILED
                .finding(format!("The MX look-up failed: {}. No MX host could be checked.", outcome.describe()))
                .fix("Make sure every name server of the domain answers for its MX records."),
        ),
        Some(MxSet::Null) => out.push(rules::MX_NULL.finding("The domain publishes a null MX (\"0 .\"): it accepts no mail, so MTA-STS has nothing to protect.")),
        Some(MxSet::Implicit(m)) => out.push(rules::MX_IMPLICIT.finding(format!(
            "The domain has no MX record, so senders deliver to the domain itself ({}).",
            m.host
        ))),
        _ => {}
    }
    let policy = in_effect.and_then(|e| e.policy.as_ref());
    if let (Some(policy), Some(MxSet::Hosts(_) | MxSet::Implicit(_))) =
        (parsed.and_then(|c| c.policy.as_ref()), &check.mx)
    {
        for p in &policy.mx {
            if !mx.iter().any(|m| {
                m.pattern.as_deref() == Some(p.as_str())
                    || pattern::find_match(&m.host, [p.as_str()]).is_some()
            }) {
                out.push(rules::POLICY_MX_UNUSED.finding(format!(
                    "The pattern \"{p}\" covers none of the current MX hosts; it may be left over from a migration."
                )));
            }
        }
    }
    if let Some(policy) = policy {
        if policy.mode == Mode::Testing
            && tlsrpt.status.is_some()
            && tlsrpt.status != Some(RecordStatus::Valid)
        {
            out.push(
                rules::POLICY_TESTING_WITHOUT_TLSRPT
                    .finding("The policy is in testing mode but no valid TLS-RPT record asks for reports, so failures are never reported to you.")
                    .fix("Publish e.g. \"v=TLSRPTv1; rua=mailto:tls-reports@example.com\" at _smtp._tls."),
            );
        }
        let probed = mx.iter().filter(|m| m.tls.is_some()).count();
        let reached: Vec<&MxReport> = mx.iter().filter(|m| m.sender.is_some()).collect();
        if policy.mode == Mode::Enforce
            && probed == mx.len()
            && !reached.is_empty()
            && reached.iter().all(|m| m.sender == Some(Sender::Refuse))
        {
            out.push(
                rules::DOMAIN_ENFORCE_ALL_MX_FAIL
                    .finding("Under mode enforce no MX host passes: mail from MTA-STS senders will queue and then bounce.")
                    .fix("Fix the MX hosts' TLS, or switch the policy to mode testing until they pass."),
            );
        }
    }
    let tolerated: Vec<&Finding> = step.findings.iter().filter(|f| f.tolerated).collect();
    if !tolerated.is_empty()
        && step
            .fetch
            .as_ref()
            .is_some_and(|f| f.status == FetchStatus::Ok)
    {
        out.push(
            rules::POLICY_TOLERATED_ONLY
                .finding(format!(
                    "The policy breaks the strict grammar in {} place(s) that lenient senders tolerate; strict parsers (such as mox) ignore the whole policy.",
                    tolerated.len()
                ))
                .fix("Fix the lines marked \"tolerated\" so that every sender applies the policy."),
        );
    }
}

fn verdict(
    txt: &TxtStep,
    findings: &[Finding],
    mx: &[MxReport],
    in_effect: Option<&InEffect>,
) -> (Verdict, String) {
    if txt.status == Some(RecordStatus::None) {
        return (
            Verdict::None,
            "MTA-STS is not deployed: senders deliver without verifying TLS.".to_string(),
        );
    }
    let hard = findings
        .iter()
        .find(|f| f.severity == Severity::Error && !f.tolerated);
    if let Some(f) = hard {
        return (Verdict::Fail, format!("MTA-STS is broken: {}", f.message));
    }
    let tolerated = findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.tolerated);
    if tolerated {
        return (
            Verdict::Warn,
            "MTA-STS works for lenient senders, but strict parsers (such as mox) ignore the policy because of grammar errors.".to_string(),
        );
    }
    if let Some(f) = findings.iter().find(|f| f.severity == Severity::Warning) {
        return (
            Verdict::Warn,
            format!("MTA-STS works, with a warning: {}", f.message),
        );
    }
    let mode = in_effect.and_then(|e| e.policy.as_ref()).map(|p| p.mode);
    let n = mx.len();
    let summary = match mode {
        Some(Mode::Enforce) => format!(
            "MTA-STS is enforced: senders deliver to {} over verified TLS.",
            if n == 1 {
                "the MX host".to_string()
            } else {
                format!("all {n} MX hosts")
            }
        ),
        _ => "MTA-STS is deployed and passes every check.".to_string(),
    };
    (Verdict::Pass, summary)
}
