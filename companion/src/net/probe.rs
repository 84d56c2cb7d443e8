//! The STARTTLS probe of one MX host, as a sending MTA sees it (RFC 8461 §4, §7): port 25,
//! the greeting, EHLO, STARTTLS, a TLS handshake with SNI set to the MX name, then the
//! certificate checked against that name. Every read is bounded in bytes, lines and time.

use super::tls::{describe, now_unix, CertProblem};
use super::transcript::Transcript;
use super::{ConnectError, Net, MAX_ADDRESSES};
use mtasts_core::dns::DnsOutcome;
use mtasts_core::report::{ProbeResult, TlsProbe, TlsStatus};
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// The longest reply line read (RFC 5321 §4.5.3.1.5 allows 512; servers send longer).
const MAX_LINE: usize = 2048;
/// The most lines one reply may have.
const MAX_LINES: usize = 100;

fn blank() -> TlsProbe {
    TlsProbe::new(TlsStatus::Ok, None)
}

/// Resolves `host` once and probes each of its addresses (up to four, concurrently). The
/// report's `tls` is the first address that accepted a connection, as a sender would use.
pub async fn probe_mx(net: &Net, host: &str) -> ProbeResult {
    let started = Instant::now();
    let addresses = match net.resolver.addresses(host).await {
        Ok(a) => a,
        Err(o) => {
            let mut tls = blank();
            tls.status = if o.tester_side() {
                TlsStatus::ResolverFailed
            } else {
                TlsStatus::DnsError
            };
            tls.error = Some(match o {
                DnsOutcome::NxDomain => format!("{host} does not exist"),
                DnsOutcome::NoData => format!("{host} has no A or AAAA record"),
                other => other.describe(),
            });
            tls.elapsed_ms = Some(started.elapsed().as_millis() as u64);
            return ProbeResult {
                addresses: Vec::new(),
                tls: tls.clone(),
                probes: vec![tls],
            };
        }
    };
    let probes: Vec<TlsProbe> = futures_util::future::join_all(
        addresses
            .iter()
            .take(MAX_ADDRESSES)
            .map(|ip| probe_address(net, host, *ip)),
    )
    .await;
    let tls = probes
        .iter()
        .find(|p| p.address.is_some())
        .or(probes.first())
        .cloned()
        .unwrap_or_else(blank);
    ProbeResult {
        addresses: addresses.iter().map(ToString::to_string).collect(),
        tls,
        probes,
    }
}

/// One address: from the cache when another request probed it lately, else a probe of
/// its own under the per-target limit and a total deadline.
async fn probe_address(net: &Net, host: &str, ip: std::net::IpAddr) -> TlsProbe {
    match &net.probe_cache {
        Some(cache) => {
            cache
                .get_or_probe((host.to_string(), ip), fresh_probe(net, host, ip))
                .await
        }
        None => fresh_probe(net, host, ip).await,
    }
}

async fn fresh_probe(net: &Net, host: &str, ip: std::net::IpAddr) -> TlsProbe {
    let started = Instant::now();
    let mut tls = blank();
    let result = if let Some(Err(wait)) = net.target_gate.as_ref().map(|gate| gate(host, ip)) {
        Err((
            TlsStatus::RateLimited,
            format!(
                "{ip} was probed too often lately (the service does not hammer one mail server); try again in {} s",
                wait.as_secs().max(1)
            ),
        ))
    } else {
        match net.slot().await {
            Ok(_slot) => {
                let total = net.total_deadline();
                match tokio::time::timeout(total, run(net, host, ip, &mut tls)).await {
                    Ok(result) => result,
                    Err(_) => Err((
                        TlsStatus::Timeout,
                        format!("the probe did not finish within {} s", total.as_secs()),
                    )),
                }
            }
            Err(e) => Err((TlsStatus::RateLimited, e)),
        }
    };
    if let Err((status, error)) = result {
        tls.status = status;
        tls.error = Some(error);
    }
    tls.elapsed_ms = Some(started.elapsed().as_millis() as u64);
    tls
}

type Failure = (TlsStatus, String);

