//! The third-party lane: the same world served by servers that are not ours, so that what
//! our own servers tolerate cannot hide a bug. Debian's `unbound` serves the world's zone
//! (plain DNS, and DNS-over-HTTPS over HTTP/2), `nginx` fronts its DoH endpoint with the
//! CORS header a page needs (unbound sends none; nginx speaks HTTP/2 to it with
//! `grpc_pass`) and serves the policy of the `nginx-*.test` domains itself. The SMTP
//! listeners stay the world's. Everything binds to 127.0.0.0/8.

use crate::ca::{Issued, Leaf};
use crate::World;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A domain whose policy host is nginx, with the MX hosts of a world scenario.
pub struct NginxDomain {
    pub domain: &'static str,
    /// `Some(body)`: served as text/plain; `None`: nginx answers 404.
    pub policy: Option<&'static str>,
    /// World MX hosts (with listeners and certificates for their names).
    pub mx: &'static [&'static str],
}

/// The lane's own domains. Their MX hosts are the good ones of `good.test`.
pub const NGINX_DOMAINS: &[NginxDomain] = &[
    NginxDomain {
        domain: "nginx-good.test",
        policy: Some("version: STSv1\nmode: enforce\nmx: mx1.good.test\nmx: mx2.good.test\nmax_age: 604800\n"),
        mx: &["mx1.good.test", "mx2.good.test"],
    },
    NginxDomain {
        domain: "nginx-404.test",
        policy: None,
        mx: &["mx1.good.test"],
    },
];

pub struct ThirdParty {
    /// nginx's CORS front for unbound's DoH endpoint (HTTP/1.1 and HTTP/2).
    pub doh_url: String,
    /// unbound's own DoH endpoint (HTTP/2 only, no CORS).
    pub unbound_doh_url: String,
    /// unbound over plain DNS (UDP and TCP).
    pub dns_addr: SocketAddr,
    children: Vec<Child>,
    dir: PathBuf,
}

impl Drop for ThirdParty {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn find(program: &str) -> Result<PathBuf, String> {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(program))
        .find(|p| p.exists())
        .ok_or_else(|| {
            format!("{program} is not installed; `cargo xtask setup` installs it (apt: unbound, nginx-light, ldnsutils)")
        })
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Writes a certificate chain and its key as PEM files; returns their paths.
fn write_issued(dir: &Path, name: &str, issued: &Issued) -> Result<(PathBuf, PathBuf), String> {
    let chain: String = issued
        .chain
        .iter()
        .map(|c| pem("CERTIFICATE", c.as_ref()))
        .collect();
    let key = pem("PRIVATE KEY", issued.key.secret_der());
    let (cert_path, key_path) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&cert_path, chain).map_err(|e| e.to_string())?;
    std::fs::write(&key_path, key).map_err(|e| e.to_string())?;
    Ok((cert_path, key_path))
}

fn wait_for(addr: SocketAddr, what: &str, child: &mut Child, log: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("{what} exited ({status}): {text}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{what} did not listen on {addr} within 15 s"))
}

/// An unbound auth-zone that answers the resolver's own queries for `apex` from `file`
/// (as if it had asked the zone's servers), so the validator checks it like any answer.
fn auth_zone(apex: &str, file: &Path) -> String {
    format!(
        "auth-zone:\n  name: \"{apex}.\"\n  zonefile: \"{}\"\n  for-downstream: no\n  for-upstream: yes\n  fallback-enabled: no\n",
        file.display()
    )
}

