//! `mtasts check --json` against the test world: every scenario's report, field by field.
//! The world's servers run on loopback only; the check is pointed at them with --doh (or
//! --dns), --ca and --allow-private.

use serde_json::Value;
use std::process::{Command, Output};
use std::sync::OnceLock;
use testworld::World;

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        World::start().expect("the test world starts (it needs root for ports 25 and 443)")
    })
}

/// `mtasts check` with the world's CA and a short phase deadline; `net` picks the resolver
/// and whether private targets are allowed.
fn mtasts_check(net: &[&str], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .arg("check")
        .args(["--ca", world().ca_file.to_str().unwrap(), "--timeout", "2"])
        .args(net)
        .args(args)
        .output()
        .expect("mtasts runs")
}

fn check(args: &[&str]) -> Output {
    mtasts_check(&["--doh", &world().doh_url, "--allow-private"], args)
}

fn report(domain: &str) -> (Value, Option<i32>) {
    let out = check(&["--json", domain]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{domain}: not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code())
}

fn assert_scenario(domain: &str) {
    let spec = world().scenario(domain);
    let e = &spec.expect;
    let (r, code) = report(domain);
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    let ctx = format!("{domain} ({}): findings {codes:?}", spec.about);
    assert_eq!(r["domain"], domain, "{ctx}");
    assert_eq!(r["report_version"], 1, "{ctx}");
    assert_eq!(r["complete"], true, "{ctx}");
    assert_eq!(r["verdict"], e.verdict, "{ctx}");
    assert_eq!(r["txt"]["status"], e.txt, "{ctx}");
    assert_eq!(
        r["policy"]["fetch"]["status"], e.fetch,
        "{ctx}: {}",
        r["policy"]["fetch"]
    );
    assert_eq!(r["policy"]["valid"], e.policy_valid, "{ctx}");
    assert_eq!(r["tlsrpt"]["status"], e.tlsrpt, "{ctx}");
    let mx = r["mx"].as_array().unwrap();
    assert_eq!(mx.len(), e.mx.len(), "{ctx}: {mx:?}");
    for (got, want) in mx.iter().zip(&e.mx) {
        let m = format!("{ctx}: MX {}", want.host);
        assert_eq!(got["host"], want.host.as_str(), "{m}");
        assert_eq!(got["tls"]["status"], want.tls, "{m}: {}", got["tls"]);
        assert_eq!(got["matched"], want.matched, "{m}");
        assert_eq!(got["sender"].as_str().unwrap_or("null"), want.sender, "{m}");
        assert_eq!(got["tlsrpt_result"].as_str(), want.tlsrpt_result, "{m}");
        if want.tls == "ok" {
            assert_eq!(got["tls"]["version"], "TLSv1.3", "{m}");
            let cert = &got["tls"]["cert"];
            assert!(
                cert["sans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s == want.host.as_str()),
                "{m}: {cert}"
            );
            assert_eq!(cert["chain_len"], 2, "{m}");
            assert!(cert["days_left"].as_i64().unwrap() >= 88, "{m}");
            let transcript: Vec<&str> = got["tls"]["transcript"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            assert!(
                transcript.first().unwrap().starts_with("S: 220-"),
                "{m}: {transcript:?}"
            );
            assert!(transcript.contains(&"C: STARTTLS"), "{m}");
        }
        let address = got["addresses"][0].as_str().unwrap_or("");
        assert!(address.starts_with("127.0."), "{m}: probed {address}");
    }
    for c in &e.codes {
        assert!(codes.contains(c), "{ctx}: missing {c}");
    }
    let expected_exit = if matches!(e.verdict, "pass" | "warn") {
        0
    } else {
        1
    };
    assert_eq!(code, Some(expected_exit), "{ctx}");
}

macro_rules! scenarios {
    ($($name:ident => $domain:literal),* $(,)?) => {
        $(#[test] fn $name() { assert_scenario($domain); })*

        #[test]
        fn every_scenario_of_the_world_has_a_test() {
            let tested = [$($domain),*];
            for spec in &world().scenarios {
                assert!(tested.contains(&spec.domain.as_str()), "{} has no test", spec.domain);
            }
        }
    };
}

scenarios! {
    good_enforce_domain => "good.test",
    testing_mode => "testing.test",
    none_mode => "none-mode.test",
    no_txt => "no-txt.test",
    two_sts_records => "two-records.test",
    bad_id => "bad-id.test",
    txt_via_cname => "cname-txt.test",
    policy_404 => "policy-404.test",
    policy_redirect_is_not_followed => "policy-redirect.test",
    wrong_content_type => "wrong-ctype.test",
    policy_over_64_kib => "too-large.test",
    policy_host_wrong_name_certificate => "policy-wrong-cert.test",
    policy_syntax_error => "policy-syntax.test",
    mx_not_covered => "mx-mismatch.test",
    wildcard_covers_one_label_only => "wildcard.test",
    mx_expired_certificate => "mx-expired.test",
    mx_self_signed_certificate => "mx-selfsigned.test",
    mx_wrong_name_certificate => "mx-wrongname.test",
    mx_chain_incomplete => "mx-chain.test",
    mx_without_starttls => "no-starttls.test",
    mx_that_never_answers => "silent-mx.test",
    several_mx_one_bad => "several-mx.test",
    tlsrpt_invalid => "tlsrpt-invalid.test",
    tlsrpt_absent => "tlsrpt-absent.test",
    tolerated_policy_errors => "tolerated.test",
    txt_servfail_is_not_absence => "txt-servfail.test",
    hostile_mx_drips_its_greeting => "hostile-drip.test",
    hostile_mx_endless_greeting => "hostile-endless.test",
    hostile_mx_one_mib_line => "hostile-hugeline.test",
    hostile_mx_garbage_instead_of_tls => "hostile-garbage.test",
    hostile_mx_closes_mid_handshake => "hostile-close.test",
    hostile_mx_silent_after_starttls => "hostile-silence.test",
    hostile_policy_of_10_mib => "hostile-bigpolicy.test",
    hostile_policy_body_drips => "hostile-slowpolicy.test",
    hostile_policy_redirect_loop => "hostile-loop.test",
    hostile_policy_gzip_bomb => "hostile-gzip.test",
    load_benchmark_domain => "load.test",
    delay_1mx => "delay-1mx.test",
    delay_5mx => "delay-5mx.test",
    delay_10mx => "delay-10mx.test",
    delay_20mx => "delay-20mx.test",
}

#[test]
fn plain_dns_gives_the_same_report_as_doh() {
    let dns = world().dns_addr.to_string();
    let out = mtasts_check(
        &["--dns", &dns, "--allow-private"],
        &["--json", "good.test"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "pass", "{v}");
    assert_eq!(v["mx"].as_array().unwrap().len(), 2);
}

#[test]
fn loopback_targets_are_refused_without_allow_private() {
    let out = mtasts_check(&["--doh", &world().doh_url], &["--json", "good.test"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["policy"]["fetch"]["status"], "connect-failed");
    assert!(
        v["policy"]["fetch"]["error"]
            .as_str()
            .unwrap()
            .contains("loopback"),
        "{}",
        v["policy"]["fetch"]
    );
    assert_eq!(v["mx"][0]["tls"]["status"], "connect-failed");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn pasted_urls_and_addresses_are_normalized_and_bad_input_exits_2() {
    let (v, _) = report("https://Good.TEST/some/path");
    assert_eq!(v["domain"], "good.test");
    let (v, _) = report("postmaster@good.test");
    assert_eq!(v["domain"], "good.test");
    for bad in ["192.0.2.1", "", "localhost", "a..b.test"] {
        let out = check(&[bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn the_readable_report_shows_the_four_steps() {
    let out = check(&["mx-mismatch.test"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("mx-mismatch.test: FAIL"), "{text}");
    for step in [
        "1. Lookup",
        "2. Retrieval",
        "3. Validation",
        "4. TLS",
        "mx2.mx-mismatch.test",
        "no match",
        "senders: refuse",
    ] {
        assert!(text.contains(step), "{step} missing:\n{text}");
    }
}
