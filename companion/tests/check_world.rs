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

/// The codes of a report's (or a proposal's) findings, in order.
fn finding_codes(v: &Value) -> Vec<&str> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

fn assert_scenario(domain: &str) {
    let spec = world().scenario(domain);
    let e = &spec.expect;
    let (r, code) = report(domain);
    let codes = finding_codes(&r);
    let ctx = format!("{domain} ({}): findings {codes:?}", spec.about);
    assert_eq!(r["domain"], domain, "{ctx}");
    assert_eq!(r["report_version"], 3, "{ctx}");
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
        if let Some(dane) = want.dane {
            let status = &got["dane"]["status"];
            assert_eq!(
                status.as_str().unwrap_or("null"),
                dane,
                "{m}: {}",
                got["dane"]
            );
            assert_eq!(
                got["address_dnssec"].as_str(),
                Some(if spec.signed { "secure" } else { "insecure" }),
                "{m}"
            );
        }
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
    let summary = r["summary"].as_str().unwrap();
    for words in &e.summary {
        assert!(
            summary.contains(words),
            "{ctx}: summary {summary:?} lacks {words:?}"
        );
    }
    let steps = r["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4, "{ctx}");
    for (step, id) in steps
        .iter()
        .zip(["lookup", "retrieval", "validation", "tls"])
    {
        assert_eq!(step["id"], id, "{ctx}");
        assert_eq!(step["state"], "done", "{ctx}: {step}");
        assert!(
            !step["summary"].as_str().unwrap().is_empty(),
            "{ctx}: {step}"
        );
    }
    if let Some(outcomes) = e.steps {
        let got: Vec<&str> = steps
            .iter()
            .map(|s| s["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(got, outcomes, "{ctx}: {steps:?}");
    }
    if e.verdict == "inconclusive" {
        assert!(
            !r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["severity"] == "error"),
            "{ctx}: an inconclusive check blames the domain for nothing"
        );
    }
    assert_eq!(code, Some(exit_for(e.verdict)), "{ctx}");
}

/// The documented exit status of `mtasts check` for a verdict.
fn exit_for(verdict: &str) -> i32 {
    match verdict {
        "pass" | "warn" => 0,
        "inconclusive" => 3,
        _ => 1,
    }
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
    every_mx_refuses_connections => "all-refuse.test",
    port_25_filtered_is_inconclusive => "port25-filtered.test",
    a_backup_mx_with_an_expired_certificate => "backup-expired.test",
    twenty_five_tarpit_mx => "tarpit.test",
    twenty_five_flooding_mx => "flood.test",
    a_policy_after_ten_kib_of_padding => "padded-policy.test",
    the_preferred_mx_fails_and_the_backup_works => "primary-fails.test",
    load_benchmark_domain => "load.test",
    delay_1mx => "delay-1mx.test",
    delay_5mx => "delay-5mx.test",
    delay_10mx => "delay-10mx.test",
    delay_20mx => "delay-20mx.test",
    dane_3_1_1_current_and_next_key => "dane-ok.test",
    dane_mismatch_after_a_key_change => "dane-mismatch.test",
    dane_2_0_1_on_the_intermediate => "dane-ta.test",
    dane_records_in_an_unsigned_zone => "dane-unsigned.test",
    dane_bogus_signature => "dane-bogus.test",
    dane_pkix_ee_is_unusable => "dane-pkix.test",
}

/// The clauses of a message, lower-cased, as a reader meets them.
fn clauses(text: &str) -> Vec<String> {
    text.split(['.', ';', ':', '(', ')', ','])
        .map(|c| c.trim().to_lowercase())
        .filter(|c| c.split_whitespace().count() >= 3)
        .collect()
}

fn assert_said_once(ctx: &str, text: &str) {
    let mut seen = std::collections::HashSet::new();
    for clause in clauses(text) {
        assert!(
            seen.insert(clause.clone()),
            "{ctx}: {clause:?} twice in {text:?}"
        );
    }
}

#[test]
fn every_message_of_every_scenario_says_each_thing_once() {
    for spec in &world().scenarios {
        let (r, _) = report(&spec.domain);
        let d = &spec.domain;
        assert_said_once(d, r["summary"].as_str().unwrap());
        for step in r["steps"].as_array().unwrap() {
            assert_said_once(d, step["summary"].as_str().unwrap());
        }
        for f in r["findings"].as_array().unwrap() {
            let text = format!(
                "{} {}",
                f["message"].as_str().unwrap(),
                f["fix"].as_str().unwrap_or("")
            );
            assert_said_once(&format!("{d} {}", f["code"]), &text);
        }
        for m in r["mx"].as_array().unwrap() {
            assert_said_once(d, m["senders_will"].as_str().unwrap());
        }
    }
}

/// (policy, outcome, mail goes to) of one sender profile in a scenario's report.
fn sender(r: &Value, id: &str) -> (String, String, String) {
    let s = r["senders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no sender {id} in {}", r["senders"]));
    let text = |v: &Value| v.as_str().unwrap_or("null").to_string();
    (text(&s["policy"]), text(&s["outcome"]), text(&s["mx"]))
}

#[test]
fn senders_differ_where_their_implementations_do() {
    let t = |p: &str, o: &str, m: &str| (p.to_string(), o.to_string(), m.to_string());
    for (domain, id, want) in [
        (
            "bad-id.test",
            "rfc8461",
            t("none", "deliver-unverified", "mx1.bad-id.test"),
        ),
        (
            "bad-id.test",
            "mox",
            t("none", "deliver-unverified", "mx1.bad-id.test"),
        ),
        (
            "bad-id.test",
            "postfix-mta-sts-resolver",
            t("enforce", "deliver-verified", "mx1.bad-id.test"),
        ),
        (
            "two-records.test",
            "rfc8461",
            t("none", "deliver-unverified", "mx1.two-records.test"),
        ),
        (
            "two-records.test",
            "chasquid",
            t("enforce", "deliver-verified", "mx1.two-records.test"),
        ),
        (
            "wrong-ctype.test",
            "rfc8461",
            t("none", "deliver-unverified", "mx1.wrong-ctype.test"),
        ),
        (
            "wrong-ctype.test",
            "mailauth",
            t("enforce", "deliver-verified", "mx1.wrong-ctype.test"),
        ),
        (
            "wildcard.test",
            "rfc8461",
            t("enforce", "deliver-verified", "a.wildcard.test"),
        ),
        (
            "testing.test",
            "rfc8461",
            t("testing", "deliver-verified", "mx1.testing.test"),
        ),
        (
            "testing.test",
            "chasquid",
            t("none", "deliver-unverified", "mx1.testing.test"),
        ),
        ("mx-expired.test", "rfc8461", t("enforce", "defer", "null")),
        // Measured with ZoneMTA's stack: an expired chain defers, a wrong name bounces,
        // and a TLS failure at the first MX it reached is final.
        ("mx-expired.test", "mailauth", t("enforce", "defer", "null")),
        (
            "mx-wrongname.test",
            "mailauth",
            t("enforce", "bounce", "null"),
        ),
        (
            "primary-fails.test",
            "mailauth",
            t("enforce", "bounce", "null"),
        ),
        (
            "mx-mismatch.test",
            "rfc8461",
            t("enforce", "deliver-verified", "mx1.mx-mismatch.test"),
        ),
        (
            "padded-policy.test",
            "rfc8461",
            t("enforce", "deliver-verified", "mx1.padded-policy.test"),
        ),
        (
            "padded-policy.test",
            "chasquid",
            t("none", "deliver-unverified", "mx1.padded-policy.test"),
        ),
        (
            "primary-fails.test",
            "rfc8461",
            t("enforce", "deliver-verified", "mx2.primary-fails.test"),
        ),
        (
            "primary-fails.test",
            "stalwart",
            t("enforce", "deliver-verified", "mx2.primary-fails.test"),
        ),
        // Measured with the real Postfix (INTEROP.md): it checks the certificate's names
        // against the patterns, not the MX host, so the wrong-name primary takes the mail.
        (
            "primary-fails.test",
            "postfix-mta-sts-resolver",
            t("enforce", "deliver-verified", "mx1.primary-fails.test"),
        ),
        // Measured with the real chasquid: it reads 10 KiB of a 200 KB body and enforces
        // the policy it finds there.
        ("too-large.test", "chasquid", t("enforce", "defer", "null")),
        (
            "too-large.test",
            "rfc8461",
            t("none", "deliver-unverified", "mx1.too-large.test"),
        ),
    ] {
        let (r, _) = report(domain);
        assert_eq!(sender(&r, id), want, "{domain} {id}");
    }
    let (r, _) = report("bad-id.test");
    let differs: Vec<&str> = r["senders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["differs_from_rfc"] == true)
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        differs.contains(&"postfix-mta-sts-resolver") && !differs.contains(&"mox"),
        "{differs:?}"
    );
    let (r, _) = report("port25-filtered.test");
    assert_eq!(
        r["senders"],
        serde_json::json!([]),
        "no MX reached from here: nothing is claimed about what senders do"
    );
    let (r, _) = report("all-refuse.test");
    assert_eq!(
        sender(&r, "rfc8461").1,
        "defer",
        "every MX refuses: the mail waits"
    );
}

#[test]
fn an_unreachable_resolver_is_inconclusive_with_exit_3() {
    // A port on loopback where nothing listens: the resolver cannot be reached.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    for net in [
        vec![
            "--doh".to_string(),
            format!("https://127.0.0.1:{port}/dns-query"),
        ],
        vec!["--dns".to_string(), format!("127.0.0.1:{port}")],
    ] {
        let net: Vec<&str> = net.iter().map(String::as_str).collect();
        let mut args = net.clone();
        args.push("--allow-private");
        let out = mtasts_check(&args, &["--json", "good.test"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["verdict"], "inconclusive", "{net:?}: {v}");
        assert_eq!(out.status.code(), Some(3), "{net:?}");
        assert_eq!(v["steps"][0]["outcome"], "inconclusive");
        let summary = v["summary"].as_str().unwrap();
        assert!(summary.contains("resolver"), "{summary}");
        assert!(!summary.contains("broken"), "{summary}");
        let text = mtasts_check(&args, &["good.test"]);
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.starts_with("good.test: INCONCLUSIVE"), "{text}");
        assert!(!text.contains("FAIL"), "{text}");
    }
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
        "senders will refuse this host",
    ] {
        assert!(text.contains(step), "{step} missing:\n{text}");
    }
}

