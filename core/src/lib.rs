//! mtasts-core: the sans-IO heart of the MTA-STS tester.
//!
//! Parsers and rules for RFC 8461 (MTA-STS) and RFC 8460 (TLS-RPT). Nothing here touches
//! the network or the clock, so the same code runs in the browser, the CLI and the
//! companion service, and every rule is tested by feeding it bytes.

#[cfg(feature = "reports")]
pub mod aggregate;
pub mod answers;
pub mod baseline;
pub mod check;
pub mod dane;
pub mod dns;
pub mod dnssec;
pub mod domain;
pub mod draft;
pub mod finding;
pub mod generate;
pub mod hex;
pub mod input;
pub mod late;
pub mod markdown;
pub mod matching;
pub mod order;
pub mod pattern;
pub mod policy;
pub mod profiles;
mod record;
pub mod recordset;
pub mod report;
pub mod resolvers;
pub mod rules;
pub mod scan;
pub mod tlsrpt;
pub mod txt;
mod verdict;

pub use check::{Answer, Check, Request, RequestId};
pub use finding::{Finding, Rule, Severity};
pub use matching::{check_match, MatchCheck};
pub use pattern::{find_match, MxPattern};
pub use policy::{check_policy, Mode, Policy, PolicyCheck};
pub use recordset::{RecordStatus, TxtRecord};
pub use report::Report;
pub use tlsrpt::{check_tlsrpt_records, TlsRptCheck};
pub use txt::{check_sts_records, StsRecordCheck};
