//! From the bytes of a file to reports: which of the three forms it is (JSON, gzip, a whole
//! e-mail message), inflated with a cap, then read.

use super::email::{self, EmailFacts};
use super::{json, AggregateReport, MAX_INPUT_BYTES, MAX_REPORT_BYTES};
use crate::finding::Finding;
use crate::rules;
use serde::Serialize;
use std::io::Read;

/// How a report arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    Json,
    Gzip,
    Email,
    Unknown,
}

/// One report read from an input, or the reason none could be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub form: Form,
    /// The attachment's file name, for a report found in a message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailFacts>,
    pub report: Option<AggregateReport>,
    pub findings: Vec<Finding>,
}

impl Reading {
    fn failed(form: Form, finding: Finding) -> Reading {
        Reading {
            form,
            attachment: None,
            email: None,
            report: None,
            findings: vec![finding],
        }
    }

    /// A report was read, and nothing in it is an error.
    pub fn is_valid(&self) -> bool {
        self.report.is_some() && crate::finding::no_errors(&self.findings)
    }

    /// The first error, for a one-line reason.
    pub fn first_error(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.is_error())
    }
}

/// Every report in `bytes`: one for a JSON or gzip file, one per report attachment for an
/// e-mail message. Never empty: an input with no report gives one reading that says why.
pub fn read(bytes: &[u8]) -> Vec<Reading> {
    if bytes.len() > MAX_INPUT_BYTES {
        return vec![Reading::failed(
            Form::Unknown,
            too_large(format!(
                "The file is larger than {} MiB; reports are kilobytes, so this is not one.",
                MAX_INPUT_BYTES >> 20
            )),
        )];
    }
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let trimmed = &bytes[start..];
    let trimmed = trimmed.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(trimmed);
    if trimmed.starts_with(&[0x1f, 0x8b]) {
        return vec![from_gzip(trimmed, Form::Gzip)];
    }
    if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        return vec![from_json(trimmed, Form::Json, Vec::new())];
    }
    if email::looks_like_message(trimmed) {
        return from_email(trimmed);
    }
    vec![Reading::failed(Form::Unknown, unrecognized(trimmed))]
}

fn from_json(bytes: &[u8], form: Form, mut findings: Vec<Finding>) -> Reading {
    let report = json::parse(bytes, &mut findings);
    Reading {
        form,
        attachment: None,
        email: None,
        report,
        findings,
    }
}

fn from_gzip(bytes: &[u8], form: Form) -> Reading {
    match inflate(bytes) {
        Ok(json) => from_json(&json, form, Vec::new()),
        Err(finding) => Reading::failed(form, finding),
    }
}

/// Inflates at most [`MAX_REPORT_BYTES`] and stops there: a gzip bomb costs a few MiB of
/// memory and the time to inflate them, never more.
fn inflate(bytes: &[u8]) -> Result<Vec<u8>, Finding> {
    let mut out = Vec::new();
    let limit = u64::try_from(MAX_REPORT_BYTES).unwrap_or(u64::MAX) + 1;
    let result = flate2::read::MultiGzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out);
    match result {
        Ok(_) if out.len() > MAX_REPORT_BYTES => Err(too_large(format!(
            "The gzip file inflates to more than {} MiB; reading stopped there. A daily report is kilobytes, so this is not one (or it is a gzip bomb).",
            MAX_REPORT_BYTES >> 20
        ))),
        Ok(_) => Ok(out),
        Err(e) => Err(rules::REPORT_GZIP_CORRUPT
            .finding(format!("The gzip data is damaged or cut short after {} bytes inflated ({e}).", out.len()))
            .fix("Save the attachment again, whole. If it came by mail, saving the whole message (.eml) works too.")),
    }
}

fn from_email(bytes: &[u8]) -> Vec<Reading> {
    let mut envelope = Vec::new();
    let (facts, attachments) = email::attachments(bytes, &mut envelope);
    if attachments.is_empty() {
        return vec![Reading {
            form: Form::Email,
            attachment: None,
            email: Some(facts),
            report: None,
            findings: vec![rules::REPORT_EMAIL_NO_REPORT
                .finding("The message has no TLS report attached (no application/tlsrpt+gzip or application/tlsrpt+json part, and no .json or .json.gz file).")
                .fix("Open the message the report came in, not a reply or a DMARC report; TLS reports come from addresses such as noreply-smtp-tls-reporting@google.com with a subject that starts with \"Report Domain:\".")],
        }];
    }
    attachments
        .into_iter()
        .map(|a| {
            let body = a.bytes.as_slice();
            let mut reading = if body.starts_with(&[0x1f, 0x8b]) {
                from_gzip(body, Form::Email)
            } else {
                from_json(body, Form::Email, Vec::new())
            };
            reading.findings.splice(0..0, envelope.iter().cloned());
            if let (Some(submitter), Some(report)) = (&facts.submitter, &reading.report) {
                let contact_domain = report.contact_info.rsplit_once('@').map(|(_, d)| d);
                if let Some(d) = contact_domain {
                    if !d.trim_end_matches('>').eq_ignore_ascii_case(submitter) {
                        reading.findings.push(rules::REPORT_EMAIL_SUBMITTER_MISMATCH.finding(format!(
                            "TLS-Report-Submitter is {submitter} but the report's contact-info is at {d}; RFC 8460 §5.3 says they must match. Treat the report with care: it may not come from who it says."
                        )));
                    }
                }
            }
            reading.attachment = Some(a.name);
            reading.email = Some(facts.clone());
            reading
        })
        .collect()
}

fn too_large(message: String) -> Finding {
    rules::REPORT_INPUT_TOO_LARGE.finding(message)
}

fn unrecognized(bytes: &[u8]) -> Finding {
    let what = if bytes.is_empty() {
        "The file is empty."
    } else if bytes.starts_with(b"PK\x03\x04") {
        "The file is a ZIP archive; TLS reports come as JSON or gzip (DMARC reports come zipped). Unzip it and open what is inside."
    } else if bytes.starts_with(b"<") {
        "The file is XML or HTML, not a TLS report; a DMARC aggregate report is XML, a TLS report is JSON."
    } else {
        "The file is not a TLS report: not JSON, not gzip, and not an e-mail message."
    };
    rules::REPORT_INPUT_UNRECOGNIZED
        .finding(what)
        .fix("Open the .json or .json.gz attachment of a TLS report, or the whole message saved as .eml.")
}
