//! What a check has been told so far: the answers, in the form the report is built from.
//! [`crate::Check`] fills it; the verdict reads it and nothing else, so the rules can be
//! tested with hand-made answers and the state machine stays free of them.

use crate::dns::{DnsAnswer, DnsOutcome, MxRecord};
use crate::order::SmallMap;
use crate::report::{PolicyFetch, ProbeResult};

/// What the MX look-up decided about where mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MxSet {
    /// The MX hosts, by preference, each once.
    Hosts(Vec<MxRecord>),
    /// No MX: the domain itself is the implicit MX (RFC 5321 §5.1).
    Implicit(MxRecord),
    /// `MX 0 .`: the domain takes no mail (RFC 7505).
    Null,
    Failed(DnsOutcome),
}

impl MxSet {
    /// Reads an MX answer for `domain`.
    pub fn from_answer(domain: &str, answer: DnsAnswer) -> MxSet {
        match answer.outcome {
            DnsOutcome::Answer if answer.mx.len() == 1 && answer.mx[0].host.is_empty() => {
                MxSet::Null
            }
            DnsOutcome::Answer if answer.mx.is_empty() => MxSet::Implicit(MxRecord {
                preference: 0,
                host: domain.to_string(),
            }),
            DnsOutcome::Answer => {
                let mut mx = answer.mx;
                crate::order::stable_sort_by_key(&mut mx, |m| m.preference);
                // Keep each host once, at its lowest preference (a linear scan: the list
                // is short, and a hash set costs the page kilobytes of wasm).
                let mut kept: Vec<MxRecord> = Vec::with_capacity(mx.len());
                for m in mx {
                    if !m.host.is_empty() && !kept.iter().any(|k| k.host == m.host) {
                        kept.push(m);
                    }
                }
                MxSet::Hosts(kept)
            }
            DnsOutcome::NxDomain | DnsOutcome::NoData => MxSet::Implicit(MxRecord {
                preference: 0,
                host: domain.to_string(),
            }),
            other => MxSet::Failed(other),
        }
    }

    /// The hosts mail goes to, in preference order.
    pub fn hosts(&self) -> Vec<MxRecord> {
        match self {
            MxSet::Hosts(h) => h.clone(),
            MxSet::Implicit(m) => vec![m.clone()],
            MxSet::Null | MxSet::Failed(_) => Vec::new(),
        }
    }
}

/// Milliseconds from the start of the check to each answer, as the driver measured them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrivals {
    pub txt: Option<u64>,
    pub mx: Option<u64>,
    pub tlsrpt: Option<u64>,
    pub policy: Option<u64>,
    pub probes: SmallMap<String, u64>,
}

/// Days before expiry that a certificate gets a warning when no threshold is set.
pub const DEFAULT_EXPIRY_DAYS: i64 = 14;

impl Answers {
    /// The warning threshold for expiring certificates, in days.
    pub fn expiry_days(&self) -> i64 {
        self.expiry_days.unwrap_or(DEFAULT_EXPIRY_DAYS)
    }

    /// True when some answer proves that the resolver validates DNSSEC.
    pub fn resolver_validates(&self) -> bool {
        use crate::dnssec::proves_validation;
        [&self.txt, &self.tlsrpt, &self.mx_answer, &self.canary]
            .into_iter()
            .flatten()
            .chain(self.host_a.values())
            .chain(self.host_aaaa.values())
            .chain(self.tlsa.values())
            .any(proves_validation)
    }
}

/// Everything the report is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// The checked domain in A-labels, lower case, no trailing dot.
    pub domain: String,
    pub txt: Option<DnsAnswer>,
    pub mx: Option<MxSet>,
    pub tlsrpt: Option<DnsAnswer>,
    pub policy: Option<PolicyFetch>,
    /// The probed MX hosts: `None` while the probe runs.
    pub probes: SmallMap<String, Option<ProbeResult>>,
    /// The MX answer as the resolver gave it, for its DNSSEC status.
    pub mx_answer: Option<DnsAnswer>,
    /// The SOA of the domain's top-level zone: an authenticated answer proves that the
    /// resolver validates even when nothing of the domain is signed.
    pub canary: Option<DnsAnswer>,
    /// Each probed MX host's A and AAAA look-ups.
    pub host_a: SmallMap<String, DnsAnswer>,
    pub host_aaaa: SmallMap<String, DnsAnswer>,
    /// Each probed MX host's `_25._tcp` TLSA look-up.
    pub tlsa: SmallMap<String, DnsAnswer>,
    pub arrivals: Arrivals,
    /// True when every request has been answered.
    pub complete: bool,
    /// A policy to judge in place of the published one.
    pub draft: Option<crate::draft::Draft>,
    /// Certificates that expire within this many days get a warning; `None`: the default.
    pub expiry_days: Option<i64>,
}
