//! What a check reports: findings with a severity, a stable code and the RFC section behind it.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// How much a finding matters, on the scale of the project's RFC checklist (§1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The publisher breaks a MUST or the ABNF, or compliant senders ignore or refuse.
    Error,
    /// A SHOULD is broken, or the set-up works today but is fragile or weak.
    Warning,
    /// An observation worth knowing; nothing to fix.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule of the checklist: its stable code, its default severity and where the RFC says so.
///
/// Every finding is made from a `Rule`, so the codes and their RFC sections live in one
/// catalogue ([`crate::rules`]) that tests, docs and the UI share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub rfc: &'static str,
}

impl Rule {
    pub const fn new(code: &'static str, severity: Severity, rfc: &'static str) -> Self {
        Rule {
            code,
            severity,
            rfc,
        }
    }

    /// A finding of this rule with the given plain-language message.
    pub fn finding(self, message: impl Into<String>) -> Finding {
        Finding {
            severity: self.severity,
            code: Cow::Borrowed(self.code),
            rfc: Cow::Borrowed(self.rfc),
            message: message.into(),
            fix: None,
            line: None,
            column: None,
            tolerated: false,
        }
    }
}

/// A single result of a check, the unit every driver and the UI display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    pub severity: Severity,
    /// Stable dotted code such as `policy.max_age.out_of_range`.
    pub code: Cow<'static, str>,
    /// The section that makes this a rule, such as `RFC 8461 §3.2`.
    pub rfc: Cow<'static, str>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// 1-based line in the input, where the input has lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column (in characters) in that line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// An error that breaks the strict grammar but that lenient senders accept anyway.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tolerated: bool,
}

impl Finding {
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn at_column(mut self, column: u32) -> Self {
        self.column = Some(column);
        self
    }

    pub fn tolerated(mut self) -> Self {
        self.tolerated = true;
        self
    }

    /// Overrides the rule's default severity, for findings whose weight depends on context
    /// (the policy mode, whether other records are present).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True when none of the findings is an error.
pub fn no_errors(findings: &[Finding]) -> bool {
    !findings.iter().any(Finding::is_error)
}

/// The rfc-editor.org address of the first section a finding cites
/// (`RFC 8461 §3.2, §10.2` → `https://www.rfc-editor.org/rfc/rfc8461#section-3.2`).
pub fn rfc_url(rfc: &str) -> Option<String> {
    let rest = rfc.strip_prefix("RFC ")?;
    let (number, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let section: String = rest
        .strip_prefix('§')
        .map(|s| {
            s.chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect()
        })
        .unwrap_or_default();
    let section = section.trim_end_matches('.');
    Some(if section.is_empty() {
        format!("https://www.rfc-editor.org/rfc/rfc{number}")
    } else {
        format!("https://www.rfc-editor.org/rfc/rfc{number}#section-{section}")
    })
}

#[cfg(test)]
mod tests {
    use super::rfc_url;

    #[test]
    fn rfc_sections_link_to_the_rfc_editor() {
        assert_eq!(
            rfc_url("RFC 8461 §3.2, §10.2").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc8461#section-3.2")
        );
        assert_eq!(
            rfc_url("RFC 8461 §3.1 (erratum 6285)").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc8461#section-3.1")
        );
        assert_eq!(
            rfc_url("RFC 8460 §3").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc8460#section-3")
        );
        assert_eq!(
            rfc_url("RFC 8460").as_deref(),
            Some("https://www.rfc-editor.org/rfc/rfc8460")
        );
        assert_eq!(rfc_url("see above"), None);
    }
}
