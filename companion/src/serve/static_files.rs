//! The built web app's files: precompressed brotli or gzip as the client accepts (the
//! build writes them beside every asset), `Cache-Control` that lets browsers keep hashed
//! assets for a year and always revalidate `index.html`, and the page's Content Security
//! Policy as a header, where `frame-ancestors` takes effect (a meta tag cannot carry it).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::path::Path;
use tower::ServiceBuilder;
use tower_http::services::{ServeDir, ServeFile};

/// The files of `dist`, with index.html for every path that is no file (client routes).
pub fn service(
    dist: &Path,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(dist.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        );
    ServiceBuilder::new()
        .layer(middleware::from_fn(cache_control))
        .service(files)
}

/// True for a name Trunk gave a content hash (`style-a1556335ab15df87.css`): its content
/// never changes under that name.
fn hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The caching a response may have.
fn policy(path: &str, content_type: Option<&str>) -> &'static str {
    if content_type.is_some_and(|c| c.starts_with("text/html")) {
        // The page names the hashed assets, so it must be fresh for a new build to show.
        "no-cache"
    } else if hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    }
}

async fn cache_control(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let value = policy(&path, content_type);
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// The policy of the page's own meta tag (with the loader's hash the build put there),
/// plus `frame-ancestors 'none'`, so no other site can frame the tester.
pub fn content_security_policy(dist: &Path) -> HeaderValue {
    let html = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
    // Minifiers reorder attributes, so find the meta tag first, then its content.
    let from_meta = html
        .split("<meta")
        .skip(1)
        .filter_map(|tag| tag.split('>').next())
        .find(|tag| tag.contains("Content-Security-Policy"))
        .and_then(|tag| {
            let start = tag.find("content=")? + "content=".len();
            let rest = &tag[start..];
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let end = rest[1..].find(quote)?;
            Some(rest[1..1 + end].to_string())
        })
        .filter(|p| !p.trim().is_empty());
    let policy = match from_meta {
        Some(p) => format!("{}; frame-ancestors 'none'", p.trim().trim_end_matches(';')),
        None => "default-src 'self'; frame-ancestors 'none'".to_string(),
    };
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_carries_the_pages_policy_and_forbids_framing() {
        let dir = std::env::temp_dir().join(format!("mtasts-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<meta content=x name=a><meta content=\"default-src 'none'; script-src 'sha256-AB='\" http-equiv=Content-Security-Policy>",
        )
        .unwrap();
        let csp = content_security_policy(&dir);
        assert_eq!(
            csp.to_str().unwrap(),
            "default-src 'none'; script-src 'sha256-AB='; frame-ancestors 'none'"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn hashed_assets_are_immutable_and_the_page_is_revalidated() {
        assert!(hashed("/mtasts-web-1689d8cb32a71f46_bg.wasm"));
        assert!(hashed("/style-a1556335ab15df87.css"));
        assert!(!hashed("/favicon.svg"));
        assert!(!hashed("/app.js"));
        assert_eq!(policy("/", Some("text/html")), "no-cache");
        assert_eq!(
            policy("/mtasts-web-1689d8cb32a71f46.js", Some("text/javascript")),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            policy("/favicon.svg", Some("image/svg+xml")),
            "public, max-age=3600"
        );
    }
}
