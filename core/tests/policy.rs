//! Policy body: RFC 8461 §3.2 grammar and semantics, §3.3 size, advice of §5, §8.3, §10.

mod common;
use common::*;
use mtasts_core::{check_policy, Mode, Severity};

const GOOD: &str =
    "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n";

#[test]
fn rfc8461_3_2_a_good_policy_is_valid() {
    let r = check_policy(GOOD.as_bytes());
    assert!(r.valid, "{:?}", r.findings);
    let p = r.policy.unwrap();
    assert_eq!(p.mode, Mode::Enforce);
    assert_eq!(p.max_age, 604800);
    assert_eq!(p.mx, ["mail.example.com", "*.example.net"]);
}

#[test]
fn rfc8461_3_2_lf_crlf_and_mixed_line_endings_are_all_valid() {
    // A trap: some tools reject LF, following the prose rather than the ABNF (erratum 6253).
    let crlf = GOOD.replace('\n', "\r\n");
    let mixed = "version: STSv1\r\nmode: enforce\nmx: a.example\r\nmax_age: 604800";
    for body in [GOOD, crlf.as_str(), mixed] {
        let r = check_policy(body.as_bytes());
        assert!(r.valid, "{body:?}: {:?}", r.findings);
    }
    // Only a mix is mentioned, as information.
    assert!(!has(
        &check_policy(GOOD.as_bytes()).findings,
        "policy.line_endings"
    ));
    assert!(!has(
        &check_policy(crlf.as_bytes()).findings,
        "policy.line_endings"
    ));
    let f = check_policy(mixed.as_bytes()).findings;
    assert_eq!(find(&f, "policy.line_endings").severity, Severity::Info);
}

#[test]
fn rfc8461_3_2_a_bare_cr_is_not_a_line_ending() {
    let r = check_policy(b"version: STSv1\rmode: enforce\nmx: a.example\nmax_age: 86400\n");
    assert!(!r.valid);
    let f = find(&r.findings, "policy.syntax.bare_cr");
    assert_eq!((f.line, f.column), (Some(1), Some(15)));
    let r = check_policy(b"version: STSv1\r\r\nmode: none\nmax_age: 86400\n");
    assert!(has(&r.findings, "policy.syntax.bare_cr"));
}

#[test]
fn rfc8461_3_2_blank_lines_are_errors_that_lenient_senders_tolerate() {
    let r = check_policy(b"version: STSv1\n\nmode: enforce\nmx: a.example\nmax_age: 604800\n");
    assert!(!r.valid);
    let f = find(&r.findings, "policy.syntax.blank_line");
    assert!(f.tolerated);
    assert_eq!(f.line, Some(2));
    assert!(
        r.policy.is_some(),
        "the fields are still read for lenient senders"
    );
    assert_eq!(errors(&r.findings), ["policy.syntax.blank_line"]);
}

#[test]
fn rfc8461_3_2_an_extra_final_newline_is_a_tolerated_blank_line() {
    let r = check_policy(format!("{GOOD}\n").as_bytes());
    assert!(!r.valid);
    let f = find(&r.findings, "policy.syntax.blank_line");
    assert!(f.tolerated && f.message.contains("end"));
    assert_eq!(f.line, Some(6));
}

#[test]
fn rfc8461_3_2_one_final_terminator_is_optional() {
    let r = check_policy(GOOD.trim_end().as_bytes());
    assert!(r.valid, "{:?}", r.findings);
}

#[test]
fn rfc8461_3_2_trailing_white_space_after_a_value_is_allowed() {
    let r = check_policy(b"version: STSv1 \nmode: enforce\t\nmx: a.example  \nmax_age: 604800 \n");
    assert!(r.valid, "{:?}", r.findings);
    assert_eq!(r.policy.unwrap().mx, ["a.example"]);
}

#[test]
fn rfc8461_3_2_indentation_comments_bom_and_space_before_colon() {
    let r = check_policy(b" version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n");
    assert!(find(&r.findings, "policy.syntax.indented").tolerated);
    let r =
        check_policy(b"# policy\nversion: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n");
    let f = find(&r.findings, "policy.syntax.comment");
    assert!(!f.tolerated);
    assert_eq!(f.line, Some(1));
    let r = check_policy(
        b"\xEF\xBB\xBFversion: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n",
    );
    assert!(!r.valid);
    assert!(has(&r.findings, "policy.syntax.bom"));
    let r = check_policy(b"version : STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n");
    let f = find(&r.findings, "policy.syntax.space_before_colon");
    assert!(f.tolerated);
    assert_eq!((f.line, f.column), (Some(1), Some(8)));
}

#[test]
fn rfc8461_3_2_key_value_lines_use_a_colon() {
    let r = check_policy(b"version=STSv1\nmode: none\nmax_age: 86400\n");
    assert!(find(&r.findings, "policy.syntax.no_colon")
        .message
        .contains("\"=\""));
    assert!(has(&r.findings, "policy.version.missing"));
}

