//! Draft mode: a policy (and perhaps a TXT record) that is not published yet, judged as if
//! it were served, against the live MX, their probes and the sender profiles, and compared
//! with what is published. The published policy is still fetched; the comparison tells what
//! changes for senders and the order in which to publish.

use crate::answers::Answers;
use crate::dns::{DnsAnswer, DnsOutcome};
use crate::policy::{check_policy, Mode, Policy};
use crate::recordset::{RecordStatus, TxtRecord};
use crate::report::{FetchStatus, PolicyFetch, Report, Sender};
use crate::rules;
use serde::{Deserialize, Serialize};

/// What the user wants to publish.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// The policy body, as it would be served.
    pub policy: String,
    /// The `_mta-sts` TXT record to publish with it; `None` keeps the published one, or
    /// proposes one when none is valid.
    pub txt: Option<String>,
    /// A fresh policy id the driver made from its clock (`20261201T120000`): the core has no
    /// clock, and the rollout names the id to publish.
    pub new_id: String,
}

/// The draft part of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DraftReport {
    /// The draft policy body that was judged.
    pub policy: String,
    /// The TXT record the draft was judged with.
    pub txt: String,
    /// Where that record came from: `draft` (given), `published` (the live one), or
    /// `proposed` (made up here because none was given and none valid is published).
    pub txt_source: TxtSource,
    /// The verdict of the published set-up, for comparison (`None` while it is checked).
    pub published_verdict: Option<crate::report::Verdict>,
    pub diff: Diff,
    /// True when senders holding the published policy must be told to refetch: the draft
    /// differs from what is published, so the TXT id has to change with it.
    pub txt_id_must_change: bool,
    /// What changes for senders, in words.
    pub effects: Vec<String>,
    /// The safe order of publishing, as steps in words.
    pub rollout: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum TxtSource {
    Draft,
    Published,
    Proposed,
}

/// The draft against the published policy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Diff {
    /// `mx` patterns in the draft and not in the published policy.
    pub mx_added: Vec<String>,
    /// `mx` patterns in the published policy and not in the draft.
    pub mx_removed: Vec<String>,
    pub mode: Option<Change<Mode>>,
    pub max_age: Option<Change<u64>>,
}

impl Diff {
    /// The diff as the lines a person reads: `+ mx: …`, `- mx: …`, `mode: testing → enforce`.
    pub fn lines(&self) -> Vec<String> {
        let shown = |v: Option<String>| v.unwrap_or_else(|| "(none)".into());
        let mut out: Vec<String> = Vec::new();
        out.extend(self.mx_added.iter().map(|p| format!("+ mx: {p}")));
        out.extend(self.mx_removed.iter().map(|p| format!("- mx: {p}")));
        if let Some(c) = &self.mode {
            let name = |m: Option<Mode>| shown(m.map(|m| m.as_str().into()));
            out.push(format!("mode: {} → {}", name(c.from), name(c.to)));
        }
        if let Some(c) = &self.max_age {
            let secs = |v: Option<u64>| shown(v.map(|v| v.to_string()));
            out.push(format!("max_age: {} → {}", secs(c.from), secs(c.to)));
        }
        out
    }
}

/// A value before and after; `None` where there is no policy (or no valid field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Change<T> {
    pub from: Option<T>,
    pub to: Option<T>,
}

/// The answers as senders would see them once the draft is published: the draft served
/// with status 200 as `text/plain` from the policy host (keeping its certificate facts),
/// and the draft's TXT record, the published one, or a proposed one.
pub(crate) fn drafted_answers(a: &Answers, draft: &Draft) -> (Answers, String, TxtSource) {
    let mut drafted = a.clone();
    drafted.draft = None;
    let url = a.policy.as_ref().map_or_else(
        || format!("https://mta-sts.{}/.well-known/mta-sts.txt", a.domain),
        |p| p.url.clone(),
    );
    let mut served = PolicyFetch::new(FetchStatus::Ok, &url);
    served.http_status = Some(200);
    served.content_type = Some("text/plain".into());
    served.bytes = Some(draft.policy.len() as u64);
    served.certificate = a.policy.as_ref().and_then(|p| p.certificate.clone());
    served.set_body(draft.policy.as_bytes());
    drafted.policy = Some(served);

    let (txt, source) = match (&draft.txt, published_txt(a)) {
        (Some(given), _) => (given.trim().to_string(), TxtSource::Draft),
        (None, Some(live)) => (live, TxtSource::Published),
        (None, None) => (
            format!("v=STSv1; id={}", proposed_id(draft)),
            TxtSource::Proposed,
        ),
    };
    if source != TxtSource::Published {
        let mut answer = DnsAnswer::failed(DnsOutcome::Answer);
        answer.txt = vec![TxtRecord::from_text(&txt)];
        drafted.txt = Some(answer);
    }
    (drafted, txt, source)
}

