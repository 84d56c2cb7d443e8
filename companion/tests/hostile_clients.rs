//! The companion against hostile clients and the servers they aim it at, on loopback: one
//! client's tarpit checks must not starve another, a flooding MX must not blow up memory,
//! slow or idle connections must not pin the service, and the limits must hold by address,
//! not only by name. Each test prints what it measured; load figures for BENCHMARKS.md come
//! from `cargo xtask bench`, not from here.

mod common;
use common::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use testworld::World;

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        World::start_with(testworld::scenarios::hostile_clients())
            .expect("the test world starts (it needs root for ports 25 and 443)")
    })
}

/// A companion pointed at the world with a one-second phase deadline, clients told apart
/// by X-Forwarded-For, and the given limits.
fn companion(extra: &[&str]) -> Server {
    companion_limited(extra, None)
}

fn companion_limited(extra: &[&str], open_files: Option<u32>) -> Server {
    let w = world();
    let mut args = vec![
        "--doh",
        &w.doh_url,
        "--ca",
        w.ca_file.to_str().unwrap(),
        "--allow-private",
        "--timeout",
        "1",
        "--trusted-header",
        "X-Forwarded-For",
        "--rate-burst",
        "10000",
    ];
    args.extend_from_slice(extra);
    Server::start_limited(&args, open_files)
}

fn from(client: &'static str) -> [(&'static str, &'static str); 1] {
    [("X-Forwarded-For", client)]
}

fn hits(host: &str) -> usize {
    world().mx_hits[host].load(Ordering::SeqCst)
}

/// Peak resident memory of a process, from /proc, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn one_clients_tarpit_checks_do_not_starve_another_client() {
    // Four outbound slots for everyone; one request may hold two, one client may run two.
    let s = companion(&[
        "--max-connections",
        "4",
        "--connections-per-request",
        "2",
        "--max-requests-per-client",
        "2",
        "--probe-cache-secs",
        "0",
        "--probes-per-host",
        "10000",
        "--request-timeout",
        "20",
    ]);
    let attacker: Vec<_> = (0..2)
        .map(|_| {
            let addr = s.addr.clone();
            std::thread::spawn(move || {
                common::get(
                    &addr,
                    "/api/v1/check?domain=tarpit.test",
                    &from("203.0.113.66"),
                )
            })
        })
        .collect();
    // Let the tarpit checks take every slot.
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let r = s.get_with("/api/v1/probe?mx=mx1.good.test", &from("198.51.100.7"));
    let waited = started.elapsed();
    println!("a healthy probe beside two tarpit checks holding every slot: {waited:?}");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["tls"]["status"], "ok", "{}", r.body);
    // A tarpit connection ends within its total deadline (3 phases of 1 s); in turn, the
    // other client gets the next free slot, not the attacker's next twenty.
    assert!(waited < Duration::from_secs(6), "waited {waited:?}");
    let third = s.get_with("/api/v1/check?domain=tarpit.test", &from("203.0.113.66"));
    assert_eq!(
        third.status, 429,
        "a third request of the same client: {}",
        third.body
    );
    assert_eq!(third.json()["error"]["code"], "too-many-in-flight");
    for t in attacker {
        let r = t.join().unwrap();
        assert!(matches!(r.status, 200 | 504), "{}", r.status);
    }
}

#[test]
fn ten_checks_of_a_flooding_mx_stay_small_in_answers_and_memory() {
    let s = companion(&[
        "--probe-cache-secs",
        "0",
        "--probes-per-host",
        "10000",
        "--max-requests-per-client",
        "20",
    ]);
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let addr = s.addr.clone();
            std::thread::spawn(move || common::get(&addr, "/api/v1/check?domain=flood.test", &[]))
        })
        .collect();
    let mut largest = 0;
    for t in threads {
        let r = t.join().unwrap();
        assert_eq!(r.status, 200, "{}", &r.body[..r.body.len().min(300)]);
        let v = r.json();
        assert_eq!(v["mx"].as_array().unwrap().len(), 25);
        let transcript = v["mx"][0]["tls"]["transcript"].as_array().unwrap();
        assert!(
            transcript
                .iter()
                .any(|l| l.as_str().unwrap().contains("more lines")),
            "long replies are summarised: {transcript:?}"
        );
        largest = largest.max(r.body.len());
    }
    let rss = peak_rss_kib(s.pid());
    println!(
        "ten concurrent checks of 25 flooding MX: largest answer {largest} bytes, peak RSS {} MiB",
        rss / 1024
    );
    // Before the bounds: 61 MB for one check, 828 MB resident for ten.
    assert!(largest < 300 * 1024, "largest answer {largest} bytes");
    assert!(rss < 150 * 1024, "peak RSS {rss} KiB");
}

/// Reads until the server closes the connection; how long that took.
fn time_to_close(mut s: TcpStream, drip: Option<&[u8]>) -> Duration {
    let started = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 4096];
    let mut bytes = drip.unwrap_or(&[]).iter();
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(b) = bytes.next() {
            if s.write_all(&[*b]).is_err() {
                return started.elapsed();
            }
        }
        match s.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return started.elapsed(),
        }
    }
    started.elapsed()
}

