//! The postmortem's shared document:
//!
//!     cargo bench -p server --bench postmortem
//!
//! On SQLite and on PostgreSQL, with the real router on 127.0.0.1 in this process:
//! `EDITORS` signed-in editors follow the postmortem's live stream; editors take turns
//! sending one keystroke's update every `EVERY`, and each arrival at every other
//! editor is timed from the moment its sender posted it (p50/p99 over every
//! (edit, editor) pair). Then the document's stored log: its rows and bytes after
//! `KEYSTROKES` keystrokes, and after compaction.
//!
//! Prints figures; asserts nothing about time. `BENCH_SECONDS` sets how long edits go on.

mod common;

use app::{
    api::{
        incidents::DeclareIncident,
        postmortems::{EditPostmortem, ReadPostmortem, StartPostmortem},
    },
    domain::postmortem::document,
    ssr::services::postmortems::{self, document::log_size},
};
use base64::{engine::general_purpose::STANDARD, Engine};
use leptos::server_fn::ServerFn;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use yrs::Transact;

const EDITORS: usize = 20;
const EVERY: Duration = Duration::from_millis(25);
const KEYSTROKES: usize = 1000;

#[tokio::main]
async fn main() {
    let seconds = common::seconds();
    println!(
        "postmortem: {EDITORS} editors for {seconds} s, then the log after {KEYSTROKES} keystrokes"
    );
    common::on_both_databases(|backend, url| async move { run(backend, &url, seconds).await })
        .await;
}

async fn run(backend: &str, database_url: &str, seconds: u64) {
    let (base, state) = common::serve(database_url).await;
    let lead = common::signed_in(&base, "lead").await;
    let number: i64 = common::call(
        &lead,
        &base,
        DeclareIncident::PATH,
        &[
            ("title", "Bench"),
            ("services", "api"),
            ("severity", "SEV2"),
            ("started_at", ""),
            ("summary", "x"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    let n = number.to_string();
    common::call(&lead, &base, StartPostmortem::PATH, &[("number", &n)]).await;
    let page: serde_json::Value =
        common::call(&lead, &base, ReadPostmortem::PATH, &[("number", &n)])
            .await
            .json()
            .await
            .unwrap();
    let cursor = page["cursor"].as_i64().unwrap();

    // Each editor: a client, a copy of the document, a stream.
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut editors = Vec::new();
    let mut readers = Vec::new();
    for i in 0..EDITORS {
        let client = common::signed_in(&base, &format!("editor{i}")).await;
        let res = client
            .get(format!("{base}/live"))
            .query(&[("after", cursor), ("postmortem", number)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (sent, latencies, stop) = (sent.clone(), latencies.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut res = res;
            let mut buf = String::new();
            while !stop.load(Ordering::Relaxed) {
                let Ok(Ok(Some(chunk))) =
                    tokio::time::timeout(Duration::from_millis(200), res.chunk()).await
                else {
                    continue;
                };
                let arrived = Instant::now();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let event: String = buf.drain(..end + 2).collect();
                    for piece in event.split("\"update\":\"").skip(1) {
                        let update: String = piece.chars().take_while(|c| *c != '"').collect();
                        if let Some(at) = sent.lock().unwrap().get(&update) {
                            latencies
                                .lock()
                                .unwrap()
                                .push((arrived - *at).as_secs_f64() * 1e3);
                        }
                    }
                }
            }
        }));
        editors.push((client, document::new_doc(Some(100 + i as u64))));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let mut edits = 0usize;
    let mut tick = tokio::time::interval(EVERY);
    while started.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        let (client, doc) = &editors[edits % EDITORS];
        let update = {
            let mut txn = doc.transact_mut();
            let text = yrs::WriteTxn::get_or_insert_text(&mut txn, "fix");
            yrs::Text::push(&text, &mut txn, "x");
            txn.encode_update_v1()
        };
        let encoded = STANDARD.encode(&update);
        sent.lock().unwrap().insert(encoded.clone(), Instant::now());
        common::call(
            client,
            &base,
            EditPostmortem::PATH,
            &[("number", &n), ("update", &encoded)],
        )
        .await;
        edits += 1;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
    let latencies = std::mem::take(&mut *latencies.lock().unwrap());
    println!("{backend}:");
    println!(
        "  an edit reaching {EDITORS} editors: p50 {:>6.2} ms  p99 {:>6.2} ms  ({} of {} arrivals, {edits} edits)",
        common::pct(&latencies, 50.0),
        common::pct(&latencies, 99.0),
        latencies.len(),
        edits * EDITORS,
    );

    // The log: a fresh postmortem, one editor typing KEYSTROKES characters.
    let number: i64 = common::call(
        &lead,
        &base,
        DeclareIncident::PATH,
        &[
            ("title", "Log"),
            ("services", "api"),
            ("severity", "SEV3"),
            ("started_at", ""),
            ("summary", "x"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    let n = number.to_string();
    common::call(&lead, &base, StartPostmortem::PATH, &[("number", &n)]).await;
    let id = postmortems::existing(&state.db, number).await.unwrap().id;
    let doc = document::new_doc(Some(7));
    let mut peak = log_size(&state.db, id).await.unwrap();
    for k in 0..KEYSTROKES {
        let update = {
            let mut txn = doc.transact_mut();
            let text = yrs::WriteTxn::get_or_insert_text(&mut txn, "description");
            yrs::Text::push(&text, &mut txn, if k % 7 == 6 { " " } else { "a" });
            txn.encode_update_v1()
        };
        common::call(
            &lead,
            &base,
            EditPostmortem::PATH,
            &[("number", &n), ("update", &STANDARD.encode(&update))],
        )
        .await;
        let size = log_size(&state.db, id).await.unwrap();
        if size.rows > peak.rows {
            peak = size;
        }
    }
    let before = log_size(&state.db, id).await.unwrap();
    state.postmortems.compact(&state.db, id).await.unwrap();
    let after = log_size(&state.db, id).await.unwrap();
    println!(
        "  log after {KEYSTROKES} keystrokes: largest {} rows / {} bytes before a compaction; {} rows / {} bytes now, {} row / {} bytes compacted",
        peak.rows, peak.bytes, before.rows, before.bytes, after.rows, after.bytes
    );
    state.db.clone().close().await.ok();
}
