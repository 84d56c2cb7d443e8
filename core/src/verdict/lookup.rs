//! The look-ups: `_mta-sts` TXT (RFC 8461 §3.1), `_smtp._tls` TXT (RFC 8460 §3) and what the
//! MX answer says about where mail goes.

use super::text;
use crate::answers::{Answers, MxSet};
use crate::dns::{DnsAnswer, DnsOutcome};
use crate::finding::Finding;
use crate::recordset::RecordStatus;
use crate::report::{StepState, TlsRptStep, TxtStep};
use crate::{check_sts_records, check_tlsrpt_records, rules};

pub(super) fn state_of<T>(answer: Option<&T>) -> StepState {
    if answer.is_some() {
        StepState::Done
    } else {
        StepState::Running
    }
}

/// The records of an answer that worked; none for NXDOMAIN and NODATA.
fn records(a: &DnsAnswer) -> &[crate::TxtRecord] {
    if a.outcome == DnsOutcome::Answer {
        a.txt.as_slice()
    } else {
        &[]
    }
}

pub(super) fn txt_step(answer: Option<&DnsAnswer>) -> TxtStep {
    let mut step = TxtStep {
        state: state_of(answer),
        status: None,
        id: None,
        records: Vec::new(),
        cname: Vec::new(),
        ttl: None,
        dns: None,
        dnssec: None,
        findings: Vec::new(),
    };
    let Some(a) = answer else { return step };
    step.dns = Some(a.outcome.clone());
    step.cname = a.cname.clone();
    step.ttl = a.ttl;
    if a.outcome.tester_side() {
        // Not the domain's fault: the blind-spot finding says what happened.
        step.status = Some(RecordStatus::Error);
        return step;
    }
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
    let checked = check_sts_records(records(a));
    step.status = Some(checked.status);
    step.id = checked.id;
    step.records = checked.records;
    step.findings.extend(checked.findings);
    step
}

pub(super) fn tlsrpt_step(answer: Option<&DnsAnswer>) -> TlsRptStep {
    let mut step = TlsRptStep {
        state: state_of(answer),
        status: None,
        rua: Vec::new(),
        records: Vec::new(),
        ttl: None,
        dns: None,
        dnssec: None,
        findings: Vec::new(),
    };
    let Some(a) = answer else { return step };
    step.ttl = a.ttl;
    step.dns = Some(a.outcome.clone());
    if a.outcome.tester_side() {
        step.status = Some(RecordStatus::Error);
        return step;
    }
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
    let checked = check_tlsrpt_records(records(a));
    step.status = Some(checked.status);
    step.rua = checked.rua;
    step.records = checked.records;
    step.findings = checked.findings;
    step
}

/// What the MX answer itself says: a failed look-up, a null MX, no MX at all.
pub(super) fn mx_set_findings(a: &Answers) -> Vec<Finding> {
    match &a.mx {
        Some(MxSet::Failed(outcome)) if !outcome.tester_side() => vec![rules::MX_LOOKUP_FAILED
            .finding(format!(
                "The MX look-up failed: {}. No MX host could be checked.",
                outcome.describe()
            ))
            .fix("Make sure every name server of the domain answers for its MX records.")],
        Some(MxSet::Null) => vec![rules::MX_NULL.finding(
            "The domain publishes a null MX (\"0 .\"): it accepts no mail, so MTA-STS has nothing to protect.",
        )],
        Some(MxSet::Implicit(m)) => vec![rules::MX_IMPLICIT.finding(format!(
            "The domain has no MX record, so senders deliver to the domain itself ({}).",
            m.host
        ))],
        _ => Vec::new(),
    }
}

/// The `_mta-sts` record's verdict in words, for the lookup step.
pub(super) fn txt_words(txt: &TxtStep) -> String {
    match txt.status {
        Some(RecordStatus::Valid) => format!(
            "_mta-sts advertises a policy (id {})",
            txt.id.as_deref().unwrap_or("?")
        ),
        Some(RecordStatus::None) => "no _mta-sts record: MTA-STS is not deployed".into(),
        Some(RecordStatus::Invalid) => {
            "the _mta-sts record is invalid, so senders apply no policy".into()
        }
        Some(RecordStatus::Error) => match &txt.dns {
            Some(o) if o.tester_side() => format!(
                "_mta-sts could not be looked up ({})",
                text::clause(&o.describe())
            ),
            _ => "the _mta-sts look-up failed at the domain's name servers".into(),
        },
        None => "_mta-sts: waiting".into(),
    }
}
