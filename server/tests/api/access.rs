//! Roles on every path: every server function the code registers (read from the
//! server-function registry, not a list kept here) is called anonymously, as a viewer,
//! a responder and an admin, with arguments that would change things if allowed.

use crate::{
    helpers::{new_client, SignedIn, TestApp},
    on_both_databases,
};
use app::{
    api::{
        channel::PostDiscussion,
        email::{SaveDistributionList, SendEmail},
        incidents::DeclareIncident,
    },
    domain::{Access, Permission, Role},
    ssr::entities::{
        action_change, affected_customer, alert, alert_source, corrective_action,
        distribution_list, email, email_draft, incident, incident_team, not_now_item,
        timeline_event, user,
    },
};
use leptos::server_fn::ServerFn;
use reqwest::Client;
use sea_orm::{EntityTrait, PaginatorTrait};

on_both_databases!(
    every_server_function_enforces_its_role,
    pages_take_no_posts,
    a_cross_site_post_is_refused,
);

/// Every registered server function, with the access its path declares.
fn server_functions() -> Vec<(&'static str, Access)> {
    let mut all: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _method)| {
            let access = Access::for_api_path(path).unwrap_or_else(|| {
                panic!("{path} declares no access: give it a prefix from domain::Access")
            });
            (path, access)
        })
        .collect();
    all.sort_by_key(|(path, _)| *path);
    assert!(
        all.len() >= 10,
        "the registry lists the app's functions: {all:?}"
    );
    all
}

/// What could change: users' roles and access, incidents and their records.
async fn fingerprint(app: &TestApp) -> String {
    let users: Vec<_> = user::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.role, u.disabled))
        .collect();
    let incidents: Vec<_> = incident::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.id, i.status, i.severity, i.updated_at))
        .collect();
    let events = timeline_event::Entity::find().count(&app.db).await.unwrap();
    let customers = affected_customer::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    let alerts: Vec<_> = alert::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.incident_id))
        .collect();
    let sources: Vec<_> = alert_source::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.enabled, s.secret_hash, s.service, s.signing_secret))
        .collect();
    let edits: Vec<_> = timeline_event::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.body))
        .collect();
    let mail = (
        email::Entity::find().count(&app.db).await.unwrap(),
        email_draft::Entity::find().count(&app.db).await.unwrap(),
        distribution_list::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        incident_team::Entity::find().count(&app.db).await.unwrap(),
    );
    let actions: Vec<_> = corrective_action::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.version, a.status))
        .collect();
    let action_lines = (
        action_change::Entity::find().count(&app.db).await.unwrap(),
        not_now_item::Entity::find().count(&app.db).await.unwrap(),
    );
    format!(
        "{users:?} {incidents:?} {events} {customers} {alerts:?} {sources:?} {edits:?} {mail:?} {actions:?} {action_lines:?}"
    )
}