struct Smtp<S> {
    io: BufReader<S>,
    transcript: Transcript,
    /// The lines of the reply being read, logged once it is complete (or broken off).
    pending: Vec<String>,
    timeout: std::time::Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Smtp<S> {
    fn new(io: BufReader<S>, transcript: Transcript, timeout: std::time::Duration) -> Self {
        Smtp {
            io,
            transcript,
            pending: Vec::new(),
            timeout,
        }
    }

    /// Reads one reply: its code and lines (without the code). The whole reply, however
    /// many lines, must arrive within one deadline, so a tarpit cannot stretch it.
    async fn reply(&mut self, what: &str) -> Result<(u16, Vec<String>), Failure> {
        let timeout = self.timeout;
        let result = match tokio::time::timeout(timeout, self.reply_lines(what)).await {
            Ok(result) => result,
            Err(_) => Err((
                TlsStatus::Timeout,
                format!("no complete {what} within {} s", timeout.as_secs_f32()),
            )),
        };
        let lines = std::mem::take(&mut self.pending);
        self.transcript.reply(&lines);
        result
    }

    async fn reply_lines(&mut self, what: &str) -> Result<(u16, Vec<String>), Failure> {
        let mut lines = Vec::new();
        loop {
            if lines.len() >= MAX_LINES {
                return Err((
                    TlsStatus::SmtpError,
                    format!("the {what} has more than {MAX_LINES} lines"),
                ));
            }
            let line = read_line(&mut self.io)
                .await
                .map_err(|e| (TlsStatus::SmtpError, format!("{what}: {e}")))?;
            self.pending.push(line.clone());
            let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
            let sep = line.as_bytes().get(3).copied();
            let Some(code) = code.filter(|_| matches!(sep, None | Some(b' ') | Some(b'-'))) else {
                return Err((
                    TlsStatus::SmtpError,
                    format!("the {what} is not SMTP: {:?}", truncate(&line)),
                ));
            };
            lines.push(line.get(4..).unwrap_or("").to_string());
            if sep != Some(b'-') {
                return Ok((code, lines));
            }
        }
    }

    async fn send(&mut self, line: &str) -> Result<(), Failure> {
        self.transcript.client(line);
        let write = async {
            self.io
                .get_mut()
                .write_all(format!("{line}\r\n").as_bytes())
                .await?;
            self.io.get_mut().flush().await
        };
        match tokio::time::timeout(self.timeout, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err((TlsStatus::SmtpError, format!("sending {line}: {e}"))),
            Err(_) => Err((TlsStatus::Timeout, format!("sending {line} timed out"))),
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// One CRLF- or LF-terminated line of at most MAX_LINE bytes.
async fn read_line<R: AsyncBufReadExt + Unpin>(io: &mut R) -> std::io::Result<String> {
    let mut buf = Vec::new();
    loop {
        let available = io.fill_buf().await?;
        if available.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        buf.extend_from_slice(&available[..take]);
        io.consume(take);
        if buf.len() > MAX_LINE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a reply line is longer than {MAX_LINE} bytes"),
            ));
        }
        if done {
            while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                buf.pop();
            }
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
    }
}

async fn run(
    net: &Net,
    host: &str,
    ip: std::net::IpAddr,
    tls: &mut TlsProbe,
) -> Result<(), Failure> {
    let (tcp, ip) = net.connect(&[ip], 25).await.map_err(|e| match e {
        ConnectError::Refused(r) => (TlsStatus::ConnectFailed, r.to_string()),
        ConnectError::Timeout(e) => (TlsStatus::ConnectTimeout, e),
        ConnectError::Failed(e) => (TlsStatus::ConnectFailed, e),
    })?;
    tls.address = Some(ip.to_string());
    let local = tcp.local_addr().map(|a| a.ip()).ok();
    let mut smtp = Smtp::new(BufReader::new(tcp), Transcript::default(), net.timeout);
    if let Err(failure) = greet(host, local, &mut smtp).await {
        tls.transcript = smtp.transcript.into_lines();
        return Err(failure);
    }
    let Smtp {
        io,
        mut transcript,
        timeout,
        ..
    } = smtp;
    let result = upgrade(net, host, io, &mut transcript, tls, timeout).await;
    tls.transcript = transcript.into_lines();
    result
}

/// The plain-text part: greeting, EHLO, STARTTLS.
async fn greet(
    host: &str,
    local: Option<std::net::IpAddr>,
    smtp: &mut Smtp<tokio::net::TcpStream>,
) -> Result<(), Failure> {
    let (code, _) = smtp.reply("greeting").await?;
    if code != 220 {
        return Err((
            TlsStatus::SmtpError,
            format!("the greeting is {code}, not 220"),
        ));
    }
    // An address literal is always a valid EHLO argument (RFC 5321 §4.1.3).
    let ehlo = match local {
        Some(std::net::IpAddr::V4(ip)) => format!("EHLO [{ip}]"),
        Some(std::net::IpAddr::V6(ip)) => format!("EHLO [IPv6:{ip}]"),
        None => "EHLO [127.0.0.1]".into(),
    };
    smtp.send(&ehlo).await?;
    let (code, lines) = smtp.reply("EHLO reply").await?;
    if code != 250 {
        return Err((TlsStatus::SmtpError, format!("EHLO was answered {code}")));
    }
    let offers_starttls = lines.iter().skip(1).any(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case("STARTTLS"))
    });
    if !offers_starttls {
        let _ = smtp.send("QUIT").await;
        return Err((
            TlsStatus::StarttlsNotSupported,
            format!("{host} does not list STARTTLS in its EHLO reply"),
        ));
    }
    smtp.send("STARTTLS").await?;
    let (code, _) = smtp.reply("STARTTLS reply").await?;
    if code != 220 {
        return Err((
            TlsStatus::StarttlsNotSupported,
            format!("STARTTLS was answered {code}"),
        ));
    }
    if !smtp.io.buffer().is_empty() {
        return Err((
            TlsStatus::SmtpError,
            "the server sent data after accepting STARTTLS".into(),
        ));
    }
    Ok(())
}

