//! The companion service against the test world: the API, its refusals (SSRF, rate limits,
//! saturation), hostile servers, metrics and shutdown. Real sockets on loopback only.

mod common;
use common::Server;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use testworld::World;

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        World::start().expect("the test world starts (it needs root for ports 25 and 443)")
    })
}

/// A companion pointed at the world; `private` allows loopback targets.
fn companion(private: bool, extra: &[&str]) -> Server {
    let w = world();
    let mut args = vec![
        "--doh",
        &w.doh_url,
        "--ca",
        w.ca_file.to_str().unwrap(),
        "--timeout",
        "2",
    ];
    if private {
        args.push("--allow-private");
    }
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// A companion with generous limits. Each test starts its own and drops it at its end, so
/// no server outlives the test process (a static one would never be dropped).
fn open() -> Server {
    companion(
        true,
        &[
            "--rate-burst",
            "10000",
            "--probes-per-host",
            "10000",
            "--max-requests-per-client",
            "100",
        ],
    )
}

/// A free loopback port for a second listener (metrics).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn probe_reports_the_starttls_session_of_one_mx() {
    let server = open();
    let r = server.get("/api/v1/probe?mx=mx1.good.test&domain=good.test");
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["host"], "mx1.good.test");
    assert_eq!(v["tls"]["status"], "ok");
    assert_eq!(v["tls"]["version"], "TLSv1.3");
    assert_eq!(v["tls"]["address"], v["addresses"][0]);
    assert!(v["tls"]["cert"]["sans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "mx1.good.test"));
    assert!(v["tls"]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "C: STARTTLS"));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
}

#[test]
fn every_address_of_an_mx_host_is_probed() {
    let server = open();
    let v = server.get("/api/v1/probe?mx=two-addresses.test").json();
    assert_eq!(
        v["addresses"],
        serde_json::json!(["127.0.9.4", "127.0.9.5"])
    );
    let probes = v["probes"].as_array().unwrap();
    assert_eq!(probes.len(), 2);
    assert_eq!(
        (probes[0]["address"].as_str(), probes[0]["status"].as_str()),
        (Some("127.0.9.4"), Some("ok"))
    );
    assert_eq!(
        (probes[1]["address"].as_str(), probes[1]["status"].as_str()),
        (Some("127.0.9.5"), Some("certificate-expired"))
    );
    assert_eq!(
        v["tls"]["address"], "127.0.9.4",
        "the first address that answers is the one senders use"
    );
}

#[test]
fn policy_fetch_reports_what_a_browser_hides() {
    let server = open();
    let v = server.get("/api/v1/policy?domain=good.test").json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["http_status"], 200);
    assert_eq!(v["content_type"], "text/plain");
    assert!(v["body"].as_str().unwrap().contains("mode: enforce"));
    assert_eq!(v["certificate"]["sans"][0], "mta-sts.good.test");
    assert_eq!(v["certificate"]["chain_len"], 2);

    let v = server
        .get("/api/v1/policy?domain=policy-redirect.test")
        .json();
    assert_eq!(v["http_status"], 301);
    assert_eq!(
        v["redirect_to"],
        "https://www.policy-redirect.test/mta-sts.txt"
    );

    let v = server
        .get("/api/v1/policy?domain=policy-wrong-cert.test")
        .json();
    assert_eq!(v["status"], "certificate-host-mismatch");
    assert_eq!(v["certificate"]["sans"][0], "www.other.test");
}

