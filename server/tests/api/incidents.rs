use crate::{
    helpers::{declare, incident, timeline_bodies, TestApp},
    on_both_databases,
};
use app::api::incidents::{
    ChangeSeverity, ChangeStatus, DeclareIncident, GetIncident, ListIncidents,
};
use app::{
    domain::AppError,
    model::{incidents::IncidentDetail, wire::POSTCARD},
};
use leptos::server_fn::ServerFn;
use reqwest::header;
use serde_json::Value;

on_both_databases!(
    a_responder_declares_an_incident_and_sees_it,
    bad_input_names_the_field_and_saves_nothing,
    an_incident_moves_through_every_status_on_the_record,
    severity_changes_are_recorded_and_a_no_change_is_refused,
    a_viewer_can_read_but_not_change_anything,
    the_dashboard_puts_the_worst_open_incidents_first,
    an_unknown_incident_is_a_real_404,
    forms_work_without_javascript,
    services_are_shared_between_incidents,
    the_pages_read_postcard_and_everyone_else_json,
);

async fn list(app: &TestApp) -> Vec<Value> {
    let res = app.call::<ListIncidents>(&[]).await;
    assert_eq!(res.status(), 200);
    let listed: Value = res.json().await.unwrap();
    listed["rows"].as_array().unwrap().clone()
}

async fn a_responder_declares_an_incident_and_sees_it(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push campaigns failing", "SEV2", "").await;

    let found = incident(app, number).await;
    assert_eq!(found["title"], "Push campaigns failing");
    assert_eq!(found["severity"], "Sev2");
    assert_eq!(found["status"], "Investigating");
    assert_eq!(
        found["services"],
        serde_json::json!(["push-api", "scheduler"])
    );
    assert_eq!(found["declared_by"], "Ada");
    assert_eq!(found["resolved"], Value::Null);
    assert_eq!(
        timeline_bodies(&found),
        ["declared the incident as SEV2 (Investigating)"]
    );
    assert_eq!(found["timeline"][0]["author"], "Ada");

    let dashboard = app.get("/").await;
    assert_eq!(dashboard.status(), 200);
    let html = dashboard.text().await.unwrap();
    assert!(
        html.contains("Push campaigns failing"),
        "the dashboard lists it"
    );
    assert!(
        html.contains(&format!("href=\"/incidents/{number}\"")),
        "and links to it"
    );

    let page = app.get(&format!("/incidents/{number}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("declared the incident as SEV2"),
        "the page shows the timeline"
    );
}

async fn bad_input_names_the_field_and_saves_nothing(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let cases = [
        (
            "title",
            [("title", "   "), ("severity", "SEV2"), ("started_at", "")],
        ),
        (
            "severity",
            [
                ("title", "Outage"),
                ("severity", "SEV0"),
                ("started_at", ""),
            ],
        ),
        (
            "started_at",
            [
                ("title", "Outage"),
                ("severity", "SEV1"),
                ("started_at", "2999-01-01T00:00"),
            ],
        ),
    ];
    for (field, fields) in cases {
        let mut form = fields.to_vec();
        form.extend([("services", "api"), ("summary", "")]);
        let res = app.call::<DeclareIncident>(&form).await;
        assert_eq!(res.status(), 422, "{field}");
        let body: Value = res.json().await.unwrap();
        let errors = body["Validation"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{field}: {errors:?}");
        assert_eq!(errors[0]["field"], field);
    }
    assert!(list(app).await.is_empty(), "nothing was saved");
}

async fn an_incident_moves_through_every_status_on_the_record(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Database down", "SEV1", "").await.to_string();
    for status in ["identified", "monitoring", "resolved"] {
        let res = app
            .call::<ChangeStatus>(&[("number", &number), ("status", status)])
            .await;
        assert_eq!(res.status(), 200, "to {status}");
    }
    let found = incident(app, number.parse().unwrap()).await;
    assert_eq!(found["status"], "Resolved");
    assert!(
        found["resolved"]["iso"].is_string(),
        "resolving stamps the time"
    );
    assert_eq!(
        timeline_bodies(&found)[1..],
        [
            "changed status from Investigating to Identified",
            "changed status from Identified to Monitoring",
            "changed status from Monitoring to Resolved",
        ]
    );

    // Reopening clears the resolution time.
    let res = app
        .call::<ChangeStatus>(&[("number", &number), ("status", "investigating")])
        .await;
    assert_eq!(res.status(), 200);
    let found = incident(app, number.parse().unwrap()).await;
    assert_eq!(found["resolved"], Value::Null);

    let res = app
        .call::<ChangeStatus>(&[("number", &number), ("status", "fixed")])
        .await;
    assert_eq!(res.status(), 422);
}

async fn severity_changes_are_recorded_and_a_no_change_is_refused(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Slow pages", "SEV3", "").await.to_string();
    let res = app
        .call::<ChangeSeverity>(&[("number", &number), ("severity", "SEV1")])
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .call::<ChangeSeverity>(&[("number", &number), ("severity", "SEV1")])
        .await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["Validation"][0]["message"],
        "The incident is already SEV1."
    );
    let found = incident(app, number.parse().unwrap()).await;
    assert_eq!(found["severity"], "Sev1");
    assert_eq!(
        timeline_bodies(&found).last().unwrap(),
        "raised severity from SEV3 to SEV1"
    );
}

async fn a_viewer_can_read_but_not_change_anything(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Checkout errors", "SEV2", "")
        .await
        .to_string();

    app.login_as("Eve Executive", "viewer").await;
    assert_eq!(list(app).await.len(), 1, "a viewer reads the incidents");
    let res = app
        .call::<ChangeStatus>(&[("number", &number), ("status", "resolved")])
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .call::<ChangeSeverity>(&[("number", &number), ("severity", "SEV4")])
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .call::<DeclareIncident>(&[
            ("title", "x"),
            ("services", "a"),
            ("severity", "SEV4"),
            ("started_at", ""),
            ("summary", ""),
        ])
        .await;
    assert_eq!(res.status(), 403);

    let found = incident(app, number.parse().unwrap()).await;
    assert_eq!(found["status"], "Investigating", "nothing changed");
    assert_eq!(found["severity"], "Sev2");
    assert_eq!(list(app).await.len(), 1);
    let html = app.text(&format!("/incidents/{number}")).await;
    assert!(
        !html.contains("Update status"),
        "a viewer is not offered the controls"
    );
}

async fn the_dashboard_puts_the_worst_open_incidents_first(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let minor_old = declare(app, "minor old", "SEV3", "2026-01-01T10:00").await;
    let major_new = declare(app, "major new", "SEV1", "2026-01-03T10:00").await;
    let major_old = declare(app, "major old", "SEV1", "2026-01-02T10:00").await;
    let done = declare(app, "done", "SEV1", "2026-01-01T09:00").await;
    let res = app
        .call::<ChangeStatus>(&[("number", &done.to_string()), ("status", "resolved")])
        .await;
    assert_eq!(res.status(), 200);

    let order: Vec<i64> = list(app)
        .await
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect();
    assert_eq!(order, [major_old, major_new, minor_old, done]);
}

async fn an_unknown_incident_is_a_real_404(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    for path in ["/incidents/999", "/incidents/not-a-number", "/no/such/page"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Not found"), "{path}");
    }
    let res = app.call::<GetIncident>(&[("number", "999")]).await;
    assert_eq!(res.status(), 404);
}

async fn forms_work_without_javascript(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let form = [
        ("title", "No JS"),
        ("services", "api"),
        ("severity", "SEV2"),
        ("started_at", ""),
        ("summary", ""),
    ];
    let res = app
        .post_form(DeclareIncident::PATH, "/incidents/new", &form)
        .await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/incidents/"), "{location}");
    let number = location.trim_start_matches("/incidents/").to_string();

    let res = app
        .post_form(
            ChangeStatus::PATH,
            &location,
            &[("number", &number), ("status", "identified")],
        )
        .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap();
    assert_eq!(
        back.trim_end_matches('?'),
        app.url(&location),
        "back to the incident page"
    );
    assert_eq!(
        incident(app, number.parse().unwrap()).await["status"],
        "Identified"
    );

    // An error comes back in the URL and the page shows it next to the field.
    let bad = [
        ("title", ""),
        ("services", "api"),
        ("severity", "SEV2"),
        ("started_at", ""),
        ("summary", ""),
    ];
    let res = app
        .post_form(DeclareIncident::PATH, "/incidents/new", &bad)
        .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.contains("__err="), "{back}");
    let page = app
        .client
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Give the incident a title."),
        "the error shows on the page"
    );
}

