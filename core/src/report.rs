//! The report of a whole check: one serde type, the contract between the core, the CLI
//! (`mtasts check --json`), the companion's API and the web app. Field names and values are
//! stable; a change that breaks readers bumps [`REPORT_VERSION`].

use crate::dns::DnsOutcome;
use crate::finding::Finding;
use crate::policy::Mode;
use crate::recordset::RecordStatus;
use serde::{Deserialize, Serialize};

/// The version of the report format.
pub const REPORT_VERSION: u32 = 3;

/// The verdict a manager reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// MTA-STS is deployed and every sender can deliver over verified TLS.
    Pass,
    /// It works, with something to fix or a weakness (testing mode, tolerated errors).
    Warn,
    /// Deployed but broken: senders ignore the policy or refuse mail.
    Fail,
    /// No MTA-STS is deployed.
    None,
    /// The check could not observe something it needed, for reasons on the tester's side
    /// (resolver or companion unreachable, port 25 filtered here): nothing is said about
    /// the domain that was not seen.
    Inconclusive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    pub report_version: u32,
    /// The checked domain in A-labels.
    pub domain: String,
    /// `None` until the check is complete.
    pub verdict: Option<Verdict>,
    /// One sentence for a manager.
    pub summary: String,
    /// False while answers are still outstanding.
    pub complete: bool,
    /// The four steps (lookup, retrieval, validation, TLS) as the core judged them.
    pub steps: Vec<Step>,
    pub txt: TxtStep,
    pub policy: PolicyStep,
    /// One entry per MX host, in preference order.
    pub mx: Vec<MxReport>,
    pub tlsrpt: TlsRptStep,
    /// What each real sender implementation does with the domain, the strict RFC 8461
    /// reading first; empty while the check runs or when it could not see the record or the
    /// policy.
    pub senders: Vec<crate::profiles::SenderOutcome>,
    /// Every finding of every step, then the domain-wide ones.
    pub findings: Vec<Finding>,
    /// Present when a draft policy was judged in place of the published one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<crate::draft::DraftReport>,
    /// What the resolver said about DNSSEC beyond the per-look-up statuses.
    #[serde(default)]
    pub dnssec: DnssecReport,
    /// What changed since the baseline report; present only when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<crate::baseline::Change>>,
    /// The TXT and MX records as each resolver saw them (the check's own first); present
    /// only when other resolvers were asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolvers: Option<Vec<crate::resolvers::ResolverView>>,
    /// When the check ran (RFC 3339, UTC), as the driver's clock tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
}

/// DNSSEC as the check's resolver saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DnssecReport {
    /// True when some answer proved that the resolver validates (an authenticated answer,
    /// or a DNSSEC failure it reported); without it, unsigned and unvalidated look alike.
    pub resolver_validates: bool,
    /// The MX look-up; `None` until answered.
    pub mx: Option<crate::dnssec::DnssecStatus>,
}

/// One of the four steps of a check, in the order a report shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum StepId {
    Lookup,
    Retrieval,
    Validation,
    Tls,
}

/// Whether a step has started and finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum StepProgress {
    /// Waiting for an earlier step's answer.
    Pending,
    Running,
    Done,
}

/// How a finished step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum StepOutcome {
    Ok,
    Warn,
    Fail,
    /// The step could not run; its summary says why.
    Skipped,
    /// The tester could not observe what the step needs.
    Inconclusive,
}

/// A step as every renderer shows it: decided once, here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Step {
    pub id: StepId,
    pub state: StepProgress,
    /// `None` until the step is done.
    pub outcome: Option<StepOutcome>,
    pub summary: String,
    /// Milliseconds from the start of the check to the step's last answer.
    pub elapsed_ms: Option<u64>,
}

/// The state of a look-up or probe while the check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    Waiting,
    Running,
    Done,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TxtStep {
    pub state: StepState,
    /// `None` until answered.
    pub status: Option<RecordStatus>,
    pub id: Option<String>,
    pub records: Vec<String>,
    pub cname: Vec<String>,
    pub ttl: Option<u32>,
    pub dns: Option<DnsOutcome>,
    /// The look-up's DNSSEC status; `None` until answered.
    #[serde(default)]
    pub dnssec: Option<crate::dnssec::DnssecStatus>,
    pub findings: Vec<Finding>,
}

