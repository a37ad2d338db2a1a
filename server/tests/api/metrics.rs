//! `/metrics`: Prometheus's text format behind `METRICS_TOKEN` (or loopback only
//! without one), counting what happens. The figures are the process's and tests run
//! side by side, so each test reads its own increase.

use crate::{
    helpers::{payload, spawn_app_with, Backend, TestApp},
    on_both_databases,
};

const TOKEN: &str = "scrape-me-8f2c";

async fn with_metrics_token(backend: Backend) -> (TestApp, ()) {
    let app = spawn_app_with(backend, |config, _| {
        config.metrics_token = Some(TOKEN.into())
    })
    .await;
    (app, ())
}

on_both_databases!(
    set_up = crate::metrics::with_metrics_token;
    metrics_need_the_token_and_count_a_webhook_delivery,
);

on_both_databases!(without_a_token_metrics_are_served_to_loopback,);

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("the server answers")
}

/// The value of the sample `name{labels}` (labels as Prometheus writes them, in
/// order), or 0 when it has none yet.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            (name == series).then(|| value.parse().unwrap())
        })
        .unwrap_or(0.0)
}

async fn metrics_need_the_token_and_count_a_webhook_delivery(app: &TestApp) {
    let none = scrape(app, None).await;
    assert_eq!(none.status(), 401);
    assert!(none.text().await.unwrap().contains("METRICS_TOKEN"));
    assert_eq!(scrape(app, Some("guess")).await.status(), 401);

    let before = scrape(app, Some(TOKEN)).await;
    assert_eq!(before.status(), 200);
    assert!(before.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let before = before.text().await.unwrap();

    let source = app.add_source("generic", "Circuit breakers", "").await;
    let delivered = app.deliver(&source.url, &payload("generic")).await;
    assert_eq!(delivered.status(), 200);
    let wrong = format!("{}x", source.url);
    assert_eq!(app.deliver(&wrong, &payload("generic")).await.status(), 404);
    let healthz = app.get("/healthz").await;
    assert_eq!(healthz.status(), 200);

    let after = scrape(app, Some(TOKEN)).await.text().await.unwrap();
    let grew = |series: &str| sample(&after, series) - sample(&before, series);
    assert!(
        grew(r#"stormwatch_webhook_deliveries_total{kind="generic",outcome="accepted"}"#) >= 1.0,
        "the delivery is counted:\n{after}"
    );
    assert!(
        grew(r#"stormwatch_webhook_deliveries_total{kind="unknown",outcome="refused"}"#) >= 1.0,
        "the refused one too"
    );
    assert!(grew(r#"stormwatch_alerts_total{kind="generic",outcome="created"}"#) >= 1.0);
    assert!(grew(r#"stormwatch_webhook_duration_seconds_count{kind="generic"}"#) >= 1.0);
    assert!(grew(r#"stormwatch_http_requests_total{route="/healthz",status="200"}"#) >= 1.0);
    assert!(
        after.contains(r#"stormwatch_db_pool_connections{state="in_use"}"#),
        "the pool is read at each scrape"
    );
    assert!(after.contains("# HELP stormwatch_live_clients"));
    // The alert's feed group is published after the answer: its way to the streams'
    // fan-out is timed once the pump has read it back.
    let lag = "stormwatch_live_event_lag_seconds_count";
    let mut lagged = sample(&after, lag) - sample(&before, lag);
    for _ in 0..50 {
        if lagged >= 1.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = scrape(app, Some(TOKEN)).await.text().await.unwrap();
        lagged = sample(&now, lag) - sample(&before, lag);
    }
    assert!(lagged >= 1.0, "the live event's lag is recorded");

    // The sample Grafana dashboard reads only figures the server writes.
    let dashboard = include_str!("../../../ops/grafana-dashboard.json");
    let mut read = 0;
    for word in dashboard.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if let Some(name) = word.strip_prefix("stormwatch_") {
            let name = ["_bucket", "_count", "_sum"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(name);
            assert!(
                after.contains(&format!("# TYPE stormwatch_{name} ")),
                "the dashboard reads stormwatch_{name}, which /metrics does not write"
            );
            read += 1;
        }
    }
    assert!(read >= 10, "the dashboard reads the figures ({read})");
}

async fn without_a_token_metrics_are_served_to_loopback(app: &TestApp) {
    // The test's client connects from 127.0.0.1.
    let res = scrape(app, None).await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("stormwatch_db_pool_max_connections"));
}
