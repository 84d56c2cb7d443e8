//! The `_smtp._tls.<domain>` TXT record set that asks for TLS reports (RFC 8460 §3).

use crate::finding::{no_errors, Finding};
use crate::record::Parsed;
use crate::recordset::{self, Kind, KindRules, RecordStatus, TxtRecord};
use crate::rules;
use serde::{Deserialize, Serialize};

pub(crate) const TLSRPT: Kind = Kind {
    version: "v=TLSRPTv1",
    location: "_smtp._tls",
    example: "v=TLSRPTv1; rua=mailto:tls-reports@example.com",
    rules: KindRules {
        absent: rules::TLSRPT_ABSENT,
        unrelated: rules::TLSRPT_UNRELATED,
        multiple: rules::TLSRPT_MULTIPLE,
        multistring: rules::TLSRPT_MULTISTRING,
        syntax: rules::TLSRPT_SYNTAX,
        non_ascii: rules::TLSRPT_NON_ASCII,
        trailing_whitespace: rules::TLSRPT_TRAILING_WHITESPACE,
        version_bad: rules::TLSRPT_VERSION_BAD,
        version_not_first: rules::TLSRPT_VERSION_NOT_FIRST,
        space_before_semicolon: rules::TLSRPT_SPACE_BEFORE_SEMICOLON,
        spf: rules::TLSRPT_SPF,
        wrong_record: rules::TLSRPT_WRONG_RECORD,
    },
};

/// The verdict on the `_smtp._tls` record set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsRptCheck {
    pub status: RecordStatus,
    /// Every reporting URI of the record, as written.
    pub rua: Vec<String>,
    pub records: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Classifies the TXT records found at `_smtp._tls.<domain>`.
pub fn check_tlsrpt_records(records: &[TxtRecord]) -> TlsRptCheck {
    let mut findings = Vec::new();
    let texts = records.iter().map(TxtRecord::text).collect();
    let (status, rua) = match recordset::select(&TLSRPT, records, &mut findings) {
        Err(status) => (status, Vec::new()),
        Ok(text) => match recordset::parse(&TLSRPT, &text, |n| n == "rua", &mut findings) {
            None => {
                truncation_hint(&text, &mut findings);
                (RecordStatus::Invalid, Vec::new())
            }
            Some(parsed) => {
                let (supported, rua) = fields(&parsed, &mut findings);
                let status = if supported && no_errors(&findings) {
                    RecordStatus::Valid
                } else {
                    RecordStatus::Invalid
                };
                (status, rua)
            }
        },
    };
    TlsRptCheck {
        status,
        rua,
        records: texts,
        findings,
    }
}

/// Returns whether at least one URI has a supported scheme, and all URIs.
fn fields(parsed: &Parsed<'_>, findings: &mut Vec<Finding>) -> (bool, Vec<String>) {
    let mut rua = Vec::new();
    let mut rua_fields = 0;
    let mut seen: Vec<&str> = Vec::new();
    for field in &parsed.fields {
        let col = field.name_at as u32 + 1;
        if field.name == "rua" {
            rua_fields += 1;
            if rua_fields == 2 {
                findings.push(
                    rules::TLSRPT_RUA_REPEATED
                        .finding("The record has more than one \"rua=\" field; RFC 8460 does not say what senders do with the others, and they differ.")
                        .fix("Put all URIs in one \"rua=\" field, separated by commas.")
                        .at_column(col),
                );
            }
            rua.extend(field.items.iter().map(|(at, uri)| (*at, *uri)));
        } else if seen.contains(&field.name) {
            findings.push(
                rules::TLSRPT_FIELD_DUPLICATE
                    .finding(format!("The field \"{}\" appears twice.", field.name))
                    .at_column(col),
            );
        } else {
            seen.push(field.name);
            let looks_like_uri = field.value.contains('@') || field.value.contains("//");
            let has_rua = parsed.fields.iter().any(|f| f.name == "rua");
            if field.name.eq_ignore_ascii_case("rua") {
                let rule = rules::TLSRPT_RUA_MISSING;
                findings.push(
                    rule
                        .finding(format!("\"{}=\" is not \"rua=\": field names are case-sensitive, so senders ignore it.", field.name))
                        .fix(format!("Write \"rua={}\".", field.value))
                        .at_column(col)
                        .severity(if has_rua { crate::Severity::Warning } else { rule.severity }),
                );
            } else if looks_like_uri {
                findings.push(
                    rules::TLSRPT_RUA_TRUNCATED
                        .finding(format!(
                            "\"{}={}\" looks like part of a URI cut off by a \";\".",
                            field.name, field.value
                        ))
                        .fix("Separate URIs with \",\" and encode \";\" inside a URI as %3B.")
                        .at_column(col),
                );
            } else {
                findings.push(
                    rules::TLSRPT_EXTENSION_UNKNOWN
                        .finding(format!(
                            "Senders ignore the unknown field \"{}={}\".",
                            field.name, field.value
                        ))
                        .at_column(col),
                );
            }
        }
    }
    if rua_fields == 0 {
        if !findings
            .iter()
            .any(|f| f.code == rules::TLSRPT_RUA_MISSING.code)
        {
            findings.push(
                rules::TLSRPT_RUA_MISSING
                    .finding("The record has no \"rua=\" field, so senders have nowhere to send reports.")
                    .fix("Add e.g. \"rua=mailto:tls-reports@example.com\"."),
            );
        }
        return (false, Vec::new());
    }
    let mut supported = 0;
    for (at, uri) in &rua {
        if check_uri(uri, *at as u32 + 1, findings) {
            supported += 1;
        }
    }
    if supported == 0 {
        findings.push(
            rules::TLSRPT_RUA_NONE_SUPPORTED
                .finding("No reporting URI is a usable mailto: or https: URI, so senders cannot deliver reports.")
                .fix("Use \"rua=mailto:tls-reports@example.com\" or \"rua=https://reports.example.com/tlsrpt\"."),
        );
    }
    (
        supported > 0,
        rua.into_iter().map(|(_, u)| u.to_string()).collect(),
    )
}