fn proposed_id(draft: &Draft) -> &str {
    if draft.new_id.is_empty() {
        "draft"
    } else {
        &draft.new_id
    }
}

/// The live `_mta-sts` record when exactly one valid one is published.
fn published_txt(a: &Answers) -> Option<String> {
    let answer = a.txt.as_ref()?;
    let check = crate::txt::check_sts_records(&answer.txt);
    (check.status == RecordStatus::Valid)
        .then(|| {
            answer
                .txt
                .iter()
                .map(TxtRecord::text)
                .find(|t| t.trim_start().starts_with("v=STSv1"))
        })
        .flatten()
}

/// Compares the draft's report with the published one and says what to do, in order.
pub(crate) fn compare(
    draft: &Draft,
    txt: String,
    source: TxtSource,
    published: &Report,
    drafted: &mut Report,
) {
    let live = published_policy(published);
    let new = check_policy(draft.policy.as_bytes()).policy;
    let diff = diff(live.as_ref(), new.as_ref());
    let txt_id_must_change = new.is_none() || acted_on(live.as_ref()) != acted_on(new.as_ref());
    let live_id = published.txt.id.clone();
    let draft_id = drafted.txt.id.clone();
    if txt_id_must_change && source == TxtSource::Draft && live_id.is_some() && live_id == draft_id
    {
        let id = live_id.unwrap_or_default();
        let finding = rules::DRAFT_TXT_ID_UNCHANGED
            .finding(format!(
                "The draft TXT record keeps the published id {id:?} while the policy changes: senders that cached the published policy may keep applying it until its max_age runs out."
            ))
            .fix(format!(
                "Publish the new policy with a new id, such as \"v=STSv1; id={}\".",
                proposed_id(draft)
            ));
        drafted.txt.findings.push(finding.clone());
        drafted.findings.push(finding);
    }
    if source == TxtSource::Proposed {
        let finding = rules::DRAFT_TXT_PROPOSED.finding(format!(
            "No valid _mta-sts record is published, so the draft was judged with \"{txt}\"; publish it only after the policy is served."
        ));
        drafted.txt.findings.push(finding.clone());
        drafted.findings.push(finding);
    }
    if let Some(broken) = broken_host(published) {
        // Senders would not get the draft at all: the host's HTTPS is what fails.
        let finding = rules::DRAFT_POLICY_HOST_BROKEN
            .finding(format!(
                "The draft cannot take effect yet: {}",
                broken.message
            ))
            .fix(broken.fix.unwrap_or_default());
        drafted.findings.push(finding.clone());
        drafted.policy.findings.push(finding);
        drafted.verdict = Some(crate::report::Verdict::Fail);
    }
    let effects = effects(published, drafted, &diff, new.as_ref());
    let rollout = rollout(
        draft,
        &txt,
        source,
        published,
        &diff,
        live.as_ref(),
        new.as_ref(),
        txt_id_must_change,
    );
    drafted.draft = Some(DraftReport {
        policy: draft.policy.clone(),
        txt,
        txt_source: source,
        published_verdict: published.verdict,
        diff,
        txt_id_must_change,
        effects,
        rollout,
    });
}

/// The published fetch's failure when it is the policy host's HTTPS (not a missing file or
/// host, which the roll-out's first step covers).
fn broken_host(published: &Report) -> Option<crate::Finding> {
    let fetch = published.policy.fetch.as_ref()?;
    matches!(
        fetch.status,
        FetchStatus::CertificateExpired
            | FetchStatus::CertificateNotYetValid
            | FetchStatus::CertificateHostMismatch
            | FetchStatus::CertificateNotTrusted
            | FetchStatus::CertificateChainIncomplete
            | FetchStatus::TlsHandshakeFailed
            | FetchStatus::Redirect
            | FetchStatus::ContentType
    )
    .then(|| crate::verdict::fetch_finding(fetch))
}

