//! `mtasts serve` on a loopback port: announces its address on stdout (logs go to stderr),
//! serves the app with index.html as the fallback for client-side routes, answers /healthz.

mod common;
use common::Server;
use std::process::Command;

#[test]
fn serves_the_app_and_health() {
    let server = Server::start(&[]);

    let health = server.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.body, "ok\n");

    let js = server.get("/app.js");
    assert!(js.body.contains("console.log(1)"));
    assert_eq!(
        js.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );

    let deep = server.get("/?domain=example.com");
    assert!(deep.body.contains("<title>app</title>"), "{}", deep.body);
    let route = server.get("/some/client/route");
    assert!(route.body.contains("<title>app</title>"), "{}", route.body);
}

#[test]
fn refuses_to_start_without_a_built_app() {
    let out = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--dist",
            "/nonexistent-dist",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("index.html"));
}

#[test]
fn the_page_goes_out_compressed_cached_and_unframeable() {
    let index = "<meta content=\"default-src 'none'; script-src 'self' 'sha256-X='\" http-equiv=Content-Security-Policy><title>app</title>";
    let wasm = b"\0asm\x01\0\0\0 a wasm module, pretend";
    let server = Server::start_with_files(
        &[
            ("index.html", index.as_bytes()),
            ("mtasts-web-1689d8cb32a71f46_bg.wasm", wasm),
            ("mtasts-web-1689d8cb32a71f46_bg.wasm.br", b"BROTLI BYTES"),
            ("mtasts-web-1689d8cb32a71f46_bg.wasm.gz", b"GZIP BYTES"),
        ],
        &[],
        None,
    );
    let path = "/mtasts-web-1689d8cb32a71f46_bg.wasm";
    let br = server.get_with(path, &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!(br.status, 200);
    assert_eq!(br.header("content-encoding").as_deref(), Some("br"));
    assert_eq!(
        br.header("content-type").as_deref(),
        Some("application/wasm"),
        "streaming compilation needs it"
    );
    assert_eq!(br.body, "BROTLI BYTES");
    assert_eq!(
        br.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let gz = server.get_with(path, &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
    let plain = server.get(path);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body.as_bytes(), wasm);

    let page = server.get("/?domain=example.com");
    assert_eq!(page.header("cache-control").as_deref(), Some("no-cache"));
    assert_eq!(page.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(
        page.header("content-security-policy").as_deref(),
        Some("default-src 'none'; script-src 'self' 'sha256-X='; frame-ancestors 'none'")
    );
}

#[test]
fn bad_durations_and_origins_are_refused_with_a_reason() {
    for (flag, value, words) in [
        ("--timeout", "NaN", "not a duration"),
        ("--timeout", "inf", "not a duration"),
        ("--timeout", "-1", "not a duration"),
        ("--request-timeout", "soon", "not a number"),
        ("--cors-origin", "https://app.example/path", "not an origin"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_mtasts"))
            .args(["serve", "--listen", "127.0.0.1:0", "--dist", "/nonexistent"])
            .arg(format!("{flag}={value}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(words), "{flag} {value}: {stderr}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(["check", "--timeout", "NaN", "example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn any_origin_is_a_choice_and_star_beside_others_is_an_error() {
    let server = Server::start(&["--cors-origin", "*"]);
    let r = server.get_with(
        "/api/v1/probe?mx=localhost",
        &[
            ("Origin", "https://anywhere.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    );
    assert_eq!(r.status, 400, "past the cross-site check: {}", r.body);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("*")
    );

    let dist = std::env::temp_dir().join(format!("mtasts-star-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "x").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(["serve", "--listen", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .args(["--cors-origin", "*", "--cors-origin", "https://a.example"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("alone"));
    std::fs::remove_dir_all(dist).unwrap();
}
