//! Reading TLS-RPT reports, for `cargo xtask bench`, which sets it beside parsedmarc's SMTP
//! TLS report parser called from Python on the same inputs (xtask/src/peer_reports.py builds
//! the large report the same way).

use criterion::{criterion_group, criterion_main, Criterion};
use mtasts_core::aggregate::read;
use std::hint::black_box;
use std::io::Write;

const RFC: &str = include_str!("../tests/reports/rfc8460-appendix-b.json");

/// A busy day at a large receiver: one policy, `n` failure details.
fn large(n: usize) -> String {
    let details: Vec<String> = (0..n)
        .map(|i| format!("{{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":\"192.0.2.{}\",\"receiving-mx-hostname\":\"mx{}.example.com\",\"failed-session-count\":{i}}}", i % 250, i % 4))
        .collect();
    format!("{{\"organization-name\":\"Example\",\"date-range\":{{\"start-datetime\":\"2026-11-30T00:00:00Z\",\"end-datetime\":\"2026-11-30T23:59:59Z\"}},\"contact-info\":\"tls@example.net\",\"report-id\":\"large\",\"policies\":[{{\"policy\":{{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\",\"mode: enforce\",\"mx: *.example.com\",\"max_age: 604800\"],\"policy-domain\":\"example.com\"}},\"summary\":{{\"total-successful-session-count\":100000,\"total-failure-session-count\":{}}},\"failure-details\":[{}]}}]}}", n * (n - 1) / 2, details.join(","))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn reports(c: &mut Criterion) {
    let big = large(1000);
    let inputs = [
        ("report_rfc_json", RFC.as_bytes().to_vec()),
        ("report_rfc_gzip", gzip(RFC.as_bytes())),
        ("report_large_json", big.clone().into_bytes()),
        ("report_large_gzip", gzip(big.as_bytes())),
    ];
    for (name, bytes) in &inputs {
        assert!(read(bytes)[0].is_valid(), "{name}");
        c.bench_function(name, |b| b.iter(|| read(black_box(bytes))));
    }
}

criterion_group!(benches, reports);
criterion_main!(benches);
