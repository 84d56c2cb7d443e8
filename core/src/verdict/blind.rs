//! The tester's blind spots: what the check could not observe, for reasons on its own side
//! (its resolver or companion unreachable, port 25 filtered where it runs, its own rate
//! limit). They are never the domain's faults, so they make a verdict inconclusive instead
//! of failing it.

use super::mx::MxJudged;
use super::retrieval::PolicyJudged;
use super::senders::TlsView;
use super::text;
use crate::answers::{Answers, MxSet};
use crate::finding::Finding;
use crate::recordset::RecordStatus;
use crate::report::{FetchStatus, TlsStatus, TxtStep};
use crate::rules;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Blind {
    /// The resolver failed these look-ups (`what`); `why` in the first failure's words.
    Resolver {
        what: Vec<&'static str>,
        why: String,
    },
    /// The companion service could not be reached; `what` did not run.
    Companion {
        what: Vec<&'static str>,
        why: String,
    },
    /// The service's own per-host limit kept these hosts from being probed.
    RateLimited { hosts: Vec<String> },
    /// No MX host answered the probe in time; `connect` when not even TCP got through.
    Timeouts { hosts: Vec<String>, connect: bool },
}

impl Blind {
    /// True when it hides something the delivery verdict depends on. TLS-RPT is reporting
    /// only (RFC 8460 §3), so its look-up is never decisive.
    pub fn decisive(&self) -> bool {
        !matches!(self, Blind::Resolver { what, .. } if what.iter().all(|w| *w == TLSRPT))
    }

    /// What could not be seen and why, as a clause for the verdict summary.
    pub fn clause(&self) -> String {
        match self {
            Blind::Resolver { what, why } => format!(
                "the resolver could not answer the {} look-up{} ({})",
                text::list(&what.iter().map(|w| w.to_string()).collect::<Vec<_>>()),
                if what.len() == 1 { "" } else { "s" },
                text::clause(why)
            ),
            Blind::Companion { what, why } => format!(
                "the companion service could not be reached ({}), so {} did not run",
                text::clause(why),
                text::list(&what.iter().map(|w| w.to_string()).collect::<Vec<_>>())
            ),
            Blind::RateLimited { hosts } => format!(
                "{} {} not probed because the service's limit on probes of one mail server was reached",
                text::list(hosts),
                if hosts.len() == 1 { "was" } else { "were" }
            ),
            Blind::Timeouts { hosts, connect: true } => format!(
                "no connection to port 25 of {} could be opened in time, which is what a network that blocks outgoing port 25 looks like",
                text::list(hosts)
            ),
            Blind::Timeouts { hosts, connect: false } => format!(
                "{} accepted the connection but did not answer the probe in time",
                text::list(hosts)
            ),
        }
    }

    /// What to try, for the summary and the finding's fix.
    pub fn remedy(&self) -> &'static str {
        match self {
            Blind::Resolver { .. } => "Try another DNS-over-HTTPS resolver (or check the resolver URL) and run the check again.",
            Blind::Companion { .. } => "Try again later, or run `mtasts check` in a terminal.",
            Blind::RateLimited { .. } => "Try again in a minute.",
            Blind::Timeouts { connect: true, .. } => "Run `mtasts check` from a host that can reach port 25, such as a mail server.",
            Blind::Timeouts { connect: false, .. } => "Run the check again with a longer --timeout, or from another network.",
        }
    }

    fn finding(&self) -> Finding {
        let rule = match self {
            Blind::Resolver { .. } => rules::CHECK_RESOLVER_FAILED,
            Blind::Companion { .. } => rules::CHECK_UNAVAILABLE,
            Blind::RateLimited { .. } => rules::CHECK_RATE_LIMITED,
            Blind::Timeouts { .. } => rules::CHECK_MX_UNREACHABLE,
        };
        let mut sentence = self.clause();
        if let Some(first) = sentence.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        rule.finding(format!(
            "{sentence}. This is about where the check runs, not about the domain."
        ))
        .fix(self.remedy())
    }
}

