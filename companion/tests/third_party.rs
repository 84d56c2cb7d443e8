//! The third-party lane: `mtasts check` against the world as Debian's unbound (plain DNS and
//! DNS-over-HTTPS behind nginx) serves it, with nginx as the policy host of the `nginx-*`
//! domains. Our own servers tolerate things real ones reject; these catch that.

use serde_json::Value;
use std::process::Command;
use testworld::third_party::ThirdParty;
use testworld::World;

/// The world and the third-party servers beside it. One test owns it, so unbound and nginx
/// are stopped when it ends (a static would never be dropped and leave them running).
struct Lane {
    lane: ThirdParty,
    world: World,
}

fn check(l: &Lane, net: &[&str], domain: &str) -> (Value, Option<i32>) {
    mtasts(l, "check", &[net, &[domain]].concat())
}

/// The verdict and per-MX facts of a world scenario are the same when unbound serves it.
fn same_as_the_world(l: &Lane, net: &[&str], domain: &str) {
    let spec = l.world.scenario(domain);
    let (r, code) = check(l, net, domain);
    let ctx = format!("{domain} through {net:?}: {}", r["summary"]);
    assert_eq!(r["verdict"], spec.expect.verdict, "{ctx}");
    assert_eq!(r["txt"]["status"], spec.expect.txt, "{ctx}");
    let mx = r["mx"].as_array().unwrap();
    assert_eq!(mx.len(), spec.expect.mx.len(), "{ctx}");
    for (got, want) in mx.iter().zip(&spec.expect.mx) {
        assert_eq!(got["host"], want.host.as_str(), "{ctx}");
        assert_eq!(got["tls"]["status"], want.tls, "{ctx}");
        assert_eq!(
            got["sender"].as_str().unwrap_or("null"),
            want.sender,
            "{ctx}"
        );
        if let Some(dane) = want.dane {
            // unbound validated the signed zone itself: the AD bit and the SERVFAIL of a
            // broken signature are its own.
            assert_eq!(
                got["dane"]["status"].as_str().unwrap_or("null"),
                dane,
                "{ctx}: {}",
                got["dane"]
            );
        }
    }
    // Each scenario's zone is signed or not in both lanes; unbound proves it validates.
    let signed = if spec.signed { "secure" } else { "insecure" };
    assert_eq!(r["txt"]["dnssec"], signed, "{ctx}");
    assert_eq!(r["dnssec"]["mx"], signed, "{ctx}");
    assert_eq!(r["dnssec"]["resolver_validates"], true, "{ctx}");
    for c in spec
        .expect
        .codes
        .iter()
        .filter(|c| c.starts_with("mx.dane"))
    {
        assert!(
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == *c),
            "{ctx}: missing {c}"
        );
    }
    let expected_exit = match spec.expect.verdict {
        "pass" | "warn" => 0,
        "inconclusive" => 3,
        _ => 1,
    };
    assert_eq!(code, Some(expected_exit), "{ctx}");
}

#[test]
fn the_world_as_unbound_and_nginx_serve_it() {
    let world = World::start().expect("the test world starts (as root)");
    let lane = ThirdParty::start(&world).expect("unbound and nginx start");
    let l = Lane { lane, world };
    let doh = ["--doh", l.lane.doh_url.as_str()];
    for domain in [
        "good.test",
        "no-txt.test",
        "cname-txt.test",
        "mx-mismatch.test",
        "mx-expired.test",
        "policy-404.test",
        "tlsrpt-invalid.test",
        "all-refuse.test",
        "dane-ok.test",
        "dane-mismatch.test",
        "dane-ta.test",
        "dane-unsigned.test",
        "dane-bogus.test",
        "dane-pkix.test",
    ] {
        same_as_the_world(&l, &doh, domain);
    }

    let dns = l.lane.dns_addr.to_string();
    for domain in [
        "good.test",
        "wildcard.test",
        "backup-expired.test",
        "dane-mismatch.test",
        "dane-bogus.test",
    ] {
        same_as_the_world(&l, &["--dns", &dns], domain);
    }

    // nginx as the policy host.
    let (r, code) = check(&l, &doh, "nginx-good.test");
    assert_eq!(r["verdict"], "pass", "{}", r["summary"]);
    assert_eq!(r["policy"]["fetch"]["status"], "ok");
    assert_eq!(r["policy"]["fetch"]["content_type"], "text/plain");
    assert_eq!(r["mx"][1]["sender"], "deliver");
    assert_eq!(code, Some(0));

    let (r, code) = check(&l, &doh, "nginx-404.test");
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["policy"]["fetch"]["http_status"], 404);
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .contains("no cached policy deliver without MTA-STS protection"),
        "{}",
        r["summary"]
    );
    assert_eq!(code, Some(1));

    drafts_through_unbound_and_nginx(&l, &doh);
    resolvers_side_by_side(&l, &doh);
}

