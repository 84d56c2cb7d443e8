//! `_mta-sts` TXT record set: RFC 8461 §3.1 and the verdict rules of CHECKLIST §2.1.

mod common;
use common::*;
use mtasts_core::{check_sts_records, RecordStatus, Severity, TxtRecord};

fn check(texts: &[&str]) -> mtasts_core::StsRecordCheck {
    check_sts_records(&records(texts))
}

#[test]
fn rfc8461_3_1_a_plain_record_is_valid_and_its_id_kept_verbatim() {
    let r = check(&["v=STSv1; id=20160831085700Z"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(r.id.as_deref(), Some("20160831085700Z"));
    assert!(errors(&r.findings).is_empty(), "{:?}", r.findings);
}

#[test]
fn rfc8461_3_1_no_record_is_none_not_invalid() {
    let r = check(&[]);
    assert_eq!(r.status, RecordStatus::None);
    assert_eq!(codes(&r.findings), ["txt.absent"]);
    assert_eq!(r.findings[0].severity, Severity::Info);
}

#[test]
fn rfc8461_3_1_unrelated_records_are_discarded_when_there_are_several() {
    let r = check(&[
        "v=spf1 -all",
        "v=STSv1; id=abc",
        "google-site-verification=x",
    ]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(r.id.as_deref(), Some("abc"));
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.code == "txt.unrelated")
            .count(),
        2
    );
}

#[test]
fn rfc8461_3_1_only_unrelated_records_means_no_policy() {
    let r = check(&["v=spf1 -all", "hello"]);
    assert_eq!(r.status, RecordStatus::None);
    assert!(has(&r.findings, "txt.absent"));
}

#[test]
fn rfc8461_3_1_two_sts_records_are_an_error_even_when_identical() {
    let r = check(&["v=STSv1; id=a", "v=STSv1; id=a"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert_eq!(r.id, None);
    assert_eq!(find(&r.findings, "txt.multiple").severity, Severity::Error);
}

#[test]
fn rfc8461_3_1_strings_are_joined_without_spaces() {
    let rec = TxtRecord {
        strings: vec![b"v=STSv1; id=2024".to_vec(), b"0101".to_vec()],
    };
    let r = check_sts_records(&[rec]);
    assert_eq!(r.id.as_deref(), Some("20240101"));
    assert!(has(&r.findings, "txt.multistring"));
}

#[test]
fn rfc8461_3_1_a_lone_spf_record_is_invalid_and_named() {
    let r = check(&["v=spf1 include:_spf.example.com -all"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    let f = find(&r.findings, "txt.spf");
    assert!(f.message.contains("SPF"));
    assert!(f.fix.as_deref().unwrap().contains("v=STSv1"));
}

#[test]
fn rfc8461_3_1_other_record_kinds_are_named() {
    let r = check(&["v=TLSRPTv1; rua=mailto:a@example.com"]);
    assert!(find(&r.findings, "txt.wrong_record")
        .message
        .contains("_smtp._tls"));
    let r = check(&["v=DMARC1; p=none"]);
    assert!(find(&r.findings, "txt.wrong_record")
        .message
        .contains("DMARC"));
}

#[test]
fn rfc8461_3_1_version_is_case_sensitive_and_first_with_hints() {
    for (text, code, words) in [
        ("V=STSv1; id=1", "txt.version.bad", "case-sensitive"),
        ("v=stsv1; id=1", "txt.version.bad", "case-sensitive"),
        ("v = STSv1; id=1", "txt.version.bad", "no spaces"),
        (" v=STSv1; id=1", "txt.version.bad", "white space"),
        ("id=1; v=STSv1", "txt.version.not_first", "first"),
        ("v=STSv2; id=1", "txt.version.bad", "does not begin"),
        ("v=STSv10; id=1", "txt.version.bad", "followed by"),
        ("v=STSv1,id=1", "txt.version.bad", "followed by"),
    ] {
        let r = check(&[text]);
        assert_eq!(r.status, RecordStatus::Invalid, "{text}");
        let f = find(&r.findings, code);
        assert!(f.message.contains(words), "{text}: {}", f.message);
    }
}

#[test]
fn rfc8461_3_1_id_is_one_to_32_letters_or_digits() {
    assert_eq!(check(&["v=STSv1; id=a"]).status, RecordStatus::Valid);
    let max = format!("v=STSv1; id={}", "9".repeat(32));
    assert_eq!(check(&[&max]).status, RecordStatus::Valid);
    for bad in [
        format!("v=STSv1; id={}", "9".repeat(33)),
        "v=STSv1; id=2024-01-01".to_string(),
        "v=STSv1; id=a_b".to_string(),
        "v=STSv1; id=a.b".to_string(),
        "v=STSv1; id=a:b".to_string(),
    ] {
        let r = check(&[&bad]);
        assert_eq!(r.status, RecordStatus::Invalid, "{bad}");
        assert!(has(&r.findings, "txt.id.bad"), "{bad}: {:?}", r.findings);
    }
}

#[test]
fn rfc8461_3_1_id_is_required_and_case_sensitive() {
    let r = check(&["v=STSv1; foo=bar"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "txt.id.missing"));
    let r = check(&["v=STSv1; ID=abc"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(find(&r.findings, "txt.extension.unknown")
        .message
        .contains("case-sensitive"));
    let r = check(&["v=STSv1;"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "txt.syntax"));
}

#[test]
fn rfc8461_3_1_empty_id_is_a_syntax_error() {
    let r = check(&["v=STSv1; id="]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert_eq!(find(&r.findings, "txt.syntax").column, Some(13));
}

#[test]
fn rfc8461_3_1_delimiter_grammar() {
    assert_eq!(check(&["v=STSv1;id=1"]).status, RecordStatus::Valid);
    assert_eq!(check(&["v=STSv1; id=1;"]).status, RecordStatus::Valid);
    assert_eq!(check(&["v=STSv1;\tid=1 ; "]).status, RecordStatus::Valid);
    let r = check(&["v=STSv1; id=1;;"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    assert!(has(&r.findings, "txt.syntax"));
    let r = check(&["v=STSv1 id=1"]);
    assert!(find(&r.findings, "txt.syntax")
        .message
        .contains("expected `;`"));
}

#[test]
fn rfc8461_3_1_trailing_white_space_makes_the_record_invalid() {
    // CHECKLIST §2.1.4: no whitespace except next to ";". Not marked tolerated, since the
    // record's status is invalid and a tolerated error would say the opposite.
    let r = check(&["v=STSv1; id=1 "]);
    assert_eq!(r.status, RecordStatus::Invalid);
    let f = find(&r.findings, "txt.syntax.trailing_whitespace");
    assert!(!f.tolerated);
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn rfc8461_3_1_must_be_us_ascii() {
    let r = check(&["v=STSv1; id=1; note=café"]);
    assert_eq!(r.status, RecordStatus::Invalid);
    let f = find(&r.findings, "txt.syntax.non_ascii");
    assert_eq!(f.column, Some(24));
    let raw = TxtRecord {
        strings: vec![b"v=STSv1; id=\xff".to_vec()],
    };
    assert_eq!(check_sts_records(&[raw]).status, RecordStatus::Invalid);
}

#[test]
fn rfc8461_3_2_extensions_are_accepted_and_listed() {
    let r = check(&["v=STSv1; id=1; ext.v1-x=some:value"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(
        find(&r.findings, "txt.extension.unknown").severity,
        Severity::Info
    );
    // Extension order is free: id after an extension.
    assert_eq!(check(&["v=STSv1; x=1; id=2"]).id.as_deref(), Some("2"));
}

#[test]
fn rfc8461_3_2_duplicate_id_first_wins() {
    let r = check(&["v=STSv1; id=first; id=second"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(r.id.as_deref(), Some("first"));
    assert_eq!(
        find(&r.findings, "txt.field.duplicate").severity,
        Severity::Warning
    );
}

#[test]
fn checklist_2_1_first_well_formed_id_counts() {
    let r = check(&["v=STSv1; id=not-valid; id=good"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(r.id.as_deref(), Some("good"));
    assert!(has(&r.findings, "txt.field.duplicate"));
}

#[test]
fn erratum_6285_space_before_semicolon_valid_alone_discarded_with_others() {
    let r = check(&["v=STSv1 ; id=1"]);
    assert_eq!(r.status, RecordStatus::Valid);
    assert_eq!(
        find(&r.findings, "txt.version.space_before_semicolon").severity,
        Severity::Warning
    );
    let r = check(&["v=STSv1 ; id=1", "v=spf1 -all"]);
    assert_eq!(r.status, RecordStatus::None);
    assert!(has(&r.findings, "txt.version.space_before_semicolon"));
}

#[test]
fn near_miss_records_among_others_are_warned_about() {
    let r = check(&["V=STSv1; id=1", "v=spf1 -all"]);
    assert_eq!(r.status, RecordStatus::None);
    assert_eq!(
        find(&r.findings, "txt.version.bad").severity,
        Severity::Warning
    );
}
