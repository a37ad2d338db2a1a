//! The blameless postmortem over HTTP: several writers at once converge, the document
//! survives a restart and is shared by two instances, a viewer cannot write, the
//! preamble cannot be touched, publishing makes it read-only, the export follows the
//! seed's template, and a resolved incident's postmortem falls due in business days.

use crate::{
    helpers::{declare, incident, timeline_bodies, ServerProcess, TestApp},
    on_both_databases,
};
use app::{
    api::{
        incidents::{ChangeStatus, ListIncidents, StatusView},
        postmortems::{
            BusinessCalendar, EditPostmortem, InviteToPostmortemMeeting, ReadPostmortem,
            SaveBusinessCalendar, SchedulePostmortemMeeting, SetPostmortemParticipant,
            SetPostmortemStatus, StartPostmortem,
        },
    },
    domain::{
        postmortem::document::{self, Contents},
        PREAMBLE,
    },
    ssr::{entities::incident as incident_entity, services::postmortems::document::COMPACT_AFTER},
};
use base64::{engine::general_purpose::STANDARD, Engine};
use leptos::server_fn::ServerFn;
use reqwest::Client;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use yrs::{Doc, Transact};

on_both_databases!(
    concurrent_updates_from_several_writers_converge_with_nothing_lost,
    a_restart_keeps_the_document,
    two_instances_on_one_database_converge_and_tell_each_others_pages,
    a_viewers_update_is_refused_and_changes_nothing,
    the_preamble_cannot_be_removed_or_changed_through_the_api,
    publishing_makes_it_read_only_until_reopened_and_each_step_is_on_the_timeline,
    the_markdown_export_follows_the_seed_template,
    a_resolved_incident_without_a_postmortem_is_flagged_when_overdue,
    the_log_is_compacted_and_the_document_stays_whole,
    an_admin_sets_the_business_calendar_and_bad_input_names_the_field,
    the_participants_get_an_icalendar_invitation_to_the_meeting,
);

/// An incident with a started postmortem, rosa (responder) signed in on the app.
pub(crate) async fn started(app: &TestApp) -> i64 {
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Push delays", "SEV2", "").await;
    let res = app
        .call::<StartPostmortem>(&[("number", &number.to_string())])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    number
}

