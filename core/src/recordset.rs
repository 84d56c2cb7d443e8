//! Choosing the one record to parse out of a TXT record set, the same way for `_mta-sts`
//! (RFC 8461 §3.1) and `_smtp._tls` (RFC 8460 §3): join each record's strings without
//! spaces, discard records that do not begin with the exact `v=…;` prefix when there are
//! several, and accept exactly one.

use crate::finding::{Finding, Rule};
use crate::record::{self, Parsed, RecordError};
use serde::{Deserialize, Serialize};

/// One TXT resource record as DNS delivers it: one or more character-strings of raw bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TxtRecord {
    pub strings: Vec<Vec<u8>>,
}

impl TxtRecord {
    /// A record of one character-string, as typed by a person or passed on a command line.
    pub fn from_text(text: &str) -> Self {
        TxtRecord {
            strings: vec![text.as_bytes().to_vec()],
        }
    }

    /// The strings concatenated without adding spaces (RFC 8461 §3.1, RFC 8460 §3).
    pub fn joined(&self) -> Vec<u8> {
        self.strings.concat()
    }

    /// The joined record as text; bytes that are not UTF-8 show as U+FFFD.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.joined()).into_owned()
    }
}

/// The outcome for a record set, in the words the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// Exactly one well-formed record.
    Valid,
    /// Published, but senders must ignore it.
    Invalid,
    /// Nothing published (or nothing left after discarding unrelated records).
    None,
    /// The look-up itself failed, so nothing can be said (set by the check, not the parser).
    Error,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Valid => "valid",
            RecordStatus::Invalid => "invalid",
            RecordStatus::None => "none",
            RecordStatus::Error => "error",
        }
    }
}

/// What differs between the two kinds of record.
pub(crate) struct Kind {
    /// `v=STSv1`
    pub version: &'static str,
    /// Where the record lives, for messages: `_mta-sts`.
    pub location: &'static str,
    pub example: &'static str,
    pub rules: KindRules,
}

pub(crate) struct KindRules {
    pub absent: Rule,
    pub unrelated: Rule,
    pub multiple: Rule,
    pub multistring: Rule,
    pub syntax: Rule,
    pub non_ascii: Rule,
    pub trailing_whitespace: Rule,
    pub version_bad: Rule,
    pub version_not_first: Rule,
    pub space_before_semicolon: Rule,
    pub spf: Rule,
    pub wrong_record: Rule,
}

/// Returns the joined text of the record to parse, or the status when there is none.
pub(crate) fn select(
    kind: &Kind,
    records: &[TxtRecord],
    findings: &mut Vec<Finding>,
) -> Result<String, RecordStatus> {
    let r = &kind.rules;
    if records.is_empty() {
        findings.push(
            r.absent
                .finding(format!("No TXT record is published at {}.", kind.location)),
        );
        return Err(RecordStatus::None);
    }
    for record in records.iter().filter(|rec| rec.strings.len() > 1) {
        findings.push(r.multistring.finding(format!(
            "A record is split into {} strings; senders join them without spaces: \"{}\".",
            record.strings.len(),
            record.text()
        )));
    }
    if records.len() == 1 {
        return Ok(records[0].text());
    }

    let prefix = format!("{};", kind.version);
    let mut kept = Vec::new();
    for record in records {
        let text = record.text();
        if text.starts_with(&prefix) {
            kept.push(text);
        } else if looks_like(kind, &text) {
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let rule = if squeezed.starts_with(&prefix) {
                r.space_before_semicolon
            } else {
                r.version_bad
            };
            findings.push(
                rule.finding(format!(
                        "\"{text}\" looks like a {} record but does not begin with the exact \
                         \"{prefix}\", so senders discard it when other TXT records share the name.",
                        kind.version
                    ))
                    .fix(format!("Start the record with \"{prefix}\" exactly."))
                    .severity(crate::Severity::Warning),
            );
        } else {
            findings.push(r.unrelated.finding(format!(
                "Ignored an unrelated TXT record at {}: \"{text}\".",
                kind.location
            )));
        }
    }
    match kept.len() {
        0 => {
            findings.push(r.absent.finding(format!(
                "None of the {} TXT records at {} begins with \"{prefix}\".",
                records.len(),
                kind.location
            )));
            Err(RecordStatus::None)
        }
        1 => Ok(kept.remove(0)),
        n => {
            findings.push(
                r.multiple
                    .finding(format!(
                        "{n} records at {} begin with \"{prefix}\"; senders must then act as if \
                         none were published.",
                        kind.location
                    ))
                    .fix("Keep exactly one record and delete the others."),
            );
            Err(RecordStatus::Invalid)
        }
    }
}

/// Near misses of the version tag that a person probably meant as this kind of record.
fn looks_like(kind: &Kind, text: &str) -> bool {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed
        .to_ascii_lowercase()
        .starts_with(&kind.version.to_ascii_lowercase())
}

