//! Alert webhooks, one test per format with the tool's own sample payload: dedup,
//! resolve, bad secrets and signatures, malformed bodies, attachment to incidents.

use crate::{
    helpers::{declare, incident, payload, timeline_bodies, TestApp},
    on_both_databases,
};
use app::{
    api::alerts::{AttachAlert, ListFeed},
    ssr::{
        entities::{alert, alert_group, alert_source},
        secrets::sign,
    },
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

on_both_databases!(
    pingdom_down_fires_repeats_count_and_up_resolves,
    new_relic_issues_fire_and_close,
    cloudwatch_via_sns_confirms_then_fires_and_recovers,
    pagerduty_deliveries_must_be_signed,
    generic_alerts_come_one_or_many_by_secret_or_signature,
    wrong_or_disabled_secrets_get_the_same_404,
    malformed_deliveries_get_400_and_write_nothing,
    a_nul_character_is_refused_naming_its_field_on_either_database,
    an_alert_for_a_service_with_an_open_incident_attaches_to_it,
    untriaged_alerts_are_attached_or_declared_from,
    a_burst_of_concurrent_deliveries_is_all_committed_once,
    two_instances_receiving_the_same_keys_at_once_keep_one_alert_per_key,
    group_counts_follow_every_change_to_the_alerts,
    one_delivery_changing_several_stored_alerts_writes_each_exactly,
);

async fn alerts(app: &TestApp) -> Vec<alert::Model> {
    alert::Entity::find()
        .order_by_asc(alert::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

/// The feed groups' counts as the database keeps them equal the alerts counted now.
async fn assert_group_counts(app: &TestApp) {
    use std::collections::BTreeMap;
    let mut counted: BTreeMap<(i64, String), (i64, i64, Option<_>)> = BTreeMap::new();
    for a in alerts(app).await {
        let group = counted.entry((a.source_id, a.service.clone())).or_default();
        let firing = a.status == app::domain::AlertState::Firing;
        group.0 += i64::from(firing);
        group.1 += i64::from(firing && a.incident_id.is_none());
        group.2 = group.2.max(Some(a.last_seen_at));
    }
    let kept: BTreeMap<(i64, String), (i64, i64, Option<_>)> = alert_group::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|g| {
            (
                (g.source_id, g.service),
                (g.firing, g.untriaged, g.last_seen_at),
            )
        })
        .collect();
    assert_eq!(
        kept, counted,
        "kept group counts against the alerts counted"
    );
}

/// The sources as the admin page lists them (delivery counts added up).
async fn listed_sources(app: &TestApp) -> Vec<app::model::sources::SourceRow> {
    app::ssr::services::sources::list(&app.db, &app.address, chrono_tz::Tz::UTC)
        .await
        .unwrap()
}

async fn receipt(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200, "the delivery is accepted");
    res.json().await.unwrap()
}

fn result(receipt: &Value) -> &str {
    receipt["alerts"][0]["result"].as_str().unwrap_or("none")
}

async fn pingdom_down_fires_repeats_count_and_up_resolves(app: &TestApp) {
    let source = app.add_source("pingdom", "Pingdom prod", "push-api").await;
    let mut down = payload("pingdom");
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &down).await).await),
        "created"
    );
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &down).await).await),
        "updated"
    );
    let found = alerts(app).await;
    assert_eq!(found.len(), 1, "a repeat updates, never duplicates");
    assert_eq!(found[0].occurrences, 2);
    assert_eq!(found[0].title, "api.example.com is DOWN");
    assert_eq!(found[0].service, "push-api", "the source's default service");
    assert_eq!(found[0].status.as_str(), "firing");

    let mut up = down.clone();
    up["current_state"] = json!("UP");
    up["previous_state"] = json!("DOWN");
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &up).await).await),
        "resolved"
    );
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &up).await).await),
        "repeated"
    );
    let found = alerts(app).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].status.as_str(), "resolved");
    assert!(found[0].resolved_at.is_some());
    assert_eq!(found[0].occurrences, 4);

    // A late copy of the first DOWN (its time is before the resolution) only counts;
    // a new outage later is a new alert.
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &down).await).await),
        "repeated"
    );
    down["state_changed_timestamp"] = json!(chrono::Utc::now().timestamp() + 5);
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &down).await).await),
        "created"
    );
    assert_eq!(alerts(app).await.len(), 2);

    let sources = listed_sources(app).await;
    assert_eq!(sources[0].deliveries, 6);
    assert!(sources[0].last_delivery.is_some());
}