/// `--compare-doh`: unbound (behind nginx) and the world's own DoH server agree on the
/// world's domains; the nginx-* domains exist only in unbound's zone, like a name server
/// that was updated while another was not.
fn resolvers_side_by_side(l: &Lane, doh: &[&str]) {
    let other = ["--compare-doh", l.world.doh_url.as_str()];
    let (r, code) = check(l, &[doh, &other].concat(), "good.test");
    let views = r["resolvers"].as_array().expect("resolvers");
    assert_eq!(views.len(), 2);
    assert_eq!(views[0]["resolver"], l.lane.doh_url.as_str());
    assert_eq!(views[1]["resolver"], l.world.doh_url.as_str());
    assert_eq!(views[0]["txt"]["records"], views[1]["txt"]["records"]);
    assert_eq!(views[0]["mx"]["records"], views[1]["mx"]["records"]);
    assert!(!r["findings"].to_string().contains("dns.resolvers.differ"));
    assert_eq!((r["verdict"].as_str(), code), (Some("pass"), Some(0)));

    let (r, code) = check(l, &[doh, &other].concat(), "nginx-good.test");
    let views = r["resolvers"].as_array().expect("resolvers");
    assert_eq!(views[0]["txt"]["records"][0], "v=STSv1; id=20261201T000000");
    assert_eq!(views[1]["txt"]["dns"]["kind"], "nx-domain", "{}", views[1]);
    let differ: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dns.resolvers.differ")
        .collect();
    assert_eq!(differ.len(), 2, "TXT and MX: {differ:?}");
    assert_eq!(r["verdict"], "warn", "{}", r["summary"]);
    assert_eq!(code, Some(0), "a warning");
}

fn mtasts(l: &Lane, command: &str, args: &[&str]) -> (Value, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .arg(command)
        .args(["--ca", l.world.ca_file.to_str().unwrap(), "--timeout", "2"])
        .args(["--allow-private", "--json"])
        .args(args)
        .output()
        .expect("mtasts runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{command} {args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code())
}

/// The generator and draft mode with unbound resolving and nginx serving (or not serving)
/// the policy: what is proposed passes as a draft, and a policy host that answers 404 is
/// told to serve the policy first.
fn drafts_through_unbound_and_nginx(l: &Lane, doh: &[&str]) {
    let file =
        std::env::temp_dir().join(format!("mtasts-third-party-draft-{}", std::process::id()));
    for domain in ["nginx-good.test", "nginx-404.test"] {
        let (g, code) = mtasts(l, "generate", &[doh, &[domain]].concat());
        assert_eq!(code, Some(0), "{domain}: {g}");
        let policy = g["policy"].as_str().unwrap();
        assert!(policy.contains("mode: enforce\n"), "{domain}: {policy}");
        std::fs::write(&file, policy).unwrap();
        let draft_args = [doh, &["--draft-policy", file.to_str().unwrap(), domain]].concat();
        let (r, code) = mtasts(l, "check", &draft_args);
        assert_eq!(r["verdict"], "pass", "{domain}: {}", r["findings"]);
        assert_eq!(code, Some(0));
        let steps: Vec<&str> = r["draft"]["rollout"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        if domain == "nginx-404.test" {
            assert_eq!(r["draft"]["published_verdict"], "fail");
            assert!(
                steps
                    .iter()
                    .any(|s| s.starts_with("Serve the policy at https://mta-sts.nginx-404.test/")),
                "{steps:?}"
            );
        } else if r["draft"]["txt_id_must_change"] == false {
            // The proposal is what nginx already serves.
            assert_eq!(steps, ["Nothing to publish: senders would see no change."]);
        } else {
            assert!(
                steps.iter().any(|s| s.starts_with("Serve the new policy")),
                "{steps:?}"
            );
        }
    }
    let _ = std::fs::remove_file(&file);
}
