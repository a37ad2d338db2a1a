use crate::{helpers::TestApp, on_both_databases};

on_both_databases!(health_check_reports_the_database);

async fn health_check_reports_the_database(app: &TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}
