//! DNS for the native tool: DNS-over-HTTPS (RFC 8484, POST of the wire message) or plain DNS
//! over UDP with a TCP retry on truncation. The messages themselves come from the core, so the
//! browser and the terminal read DNS the same way.

use super::{http, tls::Trust};
use bytes::Bytes;
use mtasts_core::dns::{
    build_query, is_truncated, parse_response, DnsAnswer, DnsOutcome, RecordType,
};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The default DoH resolver when neither `--doh` nor `--dns` is given.
pub const DEFAULT_DOH: &str = "https://cloudflare-dns.com/dns-query";

#[derive(Clone)]
enum Upstream {
    Doh {
        uri: hyper::Uri,
        host: String,
        port: u16,
        tls: Arc<rustls::ClientConfig>,
        /// Idle connections, each with its slot under the DoH connection cap.
        idle: Arc<Mutex<Vec<(http::Sender, OwnedSemaphorePermit)>>>,
        /// DoH connections open at once (idle or in use) at most.
        slots: Arc<Semaphore>,
        /// Signalled when a connection goes back to the pool or closes.
        returned: Arc<tokio::sync::Notify>,
    },
    Dns(SocketAddr),
}

struct Cleanup<'a> {
    map: &'a InFlight,
    key: &'a (String, RecordType),
    cell: &'a Arc<tokio::sync::OnceCell<DnsAnswer>>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        if let Ok(mut map) = self.map.lock() {
            if map.get(self.key).is_some_and(|c| Arc::ptr_eq(c, self.cell)) {
                map.remove(self.key);
            }
        }
    }
}

/// Idle DoH connections kept for reuse: a check makes a dozen queries, a busy companion
/// thousands, and a TLS handshake per query would cost more than the query.
const MAX_IDLE_DOH: usize = 64;

/// DoH connections open at once by default: enough for hundreds of checks a second, few
/// enough that a flood of look-ups cannot open a connection each.
pub const DEFAULT_MAX_DOH_CONNECTIONS: usize = 32;

/// Look-ups under way, so that identical concurrent queries share one upstream query.
type InFlight = Arc<Mutex<HashMap<(String, RecordType), Arc<tokio::sync::OnceCell<DnsAnswer>>>>>;

#[derive(Clone)]
pub struct Resolver {
    upstream: Upstream,
    inflight: InFlight,
    timeout: Duration,
    ids: Arc<AtomicU16>,
}

const MAX_REPLY: usize = 65_535;

impl Resolver {
    /// DNS-over-HTTPS to `url`, with at most `max_connections` connections open at once.
    pub fn doh(
        url: &str,
        trust: &Trust,
        timeout: Duration,
        max_connections: usize,
    ) -> Result<Resolver, String> {
        let uri: hyper::Uri = url.parse().map_err(|e| format!("--doh {url}: {e}"))?;
        if uri.scheme_str() != Some("https") {
            return Err(format!(
                "--doh {url}: the resolver URL must start with https://"
            ));
        }
        let host = uri
            .host()
            .ok_or_else(|| format!("--doh {url}: no host"))?
            .trim_matches(['[', ']'])
            .to_string();
        let port = uri.port_u16().unwrap_or(443);
        Ok(Resolver {
            upstream: Upstream::Doh {
                uri,
                host,
                port,
                tls: trust.strict(),
                idle: Arc::default(),
                slots: Arc::new(Semaphore::new(max_connections.max(1))),
                returned: Arc::default(),
            },
            timeout,
            inflight: InFlight::default(),
            ids: Arc::new(AtomicU16::new(1)),
        })
    }