/// A file of the test's own, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn with(name: &str, contents: &[u8]) -> TempFile {
        let path = std::env::temp_dir().join(format!("mtasts-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn draft_check(domain: &str, policy: &str, txt: Option<&str>) -> (Value, Option<i32>) {
    let file = TempFile::with(&format!("{domain}.txt"), policy.as_bytes());
    let mut args = vec!["--json", "--draft-policy", file.arg()];
    if let Some(t) = txt {
        args.extend(["--draft-txt", t]);
    }
    args.push(domain);
    let out = check(&args);
    (json_of(&out), out.status.code())
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn a_draft_that_names_the_missing_mx_passes_before_it_is_published() {
    let (published, code) = report("mx-mismatch.test");
    assert_eq!(
        (published["verdict"].as_str(), code),
        (Some("fail"), Some(1))
    );
    let fixed = "version: STSv1\nmode: enforce\nmx: mx1.mx-mismatch.test\nmx: mx2.mx-mismatch.test\nmax_age: 604800\n";
    let (r, code) = draft_check("mx-mismatch.test", fixed, None);
    assert_eq!(r["verdict"], "pass", "{}", r["findings"]);
    assert_eq!(code, Some(0));
    let d = &r["draft"];
    assert_eq!(d["published_verdict"], "fail");
    assert_eq!(strings(&d["diff"]["mx_added"]), ["mx2.mx-mismatch.test"]);
    assert_eq!(d["diff"]["mx_removed"], serde_json::json!([]));
    assert_eq!(d["txt_id_must_change"], true);
    assert!(d["rollout"][0]
        .as_str()
        .unwrap()
        .starts_with("Serve the new policy"));
    // The live policy was still fetched, and the report is the draft's.
    assert_eq!(r["policy"]["fetch"]["status"], "ok");
    assert!(r["mx"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["matched"] == true));
}

#[test]
fn a_draft_that_would_refuse_every_mx_fails_with_the_reason() {
    let bad = "version: STSv1\nmode: enforce\nmx: mail.elsewhere.test\nmax_age: 604800\n";
    let (r, code) = draft_check("good.test", bad, None);
    assert_eq!((r["verdict"].as_str(), code), (Some("fail"), Some(1)));
    let effects = strings(&r["draft"]["effects"]);
    for host in ["mx1.good.test", "mx2.good.test"] {
        assert!(
            effects.iter().any(|e| e.starts_with(&format!(
                "Mail to {host} will be refused by enforcing senders"
            ))),
            "{effects:?}"
        );
    }
    assert_eq!(
        strings(&r["draft"]["diff"]["mx_removed"]),
        ["mx1.good.test", "mx2.good.test"]
    );
}

#[test]
fn the_published_policy_as_a_draft_needs_no_new_id_and_a_kept_id_is_an_error() {
    let (published, _) = report("good.test");
    let served = published["policy"]["fetch"]["body"]
        .as_str()
        .unwrap()
        .to_string();
    let id = published["txt"]["id"].as_str().unwrap().to_string();
    let (r, _) = draft_check("good.test", &served, None);
    assert_eq!(r["draft"]["txt_id_must_change"], false);
    assert_eq!(r["draft"]["diff"]["mode"], Value::Null);

    let testing = served.replace("mode: enforce", "mode: testing");
    let same_id = format!("v=STSv1; id={id}");
    let (r, _) = draft_check("good.test", &testing, Some(&same_id));
    assert_eq!(r["draft"]["txt_id_must_change"], true);
    assert_eq!(
        r["draft"]["diff"]["mode"],
        serde_json::json!({"from": "enforce", "to": "testing"})
    );
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "draft.txt.id_unchanged"));
}

