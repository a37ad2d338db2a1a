//! The affected-customers table: import preview and dedup, one-transaction saves,
//! export round-trip, edits, deletes with undo, paging, sorting and filtering.

use crate::{
    helpers::{declare, incident, timeline_bodies, TestApp},
    on_both_databases,
};
use app::{
    api::customers::{
        AddCustomer, CommitImport, DeleteCustomers, ListCustomers, RestoreCustomers,
        StageCustomers, UpdateCustomer,
    },
    api::incidents::ListIncidents,
    domain::{plan_import, Customer},
};
use serde_json::{json, Value};

on_both_databases!(
    an_import_preview_sorts_new_duplicate_and_bad_rows,
    nothing_of_an_import_shows_before_it_is_saved,
    an_export_imported_again_gives_the_same_rows,
    cells_are_edited_by_the_same_rules,
    deleted_rows_can_be_restored,
    the_table_pages_sorts_and_filters_on_the_server,
    a_page_number_past_the_last_possible_page_is_refused_naming_page,
    viewers_export_but_anonymous_visitors_do_not,
);

fn row(org_name: &str, org_id: &str, app_id: &str) -> Customer {
    Customer {
        org_name: org_name.into(),
        org_id: org_id.into(),
        app_id: app_id.into(),
        ..Default::default()
    }
}

