use crate::{
    helpers::{new_client, TestApp},
    on_both_databases,
};
use app::api::{incidents::ListIncidents, session::DevLogin};
use leptos::server_fn::ServerFn;

on_both_databases!(
    the_dev_login_signs_in_and_reuses_the_user,
    signing_out_ends_the_session_on_the_server,
    an_anonymous_visitor_is_sent_to_sign_in,
    a_bad_dev_login_names_each_field,
    a_no_js_dev_login_sets_the_cookie_and_redirects_home,
);

async fn the_dev_login_signs_in_and_reuses_the_user(app: &TestApp) {
    assert_eq!(app.me().await, None);
    app.login_as("Ada Lovelace", "responder").await;
    let me = app.me().await.expect("signed in");
    assert_eq!(me["name"], "Ada Lovelace");
    assert_eq!(me["email"], "ada.lovelace@example.com");
    assert_eq!(me["role"], "Responder");
    let first_id = me["id"].clone();

    // The same email again is the same person, with the role just chosen.
    app.login_as("Ada Lovelace", "viewer").await;
    let me = app.me().await.expect("signed in");
    assert_eq!(me["id"], first_id);
    assert_eq!(me["role"], "Viewer");
}

async fn signing_out_ends_the_session_on_the_server(app: &TestApp) {
    app.login_as("Grace", "responder").await;
    let cookie = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(cookie.status(), 200, "signed in, the dashboard renders");

    // Keep a copy of the session cookie, as an attacker who stole it would.
    let stolen = session_cookie(app).await;
    let res = app.logout().await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(app.me().await, None);

    let replay = new_client()
        .post(app.url(ListIncidents::PATH))
        .header("accept", "application/json")
        .header("cookie", stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        401,
        "the old cookie is worthless after sign-out"
    );
}

async fn an_anonymous_visitor_is_sent_to_sign_in(app: &TestApp) {
    for path in ["/", "/incidents/new", "/incidents/1"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(res.headers()["location"], "/login", "{path}");
    }
    let res = app.get("/login").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Development login"),
        "the sign-in page offers the dev login"
    );

    let res = app.call::<ListIncidents>(&[]).await;
    assert_eq!(res.status(), 401);
}

async fn a_bad_dev_login_names_each_field(app: &TestApp) {
    let res = app
        .call::<DevLogin>(&[("name", " "), ("email", "not-an-email"), ("role", "root")])
        .await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email", "role"]);
    assert_eq!(app.me().await, None, "nobody is signed in");
}

async fn a_no_js_dev_login_sets_the_cookie_and_redirects_home(app: &TestApp) {
    let res = app
        .post_form(
            DevLogin::PATH,
            "/login",
            &[
                ("name", "Linus"),
                ("email", "linus@example.com"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/");
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set_cookie.starts_with("stormwatch_session="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert_eq!(app.me().await.unwrap()["role"], "Admin");
}

async fn session_cookie(app: &TestApp) -> String {
    // Sign in again to read the new session's Set-Cookie header directly.
    let res = app
        .call_as(
            &app.client,
            DevLogin::PATH,
            &[
                ("name", "Grace"),
                ("email", "grace@example.com"),
                ("role", "responder"),
            ],
        )
        .await;
    let value = res.headers()["set-cookie"].to_str().unwrap();
    value.split(';').next().unwrap().to_string()
}
