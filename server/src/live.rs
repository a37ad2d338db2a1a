//! `GET /live`: the live stream, as server-sent events. Each event is one committed
//! change (`LiveBatch` JSON) with its id; a browser resumes after the last id it saw
//! (`Last-Event-ID`, which browsers send on their own when they reconnect, or
//! `?after=` from the page's first read). When what it missed is gone or too much to
//! replay, it gets a `resync` event and reads the page again.

use crate::request_user;
use app::{
    domain::{Access, Permission},
    model::wire::Format,
    ssr::{
        auth,
        live::{self, Hub, Published},
        metrics::LiveClient,
        time, AppState,
    },
};
use axum::{
    body::{Body, Bytes},
    extract::{Query, Request, State},
    http::header,
    response::{IntoResponse, Response},
};
use chrono_tz::Tz;
use futures_util::stream;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use std::{collections::VecDeque, convert::Infallible, pin::Pin, time::Duration};
use tokio::{
    sync::{
        broadcast::{self, error::RecvError},
        watch,
    },
    time::{sleep, Instant, Sleep},
};

/// Beyond this many missed events a browser reads the page again instead.
const MAX_REPLAY: i64 = 2000;
/// A comment line after this much quiet, so proxies and browsers keep the stream open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[derive(Deserialize)]
pub struct Resume {
    after: Option<i64>,
    /// The incident whose postmortem page this is: its document updates and who is on
    /// it come too (other pages never get them).
    postmortem: Option<i64>,
    /// `json` (the default) or `postcard`, as the pages read it.
    #[serde(default)]
    wire: Format,
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
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .or(resume.after);
    let feed = Feed::open(
        state.db.clone(),
        &state.live,
        after,
        time::tz_of(headers),
        resume.postmortem,
        resume.wire,
    )
    .await;
    let body = stream::unfold(feed, |mut feed| async move {
        let frame = feed.next().await?;
        Some((Ok::<_, Infallible>(frame), feed))
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// One browser's stream: what it missed, then everything as it happens, in id order,
/// each event once, in its time zone, for its page. It is the response body itself:
/// the connection's task reads the process's fan-out directly, and each frame it writes
/// is the one the event rendered for its zone (shared, not copied). It ends when the
/// browser goes (the body is dropped) or the server shuts down.
struct Feed {
    db: DatabaseConnection,
    events: broadcast::Receiver<std::sync::Arc<Published>>,
    closing: watch::Receiver<bool>,
    /// The id of the last event sent (or skipped as not for this page).
    last: i64,
    /// Frames read from the log, waiting to be written.
    backlog: VecDeque<Bytes>,
    /// Whether the log must be read before the fan-out (resuming, or fallen behind).
    behind: bool,
    tz: Tz,
    postmortem: Option<i64>,
    format: Format,
    quiet: Pin<Box<Sleep>>,
    _counted: LiveClient,
}

impl Feed {
    async fn open(
        db: DatabaseConnection,
        hub: &Hub,
        after: Option<i64>,
        tz: Tz,
        postmortem: Option<i64>,
        format: Format,
    ) -> Self {
        // Subscribed before reading what was missed, so nothing falls between the two.
        let events = hub.subscribe();
        let last = match after {
            Some(after) => after,
            None => live::latest_id(&db).await.unwrap_or(0),
        };
        Self {
            db,
            events,
            closing: hub.closing(),
            last,
            backlog: VecDeque::new(),
            behind: after.is_some(),
            tz,
            postmortem,
            format,
            quiet: Box::pin(sleep(KEEP_ALIVE)),
            _counted: LiveClient::connected(),
        }
    }

    /// The next frame to write; None ends the stream.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(frame) = self.backlog.pop_front() {
                return Some(self.sent(frame));
            }
            if self.behind {
                self.behind = false;
                self.catch_up().await?;
                continue;
            }
            tokio::select! {
                _ = self.closing.changed() => return None,
                _ = &mut self.quiet => return Some(self.sent(Bytes::from_static(b":\n\n"))),
                received = self.events.recv() => match received {
                    Ok(event) if event.id > self.last => {
                        self.last = event.id;
                        if let Some(frame) = self.frame(&event) {
                            return Some(self.sent(frame));
                        }
                    }
                    Ok(_) => {}
                    // This stream fell behind the process's fan-out: read the rest from
                    // the log.
                    Err(RecvError::Lagged(_)) => self.behind = true,
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }

    /// The event's frame, if this page needs it.
    fn frame(&self, event: &Published) -> Option<Bytes> {
        event
            .for_page(self.postmortem)
            .then(|| event.frame_for(self.tz, self.format))
    }

    fn sent(&mut self, frame: Bytes) -> Bytes {
        self.quiet.as_mut().reset(Instant::now() + KEEP_ALIVE);
        frame
    }

    /// Queues what came after `last` from the log, or a `resync` when that cannot be
    /// done faithfully. None when the log cannot be read (the stream ends; the browser
    /// reconnects and resumes).
    async fn catch_up(&mut self) -> Option<()> {
        let latest = live::latest_id(&self.db).await.ok()?;
        let pruned = live::pruned_past(&self.db, self.last).await.unwrap_or(true);
        if pruned || latest - self.last > MAX_REPLAY {
            self.last = latest;
            self.backlog.push_back(Bytes::from(format!(
                "event: resync\nid: {latest}\ndata: {{}}\n\n"
            )));
            return Some(());
        }
        loop {
            let missed = live::since(&self.db, self.last, live::PAGE).await.ok()?;
            let full = missed.len() as u64 == live::PAGE;
            for event in missed {
                self.last = event.id;
                if let Some(frame) = self.frame(&event) {
                    self.backlog.push_back(frame);
                }
            }
            if !full {
                return Some(());
            }
        }
    }
}