/// How the policy fetch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FetchStatus {
    Ok,
    DnsNxdomain,
    /// The policy host's look-up failed at the domain's end (SERVFAIL).
    DnsError,
    /// The tester's resolver could not answer (unreachable, timed out, refused).
    ResolverFailed,
    ConnectFailed,
    Timeout,
    CertificateExpired,
    CertificateNotYetValid,
    CertificateHostMismatch,
    CertificateNotTrusted,
    CertificateChainIncomplete,
    TlsHandshakeFailed,
    HttpStatus,
    Redirect,
    ContentType,
    TooLarge,
    /// Not checked: the browser could not reach the companion and could not see the
    /// answer itself (web app only).
    Unchecked,
}

/// What a policy fetch saw. The driver fills the transport facts; the core decides about
/// status codes, redirects and the content type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PolicyFetch {
    pub status: FetchStatus,
    pub url: String,
    pub http_status: Option<u16>,
    pub content_type: Option<String>,
    /// Bytes of the body read (at most the cap plus one).
    pub bytes: Option<u64>,
    pub redirect_to: Option<String>,
    pub certificate: Option<Certificate>,
    /// What went wrong, in the driver's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Milliseconds from start to the end of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    /// The body as text, when one was read (invalid UTF-8 shown as U+FFFD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The exact bytes, base64, only when the body is not valid UTF-8, so the parser can
    /// point at the bad byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

impl PolicyFetch {
    /// A fetch of `url` with nothing seen yet.
    pub fn new(status: FetchStatus, url: &str) -> Self {
        PolicyFetch {
            status,
            url: url.to_string(),
            http_status: None,
            content_type: None,
            bytes: None,
            redirect_to: None,
            certificate: None,
            error: None,
            elapsed_ms: None,
            body: None,
            body_base64: None,
        }
    }

    /// Applies what RFC 8461 says about the HTTP answer to a transport-level `ok`: status
    /// 200 only, redirects never followed (§3.3), `text/plain` (§3.2).
    pub fn settled(mut self) -> Self {
        if self.status != FetchStatus::Ok {
            return self;
        }
        self.status = match self.http_status {
            Some(200) => {
                let media = self
                    .content_type
                    .as_deref()
                    .and_then(|ct| ct.split(';').next())
                    .map(|m| m.trim().to_ascii_lowercase());
                if media.as_deref() == Some("text/plain") {
                    FetchStatus::Ok
                } else {
                    FetchStatus::ContentType
                }
            }
            Some(300..=399) if self.redirect_to.is_some() => FetchStatus::Redirect,
            _ => FetchStatus::HttpStatus,
        };
        self
    }