async fn new_relic_issues_fire_and_close(app: &TestApp) {
    let source = app.add_source("newrelic", "New Relic", "").await;
    let mut issue = payload("newrelic");
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &issue).await).await),
        "created"
    );
    issue["state"] = json!("ACKNOWLEDGED");
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &issue).await).await),
        "updated"
    );
    issue["state"] = json!("CLOSED");
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &issue).await).await),
        "resolved"
    );
    let found = alerts(app).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].service, "push-api", "from the impacted entity");
    assert_eq!(found[0].severity.map(|s| s.as_str()), Some("SEV1"));
    assert_eq!(found[0].status.as_str(), "resolved");
    assert!(found[0]
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://radar-api.service.newrelic.com/"));
}

async fn cloudwatch_via_sns_confirms_then_fires_and_recovers(app: &TestApp) {
    let source = app
        .add_source("cloudwatch", "CloudWatch us-east-1", "push-api")
        .await;
    let confirm = receipt(
        app.deliver(&source.url, &payload("sns-subscription-confirmation"))
            .await,
    )
    .await;
    assert!(confirm["alerts"].as_array().unwrap().is_empty());
    let stored = alert_source::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(stored
        .confirm_url
        .as_deref()
        .unwrap()
        .starts_with("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"));

    let mut notification = payload("sns-alarm");
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &notification).await).await),
        "created"
    );
    let mut alarm: Value = serde_json::from_str(notification["Message"].as_str().unwrap()).unwrap();
    alarm["NewStateValue"] = json!("OK");
    notification["Message"] = json!(alarm.to_string());
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &notification).await).await),
        "resolved"
    );
    alarm["NewStateValue"] = json!("INSUFFICIENT_DATA");
    notification["Message"] = json!(alarm.to_string());
    let ignored = receipt(app.deliver(&source.url, &notification).await).await;
    assert!(ignored["ignored"]
        .as_str()
        .unwrap()
        .contains("insufficient data"));
    let found = alerts(app).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title, "push-api 5xx");
    assert_eq!(found[0].status.as_str(), "resolved");
}

async fn pagerduty_deliveries_must_be_signed(app: &TestApp) {
    let source = app.add_source("pagerduty", "PagerDuty", "").await;
    let signed_url = source.signed_url.clone().unwrap();
    let body = payload("pagerduty").to_string().into_bytes();
    // No signing secret yet: nothing gets in, not even with the URL secret.
    let res = app.deliver_raw(&source.url, body.clone(), &[]).await;
    assert_eq!(res.status(), 404);

    let key = "pd-signing-secret-0123456789abcdef";
    app.set_signing_secret(&source.public_id, key).await;
    let good = sign(key, &body, "v1=");
    let forged = sign("not-the-key-0123456789", &body, "v1=");
    for (url, headers, status) in [
        (&signed_url, vec![], 404),
        (
            &signed_url,
            vec![("x-pagerduty-signature", forged.clone())],
            404,
        ),
        (
            &signed_url,
            vec![("x-pagerduty-signature", format!("v1=00, {good}"))],
            200,
        ),
        (
            &source.url,
            vec![("x-pagerduty-signature", good.clone())],
            200,
        ),
    ] {
        let res = app.deliver_raw(url, body.clone(), &headers).await;
        assert_eq!(res.status(), status, "{url} with {headers:?}");
    }
    let mut resolved = payload("pagerduty");
    resolved["event"]["event_type"] = json!("incident.resolved");
    let resolved = resolved.to_string().into_bytes();
    let header = vec![("x-pagerduty-signature", sign(key, &resolved, "v1="))];
    assert_eq!(
        result(&receipt(app.deliver_raw(&signed_url, resolved, &header).await).await),
        "resolved"
    );
    let ping = br#"{"event":{"event_type":"pagey.ping","resource_type":"pagey","data":{"message":"Hello from your friend Pagey!","type":"ping"}}}"#.to_vec();
    let header = vec![("x-pagerduty-signature", sign(key, &ping, "v1="))];
    let ignored = receipt(app.deliver_raw(&signed_url, ping, &header).await).await;
    assert!(ignored["ignored"].is_string());
    let found = alerts(app).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].dedup_key, "incident-PGR0VU2");
    assert_eq!(found[0].service, "push-api");
    assert_eq!(found[0].occurrences, 3);
    assert_eq!(found[0].status.as_str(), "resolved");
}

