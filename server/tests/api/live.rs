//! The live stream: a webhook reaches a connected page; a page that was away resumes
//! from the last event it saw, without gaps or duplicates; what cannot be replayed asks
//! for a resync; and a webhook to one server process reaches a page on another.

use crate::{
    helpers::{declare, new_client, sign_in_at, ServerProcess, Sse, TestApp},
    on_both_databases,
};
use app::{
    api::alerts::ListFeed,
    model::{live::LiveBatch, wire::from_base64},
    ssr::entities::live_event,
};
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use std::time::Duration;

on_both_databases!(
    a_delivery_reaches_an_open_stream_at_once,
    a_stream_resumes_after_the_last_event_it_saw,
    a_stream_too_far_behind_is_told_to_resync,
    the_stream_needs_a_signed_in_user,
    the_pages_read_the_stream_as_postcard,
);

const SOON: Duration = Duration::from_secs(5);

async fn cursor(app: &TestApp) -> i64 {
    let feed: Value = app.call::<ListFeed>(&[]).await.json().await.unwrap();
    feed["cursor"].as_i64().unwrap()
}

async fn a_delivery_reaches_an_open_stream_at_once(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let source = app.add_source("generic", "Breakers", "payments").await;
    let mut stream = app.live(Some(cursor(app).await), None).await;
    app.deliver(
        &source.url,
        &json!({"dedup_key": "cb", "title": "Breaker open"}),
    )
    .await;
    let event = stream.next(SOON).await.expect("the delivery is pushed");
    let batch = event.json();
    assert_eq!(Some(batch["id"].as_i64().unwrap()), event.id);
    let group = &batch["changes"][0]["Feed"];
    assert_eq!(group["source"], "Breakers");
    assert_eq!(group["service"], "payments");
    assert_eq!(group["firing"], 1);
    assert_eq!(group["untriaged"], 1);
    assert_eq!(group["latest"][0]["title"], "Breaker open");

    // Incident changes are pushed too.
    let number = declare(app, "Payments down", "SEV1", "").await;
    let event = stream.next(SOON).await.expect("the declaration is pushed");
    assert!(event.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["Incident"] == number));
}

/// `?wire=postcard` (as the pages open it) carries the same events as the JSON stream,
/// with the same ids, as postcard in base64; a format it does not know is refused.
async fn the_pages_read_the_stream_as_postcard(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let source = app.add_source("generic", "Breakers", "payments").await;
    let after = cursor(app).await.to_string();
    let open = |wire: &'static str| {
        let after = after.clone();
        async move {
            app.client
                .get(app.url("/live"))
                .query(&[("after", after.as_str()), ("wire", wire)])
                .send()
                .await
                .unwrap()
        }
    };
    let mut json_stream = Sse::new(open("json").await);
    let mut postcard_stream = Sse::new(open("postcard").await);
    app.deliver(
        &source.url,
        &json!({"dedup_key": "cb", "title": "Breaker open"}),
    )
    .await;
    declare(app, "Payments down", "SEV1", "").await;
    for _ in 0..2 {
        let as_json = json_stream.next(SOON).await.expect("a JSON event");
        let as_postcard = postcard_stream.next(SOON).await.expect("a postcard event");
        assert_eq!(as_postcard.id, as_json.id);
        let batch: LiveBatch = from_base64(&as_postcard.data).expect("postcard in base64");
        assert_eq!(Some(batch.id), as_postcard.id);
        assert_eq!(serde_json::to_value(&batch).unwrap(), as_json.json());
    }

    let refused = open("xml").await;
    assert_eq!(refused.status(), 400);
    let why = refused.text().await.unwrap();
    assert!(why.contains("wire"), "{why}");
}

/// The events after `after`, as the log holds them.
async fn logged_after(app: &TestApp, after: i64) -> Vec<i64> {
    live_event::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .filter(|id| *id > after)
        .collect()
}

