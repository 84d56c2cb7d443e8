//! Domain name syntax: RFC 5321 §4.1.2 `Domain` (letters, digits, hyphens) with the DNS
//! length limits, and IDNA conversion to A-labels.

use std::fmt;

/// Why a string is not an A-label domain name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainProblem {
    Empty,
    TrailingDot,
    LeadingDot,
    EmptyLabel,
    TooLong(usize),
    LabelTooLong { label: String, len: usize },
    HyphenAtEdge { label: String },
    BadChar { label: String, ch: char },
    NonAscii,
}

impl fmt::Display for DomainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainProblem::Empty => f.write_str("the name is empty"),
            DomainProblem::TrailingDot => f.write_str("it ends with a dot"),
            DomainProblem::LeadingDot => f.write_str("it starts with a dot"),
            DomainProblem::EmptyLabel => f.write_str("it has two dots in a row"),
            DomainProblem::TooLong(len) => {
                write!(f, "it is {len} characters long; a name has at most 253")
            }
            DomainProblem::LabelTooLong { label, len } => write!(
                f,
                "the label \"{label}\" is {len} characters long; a label has at most 63"
            ),
            DomainProblem::HyphenAtEdge { label } => {
                write!(f, "the label \"{label}\" starts or ends with a hyphen")
            }
            DomainProblem::BadChar { label, ch } => {
                write!(f, "the label \"{label}\" contains \"{ch}\"; only letters, digits and hyphens are allowed")
            }
            DomainProblem::NonAscii => f.write_str("it contains non-ASCII characters"),
        }
    }
}

/// Checks that `name` is an RFC 5321 `Domain` made of LDH labels (A-labels are LDH), with
/// no trailing dot, at most 63 octets a label and 253 in all.
pub fn check_ldh(name: &str) -> Result<(), DomainProblem> {
    if name.is_empty() {
        return Err(DomainProblem::Empty);
    }
    if !name.is_ascii() {
        return Err(DomainProblem::NonAscii);
    }
    if name.len() > 1 && name.ends_with('.') {
        return Err(DomainProblem::TrailingDot);
    }
    if name.starts_with('.') {
        return Err(DomainProblem::LeadingDot);
    }
    if name.len() > 253 {
        return Err(DomainProblem::TooLong(name.len()));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(DomainProblem::EmptyLabel);
        }
        if let Some(ch) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(DomainProblem::BadChar {
                label: label.into(),
                ch,
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainProblem::HyphenAtEdge {
                label: label.into(),
            });
        }
        if label.len() > 63 {
            return Err(DomainProblem::LabelTooLong {
                label: label.into(),
                len: label.len(),
            });
        }
    }
    Ok(())
}

/// A function that maps a Unicode name to A-labels (UTS 46 ToASCII), for builds without the
/// `idna-tables` feature: the web app hands in the browser's own IDNA, which costs nothing,
/// instead of shipping the mapping tables (about 117 KB gzip in the page).
pub type ToAscii = fn(&str) -> Option<String>;

static TO_ASCII: std::sync::OnceLock<ToAscii> = std::sync::OnceLock::new();

/// Registers the ToASCII used when the `idna-tables` feature is off. The first call wins.
pub fn set_to_ascii(convert: ToAscii) {
    let _ = TO_ASCII.set(convert);
}

#[cfg(feature = "idna-tables")]
fn uts46_to_ascii(name: &str) -> Option<String> {
    idna::domain_to_ascii_strict(name).ok()
}

#[cfg(not(feature = "idna-tables"))]
fn uts46_to_ascii(name: &str) -> Option<String> {
    TO_ASCII.get().and_then(|convert| convert(name))
}

/// Converts a name with U-labels to A-labels (UTS 46, non-transitional), lower-cased.
/// Returns `None` when the name cannot be converted or is not a valid LDH name afterwards.
pub fn to_ascii(name: &str) -> Option<String> {
    if name.is_ascii() {
        let lower = name.to_ascii_lowercase();
        return check_ldh(&lower).ok().map(|()| lower);
    }
    let ascii = uts46_to_ascii(name)?.to_ascii_lowercase();
    check_ldh(&ascii).ok()?;
    Some(ascii)
}

/// Decodes `xn--` labels for display; labels that do not decode are kept as they are.
pub fn to_unicode(name: &str) -> String {
    name.split('.')
        .map(|label| {
            label
                .get(..4)
                .filter(|p| p.eq_ignore_ascii_case("xn--"))
                .and_then(|_| idna::punycode::decode_to_string(&label[4..]))
                .unwrap_or_else(|| label.to_string())
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// True when every label is digits only, as in an IPv4 address written as a name.
pub fn is_all_numeric(name: &str) -> bool {
    name.split('.')
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldh_names_follow_rfc_5321_domain() {
        assert_eq!(check_ldh("mx1.example.com"), Ok(()));
        assert_eq!(check_ldh("xn--bcher-kva.example"), Ok(()));
        assert_eq!(check_ldh("localhost"), Ok(()));
        assert_eq!(check_ldh("a.example."), Err(DomainProblem::TrailingDot));
        assert_eq!(check_ldh(".example"), Err(DomainProblem::LeadingDot));
        assert_eq!(check_ldh("a..example"), Err(DomainProblem::EmptyLabel));
        assert!(matches!(
            check_ldh("-a.example"),
            Err(DomainProblem::HyphenAtEdge { .. })
        ));
        assert!(matches!(
            check_ldh("a_b.example"),
            Err(DomainProblem::BadChar { ch: '_', .. })
        ));
        assert!(matches!(
            check_ldh(&format!("{}.example", "a".repeat(64))),
            Err(DomainProblem::LabelTooLong { len: 64, .. })
        ));
        let long = vec!["a".repeat(63); 4].join(".");
        assert_eq!(check_ldh(&long), Err(DomainProblem::TooLong(255)));
        assert_eq!(check_ldh("bücher.example"), Err(DomainProblem::NonAscii));
    }

    #[test]
    fn unicode_names_convert_to_a_labels_and_back() {
        assert_eq!(
            to_ascii("Bücher.Example").as_deref(),
            Some("xn--bcher-kva.example")
        );
        assert_eq!(
            to_ascii("MX.Example.COM").as_deref(),
            Some("mx.example.com")
        );
        assert_eq!(to_ascii("a_b.example"), None);
        assert_eq!(to_unicode("xn--bcher-kva.example"), "bücher.example");
    }
}
