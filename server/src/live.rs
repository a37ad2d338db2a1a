//! `GET /live`: the live stream, as server-sent events. Each event is one committed
//! change (`LiveBatch` JSON) with its id; a browser resumes after the last id it saw
//! (`Last-Event-ID`, which browsers send on their own when they reconnect, or
//! `?after=` from the page's first read). When what it missed is gone or too much to
//! replay, it gets a `resync` event and reads the page again.

use crate::request_user;
use app::{
    domain::{Access, Permission},
    ssr::{
        auth,
        live::{self, Hub, Published},
        time, AppState,
    },
};
use axum::{
    body::Body,
    extract::{Query, Request, State},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use chrono_tz::Tz;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use std::convert::Infallible;
use tokio::sync::{broadcast::error::RecvError, mpsc};
use tokio_stream::wrappers::ReceiverStream;

/// Beyond this many missed events a browser reads the page again instead.
const MAX_REPLAY: i64 = 2000;

#[derive(Deserialize)]
pub struct Resume {
    after: Option<i64>,
    /// The incident whose postmortem page this is: its document updates and who is on
    /// it come too (other pages never get them).
    postmortem: Option<i64>,
}

pub async fn stream(
    State(state): State<AppState>,
    Query(resume): Query<Resume>,
    req: Request<Body>,
) -> Response {
    let user = request_user(&req);
    let access = Access::SignedIn(Permission::Read);
    if let Err(err) = auth::allow(access, user.0.as_ref(), req.uri().path()) {
        return err.into_response();
    }
    let headers = req.headers();
    let tz = time::tz_of(headers);
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .or(resume.after);
    let (sender, receiver) = mpsc::channel(64);
    let out = Out {
        sender,
        tz,
        postmortem: resume.postmortem,
    };
    tokio::spawn(feed(state.db.clone(), state.live.clone(), after, out));
    Sse::new(ReceiverStream::new(receiver))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// One browser's end: where its events go, in its time zone, for its page.
struct Out {
    sender: mpsc::Sender<Result<Event, Infallible>>,
    tz: Tz,
    postmortem: Option<i64>,
}

/// One browser's stream: what it missed, then everything as it happens, in id order,
/// each event once.
async fn feed(db: DatabaseConnection, hub: Hub, after: Option<i64>, out: Out) {
    let _counted = app::ssr::metrics::LiveClient::connected();
    // Subscribed before reading what was missed, so nothing falls between the two.
    let mut events = hub.subscribe();
    let mut closing = hub.closing();
    let mut last = match after {
        Some(after) => after,
        None => live::latest_id(&db).await.unwrap_or(0),
    };
    if after.is_some() && !catch_up(&db, &out, &mut last).await {
        return;
    }
    loop {
        tokio::select! {
            _ = closing.changed() => return,
            _ = out.sender.closed() => return,
            received = events.recv() => match received {
                Ok(event) if event.id > last => {
                    if !send(&out, &event).await {
                        return;
                    }
                    last = event.id;
                }
                Ok(_) => {}
                // This stream fell behind the process's fan-out: read the rest from the log.
                Err(RecvError::Lagged(_)) => {
                    if !catch_up(&db, &out, &mut last).await {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
        }
    }
}

/// Sends what came after `last` from the log, or a `resync` when that cannot be done
/// faithfully. False when the browser has gone.
async fn catch_up(db: &DatabaseConnection, out: &Out, last: &mut i64) -> bool {
    let Ok(latest) = live::latest_id(db).await else {
        return false;
    };
    let pruned = live::pruned_past(db, *last).await.unwrap_or(true);
    if pruned || latest - *last > MAX_REPLAY {
        *last = latest;
        let resync = Event::default()
            .event("resync")
            .id(latest.to_string())
            .data("{}");
        return out.sender.send(Ok(resync)).await.is_ok();
    }
    loop {
        let Ok(missed) = live::since(db, *last, live::PAGE).await else {
            return false;
        };
        let full = missed.len() as u64 == live::PAGE;
        for event in missed {
            if !send(out, &event).await {
                return false;
            }
            *last = event.id;
        }
        if !full {
            return true;
        }
    }
}

/// Sends one event, if the page needs it. False when the browser has gone.
async fn send(out: &Out, event: &Published) -> bool {
    if !event.for_page(out.postmortem) {
        return true;
    }
    let message = Event::default()
        .id(event.id.to_string())
        .data(&*event.json_for(out.tz));
    out.sender.send(Ok(message)).await.is_ok()
}
