//! The report reader never panics, whatever bytes it is given: random bytes, and the sample
//! reports in each form cut, flipped and spliced.
#![cfg(feature = "reports")]

use mtasts_core::aggregate::{read, Collection};
use proptest::prelude::*;
use std::io::Write;

const SAMPLES: &[&str] = &[
    include_str!("reports/rfc8460-appendix-b.json"),
    include_str!("reports/google-style.json"),
    include_str!("reports/microsoft-style.json"),
];

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn seed(i: usize, form: u8) -> Vec<u8> {
    let json = SAMPLES[i % SAMPLES.len()].as_bytes();
    match form % 3 {
        0 => json.to_vec(),
        1 => gzip(json),
        _ => {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(gzip(json));
            format!("From: a@b\r\nTLS-Report-Domain: x\r\nContent-Type: multipart/report; report-type=tlsrpt; boundary=q\r\n\r\n--q\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--q--\r\n").into_bytes()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let readings = read(&bytes);
        prop_assert!(!readings.is_empty());
        for r in &readings {
            prop_assert!(r.report.is_some() || !r.findings.is_empty());
        }
    }

    #[test]
    fn mutated_reports_never_panic(
        i in 0usize..3,
        form in 0u8..3,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = seed(i, form);
        for (at, byte, kind) in edits {
            let n = bytes.len().max(1);
            let at = at.index(n).min(bytes.len());
            match kind {
                0 if at < bytes.len() => bytes[at] ^= byte | 1,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => {}
            }
        }
        let keep = cut.index(bytes.len() + 1);
        let mut c = Collection::default();
        c.add("mutated", &bytes);
        c.add("cut", &bytes[..keep]);
        let _ = c.totals();
        prop_assert_eq!(c.inputs.len(), 2);
    }

    #[test]
    fn any_json_value_in_any_field_never_panics(
        field in prop::sample::select(vec!["organization-name", "date-range", "contact-info", "report-id", "policies"]),
        value in prop::sample::select(vec!["null", "true", "-1", "1e400", "18446744073709551616", "\"\"", "[]", "{}", "[{}]", "[[[]]]", "\"\\ud800\""]),
    ) {
        let text = format!("{{\"{field}\": {value}, \"policies\": [{{\"policy\": {value}, \"summary\": {value}, \"failure-details\": [{value}]}}]}}");
        let _ = read(text.as_bytes());
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = read(format!("{{\"policies\": {deep}}}").as_bytes());
    assert_eq!(r[0].findings[0].code, "report.json.syntax");
}
