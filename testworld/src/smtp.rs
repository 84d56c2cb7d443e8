//! SMTP listeners on port 25 that speak just enough ESMTP for a STARTTLS probe, each with a
//! behaviour: a good or a bad certificate, no STARTTLS, silence, a slow greeting.

use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Offers STARTTLS with this server configuration, after `delay` before the greeting.
    Tls {
        config: Arc<rustls::ServerConfig>,
        delay: Duration,
    },
    NoStarttls,
    /// Accepts the connection and never says anything.
    Silent,
    /// Hostile servers, for the companion's robustness tests.
    Hostile(Hostile),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// Each step answered after this many milliseconds (just inside a probe's phase
    /// deadline), and the TLS handshake never: holds a connection as long as it can.
    Tarpit(u64),
    /// Every reply as long as a probe reads: 99 continuation lines of 2000 bytes, full of
    /// control bytes, then STARTTLS and silence.
    Flood,
    /// The greeting, one byte a second.
    DripBanner,
    /// "220-" continuation lines without end.
    EndlessBanner,
    /// A 1 MiB greeting line.
    HugeLine,
    /// STARTTLS accepted, then bytes that are not TLS.
    GarbageTls,
    /// STARTTLS accepted, the ClientHello read, then the connection closed.
    CloseMidHandshake,
    /// STARTTLS accepted, then silence.
    StarttlsSilence,
}

/// Listens on port 25 of `ip` with the smallest accept queue and fills it with connections
/// of its own that are never accepted: the kernel then drops further SYNs, so a client's
/// connection attempt hangs until its own deadline, exactly as behind a filter.
pub async fn blackhole(ip: std::net::Ipv4Addr) -> Result<(), String> {
    let addr = std::net::SocketAddr::from((ip, 25));
    let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket.set_reuseaddr(true).map_err(|e| e.to_string())?;
    socket
        .bind(addr)
        .map_err(|e| format!("cannot listen on {addr} ({e}); the test world needs root"))?;
    let listener = socket.listen(0).map_err(|e| e.to_string())?;
    let mut fillers = Vec::new();
    // A backlog of 0 admits one queued connection; two make sure it is full.
    for _ in 0..2 {
        if let Ok(Ok(stream)) = tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            fillers.push(stream);
        }
    }
    tokio::spawn(async move {
        let _keep = (listener, fillers);
        std::future::pending::<()>().await;
    });
    Ok(())
}

/// Serves SMTP on `listener`, counting every accepted connection in `hits`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    name: String,
    behaviour: Behaviour,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let behaviour = behaviour.clone();
        let name = name.clone();
        tokio::spawn(async move {
            let _ = session(tcp, &name, behaviour).await;
        });
    }
}

async fn session(
    tcp: tokio::net::TcpStream,
    name: &str,
    behaviour: Behaviour,
) -> std::io::Result<()> {
    let (config, delay) = match behaviour {
        Behaviour::Silent => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return Ok(());
        }
        Behaviour::Hostile(h) => return hostile(tcp, name, h).await,
        Behaviour::NoStarttls => (None, Duration::ZERO),
        Behaviour::Tls { config, delay } => (Some(config), delay),
    };
    tokio::time::sleep(delay).await;
    let mut io = BufReader::new(tcp);
    io.get_mut()
        .write_all(format!("220-{name} ESMTP test world\r\n220 {name} ready\r\n").as_bytes())
        .await?;
    let mut line = String::new();
    loop {
        let Some(verb) = next_verb(&mut io, &mut line).await? else {
            return Ok(());
        };
        match verb.as_str() {
            "EHLO" => {
                let mut reply =
                    format!("250-{name} greets you\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n");
                if config.is_some() {
                    reply.push_str("250-STARTTLS\r\n");
                }
                reply.push_str("250 8BITMIME\r\n");
                io.get_mut().write_all(reply.as_bytes()).await?;
            }
            "STARTTLS" if config.is_some() => {
                io.get_mut()
                    .write_all(b"220 2.0.0 Ready to start TLS\r\n")
                    .await?;
                let acceptor = tokio_rustls::TlsAcceptor::from(config.clone().expect("checked"));
                let tls = acceptor.accept(io.into_inner()).await?;
                return mail_session(BufReader::new(tls), name).await;
            }
            // A whole mail transaction, so that real senders can deliver here.
            "MAIL" | "RCPT" | "RSET" | "NOOP" => {
                io.get_mut().write_all(b"250 2.0.0 OK\r\n").await?
            }
            "DATA" => receive_data(&mut io).await?,
            "QUIT" => {
                io.get_mut().write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => {
                io.get_mut()
                    .write_all(b"502 5.5.2 Command not recognized\r\n")
                    .await?
            }
        }
    }
}

