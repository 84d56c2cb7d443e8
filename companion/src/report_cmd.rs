//! `mtasts report FILE...`: TLS-RPT aggregate reports read and explained in the terminal.
//! Exit 0 when every input is a valid report, 1 when any is not (its reason on stderr),
//! 2 for usage (clap).

use crate::cli::ReportArgs;
use crate::output::{findings_text, print_json};
use mtasts_core::aggregate::{explain, Collection, Input, Reading, Totals, MAX_INPUT_BYTES};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A folder may hold years of saved reports; more files than this is a wrong folder.
const MAX_FILES: usize = 100_000;
const MAX_DEPTH: usize = 4;

pub fn run(args: ReportArgs) -> ExitCode {
    let mut files = Vec::new();
    let mut unreadable: Vec<(String, String)> = Vec::new();
    for path in &args.files {
        if path.as_os_str() == "-" {
            files.push(path.clone());
        } else if path.is_dir() {
            if let Err(e) = walk(path, 0, &mut files) {
                unreadable.push((path.display().to_string(), e));
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut collection = Collection::default();
    for file in &files {
        let name = if file.as_os_str() == "-" {
            "(standard input)".to_string()
        } else {
            file.display().to_string()
        };
        match read_capped(file) {
            Ok(bytes) => {
                collection.add(&name, &bytes);
            }
            Err(e) => unreadable.push((name, e)),
        }
    }
    for (name, why) in &unreadable {
        eprintln!("mtasts: {name}: {why}");
    }
    for input in &collection.inputs {
        for reading in &input.readings {
            if let Some(f) = reading.first_error() {
                eprintln!("mtasts: {}: {} ({})", input.name, f.message, f.code);
            } else if reading.report.is_none() {
                eprintln!("mtasts: {}: no report could be read", input.name);
            }
        }
    }
    if args.json {
        print_json(&to_json(&collection, &unreadable));
    } else {
        print!("{}", text(&collection));
    }
    if unreadable.is_empty() && collection.all_valid() && !collection.inputs.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The files under a folder, sorted, without hidden ones.
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the folder: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        if out.len() >= MAX_FILES {
            return Err(format!(
                "more than {MAX_FILES} files; give a narrower folder"
            ));
        }
        if path.is_dir() {
            if depth < MAX_DEPTH {
                walk(&path, depth + 1, out)?;
            }
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// At most one byte more than the reader accepts, so that a huge file is refused without
/// being read whole.
fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let limit = u64::try_from(MAX_INPUT_BYTES).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    result.map_err(|e| format!("cannot read: {e}"))?;
    Ok(bytes)
}

fn counted(reading: &Reading) -> bool {
    reading.report.is_some()
        && !reading
            .findings
            .iter()
            .any(|f| f.code == "report.duplicate")
}

fn to_json(c: &Collection, unreadable: &[(String, String)]) -> Value {
    let mut reports = Vec::new();
    for input in &c.inputs {
        for reading in input.readings.iter().filter(|r| counted(r)) {
            let Some(report) = &reading.report else {
                continue;
            };
            let mut v = serde_json::to_value(report).expect("a report serializes");
            v["input"] = json!(input.name);
            v["form"] = json!(reading.form);
            if let Some(a) = &reading.attachment {
                v["attachment"] = json!(a);
            }
            reports.push(v);
        }
    }
    let mut findings = Vec::new();
    for (name, f) in c.findings() {
        let mut v = serde_json::to_value(f).expect("a finding serializes");
        v["input"] = json!(name);
        findings.push(v);
    }
    let inputs: Vec<Value> =
        c.inputs
            .iter()
            .map(input_json)
            .chain(unreadable.iter().map(
                |(name, why)| json!({"name": name, "valid": false, "reports": 0, "error": why}),
            ))
            .collect();
    let totals = c.totals();
    let result_types: BTreeMap<&str, Value> = totals
        .by_result_type
        .keys()
        .map(|t| {
            (
                t.as_str(),
                serde_json::to_value(explain(t)).expect("serializes"),
            )
        })
        .collect();
    json!({
        "reports": reports,
        "totals": totals,
        "findings": findings,
        "inputs": inputs,
        "result_types": result_types,
    })
}

fn input_json(input: &Input) -> Value {
    json!({
        "name": input.name,
        "valid": input.readings.iter().all(Reading::is_valid),
        "reports": input.readings.iter().filter(|r| r.report.is_some()).count(),
    })
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn text(c: &Collection) -> String {
    let mut out = String::new();
    let t: Totals = c.totals();
    let reports = c.reports();
    let all = t.successful.saturating_add(t.failed);
    let days: Vec<&String> = t.by_day.keys().collect();
    let span = match (days.first(), days.last()) {
        (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
        (Some(a), _) => format!(", {a}"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} report{} from {} reporter{}{span}: {} sessions succeeded, {} failed ({}).",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        t.by_reporter.len(),
        if t.by_reporter.len() == 1 { "" } else { "s" },
        t.successful,
        t.failed,
        percent(t.failed, all)
    );
    if !reports.is_empty() {
        let _ = writeln!(out, "\nReports");
        for r in &reports {
            let _ = writeln!(
                out,
                "  {:<24} {:<10} {:<28} {:>8} ok {:>6} failed  {}",
                r.organization_name,
                r.date_range.day().unwrap_or_else(|| "?".into()),
                r.domains().join(", "),
                r.successful(),
                r.failed(),
                r.report_id
            );
        }
    }
    if !t.by_mx.is_empty() {
        let _ = writeln!(out, "\nBy MX");
        for (host, n) in &t.by_mx {
            let _ = writeln!(
                out,
                "  {host:<40} {:>8} ok {:>6} failed",
                n.successful, n.failed
            );
        }
    }
    if t.by_day.len() > 1 {
        let _ = writeln!(out, "\nBy day");
        for (day, n) in &t.by_day {
            let _ = writeln!(
                out,
                "  {day}  {:>8} ok {:>6} failed",
                n.successful, n.failed
            );
        }
    }
    if !t.by_result_type.is_empty() {
        let _ = writeln!(out, "\nFailures by result type");
        for (kind, n) in &t.by_result_type {
            let e = explain(kind);
            let _ = writeln!(
                out,
                "  {kind}: {n} session{}  [{}]",
                if *n == 1 { "" } else { "s" },
                e.rfc
            );
            let _ = writeln!(out, "     {}. {}", e.title, e.meaning);
            let _ = writeln!(out, "     fix: {}", e.fix);
        }
        let mut domains: Vec<&str> = reports.iter().flat_map(|r| r.domains()).collect();
        domains.sort_unstable();
        domains.dedup();
        for domain in domains {
            let _ = writeln!(out, "\n  What a check shows today: mtasts check {domain}");
        }
    }
    for input in &c.inputs {
        let findings: Vec<_> = input
            .readings
            .iter()
            .flat_map(|r| r.findings.iter().cloned())
            .collect();
        if !findings.is_empty() {
            let _ = writeln!(out, "\n{}", input.name);
            out.push_str(&findings_text(&findings));
        }
    }
    out
}
