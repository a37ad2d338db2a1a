//! The alert and live-update benchmark:
//!
//!     cargo bench -p server --bench live
//!
//! On SQLite (a temporary file) and on PostgreSQL (`TEST_POSTGRES_URL`, a fresh
//! database), with the real router on 127.0.0.1 in this process and its load generator
//! beside it (one machine, both sharing its cores, like `wrk` on the same host):
//!
//! 1. sustained ingest: `CONCURRENCY` connections post distinct generic alerts for
//!    `INGEST_SECONDS`; every 200 means that alert is committed. Prints alerts/s and the
//!    p50/p99 webhook latency;
//! 2. fan-out: `CLIENTS` signed-in live streams are connected, then a probe alert is
//!    posted every `PROBE_EVERY`; prints p50/p99 from the POST to each client's receipt,
//!    over every (probe, client) pair, and the process's memory.
//!
//! Prints figures; asserts nothing about time. `BENCH_SECONDS` overrides the durations.

mod common;

use app::{
    domain::{NewSource, SourceDraft},
    ssr::services::sources,
};
use leptos::server_fn::ServerFn;
use reqwest::Client;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

const CONCURRENCY: usize = 64;
const CLIENTS: usize = 200;
const PROBE_EVERY: Duration = Duration::from_millis(20);

#[tokio::main]
async fn main() {
    let seconds = common::seconds();
    println!(
        "alerts and live updates: {CONCURRENCY} connections for {seconds} s, then {CLIENTS} live clients"
    );
    common::on_both_databases(|backend, url| async move { run(backend, &url, seconds).await })
        .await;
}

async fn run(backend: &str, database_url: &str, seconds: u64) {
    let (base, state) = common::serve(database_url).await;
    let new = |name: &str| {
        NewSource::parse(&SourceDraft {
            kind: "generic".into(),
            name: name.into(),
            service: String::new(),
            signing_secret: String::new(),
        })
        .unwrap()
    };
    let storm = sources::add(&state.db, None, new("Storm"), &base)
        .await
        .unwrap();
    let probes = sources::add(&state.db, None, new("Probes"), &base)
        .await
        .unwrap();

    println!("{backend}:");
    let (rate, latencies) = ingest(&storm.url, Duration::from_secs(seconds)).await;
    println!(
        "  ingest: {rate:>8.0} alerts/s committed   webhook latency p50 {:>6.2} ms  p99 {:>6.2} ms",
        common::pct(&latencies, 50.0),
        common::pct(&latencies, 99.0)
    );
    let (received, expected, latencies) =
        fan_out(&base, &probes.url, Duration::from_secs(seconds)).await;
    println!(
        "  to {CLIENTS} live clients: webhook → client p50 {:>6.2} ms  p99 {:>6.2} ms  ({received}/{expected} deliveries)  RSS {} MB",
        common::pct(&latencies, 50.0),
        common::pct(&latencies, 99.0),
        common::rss_kb() / 1024,
    );
    state.db.close().await.ok();
}

/// Posts distinct alerts from `CONCURRENCY` connections; returns alerts/s and latencies (ms).
async fn ingest(url: &str, duration: Duration) -> (f64, Vec<f64>) {
    let client = Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, url, next) = (client.clone(), url.to_string(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while started.elapsed() < duration {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let body = format!(
                        r#"{{"dedup_key":"storm-{n}","title":"Storm alert {n}","severity":"warning","service":"storm-{}"}}"#,
                        n % 8
                    );
                    let sent = Instant::now();
                    let res = client.post(&url).header("content-type", "application/json").body(body).send().await;
                    match res {
                        Ok(r) if r.status() == 200 => latencies.push(sent.elapsed().as_secs_f64() * 1e3),
                        Ok(r) => panic!("delivery refused: {}", r.status()),
                        Err(e) => panic!("delivery failed: {e}"),
                    }
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    (rate, all)
}

/// Connects `CLIENTS` streams, posts a probe every `PROBE_EVERY`, and times each probe's
/// arrival at each client. Returns (deliveries seen, deliveries expected, latencies ms).
async fn fan_out(base: &str, probe_url: &str, duration: Duration) -> (usize, usize, Vec<f64>) {
    let viewer = Client::builder().cookie_store(true).build().unwrap();
    let login = viewer
        .post(format!(
            "{base}{}",
            <app::api::session::DevLogin as ServerFn>::PATH
        ))
        .header("accept", "application/json")
        .form(&[
            ("name", "Bench"),
            ("email", "bench@example.com"),
            ("role", "viewer"),
        ])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success(), "dev login: {}", login.status());
    let sent: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let res = viewer.get(format!("{base}/live")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let (sent, latencies, stop) = (sent.clone(), latencies.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let mut res = res;
            let mut newest = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let Ok(Ok(Some(chunk))) =
                    tokio::time::timeout(Duration::from_millis(200), res.chunk()).await
                else {
                    continue;
                };
                let arrived = Instant::now();
                let text = String::from_utf8_lossy(&chunk);
                // Each probe is alone in its own group: its number follows "probe-".
                for piece in text.split("\"title\":\"probe-").skip(1) {
                    let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
                    if let Ok(n) = digits.parse::<u64>() {
                        if n > newest {
                            newest = n;
                            if let Some(at) = sent.lock().unwrap().get(&n) {
                                latencies
                                    .lock()
                                    .unwrap()
                                    .push((arrived - *at).as_secs_f64() * 1e3);
                            }
                        }
                    }
                }
            }
        }));
    }
    // Let every stream subscribe before the first probe.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let poster = Client::new();
    let started = Instant::now();
    let mut probes = 0usize;
    let mut tick = tokio::time::interval(PROBE_EVERY);
    while started.elapsed() < duration {
        tick.tick().await;
        probes += 1;
        let n = probes as u64;
        let body =
            format!(r#"{{"dedup_key":"probe-{n}","title":"probe-{n}","service":"probe-{n}"}}"#);
        sent.lock().unwrap().insert(n, Instant::now());
        let res = poster
            .post(probe_url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }
    let latencies = std::mem::take(&mut *latencies.lock().unwrap());
    (latencies.len(), probes * CLIENTS, latencies)
}