async fn page_at(app: &TestApp, client: &Client, number: i64) -> Value {
    let res = app
        .call_as(
            client,
            ReadPostmortem::PATH,
            &[("number", &number.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200, "the postmortem page reads");
    res.json().await.unwrap()
}

/// The server's document, as a copy of it reads.
async fn contents(app: &TestApp, number: i64) -> Contents {
    let page = page_at(app, &app.client, number).await;
    let doc = document::new_doc(Some(999));
    let state = STANDARD
        .decode(page["postmortem"]["state"].as_str().unwrap())
        .unwrap();
    document::apply(&doc, &state).unwrap();
    document::read(&doc)
}

/// Ada (a responder) joins the participants.
async fn with_ada(app: &TestApp, number: i64) {
    let ada = app.sign_in("ada", "responder").await;
    let res = app
        .call::<SetPostmortemParticipant>(&[
            ("number", &number.to_string()),
            ("user", &ada.id.to_string()),
            ("present", "true"),
        ])
        .await;
    assert_eq!(res.status(), 200);
}

/// A writer's copy, starting from the server's document.
pub(crate) async fn writer(app: &TestApp, number: i64, client_id: u64) -> Doc {
    let page = page_at(app, &app.client, number).await;
    let doc = document::new_doc(Some(client_id));
    let state = STANDARD
        .decode(page["postmortem"]["state"].as_str().unwrap())
        .unwrap();
    document::apply(&doc, &state).unwrap();
    doc
}

/// One local change, as the update the page would send.
pub(crate) fn edit(doc: &Doc, f: impl FnOnce(&mut yrs::TransactionMut)) -> Vec<u8> {
    let mut txn = doc.transact_mut();
    f(&mut txn);
    txn.encode_update_v1()
}

pub(crate) async fn send(
    app: &TestApp,
    client: &Client,
    number: i64,
    update: &[u8],
) -> reqwest::Response {
    app.call_as(
        client,
        EditPostmortem::PATH,
        &[
            ("number", &number.to_string()),
            ("update", &STANDARD.encode(update)),
        ],
    )
    .await
}

async fn concurrent_updates_from_several_writers_converge_with_nothing_lost(app: &TestApp) {
    let number = started(app).await;
    let base = writer(app, number, 1).await;
    let first = edit(&base, |txn| {
        document::set_text(txn, "fix", "We rolled back.")
    });
    assert_eq!(send(app, &app.client, number, &first).await.status(), 200);
    // Three people type into the same paragraph at once, each from the same start.
    let mut copies = Vec::new();
    for id in [11, 12, 13] {
        copies.push(writer(app, number, id).await);
    }
    let words = ["Ada paged the DBA. ", "Then ", " Rosa watched the graphs."];
    let updates: Vec<Vec<u8>> = copies
        .iter()
        .zip(words)
        .enumerate()
        .map(|(i, (doc, word))| {
            edit(doc, |txn| {
                let text = yrs::WriteTxn::get_or_insert_text(txn, "fix");
                let old = yrs::GetString::get_string(&text, txn);
                let new = match i {
                    0 => format!("{word}{old}"),
                    1 => old.replacen("rolled", &format!("{word}rolled"), 1),
                    _ => format!("{old}{word}"),
                };
                document::replace(txn, &text, &old, &new);
            })
        })
        .collect();
    let clients: Vec<Client> = {
        let mut c = Vec::new();
        for name in ["ada", "bob", "cy"] {
            c.push(app.sign_in(name, "responder").await.client);
        }
        c
    };
    let (a, b, c) = tokio::join!(
        send(app, &clients[0], number, &updates[0]),
        send(app, &clients[1], number, &updates[1]),
        send(app, &clients[2], number, &updates[2]),
    );
    for res in [a, b, c] {
        assert_eq!(res.status(), 200);
    }
    let server = contents(app, number).await;
    assert_eq!(
        server.fix,
        "Ada paged the DBA. We Then rolled back. Rosa watched the graphs."
    );
    // Each copy, given the others' updates, reads the same.
    for doc in &copies {
        for update in &updates {
            document::apply(doc, update).unwrap();
        }
        assert_eq!(document::read(doc), server);
    }
}

async fn a_restart_keeps_the_document(app: &TestApp) {
    let number = started(app).await;
    let doc = writer(app, number, 1).await;
    let update = edit(&doc, |txn| {
        document::set_text(txn, "description", "Push campaigns stopped sending.");
        document::put_line(txn, "l1", chrono::Utc::now(), Some("@rosa declared it"));
    });
    assert_eq!(send(app, &app.client, number, &update).await.status(), 200);
    // A server process of its own, started after the write: it reads the log.
    let server = ServerProcess::start(&app.database_url).await;
    let client = crate::helpers::sign_in_at(&server.address, "rosa", "responder")
        .await
        .client;
    let res = client
        .post(format!("{}{}", server.address, ReadPostmortem::PATH))
        .header("accept", "application/json")
        .form(&[("number", number.to_string())])
        .send()
        .await
        .unwrap();
    let page: Value = res.json().await.unwrap();
    let copy = document::new_doc(Some(5));
    document::apply(
        &copy,
        &STANDARD
            .decode(page["postmortem"]["state"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let read = document::read(&copy);
    assert_eq!(read.description, "Push campaigns stopped sending.");
    assert_eq!(read.timeline[0].text, "@rosa declared it");
    server.kill().await;
}

async fn two_instances_on_one_database_converge_and_tell_each_others_pages(app: &TestApp) {
    let number = started(app).await;
    let other = app.another_instance(|_, _| {}).await;
    other.login_as("ada", "responder").await;
    // Ada's page on the other instance follows the postmortem's stream.
    let cursor = page_at(&other, &other.client, number).await["cursor"]
        .as_i64()
        .unwrap();
    let stream = other
        .client
        .get(other.url("/live"))
        .query(&[("after", cursor), ("postmortem", number)])
        .send()
        .await
        .unwrap();
    let mut stream = crate::helpers::Sse::new(stream);
    let a = writer(app, number, 21).await;
    let b = writer(&other, number, 22).await;
    let from_a = edit(&a, |txn| {
        document::set_text(txn, "impact", "38 orgs could not send.")
    });
    let from_b = edit(&b, |txn| document::set_text(txn, "fix", "Rolled back."));
    let (ra, rb) = tokio::join!(
        send(app, &app.client, number, &from_a),
        send(&other, &other.client, number, &from_b)
    );
    assert_eq!((ra.status().as_u16(), rb.status().as_u16()), (200, 200));
    let here = contents(app, number).await;
    let there = contents(&other, number).await;
    assert_eq!(here, there);
    assert_eq!(
        (here.impact.as_str(), here.fix.as_str()),
        ("38 orgs could not send.", "Rolled back.")
    );
    // Rosa's update, made on the first instance, reaches Ada's page on the second.
    let mut got = None;
    while let Some(event) = stream.next(std::time::Duration::from_secs(10)).await {
        let batch = event.json();
        if let Some(update) = batch["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|c| c["Postmortem"]["update"].as_str())
        {
            if STANDARD.decode(update).unwrap() == from_a {
                got = Some(());
                break;
            }
        }
    }
    assert!(got.is_some(), "the other instance's page got the update");
    // The dashboard's stream does not carry document updates.
    let mut dashboard = app.live(Some(cursor), None).await;
    while let Some(event) = dashboard.next(std::time::Duration::from_millis(800)).await {
        assert!(!event.data.contains("\"Postmortem\""), "{}", event.data);
    }
}

async fn a_viewers_update_is_refused_and_changes_nothing(app: &TestApp) {
    let number = started(app).await;
    let viewer = app.sign_in("vic", "viewer").await.client;
    // A draft is not for viewers to read.
    let read = page_at(app, &viewer, number).await;
    assert!(read["postmortem"].is_null(), "{read}");
    assert_eq!(read["can_edit"], false);
    let before = contents(app, number).await;
    let doc = writer(app, number, 31).await;
    let update = edit(&doc, |txn| document::set_text(txn, "fix", "Blame Bob."));
    let res = send(app, &viewer, number, &update).await;
    assert_eq!(res.status(), 403, "a viewer's hand-made update is refused");
    assert_eq!(contents(app, number).await, before, "nothing changed");
}

async fn the_preamble_cannot_be_removed_or_changed_through_the_api(app: &TestApp) {
    let number = started(app).await;
    let doc = writer(app, number, 41).await;
    let update = edit(&doc, |txn| {
        document::set_text(txn, "preamble", "This is a blaming postmortem.")
    });
    let res = send(app, &app.client, number, &update).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("preamble"), "{body}");
    // Not an update at all.
    let res = app
        .call::<EditPostmortem>(&[
            ("number", &number.to_string()),
            ("update", "not an update!"),
        ])
        .await;
    assert_eq!(res.status(), 422);
    // The page and the export start with the preamble, word for word.
    let html = app.text(&format!("/incidents/{number}/postmortem")).await;
    let markdown = app
        .text(&format!("/incidents/{number}/postmortem.md"))
        .await;
    for line in PREAMBLE {
        let escaped = line.replace('"', "&quot;");
        assert!(html.contains(line) || html.contains(&escaped), "{line}");
        assert!(markdown.contains(line), "{markdown}");
    }
    assert!(markdown.find(PREAMBLE[0]) < markdown.find("Incident Leader:"));
}

async fn publishing_makes_it_read_only_until_reopened_and_each_step_is_on_the_timeline(
    app: &TestApp,
) {
    let number = started(app).await;
    let n = number.to_string();
    with_ada(app, number).await;
    let doc = writer(app, number, 51).await;
    let blaming = edit(&doc, |txn| {
        document::set_text(txn, "factors", "Bob should have known. It was Bob's fault.")
    });
    assert_eq!(send(app, &app.client, number, &blaming).await.status(), 200);
    let page = page_at(app, &app.client, number).await;
    assert_eq!(page["postmortem"]["open_hints"], 2);
    for to in ["in_review", "published"] {
        let res = app
            .call::<SetPostmortemStatus>(&[("number", &n), ("status", to)])
            .await;
        assert_eq!(res.status(), 200, "{to}");
    }
    let later = edit(&doc, |txn| document::set_text(txn, "fix", "Rolled back."));
    let res = send(app, &app.client, number, &later).await;
    assert_eq!(res.status(), 409, "a published postmortem is read-only");
    // Viewers read it now.
    let viewer = app.sign_in("vic", "viewer").await.client;
    let read = page_at(app, &viewer, number).await;
    assert_eq!(read["postmortem"]["status"], "Published");
    assert_eq!(read["can_edit"], false);
    let res = app
        .call::<SetPostmortemStatus>(&[("number", &n), ("status", "draft")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        send(app, &app.client, number, &later).await.status(),
        200,
        "reopened"
    );
    let lines = timeline_bodies(&incident(app, number).await);
    for expected in [
        "started the postmortem",
        "added @ada to the postmortem's participants",
        "moved the postmortem to review — with 2 open blameless hints",
        "published the postmortem",
        "reopened the published postmortem",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} in {lines:?}"
        );
    }
}

async fn the_markdown_export_follows_the_seed_template(app: &TestApp) {
    let number = started(app).await;
    let doc = writer(app, number, 61).await;
    let at = chrono::DateTime::parse_from_rfc3339("2016-03-15T14:02:00Z")
        .unwrap()
        .to_utc();
    let update = edit(&doc, |txn| {
        document::set_text(txn, "description", "Pushes stopped.");
        document::put_line(txn, "l1", at, Some("@rosa does a thing"));
        document::add_chain(txn, "c1", "The queue filled up.");
        document::set_text(txn, &document::why_text("c1", 1), "the workers were stuck");
        document::set_text(txn, "fix", "Restarted the workers.");
        document::set_text(txn, "impact", "Campaigns were late.");
    });
    assert_eq!(send(app, &app.client, number, &update).await.status(), 200);
    let res = app.get(&format!("/incidents/{number}/postmortem.md")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    let md = res.text().await.unwrap();
    let order = [
        "Participants: @rosa",
        "1. This is a blameless Postmortem.",
        "Incident Leader: ",
        "Pushes stopped.",
        "- [2016-03-15 14:02] - @rosa does a thing",
        "## Contributing Factors",
        "**The queue filled up.**",
        "1. Why? — Because the workers were stuck",
        "## How Did We Fix It?",
        "Restarted the workers.",
        "## Customer Impact",
        "Campaigns were late.",
        "## Corrective Actions",
    ];
    let mut from = 0;
    for part in order {
        let at = md[from..]
            .find(part)
            .unwrap_or_else(|| panic!("{part} after {from} in {md}"));
        from += at + part.len();
    }
}

async fn a_resolved_incident_without_a_postmortem_is_flagged_when_overdue(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Login loops", "SEV3", "").await;
    let res = app
        .call::<ChangeStatus>(&[("number", &number.to_string()), ("status", "resolved")])
        .await;
    assert_eq!(res.status(), 200);
    // Resolved a week ago: whatever today is, more than one business day has passed.
    incident_entity::Entity::update_many()
        .col_expr(
            incident_entity::Column::ResolvedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::days(7)),
        )
        .filter(incident_entity::Column::Id.eq(number))
        .exec(&app.db)
        .await
        .unwrap();
    // The dashboard's list (and the status view's, which reads the same rows).
    let listed: Value = app.call::<ListIncidents>(&[]).await.json().await.unwrap();
    let row = listed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["number"] == number)
        .expect("listed");
    assert_eq!(row["postmortem"], Value::Null, "not started");
    assert_eq!(row["postmortem_due"]["urgency"], "Overdue");
    assert!(row["postmortem_due"]["words"]
        .as_str()
        .unwrap()
        .starts_with("Overdue by"));
    let board: Value = app.call::<StatusView>(&[]).await.json().await.unwrap();
    let resolved = &board["resolved"].as_array().unwrap()[0]["incident"];
    assert_eq!(resolved["postmortem_due"]["urgency"], "Overdue");
    let page = page_at(app, &app.client, number).await;
    assert!(page["postmortem"].is_null());
    assert_eq!(page["due"]["urgency"], "Overdue");
}

async fn the_log_is_compacted_and_the_document_stays_whole(app: &TestApp) {
    let number = started(app).await;
    let doc = writer(app, number, 71).await;
    let mut typed = String::new();
    for i in 0..(COMPACT_AFTER + 10) {
        typed.push_str(&format!("{} ", i % 10));
        let t = typed.clone();
        let update = edit(&doc, |txn| document::set_text(txn, "fix", &t));
        assert_eq!(send(app, &app.client, number, &update).await.status(), 200);
    }
    let id = app::ssr::services::postmortems::existing(&app.db, number)
        .await
        .unwrap()
        .id;
    let size = app::ssr::services::postmortems::document::log_size(&app.db, id)
        .await
        .unwrap();
    assert!(size.rows < 20, "compacted: {size:?}");
    assert_eq!(contents(app, number).await.fix, typed);
    // A fresh instance reads the compacted log whole.
    let other = app.another_instance(|_, _| {}).await;
    other.login_as("ada", "responder").await;
    assert_eq!(contents(&other, number).await.fix, typed);
}

async fn an_admin_sets_the_business_calendar_and_bad_input_names_the_field(app: &TestApp) {
    let admin = app.sign_in("ada", "admin").await.client;
    let save = |zone: &'static str, weekdays: &'static str, holidays: &'static str| {
        let admin = admin.clone();
        async move {
            app.call_as(
                &admin,
                SaveBusinessCalendar::PATH,
                &[
                    ("zone", zone),
                    ("weekdays", weekdays),
                    ("holidays", holidays),
                ],
            )
            .await
        }
    };
    let res = save("Mars/Olympus", "Mon", "").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Mars/Olympus"));
    let res = save("Europe/Berlin", "Mon, Funday", "").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Funday"));
    let res = save("Europe/Berlin", "Mon, Tue", "2026-12-25\n2026-13-40").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("2026-13-40"));
    let res = save("Europe/Berlin", "Tue, Mon", "2026-12-25").await;
    assert_eq!(res.status(), 200);
    let read: Value = app
        .call_as(&admin, BusinessCalendar::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["zone"], "Europe/Berlin");
    assert_eq!(read["weekdays"], "Mon, Tue");
    assert_eq!(read["holidays"], "2026-12-25");
    // Responders do not change it.
    let rosa = app.sign_in("rosa", "responder").await.client;
    let res = app
        .call_as(
            &rosa,
            SaveBusinessCalendar::PATH,
            &[("zone", "UTC"), ("weekdays", "Mon"), ("holidays", "")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

async fn the_participants_get_an_icalendar_invitation_to_the_meeting(base: &TestApp) {
    let number = started(base).await;
    let n = number.to_string();
    with_ada(base, number).await;
    // Without a meeting, or without a mail server, nothing goes and the reason is named.
    let res = base
        .call::<InviteToPostmortemMeeting>(&[("number", &n)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Schedule the meeting first"));
    let res = base
        .call::<SchedulePostmortemMeeting>(&[("number", &n), ("at", "2026-12-03T15:00")])
        .await;
    assert_eq!(res.status(), 200);
    let res = base
        .call::<InviteToPostmortemMeeting>(&[("number", &n)])
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("SMTP_URL"));
    // An instance with a real SMTP server sends it.
    let smtp = crate::helpers::SmtpServer::start().await;
    let app = base
        .another_instance(crate::helpers::mail_to(&smtp.url()))
        .await;
    app.login_as("rosa", "responder").await;
    let res = app
        .call::<InviteToPostmortemMeeting>(&[("number", &n)])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let mail = String::from_utf8(smtp.wait_for(1).await.remove(0)).unwrap();
    let parsed = mailparse::parse_mail(mail.as_bytes()).unwrap();
    let calendar = parsed
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/calendar")
        .expect("an iCalendar part")
        .get_body()
        .unwrap();
    for expected in [
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "DTSTART:20261203T150000Z",
        "DTEND:20261203T160000Z",
        "rosa@example.com",
        "ada@example.com",
    ] {
        assert!(calendar.contains(expected), "{expected} in {calendar}");
    }
    assert!(mail.contains("Postmortem: #"));
    let lines = timeline_bodies(&incident(base, number).await);
    assert!(
        lines
            .iter()
            .any(|l| l == "sent the postmortem meeting's invitation to 2 participants"),
        "{lines:?}"
    );
}
