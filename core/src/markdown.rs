//! The report as Markdown, for pasting into a ticket or a chat with a colleague.

use crate::finding::Severity;
use crate::report::{Report, Verdict};
use std::fmt::Write as _;

/// Escapes text from the network for a Markdown table cell or line.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace(['\n', '\r'], " ")
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let verdict = match r.verdict {
        Some(Verdict::Pass) => "PASS",
        Some(Verdict::Warn) => "WARN",
        Some(Verdict::Fail) => "FAIL",
        Some(Verdict::None) => "NOT DEPLOYED",
        None => "RUNNING",
    };
    let _ = writeln!(
        out,
        "# MTA-STS check of {}: {verdict}\n\n{}\n",
        r.domain,
        esc(&r.summary)
    );
    let _ = writeln!(out, "## Lookup\n");
    let _ = writeln!(
        out,
        "- `_mta-sts` TXT: {}{}",
        r.txt.status.map_or("?", |s| s.as_str()),
        r.txt
            .id
            .as_deref()
            .map(|i| format!(" (id {})", esc(i)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "- `_smtp._tls` TXT: {}{}",
        r.tlsrpt.status.map_or("?", |s| s.as_str()),
        if r.tlsrpt.rua.is_empty() {
            String::new()
        } else {
            format!(" (reports to {})", esc(&r.tlsrpt.rua.join(", ")))
        }
    );
    if let Some(f) = &r.policy.fetch {
        let _ = writeln!(
            out,
            "\n## Retrieval\n\n- {}: {}{}",
            esc(&f.url),
            f.status.as_str(),
            f.http_status
                .map(|s| format!(", HTTP {s}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "\n## Validation\n\n- policy {}{}",
        if r.policy.valid { "valid" } else { "invalid" },
        r.policy
            .mode
            .map(|m| format!(", mode {}", m.as_str()))
            .unwrap_or_default()
    );
    if !r.mx.is_empty() {
        let _ = writeln!(out, "\n## MX hosts\n\n| pref | host | pattern | STARTTLS/TLS | senders | TLS-RPT result |\n|---:|---|---|---|---|---|");
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
                m.tls
                    .as_ref()
                    .map(|t| t.status.as_str().to_string())
                    .unwrap_or_else(|| "-".into()),
                m.sender
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_else(|| "-".into()),
                m.tlsrpt_result.as_deref().unwrap_or("-"),
            );
        }
    }
    let mut findings: Vec<_> = r.findings.iter().collect();
    findings.sort_by_key(|f| f.severity);
    if !findings.is_empty() {
        let _ = writeln!(out, "\n## Findings\n");
        for f in findings {
            let sev = match f.severity {
                Severity::Error => "**error**",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let _ = writeln!(out, "- {sev} `{}` ({}): {}", f.code, f.rfc, esc(&f.message));
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "  - fix: {}", esc(fix));
            }
        }
    }
    out
}