#[test]
fn check_returns_the_whole_report() {
    let server = open();
    let v = server.get("/api/v1/check?domain=Good.Test.").json();
    assert_eq!(v["domain"], "good.test");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["mx"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_gets_400_with_a_json_reason() {
    let server = open();
    let long_name = format!("{}.test", vec!["a".repeat(60); 5].join("."));
    let long_label = format!("{}.test", "a".repeat(64));
    for (path, code, words) in [
        ("/api/v1/probe", "missing-parameter", "mx"),
        ("/api/v1/probe?mx=", "bad-host", "enter a domain"),
        ("/api/v1/policy", "missing-parameter", "domain"),
        ("/api/v1/check?domain=192.0.2.1", "bad-host", "IP address"),
        (
            &format!("/api/v1/check?domain={long_name}"),
            "bad-host",
            "253",
        ),
        (
            &format!("/api/v1/policy?domain={long_label}"),
            "bad-host",
            "63",
        ),
        (
            "/api/v1/check?domain=exa%20mple.test",
            "bad-host",
            "not a domain",
        ),
        ("/api/v1/probe?mx=localhost", "bad-host", "single label"),
        (
            "/api/v1/probe?mx=mx1.good.test&domain=%5B::1%5D",
            "bad-host",
            "IP address",
        ),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        let v = r.json();
        assert_eq!(v["error"]["code"], code, "{path}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(words),
            "{path}: {v}"
        );
    }
}

#[test]
fn openapi_documents_every_route() {
    let server = open();
    let v = server.get("/api/v1/openapi.json").json();
    assert_eq!(v["openapi"], "3.1.0");
    for route in [
        "/api/v1/probe",
        "/api/v1/policy",
        "/api/v1/check",
        "/healthz",
        "/metrics",
    ] {
        assert!(v["paths"].get(route).is_some(), "{route} is not documented");
    }
}

#[test]
fn metrics_count_requests_probes_and_rejections() {
    let metrics = format!("127.0.0.1:{}", free_port());
    let s = companion(
        true,
        &[
            "--rate-burst",
            "1",
            "--rate-per-minute",
            "1",
            "--metrics-listen",
            &metrics,
        ],
    );
    assert_eq!(s.get("/api/v1/probe?mx=mx1.testing.test").status, 200);
    assert_eq!(s.get("/api/v1/probe?mx=mx1.testing.test").status, 429);
    assert_eq!(
        s.get("/metrics").status,
        200,
        "the public port serves the page's fallback, not metrics"
    );
    assert!(!s.get("/metrics").body.contains("mtasts_"));
    let text = common::get(&metrics, "/metrics", &[]).body;
    for line in [
        "mtasts_http_requests_total{route=\"/api/v1/probe\",status=\"200\"} 1",
        "mtasts_http_requests_total{route=\"/api/v1/probe\",status=\"429\"} 1",
        "mtasts_probes_total{outcome=\"ok\"} 1",
        "mtasts_probe_duration_seconds_count 1",
        "mtasts_rejections_total{reason=\"rate-limited\"} 1",
        "mtasts_outbound_connections_max ",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
}

#[test]
fn ssrf_targets_are_refused_with_the_rule_and_nothing_connects() {
    let strict = companion(
        false,
        &["--rate-burst", "10000", "--probes-per-host", "10000"],
    );
    // Literal addresses in every spelling: refused as input, before any look-up.
    let literals = [
        "127.0.0.1",
        "127.1",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "2130706433",
        "017700000001",
        "0x7f000001",
        "127.000.000.001",
        "0.0.0.0",
        "10.0.0.1",
        "169.254.169.254",
        "192.168.1.1",
        "100.64.0.1",
        "255.255.255.255",
        "224.0.0.1",
        "%5B::1%5D",
        "::1",
        "%5B::ffff:127.0.0.1%5D",
        "%5B0:0:0:0:0:ffff:7f00:1%5D",
        "%5B64:ff9b::7f00:1%5D",
        "%5Bfe80::1%5D",
        "%5Bfc00::1%5D",
        "127.0.0.1:25",
        "http://127.0.0.1/",
        "postmaster@%5B127.0.0.1%5D",
        "localhost",
        "localhost.",
        "169.254.169.254.",
    ];
    for target in literals {
        for route in ["probe?mx", "policy?domain", "check?domain"] {
            let r = strict.get(&format!("/api/v1/{route}={target}"));
            assert_eq!(r.status, 400, "{route}={target}: {}", r.body);
            assert_eq!(r.json()["error"]["code"], "bad-host", "{target}");
        }
    }
    // Names that resolve to loopback forms: resolved once, vetted, refused by rule.
    for (name, rule) in [
        ("ssrf-loopback.test", "loopback"),
        ("ssrf-loopback-top.test", "loopback"),
        ("ssrf-loopback6.test", "loopback"),
        ("ssrf-mapped.test", "IPv4-mapped"),
        ("ssrf-unspecified.test", "this network"),
        ("ssrf-unspecified6.test", "unspecified"),
        ("127.0.9.1.nip.test", "loopback"),
        ("rebind.test", "loopback"),
    ] {
        let v = strict.get(&format!("/api/v1/probe?mx={name}")).json();
        assert_eq!(v["tls"]["status"], "connect-failed", "{name}: {v}");
        let error = v["tls"]["error"].as_str().unwrap();
        assert!(
            error.contains("refused") && error.contains(rule),
            "{name}: {error}"
        );
    }
    let v = strict
        .get("/api/v1/policy?domain=ssrf-loopback.test")
        .json();
    assert_eq!(v["status"], "connect-failed");
    assert!(v["error"].as_str().unwrap().contains("loopback"), "{v}");
    let v = strict.get("/api/v1/check?domain=good.test").json();
    assert_eq!(v["mx"][0]["tls"]["status"], "connect-failed");
    assert_eq!(
        world().ssrf_hits.load(Ordering::SeqCst),
        0,
        "a refused target was connected to"
    );
}

#[test]
fn a_name_is_resolved_once_and_the_vetted_address_is_the_one_connected() {
    let server = open();
    let w = world();
    let before: Vec<usize> = w
        .rebind_hits
        .iter()
        .map(|h| h.load(Ordering::SeqCst))
        .collect();
    let v = server.get("/api/v1/probe?mx=rebind.test").json();
    assert_eq!(v["tls"]["status"], "ok", "{v}");
    assert_eq!(
        v["addresses"].as_array().unwrap().len(),
        1,
        "one answer per resolution"
    );
    let used = v["tls"]["address"].as_str().unwrap();
    assert_eq!(v["addresses"][0], used);
    let after: Vec<usize> = w
        .rebind_hits
        .iter()
        .map(|h| h.load(Ordering::SeqCst))
        .collect();
    for (i, ip) in testworld::ssrf::REBIND.iter().enumerate() {
        let expected = usize::from(ip.to_string() == used);
        assert_eq!(after[i] - before[i], expected, "connections to {ip}");
    }
}

#[test]
fn hostile_servers_end_in_classified_errors_while_others_are_served() {
    let s = &open();
    let hostile = [
        ("/api/v1/probe?mx=mx1.hostile-drip.test", "timeout"),
        ("/api/v1/probe?mx=mx1.hostile-endless.test", "smtp-error"),
        ("/api/v1/probe?mx=mx1.hostile-hugeline.test", "smtp-error"),
        (
            "/api/v1/probe?mx=mx1.hostile-garbage.test",
            "tls-handshake-failed",
        ),
        (
            "/api/v1/probe?mx=mx1.hostile-close.test",
            "tls-handshake-failed",
        ),
        ("/api/v1/probe?mx=mx1.hostile-silence.test", "timeout"),
        ("/api/v1/policy?domain=hostile-bigpolicy.test", "too-large"),
        ("/api/v1/policy?domain=hostile-slowpolicy.test", "timeout"),
        ("/api/v1/policy?domain=hostile-loop.test", "redirect"),
        ("/api/v1/policy?domain=hostile-gzip.test", "ok"),
    ];
    let started = Instant::now();
    let threads: Vec<_> = hostile
        .iter()
        .map(|(path, _)| {
            let addr = s.addr.clone();
            let path = path.to_string();
            std::thread::spawn(move || {
                let t = Instant::now();
                (common::get(&addr, &path, &[]), t.elapsed())
            })
        })
        .collect();
    // While the hostile requests are in flight, an ordinary probe is answered.
    std::thread::sleep(Duration::from_millis(200));
    let good = s.get("/api/v1/probe?mx=mx1.testing.test").json();
    assert_eq!(good["tls"]["status"], "ok");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "an ordinary probe waited behind hostile ones"
    );
    for ((path, want), t) in hostile.iter().zip(threads) {
        let (r, took) = t.join().unwrap();
        let v = r.json();
        let status = v.get("tls").map_or(&v["status"], |t| &t["status"]);
        assert_eq!(status, want, "{path}: {v}");
        // Every phase has a 2 s deadline; nothing may hang for long.
        assert!(took < Duration::from_secs(20), "{path} took {took:?}");
        if path.contains("bigpolicy") {
            assert_eq!(v["bytes"], 64 * 1024 + 1, "reading stops at the cap");
        }
        if path.contains("gzip") {
            assert!(
                v["bytes"].as_u64().unwrap() < 64 * 1024,
                "the bomb is never inflated"
            );
        }
    }
}

#[test]
fn a_client_over_quota_gets_429_while_another_is_served() {
    let s = companion(
        true,
        &[
            "--rate-per-minute",
            "1",
            "--rate-burst",
            "2",
            "--trusted-header",
            "X-Forwarded-For",
        ],
    );
    let a = [("X-Forwarded-For", "198.51.100.1, 203.0.113.7")];
    let b = [("X-Forwarded-For", "203.0.113.8")];
    assert_eq!(
        s.get_with("/api/v1/probe?mx=localhost", &a).status,
        400,
        "refused input still counts"
    );
    assert_eq!(s.get_with("/api/v1/probe?mx=localhost", &a).status, 400);
    let r = s.get_with("/api/v1/probe?mx=localhost", &a);
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"]["code"], "rate-limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(
        s.get_with("/api/v1/probe?mx=localhost", &b).status,
        400,
        "another client is served"
    );
    assert_eq!(
        s.get("/healthz").status,
        200,
        "health checks are not rate limited"
    );
}

#[test]
fn one_mx_host_is_not_probed_more_than_the_cap() {
    // Without the probe cache, so that every request would reach the host.
    let s = companion(
        true,
        &[
            "--probes-per-host",
            "2",
            "--rate-burst",
            "100",
            "--probe-cache-secs",
            "0",
        ],
    );
    assert_eq!(s.get("/api/v1/probe?mx=mx1.tlsrpt-absent.test").status, 200);
    assert_eq!(s.get("/api/v1/probe?mx=MX1.tlsrpt-absent.test").status, 200);
    let r = s.get("/api/v1/probe?mx=mx1.tlsrpt-absent.test.");
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"]["code"], "mx-host-rate-limited");
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        s.get("/api/v1/probe?mx=mx1.tolerated.test").status,
        200,
        "other hosts are still probed"
    );
}

#[test]
fn a_saturated_service_answers_503() {
    let s = companion(
        true,
        &[
            "--max-requests",
            "1",
            "--rate-burst",
            "100",
            "--probes-per-host",
            "100",
        ],
    );
    let addr = s.addr.clone();
    let slow =
        std::thread::spawn(move || common::get(&addr, "/api/v1/probe?mx=mx2.silent-mx.test", &[]));
    std::thread::sleep(Duration::from_millis(500));
    let r = s.get("/api/v1/probe?mx=mx1.good.test");
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "saturated");
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    assert_eq!(slow.join().unwrap().json()["tls"]["status"], "timeout");
    assert_eq!(
        s.get("/api/v1/probe?mx=mx1.good.test").status,
        200,
        "served again once idle"
    );
}

#[test]
fn cors_is_same_origin_unless_an_origin_is_allowed() {
    let server = open();
    let origin = [("Origin", "https://app.example")];
    let r = server.get_with("/api/v1/openapi.json", &origin);
    assert!(r.header("access-control-allow-origin").is_none());
    let s = companion(true, &["--cors-origin", "https://app.example"]);
    let r = s.get_with("/api/v1/openapi.json", &origin);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://app.example")
    );
    let r = s.get_with(
        "/api/v1/openapi.json",
        &[("Origin", "https://evil.example")],
    );
    assert!(r.header("access-control-allow-origin").is_none());
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let s = companion(true, &[]);
    let pid = s.pid().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(&s.addr).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("still listening 10 s after SIGTERM");
}
