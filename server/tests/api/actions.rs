//! Corrective actions over HTTP: every way in refuses an action without its assignee or
//! its date, and the database refuses such a row on its own; a disabled user cannot be
//! assigned; a change made to an older copy is refused, not written over another's;
//! statuses keep who and why; "not now" items and promoted ideas; the export; the
//! tracker's order and filters; traceability when moving to review; and one reminder
//! per assignee a day, however many instances run.

use crate::{
    helpers::{declare, incident, timeline_bodies, TestApp},
    on_both_databases,
    postmortems::{edit, send, started, writer},
};
use app::{
    api::{
        actions::{
            ActionTracker, AddCorrectiveAction, CorrectiveActionHistory, EditCorrectiveAction,
            ReadPostmortemActions, SetCorrectiveActionStatus,
        },
        channel::PostDiscussion,
        incidents::{ListIncidents, StatusView},
        postmortems::{SetPostmortemStatus, StartPostmortem},
    },
    domain::postmortem::document,
    ssr::{
        entities::{corrective_action, email, user},
        services::actions::reminders,
    },
};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use leptos::server_fn::ServerFn;
use reqwest::Client;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::Value;

on_both_databases!(
    every_way_in_refuses_an_action_without_an_assignee_or_a_date,
    the_database_refuses_such_rows_even_with_the_domain_bypassed,
    a_disabled_user_cannot_be_assigned,
    a_change_to_an_older_copy_is_refused_and_each_change_is_in_the_history,
    statuses_record_who_and_why,
    an_item_that_is_not_top_priority_goes_to_not_now_and_both_are_exported,
    a_promoted_idea_shows_where_it_went,
    the_tracker_puts_overdue_first_and_filters,
    moving_to_review_lists_untraced_actions_and_factors_without_one,
    a_reminder_goes_once_per_assignee_across_two_instances,
);

/// The first business day (Mon–Fri) from today on.
fn business_day_from_today() -> NaiveDate {
    let mut day = Utc::now().date_naive();
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day = day.succ_opt().unwrap();
    }
    day
}

fn in_days(n: i64) -> String {
    (Utc::now().date_naive() + Duration::days(n)).to_string()
}

async fn add_as(
    app: &TestApp,
    client: &Client,
    number: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let n = number.to_string();
    let mut form = vec![("number", n.as_str())];
    form.extend_from_slice(fields);
    app.call_as(client, AddCorrectiveAction::PATH, &form).await
}

