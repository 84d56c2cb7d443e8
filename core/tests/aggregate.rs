//! TLS-RPT aggregate reports: every field, every result type, every input form, and what
//! each kind of bad input gets.
#![cfg(feature = "reports")]

use base64::Engine;
use mtasts_core::aggregate::{
    self, explain, read, Collection, Form, Scope, MAX_REPORT_BYTES, UNATTRIBUTED,
};
use std::io::Write;

const RFC: &str = include_str!("reports/rfc8460-appendix-b.json");
const GOOGLE: &str = include_str!("reports/google-style.json");
const MICROSOFT: &str = include_str!("reports/microsoft-style.json");

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A report message as RFC 8460 §5.3 describes it, the attachment base64 in 76-column lines.
fn eml(attachment: &[u8], media: &str, name: &str) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(attachment);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "From: noreply-smtp-tls-reporting@google.com\r\n\
         To: tls-reports@good.test\r\n\
         Subject: Report Domain: good.test Submitter: google.com Report-ID: <2026.11.29T00.00.00Z+good.test@google.com>\r\n\
         TLS-Report-Domain: good.test\r\n\
         TLS-Report-Submitter: google.com\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b1\"\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=\"UTF-8\"\r\n\
         \r\n\
         This is an aggregate TLS report from google.com\r\n\
         --b1\r\n\
         Content-Type: {media}\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         \r\n\
         {}\r\n\
         --b1--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

fn codes(findings: &[mtasts_core::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_ref()).collect()
}

fn one(bytes: &[u8]) -> aggregate::Reading {
    let mut readings = read(bytes);
    assert_eq!(readings.len(), 1, "{readings:?}");
    readings.remove(0)
}

#[test]
fn the_rfc_example_is_read_field_by_field() {
    let r = one(RFC.as_bytes());
    assert_eq!(r.form, Form::Json);
    let report = r.report.as_ref().unwrap();
    assert_eq!(report.organization_name, "Company-X");
    assert_eq!(report.contact_info, "sts-reporting@company-x.example");
    assert_eq!(report.report_id, "5065427c-23d3-47ca-b6e0-946ea0e8c4be");
    assert_eq!(report.date_range.start, "2016-04-01T00:00:00Z");
    assert_eq!(report.date_range.end, "2016-04-01T23:59:59Z");
    assert_eq!(report.date_range.day().as_deref(), Some("2016-04-01"));
    let p = &report.policies[0];
    assert_eq!(p.policy.policy_type, "sts");
    assert_eq!(p.policy.policy_domain, "company-y.example");
    assert_eq!(p.policy.policy_string.len(), 4);
    assert_eq!(p.policy.mx_host, ["*.mail.company-y.example"]);
    assert_eq!(p.summary.total_successful_session_count, 5326);
    assert_eq!(p.summary.total_failure_session_count, 303);
    let d = &p.failure_details;
    assert_eq!(d.len(), 3);
    assert_eq!(d[0].result_type, "certificate-expired");
    assert_eq!(
        d[0].sending_mta_ip.as_deref(),
        Some("2001:db8:abcd:0012::1")
    );
    assert_eq!(
        d[0].receiving_mx_hostname.as_deref(),
        Some("mx1.mail.company-y.example")
    );
    assert_eq!(d[0].failed_session_count, 100);
    assert_eq!(d[1].receiving_ip.as_deref(), Some("203.0.113.56"));
    assert!(d[1]
        .additional_information
        .as_deref()
        .unwrap()
        .starts_with("https://reports.company-x.example/"));
    assert_eq!(
        d[2].failure_reason_code.as_deref(),
        Some("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED")
    );
    assert!(r.is_valid(), "{:?}", r.findings);
    // The RFC's own example sends mx-host as a string (erratum 6241): read, and said.
    assert_eq!(codes(&r.findings), ["report.mx_host.string"]);
}

