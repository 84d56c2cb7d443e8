//! The test world: real servers on loopback, started by the tests themselves.
//!
//! - a DNS server for the `.test` zone on 127.0.0.1 (UDP and TCP) and DNS-over-HTTPS
//!   at `https://127.0.0.1:<port>/dns-query`;
//! - one HTTPS policy host per scenario on port 443 of its own 127.0.1.x address;
//! - one SMTP listener per MX host on port 25 of its own 127.0.2.x (then 127.0.3.x …) address;
//! - a throwaway CA whose root is written to a PEM file for `--ca`.
//!
//! Binding ports 25 and 443 needs root (or CAP_NET_BIND_SERVICE), as on CI. Nothing listens
//! outside 127.0.0.0/8.

pub mod ca;
mod dane;
pub mod dns;
pub mod https;
pub mod scenarios;
pub mod smtp;
pub mod ssrf;
pub mod third_party;

use ca::{Ca, Leaf};
use dns::{Rec, Zone};
use scenarios::{MxSpec, Spec};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub struct World {
    runtime: Option<tokio::runtime::Runtime>,
    /// Connections that reached the listeners behind the SSRF names (must stay 0 when
    /// private targets are refused), and those behind each rebinding address.
    pub ssrf_hits: Arc<std::sync::atomic::AtomicUsize>,
    pub rebind_hits: [Arc<std::sync::atomic::AtomicUsize>; 2],
    /// Connections accepted by each MX host's listener, by host name.
    pub mx_hits: std::collections::BTreeMap<String, Arc<std::sync::atomic::AtomicUsize>>,
    pub doh_url: String,
    pub dns_addr: SocketAddr,
    pub ca_file: PathBuf,
    pub scenarios: Vec<Spec>,
    /// The CA behind every certificate, for third-party servers that join the world.
    pub ca: Arc<Ca>,
    /// The world's `.test` records as zone files: the `test.` zone and the unsigned child
    /// zone of every scenario that is not signed (see [`dns::Zone::zone_files`]).
    pub zone_file: String,
    pub child_zones: Vec<(String, String)>,
    /// Names whose signatures must not validate once `test.` is signed.
    pub bogus_names: Vec<String>,
    dir: PathBuf,
}

impl World {
    /// Starts every server of every scenario; they stop when the world is dropped.
    pub fn start() -> Result<World, String> {
        Self::start_with(scenarios::all())
    }

    pub fn start_with(specs: Vec<Spec>) -> Result<World, String> {
        Self::start_at(specs, None)
    }

    /// As `start_with`, with plain DNS on a fixed address (for tools that only use the
    /// system resolver, which cannot name a port: e.g. 127.0.0.53:53).
    pub fn start_at(specs: Vec<Spec>, dns: Option<SocketAddr>) -> Result<World, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let ca = Ca::new();
        let dir = std::env::temp_dir().join(format!("mtasts-world-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let ca_file = dir.join("test-ca.pem");
        std::fs::write(&ca_file, ca.root_pem()).map_err(|e| e.to_string())?;

        let ssrf_hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let rebind_hits = [
            Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        ];
        let (doh_url, dns_addr, (zone_file, child_zones, bogus_names), mx_hits) = runtime
            .block_on(async {
                let mut zone = Zone::default();
                ssrf::start(&ca, &mut zone, ssrf_hits.clone(), rebind_hits.clone()).await?;
                let mut mx_index = 0u32;
                let mut mx_hits = std::collections::BTreeMap::new();
                for (i, spec) in specs.iter().enumerate() {
                    start_scenario(&ca, &mut zone, spec, i as u32, &mut mx_index, &mut mx_hits)
                        .await?;
                }
                let unsigned: Vec<String> = specs
                    .iter()
                    .filter(|s| !s.signed)
                    .map(|s| s.domain.clone())
                    .collect();
                let (parent, children) = zone.zone_files(&unsigned);
                let zone_file = (parent, children, zone.bogus_names());
                let zone = Arc::new(zone);
                let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
                let dns_at = dns.unwrap_or(SocketAddr::new(loopback, 0));
                let tcp = tokio::net::TcpListener::bind(dns_at)
                    .await
                    .map_err(|e| format!("DNS on {dns_at}: {e}"))?;
                let port = tcp.local_addr().map_err(|e| e.to_string())?.port();
                let udp = tokio::net::UdpSocket::bind((dns_at.ip(), port))
                    .await
                    .map_err(|e| format!("DNS/UDP: {e}"))?;
                tokio::spawn(dns::serve_plain(zone.clone(), udp, tcp));
                let doh = tokio::net::TcpListener::bind((loopback, 0))
                    .await
                    .map_err(|e| format!("DoH: {e}"))?;
                let doh_port = doh.local_addr().map_err(|e| e.to_string())?.port();
                tokio::spawn(dns::serve_doh(
                    zone,
                    doh,
                    ca.server_config(&["127.0.0.1", "localhost"], &Leaf::Good),
                ));
                Ok::<_, String>((
                    format!("https://127.0.0.1:{doh_port}/dns-query"),
                    SocketAddr::new(dns_at.ip(), port),
                    zone_file,
                    mx_hits,
                ))
            })?;
        Ok(World {
            runtime: Some(runtime),
            ssrf_hits,
            rebind_hits,
            mx_hits,
            doh_url,
            dns_addr,
            ca_file,
            scenarios: specs,
            ca: Arc::new(ca),
            zone_file,
            child_zones,
            bogus_names,
            dir,
        })
    }

    pub fn scenario(&self, domain: &str) -> &Spec {
        self.scenarios
            .iter()
            .find(|s| s.domain == domain)
            .unwrap_or_else(|| panic!("no scenario {domain}"))
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The loopback address of the n-th MX listener: 127.0.2.1 … 127.0.2.250, then 127.0.3.1 …
fn mx_address(n: u32) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 2 + (n / 250) as u8, 1 + (n % 250) as u8)
}

pub(crate) async fn bind(ip: Ipv4Addr, port: u16) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind((ip, port))
        .await
        .map_err(|e| format!("cannot listen on {ip}:{port} ({e}); the test world needs root for ports 25 and 443"))
}

