//! `mtasts serve` on a loopback port: announces its address on stdout (logs go to stderr),
//! serves the app with index.html as the fallback for client-side routes, answers /healthz.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dist: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(["serve", "--listen", "127.0.0.1:0", "--dist"])
        .arg(dist)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line was {line:?}"))
        .to_string();
    Server(child, addr)
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serves_the_app_and_health() {
    let dist = std::env::temp_dir().join(format!("mtasts-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    let server = start(&dist);

    let health = get(&server.1, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.ends_with("ok\n"));

    let js = get(&server.1, "/app.js");
    assert!(js.contains("console.log(1)"));
    assert!(js
        .to_ascii_lowercase()
        .contains("x-content-type-options: nosniff"));

    let deep = get(&server.1, "/?domain=example.com");
    assert!(deep.contains("<title>app</title>"), "{deep}");
    let route = get(&server.1, "/some/client/route");
    assert!(route.contains("<title>app</title>"), "{route}");
    std::fs::remove_dir_all(&dist).ok();
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
