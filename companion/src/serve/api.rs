//! The JSON API under /api/v1: what a browser cannot do itself.

use super::guard::Client;
use super::App;
use crate::net::{fetch::fetch_policy, probe::probe_mx, Net};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mtasts_core::input::normalize_domain;
use mtasts_core::report::{PolicyFetch, TlsProbe, TlsStatus};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// No API answer is larger than this. Every part is bounded (transcripts, bodies, MX
/// count); this is the last line, should a bound ever be missed.
const MAX_RESPONSE_BYTES: usize = 2 << 20;

/// The JSON answer, or a 500 that says it would have been too large.
fn bounded<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) if bytes.len() <= MAX_RESPONSE_BYTES => {
            ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
        }
        Ok(bytes) => ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "too-large",
            message: format!(
                "the answer would be {} bytes, over the service's limit of {MAX_RESPONSE_BYTES}",
                bytes.len()
            ),
            retry_after: None,
        }
        .into_response(),
        Err(e) => ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: e.to_string(),
            retry_after: None,
        }
        .into_response(),
    }
}

/// The network as this request may use it: its own share of the outbound connections,
/// queued in turn with other clients.
fn net_for(app: &App, client: Client) -> Net {
    app.net.for_request(client.0, app.per_request)
}

/// A JSON error: `{"error": {"code", "message"}}`, with Retry-After where waiting helps.
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[derive(Deserialize)]
pub struct DomainQuery {
    domain: Option<String>,
}

#[derive(Deserialize)]
pub struct ProbeQuery {
    mx: Option<String>,
    domain: Option<String>,
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(v)| v)
        .map_err(|e| ApiError::bad_request("bad-query", e.body_text()))
}

/// A host name from a parameter, or a 400 that says what is wrong with it.
fn host_param(name: &str, value: Option<String>) -> Result<String, ApiError> {
    let value = value.ok_or_else(|| {
        ApiError::bad_request(
            "missing-parameter",
            format!("the parameter {name} is required"),
        )
    })?;
    normalize_domain(&value)
        .map(|d| d.ascii)
        .map_err(|e| ApiError::bad_request("bad-host", format!("{name}: {e}")))
}

async fn within<T>(app: &App, work: impl std::future::Future<Output = T>) -> Result<T, ApiError> {
    tokio::time::timeout(app.request_timeout, work)
        .await
        .map_err(|_| ApiError {
            status: StatusCode::GATEWAY_TIMEOUT,
            code: "timeout",
            message: format!(
                "the request took longer than {} s",
                app.request_timeout.as_secs()
            ),
            retry_after: None,
        })
}

#[derive(Serialize)]
pub struct ProbeResponse {
    host: String,
    addresses: Vec<String>,
    tls: TlsProbe,
    /// One probe per address the host resolves to (up to four).
    probes: Vec<TlsProbe>,
}

pub async fn probe(
    State(app): State<Arc<App>>,
    Extension(client): Extension<Client>,
    q: Result<Query<ProbeQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let host = host_param("mx", q.mx)?;
    if let Some(domain) = q.domain {
        host_param("domain", Some(domain))?;
    }
    let started = Instant::now();
    let result = within(&app, probe_mx(&net_for(&app, client), &host)).await?;
    let limited = !result.probes.is_empty()
        && result
            .probes
            .iter()
            .all(|p| p.status == TlsStatus::RateLimited);
    if limited {
        app.metrics.reject("mx-host-rate");
        return Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "mx-host-rate-limited",
            message: format!(
                "{host} was probed too often lately; the service does not hammer one mail server"
            ),
            retry_after: Some(Duration::from_secs(
                (60 / u64::from(app.probes_per_host.max(1))).max(1),
            )),
        });
    }
    let outcome = result.tls.status.as_str().to_string();
    app.metrics
        .probes
        .get_or_create(&super::metrics::OutcomeLabels { outcome })
        .inc();
    app.metrics
        .probe_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(bounded(&ProbeResponse {
        host,
        addresses: result.addresses,
        tls: result.tls,
        probes: result.probes,
    }))
}

pub async fn policy(
    State(app): State<Arc<App>>,
    Extension(client): Extension<Client>,
    q: Result<Query<DomainQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let domain = host_param("domain", query(q)?.domain)?;
    let host = format!("mta-sts.{domain}");
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    let fetch: PolicyFetch = within(&app, fetch_policy(&net_for(&app, client), &host, &url))
        .await?
        .settled();
    Ok(bounded(&fetch))
}

pub async fn check(
    State(app): State<Arc<App>>,
    Extension(client): Extension<Client>,
    q: Result<Query<DomainQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let domain = host_param("domain", query(q)?.domain)?;
    let net = net_for(&app, client);
    let report = within(&app, crate::driver::run_check(&net, &domain)).await?;
    Ok(bounded(&report))
}

pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}
