//! The `_mta-sts` TXT and the MX records as several resolvers see them, side by side
//! (`mtasts check --compare-doh`). They differ while a change propagates (the old records
//! live in caches until their TTL runs out), when a resolver serves stale data, or when one
//! of the domain's name servers was not updated; senders behind that resolver act on the
//! old records meanwhile.

use crate::dns::{DnsAnswer, DnsOutcome};
use crate::finding::Finding;
use crate::rules;
use serde::{Deserialize, Serialize};

/// One resolver's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResolverView {
    /// The resolver: a DoH URL, or `dns://IP:PORT`.
    pub resolver: String,
    /// The TXT records at `_mta-sts.<domain>`.
    pub txt: Seen,
    /// The MX records, as `preference host`.
    pub mx: Seen,
}

/// What one look-up returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Seen {
    pub dns: DnsOutcome,
    /// The records, sorted (the order of an RRset carries no meaning).
    pub records: Vec<String>,
    pub ttl: Option<u32>,
}

impl Seen {
    pub fn txt(answer: &DnsAnswer) -> Seen {
        Seen::of(answer, answer.txt.iter().map(|t| t.text()).collect())
    }

    pub fn mx(answer: &DnsAnswer) -> Seen {
        let records = answer
            .mx
            .iter()
            .map(|m| {
                if m.host.is_empty() {
                    format!("{} .", m.preference)
                } else {
                    format!("{} {}", m.preference, m.host)
                }
            })
            .collect();
        Seen::of(answer, records)
    }

    fn of(answer: &DnsAnswer, mut records: Vec<String>) -> Seen {
        // The core's small sort: the standard one costs the page kilobytes of wasm.
        crate::order::stable_sort_by(&mut records, |a, b| a.cmp(b));
        Seen {
            dns: answer.outcome.clone(),
            records,
            ttl: answer.ttl,
        }
    }

    /// What the domain published, as far as this resolver could tell: `None` when the
    /// resolver itself failed, which says nothing about the domain.
    fn published(&self) -> Option<(&DnsOutcome, &[String])> {
        (!self.dns.tester_side()).then_some((&self.dns, self.records.as_slice()))
    }

    fn words(&self) -> String {
        if self.records.is_empty() {
            self.dns.describe()
        } else {
            self.records
                .iter()
                .map(|r| format!("\"{r}\""))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// The findings about `views` (the check's own resolver first): one warning per record type
/// on which resolvers that answered disagree.
pub fn findings(domain: &str, views: &[ResolverView]) -> Vec<Finding> {
    let mut out = Vec::new();
    type Pick = fn(&ResolverView) -> &Seen;
    let kinds: [(&str, Pick); 2] = [
        ("the _mta-sts TXT record", |v| &v.txt),
        ("the MX records", |v| &v.mx),
    ];
    for (what, seen) in kinds {
        let answered: Vec<&ResolverView> = views
            .iter()
            .filter(|v| seen(v).published().is_some())
            .collect();
        let Some(first) = answered.first() else {
            continue;
        };
        if answered
            .iter()
            .all(|v| seen(v).published() == seen(first).published())
        {
            continue;
        }
        let each: Vec<String> = answered
            .iter()
            .map(|v| format!("{} sees {}", v.resolver, seen(v).words()))
            .collect();
        let ttl = answered.iter().filter_map(|v| seen(v).ttl).max();
        let name = if what.contains("TXT") {
            format!("_mta-sts.{domain}")
        } else {
            domain.to_string()
        };
        out.push(
            rules::DNS_RESOLVERS_DIFFER
                .finding(format!(
                    "Resolvers disagree about {what} of {name}: {}. A change may still be propagating{}, or a resolver serves a stale copy; senders behind it act on what it sees.",
                    each.join("; "),
                    ttl.map(|t| format!(" (TTL up to {t} s)")).unwrap_or_default(),
                ))
                .fix("Wait one TTL and check again. If they still differ, compare the SOA serial on each of the domain's name servers: one may not have been updated."),
        );
    }
    out
}

/// Adds `views` and their findings to `report`; a disagreement is a warning, so a pass
/// becomes a warn.
pub fn compare(report: &mut crate::Report, views: Vec<ResolverView>) {
    for f in findings(&report.domain, &views) {
        crate::late::add_to_lookup(report, f);
    }
    report.resolvers = Some(views);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::MxRecord;
    use crate::TxtRecord;

    fn view(name: &str, txt: &[&str], mx: &[&str], outcome: DnsOutcome) -> ResolverView {
        let mut t = DnsAnswer::failed(outcome.clone());
        t.txt = txt.iter().map(|r| TxtRecord::from_text(r)).collect();
        t.ttl = Some(300);
        let mut m = DnsAnswer::failed(outcome);
        m.mx = mx
            .iter()
            .map(|h| MxRecord {
                preference: 10,
                host: h.to_string(),
            })
            .collect();
        ResolverView {
            resolver: name.into(),
            txt: Seen::txt(&t),
            mx: Seen::mx(&m),
        }
    }

    #[test]
    fn agreeing_resolvers_give_no_finding_whatever_the_order() {
        let a = view(
            "https://a/",
            &["v=STSv1; id=2", "x"],
            &["mx1.example.com"],
            DnsOutcome::Answer,
        );
        let b = view(
            "https://b/",
            &["x", "v=STSv1; id=2"],
            &["mx1.example.com"],
            DnsOutcome::Answer,
        );
        assert!(findings("example.com", &[a, b]).is_empty());
    }

    #[test]
    fn an_old_txt_id_at_one_resolver_is_named_with_both_views() {
        let a = view(
            "https://a/",
            &["v=STSv1; id=2"],
            &["mx1.example.com"],
            DnsOutcome::Answer,
        );
        let b = view(
            "https://b/",
            &["v=STSv1; id=1"],
            &["mx1.example.com"],
            DnsOutcome::Answer,
        );
        let f = findings("example.com", &[a, b]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, "dns.resolvers.differ");
        assert!(
            f[0].message.contains("_mta-sts.example.com"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("https://b/ sees \"v=STSv1; id=1\""),
            "{}",
            f[0].message
        );
        assert!(f[0].message.contains("TTL up to 300 s"), "{}", f[0].message);
    }

    #[test]
    fn a_new_mx_and_a_missing_record_differ_too() {
        let a = view(
            "https://a/",
            &["v=STSv1; id=2"],
            &["mx1.example.com", "mx2.example.com"],
            DnsOutcome::Answer,
        );
        let b = view(
            "https://b/",
            &[],
            &["mx1.example.com"],
            DnsOutcome::NxDomain,
        );
        let f = findings("example.com", &[a, b]);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[1].message.contains("the MX records of example.com"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn a_resolver_that_fails_says_nothing_about_the_domain() {
        let a = view(
            "https://a/",
            &["v=STSv1; id=2"],
            &["mx1.example.com"],
            DnsOutcome::Answer,
        );
        let b = view("https://b/", &[], &[], DnsOutcome::Timeout);
        assert!(findings("example.com", &[a, b]).is_empty());
    }
}