async fn services_are_shared_between_incidents(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    declare(app, "one", "SEV3", "").await;
    declare(app, "two", "SEV3", "").await;
    let res = app.call::<app::api::incidents::ListServiceNames>(&[]).await;
    let names: Vec<String> = res.json().await.unwrap();
    assert_eq!(names, ["push-api", "scheduler"]);
}

/// A server function answers the pages' own calls (which ask for postcard) in postcard,
/// and anyone else in JSON; both carry the same value, and so do its errors.
async fn the_pages_read_postcard_and_everyone_else_json(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Search is slow", "SEV3", "").await;
    let ask = |accept: &'static str, number: i64| async move {
        app.client
            .post(app.url(GetIncident::PATH))
            .header(header::ACCEPT, accept)
            .form(&[("number", number.to_string())])
            .send()
            .await
            .unwrap()
    };

    let res = ask(POSTCARD, number).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_TYPE], POSTCARD);
    let bytes = res.bytes().await.unwrap();
    let read: IncidentDetail = postcard::from_bytes(&bytes).expect("postcard");
    assert_eq!(read.title, "Search is slow");
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        incident(app, number).await
    );

    for accept in ["*/*", "application/json", "text/plain"] {
        let res = ask(accept, number).await;
        assert_eq!(res.status(), 200, "{accept}");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/json",
            "{accept}"
        );
        let value: Value = res.json().await.unwrap();
        assert_eq!(value["title"], "Search is slow", "{accept}");
    }

    // An error too: postcard to the pages, JSON to anyone else, under its status.
    let missing = ask(POSTCARD, 999).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()[header::CONTENT_TYPE], POSTCARD);
    let err: AppError = postcard::from_bytes(&missing.bytes().await.unwrap()).unwrap();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let missing = ask("*/*", 999).await;
    assert_eq!(missing.status(), 404);
    let err: Value = missing.json().await.expect("an error is JSON");
    assert!(err["NotFound"].is_string(), "{err}");

    // Refused at the gate (before the function runs) alike.
    app.login_as("Vic", "viewer").await;
    let refused = app
        .client
        .post(app.url(DeclareIncident::PATH))
        .header(header::ACCEPT, POSTCARD)
        .form(&[("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let err: AppError = postcard::from_bytes(&refused.bytes().await.unwrap()).unwrap();
    assert_eq!(err, AppError::Forbidden);
}
