//! The incident history: filters, paging and full-text search over titles, summaries,
//! channel messages and postmortems, on both databases; a viewer finds nothing in a
//! postmortem that is not published.

use crate::{
    helpers::{declare, TestApp},
    on_both_databases,
    postmortems::{edit, send, started, writer},
};
use app::{
    api::{
        channel::PostMessage,
        incidents::{ChangeStatus, IncidentHistory},
        postmortems::SetPostmortemStatus,
    },
    domain::postmortem::document,
};
use leptos::server_fn::ServerFn;
use serde_json::Value;

on_both_databases!(
    search_finds_words_from_messages_and_postmortems_but_not_a_draft_for_a_viewer,
    filters_narrow_and_pages_return_every_incident_once,
    bad_filters_are_named,
);

/// The history as `client` reads it, for a query string.
async fn history_as(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Value {
    app.read_filtered(client, IncidentHistory::PATH, query)
        .await
}

async fn history(app: &TestApp, query: &[(&str, &str)]) -> Value {
    history_as(app, &app.client, query).await
}

fn numbers(page: &Value) -> Vec<i64> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_i64().unwrap())
        .collect()
}

async fn search_finds_words_from_messages_and_postmortems_but_not_a_draft_for_a_viewer(
    app: &TestApp,
) {
    let draft = started(app).await; // "Push delays", rosa signed in
    let published = declare(app, "Checkout errors", "SEV1", "").await;
    let quiet = declare(app, "Login slow", "SEV3", "").await;
    let said = app
        .call::<PostMessage>(&[
            ("number", &quiet.to_string()),
            ("body", "The **memcached** fleet was restarted"),
        ])
        .await;
    assert_eq!(said.status(), 200);

    // A word only the draft's document holds, and one only the published one does.
    let doc = writer(app, draft, 1).await;
    let update = edit(&doc, |txn| {
        document::set_text(txn, "fix", "Raised the zookeeper session timeout.")
    });
    assert_eq!(send(app, &app.client, draft, &update).await.status(), 200);
    let n = published.to_string();
    let res = app
        .call::<app::api::postmortems::StartPostmortem>(&[("number", &n)])
        .await;
    assert_eq!(res.status(), 200);
    let doc = writer(app, published, 2).await;
    let update = edit(&doc, |txn| {
        document::set_text(txn, "impact", "Card payments failed at the tokenizer.")
    });
    assert_eq!(
        send(app, &app.client, published, &update).await.status(),
        200
    );
    for to in ["in_review", "published"] {
        let res = app
            .call::<SetPostmortemStatus>(&[("number", &n), ("status", to)])
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }

    assert_eq!(numbers(&history(app, &[("q", "memcached")]).await), [quiet]);
    assert_eq!(
        numbers(&history(app, &[("q", "MEMCACHED fleet")]).await),
        [quiet]
    );
    assert_eq!(numbers(&history(app, &[("q", "zookeeper")]).await), [draft]);
    assert_eq!(
        numbers(&history(app, &[("q", "tokenizer")]).await),
        [published]
    );
    assert_eq!(
        numbers(&history(app, &[("q", "checkout")]).await),
        [published]
    );
    // Every word must be found (here across the title and the postmortem).
    assert_eq!(
        numbers(&history(app, &[("q", "checkout tokenizer")]).await),
        [published]
    );
    assert!(numbers(&history(app, &[("q", "memcached tokenizer")]).await).is_empty());
    // FTS syntax in a search is only words.
    assert_eq!(
        numbers(&history(app, &[("q", "\"memcached\"* (")]).await),
        [quiet]
    );

    let viewer = app.sign_in("vic", "viewer").await;
    let seen = |q: &'static str| {
        let client = viewer.client.clone();
        async move { numbers(&history_as(app, &client, &[("q", q)]).await) }
    };
    assert!(
        seen("zookeeper").await.is_empty(),
        "a draft is not the viewer's to search"
    );
    assert_eq!(seen("tokenizer").await, [published]);
    assert_eq!(seen("memcached").await, [quiet]);
}

async fn filters_narrow_and_pages_return_every_incident_once(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    let mut declared = Vec::new();
    for i in 0..55 {
        let severity = if i % 5 == 0 { "SEV1" } else { "SEV3" };
        let day = format!("2026-11-{:02}T10:00", 1 + i % 28);
        declared.push(declare(app, &format!("Incident {i}"), severity, &day).await);
    }
    let first = history(app, &[]).await;
    assert_eq!(first["total"], 55);
    assert_eq!(first["pages"], 2);
    let second = history(app, &[("page", "2")]).await;
    let mut all = numbers(&first);
    all.extend(numbers(&second));
    assert_eq!(all.len(), 55);
    let mut sorted = all.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 55, "each incident once across the pages");
    let started: Vec<String> = first["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["started"]["iso"].as_str().unwrap().to_string())
        .collect();
    assert!(started.windows(2).all(|w| w[0] >= w[1]), "newest first");

    assert_eq!(history(app, &[("severity", "SEV1")]).await["total"], 11);
    let resolved = declared[3].to_string();
    let res = app
        .call::<ChangeStatus>(&[("number", &resolved), ("status", "resolved")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        numbers(&history(app, &[("status", "resolved")]).await),
        [declared[3]]
    );
    // Days 2026-11-01 and 02 (UTC, the test's zone): incidents 0, 1, 28, 29.
    let early = history(app, &[("from", "2026-11-01"), ("to", "2026-11-02")]).await;
    assert_eq!(early["total"], 4);
    assert_eq!(history(app, &[("open_actions", "1")]).await["total"], 0);
    assert_eq!(history(app, &[("service", "push-api")]).await["total"], 55);
    assert_eq!(history(app, &[("service", "billing")]).await["total"], 0);
}

async fn bad_filters_are_named(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    for (field, value) in [
        ("severity", "SEV9"),
        ("status", "asleep"),
        ("from", "yesterday"),
        ("page", "0"),
        ("q", &"x".repeat(201)),
    ] {
        let key = format!("filter[{field}]");
        let res = app
            .call_as(&app.client, IncidentHistory::PATH, &[(&key, value)])
            .await;
        assert_eq!(res.status(), 422, "{field}={value}");
        let body = res.text().await.unwrap();
        assert!(body.contains(&format!("\"{field}\"")), "{field}: {body}");
    }
}