/// Feed groups are published a moment after their alerts commit: waits for the log to
/// hold at least `events` events after `after`.
async fn wait_for_events(app: &TestApp, after: i64, events: usize) {
    for _ in 0..200 {
        if logged_after(app, after).await.len() >= events {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the log never held {events} events after {after}");
}

async fn a_stream_resumes_after_the_last_event_it_saw(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let source = app.add_source("generic", "Breakers", "").await;
    let mut stream = app.live(Some(cursor(app).await), None).await;
    app.deliver(
        &source.url,
        &json!({"dedup_key": "1", "title": "one", "service": "s1"}),
    )
    .await;
    let seen = stream.next(SOON).await.unwrap().id.unwrap();
    drop(stream);

    // Away: three more groups change.
    for key in ["2", "3", "4"] {
        app.deliver(
            &source.url,
            &json!({"dedup_key": key, "title": key, "service": format!("s{key}")}),
        )
        .await;
    }
    wait_for_events(app, seen, 1).await;
    let missed = logged_after(app, seen).await;
    let mut stream = app.live(Some(0), Some(seen)).await;
    let mut ids = Vec::new();
    let mut titles = std::collections::BTreeSet::new();
    while let Some(event) = stream.next(Duration::from_millis(800)).await {
        ids.push(event.id.unwrap());
        for change in event.json()["changes"].as_array().unwrap() {
            titles.insert(
                change["Feed"]["latest"][0]["title"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    // Exactly what the log holds after the last event seen: in order, none twice.
    let logged = logged_after(app, seen).await;
    assert!(ids.len() >= missed.len(), "{ids:?} covers {missed:?}");
    assert_eq!(ids, logged, "in order, nothing missed, nothing twice");
    assert!(
        ["2", "3", "4"].iter().all(|t| titles.contains(*t)),
        "every group that changed while away: {titles:?}"
    );
    // And then live again.
    app.deliver(
        &source.url,
        &json!({"dedup_key": "5", "title": "five", "service": "s5"}),
    )
    .await;
    let next = stream.next(SOON).await.unwrap();
    assert!(next.id.unwrap() > *ids.last().unwrap());
}

async fn a_stream_too_far_behind_is_told_to_resync(app: &TestApp) {
    app.login_as("Ada", "responder").await;
    let source = app.add_source("generic", "Breakers", "").await;
    for key in ["1", "2", "3"] {
        app.deliver(
            &source.url,
            &json!({"dedup_key": key, "title": key, "service": format!("s{key}")}),
        )
        .await;
        wait_for_events(app, 0, key.parse().unwrap()).await;
    }
    // As the pruner does once events are a day old: the first ones are gone.
    let all = live_event::Entity::find().all(&app.db).await.unwrap();
    live_event::Entity::delete_by_id(all[0].id)
        .exec(&app.db)
        .await
        .unwrap();
    live_event::Entity::delete_by_id(all[1].id)
        .exec(&app.db)
        .await
        .unwrap();
    let mut stream = app.live(None, Some(all[0].id - 1)).await;
    let event = stream.next(SOON).await.unwrap();
    assert_eq!(event.event, "resync");
    assert_eq!(
        event.id,
        Some(all.last().unwrap().id),
        "it resumes from the newest"
    );
}

async fn the_stream_needs_a_signed_in_user(app: &TestApp) {
    let res = new_client().get(app.url("/live")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

/// Two server processes on one PostgreSQL database: a source added on the command line,
/// a webhook posted to the first, a page connected to the second.
#[tokio::test]
async fn a_webhook_to_one_instance_reaches_a_page_on_another() {
    crate::helpers::bounded(
        concat!(
            module_path!(),
            "::a_webhook_to_one_instance_reaches_a_page_on_another"
        ),
        async {
            let app = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await;
            let a = ServerProcess::start(&app.database_url).await;
            let b = ServerProcess::start(&app.database_url).await;
            let added = ServerProcess::command(
                &app.database_url,
                &a.address,
                &[
                    "sources",
                    "add",
                    "--kind",
                    "generic",
                    "--name",
                    "Breakers",
                    "--service",
                    "payments",
                    "--json",
                ],
            )
            .await;
            let issued: Value = serde_json::from_str(&added).unwrap();
            let url = issued["url"].as_str().unwrap();
            assert!(
                url.starts_with(&format!("{}/webhooks/", a.address)),
                "{url}"
            );

            let viewer = sign_in_at(&b.address, "Vera", "viewer").await.client;
            let res = viewer
                .get(format!("{}/live", b.address))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let mut stream = crate::helpers::Sse::new(res);
            // The stream is subscribed once its response has started; give the pump its first read.
            tokio::time::sleep(Duration::from_millis(200)).await;

            let delivered = app
                .deliver(
                    url,
                    &json!({"dedup_key": "cb", "title": "Breaker open on A"}),
                )
                .await;
            assert_eq!(delivered.status(), 200);
            let event = stream
                .next(SOON)
                .await
                .expect("instance B pushes what instance A received");
            assert_eq!(
                event.json()["changes"][0]["Feed"]["latest"][0]["title"],
                "Breaker open on A"
            );

            let listed =
                ServerProcess::command(&app.database_url, &a.address, &["sources", "list"]).await;
            assert!(
                listed.contains("Breakers") && listed.contains("1 deliveries"),
                "{listed}"
            );
            drop((a, b));
            app.finish().await;
        },
    )
    .await
}

/// "200 means committed", tested the hard way: deliveries in flight, the process killed
/// with SIGKILL mid-burst, and every delivery that got its 200 found in the database.
#[tokio::test]
async fn every_acknowledged_delivery_survives_a_kill_9() {
    crate::helpers::bounded(
        concat!(
            module_path!(),
            "::every_acknowledged_delivery_survives_a_kill_9"
        ),
        async {
            let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
            let server = ServerProcess::start(&app.database_url).await;
            let added = ServerProcess::command(
                &app.database_url,
                &server.address,
                &[
                    "sources", "add", "--kind", "generic", "--name", "Storm", "--json",
                ],
            )
            .await;
            let url = serde_json::from_str::<Value>(&added).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string();
            let client = crate::helpers::new_client();
            let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let mut sends = Vec::new();
            // 64 senders, each posting its alerts one after another until the server dies.
            for sender in 0..64 {
                let (client, url, answered) = (client.clone(), url.clone(), answered.clone());
                sends.push(tokio::spawn(async move {
                    let mut acknowledged = Vec::new();
                    for i in 0..100 {
                        let key = format!("s{sender}-{i}");
                        let body = json!({"dedup_key": key, "title": "Storm"});
                        match client.post(&url).json(&body).send().await {
                            Ok(res) if res.status() == 200 => {
                                acknowledged.push(key);
                                answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            _ => break,
                        }
                    }
                    acknowledged
                }));
            }
            // Let part of the burst through, then pull the plug.
            let waited = std::time::Instant::now();
            while answered.load(std::sync::atomic::Ordering::Relaxed) < 300
                && waited.elapsed() < SOON * 4
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            server.kill().await;
            let mut acknowledged = Vec::new();
            for send in sends {
                acknowledged.extend(send.await.unwrap());
            }
            let stored: std::collections::HashSet<String> =
                app::ssr::entities::alert::Entity::find()
                    .all(&app.db)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|a| a.dedup_key)
                    .collect();
            assert!(
                !acknowledged.is_empty(),
                "some deliveries were answered before the kill"
            );
            let lost: Vec<_> = acknowledged
                .iter()
                .filter(|k| !stored.contains(*k))
                .collect();
            assert!(
                lost.is_empty(),
                "{} acknowledged but not stored: {lost:?}",
                lost.len()
            );
            println!(
                "{} of 6400 acknowledged before the kill, all stored ({} stored in all)",
                acknowledged.len(),
                stored.len()
            );
            app.finish().await;
        },
    )
    .await
}
