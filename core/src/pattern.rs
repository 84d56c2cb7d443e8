//! `mx` patterns of a policy and how a sender matches an MX host against them
//! (RFC 8461 §3.2 `sts-policy-mx-value = ["*."] Domain`, §4.1, RFC 6125 §6.4).

use crate::domain::{self, DomainProblem};
use std::fmt;

/// A well-formed pattern: an A-label name, lower-cased, optionally behind `*.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxPattern {
    /// The pattern as written in the policy.
    pub text: String,
    /// The name after `*.` (or the whole name), lower-cased.
    pub base: String,
    pub wildcard: bool,
}

/// Why a string is not an `mx` pattern; such a pattern matches nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternProblem {
    Empty,
    /// Several names on one line, separated by commas or spaces.
    List,
    Port,
    IpLiteral,
    /// U-labels; the A-label form is given when the name converts.
    ULabel {
        a_label: Option<String>,
    },
    TrailingDot,
    LeadingDot,
    /// A `*` anywhere but as the whole leftmost label.
    BadWildcard,
    Domain(DomainProblem),
}

impl fmt::Display for PatternProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternProblem::Empty => f.write_str("the pattern is empty"),
            PatternProblem::List => f.write_str(
                "it lists several names on one line; each MX needs its own \"mx:\" line",
            ),
            PatternProblem::Port => f.write_str("it has a port; patterns are host names only"),
            PatternProblem::IpLiteral => {
                f.write_str("it is an IP address; patterns are host names only")
            }
            PatternProblem::ULabel { .. } => {
                f.write_str("it is written in Unicode; patterns must use A-labels (xn--…)")
            }
            PatternProblem::TrailingDot => f.write_str("it ends with a dot"),
            PatternProblem::LeadingDot => {
                f.write_str("it starts with a dot; a wildcard is written \"*.example.com\"")
            }
            PatternProblem::BadWildcard => f.write_str(
                "\"*\" is allowed only as the whole leftmost label, as in \"*.example.com\"",
            ),
            PatternProblem::Domain(problem) => problem.fmt(f),
        }
    }
}

impl PatternProblem {
    /// The pattern the publisher most likely meant, where one can be derived.
    pub fn suggestion(&self, text: &str) -> Option<String> {
        match self {
            PatternProblem::ULabel { a_label } => a_label.clone(),
            PatternProblem::TrailingDot => Some(text.trim_end_matches('.').to_string()),
            PatternProblem::LeadingDot => Some(format!("*{text}")),
            _ => None,
        }
    }
}

/// Parses one `mx` value.
pub fn parse_pattern(text: &str) -> Result<MxPattern, PatternProblem> {
    if text.is_empty() {
        return Err(PatternProblem::Empty);
    }
    if text.contains(',') || text.contains([' ', '\t']) {
        return Err(PatternProblem::List);
    }
    if text.starts_with('[') || text.parse::<std::net::Ipv6Addr>().is_ok() {
        return Err(PatternProblem::IpLiteral);
    }
    if let Some((host, port)) = text.rsplit_once(':') {
        if !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PatternProblem::Port);
        }
    }
    let (wildcard, base) = match text.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !text.is_ascii() {
        let a_label = domain::to_ascii(base).map(|a| if wildcard { format!("*.{a}") } else { a });
        return Err(PatternProblem::ULabel { a_label });
    }
    if base.contains('*') {
        return Err(PatternProblem::BadWildcard);
    }
    if base.len() > 1 && base.ends_with('.') {
        return Err(PatternProblem::TrailingDot);
    }
    if base.starts_with('.') && !wildcard {
        return Err(PatternProblem::LeadingDot);
    }
    domain::check_ldh(base).map_err(PatternProblem::Domain)?;
    Ok(MxPattern {
        text: text.to_string(),
        base: base.to_ascii_lowercase(),
        wildcard,
    })
}

/// An MX host name as a sender compares it: one trailing root dot removed, U-labels
/// converted to A-labels, ASCII lower-cased (RFC 8461 §4.1, RFC 6125 §6.4.1–6.4.2).
pub fn normalize_host(host: &str) -> Result<String, DomainProblem> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_ascii() {
        domain::check_ldh(host)?;
        Ok(host.to_ascii_lowercase())
    } else {
        domain::to_ascii(host).ok_or(DomainProblem::NonAscii)
    }
}

