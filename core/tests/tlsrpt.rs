//! `_smtp._tls` TXT record set: RFC 8460 §3 and CHECKLIST §2.4.

mod common;
use common::*;
use mtasts_core::{check_tlsrpt_records, RecordStatus, Severity};

fn check(texts: &[&str]) -> mtasts_core::TlsRptCheck {
    check_tlsrpt_records(&records(texts))
}

#[test]
fn rfc8460_3_1_examples_are_valid() {
    let r = check(&["v=TLSRPTv1;rua=mailto:reports@example.com"]);
    assert_eq!(r.status, RecordStatus::Valid, "{:?}", r.findings);
    assert_eq!(r.rua, ["mailto:reports@example.com"]);
    let r = check(&["v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt"]);
    assert_eq!(r.status, RecordStatus::Valid);
}

#[test]
fn rfc8460_3_several_uris_split_on_commas() {
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com, https://r.example.com/x"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(r.rua.len(), 2);
}

#[test]
fn rfc8460_3_absent_multiple_and_unrelated() {
    assert_eq!(check(&[]).status, RecordStatus::None);
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com", "v=spf1 -all"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert!(has(&r.findings, "tlsrpt.unrelated"));
    let r = check(&[
        "v=TLSRPTv1; rua=mailto:a@example.com",
        "v=TLSRPTv1; rua=mailto:b@example.com",
    ]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "tlsrpt.multiple"));
}

#[test]
fn rfc8460_3_rua_is_required_and_case_sensitive() {
    let r = check(&["v=TLSRPTv1; foo=bar"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "tlsrpt.rua.missing"));
    let r = check(&["v=TLSRPTv1; RUA=mailto:a@example.com"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(find(&r.findings, "tlsrpt.rua.missing")
        .message
        .contains("case-sensitive"));
}

#[test]
fn rfc8460_3_version_is_exact() {
    let r = check(&["v=tlsrptv1; rua=mailto:a@example.com"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "tlsrpt.version.bad"));
    let r = check(&["v=STSv1; id=1"]);
    assert!(find(&r.findings, "tlsrpt.wrong_record")
        .message
        .contains("_mta-sts"));
}

#[test]
fn rfc8460_3_only_mailto_and_https_are_supported() {
    let r = check(&["v=TLSRPTv1; rua=http://r.example.com/x"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "tlsrpt.rua.unsupported_scheme"));
    assert!(has(&r.findings, "tlsrpt.rua.none_supported"));
    let r = check(&["v=TLSRPTv1; rua=http://r.example.com/x,mailto:a@example.com"]);
    assert_eq!(r.status, RecordStatus::Valid, "one usable URI is enough");
    assert_eq!(
        find(&r.findings, "tlsrpt.rua.unsupported_scheme").severity,
        Severity::Warning
    );
}

#[test]
fn rfc3986_scheme_matching_is_case_insensitive() {
    let r = check(&["v=TLSRPTv1; rua=MAILTO:a@example.com"]);
    assert_eq!(r.status, RecordStatus::Valid, "{:?}", r.findings);
}

#[test]
fn rfc8460_3_raw_exclamation_marks_must_be_encoded() {
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com!10m"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(find(&r.findings, "tlsrpt.rua.unencoded")
        .message
        .contains("DMARC"));
}

#[test]
fn rfc8460_3_raw_semicolon_truncates_the_uri() {
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com;b@example.com"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "tlsrpt.rua.truncated"), "{:?}", r.findings);
}

#[test]
fn rfc8460_3_repeated_rua_is_a_warning() {
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(
        find(&r.findings, "tlsrpt.rua.repeated").severity,
        Severity::Warning
    );
    assert_eq!(r.rua.len(), 2);
}

#[test]
fn rfc8460_3_malformed_uris_are_named() {
    for bad in [
        "v=TLSRPTv1; rua=reports@example.com",
        "v=TLSRPTv1; rua=mailto:example.com",
        "v=TLSRPTv1; rua=https:/x",
        "v=TLSRPTv1; rua=mailto:a@example.com%zz",
    ] {
        let r = check(&[bad]);
        assert_eq!(r.status, RecordStatus::Invalid, "{bad}");
        assert!(
            has(&r.findings, "tlsrpt.rua.bad_uri"),
            "{bad}: {:?}",
            r.findings
        );
    }
}

#[test]
fn rfc8460_3_unknown_fields_are_ignored() {
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com; ext=1"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert!(has(&r.findings, "tlsrpt.extension.unknown"));
}

#[test]
fn a_miscased_rua_beside_a_real_one_is_only_a_warning() {
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com; RUA=mailto:b@example.com"]);
    assert_eq!(r.status, RecordStatus::Valid, "{:?}", r.findings);
    assert_eq!(
        find(&r.findings, "tlsrpt.rua.missing").severity,
        Severity::Warning
    );
}
