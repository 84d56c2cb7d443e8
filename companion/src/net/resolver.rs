//! DNS for the native tool: DNS-over-HTTPS (RFC 8484, POST of the wire message) or plain DNS
//! over UDP with a TCP retry on truncation. The messages themselves come from the core, so the
//! browser and the terminal read DNS the same way.

use super::{http, tls::Trust};
use bytes::Bytes;
use mtasts_core::dns::{
    build_query, is_truncated, parse_response, DnsAnswer, DnsOutcome, RecordType,
};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The default DoH resolver when neither `--doh` nor `--dns` is given.
pub const DEFAULT_DOH: &str = "https://cloudflare-dns.com/dns-query";

#[derive(Clone)]
enum Upstream {
    Doh {
        uri: hyper::Uri,
        host: String,
        port: u16,
        tls: Arc<rustls::ClientConfig>,
    },
    Dns(SocketAddr),
}

#[derive(Clone)]
pub struct Resolver {
    upstream: Upstream,
    timeout: Duration,
    ids: Arc<AtomicU16>,
}

const MAX_REPLY: usize = 65_535;

impl Resolver {
    pub fn doh(url: &str, trust: &Trust, timeout: Duration) -> Result<Resolver, String> {
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
            },
            timeout,
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
            ids: Arc::new(AtomicU16::new(1)),
        })
    }

    /// Looks up `name`; every failure comes back as a [`DnsOutcome`], never as a panic.
    pub async fn query(&self, name: &str, rtype: RecordType) -> DnsAnswer {
        // RFC 8484 §4.1 asks DoH clients for ID 0, which helps HTTP caches.
        let id = match self.upstream {
            Upstream::Doh { .. } => 0,
            Upstream::Dns(_) => self.ids.fetch_add(1, Ordering::Relaxed),
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
                let reply = udp(*addr, query).await?;
                if is_truncated(&reply) {
                    tcp(*addr, query).await
                } else {
                    Ok(reply)
                }
            }
            Upstream::Doh {
                uri,
                host,
                port,
                tls,
            } => doh(uri, host, *port, tls.clone(), query, self.timeout).await,
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

async fn doh(
    uri: &hyper::Uri,
    host: &str,
    port: u16,
    tls: Arc<rustls::ClientConfig>,
    query: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, String> {
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
    let request = hyper::Request::post(uri.clone())
        .header(
            hyper::header::HOST,
            uri.authority().map_or(host, |a| a.as_str()),
        )
        .header(hyper::header::CONTENT_TYPE, "application/dns-message")
        .header(hyper::header::ACCEPT, "application/dns-message")
        .body(http_body_util::Full::new(Bytes::copy_from_slice(query)))
        .map_err(|e| e.to_string())?;
    let mut response = http::send(stream, request).await?;
    if response.status != 200 {
        return Err(format!("the DoH server answered HTTP {}", response.status));
    }
    match response.read_body(MAX_REPLY, timeout).await {
        http::Body::Complete(body) => Ok(body),
        http::Body::TooLarge(_) => Err("the DoH reply is too large".into()),
        http::Body::Failed(e) => Err(e),
    }
}