async fn hostile(mut tcp: tokio::net::TcpStream, name: &str, how: Hostile) -> std::io::Result<()> {
    let forever = Duration::from_secs(3600);
    match how {
        Hostile::Tarpit(ms) => {
            let step = Duration::from_millis(ms);
            let mut io = BufReader::new(tcp);
            tokio::time::sleep(step).await;
            io.get_mut()
                .write_all(format!("220 {name} ESMTP\r\n").as_bytes())
                .await?;
            let mut line = String::new();
            while let Some(verb) = next_verb(&mut io, &mut line).await? {
                tokio::time::sleep(step).await;
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" => b"250-tarpit\r\n250 STARTTLS\r\n",
                    "STARTTLS" => b"220 Go ahead\r\n",
                    _ => b"250 OK\r\n",
                };
                io.get_mut().write_all(reply).await?;
                if verb == "STARTTLS" {
                    tokio::time::sleep(forever).await;
                }
            }
        }
        Hostile::Flood => {
            let filler: String = "\u{1}\u{7}".repeat(995);
            let flood = |code: &str, last: &str| {
                let mut out = String::new();
                for _ in 0..99 {
                    out.push_str(&format!("{code}-{filler}\r\n"));
                }
                out.push_str(&format!("{code} {last}\r\n"));
                out
            };
            let mut io = BufReader::new(tcp);
            io.get_mut()
                .write_all(flood("220", "flood").as_bytes())
                .await?;
            let mut line = String::new();
            while let Some(verb) = next_verb(&mut io, &mut line).await? {
                let reply = match verb.as_str() {
                    "EHLO" => flood("250", "STARTTLS"),
                    "STARTTLS" => "220 Go ahead\r\n".to_string(),
                    _ => flood("250", "OK"),
                };
                io.get_mut().write_all(reply.as_bytes()).await?;
                if verb == "STARTTLS" {
                    tokio::time::sleep(forever).await;
                }
            }
        }
        Hostile::DripBanner => {
            for b in format!("220 {name} slowly\r\n").bytes() {
                tcp.write_all(&[b]).await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Hostile::EndlessBanner => loop {
            tcp.write_all(b"220-and there is more\r\n").await?;
        },
        Hostile::HugeLine => {
            tcp.write_all(b"220 ").await?;
            tcp.write_all(&vec![b'a'; 1 << 20]).await?;
            tokio::time::sleep(forever).await;
        }
        Hostile::GarbageTls | Hostile::CloseMidHandshake | Hostile::StarttlsSilence => {
            let mut io = BufReader::new(tcp);
            io.get_mut()
                .write_all(format!("220 {name} ESMTP\r\n").as_bytes())
                .await?;
            let mut line = String::new();
            loop {
                let Some(verb) = next_verb(&mut io, &mut line).await? else {
                    return Ok(());
                };
                if verb == "EHLO" {
                    io.get_mut()
                        .write_all(format!("250-{name}\r\n250 STARTTLS\r\n").as_bytes())
                        .await?;
                } else if verb == "STARTTLS" {
                    io.get_mut().write_all(b"220 Go ahead\r\n").await?;
                    break;
                } else {
                    io.get_mut().write_all(b"502 No\r\n").await?;
                }
            }
            match how {
                Hostile::GarbageTls => {
                    io.get_mut().write_all(&[0x42; 4096]).await?;
                    tokio::time::sleep(forever).await;
                }
                Hostile::CloseMidHandshake => {
                    let mut hello = [0u8; 64];
                    let _ = tokio::io::AsyncReadExt::read(&mut io, &mut hello).await?;
                    return Ok(());
                }
                _ => tokio::time::sleep(forever).await,
            }
        }
    }
    Ok(())
}

/// The next command's verb, upper-cased; `None` when the client has gone.
/// The rest of a session inside TLS: EHLO again, then mail transactions until QUIT.
async fn mail_session<S>(mut io: BufReader<S>, name: &str) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut line = String::new();
    while let Some(verb) = next_verb(&mut io, &mut line).await? {
        match verb.as_str() {
            "EHLO" => {
                let reply = format!("250-{name} greets you\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
                io.get_mut().write_all(reply.as_bytes()).await?;
            }
            "DATA" => receive_data(&mut io).await?,
            "QUIT" => {
                io.get_mut().write_all(b"221 2.0.0 Bye\r\n").await?;
                return io.get_mut().shutdown().await;
            }
            _ => io.get_mut().write_all(b"250 2.0.0 OK\r\n").await?,
        }
    }
    Ok(())
}

/// DATA: 354, the message up to the line with a single dot, then 250.
async fn receive_data<S>(io: &mut BufReader<S>) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    io.get_mut()
        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        .await?;
    let mut line = String::new();
    loop {
        line.clear();
        if io.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        if line.trim_end_matches(['\r', '\n']) == "." {
            return io.get_mut().write_all(b"250 2.0.0 Queued\r\n").await;
        }
    }
}

async fn next_verb<R: tokio::io::AsyncBufRead + Unpin>(
    io: &mut R,
    line: &mut String,
) -> std::io::Result<Option<String>> {
    line.clear();
    if io.read_line(line).await? == 0 {
        return Ok(None);
    }
    Ok(Some(
        line.split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase(),
    ))
}
