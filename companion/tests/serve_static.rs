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
