//! The four steps of a check, each with its state, outcome and one-line summary. Every
//! renderer shows these; none decides a step's state or outcome itself.

use super::blind;
use super::mx::MxJudged;
use super::retrieval::PolicyJudged;
use super::senders::TlsView;
use super::{lookup, text, Judged};
use crate::answers::{Answers, MxSet};
use crate::finding::{Finding, Severity};
use crate::recordset::RecordStatus;
use crate::report::{FetchStatus, Step, StepId, StepOutcome, StepProgress, TlsRptStep, TxtStep};

/// Ok, warn or fail from a step's findings.
fn graded<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> StepOutcome {
    let mut outcome = StepOutcome::Ok;
    for f in findings {
        if f.severity == Severity::Error && !f.tolerated && !f.code.starts_with("tlsrpt.") {
            return StepOutcome::Fail;
        }
        if f.severity == Severity::Warning || f.severity == Severity::Error {
            outcome = StepOutcome::Warn;
        }
    }
    outcome
}

fn first_problem<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<&'a Finding> {
    let all: Vec<&Finding> = findings.into_iter().collect();
    all.iter()
        .find(|f| f.severity == Severity::Error && !f.tolerated)
        .or_else(|| all.iter().find(|f| f.severity != Severity::Info))
        .copied()
}

fn step(
    id: StepId,
    state: StepProgress,
    outcome: StepOutcome,
    summary: String,
    elapsed: Option<u64>,
) -> Step {
    let done = state == StepProgress::Done;
    Step {
        id,
        state,
        outcome: done.then_some(outcome),
        summary: if done { summary } else { waiting(id, state) },
        elapsed_ms: if done { elapsed } else { None },
    }
}

fn waiting(id: StepId, state: StepProgress) -> String {
    let what = match id {
        StepId::Lookup => "Looking up _mta-sts, MX and _smtp._tls",
        StepId::Retrieval => "Fetching the policy",
        StepId::Validation if state == StepProgress::Pending => {
            return "Waits for the policy.".into()
        }
        StepId::Validation => "Matching the MX hosts against the policy",
        StepId::Tls if state == StepProgress::Pending => return "Waits for the MX hosts.".into(),
        StepId::Tls => "Probing STARTTLS on each MX host",
    };
    format!("{what}…")
}

pub(super) fn all(
    a: &Answers,
    txt: &TxtStep,
    tlsrpt: &TlsRptStep,
    mx_set_findings: &[Finding],
    policy: &PolicyJudged,
    mx: &[MxJudged],
    judged: &Judged,
) -> Vec<Step> {
    vec![
        lookup_step(a, txt, tlsrpt, mx_set_findings),
        retrieval_step(a, txt, policy, judged),
        validation_step(a, policy, mx, judged),
        tls_step(a, mx, judged),
    ]
}

fn lookup_step(
    a: &Answers,
    txt: &TxtStep,
    tlsrpt: &TlsRptStep,
    mx_set_findings: &[Finding],
) -> Step {
    let done = a.txt.is_some() && a.mx.is_some() && a.tlsrpt.is_some();
    let state = if done {
        StepProgress::Done
    } else {
        StepProgress::Running
    };
    let elapsed = [a.arrivals.txt, a.arrivals.mx, a.arrivals.tlsrpt]
        .into_iter()
        .flatten()
        .max();
    let tester = |o: Option<&crate::dns::DnsOutcome>| o.is_some_and(|o| o.tester_side());
    let mx_failed = match &a.mx {
        Some(MxSet::Failed(o)) => Some(o),
        _ => None,
    };
    let outcome = if tester(txt.dns.as_ref()) || tester(mx_failed) {
        StepOutcome::Inconclusive
    } else {
        match graded(txt.findings.iter().chain(mx_set_findings)) {
            StepOutcome::Fail => StepOutcome::Fail,
            _ if txt.status == Some(RecordStatus::None) => StepOutcome::Warn,
            _ if txt.status == Some(RecordStatus::Invalid) => StepOutcome::Fail,
            graded => {
                let tlsrpt_trouble = tlsrpt.status != Some(RecordStatus::Valid)
                    || tlsrpt.findings.iter().any(|f| f.severity != Severity::Info);
                if graded == StepOutcome::Ok && tlsrpt_trouble {
                    StepOutcome::Warn
                } else {
                    graded
                }
            }
        }
    };
    step(
        StepId::Lookup,
        state,
        outcome,
        lookup_summary(a, txt, tlsrpt),
        elapsed,
    )
}

