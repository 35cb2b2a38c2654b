//! The registry's Prometheus metrics, one set per server (no global
//! recorder, so servers sharing a process keep their own): HTTP requests
//! by route template, method and status, gRPC calls by method and code,
//! with their latency;
//! registrations and compatibility checks by format, level and outcome;
//! the schema caches' hits and misses; write batches (size, commit time);
//! change-feed watchers and how far behind other replicas this one reads;
//! the database pools; the process (memory, CPU, open files). Label values
//! are bounded: templates, formats, levels — never subject names.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::store::Store;

/// The labels of one HTTP request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: u16,
}

/// The labels of a request's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
    method: &'static str,
}

/// The labels of one gRPC call.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: &'static str,
    code: &'static str,
}

/// The labels of a gRPC call's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: &'static str,
}

/// The labels of a registration.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RegistrationLabels {
    format: &'static str,
    outcome: &'static str,
}

/// The labels of a compatibility check.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    format: &'static str,
    level: &'static str,
    verdict: &'static str,
}

/// The labels of a cache lookup.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
    result: &'static str,
}

/// Latency buckets, in seconds: 50 µs to 10 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5, 10.0,
];

/// Write-batch sizes: 1 to 256 writes.
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// A server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    calls: Family<CallLabels, Counter>,
    call_latency: Family<MethodLabels, Histogram>,
    registrations: Family<RegistrationLabels, Counter>,
    checks: Family<CheckLabels, Counter>,
    cache: Family<CacheLabels, Counter>,
    batch_writes: Histogram,
    commit_seconds: Histogram,
    watchers: Gauge,
    replica_lag: Gauge<f64, std::sync::atomic::AtomicU64>,
}

/// Counts a change-feed watcher while it lives.
#[derive(Debug)]
pub struct Watching(Gauge);

