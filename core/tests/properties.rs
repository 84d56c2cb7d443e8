//! Properties over generated inputs: what the core renders parses back to itself, and no
//! input, however hostile, makes a parser panic or point outside the input.

use mtasts_core::{
    check_match, check_policy, check_sts_records, check_tlsrpt_records, find_match, Mode, Policy,
    RecordStatus, Severity, TxtRecord,
};
use proptest::prelude::*;

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
}

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(label(), 2..5).prop_map(|labels| labels.join("."))
}

fn pattern() -> impl Strategy<Value = String> {
    (any::<bool>(), name()).prop_map(|(wild, n)| if wild { format!("*.{n}") } else { n })
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Enforce), Just(Mode::Testing), Just(Mode::None)]
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        mode(),
        0u64..=31_557_600,
        prop::collection::vec(pattern(), 0..6),
    )
        .prop_map(|(mode, max_age, mut mx)| {
            mx.sort();
            mx.dedup();
            if mode != Mode::None && mx.is_empty() {
                mx.push("mx.example.com".into());
            }
            Policy {
                version: "STSv1".into(),
                mode,
                max_age,
                mx,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn rendered_policies_parse_back_to_themselves(p in policy()) {
        let check = check_policy(p.render().as_bytes());
        prop_assert!(check.valid, "{:?}", check.findings);
        prop_assert_eq!(check.policy, Some(p.clone()));
        // The same policy with CRLF endings means the same thing.
        let crlf = check_policy(p.render().replace('\n', "\r\n").as_bytes());
        prop_assert_eq!(crlf.policy, Some(p));
    }

    #[test]
    fn policy_parser_never_panics_and_points_inside_the_input(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let check = check_policy(&body);
        let lines = body.split(|&b| b == b'\n').count() as u32;
        for f in &check.findings {
            if let Some(line) = f.line {
                prop_assert!(line >= 1 && line <= lines, "{} line {line} of {lines}", f.code);
            }
        }
        prop_assert_eq!(check.valid, !check.findings.iter().any(|f| f.severity == Severity::Error));
    }

    #[test]
    fn policy_parser_survives_line_shaped_garbage(lines in prop::collection::vec("[ \t]{0,2}[a-zA-Z_:. *-]{0,12}[ \t:]{0,2}[ -~]{0,20}\r?", 0..20)) {
        let body = lines.join("\n");
        let _ = check_policy(body.as_bytes());
    }

    #[test]
    fn record_parsers_never_panic(records in prop::collection::vec(prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..3), 0..4)) {
        let records: Vec<TxtRecord> = records.into_iter().map(|strings| TxtRecord { strings }).collect();
        let sts = check_sts_records(&records);
        let rpt = check_tlsrpt_records(&records);
        prop_assert_eq!(sts.id.is_some(), sts.status == RecordStatus::Valid);
        prop_assert!(rpt.status != RecordStatus::Valid || !rpt.rua.is_empty());
    }

    #[test]
    fn well_formed_sts_records_are_valid_whatever_the_spacing(
        id in "[A-Za-z0-9]{1,32}",
        exts in prop::collection::vec(("[a-z0-9][a-z0-9_.-]{0,8}", "[!-:<>-~]{1,10}"), 0..3),
        spaces in prop::collection::vec(("[ \t]{0,2}", "[ \t]{0,2}"), 4),
        trailing in any::<bool>(),
    ) {
        let mut text = String::from("v=STSv1");
        let mut fields = vec![format!("id={id}")];
        fields.extend(exts.iter().filter(|(n, _)| n != "id").map(|(n, v)| format!("{n}={v}")));
        for (i, field) in fields.iter().enumerate() {
            // No space before the first ";": that case has its own rule (erratum 6285).
            let before = if i == 0 { "" } else { spaces[i % 4].0.as_str() };
            text.push_str(&format!("{before};{}{field}", spaces[i % 4].1));
        }
        if trailing {
            text.push(';');
        }
        let r = check_sts_records(&[TxtRecord::from_text(&text)]);
        prop_assert_eq!(r.status, RecordStatus::Valid, "{} {:?}", text, r.findings);
        prop_assert_eq!(r.id, Some(id));
    }

    #[test]
    fn a_wildcard_covers_every_host_one_label_below_and_no_other(first in label(), extra in label(), base in name()) {
        let pattern = format!("*.{base}");
        let one = format!("{first}.{base}");
        let two = format!("{extra}.{first}.{base}");
        prop_assert_eq!(find_match(&one, [pattern.as_str()]), Some(pattern.as_str()));
        prop_assert_eq!(find_match(&one.to_ascii_uppercase(), [pattern.as_str()]), Some(pattern.as_str()));
        prop_assert_eq!(find_match(&format!("{one}."), [pattern.as_str()]), Some(pattern.as_str()));
        prop_assert_eq!(find_match(&two, [pattern.as_str()]), None);
        prop_assert_eq!(find_match(&base, [pattern.as_str()]), None);
    }

    #[test]
    fn matching_never_panics(host in "\\PC{0,40}", patterns in prop::collection::vec("\\PC{0,40}", 0..4)) {
        let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
        let check = check_match(&host, &refs);
        prop_assert_eq!(check.matches, check.pattern.is_some());
    }
}
