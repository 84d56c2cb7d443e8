//! The network edge of the native tool: DNS, the policy fetch and STARTTLS probes. Every
//! target address is vetted ([`guard`]) and every phase has a deadline and a byte limit.

pub mod fair;
pub mod fetch;
pub mod guard;
pub mod http;
pub mod probe;
pub mod probe_cache;
pub mod resolver;
pub mod tls;
pub mod transcript;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Addresses tried per policy host and probed per MX host at most.
pub const MAX_ADDRESSES: usize = 4;

/// A probe or a policy fetch as a whole may take this many phase deadlines, however its
/// phases are spread: a tarpit that answers each step just in time still ends.
const PHASES_PER_TOTAL: u32 = 3;

/// What every outbound operation needs.
#[derive(Clone)]
pub struct Net {
    pub resolver: resolver::Resolver,
    pub trust: tls::Trust,
    pub allow_private: bool,
    /// The deadline of each phase (resolve, connect, greeting, handshake, headers, body).
    pub timeout: Duration,
    /// Outbound connection slots shared fairly by all clients (the companion sets it; the
    /// CLI needs none).
    pub outbound: Option<Arc<fair::FairPool>>,
    /// This request's own share of the outbound slots, so that no request holds them all.
    pub budget: Option<Arc<Semaphore>>,
    /// Whom the connections are made for (the fair pool's turns).
    pub client: fair::ClientKey,
    /// Says whether a probe of this MX name at this address may be made now (the
    /// companion's per-target limits); `Err(wait)` when not.
    pub target_gate: Option<TargetGate>,
    /// Recent probes, shared by all requests (the companion sets it).
    pub probe_cache: Option<Arc<probe_cache::ProbeCache>>,
}

pub type TargetGate = Arc<dyn Fn(&str, IpAddr) -> Result<(), Duration> + Send + Sync>;

/// Held while an outbound connection is open: a slot of the request's budget and one of
/// the shared pool.
pub struct Slot {
    _budget: Option<OwnedSemaphorePermit>,
    _shared: Option<fair::FairPermit>,
}

pub enum ConnectError {
    /// Every address was refused by the guard; the first refusal says why.
    Refused(guard::Refusal),
    Timeout(String),
    Failed(String),
}

impl Net {
    /// A network view for one request of `client`, with its own share of `per_request`
    /// outbound connections.
    pub fn for_request(&self, client: fair::ClientKey, per_request: usize) -> Net {
        let mut net = self.clone();
        net.client = client;
        net.budget = Some(Arc::new(Semaphore::new(per_request.max(1))));
        net
    }

    /// The deadline of a whole probe of one address, or of a whole policy fetch.
    pub fn total_deadline(&self) -> Duration {
        self.timeout * PHASES_PER_TOTAL
    }

    /// Waits for room in the request's budget, then in the shared pool: as long as one
    /// whole probe may take, since that is when a slot held by a tarpit comes free.
    pub async fn slot(&self) -> Result<Slot, String> {
        let wait = self.total_deadline();
        let busy = || "the service has too many connections open; try again shortly".to_string();
        let budget = match &self.budget {
            None => None,
            Some(sem) => Some(
                tokio::time::timeout(wait, sem.clone().acquire_owned())
                    .await
                    .map_err(|_| busy())?
                    .map_err(|_| busy())?,
            ),
        };
        let shared = match &self.outbound {
            None => None,
            Some(pool) => Some(
                tokio::time::timeout(wait, pool.acquire(self.client))
                    .await
                    .map_err(|_| busy())?,
            ),
        };
        Ok(Slot {
            _budget: budget,
            _shared: shared,
        })
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
        for &ip in addresses.iter().take(MAX_ADDRESSES) {
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
