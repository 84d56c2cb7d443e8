//! The page reads the companion's JSON answers with serde-json-core (small in wasm) while the
//! companion writes them with serde_json: every answer the companion can send must read back
//! as the same value, escapes, nulls, non-ASCII text and fields the page does not know
//! included.

use mtasts_core::report::{
    Certificate, FetchStatus, PolicyFetch, ProbeResult, TlsProbe, TlsStatus,
};
use serde::de::DeserializeOwned;

fn read<T: DeserializeOwned>(json: &str) -> Result<T, serde_json_core::de::Error> {
    let mut scratch = vec![0u8; json.len()];
    serde_json_core::from_slice_escaped::<T>(json.as_bytes(), &mut scratch).map(|(v, _)| v)
}

fn cert() -> Certificate {
    Certificate {
        subject: "CN=mx1.example.com".into(),
        sans: vec!["mx1.example.com".into(), "bücher.example".into()],
        issuer: "CN=Test CA \"quoted\"".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        not_after: "2027-01-01T00:00:00Z".into(),
        days_left: -3,
        chain_len: 2,
    }
}

#[test]
fn a_policy_answer_reads_back_as_written() {
    let mut fetch = PolicyFetch::new(
        FetchStatus::Ok,
        "https://mta-sts.example.com/.well-known/mta-sts.txt",
    );
    fetch.http_status = Some(200);
    fetch.content_type = Some("text/plain; charset=utf-8".into());
    fetch.certificate = Some(cert());
    fetch.set_body(b"version: STSv1\r\nmode: enforce\nmx: *.example.com\tx\n\x01\x7f \xc3\xa9 \xf0\x9f\x93\xa7\nmax_age: 86400\n");
    fetch.elapsed_ms = Some(12);
    let json = serde_json::to_string(&fetch).unwrap();
    assert!(
        json.contains("\\r\\n") && json.contains("\\u0001"),
        "{json}"
    );
    assert_eq!(read::<PolicyFetch>(&json).unwrap(), fetch);
}

#[test]
fn a_probe_answer_reads_back_as_written() {
    let mut tls = TlsProbe::new(
        TlsStatus::CertificateExpired,
        Some("expired 3 days ago".into()),
    );
    tls.cert = Some(cert());
    tls.version = Some("TLSv1.3".into());
    tls.transcript = vec!["S: 220 mx1.example.com ESMTP".into(), "C: STARTTLS".into()];
    let probe = ProbeResult {
        addresses: vec!["192.0.2.1".into()],
        tls: tls.clone(),
        probes: vec![tls],
    };
    let json = serde_json::to_string(&probe).unwrap();
    assert_eq!(read::<ProbeResult>(&json).unwrap(), probe);
}

#[test]
fn fields_the_page_does_not_know_are_skipped_and_bad_answers_are_errors() {
    let json = r#"{"addresses":[],"tls":{"status":"ok","version":null,"cipher":null,"cert":null,"transcript":[],"future":{"a":[1,2,{"b":"c"}]}},"probes":[],"also":true}"#;
    let probe: ProbeResult = read(json).unwrap();
    assert_eq!(probe.tls.status, TlsStatus::Ok);
    assert!(read::<ProbeResult>(r#"{"addresses":[],"tls":{"status":"no-such-status"}}"#).is_err());
    assert!(read::<ProbeResult>(r#"{"addresses":["#).is_err());
    assert!(read::<ProbeResult>("<html>busy</html>").is_err());
}
