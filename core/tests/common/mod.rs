// Shared helpers for the core's tests (included with `mod common;`).
#![allow(dead_code)]

pub mod canned;

use mtasts_core::{Finding, Severity, TxtRecord};

pub fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_ref()).collect()
}

pub fn has(findings: &[Finding], code: &str) -> bool {
    findings.iter().any(|f| f.code == code)
}

pub fn find<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(findings)))
}

pub fn errors(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_ref())
        .collect()
}

pub fn records(texts: &[&str]) -> Vec<TxtRecord> {
    texts.iter().map(|t| TxtRecord::from_text(t)).collect()
}
