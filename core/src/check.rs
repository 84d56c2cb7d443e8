//! The whole check of a domain as a sans-IO state machine.
//!
//! [`Check`] hands out every request it can already make ([`Check::poll_requests`]): the three
//! DNS look-ups and the policy fetch at once, one STARTTLS probe per MX as soon as the MX
//! answer is in. A driver performs them in any order, concurrently, and feeds the answers
//! back ([`Check::handle`]); [`Check::report`] builds the report from whatever has arrived,
//! so a UI can show it growing. Nothing here blocks, sleeps or touches the network.

use crate::dns::{DnsAnswer, DnsOutcome, MxRecord, RecordType};
use crate::report::{PolicyFetch, ProbeResult, Report, REPORT_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type RequestId = u32;

/// MX hosts probed per check, in preference order; the rest are listed as not probed.
pub const MAX_PROBED_MX: usize = 25;

/// Something the driver must do for the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Request {
    /// A DNS look-up.
    Dns {
        id: RequestId,
        name: String,
        rtype: RecordType,
    },
    /// `GET url` over HTTPS to `host`, never following redirects.
    FetchPolicy {
        id: RequestId,
        host: String,
        url: String,
    },
    /// A STARTTLS probe of `host` on port 25.
    Probe { id: RequestId, host: String },
}

impl Request {
    pub fn id(&self) -> RequestId {
        match self {
            Request::Dns { id, .. }
            | Request::FetchPolicy { id, .. }
            | Request::Probe { id, .. } => *id,
        }
    }
}

/// The driver's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "answer")]
pub enum Answer {
    Dns(DnsAnswer),
    Policy(PolicyFetch),
    Probe(ProbeResult),
}

/// An answer the check cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandleError {
    UnknownRequest(RequestId),
    WrongKind(RequestId),
}

impl std::fmt::Display for HandleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandleError::UnknownRequest(id) => {
                write!(f, "no request {id} is waiting for an answer")
            }
            HandleError::WrongKind(id) => write!(f, "request {id} got an answer of another kind"),
        }
    }
}

impl std::error::Error for HandleError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    Txt,
    Mx,
    TlsRpt,
    Policy,
    Probe(String),
}

/// What the MX look-up decided about where mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MxSet {
    Hosts(Vec<MxRecord>),
    /// No MX: the domain itself is the implicit MX (RFC 5321 §5.1).
    Implicit(MxRecord),
    /// `MX 0 .`: the domain takes no mail (RFC 7505).
    Null,
    Failed(DnsOutcome),
}

/// The check of one domain.
#[derive(Debug, Clone)]
pub struct Check {
    pub(crate) domain: String,
    next_id: RequestId,
    outbox: Vec<Request>,
    waiting: BTreeMap<RequestId, Slot>,
    pub(crate) txt: Option<DnsAnswer>,
    pub(crate) mx: Option<MxSet>,
    pub(crate) tlsrpt: Option<DnsAnswer>,
    pub(crate) policy: Option<PolicyFetch>,
    pub(crate) probes: BTreeMap<String, Option<ProbeResult>>,
}

impl Check {
    /// Starts the check of `domain`, an A-label name as [`crate::input::normalize_domain`]
    /// returns it.
    pub fn new(domain: &str) -> Check {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let mut check = Check {
            domain: domain.clone(),
            next_id: 1,
            outbox: Vec::new(),
            waiting: BTreeMap::new(),
            txt: None,
            mx: None,
            tlsrpt: None,
            policy: None,
            probes: BTreeMap::new(),
        };
        check.dns(Slot::Txt, format!("_mta-sts.{domain}"), RecordType::Txt);
        check.dns(Slot::Mx, domain.clone(), RecordType::Mx);
        check.dns(
            Slot::TlsRpt,
            format!("_smtp._tls.{domain}"),
            RecordType::Txt,
        );
        let host = format!("mta-sts.{domain}");
        let url = format!("https://{host}/.well-known/mta-sts.txt");
        let id = check.issue(Slot::Policy);
        check.outbox.push(Request::FetchPolicy { id, host, url });
        check
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    fn issue(&mut self, slot: Slot) -> RequestId {
        let id = self.next_id;
        self.next_id += 1;
        self.waiting.insert(id, slot);
        id
    }

    fn dns(&mut self, slot: Slot, name: String, rtype: RecordType) {
        let id = self.issue(slot);
        self.outbox.push(Request::Dns { id, name, rtype });
    }

    /// The requests that can be made now; each is handed out once.
    pub fn poll_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.outbox)
    }

    /// Feeds the answer to request `id`.
    pub fn handle(&mut self, id: RequestId, answer: Answer) -> Result<(), HandleError> {
        let slot = self
            .waiting
            .get(&id)
            .cloned()
            .ok_or(HandleError::UnknownRequest(id))?;
        match (slot, answer) {
            (Slot::Txt, Answer::Dns(a)) => self.txt = Some(a),
            (Slot::TlsRpt, Answer::Dns(a)) => self.tlsrpt = Some(a),
            (Slot::Mx, Answer::Dns(a)) => self.mx_answer(a),
            (Slot::Policy, Answer::Policy(p)) => self.policy = Some(p),
            (Slot::Probe(host), Answer::Probe(p)) => {
                self.probes.insert(host, Some(p));
            }
            _ => return Err(HandleError::WrongKind(id)),
        }
        self.waiting.remove(&id);
        Ok(())
    }

    fn mx_answer(&mut self, answer: DnsAnswer) {
        let set = match answer.outcome {
            DnsOutcome::Answer if answer.mx.len() == 1 && answer.mx[0].host.is_empty() => {
                MxSet::Null
            }
            DnsOutcome::Answer => {
                // Sorted by preference: keep each host once, at its lowest preference.
                let mut seen = std::collections::HashSet::new();
                let hosts = answer
                    .mx
                    .into_iter()
                    .filter(|m| !m.host.is_empty() && seen.insert(m.host.clone()))
                    .collect();
                MxSet::Hosts(hosts)
            }
            DnsOutcome::NxDomain | DnsOutcome::NoData => MxSet::Implicit(MxRecord {
                preference: 0,
                host: self.domain.clone(),
            }),
            other => MxSet::Failed(other),
        };
        let hosts: Vec<String> = match &set {
            MxSet::Hosts(hosts) => hosts.iter().map(|m| m.host.clone()).collect(),
            MxSet::Implicit(m) => vec![m.host.clone()],
            MxSet::Null | MxSet::Failed(_) => Vec::new(),
        };
        // A domain may list thousands of MX hosts; probing them all would turn one check
        // into a flood. Senders try the most preferred first, so those are probed.
        for host in hosts.into_iter().take(MAX_PROBED_MX) {
            if self.probes.contains_key(&host) {
                continue;
            }
            self.probes.insert(host.clone(), None);
            let id = self.issue(Slot::Probe(host.clone()));
            self.outbox.push(Request::Probe { id, host });
        }
        self.mx = Some(set);
    }

    /// True once the MX look-up has been answered.
    pub fn mx_answered(&self) -> bool {
        self.mx.is_some()
    }

    /// True when every request has been answered.
    pub fn is_complete(&self) -> bool {
        self.waiting.is_empty() && self.outbox.is_empty()
    }

    /// The report as far as the answers go.
    pub fn report(&self) -> Report {
        let mut report = crate::verdict::build(self);
        report.report_version = REPORT_VERSION;
        report
    }
}
