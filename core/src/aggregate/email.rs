//! A report as it arrives by mail (RFC 8460 §5.3): a multipart/report message whose
//! machine-readable part is `application/tlsrpt+gzip` or `application/tlsrpt+json`. The
//! MIME work is mail-parser's; here is only which parts are reports.

use crate::finding::Finding;
use crate::rules;
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// What the message's own headers say about the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EmailFacts {
    /// `TLS-Report-Domain`: the domain the report is about.
    pub report_domain: Option<String>,
    /// `TLS-Report-Submitter`: the reporter's domain.
    pub submitter: Option<String>,
    pub subject: Option<String>,
}

/// A part that holds a report, decoded from its transfer encoding.
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// True when the input starts like an Internet message: a header field name and a colon.
pub fn looks_like_message(bytes: &[u8]) -> bool {
    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..line_end.min(1000)];
    // An mbox file starts with its "From " separator line.
    if line.starts_with(b"From ") {
        return true;
    }
    match line.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => line[..colon]
            .iter()
            .all(|&b| b.is_ascii_graphic() && b != b':'),
        _ => false,
    }
}

/// The report parts of a message, and the facts of its headers. A message forwarded as
/// `message/rfc822` is looked into too (administrators forward reports to themselves).
pub fn attachments(bytes: &[u8], findings: &mut Vec<Finding>) -> (EmailFacts, Vec<Attachment>) {
    let bytes = bytes.strip_prefix(b"From ").map_or(bytes, |rest| {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => &rest[i + 1..],
            None => rest,
        }
    });
    let Some(message) = MessageParser::default().parse(bytes) else {
        return (EmailFacts::default(), Vec::new());
    };
    let facts = EmailFacts {
        report_domain: header_text(&message, "TLS-Report-Domain"),
        submitter: header_text(&message, "TLS-Report-Submitter"),
        subject: message.subject().map(str::to_string),
    };
    let mut found = Vec::new();
    collect(&message, 0, &mut found);
    if !found.is_empty() {
        check_envelope(&message, &facts, findings);
    }
    (facts, found)
}

fn header_text(message: &Message<'_>, name: &str) -> Option<String> {
    let value = message.header_raw(name)?.trim();
    (!value.is_empty()).then(|| value.to_string())
}

fn check_envelope(message: &Message<'_>, facts: &EmailFacts, findings: &mut Vec<Finding>) {
    let report_type = message
        .content_type()
        .filter(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        })
        .and_then(|ct| ct.attribute("report-type"));
    if !report_type.is_some_and(|t| t.eq_ignore_ascii_case("tlsrpt")) {
        findings.push(rules::REPORT_EMAIL_CONTENT_TYPE.finding(
            "The message is not multipart/report with report-type=\"tlsrpt\" as RFC 8460 §5.3 asks; the report attachment was found anyway. A mail filter that sorts reports by type will miss it.",
        ));
    }
    let missing: Vec<&str> = [
        ("TLS-Report-Domain", &facts.report_domain),
        ("TLS-Report-Submitter", &facts.submitter),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_none())
    .map(|(n, _)| n)
    .collect();
    if !missing.is_empty() {
        findings.push(rules::REPORT_EMAIL_HEADER_MISSING.finding(format!(
            "The message has no {} header, which RFC 8460 §5.3 requires; searching a mailbox by these headers will not find it.",
            missing.join(" or ")
        )));
    }
}

const MAX_DEPTH: usize = 4;

fn collect(message: &Message<'_>, depth: usize, found: &mut Vec<Attachment>) {
    for part in &message.parts {
        match &part.body {
            PartType::Message(inner) if depth < MAX_DEPTH => collect(inner, depth + 1, found),
            PartType::Binary(_) | PartType::InlineBinary(_) | PartType::Text(_) => {
                let ct = part.content_type();
                let media = ct.map(|ct| {
                    format!(
                        "{}/{}",
                        ct.ctype().to_ascii_lowercase(),
                        ct.subtype().unwrap_or("").to_ascii_lowercase()
                    )
                });
                let name = part.attachment_name().unwrap_or("").to_string();
                if is_report(media.as_deref(), &name) {
                    found.push(Attachment {
                        name: if name.is_empty() {
                            media.unwrap_or_default()
                        } else {
                            name
                        },
                        bytes: part.contents().to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
}

/// The media types of §5.3, and the file names of §5.1 for reporters that send the
/// attachment as application/octet-stream or application/gzip.
fn is_report(media: Option<&str>, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    match media {
        Some("application/tlsrpt+gzip" | "application/tlsrpt+json") => true,
        Some(
            "application/gzip"
            | "application/x-gzip"
            | "application/json"
            | "application/octet-stream",
        )
        | None => name.ends_with(".json.gz") || name.ends_with(".json") || name.ends_with(".gz"),
        _ => false,
    }
}
