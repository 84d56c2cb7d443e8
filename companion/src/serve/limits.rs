//! Who may ask for how much: a token bucket per client address, a cap on each client's
//! requests in flight, and token buckets per MX target (by name, by address and by /24 or
//! /48 network), so the service cannot be aimed at one mail server however many names point
//! at it. The client address comes from the socket or, behind proxies, from a header the
//! operator names, counted by hops.

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A network prefix is probed at most this many times the per-address quota: a /24 holds
/// several mail servers, but not hundreds.
const PREFIX_FACTOR: u32 = 4;

pub struct Limits {
    clients: DefaultKeyedRateLimiter<IpAddr>,
    names: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    prefixes: DefaultKeyedRateLimiter<IpAddr>,
    trusted_header: Option<String>,
    trusted_hops: usize,
    max_in_flight: usize,
    in_flight: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("at least one")
}

/// The key a client is counted by: IPv6 clients per /64, the smallest block a subscriber
/// usually gets, or one host could rotate addresses.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1)))
        }
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().unwrap_or(Ipv4Addr::UNSPECIFIED)),
        other => other,
    }
}

/// The /24 or /48 network of a target address.
fn prefix(ip: IpAddr) -> IpAddr {
    match client_key(ip) {
        IpAddr::V4(v4) => IpAddr::V4(Ipv4Addr::from(u32::from(v4) & 0xffff_ff00)),
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 80) - 1))),
    }
}

/// One entry of a forwarding header: `ip`, `ip:port`, `[v6]` or `[v6]:port`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = entry.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|e| e.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// Held while a request of one client is in progress.
pub struct InFlight {
    key: IpAddr,
    map: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut m) = self.map.lock() {
            if let Some(n) = m.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    m.remove(&self.key);
                }
            }
        }
    }
}

