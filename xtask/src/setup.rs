//! Installs the pinned tools, skipping each one that is already there at the right version.
//! Facts behind the pins are in the project's TOOLCHAIN notes: Trunk 0.22 needs a newer
//! rustc than these machines have; Trunk only uses a wasm-bindgen CLI of exactly the
//! library's version; only binaryen from npm produces working wasm here.

use crate::shell::{root, Shell};
use std::path::Path;

const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What `cargo xtask run` needs: the wasm target, Trunk, wasm-bindgen and wasm-opt.
pub fn for_build(sh: &Shell) -> Result<(), String> {
    wasm_target(sh)?;
    trunk(sh)?;
    wasm_bindgen(sh)?;
    npm_tools(sh)
}

/// Everything, including Chromium for the browser tests and the third-party servers of the
/// test world's second lane (unbound for DNS and DoH, nginx as DoH front and policy host).
pub fn all(sh: &Shell) -> Result<(), String> {
    for_build(sh)?;
    debian_packages(sh)
}

fn wasm_target(sh: &Shell) -> Result<(), String> {
    let installed = sh
        .command("rustup", &["target", "list", "--installed"])
        .output();
    if installed.is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.trim() == WASM_TARGET)
    }) {
        return Ok(());
    }
    sh.run("rustup", &["target", "add", WASM_TARGET])
}

fn trunk(sh: &Shell) -> Result<(), String> {
    let want = format!("trunk {TRUNK_VERSION}");
    if sh.output("trunk", &["--version"]).as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    eprintln!("xtask: installing Trunk {TRUNK_VERSION}; this takes many minutes on 2 cores");
    // Thin LTO off and many codegen units: the install is far faster and Trunk no slower to use.
    sh.run_env(
        "cargo",
        &["install", "trunk", "--version", TRUNK_VERSION, "--locked"],
        &[
            ("CARGO_PROFILE_RELEASE_LTO", "false"),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ],
    )
}

/// The `wasm-bindgen` version recorded in Cargo.lock.
fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen".into())
}

fn wasm_bindgen(sh: &Shell) -> Result<(), String> {
    let version = locked_wasm_bindgen()?;
    let want = format!("wasm-bindgen {version}");
    if sh.output("wasm-bindgen", &["--version"]).as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    // Not --locked: its shipped lock file names a crate release the registry does not serve.
    sh.run_env(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", &version],
        &[
            ("CARGO_PROFILE_RELEASE_LTO", "false"),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ],
    )
}

/// wasm-opt (binaryen), terser, playwright-core and axe-core, pinned in package-lock.json.
fn npm_tools(sh: &Shell) -> Result<(), String> {
    let marker = root().join("node_modules/.package-lock.json");
    let lock = root().join("package-lock.json");
    let fresh = match (marker.metadata(), lock.metadata()) {
        (Ok(m), Ok(l)) => m.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh
        && root().join("node_modules/.bin/wasm-opt").exists()
        && root().join("node_modules/.bin/terser").exists()
    {
        return Ok(());
    }
    sh.run("npm", &["ci", "--no-audit", "--no-fund"])
}

/// Debian packages the tests need, each with a file that shows it is installed.
const DEBIAN_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("unbound", "/usr/sbin/unbound"),
    ("nginx-light", "/usr/sbin/nginx"),
    // ldns-keygen and ldns-signzone sign the third-party lane's zone for unbound to validate.
    ("ldnsutils", "/usr/bin/ldns-signzone"),
];

fn debian_packages(sh: &Shell) -> Result<(), String> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(_, file)| !Path::new(file).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let apt = |args: &[&str]| {
        let is_root = sh.output("id", &["-u"]).as_deref() == Some("0");
        let (program, mut full): (&str, Vec<&str>) = if is_root {
            ("apt-get", vec![])
        } else {
            ("sudo", vec!["apt-get"])
        };
        full.extend_from_slice(args);
        sh.run_env(program, &full, &[("DEBIAN_FRONTEND", "noninteractive")])
    };
    apt(&["update"])?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(missing);
    apt(&install)
}