/// One clause per look-up; the ones the resolver failed are named together, with its words
/// once.
fn lookup_summary(a: &Answers, txt: &TxtStep, tlsrpt: &TlsRptStep) -> String {
    let mut failed: Vec<String> = Vec::new();
    let mut why = None;
    let mut parts: Vec<String> = Vec::new();
    let mut note =
        |name: &str, outcome: Option<&crate::dns::DnsOutcome>, words: String| match outcome
            .filter(|o| o.tester_side())
        {
            Some(o) => {
                failed.push(name.to_string());
                why.get_or_insert_with(|| o.describe());
            }
            None => parts.push(words),
        };
    note("_mta-sts", txt.dns.as_ref(), lookup::txt_words(txt));
    let mx_outcome = match &a.mx {
        Some(MxSet::Failed(o)) => Some(o),
        _ => None,
    };
    note("MX", mx_outcome, mx_words(a));
    note(
        "_smtp._tls",
        a.tlsrpt.as_ref().map(|d| &d.outcome),
        tlsrpt_words(a, tlsrpt),
    );
    if let Some(why) = why {
        parts.insert(
            0,
            format!(
                "the resolver could not answer for {} ({})",
                text::list(&failed),
                text::clause(&why)
            ),
        );
    }
    capitalize(&format!("{}.", parts.join("; ")))
}

fn mx_words(a: &Answers) -> String {
    match &a.mx {
        Some(MxSet::Hosts(h)) => {
            let names: Vec<String> = h.iter().map(|m| m.host.clone()).collect();
            match names.len() {
                1 => format!("1 MX host ({})", names[0]),
                n if n <= 4 => format!("{n} MX hosts ({})", text::list(&names)),
                n => format!("{n} MX hosts ({}, …)", names[..3].join(", ")),
            }
        }
        Some(MxSet::Implicit(m)) => format!("no MX record, so mail goes to {} itself", m.host),
        Some(MxSet::Null) => "a null MX: the domain takes no mail".into(),
        Some(MxSet::Failed(o)) if o.tester_side() => {
            format!(
                "MX could not be looked up ({})",
                text::clause(&o.describe())
            )
        }
        Some(MxSet::Failed(o)) => {
            format!("the MX look-up failed ({})", text::clause(&o.describe()))
        }
        None => "MX: waiting".into(),
    }
}

fn tlsrpt_words(a: &Answers, tlsrpt: &TlsRptStep) -> String {
    if let Some(d) = a.tlsrpt.as_ref().filter(|d| d.outcome.tester_side()) {
        return format!(
            "_smtp._tls could not be looked up ({})",
            text::clause(&d.outcome.describe())
        );
    }
    match tlsrpt.status {
        Some(RecordStatus::Valid) => format!("TLS reports go to {}", tlsrpt.rua.join(", ")),
        Some(RecordStatus::None) => "no TLS-RPT record, so nobody receives failure reports".into(),
        Some(RecordStatus::Invalid) => {
            "the TLS-RPT record is invalid, so no reports are sent".into()
        }
        Some(RecordStatus::Error) => "the _smtp._tls look-up failed".into(),
        None => "_smtp._tls: waiting".into(),
    }
}

fn retrieval_step(a: &Answers, txt: &TxtStep, policy: &PolicyJudged, judged: &Judged) -> Step {
    let state = if a.policy.is_some() {
        StepProgress::Done
    } else {
        StepProgress::Running
    };
    let Some(fetch) = policy.step.fetch.as_ref() else {
        return step(
            StepId::Retrieval,
            state,
            StepOutcome::Skipped,
            String::new(),
            None,
        );
    };
    let not_advertised = txt.status == Some(RecordStatus::None);
    let (outcome, summary) = if policy.fetch_blind() {
        (
            StepOutcome::Inconclusive,
            format!(
                "The policy could not be fetched from here ({}).",
                text::clause(fetch.error.as_deref().unwrap_or("no answer"))
            ),
        )
    } else if not_advertised && fetch.status != FetchStatus::Ok {
        (
            StepOutcome::Skipped,
            format!(
                "No policy to fetch: MTA-STS is not advertised (the policy host answered {}).",
                fetch.status.as_str()
            ),
        )
    } else {
        let outcome = graded(&judged.retrieval);
        let summary = match first_problem(&judged.retrieval) {
            Some(f) if outcome != StepOutcome::Ok => f.message.clone(),
            _ => format!(
                "Fetched {} ({} bytes{}).",
                fetch.url,
                fetch.bytes.unwrap_or(0),
                fetch
                    .content_type
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default()
            ),
        };
        (outcome, summary)
    };
    step(
        StepId::Retrieval,
        state,
        outcome,
        summary,
        a.arrivals.policy,
    )
}

