//! The company email against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives,
//! the thread, a mail server that is down or refuses, a restart with mail queued, two
//! instances on one database, and what is refused before anything is queued.

use crate::{
    helpers::{
        declare, incident, mail_to, sign_in_at, timeline_bodies, ServerProcess, SmtpServer, TestApp,
    },
    on_both_databases,
};
use app::{
    api::{
        customers::AddCustomer,
        email::{
            EmailComposer, GetEmail, RetryEmail, SaveDistributionList, SaveEmailDraft, SendEmail,
            SetIssueTeam,
        },
    },
    domain::{MailStatus, DEFAULT_NEXT_STEPS},
    ssr::entities::email,
};
use leptos::server_fn::ServerFn;
use mailparse::{parse_mail, MailHeaderMap, ParsedMail};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use std::time::Duration;

on_both_databases!(
    a_sent_email_arrives_with_every_field_of_the_template_in_both_parts,
    an_update_continues_the_thread,
    bad_input_is_refused_naming_the_field_and_nothing_is_queued,
    a_save_over_someone_elses_newer_draft_is_refused,
    a_viewer_reads_the_thread_but_cannot_send,
    the_status_view_says_each_incident_in_words,
    without_smtp_mail_goes_to_the_outbox_and_says_it_was_not_delivered,
    a_mail_server_that_is_down_fails_the_message_then_it_is_delivered_once,
    a_restart_with_queued_mail_delivers_it_once,
    two_instances_on_one_database_send_each_message_once,
);

/// An instance beside `base` (on its database) whose mail goes to a real SMTP server
/// on 127.0.0.1, in the organisation's time zone Europe/Paris. (`base` itself has no
/// SMTP server, so it leaves the queue to instances that can deliver.)
async fn mailing(base: &TestApp) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let app = base.another_instance(mail_to(&smtp.url())).await;
    (app, smtp)
}

