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

/// `page_only`: just the page against its static floor (`cargo xtask bench page`).
pub fn run(sh: &Shell, page_only: bool) -> Result<(), String> {
    crate::build_web(sh)?;
    let release = sh.build_release_world()?;
    let mut world = sh.spawn_world(&release.join("testworld"), &["--dns", crate::peers::DNS])?;
    let (doh, ca) = (world.doh.clone(), world.ca.clone());
    let mtasts = release.join("mtasts");
    if page_only {
        let result = page(sh, &release, &doh, &ca);
        world.stop();
        return result;
    }

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
    let domains = world.domains.clone();
    let result = result
        .and_then(|()| scan(&mtasts, &doh, &ca, &domains))
        .and_then(|()| companion_load(&release, &doh, &ca))
        .and_then(|()| companion_hostile(&release, &doh, &ca))
        .and_then(|()| page(sh, &release, &doh, &ca))
        .and_then(|()| crate::peers::run(sh, &release, &ca, &domains));
    world.stop();
    result
        .and_then(|()| crate::peers::parsers(sh))
        .and_then(|()| crate::peers::report_parsers(sh))
}

/// `cargo xtask bench scan`: only the scan table.
pub fn scan_only(sh: &Shell) -> Result<(), String> {
    let release = sh.build_release_world()?;
    let mut world = sh.spawn_world(&release.join("testworld"), &["--dns", crate::peers::DNS])?;
    let (doh, ca, domains) = (world.doh.clone(), world.ca.clone(), world.domains.clone());
    let result = scan(&release.join("mtasts"), &doh, &ca, &domains);
    world.stop();
    result
}

