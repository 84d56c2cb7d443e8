//! The project's tasks: `cargo xtask run` builds everything and serves the app,
//! `cargo xtask test` runs every test. Both install what is missing first (and skip what is
//! already there at the pinned version), so they work on a fresh machine that reaches only
//! the package registries.

mod bench;
mod budget;
mod compress;
mod csp;
mod exim;
mod interop;
mod minify;
mod peers;
mod setup;
mod shell;
mod workbench;

use shell::{root, Shell};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [ADDR:PORT]  build the web app and the companion, then serve the app
                   (default http://127.0.0.1:8080)
  test             run every test: fmt, clippy (native and wasm), unit and CLI tests,
                   then the browser tests in headless Chromium
  browser          build the web app and run only the browser tests
  build            build the web app (dist/) and the companion (release)
  bench [page|reports|scan]
                   run the benchmarks against the test world and print tables (`page`: only
                   the page against its static floor; `reports`: only the TLS-RPT report
                   reader against parsedmarc; `scan`: only `mtasts scan` against one
                   `mtasts check` process per domain)
  interop          compare the sender profiles with real senders (Postfix, chasquid, ZoneMTA's
                   Node stack) on the test world
  size             the wasm's largest functions (twiggy), for cutting the page's weight
  setup            install the pinned tools only";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(&Shell::new()),
        Some("build") => build(&Shell::new()),
        Some("run") => run(args.get(1).map(String::as_str)),
        Some("test") => test(),
        Some("bench") if args.get(1).map(String::as_str) == Some("reports") => {
            peers::report_parsers(&Shell::new())
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("scan") => {
            bench::scan_only(&Shell::new())
        }
        Some("bench") => bench::run(
            &Shell::new(),
            args.get(1).map(String::as_str) == Some("page"),
        ),
        Some("browser") => browser(),
        Some("interop") => interop::run(&Shell::new()),
        Some("size") => budget::sizes(&Shell::new()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

pub fn build_web(sh: &Shell) -> Result<(), String> {
    sh.run("cargo", &["fetch"])?;
    sh.run("trunk", &["build", "--release", "--offline"])?;
    let dist = root().join("dist");
    minify::glue(sh, &dist)?;
    workbench::build(sh, &dist)?;
    // The loader's hash goes into index.html before the compressed copies are made.
    csp::pin_loader(&dist.join("index.html"))?;
    for (name, raw, br) in compress::precompress(&dist)? {
        eprintln!("xtask: dist/{name}: {raw} bytes, {br} with brotli");
    }
    budget::check(&dist)
}

fn build(sh: &Shell) -> Result<(), String> {
    setup::for_build(sh)?;
    build_web(sh)?;
    sh.run("cargo", &["build", "--release", "--package", "mtasts"])
}

fn run(listen: Option<&str>) -> Result<(), String> {
    let sh = Shell::new();
    build(&sh)?;
    let mtasts = sh.target_dir().join("release/mtasts");
    let listen = listen.unwrap_or("127.0.0.1:8080");
    let dist = root().join("dist");
    eprintln!("xtask: serving the app on http://{listen} (Ctrl-C stops it)");
    sh.run(
        mtasts.to_str().ok_or("target path is not UTF-8")?,
        &[
            "serve",
            "--listen",
            listen,
            "--dist",
            dist.to_str().ok_or("dist path is not UTF-8")?,
        ],
    )
}

fn test() -> Result<(), String> {
    let sh = Shell::new();
    setup::all(&sh)?;
    sh.run("cargo", &["fmt", "--all", "--", "--check"])?;
    sh.run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--exclude",
            "mtasts-web",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // Every build of the page: the first page, and the lazy ones (`?domain=`, `?draft=`, …)
    // that are the same package with a feature.
    for features in ["", "check", "workbench", "reports", "snapshot"] {
        sh.run(
            "cargo",
            &[
                "clippy",
                "--package",
                "mtasts-web",
                "--package",
                "mtasts-core",
                "--features",
                features,
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ],
        )?;
    }
    sh.run("cargo", &["test", "--workspace", "--exclude", "mtasts-web"])?;
    build_web(&sh)?;
    sh.run("cargo", &["build", "--package", "mtasts"])?;
    browser_tests(&sh)
}

fn browser() -> Result<(), String> {
    let sh = Shell::new();
    setup::all(&sh)?;
    build_web(&sh)?;
    sh.run("cargo", &["build", "--package", "mtasts"])?;
    browser_tests(&sh)
}

/// Starts the test world with its third-party lane (unbound, nginx) and two companions on
/// free loopback ports, one resolving through each, then runs the browser tests.
fn browser_tests(sh: &Shell) -> Result<(), String> {
    sh.run("cargo", &["build", "--package", "testworld"])?;
    let debug = sh.target_dir().join("debug");
    let mut world = sh.spawn_world(&debug.join("testworld"), &["--third-party"])?;
    let third_party_doh = world
        .third_party_doh
        .clone()
        .ok_or("the test world started no third-party lane")?;
    let dist = root().join("dist");
    let dist = dist.to_str().ok_or("dist path is not UTF-8")?;
    let companion = |doh: &str| {
        sh.spawn_server(
            &debug.join("mtasts"),
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--dist",
                dist,
                "--doh",
                doh,
                "--ca",
                &world.ca,
                "--allow-private",
                "--timeout",
                "2",
                "--rate-burst",
                "100000",
                "--probes-per-host",
                "100000",
            ],
        )
    };
    let mut server = companion(&world.doh)?;
    let mut third_party = companion(&third_party_doh)?;
    let url = server.url.clone();
    eprintln!(
        "xtask: browser tests against {url}, test world DoH at {}, third-party lane at {} (DoH {third_party_doh})",
        world.doh, third_party.url
    );
    // `BROWSER_TESTS=tests/browser/reports.test.mjs cargo xtask browser` runs one file
    // (or several, separated by spaces).
    let which = std::env::var("BROWSER_TESTS").unwrap_or_else(|_| "tests/browser/".into());
    let mut args = vec!["--test", "--test-concurrency=1"];
    args.extend(which.split_whitespace());
    let result = sh.run_env(
        "node",
        &args,
        &[
            ("MTASTS_BASE_URL", url.as_str()),
            ("MTASTS_DOH", world.doh.as_str()),
            ("MTASTS_THIRD_PARTY_URL", third_party.url.as_str()),
            ("MTASTS_THIRD_PARTY_DOH", third_party_doh.as_str()),
        ],
    );
    server.stop();
    third_party.stop();
    world.stop();
    result
}