/// The TLS handshake with SNI set to the MX name, then the certificate verdict.
async fn upgrade(
    net: &Net,
    host: &str,
    io: BufReader<tokio::net::TcpStream>,
    transcript: &mut Transcript,
    tls: &mut TlsProbe,
    timeout: std::time::Duration,
) -> Result<(), Failure> {
    let (config, recorder) = net.trust.recording();
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| (TlsStatus::TlsHandshakeFailed, e.to_string()))?;
    let handshake = tokio_rustls::TlsConnector::from(config).connect(name, io.into_inner());
    let stream = match tokio::time::timeout(timeout, handshake).await {
        Err(_) => {
            return Err((
                TlsStatus::Timeout,
                "the TLS handshake did not finish in time".into(),
            ))
        }
        Ok(Err(e)) => {
            let status = if super::tls::is_version_mismatch(&e) {
                TlsStatus::ProtocolVersion
            } else {
                TlsStatus::TlsHandshakeFailed
            };
            return Err((status, e.to_string()));
        }
        Ok(Ok(s)) => s,
    };
    transcript.note("TLS handshake complete");
    let conn = stream.get_ref().1;
    tls.version = conn
        .protocol_version()
        .map(|v| format!("{v:?}").replace("TLSv1_", "TLSv1."));
    tls.cipher = conn
        .negotiated_cipher_suite()
        .map(|c| format!("{:?}", c.suite()));
    let chain: Vec<_> = conn
        .peer_certificates()
        .map(|c| c.to_vec())
        .unwrap_or_default();
    tls.cert = describe(&chain, now_unix());
    tls.chain = super::tls::digests(&chain);
    let verdict = recorder.verdict();
    // End the session politely, inside TLS.
    let mut inner = Smtp::new(BufReader::new(stream), Transcript::default(), timeout);
    // QUIT, without waiting for the goodbye: the verdict is already known.
    let _ = inner.send("QUIT").await;
    transcript.append(inner.transcript);
    if let Some(Err((problem, detail))) = verdict {
        let status = match problem {
            CertProblem::Expired => TlsStatus::CertificateExpired,
            CertProblem::NotYetValid => TlsStatus::CertificateNotYetValid,
            CertProblem::HostMismatch => TlsStatus::CertificateHostMismatch,
            CertProblem::NotTrusted => TlsStatus::CertificateNotTrusted,
            CertProblem::ChainIncomplete => TlsStatus::CertificateChainIncomplete,
        };
        return Err((status, detail));
    }
    Ok(())
}