fn validation_step(a: &Answers, policy: &PolicyJudged, mx: &[MxJudged], judged: &Judged) -> Step {
    let state = match (&a.policy, &a.mx) {
        (None, _) => StepProgress::Pending,
        (Some(_), None) => StepProgress::Running,
        (Some(_), Some(_)) => StepProgress::Done,
    };
    let elapsed = a.arrivals.policy.max(a.arrivals.mx);
    let fetch = policy.step.fetch.as_ref();
    let has_body = fetch.is_some_and(|f| {
        matches!(f.status, FetchStatus::Ok | FetchStatus::ContentType) && f.body.is_some()
    });
    if !has_body {
        let why = match fetch {
            Some(_) if policy.fetch_blind() => {
                "the policy could not be fetched from here".to_string()
            }
            Some(f) => format!("no policy was fetched ({})", f.status.as_str()),
            None => "no policy was fetched".to_string(),
        };
        return step(
            StepId::Validation,
            state,
            StepOutcome::Skipped,
            format!("Nothing to validate: {why}."),
            elapsed,
        );
    }
    let match_findings = mx.iter().flat_map(|m| m.match_findings.iter());
    let all: Vec<&Finding> = judged.validation.iter().chain(match_findings).collect();
    let mut outcome = graded(all.iter().copied());
    let mx_blind = matches!(&a.mx, Some(MxSet::Failed(o)) if o.tester_side());
    if mx_blind && outcome != StepOutcome::Fail {
        outcome = StepOutcome::Inconclusive;
    }
    let policy_words = match (&policy.parsed, policy.step.valid) {
        (Some(p), true) => format!(
            "The policy is valid (mode {}, max_age {})",
            p.mode.as_str(),
            p.max_age
        ),
        (Some(p), false) => format!("The policy has errors (mode {})", p.mode.as_str()),
        (None, _) => "The policy cannot be read".to_string(),
    };
    let uncovered: Vec<String> = mx
        .iter()
        .filter(|m| !m.report.matched)
        .map(|m| m.report.host.clone())
        .collect();
    let matching = if mx_blind {
        "the MX hosts are unknown, so matching could not be done".to_string()
    } else if mx.is_empty() {
        "there is no MX host to match".to_string()
    } else if policy.step.mode == Some(crate::Mode::None) {
        "mode none asks senders for nothing".to_string()
    } else if uncovered.is_empty() {
        "every MX host is covered by a pattern".to_string()
    } else {
        format!("no pattern covers {}", text::list(&uncovered))
    };
    step(
        StepId::Validation,
        state,
        outcome,
        format!("{policy_words}; {matching}."),
        elapsed,
    )
}

fn tls_step(a: &Answers, mx: &[MxJudged], judged: &Judged) -> Step {
    let outstanding = a.probes.values().any(Option::is_none);
    let state = match &a.mx {
        None => StepProgress::Pending,
        Some(_) if outstanding => StepProgress::Running,
        Some(_) => StepProgress::Done,
    };
    let elapsed = a.arrivals.probes.values().copied().max().or(a.arrivals.mx);
    if mx.is_empty() {
        let why = match &a.mx {
            Some(MxSet::Null) => "the domain takes no mail (null MX)".to_string(),
            Some(MxSet::Failed(o)) => {
                format!("the MX look-up failed ({})", text::clause(&o.describe()))
            }
            _ => "there is no MX host".to_string(),
        };
        return step(
            StepId::Tls,
            state,
            StepOutcome::Skipped,
            format!("Nothing to probe: {why}."),
            elapsed,
        );
    }
    let tls_findings = mx.iter().flat_map(|m| m.tls_findings.iter());
    let all: Vec<&Finding> = tls_findings.chain(judged.tls.iter()).collect();
    let outcome = if blind::tls_blind(mx) {
        StepOutcome::Inconclusive
    } else {
        graded(all.iter().copied())
    };
    let verified = mx
        .iter()
        .filter(|m| m.tls == Some(TlsView::Verified))
        .count();
    let problems: Vec<String> = mx
        .iter()
        .filter_map(|m| {
            let s = m.status()?;
            (m.tls != Some(TlsView::Verified)).then(|| format!("{} {}", m.report.host, s.as_str()))
        })
        .collect();
    let summary = if problems.is_empty() {
        format!(
            "{verified} of {} MX hosts offer STARTTLS with a valid certificate.",
            mx.len()
        )
    } else {
        format!(
            "{verified} of {} MX hosts offer STARTTLS with a valid certificate; {}.",
            mx.len(),
            text::list(&problems)
        )
    };
    let summary = format!("{summary}{}", dane_clause(mx));
    step(StepId::Tls, state, outcome, summary, elapsed)
}

/// What DANE says of the hosts that publish TLSA records, as a clause for the TLS step.
fn dane_clause(mx: &[MxJudged]) -> String {
    use crate::dane::DaneStatus;
    let mut ok = 0;
    let mut failing = Vec::new();
    for m in mx {
        match m.report.dane.as_ref().and_then(|d| d.status) {
            Some(DaneStatus::Ok) => ok += 1,
            Some(s @ (DaneStatus::Mismatch | DaneStatus::Bogus | DaneStatus::Unusable)) => {
                failing.push(format!("{} {}", m.report.host, s.as_str()))
            }
            _ => {}
        }
    }
    match (ok, failing.is_empty()) {
        (0, true) => String::new(),
        (n, true) => format!(" DANE authenticates {n} of {}.", mx.len()),
        (_, false) => format!(" DANE fails: {}.", text::list(&failing)),
    }
}

fn capitalize(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    out
}
