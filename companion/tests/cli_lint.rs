//! `mtasts lint` and `mtasts match`: the exact interface acceptance tests rely on.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mtasts(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(args)
        .output()
        .expect("mtasts runs")
}

fn with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mtasts runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn lint_txt_valid_record_exits_0_with_id() {
    let out = mtasts(&["lint", "txt", "--json", "v=STSv1; id=20240101"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["valid"], true);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["id"], "20240101");
}

#[test]
fn lint_txt_no_argument_is_none_and_exits_1() {
    let out = mtasts(&["lint", "txt", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["status"], "none");
    assert_eq!(v["id"], Value::Null);
    assert_eq!(v["valid"], false);
}

#[test]
fn lint_txt_two_records_is_invalid() {
    let out = mtasts(&["lint", "txt", "--json", "v=STSv1; id=1", "v=STSv1; id=2"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["status"], "invalid");
    assert!(codes(&v).contains(&"txt.multiple".to_string()));
}

#[test]
fn double_dash_ends_options_so_records_may_start_with_a_dash() {
    let out = mtasts(&["lint", "txt", "--json", "--", "-v=STSv1; id=1"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["status"], "invalid");
    assert!(
        codes(&v).iter().any(|c| c.starts_with("txt.version.")),
        "{v}"
    );
}

#[test]
fn findings_have_the_documented_fields() {
    let out = mtasts(&["lint", "txt", "--json", "v=STSv1; id=1 "]);
    let v = json(&out);
    let f = &v["findings"][0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["code"], "txt.syntax.trailing_whitespace");
    assert_eq!(f["rfc"], "RFC 8461 §3.1");
    assert!(f["message"].as_str().unwrap().len() > 10);
    assert!(f["fix"].is_string());
    assert_eq!(f["column"], 14);
    assert!(
        f.get("tolerated").is_none(),
        "only tolerated errors carry the flag"
    );
    assert!(f.get("line").is_none(), "no line for a one-line record");

    let out = with_stdin(
        &["lint", "policy", "--json", "-"],
        b"version: STSv1\n\nmode: none\nmax_age: 86400\n",
    );
    let v = json(&out);
    let f = &v["findings"][0];
    assert_eq!(
        (
            f["code"].as_str(),
            f["line"].as_u64(),
            f["tolerated"].as_bool()
        ),
        (Some("policy.syntax.blank_line"), Some(2), Some(true))
    );
}

#[test]
fn lint_policy_reads_a_file_and_reports_lines() {
    let dir = std::env::temp_dir().join(format!("mtasts-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("policy.txt");
    std::fs::write(
        &path,
        "version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 31557601\r\n",
    )
    .unwrap();
    let out = mtasts(&["lint", "policy", "--json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["valid"], false);
    assert_eq!(v["policy"]["mode"], "enforce");
    assert_eq!(v["policy"]["max_age"], 31557601);
    assert_eq!(v["policy"]["mx"], serde_json::json!(["*.example.com"]));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "policy.max_age.out_of_range")
        .expect("out of range finding");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(10))
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn lint_policy_reads_stdin_and_null_policy_when_unusable() {
    let out = with_stdin(
        &["lint", "policy", "--json", "-"],
        b"version: STSv1\nmode: enforce\nmax_age: 86400\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["policy"], Value::Null);
    assert!(codes(&v).contains(&"policy.mx.missing".to_string()));

    let out = with_stdin(
        &["lint", "policy", "--json", "-"],
        b"version: STSv1\nmode: none\nmax_age: 86400\n",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["policy"]["mx"], serde_json::json!([]));
}

#[test]
fn unreadable_input_exits_2_with_one_line_on_stderr() {
    let out = mtasts(&["lint", "policy", "/nonexistent/mta-sts.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/mta-sts.txt"));
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(mtasts(&["lint"]).status.code(), Some(2));
    assert_eq!(mtasts(&["lint", "policy"]).status.code(), Some(2));
    assert_eq!(mtasts(&["match", "a.example"]).status.code(), Some(2));
    assert_eq!(mtasts(&["lint", "dmarc", "x"]).status.code(), Some(2));
}

#[test]
fn lint_tlsrpt_reports_rua() {
    let out = mtasts(&[
        "lint",
        "tlsrpt",
        "--json",
        "v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example.com/x",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["status"], "valid");
    assert_eq!(
        v["rua"],
        serde_json::json!(["mailto:tls@example.com", "https://r.example.com/x"])
    );

    let out = mtasts(&["lint", "tlsrpt", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["status"], "none");
    assert_eq!(v["rua"], serde_json::json!([]));
}

#[test]
fn match_reports_the_pattern_that_matched() {
    let out = mtasts(&[
        "match",
        "--json",
        "--host",
        "Mail.Example.com.",
        "mx.example.com",
        "*.example.com",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["matches"], true);
    assert_eq!(v["pattern"], "*.example.com");
    assert_eq!(v["valid"], true);
}

#[test]
fn match_wildcard_never_spans_two_labels() {
    let out = mtasts(&[
        "match",
        "--json",
        "--host",
        "a.b.example.com",
        "*.example.com",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["matches"], false);
    assert_eq!(v["pattern"], Value::Null);
    assert!(codes(&v).contains(&"mx.pattern.no_match".to_string()));
}

#[test]
fn match_flags_invalid_patterns() {
    let out = mtasts(&[
        "match",
        "--json",
        "--host",
        "mx1.example.com",
        "mx*.example.com",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["valid"], false);
    assert!(codes(&v).contains(&"mx.pattern.invalid".to_string()));
}

#[test]
fn readable_reports_name_verdict_code_and_fix() {
    let out = mtasts(&["lint", "txt", "v=spf1 -all"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("_mta-sts TXT: invalid"), "{text}");
    assert!(text.contains("ERROR    txt.spf"), "{text}");
    assert!(text.contains("fix: "), "{text}");
}
