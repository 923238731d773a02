//! Prometheus metrics at `GET /metrics`: what an operator watches on the last evening of a
//! campaign (request rates and latencies per route, pool pressure, records arriving, sync
//! batch sizes, failed logins, rate-limit refusals). One process-wide registry, because
//! the counters describe the process.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

/// Every metric gocua exports.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    records_created: IntCounterVec,
    webhook_attempts: IntCounterVec,
    webhook_dropped: IntCounter,
    outbox_depth: IntGauge,
    outbox_oldest: IntGauge,
    sync_batch_records: Histogram,
    create_group_records: Histogram,
    create_group_seconds: Histogram,
    login_failures: IntCounter,
    rate_limited: IntCounter,
    pool_waiting: IntGauge,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
}

fn register<T: prometheus::core::Collector + Clone + 'static>(registry: &Registry, metric: T) -> T {
    registry
        .register(Box::new(metric.clone()))
        .expect("metric names are unique");
    metric
}

impl Metrics {
    fn new() -> Self {
        let r = Registry::new();
        let buckets = vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        Self {
            requests: register(
                &r,
                IntCounterVec::new(
                    Opts::new("gocua_http_requests_total", "HTTP requests answered"),
                    &["route", "method", "status"],
                )
                .expect("valid metric"),
            ),
            latency: register(
                &r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "gocua_http_request_duration_seconds",
                        "Time to answer an HTTP request",
                    )
                    .buckets(buckets),
                    &["route", "method"],
                )
                .expect("valid metric"),
            ),
            records_created: register(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "gocua_records_created_total",
                        "Field records stored, by kind",
                    ),
                    &["kind"],
                )
                .expect("valid metric"),
            ),
            webhook_attempts: register(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "gocua_webhook_attempts_total",
                        "Webhook delivery attempts, by what they came to (delivered, retried, failed: the last)",
                    ),
                    &["outcome"],
                )
                .expect("valid metric"),
            ),
            webhook_dropped: register(
                &r,
                IntCounter::new(
                    "gocua_webhook_dropped_total",
                    "Webhook deliveries failed unsent: over a webhook's cap, or past the retry window behind earlier ones",
                )
                .expect("valid metric"),
            ),
            outbox_depth: register(
                &r,
                IntGauge::new(
                    "gocua_webhook_outbox_depth",
                    "Webhook deliveries waiting to be sent",
                )
                .expect("valid metric"),
            ),
            outbox_oldest: register(
                &r,
                IntGauge::new(
                    "gocua_webhook_outbox_oldest_seconds",
                    "Age of the oldest webhook delivery waiting to be sent (0: none waits)",
                )
                .expect("valid metric"),
            ),
            sync_batch_records: register(
                &r,
                Histogram::with_opts(
                    HistogramOpts::new("gocua_sync_batch_records", "Records per sync batch")
                        .buckets(vec![1.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0]),
                )
                .expect("valid metric"),
            ),
            create_group_records: register(
                &r,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "gocua_create_group_records",
                        "Single creates stored together in one transaction (group commit)",
                    )
                    .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 500.0]),
                )
                .expect("valid metric"),
            ),
            create_group_seconds: register(
                &r,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "gocua_create_group_seconds",
                        "Time to store one group of single creates, queueing for the writer included",
                    )
                    .buckets(vec![0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 2.0]),
                )
                .expect("valid metric"),
            ),
            login_failures: register(
                &r,
                IntCounter::new("gocua_login_failures_total", "Failed logins")
                    .expect("valid metric"),
            ),
            rate_limited: register(
                &r,
                IntCounter::new(
                    "gocua_rate_limited_total",
                    "Requests refused with 429 by a rate limit",
                )
                .expect("valid metric"),
            ),
            pool_waiting: register(
                &r,
                IntGauge::new(
                    "gocua_db_pool_waiting",
                    "Requests waiting for a database connection",
                )
                .expect("valid metric"),
            ),
            pool_connections: register(
                &r,
                IntGauge::new("gocua_db_pool_connections", "Open database connections")
                    .expect("valid metric"),
            ),
            pool_idle: register(
                &r,
                IntGauge::new("gocua_db_pool_idle", "Idle database connections")
                    .expect("valid metric"),
            ),
            registry: r,
        }
    }
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// A stored record of a kind.
pub fn record_created(kind: &str) {
    METRICS.records_created.with_label_values(&[kind]).inc();
}

/// A webhook delivery attempt that came to `outcome`.
pub fn webhook_attempt(outcome: &str) {
    METRICS.webhook_attempts.with_label_values(&[outcome]).inc();
}

/// Webhook deliveries failed without an attempt.
pub fn webhook_dropped(n: usize) {
    METRICS.webhook_dropped.inc_by(n as u64);
}

/// The outbox: deliveries waiting, and the age in seconds of the oldest.
pub fn webhook_outbox(depth: i64, oldest_seconds: i64) {
    METRICS.outbox_depth.set(depth);
    METRICS.outbox_oldest.set(oldest_seconds);
}

/// A sync batch of `records` records.
pub fn sync_batch(records: usize) {
    METRICS.sync_batch_records.observe(records as f64);
}

/// A group of `records` single creates stored in `took`.
pub fn create_group(records: usize, took: std::time::Duration) {
    METRICS.create_group_records.observe(records as f64);
    METRICS.create_group_seconds.observe(took.as_secs_f64());
}

/// A failed login.
pub fn login_failed() {
    METRICS.login_failures.inc();
}

/// A request refused by a rate limit.
pub fn rate_limited() {
    METRICS.rate_limited.inc();
}

/// Marks a request waiting for a connection until the guard is dropped.
pub fn waiting_for_pool() -> impl Drop {
    struct Waiting;
    impl Drop for Waiting {
        fn drop(&mut self) {
            METRICS.pool_waiting.dec();
        }
    }
    METRICS.pool_waiting.inc();
    Waiting
}

/// Counts an answered request by route pattern (never the raw path: ids would make a
/// series per record), method and status, with its latency; called by the access log's
/// middleware, which sees every answer.
pub fn request_answered(route: &str, method: &str, status: u16, elapsed: Duration) {
    let status = status.to_string();
    METRICS
        .requests
        .with_label_values(&[route, method, status.as_str()])
        .inc();
    METRICS
        .latency
        .with_label_values(&[route, method])
        .observe(elapsed.as_secs_f64());
}

/// The registry in Prometheus text format, with the pool's current size and idle count;
/// `None` if encoding failed.
pub fn exposition(pool: r2d2::State) -> Option<Vec<u8>> {
    METRICS.pool_connections.set(i64::from(pool.connections));
    METRICS.pool_idle.set(i64::from(pool.idle_connections));
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&METRICS.registry.gather(), &mut out)
        .ok()?;
    Some(out)
}
