//! The JSON API under /api/v1: what a browser cannot do itself.

use super::App;
use crate::net::{fetch::fetch_policy, probe::probe_mx};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mtasts_core::input::normalize_domain;
use mtasts_core::report::{PolicyFetch, TlsProbe};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
        let mut response = (self.status, Json(body)).into_response();
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
    q: Result<Query<ProbeQuery>, QueryRejection>,
) -> Result<Json<ProbeResponse>, ApiError> {
    let q = query(q)?;
    let host = host_param("mx", q.mx)?;
    if let Some(domain) = q.domain {
        host_param("domain", Some(domain))?;
    }
    if let Err(wait) = app.limits.host_allowed(&host) {
        app.metrics.reject("mx-host-rate");
        return Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "mx-host-rate-limited",
            message: format!("{host} was probed too often in the last minute; the service does not hammer one mail server"),
            retry_after: Some(wait),
        });
    }
    let started = Instant::now();
    let result = within(&app, probe_mx(&app.net, &host)).await?;
    let outcome = result.tls.status.as_str().to_string();
    app.metrics
        .probes
        .get_or_create(&super::metrics::OutcomeLabels { outcome })
        .inc();
    app.metrics
        .probe_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(Json(ProbeResponse {
        host,
        addresses: result.addresses,
        tls: result.tls,
        probes: result.probes,
    }))
}

pub async fn policy(
    State(app): State<Arc<App>>,
    q: Result<Query<DomainQuery>, QueryRejection>,
) -> Result<Json<PolicyFetch>, ApiError> {
    let domain = host_param("domain", query(q)?.domain)?;
    let host = format!("mta-sts.{domain}");
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    Ok(Json(
        within(&app, fetch_policy(&app.net, &host, &url))
            .await?
            .settled(),
    ))
}

pub async fn check(
    State(app): State<Arc<App>>,
    q: Result<Query<DomainQuery>, QueryRejection>,
) -> Result<Json<mtasts_core::Report>, ApiError> {
    let domain = host_param("domain", query(q)?.domain)?;
    Ok(Json(
        within(&app, crate::driver::run_check(&app.net, &domain)).await?,
    ))
}

pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}
