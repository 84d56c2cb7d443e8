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

/// `text` safe for a terminal: every control character but the line breaks and tabs the
/// tool writes itself is shown as `\u{..}`, so DNS data or a server's words (a TXT record
/// is any bytes) cannot move the cursor, recolour or retitle the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Prints a JSON value on one line of standard output.
pub fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_cannot_reach_the_terminal() {
        assert_eq!(super::printable("ok\n\ttab"), "ok\n\ttab");
        assert_eq!(
            super::printable("v=STSv1; id=1\u{1b}]0;owned\u{7}\r"),
            "v=STSv1; id=1\\u{1b}]0;owned\\u{7}\\u{d}"
        );
    }
}
