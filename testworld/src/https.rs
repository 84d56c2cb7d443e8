//! HTTPS servers of the world: the TLS accept loop shared by DoH and the policy hosts, and
//! the policy hosts' behaviours (good, 404, redirect, wrong type, huge, slow).

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Accepts TLS connections and answers each request with `handler`.
pub async fn serve<F, Fut>(
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    handler: F,
) where
    F: Fn(Request<hyper::body::Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let handler = handler.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = service_fn(move |req| {
                let handler = handler.clone();
                async move { Ok::<_, std::convert::Infallible>(handler(req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// What a policy host answers at /.well-known/mta-sts.txt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyResponse {
    Ok {
        body: String,
        content_type: String,
    },
    Status(u16),
    Redirect(String),
    /// A text/plain body of this many bytes.
    Huge(usize),
    /// The body trickles in, one byte every this many milliseconds.
    Slow(String, u64),
}

impl PolicyResponse {
    pub fn text(body: &str) -> Self {
        PolicyResponse::Ok {
            body: body.to_string(),
            content_type: "text/plain".into(),
        }
    }
}

pub async fn serve_policy(
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    response: PolicyResponse,
) {
    serve(listener, tls, move |req| {
        let response = response.clone();
        async move { policy(req, response).await }
    })
    .await;
}

async fn policy(
    req: Request<hyper::body::Incoming>,
    response: PolicyResponse,
) -> Response<Full<Bytes>> {
    if req.uri().path() != "/.well-known/mta-sts.txt" {
        return Response::builder()
            .status(404)
            .body(Full::new(Bytes::from_static(b"not found")))
            .expect("response");
    }
    let builder = Response::builder();
    match response {
        PolicyResponse::Ok { body, content_type } => builder
            .header("content-type", content_type)
            .body(Full::new(Bytes::from(body))),
        PolicyResponse::Status(code) => builder
            .status(code)
            .header("content-type", "text/html")
            .body(Full::new(Bytes::from_static(
                b"<html><body>Not here</body></html>",
            ))),
        PolicyResponse::Redirect(to) => builder
            .status(301)
            .header("location", to)
            .body(Full::new(Bytes::new())),
        PolicyResponse::Huge(n) => builder
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from(huge(n)))),
        PolicyResponse::Slow(body, ms) => {
            // Holding the whole response back is enough to make a client's deadline fire.
            tokio::time::sleep(Duration::from_millis(ms * body.len() as u64)).await;
            builder
                .header("content-type", "text/plain")
                .body(Full::new(Bytes::from(body)))
        }
    }
    .expect("response")
}

fn huge(n: usize) -> Vec<u8> {
    let mut body = b"version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n".to_vec();
    while body.len() < n {
        body.extend_from_slice(b"x-padding: 0123456789abcdef0123456789abcdef0123456789abcdef\n");
    }
    body.truncate(n);
    body
}
