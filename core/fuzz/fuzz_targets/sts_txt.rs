#![no_main]
//! Any record set at `_mta-sts`: records split on 0xFF bytes, strings on 0xFE.

use libfuzzer_sys::fuzz_target;
use mtasts_core::{RecordStatus, TxtRecord};

fuzz_target!(|data: &[u8]| {
    let records: Vec<TxtRecord> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0xFF)
            .map(|r| TxtRecord { strings: r.split(|&b| b == 0xFE).map(<[u8]>::to_vec).collect() })
            .collect()
    };
    let check = mtasts_core::check_sts_records(&records);
    assert_eq!(check.id.is_some(), check.status == RecordStatus::Valid);
    if let Some(id) = &check.id {
        assert!((1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
});