/// Domains per second over the test world: `mtasts scan` in one process against one
/// `mtasts check` process per domain, one at a time and 16 at a time (what a shell loop or
/// `xargs -P 16` does). The world's deliberately slow scenarios (tarpits, drips, delays,
/// filtered ports, a silent backup MX, the 25 one-second MX hosts) are left out: they
/// measure deadlines, not throughput.
fn scan(mtasts: &std::path::Path, doh: &str, ca: &str, domains: &[String]) -> Result<(), String> {
    const SCAN_RUNS: usize = 7;
    let slow = [
        "tarpit",
        "flood",
        "hostile-",
        "delay-",
        "port25",
        "slow",
        "silent-mx",
        "load",
    ];
    let list: Vec<&String> = domains
        .iter()
        .filter(|d| !slow.iter().any(|s| d.starts_with(s)))
        .collect();
    let file = std::env::temp_dir().join("mtasts-bench-scan.txt");
    let text: String = list.iter().map(|d| format!("{d}\n")).collect();
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    let net = [
        "--doh",
        doh,
        "--ca",
        ca,
        "--allow-private",
        "--timeout",
        "5",
    ];
    let run_scan = |concurrency: &str| -> Result<Duration, String> {
        let start = Instant::now();
        let out = Command::new(mtasts)
            .arg("scan")
            .args(net)
            .args(["--concurrency", concurrency])
            .arg(&file)
            .output()
            .map_err(|e| e.to_string())?;
        let lines = String::from_utf8_lossy(&out.stdout).lines().count();
        if lines != list.len() {
            return Err(format!(
                "scan wrote {lines} lines for {} domains",
                list.len()
            ));
        }
        Ok(start.elapsed())
    };
    let run_processes = |parallel: usize| -> Result<Duration, String> {
        let start = Instant::now();
        for chunk in list.chunks(parallel) {
            let children = chunk
                .iter()
                .map(|d| {
                    Command::new(mtasts)
                        .arg("check")
                        .args(["--format", "json"])
                        .args(net)
                        .arg(d.as_str())
                        .stdout(std::process::Stdio::null())
                        .spawn()
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, _>>()?;
            for mut c in children {
                c.wait().map_err(|e| e.to_string())?;
            }
        }
        Ok(start.elapsed())
    };
    type Run<'a> = Box<dyn Fn() -> Result<Duration, String> + 'a>;
    let rows: [(&str, Run); 4] = [
        (
            "`mtasts scan --concurrency 16`",
            Box::new(|| run_scan("16")),
        ),
        ("`mtasts scan --concurrency 1`", Box::new(|| run_scan("1"))),
        (
            "one `mtasts check` process per domain, 16 at a time",
            Box::new(|| run_processes(16)),
        ),
        (
            "one `mtasts check` process per domain, one at a time",
            Box::new(|| run_processes(1)),
        ),
    ];
    println!(
        "\nMany domains: {} test-world domains (median of {SCAN_RUNS} runs)\n",
        list.len()
    );
    println!("| how | wall time | domains/s |");
    println!("|---|---:|---:|");
    for (label, run) in rows.iter() {
        let samples = (0..SCAN_RUNS)
            .map(|_| run())
            .collect::<Result<Vec<_>, _>>()?;
        let m = median(samples);
        println!(
            "| {label} | {:.2} s | {:.1} |",
            m.as_secs_f64(),
            list.len() as f64 / m.as_secs_f64()
        );
    }
    Ok(())
}

/// Peak resident memory of a process, from /proc (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// One blocking HTTP/1.1 GET; returns the status code and the whole response.
fn http_get_body(addr: &str, path: &str) -> Result<(u16, String), String> {
    http_get_from(addr, path, None)
}

/// A GET on behalf of `client` (X-Forwarded-For, for a server that trusts it).
fn http_get_from(addr: &str, path: &str, client: Option<&str>) -> Result<(u16, String), String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(|e| e.to_string())?;
    let forwarded = client
        .map(|c| format!("X-Forwarded-For: {c}\r\n"))
        .unwrap_or_default();
    // One write of the whole request, as real clients send it.
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{forwarded}Connection: close\r\n\r\n");
    s.write_all(request.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| {
            format!(
                "bad response {:?}",
                text.chars().take(80).collect::<String>()
            )
        })?;
    Ok((status, text))
}

/// The companion under N concurrent probes of MX hosts that wait one second before their
/// greeting: close to one second of wall time means truly concurrent.
/// A companion for the benchmarks: loopback targets allowed, the world's DoH and CA, and
/// these limits; its address.
fn bench_server(
    release: &std::path::Path,
    doh: &str,
    ca: &str,
    args: &[&str],
) -> Result<(std::process::Child, String), String> {
    let dist = std::env::temp_dir().join("mtasts-bench-dist");
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    std::fs::write(dist.join("index.html"), "bench").map_err(|e| e.to_string())?;
    let mut server = Command::new(release.join("mtasts"))
        .args(["serve", "--listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--doh", doh, "--ca", ca, "--allow-private"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let addr = line
        .trim()
        .trim_start_matches("listening on http://")
        .to_string();
    Ok((server, addr))
}

/// What one hostile client costs everyone else: a healthy probe while another client's
/// tarpit checks hold every outbound slot, and answers and memory under ten checks of a
/// domain whose 25 MX hosts flood every reply.
fn companion_hostile(release: &std::path::Path, doh: &str, ca: &str) -> Result<(), String> {
    println!("\nCompanion against a hostile client (--timeout 1, 8 outbound slots, 2 per request, 2 requests per client)\n");
    println!("| what | result |");
    println!("|---|---:|");
    let (mut server, addr) = bench_server(
        release,
        doh,
        ca,
        &[
            "--timeout",
            "1",
            "--max-connections",
            "8",
            "--connections-per-request",
            "2",
            "--max-requests-per-client",
            "2",
            "--probe-cache-secs",
            "0",
            "--probes-per-host",
            "100000",
            "--rate-burst",
            "100000",
            "--trusted-header",
            "X-Forwarded-For",
            "--request-timeout",
            "30",
        ],
    )?;
    let attackers: Vec<_> = (0..2)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                http_get_from(
                    &addr,
                    "/api/v1/check?domain=tarpit.test",
                    Some(&format!("203.0.113.{}", 66 + i)),
                )
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let mut waits = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let (status, body) = http_get_from(
            &addr,
            "/api/v1/probe?mx=mx1.good.test",
            Some("198.51.100.7"),
        )?;
        if status != 200 || !body.contains("\"status\":\"ok\"") {
            return Err(format!("the healthy probe failed: {status}"));
        }
        waits.push(start.elapsed());
    }
    let tarpit_checks = Instant::now();
    for a in attackers {
        let _ = a.join();
    }
    let _ = server.kill();
    let _ = server.wait();
    println!(
        "| healthy probe by another client while two tarpit checks (25 MX each) run, median of {RUNS} | {:.0} ms |",
        median(waits).as_secs_f64() * 1000.0
    );
    println!(
        "| the tarpit checks themselves, after that | {:.1} s more |",
        tarpit_checks.elapsed().as_secs_f64()
    );

    let (mut server, addr) = bench_server(
        release,
        doh,
        ca,
        &[
            "--timeout",
            "1",
            "--probe-cache-secs",
            "0",
            "--probes-per-host",
            "100000",
            "--rate-burst",
            "100000",
            "--max-requests-per-client",
            "100",
        ],
    )?;
    let start = Instant::now();
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || http_get_body(&addr, "/api/v1/check?domain=flood.test"))
        })
        .collect();
    let mut largest = 0;
    for t in threads {
        let (status, body) = t.join().map_err(|_| "panicked")??;
        if status != 200 {
            return Err(format!("a flood check answered {status}"));
        }
        largest = largest.max(body.len());
    }
    let wall = start.elapsed();
    let rss = peak_rss_kib(server.id()).unwrap_or(0);
    let _ = server.kill();
    let _ = server.wait();
    println!(
        "| ten concurrent checks of 25 flooding MX: largest answer | {:.0} KiB |",
        largest as f64 / 1024.0
    );
    println!(
        "| the same: peak RSS of the companion | {:.1} MiB |",
        rss as f64 / 1024.0
    );
    println!("| the same: wall time | {:.1} s |", wall.as_secs_f64());
    Ok(())
}