/// Adds an action as the app's client; its id.
async fn add(app: &TestApp, number: i64, title: &str, assignee: i64, due: &str) -> i64 {
    let who = assignee.to_string();
    let res = add_as(
        app,
        &app.client,
        number,
        &[
            ("title", title),
            ("assignee", &who),
            ("due", due),
            ("top_priority", "yes"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let added: Value = res.json().await.unwrap();
    added["Action"].as_i64().expect("an action")
}

async fn actions_of(app: &TestApp, number: i64) -> Value {
    let res = app
        .call::<ReadPostmortemActions>(&[("number", &number.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn count(app: &TestApp) -> u64 {
    corrective_action::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

/// The app's client's user id (rosa, a responder).
async fn me(app: &TestApp) -> i64 {
    app.me().await.unwrap()["id"].as_i64().unwrap()
}

async fn every_way_in_refuses_an_action_without_an_assignee_or_a_date(app: &TestApp) {
    let number = started(app).await;
    let rosa = me(app).await.to_string();
    let due = in_days(3);
    for (fields, named) in [
        (
            vec![
                ("title", "Add an index"),
                ("due", due.as_str()),
                ("top_priority", "yes"),
            ],
            "assignee",
        ),
        (
            vec![
                ("title", "Add an index"),
                ("assignee", ""),
                ("due", due.as_str()),
                ("top_priority", "yes"),
            ],
            "assignee",
        ),
        (
            vec![
                ("title", "Add an index"),
                ("assignee", rosa.as_str()),
                ("top_priority", "yes"),
            ],
            "due",
        ),
        (
            vec![
                ("title", "Add an index"),
                ("assignee", rosa.as_str()),
                ("due", "2020-01-01"),
                ("top_priority", "yes"),
            ],
            "due",
        ),
        (
            vec![
                ("title", "Add an index"),
                ("assignee", rosa.as_str()),
                ("due", due.as_str()),
            ],
            "top_priority",
        ),
    ] {
        let res = add_as(app, &app.client, number, &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains(named), "{fields:?} names {named}: {body}");
    }
    // A plain form post (before the page hydrates) is refused the same way.
    let n = number.to_string();
    let res = app
        .post_form(
            AddCorrectiveAction::PATH,
            &format!("/incidents/{number}/postmortem"),
            &[
                ("number", n.as_str()),
                ("title", "Add an index"),
                ("due", due.as_str()),
                ("top_priority", "yes"),
            ],
        )
        .await;
    assert!(res.status().is_redirection() || res.status() == 422);
    assert_eq!(count(app).await, 0, "nothing was written");

    // Changing a saved action to no assignee or no date is refused too.
    let id = add(app, number, "Add an index", me(app).await, &due).await;
    for (field, value) in [("assignee", ""), ("due", ""), ("due", "2020-01-01")] {
        let res = app
            .call::<EditCorrectiveAction>(&[
                ("id", &id.to_string()),
                ("version", "1"),
                ("field", field),
                ("value", value),
            ])
            .await;
        assert_eq!(res.status(), 422, "{field}={value:?}");
        assert!(res.text().await.unwrap().contains(field));
    }
    let row = corrective_action::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.version, row.due_on.to_string()), (1, due));
}

async fn the_database_refuses_such_rows_even_with_the_domain_bypassed(app: &TestApp) {
    let number = started(app).await;
    let rosa = me(app).await;
    let pm: i64 = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM postmortems",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    let insert = |assignee: &str, due: &str, incident_on: &str, status: &str, title: &str| {
        format!(
            "INSERT INTO corrective_actions (postmortem_id, incident_id, title, assignee_id, due_on, \
             incident_on, status, version, created_by, created_at, updated_at) VALUES \
             ({pm}, {number}, {title}, {assignee}, {due}, {incident_on}, '{status}', 1, {rosa}, \
             '2026-12-01 10:00:00+00:00', '2026-12-01 10:00:00+00:00')"
        )
    };
    let ok = insert(
        &rosa.to_string(),
        "'2026-12-04'",
        "'2026-12-01'",
        "open",
        "'Fine'",
    );
    app.db
        .execute_unprepared(&ok)
        .await
        .expect("a whole row goes in: the refusals below are the constraints'");
    for (what, sql) in [
        (
            "no assignee",
            insert("NULL", "'2026-12-04'", "'2026-12-01'", "open", "'x'"),
        ),
        (
            "an assignee who is not a user",
            insert("999999", "'2026-12-04'", "'2026-12-01'", "open", "'x'"),
        ),
        (
            "no date",
            insert(&rosa.to_string(), "NULL", "'2026-12-01'", "open", "'x'"),
        ),
        (
            "a date before the incident",
            insert(
                &rosa.to_string(),
                "'2026-11-30'",
                "'2026-12-01'",
                "open",
                "'x'",
            ),
        ),
        (
            "no title",
            insert(
                &rosa.to_string(),
                "'2026-12-04'",
                "'2026-12-01'",
                "open",
                "'  '",
            ),
        ),
        (
            "done without who and when",
            insert(
                &rosa.to_string(),
                "'2026-12-04'",
                "'2026-12-01'",
                "done",
                "'x'",
            ),
        ),
        (
            "won't do without a reason",
            insert(
                &rosa.to_string(),
                "'2026-12-04'",
                "'2026-12-01'",
                "wont_do",
                "'x'",
            ),
        ),
        (
            "a status that does not exist",
            insert(
                &rosa.to_string(),
                "'2026-12-04'",
                "'2026-12-01'",
                "someday",
                "'x'",
            ),
        ),
    ] {
        assert!(
            app.db.execute_unprepared(&sql).await.is_err(),
            "the database refuses {what}"
        );
    }
    assert_eq!(count(app).await, 1);
}

async fn a_disabled_user_cannot_be_assigned(app: &TestApp) {
    let number = started(app).await;
    let gone = app.sign_in("gone", "responder").await.id;
    let lin = app.sign_in("lin", "responder").await.id;
    user::Entity::update_many()
        .col_expr(user::Column::Disabled, Expr::value(true))
        .filter(user::Column::Id.eq(gone))
        .exec(&app.db)
        .await
        .unwrap();
    let due = in_days(2);
    let res = add_as(
        app,
        &app.client,
        number,
        &[
            ("title", "Rotate the keys"),
            ("assignee", &gone.to_string()),
            ("due", &due),
            ("top_priority", "yes"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("disabled"));
    let id = add(app, number, "Rotate the keys", lin, &due).await;
    let res = app
        .call::<EditCorrectiveAction>(&[
            ("id", &id.to_string()),
            ("version", "1"),
            ("field", "assignee"),
            ("value", &gone.to_string()),
        ])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(count(app).await, 1);
}

async fn a_change_to_an_older_copy_is_refused_and_each_change_is_in_the_history(app: &TestApp) {
    let number = started(app).await;
    let rosa = me(app).await;
    let ada = app.sign_in("ada", "responder").await;
    let id = add(app, number, "Add an index", rosa, &in_days(3)).await;
    // Ada and Rosa both hold version 1; Ada reassigns it first.
    let res = app
        .call_as(
            &ada.client,
            EditCorrectiveAction::PATH,
            &[
                ("id", &id.to_string()),
                ("version", "1"),
                ("field", "assignee"),
                ("value", &ada.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = app
        .call::<EditCorrectiveAction>(&[
            ("id", &id.to_string()),
            ("version", "1"),
            ("field", "due"),
            ("value", &in_days(9)),
        ])
        .await;
    assert_eq!(res.status(), 409, "Rosa's copy is older");
    let now = actions_of(app, number).await;
    let action = &now["actions"][0];
    assert_eq!(action["assignee"]["name"], "ada");
    assert_eq!(action["due"], in_days(3), "Rosa's change did not land");
    assert_eq!(action["version"], 2);
    // With the version she now sees, it goes through.
    let res = app
        .call::<EditCorrectiveAction>(&[
            ("id", &id.to_string()),
            ("version", "2"),
            ("field", "due"),
            ("value", &in_days(9)),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .call::<CorrectiveActionHistory>(&[("id", &id.to_string())])
        .await;
    let history: Vec<Value> = res.json().await.unwrap();
    let lines: Vec<String> = history
        .iter()
        .map(|h| {
            format!(
                "@{} {}",
                h["by"].as_str().unwrap(),
                h["body"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("@rosa added it: Add an index — @rosa — by "));
    assert_eq!(lines[1], "@ada reassigned it from @rosa to @ada");
    assert!(lines[2].starts_with("@rosa moved its date from "));
}

async fn statuses_record_who_and_why(app: &TestApp) {
    let number = started(app).await;
    let id = add(app, number, "Add an index", me(app).await, &in_days(3)).await;
    let status = |version: &'static str, to: &'static str, reason: &'static str| {
        let id = id.to_string();
        async move {
            app.call::<SetCorrectiveActionStatus>(&[
                ("id", id.as_str()),
                ("version", version),
                ("status", to),
                ("reason", reason),
            ])
            .await
        }
    };
    assert_eq!(status("1", "wont_do", "").await.status(), 422, "a reason");
    assert_eq!(status("1", "in_progress", "").await.status(), 200);
    assert_eq!(status("2", "done", "").await.status(), 200);
    let done = &actions_of(app, number).await["actions"][0];
    assert_eq!(done["status"], "Done");
    assert_eq!(done["done"][0], "rosa");
    assert!(done["standing"].is_null(), "a done action is not due");
    assert_eq!(
        status("3", "wont_do", "x").await.status(),
        422,
        "reopen first"
    );
    assert_eq!(status("3", "open", "").await.status(), 200);
    assert_eq!(
        status("4", "wont_do", "Replaced by OPS-9").await.status(),
        200
    );
    let dropped = &actions_of(app, number).await["actions"][0];
    assert_eq!(dropped["reason"], "Replaced by OPS-9");
    assert!(dropped["done"].is_null());
}

async fn an_item_that_is_not_top_priority_goes_to_not_now_and_both_are_exported(app: &TestApp) {
    let number = started(app).await;
    let ada = app.sign_in("ada", "responder").await.id;
    let due = in_days(3);
    add(app, number, "Add an index on orgs.plan", ada, &due).await;
    let res = add_as(
        app,
        &app.client,
        number,
        &[("title", "Rewrite the scheduler"), ("top_priority", "no")],
    )
    .await;
    assert_eq!(res.status(), 200, "a not-now item needs no assignee");
    let added: Value = res.json().await.unwrap();
    assert!(added["NotNow"].as_i64().is_some());
    let all = actions_of(app, number).await;
    assert_eq!(all["actions"].as_array().unwrap().len(), 1);
    assert_eq!(all["not_now"][0]["title"], "Rewrite the scheduler");
    let md = app
        .text(&format!("/incidents/{number}/postmortem.md"))
        .await;
    assert!(
        md.contains(&format!(
            "## Corrective Actions\n\n- Add an index on orgs.plan — @ada — by {due} — untraced\n"
        )),
        "{md}"
    );
    assert!(
        md.contains("### Not now\n\n- Rewrite the scheduler\n"),
        "{md}"
    );
}

async fn a_promoted_idea_shows_where_it_went(app: &TestApp) {
    let number = started(app).await;
    let res = app
        .call::<PostDiscussion>(&[
            ("number", &number.to_string()),
            ("kind", "idea"),
            ("body", "Alert on pool saturation"),
        ])
        .await;
    let idea: i64 = res.json().await.unwrap();
    let rosa = me(app).await.to_string();
    let due = in_days(4);
    let res = add_as(
        app,
        &app.client,
        number,
        &[
            ("title", "Alert on pool saturation"),
            ("assignee", &rosa),
            ("due", &due),
            ("top_priority", "yes"),
            ("from_post", &idea.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let detail = incident(app, number).await;
    assert_eq!(detail["promoted"][0]["post"], idea);
    assert_eq!(
        detail["promoted"][0]["words"],
        format!("Became corrective action: Alert on pool saturation — @rosa — by {due}")
    );
    // Only an idea of this incident's discussion can be promoted.
    let other = declare(app, "Another", "SEV3", "").await;
    app.call::<StartPostmortem>(&[("number", &other.to_string())])
        .await;
    let res = add_as(
        app,
        &app.client,
        other,
        &[
            ("title", "x"),
            ("assignee", &rosa),
            ("due", &due),
            ("top_priority", "yes"),
            ("from_post", &idea.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
}

async fn the_tracker_puts_overdue_first_and_filters(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    let rosa = me(app).await;
    let ada = app.sign_in("ada", "responder").await;
    // An incident that started ten days ago can have actions due in the past.
    let started_at = (Utc::now() - Duration::days(10))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let old = declare(app, "Old outage", "SEV2", &started_at).await;
    app.call::<StartPostmortem>(&[("number", &old.to_string())])
        .await;
    let new = declare(app, "New outage", "SEV3", "").await;
    app.call::<StartPostmortem>(&[("number", &new.to_string())])
        .await;
    let late = add(app, old, "Late one", rosa, &in_days(-3)).await;
    let soon = add(app, new, "Soon one", ada.id, &in_days(1)).await;
    let later = add(app, old, "Later one", rosa, &in_days(20)).await;
    let finished = add(app, new, "Finished one", rosa, &in_days(2)).await;
    let res = app
        .call::<SetCorrectiveActionStatus>(&[
            ("id", &finished.to_string()),
            ("version", "1"),
            ("status", "done"),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let tracker = |filter: Vec<(&'static str, String)>| async move {
        let form: Vec<(&str, &str)> = filter.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.call::<ActionTracker>(&form).await;
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        let ids: Vec<i64> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        (page, ids)
    };
    let (page, ids) = tracker(vec![]).await;
    assert_eq!(ids, vec![late, soon, later], "overdue first, then by date");
    assert_eq!(page["counts"]["open"], 3);
    assert_eq!(page["counts"]["overdue"], 1);
    assert_eq!(page["rows"][0]["standing"]["urgency"], "Overdue");
    assert_eq!(page["rows"][0]["can_change"], true, "rosa's own");
    assert_eq!(
        page["rows"][1]["can_change"], false,
        "ada's, from the tracker"
    );
    assert_eq!(
        tracker(vec![("assignee", "me".into())]).await.1,
        vec![late, later]
    );
    assert_eq!(
        tracker(vec![("assignee", ada.id.to_string())]).await.1,
        vec![soon]
    );
    assert_eq!(
        tracker(vec![("incident", new.to_string())]).await.1,
        vec![soon]
    );
    assert_eq!(
        tracker(vec![("status", "done".into())]).await.1,
        vec![finished]
    );
    assert_eq!(tracker(vec![("status", "all".into())]).await.1.len(), 4);
    assert_eq!(
        tracker(vec![("service", "push-api".into())]).await.1,
        vec![late, soon, later]
    );
    assert!(tracker(vec![("service", "nothing-here".into())])
        .await
        .1
        .is_empty());
    let res = app.call::<ActionTracker>(&[("incident", "twelve")]).await;
    assert_eq!(res.status(), 422);
    // The counts the dashboard and the status view show, in the reads they make.
    for path in [ListIncidents::PATH, StatusView::PATH] {
        let read: Value = app
            .call_as(&app.client, path, &[])
            .await
            .json()
            .await
            .unwrap();
        let counts = &read["actions"];
        assert_eq!(
            (counts["open"].as_u64(), counts["overdue"].as_u64()),
            (Some(3), Some(1)),
            "{path}"
        );
    }
    // The CSV has every match, with a header.
    let csv = app.text("/actions.csv?assignee=me").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,incident,incident_title,action,assignee,due,status"));
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].contains("Late one") && lines[2].contains("Later one"));
    // A viewer sees the actions of published postmortems only.
    let viewer = app.sign_in("vera", "viewer").await.client;
    let res = app.call_as(&viewer, ActionTracker::PATH, &[]).await;
    let page: Value = res.json().await.unwrap();
    assert!(page["rows"].as_array().unwrap().is_empty());
    for to in ["in_review", "published"] {
        let res = app
            .call::<SetPostmortemStatus>(&[("number", &new.to_string()), ("status", to)])
            .await;
        assert_eq!(res.status(), 200);
    }
    let res = app.call_as(&viewer, ActionTracker::PATH, &[]).await;
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["rows"][0]["id"], soon);
    assert_eq!(page["rows"][0]["can_change"], false);
    // A published postmortem's actions are still tracked to done; adding one needs it
    // reopened.
    let res = app
        .call::<SetCorrectiveActionStatus>(&[
            ("id", &soon.to_string()),
            ("version", "1"),
            ("status", "done"),
        ])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = add_as(
        app,
        &app.client,
        new,
        &[
            ("title", "One more"),
            ("assignee", &rosa.to_string()),
            ("due", &in_days(3)),
            ("top_priority", "yes"),
        ],
    )
    .await;
    assert_eq!(res.status(), 409);
}

async fn moving_to_review_lists_untraced_actions_and_factors_without_one(app: &TestApp) {
    let number = started(app).await;
    let doc = writer(app, number, 7).await;
    for (id, problem) in [("db", "The database went down."), ("dns", "DNS was slow.")] {
        let update = edit(&doc, |txn| {
            document::add_chain(txn, id, problem);
            document::set_levels(txn, id, 2);
        });
        assert_eq!(send(app, &app.client, number, &update).await.status(), 200);
    }
    let rosa = me(app).await;
    let traced = add(app, number, "Add an index", rosa, &in_days(3)).await;
    let res = app
        .call::<EditCorrectiveAction>(&[
            ("id", &traced.to_string()),
            ("version", "1"),
            ("field", "answers"),
            ("value", "why:db:2"),
        ])
        .await;
    assert_eq!(res.status(), 200);
    add(app, number, "Buy more servers", rosa, &in_days(3)).await;
    let res = app
        .call::<SetPostmortemStatus>(&[("number", &number.to_string()), ("status", "in_review")])
        .await;
    assert_eq!(res.status(), 200);
    let lines = timeline_bodies(&incident(app, number).await);
    let moved = lines
        .iter()
        .find(|l| l.starts_with("moved the postmortem to review"))
        .unwrap();
    assert!(
        moved.ends_with(
            " — untraced actions: \"Buy more servers\" — contributing factors without an action: \"DNS was slow.\""
        ),
        "{moved}"
    );
}

async fn a_reminder_goes_once_per_assignee_across_two_instances(app: &TestApp) {
    let number = started(app).await;
    let rosa = me(app).await;
    let ada = app.sign_in("ada", "responder").await.id;
    let lin = app.sign_in("lin", "responder").await.id;
    let day = business_day_from_today();
    let due = |n: i64| (day + Duration::days(n)).to_string();
    add(app, number, "Due on the day", rosa, &due(0)).await;
    add(app, number, "Another of rosa's", rosa, &due(0)).await;
    add(app, number, "Ada's", ada, &due(0)).await;
    add(app, number, "Far off", lin, &due(30)).await;
    let second = app.another_instance(|_, _| {}).await;
    let noon = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
    let run = |on: &TestApp| {
        let (db, mailer, url) = (on.db.clone(), on.state.mailer.clone(), on.address.clone());
        async move { reminders::run(&db, &mailer, &url, chrono_tz::UTC, 9, noon).await }
    };
    let (a, b) = tokio::join!(run(app), run(&second));
    assert_eq!(a.unwrap() + b.unwrap(), 2, "rosa and ada, once each");
    assert_eq!(run(app).await.unwrap(), 0, "not twice the same day");
    let sent = email::Entity::find()
        .filter(email::Column::IncidentId.is_null())
        .all(&app.db)
        .await
        .unwrap();
    let mut to: Vec<&str> = sent.iter().map(|m| m.recipients.as_str()).collect();
    to.sort();
    assert_eq!(to, ["ada@example.com", "rosa@example.com"]);
    let rosas = sent
        .iter()
        .find(|m| m.recipients == "rosa@example.com")
        .unwrap();
    assert!(
        rosas.text.contains("- Due on the day — by "),
        "{}",
        rosas.text
    );
    assert!(rosas.text.contains("- Another of rosa's — by "));
    assert!(rosas.subject.starts_with("Your corrective actions: "));
    assert_eq!(
        rosas.status,
        app::domain::MailStatus::Outbox,
        "without SMTP it is in the outbox"
    );
    // Before the hour, nothing goes.
    let early = day.and_hms_opt(7, 0, 0).unwrap().and_utc() + Duration::days(1);
    let res = reminders::run(
        &app.db,
        &app.state.mailer,
        &app.address,
        chrono_tz::UTC,
        9,
        early,
    )
    .await;
    assert_eq!(res.unwrap(), 0);
    second.finish().await;
}