fn wait(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> Duration {
    not_until.wait_time_from(DefaultClock::default().now())
}

impl Limits {
    pub fn new(
        per_minute: u32,
        burst: u32,
        target_per_minute: u32,
        max_in_flight: usize,
        trusted_header: Option<String>,
        trusted_hops: usize,
    ) -> Limits {
        let clients = Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst));
        let target =
            Quota::per_minute(nonzero(target_per_minute)).allow_burst(nonzero(target_per_minute));
        let network = Quota::per_minute(nonzero(target_per_minute.saturating_mul(PREFIX_FACTOR)))
            .allow_burst(nonzero(target_per_minute.saturating_mul(PREFIX_FACTOR)));
        Limits {
            clients: DefaultKeyedRateLimiter::keyed(clients),
            names: DefaultKeyedRateLimiter::keyed(target),
            addresses: DefaultKeyedRateLimiter::keyed(target),
            prefixes: DefaultKeyedRateLimiter::keyed(network),
            trusted_header: trusted_header.map(|h| h.to_ascii_lowercase()),
            trusted_hops: trusted_hops.max(1),
            max_in_flight: max_in_flight.max(1),
            in_flight: Arc::default(),
        }
    }

    /// The client's address: the socket peer, unless a trusted proxy header names one.
    /// Each trusted proxy appends the address it saw, so the client is the entry
    /// `trusted_hops` places from the right; anything left of it is the client's own claim.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let from_header = || {
            let name = self.trusted_header.as_deref()?;
            let entries: Vec<&str> = headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .collect();
            let index = entries.len().checked_sub(self.trusted_hops)?;
            parse_entry(entries[index])
        };
        from_header().unwrap_or(peer.ip())
    }

    /// `Err(wait)` when the client has used its quota.
    pub fn client_allowed(&self, ip: IpAddr) -> Result<(), Duration> {
        self.clients.check_key(&client_key(ip)).map_err(wait)
    }

    /// A slot among the client's requests in flight, or `None` when it has its share.
    pub fn start_request(&self, ip: IpAddr) -> Option<InFlight> {
        let key = client_key(ip);
        let mut m = self.in_flight.lock().ok()?;
        let n = m.entry(key).or_insert(0);
        if *n >= self.max_in_flight {
            return None;
        }
        *n += 1;
        Some(InFlight {
            key,
            map: self.in_flight.clone(),
        })
    }

    /// `Err(wait)` when this MX name, its address or the address's network was probed too
    /// often lately. The name counts too, so one name's many addresses stay bounded.
    pub fn target_allowed(&self, host: &str, ip: IpAddr) -> Result<(), Duration> {
        let ip = client_key(ip);
        self.addresses.check_key(&ip).map_err(wait)?;
        self.prefixes.check_key(&prefix(ip)).map_err(wait)?;
        self.names
            .check_key(&host.trim_end_matches('.').to_ascii_lowercase())
            .map_err(wait)
    }

    /// Forgets buckets that are full again, so memory tracks recent clients only.
    pub fn prune(&self) {
        self.clients.retain_recent();
        self.names.retain_recent();
        self.addresses.retain_recent();
        self.prefixes.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(header: Option<&str>, hops: usize) -> Limits {
        Limits::new(60, 2, 3, 2, header.map(String::from), hops)
    }

    #[test]
    fn a_client_over_quota_is_refused_while_another_is_served() {
        let limits = limits(None, 1);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limits.client_allowed(a).is_ok());
        assert!(limits.client_allowed(a).is_ok());
        let wait = limits.client_allowed(a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limits.client_allowed(b).is_ok());
        // One IPv6 /64 is one client.
        let v6a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert!(limits.client_allowed(v6a).is_ok());
        assert!(limits.client_allowed(v6b).is_ok());
        assert!(limits.client_allowed(v6a).is_err());
        assert!(limits
            .client_allowed("2001:db8:1:3::1".parse().unwrap())
            .is_ok());
    }

    #[test]
    fn the_trusted_header_is_read_by_hops_and_only_when_configured() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        // The client claims 203.0.113.9; the proxy appended what it saw, with a port.
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7:40122".parse().unwrap(),
        );
        assert_eq!(limits(None, 1).client(peer, &headers), peer.ip());
        let one = limits(Some("X-Forwarded-For"), 1);
        assert_eq!(
            one.client(peer, &headers),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let two = limits(Some("X-Forwarded-For"), 2);
        assert_eq!(
            two.client(peer, &headers),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        let three = limits(Some("X-Forwarded-For"), 3);
        assert_eq!(
            three.client(peer, &headers),
            peer.ip(),
            "fewer entries than hops"
        );
        headers.insert("x-forwarded-for", "[2001:db8::1]:443".parse().unwrap());
        assert_eq!(
            one.client(peer, &headers),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        headers.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(one.client(peer, &headers), peer.ip());
    }

    #[test]
    fn targets_are_limited_by_address_and_network_not_only_by_name() {
        let limits = limits(None, 1);
        let ip: IpAddr = "192.0.2.25".parse().unwrap();
        for n in 0..3 {
            assert!(limits.target_allowed(&format!("mx{n}.example"), ip).is_ok());
        }
        assert!(
            limits.target_allowed("mx9.example", ip).is_err(),
            "a fourth name for the same address"
        );
        // The /24 allows four times the per-address quota.
        let mut allowed = 0;
        for last in 1..=30u8 {
            let other = IpAddr::from([198, 51, 100, last]);
            if limits
                .target_allowed(&format!("h{last}.example"), other)
                .is_ok()
            {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 12);
    }

    #[test]
    fn a_client_has_a_few_requests_in_flight_at_most() {
        let limits = limits(None, 1);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let first = limits.start_request(a).unwrap();
        let _second = limits.start_request(a).unwrap();
        assert!(limits.start_request(a).is_none());
        assert!(limits.start_request("192.0.2.2".parse().unwrap()).is_some());
        drop(first);
        assert!(limits.start_request(a).is_some());
    }
}