async fn generic_alerts_come_one_or_many_by_secret_or_signature(app: &TestApp) {
    let source = app.add_source("generic", "Circuit breakers", "").await;
    let key = source
        .signing_secret
        .clone()
        .expect("the generic kind gets a signing key");
    assert_eq!(
        result(&receipt(app.deliver(&source.url, &payload("generic")).await).await),
        "created"
    );

    let batch = json!([
        {"dedup_key": "cb/search", "title": "Circuit breaker open: search", "severity": "warning", "service": "search"},
        {"dedup_key": "circuit-breaker/payments-gateway", "status": "resolved"}
    ])
    .to_string()
    .into_bytes();
    let signed_url = source.signed_url.clone().unwrap();
    let unsigned = app.deliver_raw(&signed_url, batch.clone(), &[]).await;
    assert_eq!(unsigned.status(), 404);
    let header = vec![("x-stormwatch-signature", sign(&key, &batch, "sha256="))];
    let both = receipt(app.deliver_raw(&signed_url, batch, &header).await).await;
    assert_eq!(both["alerts"][0]["result"], "created");
    assert_eq!(both["alerts"][1]["result"], "resolved");
    let found = alerts(app).await;
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].service, "payments");
    assert_eq!(found[0].status.as_str(), "resolved");
    assert_eq!(found[1].severity.map(|s| s.as_str()), Some("SEV3"));
}

async fn wrong_or_disabled_secrets_get_the_same_404(app: &TestApp) {
    let source = app.add_source("generic", "Breakers", "").await;
    let body = payload("generic");
    let wrong = source
        .url
        .replace(&source.secret, &"0".repeat(source.secret.len()));
    let unknown = source
        .url
        .replace(&source.public_id, &"f".repeat(source.public_id.len()));
    let mut answers = Vec::new();
    for url in [&wrong, &unknown] {
        let res = app.deliver(url, &body).await;
        answers.push((res.status(), res.text().await.unwrap()));
    }
    app::ssr::services::sources::set_enabled(&app.db, None, &source.public_id, false)
        .await
        .unwrap();
    app.state.sources.clear();
    let res = app.deliver(&source.url, &body).await;
    answers.push((res.status(), res.text().await.unwrap()));
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, 404);

    app::ssr::services::sources::set_enabled(&app.db, None, &source.public_id, true)
        .await
        .unwrap();
    let rotated =
        app::ssr::services::sources::rotate(&app.db, None, &source.public_id, &app.address)
            .await
            .unwrap();
    app.state.sources.clear();
    assert_eq!(
        app.deliver(&source.url, &body).await.status(),
        404,
        "the old secret is dead"
    );
    assert_eq!(app.deliver(&rotated.url, &body).await.status(), 200);
    assert_eq!(alerts(app).await.len(), 1);
}