    pub fn dns(server: &str, timeout: Duration) -> Result<Resolver, String> {
        let addr = server
            .parse::<SocketAddr>()
            .or_else(|_| server.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
            .map_err(|_| format!("--dns {server}: give an IP address, optionally with :PORT"))?;
        Ok(Resolver {
            upstream: Upstream::Dns(addr),
            timeout,
            inflight: InFlight::default(),
            ids: Arc::new(AtomicU16::new(1)),
        })
    }

    /// The resolver as a person names it: the DoH URL, or `dns://IP:PORT`.
    pub fn describe(&self) -> String {
        match &self.upstream {
            Upstream::Doh { uri, .. } => uri.to_string(),
            Upstream::Dns(addr) => format!("dns://{addr}"),
        }
    }

    /// Looks up `name`; every failure comes back as a [`DnsOutcome`], never as a panic.
    /// Concurrent identical look-ups (twenty probes of one MX host, say) share one query;
    /// nothing is cached once it is answered.
    pub async fn query(&self, name: &str, rtype: RecordType) -> DnsAnswer {
        let key = (name.trim_end_matches('.').to_ascii_lowercase(), rtype);
        let cell = self
            .inflight
            .lock()
            .ok()
            .map(|mut map| map.entry(key.clone()).or_default().clone());
        let Some(cell) = cell else {
            return self.query_upstream(name, rtype).await;
        };
        // Removes the entry however this call ends, even when its task is cancelled
        // mid-query, so the map only ever holds look-ups under way.
        let _cleanup = Cleanup {
            map: &self.inflight,
            key: &key,
            cell: &cell,
        };
        cell.get_or_init(|| self.query_upstream(name, rtype))
            .await
            .clone()
    }

    async fn query_upstream(&self, name: &str, rtype: RecordType) -> DnsAnswer {
        // RFC 8484 §4.1 asks DoH clients for ID 0, which helps HTTP caches.
        let id = match self.upstream {
            Upstream::Doh { .. } => 0,
            Upstream::Dns(_) => random_id(self.ids.fetch_add(1, Ordering::Relaxed)),
        };
        let query = match build_query(name, rtype, id) {
            Ok(q) => q,
            Err(e) => return DnsAnswer::failed(DnsOutcome::Error(e)),
        };
        let reply = match tokio::time::timeout(self.timeout, self.exchange(&query)).await {
            Err(_) => return DnsAnswer::failed(DnsOutcome::Timeout),
            Ok(Err(e)) => return DnsAnswer::failed(DnsOutcome::Error(e)),
            Ok(Ok(reply)) => reply,
        };
        parse_response(&reply, name, rtype, id)
    }

    /// The A and AAAA addresses of `name`, looked up together. Fails only when both fail;
    /// `NxDomain` when the name does not exist.
    pub async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, DnsOutcome> {
        let (a, aaaa) = tokio::join!(
            self.query(name, RecordType::A),
            self.query(name, RecordType::Aaaa)
        );
        let mut addresses = a.addresses.clone();
        addresses.extend(aaaa.addresses.iter().copied());
        if !addresses.is_empty() {
            return Ok(addresses);
        }
        match (&a.outcome, &aaaa.outcome) {
            (DnsOutcome::NxDomain, _) | (_, DnsOutcome::NxDomain) => Err(DnsOutcome::NxDomain),
            (o, _) if !o.resolved() => Err(o.clone()),
            (_, o) if !o.resolved() => Err(o.clone()),
            _ => Err(DnsOutcome::NoData),
        }
    }

    async fn exchange(&self, query: &[u8]) -> Result<Vec<u8>, String> {
        match &self.upstream {
            Upstream::Dns(addr) => {
                let unreachable =
                    |e: String| format!("the DNS server {addr} could not be reached ({e})");
                let reply = udp(*addr, query).await.map_err(unreachable)?;
                if is_truncated(&reply) {
                    tcp(*addr, query).await.map_err(unreachable)
                } else {
                    Ok(reply)
                }
            }
            Upstream::Doh {
                uri,
                host,
                port,
                tls,
                idle,
                slots,
                returned,
            } => {
                // A kept connection, else a new one under the cap, else wait for either.
                let deadline = tokio::time::Instant::now() + self.timeout;
                let (mut sender, permit, reused) = loop {
                    let pooled = idle.lock().ok().and_then(|mut v| v.pop());
                    match pooled {
                        Some((sender, permit)) if !sender.is_closed() => {
                            break (sender, permit, true)
                        }
                        Some(_) => continue,
                        None => {}
                    }
                    if let Ok(permit) = slots.clone().try_acquire_owned() {
                        break (doh_connect(host, *port, tls.clone()).await?, permit, false);
                    }
                    tokio::select! {
                        () = returned.notified() => {}
                        () = tokio::time::sleep_until(deadline) => {
                            return Err("every DoH connection is busy".into());
                        }
                    }
                };
                let result = match doh(&mut sender, uri, host, query, self.timeout).await {
                    // A kept connection the server closed meanwhile: once more on a new one,
                    // in the same slot.
                    Err(_) if reused => {
                        sender = doh_connect(host, *port, tls.clone()).await?;
                        doh(&mut sender, uri, host, query, self.timeout).await
                    }
                    other => other,
                };
                if result.is_ok() && !sender.is_closed() {
                    if let Ok(mut v) = idle.lock() {
                        if v.len() < MAX_IDLE_DOH {
                            v.push((sender, permit));
                            drop(v);
                            returned.notify_one();
                            return result;
                        }
                    }
                }
                // The connection closes here and its slot is free again.
                drop(permit);
                returned.notify_one();
                result
            }
        }
    }
}

async fn udp(addr: SocketAddr, query: &[u8]) -> Result<Vec<u8>, String> {
    let bind: SocketAddr = if addr.is_ipv4() {
        "0.0.0.0:0".parse().unwrap()
    } else {
        "[::]:0".parse().unwrap()
    };
    let socket = tokio::net::UdpSocket::bind(bind)
        .await
        .map_err(|e| e.to_string())?;
    socket.connect(addr).await.map_err(|e| e.to_string())?;
    socket.send(query).await.map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 4096];
    let n = socket.recv(&mut buf).await.map_err(|e| e.to_string())?;
    buf.truncate(n);
    Ok(buf)
}

