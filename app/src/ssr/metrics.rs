//! What operators watch: every figure's name and meaning in one place, recorded where
//! the thing happens (the `metrics` crate's macros; the server installs the Prometheus
//! recorder and serves `/metrics`). Without a recorder, recording does nothing.

use metrics::{
    counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit,
};
use sea_orm::{DatabaseConnection, DbBackend};
use std::time::{Duration, Instant};

pub const WEBHOOK_DELIVERIES: &str = "stormwatch_webhook_deliveries_total";
pub const WEBHOOK_SECONDS: &str = "stormwatch_webhook_duration_seconds";
pub const ALERTS: &str = "stormwatch_alerts_total";
pub const LIVE_CLIENTS: &str = "stormwatch_live_clients";
pub const LIVE_EVENTS: &str = "stormwatch_live_events_published_total";
pub const LIVE_LAG: &str = "stormwatch_live_event_lag_seconds";
pub const MAIL: &str = "stormwatch_mail_total";
pub const DB_POOL_CONNECTIONS: &str = "stormwatch_db_pool_connections";
pub const DB_POOL_MAX: &str = "stormwatch_db_pool_max_connections";
pub const DB_POOL_WAIT: &str = "stormwatch_db_pool_acquire_seconds";
pub const HTTP_REQUESTS: &str = "stormwatch_http_requests_total";

/// The live lag's buckets, in seconds: finer, since its goal (alert to screen in 25 ms)
/// is spent in a few milliseconds per stage.
pub const LIVE_LAG_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.035, 0.05, 0.075, 0.1,
    0.25, 1.0, 10.0,
];

/// The webhook latency histogram's buckets, in seconds (a delivery is answered once it
/// is committed: milliseconds normally, up to the commit timeout).
pub const WEBHOOK_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];

/// Says what each figure means (the `# HELP` lines); once, when the recorder is set.
pub fn describe() {
    describe_counter!(
        WEBHOOK_DELIVERIES,
        "Webhook deliveries answered, by source kind and outcome (accepted, refused, malformed, unavailable, error)"
    );
    describe_histogram!(
        WEBHOOK_SECONDS,
        Unit::Seconds,
        "Time from a webhook delivery's arrival to its answer, by source kind"
    );
    describe_counter!(
        ALERTS,
        "Alerts in committed deliveries, by source kind and outcome (created, updated, resolved, repeated)"
    );
    describe_gauge!(LIVE_CLIENTS, "Browsers connected to the live stream now");
    describe_counter!(
        LIVE_EVENTS,
        "Committed changes this process published to its live streams"
    );
    describe_histogram!(
        LIVE_LAG,
        Unit::Seconds,
        "Time from a live event's append (inside the transaction that commits it) to its hand-over to this process's open streams: the commit, the pump's wake-up and its read"
    );
    describe_counter!(
        MAIL,
        "Email messages by what happened to them: queued (or kept in the outbox without SMTP), sent, failed (an attempt; retried with backoff)"
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database pool connections by state (in_use, idle), read at each scrape"
    );
    describe_gauge!(DB_POOL_MAX, "The database pool's most connections");
    describe_gauge!(
        DB_POOL_WAIT,
        Unit::Seconds,
        "Time the scrape waited to acquire a database connection (what a request would wait now)"
    );
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP responses by route (the router's pattern) and status"
    );
    // Present from the start (a series appears when first touched), so a dashboard
    // shows 0 rather than nothing.
    gauge!(LIVE_CLIENTS).increment(0.0);
    counter!(LIVE_EVENTS).increment(0);
    for outcome in ["queued", "outbox", "sent", "failed"] {
        counter!(MAIL, "outcome" => outcome).increment(0);
    }
}

/// A message's fate: `queued`, `outbox`, `sent` or `failed`.
pub fn mail(what: &'static str) {
    counter!(MAIL, "outcome" => what).increment(1);
}

pub fn live_published(events: u64) {
    counter!(LIVE_EVENTS).increment(events);
}

/// One event handed to the streams `lag` after it was appended.
pub fn live_lag(lag: chrono::TimeDelta) {
    histogram!(LIVE_LAG).record(lag.to_std().unwrap_or_default().as_secs_f64());
}

/// Counts a live stream's browser while it is held.
pub struct LiveClient(());

impl LiveClient {
    pub fn connected() -> Self {
        gauge!(LIVE_CLIENTS).increment(1.0);
        Self(())
    }
}

impl Drop for LiveClient {
    fn drop(&mut self) {
        gauge!(LIVE_CLIENTS).decrement(1.0);
    }
}

/// Reads the pool's state into its gauges: connections in use and idle, the most it may
/// open, and how long acquiring one takes now (given up after `limit`).
pub async fn read_pool(db: &DatabaseConnection, limit: Duration) {
    macro_rules! read {
        ($pool:expr) => {{
            let pool = $pool;
            let size = pool.size() as f64;
            let idle = pool.num_idle() as f64;
            gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(size - idle);
            gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
            gauge!(DB_POOL_MAX).set(pool.options().get_max_connections() as f64);
            let started = Instant::now();
            let waited = match tokio::time::timeout(limit, pool.acquire()).await {
                Ok(Ok(_connection)) => started.elapsed(),
                _ => limit,
            };
            gauge!(DB_POOL_WAIT).set(waited.as_secs_f64());
        }};
    }
    match db.get_database_backend() {
        DbBackend::Postgres => read!(db.get_postgres_connection_pool()),
        _ => read!(db.get_sqlite_connection_pool()),
    }
}