impl Drop for Watching {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Metrics {
    /// Metrics of a server over `store`.
    pub fn new(store: Store) -> Arc<Metrics> {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "herald_http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(LATENCY_BUCKETS)) as fn() -> Histogram,
        );
        registry.register(
            "herald_http_request_duration_seconds",
            "Time from a request's arrival to its answer, by route template and method",
            latency.clone(),
        );
        let calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "herald_grpc_requests",
            "gRPC calls answered, by method and status code (a stream counted by how it started)",
            calls.clone(),
        );
        let call_latency = Family::<MethodLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(LATENCY_BUCKETS)) as fn() -> Histogram,
        );
        registry.register(
            "herald_grpc_request_duration_seconds",
            "Time from a gRPC call's arrival to its answer's headers, by method",
            call_latency.clone(),
        );
        let registrations = Family::<RegistrationLabels, Counter>::default();
        registry.register(
            "herald_registrations",
            "Registrations, by format and outcome (ok, incompatible, invalid, refused)",
            registrations.clone(),
        );
        let checks = Family::<CheckLabels, Counter>::default();
        registry.register(
            "herald_compatibility_checks",
            "Compatibility verdicts (of registrations and checks), by format, level and verdict",
            checks.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "herald_schema_cache_lookups",
            "Schema cache lookups, by cache (row, parsed) and result (hit, miss)",
            cache.clone(),
        );
        let batch_writes = Histogram::new(BATCH_BUCKETS);
        registry.register(
            "herald_write_batch_writes",
            "Writes committed together in one transaction",
            batch_writes.clone(),
        );
        let commit_seconds = Histogram::new(LATENCY_BUCKETS);
        registry.register(
            "herald_write_commit_duration_seconds",
            "Time a write batch's commit took",
            commit_seconds.clone(),
        );
        let watchers = Gauge::default();
        registry.register(
            "herald_change_feed_watchers",
            "Change-feed watches open (gRPC WatchSubjects)",
            watchers.clone(),
        );
        let replica_lag = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "herald_replica_lag_seconds",
            "How long ago the newest change read from the shared feed was committed (PostgreSQL replicas)",
            replica_lag.clone(),
        );
        registry.register(
            "herald_db_acquire_duration_seconds",
            "Time a read waited for a pooled database connection",
            store.acquire_waits(),
        );
        registry.register_collector(Box::new(PoolCollector { store }));
        registry.register_collector(Box::new(ProcessCollector));
        Arc::new(Metrics {
            registry,
            requests,
            latency,
            calls,
            call_latency,
            registrations,
            checks,
            cache,
            batch_writes,
            commit_seconds,
            watchers,
            replica_lag,
        })
    }

    /// Counts a registration's outcome.
    pub fn registration(&self, format: &'static str, outcome: &'static str) {
        let labels = RegistrationLabels { format, outcome };
        self.registrations.get_or_create(&labels).inc();
    }

    /// Counts a compatibility verdict.
    pub fn check(&self, format: &'static str, level: &'static str, compatible: bool) {
        let verdict = if compatible {
            "compatible"
        } else {
            "incompatible"
        };
        let labels = CheckLabels {
            format,
            level,
            verdict,
        };
        self.checks.get_or_create(&labels).inc();
    }

    /// Counts a cache lookup.
    pub fn cache_lookup(&self, cache: &'static str, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.cache
            .get_or_create(&CacheLabels { cache, result })
            .inc();
    }

    /// Records a committed write batch.
    pub fn batch(&self, writes: usize, took: Duration) {
        self.batch_writes.observe(writes as f64);
        self.commit_seconds.observe(took.as_secs_f64());
    }

    /// A watcher starts; counted until the guard drops.
    pub fn watching(&self) -> Watching {
        self.watchers.inc();
        Watching(self.watchers.clone())
    }

    /// The age of the newest change read from the shared feed.
    pub fn replica_lag(&self, seconds: f64) {
        self.replica_lag.set(seconds);
    }

    /// Counts one answered request (`method` as [`method_label`] names it).
    pub fn request(&self, route: &'static str, method: &'static str, status: u16, took: Duration) {
        let labels = RequestLabels {
            route,
            method,
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&RouteLabels { route, method })
            .observe(took.as_secs_f64());
    }

    /// Counts a gRPC call answered with `code` (a `grpc-status` name).
    pub fn grpc_call(&self, method: &'static str, code: &'static str, took: Duration) {
        self.calls.get_or_create(&CallLabels { method, code }).inc();
        self.call_latency
            .get_or_create(&MethodLabels { method })
            .observe(took.as_secs_f64());
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// A request method as a label: the standard ones by name, any other
/// `OTHER` (a bounded set, and no allocation per request).
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

/// One gauge or counter, computed at scrape time.
fn encode_one(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &impl EncodeMetric,
) -> Result<(), std::fmt::Error> {
    let described = encoder.encode_descriptor(name, help, None, metric.metric_type())?;
    metric.encode(described)
}

/// The database pools: connections open and idle.
#[derive(Debug)]
struct PoolCollector {
    store: Store,
}

impl Collector for PoolCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut family = encoder.encode_descriptor(
            "herald_db_connections",
            "Database connections, by pool (read, write) and state (idle, in_use)",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        for (pool, open, idle) in self.store.pool_stats() {
            let open = usize::try_from(open).unwrap_or(usize::MAX);
            for (state, count) in [("idle", idle), ("in_use", open.saturating_sub(idle))] {
                let gauge = ConstGauge::new(i64::try_from(count).unwrap_or(i64::MAX));
                gauge.encode(family.encode_family(&[("pool", pool), ("state", state)])?)?;
            }
        }
        Ok(())
    }
}

/// The process, read from `/proc/self` (Linux; nothing elsewhere).
#[derive(Debug)]
struct ProcessCollector;

/// Linux's clock ticks per second in `/proc/self/stat` (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let resident_kb = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<i64>().ok());
        if let Some(kb) = resident_kb {
            let gauge = ConstGauge::new(kb.saturating_mul(1024));
            encode_one(
                &mut encoder,
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                &gauge,
            )?;
        }
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the command's closing parenthesis: utime and stime
        // are the 12th and 13th.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: Option<f64> = match (fields.get(11), fields.get(12)) {
            (Some(user), Some(system)) => user
                .parse::<f64>()
                .ok()
                .zip(system.parse::<f64>().ok())
                .map(|(u, s)| u + s),
            _ => None,
        };
        if let Some(ticks) = ticks {
            let counter = ConstCounter::new(ticks / TICKS_PER_SECOND);
            encode_one(
                &mut encoder,
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds",
                &counter,
            )?;
        }
        if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
            let gauge = ConstGauge::new(i64::try_from(entries.count()).unwrap_or(i64::MAX));
            encode_one(
                &mut encoder,
                "process_open_fds",
                "Open file descriptors",
                &gauge,
            )?;
        }
        Ok(())
    }
}
