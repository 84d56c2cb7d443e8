//! HTTPS servers of the world: the TLS accept loop shared by DoH and the policy hosts, and
//! the policy hosts' behaviours (good, 404, redirect, wrong type, huge, slow).

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
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
    Fut: Future<Output = Response<Body>> + Send + 'static,
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
    /// The whole response is held back this many milliseconds per byte of the body.
    Slow(String, u64),
    /// The headers at once, then the body one byte every this many milliseconds.
    Drip(String, u64),
    /// 10 MiB of zeros gzip-compressed, sent with Content-Encoding: gzip.
    GzipBomb,
}

impl PolicyResponse {
    pub fn text(body: &str) -> Self {
        PolicyResponse::Ok {
            body: body.to_string(),
            content_type: "text/plain".into(),
        }
    }
}

pub type Body = BoxBody<Bytes, std::convert::Infallible>;

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
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

async fn policy(req: Request<hyper::body::Incoming>, response: PolicyResponse) -> Response<Body> {
    if req.uri().path() != "/.well-known/mta-sts.txt" {
        return Response::builder()
            .status(404)
            .body(full(Bytes::from_static(b"not found")))
            .expect("response");
    }
    let builder = Response::builder();
    match response {
        PolicyResponse::Ok { body, content_type } => builder
            .header("content-type", content_type)
            .body(full(body)),
        PolicyResponse::Status(code) => builder
            .status(code)
            .header("content-type", "text/html")
            .body(full(Bytes::from_static(
                b"<html><body>Not here</body></html>",
            ))),
        PolicyResponse::Redirect(to) => builder
            .status(301)
            .header("location", to)
            .body(full(Bytes::new())),
        PolicyResponse::Huge(n) => builder
            .header("content-type", "text/plain")
            .body(full(huge(n))),
        PolicyResponse::Slow(body, ms) => {
            // Holding the whole response back is enough to make a client's deadline fire.
            tokio::time::sleep(Duration::from_millis(ms * body.len() as u64)).await;
            builder
                .header("content-type", "text/plain")
                .body(full(body))
        }
        PolicyResponse::Drip(body, ms) => {
            let bytes: Vec<u8> = body.into_bytes();
            let stream = futures_util::stream::unfold(0usize, move |i| {
                let byte = bytes.get(i).copied();
                async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    byte.map(|b| {
                        (
                            Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(
                                Bytes::from(vec![b]),
                            )),
                            i + 1,
                        )
                    })
                }
            });
            builder
                .header("content-type", "text/plain")
                .body(StreamBody::new(stream).boxed())
        }
        PolicyResponse::GzipBomb => {
            use std::io::Write as _;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..10 {
                gz.write_all(&zeros).expect("in memory");
            }
            let compressed = gz.finish().expect("in memory");
            builder
                .header("content-type", "text/plain")
                .header("content-encoding", "gzip")
                .body(full(compressed))
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