#[test]
fn bad_draft_input_gets_its_reason_and_exit_2() {
    let missing = check(&["--draft-policy", "/nonexistent/mta-sts.txt", "good.test"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("--draft-policy /nonexistent/mta-sts.txt"));
    let huge = TempFile::with("huge.txt", &vec![b'a'; 70_000]);
    let out = check(&["--draft-policy", huge.arg(), "good.test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 64 KiB"));
    let binary = TempFile::with("binary.txt", &[0xff, 0xfe, 0x00]);
    let out = check(&["--draft-policy", binary.arg(), "good.test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
    let out = check(&["--draft-txt", "v=STSv1; id=1", "good.test"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--draft-txt needs --draft-policy"
    );
}

fn generate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .arg("generate")
        .args(["--ca", world().ca_file.to_str().unwrap(), "--timeout", "2"])
        .args(["--doh", &world().doh_url, "--allow-private"])
        .args(args)
        .output()
        .expect("mtasts runs")
}

#[test]
fn generated_records_pass_as_drafts_on_the_healthy_scenarios() {
    for domain in [
        "good.test",
        "no-txt.test",
        "mx-mismatch.test",
        "wildcard.test",
    ] {
        let out = generate(&["--json", "--rua", "mailto:tls@example.net", domain]);
        assert_eq!(out.status.code(), Some(0), "{domain}");
        let g = json_of(&out);
        let mut keys: Vec<&String> = g.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["domain", "findings", "notes", "policy", "tlsrpt", "txt"],
            "{domain}"
        );
        assert_eq!(g["domain"], domain);
        assert_eq!(g["tlsrpt"], "v=TLSRPTv1; rua=mailto:tls@example.net");
        let txt = g["txt"].as_str().unwrap();
        let id = txt.strip_prefix("v=STSv1; id=").unwrap();
        assert!(id.len() == 15 && &id[8..9] == "T", "{txt}");
        let policy = g["policy"].as_str().unwrap();
        assert!(
            policy.contains("mode: enforce\n") && policy.contains("max_age: 604800\n"),
            "{domain}: {policy}"
        );
        let (r, code) = draft_check(domain, policy, Some(txt));
        assert_eq!(
            r["verdict"], "pass",
            "{domain}: {policy}\n{}",
            r["findings"]
        );
        assert_eq!(code, Some(0));
    }
}

#[test]
fn the_generator_never_proposes_enforce_over_an_mx_that_fails_tls() {
    for domain in ["mx-expired.test", "no-starttls.test"] {
        let out = generate(&["--json", domain]);
        let g = json_of(&out);
        let policy = g["policy"].as_str().unwrap();
        assert!(
            policy.contains("mode: testing\n") && policy.contains("max_age: 86400\n"),
            "{domain}: {policy}"
        );
        let codes = finding_codes(&g);
        assert!(
            codes.contains(&"generate.mx.tls_failing"),
            "{domain}: {codes:?}"
        );
        let notes = strings(&g["notes"]);
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("mode testing") && n.contains(".test (")),
            "{notes:?}"
        );
        // Judged as a draft, it never makes a sender refuse mail.
        let (r, _) = draft_check(domain, policy, None);
        assert!(
            r["mx"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["sender"] != "refuse"),
            "{domain}: {}",
            r["mx"]
        );
    }
}

