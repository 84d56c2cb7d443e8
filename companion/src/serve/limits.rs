//! Who may ask for how much: a token bucket per client address, one per MX host (so the
//! service cannot be used to hammer one mail server), and the client address itself, taken
//! from the socket or, behind a proxy, from a header the operator names.

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

pub struct Limits {
    clients: DefaultKeyedRateLimiter<IpAddr>,
    hosts: DefaultKeyedRateLimiter<String>,
    trusted_header: Option<String>,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("at least one")
}

impl Limits {
    pub fn new(
        per_minute: u32,
        burst: u32,
        host_per_minute: u32,
        trusted_header: Option<String>,
    ) -> Limits {
        let clients = Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst));
        let hosts =
            Quota::per_minute(nonzero(host_per_minute)).allow_burst(nonzero(host_per_minute));
        Limits {
            clients: DefaultKeyedRateLimiter::keyed(clients),
            hosts: DefaultKeyedRateLimiter::keyed(hosts),
            trusted_header: trusted_header.map(|h| h.to_ascii_lowercase()),
        }
    }

    /// The client's address: the socket peer, unless a trusted proxy header names one. The
    /// rightmost address in the header is the one the proxy itself saw.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        self.trusted_header
            .as_deref()
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.rsplit(',')
                    .map(str::trim)
                    .find_map(|s| s.trim_matches(['[', ']']).parse().ok())
            })
            .unwrap_or(peer.ip())
    }

    /// `Err(wait)` when the client has used its quota. IPv6 clients are counted per /64,
    /// the smallest block a subscriber usually gets, or one host could rotate addresses.
    pub fn client_allowed(&self, ip: IpAddr) -> Result<(), Duration> {
        let key = match ip {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => IpAddr::V6(
                std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1)),
            ),
            other => other,
        };
        self.clients
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// `Err(wait)` when this MX host was probed too often lately.
    pub fn host_allowed(&self, host: &str) -> Result<(), Duration> {
        self.hosts
            .check_key(&host.to_ascii_lowercase())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets buckets that are full again, so memory tracks recent clients only.
    pub fn prune(&self) {
        self.clients.retain_recent();
        self.hosts.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_quota_is_refused_while_another_is_served() {
        let limits = Limits::new(60, 2, 10, None);
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
    fn the_trusted_header_is_used_only_when_configured() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        assert_eq!(Limits::new(1, 1, 1, None).client(peer, &headers), peer.ip());
        let behind_proxy = Limits::new(1, 1, 1, Some("X-Forwarded-For".into()));
        assert_eq!(
            behind_proxy.client(peer, &headers),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        headers.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(behind_proxy.client(peer, &headers), peer.ip());
    }
}
