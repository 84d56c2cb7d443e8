//! An authoritative-and-recursive-looking DNS server for the test world's zone: plain DNS
//! over UDP and TCP, and DNS-over-HTTPS (RFC 8484, GET and POST) over TLS, with the CORS
//! header a web page needs.

use bytes::Bytes;
use domain::base::iana::{Rcode, Rtype};
use domain::base::name::Name;
use domain::base::{Message, MessageBuilder, Ttl};
use domain::rdata::{Aaaa, Cname, Mx, A};
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rec {
    Txt(Vec<Vec<u8>>),
    Mx(u16, String),
    Addr(IpAddr),
    Cname(String),
    /// usage, selector, matching type, association data.
    Tlsa(u8, u8, u8, Vec<u8>),
}

/// How a zone of the world is signed, as a validating resolver would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// Validated: answers carry AD.
    Signed,
    /// Signed, but these names' signatures do not validate: SERVFAIL with EDE 6.
    Bogus,
}

/// Every record of the world, by owner name (lower-case, no trailing dot).
#[derive(Debug, Default)]
pub struct Zone {
    records: BTreeMap<String, Vec<Rec>>,
    servfail: BTreeSet<String>,
    /// Signed zones by apex; a name belongs to the longest apex it is under. Every other
    /// name is in an unsigned zone below the signed `test` TLD.
    signing: BTreeMap<String, Signing>,
    /// Names whose signatures are broken (inside signed zones).
    bogus: BTreeSet<String>,
    /// Names whose A record changes with every query, as in a DNS rebinding attack.
    rotate: BTreeMap<String, (Vec<std::net::Ipv4Addr>, std::sync::atomic::AtomicUsize)>,
}

impl Zone {
    pub fn add(&mut self, name: &str, rec: Rec) {
        self.records
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(rec);
    }

    pub fn txt(&mut self, name: &str, text: &str) {
        self.add(name, Rec::Txt(vec![text.as_bytes().to_vec()]));
    }

    pub fn rotate(&mut self, name: &str, addresses: Vec<std::net::Ipv4Addr>) {
        self.rotate
            .insert(name.to_ascii_lowercase(), (addresses, Default::default()));
    }

    pub fn sign(&mut self, apex: &str) {
        self.signing
            .insert(apex.to_ascii_lowercase(), Signing::Signed);
    }

    /// Breaks the signatures of `name`'s records (in a signed zone).
    pub fn break_signature(&mut self, name: &str) {
        self.bogus.insert(name.to_ascii_lowercase());
    }

    /// The signed apex `name` lies in, if any.
    pub fn signed_apex(&self, name: &str) -> Option<&str> {
        self.signing
            .keys()
            .filter(|apex| name == apex.as_str() || name.ends_with(&format!(".{apex}")))
            .max_by_key(|apex| apex.len())
            .map(String::as_str)
    }

    fn authenticated(&self, name: &str) -> bool {
        name == "test" || self.signed_apex(name).is_some()
    }

    pub fn servfail(&mut self, name: &str) {
        self.servfail.insert(name.to_ascii_lowercase());
    }

    /// The `.test` records as RFC 1035 zone files, for third-party servers (unbound's
    /// auth-zone) to serve the same world: the `test.` zone, which the lane signs, and one
    /// unsigned child zone per apex in `unsigned` (delegated from `test.` without a DS
    /// record, as an unsigned domain under a signed TLD is). SERVFAIL names and rotating
    /// answers cannot be written down: such names are simply absent there.
    pub fn zone_files(&self, unsigned: &[String]) -> (String, Vec<(String, String)>) {
        let header = |apex: &str| {
            format!("$ORIGIN {apex}.\n$TTL 300\n@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n@ IN NS ns.test.\n")
        };
        let mut parent = header("test");
        parent.push_str("ns IN A 127.0.0.1\n");
        let mut children: Vec<(String, String)> = unsigned
            .iter()
            .map(|apex| (apex.clone(), header(apex)))
            .collect();
        for (apex, _) in &children {
            parent.push_str(&format!("{apex}. IN NS ns.test.\n"));
        }
        for (name, records) in &self.records {
            if !(name == "test" || name.ends_with(".test")) || self.servfail.contains(name) {
                continue;
            }
            let child = children
                .iter_mut()
                .find(|(apex, _)| name == apex || name.ends_with(&format!(".{apex}")));
            let out = match child {
                Some((_, text)) => text,
                None => &mut parent,
            };
            for rec in records {
                out.push_str(&format!("{name}. IN {}\n", rdata(rec)));
            }
        }
        (parent, children)
    }

