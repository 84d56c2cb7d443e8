//! Prometheus metrics: requests by route and status, probes by outcome and duration,
//! rejections by reason.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub probes: Family<OutcomeLabels, Counter>,
    pub probe_seconds: Histogram,
    pub rejections: Family<ReasonLabels, Counter>,
    /// Outbound connections open now, and the cap they share.
    pub outbound_in_use: Gauge,
    pub outbound_capacity: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("mtasts");
        let requests = Family::<RequestLabels, Counter>::default();
        let probes = Family::<OutcomeLabels, Counter>::default();
        let probe_seconds = Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0]);
        let rejections = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "http_requests",
            "API and page requests by route and status",
            requests.clone(),
        );
        registry.register("probes", "STARTTLS probes by outcome", probes.clone());
        registry.register(
            "probe_duration_seconds",
            "Duration of STARTTLS probes",
            probe_seconds.clone(),
        );
        registry.register(
            "rejections",
            "Requests refused before any outbound traffic, by reason",
            rejections.clone(),
        );
        let outbound_in_use = Gauge::default();
        let outbound_capacity = Gauge::default();
        registry.register(
            "outbound_connections",
            "Outbound connections (probes, policy fetches) open now",
            outbound_in_use.clone(),
        );
        registry.register(
            "outbound_connections_max",
            "The cap on outbound connections, shared by all clients in turn",
            outbound_capacity.clone(),
        );
        Metrics {
            registry,
            outbound_in_use,
            outbound_capacity,
            requests,
            probes,
            probe_seconds,
            rejections,
        }
    }

    pub fn reject(&self, reason: &str) {
        self.rejections
            .get_or_create(&ReasonLabels {
                reason: reason.into(),
            })
            .inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