#[test]
fn slow_headers_and_idle_connections_are_closed() {
    let s = companion(&["--header-timeout", "1"]);
    let drip = TcpStream::connect(&s.addr).unwrap();
    let took = time_to_close(drip, Some(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    println!("a client dripping its headers (a byte every 200 ms) was closed after {took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");

    let mut idle = TcpStream::connect(&s.addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let took = time_to_close(idle, None);
    println!("a kept-alive connection left idle after one request was closed after {took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn health_is_answered_under_file_descriptor_pressure() {
    let s = companion_limited(&["--max-inbound-per-client", "64"], Some(256));
    // 300 idle connections from one address: the per-address cap closes all but 64 at
    // once, so the process keeps descriptors for everyone else.
    let idle: Vec<_> = (0..300)
        .filter_map(|_| {
            let socket = socket_from("127.0.0.3");
            socket.and_then(|sock| connect_from(sock, &s.addr))
        })
        .collect();
    assert!(idle.len() >= 64, "{} idle connections opened", idle.len());
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let r = s.get("/healthz");
    println!(
        "/healthz after {} idle connections were opened against a limit of 256 files: {:?}",
        idle.len(),
        started.elapsed()
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "ok\n");
}

fn socket_from(ip: &str) -> Option<socket::Socket> {
    socket::Socket::bound(ip)
}

fn connect_from(sock: socket::Socket, addr: &str) -> Option<TcpStream> {
    sock.connect(addr)
}

/// Client sockets from a chosen loopback address (std cannot bind before connecting).
mod socket {
    pub struct Socket(tokio::net::TcpSocket);

    impl Socket {
        pub fn bound(ip: &str) -> Option<Socket> {
            let s = tokio::net::TcpSocket::new_v4().ok()?;
            s.bind(format!("{ip}:0").parse().ok()?).ok()?;
            Some(Socket(s))
        }

        pub fn connect(self, addr: &str) -> Option<std::net::TcpStream> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            let stream = rt.block_on(async {
                tokio::time::timeout(
                    std::time::Duration::from_secs(2),
                    self.0.connect(addr.parse().ok()?),
                )
                .await
                .ok()?
                .ok()
            })?;
            stream.into_std().ok()
        }
    }
}

#[test]
fn the_request_limit_is_one_for_the_whole_service() {
    let s = companion(&[
        "--max-requests",
        "2",
        "--probe-cache-secs",
        "0",
        "--probes-per-host",
        "10000",
    ]);
    let slow: Vec<_> = ["203.0.113.1", "203.0.113.2"]
        .into_iter()
        .map(|client| {
            let addr = s.addr.clone();
            std::thread::spawn(move || {
                common::get(
                    &addr,
                    "/api/v1/probe?mx=mx1.tarpit.test",
                    &[("X-Forwarded-For", client)],
                )
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    for (path, client) in [
        ("/api/v1/check?domain=good.test", "203.0.113.3"),
        ("/api/v1/policy?domain=good.test", "203.0.113.4"),
        ("/api/v1/probe?mx=mx1.good.test", "203.0.113.5"),
    ] {
        let r = s.get_with(path, &[("X-Forwarded-For", client)]);
        assert_eq!(r.status, 503, "{path}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "saturated");
    }
    for t in slow {
        assert_eq!(t.join().unwrap().status, 200);
    }
    assert_eq!(
        s.get("/api/v1/policy?domain=good.test").status,
        200,
        "served again"
    );
}

#[test]
fn a_popular_mx_address_is_probed_once_per_cache_period() {
    let s = companion(&[
        "--probe-cache-secs",
        "60",
        "--max-requests-per-client",
        "20",
    ]);
    let before = hits("mx1.counted.test");
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let addr = s.addr.clone();
            std::thread::spawn(move || common::get(&addr, "/api/v1/probe?mx=mx1.counted.test", &[]))
        })
        .collect();
    let mut ages = Vec::new();
    for t in threads {
        let v = t.join().unwrap().json();
        assert_eq!(v["tls"]["status"], "ok", "{v}");
        ages.push(v["tls"]["age_ms"].as_u64());
    }
    for _ in 0..10 {
        let v = s.get("/api/v1/probe?mx=mx1.counted.test").json();
        assert!(
            v["tls"]["age_ms"].as_u64().is_some(),
            "a reused probe says its age: {v}"
        );
    }
    let reached = hits("mx1.counted.test") - before;
    println!("20 probes of one MX within a minute reached it {reached} time(s)");
    assert_eq!(reached, 1);
    assert_eq!(
        ages.iter().filter(|a| a.is_none()).count(),
        1,
        "one fresh probe: {ages:?}"
    );
}

#[test]
fn many_names_for_one_address_reach_it_only_as_often_as_the_address_limit() {
    let s = companion(&["--probes-per-host", "3", "--probe-cache-secs", "60"]);
    let before = hits("mx1.fanout.test");
    let v = s.get("/api/v1/check?domain=fanout.test").json();
    let reached = hits("mx1.fanout.test") - before;
    let limited = v["mx"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["tls"]["status"] == "rate-limited")
        .count();
    println!("25 MX names for one address: {reached} connections reached it, {limited} probes refused by the address limit");
    assert_eq!(reached, 3);
    assert_eq!(limited, 22);
}

#[test]
fn cross_site_calls_are_refused_before_any_connection() {
    let s = companion(&["--probe-cache-secs", "0"]);
    let before = hits("mx2.good.test");
    for headers in [
        vec![
            ("Sec-Fetch-Site", "cross-site"),
            ("Origin", "https://evil.example"),
        ],
        vec![("Origin", "https://evil.example")],
        vec![("Sec-Fetch-Site", "same-site")],
    ] {
        let r = s.get_with("/api/v1/probe?mx=mx2.good.test", &headers);
        assert_eq!(r.status, 403, "{headers:?}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "cross-site");
    }
    assert_eq!(hits("mx2.good.test"), before, "no connection was made");
    let own = s.get_with(
        "/api/v1/probe?mx=mx2.good.test",
        &[("Sec-Fetch-Site", "same-origin")],
    );
    assert_eq!(own.status, 200, "the page's own calls pass");
}
