//! The browser's side of a check: it performs the core's requests. DNS goes straight from
//! the page to the chosen DoH resolver (RFC 8484 GET); the policy fetch and the STARTTLS
//! probes go through the companion, because a page can neither open port 25 nor see a
//! certificate, a redirect or a response without CORS headers.

use crate::fetch::{Failure, Get};
use base64::Engine as _;
use mtasts_core::dns::{build_query, parse_response, DnsAnswer, DnsOutcome, RecordType};
use mtasts_core::report::{FetchStatus, PolicyFetch, ProbeResult, TlsProbe, TlsStatus};
use mtasts_core::{Answer, Request};
use serde::de::DeserializeOwned;

pub use crate::settings::Config;

const DNS_TIMEOUT_MS: u32 = 10_000;
const COMPANION_TIMEOUT_MS: u32 = 120_000;

/// Performs one request; never fails, every problem becomes part of the answer.
pub async fn perform(config: &Config, request: Request) -> Answer {
    match request {
        Request::Dns { name, rtype, .. } => Answer::Dns(doh(&config.resolver, &name, rtype).await),
        Request::FetchPolicy { host, url, .. } => Answer::Policy(policy(config, &host, &url).await),
        Request::Probe { host, .. } => Answer::Probe(probe(config, &host).await),
    }
}

/// An RFC 8484 GET: the query, base64url without padding, in the `dns` parameter.
pub async fn doh(resolver: &str, name: &str, rtype: RecordType) -> DnsAnswer {
    let query = match build_query(name, rtype, 0) {
        Ok(q) => q,
        Err(e) => return DnsAnswer::failed(DnsOutcome::Error(e)),
    };
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&query);
    let get = Get {
        url: resolver,
        params: &[("dns", &encoded)],
        accept: Some("application/dns-message"),
        manual_redirect: false,
        timeout_ms: DNS_TIMEOUT_MS,
    };
    match get.send().await {
        Err(Failure::Timeout) => DnsAnswer::failed(DnsOutcome::Timeout),
        Err(Failure::Network(e)) => DnsAnswer::failed(DnsOutcome::Error(format!(
            "the resolver could not be reached ({e})"
        ))),
        Ok(reply) if !reply.ok() => DnsAnswer::failed(DnsOutcome::Error(format!(
            "the resolver answered HTTP {}",
            reply.status
        ))),
        Ok(reply) => parse_response(&reply.body, name, rtype, 0),
    }
}

/// GETs companion JSON; an error in words when the companion cannot be reached or does
/// not answer with what it should.
async fn companion<T: DeserializeOwned>(
    config: &Config,
    path: &str,
    params: &[(&str, &str)],
) -> Result<T, String> {
    let url = format!("{}{path}", config.companion);
    let get = Get {
        url: &url,
        params,
        accept: None,
        manual_redirect: false,
        timeout_ms: COMPANION_TIMEOUT_MS,
    };
    let reply = get.send().await.map_err(|f| match f {
        Failure::Timeout => format!("no answer within {} s", COMPANION_TIMEOUT_MS / 1000),
        Failure::Network(e) => e,
    })?;
    let status = reply.status;
    if status != 200 {
        let value = js_sys::JSON::parse(&reply.text())
            .map_err(|_| format!("the companion answered HTTP {status} without JSON"))?;
        let message = js_sys::Reflect::get(&value, &"error".into())
            .and_then(|e| js_sys::Reflect::get(&e, &"message".into()))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(message);
    }
    // serde-json-core: a small serde JSON reader whose errors are plain codes, so the
    // page carries neither a JSON library's error formatting nor a float printer (about
    // 7 KB of brotli against JSON.parse with serde-wasm-bindgen). Escaped strings are
    // unescaped into `scratch`, as long as the answer.
    let mut scratch = vec![0u8; reply.body.len()];
    serde_json_core::from_slice_escaped::<T>(&reply.body, &mut scratch)
        .map(|(v, _)| v)
        .map_err(|_| "the companion's answer did not parse".to_string())
}

async fn policy(config: &Config, host: &str, url: &str) -> PolicyFetch {
    let domain = host.trim_start_matches("mta-sts.");
    match companion::<PolicyFetch>(config, "/api/v1/policy", &[("domain", domain)]).await {
        Ok(fetch) => fetch,
        Err(reason) => browser_fetch(url, &reason).await,
    }
}

/// Without the companion: the page's own fetch, which works only where the policy host
/// sends CORS headers, and sees neither the certificate nor a redirect.
async fn browser_fetch(url: &str, companion_error: &str) -> PolicyFetch {
    let mut fetch = PolicyFetch::new(FetchStatus::Unchecked, url);
    fetch.error = Some(companion_error.to_string());
    let get = Get {
        url,
        params: &[],
        accept: None,
        manual_redirect: true,
        timeout_ms: DNS_TIMEOUT_MS,
    };
    match get.send().await {
        // An opaque redirect has status 0: the browser hides where it points.
        Ok(reply) if reply.status != 0 => {
            fetch.status = FetchStatus::Ok;
            fetch.http_status = Some(reply.status);
            fetch.content_type = reply.content_type;
            fetch.bytes = Some(reply.body.len() as u64);
            fetch.set_body(&reply.body);
            fetch.error = Some(
                "fetched by the browser: the certificate and redirects could not be checked".into(),
            );
        }
        _ => {}
    }
    fetch.settled()
}

async fn probe(config: &Config, host: &str) -> ProbeResult {
    match companion::<ProbeResult>(config, "/api/v1/probe", &[("mx", host)]).await {
        Ok(result) => result,
        Err(reason) => ProbeResult {
            addresses: Vec::new(),
            probes: Vec::new(),
            tls: TlsProbe::new(TlsStatus::Unchecked, Some(reason)),
        },
    }
}
