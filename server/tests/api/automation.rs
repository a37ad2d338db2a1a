//! The REST API and outgoing webhooks: tokens by role on every route of the router,
//! attribution, paging while rows are added, all-or-nothing bulk rows, the rate limit,
//! and deliveries to a real local receiver (signature, retries, two instances, a
//! restart with deliveries queued).

use crate::{
    helpers::{spawn_app_with, Backend, TestApp},
    on_both_databases,
};
use app::{
    domain::{EndpointDraft, Role, TokenDraft},
    model::session::CurrentUser,
    ssr::{
        entities::{api_token, audit_event, timeline_event, webhook_delivery},
        services::automation::{tokens, webhooks},
    },
};
use axum::{extract::State, http::HeaderMap, routing::post, Router};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

on_both_databases!(
    every_route_takes_a_token_by_its_role,
    the_api_works_as_the_token_and_says_so,
    pages_give_every_row_once_while_rows_are_added,
    customers_are_added_all_or_none,
    errors_have_one_shape_naming_the_field,
    deliveries_are_signed_and_retried_until_the_receiver_takes_them,
    each_delivery_is_sent_by_one_of_two_instances,
    an_overdue_action_is_told_once,
);

on_both_databases!(set_up = super::paused; deliveries_queued_before_a_restart_are_sent_once);
on_both_databases!(set_up = super::slow_tokens; a_token_past_its_rate_gets_429);

async fn paused(backend: Backend) -> (TestApp, ()) {
    (
        spawn_app_with(backend, |config, _| config.webhooks_paused = true).await,
        (),
    )
}

async fn slow_tokens(backend: Backend) -> (TestApp, ()) {
    (
        spawn_app_with(backend, |config, _| config.api_rate_per_minute = 3).await,
        (),
    )
}

/// An admin (signed in with the development login) as the services see them.
async fn admin(app: &TestApp) -> CurrentUser {
    let signed = app.sign_in("Ada Admin", "admin").await;
    CurrentUser {
        id: signed.id,
        name: "Ada Admin".into(),
        email: "ada.admin@example.com".into(),
        role: Role::Admin,
    }
}

async fn token(app: &TestApp, name: &str, role: &str) -> String {
    let admin = admin(app).await;
    tokens::create(
        &app.db,
        Some(admin.id),
        &TokenDraft {
            name: name.into(),
            role: role.into(),
            expires_on: String::new(),
        },
    )
    .await
    .expect("a token")
    .token
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("the server answers")
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got.as_u16(), status, "{body}");
    body
}

async fn declare(app: &TestApp, token: &str, title: &str) -> i64 {
    let body = json!({ "title": title, "severity": "SEV2", "services": ["push-api"], "summary": "Sends time out." });
    let created = json_of(
        call(
            app,
            Some(token),
            Method::POST,
            "/api/v1/incidents",
            Some(body),
        )
        .await,
        201,
    )
    .await;
    created["number"].as_i64().unwrap()
}

