//! The affected-customers benchmark: import 100,000 rows the way the page does (the
//! browser reads and checks the sheet, the server checks and stages it in batches, then
//! saves it in one transaction), then serve pages of the table with them present.
//!
//!     cargo bench -p server --bench customers
//!
//! Runs on SQLite (a temporary file) and on PostgreSQL (`TEST_POSTGRES_URL`, default
//! postgres://postgres@127.0.0.1:5432/test; a fresh database, dropped afterwards).
//! Prints figures; asserts nothing about time.

mod common;

use app::{
    domain::{plan_import, Role},
    model::{customers::STAGE_BATCH, session::CurrentUser},
    ssr::{
        db,
        entities::{incident, user},
        services::customers::{self, Query},
    },
};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use std::time::{Duration, Instant};

const ROWS: usize = 100_000;
const PAGE_SAMPLES: usize = 50;

#[tokio::main]
async fn main() {
    let sheet = sheet();
    println!(
        "affected customers: {ROWS} rows, {} KB of tab-separated text",
        sheet.len() / 1024
    );
    let started = Instant::now();
    let plan = plan_import(&sheet).expect("the sheet reads");
    println!(
        "  read and check the sheet (domain, as in the browser): {:>8.0} ms",
        ms(started.elapsed())
    );
    assert_eq!(plan.valid.len(), ROWS);

    let plan = &plan;
    common::on_both_databases(|backend, url| async move { run(backend, &url, &plan.valid).await })
        .await;
}

fn sheet() -> String {
    let mut text = String::from("org_name\torg_id\tapp_id\tcampaign_id\tnote\n");
    for i in 0..ROWS {
        text.push_str(&format!(
            "Customer {i}\torg-{i:06}\tapp-{}\t{}\t{}\n",
            i % 5_000,
            if i % 3 == 0 {
                format!("camp-{}", i % 97)
            } else {
                String::new()
            },
            if i % 10 == 0 { "key account" } else { "" }
        ));
    }
    text
}

async fn run(label: &str, url: &str, rows: &[(usize, app::domain::Customer)]) {
    let db = db::connect(url).await.expect("the database opens");
    let (actor, number) = fixture(&db).await;

    let started = Instant::now();
    let mut import_id = String::new();
    let mut staged = 0;
    for batch in rows.chunks(STAGE_BATCH) {
        let report = customers::stage(&db, number, &import_id, batch)
            .await
            .unwrap();
        import_id = report.import_id;
        staged += report.staged;
    }
    let staging = started.elapsed();
    let saving_started = Instant::now();
    let added = customers::commit(&db, &actor, number, &import_id)
        .await
        .unwrap();
    let saving = saving_started.elapsed();
    assert_eq!((staged, added), (ROWS, ROWS as u64));
    println!("{label}:");
    println!(
        "  import {ROWS} rows: {:>8.0} ms  (check + stage {} batches: {:.0} ms, save in one transaction: {:.0} ms)  target < 5000 ms",
        ms(staging + saving),
        rows.len().div_ceil(STAGE_BATCH),
        ms(staging),
        ms(saving)
    );

    for (what, sort, descending, filter, page) in [
        ("first page, oldest first", "added_at", false, "", 0),
        (
            "first page by org name, descending",
            "org_name",
            true,
            "",
            0,
        ),
        ("page 1000 by org_id", "org_id", false, "", 1000),
        ("filtered 'camp-42'", "org_id", false, "camp-42", 0),
    ] {
        let query = Query::parse(sort, descending, filter, page).unwrap();
        let mut times = Vec::with_capacity(PAGE_SAMPLES);
        for _ in 0..PAGE_SAMPLES {
            let started = Instant::now();
            let page = customers::page(&db, number, &query, chrono_tz::UTC)
                .await
                .unwrap();
            times.push(started.elapsed());
            assert_eq!(page.counts.rows, ROWS as u64);
        }
        times.sort();
        println!(
            "  serve one page ({what}): p50 {:>6.1} ms  p99 {:>6.1} ms  target < 30 ms",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 99 / 100])
        );
    }
    db.close().await.ok();
}

async fn fixture(db: &DatabaseConnection) -> (CurrentUser, i64) {
    let now = Utc::now();
    let person = user::ActiveModel {
        subject: Set(None),
        email: Set("bench@example.com".into()),
        name: Set("Bench".into()),
        role: Set(Role::Responder),
        disabled: Set(false),
        created_at: Set(now),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let incident = incident::ActiveModel {
        title: Set("Benchmark".into()),
        summary: Set(String::new()),
        severity: Set(app::domain::Severity::Sev2),
        status: Set(app::domain::Status::Investigating),
        started_at: Set(now),
        detected_at: Set(now),
        resolved_at: Set(None),
        leader_id: Set(None),
        created_by: Set(person.id),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    (person.into(), incident.id)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
