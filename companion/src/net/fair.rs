//! Outbound connection slots shared fairly between clients. A plain semaphore serves its
//! waiters first come, first served, so one client that queues a hundred tarpit probes
//! makes everyone else wait behind them. Here a freed slot goes to the waiting clients in
//! turn (round robin by client), so each client's next connection waits for at most one
//! connection of every other waiting client.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Who a connection is made for: the client address as the rate limits count it.
pub type ClientKey = IpAddr;

#[derive(Default)]
struct State {
    available: usize,
    /// Waiters per client, oldest first.
    waiting: HashMap<ClientKey, VecDeque<oneshot::Sender<()>>>,
    /// Clients with waiters, in turn order.
    turns: VecDeque<ClientKey>,
}

pub struct FairPool {
    state: Mutex<State>,
    capacity: usize,
}

/// One outbound slot; the next waiting client gets it when this is dropped.
pub struct FairPermit {
    pool: Arc<FairPool>,
}

impl Drop for FairPermit {
    fn drop(&mut self) {
        self.pool.release();
    }
}

/// A client waiting for a slot. If it gives up just after a slot was handed to it, the
/// slot goes back to the pool instead of being lost.
struct Waiter {
    rx: Option<oneshot::Receiver<()>>,
    pool: Arc<FairPool>,
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(mut rx) = self.rx.take() {
            rx.close();
            if rx.try_recv().is_ok() {
                self.pool.release();
            }
        }
    }
}

impl FairPool {
    pub fn new(capacity: usize) -> Arc<FairPool> {
        Arc::new(FairPool {
            state: Mutex::new(State {
                available: capacity,
                ..State::default()
            }),
            capacity,
        })
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Slots in use now.
    pub fn in_use(&self) -> usize {
        self.state
            .lock()
            .map(|s| self.capacity - s.available)
            .unwrap_or(0)
    }

    /// Waits for a slot for `client`. Cancel-safe: a waiter that gives up (its deadline
    /// passed) is skipped when its turn comes.
    pub async fn acquire(self: &Arc<Self>, client: ClientKey) -> FairPermit {
        let rx = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if s.available > 0 && s.turns.is_empty() {
                s.available -= 1;
                return FairPermit { pool: self.clone() };
            }
            let (tx, rx) = oneshot::channel();
            let State { waiting, turns, .. } = &mut *s;
            let queue = waiting.entry(client).or_default();
            if queue.is_empty() {
                turns.push_back(client);
            }
            queue.push_back(tx);
            rx
        };
        let mut waiter = Waiter {
            rx: Some(rx),
            pool: self.clone(),
        };
        if let Some(rx) = waiter.rx.as_mut() {
            // The sender is only dropped with the pool, which outlives its waiters.
            let _ = rx.await;
        }
        waiter.rx = None;
        FairPermit { pool: self.clone() }
    }

    fn release(&self) {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let s = &mut *guard;
        while let Some(client) = s.turns.pop_front() {
            let Some(queue) = s.waiting.get_mut(&client) else {
                continue;
            };
            let mut handed = false;
            while let Some(tx) = queue.pop_front() {
                if tx.send(()).is_ok() {
                    handed = true;
                    break;
                }
            }
            if queue.is_empty() {
                s.waiting.remove(&client);
            } else {
                s.turns.push_back(client);
            }
            if handed {
                return;
            }
        }
        s.available += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ip(n: u8) -> ClientKey {
        IpAddr::from([192, 0, 2, n])
    }

    #[tokio::test]
    async fn freed_slots_go_to_waiting_clients_in_turn() {
        let pool = FairPool::new(1);
        let held = pool.acquire(ip(1)).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // Client 1 queues five, then client 2 queues one: client 2 must not wait for all
        // five of client 1.
        for (n, client) in [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 2)] {
            let (pool, order) = (pool.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let permit = pool.acquire(ip(client)).await;
                order.lock().unwrap().push((n, client));
                tokio::time::sleep(Duration::from_millis(5)).await;
                drop(permit);
            }));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        let second = order.iter().position(|(_, c)| *c == 2).unwrap();
        assert!(
            second <= 1,
            "client 2 served at position {second}: {order:?}"
        );
        assert_eq!(pool.in_use(), 0);
    }

    #[tokio::test]
    async fn a_waiter_that_gave_up_does_not_swallow_the_slot() {
        let pool = FairPool::new(1);
        let held = pool.acquire(ip(1)).await;
        let gave_up = tokio::time::timeout(Duration::from_millis(20), pool.acquire(ip(2))).await;
        assert!(gave_up.is_err());
        drop(held);
        let again = tokio::time::timeout(Duration::from_millis(200), pool.acquire(ip(3))).await;
        assert!(again.is_ok(), "the slot came back to the pool");
    }
}