/// Signs the `test.` zone with a fresh KSK and ZSK (ldns-keygen, ldns-signzone), then breaks
/// the signatures of `bogus` names by changing their TLSA data after signing, as a zone
/// edited without re-signing is. Returns the signed zone and the trust anchor (the KSK's DS)
/// for a validating unbound.
fn sign(dir: &Path, zone: &Path, bogus: &[String]) -> Result<(PathBuf, PathBuf), String> {
    let (keygen, signzone) = (find("ldns-keygen")?, find("ldns-signzone")?);
    let key = |ksk: bool| -> Result<String, String> {
        let mut cmd = Command::new(&keygen);
        cmd.current_dir(dir).args(["-a", "ECDSAP256SHA256"]);
        if ksk {
            cmd.arg("-k");
        }
        let out = cmd
            .arg("test.")
            .output()
            .map_err(|e| format!("ldns-keygen: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "ldns-keygen: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let (ksk, zsk) = (key(true)?, key(false)?);
    let out = Command::new(&signzone)
        .current_dir(dir)
        .args(["-o", "test."])
        .arg(zone)
        .args([&ksk, &zsk])
        .output()
        .map_err(|e| format!("ldns-signzone: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "ldns-signzone: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let signed = zone.with_extension("zone.signed");
    let text = std::fs::read_to_string(&signed).map_err(|e| e.to_string())?;
    let text: String = text
        .lines()
        .map(|line| {
            let owner = line.split_whitespace().next().unwrap_or_default();
            let broken = bogus.iter().any(|b| owner == format!("{b}."))
                && line.split_whitespace().nth(3) == Some("TLSA");
            if broken {
                // Another digest: the RRSIG no longer covers what is served.
                let flipped = if line.ends_with('0') { '1' } else { '0' };
                format!("{}{flipped}\n", &line[..line.len() - 1])
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(&signed, text).map_err(|e| e.to_string())?;
    Ok((signed, dir.join(format!("{ksk}.ds"))))
}

impl ThirdParty {
    /// Starts unbound and nginx beside a running world.
    pub fn start(world: &World) -> Result<ThirdParty, String> {
        let (unbound, nginx) = (find("unbound")?, find("nginx")?);
        let dir = std::env::temp_dir().join(format!("mtasts-third-party-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let mut lane = ThirdParty {
            doh_url: String::new(),
            unbound_doh_url: String::new(),
            dns_addr: "127.0.0.1:0".parse().expect("an address"),
            children: Vec::new(),
            dir: dir.clone(),
        };
        let (dns_port, unbound_doh_port, front_port) = (free_port()?, free_port()?, free_port()?);

        let mut zone = world.zone_file.clone();
        let mut vhosts = String::new();
        for (i, d) in NGINX_DOMAINS.iter().enumerate() {
            let ip = Ipv4Addr::new(127, 0, 6, 1 + i as u8);
            let host = format!("mta-sts.{}", d.domain);
            zone.push_str(&format!(
                "_mta-sts.{0}. IN TXT \"v=STSv1; id=20261201T000000\"\n_smtp._tls.{0}. IN TXT \"v=TLSRPTv1; rua=mailto:tls@{0}\"\n{host}. IN A {ip}\n",
                d.domain
            ));
            for (n, mx) in d.mx.iter().enumerate() {
                zone.push_str(&format!("{}. IN MX {} {mx}.\n", d.domain, 10 * (n + 1)));
            }
            let (cert, key) = write_issued(&dir, &host, &world.ca.issue(&[&host], &Leaf::Good))?;
            let root = dir.join(format!("www-{i}"));
            std::fs::create_dir_all(root.join(".well-known")).map_err(|e| e.to_string())?;
            if let Some(body) = d.policy {
                std::fs::write(root.join(".well-known/mta-sts.txt"), body)
                    .map_err(|e| e.to_string())?;
            }
            vhosts.push_str(&format!(
                "  server {{\n    listen {ip}:443 ssl;\n    server_name {host};\n    ssl_certificate {};\n    ssl_certificate_key {};\n    root {};\n    default_type text/plain;\n  }}\n",
                cert.display(),
                key.display(),
                root.display()
            ));
        }
        let zone_path = dir.join("test.zone");
        std::fs::write(&zone_path, zone).map_err(|e| e.to_string())?;
        let (zone_path, anchor) = sign(&dir, &zone_path, &world.bogus_names)?;
        let mut children = String::new();
        for (apex, text) in &world.child_zones {
            let path = dir.join(format!("{apex}.zone"));
            std::fs::write(&path, text).map_err(|e| e.to_string())?;
            children.push_str(&auth_zone(apex, &path));
        }

        let (doh_cert, doh_key) = write_issued(
            &dir,
            "doh",
            &world.ca.issue(&["127.0.0.1", "localhost"], &Leaf::Good),
        )?;
        let conf = format!(
            r#"server:
  interface: 127.0.0.1@{dns_port}
  interface: 127.0.0.1@{unbound_doh_port}
  https-port: {unbound_doh_port}
  http-endpoint: "/dns-query"
  tls-service-key: "{key}"
  tls-service-pem: "{cert}"
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "{dir}"
  pidfile: ""
  use-syslog: no
  verbosity: 1
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "validator iterator"
  trust-anchor-file: "{anchor}"
  ede: yes
  val-log-level: 1
  local-zone: "test." nodefault
{parent}{children}"#,
            key = doh_key.display(),
            cert = doh_cert.display(),
            dir = dir.display(),
            parent = auth_zone("test", &zone_path),
            anchor = anchor.display(),
        );
        let conf_path = dir.join("unbound.conf");
        std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
        let unbound_log = dir.join("unbound.log");
        let log = std::fs::File::create(&unbound_log).map_err(|e| e.to_string())?;
        let mut child = Command::new(unbound)
            .arg("-d")
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("unbound: {e}"))?;
        let doh_addr: SocketAddr = ([127, 0, 0, 1], unbound_doh_port).into();
        let ready = wait_for(doh_addr, "unbound", &mut child, &unbound_log);
        lane.children.push(child);
        ready?;

        let nginx_conf = format!(
            r#"daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log {dir}/nginx-access.log;
  client_body_temp_path {dir}/tmp-body;
  proxy_temp_path {dir}/tmp-proxy;
  fastcgi_temp_path {dir}/tmp-fastcgi;
  uwsgi_temp_path {dir}/tmp-uwsgi;
  scgi_temp_path {dir}/tmp-scgi;
  server {{
    listen 127.0.0.1:{front_port} ssl http2;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location /dns-query {{
      add_header Access-Control-Allow-Origin * always;
      grpc_pass grpcs://127.0.0.1:{unbound_doh_port};
    }}
  }}
{vhosts}}}
"#,
            dir = dir.display(),
            cert = doh_cert.display(),
            key = doh_key.display(),
        );
        let nginx_conf_path = dir.join("nginx.conf");
        std::fs::write(&nginx_conf_path, nginx_conf).map_err(|e| e.to_string())?;
        let nginx_log = dir.join("nginx-error.log");
        let mut child = Command::new(nginx)
            .arg("-c")
            .arg(&nginx_conf_path)
            .arg("-e")
            .arg(&nginx_log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("nginx: {e}"))?;
        let front: SocketAddr = ([127, 0, 0, 1], front_port).into();
        let ready = wait_for(front, "nginx", &mut child, &nginx_log);
        lane.children.push(child);
        ready?;

        lane.doh_url = format!("https://127.0.0.1:{front_port}/dns-query");
        lane.unbound_doh_url = format!("https://127.0.0.1:{unbound_doh_port}/dns-query");
        lane.dns_addr = ([127, 0, 0, 1], dns_port).into();
        Ok(lane)
    }
}