/// What senders act on: mode, max_age and the set of patterns (order, case and repeats
/// are no change a sender sees).
fn acted_on(p: Option<&Policy>) -> Option<(Mode, u64, Vec<String>)> {
    p.map(|p| {
        let mut mx: Vec<String> = p.mx.iter().map(|m| m.to_ascii_lowercase()).collect();
        mx.sort();
        mx.dedup();
        (p.mode, p.max_age, mx)
    })
}

/// The published policy senders would hold: the one served, when it parses.
fn published_policy(published: &Report) -> Option<Policy> {
    let fetch = published.policy.fetch.as_ref()?;
    if fetch.status != FetchStatus::Ok {
        return None;
    }
    check_policy(&fetch.body_bytes()?).policy
}

fn diff(live: Option<&Policy>, new: Option<&Policy>) -> Diff {
    let patterns = |p: Option<&Policy>| p.map(|p| p.mx.clone()).unwrap_or_default();
    let (old_mx, new_mx) = (patterns(live), patterns(new));
    let missing = |from: &[String], to: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in from {
            if !to.iter().any(|q| q.eq_ignore_ascii_case(p))
                && !out.iter().any(|q| q.eq_ignore_ascii_case(p))
            {
                out.push(p.clone());
            }
        }
        out
    };
    let change = |from: Option<Mode>, to: Option<Mode>| (from != to).then_some(Change { from, to });
    let max_age = {
        let (from, to) = (live.map(|p| p.max_age), new.map(|p| p.max_age));
        (from != to).then_some(Change { from, to })
    };
    Diff {
        mx_added: missing(&new_mx, &old_mx),
        mx_removed: missing(&old_mx, &new_mx),
        mode: change(live.map(|p| p.mode), new.map(|p| p.mode)),
        max_age,
    }
}