/// Parses the selected record strictly, turning grammar errors into findings.
pub(crate) fn parse<'a>(
    kind: &Kind,
    text: &'a str,
    is_list: impl Fn(&str) -> bool,
    findings: &mut Vec<Finding>,
) -> Option<Parsed<'a>> {
    let r = &kind.rules;
    let col = |at: usize| at as u32 + 1;
    match record::parse(text, kind.version, is_list) {
        Ok(parsed) => {
            if parsed.space_before_first_semicolon {
                findings.push(
                    r.space_before_semicolon
                        .finding(format!(
                            "White space before the first \";\" is allowed by the grammar, but \
                             senders discard the record as soon as another TXT record is \
                             published at {}, because it no longer begins with \"{};\".",
                            kind.location, kind.version
                        ))
                        .fix(format!(
                            "Write \"{};\" with no space before the \";\".",
                            kind.version
                        )),
                );
            }
            Some(parsed)
        }
        Err(RecordError::NotAscii { at }) => {
            let ch = text[at..].chars().next().unwrap_or('?');
            findings.push(
                r.non_ascii
                    .finding(format!(
                        "The record must be printable US-ASCII, but has {} at column {}.",
                        describe_char(ch),
                        col(at)
                    ))
                    .fix("Remove the character; quotes, line breaks and non-ASCII letters do not belong in the record.")
                    .at_column(col(at)),
            );
            None
        }
        Err(RecordError::TrailingWhitespace { at }) => {
            findings.push(
                r.trailing_whitespace
                    .finding("The record ends in white space; the grammar allows white space only next to a \";\", so senders that parse strictly ignore the record.")
                    .fix("Remove the trailing white space (or end the record with \";\").")
                    .at_column(col(at)),
            );
            None
        }
        Err(RecordError::NoFields) => {
            findings.push(
                r.syntax
                    .finding(format!(
                        "The record has the version \"{}\" and no other field.",
                        kind.version
                    ))
                    .fix(format!("Publish e.g. \"{}\".", kind.example)),
            );
            None
        }
        Err(RecordError::Syntax { at, message }) => {
            findings.push(
                r.syntax
                    .finding(format!("Syntax error at column {}: {message}.", col(at)))
                    .fix(format!("Follow the form \"{}\".", kind.example))
                    .at_column(col(at)),
            );
            None
        }
        Err(RecordError::Version) => {
            findings.push(version_finding(kind, text));
            None
        }
    }
}

fn describe_char(ch: char) -> String {
    if ch.is_control() {
        format!("the control character U+{:04X}", ch as u32)
    } else {
        format!("\"{ch}\" (U+{:04X})", ch as u32)
    }
}

/// Names what was found instead of the version tag, so the fix is obvious.
fn version_finding(kind: &Kind, text: &str) -> Finding {
    let r = &kind.rules;
    let lower = text.to_ascii_lowercase();
    let want = kind.version;
    let fix = format!(
        "Begin the record with \"{want};\" exactly, e.g. \"{}\".",
        kind.example
    );
    if lower.starts_with("v=spf1") {
        return r
            .spf
            .finding(format!(
                "An SPF record is published at {} instead of a {want} record.",
                kind.location
            ))
            .fix(format!(
                "SPF belongs at the domain itself; at {} publish \"{}\".",
                kind.location, kind.example
            ));
    }
    for (tag, what, home) in [
        ("v=dmarc1", "a DMARC record", "_dmarc"),
        ("v=dkim1", "a DKIM key", "<selector>._domainkey"),
        ("v=stsv1", "an MTA-STS record", "_mta-sts"),
        ("v=tlsrptv1", "a TLS-RPT record", "_smtp._tls"),
        ("v=bimi1", "a BIMI record", "default._bimi"),
    ] {
        if lower.starts_with(tag) && !lower.starts_with(&want.to_ascii_lowercase()) {
            return r
                .wrong_record
                .finding(format!(
                    "This is {what}, which belongs at {home}, not at {}.",
                    kind.location
                ))
                .fix(fix);
        }
    }
    let squeezed: String = text.chars().filter(|c| *c != ' ' && *c != '\t').collect();
    let message = if text.starts_with([' ', '\t']) && text.trim_start().starts_with(want) {
        "The record starts with white space before the version.".to_string()
    } else if text.starts_with(want) {
        format!("The version must be \"{want}\" followed by \";\".")
    } else if lower.starts_with(&want.to_ascii_lowercase()) {
        format!("The version is case-sensitive: it must be \"{want}\" exactly.")
    } else if squeezed.starts_with(want) {
        format!("There must be no spaces around \"=\" in \"{want}\".")
    } else if text.contains(want) {
        return r
            .version_not_first
            .finding(format!("\"{want}\" must be the first field of the record."))
            .fix(fix);
    } else {
        format!("The record does not begin with \"{want}\".")
    };
    r.version_bad.finding(message).fix(fix)
}
