//! The report JSON (RFC 8460 §4.4), walked as a JSON value so that every field that is
//! missing, of the wrong type, or sent in a known reporter quirk gets its own finding with
//! its place in the document, and the rest of the report is still read.

use super::{
    datetime, AggregateReport, AppliedPolicy, DateRange, FailureDetail, PolicyResult, Summary,
};
use crate::finding::{Finding, Rule};
use crate::rules;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const POLICY_TYPES: &[&str] = &["sts", "tlsa", "no-policy-found"];

const REPORT_FIELDS: &[&str] = &[
    "organization-name",
    "date-range",
    "contact-info",
    "report-id",
    "policies",
];
const POLICY_FIELDS: &[&str] = &[
    "policy-type",
    "policy-string",
    "policy-domain",
    "mx-host",
    "mx-host-pattern",
];
const RESULT_FIELDS: &[&str] = &["policy", "summary", "failure-details"];
const DETAIL_FIELDS: &[&str] = &[
    "result-type",
    "sending-mta-ip",
    "receiving-mx-hostname",
    "receiving-mx-helo",
    "receiving-ip",
    "failed-session-count",
    "additional-information",
    "additional-info-uri",
    "failure-reason-code",
];

/// Reads a report from JSON text. `None` only when the text is not a JSON object; a report
/// with missing or mistyped fields is returned as far as it could be read, with an error
/// finding for each.
pub fn parse(bytes: &[u8], findings: &mut Vec<Finding>) -> Option<AggregateReport> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let what = if e.is_eof() {
                "it ends too early (a truncated file or a partial download)"
            } else {
                "it does not parse"
            };
            findings.push(
                rules::REPORT_JSON_SYNTAX
                    .finding(format!("The report is not valid JSON: {what}: {e}."))
                    .at(clamp(e.line()), clamp(e.column()))
                    .fix("Save the attachment again, whole; a report that arrived damaged cannot be read, and the sender sends a new one the next day."),
            );
            return None;
        }
    };
    let Value::Object(top) = value else {
        findings.push(
            rules::REPORT_JSON_NOT_OBJECT
                .finding(format!("The JSON is {}, not an object with the fields of a TLS report.", kind(&value)))
                .fix("Check that this is a TLS-RPT report (RFC 8460), not another kind of report such as DMARC."),
        );
        return None;
    };
    let mut r = Reader {
        findings,
        quirks: BTreeMap::new(),
        unknown: BTreeMap::new(),
    };
    let report = r.report(&top);
    r.finish();
    Some(report)
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

struct Quirk {
    rule: Rule,
    what: String,
    fields: Vec<String>,
    times: u32,
}

struct Reader<'f> {
    findings: &'f mut Vec<Finding>,
    /// Tolerated quirks, reported once per kind and field with how often they occurred.
    quirks: BTreeMap<&'static str, Quirk>,
    /// Fields the RFC does not define, by the object that had them.
    unknown: BTreeMap<&'static str, Vec<String>>,
}

