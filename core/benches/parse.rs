//! Parsing throughput of the core, for `cargo xtask bench`, which sets it beside the parsers
//! of checkdmarc and postfix-mta-sts-resolver called from Python on the same inputs.

use criterion::{criterion_group, criterion_main, Criterion};
use mtasts_core::{check_match, check_policy, check_sts_records, check_tlsrpt_records, TxtRecord};
use std::hint::black_box;

/// The inputs the Python side uses too (xtask/src/peer_parsers.py reads the same strings).
pub const POLICY: &str =
    "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n";
pub const RECORD: &str = "v=STSv1; id=20240101T000000";
pub const TLSRPT: &str = "v=TLSRPTv1; rua=mailto:tls-reports@example.com";

fn parse(c: &mut Criterion) {
    c.bench_function("policy", |b| {
        b.iter(|| check_policy(black_box(POLICY.as_bytes())))
    });
    let record = [TxtRecord::from_text(RECORD)];
    c.bench_function("sts_record", |b| {
        b.iter(|| check_sts_records(black_box(&record)))
    });
    let tlsrpt = [TxtRecord::from_text(TLSRPT)];
    c.bench_function("tlsrpt_record", |b| {
        b.iter(|| check_tlsrpt_records(black_box(&tlsrpt)))
    });
    c.bench_function("mx_match", |b| {
        b.iter(|| {
            check_match(
                black_box("mail.example.net"),
                black_box(&["mx1.example.com", "*.example.net"]),
            )
        })
    });
}

criterion_group!(benches, parse);
criterion_main!(benches);
