#![no_main]
//! Any bytes as a TLS report file (JSON, gzip or e-mail): no panic, never an empty answer, a
//! reason whenever no report is read, and totals that can always be made.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut c = mtasts_core::aggregate::Collection::default();
    let input = c.add("fuzz", bytes);
    assert!(!input.readings.is_empty());
    for r in &input.readings {
        assert!(r.report.is_some() || !r.findings.is_empty());
    }
    let _ = c.totals();
});
