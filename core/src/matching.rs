//! Whether one MX host is covered by a policy's `mx` patterns, with findings that explain
//! why not (RFC 8461 §4, §4.1).

use crate::finding::Finding;
use crate::pattern::{normalize_host, parse_pattern};
use crate::rules;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchCheck {
    /// True when the host and every pattern are well-formed.
    pub valid: bool,
    pub matches: bool,
    /// The first pattern that covers the host, as written.
    pub pattern: Option<String>,
    pub findings: Vec<Finding>,
}

/// Matches `host` against `patterns` the way a sender does.
pub fn check_match(host: &str, patterns: &[&str]) -> MatchCheck {
    let mut findings = Vec::new();
    let normalized = match normalize_host(host) {
        Ok(h) => Some(h),
        Err(problem) => {
            findings.push(
                rules::MX_HOST_INVALID
                    .finding(format!("\"{host}\" is not a valid host name: {problem}."))
                    .fix("Give the MX host name as the MX record names it."),
            );
            None
        }
    };
    let mut pattern = None;
    for text in patterns {
        match parse_pattern(text) {
            Err(problem) => {
                let fix = problem.suggestion(text).map_or(
                    "Write a host name, or \"*.\" and a domain.".to_string(),
                    |s| format!("Write \"{s}\"."),
                );
                findings.push(
                    rules::MX_PATTERN_INVALID
                        .finding(format!(
                            "The pattern \"{text}\" is not valid ({problem}), so it matches nothing."
                        ))
                        .fix(fix),
                );
            }
            Ok(p) => {
                if pattern.is_none() && normalized.as_deref().is_some_and(|h| p.matches(h)) {
                    pattern = Some(text.to_string());
                }
            }
        }
    }
    let valid = findings.is_empty();
    if pattern.is_none() {
        if let Some(h) = &normalized {
            findings.push(
                rules::MX_PATTERN_NO_MATCH
                    .finding(format!(
                        "No pattern covers \"{h}\"; under mode enforce senders will not deliver to it."
                    ))
                    .fix(format!("Add \"mx: {h}\" to the policy (a \"*.\" wildcard covers exactly one label).")),
            );
        }
    }
    MatchCheck {
        valid,
        matches: pattern.is_some(),
        pattern,
        findings,
    }
}
