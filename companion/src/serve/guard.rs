//! Everything an API request passes before any outbound connection: not cross-site, within
//! the client's rate, within its requests in flight, within the service-wide limit. Each
//! refusal is counted in the metrics and logged by sample, so a flood cannot flood the log.

use super::{ApiError, App};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The client a request is made for, as the rate limits count it; handlers give it to the
/// outbound pool.
#[derive(Clone, Copy, Debug)]
pub struct Client(pub IpAddr);

/// Why a request from a page elsewhere is refused, or `None` when it may proceed.
///
/// Browsers mark every request with `Sec-Fetch-Site` and cross-origin ones with `Origin`;
/// other clients (curl, monitoring) send neither and pass. A page on another site must not
/// be able to make its visitors' browsers spend their budgets on its targets, so a
/// cross-site or foreign-origin request passes only when `--cors-origin` allows its origin.
pub fn cross_site(headers: &HeaderMap, allowed: &[String]) -> Option<&'static str> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = get("origin");
    let any = allowed.iter().any(|a| a == "*");
    let allowed_origin = origin.is_some_and(|o| {
        any || allowed
            .iter()
            .any(|a| a.eq_ignore_ascii_case(o.trim_end_matches('/')))
    });
    if allowed_origin {
        return None;
    }
    if let Some(site) = get("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Some("the request comes from another site's page");
        }
    }
    if let Some(origin) = origin {
        let host = get("host").unwrap_or("");
        let authority = origin.split_once("://").map_or("", |(_, a)| a);
        if !authority.eq_ignore_ascii_case(host) {
            return Some("the request comes from a page of another origin");
        }
    }
    None
}

/// Logs a refusal at most once a second per service, with how many were not logged.
pub struct Sampled {
    last: AtomicU64,
    skipped: AtomicU64,
}

impl Sampled {
    pub fn new() -> Sampled {
        Sampled {
            last: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
        }
    }

    pub fn log(&self, reason: &str, client: IpAddr) {
        let now = crate::net::tls::now_unix() as u64;
        let last = self.last.load(Ordering::Relaxed);
        if now > last
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let skipped = self.skipped.swap(0, Ordering::Relaxed);
            tracing::info!(%client, reason, skipped, "request refused (sampled: one a second)");
        } else {
            self.skipped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn refused(
    app: &App,
    client: IpAddr,
    reason: &'static str,
    status: StatusCode,
    message: String,
    retry_after: Option<Duration>,
) -> Response {
    app.metrics.reject(reason);
    app.refusal_log.log(reason, client);
    ApiError {
        status,
        code: reason,
        message,
        retry_after,
    }
    .into_response()
}

pub async fn api_guard(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = app.limits.client(peer, request.headers());
    if let Some(why) = cross_site(request.headers(), &app.cors_origins) {
        return refused(
            &app,
            client,
            "cross-site",
            StatusCode::FORBIDDEN,
            format!("{why}; this API serves its own page and the origins its operator allows"),
            None,
        );
    }
    if let Err(wait) = app.limits.client_allowed(client) {
        return refused(
            &app,
            client,
            "rate-limited",
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests from your address; wait and try again".into(),
            Some(wait),
        );
    }
    let Some(_in_flight) = app.limits.start_request(client) else {
        return refused(
            &app,
            client,
            "too-many-in-flight",
            StatusCode::TOO_MANY_REQUESTS,
            "your address has as many requests in progress as it may; wait for them".into(),
            Some(Duration::from_secs(1)),
        );
    };
    let Ok(_slot) = app.requests.clone().try_acquire_owned() else {
        return refused(
            &app,
            client,
            "saturated",
            StatusCode::SERVICE_UNAVAILABLE,
            "the service is handling as many checks as it can; try again shortly".into(),
            Some(Duration::from_secs(1)),
        );
    };
    request.extensions_mut().insert(Client(client));
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cross_site_calls_are_refused_unless_their_origin_is_allowed() {
        let none: Vec<String> = vec![];
        let allowed = vec!["https://app.example".to_string()];
        // curl and monitoring send neither header.
        assert_eq!(
            cross_site(&headers(&[("host", "tester.example")]), &none),
            None
        );
        // The page itself.
        let own = headers(&[
            ("host", "tester.example"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(cross_site(&own, &none), None);
        let own_origin = headers(&[
            ("host", "tester.example"),
            ("origin", "https://tester.example"),
        ]);
        assert_eq!(cross_site(&own_origin, &none), None);
        // Another site's page.
        let evil = headers(&[
            ("host", "tester.example"),
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(cross_site(&evil, &none).is_some());
        assert!(cross_site(&evil, &allowed).is_some());
        let other_origin = headers(&[
            ("host", "tester.example"),
            ("origin", "https://evil.example"),
        ]);
        assert!(cross_site(&other_origin, &none).is_some());
        // An allowed origin, or any with `*`.
        let app = headers(&[
            ("host", "tester.example"),
            ("origin", "https://app.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert_eq!(cross_site(&app, &allowed), None);
        assert_eq!(cross_site(&evil, &["*".to_string()]), None);
        // A no-cors request without an Origin is still marked cross-site.
        let image = headers(&[("host", "tester.example"), ("sec-fetch-site", "cross-site")]);
        assert!(cross_site(&image, &allowed).is_some());
    }
}
