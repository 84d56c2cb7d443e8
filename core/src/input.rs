//! What people paste into "domain": a URL, an e-mail address, a name with a trailing dot or
//! capitals, a Unicode name, the `mta-sts.` host. Each is turned into the A-label domain to
//! check, or refused with a specific reason before any network traffic.

use crate::domain::{self, DomainProblem};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A domain ready to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInput {
    /// Lower-case A-labels, no trailing dot.
    pub ascii: String,
    /// The Unicode form, when it differs from `ascii`.
    pub unicode: Option<String>,
    /// What was done to the input, in plain words ("took the host of the URL").
    pub notes: Vec<String>,
    /// A better domain to check, e.g. the parent of `mta-sts.example.com`.
    pub suggestion: Option<String>,
}

/// Why an input is not a domain to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code", content = "detail")]
pub enum InputError {
    Empty,
    IpAddress(String),
    SingleLabel(String),
    TooLong(usize),
    LabelTooLong { label: String, len: usize },
    InvalidIdn(String),
    Invalid { input: String, reason: String },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => f.write_str("enter a domain, such as example.com"),
            InputError::IpAddress(ip) => write!(f, "{ip} is an IP address; MTA-STS is published for a domain name, such as example.com"),
            InputError::SingleLabel(name) => write!(f, "\"{name}\" is a single label; enter a full domain, such as {name}.com"),
            InputError::TooLong(len) => write!(f, "the name is {len} characters long; a domain has at most 253"),
            InputError::LabelTooLong { label, len } => write!(f, "the label \"{label}\" is {len} characters long; a label has at most 63"),
            InputError::InvalidIdn(name) => write!(f, "\"{name}\" is not a valid internationalized domain name"),
            InputError::Invalid { input, reason } => write!(f, "\"{input}\" is not a domain name: {reason}"),
        }
    }
}

impl std::error::Error for InputError {}

/// Turns what was pasted into the domain to check.
pub fn normalize_domain(input: &str) -> Result<DomainInput, InputError> {
    let mut notes = Vec::new();
    let mut text = input
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || c == '<' || c == '>');
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    if let Some((scheme, rest)) = text.split_once("://") {
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            notes.push(format!("took the host name from the {scheme} URL"));
            text = rest;
        }
    } else if let Some(rest) = text.strip_prefix("mailto:") {
        text = rest;
    }
    // Path, query and fragment of a URL, or a path typed after the name.
    text = text.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((_, host)) = text.rsplit_once('@') {
        notes.push("took the domain of the e-mail address".into());
        text = host;
    }
    if text.starts_with('[') || text.parse::<std::net::IpAddr>().is_ok() {
        return Err(InputError::IpAddress(
            text.trim_matches(['[', ']'])
                .split("]:")
                .next()
                .unwrap_or(text)
                .to_string(),
        ));
    }
    if let Some((host, port)) = text.rsplit_once(':') {
        if port.chars().all(|c| c.is_ascii_digit()) {
            notes.push(format!("ignored the port {port}"));
            text = host;
        }
    }
    if text.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(InputError::IpAddress(text.to_string()));
    }
    let text = text.strip_suffix('.').unwrap_or(text);
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    let ascii = if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        domain::to_ascii(text).ok_or_else(|| InputError::InvalidIdn(text.to_string()))?
    };
    let mut ascii = ascii;
    for prefix in ["_mta-sts.", "_smtp._tls."] {
        if let Some(rest) = ascii.strip_prefix(prefix) {
            notes.push(format!("checked the domain of the record name {prefix}…"));
            ascii = rest.to_string();
        }
    }
    if let Err(problem) = domain::check_ldh(&ascii) {
        return Err(match problem {
            DomainProblem::TooLong(len) => InputError::TooLong(len),
            DomainProblem::LabelTooLong { label, len } => InputError::LabelTooLong { label, len },
            other => InputError::Invalid {
                input: input.trim().to_string(),
                reason: other.to_string(),
            },
        });
    }
    // No top-level domain is all digits (RFC 3696 §2), so 127.1, 0177.0.0.1 and 2130706433
    // are IPv4 addresses in disguise, not names.
    if ascii
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(InputError::IpAddress(ascii));
    }
    if !ascii.contains('.') {
        return Err(InputError::SingleLabel(ascii));
    }
    let suggestion = ascii
        .strip_prefix("mta-sts.")
        .filter(|parent| parent.contains('.'))
        .map(str::to_string);
    let unicode = Some(domain::to_unicode(&ascii)).filter(|u| *u != ascii);
    Ok(DomainInput {
        ascii,
        unicode,
        notes,
        suggestion,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        normalize_domain(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .ascii
    }

    #[test]
    fn what_people_paste_becomes_the_domain() {
        assert_eq!(ok("Example.COM."), "example.com");
        assert_eq!(ok("  example.com \n"), "example.com");
        assert_eq!(ok("https://example.com/path?q=1#x"), "example.com");
        assert_eq!(ok("https://user@Example.com:8443/"), "example.com");
        assert_eq!(ok("user@example.com"), "example.com");
        assert_eq!(ok("mailto:user@example.com"), "example.com");
        assert_eq!(ok("<user@example.com>"), "example.com");
        assert_eq!(ok("example.com/.well-known/mta-sts.txt"), "example.com");
        assert_eq!(ok("_mta-sts.example.com"), "example.com");
        assert_eq!(ok("Bücher.example"), "xn--bcher-kva.example");
    }

    #[test]
    fn the_unicode_form_and_notes_are_kept() {
        let d = normalize_domain("https://bücher.example/").unwrap();
        assert_eq!(d.unicode.as_deref(), Some("bücher.example"));
        assert_eq!(d.notes.len(), 1);
        assert!(normalize_domain("example.com").unwrap().notes.is_empty());
    }

    #[test]
    fn the_policy_host_suggests_its_parent() {
        let d = normalize_domain("mta-sts.example.com").unwrap();
        assert_eq!(d.ascii, "mta-sts.example.com");
        assert_eq!(d.suggestion.as_deref(), Some("example.com"));
    }

    #[test]
    fn bad_input_gets_a_specific_error() {
        assert_eq!(normalize_domain("   "), Err(InputError::Empty));
        assert!(matches!(
            normalize_domain("192.0.2.1"),
            Err(InputError::IpAddress(_))
        ));
        assert!(matches!(
            normalize_domain("[2001:db8::1]"),
            Err(InputError::IpAddress(_))
        ));
        assert!(matches!(
            normalize_domain("https://[2001:db8::1]:443/"),
            Err(InputError::IpAddress(_))
        ));
        assert!(matches!(
            normalize_domain("localhost"),
            Err(InputError::SingleLabel(_))
        ));
        assert!(matches!(
            normalize_domain(&format!("{}.com", "a".repeat(64))),
            Err(InputError::LabelTooLong { len: 64, .. })
        ));
        let long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert!(matches!(
            normalize_domain(&long),
            Err(InputError::TooLong(_))
        ));
        assert!(matches!(
            normalize_domain("exa mple.com"),
            Err(InputError::Invalid { .. })
        ));
        assert!(matches!(
            normalize_domain("a_b.example"),
            Err(InputError::Invalid { .. })
        ));
        let msg = normalize_domain("exa mple.com").unwrap_err().to_string();
        assert!(msg.contains("\" \""), "{msg}");
    }
}