impl MxPattern {
    /// Whether this pattern covers the normalized host. A wildcard stands for exactly one
    /// whole, non-empty leftmost label: `*.example.com` covers `mail.example.com`, never
    /// `example.com` nor `a.b.example.com`.
    pub fn matches(&self, normalized_host: &str) -> bool {
        if self.wildcard {
            match normalized_host.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest == self.base,
                None => false,
            }
        } else {
            normalized_host == self.base
        }
    }
}

/// The first pattern that covers `host`, or `None`. Patterns that are not well-formed
/// match nothing, and a host that is not a valid name is matched by nothing.
pub fn find_match<'p, I>(host: &str, patterns: I) -> Option<&'p str>
where
    I: IntoIterator<Item = &'p str>,
{
    let host = normalize_host(host).ok()?;
    patterns
        .into_iter()
        .find(|p| parse_pattern(p).is_ok_and(|pattern| pattern.matches(&host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(host: &str, pattern: &str) -> bool {
        find_match(host, [pattern]).is_some()
    }

    #[test]
    fn rfc8461_4_1_wildcard_covers_exactly_one_leftmost_label() {
        assert!(matches("mail.example.com", "*.example.com"));
        assert!(!matches("example.com", "*.example.com"));
        // A trap several tools fall into: suffix matching lets the wildcard span labels.
        assert!(!matches("foo.bar.example.com", "*.example.com"));
        assert!(!matches("mailexample.com", "*.example.com"));
        assert!(!matches("mail.notexample.com", "*.example.com"));
    }

    #[test]
    fn rfc8461_4_1_literal_patterns_match_identical_names_only() {
        assert!(matches("mx1.example.com", "mx1.example.com"));
        assert!(!matches("mx10.example.com", "mx1.example.com"));
        assert!(!matches("a.mx1.example.com", "mx1.example.com"));
    }

    #[test]
    fn rfc6125_6_4_1_comparison_is_ascii_case_insensitive() {
        assert!(matches("MX1.Example.COM", "mx1.example.com"));
        assert!(matches("mx1.example.com", "MX1.EXAMPLE.COM"));
        assert!(matches("Mail.EXAMPLE.com", "*.Example.Com"));
        // U+0130 must not fold to "i": "İ" is not "i" in ASCII comparison.
        assert!(!matches("mİx.example.com", "mix.example.com"));
    }

    #[test]
    fn trailing_root_dot_of_the_host_is_ignored() {
        assert!(matches("mx1.example.com.", "mx1.example.com"));
        assert!(matches("mail.example.com.", "*.example.com"));
        assert!(!matches("mx1.example.com..", "mx1.example.com"));
    }

    #[test]
    fn rfc6125_6_4_2_unicode_hosts_compare_as_a_labels() {
        assert!(matches("mx.bücher.example", "mx.xn--bcher-kva.example"));
        assert!(matches("mx.BÜCHER.example", "*.xn--bcher-kva.example"));
        // A U-label pattern is not valid and matches nothing, even the same Unicode name.
        assert!(!matches("mx.bücher.example", "mx.bücher.example"));
    }

    #[test]
    fn malformed_patterns_match_nothing() {
        for bad in [
            "mx*.example.com",
            "a.*.example.com",
            "*",
            "*.",
            ".example.com",
            "example.com.",
            "mx.example.com:25",
            "[192.0.2.1]",
            "*example.com",
            "**.example.com",
            "*.*.example.com",
        ] {
            assert!(parse_pattern(bad).is_err(), "{bad} should be rejected");
            assert!(!matches("mx.example.com", bad), "{bad} matched");
        }
    }

    #[test]
    fn problems_are_named_with_a_suggestion() {
        assert_eq!(
            parse_pattern("a.example, b.example"),
            Err(PatternProblem::List)
        );
        assert_eq!(
            parse_pattern("mx.example.com:25"),
            Err(PatternProblem::Port)
        );
        assert_eq!(parse_pattern("2001:db8::1"), Err(PatternProblem::IpLiteral));
        assert_eq!(
            parse_pattern("mx*.example.com"),
            Err(PatternProblem::BadWildcard)
        );
        let dot = parse_pattern("mx.example.com.").unwrap_err();
        assert_eq!(
            dot.suggestion("mx.example.com.").as_deref(),
            Some("mx.example.com")
        );
        let lead = parse_pattern(".example.com").unwrap_err();
        assert_eq!(
            lead.suggestion(".example.com").as_deref(),
            Some("*.example.com")
        );
        let uni = parse_pattern("*.bücher.example").unwrap_err();
        assert_eq!(
            uni.suggestion("").as_deref(),
            Some("*.xn--bcher-kva.example")
        );
    }
}
