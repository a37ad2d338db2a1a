//! Sign-in with a real OpenID Connect provider (end2end/oidc-provider.mjs) through the
//! real redirects, and every way a sign-in must be refused.

use crate::{
    helpers::{location, new_client, with_provider, Provider, TestApp},
    on_both_databases,
};
use app::{
    api::{incidents::DeclareIncident, users::SetUserDisabled, users::SetUserRole},
    ssr::entities::{audit_event, user},
};
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

on_both_databases!(
    set_up = crate::helpers::with_oidc_provider;
    each_role_lands_on_its_home_and_signs_out,
    a_tampered_state_is_refused,
    a_replayed_callback_is_refused,
    a_callback_from_another_browser_is_refused,
    a_wrong_nonce_is_refused,
    a_token_for_another_audience_is_refused,
    an_expired_token_is_refused,
    an_account_outside_the_allowed_domains_is_refused,
    an_unverified_email_is_refused,
    a_disabled_user_is_refused_and_signed_out_at_once,
    a_role_change_applies_on_the_next_request,
    the_user_keys_on_the_subject_not_the_email,
);

async fn me(app: &TestApp, client: &reqwest::Client) -> serde_json::Value {
    let res = app.call_as(client, app::api::session::Me::PATH, &[]).await;
    res.json().await.unwrap()
}

async fn refusals(app: &TestApp) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(app::domain::AuditAction::SignInRefused))
        .order_by_asc(audit_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn assert_refused(app: &TestApp, client: &reqwest::Client, landed: &str, code: &str) {
    assert_eq!(landed, format!("/login?refused={code}"));
    assert!(me(app, client).await.is_null(), "nobody is signed in");
    let last = refusals(app)
        .await
        .pop()
        .expect("the refusal is in the audit log");
    assert!(last.detail.starts_with(code), "{}", last.detail);
    // The sign-in page says why, in words.
    let page = client.get(app.url(landed)).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("You were not signed in."), "{html}");
    assert!(html.contains(&format!("data-refusal=\"{code}\"")), "{html}");
}

async fn each_role_lands_on_its_home_and_signs_out(app: &TestApp) {
    let viewer = new_client();
    let trip = app
        .sign_in_with_provider(&viewer, "ada@example.com", json!({}))
        .await;
    assert_eq!(trip.landed, "/status", "viewers land on the status view");
    let who = me(app, &viewer).await;
    assert_eq!(who["email"], "ada@example.com");
    assert_eq!(who["name"], "Ada");
    assert_eq!(who["role"], "Viewer", "DEFAULT_ROLE is viewer");
    let status = viewer.get(app.url("/status")).send().await.unwrap();
    assert_eq!(status.status(), 200);
    assert!(status.text().await.unwrap().contains("No open incidents"));
    let home = viewer.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        location(&home),
        "/status",
        "a viewer's dashboard is the status view"
    );

    let admin = new_client();
    let trip = app
        .sign_in_with_provider(&admin, "lead@example.com", json!({}))
        .await;
    assert_eq!(trip.landed, "/", "admins land on the dashboard");
    assert_eq!(
        me(app, &admin).await["role"],
        "Admin",
        "ADMIN_EMAILS makes admins"
    );

    // The session cookie is HttpOnly and SameSite=Lax; plain http here, so not Secure.
    let again = new_client();
    let start = again.get(app.url("/auth/login")).send().await.unwrap();
    let state_cookie = start.headers()["set-cookie"].to_str().unwrap();
    assert!(state_cookie.contains("HttpOnly") && state_cookie.contains("SameSite=Lax"));

    let out = viewer.post(app.url("/auth/logout")).send().await.unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(location(&out), "/login");
    assert!(me(app, &viewer).await.is_null());
    let actions: Vec<_> = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    use app::domain::AuditAction::*;
    assert_eq!(actions, [SignedIn, SignedIn, SignedOut]);
}

