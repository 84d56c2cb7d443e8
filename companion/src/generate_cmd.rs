//! `mtasts generate DOMAIN`: the records to publish, proposed from the live MX and probes.

use crate::cli::GenerateArgs;
use mtasts_core::generate::{propose, zone_records, Proposal};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Exit status: 0 when a policy is proposed, 1 when none can be (no MX, failed look-up),
/// 2 for bad usage.
pub fn run(args: GenerateArgs) -> ExitCode {
    if let Some(rua) = &args.rua {
        if let Err(e) = check_rua(rua) {
            eprintln!("mtasts: --rua {rua:?}: {e}");
            return ExitCode::from(2);
        }
    }
    let (domain, net, runtime) = match crate::check_cmd::prepare(&args.domain, &args.net) {
        Ok(ready) => ready,
        Err(code) => return code,
    };
    let report = runtime.block_on(crate::driver::run_check(&net, &domain.ascii));
    let proposal = propose(&report, &fresh_id(), args.rua.as_deref());
    if args.json {
        match serde_json::to_string(&proposal) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("mtasts: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", text(&proposal));
    }
    if proposal.policy.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A reporting address the TLS-RPT record can carry: `mailto:` or `https:`, or a bare
/// e-mail address (made a `mailto:` URI), with no spaces, commas or semicolons.
fn check_rua(rua: &str) -> Result<(), &'static str> {
    let rua = rua.trim();
    if rua.is_empty() || rua.contains([' ', ',', ';', '!']) {
        return Err("give one address: mailto:reports@example.com or https://…");
    }
    match rua.split_once(':') {
        Some(("mailto", rest)) if rest.contains('@') => Ok(()),
        Some(("https", rest)) if rest.starts_with("//") => Ok(()),
        Some(_) => Err("only mailto: and https: addresses receive TLS reports (RFC 8460 §3)"),
        None if rua.contains('@') => Ok(()),
        None => Err("not an e-mail address nor a mailto: or https: URI"),
    }
}

/// A new policy id from the clock: `20261201T120000` (UTC), larger at every later second.
pub fn fresh_id() -> String {
    let now = time::OffsetDateTime::now_utc();
    mtasts_core::generate::policy_id(
        now.year(),
        now.month().into(),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
    )
}

fn text(p: &Proposal) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Proposed records for {}\n", p.domain);
    if !p.policy.is_empty() {
        let _ = writeln!(out, "DNS (zone-file syntax):");
        out.push_str(&zone_records(&p.domain, &p.txt, &p.tlsrpt));
        let _ = writeln!(
            out,
            "\nServe at https://mta-sts.{}/.well-known/mta-sts.txt (text/plain, no redirects):",
            p.domain
        );
        out.push_str(&p.policy);
    }
    let _ = writeln!(out, "\nWhy:");
    for note in &p.notes {
        let _ = writeln!(out, " - {note}");
    }
    if !p.findings.is_empty() {
        let _ = writeln!(out);
        out.push_str(&crate::output::findings_text(&p.findings));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_timestamps() {
        let id = fresh_id();
        assert_eq!(id.len(), 15, "{id}");
        assert_eq!(&id[8..9], "T");
        assert!(id.chars().filter(|c| *c != 'T').all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn reporting_addresses() {
        assert!(check_rua("mailto:tls@example.com").is_ok());
        assert!(check_rua("tls@example.com").is_ok());
        assert!(check_rua("https://reports.example.com/v1").is_ok());
        assert!(check_rua("ftp://example.com").is_err());
        assert!(check_rua("a@example.com, b@example.com").is_err());
        assert!(check_rua("").is_err());
    }
}
