//! Our check beside the tools mail administrators use today, on the same test world:
//! checkdmarc (whole check, with --check-mx-tls) and postfix-mta-sts-resolver's
//! mta-sts-query (the TXT record and the policy fetch only). Both use the system resolver
//! and OpenSSL's trust, so they run in a private mount namespace whose resolv.conf names
//! the world's DNS server, with the test CA as their trust store.

use crate::shell::{root, Shell};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PEERS: &[&str] = &[
    "checkdmarc==6.0.4",
    "dnspython==2.8.0",
    "postfix-mta-sts-resolver==1.5.1",
];
pub const DNS: &str = "127.0.0.53:53";
const RUNS: usize = 5;

/// A virtualenv with the pinned peers, made once.
pub fn venv(sh: &Shell) -> Result<PathBuf, String> {
    let dir = sh.target_dir().join("peers-venv");
    if !dir.join("bin/checkdmarc").exists() || !dir.join("bin/mta-sts-query").exists() {
        sh.run("python3", &["-m", "venv", dir.to_str().ok_or("path")?])?;
        let pip = dir.join("bin/pip");
        let mut args = vec!["install", "--quiet", "--disable-pip-version-check"];
        args.extend_from_slice(PEERS);
        sh.run(pip.to_str().ok_or("path")?, &args)?;
    }
    Ok(dir)
}

pub struct Run {
    pub wall: Duration,
    pub max_rss_kib: u64,
    pub stdout: String,
}

