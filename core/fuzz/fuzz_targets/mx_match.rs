#![no_main]
//! Any host and patterns (split on newlines): no panic, and a reported match is real.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let mut parts = data.split('\n');
    let host = parts.next().unwrap_or("");
    let patterns: Vec<&str> = parts.collect();
    let check = mtasts_core::check_match(host, &patterns);
    if let Some(p) = &check.pattern {
        assert!(patterns.contains(&p.as_str()));
        assert!(mtasts_core::pattern::parse_pattern(p).is_ok());
    }
});