#[test]
fn an_mx_that_times_out_is_not_blamed_but_keeps_the_proposal_in_testing() {
    let g = json_of(&generate(&["--json", "silent-mx.test"]));
    let policy = g["policy"].as_str().unwrap();
    assert!(policy.contains("mode: testing\n"), "{policy}");
    let codes = finding_codes(&g);
    assert!(codes.contains(&"generate.mx.unprobed"), "{codes:?}");
    assert!(!codes.contains(&"generate.mx.tls_failing"), "{codes:?}");
}

#[test]
fn the_readable_proposal_has_zone_lines_and_bad_usage_exits_2() {
    let out = generate(&["good.test"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("_mta-sts.good.test. 3600 IN TXT \"v=STSv1; id="),
        "{text}"
    );
    assert!(
        text.contains("_smtp._tls.good.test. 3600 IN TXT \"v=TLSRPTv1; rua="),
        "{text}"
    );
    assert!(
        text.contains("Serve at https://mta-sts.good.test/.well-known/mta-sts.txt"),
        "{text}"
    );
    assert!(text.contains("\nWhy:\n"), "{text}");
    let bad = generate(&["--rua", "ftp://example.net", "good.test"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("only mailto: and https:"));
    let bad = generate(&["user@@"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn expiry_days_warns_about_the_policy_host_and_every_mx() {
    // The world's leaf certificates are valid for 90 days.
    let out = check(&["--json", "--expiry-days", "120", "good.test"]);
    let v = json_of(&out);
    let codes = finding_codes(&v);
    assert!(codes.contains(&"policy.certificate.expiring"), "{codes:?}");
    assert!(codes.contains(&"mx.certificate.expiring"), "{codes:?}");
    assert_eq!(v["verdict"], "warn");
    assert_eq!(out.status.code(), Some(0), "a warning is not a failure");
    // The default (14 days) says nothing about a 90-day certificate.
    let (v, _) = report("good.test");
    assert!(!finding_codes(&v).iter().any(|c| c.ends_with(".expiring")));
    for bad in ["-1", "x", "4000"] {
        let out = check(&["--expiry-days", bad, "good.test"]);
        assert_eq!(out.status.code(), Some(2), "--expiry-days {bad}");
        assert!(!out.stderr.is_empty());
    }
}

/// Writes `report` to a fresh file and returns its path.
fn saved(name: &str, report: &Value) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mtasts-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, report.to_string()).unwrap();
    path
}

fn change_kinds(v: &Value) -> Vec<String> {
    v["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no changes: {v}"))
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_baseline_of_the_same_world_has_no_changes() {
    let (old, _) = report("good.test");
    assert_eq!(old["policy"]["sha256"].as_str().unwrap().len(), 64);
    assert!(old["policy"]["body"]
        .as_str()
        .unwrap()
        .starts_with("version: STSv1"));
    assert!(old["checked_at"].as_str().unwrap().ends_with('Z'));
    let path = saved("same.json", &old);
    let out = check(&["--json", "--baseline", path.to_str().unwrap(), "good.test"]);
    let v = json_of(&out);
    assert_eq!(v["changes"], serde_json::json!([]));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_baseline_with_other_policy_text_under_the_same_id_fails_with_txt_id_not_updated() {
    let (mut old, _) = report("good.test");
    // As if the policy had been edited since: other text, other digest, the same TXT id.
    old["policy"]["sha256"] = Value::from("00".repeat(32));
    old["policy"]["mx"] = serde_json::json!(["*.old-provider.test"]);
    // And one MX host more than today, one fewer certificate day.
    let mut gone = old["mx"][0].clone();
    gone["host"] = Value::from("mx9.good.test");
    old["mx"].as_array_mut().unwrap().push(gone);
    old["mx"][0]["tls"]["cert"]["not_after"] = Value::from("2000-01-01T00:00:00Z");
    let path = saved("edited.json", &old);
    let out = check(&["--json", "--baseline", path.to_str().unwrap(), "good.test"]);
    let v = json_of(&out);
    let kinds = change_kinds(&v);
    for kind in [
        "policy.changed",
        "verdict.changed",
        "mx.removed",
        "certificate.renewed",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind} in {kinds:?}");
    }
    assert!(finding_codes(&v).contains(&"txt.id.not_updated"));
    assert_eq!(v["verdict"], "fail");
    assert_eq!(out.status.code(), Some(1));
    // The same, readable and as Markdown.
    let text = check(&["--baseline", path.to_str().unwrap(), "good.test"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Changes since the baseline"), "{text}");
    assert!(
        text.contains("mx.removed             mx9.good.test"),
        "{text}"
    );
    assert!(text.contains("policy SHA-256 "), "{text}");
    let md = check(&[
        "--format",
        "markdown",
        "--baseline",
        path.to_str().unwrap(),
        "good.test",
    ]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.starts_with("# MTA-STS check of good.test: FAIL"), "{md}");
    assert!(md.contains("## Changes since the baseline"), "{md}");
    assert!(md.contains("`txt.id.not_updated`"), "{md}");
}

#[test]
fn bad_baselines_are_usage_errors_before_any_network() {
    let (good, _) = report("good.test");
    let other = saved("other.json", &good);
    let not_json = saved("garbage.json", &Value::from("not a report"));
    let cases: [(&str, &str); 3] = [
        ("/nonexistent/old.json", "--baseline /nonexistent/old.json"),
        (not_json.to_str().unwrap(), "not a report of mtasts check"),
        (
            other.to_str().unwrap(),
            "a report of good.test, not of testing.test",
        ),
    ];
    for (path, says) in cases {
        let out = check(&["--baseline", path, "testing.test"]);
        assert_eq!(out.status.code(), Some(2), "{path}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{path}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = check(&["--json", "--format", "text", "good.test"]);
    assert_eq!(out.status.code(), Some(2), "--json and --format conflict");
    let out = check(&["--format", "yaml", "good.test"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `mtasts scan` over `list` with the world's network options and `args`.
fn scan(list: &str, args: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("mtasts-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("list-{}.txt", list.len()));
    std::fs::write(&file, list).unwrap();
    Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .arg("scan")
        .args(["--ca", world().ca_file.to_str().unwrap(), "--timeout", "2"])
        .args(["--doh", &world().doh_url, "--allow-private"])
        .args(args)
        .arg(&file)
        .output()
        .expect("mtasts runs")
}

/// The JSON lines of a scan's output.
fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn domains_of(lines: &[Value]) -> Vec<String> {
    let mut d: Vec<String> = lines
        .iter()
        .map(|l| l["domain"].as_str().unwrap().to_string())
        .collect();
    d.sort();
    d
}

/// Healthy and broken scenarios that answer at once (no tarpits), so the scans stay quick.
const SCAN_LIST: &[&str] = &[
    "good.test",
    "testing.test",
    "policy-404.test",
    "mx-mismatch.test",
    "mx-expired.test",
    "no-starttls.test",
    "tlsrpt-invalid.test",
    "wildcard.test",
];

#[test]
fn scan_checks_every_domain_once_with_the_verdict_check_gives() {
    let list = format!(
        "# the world\n{}\nGOOD.test.\nhttps://good.test/\n\nnot a domain\n",
        SCAN_LIST.join("\n")
    );
    let out = scan(&list, &["--concurrency", "4"]);
    let got = lines(&out);
    let mut want: Vec<String> = SCAN_LIST.iter().map(|s| s.to_string()).collect();
    want.push("not a domain".into());
    want.sort();
    assert_eq!(domains_of(&got), want, "each once, duplicates folded");
    for l in &got {
        let domain = l["domain"].as_str().unwrap();
        if domain == "not a domain" {
            assert_eq!(l["error"]["code"], "not-a-domain");
            assert_eq!(
                l["line"],
                SCAN_LIST.len() + 5,
                "line numbers count comments and blanks"
            );
            continue;
        }
        assert_eq!(l["complete"], true, "{domain}");
        assert_eq!(
            l["verdict"],
            world().scenario(domain).expect.verdict,
            "{domain}: {}",
            l["summary"]
        );
    }
    // Some domains fail, and one line is not a domain: exit 1.
    assert_eq!(out.status.code(), Some(1));
    // Nothing but the lines on stdout; no progress line when stderr is not a terminal.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn scan_shards_are_disjoint_and_complete() {
    let list = SCAN_LIST.join("\n");
    let mut all = Vec::new();
    for k in 0..3 {
        let out = scan(&list, &["--shard", &format!("{k}/3")]);
        let part = domains_of(&lines(&out));
        assert!(
            part.iter().all(|d| !all.contains(d)),
            "shard {k} overlaps: {part:?}"
        );
        all.extend(part);
    }
    all.sort();
    let mut want: Vec<String> = SCAN_LIST.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(all, want);
    for bad in ["3/3", "x", "1/0"] {
        let out = scan(&list, &["--shard", bad]);
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn scan_resumes_from_its_own_output() {
    let list = SCAN_LIST.join("\n");
    let first = scan(&list, &["--shard", "0/2"]);
    let done = lines(&first);
    assert!(!done.is_empty());
    // A run killed in the middle of writing a line leaves half a line: not counted.
    let dir = std::env::temp_dir().join(format!("mtasts-scan-{}", std::process::id()));
    let out_file = dir.join("out.jsonl");
    let mut partial = String::from_utf8_lossy(&first.stdout).into_owned();
    partial.push_str("{\"domain\": \"wildcard.test\", \"comp");
    std::fs::write(&out_file, &partial).unwrap();
    let rest = scan(&list, &["--skip-done", out_file.to_str().unwrap()]);
    let rest = lines(&rest);
    let (a, b) = (domains_of(&done), domains_of(&rest));
    assert!(a.iter().all(|d| !b.contains(d)), "{a:?} again in {b:?}");
    let mut all = [a, b].concat();
    all.sort();
    let mut want: Vec<String> = SCAN_LIST.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(all, want);
    // A --skip-done file that does not exist yet is an empty one (the first run).
    let fresh = scan("good.test", &["--skip-done", "/nonexistent/out.jsonl"]);
    assert_eq!(domains_of(&lines(&fresh)), ["good.test"]);
    assert_eq!(fresh.status.code(), Some(0));
}

#[test]
fn scan_stops_a_check_at_its_deadline_and_retries_it_on_resume() {
    let out = scan("hostile-drip.test\ngood.test", &["--check-timeout", "0.5"]);
    let got = lines(&out);
    let drip = got
        .iter()
        .find(|l| l["domain"] == "hostile-drip.test")
        .unwrap();
    assert_eq!(drip["error"]["code"], "timeout", "{drip}");
    assert_eq!(
        out.status.code(),
        Some(3),
        "a timeout is the tester's, like inconclusive"
    );
    let dir = std::env::temp_dir().join(format!("mtasts-scan-{}", std::process::id()));
    let out_file = dir.join("timeouts.jsonl");
    std::fs::write(&out_file, &out.stdout).unwrap();
    let again = scan(
        "hostile-drip.test\ngood.test",
        &[
            "--check-timeout",
            "0.5",
            "--skip-done",
            out_file.to_str().unwrap(),
        ],
    );
    assert_eq!(domains_of(&lines(&again)), ["hostile-drip.test"]);
}

#[test]
fn scan_shows_progress_on_a_terminal_only() {
    let dir = std::env::temp_dir().join(format!("mtasts-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let list = dir.join("tty-list.txt");
    std::fs::write(&list, "good.test\ntesting.test\n").unwrap();
    let stdout = dir.join("tty-out.jsonl");
    // `script` gives the command a terminal for stderr; stdout goes to a file.
    let command = format!(
        "{} scan --ca {} --timeout 2 --doh {} --allow-private {} > {}",
        env!("CARGO_BIN_EXE_mtasts"),
        world().ca_file.display(),
        world().doh_url,
        list.display(),
        stdout.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("script (util-linux) runs");
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(
        terminal.contains("scan: 2/2 domains") && terminal.contains("0 failed"),
        "{terminal}"
    );
    let written = std::fs::read_to_string(&stdout).unwrap();
    assert_eq!(written.lines().count(), 2, "{written}");
    assert!(
        !written.contains("scan:"),
        "progress stays off standard output"
    );
}

#[test]
fn compare_doh_with_a_failing_resolver_blames_nobody_and_bad_urls_are_usage_errors() {
    let out = check(&[
        "--json",
        "--compare-doh",
        &world().doh_url,
        "--compare-doh",
        "https://127.0.0.1:9/dns-query",
        "good.test",
    ]);
    let v = json_of(&out);
    let views = v["resolvers"].as_array().unwrap();
    assert_eq!(views.len(), 3, "the check's own and the two compared");
    assert_eq!(views[0]["txt"]["records"], views[1]["txt"]["records"]);
    assert!(views[2]["txt"]["records"].as_array().unwrap().is_empty());
    assert!(!finding_codes(&v).contains(&"dns.resolvers.differ"));
    assert_eq!(v["verdict"], "pass");
    let text = check(&["--compare-doh", &world().doh_url, "good.test"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Resolvers (the check's own first)"), "{text}");
    for bad in ["http://127.0.0.1/dns-query", "not a url"] {
        let out = check(&["--compare-doh", bad, "good.test"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--compare-doh"), "{err}");
    }
}
