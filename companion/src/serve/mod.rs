//! `mtasts serve`: the web app's files and the JSON API that does what a browser cannot
//! (probe port 25, see the policy host's certificate and redirects). It connects where
//! strangers ask, so every request is vetted, limited and bounded in time.

mod api;
mod limits;
mod metrics;

use crate::cli::ServeArgs;
use crate::net::Net;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiError;

/// What every handler shares. Holds no per-check state, so replicas scale out freely.
pub struct App {
    pub net: Net,
    pub limits: Arc<limits::Limits>,
    pub metrics: metrics::Metrics,
    pub request_timeout: Duration,
}

pub fn run(args: ServeArgs) -> ExitCode {
    init_logging(args.log_json);
    let index = args.dist.join("index.html");
    if !index.is_file() {
        eprintln!(
            "mtasts: {} has no index.html; build the web app first (cargo xtask run builds and serves it)",
            args.dist.display()
        );
        return ExitCode::from(2);
    }
    let net = match crate::check_cmd::net_from(&args.net) {
        Ok(mut net) => {
            net.outbound = Some(Arc::new(tokio::sync::Semaphore::new(
                args.max_connections.max(1),
            )));
            net
        }
        Err(e) => {
            eprintln!("mtasts: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match crate::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match runtime.block_on(serve(args, net)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mtasts: {e}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MTASTS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub fn router(args: &ServeArgs, app: Arc<App>) -> Router {
    let dist = &args.dist;
    let files = ServeDir::new(dist)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(ServeFile::new(dist.join("index.html")));
    let overload = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
            ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "saturated",
                message: "the service is handling as many checks as it can; try again shortly"
                    .into(),
                retry_after: Some(Duration::from_secs(1)),
            }
        }))
        .load_shed()
        .concurrency_limit(args.max_requests.max(1));
    let api = Router::new()
        .route("/api/v1/probe", get(api::probe))
        .route("/api/v1/policy", get(api::policy))
        .route("/api/v1/check", get(api::check))
        .layer(overload)
        .route_layer(middleware::from_fn_with_state(app.clone(), rate_limit))
        .route("/api/v1/openapi.json", get(api::openapi));
    let mut router = Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_text))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(app.clone(), count))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http());
    if !args.cors_origin.is_empty() {
        let origins: Vec<HeaderValue> = args
            .cors_origin
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET]),
        );
    }
    router.with_state(app)
}

async fn metrics_text(State(app): State<Arc<App>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.render(),
    )
}

/// Counts every response by route and status.
async fn count(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "static".into());
    let response = next.run(request).await;
    app.metrics
        .requests
        .get_or_create(&metrics::RequestLabels {
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// The per-client token bucket, before any work is done.
async fn rate_limit(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let client = app.limits.client(peer, request.headers());
    if let Err(wait) = app.limits.client_allowed(client) {
        app.metrics.reject("client-rate");
        tracing::info!(%client, "rate limited");
        return ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "rate-limited",
            message: "too many requests from your address; wait and try again".into(),
            retry_after: Some(wait),
        }
        .into_response();
    }
    next.run(request).await
}

async fn serve(args: ServeArgs, mut net: Net) -> std::io::Result<()> {
    let limits = Arc::new(limits::Limits::new(
        args.rate_per_minute,
        args.rate_burst,
        args.probes_per_host,
        args.trusted_header.clone(),
    ));
    // Whole checks obey the per-MX-host limit too, or /check would bypass it.
    let gate = limits.clone();
    net.probe_gate = Some(Arc::new(move |host: &str| gate.host_allowed(host).is_ok()));
    let app = Arc::new(App {
        net,
        limits,
        metrics: metrics::Metrics::new(),
        request_timeout: Duration::from_secs_f64(args.request_timeout.clamp(1.0, 600.0)),
    });
    let pruner = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            pruner.limits.prune();
        }
    });
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, dist = %args.dist.display(), allow_private = args.net.allow_private, "serving");
    // Announced on stdout, so scripts that start the server can wait for it.
    println!("listening on http://{address}");
    axum::serve(
        listener,
        router(&args, app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