async fn start_scenario(
    ca: &Ca,
    zone: &mut Zone,
    spec: &Spec,
    index: u32,
    mx_index: &mut u32,
    mx_hits: &mut std::collections::BTreeMap<String, Arc<std::sync::atomic::AtomicUsize>>,
) -> Result<(), String> {
    let d = &spec.domain;
    let sts_owner = match &spec.sts_cname {
        Some(target) => {
            zone.add(&format!("_mta-sts.{d}"), Rec::Cname(target.clone()));
            target.clone()
        }
        None => format!("_mta-sts.{d}"),
    };
    for txt in &spec.sts {
        zone.txt(&sts_owner, txt);
    }
    for txt in &spec.tlsrpt {
        zone.txt(&format!("_smtp._tls.{d}"), txt);
    }
    for name in &spec.servfail {
        zone.servfail(name);
    }
    if spec.signed {
        zone.sign(d);
    }
    for name in &spec.bogus {
        zone.break_signature(name);
    }
    // The domain itself exists (it has MX records or at least an address).
    zone.add(
        d,
        Rec::Addr(IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            4,
            1 + (index % 250) as u8,
        ))),
    );
    if let Some((leaf, response)) = &spec.policy {
        let host = format!("mta-sts.{d}");
        let ip = Ipv4Addr::new(127, 0, 1, 1 + index as u8);
        zone.add(&host, Rec::Addr(IpAddr::V4(ip)));
        let listener = bind(ip, 443).await?;
        tokio::spawn(https::serve_policy(
            listener,
            ca.server_config(&[&host], leaf),
            response.clone(),
        ));
    }
    let shared = mx_address(*mx_index);
    for (i, (host, behaviour)) in spec.mx.iter().enumerate() {
        zone.add(d, Rec::Mx(10 * (i as u16 + 1), host.clone()));
        if spec.shared_mx_address && i > 0 {
            // Another name for the first host's server: nothing more to start.
            zone.add(host, Rec::Addr(IpAddr::V4(shared)));
            continue;
        }
        let ip = mx_address(*mx_index);
        *mx_index += 1;
        zone.add(host, Rec::Addr(IpAddr::V4(ip)));
        match behaviour {
            // Nothing listens on the address: the kernel answers RST.
            MxSpec::Refuse => continue,
            MxSpec::Blackhole => {
                smtp::blackhole(ip).await?;
                continue;
            }
            _ => {}
        }
        let listener = bind(ip, 25).await?;
        let records = spec
            .tlsa
            .iter()
            .find(|(h, _)| h == host)
            .map(|(_, r)| r.as_slice())
            .unwrap_or_default();
        let mut tls = |leaf: &Leaf, delay: u64| {
            let issued = ca.issue(&[host], leaf);
            for record in records {
                let (u, s, m, data) = dane::tlsa(*record, &issued);
                zone.add(&format!("_25._tcp.{host}"), Rec::Tlsa(u, s, m, data));
            }
            smtp::Behaviour::Tls {
                config: Ca::config(issued),
                delay: Duration::from_millis(delay),
            }
        };
        let behaviour = match behaviour {
            MxSpec::Good => tls(&Leaf::Good, 0),
            MxSpec::Cert(leaf) => tls(leaf, 0),
            MxSpec::Delay(ms) => tls(&Leaf::Good, *ms),
            MxSpec::NoStarttls => smtp::Behaviour::NoStarttls,
            MxSpec::Hostile(how) => smtp::Behaviour::Hostile(*how),
            MxSpec::Silent => smtp::Behaviour::Silent,
            MxSpec::Refuse | MxSpec::Blackhole => unreachable!("handled above"),
        };
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        mx_hits.insert(host.clone(), hits.clone());
        tokio::spawn(smtp::serve(listener, host.clone(), behaviour, hits));
    }
    Ok(())
}
