//! What viewers and responders read, with years of history behind it:
//!
//!     cargo bench -p server --bench views
//!
//! On SQLite and on PostgreSQL, with the real router on 127.0.0.1 in this process:
//! `INCIDENTS` incidents over two years (20 still open), `EVENTS` timeline lines,
//! `ALERTS` alerts, postmortems and corrective actions for a third of them, written
//! straight into the database; then `READS` server renders (a GET of the page, as a
//! browser's first visit asks for it) of the dashboard, the status view, the history
//! (first page, a filter, a search) and insights, and the server function the insights
//! page calls when navigated to. Prints p50/p99 of each and the process's memory;
//! asserts nothing about time.

mod common;

use app::{
    domain::{ActionStatus, AlertState, Channel, EventKind, PostmortemStatus, Severity, Status},
    ssr::entities::{
        alert, alert_source, corrective_action, incident, incident_service, postmortem,
        timeline_event,
    },
};
use chrono::{DateTime, Duration as Span, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use std::time::Instant;

const INCIDENTS: i64 = 10_000;
const EVENTS: i64 = 1_000_000;
const ALERTS: i64 = 100_000;
const READS: usize = 200;
/// Words the channel's messages are made of; the search looks for a rare one.
const WORDS: [&str; 12] = [
    "restarted",
    "the",
    "queue",
    "memcached",
    "deploy",
    "rolled",
    "back",
    "latency",
    "replica",
    "failover",
    "cache",
    "tokenizer",
];

#[tokio::main]
async fn main() {
    println!(
        "views: {INCIDENTS} incidents, {EVENTS} timeline lines, {ALERTS} alerts; {READS} renders of each page"
    );
    common::on_both_databases(|backend, url| async move { run(backend, &url).await }).await;
}

async fn run(backend: &str, database_url: &str) {
    let (base, state) = common::serve(database_url).await;
    let client = common::signed_in(&base, "reader").await;

    let seeding = Instant::now();
    seed(&state.db).await;
    if backend == "PostgreSQL" {
        state.db.execute_unprepared("ANALYZE").await.unwrap();
    }
    println!(
        "[{backend}] seeded in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );

    let insights_fn = <app::api::insights::ReadInsights as leptos::server_fn::ServerFn>::PATH;
    for (what, path) in [
        ("dashboard /", "/"),
        ("status view /status", "/status"),
        ("history, first page", "/incidents"),
        (
            "history, a filter (SEV1, resolved)",
            "/incidents?severity=SEV1&status=resolved",
        ),
        (
            "history, a search (one rare word)",
            "/incidents?q=tokenizer",
        ),
        (
            "history, a search (two words)",
            "/incidents?q=failover+replica",
        ),
        ("insights /insights (12 months)", "/insights"),
        (
            "insights, 24 months, one service",
            "/insights?months=24&service=svc3",
        ),
    ] {
        let mut times = Vec::with_capacity(READS);
        for _ in 0..READS {
            let started = Instant::now();
            let res = client.get(format!("{base}{path}")).send().await.unwrap();
            assert!(res.status().is_success(), "{path}: {}", res.status());
            res.bytes().await.unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        report(backend, what, &times);
    }
    let mut times = Vec::with_capacity(READS);
    for _ in 0..READS {
        let started = Instant::now();
        common::call(&client, &base, insights_fn, &[])
            .await
            .bytes()
            .await
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    report(backend, "insights server function (navigation)", &times);
    println!(
        "[{backend}] process memory (server and load generator): {} MB",
        common::rss_kb() / 1024
    );
}

fn report(backend: &str, what: &str, times: &[f64]) {
    println!(
        "[{backend}] {what:<40} p50 {:>7.2} ms  p99 {:>7.2} ms",
        common::pct(times, 50.0),
        common::pct(times, 99.0)
    );
}

/// Writes the history straight into the database, in batches.
async fn seed(db: &DatabaseConnection) {
    let now = Utc::now();
    let two_years = Span::days(730);
    let me = 1_i64; // the reader signed in first
    let started_of =
        |i: i64| now - two_years + Span::seconds(two_years.num_seconds() * i / INCIDENTS);
    // The source the alerts come from, added as the admin page adds one.
    let new = app::domain::NewSource::parse(&app::domain::SourceDraft {
        kind: "generic".into(),
        name: "Bench".into(),
        service: String::new(),
        signing_secret: String::new(),
    })
    .unwrap();
    let issued = app::ssr::services::sources::add(db, None, new, "http://127.0.0.1")
        .await
        .unwrap();
    let source = alert_source::Entity::find()
        .filter(alert_source::Column::PublicId.eq(issued.public_id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let services = common::services(db, 10).await;

    let txn = db.begin().await.unwrap();
    let mut rows = Vec::new();
    for i in 1..=INCIDENTS {
        let started = started_of(i);
        let open = i > INCIDENTS - 20;
        let severity = Severity::ALL[(i % 7).min(3) as usize];
        rows.push(incident::ActiveModel {
            id: Set(i),
            title: Set(format!(
                "Incident {i}: {} on svc{}",
                WORDS[(i % 12) as usize],
                i % 10
            )),
            summary: Set("Sends are timing out for some customers.".into()),
            severity: Set(severity),
            status: Set(if open {
                Status::Investigating
            } else {
                Status::Resolved
            }),
            started_at: Set(started),
            detected_at: Set(started + Span::minutes(5 + i % 20)),
            resolved_at: Set((!open).then(|| started + Span::minutes(30 + (i * 37) % 600))),
            leader_id: Set(Some(me)),
            created_by: Set(me),
            updated_at: Set(started),
            customer_rows: Set(0),
            customer_orgs: Set(0),
            customer_apps: Set(0),
        });
        if rows.len() == 1000 {
            incident::Entity::insert_many(std::mem::take(&mut rows))
                .exec(&txn)
                .await
                .unwrap();
        }
    }
    let links: Vec<_> = (1..=INCIDENTS)
        .map(|i| incident_service::ActiveModel {
            incident_id: Set(i),
            service_id: Set(services[(i % 10) as usize]),
        })
        .collect();
    for chunk in links.chunks(5000) {
        incident_service::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();

    let per_incident = EVENTS / INCIDENTS;
    let mut batch = Vec::new();
    let mut txn = db.begin().await.unwrap();
    for n in 0..EVENTS {
        let i = n / per_incident + 1;
        let k = n % per_incident;
        let at = started_of(i) + Span::minutes(5 + k);
        let (kind, body) = if k == 0 {
            (
                EventKind::Declared,
                "declared the incident as SEV2 (Investigating)".to_string(),
            )
        } else {
            // "tokenizer" in one message of 200; the rest from the common words.
            let rare = if n % 200 == 0 {
                "tokenizer"
            } else {
                WORDS[(n % 11) as usize]
            };
            (
                EventKind::Message,
                format!(
                    "{} {} {} {rare}",
                    WORDS[(n % 7) as usize],
                    WORDS[(n % 5) as usize + 1],
                    WORDS[(n % 3) as usize + 2]
                ),
            )
        };
        batch.push(timeline_event::ActiveModel {
            incident_id: Set(i),
            channel: Set(Channel::Incident),
            kind: Set(kind),
            author_id: Set(Some(me)),
            body: Set(body),
            data: Set("{}".into()),
            occurred_at: Set(at),
            parent_id: Set(None),
            edited_at: Set(None),
            ..Default::default()
        });
        if batch.len() == 2000 {
            timeline_event::Entity::insert_many(std::mem::take(&mut batch))
                .exec(&txn)
                .await
                .unwrap();
        }
        if (n + 1) % 100_000 == 0 {
            txn.commit().await.unwrap();
            txn = db.begin().await.unwrap();
        }
    }
    txn.commit().await.unwrap();

    let txn = db.begin().await.unwrap();
    let mut batch = Vec::new();
    for n in 0..ALERTS {
        // Ten alerts an incident; the last 200 untriaged and firing on the feed.
        let untriaged = n >= ALERTS - 200;
        let i = n % INCIDENTS + 1;
        let seen: DateTime<Utc> = if untriaged {
            now - Span::minutes(n % 60)
        } else {
            started_of(i) + Span::minutes(n % 4)
        };
        batch.push(alert::ActiveModel {
            source_id: Set(source.id),
            dedup_key: Set(format!("key-{n}")),
            title: Set(format!("Check failed: svc{}", i % 10)),
            severity: Set(None),
            status: Set(if untriaged {
                AlertState::Firing
            } else {
                AlertState::Resolved
            }),
            service: Set(format!("svc{}", i % 10)),
            details: Set("{}".into()),
            url: Set(None),
            first_seen_at: Set(seen),
            last_seen_at: Set(seen),
            resolved_at: Set((!untriaged).then_some(seen + Span::minutes(30))),
            occurrences: Set(1),
            incident_id: Set((!untriaged).then_some(i)),
            ..Default::default()
        });
        if batch.len() == 2000 {
            alert::Entity::insert_many(std::mem::take(&mut batch))
                .exec(&txn)
                .await
                .unwrap();
        }
    }
    txn.commit().await.unwrap();

    // A postmortem for every third resolved incident (published within a day, mostly),
    // each with two corrective actions, one of them done.
    let txn = db.begin().await.unwrap();
    let mut pms = Vec::new();
    let mut actions = Vec::new();
    for i in (3..=INCIDENTS - 20).step_by(3) {
        let resolved = started_of(i) + Span::minutes(30 + (i * 37) % 600);
        let published = resolved + Span::hours(6 + i % 40);
        pms.push(postmortem::ActiveModel {
            id: Set(i),
            incident_id: Set(i),
            status: Set(PostmortemStatus::Published),
            started_by: Set(me),
            started_at: Set(resolved),
            meeting_at: Set(None),
            published_at: Set(Some(published)),
            updated_at: Set(published),
            search_text: Set("The replica failover took too long; the cache was cold.".into()),
        });
        for a in 0..2 {
            let done = a == 0;
            actions.push(corrective_action::ActiveModel {
                postmortem_id: Set(i),
                incident_id: Set(i),
                title: Set(format!("Fix {i}.{a}")),
                assignee_id: Set(me),
                due_on: Set(started_of(i).date_naive() + Span::days(14)),
                incident_on: Set(started_of(i).date_naive()),
                answers: Set(None),
                ticket_url: Set(None),
                from_post: Set(None),
                status: Set(if done {
                    ActionStatus::Done
                } else {
                    ActionStatus::Open
                }),
                done_at: Set(done.then_some(published + Span::days(3))),
                done_by: Set(done.then_some(me)),
                reason: Set(None),
                version: Set(1),
                created_by: Set(me),
                created_at: Set(published),
                updated_at: Set(published),
                ..Default::default()
            });
        }
        if pms.len() == 500 {
            postmortem::Entity::insert_many(std::mem::take(&mut pms))
                .exec(&txn)
                .await
                .unwrap();
            corrective_action::Entity::insert_many(std::mem::take(&mut actions))
                .exec(&txn)
                .await
                .unwrap();
        }
    }
    if !pms.is_empty() {
        postmortem::Entity::insert_many(pms)
            .exec(&txn)
            .await
            .unwrap();
        corrective_action::Entity::insert_many(actions)
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Ids were given: the sequences continue after them.
        for table in ["incidents", "postmortems"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await
            .unwrap();
        }
    }
}
