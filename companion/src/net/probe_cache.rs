//! Recent STARTTLS probes, reused for every client for a short time: a popular domain then
//! costs one probe of each MX address a minute, however many people check it, and the
//! per-target limit never refuses an honest visitor. Identical probes running at the same
//! time share one connection.
//!
//! The store is a trait so that several replicas can share one (a later change); the
//! in-memory store is the default.

use mtasts_core::report::{TlsProbe, TlsStatus};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// A probe is of one MX name (SNI, certificate name) at one address.
pub type Key = (String, IpAddr);

/// Where finished probes are kept.
pub trait ProbeStore: Send + Sync {
    /// The probe of `key` and how long ago it was taken, if it is younger than `max_age`.
    fn get(&self, key: &Key, max_age: Duration) -> Option<(TlsProbe, Duration)>;
    fn put(&self, key: Key, probe: TlsProbe);
}

/// An in-process store with a bound on its size.
pub struct MemoryStore {
    entries: Mutex<HashMap<Key, (Instant, TlsProbe)>>,
    max_entries: usize,
}

impl MemoryStore {
    pub fn new(max_entries: usize) -> MemoryStore {
        MemoryStore {
            entries: Mutex::new(HashMap::new()),
            max_entries,
        }
    }
}

impl ProbeStore for MemoryStore {
    fn get(&self, key: &Key, max_age: Duration) -> Option<(TlsProbe, Duration)> {
        let entries = self.entries.lock().ok()?;
        let (at, probe) = entries.get(key)?;
        let age = at.elapsed();
        (age < max_age).then(|| (probe.clone(), age))
    }

    fn put(&self, key: Key, probe: TlsProbe) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.max_entries {
            // Keep memory bounded: drop the oldest half.
            let mut ages: Vec<(Instant, Key)> = entries
                .iter()
                .map(|(k, (at, _))| (*at, k.clone()))
                .collect();
            ages.sort();
            for (_, k) in ages.into_iter().take(self.max_entries / 2 + 1) {
                entries.remove(&k);
            }
        }
        entries.insert(key, (Instant::now(), probe));
    }
}

pub struct ProbeCache {
    store: Arc<dyn ProbeStore>,
    max_age: Duration,
    in_flight: Mutex<HashMap<Key, Arc<OnceCell<TlsProbe>>>>,
}

/// Probes not worth keeping: they say nothing about the host (the service's own limit, or
/// the tester's resolver).
fn keep(probe: &TlsProbe) -> bool {
    !matches!(
        probe.status,
        TlsStatus::RateLimited | TlsStatus::ResolverFailed | TlsStatus::Unchecked
    )
}

impl ProbeCache {
    pub fn new(store: Arc<dyn ProbeStore>, max_age: Duration) -> ProbeCache {
        ProbeCache {
            store,
            max_age,
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    /// The cached probe of `key` (with `age_ms` set), or the result of `probe`, shared with
    /// any identical probe that starts meanwhile.
    pub async fn get_or_probe<F>(&self, key: Key, probe: F) -> TlsProbe
    where
        F: Future<Output = TlsProbe>,
    {
        if let Some((mut cached, age)) = self.store.get(&key, self.max_age) {
            cached.age_ms = Some(age.as_millis() as u64);
            return cached;
        }
        let cell = self
            .in_flight
            .lock()
            .map(|mut m| m.entry(key.clone()).or_default().clone())
            .unwrap_or_default();
        let first = std::sync::atomic::AtomicBool::new(false);
        let result = cell
            .get_or_init(|| async {
                first.store(true, std::sync::atomic::Ordering::Relaxed);
                let result = probe.await;
                if keep(&result) {
                    self.store.put(key.clone(), result.clone());
                }
                result
            })
            .await
            .clone();
        if let Ok(mut m) = self.in_flight.lock() {
            if m.get(&key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                m.remove(&key);
            }
        }
        let mut result = result;
        if !first.load(std::sync::atomic::Ordering::Relaxed) {
            // Shared with a probe another request started: it is that probe's age.
            result.age_ms = Some(0);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn probe(status: TlsStatus) -> TlsProbe {
        TlsProbe::new(status, None)
    }

    #[tokio::test]
    async fn a_probe_is_reused_and_twins_share_one() {
        let cache = Arc::new(ProbeCache::new(
            Arc::new(MemoryStore::new(100)),
            Duration::from_secs(60),
        ));
        let runs = Arc::new(AtomicUsize::new(0));
        let key: Key = ("mx.example".into(), "192.0.2.1".parse().unwrap());
        let slow = |runs: Arc<AtomicUsize>| async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            probe(TlsStatus::Ok)
        };
        let (a, b) = tokio::join!(
            cache.get_or_probe(key.clone(), slow(runs.clone())),
            cache.get_or_probe(key.clone(), slow(runs.clone()))
        );
        assert_eq!(runs.load(Ordering::SeqCst), 1, "twins share one probe");
        assert_eq!(a.status, TlsStatus::Ok);
        assert_eq!(
            [a.age_ms.is_some(), b.age_ms.is_some()]
                .iter()
                .filter(|x| **x)
                .count(),
            1
        );
        let c = cache.get_or_probe(key.clone(), slow(runs.clone())).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1, "reused from the cache");
        assert!(c.age_ms.is_some());
    }

    #[tokio::test]
    async fn the_services_own_refusals_are_not_kept() {
        let cache = ProbeCache::new(Arc::new(MemoryStore::new(100)), Duration::from_secs(60));
        let key: Key = ("mx.example".into(), "192.0.2.1".parse().unwrap());
        cache
            .get_or_probe(key.clone(), async { probe(TlsStatus::RateLimited) })
            .await;
        let again = cache
            .get_or_probe(key, async { probe(TlsStatus::Ok) })
            .await;
        assert_eq!(again.status, TlsStatus::Ok);
    }

    #[test]
    fn the_store_stays_bounded() {
        let store = MemoryStore::new(10);
        for i in 0..100u8 {
            store.put(
                ("h".into(), IpAddr::from([192, 0, 2, i])),
                probe(TlsStatus::Ok),
            );
        }
        assert!(store.entries.lock().unwrap().len() <= 10);
    }
}