fn companion_load(release: &std::path::Path, doh: &str, ca: &str) -> Result<(), String> {
    println!("\nCompanion: N clients at once, each asking /api/v1/probe of one of 25 MX hosts that wait 1 s before their greeting");
    println!("(one fresh `mtasts serve` per row; peak RSS is the server's VmHWM; with the probe cache, 25 probes serve every request)\n");
    println!("| concurrent probes | probe cache | wall time | probes/s | errors | peak RSS |");
    println!("|---:|---|---:|---:|---:|---:|");
    for (n, cache) in [(50usize, "0"), (200, "0"), (500, "0"), (500, "60")] {
        let (mut server, addr) = bench_server(
            release,
            doh,
            ca,
            &[
                "--timeout",
                "10",
                "--rate-burst",
                "100000",
                "--probes-per-host",
                "100000",
                "--max-connections",
                "1024",
                "--max-requests",
                "2048",
                "--max-requests-per-client",
                "100000",
                "--connections-per-request",
                "4",
                "--max-inbound-per-client",
                "100000",
                "--probe-cache-secs",
                cache,
            ],
        )?;
        let start = Instant::now();
        let threads: Vec<_> = (0..n)
            .map(|i| {
                let addr = addr.clone();
                std::thread::spawn(move || {
                    let (status, body) = http_get_body(
                        &addr,
                        &format!("/api/v1/probe?mx=mx{}.load.test", i % 25 + 1),
                    )?;
                    // A 200 whose probe failed is an error too.
                    if status == 200 && !body.contains("\"status\":\"ok\"") {
                        return Err(body
                            .rsplit("\r\n\r\n")
                            .next()
                            .unwrap_or("")
                            .chars()
                            .take(300)
                            .collect::<String>());
                    }
                    Ok(status)
                })
            })
            .collect();
        let results: Vec<_> = threads
            .into_iter()
            .map(|t| t.join().unwrap_or(Err("panicked".into())))
            .collect();
        let wall = start.elapsed();
        let errors = results.iter().filter(|r| !matches!(r, Ok(200))).count();
        if let Some(first) = results.iter().find(|r| !matches!(r, Ok(200))) {
            eprintln!("xtask: first error at {n}: {first:?}");
        }
        let rss = peak_rss_kib(server.id())
            .map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
        let _ = server.kill();
        let _ = server.wait();
        println!(
            "| {n} | {} | {:.2} s | {:.0} | {errors} | {rss} |",
            if cache == "0" { "off" } else { "60 s" },
            wall.as_secs_f64(),
            n as f64 / wall.as_secs_f64()
        );
    }
    Ok(())
}

/// Sizes of what the page loads, and its timings in headless Chromium (cold profile per
/// load, median of ten): first render, and a finished report of a test-world domain.
/// The static floor: the page's first view as it is in `dist/index.html`, with its CSS but
/// without the loader, the preloads or anything else that runs.
fn floor_dist(dist: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let floor = std::env::temp_dir().join("mtasts-floor");
    let _ = std::fs::remove_dir_all(&floor);
    std::fs::create_dir_all(&floor).map_err(|e| e.to_string())?;
    let html = std::fs::read_to_string(dist.join("index.html")).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let mut rest = html.as_str();
    // Drop <script>…</script> and the <link>s that preload the app.
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</script>")
            .ok_or("an unclosed script")?
            + start
            + 9;
        rest = &rest[end..];
    }
    out.push_str(rest);
    let out: String = out
        .split('<')
        .enumerate()
        .filter(|(i, part)| *i == 0 || !(part.starts_with("link") && part.contains("preload")))
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                format!("<{part}")
            }
        })
        .collect();
    std::fs::write(floor.join("index.html"), out).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(dist).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if (name.ends_with(".css") || name.ends_with(".svg")) && !name.contains(".br") {
            std::fs::copy(&path, floor.join(name)).map_err(|e| e.to_string())?;
        }
    }
    // Served as the page is: precompressed.
    crate::compress::precompress(&floor)?;
    Ok(floor)
}

