//! What an RFC 8461 sender does with one MX host: a pure decision over three facts (the
//! policy it applies, whether a pattern covers the host, what the STARTTLS probe saw).
//! Each row of [`decide`] is pinned by a row of the table test below.

pub use super::retrieval::PolicyView;
use crate::policy::Mode;
use crate::report::{ResultType, Sender, TlsStatus};

/// What the probe of the MX says, as a sender would experience it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsView {
    /// STARTTLS with a certificate valid for the MX name.
    Verified,
    /// A TLS session a validating sender rejects, with the result type it reports.
    Failed(ResultType),
    /// The host refuses the connection or breaks the SMTP exchange: nobody delivers there.
    Refused,
    /// Not observed: timed out, not probed, or the tester's resolver failed.
    Unknown,
}

impl TlsView {
    pub fn of(status: TlsStatus) -> TlsView {
        use ResultType as R;
        match status {
            TlsStatus::Ok => TlsView::Verified,
            TlsStatus::StarttlsNotSupported => TlsView::Failed(R::StarttlsNotSupported),
            TlsStatus::CertificateExpired | TlsStatus::CertificateNotYetValid => {
                TlsView::Failed(R::CertificateExpired)
            }
            TlsStatus::CertificateHostMismatch => TlsView::Failed(R::CertificateHostMismatch),
            TlsStatus::CertificateNotTrusted | TlsStatus::CertificateChainIncomplete => {
                TlsView::Failed(R::CertificateNotTrusted)
            }
            TlsStatus::ProtocolVersion | TlsStatus::TlsHandshakeFailed => {
                TlsView::Failed(R::ValidationFailure)
            }
            TlsStatus::ConnectFailed | TlsStatus::SmtpError | TlsStatus::DnsError => {
                TlsView::Refused
            }
            TlsStatus::ConnectTimeout
            | TlsStatus::Timeout
            | TlsStatus::ResolverFailed
            | TlsStatus::Unchecked
            | TlsStatus::RateLimited => TlsView::Unknown,
        }
    }
}

/// The facts one decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderInput {
    pub policy: PolicyView,
    /// A policy `mx` pattern covers the host.
    pub matched: bool,
    pub tls: TlsView,
}

/// What the sender does, and the TLS-RPT result type it reports to the domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// `None` when it cannot be told (the host was not observed) or nobody can deliver.
    pub sender: Option<Sender>,
    pub result: Option<ResultType>,
}

const fn d(sender: Option<Sender>, result: Option<ResultType>) -> Decision {
    Decision { sender, result }
}

/// RFC 8461 §5: enforce refuses an MX that fails validation (§4.1 matching, §4.2 the
/// certificate); testing delivers anyway and reports; none, no policy, or an unusable
/// policy deliver without verification (§3.3: a failed fetch means no policy, for
/// senders with nothing cached).
pub fn decide(input: SenderInput) -> Decision {
    use Sender::*;
    use TlsView::*;
    let SenderInput {
        policy,
        matched,
        tls,
    } = input;
    match (policy, tls) {
        (PolicyView::Unknown, _) => d(None, None),
        (PolicyView::Unusable(r), Refused | Unknown) => d(None, Some(r)),
        (PolicyView::Unusable(r), Verified | Failed(_)) => d(Some(DeliverUnverified), Some(r)),
        (_, Refused | Unknown) => d(None, None),
        (PolicyView::NotAdvertised | PolicyView::Applied(Mode::None), _) => {
            d(Some(DeliverUnverified), None)
        }
        (PolicyView::Applied(_), Verified) if matched => d(Some(Deliver), None),
        (PolicyView::Applied(Mode::Enforce), Verified) => {
            d(Some(Refuse), Some(ResultType::ValidationFailure))
        }
        (PolicyView::Applied(Mode::Enforce), Failed(r)) => d(Some(Refuse), Some(r)),
        (PolicyView::Applied(Mode::Testing), Verified) => {
            d(Some(DeliverUnverified), Some(ResultType::ValidationFailure))
        }
        (PolicyView::Applied(Mode::Testing), Failed(r)) => d(Some(DeliverUnverified), Some(r)),
    }
}

