//! Readable and JSON renderings of findings for the terminal.

use mtasts_core::{Finding, Severity};
use std::fmt::Write as _;

/// Findings as the readable report prints them, most severe first, input order kept within
/// a severity.
pub fn findings_text(findings: &[Finding]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| f.severity);
    let mut out = String::new();
    for f in sorted {
        let place = match (f.line, f.column) {
            (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
            (Some(l), None) => format!(" (line {l})"),
            (None, Some(c)) => format!(" (column {c})"),
            (None, None) => String::new(),
        };
        let tolerated = if f.tolerated {
            ", tolerated by lenient senders"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:<7}  {}{place}  [{}{tolerated}]",
            label(f.severity),
            f.code,
            f.rfc
        );
        let _ = writeln!(out, "         {}", f.message);
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "         fix: {fix}");
        }
    }
    out
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "info",
    }
}

/// Prints a JSON value on one line of standard output.
pub fn print_json(value: &serde_json::Value) {
    println!("{value}");
}
