//! `cargo xtask bench`: measurements that print numbers, never pass/fail on timing.
//! Each measurement runs several times in the same session and reports the median, so
//! ratios compare like with like on a noisy machine.

use crate::shell::{root, Shell};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub fn run(sh: &Shell) -> Result<(), String> {
    sh.run(
        "cargo",
        &[
            "build",
            "--release",
            "--package",
            "mtasts",
            "--package",
            "testworld",
        ],
    )?;
    let release = sh.target_dir().join("release");
    let mut world = Command::new(release.join("testworld"))
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the test world: {e}"))?;
    let mut line = String::new();
    BufReader::new(world.stdout.take().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let config: serde_json::Value =
        serde_json::from_str(&line).map_err(|e| format!("test world said {line:?}: {e}"))?;
    let doh = config["doh"].as_str().ok_or("no doh")?.to_string();
    let ca = config["ca"].as_str().ok_or("no ca")?.to_string();
    let mtasts = release.join("mtasts");

    let time_check = |domain: &str| -> Result<Duration, String> {
        let start = Instant::now();
        let out = Command::new(&mtasts)
            .args([
                "check",
                "--json",
                "--doh",
                &doh,
                "--ca",
                &ca,
                "--allow-private",
                "--timeout",
                "5",
                domain,
            ])
            .output()
            .map_err(|e| e.to_string())?;
        let elapsed = start.elapsed();
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("{domain}: {e}"))?;
        if report["verdict"] != "pass" {
            return Err(format!(
                "{domain}: verdict {} (the benchmark needs a passing domain)",
                report["verdict"]
            ));
        }
        Ok(elapsed)
    };

    println!("\nConcurrency: `mtasts check` of domains whose MX hosts each wait 500 ms before their greeting");
    println!("(median of {RUNS} runs; the ideal is one delay plus the fixed work, whatever the MX count)\n");
    println!("| MX hosts | median wall time | vs 1 MX |");
    println!("|---:|---:|---:|");
    let mut base = None;
    let result = (|| {
        for n in [1, 5, 10, 20] {
            let domain = format!("delay-{n}mx.test");
            time_check(&domain)?; // warm-up
            let samples = (0..RUNS)
                .map(|_| time_check(&domain))
                .collect::<Result<Vec<_>, _>>()?;
            let m = median(samples);
            let ratio = m.as_secs_f64() / base.get_or_insert(m).as_secs_f64();
            println!("| {n} | {:.0} ms | {ratio:.2}x |", m.as_secs_f64() * 1000.0);
        }
        Ok(())
    })();
    drop(world.stdin.take());
    let _ = world.wait();
    result
}