#[test]
fn rfc8461_3_2_version_is_exactly_stsv1() {
    let r = check_policy(b"version: stsv1\nmode: none\nmax_age: 86400\n");
    assert!(find(&r.findings, "policy.version.bad")
        .message
        .contains("case-sensitive"));
    assert!(r.policy.is_none());
}

#[test]
fn rfc8461_3_2_modes_are_enforce_testing_none_case_sensitive() {
    for (value, hint) in [
        ("Enforce", "case-sensitive"),
        ("report", "draft"),
        ("on", "not one of"),
    ] {
        let body = format!("version: STSv1\nmode: {value}\nmx: a.example\nmax_age: 86400\n");
        let r = check_policy(body.as_bytes());
        assert!(
            find(&r.findings, "policy.mode.bad").message.contains(hint),
            "{value}"
        );
        assert!(r.policy.is_none());
    }
}

#[test]
fn rfc8461_3_2_max_age_is_1_to_10_digits_up_to_31557600() {
    let with = |v: &str| {
        check_policy(
            format!("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: {v}\n").as_bytes(),
        )
    };
    assert!(with("31557600").valid);
    assert_eq!(with("0031557600").policy.unwrap().max_age, 31557600);
    let r = with("31557601");
    assert_eq!(
        find(&r.findings, "policy.max_age.out_of_range").severity,
        Severity::Error
    );
    for (v, why) in [
        ("+1", "sign"),
        ("-1", "sign"),
        ("86400s", "unit"),
        ("1d", "unit"),
        ("1e6", "digits only"),
        ("0x10", "digits only"),
        ("12345678901", "11 digits"),
        ("99999999999999999999999", "23 digits"),
    ] {
        let r = with(v);
        assert!(
            find(&r.findings, "policy.max_age.bad")
                .message
                .contains(why),
            "{v}"
        );
        assert!(r.policy.is_none(), "{v}");
    }
    // Ten digits fit in 64 bits: no wrap, just out of range.
    assert!(has(
        &with("9999999999").findings,
        "policy.max_age.out_of_range"
    ));
}

#[test]
fn rfc8461_3_2_required_fields_are_reported_missing_with_hints() {
    let r = check_policy(b"version: STSv1\nMode: enforce\nmx: a.example\nmax-age: 86400\n");
    assert!(find(&r.findings, "policy.mode.missing")
        .message
        .contains("Mode"));
    assert!(find(&r.findings, "policy.max_age.missing")
        .message
        .contains("max-age"));
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.code == "policy.field.misspelled")
            .count(),
        2
    );
}

#[test]
fn rfc8461_3_2_mx_is_required_unless_mode_none() {
    let r = check_policy(b"version: STSv1\nmode: enforce\nmax_age: 86400\n");
    assert!(has(&r.findings, "policy.mx.missing"));
    assert!(r.policy.is_none());
    // A trap: some tools demand mx even in mode none.
    let r = check_policy(b"version: STSv1\nmode: none\nmax_age: 86400\n");
    assert!(r.valid, "{:?}", r.findings);
    assert_eq!(r.policy.unwrap().mode, Mode::None);
}

#[test]
fn rfc8461_3_2_each_mx_on_its_own_line() {
    let r =
        check_policy(b"version: STSv1\nmode: enforce\nmx: a.example, b.example\nmax_age: 86400\n");
    assert!(has(&r.findings, "policy.mx.list"));
    assert!(has(&r.findings, "policy.mx.missing"));
}

#[test]
fn rfc8461_3_2_mx_values_are_wildcard_or_ldh_names() {
    for (value, words) in [
        ("mx*.example.com", "leftmost label"),
        ("a.*.example.com", "leftmost label"),
        (".example.com", "*.example.com"),
        ("mx.example.com.", "mx.example.com"),
        ("mx.example.com:25", "port"),
        ("[192.0.2.1]", "IP address"),
        ("mx_1.example.com", "\"_\""),
        ("", "empty"),
    ] {
        let body = format!(
            "version: STSv1\nmode: testing\nmx: good.example\nmx: {value}\nmax_age: 86400\n"
        );
        let r = check_policy(body.as_bytes());
        let f = find(&r.findings, "policy.mx.bad");
        let text = format!("{} {}", f.message, f.fix.clone().unwrap_or_default());
        assert!(text.contains(words), "{value}: {text}");
        assert_eq!(f.line, Some(4));
        assert!(!r.valid);
        assert_eq!(r.policy.unwrap().mx, ["good.example"]);
    }
}