async fn stage(app: &TestApp, number: i64, import_id: &str, rows: Vec<(usize, Customer)>) -> Value {
    let res = app
        .call_json::<StageCustomers>(
            json!({ "number": number, "import_id": import_id, "rows": rows }),
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn commit(app: &TestApp, number: i64, import_id: &str) -> u64 {
    let res = app
        .call::<CommitImport>(&[("number", &number.to_string()), ("import_id", import_id)])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Imports a sheet as the page does: read and check it, stage it in batches, save.
async fn import(app: &TestApp, number: i64, sheet: &str) -> u64 {
    let plan = plan_import(sheet).unwrap();
    let report = stage(app, number, "", plan.valid).await;
    commit(app, number, report["import_id"].as_str().unwrap()).await
}

async fn page(
    app: &TestApp,
    number: i64,
    sort: &str,
    descending: bool,
    filter: &str,
    page: u64,
) -> Value {
    let res = page_response(app, number, sort, descending, filter, &page.to_string()).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// `ListCustomers` with the page number as sent, whatever it is.
async fn page_response(
    app: &TestApp,
    number: i64,
    sort: &str,
    descending: bool,
    filter: &str,
    page: &str,
) -> reqwest::Response {
    let (number, descending) = (number.to_string(), descending.to_string());
    let args = [
        ("number", number.as_str()),
        ("sort", sort),
        ("descending", &descending),
    ];
    app.call::<ListCustomers>(&[&args[..], &[("filter", filter), ("page", page)]].concat())
        .await
}

async fn add(
    app: &TestApp,
    number: i64,
    org_name: &str,
    org_id: &str,
    app_id: &str,
) -> reqwest::Response {
    app.call::<AddCustomer>(&[
        ("number", &number.to_string()),
        ("org_name", org_name),
        ("org_id", org_id),
        ("app_id", app_id),
        ("campaign_id", ""),
        ("note", ""),
    ])
    .await
}

async fn an_import_preview_sorts_new_duplicate_and_bad_rows(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    assert_eq!(add(app, number, "Acme", "42", "web").await.status(), 200);

    let report = stage(
        app,
        number,
        "",
        vec![
            (2, row("Acme again", "42", "web")),
            (3, row("Globex", "43", "ios")),
            (4, row("Initech", "bad id", "")),
            (5, row("", "44", "")),
        ],
    )
    .await;
    assert_eq!(report["staged"], 1);
    assert_eq!(
        report["existing"][0]["row"], 2,
        "already in the table: skipped"
    );
    let errors: Vec<_> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(errors, [4, 5], "the server checks every row again");
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("bad character"));

    // A second batch of the same import repeating a staged row is a duplicate too.
    let import_id = report["import_id"].as_str().unwrap().to_string();
    let again = stage(
        app,
        number,
        &import_id,
        vec![(6, row("Globex", "43", "ios"))],
    )
    .await;
    assert_eq!(again["staged"], 0);
    assert_eq!(again["existing"][0]["row"], 6);

    assert_eq!(commit(app, number, &import_id).await, 1);
    let table = page(app, number, "org_id", false, "", 0).await;
    assert_eq!(table["counts"], json!({ "rows": 2, "orgs": 2, "apps": 2 }));
    // The dashboard and the status view quote the same counts.
    let listed: Value = app.call::<ListIncidents>(&[]).await.json().await.unwrap();
    assert_eq!(
        listed["rows"][0]["customers"],
        json!({ "rows": 2, "orgs": 2, "apps": 2 })
    );
    let bodies = timeline_bodies(&incident(app, number).await);
    assert!(
        bodies.contains(&"added an affected customer (org_id 42, app_id web)".to_string()),
        "{bodies:?}"
    );
    assert!(
        bodies.contains(&"added 1 affected customer (import)".to_string()),
        "{bodies:?}"
    );
}

async fn nothing_of_an_import_shows_before_it_is_saved(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    let rows: Vec<(usize, Customer)> = (0..500)
        .map(|i| (i + 2, row("Org", &format!("org-{i}"), "web")))
        .collect();
    let report = stage(app, number, "", rows).await;
    assert_eq!(report["staged"], 500);
    assert_eq!(
        page(app, number, "", false, "", 0).await["counts"]["rows"],
        0,
        "staged is not saved"
    );
    let import_id = report["import_id"].as_str().unwrap();
    assert_eq!(commit(app, number, import_id).await, 500);
    assert_eq!(
        commit(app, number, import_id).await,
        0,
        "an import saves once"
    );
    assert_eq!(
        page(app, number, "", false, "", 0).await["counts"]["rows"],
        500
    );
    let bodies = timeline_bodies(&incident(app, number).await);
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b.contains("affected customers"))
            .count(),
        1,
        "one summarised line: {bodies:?}"
    );

    let bad = app
        .call::<CommitImport>(&[("number", &number.to_string()), ("import_id", "../../x")])
        .await;
    assert_eq!(bad.status(), 422);
}

async fn an_export_imported_again_gives_the_same_rows(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let first = declare(app, "Push failing", "SEV2", "").await;
    let sheet = "org_name\torg_id\tapp_id\tcampaign_id\tnote\n\
                 Acme, \"The\" Company\t42\tweb\tspring\tcalls daily\n\
                 Globex\t43\t\t\t\n\
                 Initech\t44\tios\t\tline one\n";
    assert_eq!(import(app, first, sheet).await, 3);
    let res = app.get(&format!("/incidents/{first}/customers.csv")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("org_name,org_id,app_id,campaign_id,note,added_by,added_at\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\"Acme, \"\"The\"\" Company\",42,web,spring,calls daily,Ada,"),
        "{csv}"
    );

    let second = declare(app, "Push failing again", "SEV3", "").await;
    assert_eq!(import(app, second, &csv).await, 3);
    let again = app
        .text(&format!("/incidents/{second}/customers.csv"))
        .await;
    let rows = |text: &str| {
        plan_import(text)
            .unwrap()
            .valid
            .into_iter()
            .map(|(_, c)| c)
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&again), rows(&csv));
    assert_eq!(rows(&csv).len(), 3);
}

async fn cells_are_edited_by_the_same_rules(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    add(app, number, "Acme", "42", "web").await;
    add(app, number, "Acme", "42", "ios").await;
    let rows = page(app, number, "app_id", false, "", 0).await["rows"].clone();
    let ios = rows[0]["id"].as_i64().unwrap().to_string();
    let edit = |field: &'static str, value: &'static str| {
        let ios = ios.clone();
        async move {
            app.call::<UpdateCustomer>(&[
                ("number", &number.to_string()),
                ("id", &ios),
                ("field", field),
                ("value", value),
            ])
            .await
        }
    };
    let res = edit("org_id", "").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Validation"][0]["message"], "Missing org_id.");
    let res = edit("app_id", "web").await;
    assert_eq!(res.status(), 409, "two rows would be the same customer");
    assert_eq!(edit("note", "biggest account").await.status(), 200);
    let rows = page(app, number, "app_id", false, "", 0).await["rows"].clone();
    assert_eq!(rows[0]["customer"]["note"], "biggest account");
    let bodies = timeline_bodies(&incident(app, number).await);
    assert!(
        bodies.last().unwrap().starts_with(
            "edited an affected customer (org_id 42, app_id ios): Note \"\" → \"biggest account\""
        ),
        "{bodies:?}"
    );
}

