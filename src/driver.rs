//! The browser's side of a check: it performs the core's requests. DNS goes straight from
//! the page to the chosen DoH resolver (RFC 8484 GET); the policy fetch and the STARTTLS
//! probes go through the companion, because a page can neither open port 25 nor see a
//! certificate, a redirect or a response without CORS headers.

use base64::Engine as _;
use futures::future::{select, Either};
use gloo_net::http::Request as Http;
use mtasts_core::dns::{build_query, parse_response, DnsAnswer, DnsOutcome, RecordType};
use mtasts_core::report::{FetchStatus, PolicyFetch, ProbeResult, TlsProbe, TlsStatus};
use mtasts_core::{Answer, Request};
use serde::de::DeserializeOwned;
use std::future::Future;
use web_sys::RequestRedirect;

/// Where the page sends its requests.
#[derive(Clone, PartialEq)]
pub struct Config {
    pub resolver: String,
    /// Base URL of the companion; empty for the page's own origin.
    pub companion: String,
}

const DNS_TIMEOUT_MS: u32 = 10_000;
const COMPANION_TIMEOUT_MS: u32 = 120_000;

async fn within<T>(ms: u32, work: impl Future<Output = T>) -> Option<T> {
    let work = std::pin::pin!(work);
    match select(work, gloo_timers::future::TimeoutFuture::new(ms)).await {
        Either::Left((v, _)) => Some(v),
        Either::Right(_) => None,
    }
}

/// Performs one request; never fails, every problem becomes part of the answer.
pub async fn perform(config: &Config, request: Request) -> Answer {
    match request {
        Request::Dns { name, rtype, .. } => Answer::Dns(doh(&config.resolver, &name, rtype).await),
        Request::FetchPolicy { host, url, .. } => Answer::Policy(policy(config, &host, &url).await),
        Request::Probe { host, .. } => Answer::Probe(probe(config, &host).await),
    }
}

async fn doh(resolver: &str, name: &str, rtype: RecordType) -> DnsAnswer {
    let query = match build_query(name, rtype, 0) {
        Ok(q) => q,
        Err(e) => return DnsAnswer::failed(DnsOutcome::Error(e)),
    };
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&query);
    let exchange = async {
        let response = get(resolver, &[("dns", &encoded)])
            .header("accept", "application/dns-message")
            .send()
            .await
            .map_err(|e| format!("the resolver could not be reached ({})", net_error(e)))?;
        if !response.ok() {
            return Err(format!("the resolver answered HTTP {}", response.status()));
        }
        response.binary().await.map_err(net_error)
    };
    match within(DNS_TIMEOUT_MS, exchange).await {
        None => DnsAnswer::failed(DnsOutcome::Timeout),
        Some(Err(e)) => DnsAnswer::failed(DnsOutcome::Error(e)),
        Some(Ok(reply)) => parse_response(&reply, name, rtype, 0),
    }
}

/// gloo-net's error in words. Its own Display would link serde_json's error messages into
/// the page: gloo-net's JSON feature is on through yew's dependencies.
fn net_error(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.message,
        gloo_net::Error::GlooError(s) => s,
        _ => "the response could not be read".into(),
    }
}

/// A GET of `base` with these query parameters. gloo-net 0.5 appends a stray `&` to a URL
/// that already carries a query unless the parameters go through `.query()` (gloo issue
/// #498); resolvers such as unbound answer FORMERR to `?dns=…&`. So every URL with a query
/// is built here, and `base` carries none of ours.
fn get(base: &str, params: &[(&str, &str)]) -> gloo_net::http::RequestBuilder {
    Http::get(base).query(params.iter().copied())
}

/// GETs companion JSON; `None` when the companion cannot be reached or does not answer
/// with what it should.
async fn companion<T: DeserializeOwned>(
    config: &Config,
    path: &str,
    params: &[(&str, &str)],
) -> Result<T, String> {
    let url = format!("{}{path}", config.companion);
    let exchange = async {
        let response = get(&url, params).send().await.map_err(net_error)?;
        let status = response.status();
        let text = response.text().await.map_err(net_error)?;
        if status != 200 {
            let value = js_sys::JSON::parse(&text)
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
        let mut scratch = vec![0u8; text.len()];
        serde_json_core::from_slice_escaped::<T>(text.as_bytes(), &mut scratch)
            .map(|(v, _)| v)
            .map_err(|e| format!("the companion's answer did not parse ({e:?})"))
    };
    within(COMPANION_TIMEOUT_MS, exchange)
        .await
        .unwrap_or_else(|| {
            Err(format!(
                "no answer within {} s",
                COMPANION_TIMEOUT_MS / 1000
            ))
        })
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
    let attempt = async {
        let response = Http::get(url)
            .redirect(RequestRedirect::Manual)
            .send()
            .await
            .ok()?;
        // An opaque redirect has status 0: the browser hides where it points.
        if response.status() == 0 {
            return None;
        }
        let status = response.status();
        let content_type = response.headers().get("content-type");
        let body = response.binary().await.ok()?;
        Some((status, content_type, body))
    };
    if let Some(Some((status, content_type, body))) = within(DNS_TIMEOUT_MS, attempt).await {
        fetch.status = FetchStatus::Ok;
        fetch.http_status = Some(status);
        fetch.content_type = content_type;
        fetch.bytes = Some(body.len() as u64);
        fetch.set_body(&body);
        fetch.error = Some(
            "fetched by the browser: the certificate and redirects could not be checked".into(),
        );
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