    /// The body as served.
    pub fn body_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        match (&self.body_base64, &self.body) {
            (Some(b64), _) => base64::engine::general_purpose::STANDARD.decode(b64).ok(),
            (None, Some(text)) => Some(text.as_bytes().to_vec()),
            (None, None) => None,
        }
    }

    /// Stores a body read from the wire.
    pub fn set_body(&mut self, bytes: &[u8]) {
        use base64::Engine as _;
        self.body = Some(String::from_utf8_lossy(bytes).into_owned());
        self.body_base64 = std::str::from_utf8(bytes)
            .is_err()
            .then(|| base64::engine::general_purpose::STANDARD.encode(bytes));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Certificate {
    pub subject: String,
    pub sans: Vec<String>,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// Whole days until `not_after`, negative once expired.
    pub days_left: i64,
    /// Certificates the server sent.
    pub chain_len: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PolicyStep {
    pub state: StepState,
    pub fetch: Option<PolicyFetch>,
    pub valid: bool,
    pub mode: Option<Mode>,
    pub max_age: Option<u64>,
    pub mx: Vec<String>,
    /// Patterns of the policy that cover none of the current MX hosts (`policy.mx.unused`).
    pub unused_patterns: Vec<String>,
    pub findings: Vec<Finding>,
    /// The policy as served, its first [`POLICY_BODY_SHOWN`] bytes (cut at a character),
    /// so a later run can show what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// True when `body` was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_truncated: bool,
    /// SHA-256 (lower-case hex) of the whole body as served: what a cached copy is
    /// compared by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// How much of the policy text a report keeps; real policies are a few hundred bytes.
pub const POLICY_BODY_SHOWN: usize = 8 * 1024;

/// How a STARTTLS probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TlsStatus {
    Ok,
    /// The MX host's look-up failed at the domain's end (SERVFAIL, no address).
    DnsError,
    /// The tester's resolver could not answer.
    ResolverFailed,
    /// The connection was refused (RST) or the address may not be contacted.
    ConnectFailed,
    /// No TCP connection within the deadline: the host, or a filter on this network.
    ConnectTimeout,
    /// Connected, but the server did not answer a step in time.
    Timeout,
    StarttlsNotSupported,
    SmtpError,
    CertificateExpired,
    CertificateNotYetValid,
    CertificateHostMismatch,
    CertificateNotTrusted,
    CertificateChainIncomplete,
    ProtocolVersion,
    TlsHandshakeFailed,
    /// Not probed: the companion could not be reached (web app only).
    Unchecked,
    /// Not probed: the service's limit on probes of one mail server was reached.
    RateLimited,
}

/// What a STARTTLS probe of one MX host saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TlsProbe {
    pub status: TlsStatus,
    /// The address probed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub cert: Option<Certificate>,
    /// The SMTP conversation, client lines prefixed "C: ", server lines "S: ". A snapshot
    /// link leaves it out, so it may be missing.
    #[serde(default)]
    pub transcript: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    /// Set when this probe was taken earlier (for another request) and reused: how old
    /// it is, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_ms: Option<u64>,
    /// The certificates the server sent, its own first, by their digests (for DANE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<crate::dane::ChainCert>,
}

impl TlsProbe {
    /// A probe that saw nothing yet, or ended before TLS with `error`.
    pub fn new(status: TlsStatus, error: Option<String>) -> Self {
        TlsProbe {
            status,
            address: None,
            version: None,
            cipher: None,
            cert: None,
            transcript: Vec::new(),
            error,
            elapsed_ms: None,
            age_ms: None,
            chain: Vec::new(),
        }
    }
}

/// A probe answer: the host's addresses and the probe of (the first reachable) one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProbeResult {
    pub addresses: Vec<String>,
    pub tls: TlsProbe,
    /// One probe per address (up to four), in the order of `addresses`.
    #[serde(default)]
    pub probes: Vec<TlsProbe>,
}

/// What a compliant sender does with an MX under the policy in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Sender {
    Deliver,
    Refuse,
    DeliverUnverified,
}

/// The result types of RFC 8460 §4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ResultType {
    StarttlsNotSupported,
    CertificateHostMismatch,
    CertificateExpired,
    CertificateNotTrusted,
    ValidationFailure,
    TlsaInvalid,
    DnssecInvalid,
    DaneRequired,
    StsPolicyFetchError,
    StsPolicyInvalid,
    StsWebpkiInvalid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MxReport {
    pub host: String,
    pub preference: u16,
    pub addresses: Vec<String>,
    pub matched: bool,
    pub pattern: Option<String>,
    pub state: StepState,
    pub tls: Option<TlsProbe>,
    /// `None` until the policy and the probe are known, or when they cannot be.
    pub sender: Option<Sender>,
    /// What senders do with this MX, in words (the "Senders will" column).
    pub senders_will: String,
    /// The RFC 8460 §4.3 result type a failure here puts in the owner's TLS reports.
    pub tlsrpt_result: Option<ResultType>,
    /// The DNSSEC status of the host's address look-ups (A and AAAA together).
    #[serde(default)]
    pub address_dnssec: Option<crate::dnssec::DnssecStatus>,
    /// DANE (RFC 7672) for this host; `None` until its TLSA look-up is answered.
    #[serde(default)]
    pub dane: Option<crate::dane::Dane>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TlsRptStep {
    pub state: StepState,
    pub status: Option<RecordStatus>,
    pub rua: Vec<String>,
    pub records: Vec<String>,
    pub ttl: Option<u32>,
    pub dns: Option<DnsOutcome>,
    /// The look-up's DNSSEC status; `None` until answered.
    #[serde(default)]
    pub dnssec: Option<crate::dnssec::DnssecStatus>,
    pub findings: Vec<Finding>,
}

/// The wire names of the report's status enums, for text output without a JSON library.
macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),* }
            }
        }
    };
}