const TXT: &str = "_mta-sts TXT";
const MX: &str = "MX";
const TLSRPT: &str = "_smtp._tls TXT";

pub(super) fn spots(
    a: &Answers,
    txt: &TxtStep,
    policy: &PolicyJudged,
    mx: &[MxJudged],
) -> Vec<Blind> {
    let mut out = Vec::new();
    let mut resolver: Vec<(&'static str, String)> = Vec::new();
    if let Some(d) = a.txt.as_ref().filter(|d| d.outcome.tester_side()) {
        resolver.push((TXT, d.outcome.describe()));
    }
    if let Some(MxSet::Failed(o)) = &a.mx {
        if o.tester_side() {
            resolver.push((MX, o.describe()));
        }
    }
    if let Some(d) = a.tlsrpt.as_ref().filter(|d| d.outcome.tester_side()) {
        resolver.push((TLSRPT, d.outcome.describe()));
    }

    let mut companion = Vec::new();
    let mut companion_why = None;
    // A policy nobody advertises does not matter to senders; its fetch is no blind spot.
    let fetch_matters = txt.status != Some(RecordStatus::None);
    if let Some(f) = policy.step.fetch.as_ref().filter(|_| fetch_matters) {
        match f.status {
            FetchStatus::Unchecked => {
                companion.push("the policy fetch");
                companion_why = f.error.clone();
            }
            FetchStatus::ResolverFailed => resolver.push((
                "policy host's address",
                f.error.clone().unwrap_or_else(|| "no answer".into()),
            )),
            _ => {}
        }
    }

    let seen = mx.iter().any(|m| {
        matches!(
            m.tls,
            Some(TlsView::Verified | TlsView::Failed(_) | TlsView::Refused)
        )
    });
    let with = |statuses: &[TlsStatus]| -> Vec<&MxJudged> {
        mx.iter()
            .filter(|m| m.status().is_some_and(|s| statuses.contains(&s)))
            .collect()
    };
    let unchecked = with(&[TlsStatus::Unchecked]);
    if let Some(first) = unchecked.first() {
        companion.push("the STARTTLS probes");
        if companion_why.is_none() {
            companion_why = first.report.tls.as_ref().and_then(|t| t.error.clone());
        }
    }
    if !companion.is_empty() {
        out.push(Blind::Companion {
            what: companion,
            why: companion_why.unwrap_or_else(|| "no answer".into()),
        });
    }
    let names = |ms: &[&MxJudged]| ms.iter().map(|m| m.report.host.clone()).collect::<Vec<_>>();
    let limited = with(&[TlsStatus::RateLimited]);
    if !limited.is_empty() {
        out.push(Blind::RateLimited {
            hosts: names(&limited),
        });
    }
    let resolver_failed = with(&[TlsStatus::ResolverFailed]);
    if let Some(first) = resolver_failed.first() {
        resolver.push((
            "MX host address",
            first
                .report
                .tls
                .as_ref()
                .and_then(|t| t.error.clone())
                .unwrap_or_else(|| "no answer".into()),
        ));
    }
    if let Some((_, why)) = resolver.first() {
        out.insert(
            0,
            Blind::Resolver {
                what: resolver.iter().map(|(w, _)| *w).collect(),
                why: why.clone(),
            },
        );
    }
    // Timeouts are this network's doing only when no MX of the domain answered at all;
    // otherwise the host that timed out has a warning of its own.
    let timed_out = with(&[TlsStatus::Timeout, TlsStatus::ConnectTimeout]);
    if !seen && !timed_out.is_empty() {
        out.push(Blind::Timeouts {
            hosts: names(&timed_out),
            connect: timed_out
                .iter()
                .all(|m| m.status() == Some(TlsStatus::ConnectTimeout)),
        });
    }
    out
}

pub(super) fn findings(blind: &[Blind]) -> Vec<Finding> {
    blind.iter().map(Blind::finding).collect()
}

/// True when the probes could not tell anything: no host was seen.
pub(super) fn tls_blind(mx: &[MxJudged]) -> bool {
    !mx.is_empty() && mx.iter().all(|m| matches!(m.tls, Some(TlsView::Unknown)))
}
