//! `mtasts check DOMAIN`: the whole check from a terminal.

use crate::cli::CheckArgs;
use crate::net::{resolver, tls::Trust, Net};
use crate::output::findings_text;
use mtasts_core::input::normalize_domain;
use mtasts_core::report::{Report, StepId, Verdict};
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
    let net = match net_from(&args.net, resolver::DEFAULT_MAX_DOH_CONNECTIONS) {
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
    exit_code(report.verdict)
}

/// The exit status of a check (documented in the README): 0 pass or warn, 1 fail or not
/// deployed, 3 inconclusive (the check could not see what it needed; 2 is bad usage).
pub fn exit_code(verdict: Option<Verdict>) -> ExitCode {
    match verdict {
        Some(Verdict::Pass | Verdict::Warn) => ExitCode::SUCCESS,
        Some(Verdict::Inconclusive) => ExitCode::from(3),
        _ => ExitCode::from(1),
    }
}

/// The resolver, trust and limits from the shared network options, with at most
/// `doh_connections` DNS-over-HTTPS connections open at once.
pub fn net_from(args: &crate::cli::NetArgs, doh_connections: usize) -> Result<Net, String> {
    let trust = Trust::new(&args.ca)?;
    let timeout = Duration::from_secs_f64(args.timeout.clamp(0.1, 300.0));
    let resolver = match (&args.doh, &args.dns) {
        (Some(_), Some(_)) => return Err("give --doh or --dns, not both".into()),
        (_, Some(dns)) => resolver::Resolver::dns(dns, timeout)?,
        (doh, None) => resolver::Resolver::doh(
            doh.as_deref().unwrap_or(resolver::DEFAULT_DOH),
            &trust,
            timeout,
            doh_connections,
        )?,
    };
    Ok(Net {
        resolver,
        trust,
        allow_private: args.allow_private,
        timeout,
        outbound: None,
        budget: None,
        client: std::net::IpAddr::from([0, 0, 0, 0]),
        target_gate: None,
        probe_cache: None,
    })
}

fn text(r: &Report) -> String {
    let mut out = String::new();
    let verdict = r.verdict.map_or("INCOMPLETE", |v| match v {
        Verdict::Pass => "PASS",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
        Verdict::None => "NONE",
        Verdict::Inconclusive => "INCONCLUSIVE",
    });
    let _ = writeln!(out, "{}: {verdict}\n{}\n", r.domain, r.summary);
    for (i, step) in r.steps.iter().enumerate() {
        let title = match step.id {
            StepId::Lookup => "Lookup",
            StepId::Retrieval => "Retrieval",
            StepId::Validation => "Validation",
            StepId::Tls => "TLS",
        };
        let outcome = step
            .outcome
            .map_or(step.state.as_str(), |o| o.as_str())
            .to_ascii_uppercase();
        let _ = writeln!(out, "{}. {title:<11}{outcome:<13}{}", i + 1, step.summary);
        if step.id == StepId::Tls {
            for m in &r.mx {
                let status = m.tls.as_ref().map_or("-", |t| t.status.as_str());
                let _ = writeln!(
                    out,
                    "   {:>3} {:<40} {:<28} {:<8} senders will {}",
                    m.preference,
                    m.host,
                    status,
                    if m.matched { "matched" } else { "no match" },
                    m.senders_will,
                );
            }
        }
    }
    if !r.senders.is_empty() {
        let _ = writeln!(
            out,
            "\nSenders (what each implementation does; * differs from RFC 8461)"
        );
        for s in &r.senders {
            let _ = writeln!(
                out,
                "   {} {:<26} {:<9} {:<19} {:<28} {}",
                if s.differs_from_rfc { "*" } else { " " },
                s.id,
                s.policy.map_or("?", |p| p.as_str()),
                s.outcome.as_str(),
                s.mx.as_deref().unwrap_or("-"),
                s.why
            );
        }
    }
    let _ = writeln!(out);
    out.push_str(&findings_text(&r.findings));
    out
}
