//! TLS-RPT aggregate reports (RFC 8460 §4): what senders tell a domain about its TLS, read
//! from the JSON, the gzip file or the whole e-mail message they arrive in.
//!
//! Reading is lenient where real reporters differ from the RFC (numbers sent as strings,
//! empty strings for absent fields, extra fields, `mx-host` as a string) and says so in
//! findings; it is strict about size, because a report is untrusted input: at most
//! [`MAX_INPUT_BYTES`] read and [`MAX_REPORT_BYTES`] inflated, whatever the input claims.

mod collection;
mod datetime;
mod email;
pub mod explain;
mod json;
mod unpack;

pub use collection::{totals, Collection, Counts, Input, ReporterCounts, Totals, UNATTRIBUTED};
pub use email::EmailFacts;
pub use explain::{correlate, explain, Explanation, LiveMatch, Scope};
pub use unpack::{read, Form, Reading};

use serde::Serialize;

/// The largest input read at all: a saved e-mail with a base64 attachment is about 4/3 the
/// size of the gzip file inside.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// The largest report JSON accepted, after inflating: large reporters' daily reports are
/// kilobytes, and a gzip bomb stops here instead of filling memory.
pub const MAX_REPORT_BYTES: usize = 4 * 1024 * 1024;

/// One aggregate report, its fields named as in RFC 8460 §4.4 (in snake case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AggregateReport {
    pub organization_name: String,
    pub report_id: String,
    pub date_range: DateRange,
    pub contact_info: String,
    pub policies: Vec<PolicyResult>,
}

/// The report's period as the reporter wrote it, with the instants it names when they parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateRange {
    pub start: String,
    pub end: String,
    /// Seconds since the Unix epoch, when `start` is an RFC 3339 date-time.
    #[serde(skip)]
    pub start_unix: Option<i64>,
    #[serde(skip)]
    pub end_unix: Option<i64>,
}

impl DateRange {
    /// The UTC day (`YYYY-MM-DD`) the report is counted under: the day its period starts.
    pub fn day(&self) -> Option<String> {
        self.start_unix.map(datetime::utc_day)
    }
}

/// One policy the sender applied, with its counts and failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyResult {
    pub policy: AppliedPolicy,
    pub summary: Summary,
    pub failure_details: Vec<FailureDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedPolicy {
    /// `sts`, `tlsa` or `no-policy-found` (anything else is kept as sent, with a finding).
    pub policy_type: String,
    pub policy_string: Vec<String>,
    pub policy_domain: String,
    /// The MX patterns of an `sts` policy (sent as `mx-host`, or `mx-host-pattern`).
    pub mx_host: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub total_successful_session_count: u64,
    pub total_failure_session_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureDetail {
    /// A result type of RFC 8460 §4.3, or what the reporter sent.
    pub result_type: String,
    pub sending_mta_ip: Option<String>,
    pub receiving_mx_hostname: Option<String>,
    pub receiving_mx_helo: Option<String>,
    pub receiving_ip: Option<String>,
    pub failed_session_count: u64,
    pub additional_information: Option<String>,
    pub failure_reason_code: Option<String>,
}

impl AggregateReport {
    pub fn successful(&self) -> u64 {
        self.policies
            .iter()
            .map(|p| p.summary.total_successful_session_count)
            .fold(0, u64::saturating_add)
    }

    pub fn failed(&self) -> u64 {
        self.policies
            .iter()
            .map(|p| p.summary.total_failure_session_count)
            .fold(0, u64::saturating_add)
    }

    /// The policy domains the report is about, each once, in report order.
    pub fn domains(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.policies {
            let d = p.policy.policy_domain.as_str();
            if !d.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(d)) {
                out.push(d);
            }
        }
        out
    }
}
