//! `mtasts serve`: the web app's static files. The probe and policy API join this router in
//! the companion's own issue; every limit of a public service applies from the start.

use crate::cli::ServeArgs;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use std::process::ExitCode;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

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
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mtasts: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(serve(args)) {
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

/// The router: the app's files, with unknown paths answered by index.html so that
/// client-side routes (`/?domain=…`, deep links) load the app.
pub fn router(dist: &std::path::Path) -> Router {
    let files = ServeDir::new(dist)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
}

async fn serve(args: ServeArgs) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(address = %listener.local_addr()?, dist = %args.dist.display(), "serving");
    // Announced on stdout too, so scripts that start the server can wait for it.
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(&args.dist))
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
