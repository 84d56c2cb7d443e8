//! `mtasts serve`: the web app's files and the JSON API that does what a browser cannot
//! (probe port 25, see the policy host's certificate and redirects). It connects where
//! strangers ask, so every request is vetted, limited and bounded in time, memory and
//! connections, inbound and outbound.

mod api;
mod guard;
mod limits;
mod listener;
mod metrics;
mod static_files;

use crate::cli::ServeArgs;
use crate::net::probe_cache::{MemoryStore, ProbeCache};
use crate::net::{fair::FairPool, Net};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiError;

/// Probes kept in the cache at most.
const PROBE_CACHE_ENTRIES: usize = 50_000;

/// What every handler shares. Holds no per-check state beyond the probe cache, so replicas
/// scale out freely.
pub struct App {
    pub net: Net,
    pub limits: Arc<limits::Limits>,
    pub metrics: metrics::Metrics,
    pub request_timeout: Duration,
    /// Outbound connections one request may hold at once.
    pub per_request: usize,
    /// API requests in progress at once, over every route.
    pub requests: Arc<Semaphore>,
    pub cors_origins: Vec<String>,
    pub refusal_log: guard::Sampled,
    pub probes_per_host: u32,
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
    if args.cors_origin.len() > 1 && args.cors_origin.iter().any(|o| o == "*") {
        eprintln!("mtasts: --cors-origin '*' allows any origin; give it alone, not beside others");
        return ExitCode::from(2);
    }
    let net = match crate::check_cmd::net_from(&args.net, args.max_doh_connections) {
        Ok(net) => net,
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
    let api = Router::new()
        .route("/api/v1/probe", get(api::probe))
        .route("/api/v1/policy", get(api::policy))
        .route("/api/v1/check", get(api::check))
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            guard::api_guard,
        ))
        .route("/api/v1/openapi.json", get(api::openapi));
    let csp = static_files::content_security_policy(&args.dist);
    let mut router = Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback_service(static_files::service(&args.dist))
        .layer(middleware::from_fn_with_state(app.clone(), count))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        // Every route, static files too, ends within the request deadline (plus a little,
        // so the API's own 504 with its JSON reason wins).
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            app.request_timeout + Duration::from_secs(5),
        ))
        .layer(TraceLayer::new_for_http());
    if !args.cors_origin.is_empty() {
        let origins = if args.cors_origin.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            AllowOrigin::list(
                args.cors_origin
                    .iter()
                    .filter_map(|o| o.parse::<HeaderValue>().ok()),
            )
        };
        router = router.layer(
            CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([Method::GET]),
        );
    }
    router.with_state(app)
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

async fn serve(args: ServeArgs, mut net: Net) -> std::io::Result<()> {
    let fd_limit = listener::open_file_limit();
    let (max_inbound, max_outbound) =
        listener::fit_to_fd_limit(args.max_inbound, args.max_connections, fd_limit);
    if max_inbound < args.max_inbound || max_outbound < args.max_connections {
        tracing::warn!(
            fd_limit,
            max_inbound,
            max_outbound,
            "caps lowered to fit the open-file limit"
        );
    }
    let limits = Arc::new(limits::Limits::new(
        args.rate_per_minute,
        args.rate_burst,
        args.probes_per_host,
        args.max_requests_per_client,
        args.trusted_header.clone(),
        args.trusted_hops,
    ));
    net.outbound = Some(FairPool::new(max_outbound));
    // Whole checks obey the per-target limits too, or /check would bypass them.
    let gate = limits.clone();
    net.target_gate = Some(Arc::new(move |host: &str, ip| {
        gate.target_allowed(host, ip)
    }));
    if args.probe_cache_secs > 0 {
        net.probe_cache = Some(Arc::new(ProbeCache::new(
            Arc::new(MemoryStore::new(PROBE_CACHE_ENTRIES)),
            Duration::from_secs(args.probe_cache_secs),
        )));
    }
    let request_timeout = Duration::from_secs_f64(args.request_timeout);
    let app = Arc::new(App {
        net,
        limits,
        metrics: metrics::Metrics::new(),
        request_timeout,
        per_request: args.connections_per_request.clamp(1, max_outbound),
        requests: Arc::new(Semaphore::new(args.max_requests.max(1))),
        cors_origins: args.cors_origin.clone(),
        refusal_log: guard::Sampled::new(),
        probes_per_host: args.probes_per_host,
    });
    let pruner = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            pruner.limits.prune();
        }
    });
    let inbound = listener::InboundLimits {
        max_connections: max_inbound,
        max_per_client: args.max_inbound_per_client.max(1),
        header_timeout: Duration::from_secs_f64(args.header_timeout),
        lifetime: request_timeout * 2 + Duration::from_secs(30),
    };
    if let Some(addr) = args.metrics_listen {
        let metrics_listener = tokio::net::TcpListener::bind(addr).await?;
        let metrics_app = app.clone();
        let metrics_router = Router::new()
            .route("/metrics", get(metrics_text))
            .with_state(metrics_app);
        tracing::info!(address = %metrics_listener.local_addr()?, "metrics");
        tokio::spawn(listener::serve(
            metrics_listener,
            metrics_router,
            listener::InboundLimits {
                max_connections: 16,
                max_per_client: 8,
                ..inbound
            },
            std::future::pending(),
            || {},
        ));
    }
    let tcp = tokio::net::TcpListener::bind(args.listen).await?;
    let address = tcp.local_addr()?;
    tracing::info!(%address, dist = %args.dist.display(), allow_private = args.net.allow_private, max_inbound, max_outbound, "serving");
    // Announced on stdout, so scripts that start the server can wait for it.
    println!("listening on http://{address}");
    let refusals = app.clone();
    listener::serve(
        tcp,
        router(&args, app),
        inbound,
        shutdown_signal(),
        move || refusals.metrics.reject("inbound-connections"),
    )
    .await;
    Ok(())
}

async fn metrics_text(State(app): State<Arc<App>>) -> impl IntoResponse {
    if let Some(pool) = &app.net.outbound {
        app.metrics.outbound_in_use.set(pool.in_use() as i64);
        app.metrics.outbound_capacity.set(pool.capacity() as i64);
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.render(),
    )
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
