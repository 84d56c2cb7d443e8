//! Drafts are typed by people, one keystroke at a time: whatever the text, judging it never
//! panics, always says it is a draft, and the published report underneath stays the same.

mod common;

use common::canned::*;
use mtasts_core::draft::Draft;
use mtasts_core::report::TlsStatus;
use proptest::prelude::*;

const TLSRPT: &str = "v=TLSRPTv1; rua=mailto:tls@example.com";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_draft_text_is_judged_and_named_a_draft(
        policy in "(version: STSv1\n|mode: (enforce|testing|none|x)\n|mx: [a-z.*]{0,20}\n|max_age: [0-9]{0,9}\n|[ -~]{0,30}\r?\n){0,8}",
        draft_txt in proptest::option::of("[ -~]{0,40}"),
    ) {
        let draft = Draft { policy: policy.clone(), txt: draft_txt, new_id: "20261202T000000".into() };
        let r = run_draft(
            txt_answer(),
            mx(&["mx1.example.com", "mx2.example.com"]),
            txt(&[TLSRPT]),
            fetched(ENFORCE),
            |_| probe(TlsStatus::Ok),
            Some(draft),
        );
        let d = r.draft.as_ref().expect("a draft object");
        prop_assert_eq!(&d.policy, &policy);
        prop_assert!(!d.rollout.is_empty());
        prop_assert!(r.verdict.is_some());
        // Unchanged text means no new id; the published verdict is the published one.
        prop_assert_eq!(d.published_verdict, Some(mtasts_core::report::Verdict::Pass));
        if d.diff.mx_added.is_empty() && d.diff.mx_removed.is_empty() && d.diff.mode.is_none() && d.diff.max_age.is_none() {
            // A draft that does not parse differs even with no field changed.
            prop_assert_eq!(d.txt_id_must_change, mtasts_core::check_policy(policy.as_bytes()).policy.is_none());
        }
    }
}

fn txt_answer() -> mtasts_core::dns::DnsAnswer {
    txt(&["v=STSv1; id=1"])
}