async fn every_route_takes_a_token_by_its_role(app: &TestApp) {
    let responder = token(app, "deploy-bot", "responder").await;
    let viewer = token(app, "dashboard", "viewer").await;
    let revoked = token(app, "old-bot", "responder").await;
    let expired = token(app, "stale-bot", "responder").await;
    let admin = admin(app).await;
    let revoked_id = api_token::Entity::find()
        .filter(api_token::Column::Name.eq("old-bot"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    tokens::revoke(&app.db, Some(admin.id), revoked_id)
        .await
        .unwrap();
    let stale = api_token::Entity::find()
        .filter(api_token::Column::Name.eq("stale-bot"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    api_token::ActiveModel {
        id: Set(stale.id),
        expires_at: Set(Some(chrono::Utc::now() - chrono::Duration::minutes(1))),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();
    let number = declare(app, &responder, "Push sends time out").await;
    let lines = || async { timeline_event::Entity::find().count(&app.db).await.unwrap() };
    let before = lines().await;
    // Every route of the router, from the document it generates.
    let document = serde_json::to_value(server::rest::document()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{} routes", paths.len());
    let mut checked = 0;
    for (template, item) in paths {
        let path = template
            .replace("{number}", &number.to_string())
            .replace("{id}", "1");
        for method in item.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            for (who, token) in [
                ("no", None),
                ("a revoked", Some(&revoked)),
                ("an expired", Some(&expired)),
            ] {
                let res = call(
                    app,
                    token.map(String::as_str),
                    method.clone(),
                    &path,
                    Some(json!({})),
                )
                .await;
                assert_eq!(
                    res.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} with {who} token"
                );
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["error"]["code"], "unauthorized");
            }
            let res = call(app, Some(&viewer), method.clone(), &path, Some(json!({}))).await;
            if method == Method::GET {
                assert!(
                    res.status().is_success() || res.status() == StatusCode::NOT_FOUND,
                    "{method} {path} as a viewer: {}",
                    res.status()
                );
            } else {
                assert_eq!(
                    res.status(),
                    StatusCode::FORBIDDEN,
                    "{method} {path} as a viewer"
                );
            }
            let res = call(app, Some(&responder), method.clone(), &path, None).await;
            assert!(
                !matches!(
                    res.status(),
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ),
                "{method} {path} as a responder: {}",
                res.status()
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} operations");
    assert_eq!(lines().await, before, "a refused call changed nothing");
    // The document is served, and it is OpenAPI 3.1.
    let served = json_of(app.get("/api/v1/openapi.json").await, 200).await;
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(served["paths"], document["paths"]);
}

async fn the_api_works_as_the_token_and_says_so(app: &TestApp) {
    let bot = token(app, "deploy-bot", "responder").await;
    let number = declare(app, &bot, "Deploy 812 broke sends").await;
    let me = json_of(
        call(app, Some(&bot), Method::GET, "/api/v1/me", None).await,
        200,
    )
    .await;
    assert_eq!(me["name"], "deploy-bot (token)");
    let posted = json_of(
        call(
            app,
            Some(&bot),
            Method::POST,
            &format!("/api/v1/incidents/{number}/messages"),
            Some(json!({ "body": "Rolled back **812**<script>alert(1)</script>" })),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(posted["author"], "deploy-bot (token)");
    assert!(posted["html"]
        .as_str()
        .unwrap()
        .contains("<strong>812</strong>"));
    assert!(!posted["html"].as_str().unwrap().contains("<script"));
    let id = posted["id"].as_i64().unwrap();
    let edited = json_of(
        call(
            app,
            Some(&bot),
            Method::PATCH,
            &format!("/api/v1/incidents/{number}/messages/{id}"),
            Some(json!({ "body": "Rolled back 812 and 813" })),
        )
        .await,
        200,
    )
    .await;
    assert!(edited["edited_at"].is_string());
    let changed = json_of(
        call(
            app,
            Some(&bot),
            Method::PATCH,
            &format!("/api/v1/incidents/{number}"),
            Some(json!({ "status": "identified", "severity": "SEV1" })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["status"], "identified");
    assert_eq!(changed["severity"], "SEV1");
    let timeline = json_of(
        call(
            app,
            Some(&bot),
            Method::GET,
            &format!("/api/v1/incidents/{number}/timeline"),
            None,
        )
        .await,
        200,
    )
    .await;
    let said: Vec<String> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "@{} {}",
                l["author"].as_str().unwrap_or(""),
                l["body"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        said.iter()
            .any(|l| l.starts_with("@deploy-bot (token) declared")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|l| l == "@deploy-bot (token) Rolled back 812 and 813"),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|l| l.starts_with("@deploy-bot (token) changed status")),
        "{said:?}"
    );
    // Every write is in the audit log under the token's user.
    let writes = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("api_write"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(writes.len(), 4, "{writes:?}");
    assert!(writes[0].detail.starts_with("POST /api/v1/incidents → 201"));
    // A token is nobody to assign work to.
    let listed = json_of(
        call(
            app,
            Some(&bot),
            Method::GET,
            "/api/v1/incidents?status=identified",
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(listed["items"][0]["number"], number);
    let users = app::ssr::services::users::pickable(&app.db).await.unwrap();
    assert!(users.iter().all(|u| !u.name.ends_with("(token)")));
}

async fn pages_give_every_row_once_while_rows_are_added(app: &TestApp) {
    let bot = token(app, "sync-bot", "responder").await;
    let mut existing = HashSet::new();
    for n in 0..23 {
        existing.insert(declare(app, &bot, &format!("Incident {n}")).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut added = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/incidents?limit=5&cursor={c}"),
            None => "/api/v1/incidents?limit=5".into(),
        };
        let page = json_of(call(app, Some(&bot), Method::GET, &path, None).await, 200).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["number"].as_i64().unwrap()),
        );
        // Someone declares another meanwhile.
        declare(app, &bot, &format!("Meanwhile {added}")).await;
        added += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no row twice: {seen:?}");
    assert_eq!(unique, existing, "every row that was there, once");
    let bad = json_of(
        call(
            app,
            Some(&bot),
            Method::GET,
            "/api/v1/incidents?cursor=abc",
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(bad["error"]["field"], "cursor");
}

async fn customers_are_added_all_or_none(app: &TestApp) {
    let bot = token(app, "crm-sync", "responder").await;
    let number = declare(app, &bot, "Campaigns stuck").await;
    let path = format!("/api/v1/incidents/{number}/customers");
    let rows = json!({ "rows": [
        { "org_name": "Acme", "org_id": "org-1", "app_id": "app-1" },
        { "org_name": "", "org_id": "org-2", "app_id": "app-2" },
        { "org_name": "Globex", "org_id": "org-3", "app_id": "app-3" },
    ]});
    let refused = json_of(
        call(app, Some(&bot), Method::POST, &path, Some(rows)).await,
        422,
    )
    .await;
    assert_eq!(refused["error"]["field"], "rows[2]", "{refused}");
    let listed = json_of(call(app, Some(&bot), Method::GET, &path, None).await, 200).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        0,
        "nothing of a refused request"
    );
    let good = json!({ "rows": [
        { "org_name": "Acme", "org_id": "org-1", "app_id": "app-1" },
        { "org_name": "Globex", "org_id": "org-3", "app_id": "app-3", "note": "EU" },
    ]});
    let added = json_of(
        call(app, Some(&bot), Method::POST, &path, Some(good)).await,
        201,
    )
    .await;
    assert_eq!(added["added"], 2);
    let again = json!({ "rows": [
        { "org_name": "Acme", "org_id": "org-1", "app_id": "app-1" },
        { "org_name": "Initech", "org_id": "org-4", "app_id": "app-4" },
    ]});
    let added = json_of(
        call(app, Some(&bot), Method::POST, &path, Some(again)).await,
        201,
    )
    .await;
    assert_eq!(added, json!({ "added": 1, "already_there": [1] }));
    let listed = json_of(call(app, Some(&bot), Method::GET, &path, None).await, 200).await;
    let orgs: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["org_name"].as_str().unwrap())
        .collect();
    assert_eq!(orgs, ["Acme", "Globex", "Initech"]);
    let csv = call(app, Some(&bot), Method::GET, &format!("{path}.csv"), None).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("Initech"));
}

async fn errors_have_one_shape_naming_the_field(app: &TestApp) {
    let bot = token(app, "ci", "responder").await;
    let bad = json_of(
        call(
            app,
            Some(&bot),
            Method::POST,
            "/api/v1/incidents",
            Some(json!({ "title": "", "severity": "SEV9" })),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = bad["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"title") && fields.contains(&"severity"),
        "{bad}"
    );
    assert_eq!(bad["error"]["code"], "invalid");
    let malformed = app
        .client
        .post(app.url("/api/v1/incidents"))
        .bearer_auth(&bot)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let malformed = json_of(malformed, 400).await;
    assert_eq!(malformed["error"]["code"], "invalid_body");
    let missing = json_of(
        call(
            app,
            Some(&bot),
            Method::GET,
            "/api/v1/incidents/999999",
            None,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(missing["error"]["code"], "not_found");
    let nowhere = json_of(
        call(app, Some(&bot), Method::GET, "/api/v1/nowhere", None).await,
        404,
    )
    .await;
    assert_eq!(nowhere["error"]["code"], "not_found");
    let number = declare(app, &bot, "Twice").await;
    // A NUL (which PostgreSQL cannot store) is the same 422 on both databases.
    let nul = json_of(
        call(
            app,
            Some(&bot),
            Method::POST,
            &format!("/api/v1/incidents/{number}/messages"),
            Some(json!({ "body": "bad\u{0}byte" })),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(nul["error"]["field"], "body");
    let again = json_of(
        call(
            app,
            Some(&bot),
            Method::PATCH,
            &format!("/api/v1/incidents/{number}"),
            Some(json!({ "status": "investigating" })),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(again["error"]["field"], "status");
}

async fn a_token_past_its_rate_gets_429(app: &TestApp) {
    let bot = token(app, "busy-bot", "viewer").await;
    let other = token(app, "calm-bot", "viewer").await;
    for _ in 0..3 {
        assert_eq!(
            call(app, Some(&bot), Method::GET, "/api/v1/me", None)
                .await
                .status(),
            200
        );
    }
    let res = call(app, Some(&bot), Method::GET, "/api/v1/me", None).await;
    assert!(res.headers().contains_key("retry-after"));
    let body = json_of(res, 429).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    // The limit is per token.
    assert_eq!(
        call(app, Some(&other), Method::GET, "/api/v1/me", None)
            .await
            .status(),
        200
    );
}

/// A webhook receiver on 127.0.0.1: records what it is sent; answers 500 to the first
/// `failing` requests, then 200.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    failing: Arc<Mutex<usize>>,
}

impl Receiver {
    async fn start(failing: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Self {
            url,
            got: Arc::default(),
            failing: Arc::new(Mutex::new(failing)),
        };
        let router = Router::new()
            .route(
                "/hook",
                post(
                    |State(r): State<Receiver>, headers: HeaderMap, body: String| async move {
                        r.got.lock().unwrap().push((headers, body));
                        let mut failing = r.failing.lock().unwrap();
                        if *failing > 0 {
                            *failing -= 1;
                            StatusCode::INTERNAL_SERVER_ERROR
                        } else {
                            StatusCode::OK
                        }
                    },
                ),
            )
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        receiver
    }

    fn received(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `count` requests came (or fails saying how many did).
    async fn wait_for(&self, count: usize) -> Vec<(HeaderMap, String)> {
        for _ in 0..300 {
            if self.received().len() >= count {
                return self.received();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{count} deliveries expected, {} came",
            self.received().len()
        );
    }
}

async fn endpoint(app: &TestApp, receiver: &Receiver, events: &[&str]) -> String {
    let admin = admin(app).await;
    webhooks::add(
        &app.db,
        Some(admin.id),
        &EndpointDraft {
            url: receiver.url.clone(),
            events: events.iter().map(|e| e.to_string()).collect(),
        },
    )
    .await
    .unwrap()
    .secret
}

fn delivery_ids(received: &[(HeaderMap, String)]) -> Vec<String> {
    received
        .iter()
        .map(|(h, _)| h["stormwatch-delivery"].to_str().unwrap().to_string())
        .collect()
}

async fn deliveries_are_signed_and_retried_until_the_receiver_takes_them(app: &TestApp) {
    let receiver = Receiver::start(2).await;
    let secret = endpoint(app, &receiver, &["incident.declared", "message.posted"]).await;
    let bot = token(app, "deploy-bot", "responder").await;
    let number = declare(app, &bot, "Sends fail").await;
    // Declared: refused twice, then taken: three attempts of one delivery.
    let received = receiver.wait_for(3).await;
    let ids = delivery_ids(&received);
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let (headers, body) = &received[2];
    assert_eq!(headers["stormwatch-event"], "incident.declared");
    let signature = headers["stormwatch-signature"].to_str().unwrap();
    let (t, v1) = signature.split_once(',').unwrap();
    let at: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
    assert!(
        (chrono::Utc::now().timestamp() - at).abs() < 60,
        "a fresh timestamp"
    );
    assert!(app::ssr::secrets::signature_matches(
        &secret,
        format!("{at}.{body}").as_bytes(),
        v1,
        "v1="
    ));
    assert!(!app::ssr::secrets::signature_matches(
        "whsec_other",
        format!("{at}.{body}").as_bytes(),
        v1,
        "v1="
    ));
    let sent: Value = serde_json::from_str(body).unwrap();
    assert_eq!(sent["event"], "incident.declared");
    assert_eq!(sent["incident"]["number"], number);
    // A message, then nothing else (a status change is not listened for).
    call(
        app,
        Some(&bot),
        Method::POST,
        &format!("/api/v1/incidents/{number}/messages"),
        Some(json!({ "body": "Rolled back" })),
    )
    .await;
    call(
        app,
        Some(&bot),
        Method::PATCH,
        &format!("/api/v1/incidents/{number}"),
        Some(json!({ "status": "monitoring" })),
    )
    .await;
    let received = receiver.wait_for(4).await;
    let sent: Value = serde_json::from_str(&received[3].1).unwrap();
    assert_eq!(sent["event"], "message.posted");
    assert_eq!(sent["line"]["author"], "deploy-bot (token)");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.received().len(), 4);
    let rows = webhook_delivery::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|d| d.status == "delivered" && d.response_status == Some(200)));
    assert_eq!(rows[0].attempts, 3);
    // Resend sends the same body again.
    webhooks::resend(&app.db, rows[0].id).await.unwrap();
    let received = receiver.wait_for(5).await;
    assert_eq!(received[4].1, received[2].1);
}

async fn each_delivery_is_sent_by_one_of_two_instances(app: &TestApp) {
    let second = &app.another_instance(|_, _| {}).await;
    let receiver = Receiver::start(0).await;
    endpoint(app, &receiver, &["message.posted"]).await;
    let bot = token(app, "chatty-bot", "responder").await;
    let number = declare(app, &bot, "Busy").await;
    for n in 0..20 {
        let instance = if n % 2 == 0 { app } else { second };
        let res = call(
            instance,
            Some(&bot),
            Method::POST,
            &format!("/api/v1/incidents/{number}/messages"),
            Some(json!({ "body": format!("update {n}") })),
        )
        .await;
        assert_eq!(res.status(), 201);
    }
    let received = receiver.wait_for(20).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let ids = delivery_ids(&receiver.received());
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 20, "exactly one delivery per event: {ids:?}");
    assert_eq!(unique.len(), 20);
    let bodies: HashSet<String> = received
        .iter()
        .map(|(_, b)| {
            serde_json::from_str::<Value>(b).unwrap()["line"]["body"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(bodies.len(), 20);
}

async fn deliveries_queued_before_a_restart_are_sent_once(app: &TestApp) {
    let receiver = Receiver::start(0).await;
    endpoint(app, &receiver, &["message.posted", "incident.declared"]).await;
    let bot = token(app, "night-bot", "responder").await;
    let number = declare(app, &bot, "Overnight").await;
    for n in 0..5 {
        call(
            app,
            Some(&bot),
            Method::POST,
            &format!("/api/v1/incidents/{number}/messages"),
            Some(json!({ "body": format!("note {n}") })),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 0, "this instance only queues");
    let queued = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq("pending"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(queued, 6);
    // The instance comes back sending.
    let restarted = app.another_instance(|_, _| {}).await;
    receiver.wait_for(6).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let ids = delivery_ids(&receiver.received());
    assert_eq!(ids.len(), 6, "{ids:?}");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 6);
    drop(restarted);
}

/// `docs/api.md` is the reference rendered from the code; `UPDATE_API_DOCS=1` rewrites it.
#[test]
fn the_api_reference_in_docs_is_the_code_s() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md");
    let rendered = server::rest::reference::markdown();
    if std::env::var("UPDATE_API_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(path, &rendered).unwrap();
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == rendered,
        "docs/api.md is out of date: run UPDATE_API_DOCS=1 cargo test -p server --features app/ssr --test api reference"
    );
}

async fn an_overdue_action_is_told_once(app: &TestApp) {
    let receiver = Receiver::start(0).await;
    endpoint(app, &receiver, &["action.overdue"]).await;
    let bot = token(app, "tracker-bot", "responder").await;
    let number = declare(app, &bot, "Index missing").await;
    let owner = app.sign_in("Lin Owner", "responder").await;
    let admin = admin(app).await;
    app::ssr::services::postmortems::start(&app.db, &admin, number)
        .await
        .unwrap();
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    let created = json_of(
        call(
            app,
            Some(&bot),
            Method::POST,
            &format!("/api/v1/incidents/{number}/actions"),
            Some(json!({ "title": "Add the index", "assignee_id": owner.id, "due_on": due })),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["assignee"]["name"], "Lin Owner");
    let zone = chrono_tz::UTC;
    let later = chrono::Utc::now() + chrono::Duration::days(5);
    assert_eq!(
        webhooks::raise_overdue(&app.db, zone, chrono::Utc::now())
            .await
            .unwrap(),
        0,
        "not yet due"
    );
    assert_eq!(
        webhooks::raise_overdue(&app.db, zone, later).await.unwrap(),
        1
    );
    assert_eq!(
        webhooks::raise_overdue(&app.db, zone, later).await.unwrap(),
        0,
        "once"
    );
    let received = receiver.wait_for(1).await;
    let sent: Value = serde_json::from_str(&received[0].1).unwrap();
    assert_eq!(sent["event"], "action.overdue");
    assert_eq!(sent["action"]["title"], "Add the index");
    assert_eq!(sent["incident"]["number"], number);
    // Done, it is no one's worry: a token cannot own it either.
    let refused = json_of(
        call(
            app,
            Some(&bot),
            Method::POST,
            &format!("/api/v1/incidents/{number}/actions"),
            Some(json!({ "title": "Watch it", "assignee_id": 0, "due_on": due })),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(refused["error"]["field"], "assignee");
}
