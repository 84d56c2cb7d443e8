//! `mtasts report`: files, folders and standard input; the JSON contract; exit codes.

use base64::Engine;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const RFC: &str = include_str!("../../core/tests/reports/rfc8460-appendix-b.json");
const GOOGLE: &str = include_str!("../../core/tests/reports/google-style.json");
const MICROSOFT: &str = include_str!("../../core/tests/reports/microsoft-style.json");

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn eml(gz: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(gz);
    format!("From: noreply-smtp-tls-reporting@google.com\r\nSubject: Report Domain: good.test Submitter: google.com Report-ID: <1@google.com>\r\nTLS-Report-Domain: good.test\r\nTLS-Report-Submitter: google.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n--b\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"google.com!good.test!1!2.json.gz\"\r\n\r\n{b64}\r\n--b--\r\n").into_bytes()
}

struct Dir(PathBuf);
impl Dir {
    fn new(tag: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("mtasts-report-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mtasts(args: &[&Path], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mtasts"));
    cmd.arg("report").args(args);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn a_folder_of_saved_emails_gives_the_contract_json() {
    let d = Dir::new("folder");
    d.file("inbox/2026-11-29.eml", &eml(&gzip(GOOGLE.as_bytes())));
    d.file("inbox/copy-of-the-same.eml", &eml(&gzip(GOOGLE.as_bytes())));
    d.file("inbox/microsoft.json.gz", &gzip(MICROSOFT.as_bytes()));
    d.file("inbox/.hidden", b"not read");
    d.file("rfc.json", RFC.as_bytes());
    let out = mtasts(&[Path::new("--json"), &d.0], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3, "the copy is counted once");
    for r in reports {
        for key in ["organization_name", "report_id", "contact_info", "policies"] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
        assert!(r["date_range"]["start"].is_string() && r["date_range"]["end"].is_string());
    }
    let t = &v["totals"];
    assert_eq!(t["successful"], 5326 + 412 + 97);
    assert_eq!(t["failed"], 303 + 4);
    assert_eq!(t["by_result_type"]["certificate-expired"], 104);
    assert_eq!(t["by_mx"]["mx1.good.test"]["successful"], 97);
    assert_eq!(t["by_mx"]["mx1.good.test"]["failed"], 4);
    assert_eq!(t["by_reporter"]["Google Inc."]["successful"], 412);
    assert_eq!(t["by_day"]["2016-04-01"]["failed"], 303);
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["code"] == "report.duplicate"));
    assert!(findings
        .iter()
        .all(|f| f["input"].is_string() && f["severity"].is_string()));
    assert_eq!(
        v["inputs"].as_array().unwrap().len(),
        4,
        "the hidden file is skipped"
    );
    assert!(v["result_types"]["certificate-expired"]["fix"]
        .as_str()
        .unwrap()
        .contains("Renew"));
}

#[test]
fn an_input_that_is_not_a_report_exits_1_with_its_reason() {
    let d = Dir::new("bad");
    let good = d.file("good.json", GOOGLE.as_bytes());
    let dmarc = d.file("dmarc.xml", b"<?xml version=\"1.0\"?><feedback></feedback>");
    let out = mtasts(&[Path::new("--json"), &good, &dmarc], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("dmarc.xml") && lines[0].contains("DMARC"),
        "{stderr}"
    );
    // The good report is still read and printed.
    assert_eq!(json_of(&out)["reports"].as_array().unwrap().len(), 1);
    let missing = mtasts(&[&d.0.join("nope.json")], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn a_gzip_bomb_and_a_truncated_file_each_get_a_line() {
    let d = Dir::new("hostile");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..32 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = d.file("bomb.json.gz", &e.finish().unwrap());
    let gz = gzip(RFC.as_bytes());
    let cut = d.file("cut.json.gz", &gz[..gz.len() - 20]);
    let out = mtasts(&[&bomb, &cut], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bomb.json.gz") && stderr.contains("report.input.too_large"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cut.json.gz") && stderr.contains("report.gzip.corrupt"),
        "{stderr}"
    );
}

#[test]
fn standard_input_and_the_text_report() {
    let out = mtasts(&[Path::new("-")], Some(&gzip(RFC.as_bytes())));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "1 report from 1 reporter, 2016-04-01: 5326 sessions succeeded, 303 failed (5.4%)."
        ),
        "{text}"
    );
    assert!(text.contains("certificate-expired: 100 sessions"), "{text}");
    assert!(text.contains("fix: Renew the certificate"), "{text}");
    assert!(text.contains("mtasts check company-y.example"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    let out = mtasts(&[], None);
    assert_eq!(out.status.code(), Some(2));
    let out = mtasts(&[Path::new("--bogus"), Path::new("x")], None);
    assert_eq!(out.status.code(), Some(2));
}