impl Reader<'_> {
    fn report(&mut self, top: &Map<String, Value>) -> AggregateReport {
        self.note_unknown("the report", top, REPORT_FIELDS);
        let organization_name = self.required_string(top, "organization-name", "");
        let contact_info = self.required_string(top, "contact-info", "");
        let report_id = self.required_string(top, "report-id", "");
        let date_range = self.date_range(top);
        let mut policies = Vec::new();
        match top.get("policies") {
            None => self.missing("policies", ""),
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let at = format!("policies[{i}]");
                    match item {
                        Value::Object(o) => policies.push(self.policy_result(o, &at)),
                        other => self.wrong_type(&at, "an object", other),
                    }
                }
                if items.is_empty() {
                    self.findings.push(
                        rules::REPORT_NO_POLICIES
                            .finding("The report lists no policies: the sender reports no sessions to this domain in the period."),
                    );
                }
            }
            Some(other) => self.wrong_type("policies", "an array", other),
        }
        AggregateReport {
            organization_name,
            report_id,
            date_range,
            contact_info,
            policies,
        }
    }

    fn date_range(&mut self, top: &Map<String, Value>) -> DateRange {
        let mut range = DateRange {
            start: String::new(),
            end: String::new(),
            start_unix: None,
            end_unix: None,
        };
        let Some(value) = top.get("date-range") else {
            self.missing("date-range", "");
            return range;
        };
        let Value::Object(o) = value else {
            self.wrong_type("date-range", "an object", value);
            return range;
        };
        range.start = self.required_string(o, "start-datetime", "date-range.");
        range.end = self.required_string(o, "end-datetime", "date-range.");
        for (text, slot, name) in [
            (&range.start, &mut range.start_unix, "start-datetime"),
            (&range.end, &mut range.end_unix, "end-datetime"),
        ] {
            if text.is_empty() {
                continue;
            }
            *slot = datetime::parse(text);
            if slot.is_none() {
                self.findings.push(
                    rules::REPORT_DATE_BAD
                        .finding(format!("date-range.{name} is \"{}\", which is not an RFC 3339 date-time such as 2026-12-01T00:00:00Z; the report cannot be placed on a day.", shorten(text)))
                        .fix("Nothing to fix on your side: the reporter's format is wrong. The report's counts are still read."),
                );
            }
        }
        if let (Some(s), Some(e)) = (range.start_unix, range.end_unix) {
            if e < s {
                self.findings.push(rules::REPORT_DATE_ORDER.finding(format!(
                    "The report's period ends ({}) before it starts ({}).",
                    range.end, range.start
                )));
            }
        }
        range
    }

    fn policy_result(&mut self, o: &Map<String, Value>, at: &str) -> PolicyResult {
        self.note_unknown("a policy result", o, RESULT_FIELDS);
        let policy = match o.get("policy") {
            Some(Value::Object(p)) => self.policy(p, &format!("{at}.policy")),
            Some(other) => {
                self.wrong_type(&format!("{at}.policy"), "an object", other);
                empty_policy()
            }
            None => {
                self.missing("policy", &format!("{at}."));
                empty_policy()
            }
        };
        let summary = match o.get("summary") {
            Some(Value::Object(s)) => Summary {
                total_successful_session_count: self.count(
                    s,
                    "total-successful-session-count",
                    &format!("{at}.summary."),
                ),
                total_failure_session_count: self.count(
                    s,
                    "total-failure-session-count",
                    &format!("{at}.summary."),
                ),
            },
            Some(other) => {
                self.wrong_type(&format!("{at}.summary"), "an object", other);
                Summary {
                    total_successful_session_count: 0,
                    total_failure_session_count: 0,
                }
            }
            None => {
                self.missing("summary", &format!("{at}."));
                Summary {
                    total_successful_session_count: 0,
                    total_failure_session_count: 0,
                }
            }
        };
        let mut failure_details = Vec::new();
        match o.get("failure-details") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let here = format!("{at}.failure-details[{i}]");
                    match item {
                        Value::Object(d) => failure_details.push(self.detail(d, &here)),
                        other => self.wrong_type(&here, "an object", other),
                    }
                }
            }
            Some(other) => self.wrong_type(&format!("{at}.failure-details"), "an array", other),
        }
        let listed = failure_details
            .iter()
            .map(|d| d.failed_session_count)
            .fold(0u64, u64::saturating_add);
        if !failure_details.is_empty() && listed != summary.total_failure_session_count {
            self.findings.push(rules::REPORT_COUNTS_MISMATCH.finding(format!(
                "{at}: the failure details add up to {listed} failed sessions, the summary says {}. Totals here use the summary; the per-type counts use the details.",
                summary.total_failure_session_count
            )));
        }
        PolicyResult {
            policy,
            summary,
            failure_details,
        }
    }

    fn policy(&mut self, p: &Map<String, Value>, at: &str) -> AppliedPolicy {
        self.note_unknown("a policy", p, POLICY_FIELDS);
        let prefix = format!("{at}.");
        let policy_type = self.required_string(p, "policy-type", &prefix);
        if !policy_type.is_empty() && !POLICY_TYPES.contains(&policy_type.as_str()) {
            self.findings.push(
                rules::REPORT_POLICY_TYPE_UNKNOWN.finding(format!(
                    "{at}.policy-type is \"{}\"; RFC 8460 defines only sts, tlsa and no-policy-found. The counts are still read.",
                    shorten(&policy_type)
                )),
            );
        }
        let policy_domain = self.required_string(p, "policy-domain", &prefix);
        if !policy_domain.is_ascii() {
            self.findings
                .push(rules::REPORT_DOMAIN_ULABEL.finding(format!(
                    "{at}.policy-domain \"{}\" is in Unicode; RFC 8460 asks for A-labels (xn--…).",
                    shorten(&policy_domain)
                )));
        }
        let policy_string = self.strings(p, "policy-string", &prefix, None);
        let mx_key = if p.contains_key("mx-host") {
            "mx-host"
        } else {
            "mx-host-pattern"
        };
        let mx_host = self.strings(p, mx_key, &prefix, Some(rules::REPORT_MX_HOST_STRING));
        AppliedPolicy {
            policy_type,
            policy_string,
            policy_domain,
            mx_host,
        }
    }

    fn detail(&mut self, d: &Map<String, Value>, at: &str) -> FailureDetail {
        self.note_unknown("a failure detail", d, DETAIL_FIELDS);
        let prefix = format!("{at}.");
        let result_type = self.required_string(d, "result-type", &prefix);
        let failed_session_count = self.count(d, "failed-session-count", &prefix);
        let additional_information = self
            .optional_string(d, "additional-information", &prefix)
            .or_else(|| self.optional_string(d, "additional-info-uri", &prefix));
        let sending_mta_ip = self.optional_string(d, "sending-mta-ip", &prefix);
        let receiving_ip = self.optional_string(d, "receiving-ip", &prefix);
        for (name, ip) in [
            ("sending-mta-ip", &sending_mta_ip),
            ("receiving-ip", &receiving_ip),
        ] {
            if let Some(ip) = ip {
                if ip.parse::<std::net::IpAddr>().is_err() {
                    self.quirk(
                        rules::REPORT_IP_BAD,
                        name,
                        format!("not an IP address (such as \"{}\")", shorten(ip)),
                    );
                }
            }
        }
        FailureDetail {
            result_type,
            sending_mta_ip,
            receiving_mx_hostname: self
                .optional_string(d, "receiving-mx-hostname", &prefix)
                .map(|h| h.trim_end_matches('.').to_string()),
            receiving_mx_helo: self.optional_string(d, "receiving-mx-helo", &prefix),
            receiving_ip,
            failed_session_count,
            additional_information,
            failure_reason_code: self.optional_string(d, "failure-reason-code", &prefix),
        }
    }

    fn required_string(&mut self, o: &Map<String, Value>, name: &str, prefix: &str) -> String {
        match o.get(name) {
            None | Some(Value::Null) => {
                self.missing(name, prefix);
                String::new()
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.missing(name, prefix);
                String::new()
            }
            Some(Value::String(s)) => s.trim().to_string(),
            Some(other) => {
                self.wrong_type(&format!("{prefix}{name}"), "a string", other);
                String::new()
            }
        }
    }

    /// An optional string; empty strings, which some reporters send for absent fields,
    /// read as absent.
    fn optional_string(
        &mut self,
        o: &Map<String, Value>,
        name: &str,
        prefix: &str,
    ) -> Option<String> {
        match o.get(name)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => {
                self.quirk(
                    rules::REPORT_FIELD_EMPTY,
                    name,
                    "an empty string, read as absent".into(),
                );
                None
            }
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => {
                self.quirk(
                    rules::REPORT_FIELD_TYPE,
                    name,
                    "a number where text belongs, read as text".into(),
                );
                Some(n.to_string())
            }
            other => {
                self.wrong_type(&format!("{prefix}{name}"), "a string", other);
                None
            }
        }
    }

    /// A list of strings. `single`: the rule for a lone string where the RFC wants a list
    /// (RFC 8460's own example sends `mx-host` so), accepted as a list of one.
    fn strings(
        &mut self,
        o: &Map<String, Value>,
        name: &str,
        prefix: &str,
        single: Option<Rule>,
    ) -> Vec<String> {
        match o.get(name) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => {
                            self.wrong_type(&format!("{prefix}{name}[{i}]"), "a string", other)
                        }
                    }
                }
                out
            }
            Some(Value::String(s)) => {
                let rule = single.unwrap_or(rules::REPORT_FIELD_TYPE);
                self.quirk(
                    rule,
                    name,
                    "one string instead of a list of strings, read as a list of one".into(),
                );
                vec![s.trim().to_string()]
            }
            Some(other) => {
                self.wrong_type(&format!("{prefix}{name}"), "a list of strings", other);
                Vec::new()
            }
        }
    }

    /// A session count: a JSON integer, or (a reporter quirk) a string of digits.
    fn count(&mut self, o: &Map<String, Value>, name: &str, prefix: &str) -> u64 {
        match o.get(name) {
            None | Some(Value::Null) => {
                self.missing(name, prefix);
                0
            }
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) => v,
                None => {
                    self.findings.push(
                        rules::REPORT_FIELD_TYPE
                            .finding(format!("{prefix}{name} is {n}, not a count of sessions (a whole number, 0 or more); read as 0.")),
                    );
                    0
                }
            },
            Some(Value::String(s)) => match s.trim().parse::<u64>() {
                Ok(v) => {
                    self.quirk(
                        rules::REPORT_NUMBER_AS_STRING,
                        name,
                        "a number written as a string, read as the number".into(),
                    );
                    v
                }
                Err(_) => {
                    self.findings.push(rules::REPORT_FIELD_TYPE.finding(format!(
                        "{prefix}{name} is the string \"{}\", not a count of sessions; read as 0.",
                        shorten(s)
                    )));
                    0
                }
            },
            Some(other) => {
                self.wrong_type(&format!("{prefix}{name}"), "a number", other);
                0
            }
        }
    }

    fn missing(&mut self, name: &str, prefix: &str) {
        self.findings.push(
            rules::REPORT_FIELD_MISSING
                .finding(format!("The report has no {prefix}{name}, which RFC 8460 §4.4 requires."))
                .fix("Nothing to fix on your side: the reporter's report is incomplete. What could be read is shown."),
        );
    }

    fn wrong_type(&mut self, at: &str, wanted: &str, got: &Value) {
        self.findings.push(rules::REPORT_FIELD_TYPE.finding(format!(
            "{at} is {}, where RFC 8460 §4.4 has {wanted}; it is skipped.",
            kind(got)
        )));
    }

    fn quirk(&mut self, rule: Rule, field: &str, what: String) {
        let entry = self.quirks.entry(rule.code).or_insert(Quirk {
            rule,
            what,
            fields: Vec::new(),
            times: 0,
        });
        entry.times += 1;
        if !entry.fields.iter().any(|f| f == field) {
            entry.fields.push(field.to_string());
        }
    }

    fn note_unknown(&mut self, owner: &'static str, o: &Map<String, Value>, known: &[&str]) {
        for key in o.keys() {
            if !known.contains(&key.as_str()) {
                let list = self.unknown.entry(owner).or_default();
                if !list.contains(key) && list.len() < 20 {
                    list.push(shorten(key).to_string());
                }
            }
        }
    }

    fn finish(self) {
        for q in self.quirks.into_values() {
            let times = if q.times == 1 {
                String::new()
            } else {
                format!(" ({} times)", q.times)
            };
            let fields: Vec<String> = q.fields.iter().map(|f| format!("`{f}`")).collect();
            let verb = if fields.len() == 1 { "was" } else { "were" };
            let rule = q.rule;
            let rule_finding =
                rule.finding(format!("{} {verb} {}{times}.", fields.join(", "), q.what));
            let rule_finding = if rule.severity == crate::Severity::Error {
                rule_finding.severity(crate::Severity::Info).tolerated()
            } else {
                rule_finding
            };
            self.findings.push(rule_finding);
        }
        for (owner, keys) in self.unknown {
            self.findings
                .push(rules::REPORT_FIELD_UNKNOWN.finding(format!(
                    "{owner} has fields RFC 8460 does not define, ignored: {}.",
                    keys.join(", ")
                )));
        }
    }
}

fn empty_policy() -> AppliedPolicy {
    AppliedPolicy {
        policy_type: String::new(),
        policy_string: Vec::new(),
        policy_domain: String::new(),
        mx_host: Vec::new(),
    }
}

/// Reporter text quoted in a finding, cut to a readable length on a character boundary.
pub(super) fn shorten(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