async fn a_tampered_state_is_refused(app: &TestApp) {
    let client = new_client();
    let start = client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = location(&start).to_string();
    let back = client.get(&authorize).send().await.unwrap();
    let callback = location(&back).replace("state=", "state=x");
    let landed = app.follow_callback(&client, &callback).await;
    assert_refused(app, &client, &landed, "expired").await;
}

async fn a_replayed_callback_is_refused(app: &TestApp) {
    let client = new_client();
    let trip = app
        .sign_in_with_provider(&client, "ada@example.com", json!({}))
        .await;
    assert_eq!(trip.landed, "/status");
    // Someone who saw the callback URL (and even the state cookie) replays it.
    let state = reqwest::Url::parse(&trip.callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    // Another browser: none of the first one's cookies.
    let thief = new_client();
    let res = thief
        .get(&trip.callback)
        .header("cookie", format!("stormwatch_sign_in={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?refused=expired");
    assert!(res.headers().get_all("set-cookie").iter().all(|c| !c
        .to_str()
        .unwrap()
        .starts_with("stormwatch_session=")
        || c.to_str().unwrap().starts_with("stormwatch_session=;")));
}

async fn a_callback_from_another_browser_is_refused(app: &TestApp) {
    // Login CSRF: an attacker starts a sign-in and sends the victim the callback URL.
    let attacker = new_client();
    let start = attacker.get(app.url("/auth/login")).send().await.unwrap();
    let back = attacker.get(location(&start)).send().await.unwrap();
    let victim = new_client();
    let landed = app.follow_callback(&victim, location(&back)).await;
    assert_refused(app, &victim, &landed, "expired").await;
}

async fn a_wrong_nonce_is_refused(app: &TestApp) {
    let client = new_client();
    let trip = app
        .sign_in_with_provider(
            &client,
            "ada@example.com",
            json!({ "nonce": "not-the-one" }),
        )
        .await;
    assert_refused(app, &client, &trip.landed, "invalid").await;
}

async fn a_token_for_another_audience_is_refused(app: &TestApp) {
    let client = new_client();
    let trip = app
        .sign_in_with_provider(&client, "ada@example.com", json!({ "aud": "another-app" }))
        .await;
    assert_refused(app, &client, &trip.landed, "invalid").await;
}

async fn an_expired_token_is_refused(app: &TestApp) {
    let client = new_client();
    let now = chrono::Utc::now().timestamp();
    let trip = app
        .sign_in_with_provider(
            &client,
            "ada@example.com",
            json!({ "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600 }),
        )
        .await;
    assert_refused(app, &client, &trip.landed, "invalid").await;
}

async fn an_account_outside_the_allowed_domains_is_refused(app: &TestApp) {
    let client = new_client();
    let trip = app
        .sign_in_with_provider(&client, "eve@evil.com", json!({}))
        .await;
    assert_refused(app, &client, &trip.landed, "not-allowed").await;
    assert_eq!(
        refusals(app).await[0].email.as_deref(),
        Some("eve@evil.com")
    );
    // A consumer account claiming an allowed address is not vouched for by the domain.
    let trip = app
        .sign_in_with_provider(&client, "ada@example.com", json!({ "hd": null }))
        .await;
    assert_refused(app, &client, &trip.landed, "not-allowed").await;
    assert!(user::Entity::find().all(&app.db).await.unwrap().is_empty());
}

async fn an_unverified_email_is_refused(app: &TestApp) {
    let client = new_client();
    let trip = app
        .sign_in_with_provider(
            &client,
            "ada@example.com",
            json!({ "email_verified": false }),
        )
        .await;
    assert_refused(app, &client, &trip.landed, "unverified").await;
}

async fn a_disabled_user_is_refused_and_signed_out_at_once(app: &TestApp) {
    let viewer = new_client();
    app.sign_in_with_provider(&viewer, "ada@example.com", json!({}))
        .await;
    let ada = me(app, &viewer).await["id"].as_i64().unwrap().to_string();
    let admin = new_client();
    app.sign_in_with_provider(&admin, "lead@example.com", json!({}))
        .await;

    let res = app
        .call_as(
            &admin,
            SetUserDisabled::PATH,
            &[("user_id", &ada), ("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        me(app, &viewer).await.is_null(),
        "the session ended at once"
    );
    let status = viewer.get(app.url("/status")).send().await.unwrap();
    assert_eq!(location(&status), "/login", "back to the sign-in page");

    let trip = app
        .sign_in_with_provider(&viewer, "ada@example.com", json!({}))
        .await;
    assert_refused(app, &viewer, &trip.landed, "disabled").await;
}

async fn a_role_change_applies_on_the_next_request(app: &TestApp) {
    let ada = new_client();
    app.sign_in_with_provider(&ada, "ada@example.com", json!({}))
        .await;
    let id = me(app, &ada).await["id"].as_i64().unwrap().to_string();
    let declare = [
        ("title", "Checkout down"),
        ("services", "checkout"),
        ("severity", "SEV2"),
        ("started_at", ""),
        ("summary", ""),
    ];
    let res = app.call_as(&ada, DeclareIncident::PATH, &declare).await;
    assert_eq!(res.status(), 403, "a viewer cannot declare");

    let admin = new_client();
    app.sign_in_with_provider(&admin, "lead@example.com", json!({}))
        .await;
    let res = app
        .call_as(
            &admin,
            SetUserRole::PATH,
            &[("user_id", &id), ("role", "responder")],
        )
        .await;
    assert_eq!(res.status(), 200);

    let res = app.call_as(&ada, DeclareIncident::PATH, &declare).await;
    assert_eq!(res.status(), 200, "the same session may now declare");
    let line = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(app::domain::AuditAction::RoleChanged))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the role change is audited");
    assert_eq!(line.detail, "viewer → responder");

    // An admin cannot lock themselves out, nor demote an ADMIN_EMAILS address.
    let lead = me(app, &admin).await["id"].as_i64().unwrap().to_string();
    let res = app
        .call_as(
            &admin,
            SetUserRole::PATH,
            &[("user_id", &lead), ("role", "viewer")],
        )
        .await;
    assert_eq!(res.status(), 422);
}

async fn the_user_keys_on_the_subject_not_the_email(app: &TestApp) {
    let client = new_client();
    app.sign_in_with_provider(&client, "ada@example.com", json!({}))
        .await;
    let first = me(app, &client).await["id"].clone();
    // The same Google account (same `sub`) after an address change.
    app.sign_in_with_provider(
        &client,
        "ada@example.com",
        json!({ "email": "ada.l@example.com" }),
    )
    .await;
    let after = me(app, &client).await;
    assert_eq!(after["id"], first);
    assert_eq!(after["email"], "ada.l@example.com");
    assert_eq!(user::Entity::find().all(&app.db).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_provider_that_is_down_makes_sign_in_unavailable() {
    crate::helpers::bounded(
        concat!(
            module_path!(),
            "::a_provider_that_is_down_makes_sign_in_unavailable"
        ),
        async {
            // A port nothing listens on.
            let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let issuer = format!("http://{}", closed.local_addr().unwrap());
            drop(closed);
            let app = crate::helpers::spawn_app_with(
                crate::helpers::Backend::Sqlite,
                with_provider(&issuer),
            )
            .await;
            let client = new_client();
            let res = client.get(app.url("/auth/login")).send().await.unwrap();
            assert_eq!(res.status(), 303);
            let landed = location(&res).to_string();
            assert_refused(&app, &client, &landed, "unavailable").await;
            app.finish().await;
        },
    )
    .await
}

#[tokio::test]
async fn the_sign_in_page_offers_google_when_configured() {
    crate::helpers::bounded(
        concat!(
            module_path!(),
            "::the_sign_in_page_offers_google_when_configured"
        ),
        async {
            let provider = Provider::start().await;
            let app = crate::helpers::spawn_app_with(
                crate::helpers::Backend::Sqlite,
                with_provider(&provider.issuer),
            )
            .await;
            let html = app.text("/login").await;
            assert!(html.contains("Sign in with Google"));
            assert!(
                !html.contains("Development login"),
                "off unless AUTH_DEV_LOGIN=1"
            );
            app.finish().await;
        },
    )
    .await
}
