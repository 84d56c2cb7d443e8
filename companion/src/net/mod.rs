//! The network edge of the native tool: DNS, the policy fetch and STARTTLS probes. Every
//! target address is vetted ([`guard`]) and every phase has a deadline and a byte limit.

pub mod fetch;
pub mod guard;
pub mod http;
pub mod probe;
pub mod resolver;
pub mod tls;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What every outbound operation needs.
#[derive(Clone)]
pub struct Net {
    pub resolver: resolver::Resolver,
    pub trust: tls::Trust,
    pub allow_private: bool,
    /// The deadline of each phase (resolve, connect, greeting, handshake, headers, body).
    pub timeout: Duration,
    /// Caps outbound connections open at once (the companion sets it; the CLI needs none).
    pub outbound: Option<Arc<Semaphore>>,
    /// Says whether an MX host may be probed now (the companion's per-host limit, applied
    /// to the probes of whole checks too).
    pub probe_gate: Option<ProbeGate>,
}

pub type ProbeGate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Held while an outbound connection is open.
pub struct Slot(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

pub enum ConnectError {
    /// Every address was refused by the guard; the first refusal says why.
    Refused(guard::Refusal),
    Timeout(String),
    Failed(String),
}

impl Net {
    /// Waits (one phase deadline at most) for room under the outbound cap.
    pub async fn slot(&self) -> Result<Slot, String> {
        let Some(sem) = &self.outbound else {
            return Ok(Slot(None));
        };
        match tokio::time::timeout(self.timeout, sem.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Slot(Some(permit))),
            _ => Err("the service has too many connections open; try again shortly".into()),
        }
    }

    /// Connects to the first vetted address that answers on `port`. Addresses come from one
    /// resolution and are used as they are, so a second, different answer cannot sneak in.
    pub async fn connect(
        &self,
        addresses: &[IpAddr],
        port: u16,
    ) -> Result<(TcpStream, IpAddr), ConnectError> {
        let mut first_refusal = None;
        let mut last_error = None;
        for &ip in addresses {
            if let Err(refusal) = guard::vet(ip, self.allow_private) {
                first_refusal.get_or_insert(refusal);
                continue;
            }
            match tokio::time::timeout(self.timeout, TcpStream::connect(SocketAddr::new(ip, port)))
                .await
            {
                Ok(Ok(stream)) => return Ok((stream, ip)),
                Ok(Err(e)) => {
                    last_error = Some(ConnectError::Failed(format!("{ip} port {port}: {e}")))
                }
                Err(_) => {
                    last_error = Some(ConnectError::Timeout(format!(
                        "{ip} port {port}: no answer within {} s",
                        self.timeout.as_secs_f32()
                    )))
                }
            }
        }
        Err(last_error.unwrap_or_else(|| match first_refusal {
            Some(r) => ConnectError::Refused(r),
            None => ConnectError::Failed("no address".into()),
        }))
    }
}
