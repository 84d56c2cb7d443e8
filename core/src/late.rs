//! Findings made after the verdict, by comparing the finished report with something beside
//! the check itself (a baseline report, other resolvers). They change the verdict the way
//! the verdict rules would have: a blocking error fails a pass or a warn, a warning turns a
//! pass into a warn; a worse verdict stays.

use crate::finding::{Finding, Severity};
use crate::report::{Report, StepId, StepOutcome, Verdict};

/// Adds `f` to the look-up step (the TXT record's findings) and to the report's list.
pub fn add_to_lookup(report: &mut Report, f: Finding) {
    let (verdict, outcome, summary) = match (f.severity, report.verdict) {
        (Severity::Error, Some(Verdict::Pass | Verdict::Warn)) => {
            (Verdict::Fail, StepOutcome::Fail, f.message.clone())
        }
        (Severity::Warning, Some(Verdict::Pass)) => (
            Verdict::Warn,
            StepOutcome::Warn,
            format!("MTA-STS works, with a warning: {}", f.message),
        ),
        _ => {
            push(report, f);
            return;
        }
    };
    report.verdict = Some(verdict);
    report.summary = summary;
    if let Some(step) = report.steps.iter_mut().find(|s| s.id == StepId::Lookup) {
        if step.outcome == Some(StepOutcome::Ok) || outcome == StepOutcome::Fail {
            step.outcome = Some(outcome);
        }
    }
    push(report, f);
}

fn push(report: &mut Report, f: Finding) {
    report.txt.findings.push(f.clone());
    report.findings.insert(0, f);
}
