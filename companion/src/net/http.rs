//! One HTTP/1.1 request over an established connection, with the response head and a body
//! read under a byte cap and a deadline.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

pub struct Response {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    body: Incoming,
}

pub enum Body {
    Complete(Vec<u8>),
    /// More than the cap; holds what was read, cut at cap + 1 bytes.
    TooLarge(Vec<u8>),
    /// The whole body did not arrive within the deadline.
    TimedOut,
    Failed(String),
}

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Starts HTTP/1.1 on `io`; the connection runs in its own task until the sender is dropped.
pub async fn connect<T>(io: T) -> Result<Sender, String>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends `req` on an open connection and returns the response head.
pub async fn request(
    sender: &mut Sender,
    req: hyper::Request<Full<Bytes>>,
) -> Result<Response, String> {
    sender.ready().await.map_err(|e| format!("HTTP: {e}"))?;
    let response = sender
        .send_request(req)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    let (parts, body) = response.into_parts();
    Ok(Response {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

/// Sends one request on a new connection over `io`.
pub async fn send<T>(io: T, req: hyper::Request<Full<Bytes>>) -> Result<Response, String>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut sender = connect(io).await?;
    request(&mut sender, req).await
}

impl Response {
    pub fn header(&self, name: hyper::header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// Reads at most `cap` bytes within `deadline`; a slow or endless body ends there.
    pub async fn read_body(&mut self, cap: usize, deadline: Duration) -> Body {
        let read = async {
            let mut out = Vec::new();
            while let Some(frame) = self.body.frame().await {
                let frame = match frame {
                    Ok(f) => f,
                    Err(e) => return Body::Failed(format!("body: {e}")),
                };
                if let Ok(data) = frame.into_data() {
                    out.extend_from_slice(&data);
                    if out.len() > cap {
                        out.truncate(cap + 1);
                        return Body::TooLarge(out);
                    }
                }
            }
            Body::Complete(out)
        };
        match tokio::time::timeout(deadline, read).await {
            Ok(body) => body,
            Err(_) => Body::TimedOut,
        }
    }
}