async fn malformed_deliveries_get_400_and_write_nothing(app: &TestApp) {
    let source = app.add_source("pingdom", "Pingdom", "").await;
    for (body, reason) in [
        (b"{not json".to_vec(), "the body is not JSON"),
        (
            br#"{"check_name":"x","current_state":"DOWN"}"#.to_vec(),
            "check_id is missing",
        ),
        (
            br#"{"check_id":1,"current_state":"SIDEWAYS"}"#.to_vec(),
            "current_state \"SIDEWAYS\" is not DOWN or UP",
        ),
    ] {
        let res = app.deliver_raw(&source.url, body, &[]).await;
        assert_eq!(res.status(), 400);
        let answer: Value = res.json().await.unwrap();
        assert!(
            answer["error"].as_str().unwrap().starts_with(reason),
            "{answer}"
        );
    }
    let generic = app.add_source("generic", "Generic", "").await;
    let res = app
        .deliver(
            &generic.url,
            &json!([{"dedup_key": "a", "title": "A"}, {"title": "no key"}]),
        )
        .await;
    assert_eq!(res.status(), 400);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["error"], "alert 2: dedup_key is missing");
    assert_eq!(
        alerts(app).await.len(),
        0,
        "no alert of a refused delivery is written"
    );
    let listed = listed_sources(app).await;
    assert!(listed
        .iter()
        .all(|s| s.deliveries == 0 && s.last_delivery.is_none()));
}