#[test]
fn rfc8461_3_2_mx_must_be_a_labels() {
    let r = check_policy(
        "version: STSv1\nmode: enforce\nmx: mx.bücher.example\nmax_age: 86400\n".as_bytes(),
    );
    let f = find(&r.findings, "policy.mx.ulabel");
    assert!(f
        .fix
        .as_deref()
        .unwrap()
        .contains("mx.xn--bcher-kva.example"));
}

#[test]
fn mx_advice_numeric_wildcards_duplicates() {
    let r = check_policy(b"version: STSv1\nmode: enforce\nmx: 192.0.2.10\nmx: *.example.com\nmx: *.com\nmx: *.co.uk\nmx: *.EXAMPLE.com\nmax_age: 604800\n");
    assert_eq!(
        find(&r.findings, "policy.mx.looks_like_ip").severity,
        Severity::Warning
    );
    assert_eq!(
        find(&r.findings, "policy.mx.wildcard").severity,
        Severity::Info
    );
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.code == "policy.mx.wildcard_public_suffix")
            .count(),
        2
    );
    assert!(has(&r.findings, "policy.mx.duplicate"));
    assert!(r.valid, "advice only: {:?}", errors(&r.findings));
}

#[test]
fn rfc8461_3_2_unknown_fields_are_ignored_and_near_misses_flagged() {
    let r = check_policy(format!("{GOOD}x-owner: ops team\n").as_bytes());
    assert!(r.valid);
    assert_eq!(
        find(&r.findings, "policy.extension.unknown").severity,
        Severity::Info
    );
    // A trap: `nmx` is one edit from `mx`, and the MX it names is not in the policy.
    let r = check_policy(format!("{GOOD}nmx: backup.example.com\n").as_bytes());
    let f = find(&r.findings, "policy.field.misspelled");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("\"mx\""));
    assert_eq!(r.policy.unwrap().mx.len(), 2);
}

#[test]
fn rfc8461_3_2_duplicate_fields_first_wins() {
    let r = check_policy(
        b"version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmax_age: 604800\n",
    );
    let f = find(&r.findings, "policy.field.duplicate");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.line, Some(3));
    assert_eq!(r.policy.unwrap().mode, Mode::Testing);
}

#[test]
fn rfc8461_3_2_extension_values_and_names_follow_the_grammar() {
    let r = check_policy(format!("{GOOD}x: a\tb\n").as_bytes());
    assert!(has(&r.findings, "policy.syntax"));
    let r = check_policy(format!("{GOOD}max age: 1\n").as_bytes());
    assert_eq!(find(&r.findings, "policy.syntax").line, Some(6));
    let r = check_policy(format!("{GOOD}note: café\n").as_bytes());
    assert!(r.valid, "UTF-8 is allowed in extension values");
}

#[test]
fn rfc8461_3_2_invalid_utf8_is_located() {
    let r = check_policy(b"version: STSv1\nmode: none\nx: ab\xffc\nmax_age: 86400\n");
    let f = find(&r.findings, "policy.syntax.encoding");
    assert_eq!((f.line, f.column), (Some(3), Some(6)));
}

#[test]
fn rfc8461_3_3_bodies_over_64_kib_are_flagged() {
    let mut body = GOOD.to_string();
    while body.len() <= 64 * 1024 {
        body.push_str("x-pad: 0123456789012345678901234567890123456789\n");
    }
    let r = check_policy(body.as_bytes());
    assert_eq!(
        find(&r.findings, "policy.size.too_large").severity,
        Severity::Warning
    );
}

#[test]
fn empty_policy() {
    let r = check_policy(b"");
    assert_eq!(codes(&r.findings), ["policy.empty"]);
    assert!(!r.valid);
}

#[test]
fn rfc8461_5_mode_and_max_age_advice_are_warnings() {
    let r = check_policy(b"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 3600\n");
    assert!(r.valid);
    assert_eq!(
        find(&r.findings, "policy.mode.testing").severity,
        Severity::Warning
    );
    assert_eq!(
        find(&r.findings, "policy.max_age.short").severity,
        Severity::Warning
    );
    let r = check_policy(b"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 604800\n");
    assert_eq!(
        find(&r.findings, "policy.max_age.below_weeks").severity,
        Severity::Info
    );
    let r = check_policy(b"version: STSv1\nmode: none\nmax_age: 86400\n");
    assert_eq!(
        find(&r.findings, "policy.mode.none").severity,
        Severity::Warning
    );
    assert!(
        !has(&r.findings, "policy.max_age.short"),
        "a short max_age suits mode none"
    );
    let r = check_policy(b"version: STSv1\nmode: none\nmax_age: 0\n");
    assert!(has(&r.findings, "policy.max_age.short"));
}

#[test]
fn rfc8461_3_2_field_order_is_free() {
    let r = check_policy(b"max_age: 604800\nmx: a.example\nmode: enforce\nversion: STSv1\n");
    assert!(r.valid, "{:?}", r.findings);
}