#[test]
fn reporter_quirks_are_read_and_named() {
    let r = one(MICROSOFT.as_bytes());
    assert!(r.is_valid(), "{:?}", r.findings);
    let report = r.report.unwrap();
    let p = &report.policies[0];
    assert_eq!(p.summary.total_successful_session_count, 97);
    assert_eq!(p.summary.total_failure_session_count, 4);
    let d = &p.failure_details[0];
    assert_eq!(d.failed_session_count, 4);
    assert_eq!(
        d.receiving_mx_hostname.as_deref(),
        Some("mx1.good.test"),
        "trailing dot dropped"
    );
    assert_eq!(d.receiving_ip, None, "empty string is absent");
    assert_eq!(d.failure_reason_code, None);
    assert_eq!(report.date_range.day().as_deref(), Some("2026-11-30"));
    let c = codes(&r.findings);
    assert!(c.contains(&"report.field.number_as_string"), "{c:?}");
    assert!(c.contains(&"report.field.empty"), "{c:?}");
    assert!(c.contains(&"report.field.unknown"), "{c:?}");
    let numbers = r
        .findings
        .iter()
        .find(|f| f.code == "report.field.number_as_string")
        .unwrap();
    assert!(
        numbers.message.contains("(3 times)") && numbers.message.contains("`failed-session-count`"),
        "{}",
        numbers.message
    );
    let unknown = r
        .findings
        .iter()
        .find(|f| f.code == "report.field.unknown")
        .unwrap();
    assert!(
        unknown.message.contains("x-ms-session-ids"),
        "{}",
        unknown.message
    );
}

#[test]
fn missing_required_fields_are_errors_and_the_rest_is_read() {
    let text = r#"{"organization-name":"X","date-range":{"start-datetime":"2026-11-29T00:00:00Z"},
        "policies":[{"policy":{"policy-domain":"good.test"},"summary":{"total-successful-session-count":3},
        "failure-details":[{"failed-session-count":1}]}]}"#;
    let r = one(text.as_bytes());
    assert!(!r.is_valid());
    let missing: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.code == "report.field.missing")
        .map(|f| f.message.as_str())
        .collect();
    for field in [
        "contact-info",
        "report-id",
        "date-range.end-datetime",
        "policies[0].policy.policy-type",
        "policies[0].summary.total-failure-session-count",
        "policies[0].failure-details[0].result-type",
    ] {
        assert!(
            missing.iter().any(|m| m.contains(&format!(" {field},"))),
            "{field} in {missing:?}"
        );
    }
    assert_eq!(r.report.unwrap().successful(), 3);
}

