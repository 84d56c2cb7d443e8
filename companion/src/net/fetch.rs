//! The policy fetch as a sender makes it (RFC 8461 §3.3): HTTPS to `mta-sts.<domain>` on
//! port 443 with SNI, no redirects followed, at most 64 KiB read, every phase under a
//! deadline. Unlike a sender it reports what it saw instead of giving up: the certificate,
//! the status, the Location, the Content-Type.

use super::http::{self, Body};
use super::tls::{describe, now_unix, CertProblem};
use super::{ConnectError, Net};
use bytes::Bytes;
use mtasts_core::dns::DnsOutcome;
use mtasts_core::policy::MAX_POLICY_BYTES;
use mtasts_core::report::{FetchStatus, PolicyFetch};
use std::time::Instant;

pub async fn fetch_policy(net: &Net, host: &str, url: &str) -> PolicyFetch {
    let started = Instant::now();
    let mut fetch = PolicyFetch::new(FetchStatus::Ok, url);
    // One total deadline over the look-up, up to four addresses and the body: a host that
    // answers each phase just in time still ends.
    let total = net.total_deadline();
    let result = match net.slot().await {
        Ok(_slot) => match tokio::time::timeout(total, run(net, host, url, &mut fetch)).await {
            Ok(result) => result,
            Err(_) => Err((
                FetchStatus::Timeout,
                format!("the fetch did not finish within {} s", total.as_secs()),
            )),
        },
        Err(e) => Err((FetchStatus::ConnectFailed, e)),
    };
    if let Err((status, error)) = result {
        fetch.status = status;
        fetch.error = Some(error);
    }
    fetch.elapsed_ms = Some(started.elapsed().as_millis() as u64);
    fetch
}

async fn run(
    net: &Net,
    host: &str,
    url: &str,
    fetch: &mut PolicyFetch,
) -> Result<(), (FetchStatus, String)> {
    let addresses = net
        .resolver
        .addresses(host)
        .await
        .map_err(|outcome| match outcome {
            DnsOutcome::NxDomain => (FetchStatus::DnsNxdomain, format!("{host} does not exist")),
            DnsOutcome::NoData => (
                FetchStatus::DnsNxdomain,
                format!("{host} has no A or AAAA record"),
            ),
            other if other.tester_side() => (FetchStatus::ResolverFailed, other.describe()),
            other => (FetchStatus::DnsError, other.describe()),
        })?;
    let (tcp, ip) = net.connect(&addresses, 443).await.map_err(|e| match e {
        ConnectError::Refused(r) => (FetchStatus::ConnectFailed, r.to_string()),
        ConnectError::Timeout(e) => (FetchStatus::Timeout, e),
        ConnectError::Failed(e) => (FetchStatus::ConnectFailed, e),
    })?;
    let (config, recorder) = net.trust.recording();
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| (FetchStatus::ConnectFailed, e.to_string()))?;
    let handshake = tokio_rustls::TlsConnector::from(config).connect(name, tcp);
    let stream = match tokio::time::timeout(net.timeout, handshake).await {
        Err(_) => {
            return Err((
                FetchStatus::Timeout,
                format!("{ip}: the TLS handshake did not finish in time"),
            ))
        }
        Ok(Err(e)) => return Err((FetchStatus::TlsHandshakeFailed, format!("{ip}: {e}"))),
        Ok(Ok(s)) => s,
    };
    let chain: Vec<_> = stream
        .get_ref()
        .1
        .peer_certificates()
        .map(|c| c.to_vec())
        .unwrap_or_default();
    fetch.certificate = describe(&chain, now_unix());
    if let Some(Err((problem, detail))) = recorder.verdict() {
        let status = match problem {
            CertProblem::Expired => FetchStatus::CertificateExpired,
            CertProblem::NotYetValid => FetchStatus::CertificateNotYetValid,
            CertProblem::HostMismatch => FetchStatus::CertificateHostMismatch,
            CertProblem::NotTrusted => FetchStatus::CertificateNotTrusted,
            CertProblem::ChainIncomplete => FetchStatus::CertificateChainIncomplete,
        };
        return Err((status, detail));
    }

    let request = hyper::Request::get(
        // Origin-form, as senders send it: the path, with the host in the Host header.
        url.splitn(4, '/')
            .nth(3)
            .map_or("/".to_string(), |p| format!("/{p}")),
    )
    .header(hyper::header::HOST, host)
    .header(
        hyper::header::USER_AGENT,
        concat!("mtasts/", env!("CARGO_PKG_VERSION")),
    )
    .header(hyper::header::ACCEPT, "text/plain")
    .body(http_body_util::Full::new(Bytes::new()))
    .map_err(|e| (FetchStatus::ConnectFailed, e.to_string()))?;
    let mut response = match tokio::time::timeout(net.timeout, http::send(stream, request)).await {
        Err(_) => return Err((FetchStatus::Timeout, "no HTTP response in time".into())),
        Ok(Err(e)) => return Err((FetchStatus::ConnectFailed, e)),
        Ok(Ok(r)) => r,
    };
    fetch.http_status = Some(response.status);
    fetch.content_type = response.header(hyper::header::CONTENT_TYPE);
    fetch.redirect_to = response.header(hyper::header::LOCATION);
    if response.status != 200 {
        // The core turns these facts into the http-status or redirect verdict.
        return Ok(());
    }
    match response.read_body(MAX_POLICY_BYTES, net.timeout).await {
        Body::Complete(body) => {
            fetch.bytes = Some(body.len() as u64);
            fetch.set_body(&body);
            Ok(())
        }
        Body::TooLarge(head) => {
            fetch.bytes = Some(head.len() as u64);
            // The first 64 KiB, for senders that read a prefix and parse it (chasquid
            // keeps 10 KiB); the RFC reading treats the fetch as failed either way.
            fetch.set_body(&head[..head.len().min(MAX_POLICY_BYTES)]);
            Err((
                FetchStatus::TooLarge,
                format!("more than {MAX_POLICY_BYTES} bytes"),
            ))
        }
        Body::TimedOut => Err((
            FetchStatus::Timeout,
            "the body did not arrive in time".into(),
        )),
        Body::Failed(e) => Err((FetchStatus::ConnectFailed, e)),
    }
}
