//! The REST API listing a long history page by page, as a sync job would:
//!
//!     cargo bench -p server --bench api
//!
//! On SQLite and on PostgreSQL, with the real router on 127.0.0.1 in this process:
//! `INCIDENTS` incidents (two services each) written straight into the database, a
//! responder token, then `WALKS` walks through every page of `GET /api/v1/incidents`
//! at 50 and at 200 rows a page. Prints p50/p99 of one page's request and the time of a
//! whole walk; asserts only that every incident came back once.

mod common;

use app::{
    domain::{Severity, Status, TokenDraft},
    ssr::{
        entities::{incident, incident_service},
        services::automation::tokens,
    },
};
use chrono::{Duration as Span, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, Set, TransactionTrait};
use std::{collections::HashSet, time::Instant};

const INCIDENTS: i64 = 10_000;
const WALKS: usize = 5;

#[tokio::main]
async fn main() {
    println!("api: {INCIDENTS} incidents listed page by page, {WALKS} walks per page size");
    common::on_both_databases(|backend, url| async move { run(backend, &url).await }).await;
}

async fn run(backend: &str, database_url: &str) {
    // The limit is for people's scripts; the benchmark measures the route.
    let (base, state) =
        common::serve_with(database_url, |c| c.api_rate_per_minute = u32::MAX).await;
    let started = Instant::now();
    seed(&state.db).await;
    println!(
        "[{backend}] seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let token = tokens::create(
        &state.db,
        None,
        &TokenDraft {
            name: "bench".into(),
            role: "viewer".into(),
            expires_on: String::new(),
        },
    )
    .await
    .unwrap()
    .token;
    let client = reqwest::Client::new();
    for limit in [50, 200] {
        let mut pages = Vec::new();
        let mut walks = Vec::new();
        for _ in 0..WALKS {
            let walk = Instant::now();
            let mut seen = HashSet::new();
            let mut cursor: Option<String> = None;
            loop {
                let url = match &cursor {
                    Some(c) => format!("{base}/api/v1/incidents?limit={limit}&cursor={c}"),
                    None => format!("{base}/api/v1/incidents?limit={limit}"),
                };
                let one = Instant::now();
                let page: serde_json::Value = client
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                pages.push(one.elapsed().as_secs_f64() * 1000.0);
                for item in page["items"].as_array().unwrap() {
                    assert!(seen.insert(item["number"].as_i64().unwrap()));
                }
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_string()),
                    None => break,
                }
            }
            assert_eq!(seen.len() as i64, INCIDENTS, "every incident once");
            walks.push(walk.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "[{backend}] {limit:>3} a page: one page p50 {:>6.2} ms  p99 {:>6.2} ms; a whole walk ({} pages) p50 {:>7.0} ms",
            common::pct(&pages, 50.0),
            common::pct(&pages, 99.0),
            INCIDENTS / limit,
            common::pct(&walks, 50.0),
        );
    }
    println!("[{backend}] process RSS {} MB", common::rss_kb() / 1024);
}

/// Writes the incidents straight into the database, in batches.
async fn seed(db: &DatabaseConnection) {
    let now = Utc::now();
    let services = common::services(db, 10).await;
    let me = app::ssr::services::users::sign_in_dev_user(
        db,
        app::domain::DevLogin::parse("Bench", "bench@example.com", "responder").unwrap(),
    )
    .await
    .unwrap()
    .id;
    let txn = db.begin().await.unwrap();
    for chunk in (1..=INCIDENTS).collect::<Vec<_>>().chunks(1000) {
        let rows = chunk.iter().map(|&i| {
            let started = now - Span::minutes(INCIDENTS - i);
            incident::ActiveModel {
                id: Set(i),
                title: Set(format!("Incident {i}")),
                summary: Set("Sends are timing out for some customers.".into()),
                severity: Set(Severity::ALL[(i % 4) as usize]),
                status: Set(if i > INCIDENTS - 20 {
                    Status::Investigating
                } else {
                    Status::Resolved
                }),
                started_at: Set(started),
                detected_at: Set(started),
                resolved_at: Set((i <= INCIDENTS - 20).then(|| started + Span::minutes(30))),
                leader_id: Set(Some(me)),
                created_by: Set(me),
                updated_at: Set(started),
                customer_rows: Set(0),
                customer_orgs: Set(0),
                customer_apps: Set(0),
            }
        });
        incident::Entity::insert_many(rows)
            .exec(&txn)
            .await
            .unwrap();
        let links = chunk.iter().flat_map(|&i| {
            [i % 10, (i + 3) % 10].map(|s| incident_service::ActiveModel {
                incident_id: Set(i),
                service_id: Set(services[s as usize]),
            })
        });
        incident_service::Entity::insert_many(links)
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared(
            "SELECT setval('incidents_id_seq', (SELECT max(id) FROM incidents)); ANALYZE",
        )
        .await
        .unwrap();
    }
}
