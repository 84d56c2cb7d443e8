//! Many reports together: each input's readings, one report counted once however many
//! copies were dropped, and the totals per reporter, MX, day and result type.

use super::{read, AggregateReport, Reading};
use crate::finding::Finding;
use crate::rules;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The `by_mx` key for successful sessions a report does not tie to one MX host (its
/// policy names no host, several, or a wildcard).
pub const UNATTRIBUTED: &str = "(not given per MX)";

/// One file as given: its name and what was read from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    pub name: String,
    pub readings: Vec<Reading>,
}

#[derive(Debug, Clone, Default)]
pub struct Collection {
    pub inputs: Vec<Input>,
    /// (organization, report id) of every report read, with the input it was first read
    /// from: a folder of years of reports stays linear.
    seen: HashMap<(String, String), usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub successful: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReporterCounts {
    pub successful: u64,
    pub failed: u64,
    pub reports: u64,
}

/// Session counts over every distinct report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub successful: u64,
    pub failed: u64,
    /// Failed sessions by RFC 8460 §4.3 result type, from the failure details.
    pub by_result_type: BTreeMap<String, u64>,
    pub by_mx: BTreeMap<String, Counts>,
    pub by_reporter: BTreeMap<String, ReporterCounts>,
    /// By the UTC day each report's period starts (`YYYY-MM-DD`).
    pub by_day: BTreeMap<String, Counts>,
}

impl Collection {
    /// Reads `bytes` as the file `name`. A report already read (same reporter and report
    /// id) is kept, with a finding, but not counted again.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> &Input {
        let mut readings = read(bytes);
        let index = self.inputs.len();
        for reading in &mut readings {
            let Some(report) = &reading.report else {
                continue;
            };
            if report.report_id.is_empty() {
                continue;
            }
            let key = key(report);
            match self.seen.get(&key) {
                Some(&first) => {
                    let first = self.inputs.get(first).map_or(name, |i| i.name.as_str());
                    let finding = rules::REPORT_DUPLICATE.finding(format!(
                        "This is report {} of {} again (first read from {first}); it is counted once.",
                        report.report_id, report.organization_name
                    ));
                    reading.findings.push(finding);
                }
                None => {
                    self.seen.insert(key, index);
                }
            }
        }
        self.inputs.push(Input {
            name: name.to_string(),
            readings,
        });
        self.inputs.last().expect("just pushed")
    }

    /// Each distinct report once, in the order first read.
    pub fn reports(&self) -> Vec<&AggregateReport> {
        let mut out: Vec<&AggregateReport> = Vec::new();
        let mut taken = HashSet::new();
        for r in self
            .inputs
            .iter()
            .flat_map(|i| &i.readings)
            .filter_map(|r| r.report.as_ref())
        {
            if r.report_id.is_empty() || taken.insert(key(r)) {
                out.push(r);
            }
        }
        out
    }

    /// Every finding, with the name of the input it came from.
    pub fn findings(&self) -> Vec<(&str, &Finding)> {
        self.inputs
            .iter()
            .flat_map(|i| {
                i.readings
                    .iter()
                    .flat_map(move |r| r.findings.iter().map(move |f| (i.name.as_str(), f)))
            })
            .collect()
    }

    /// True when every input gave at least one report and none has an error.
    pub fn all_valid(&self) -> bool {
        self.inputs
            .iter()
            .all(|i| i.readings.iter().all(Reading::is_valid))
    }

    pub fn totals(&self) -> Totals {
        totals(&self.reports())
    }
}

fn key(r: &AggregateReport) -> (String, String) {
    (r.organization_name.clone(), r.report_id.clone())
}

pub fn totals(reports: &[&AggregateReport]) -> Totals {
    let mut t = Totals::default();
    for report in reports {
        let (ok, failed) = (report.successful(), report.failed());
        t.successful = t.successful.saturating_add(ok);
        t.failed = t.failed.saturating_add(failed);
        let reporter = t.by_reporter.entry(reporter_name(report)).or_default();
        reporter.successful = reporter.successful.saturating_add(ok);
        reporter.failed = reporter.failed.saturating_add(failed);
        reporter.reports += 1;
        if let Some(day) = report.date_range.day() {
            let d = t.by_day.entry(day).or_default();
            d.successful = d.successful.saturating_add(ok);
            d.failed = d.failed.saturating_add(failed);
        }
        for policy in &report.policies {
            let one_host = match policy.policy.mx_host.as_slice() {
                [host] if !host.contains('*') => {
                    Some(host.trim_end_matches('.').to_ascii_lowercase())
                }
                _ => None,
            };
            let ok = policy.summary.total_successful_session_count;
            if ok > 0 {
                let key = one_host.clone().unwrap_or_else(|| UNATTRIBUTED.to_string());
                let m = t.by_mx.entry(key).or_default();
                m.successful = m.successful.saturating_add(ok);
            }
            for detail in &policy.failure_details {
                let n = detail.failed_session_count;
                let kind = t
                    .by_result_type
                    .entry(detail.result_type.clone())
                    .or_default();
                *kind = kind.saturating_add(n);
                let host = detail
                    .receiving_mx_hostname
                    .as_deref()
                    .map(str::to_ascii_lowercase)
                    .or_else(|| one_host.clone())
                    .unwrap_or_else(|| UNATTRIBUTED.to_string());
                let m = t.by_mx.entry(host).or_default();
                m.failed = m.failed.saturating_add(n);
            }
        }
    }
    t
}

fn reporter_name(report: &AggregateReport) -> String {
    if report.organization_name.is_empty() {
        "(no organization-name)".to_string()
    } else {
        report.organization_name.clone()
    }
}
