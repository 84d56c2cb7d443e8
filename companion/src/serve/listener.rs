//! The accept loop: hyper's HTTP/1 server with a timer (so the header-read timeout, which
//! also bounds the wait for the next request on a kept-alive connection, fires), a global and
//! a per-address cap on open connections enforced right after `accept` (a connection over the
//! cap is closed at once, before it can pin a file descriptor), and a total lifetime per
//! connection. `axum::serve` offers none of these.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

#[derive(Clone, Copy, Debug)]
pub struct InboundLimits {
    pub max_connections: usize,
    pub max_per_client: usize,
    pub header_timeout: Duration,
    /// A connection is closed after this long, however busy.
    pub lifetime: Duration,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// A slot among the open connections, freed when the connection ends.
struct Ticket {
    open: Arc<Mutex<Open>>,
    key: IpAddr,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Ok(mut o) = self.open.lock() {
            o.total -= 1;
            if let Some(n) = o.per_client.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    o.per_client.remove(&self.key);
                }
            }
        }
    }
}

fn admit(open: &Arc<Mutex<Open>>, limits: &InboundLimits, peer: IpAddr) -> Option<Ticket> {
    let key = super::limits::client_key(peer);
    let mut o = open.lock().ok()?;
    let mine = o.per_client.get(&key).copied().unwrap_or(0);
    if o.total >= limits.max_connections || mine >= limits.max_per_client {
        return None;
    }
    o.total += 1;
    *o.per_client.entry(key).or_insert(0) += 1;
    Some(Ticket {
        open: open.clone(),
        key,
    })
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open connections
/// finish their requests (a few seconds at most). `on_refused` counts connections closed
/// by the caps.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: InboundLimits,
    shutdown: impl Future<Output = ()>,
    on_refused: impl Fn() + Send + Sync + 'static,
) {
    let open: Arc<Mutex<Open>> = Arc::default();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut last_accept_warning = None::<std::time::Instant>;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        // Reap finished connection tasks so the set stays small.
        while connections.try_join_next().is_some() {}
        let (tcp, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors or the like: say so now and then, back off a little.
                if last_accept_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                    tracing::warn!(error = %e, "accept failed");
                    last_accept_warning = Some(std::time::Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let Some(ticket) = admit(&open, &limits, peer.ip()) else {
            on_refused();
            drop(tcp);
            continue;
        };
        let router = router.clone();
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let _ticket = ticket;
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    router.clone().oneshot(request.map(axum::body::Body::new))
                });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true)
                .max_buf_size(64 * 1024);
            let connection = builder.serve_connection(TokioIo::new(tcp), service);
            let mut connection = std::pin::pin!(connection);
            let lifetime = tokio::time::sleep(limits.lifetime);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = lifetime => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(5), connection).await;
                }
            }
        });
    }
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

/// The soft limit on open files, from `/proc/self/limits` (Linux); `None` elsewhere.
pub fn open_file_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Inbound and outbound caps that fit under the file-descriptor limit: half of it for
/// inbound connections, a quarter for outbound ones, the rest for DoH, files and logs.
pub fn fit_to_fd_limit(inbound: usize, outbound: usize, fd_limit: Option<usize>) -> (usize, usize) {
    match fd_limit {
        Some(limit) => (
            inbound.min(limit / 2).max(1),
            outbound.min(limit / 4).max(1),
        ),
        None => (inbound.max(1), outbound.max(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fit_under_the_descriptor_limit() {
        assert_eq!(fit_to_fd_limit(4096, 512, Some(256)), (128, 64));
        assert_eq!(fit_to_fd_limit(100, 50, Some(1 << 20)), (100, 50));
        assert_eq!(fit_to_fd_limit(100, 50, None), (100, 50));
    }

    #[test]
    fn admission_counts_per_client_and_in_total() {
        let open: Arc<Mutex<Open>> = Arc::default();
        let limits = InboundLimits {
            max_connections: 3,
            max_per_client: 2,
            header_timeout: Duration::from_secs(1),
            lifetime: Duration::from_secs(1),
        };
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t1 = admit(&open, &limits, a).unwrap();
        let _t2 = admit(&open, &limits, a).unwrap();
        assert!(admit(&open, &limits, a).is_none(), "per client");
        let _t3 = admit(&open, &limits, b).unwrap();
        assert!(admit(&open, &limits, b).is_none(), "in total");
        drop(t1);
        assert!(admit(&open, &limits, b).is_some());
    }
}