names!(Verdict { Pass => "pass", Warn => "warn", Fail => "fail", None => "none", Inconclusive => "inconclusive" });
names!(StepId { Lookup => "lookup", Retrieval => "retrieval", Validation => "validation", Tls => "tls" });
names!(StepProgress { Pending => "pending", Running => "running", Done => "done" });
names!(StepOutcome { Ok => "ok", Warn => "warn", Fail => "fail", Skipped => "skipped", Inconclusive => "inconclusive" });
names!(ResultType {
    StarttlsNotSupported => "starttls-not-supported", CertificateHostMismatch => "certificate-host-mismatch",
    CertificateExpired => "certificate-expired", CertificateNotTrusted => "certificate-not-trusted",
    ValidationFailure => "validation-failure", TlsaInvalid => "tlsa-invalid", DnssecInvalid => "dnssec-invalid",
    DaneRequired => "dane-required", StsPolicyFetchError => "sts-policy-fetch-error",
    StsPolicyInvalid => "sts-policy-invalid", StsWebpkiInvalid => "sts-webpki-invalid",
});
use crate::profiles::{Applied, Outcome};
names!(Applied { Enforce => "enforce", Testing => "testing", None => "none" });
names!(Outcome {
    DeliverVerified => "deliver-verified", DeliverUnverified => "deliver-unverified", Defer => "defer", Bounce => "bounce",
});
names!(StepState { Waiting => "waiting", Running => "running", Done => "done", Skipped => "skipped" });
names!(Sender { Deliver => "deliver", Refuse => "refuse", DeliverUnverified => "deliver-unverified" });
names!(FetchStatus {
    Ok => "ok", DnsNxdomain => "dns-nxdomain", DnsError => "dns-error", ResolverFailed => "resolver-failed", ConnectFailed => "connect-failed",
    Timeout => "timeout", CertificateExpired => "certificate-expired", CertificateNotYetValid => "certificate-not-yet-valid",
    CertificateHostMismatch => "certificate-host-mismatch", CertificateNotTrusted => "certificate-not-trusted",
    CertificateChainIncomplete => "certificate-chain-incomplete", TlsHandshakeFailed => "tls-handshake-failed",
    HttpStatus => "http-status", Redirect => "redirect", ContentType => "content-type", TooLarge => "too-large",
    Unchecked => "unchecked",
});
names!(TlsStatus {
    Ok => "ok", DnsError => "dns-error", ResolverFailed => "resolver-failed", ConnectFailed => "connect-failed",
    ConnectTimeout => "connect-timeout", Timeout => "timeout",
    StarttlsNotSupported => "starttls-not-supported", SmtpError => "smtp-error", CertificateExpired => "certificate-expired",
    CertificateNotYetValid => "certificate-not-yet-valid", CertificateHostMismatch => "certificate-host-mismatch",
    CertificateNotTrusted => "certificate-not-trusted", CertificateChainIncomplete => "certificate-chain-incomplete",
    ProtocolVersion => "protocol-version", TlsHandshakeFailed => "tls-handshake-failed", Unchecked => "unchecked",
    RateLimited => "rate-limited",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_names_are_the_serde_names() {
        for s in [
            FetchStatus::Ok,
            FetchStatus::DnsNxdomain,
            FetchStatus::CertificateChainIncomplete,
            FetchStatus::TooLarge,
            FetchStatus::Unchecked,
        ] {
            assert_eq!(
                format!("\"{}\"", s.as_str()),
                serde_json::to_string(&s).unwrap()
            );
        }
        for s in [
            TlsStatus::StarttlsNotSupported,
            TlsStatus::ProtocolVersion,
            TlsStatus::Unchecked,
        ] {
            assert_eq!(
                format!("\"{}\"", s.as_str()),
                serde_json::to_string(&s).unwrap()
            );
        }
        assert_eq!(
            serde_json::to_string(&Sender::DeliverUnverified).unwrap(),
            "\"deliver-unverified\""
        );
        assert_eq!(Sender::DeliverUnverified.as_str(), "deliver-unverified");
    }
}