/// Checks one reporting URI; returns whether a sender can use it.
fn check_uri(uri: &str, col: u32, findings: &mut Vec<Finding>) -> bool {
    let bad = |message: String| {
        rules::TLSRPT_RUA_BAD_URI
            .finding(message)
            .fix("Write a mailto: address or an https: URL, e.g. \"rua=mailto:tls-reports@example.com\".")
            .at_column(col)
    };
    if let Some(pos) = uri.find('!') {
        let dmarc = if uri[pos..].len() > 1
            && uri[pos + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        {
            " DMARC-style size limits such as \"!10m\" do not exist in TLS-RPT."
        } else {
            ""
        };
        findings.push(
            rules::TLSRPT_RUA_UNENCODED
                .finding(format!(
                    "\"{uri}\" contains a raw \"!\", which must be encoded as %21.{dmarc}"
                ))
                .fix("Remove the \"!…\" suffix or encode the character.")
                .at_column(col),
        );
        return false;
    }
    let Some((scheme, rest)) = uri.split_once(':').filter(|(s, _)| is_scheme(s)) else {
        findings.push(bad(format!(
            "\"{uri}\" is not a URI: it has no scheme such as mailto: or https:."
        )));
        return false;
    };
    if let Some(c) = rest.chars().find(|c| !is_uri_char(*c)) {
        findings.push(bad(format!(
            "\"{uri}\" contains \"{c}\", which is not allowed in a URI unless percent-encoded."
        )));
        return false;
    }
    if !percent_encoding_ok(rest) {
        findings.push(bad(format!(
            "\"{uri}\" has a \"%\" that is not followed by two hex digits."
        )));
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "mailto" => {
            let addr = rest.split('?').next().unwrap_or("");
            let ok = addr.rsplit_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && crate::domain::check_ldh(domain).is_ok()
            });
            if !ok {
                findings.push(bad(format!("\"{uri}\" is not a mailto: URI with an address such as tls-reports@example.com.")));
            }
            ok
        }
        "https" => {
            let host = rest
                .strip_prefix("//")
                .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""))
                .unwrap_or("");
            let ok = !host.is_empty();
            if !ok {
                findings.push(bad(format!("\"{uri}\" is not an https: URL with a host, such as https://reports.example.com/tlsrpt.")));
            }
            ok
        }
        other => {
            findings.push(
                rules::TLSRPT_RUA_UNSUPPORTED_SCHEME
                    .finding(format!("\"{uri}\" uses the scheme \"{other}:\"; senders only deliver reports to mailto: and https:."))
                    .fix("Use a mailto: or https: URI.")
                    .at_column(col),
            );
            false
        }
    }
}

/// RFC 3986 `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// RFC 3986 unreserved, reserved and `%`; `!`, `,` and `;` never reach here.
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | ':'
                | '/'
                | '?'
                | '#'
                | '['
                | ']'
                | '@'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | '='
                | '%'
        )
}

fn percent_encoding_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || (b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// When the grammar broke after a `rua=` because of a raw `;`, say so.
fn truncation_hint(text: &str, findings: &mut Vec<Finding>) {
    let Some(rua_at) = text.find("rua=") else {
        return;
    };
    let after = &text[rua_at..];
    if let Some((_, rest)) = after.split_once(';') {
        let next = rest.trim_start().split(';').next().unwrap_or("");
        if !next.contains('=') && (next.contains('@') || next.contains('/')) {
            findings.push(
                rules::TLSRPT_RUA_TRUNCATED
                    .finding(format!(
                        "A raw \";\" cut the reporting URI short: \"{}\" is left over.",
                        next.trim_end()
                    ))
                    .fix("Separate URIs with \",\" and encode \";\" inside a URI as %3B."),
            );
        }
    }
}
