//! Names that lead to loopback and other special addresses, for the companion's SSRF tests,
//! and listeners behind them that count every connection that arrives (there must be none
//! while private targets are refused). Only loopback forms are used: if a guard failed, the
//! connection would still stay on this machine.

use crate::ca::{Ca, Leaf};
use crate::dns::{Rec, Zone};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The address of the counting listeners (ports 25 and 443).
pub const TRAP: Ipv4Addr = Ipv4Addr::new(127, 0, 9, 1);
/// The two addresses of `two-addresses.test`: a good listener and one with an expired
/// certificate, so a probe of each address tells them apart.
pub const TWO: [Ipv4Addr; 2] = [Ipv4Addr::new(127, 0, 9, 4), Ipv4Addr::new(127, 0, 9, 5)];
/// The two answers of `rebind.test`, which alternate with every A query.
pub const REBIND: [Ipv4Addr; 2] = [Ipv4Addr::new(127, 0, 9, 2), Ipv4Addr::new(127, 0, 9, 3)];

/// Each SSRF name, with the address form it resolves to.
pub fn names() -> Vec<(&'static str, IpAddr)> {
    vec![
        ("ssrf-loopback.test", IpAddr::V4(TRAP)),
        (
            "ssrf-loopback-top.test",
            IpAddr::V4(Ipv4Addr::new(127, 255, 255, 254)),
        ),
        ("ssrf-loopback6.test", IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ("ssrf-mapped.test", IpAddr::V6(TRAP.to_ipv6_mapped())),
        ("ssrf-unspecified.test", IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ("ssrf-unspecified6.test", IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
        ("127.0.9.1.nip.test", IpAddr::V4(TRAP)),
        ("mta-sts.ssrf-loopback.test", IpAddr::V4(TRAP)),
    ]
}

async fn count(listener: tokio::net::TcpListener, hits: Arc<AtomicUsize>) {
    loop {
        if let Ok((stream, _)) = listener.accept().await {
            hits.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    }
}

pub async fn start(
    ca: &Ca,
    zone: &mut Zone,
    hits: Arc<AtomicUsize>,
    rebind_hits: [Arc<AtomicUsize>; 2],
) -> Result<(), String> {
    for (name, ip) in names() {
        zone.add(name, Rec::Addr(ip));
    }
    for port in [25, 443] {
        tokio::spawn(count(crate::bind(TRAP, port).await?, hits.clone()));
    }
    for (ip, leaf) in TWO.iter().zip([Leaf::Good, Leaf::Expired]) {
        zone.add("two-addresses.test", Rec::Addr(IpAddr::V4(*ip)));
        let config = ca.server_config(&["two-addresses.test"], &leaf);
        tokio::spawn(crate::smtp::serve(
            crate::bind(*ip, 25).await?,
            "two-addresses.test".into(),
            crate::smtp::Behaviour::Tls {
                config,
                delay: Duration::ZERO,
            },
            Arc::default(),
        ));
    }
    zone.rotate("rebind.test", REBIND.to_vec());
    for (ip, hits) in REBIND.iter().zip(rebind_hits) {
        let listener = crate::bind(*ip, 25).await?;
        let config = ca.server_config(&["rebind.test"], &Leaf::Good);
        tokio::spawn(crate::smtp::serve(
            listener,
            "rebind.test".into(),
            crate::smtp::Behaviour::Tls {
                config,
                delay: Duration::ZERO,
            },
            hits,
        ));
    }
    Ok(())
}