/// Runs a command in a mount namespace whose /etc/resolv.conf names the world's DNS, under
/// /usr/bin/time for its peak RSS, with at most 120 s and 2 GiB of address space: a peer
/// that reads an endless SMTP greeting into memory (checkdmarc did, to 12 GB) must not take
/// the machine down.
fn run_in_world(resolv: &Path, ca: &str, program: &Path, args: &[&str]) -> Result<Run, String> {
    let rss_file = std::env::temp_dir().join(format!("mtasts-rss-{}", std::process::id()));
    let start = Instant::now();
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", r#"mount --bind "$0" /etc/resolv.conf && rss="$1" && shift && ulimit -v 2097152 && exec timeout 120 /usr/bin/time -q -f %M -o "$rss" "$@""#])
        .arg(resolv)
        .arg(&rss_file)
        .arg(program)
        .args(args)
        .env("SSL_CERT_FILE", ca)
        .env("REQUESTS_CA_BUNDLE", ca)
        .output()
        .map_err(|e| format!("unshare: {e}"))?;
    let wall = start.elapsed();
    if out.stdout.is_empty() {
        eprintln!(
            "xtask: {} printed nothing: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    let max_rss_kib = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.trim().lines().last()?.trim().parse().ok())
        .unwrap_or(0);
    let _ = std::fs::remove_file(&rss_file);
    Ok(Run {
        wall,
        max_rss_kib,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

fn median(mut xs: Vec<Run>) -> (Duration, u64) {
    xs.sort_by_key(|r| r.wall);
    let m = &xs[xs.len() / 2];
    (m.wall, xs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0))
}

/// What each tool says of one domain: does a usable MTA-STS policy exist?
fn ours_usable(report: &serde_json::Value) -> &'static str {
    let usable = report["txt"]["status"] == "valid"
        && report["policy"]["fetch"]["status"] == "ok"
        && !report["policy"]["mode"].is_null();
    match (report["txt"]["status"].as_str(), usable) {
        (Some("none"), _) => "none",
        (_, true) => "valid",
        _ => "invalid",
    }
}

fn checkdmarc_usable(out: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(out) else {
        return "no output".into();
    };
    let sts = &v["mta_sts"];
    match (sts["valid"].as_bool(), sts["error"].as_str()) {
        (Some(true), _) => "valid".into(),
        (_, Some(e))
            if e.to_ascii_lowercase().contains("does not exist") || e.contains("not found") =>
        {
            "none".into()
        }
        (Some(false), _) => "invalid".into(),
        _ => "?".into(),
    }
}

fn query_usable(out: &str) -> String {
    // It prints e.g. `(<STSFetchResult.VALID: 1>, ('id', {...}))`.
    if out.contains("STSFetchResult.VALID") {
        "valid".into()
    } else if out.contains("STSFetchResult.NONE") {
        "none".into()
    } else if out.contains("STSFetchResult.") {
        "invalid".into()
    } else {
        "no output".into()
    }
}

pub fn run(sh: &Shell, release: &Path, ca: &str, domains: &[String]) -> Result<(), String> {
    let venv = venv(sh)?;
    let resolv = std::env::temp_dir().join("mtasts-bench-resolv.conf");
    std::fs::write(
        &resolv,
        "nameserver 127.0.0.53\noptions timeout:2 attempts:1\n",
    )
    .map_err(|e| e.to_string())?;
    let mtasts = release.join("mtasts");
    let ours = |domain: &str| {
        run_in_world(
            &resolv,
            ca,
            &mtasts,
            &[
                "check",
                "--json",
                "--dns",
                DNS,
                "--ca",
                ca,
                "--allow-private",
                "--timeout",
                "5",
                domain,
            ],
        )
    };
    let checkdmarc = |domain: &str| {
        run_in_world(
            &resolv,
            ca,
            &venv.join("bin/checkdmarc"),
            &[domain, "--check-mx-tls", "-f", "json"],
        )
    };
    let query = |domain: &str| {
        run_in_world(
            &resolv,
            ca,
            &venv.join("bin/mta-sts-query"),
            &["-v", "error", domain],
        )
    };

    println!("\nAgainst peers: end-to-end wall time and peak RSS, median of {RUNS} runs, same test world");
    println!("(checkdmarc checks DMARC, SPF and more besides; mta-sts-query only the TXT record and the policy fetch, while ours still runs the whole check)\n");
    println!("| domain | tool | median wall | peak RSS | ours faster by |");
    println!("|---|---|---:|---:|---:|");
    for domain in ["good.test", "delay-10mx.test"] {
        let (ow, orss) = median((0..RUNS).map(|_| ours(domain)).collect::<Result<_, _>>()?);
        println!(
            "| {domain} | mtasts check | {:.0} ms | {:.1} MiB | |",
            ow.as_secs_f64() * 1e3,
            orss as f64 / 1024.0
        );
        for (name, f) in [
            (
                "checkdmarc --check-mx-tls",
                &checkdmarc as &dyn Fn(&str) -> Result<Run, String>,
            ),
            ("mta-sts-query", &query),
        ] {
            let (w, rss) = median((0..RUNS).map(|_| f(domain)).collect::<Result<_, _>>()?);
            println!(
                "| {domain} | {name} | {:.0} ms | {:.1} MiB | {:.1}x |",
                w.as_secs_f64() * 1e3,
                rss as f64 / 1024.0,
                w.as_secs_f64() / ow.as_secs_f64()
            );
        }
    }

    println!("\nAgreement: does the domain have an MTA-STS policy senders can use? (valid / invalid / none)\n");
    println!("| domain | ours (verdict) | checkdmarc | mta-sts-query |");
    println!("|---|---|---|---|");
    for domain in domains
        .iter()
        .filter(|d| !d.starts_with("delay-") && *d != "load.test")
    {
        let report: serde_json::Value =
            serde_json::from_str(&ours(domain)?.stdout).unwrap_or_default();
        let ours = ours_usable(&report);
        let c = checkdmarc_usable(&checkdmarc(domain)?.stdout);
        let q = query_usable(&query(domain)?.stdout);
        let mark = |s: &str| {
            if s == ours {
                s.to_string()
            } else {
                format!("**{s}**")
            }
        };
        println!(
            "| {domain} | {ours} ({}) | {} | {} |",
            report["verdict"].as_str().unwrap_or("?"),
            mark(&c),
            mark(&q)
        );
    }
    let _ = root();
    Ok(())
}

/// Median nanoseconds per call from criterion's saved estimates.
fn criterion_ns(target: &Path, name: &str) -> Option<f64> {
    let path = target
        .join("criterion")
        .join(name)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// The core's parsers (criterion) beside the peers' parsers called from Python.
pub fn parsers(sh: &Shell) -> Result<(), String> {
    let venv = venv(sh)?;
    sh.run(
        "cargo",
        &[
            "bench",
            "--package",
            "mtasts-core",
            "--bench",
            "parse",
            "--",
            "--noplot",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "3",
        ],
    )?;
    let out = Command::new(venv.join("bin/python"))
        .arg(root().join("xtask/src/peer_parsers.py"))
        .output()
        .map_err(|e| e.to_string())?;
    let py: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "peer parser timing failed: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let target = sh.target_dir();
    println!("\nParsing (median per call; ours: criterion, full validation with findings; peers: timeit in CPython 3)\n");
    println!("| input | mtasts-core | checkdmarc | ratio | postfix-mta-sts-resolver | ratio |");
    println!("|---|---:|---:|---:|---:|---:|");
    for name in ["policy", "sts_record", "mx_match"] {
        let ours = criterion_ns(&target, name).ok_or(format!("no criterion result for {name}"))?;
        let cell = |tool: &str| -> (String, String) {
            match py[tool][name].as_f64() {
                Some(ns) => (format!("{:.2} µs", ns / 1e3), format!("{:.0}x", ns / ours)),
                None => ("-".into(), "-".into()),
            }
        };
        let (c, cr) = cell("checkdmarc");
        let (p, pr) = cell("postfix-mta-sts-resolver");
        println!(
            "| {name} | {:.2} µs | {c} | {cr} | {p} | {pr} |",
            ours / 1e3
        );
    }
    Ok(())
}

const PARSEDMARC: &str = "parsedmarc==11.1.0";

/// The report reader (criterion) beside parsedmarc's SMTP TLS report parser, on the same
/// inputs; parsedmarc lives in a virtualenv of its own (its dependencies are many).
pub fn report_parsers(sh: &Shell) -> Result<(), String> {
    let dir = sh.target_dir().join("parsedmarc-venv");
    if !dir.join("bin/parsedmarc").exists() {
        sh.run("python3", &["-m", "venv", dir.to_str().ok_or("path")?])?;
        let pip = dir.join("bin/pip");
        sh.run(
            pip.to_str().ok_or("path")?,
            &[
                "install",
                "--quiet",
                "--disable-pip-version-check",
                PARSEDMARC,
            ],
        )?;
    }
    sh.run(
        "cargo",
        &[
            "bench",
            "--package",
            "mtasts-core",
            "--bench",
            "reports",
            "--",
            "--noplot",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "3",
        ],
    )?;
    let out = Command::new(dir.join("bin/python"))
        .arg(root().join("xtask/src/peer_reports.py"))
        .output()
        .map_err(|e| e.to_string())?;
    let py: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "parsedmarc timing failed: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let target = sh.target_dir();
    println!("\nTLS-RPT reports (median per report; ours: criterion, read with findings; parsedmarc {}: timeit in CPython 3)\n", PARSEDMARC.trim_start_matches("parsedmarc=="));
    println!("| input | mtasts-core | parsedmarc | ratio | failed sessions read by parsedmarc |");
    println!("|---|---:|---:|---:|---:|");
    for name in [
        "report_rfc_json",
        "report_rfc_gzip",
        "report_large_json",
        "report_large_gzip",
    ] {
        let ours = criterion_ns(&target, name).ok_or(format!("no criterion result for {name}"))?;
        let theirs = py["parsedmarc"][name].as_f64().unwrap_or(f64::NAN);
        println!(
            "| {name} | {:.1} µs | {:.1} µs | {:.1}x | {} |",
            ours / 1e3,
            theirs / 1e3,
            theirs / ours,
            py["read"][name]
        );
    }
    Ok(())
}
