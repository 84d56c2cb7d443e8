//! The whole check of a domain as a sans-IO state machine.
//!
//! [`Check`] hands out every request it can already make ([`Check::poll_requests`]): the three
//! DNS look-ups and the policy fetch at once, one STARTTLS probe per MX as soon as the MX
//! answer is in. A driver performs them in any order, concurrently, and feeds the answers
//! back ([`Check::handle`]); [`Check::report`] builds the report from whatever has arrived,
//! so a UI can show it growing. Nothing here blocks, sleeps or touches the network.

use crate::answers::{Answers, MxSet};
use crate::dns::{DnsAnswer, RecordType};
use crate::order::SmallMap;
use crate::report::{PolicyFetch, ProbeResult, Report, REPORT_VERSION};
use serde::{Deserialize, Serialize};

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
    Canary,
    HostA(String),
    HostAaaa(String),
    Tlsa(String),
}

/// The check of one domain.
#[derive(Debug, Clone)]
pub struct Check {
    next_id: RequestId,
    outbox: Vec<Request>,
    waiting: SmallMap<RequestId, Slot>,
    answers: Answers,
}

impl Check {
    /// Starts the check of `domain`, an A-label name as [`crate::input::normalize_domain`]
    /// returns it.
    pub fn new(domain: &str) -> Check {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let mut check = Check {
            next_id: 1,
            outbox: Vec::new(),
            waiting: SmallMap::new(),
            answers: Answers {
                domain: domain.clone(),
                ..Answers::default()
            },
        };
        check.dns(Slot::Txt, format!("_mta-sts.{domain}"), RecordType::Txt);
        check.dns(Slot::Mx, domain.clone(), RecordType::Mx);
        check.dns(
            Slot::TlsRpt,
            format!("_smtp._tls.{domain}"),
            RecordType::Txt,
        );
        // The last label: every validating resolver authenticates a signed TLD's SOA.
        let tld = domain.rsplit('.').next().unwrap_or_default().to_string();
        if !tld.is_empty() {
            check.dns(Slot::Canary, tld, RecordType::Soa);
        }
        let host = format!("mta-sts.{domain}");
        let url = format!("https://{host}/.well-known/mta-sts.txt");
        let id = check.issue(Slot::Policy);
        check.outbox.push(Request::FetchPolicy { id, host, url });
        check
    }

    pub fn domain(&self) -> &str {
        &self.answers.domain
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

    /// Feeds the answer to request `id`, which arrived `elapsed_ms` after the check started
    /// (the driver's clock: the core has none).
    pub fn handle(
        &mut self,
        id: RequestId,
        answer: Answer,
        elapsed_ms: u64,
    ) -> Result<(), HandleError> {
        let slot = self
            .waiting
            .get(&id)
            .cloned()
            .ok_or(HandleError::UnknownRequest(id))?;
        let a = &mut self.answers;
        match (slot, answer) {
            (Slot::Txt, Answer::Dns(d)) => {
                a.txt = Some(d);
                a.arrivals.txt = Some(elapsed_ms);
            }
            (Slot::TlsRpt, Answer::Dns(d)) => {
                a.tlsrpt = Some(d);
                a.arrivals.tlsrpt = Some(elapsed_ms);
            }
            (Slot::Mx, Answer::Dns(d)) => {
                a.arrivals.mx = Some(elapsed_ms);
                a.mx_answer = Some(d.clone());
                let set = MxSet::from_answer(&a.domain, d);
                self.probe_hosts(&set);
                self.answers.mx = Some(set);
            }
            (Slot::Policy, Answer::Policy(p)) => {
                a.policy = Some(p);
                a.arrivals.policy = Some(elapsed_ms);
            }
            (Slot::Probe(host), Answer::Probe(p)) => {
                a.arrivals.probes.insert(host.clone(), elapsed_ms);
                a.probes.insert(host, Some(p));
            }
            (Slot::Canary, Answer::Dns(d)) => a.canary = Some(d),
            (Slot::HostA(host), Answer::Dns(d)) => {
                a.host_a.insert(host, d);
            }
            (Slot::HostAaaa(host), Answer::Dns(d)) => {
                a.host_aaaa.insert(host, d);
            }
            (Slot::Tlsa(host), Answer::Dns(d)) => {
                a.tlsa.insert(host, d);
            }
            _ => return Err(HandleError::WrongKind(id)),
        }
        self.waiting.remove(&id);
        self.answers.complete = self.is_complete();
        Ok(())
    }

    fn probe_hosts(&mut self, set: &MxSet) {
        // A domain may list thousands of MX hosts; probing them all would turn one check
        // into a flood. Senders try the most preferred first, so those are probed.
        for mx in set.hosts().into_iter().take(MAX_PROBED_MX) {
            if self.answers.probes.contains_key(&mx.host) {
                continue;
            }
            self.answers.probes.insert(mx.host.clone(), None);
            let id = self.issue(Slot::Probe(mx.host.clone()));
            self.outbox.push(Request::Probe {
                id,
                host: mx.host.clone(),
            });
            // DANE needs the host's address records to be secure and its TLSA records
            // (RFC 7672 §2.2); the look-ups are the check's own, so each carries its
            // DNSSEC status whichever driver runs them.
            self.dns(Slot::HostA(mx.host.clone()), mx.host.clone(), RecordType::A);
            self.dns(
                Slot::HostAaaa(mx.host.clone()),
                mx.host.clone(),
                RecordType::Aaaa,
            );
            self.dns(
                Slot::Tlsa(mx.host.clone()),
                format!("_25._tcp.{}", mx.host),
                RecordType::Tlsa,
            );
        }
    }

    /// True once the MX look-up has been answered.
    pub fn mx_answered(&self) -> bool {
        self.answers.mx.is_some()
    }

    /// True when every request has been answered.
    pub fn is_complete(&self) -> bool {
        self.waiting.is_empty() && self.outbox.is_empty()
    }

    /// Warns about certificates (policy host and MX hosts) that expire within `days`
    /// days, instead of [`crate::answers::DEFAULT_EXPIRY_DAYS`].
    pub fn set_expiry_days(&mut self, days: i64) {
        self.answers.expiry_days = Some(days);
    }

    /// Judges `draft` in place of the published policy from now on (`None`: the published
    /// one again). No request changes: the live policy is still fetched, for comparison.
    pub fn set_draft(&mut self, draft: Option<crate::draft::Draft>) {
        self.answers.draft = draft;
    }

    /// The report of what is published, whatever the draft: a driver that never sets a
    /// draft calls this, and carries none of the draft's code.
    pub fn published_report(&self) -> Report {
        let mut report = crate::verdict::build_published(&self.answers);
        report.report_version = REPORT_VERSION;
        report
    }

    /// The report of `draft` judged in place of the published policy, compared with
    /// `published`, the report [`Check::published_report`] gave for the same answers (so a
    /// page re-judging a draft per keystroke does not build it again).
    pub fn draft_report(&self, draft: &crate::draft::Draft, published: &Report) -> Report {
        let mut report = crate::verdict::build_draft(&self.answers, draft, published);
        report.report_version = REPORT_VERSION;
        report
    }

    /// The report as far as the answers go (of the draft, when one is set).
    pub fn report(&self) -> Report {
        let mut report = crate::verdict::build(&self.answers);
        report.report_version = REPORT_VERSION;
        report
    }
}
