//! Drives the core's check with the native network edge: every request the check hands out
//! runs at once, and answers are fed back as they arrive.

use crate::net::{fetch::fetch_policy, probe::probe_mx, Net};
use mtasts_core::{Answer, Check, Report, Request};
use tokio::task::JoinSet;

pub async fn run_check(net: &Net, domain: &str) -> Report {
    run_check_with(net, domain, None, None).await
}

/// The check of `domain`, judging `draft` in place of the published policy when given, and
/// warning about certificates that expire within `expiry_days` (the core's default if none).
pub async fn run_check_with(
    net: &Net,
    domain: &str,
    draft: Option<mtasts_core::draft::Draft>,
    expiry_days: Option<i64>,
) -> Report {
    let started = std::time::Instant::now();
    let checked_at = now_rfc3339();
    let mut check = Check::new(domain);
    check.set_draft(draft);
    if let Some(days) = expiry_days {
        check.set_expiry_days(days);
    }
    let mut tasks = JoinSet::new();
    loop {
        for request in check.poll_requests() {
            let net = net.clone();
            tasks.spawn(async move {
                let id = request.id();
                (id, perform(&net, request).await)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        match joined {
            Ok((id, answer)) => {
                let elapsed = started.elapsed().as_millis() as u64;
                if let Err(e) = check.handle(id, answer, elapsed) {
                    tracing::warn!(error = %e, "answer dropped");
                }
            }
            Err(e) => tracing::error!(error = %e, "a check task failed"),
        }
    }
    let mut report = check.report();
    report.checked_at = Some(checked_at);
    report
}

/// The time now, as reports carry it: RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The `_mta-sts` TXT and the MX records of `domain` as each resolver sees them, asked at
/// the same time.
pub async fn resolver_views(
    resolvers: &[crate::net::resolver::Resolver],
    domain: &str,
) -> Vec<mtasts_core::resolvers::ResolverView> {
    use mtasts_core::dns::RecordType;
    use mtasts_core::resolvers::{ResolverView, Seen};
    let sts = format!("_mta-sts.{domain}");
    let asks = resolvers.iter().map(|r| {
        let sts = sts.clone();
        async move {
            let (txt, mx) = tokio::join!(
                r.query(&sts, RecordType::Txt),
                r.query(domain, RecordType::Mx)
            );
            ResolverView {
                resolver: r.describe(),
                txt: Seen::txt(&txt),
                mx: Seen::mx(&mx),
            }
        }
    });
    futures_util::future::join_all(asks).await
}

async fn perform(net: &Net, request: Request) -> Answer {
    match request {
        Request::Dns { name, rtype, .. } => Answer::Dns(net.resolver.query(&name, rtype).await),
        Request::FetchPolicy { host, url, .. } => {
            Answer::Policy(fetch_policy(net, &host, &url).await)
        }
        Request::Probe { host, .. } => Answer::Probe(probe_mx(net, &host).await),
    }
}