/// A distribution list made by an admin; its id.
async fn company_list(app: &TestApp) -> i64 {
    let admin = app.sign_in("ada", "admin").await.client;
    let res = app
        .call_as(
            &admin,
            SaveDistributionList::PATH,
            &[
                ("name", "Company"),
                (
                    "addresses",
                    "exec@example.com\nproduct@example.com, marketing@example.com",
                ),
                ("is_default", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn composer(app: &TestApp, number: i64) -> Value {
    let res = app
        .call::<EmailComposer>(&[("number", &number.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Sends the composer's draft with `changes` applied; the response.
async fn send(app: &TestApp, number: i64, changes: Value) -> reqwest::Response {
    send_via(&app.client, &app.address, number, changes).await
}

/// [`send`] by `client` to the server at `address`.
async fn send_via(
    client: &reqwest::Client,
    address: &str,
    number: i64,
    changes: Value,
) -> reqwest::Response {
    let composer: Value = client
        .post(format!("{address}{}", EmailComposer::PATH))
        .header("accept", "application/json")
        .form(&[("number", number.to_string())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut draft = composer["draft"].clone();
    for (k, v) in changes.as_object().unwrap() {
        draft[k] = v.clone();
    }
    client
        .post(format!("{address}{}", SendEmail::PATH))
        .header("accept", "application/json")
        .json(&json!({"number": number, "draft": draft, "version": composer["version"]}))
        .send()
        .await
        .unwrap()
}

fn part<'a>(mail: &'a ParsedMail<'a>, mime: &str) -> Option<&'a ParsedMail<'a>> {
    if mail.ctype.mimetype == mime {
        return Some(mail);
    }
    mail.subparts.iter().find_map(|p| part(p, mime))
}

fn header(mail: &ParsedMail<'_>, name: &str) -> String {
    mail.headers.get_first_value(name).unwrap_or_default()
}

async fn stored(app: &TestApp) -> Vec<email::Model> {
    email::Entity::find().all(&app.db).await.unwrap()
}

async fn a_sent_email_arrives_with_every_field_of_the_template_in_both_parts(base: &TestApp) {
    let (owned, smtp) = mailing(base).await;
    let app = &owned;
    let list = company_list(app).await;
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Push campaigns failing", "SEV1", "2026-11-30T13:02").await;
    for (org, id) in [("Acme", "42"), ("Globex", "7")] {
        let res = app
            .call::<AddCustomer>(&[
                ("number", &number.to_string()),
                ("org_name", org),
                ("org_id", id),
                ("app_id", "app-1"),
                ("campaign_id", ""),
                ("note", ""),
            ])
            .await;
        assert_eq!(res.status(), 200);
    }
    let me = app.me().await.unwrap()["id"].as_i64().unwrap();
    let me = me.to_string();
    let res = app
        .call::<SetIssueTeam>(&[
            ("number", &number.to_string()),
            ("role", "engineering"),
            ("people[0]", &me),
        ])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let started = composer(app, number).await;
    let draft = &started["draft"];
    assert_eq!(
        draft["subject"],
        "Push campaigns failing, 2026-11-30 14:02 CET"
    );
    assert_eq!(draft["next_steps"], DEFAULT_NEXT_STEPS);
    assert_eq!(draft["lists"], json!([list]));
    assert!(draft["customers"]
        .as_str()
        .unwrap()
        .starts_with("2 orgs, 1 apps: <http://"));
    assert_eq!(
        started["opening"],
        "We experienced a production issue impacting push-api and scheduler. The issue began at 14:02 CET on 2026-11-30 and is ongoing."
    );

    let res = send(
        app,
        number,
        json!({
            "cause": "Database went down due to a bad query. <script>alert(1)</script> [details](javascript:alert(2))",
            "impact": "Push campaigns **failed**.",
            "current_status": "Unresolved; a fix is expected by 16:00.",
            "extra": "cto@example.com",
            "attach_csv": true,
        }),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let id: i64 = res.json().await.unwrap();

    let raw = smtp.wait_for(1).await.remove(0);
    let mail = parse_mail(&raw).unwrap();
    assert_eq!(
        header(&mail, "Subject"),
        "Push campaigns failing, 2026-11-30 14:02 CET"
    );
    assert_eq!(header(&mail, "From"), "Stormwatch <incidents@example.com>");
    let to = header(&mail, "To");
    for address in [
        "exec@example.com",
        "product@example.com",
        "marketing@example.com",
        "cto@example.com",
    ] {
        assert!(to.contains(address), "{address} in To: {to}");
    }
    assert!(mailparse::dateparse(&header(&mail, "Date")).is_ok());
    let row = email::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(header(&mail, "Message-ID"), format!("<{}>", row.message_id));
    assert_eq!(mail.ctype.mimetype, "multipart/mixed");
    assert!(part(&mail, "multipart/alternative").is_some());
    let text = part(&mail, "text/plain").unwrap().get_body().unwrap();
    let html = part(&mail, "text/html").unwrap().get_body().unwrap();
    for body in [&text, &html] {
        for expected in [
            "Hi everyone,",
            "We experienced a production issue impacting push-api and scheduler. The issue began at 14:02 CET on 2026-11-30 and is ongoing.",
            "Issue team:",
            "Engineering: @rosa",
            "Product Management: nobody named yet",
            "Product Marketing: nobody named yet",
            "What is the issue and what caused it?",
            "Database went down due to a bad query.",
            "What is the impact to customers?",
            "What is the current status of the issue?",
            "Unresolved; a fix is expected by 16:00.",
            "Which customers were affected?",
            "2 orgs, 1 apps",
            "Next steps",
            DEFAULT_NEXT_STEPS,
        ] {
            assert!(body.contains(expected), "{expected:?} missing from\n{body}");
        }
    }
    assert!(html.contains("<strong>failed</strong>"));
    for bad in ["<script", "javascript:", "alert(1)</script>"] {
        assert!(!html.contains(bad), "{bad} reached the HTML part:\n{html}");
    }
    let csv = mail
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/csv")
        .expect("the table is attached");
    let export = app
        .text(&format!("/incidents/{number}/customers.csv"))
        .await;
    assert_eq!(csv.get_body().unwrap(), export);

    // Stored as sent (the server only adds its own trace headers), with its line on
    // the timeline.
    let row = wait_for_status(app, id, MailStatus::Sent).await;
    let kept = parse_mail(row.raw.as_bytes()).unwrap();
    assert_eq!(header(&kept, "Message-ID"), header(&mail, "Message-ID"));
    assert_eq!(part(&kept, "text/plain").unwrap().get_body().unwrap(), text);
    assert_eq!(part(&kept, "text/html").unwrap().get_body().unwrap(), html);
    let detail = incident(app, number).await;
    let lines = timeline_bodies(&detail);
    assert!(
        lines.iter().any(|l| l
            == "emailed the company: Push campaigns failing, 2026-11-30 14:02 CET (Company list, 4 recipients)"),
        "{lines:?}"
    );
    let line = detail["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        line["link"],
        format!("/emails/{id}"),
        "the line links the stored message"
    );
    // The draft went with the message: the composer starts an update now.
    let next = composer(app, number).await;
    assert_eq!(next["version"], 0);
    assert_eq!(
        next["draft"]["subject"],
        "Re: Push campaigns failing, 2026-11-30 14:02 CET"
    );
    owned.finish().await;
}

async fn an_update_continues_the_thread(base: &TestApp) {
    let (owned, smtp) = mailing(base).await;
    let app = &owned;
    company_list(app).await;
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Checkout errors", "SEV2", "").await;
    let res = send(app, number, json!({"cause": "A bad deploy."})).await;
    assert_eq!(res.status(), 200);
    let res = send(app, number, json!({"current_status": "Resolved at 15:10."})).await;
    assert_eq!(res.status(), 200);
    let res = send(
        app,
        number,
        json!({"next_steps": "Customer messaging is out."}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let received = smtp.wait_for(3).await;
    let mails: Vec<ParsedMail> = received.iter().map(|r| parse_mail(r).unwrap()).collect();
    let ids: Vec<String> = mails.iter().map(|m| header(m, "Message-ID")).collect();
    let first_subject = header(&mails[0], "Subject");
    assert_eq!(header(&mails[1], "Subject"), format!("Re: {first_subject}"));
    assert_eq!(header(&mails[2], "Subject"), format!("Re: {first_subject}"));
    assert!(header(&mails[0], "In-Reply-To").is_empty());
    assert_eq!(header(&mails[1], "In-Reply-To"), ids[0]);
    assert_eq!(header(&mails[1], "References"), ids[0]);
    assert_eq!(header(&mails[2], "In-Reply-To"), ids[1]);
    assert_eq!(
        header(&mails[2], "References"),
        format!("{} {}", ids[0], ids[1])
    );
    // The update started from the last message's fields.
    let text = part(&mails[2], "text/plain").unwrap().get_body().unwrap();
    assert!(text.contains("Resolved at 15:10.") && text.contains("A bad deploy."));
    let detail = incident(app, number).await;
    assert_eq!(detail["thread"].as_array().unwrap().len(), 3);
    assert!(timeline_bodies(&detail)
        .iter()
        .any(|l| l.starts_with("sent an update to the company: Re: ")));
    owned.finish().await;
}

async fn bad_input_is_refused_naming_the_field_and_nothing_is_queued(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Checkout errors", "SEV2", "").await;
    let long = "x".repeat(app::domain::MAX_ANSWER_LEN + 1);
    for (changes, field) in [
        (
            json!({"subject": "  ", "cause": "x", "extra": "a@example.com"}),
            "subject",
        ),
        (json!({"cause": "x", "extra": ""}), "recipients"),
        (
            json!({"cause": "x", "extra": "a@example.com, bob@"}),
            "extra",
        ),
        (
            json!({"cause": "x", "extra": "a@example.com", "impact": long}),
            "impact",
        ),
        (json!({"cause": "x", "lists": [999]}), "lists"),
    ] {
        let res = send(app, number, changes.clone()).await;
        assert_eq!(res.status(), 422, "{changes}");
        let body: Value = res.json().await.unwrap();
        let named = body.to_string();
        assert!(
            named.contains(&format!("\"field\":\"{field}\"")),
            "{field} in {named}"
        );
    }
    assert_eq!(email::Entity::find().count(&app.db).await.unwrap(), 0);
    assert!(!timeline_bodies(&incident(app, number).await)
        .iter()
        .any(|l| l.contains("emailed")));
}

async fn a_save_over_someone_elses_newer_draft_is_refused(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Checkout errors", "SEV2", "").await;
    let bob = app.sign_in("bob", "responder").await.client;
    let draft = composer(app, number).await["draft"].clone();
    let save = |client: reqwest::Client, text: &'static str, version: i64| {
        let mut draft = draft.clone();
        draft["cause"] = json!(text);
        let url = app.url(SaveEmailDraft::PATH);
        async move {
            client
                .post(url)
                .header("accept", "application/json")
                .json(&json!({"number": number, "draft": draft, "version": version}))
                .send()
                .await
                .unwrap()
        }
    };
    let res = save(app.client.clone(), "Rosa's words", 0).await;
    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["version"], 1);
    // Bob opened the composer before Rosa saved: his save names the one he started from.
    let res = save(bob.clone(), "Bob's words", 0).await;
    assert_eq!(res.status(), 409);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("@rosa saved a newer draft"));
    // The second responder opening the composer sees Rosa's draft, and can save over it.
    let seen = app
        .call_as(
            &bob,
            EmailComposer::PATH,
            &[("number", &number.to_string())],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(seen["draft"]["cause"], "Rosa's words");
    assert_eq!(seen["saved_by"], "rosa");
    assert_eq!(save(bob, "Bob's words", 1).await.status(), 200);
    // Sending from the stale version is refused too, and queues nothing.
    let res = app
        .call_json::<SendEmail>(json!({"number": number, "draft": draft, "version": 1}))
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(email::Entity::find().count(&app.db).await.unwrap(), 0);
}

async fn a_viewer_reads_the_thread_but_cannot_send(app: &TestApp) {
    company_list(app).await;
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Checkout errors", "SEV2", "").await;
    let res = send(app, number, json!({"cause": "A bad deploy."})).await;
    let id: i64 = res.json().await.unwrap();
    let viewer = app.sign_in("vera", "viewer").await.client;
    let res = app
        .call_as(&viewer, GetEmail::PATH, &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    let message: Value = res.json().await.unwrap();
    assert_eq!(message["retryable"], false);
    assert!(message["text"].as_str().unwrap().contains("A bad deploy."));
    let res = app
        .call_as(
            &viewer,
            EmailComposer::PATH,
            &[("number", &number.to_string())],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .call_as(&viewer, RetryEmail::PATH, &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), 403);
}

async fn without_smtp_mail_goes_to_the_outbox_and_says_it_was_not_delivered(app: &TestApp) {
    app.login_as("rosa", "responder").await;
    let number = declare(app, "Checkout errors", "SEV2", "").await;
    assert_eq!(composer(app, number).await["outbox_only"], true);
    let res = send(
        app,
        number,
        json!({"cause": "A bad deploy.", "extra": "exec@example.com"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let id: i64 = res.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let row = email::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, MailStatus::Outbox);
    let lines = timeline_bodies(&incident(app, number).await);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("not delivered: no SMTP server is configured")),
        "{lines:?}"
    );
}

async fn a_mail_server_that_is_down_fails_the_message_then_it_is_delivered_once(base: &TestApp) {
    let mut smtp = SmtpServer::down().await;
    let sender = base.another_instance(mail_to(&smtp.url())).await;
    sender.login_as("rosa", "responder").await;
    let number = declare(&sender, "Checkout errors", "SEV2", "").await;
    let res = send(
        &sender,
        number,
        json!({"cause": "A bad deploy.", "extra": "exec@example.com"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let id: i64 = res.json().await.unwrap();
    let failed = wait_for_status(&sender, id, MailStatus::Failed).await;
    assert!(
        failed.last_error.as_deref().is_some_and(|e| !e.is_empty()),
        "the reason is kept: {failed:?}"
    );
    let page: Value = sender
        .call::<GetEmail>(&[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["summary"]["status"], "Failed");
    assert_eq!(page["retryable"], true);
    assert!(page["summary"]["last_error"]
        .as_str()
        .is_some_and(|e| !e.is_empty()));

    smtp.resume().await;
    let res = sender.call::<RetryEmail>(&[("id", &id.to_string())]).await;
    assert_eq!(res.status(), 200);
    wait_for_status(&sender, id, MailStatus::Sent).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(smtp.received().len(), 1, "delivered exactly once");
    let res = sender.call::<RetryEmail>(&[("id", &id.to_string())]).await;
    assert_eq!(res.status(), 422, "a sent message has nothing to retry");
    sender.finish().await;
}

async fn a_restart_with_queued_mail_delivers_it_once(base: &TestApp) {
    let mut smtp = SmtpServer::down().await;
    let env = [
        ("SMTP_URL", smtp.url()),
        ("MAIL_FROM", "incidents@example.com".into()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = ServerProcess::start_with(&base.database_url, &env).await;
    base.login_as("rosa", "responder").await;
    let number = declare(base, "Checkout errors", "SEV2", "").await;
    let rosa = sign_in_at(&first.address, "rosa", "responder").await.client;
    let res = send_via(
        &rosa,
        &first.address,
        number,
        json!({"cause": "A bad deploy.", "extra": "exec@example.com"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let id: i64 = res.json().await.unwrap();
    wait_for_status(base, id, MailStatus::Failed).await;
    // Killed outright, with the message still to deliver.
    first.kill().await;
    smtp.resume().await;
    let second = ServerProcess::start_with(&base.database_url, &env).await;
    wait_for_status(base, id, MailStatus::Sent).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(smtp.received().len(), 1, "delivered once after the restart");
    second.kill().await;
}

async fn two_instances_on_one_database_send_each_message_once(app: &TestApp) {
    let mut smtp = SmtpServer::down().await;
    let one = app.another_instance(mail_to(&smtp.url())).await;
    let two = app.another_instance(mail_to(&smtp.url())).await;
    one.login_as("rosa", "responder").await;
    let mut ids = Vec::new();
    for title in ["Checkout errors", "Push delays", "Login loops", "API 500s"] {
        let number = declare(&one, title, "SEV2", "").await;
        for _ in 0..3 {
            let res = send(
                &one,
                number,
                json!({"cause": "A bad deploy.", "extra": "exec@example.com"}),
            )
            .await;
            assert_eq!(res.status(), 200);
            ids.push(res.json::<i64>().await.unwrap());
        }
    }
    for id in &ids {
        wait_for_status(&one, *id, MailStatus::Failed).await;
    }
    smtp.resume().await;
    // Both senders find them due at once; each message goes out from one of them.
    for id in &ids {
        let res = one.call::<RetryEmail>(&[("id", &id.to_string())]).await;
        assert!(
            matches!(res.status().as_u16(), 200 | 422),
            "{}",
            res.status()
        );
    }
    for id in &ids {
        wait_for_status(&one, *id, MailStatus::Sent).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut received: Vec<String> = smtp
        .received()
        .iter()
        .map(|raw| header(&parse_mail(raw).unwrap(), "Message-ID"))
        .collect();
    received.sort();
    let mut expected: Vec<String> = stored(&one)
        .await
        .into_iter()
        .map(|m| format!("<{}>", m.message_id))
        .collect();
    expected.sort();
    assert_eq!(received, expected, "every message once, none twice");
    one.finish().await;
    two.finish().await;
}

/// Waits until the message reaches `status`; its row.
async fn wait_for_status(app: &TestApp, id: i64, status: MailStatus) -> email::Model {
    for _ in 0..300 {
        let row = email::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        if row.status == status {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = email::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    panic!(
        "email {id} is {:?} ({:?}), not {status:?}",
        row.status, row.last_error
    );
}

async fn the_status_view_says_each_incident_in_words(app: &TestApp) {
    use app::api::incidents::{ChangeStatus, LeadIncident, StatusView};
    app.login_as("rosa", "responder").await;
    let open = declare(app, "Checkout errors", "SEV1", "").await;
    let done = declare(app, "Push delays", "SEV3", "").await;
    let res = app
        .call::<LeadIncident>(&[("number", &open.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    let res = send(app, open, json!({"cause": "A bad deploy.", "impact": "Nobody could pay.", "extra": "exec@example.com"})).await;
    assert_eq!(res.status(), 200);
    let res = app
        .call::<ChangeStatus>(&[("number", &done.to_string()), ("status", "resolved")])
        .await;
    assert_eq!(res.status(), 200);
    let viewer = app.sign_in("vera", "viewer").await.client;
    let board: Value = app
        .call_as(&viewer, StatusView::PATH, &[])
        .await
        .json()
        .await
        .unwrap();
    let current = board["current"].as_array().unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["incident"]["number"], open);
    assert_eq!(
        current[0]["impact"], "Nobody could pay.",
        "the email's impact, in words"
    );
    assert_eq!(current[0]["leader"], "rosa");
    assert_eq!(current[0]["duration"], "under a minute");
    assert!(current[0]["latest_email"]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Checkout errors, "));
    let resolved = board["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["incident"]["number"], done);
    assert_eq!(
        resolved[0]["impact"], "Sends are timing out.",
        "no email: the summary"
    );
    assert!(resolved[0]["latest_email"].is_null());
}
