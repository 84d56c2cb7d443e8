//! What a look-up says about DNSSEC. The check trusts its resolver's validation, as Postfix
//! trusts its local resolver: the AD bit on an answer means the resolver validated it
//! (RFC 4035 §3.2.3), SERVFAIL with a DNSSEC Extended DNS Error (RFC 8914) means validation
//! failed. An answer without AD is only known to be unsigned when the resolver is known to
//! validate; otherwise nothing can be said.

use crate::dns::{DnsAnswer, DnsOutcome};
use serde::{Deserialize, Serialize};

/// The DNSSEC status of one look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum DnssecStatus {
    /// Signed, and the resolver validated it.
    Secure,
    /// Not signed (a validating resolver answered without AD).
    Insecure,
    /// Signed, and validation failed: validating resolvers answer SERVFAIL.
    Bogus,
    /// The resolver does not validate, or the look-up failed: nothing can be said.
    Unknown,
}

impl DnssecStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DnssecStatus::Secure => "secure",
            DnssecStatus::Insecure => "insecure",
            DnssecStatus::Bogus => "bogus",
            DnssecStatus::Unknown => "unknown",
        }
    }

    /// The status of a set of look-ups that senders need together (an MX host's A and
    /// AAAA): one bogus answer spoils them, one unsigned answer makes them unsigned.
    pub fn combine(statuses: impl IntoIterator<Item = DnssecStatus>) -> DnssecStatus {
        let mut all = statuses.into_iter().peekable();
        if all.peek().is_none() {
            return DnssecStatus::Unknown;
        }
        let mut out = DnssecStatus::Secure;
        for s in all {
            out = match (out, s) {
                (DnssecStatus::Bogus, _) | (_, DnssecStatus::Bogus) => DnssecStatus::Bogus,
                (DnssecStatus::Unknown, _) | (_, DnssecStatus::Unknown) => DnssecStatus::Unknown,
                (DnssecStatus::Insecure, _) | (_, DnssecStatus::Insecure) => DnssecStatus::Insecure,
                _ => DnssecStatus::Secure,
            };
        }
        out
    }
}

/// True when validation failed, by the resolver's own Extended DNS Error.
pub fn failed_validation(answer: &DnsAnswer) -> bool {
    answer.outcome == DnsOutcome::ServFail
        && answer.ede.as_ref().is_some_and(|e| e.is_dnssec_failure())
}

/// True when `answer` proves that the resolver validates: it authenticated a
/// working answer, or it failed one for a DNSSEC reason.
pub fn proves_validation(answer: &DnsAnswer) -> bool {
    (answer.authenticated && answer.outcome.resolved()) || failed_validation(answer)
}

/// The status of one look-up, given whether the resolver is known to validate.
pub fn status(answer: &DnsAnswer, validating: bool) -> DnssecStatus {
    if failed_validation(answer) {
        DnssecStatus::Bogus
    } else if !answer.outcome.resolved() {
        DnssecStatus::Unknown
    } else if answer.authenticated {
        DnssecStatus::Secure
    } else if validating {
        DnssecStatus::Insecure
    } else {
        DnssecStatus::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::ExtendedError;

    fn answer(outcome: DnsOutcome, ad: bool, ede: Option<u16>) -> DnsAnswer {
        let mut a = DnsAnswer::failed(outcome);
        a.authenticated = ad;
        a.ede = ede.map(|code| ExtendedError {
            code,
            text: String::new(),
        });
        a
    }

    #[test]
    fn each_status_from_its_evidence() {
        let secure = answer(DnsOutcome::Answer, true, None);
        assert_eq!(status(&secure, false), DnssecStatus::Secure);
        let denial = answer(DnsOutcome::NxDomain, true, None);
        assert_eq!(status(&denial, true), DnssecStatus::Secure);
        let plain = answer(DnsOutcome::Answer, false, None);
        assert_eq!(status(&plain, true), DnssecStatus::Insecure);
        assert_eq!(status(&plain, false), DnssecStatus::Unknown);
        let bogus = answer(DnsOutcome::ServFail, false, Some(6));
        assert_eq!(status(&bogus, false), DnssecStatus::Bogus);
        let expired = answer(DnsOutcome::ServFail, false, Some(7));
        assert_eq!(status(&expired, true), DnssecStatus::Bogus);
        // SERVFAIL for another reason (unreachable name servers) is no DNSSEC verdict.
        let unreachable = answer(DnsOutcome::ServFail, false, Some(22));
        assert_eq!(status(&unreachable, true), DnssecStatus::Unknown);
        assert!(!proves_validation(&unreachable));
        assert!(proves_validation(&bogus) && proves_validation(&secure));
        // AD on a failure proves nothing.
        assert!(!proves_validation(&answer(DnsOutcome::Timeout, true, None)));
    }

    #[test]
    fn combined_statuses_take_the_weakest() {
        use DnssecStatus::*;
        assert_eq!(DnssecStatus::combine([Secure, Secure]), Secure);
        assert_eq!(DnssecStatus::combine([Secure, Insecure]), Insecure);
        assert_eq!(DnssecStatus::combine([Insecure, Unknown]), Unknown);
        assert_eq!(DnssecStatus::combine([Secure, Bogus, Unknown]), Bogus);
        assert_eq!(DnssecStatus::combine([]), Unknown);
    }
}