async fn tcp(addr: SocketAddr, query: &[u8]) -> Result<Vec<u8>, String> {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let mut framed = (query.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    stream.write_all(&framed).await.map_err(|e| e.to_string())?;
    let len = stream.read_u16().await.map_err(|e| e.to_string())? as usize;
    let mut buf = vec![0u8; len];
    stream
        .read_exact(&mut buf)
        .await
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

async fn doh_connect(
    host: &str,
    port: u16,
    tls: Arc<rustls::ClientConfig>,
) -> Result<http::Sender, String> {
    // The resolver is configuration, not user input: the system resolves its name.
    let addr = match host.parse::<IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, port),
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("cannot resolve the DoH server {host}: {e}"))?
            .next()
            .ok_or_else(|| format!("the DoH server {host} has no address"))?,
    };
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("DoH server {addr}: {e}"))?;
    let name =
        rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
    let stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("DoH server {host}: {e}"))?;
    http::connect(stream).await
}

async fn doh(
    sender: &mut http::Sender,
    uri: &hyper::Uri,
    host: &str,
    query: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let target = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let request = hyper::Request::post(target)
        .header(
            hyper::header::HOST,
            uri.authority().map_or(host, |a| a.as_str()),
        )
        .header(hyper::header::CONTENT_TYPE, "application/dns-message")
        .header(hyper::header::ACCEPT, "application/dns-message")
        .body(http_body_util::Full::new(Bytes::copy_from_slice(query)))
        .map_err(|e| e.to_string())?;
    let mut response = http::request(sender, request).await?;
    if response.status != 200 {
        return Err(format!("the DoH server answered HTTP {}", response.status));
    }
    match response.read_body(MAX_REPLY, timeout).await {
        http::Body::Complete(body) => Ok(body),
        http::Body::TooLarge(_) => Err("the DoH reply is too large".into()),
        http::Body::TimedOut => Err("the DoH reply did not arrive in time".into()),
        http::Body::Failed(e) => Err(e),
    }
}

/// An unpredictable query ID for plain DNS, so off-path spoofed answers must guess it.
fn random_id(counter: u16) -> u16 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u16(counter);
    h.finish() as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancelled_lookup_leaves_nothing_behind_and_twins_share_one_query() {
        // A DNS server that counts queries and never answers.
        let server = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = seen.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            while server.recv_from(&mut buf).await.is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let resolver = Resolver::dns(&addr.to_string(), Duration::from_secs(30)).unwrap();
        let (a, b) = (resolver.clone(), resolver.clone());
        let first = tokio::spawn(async move { a.query("example.test", RecordType::Txt).await });
        let second = tokio::spawn(async move { b.query("example.test", RecordType::Txt).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            seen.load(Ordering::SeqCst),
            1,
            "identical concurrent look-ups share one query"
        );
        first.abort();
        second.abort();
        let _ = (first.await, second.await);
        assert!(
            resolver.inflight.lock().unwrap().is_empty(),
            "cancelled look-ups are forgotten"
        );
    }
}