async fn deleted_rows_can_be_restored(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    import(app, number, "Acme\t42\nGlobex\t43\nInitech\t44").await;
    let rows = page(app, number, "org_id", false, "", 0).await["rows"].clone();
    let ids: Vec<i64> = rows.as_array().unwrap()[..2]
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let res = app
        .call_json::<DeleteCustomers>(json!({ "number": number, "ids": ids }))
        .await;
    assert_eq!(res.status(), 200);
    let removed: Value = res.json().await.unwrap();
    assert_eq!(removed.as_array().unwrap().len(), 2);
    assert_eq!(
        page(app, number, "", false, "", 0).await["counts"]["rows"],
        1
    );

    let res = app
        .call_json::<RestoreCustomers>(json!({ "number": number, "rows": removed }))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<u64>().await.unwrap(), 2);
    assert_eq!(
        page(app, number, "", false, "", 0).await["counts"]["rows"],
        3
    );
    let bodies = timeline_bodies(&incident(app, number).await);
    assert!(
        bodies.ends_with(&[
            "removed 2 affected customers".to_string(),
            "restored 2 affected customers".to_string()
        ]),
        "{bodies:?}"
    );
}

async fn the_table_pages_sorts_and_filters_on_the_server(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    let sheet: String = (0..120)
        .map(|i| format!("Org {i:03}\torg-{i:03}\tapp-{}\n", i % 7))
        .collect();
    assert_eq!(import(app, number, &sheet).await, 120);
    let first = page(app, number, "org_id", false, "", 0).await;
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(first["matching"], 120);
    assert_eq!(
        first["counts"],
        json!({ "rows": 120, "orgs": 120, "apps": 7 })
    );
    assert_eq!(first["rows"][0]["customer"]["org_id"], "org-000");
    let last = page(app, number, "org_id", false, "", 2).await;
    assert_eq!(last["rows"].as_array().unwrap().len(), 20);
    let down = page(app, number, "org_id", true, "", 0).await;
    assert_eq!(down["rows"][0]["customer"]["org_id"], "org-119");
    let filtered = page(app, number, "org_name", false, "ORG 11", 0).await;
    assert_eq!(filtered["matching"], 10, "org 110–119, case-insensitive");
    let literal = page(app, number, "", false, "org_1", 0).await;
    assert_eq!(literal["matching"], 0, "_ is a character, not a wildcard");
    let res = page_response(app, number, "password", false, "", "0").await;
    assert_eq!(res.status(), 422);
}

async fn a_page_number_past_the_last_possible_page_is_refused_naming_page(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    import(app, number, "Acme\t42").await;
    let last = app::ssr::services::customers::LAST_PAGE;
    for huge in [u64::MAX, u64::MAX / 50 + 1, last + 1] {
        let res = page_response(app, number, "", false, "", &huge.to_string()).await;
        assert_eq!(res.status(), 422, "page {huge}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["Validation"][0]["field"], "page", "{body}");
    }
    // The last possible page is a page like any other past the end: empty.
    let beyond = page(app, number, "", false, "", last).await;
    assert_eq!(beyond["rows"], json!([]));
    assert_eq!(beyond["matching"], 1);
    assert_eq!(
        page(app, number, "", true, "", 0).await["rows"][0]["customer"]["org_id"],
        "42"
    );
}

async fn viewers_export_but_anonymous_visitors_do_not(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    import(app, number, "Acme\t42").await;
    app.login_as("Vera", "viewer").await;
    let res = app.get(&format!("/incidents/{number}/customers.csv")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(add(app, number, "Globex", "43", "").await.status(), 403);
    assert_eq!(app.get("/incidents/999/customers.csv").await.status(), 404);
    app.logout().await;
    let res = app.get(&format!("/incidents/{number}/customers.csv")).await;
    assert_eq!(res.status(), 401);
}
