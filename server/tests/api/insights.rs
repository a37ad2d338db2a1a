//! Insights on both databases: the figures of a seeded set of incidents (an alerted one
//! acknowledged 12 minutes after its alert, one resolved the next day, one reopened),
//! each chart drawn, each chart's CSV equal to its table, viewers reading it, and bad
//! filters named.

use crate::{
    helpers::{declare, TestApp},
    on_both_databases,
};
use app::{
    api::{
        incidents::{ChangeStatus, DeclareIncident},
        insights::ReadInsights,
    },
    model::insights::ChartKind,
    ssr::entities::{alert, incident},
};
use chrono::{Duration, Utc};
use leptos::server_fn::ServerFn;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::Value;

on_both_databases!(
    the_charts_measure_what_happened_and_each_csv_equals_its_table,
    bad_choices_are_named,
);

async fn read(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Value {
    app.read_filtered(client, ReadInsights::PATH, query).await
}

/// A chart's table: (columns, rows).
fn table(insights: &Value, kind: ChartKind) -> (Vec<String>, Vec<Vec<String>>) {
    let chart = insights["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == serde_json::to_value(kind).unwrap())
        .unwrap_or_else(|| panic!("{kind:?} is drawn"));
    assert!(
        chart["svg"].as_str().unwrap().starts_with("<svg"),
        "{kind:?} has its picture"
    );
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    (
        strings(&chart["table"]["columns"]),
        chart["table"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(strings)
            .collect(),
    )
}

/// The row of a table whose first cell is `first`.
fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == first)
        .unwrap_or_else(|| panic!("a row for {first} in {rows:?}"))
}

/// Sets an incident's recorded moments, as if it had happened hours ago.
async fn happened(
    app: &TestApp,
    number: i64,
    started: chrono::DateTime<Utc>,
    declared: chrono::DateTime<Utc>,
    resolved: Option<chrono::DateTime<Utc>>,
) {
    let mut row = incident::Entity::find_by_id(number)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    row.started_at = Set(started);
    row.detected_at = Set(declared);
    if resolved.is_some() {
        row.resolved_at = Set(resolved);
    }
    row.update(&app.db).await.unwrap();
}

async fn the_charts_measure_what_happened_and_each_csv_equals_its_table(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    let now = Utc::now();
    let day_ago = now - Duration::days(10);
    let form_time = day_ago.format("%Y-%m-%dT%H:%M").to_string();

    // Alerted: a circuit breaker fired, someone declared it 12 minutes later; resolved
    // 5 hours after it started.
    let source = app.add_source("generic", "Breakers", "push-api").await;
    let res = app
        .deliver(
            &source.url,
            &serde_json::json!({"dedup_key": "cb-1", "title": "Breaker open", "service": "push-api"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let alert_row = alert::Entity::find().one(&app.db).await.unwrap().unwrap();
    let res = app
        .call::<DeclareIncident>(&[
            ("title", "Breaker open on push-api"),
            ("services", "push-api"),
            ("severity", "SEV1"),
            ("started_at", &form_time),
            ("summary", "Pushes fail."),
            ("alert", &alert_row.id.to_string()),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let alerted: i64 = res.json().await.unwrap();
    // Nobody was alerted to these two.
    let overnight = declare(app, "Scheduler stuck overnight", "SEV3", &form_time).await;
    let reopened = declare(app, "Login flaps", "SEV3", &form_time).await;
    for (number, statuses) in [
        (alerted, &["resolved"][..]),
        (overnight, &["resolved"]),
        (reopened, &["resolved", "investigating"]),
    ] {
        for status in statuses {
            let res = app
                .call::<ChangeStatus>(&[("number", &number.to_string()), ("status", status)])
                .await;
            assert_eq!(res.status(), 200);
        }
    }
    let start = day_ago;
    let mut seen = alert_row.into_active_model();
    seen.first_seen_at = Set(start + Duration::minutes(3));
    seen.update(&app.db).await.unwrap();
    happened(
        app,
        alerted,
        start,
        start + Duration::minutes(15),
        Some(start + Duration::hours(5)),
    )
    .await;
    happened(
        app,
        overnight,
        start,
        start + Duration::minutes(40),
        Some(start + Duration::hours(26)),
    )
    .await;
    happened(app, reopened, start, start + Duration::minutes(5), None).await;

    let viewer = app.sign_in("vic", "viewer").await;
    let insights = read(app, &viewer.client, &[("months", "3")]).await;
    assert_eq!(insights["incidents"], 3);

    let (columns, weeks) = table(&insights, ChartKind::IncidentsPerWeek);
    assert_eq!(
        columns,
        ["Week of", "SEV1", "SEV2", "SEV3", "SEV4", "Total"]
    );
    let total = |column: usize| -> u64 {
        weeks
            .iter()
            .map(|r| r[column].parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!((total(1), total(3), total(5)), (1, 2, 3));
    assert!(weeks.len() >= 9, "every week of three months is listed");

    // Only the alerted one has a time to acknowledge: 12 minutes.
    let (_, mtta) = table(&insights, ChartKind::MttaPerMonth);
    let measured: u64 = mtta.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(measured, 1);
    let (_, severity) = table(&insights, ChartKind::BySeverity);
    assert_eq!(
        row(&severity, "SEV1")[1..],
        ["1", "12.0", "12.0", "5.0", "5.0"]
    );
    // The reopened one is not resolved; the overnight one took 26 hours.
    assert_eq!(row(&severity, "SEV3")[1..], ["2", "", "", "26.0", "26.0"]);
    let (_, mttr) = table(&insights, ChartKind::MttrPerMonth);
    let resolved: u64 = mttr.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(resolved, 2);
    let (_, services) = table(&insights, ChartKind::ByService);
    assert_eq!(row(&services, "push-api")[1], "3");
    assert_eq!(row(&services, "scheduler")[1], "2");
    // Resolved ten days ago, no postmortem: both overdue and neither on time.
    let (_, postmortems) = table(&insights, ChartKind::PostmortemsOnTime);
    let due: u64 = postmortems
        .iter()
        .map(|r| r[1].parse::<u64>().unwrap())
        .sum();
    let on_time: u64 = postmortems
        .iter()
        .map(|r| r[3].parse::<u64>().unwrap())
        .sum();
    assert_eq!((due, on_time), (2, 0));

    let filtered = read(
        app,
        &viewer.client,
        &[("months", "3"), ("severity", "SEV1")],
    )
    .await;
    assert_eq!(filtered["incidents"], 1);
    let filtered = read(app, &viewer.client, &[("service", "scheduler")]).await;
    assert_eq!(filtered["incidents"], 2);

    // Each chart's CSV is its table, cell for cell.
    for kind in ChartKind::ALL {
        let (columns, rows) = table(&insights, kind);
        let res = viewer
            .client
            .get(app.url(&format!("/insights.csv?months=3&chart={}", kind.key())))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{kind:?}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let body = res.text().await.unwrap();
        let mut lines = body.lines();
        assert_eq!(lines.next().unwrap(), columns.join(","), "{kind:?} header");
        let read_rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        assert_eq!(read_rows, rows, "{kind:?} rows");
    }
    let anonymous = reqwest::Client::new()
        .get(app.url("/insights.csv?chart=by-severity"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

async fn bad_choices_are_named(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    for (field, value) in [("months", "7"), ("months", "many"), ("severity", "SEV9")] {
        let key = format!("filter[{field}]");
        let res = app
            .call_as(&app.client, ReadInsights::PATH, &[(&key, value)])
            .await;
        assert_eq!(res.status(), 422, "{field}={value}");
        let body = res.text().await.unwrap();
        assert!(body.contains(&format!("\"{field}\"")), "{field}: {body}");
    }
    let res = app.get("/insights.csv?chart=pie").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("chart"));
}