#[test]
fn wrong_types_are_errors_with_their_place() {
    for (text, place) in [
        (r#"{"policies": {}}"#, "policies is an object"),
        (r#"{"policies": [1]}"#, "policies[0] is a number"),
        (
            r#"{"policies": [{"summary": {"total-successful-session-count": -1}}]}"#,
            "is -1",
        ),
        (
            r#"{"policies": [{"summary": {"total-successful-session-count": 1.5}}]}"#,
            "is 1.5",
        ),
        (
            r#"{"policies": [{"summary": {"total-successful-session-count": "many"}}]}"#,
            "\"many\"",
        ),
        (
            r#"{"policies": [{"summary": {"total-successful-session-count": true}}]}"#,
            "is a boolean",
        ),
        (
            r#"{"organization-name": ["X"]}"#,
            "organization-name is an array",
        ),
        (r#"{"date-range": "2026-11-29"}"#, "date-range is a string"),
    ] {
        let r = one(text.as_bytes());
        let msg = r
            .findings
            .iter()
            .filter(|f| f.code == "report.field.type")
            .map(|f| f.message.clone())
            .collect::<Vec<_>>();
        assert!(msg.iter().any(|m| m.contains(place)), "{text}: {msg:?}");
        assert!(!r.is_valid());
    }
}

#[test]
fn values_out_of_the_rfc_are_named() {
    let text = r#"{"organization-name":"X","contact-info":"a@x","report-id":"1",
        "date-range":{"start-datetime":"2026-11-30T00:00:00Z","end-datetime":"yesterday"},
        "policies":[{"policy":{"policy-type":"mta-sts","policy-domain":"bücher.test"},
          "summary":{"total-successful-session-count":0,"total-failure-session-count":5},
          "failure-details":[{"result-type":"certificate-revoked","sending-mta-ip":"300.1.1.1","failed-session-count":2}]}]}"#;
    let r = one(text.as_bytes());
    let c = codes(&r.findings);
    for code in [
        "report.date.bad",
        "report.policy_type.unknown",
        "report.domain.ulabel",
        "report.ip.bad",
        "report.counts.mismatch",
    ] {
        assert!(c.contains(&code), "{code} in {c:?}");
    }
    assert!(
        r.is_valid(),
        "none of these stops the report being read: {c:?}"
    );
    let backwards = r#"{"organization-name":"X","contact-info":"a@x","report-id":"1","policies":[],
        "date-range":{"start-datetime":"2026-11-30T00:00:00Z","end-datetime":"2026-11-29T00:00:00Z"}}"#;
    let c2 = codes(&one(backwards.as_bytes()).findings).join(" ");
    assert!(
        c2.contains("report.date.order") && c2.contains("report.policies.empty"),
        "{c2}"
    );
}

#[test]
fn every_result_type_has_words_a_fix_and_a_scope() {
    let mx = [
        "starttls-not-supported",
        "certificate-host-mismatch",
        "certificate-expired",
        "certificate-not-trusted",
        "validation-failure",
    ];
    let policy = [
        "sts-policy-fetch-error",
        "sts-policy-invalid",
        "sts-webpki-invalid",
    ];
    let dane = ["tlsa-invalid", "dnssec-invalid", "dane-required"];
    let mut titles = std::collections::HashSet::new();
    for (types, scope) in [
        (&mx[..], Scope::Mx),
        (&policy[..], Scope::Policy),
        (&dane[..], Scope::Dane),
    ] {
        for t in types {
            let e = explain(t);
            assert_eq!(e.scope, scope, "{t}");
            assert!(e.meaning.len() > 40 && e.fix.len() > 40, "{t}");
            assert!(e.rfc.starts_with("RFC 8460 §4.3"), "{t}");
            assert!(titles.insert(e.title), "{t} shares a title");
        }
    }
    assert_eq!(explain("something-new").scope, Scope::Unknown);
}

#[test]
fn gzip_and_email_forms_give_the_same_report() {
    let json = one(GOOGLE.as_bytes());
    let gz = one(&gzip(GOOGLE.as_bytes()));
    assert_eq!(gz.form, Form::Gzip);
    assert_eq!(gz.report, json.report);
    let mail = one(&eml(
        &gzip(GOOGLE.as_bytes()),
        "application/tlsrpt+gzip",
        "google.com!good.test!1764374400!1764460799!001.json.gz",
    ));
    assert_eq!(mail.form, Form::Email);
    assert_eq!(mail.report, json.report);
    assert!(mail.is_valid(), "{:?}", mail.findings);
    assert_eq!(
        mail.attachment.as_deref(),
        Some("google.com!good.test!1764374400!1764460799!001.json.gz")
    );
    let facts = mail.email.unwrap();
    assert_eq!(facts.report_domain.as_deref(), Some("good.test"));
    assert_eq!(facts.submitter.as_deref(), Some("google.com"));
    // Uncompressed JSON attachments (application/tlsrpt+json), and octet-stream with a
    // report file name, are reports too.
    let plain = one(&eml(GOOGLE.as_bytes(), "application/tlsrpt+json", "r.json"));
    assert_eq!(plain.report, json.report);
    let octet = one(&eml(
        &gzip(GOOGLE.as_bytes()),
        "application/octet-stream",
        "r.json.gz",
    ));
    assert_eq!(octet.report, json.report);
}

#[test]
fn an_email_that_breaks_section_5_3_is_read_with_notes() {
    let mail = String::from_utf8(eml(
        &gzip(RFC.as_bytes()),
        "application/tlsrpt+gzip",
        "r.json.gz",
    ))
    .unwrap();
    let mail = mail
        .replace(
            "multipart/report; report-type=\"tlsrpt\";",
            "multipart/mixed;",
        )
        .replace("TLS-Report-Domain: good.test\r\n", "");
    let r = one(mail.as_bytes());
    assert!(r.report.is_some());
    let c = codes(&r.findings);
    assert!(c.contains(&"report.email.content_type"), "{c:?}");
    assert!(c.contains(&"report.email.header_missing"), "{c:?}");
    assert!(
        c.contains(&"report.email.submitter_mismatch"),
        "contact-info is at company-x.example: {c:?}"
    );
}

#[test]
fn a_forwarded_report_is_found_inside() {
    let inner = String::from_utf8(eml(
        &gzip(GOOGLE.as_bytes()),
        "application/tlsrpt+gzip",
        "r.json.gz",
    ))
    .unwrap();
    let outer = format!(
        "From: admin@good.test\r\nTo: admin@good.test\r\nSubject: Fwd: Report Domain: good.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--outer--\r\n"
    );
    let r = one(outer.as_bytes());
    assert_eq!(r.report.unwrap().organization_name, "Google Inc.");
}

#[test]
fn a_message_without_a_report_says_so() {
    let mail = "From: a@b\r\nSubject: hello\r\nContent-Type: text/plain\r\n\r\nno report here\r\n";
    let r = one(mail.as_bytes());
    assert_eq!(codes(&r.findings), ["report.email.no_report"]);
    assert!(!r.is_valid());
}

#[test]
fn a_gzip_bomb_stops_at_the_cap() {
    // 64 MiB of zeros compress to about 64 KiB; only the cap is ever inflated.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 200_000);
    let r = one(&bomb);
    assert_eq!(codes(&r.findings), ["report.input.too_large"]);
    assert!(r.findings[0]
        .message
        .contains(&format!("{} MiB", MAX_REPORT_BYTES >> 20)));
    // The same bomb inside an e-mail stops the same way.
    let r = one(&eml(&bomb, "application/tlsrpt+gzip", "r.json.gz"));
    assert!(codes(&r.findings).contains(&"report.input.too_large"));
}

#[test]
fn truncated_and_foreign_input_gets_a_reason() {
    let gz = gzip(RFC.as_bytes());
    let cut = one(&gz[..gz.len() / 2]);
    assert_eq!(codes(&cut.findings), ["report.gzip.corrupt"]);
    let half = one(&RFC.as_bytes()[..RFC.len() / 2]);
    assert_eq!(codes(&half.findings), ["report.json.syntax"]);
    assert!(
        half.findings[0].message.contains("ends too early"),
        "{}",
        half.findings[0].message
    );
    assert!(half.findings[0].line.is_some());
    for (bytes, code, words) in [
        (&b""[..], "report.input.unrecognized", "empty"),
        (b"PK\x03\x04rest", "report.input.unrecognized", "ZIP"),
        (
            b"<?xml version=\"1.0\"?><feedback/>",
            "report.input.unrecognized",
            "DMARC",
        ),
        (
            b"\x00\x01\x02binary",
            "report.input.unrecognized",
            "not JSON",
        ),
        (b"[1, 2]", "report.json.not_object", "an array"),
    ] {
        let r = one(bytes);
        assert_eq!(codes(&r.findings), [code]);
        assert!(
            r.findings[0].message.contains(words),
            "{}",
            r.findings[0].message
        );
        assert!(!r.is_valid());
    }
}

#[test]
fn totals_count_each_report_once_by_reporter_mx_and_day() {
    let mut c = Collection::default();
    c.add("rfc.json", RFC.as_bytes());
    c.add("google.json.gz", &gzip(GOOGLE.as_bytes()));
    c.add("microsoft.json", MICROSOFT.as_bytes());
    let again = c.add(
        "google-again.eml",
        &eml(
            &gzip(GOOGLE.as_bytes()),
            "application/tlsrpt+gzip",
            "g.json.gz",
        ),
    );
    assert!(codes(&again.readings[0].findings).contains(&"report.duplicate"));
    assert!(c.all_valid());
    assert_eq!(c.reports().len(), 3);
    let t = c.totals();
    assert_eq!(t.successful, 5326 + 412 + 97);
    assert_eq!(t.failed, 303 + 4);
    assert_eq!(t.by_result_type["certificate-expired"], 104);
    assert_eq!(t.by_result_type["starttls-not-supported"], 200);
    assert_eq!(t.by_result_type["validation-failure"], 3);
    assert_eq!(t.by_reporter["Google Inc."].reports, 1);
    assert_eq!(t.by_reporter["Google Inc."].successful, 412);
    assert_eq!(t.by_day["2016-04-01"].failed, 303);
    assert_eq!(t.by_day["2026-11-29"].successful, 412);
    assert_eq!(t.by_day["2026-11-30"].failed, 4);
    // Microsoft names one MX in its policy, so its successes belong to it; the others do not.
    assert_eq!(t.by_mx["mx1.good.test"].successful, 97);
    assert_eq!(t.by_mx["mx1.good.test"].failed, 4);
    assert_eq!(t.by_mx["mx2.mail.company-y.example"].failed, 200);
    assert_eq!(t.by_mx[UNATTRIBUTED].successful, 5326 + 412);
}

#[test]
fn an_invalid_input_makes_the_collection_invalid() {
    let mut c = Collection::default();
    c.add("good.json", GOOGLE.as_bytes());
    assert!(c.all_valid());
    c.add("notes.txt", b"hello");
    assert!(!c.all_valid());
    assert_eq!(c.reports().len(), 1);
}

#[test]
fn many_copies_of_one_report_count_once() {
    let mut c = Collection::default();
    for i in 0..5000 {
        c.add(&format!("copy-{i}.json"), GOOGLE.as_bytes());
    }
    assert_eq!(c.reports().len(), 1);
    assert_eq!(c.totals().successful, 412);
    let last = &c.inputs[4999].readings[0].findings;
    assert!(last
        .iter()
        .any(|f| f.code == "report.duplicate" && f.message.contains("copy-0.json")));
}