fn effects(published: &Report, drafted: &Report, diff: &Diff, new: Option<&Policy>) -> Vec<String> {
    let mut out = Vec::new();
    if new.is_none() {
        out.push("The draft is not a valid policy: senders that hold the published policy keep applying it until its max_age runs out, and the others deliver without MTA-STS.".to_string());
    }
    for mx in &drafted.mx {
        let before = published
            .mx
            .iter()
            .find(|m| m.host == mx.host)
            .and_then(|m| m.sender);
        let Some(after) = mx.sender else { continue };
        if Some(after) == before {
            continue;
        }
        let why = if mx.matched {
            "its TLS does not verify"
        } else {
            "no mx pattern of the draft matches it"
        };
        out.push(match after {
            Sender::Refuse => format!(
                "Mail to {} will be refused by enforcing senders: {why}.",
                mx.host
            ),
            Sender::Deliver => format!(
                "Mail to {} will be delivered over verified TLS by MTA-STS senders.",
                mx.host
            ),
            Sender::DeliverUnverified if mx.matched || new.map(|p| p.mode) != Some(Mode::Enforce) => format!(
                "Mail to {} will still be delivered, but senders will not require verified TLS for it.",
                mx.host
            ),
            Sender::DeliverUnverified => format!(
                "Mail to {} will be delivered without verified TLS.",
                mx.host
            ),
        });
    }
    if let Some(Change { from, to: Some(to) }) = &diff.mode {
        let said = match (from, to) {
            (Some(Mode::Enforce), Mode::Testing) => Some("Senders stop refusing mail when TLS fails; they report the failures instead."),
            (Some(Mode::Enforce | Mode::Testing), Mode::None) => Some("Mode none withdraws the policy: senders forget it once they refetch."),
            (_, Mode::Enforce) => Some("Senders that support MTA-STS will refuse to deliver to any MX that no pattern matches or that does not pass verified TLS."),
            _ => None,
        };
        out.extend(said.map(str::to_string));
    }
    if let Some(Change {
        from: Some(from),
        to: Some(to),
    }) = diff.max_age
    {
        if to < from {
            out.push(format!(
                "Senders keep the published policy for up to {} after they last fetched it; the shorter max_age applies only after that.",
                duration(from)
            ));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn rollout(
    draft: &Draft,
    txt: &str,
    source: TxtSource,
    published: &Report,
    diff: &Diff,
    live: Option<&Policy>,
    new: Option<&Policy>,
    txt_id_must_change: bool,
) -> Vec<String> {
    let domain = &published.domain;
    let url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    let mut steps = Vec::new();
    if new.is_none() {
        steps.push(
            "Fix the errors in the draft first: senders ignore a policy that does not parse."
                .to_string(),
        );
    }
    let nothing_new = !txt_id_must_change && source == TxtSource::Published;
    if nothing_new {
        steps.push("Nothing to publish: senders would see no change.".to_string());
        return steps;
    }
    // Reports first: testing mode tells nothing without them (RFC 8461 §5).
    if published.tlsrpt.status != Some(RecordStatus::Valid) {
        steps.push(format!(
            "Publish a TLS-RPT record first (_smtp._tls.{domain} TXT \"v=TLSRPTv1; rua=mailto:…\") so senders report failures to you."
        ));
    }
    let new_mode = new.map(|p| p.mode);
    let live_mode = live.map(|p| p.mode);
    if new_mode == Some(Mode::Enforce) && live_mode != Some(Mode::Enforce) {
        steps.push("Before this enforce policy, run the same policy in mode testing with max_age 86400 (one day), published with a new id as below, and read the TLS reports for a week or two; publish this one, with another new id, once they are clean.".to_string());
    }
    let served_ok = published
        .policy
        .fetch
        .as_ref()
        .is_some_and(|f| f.status == FetchStatus::Ok);
    steps.push(if served_ok {
        format!("Serve the new policy at {url} in place of the published one.")
    } else {
        format!("Serve the policy at {url}: any static host with a certificate for mta-sts.{domain}, status 200, Content-Type text/plain, no redirects.")
    });
    steps.push(format!(
        "Check that it is served: run this check again (or `mtasts check {domain}`) and see the served policy match the draft."
    ));
    let record = if source == TxtSource::Draft {
        txt.to_string()
    } else if txt_id_must_change || source == TxtSource::Proposed {
        format!("v=STSv1; id={}", proposed_id(draft))
    } else {
        txt.to_string()
    };
    steps.push(format!(
        "Only then publish the TXT record{}: _mta-sts.{domain}. IN TXT \"{record}\".",
        if txt_id_must_change && source != TxtSource::Proposed {
            " with its new id"
        } else {
            ""
        }
    ));
    if new_mode == Some(Mode::Testing) {
        steps.push("Switch to enforce once the TLS reports show no failures, then raise max_age to a week or more (604800 or above).".to_string());
    }
    if new_mode == Some(Mode::None) && live_mode.is_some_and(|m| m != Mode::None) {
        steps.push("To withdraw MTA-STS: serve mode none with a small max_age (86400) and a new id, keep the policy host and the TXT record until every policy served before has expired (the published max_age), and only then remove both (RFC 8461 §8.3).".to_string());
    }
    // Added patterns that cover no MX of today are for MX about to be added.
    let hosts: Vec<&str> = published.mx.iter().map(|m| m.host.as_str()).collect();
    let covers = |p: &str, h: &str| crate::pattern::find_match(h, [p]).is_some();
    let ahead: Vec<&str> = diff
        .mx_added
        .iter()
        .map(String::as_str)
        .filter(|p| !hosts.iter().any(|h| covers(p, h)))
        .collect();
    if !ahead.is_empty() {
        // Senders can hold an older policy only when one is published.
        let wait = live.map_or(String::new(), |p| {
            format!(
                ", wait until senders hold it (those that cached the old one may keep it for up to {})",
                duration(p.max_age)
            )
        });
        steps.push(format!(
            "{} cover{} no MX of today: when moving to new MX hosts, publish the policy that names them{wait}, and only then change the MX records.",
            ahead.join(", "),
            if ahead.len() == 1 { "s" } else { "" }
        ));
    }
    // A removed pattern matters only while an MX record still points to a host it covers
    // that the draft no longer covers.
    let draft_patterns: Vec<&str> = new
        .map(|p| p.mx.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let stranded: Vec<&str> = diff
        .mx_removed
        .iter()
        .map(String::as_str)
        .filter(|p| {
            hosts
                .iter()
                .any(|h| covers(p, h) && !draft_patterns.iter().any(|q| covers(q, h)))
        })
        .collect();
    if !stranded.is_empty() {
        steps.push(format!(
            "Remove {} only once no MX record points to a host it covers (and the MX records' TTL has passed): until then enforcing senders refuse mail to those hosts.",
            stranded.join(", ")
        ));
    }
    steps
}

/// Seconds in words: `604800` → "7 days", `31557600` → "about 365 days".
pub(crate) fn duration(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s >= 2 * 86_400 => format!("about {}", plural((s + 43_200) / 86_400, "day")),
        s if s >= 3_600 && s % 3_600 == 0 => plural(s / 3_600, "hour"),
        s => plural(s, "second"),
    }
}