/// The decision in words, for the report's "Senders will" column.
pub fn words(input: SenderInput, decision: Decision) -> String {
    match (decision.sender, input.policy, input.tls) {
        (_, PolicyView::Unknown, _) => {
            "unknown: the policy in effect could not be seen from here".into()
        }
        (None, _, TlsView::Refused) => {
            "not deliver here: the host does not complete an SMTP session".into()
        }
        (None, _, _) => "unknown: the host could not be observed from here".into(),
        (Some(Sender::Deliver), _, _) => "deliver over verified TLS".into(),
        (Some(Sender::Refuse), _, _) => {
            "refuse this host (enforce): mail waits for another MX or bounces".into()
        }
        (Some(Sender::DeliverUnverified), PolicyView::Unusable(_), _) => {
            "deliver without MTA-STS if they have no cached policy; senders that cached an earlier policy keep applying it until its max_age runs out".into()
        }
        (Some(Sender::DeliverUnverified), PolicyView::Applied(Mode::Testing), _) => {
            "deliver anyway and report the failure (testing mode)".into()
        }
        (Some(Sender::DeliverUnverified), _, _) => "deliver without verifying TLS".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResultType as R;
    use Sender::*;

    const ENFORCE: PolicyView = PolicyView::Applied(Mode::Enforce);
    const TESTING: PolicyView = PolicyView::Applied(Mode::Testing);
    const NONE_MODE: PolicyView = PolicyView::Applied(Mode::None);
    const FETCH_ERROR: PolicyView = PolicyView::Unusable(R::StsPolicyFetchError);
    const EXPIRED: TlsView = TlsView::Failed(R::CertificateExpired);

    /// policy, matched, probe, then the expected sender and TLS-RPT result.
    type Row = (PolicyView, bool, TlsView, Option<Sender>, Option<R>);

    #[test]
    fn every_row_of_the_decision_table() {
        #[rustfmt::skip]
        let table: &[Row] = &[
            // policy          matched tls                sender                   TLS-RPT result
            (ENFORCE,          true,  TlsView::Verified, Some(Deliver),           None),
            (ENFORCE,          false, TlsView::Verified, Some(Refuse),            Some(R::ValidationFailure)),
            (ENFORCE,          true,  EXPIRED,           Some(Refuse),            Some(R::CertificateExpired)),
            (ENFORCE,          false, EXPIRED,           Some(Refuse),            Some(R::CertificateExpired)),
            (ENFORCE,          true,  TlsView::Refused,  None,                    None),
            (ENFORCE,          true,  TlsView::Unknown,  None,                    None),
            (TESTING,          true,  TlsView::Verified, Some(Deliver),           None),
            (TESTING,          false, TlsView::Verified, Some(DeliverUnverified), Some(R::ValidationFailure)),
            (TESTING,          true,  EXPIRED,           Some(DeliverUnverified), Some(R::CertificateExpired)),
            (NONE_MODE,        false, TlsView::Verified, Some(DeliverUnverified), None),
            (NONE_MODE,        true,  EXPIRED,           Some(DeliverUnverified), None),
            (PolicyView::NotAdvertised, false, TlsView::Verified, Some(DeliverUnverified), None),
            (PolicyView::NotAdvertised, false, TlsView::Refused,  None,           None),
            (FETCH_ERROR,      false, TlsView::Verified, Some(DeliverUnverified), Some(R::StsPolicyFetchError)),
            (FETCH_ERROR,      false, EXPIRED,           Some(DeliverUnverified), Some(R::StsPolicyFetchError)),
            (FETCH_ERROR,      false, TlsView::Unknown,  None,                    Some(R::StsPolicyFetchError)),
            (PolicyView::Unknown, true, TlsView::Verified, None,                  None),
        ];
        for &(policy, matched, tls, sender, result) in table {
            let input = SenderInput {
                policy,
                matched,
                tls,
            };
            assert_eq!(
                decide(input),
                Decision { sender, result },
                "{policy:?} matched={matched} {tls:?}"
            );
        }
    }

    #[test]
    fn probe_statuses_map_to_what_a_sender_sees() {
        assert_eq!(TlsView::of(TlsStatus::Ok), TlsView::Verified);
        assert_eq!(TlsView::of(TlsStatus::ConnectFailed), TlsView::Refused);
        assert_eq!(TlsView::of(TlsStatus::ConnectTimeout), TlsView::Unknown);
        assert_eq!(TlsView::of(TlsStatus::RateLimited), TlsView::Unknown);
        assert_eq!(
            TlsView::of(TlsStatus::CertificateChainIncomplete),
            TlsView::Failed(R::CertificateNotTrusted)
        );
    }

    #[test]
    fn a_failed_fetch_names_both_kinds_of_senders() {
        let input = SenderInput {
            policy: FETCH_ERROR,
            matched: false,
            tls: TlsView::Verified,
        };
        let text = words(input, decide(input));
        assert!(text.contains("no cached policy"), "{text}");
        assert!(text.contains("cached an earlier policy"), "{text}");
    }
}
