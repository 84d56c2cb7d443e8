//! `mtasts check DOMAIN`: the whole check from a terminal.

use crate::cli::{CheckArgs, Format};
use crate::net::{resolver, tls::Trust, Net};
use crate::output::{findings_text, printable};
use mtasts_core::draft::Draft;
use mtasts_core::input::{normalize_domain, DomainInput};
use mtasts_core::policy::MAX_POLICY_BYTES;
use mtasts_core::report::{Report, StepId, Verdict};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(args: CheckArgs) -> ExitCode {
    let (domain, net, runtime) = match prepare(&args.domain, &args.net) {
        Ok(ready) => ready,
        Err(code) => return code,
    };
    let draft = match &args.draft_policy {
        None => None,
        Some(path) => match read_draft(path) {
            Ok(policy) => Some(Draft {
                policy,
                txt: args.draft_txt.clone(),
                new_id: crate::generate_cmd::fresh_id(),
            }),
            Err(e) => {
                eprintln!("mtasts: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let baseline = match &args.baseline {
        None => None,
        Some(path) => match read_baseline(path, &domain.ascii) {
            Ok(report) => Some(report),
            Err(e) => {
                eprintln!("mtasts: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut compared = vec![net.resolver.clone()];
    for url in &args.compare_doh {
        let doh = resolver::Resolver::doh(url, &net.trust, net.timeout, 4)
            .map_err(|e| e.replacen("--doh", "--compare-doh", 1));
        match doh {
            Ok(r) => compared.push(r),
            Err(e) => {
                eprintln!("mtasts: {e}");
                return ExitCode::from(2);
            }
        }
    }
    for note in &domain.notes {
        eprintln!("mtasts: {note}: checking {}", domain.ascii);
    }
    let mut report = runtime.block_on(crate::driver::run_check_with(
        &net,
        &domain.ascii,
        draft,
        Some(args.expiry_days),
    ));
    if compared.len() > 1 {
        let views = runtime.block_on(crate::driver::resolver_views(&compared, &domain.ascii));
        mtasts_core::resolvers::compare(&mut report, views);
    }
    if let Some(old) = &baseline {
        if let Err(e) = mtasts_core::baseline::compare(old, &mut report) {
            eprintln!("mtasts: --baseline: {e}");
            return ExitCode::from(2);
        }
    }
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => match serde_json::to_string(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("mtasts: {e}");
                return ExitCode::from(1);
            }
        },
        Format::Text => print!("{}", printable(&text(&report))),
        Format::Markdown => print!(
            "{}",
            printable(&format!(
                "{}{}",
                mtasts_core::markdown::render(&report),
                mtasts_core::markdown::changes(&report)
            ))
        ),
    }
    exit_code(report.verdict)
}

/// The largest baseline read: a report with every MX host's transcript is well under it.
const MAX_BASELINE_BYTES: u64 = 16 << 20;

/// An earlier, complete report of `domain`: the output of `check --format json`, or a line
/// of `scan` output (the last complete one for the domain when the file has several).
pub fn read_baseline(path: &Path, domain: &str) -> Result<Report, String> {
    use std::io::Read as _;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("--baseline {shown}: {e}"))?;
    let mut text = String::new();
    file.take(MAX_BASELINE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("--baseline {shown}: {e} (a report is UTF-8 JSON)"))?;
    if text.len() as u64 > MAX_BASELINE_BYTES {
        return Err(format!(
            "--baseline {shown}: larger than 16 MiB; give one report, the output of mtasts check --format json"
        ));
    }
    let whole = serde_json::from_str::<Report>(&text);
    let report = match whole {
        Ok(report) => report,
        Err(first) => text
            .lines()
            .rev()
            .filter_map(|line| serde_json::from_str::<Report>(line).ok())
            .find(|r| r.domain.eq_ignore_ascii_case(domain) && r.complete)
            .ok_or_else(|| {
                format!("--baseline {shown}: not a report of mtasts check --format json ({first})")
            })?,
    };
    if !report.complete {
        return Err(format!(
            "--baseline {shown}: the report of a check that did not finish; give a complete one"
        ));
    }
    if !report.domain.eq_ignore_ascii_case(domain) {
        return Err(format!(
            "--baseline {shown}: a report of {}, not of {domain}",
            report.domain
        ));
    }
    Ok(report)
}

/// What `check` and `generate` start with: the domain normalized, the network from the
/// shared options and a runtime; or, for bad usage, the message printed and exit status 2.
pub fn prepare(
    domain: &str,
    net: &crate::cli::NetArgs,
) -> Result<(DomainInput, Net, tokio::runtime::Runtime), ExitCode> {
    let usage = |e: &dyn std::fmt::Display| {
        eprintln!("mtasts: {e}");
        ExitCode::from(2)
    };
    let domain = normalize_domain(domain).map_err(|e| usage(&e))?;
    let net = net_from(net, resolver::DEFAULT_MAX_DOH_CONNECTIONS).map_err(|e| usage(&e))?;
    Ok((domain, net, crate::runtime()?))
}

/// The draft policy file: at most the 64 KiB senders read, and text.
fn read_draft(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("--draft-policy {shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_POLICY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("--draft-policy {shown}: {e}"))?;
    if bytes.len() > MAX_POLICY_BYTES {
        return Err(format!(
            "--draft-policy {shown}: larger than 64 KiB, which senders do not read (RFC 8461 §3.3)"
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| format!("--draft-policy {shown}: not UTF-8 text; a policy is plain text"))
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
        if step.id == StepId::Lookup {
            let _ = writeln!(out, "   {}", dnssec_line(r));
        }
        if let (StepId::Retrieval, Some(sha)) = (step.id, &r.policy.sha256) {
            let id = r.txt.id.as_deref().unwrap_or("-");
            let _ = writeln!(out, "   TXT id {id}, policy SHA-256 {sha}");
        }
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
                if let Some(line) = dane_line(m) {
                    let _ = writeln!(out, "       {line}");
                }
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
    if let Some(d) = &r.draft {
        out.push_str(&draft_text(d));
    }
    if let Some(views) = &r.resolvers {
        out.push_str(&resolvers_text(views));
    }
    if let Some(changes) = &r.changes {
        let _ = writeln!(out, "\nChanges since the baseline");
        if changes.is_empty() {
            let _ = writeln!(out, "   none");
        }
        for c in changes {
            let _ = writeln!(out, "   {:<22} {}", c.kind.as_str(), c.detail);
        }
    }
    let _ = writeln!(out);
    out.push_str(&findings_text(&r.findings));
    out
}

/// The records as each resolver sees them, one block per resolver.
fn resolvers_text(views: &[mtasts_core::resolvers::ResolverView]) -> String {
    let mut out = String::from("\nResolvers (the check's own first)\n");
    for v in views {
        let _ = writeln!(out, "   {}", v.resolver);
        for (what, seen) in [("_mta-sts TXT", &v.txt), ("MX", &v.mx)] {
            let shown = if seen.records.is_empty() {
                seen.dns.describe()
            } else {
                seen.records.join(" | ")
            };
            let _ = writeln!(out, "      {what:<13} {shown}");
        }
    }
    out
}

/// The DNSSEC status of each look-up, and whether the resolver validates at all.
fn dnssec_line(r: &Report) -> String {
    let s = |d: Option<mtasts_core::dnssec::DnssecStatus>| d.map_or("-", |d| d.as_str());
    format!(
        "DNSSEC: _mta-sts {}, MX {}, _smtp._tls {}{}",
        s(r.txt.dnssec),
        s(r.dnssec.mx),
        s(r.tlsrpt.dnssec),
        if r.dnssec.resolver_validates {
            ""
        } else {
            " (the resolver did not validate anything: unsigned and unvalidated look alike)"
        }
    )
}

/// DANE for one MX host, when its TLSA look-up found records or failed.
fn dane_line(m: &mtasts_core::report::MxReport) -> Option<String> {
    let d = m.dane.as_ref()?;
    let status = d.status.map_or("not judged", |s| s.as_str());
    if d.tlsa.is_empty() && d.status == Some(mtasts_core::dane::DaneStatus::None) {
        return None;
    }
    let records: Vec<String> = d
        .tlsa
        .iter()
        .map(|r| {
            let mut t = r.to_string();
            // A digest is recognisable by its first bytes; the JSON has it whole.
            if t.len() > 24 {
                t.truncate(24);
                t.push('…');
            }
            t
        })
        .collect();
    let matched = d
        .matched
        .first()
        .map(|m| format!(", matches certificate {} ({})", m.certificate, m.subject))
        .unwrap_or_default();
    Some(format!(
        "DANE {status} (TLSA {}, {}){matched}",
        d.dnssec.as_str(),
        if records.is_empty() {
            "none".to_string()
        } else {
            records.join(", ")
        }
    ))
}

fn draft_text(d: &mtasts_core::draft::DraftReport) -> String {
    let mut out = String::new();
    let published = d.published_verdict.map_or("incomplete", |v| v.as_str());
    let _ = writeln!(
        out,
        "\nDraft (judged in place of the published policy, whose verdict is {published})"
    );
    let _ = writeln!(
        out,
        "   TXT  {}  ({})",
        d.txt,
        match d.txt_source {
            mtasts_core::draft::TxtSource::Draft => "given",
            mtasts_core::draft::TxtSource::Published => "the published one",
            mtasts_core::draft::TxtSource::Proposed => "proposed",
        }
    );
    for line in d.diff.lines() {
        let _ = writeln!(out, "   {line}");
    }
    let _ = writeln!(
        out,
        "   The TXT id {} change.",
        if d.txt_id_must_change {
            "must"
        } else {
            "need not"
        }
    );
    for e in &d.effects {
        let _ = writeln!(out, "   * {e}");
    }
    let _ = writeln!(out, "\nRoll-out");
    for (i, step) in d.rollout.iter().enumerate() {
        let _ = writeln!(out, "   {}. {step}", i + 1);
    }
    out
}
