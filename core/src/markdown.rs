//! The report as Markdown, for pasting into a ticket or a chat with a colleague. It renders
//! what the core decided (steps, verdict, senders) and decides nothing itself.

use crate::finding::Severity;
use crate::report::{Report, StepOutcome, Verdict};
use std::fmt::Write as _;

/// Escapes text from the network so that no Markdown construct (link, image, emphasis,
/// heading, HTML, table cell, code span) can be smuggled into the rendered ticket.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '<' | '>' | '!' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn verdict_label(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Pass) => "PASS",
        Some(Verdict::Warn) => "WARN",
        Some(Verdict::Fail) => "FAIL",
        Some(Verdict::None) => "NOT DEPLOYED",
        Some(Verdict::Inconclusive) => "INCONCLUSIVE",
        None => "RUNNING",
    }
}

fn outcome_label(o: Option<StepOutcome>) -> &'static str {
    o.map_or("running", StepOutcome::as_str)
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# MTA-STS check of {}: {}\n\n{}\n",
        esc(&r.domain),
        verdict_label(r.verdict),
        esc(&r.summary)
    );
    let _ = writeln!(out, "## Steps\n");
    for (i, s) in r.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **{}**: {}. {}",
            i + 1,
            s.id.as_str(),
            outcome_label(s.outcome),
            esc(&s.summary)
        );
    }
    if let Some(sha) = &r.policy.sha256 {
        let _ = writeln!(
            out,
            "\nTXT id `{}`, policy SHA-256 `{sha}`",
            esc(r.txt.id.as_deref().unwrap_or("-"))
        );
    }
    if !r.mx.is_empty() {
        let _ = writeln!(out, "\n## MX hosts\n\n| pref | host | pattern | STARTTLS/TLS | senders will | TLS-RPT result |\n|---:|---|---|---|---|---|");
        for m in &r.mx {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                m.preference,
                esc(&m.host),
                m.pattern
                    .as_deref()
                    .map(esc)
                    .unwrap_or_else(|| "none".into()),
                m.tls.as_ref().map_or("-", |t| t.status.as_str()),
                esc(&m.senders_will),
                m.tlsrpt_result.map_or("-", |t| t.as_str()),
            );
        }
    }
    if !r.senders.is_empty() {
        let _ = writeln!(out, "\n## Senders\n\n| sender | applies | outcome | mail goes to | why |\n|---|---|---|---|---|");
        for s in &r.senders {
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {} |",
                esc(&s.name),
                if s.differs_from_rfc {
                    " (differs from RFC 8461)"
                } else {
                    ""
                },
                s.policy.map_or("?", |p| p.as_str()),
                s.outcome.as_str(),
                s.mx.as_deref().map(esc).unwrap_or_else(|| "-".into()),
                esc(&s.why),
            );
        }
    }
    let mut findings: Vec<_> = r.findings.iter().collect();
    crate::order::stable_sort_by_key(&mut findings, |f| f.severity);
    if !findings.is_empty() {
        let _ = writeln!(out, "\n## Findings\n");
        for f in findings {
            let sev = match f.severity {
                Severity::Error => "**error**",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let _ = writeln!(
                out,
                "- {sev} `{}` ({}): {}",
                f.code,
                esc(&f.rfc),
                esc(&f.message)
            );
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "  - fix: {}", esc(fix));
            }
        }
    }
    out
}

/// The changes since a baseline, as a section to append to [`render`]; empty without a
/// baseline. Apart from `render` because the page never compares with a baseline and its
/// bytes count.
pub fn changes(r: &Report) -> String {
    let mut out = String::new();
    if let Some(changes) = &r.changes {
        let _ = writeln!(out, "\n## Changes since the baseline\n");
        if changes.is_empty() {
            let _ = writeln!(out, "None.");
        }
        for c in changes {
            let _ = writeln!(out, "- `{}`: {}", c.kind.as_str(), esc(&c.detail));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn network_text_cannot_become_markdown() {
        assert_eq!(
            esc("[click](https://evil)<img>!*_#|`x`"),
            "\\[click\\]\\(https://evil\\)\\<img\\>\\!\\*\\_\\#\\|\\`x\\`"
        );
        assert_eq!(esc("a\nb"), "a b");
    }
}