    /// The names whose signatures a signer must break after signing.
    pub fn bogus_names(&self) -> Vec<String> {
        self.bogus.iter().cloned().collect()
    }

    /// Every `.test` record in one unsigned zone file.
    pub fn zone_file(&self) -> String {
        self.zone_files(&[]).0
    }

    /// The reply to a query message, or `None` when the query is not one.
    pub fn answer(&self, query: &[u8]) -> Option<Vec<u8>> {
        let msg = Message::from_octets(query).ok()?;
        let question = msg.first_question()?;
        let qname = question
            .qname()
            .to_string()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let qtype = question.qtype();
        if self.servfail.contains(&qname) {
            return MessageBuilder::new_vec()
                .start_answer(&msg, Rcode::SERVFAIL)
                .ok()
                .map(|b| b.finish());
        }
        if self.bogus.contains(&qname) {
            // What a validating resolver answers for a record whose signature is broken.
            let b = MessageBuilder::new_vec()
                .start_answer(&msg, Rcode::SERVFAIL)
                .ok()?;
            let mut additional = b.additional();
            let ede = domain::base::opt::exterr::ExtendedError::<Vec<u8>>::new_with_str(
                domain::base::iana::exterr::ExtendedErrorCode::DNSSEC_BOGUS,
                "signature verification failed",
            )
            .ok()?;
            additional.opt(|opt| opt.push(&ede)).ok()?;
            return Some(additional.finish());
        }
        // A validating resolver sets AD only for clients that ask (AD or DO).
        let asked = msg.header().ad() || msg.opt().is_some_and(|o| o.dnssec_ok());
        let mut current = qname.clone();
        let mut chain = Vec::new();
        while let Some(Rec::Cname(target)) = self
            .records
            .get(&current)
            .and_then(|r| r.iter().find(|r| matches!(r, Rec::Cname(_))))
        {
            if qtype == Rtype::CNAME || chain.len() > 8 {
                break;
            }
            chain.push((current.clone(), target.clone()));
            current = target.to_ascii_lowercase();
        }
        // A name exists when it owns records or has names below it (an empty non-terminal).
        let exists = self.rotate.contains_key(&current)
            || self.records.contains_key(&current)
            || self
                .records
                .keys()
                .any(|k| k.ends_with(&format!(".{current}")));
        let rcode = if exists {
            Rcode::NOERROR
        } else {
            Rcode::NXDOMAIN
        };
        let mut b = MessageBuilder::new_vec().start_answer(&msg, rcode).ok()?;
        b.header_mut().set_ra(true);
        b.header_mut()
            .set_ad(asked && self.authenticated(&current) && self.authenticated(&qname));
        let ttl = Ttl::from_secs(300);
        let n = |s: &str| Name::<Vec<u8>>::from_str(s).ok();
        for (owner, target) in &chain {
            b.push((n(owner)?, ttl, Cname::new(n(target)?))).ok()?;
        }
        if let (Some((addresses, next)), Rtype::A) = (self.rotate.get(&current), qtype) {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % addresses.len();
            b.push((n(&current)?, ttl, A::new(addresses[i]))).ok()?;
        }
        for rec in self.records.get(&current).into_iter().flatten() {
            let owner = n(&current)?;
            let pushed = match (rec, qtype) {
                (Rec::Txt(strings), Rtype::TXT) => {
                    let mut builder = domain::rdata::rfc1035::TxtBuilder::<Vec<u8>>::new();
                    for s in strings {
                        builder.append_slice(s).ok()?;
                        // Each input string becomes its own character-string.
                        builder.close_charstr();
                    }
                    b.push((owner, ttl, builder.finish().ok()?))
                }
                (Rec::Mx(pref, host), Rtype::MX) => {
                    let exchange = if host.is_empty() {
                        Name::root_vec()
                    } else {
                        n(host)?
                    };
                    b.push((owner, ttl, Mx::new(*pref, exchange)))
                }
                (Rec::Addr(IpAddr::V4(ip)), Rtype::A) => b.push((owner, ttl, A::new(*ip))),
                (Rec::Addr(IpAddr::V6(ip)), Rtype::AAAA) => b.push((owner, ttl, Aaaa::new(*ip))),
                (Rec::Tlsa(u, s, m, data), Rtype::TLSA) => b.push((
                    owner,
                    ttl,
                    domain::rdata::Tlsa::new((*u).into(), (*s).into(), (*m).into(), data.clone()),
                )),
                _ => Ok(()),
            };
            pushed.ok()?;
        }
        Some(b.finish())
    }
}

