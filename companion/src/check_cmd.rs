//! `mtasts check DOMAIN`: the whole check from a terminal.

use crate::cli::CheckArgs;
use crate::net::{resolver, tls::Trust, Net};
use crate::output::findings_text;
use mtasts_core::input::normalize_domain;
use mtasts_core::report::{Report, Verdict};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(args: CheckArgs) -> ExitCode {
    let domain = match normalize_domain(&args.domain) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return ExitCode::from(2);
        }
    };
    let net = match net_from(&args.net) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match crate::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    for note in &domain.notes {
        eprintln!("mtasts: {note}: checking {}", domain.ascii);
    }
    let report = runtime.block_on(crate::driver::run_check(&net, &domain.ascii));
    if args.json {
        match serde_json::to_string(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("mtasts: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", text(&report));
    }
    match report.verdict {
        Some(Verdict::Pass | Verdict::Warn) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    }
}

/// The resolver, trust and limits from the shared network options.
pub fn net_from(args: &crate::cli::NetArgs) -> Result<Net, String> {
    let trust = Trust::new(&args.ca)?;
    let timeout = Duration::from_secs_f64(args.timeout.clamp(0.1, 300.0));
    let resolver = match (&args.doh, &args.dns) {
        (Some(_), Some(_)) => return Err("give --doh or --dns, not both".into()),
        (_, Some(dns)) => resolver::Resolver::dns(dns, timeout)?,
        (doh, None) => resolver::Resolver::doh(
            doh.as_deref().unwrap_or(resolver::DEFAULT_DOH),
            &trust,
            timeout,
        )?,
    };
    Ok(Net {
        resolver,
        trust,
        allow_private: args.allow_private,
        timeout,
        outbound: None,
        probe_gate: None,
    })
}

fn text(r: &Report) -> String {
    let mut out = String::new();
    let verdict = r.verdict.map_or("incomplete", |v| match v {
        Verdict::Pass => "PASS",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
        Verdict::None => "NONE",
    });
    let _ = writeln!(out, "{}: {verdict}\n{}\n", r.domain, r.summary);
    let _ = writeln!(
        out,
        "1. Lookup     _mta-sts TXT {}{}; _smtp._tls TXT {}",
        r.txt.status.map_or("?", |s| s.as_str()),
        r.txt
            .id
            .as_deref()
            .map(|i| format!(" (id {i})"))
            .unwrap_or_default(),
        r.tlsrpt.status.map_or("?", |s| s.as_str())
    );
    if let Some(f) = &r.policy.fetch {
        let _ = writeln!(
            out,
            "2. Retrieval  {} -> {}{}",
            f.url,
            f.status.as_str(),
            f.http_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "3. Validation policy {}{}",
        if r.policy.valid { "valid" } else { "invalid" },
        r.policy
            .mode
            .map(|m| format!(", mode {}", m.as_str()))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "4. TLS");
    for m in &r.mx {
        let status = m.tls.as_ref().map_or("-", |t| t.status.as_str());
        let sender = m.sender.map_or("unknown", |s| s.as_str());
        let _ = writeln!(
            out,
            "   {:>3} {:<40} {:<28} {:<8} senders: {sender}",
            m.preference,
            m.host,
            status,
            if m.matched { "matched" } else { "no match" },
        );
    }
    let _ = writeln!(out);
    out.push_str(&findings_text(&r.findings));
    out
}