async fn a_nul_character_is_refused_naming_its_field_on_either_database(app: &TestApp) {
    let generic = app.add_source("generic", "Generic", "").await;
    let pingdom = app.add_source("pingdom", "Pingdom", "").await;
    for (url, body, reason) in [
        (
            &generic.url,
            json!({"dedup_key": "a\u{0}b", "title": "A"}),
            "dedup_key contains a NUL character",
        ),
        (
            &generic.url,
            json!({"dedup_key": "a", "title": "A\u{0}"}),
            "title contains a NUL character",
        ),
        (
            &generic.url,
            json!([{"dedup_key": "ok", "title": "fine"}, {"dedup_key": "b", "title": "\u{0}"}]),
            "alert 2: title contains a NUL character",
        ),
        (
            &pingdom.url,
            json!({"check_id": 7, "check_name": "api\u{0}", "current_state": "DOWN"}),
            "check_name contains a NUL character",
        ),
    ] {
        let res = app.deliver(url, &body).await;
        assert_eq!(res.status(), 400, "{body}");
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["error"], reason);
    }
    assert_eq!(
        alerts(app).await.len(),
        0,
        "nothing of a refused delivery is written"
    );
    // A NUL inside details is kept (escaped in the JSON), not refused.
    let res = app
        .deliver(
            &generic.url,
            &json!({"dedup_key": "k", "title": "K", "details": {"raw": "x\u{0}y"}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(alerts(app).await.len(), 1);
}

async fn an_alert_for_a_service_with_an_open_incident_attaches_to_it(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    // declare() names push-api and scheduler.
    let number = declare(app, "Push failing", "SEV2", "").await;
    let source = app.add_source("pingdom", "Pingdom prod", "Push-API").await;
    let mut down = payload("pingdom");
    receipt(app.deliver(&source.url, &down).await).await;
    let found = alerts(app).await;
    assert_eq!(
        found[0].incident_id,
        Some(number),
        "service names match whatever their case"
    );
    down["current_state"] = json!("UP");
    receipt(app.deliver(&source.url, &down).await).await;
    let detail = incident(app, number).await;
    let lines = timeline_bodies(&detail);
    assert_eq!(
        lines[1],
        "attached 1 alert from Pingdom prod: api.example.com is DOWN"
    );
    assert_eq!(
        lines[2],
        "Pingdom prod resolved 1 alert: api.example.com is DOWN"
    );
    assert_eq!(
        detail["timeline"][1]["author"],
        Value::Null,
        "Stormwatch itself writes it"
    );
    assert_eq!(detail["alert_count"], 1);
    assert_eq!(detail["alerts"][0]["state"], "Resolved");
}

async fn untriaged_alerts_are_attached_or_declared_from(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let source = app.add_source("generic", "Breakers", "").await;
    app.deliver(
        &source.url,
        &json!({"dedup_key": "a", "title": "Checkout slow", "service": "checkout"}),
    )
    .await;
    app.deliver(
        &source.url,
        &json!({"dedup_key": "b", "title": "Queue backed up", "service": "queue"}),
    )
    .await;
    let feed: Value = app.call::<ListFeed>(&[]).await.json().await.unwrap();
    let untriaged: u64 = feed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["untriaged"].as_u64().unwrap())
        .sum();
    assert_eq!(untriaged, 2);
    let [a, b] = [&alerts(app).await[0], &alerts(app).await[1]].map(|m| m.id.to_string());

    // Declared from alert a, for the checkout service.
    let res = app
        .call::<app::api::incidents::DeclareIncident>(&[
            ("title", "Checkout slow"),
            ("services", "checkout"),
            ("severity", "SEV3"),
            ("started_at", ""),
            ("summary", ""),
            ("alert", &a),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let number: i64 = res.json().await.unwrap();
    let res = app
        .call::<AttachAlert>(&[("alert", &b), ("number", &number.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    let found = alerts(app).await;
    assert!(found.iter().all(|a| a.incident_id == Some(number)));
    let lines = timeline_bodies(&incident(app, number).await);
    assert_eq!(lines[1], "attached 1 alert from Breakers: Checkout slow");
    assert_eq!(lines[2], "attached 1 alert from Breakers: Queue backed up");

    // An alert attached elsewhere, or a resolved incident, is refused by name.
    let other = declare(app, "Other", "SEV4", "").await;
    let res = app
        .call::<AttachAlert>(&[("alert", &b), ("number", &other.to_string())])
        .await;
    assert_eq!(res.status(), 409);
    app.call::<app::api::incidents::ChangeStatus>(&[
        ("number", &other.to_string()),
        ("status", "resolved"),
    ])
    .await;
    app.deliver(&source.url, &json!({"dedup_key": "c", "title": "Late"}))
        .await;
    let c = alerts(app).await[2].id.to_string();
    let res = app
        .call::<AttachAlert>(&[("alert", &c), ("number", &other.to_string())])
        .await;
    assert_eq!(res.status(), 422);
    let feed: Value = app.call::<ListFeed>(&[]).await.json().await.unwrap();
    let untriaged: u64 = feed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["untriaged"].as_u64().unwrap())
        .sum();
    assert_eq!(untriaged, 1);
    assert_group_counts(app).await;
}

async fn a_burst_of_concurrent_deliveries_is_all_committed_once(app: &TestApp) {
    let source = app.add_source("generic", "Storm", "storm").await;
    let client = crate::helpers::new_client();
    let mut sends = Vec::new();
    for i in 0..300 {
        // 100 distinct alerts, each delivered three times at once.
        let body =
            json!({"dedup_key": format!("k{}", i % 100), "title": format!("Alert {}", i % 100)});
        let request = client.post(&source.url).json(&body).send();
        sends.push(tokio::spawn(request));
    }
    for send in sends {
        assert_eq!(send.await.unwrap().unwrap().status(), 200);
    }
    let found = alerts(app).await;
    assert_eq!(found.len(), 100);
    assert!(
        found.iter().all(|a| a.occurrences == 3),
        "{:?}",
        found.iter().map(|a| a.occurrences).collect::<Vec<_>>()
    );
    let firing = alert::Entity::find()
        .filter(alert::Column::Status.eq("firing"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(firing, 100);
}

async fn two_instances_receiving_the_same_keys_at_once_keep_one_alert_per_key(app: &TestApp) {
    const KEYS: usize = 600;
    let other = app.another_instance(|_, _| {}).await;
    let source = app.add_source("generic", "Storm", "storm").await;
    let path = source.url.strip_prefix(&app.address).unwrap().to_string();
    let client = crate::helpers::new_client();
    let mut sends = Vec::new();
    for round in 0..3 {
        for i in 0..KEYS {
            // Each key three times, spread over both instances at once.
            let address = if (i + round) % 2 == 0 {
                &app.address
            } else {
                &other.address
            };
            let body = json!({"dedup_key": format!("k{i}"), "title": format!("Alert {i}")});
            sends.push(tokio::spawn(
                client.post(format!("{address}{path}")).json(&body).send(),
            ));
        }
    }
    for send in sends {
        assert_eq!(send.await.unwrap().unwrap().status(), 200);
    }
    let found = alerts(app).await;
    assert_eq!(
        found.len(),
        KEYS,
        "one alert per key, whichever instance took it"
    );
    assert!(
        found.iter().all(|a| a.occurrences == 3),
        "every delivery counted once: {:?}",
        found.iter().map(|a| a.occurrences).collect::<Vec<_>>()
    );
    assert_group_counts(app).await;
    other.finish().await;
}

async fn group_counts_follow_every_change_to_the_alerts(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let other = app.another_instance(|_, _| {}).await;
    let source = app.add_source("generic", "Storm", "").await;
    let path = source.url.strip_prefix(&app.address).unwrap().to_string();
    let client = crate::helpers::new_client();
    // Three services; keys fire, resolve and fire again, on both instances at once, in
    // deliveries of one alert and of several.
    let services = ["api", "db", "queue"];
    let mut sends = Vec::new();
    for round in 0..3 {
        for i in 0..90 {
            let address = [&app.address, &other.address][(i + round) % 2];
            let status = if (i + round) % 3 == 0 {
                "resolved"
            } else {
                "firing"
            };
            let alert = |k: usize| {
                json!({"dedup_key": format!("k{k}"), "title": format!("Alert {k}"),
                       "service": services[k % 3], "status": status})
            };
            let body = if i % 10 == 0 {
                json!([alert(i), alert(i + 1000)])
            } else {
                alert(i)
            };
            sends.push(tokio::spawn(
                client.post(format!("{address}{path}")).json(&body).send(),
            ));
        }
        for send in sends.drain(..) {
            assert_eq!(send.await.unwrap().unwrap().status(), 200);
        }
        assert_group_counts(app).await;
    }
    if app.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Batches written side by side added to stripes of their own (what lets them
        // commit without waiting on each other); the view above added them up.
        let stripes = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT COUNT(DISTINCT stripe) AS n FROM alert_group_stripes",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert!(stripes > 1, "the counts were kept in {stripes} stripe(s)");
    }

    // Triage: one alert attached by hand; then the db service's incident takes its new
    // alerts as they come; resolving a key of it leaves the untriaged count alone.
    let untriaged = alerts(app)
        .await
        .into_iter()
        .find(|a| a.service == "api" && a.status == app::domain::AlertState::Firing)
        .unwrap();
    let res = app
        .call::<app::api::incidents::DeclareIncident>(&[
            ("title", "Database slow"),
            ("services", "db"),
            ("severity", "SEV2"),
            ("started_at", ""),
            ("summary", ""),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let number: i64 = res.json().await.unwrap();
    let res = app
        .call::<AttachAlert>(&[
            ("alert", &untriaged.id.to_string()),
            ("number", &number.to_string()),
        ])
        .await;
    assert_eq!(res.status(), 200);
    assert_group_counts(app).await;
    for (key, status) in [
        ("new-db", "firing"),
        ("k1", "resolved"),
        ("new-db", "resolved"),
    ] {
        let body =
            json!({"dedup_key": key, "title": "Replica lag", "service": "db", "status": status});
        receipt(app.deliver(&source.url, &body).await).await;
        assert_group_counts(app).await;
    }

    // The feed reads the kept counts.
    let feed: Value = app.call::<ListFeed>(&[]).await.json().await.unwrap();
    let groups = feed["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3, "{feed}");
    for g in groups {
        let service = g["service"].as_str().unwrap();
        let of_service: Vec<alert::Model> = alerts(app)
            .await
            .into_iter()
            .filter(|a| a.service == service && a.status == app::domain::AlertState::Firing)
            .collect();
        assert_eq!(
            g["firing"].as_u64().unwrap(),
            of_service.len() as u64,
            "{service}"
        );
        let untriaged = of_service
            .iter()
            .filter(|a| a.incident_id.is_none())
            .count();
        assert_eq!(
            g["untriaged"].as_u64().unwrap(),
            untriaged as u64,
            "{service}"
        );
    }
    other.finish().await;
}

/// One batch that updates, resolves and re-counts several stored alerts and creates
/// another: each row ends as its own delivery said (PostgreSQL writes them all in one
/// statement, SQLite one by one), and a field the delivery left out keeps its value.
async fn one_delivery_changing_several_stored_alerts_writes_each_exactly(app: &TestApp) {
    let source = app.add_source("generic", "Breakers", "").await;
    let first = json!([
        {"dedup_key": "a", "title": "A open", "severity": "critical", "service": "search",
         "url": "https://grafana.example.com/a", "details": {"failures": 1}},
        {"dedup_key": "b", "title": "B open", "service": "search"},
        {"dedup_key": "c", "title": "C open", "severity": "warning", "service": "search"},
        {"dedup_key": "d", "title": "D open", "status": "resolved", "service": "search"}
    ]);
    receipt(app.deliver(&source.url, &first).await).await;
    let before = alerts(app).await;

    let second = json!([
        {"dedup_key": "a", "title": "A open", "details": {"failures": 2}},
        {"dedup_key": "b", "title": "B open again", "severity": "info",
         "url": "https://grafana.example.com/b"},
        {"dedup_key": "c", "title": "C closed", "status": "resolved"},
        {"dedup_key": "d", "status": "resolved"},
        {"dedup_key": "e", "title": "E open", "service": "search"}
    ]);
    let answer = receipt(app.deliver(&source.url, &second).await).await;
    let results: Vec<&str> = answer["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        ["updated", "updated", "resolved", "repeated", "created"]
    );

    let after = alerts(app).await;
    assert_eq!(after.len(), 5);
    let (a, b, c, d, e) = (&after[0], &after[1], &after[2], &after[3], &after[4]);
    for (then, now) in before.iter().zip(&after) {
        assert_eq!(now.id, then.id, "stored alerts are changed in place");
        assert_eq!(now.first_seen_at, then.first_seen_at, "{}", now.dedup_key);
        assert_eq!(now.occurrences, 2, "{}", now.dedup_key);
        assert!(now.last_seen_at > then.last_seen_at, "{}", now.dedup_key);
    }
    assert_eq!(a.title, "A open");
    assert_eq!(a.severity.map(|s| s.as_str()), Some("SEV1"));
    assert_eq!(a.url.as_deref(), Some("https://grafana.example.com/a"));
    assert_eq!(
        serde_json::from_str::<Value>(&a.details).unwrap()["failures"],
        2
    );
    assert_eq!(b.title, "B open again");
    assert_eq!(b.severity.map(|s| s.as_str()), Some("SEV4"));
    assert_eq!(b.url.as_deref(), Some("https://grafana.example.com/b"));
    assert_eq!(
        (c.status.as_str(), c.title.as_str()),
        ("resolved", "C open")
    );
    assert_eq!(c.resolved_at, Some(c.last_seen_at));
    assert_eq!(d.status.as_str(), "resolved");
    assert_eq!(
        d.resolved_at, before[3].resolved_at,
        "a repeat resolves nothing again"
    );
    assert_eq!((e.dedup_key.as_str(), e.occurrences), ("e", 1));
    assert_eq!(e.first_seen_at, e.last_seen_at);
    assert_eq!(e.severity, None);
    assert_eq!(e.url, None);
    assert_group_counts(app).await;
}
