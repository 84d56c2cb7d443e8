//! `mtasts lint …` and `mtasts match`: the core's checks on pasted input, no network.

use crate::cli::{LintCommand, MatchArgs, PolicyArgs, RecordArgs};
use crate::output::{findings_text, print_json};
use mtasts_core::{
    check_match, check_policy, check_sts_records, check_tlsrpt_records, RecordStatus, TxtRecord,
};
use serde_json::json;
use std::io::Read;
use std::process::ExitCode;

/// Exit status: 0 valid or matching, 1 invalid or not matching, 2 usage or input error.
fn verdict(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn run_lint(command: LintCommand) -> ExitCode {
    match command {
        LintCommand::Txt(args) => txt(args),
        LintCommand::Policy(args) => policy(args),
        LintCommand::Tlsrpt(args) => tlsrpt(args),
    }
}

fn records(args: &RecordArgs) -> Vec<TxtRecord> {
    args.records
        .iter()
        .map(|r| TxtRecord::from_text(r))
        .collect()
}

fn txt(args: RecordArgs) -> ExitCode {
    let check = check_sts_records(&records(&args));
    let valid = check.status == RecordStatus::Valid;
    if args.json {
        print_json(&json!({
            "valid": valid,
            "status": check.status,
            "id": check.id,
            "findings": check.findings,
        }));
    } else {
        let id = check
            .id
            .as_deref()
            .map(|id| format!(", id \"{id}\""))
            .unwrap_or_default();
        println!("_mta-sts TXT: {}{id}", check.status.as_str());
        print!("{}", findings_text(&check.findings));
    }
    verdict(valid)
}

fn tlsrpt(args: RecordArgs) -> ExitCode {
    let check = check_tlsrpt_records(&records(&args));
    let valid = check.status == RecordStatus::Valid;
    if args.json {
        print_json(&json!({
            "valid": valid,
            "status": check.status,
            "rua": check.rua,
            "findings": check.findings,
        }));
    } else {
        println!("_smtp._tls TXT: {}", check.status.as_str());
        for uri in &check.rua {
            println!("  reports to {uri}");
        }
        print!("{}", findings_text(&check.findings));
    }
    verdict(valid)
}

fn read_input(args: &PolicyArgs) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    if args.file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    } else {
        body = std::fs::read(&args.file)
            .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    }
    Ok(body)
}

fn policy(args: PolicyArgs) -> ExitCode {
    let body = match read_input(&args) {
        Ok(body) => body,
        Err(reason) => {
            eprintln!("mtasts: {reason}");
            return ExitCode::from(2);
        }
    };
    let check = check_policy(&body);
    if args.json {
        print_json(&json!({
            "valid": check.valid,
            "policy": check.policy,
            "findings": check.findings,
        }));
    } else {
        println!("policy: {}", if check.valid { "valid" } else { "invalid" });
        if let Some(p) = &check.policy {
            println!(
                "  mode {}, max_age {} s, mx {}",
                p.mode.as_str(),
                p.max_age,
                if p.mx.is_empty() {
                    "(none)".into()
                } else {
                    p.mx.join(", ")
                }
            );
        }
        print!("{}", findings_text(&check.findings));
    }
    verdict(check.valid)
}

pub fn run_match(args: MatchArgs) -> ExitCode {
    let patterns: Vec<&str> = args.patterns.iter().map(String::as_str).collect();
    let check = check_match(&args.host, &patterns);
    if args.json {
        print_json(&json!({
            "valid": check.valid,
            "matches": check.matches,
            "pattern": check.pattern,
            "findings": check.findings,
        }));
    } else {
        match &check.pattern {
            Some(p) => println!("{}: covered by \"{p}\"", args.host),
            None => println!("{}: not covered", args.host),
        }
        print!("{}", findings_text(&check.findings));
    }
    verdict(check.matches)
}
