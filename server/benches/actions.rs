//! The corrective-action tracker with many actions:
//!
//!     cargo bench -p server --bench actions
//!
//! On SQLite and on PostgreSQL, with the real router on 127.0.0.1 in this process:
//! `ACTIONS` actions (a third of them done) over `INCIDENTS` postmortems and
//! `PEOPLE` assignees, then the tracker read over HTTP as the browser reads it (the
//! server function, JSON): every open action (its first page), "Mine", one service,
//! and the whole CSV export. Prints p50/p99 per kind; asserts nothing about time.

mod common;

use app::{
    api::{actions::ActionTracker, incidents::DeclareIncident, postmortems::StartPostmortem},
    domain::ActionStatus,
    ssr::entities::{corrective_action, postmortem},
};
use chrono::{Duration as Days, Utc};
use leptos::server_fn::ServerFn;
use reqwest::Client;
use sea_orm::{EntityTrait, Set};
use std::time::{Duration, Instant};

const ACTIONS: usize = 10_000;
const INCIDENTS: usize = 100;
const PEOPLE: usize = 20;
const READS: usize = 40;

#[tokio::main]
async fn main() {
    println!("actions: the tracker over {ACTIONS} actions, {INCIDENTS} postmortems, {PEOPLE} assignees; {READS} reads of each kind");
    common::on_both_databases(|backend, url| async move { run(backend, &url).await }).await;
}

/// A signed-in responder and their user id.
async fn signed_in(base: &str, name: &str) -> (Client, i64) {
    let client = common::signed_in(base, name).await;
    let me: serde_json::Value = client
        .post(format!("{base}{}", app::api::session::Me::PATH))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (client, me["id"].as_i64().unwrap())
}

async fn run(backend: &str, database_url: &str) {
    let (base, state) = common::serve(database_url).await;
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        people.push(signed_in(&base, &format!("owner{i}")).await);
    }
    let (lead, lead_id) = people[0].clone();
    let seeding = Instant::now();
    for i in 0..INCIDENTS {
        let service = format!("svc{}", i % 10);
        let number: i64 = common::call(
            &lead,
            &base,
            DeclareIncident::PATH,
            &[
                ("title", &format!("Outage {i}")),
                ("services", &service),
                ("severity", "SEV2"),
                ("started_at", ""),
                ("summary", "x"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
        common::call(
            &lead,
            &base,
            StartPostmortem::PATH,
            &[("number", &number.to_string())],
        )
        .await;
    }
    let ids: Vec<(i64, i64)> = postmortem::Entity::find()
        .all(&state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id, p.incident_id))
        .collect();
    let now = Utc::now();
    let today = now.date_naive();
    let rows: Vec<corrective_action::ActiveModel> = (0..ACTIONS)
        .map(|k| {
            let (pm, incident) = ids[k % ids.len()];
            let done = k % 3 == 0;
            corrective_action::ActiveModel {
                postmortem_id: Set(pm),
                incident_id: Set(incident),
                title: Set(format!("Corrective action {k}")),
                assignee_id: Set(people[k % PEOPLE].1),
                due_on: Set(today + Days::days((k % 60) as i64)),
                incident_on: Set(today),
                answers: Set(None),
                ticket_url: Set(None),
                from_post: Set(None),
                status: Set(if done {
                    ActionStatus::Done
                } else {
                    ActionStatus::Open
                }),
                done_at: Set(done.then_some(now)),
                done_by: Set(done.then_some(lead_id)),
                reason: Set(None),
                version: Set(1),
                created_by: Set(lead_id),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for batch in rows.chunks(500) {
        corrective_action::Entity::insert_many(batch.to_vec())
            .exec_without_returning(&state.db)
            .await
            .unwrap();
    }
    println!(
        "{backend}: seeded in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let (mine, _) = &people[1];
    for (label, client, form) in [
        ("every open action", &lead, vec![]),
        ("Mine", mine, vec![("assignee", "me")]),
        ("one service", &lead, vec![("service", "svc3")]),
    ] {
        let mut samples = Vec::new();
        let mut rows = 0;
        for _ in 0..READS {
            let started = Instant::now();
            let page: serde_json::Value = common::call(client, &base, ActionTracker::PATH, &form)
                .await
                .json()
                .await
                .unwrap();
            samples.push(started.elapsed().as_secs_f64() * 1e3);
            rows = page["rows"].as_array().unwrap().len();
        }
        println!(
            "  {label:<18} p50 {:>7.2} ms  p99 {:>7.2} ms  ({rows} rows shown)",
            common::pct(&samples, 50.0),
            common::pct(&samples, 99.0)
        );
    }
    let mut samples = Vec::new();
    let mut lines = 0;
    for _ in 0..READS / 4 {
        let started = Instant::now();
        let csv = lead
            .get(format!("{base}/actions.csv"))
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        samples.push(started.elapsed().as_secs_f64() * 1e3);
        lines = csv.lines().count() - 1;
    }
    println!(
        "  {:<18} p50 {:>7.2} ms  p99 {:>7.2} ms  ({lines} rows)",
        "CSV of all open",
        common::pct(&samples, 50.0),
        common::pct(&samples, 99.0)
    );
    state.db.clone().close().await.ok();
}
