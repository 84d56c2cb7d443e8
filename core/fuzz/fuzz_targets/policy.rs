#![no_main]
//! Any bytes as a policy body: no panic, findings inside the input, validity consistent.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let check = mtasts_core::check_policy(body);
    let lines = body.split(|&b| b == b'\n').count() as u32;
    for f in &check.findings {
        if let Some(line) = f.line {
            assert!(line >= 1 && line <= lines);
        }
    }
    if let Some(policy) = &check.policy {
        // What was understood renders to a policy that means the same.
        let again = mtasts_core::check_policy(policy.render().as_bytes());
        assert_eq!(again.policy.as_ref().map(|p| (p.mode, p.max_age)), Some((policy.mode, policy.max_age)));
    }
});
