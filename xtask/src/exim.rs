//! Exim 4 with DANE for `cargo xtask interop`. Debian's exim4-daemon-light conflicts with
//! an installed Postfix, so the harness downloads the package with `apt-get download`,
//! unpacks it into a folder of its own and runs that binary with a configuration of its
//! own (`-C`): DANE on every host, DNSSEC asked for every look-up, no retries within the
//! run, and the test CA as the only trust for hosts without TLSA records.

use crate::shell::Shell;
use std::collections::BTreeMap;
use std::path::Path;

/// The unpacked package: everything Exim needs apart from the libraries, which are
/// ordinary installable packages.
const TREE: &str = "/tmp/mtasts-exim";
const LIBRARIES: &[&str] = &[
    "libgnutls-dane0",
    "libidn12",
    "libnsl2",
    "libdb5.3",
    "libpcre2-8-0",
];
const USER: &str = "Debian-exim";

pub fn binary() -> String {
    format!("{TREE}/usr/sbin/exim4")
}

/// Downloads and unpacks exim4-daemon-light once, installs its libraries and creates the
/// user it was built to run as (its postinst would do that).
pub fn install(sh: &Shell) -> Result<(), String> {
    if !Path::new(&binary()).exists() {
        let debs = format!("{TREE}.debs");
        std::fs::create_dir_all(&debs).map_err(|e| e.to_string())?;
        let mut args = vec!["install", "-y", "--no-install-recommends"];
        args.extend(LIBRARIES);
        sh.run_env("apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")])?;
        sh.run(
            "sh",
            &[
                "-c",
                &format!(
                    "cd {debs} && apt-get download exim4-daemon-light && dpkg -x exim4-daemon-light_*.deb {TREE}"
                ),
            ],
        )?;
    }
    let known = std::process::Command::new("getent")
        .args(["passwd", USER])
        .output()
        .map_err(|e| e.to_string())?;
    if !known.status.success() {
        sh.run(
            "useradd",
            &[
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                USER,
            ],
        )?;
    }
    Ok(())
}

/// Writes the configuration to `{dir}/exim.conf` and makes the log folder, which Exim
/// writes as its own user after it drops root.
pub fn prepare(dir: &str) -> Result<(), String> {
    let logs = format!("{dir}/exim-log");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let owned = std::process::Command::new("chown")
        .args([USER, &logs])
        .status()
        .map_err(|e| e.to_string())?;
    if !owned.success() {
        return Err(format!("chown {USER} {logs} failed"));
    }
    std::fs::write(format!("{dir}/exim.conf"), config(dir)).map_err(|e| e.to_string())
}

/// The configuration: `dnssec_request_domains` and `hosts_try_dane` as the issue names
/// them; `exim_path` because it re-executes itself for each delivery; `self = send`
/// and `allow_localhost` because every test-world MX is on loopback.
fn config(dir: &str) -> String {
    format!(
        "primary_hostname = sender.interop.test\n\
         exim_path = {exim}\n\
         spool_directory = {dir}/exim-spool\n\
         log_file_path = {dir}/exim-log/%slog\n\
         disable_ipv6 = true\n\
         keep_environment =\n\
         begin routers\n\
         remote:\n  driver = dnslookup\n  transport = remote_smtp\n  dnssec_request_domains = *\n  self = send\n  no_more\n\
         begin transports\n\
         remote_smtp:\n  driver = smtp\n  dnssec_request_domains = *\n  hosts_try_dane = *\n  \
         tls_verify_certificates = {dir}/ca.pem\n  tls_try_verify_hosts = *\n  allow_localhost\n  \
         connect_timeout = 5s\n  command_timeout = 10s\n\
         begin retry\n\
         * * F,1h,1h\n",
        exim = binary()
    )
}

/// The shell loop that submits one message per domain from inside the world's
/// namespace; `-odb` lets every delivery run in the background at once.
pub fn submit_script(dir: &str) -> String {
    format!(
        "for d in \"$@\"; do printf 'Subject: interop %s\\n\\nMTA-STS interop test\\n' \"$d\" | {} -C {dir}/exim.conf -odb -f interop@sender.interop.test \"postmaster@$d\"; done",
        binary()
    )
}

/// The outcome Exim logged for each recipient domain: (outcome, mx). A delivery is
/// verified when Exim says DANE verified it (`CV=dane`); `CV=yes` is a PKIX check that
/// Exim does not require, so it counts as opportunistic.
pub fn read_log(log: &str) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for line in log.lines() {
        for (mark, outcome) in [(" => ", ""), (" == ", "defer"), (" ** ", "bounce")] {
            let Some(rest) = line
                .split_once(mark)
                .and_then(|(_, r)| r.strip_prefix("postmaster@"))
            else {
                continue;
            };
            let domain = rest.split([' ', ':', '>']).next().unwrap_or("").to_string();
            let entry = if outcome.is_empty() {
                let host = field(line, "H=").unwrap_or("?").to_string();
                let kind = if field(line, "CV=") == Some("dane") {
                    "deliver-verified"
                } else {
                    "deliver-unverified"
                };
                (kind.to_string(), host)
            } else {
                (outcome.to_string(), "null".to_string())
            };
            out.insert(domain, entry);
        }
    }
    out
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ')
        .find_map(|w| w.strip_prefix(key))
        .map(|v| v.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_deliveries_deferrals_and_bounces() {
        let log = "2026-12-03 10:00:00 1tA-000 => postmaster@dane-ok.test R=remote T=remote_smtp H=mx.dane-ok.test [127.0.9.1] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=dane DN=\"CN=mx.dane-ok.test\" C=\"250 ok\"\n\
2026-12-03 10:00:00 1tB-000 => postmaster@plain.test R=remote T=remote_smtp H=mx.plain.test [127.0.9.2] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 ok\"\n\
2026-12-03 10:00:01 1tC-000 == postmaster@dane-mismatch.test R=remote T=remote_smtp defer (-1): TLSA verification failed\n\
2026-12-03 10:00:01 1tD-000 ** postmaster@nomx.test: Unrouteable address\n";
        let got = read_log(log);
        assert_eq!(
            got["dane-ok.test"],
            ("deliver-verified".into(), "mx.dane-ok.test".into())
        );
        assert_eq!(got["plain.test"].0, "deliver-unverified");
        assert_eq!(got["dane-mismatch.test"], ("defer".into(), "null".into()));
        assert_eq!(got["nomx.test"].0, "bounce");
    }
}
