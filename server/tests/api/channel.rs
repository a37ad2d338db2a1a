//! The incident channel and the postmortem discussion: Markdown messages rendered
//! safely, edits that keep their history, hypotheses and their challenges, "I'll lead".

use crate::{
    helpers::{declare, incident, timeline_bodies, TestApp},
    on_both_databases,
};
use app::api::{
    channel::{ChallengePost, EditPost, PostDiscussion, PostHistory, PostMessage},
    incidents::LeadIncident,
};
use leptos::server_fn::ServerFn;
use serde_json::Value;

on_both_databases!(
    a_message_is_kept_as_written_and_shown_sanitised,
    edits_keep_every_earlier_wording,
    the_discussion_holds_posts_and_their_challenges,
    ill_lead_makes_the_caller_leader_on_the_record,
);

async fn post(app: &TestApp, number: i64, body: &str) -> reqwest::Response {
    app.call::<PostMessage>(&[("number", &number.to_string()), ("body", body)])
        .await
}

async fn a_message_is_kept_as_written_and_shown_sanitised(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    let written = "Rolled back **v2.3** <script>alert(1)</script> [runbook](javascript:alert(2))";
    assert_eq!(post(app, number, written).await.status(), 200);
    let detail = incident(app, number).await;
    let line = &detail["timeline"][1];
    assert_eq!(line["kind"], "Message");
    assert_eq!(line["author"], "Ada");
    assert_eq!(line["body"], written, "the record keeps what was written");
    let html = line["html"].as_str().unwrap();
    assert!(html.contains("<strong>v2.3</strong>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );

    let res = post(app, number, "   ").await;
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["Validation"][0]["field"], "body");
    let res = post(app, 999, "hello").await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        timeline_bodies(&incident(app, number).await).len(),
        2,
        "nothing else was saved"
    );
}

async fn edits_keep_every_earlier_wording(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    let id: i64 = post(app, number, "DB is fine").await.json().await.unwrap();
    let id = id.to_string();
    for body in ["DB is *not* fine", "DB is down"] {
        let res = app.call::<EditPost>(&[("post", &id), ("body", body)]).await;
        assert_eq!(res.status(), 200);
    }
    let detail = incident(app, number).await;
    assert_eq!(detail["timeline"][1]["body"], "DB is down");
    assert!(detail["timeline"][1]["edited"]["text"].is_string());
    let history: Vec<Value> = app
        .call::<PostHistory>(&[("post", &id)])
        .await
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> = history
        .iter()
        .map(|r| r["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["DB is fine", "DB is *not* fine"]);
    assert_eq!(history[0]["by"], "Ada");

    // Someone else cannot reword it, and an empty edit is refused; nothing changes.
    let bob = app.sign_in("Bob", "responder").await.client;
    let res = app
        .call_as(
            &bob,
            EditPost::PATH,
            &[("post", &id), ("body", "Bob was here")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app.call::<EditPost>(&[("post", &id), ("body", "")]).await;
    assert_eq!(res.status(), 422);
    // A recorded change is not a post: it cannot be edited.
    let declared = incident(app, number).await["timeline"][0]["id"].to_string();
    let res = app
        .call::<EditPost>(&[("post", &declared), ("body", "rewritten")])
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        incident(app, number).await["timeline"][1]["body"],
        "DB is down"
    );
}

async fn the_discussion_holds_posts_and_their_challenges(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    let n = number.to_string();
    let res = app
        .call::<PostDiscussion>(&[
            ("number", &n),
            ("kind", "hypothesis"),
            ("body", "The connection pool ran dry"),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let hypothesis: i64 = res.json().await.unwrap();
    let res = app
        .call::<ChallengePost>(&[
            ("number", &n),
            ("parent", &hypothesis.to_string()),
            ("body", "Pool metrics look flat"),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let challenge: i64 = res.json().await.unwrap();
    let res = app
        .call::<PostDiscussion>(&[
            ("number", &n),
            ("kind", "idea"),
            ("body", "Alert on pool saturation"),
        ])
        .await;
    assert_eq!(res.status(), 200);

    let detail = incident(app, number).await;
    let discussion = detail["discussion"].as_array().unwrap();
    let kinds: Vec<&str> = discussion
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Hypothesis", "Challenge", "Idea"]);
    assert_eq!(discussion[1]["parent"], hypothesis);
    assert_eq!(
        timeline_bodies(&detail).len(),
        1,
        "the official record holds none of it"
    );

    // A challenge answers a post, not another challenge; and a kind must be one of three.
    let res = app
        .call::<ChallengePost>(&[
            ("number", &n),
            ("parent", &challenge.to_string()),
            ("body", "x"),
        ])
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .call::<PostDiscussion>(&[("number", &n), ("kind", "rant"), ("body", "")])
        .await;
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.unwrap();
    let fields: Vec<&str> = err["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "body"], "both problems at once");
    // The incident channel's lines are not discussion posts.
    let declared = detail["timeline"][0]["id"].to_string();
    let res = app
        .call::<ChallengePost>(&[("number", &n), ("parent", &declared), ("body", "x")])
        .await;
    assert_eq!(res.status(), 404);
}

async fn ill_lead_makes_the_caller_leader_on_the_record(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let number = declare(app, "Push failing", "SEV2", "").await;
    let n = number.to_string();
    assert_eq!(
        app.call::<LeadIncident>(&[("number", &n)]).await.status(),
        200
    );
    assert_eq!(incident(app, number).await["leader"], "Ada");
    let res = app.call::<LeadIncident>(&[("number", &n)]).await;
    assert_eq!(res.status(), 422, "already leading");

    let bob = app.sign_in("Bob", "responder").await.client;
    assert_eq!(
        app.call_as(&bob, LeadIncident::PATH, &[("number", &n)])
            .await
            .status(),
        200
    );
    let detail = incident(app, number).await;
    assert_eq!(detail["leader"], "Bob");
    let lines = timeline_bodies(&detail);
    assert_eq!(lines[1], "volunteered as Incident Leader");
    assert_eq!(lines[2], "took over as Incident Leader from @Ada");
    assert_eq!(detail["timeline"][2]["author"], "Bob");
}