fn page(sh: &Shell, release: &std::path::Path, doh: &str, ca: &str) -> Result<(), String> {
    let dist = root().join("dist");
    let floor = floor_dist(&dist)?;
    let floor = floor.to_str().ok_or("floor path")?;
    let mut floor_server = sh.spawn_server(
        &release.join("mtasts"),
        &["serve", "--listen", "127.0.0.1:0", "--dist", floor],
    )?;
    let dist = dist.to_str().ok_or("dist path")?;
    let mut server = sh.spawn_server(
        &release.join("mtasts"),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--dist",
            dist,
            "--doh",
            doh,
            "--ca",
            ca,
            "--allow-private",
            "--timeout",
            "5",
            "--rate-burst",
            "100000",
            "--probes-per-host",
            "100000",
        ],
    )?;
    let out = sh
        .command("node", &["tests/browser/page-bench.mjs"])
        .env("MTASTS_BASE_URL", &server.url)
        .env("MTASTS_FLOOR_URL", &floor_server.url)
        .env("MTASTS_DOH", doh)
        .env("MTASTS_DIST", dist)
        .output()
        .map_err(|e| e.to_string())?;
    server.stop();
    floor_server.stop();
    // The waterfall `MTASTS_PAGE_TRACE=1` asks for, and anything else the script said.
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("page bench: {e}: {}", String::from_utf8_lossy(&out.stderr)))?;
    println!("\nThe page: what it loads (gzip -9, brotli 11)\n");
    println!("| file | raw | gzip | brotli |");
    println!("|---|---:|---:|---:|");
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for f in v["files"].as_array().into_iter().flatten() {
        let n = |k: &str| f[k].as_u64().unwrap_or(0);
        raw += n("raw");
        gz += n("gzip");
        br += n("brotli");
        println!(
            "| {} | {} | {} | {} |",
            f["name"].as_str().unwrap_or("?"),
            n("raw"),
            n("gzip"),
            n("brotli")
        );
    }
    println!(
        "| total | {raw} | {gz} ({:.1} KiB) | {br} ({:.1} KiB) |",
        gz as f64 / 1024.0,
        br as f64 / 1024.0
    );
    println!(
        "\nHeadless Chromium, cold profile per load, median of {} (ms from navigation; bytes are response bodies as served):\n",
        v["runs"]
    );
    println!("| link | page | form on screen | interactive | first visit bytes | repeat visit bytes | link to good.test: interactive | its report | its bytes | typed good.test: Enter to report |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for link in ["loopback", "throttled"] {
        for (key, label) in [("floor", "static floor"), ("page", "MTA-STS tester")] {
            let r = &v["results"][link][key];
            let ms = |k: &str| {
                r[k].as_f64()
                    .map(|x| format!("{x:.0}"))
                    .unwrap_or_else(|| "-".into())
            };
            println!(
                "| {link} | {label} | {} | {} | {} | {} | {} | {} | {} | {} |",
                ms("form_ms"),
                ms("ready_ms"),
                ms("first_visit_bytes"),
                ms("repeat_visit_bytes"),
                ms("link_ready_ms"),
                ms("report_ms"),
                ms("link_visit_bytes"),
                ms("typed_report_ms")
            );
        }
        let r = &v["results"][link];
        let ratio = |a: &serde_json::Value, b: &serde_json::Value| match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
            _ => "-".into(),
        };
        println!(
            "| {link} | ratios | form {} of the floor (goal 1.5x) | interactive {} of the floor's form (goal 3x) | | | the link's interactive {} of the floor's form | report {} of the link's interactive, {} of the first page's (goal 2x) | | |",
            ratio(&r["page"]["form_ms"], &r["floor"]["form_ms"]),
            ratio(&r["page"]["ready_ms"], &r["floor"]["form_ms"]),
            ratio(&r["page"]["link_ready_ms"], &r["floor"]["form_ms"]),
            ratio(&r["page"]["report_ms"], &r["page"]["link_ready_ms"]),
            ratio(&r["page"]["report_ms"], &r["page"]["ready_ms"]),
        );
    }
    Ok(())
}