async fn every_server_function_enforces_its_role(app: &TestApp) {
    let SignedIn {
        client: viewer,
        id: viewer_id,
    } = app.sign_in("vera", "viewer").await;
    let responder = app.sign_in("rosa", "responder").await.client;
    let admin = app.sign_in("ada", "admin").await.client;
    let res = app
        .call_as(
            &responder,
            DeclareIncident::PATH,
            &[
                ("title", "Push failing"),
                ("services", "push"),
                ("severity", "SEV2"),
                ("started_at", ""),
                ("summary", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .call_as(
            &responder,
            PostDiscussion::PATH,
            &[
                ("number", "1"),
                ("kind", "hypothesis"),
                ("body", "The pool ran dry"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let post: i64 = res.json().await.unwrap();
    let source = app.add_source("generic", "Breakers", "").await;
    let delivered = app
        .deliver(
            &source.url,
            &serde_json::json!({"dedup_key": "k", "title": "Breaker open"}),
        )
        .await;
    assert_eq!(delivered.status(), 200);
    let alert_id = alert::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    // An API token (id 1) and a webhook receiver (id 1) that the email below queues a
    // delivery (id 1) for, for the automation functions.
    app::ssr::services::automation::tokens::create(
        &app.db,
        None,
        &app::domain::TokenDraft {
            name: "bot".into(),
            role: "viewer".into(),
            expires_on: String::new(),
        },
    )
    .await
    .unwrap();
    app::ssr::services::automation::webhooks::add(
        &app.db,
        None,
        &app::domain::EndpointDraft {
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["email.sent".into()],
        },
    )
    .await
    .unwrap();
    // A distribution list and a sent email (to the outbox), for the mail functions.
    let res = app
        .call_as(
            &admin,
            SaveDistributionList::PATH,
            &[("name", "Company"), ("addresses", "exec@example.com")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = responder
        .post(app.url(SendEmail::PATH))
        .header("accept", "application/json")
        .json(&serde_json::json!({
            "number": 1,
            "draft": {"subject": "Push failing", "cause": "A bad deploy.", "impact": "",
                      "customers": "", "current_status": "", "next_steps": "",
                      "extra": "exec@example.com"},
            "version": 0,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // A started postmortem, for the postmortem functions.
    let res = app
        .call_as(
            &responder,
            app::api::postmortems::StartPostmortem::PATH,
            &[("number", "1")],
        )
        .await;
    assert_eq!(res.status(), 200);
    // A corrective action (id 1), for the action functions.
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    let res = app
        .call_as(
            &responder,
            app::api::actions::AddCorrectiveAction::PATH,
            &[
                ("number", "1"),
                ("title", "Add an index"),
                ("assignee", viewer_id.to_string().as_str()),
                ("due", due.as_str()),
                ("top_priority", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // A superset of every function's arguments, each aimed at something that exists:
    // allowed, they would declare, resolve, re-grade, promote the viewer, disable them,
    // attach the alert, reword the post, disable the source or rotate its secret.
    let viewer_id = viewer_id.to_string();
    let (post, alert_id) = (post.to_string(), alert_id.to_string());
    let args = [
        ("number", "1"),
        ("title", "Injected"),
        ("services", "push"),
        ("severity", "SEV1"),
        ("started_at", ""),
        ("summary", ""),
        ("status", "resolved"),
        ("user_id", viewer_id.as_str()),
        ("role", "admin"),
        ("disabled", "true"),
        ("name", "Vera"),
        ("email", "vera@example.com"),
        ("sort", "org_id"),
        ("descending", "false"),
        ("filter", ""),
        ("page", "0"),
        ("id", "1"),
        ("field", "note"),
        ("value", "changed"),
        ("org_name", "Acme"),
        ("org_id", "42"),
        ("app_id", ""),
        ("campaign_id", ""),
        ("note", ""),
        ("import_id", ""),
        ("alert", alert_id.as_str()),
        ("post", post.as_str()),
        ("parent", post.as_str()),
        ("body", "Injected"),
        ("kind", "idea"),
        ("public_id", source.public_id.as_str()),
        ("enabled", "false"),
        ("service", "push"),
        ("signing_secret", ""),
        ("addresses", "injected@example.com"),
        ("is_default", "on"),
        ("assignee", viewer_id.as_str()),
        ("due", due.as_str()),
        ("top_priority", "yes"),
        ("version", "1"),
        ("reason", "Injected"),
        ("url", "http://127.0.0.1:9/injected"),
        ("events", "incident.declared"),
        ("expires_on", ""),
    ];
    let anonymous = new_client();
    for (path, access) in server_functions() {
        if access == Access::Public {
            continue;
        }
        let res = app.call_as(&anonymous, path, &args).await;
        assert_eq!(res.status(), 401, "anonymous {path}");

        for (client, role) in [(&viewer, Role::Viewer), (&responder, Role::Responder)] {
            let Access::SignedIn(permission) = access else {
                unreachable!()
            };
            if role.allows(permission) {
                continue;
            }
            let before = fingerprint(app).await;
            let res = app.call_as(client, path, &args).await;
            assert_eq!(res.status(), 403, "{role} {path}");
            assert_eq!(
                fingerprint(app).await,
                before,
                "{role} {path} changed nothing"
            );
        }
    }
    // Allowed as designed: readers read; responders run incidents; admins administer
    // (last, as disabling the viewer would end the viewer's part).
    let mut in_order = server_functions();
    in_order.sort_by_key(|(_, access)| match access {
        Access::Public => 0,
        Access::SignedIn(Permission::Read) => 1,
        Access::SignedIn(Permission::Respond) => 2,
        Access::SignedIn(Permission::Administer) => 3,
    });
    for (path, access) in in_order {
        let callers: &[&Client] = match access {
            Access::Public => &[],
            Access::SignedIn(Permission::Read) => &[&viewer, &responder, &admin],
            Access::SignedIn(Permission::Respond) => &[&responder, &admin],
            Access::SignedIn(Permission::Administer) => &[&admin],
        };
        for client in callers {
            // Past the gate, the domain may still say no: the same change twice is a 422
            // or a 409, and a JSON-only function cannot read these form arguments (422).
            let res = app.call_as(client, path, &args).await;
            let status = res.status().as_u16();
            assert!(
                (200..300).contains(&status) || status == 422 || status == 409,
                "{path}: {status} {}",
                res.text().await.unwrap()
            );
        }
    }
}

async fn pages_take_no_posts(app: &TestApp) {
    let responder = app.sign_in("rosa", "responder").await.client;
    for route in app.state.routes.iter() {
        let path = route.path().replace(":number", "1");
        let res = responder.post(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 405, "POST {path}: pages change nothing");
    }
}

async fn a_cross_site_post_is_refused(app: &TestApp) {
    let responder = app.sign_in("rosa", "responder").await.client;
    let form = [
        ("title", "Planted by evil.example"),
        ("services", "push"),
        ("severity", "SEV1"),
        ("started_at", ""),
        ("summary", ""),
    ];
    for headers in [
        [
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        [
            ("sec-fetch-site", "same-site"),
            ("origin", "https://sub.example.com"),
        ],
    ] {
        let mut req = responder
            .post(app.url(DeclareIncident::PATH))
            .header("accept", "application/json");
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let res = req.form(&form).send().await.unwrap();
        assert_eq!(res.status(), 403, "{headers:?}");
    }
    // An older browser that sends only Origin.
    let res = responder
        .post(app.url("/auth/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "cross-site sign-out");
    assert_eq!(incident::Entity::find().count(&app.db).await.unwrap(), 0);

    // The same post from our own page goes through.
    let res = responder
        .post(app.url(DeclareIncident::PATH))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("origin", app.address.as_str())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