/// One record's type and data in zone-file syntax.
fn rdata(rec: &Rec) -> String {
    match rec {
        Rec::Txt(strings) => format!(
            "TXT {}",
            strings
                .iter()
                .flat_map(|s| s.chunks(255))
                .map(quoted)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Rec::Mx(pref, host) if host.is_empty() => format!("MX {pref} ."),
        Rec::Mx(pref, host) => format!("MX {pref} {host}."),
        Rec::Addr(IpAddr::V4(ip)) => format!("A {ip}"),
        Rec::Addr(IpAddr::V6(ip)) => format!("AAAA {ip}"),
        Rec::Cname(target) => format!("CNAME {target}."),
        Rec::Tlsa(u, s, m, data) => format!(
            "TLSA {u} {s} {m} {}",
            data.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

/// One character-string in zone-file syntax: quoted, with `"`, `\\` and non-printable bytes
/// escaped.
fn quoted(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

/// Serves `zone` over UDP and TCP on `addr` until the task is dropped.
pub async fn serve_plain(
    zone: Arc<Zone>,
    udp: tokio::net::UdpSocket,
    tcp: tokio::net::TcpListener,
) {
    let z = zone.clone();
    let udp_task = async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = udp.recv_from(&mut buf).await else {
                continue;
            };
            if let Some(reply) = z.answer(&buf[..n]) {
                let _ = udp.send_to(&reply, peer).await;
            }
        }
    };
    let tcp_task = async move {
        loop {
            let Ok((mut stream, _)) = tcp.accept().await else {
                continue;
            };
            let zone = zone.clone();
            tokio::spawn(async move {
                let Ok(len) = stream.read_u16().await else {
                    return;
                };
                let mut buf = vec![0u8; len as usize];
                if stream.read_exact(&mut buf).await.is_err() {
                    return;
                }
                if let Some(reply) = zone.answer(&buf) {
                    let mut framed = (reply.len() as u16).to_be_bytes().to_vec();
                    framed.extend_from_slice(&reply);
                    let _ = stream.write_all(&framed).await;
                }
            });
        }
    };
    tokio::join!(udp_task, tcp_task);
}

/// Serves DNS-over-HTTPS at `/dns-query` over TLS.
pub async fn serve_doh(
    zone: Arc<Zone>,
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
) {
    crate::https::serve(listener, tls, move |req| {
        let zone = zone.clone();
        async move { doh(&zone, req).await }
    })
    .await;
}

async fn doh(zone: &Zone, req: Request<hyper::body::Incoming>) -> Response<crate::https::Body> {
    let cors = |mut r: Response<Full<Bytes>>| {
        r.headers_mut()
            .insert("access-control-allow-origin", "*".parse().expect("header"));
        r
    };
    doh_full(zone, req, cors).await.map(BodyExt::boxed)
}

async fn doh_full(
    zone: &Zone,
    req: Request<hyper::body::Incoming>,
    cors: impl Fn(Response<Full<Bytes>>) -> Response<Full<Bytes>>,
) -> Response<Full<Bytes>> {
    let status = |code: u16| {
        cors(
            Response::builder()
                .status(code)
                .body(Full::new(Bytes::new()))
                .expect("response"),
        )
    };
    use base64::Engine as _;
    if req.method() == hyper::Method::OPTIONS {
        let mut r = status(204);
        r.headers_mut().insert(
            "access-control-allow-headers",
            "content-type, accept".parse().expect("header"),
        );
        r.headers_mut().insert(
            "access-control-allow-methods",
            "GET, POST".parse().expect("header"),
        );
        return r;
    }
    if req.uri().path() != "/dns-query" {
        return status(404);
    }
    let query = if req.method() == hyper::Method::GET {
        let param = req
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|p| p.strip_prefix("dns="));
        match param.and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        }) {
            Some(q) => q,
            None => return status(400),
        }
    } else {
        match req.into_body().collect().await {
            Ok(b) => b.to_bytes().to_vec(),
            Err(_) => return status(400),
        }
    };
    match zone.answer(&query) {
        Some(reply) => cors(
            Response::builder()
                .header("content-type", "application/dns-message")
                .header("cache-control", "no-store")
                .body(Full::new(Bytes::from(reply)))
                .expect("response"),
        ),
        None => status(400),
    }
}
