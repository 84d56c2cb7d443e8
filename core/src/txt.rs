//! The `_mta-sts.<domain>` TXT record set (RFC 8461 §3.1).

use crate::finding::{no_errors, Finding};
use crate::recordset::{self, Kind, KindRules, RecordStatus, TxtRecord};
use crate::rules;
use serde::{Deserialize, Serialize};

pub(crate) const STS: Kind = Kind {
    version: "v=STSv1",
    location: "_mta-sts",
    example: "v=STSv1; id=20240101T000000",
    rules: KindRules {
        absent: rules::TXT_ABSENT,
        unrelated: rules::TXT_UNRELATED,
        multiple: rules::TXT_MULTIPLE,
        multistring: rules::TXT_MULTISTRING,
        syntax: rules::TXT_SYNTAX,
        non_ascii: rules::TXT_NON_ASCII,
        trailing_whitespace: rules::TXT_TRAILING_WHITESPACE,
        version_bad: rules::TXT_VERSION_BAD,
        version_not_first: rules::TXT_VERSION_NOT_FIRST,
        space_before_semicolon: rules::TXT_SPACE_BEFORE_SEMICOLON,
        spf: rules::TXT_SPF,
        wrong_record: rules::TXT_WRONG_RECORD,
    },
};

/// The verdict on the `_mta-sts` record set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsRecordCheck {
    pub status: RecordStatus,
    /// The policy id, verbatim, when the record is valid.
    pub id: Option<String>,
    /// Every record at the name, strings joined.
    pub records: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Classifies the TXT records found at `_mta-sts.<domain>` (after following CNAMEs).
pub fn check_sts_records(records: &[TxtRecord]) -> StsRecordCheck {
    let mut findings = Vec::new();
    let texts = records.iter().map(TxtRecord::text).collect();
    let (status, id) = match recordset::select(&STS, records, &mut findings) {
        Err(status) => (status, None),
        Ok(text) => {
            let id = recordset::parse(&STS, &text, |_| false, &mut findings)
                .and_then(|parsed| fields(&parsed, &mut findings));
            let status = if id.is_some() && no_errors(&findings) {
                RecordStatus::Valid
            } else {
                RecordStatus::Invalid
            };
            (status, id.filter(|_| status == RecordStatus::Valid))
        }
    };
    StsRecordCheck {
        status,
        id,
        records: texts,
        findings,
    }
}

/// Why an `id` value is not an `sts-id` (`1*32(ALPHA / DIGIT)`), or `None` when it is one.
fn id_problem(value: &str) -> Option<String> {
    if value.len() > 32 {
        Some(format!("it is {} characters long; at most 32", value.len()))
    } else {
        value
            .chars()
            .find(|c| !c.is_ascii_alphanumeric())
            .map(|c| format!("it contains \"{c}\"; only letters and digits are allowed"))
    }
}

/// Applies the field rules and returns the id: the first well-formed `sts-id`
/// (CHECKLIST §2.1). Malformed `id=` fields are extensions by the grammar, so they do not
/// count; repeated fields after the first are ignored (RFC 8461 §3.2).
fn fields(parsed: &crate::record::Parsed<'_>, findings: &mut Vec<Finding>) -> Option<String> {
    let mut id: Option<&str> = None;
    let mut bad_ids = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for field in &parsed.fields {
        let col = field.name_at as u32 + 1;
        if field.name == "id" {
            match (id_problem(field.value), id) {
                (Some(problem), _) => bad_ids.push((field, problem)),
                (None, None) => id = Some(field.value),
                (None, Some(first)) => findings.push(
                    rules::TXT_FIELD_DUPLICATE
                        .finding(format!(
                            "The record has a second id \"{}\"; senders use the first, \"{first}\".",
                            field.value
                        ))
                        .fix("Keep one id field.")
                        .at_column(col),
                ),
            }
            continue;
        }
        if seen.contains(&field.name) {
            findings.push(
                rules::TXT_FIELD_DUPLICATE
                    .finding(format!(
                        "The field \"{}\" appears twice; senders ignore all but the first.",
                        field.name
                    ))
                    .at_column(col),
            );
        } else {
            seen.push(field.name);
            let hint = if field.name.eq_ignore_ascii_case("id") {
                " Field names are case-sensitive: the id is written \"id=\"."
            } else {
                ""
            };
            let finding = rules::TXT_EXTENSION_UNKNOWN.finding(format!(
                "Senders ignore the unknown field \"{}={}\".{hint}",
                field.name, field.value
            ));
            findings.push(if hint.is_empty() {
                finding.at_column(col)
            } else {
                finding
                    .severity(crate::Severity::Warning)
                    .fix(format!("Write \"id={}\".", field.value))
                    .at_column(col)
            });
        }
    }
    let fix = "Use 1 to 32 letters and digits, e.g. a timestamp such as \"id=20240101T000000\".";
    match id {
        Some(_) => {
            for (field, problem) in bad_ids {
                findings.push(
                    rules::TXT_FIELD_DUPLICATE
                        .finding(format!("\"id={}\" is not a valid id ({problem}); senders that take the first id may fail, the others use the valid one.", field.value))
                        .fix("Remove the malformed id.")
                        .at_column(field.value_at as u32 + 1),
                );
            }
        }
        None => match bad_ids.first() {
            Some((field, problem)) => findings.push(
                rules::TXT_ID_BAD
                    .finding(format!(
                        "The id \"{}\" is not valid: {problem}.",
                        field.value
                    ))
                    .fix(fix)
                    .at_column(field.value_at as u32 + 1),
            ),
            None => findings.push(
                rules::TXT_ID_MISSING
                    .finding(
                        "The record has no id field; senders need it to notice policy changes.",
                    )
                    .fix(fix),
            ),
        },
    }
    id.map(str::to_string)
}
