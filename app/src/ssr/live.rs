//! Live updates: every committed change appends one row to `live_events` (in its own
//! transaction), and one pump per process reads new rows in id order and broadcasts
//! them to the process's open streams. Ids give order and resumption: a browser that
//! reconnects asks for what came after the last id it saw, and the table answers.
//!
//! Several processes on one PostgreSQL: appends take a transaction-scoped advisory lock,
//! so ids become visible in the order they were given (a reader never sees 11 before
//! 10), and `pg_notify` (delivered at commit) wakes every process's pump. On SQLite
//! (one process) the pump is woken by the alert writer and otherwise polls.
//!
//! Who appends: `services::incidents::append_line` (every timeline line: incident
//! changes, messages, alerts attached, customers changed), `services::channel::edit`
//! (a post reworded) and `services::alerts::feed::append_groups` (feed groups, for the
//! alert writer's publisher and for triage). Nothing else writes `live_events`.

use crate::{
    domain::AppError,
    model::{
        live::{LiveBatch, LiveChange},
        wire::{self, Format},
    },
    ssr::entities::live_event,
};
use axum::body::Bytes;
use chrono::{Duration as Age, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{broadcast, watch, Notify};

/// The PostgreSQL channel the pumps listen on.
const CHANNEL: &str = "stormwatch_live";
/// Serialises appends across processes until their commit (any constant key).
const APPEND_LOCK: i64 = 0x5707_3a7c;
/// How long events are kept for browsers that reconnect.
const RETENTION_HOURS: i64 = 24;
/// Rows read per query by the pump and by a resuming stream.
pub const PAGE: u64 = 500;

/// Appends changes to the live log, inside the caller's transaction.
pub async fn append(db: &impl ConnectionTrait, changes: &[LiveChange]) -> Result<(), AppError> {
    if changes.is_empty() {
        return Ok(());
    }
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    if postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({APPEND_LOCK})"))
            .await?;
    }
    let body = serde_json::to_string(changes).map_err(|e| {
        tracing::error!(error = %e, "live changes do not serialise");
        AppError::Internal
    })?;
    live_event::ActiveModel {
        created_at: Set(Utc::now()),
        body: Set(body),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if postgres {
        db.execute_unprepared(&format!("SELECT pg_notify('{CHANNEL}', '')"))
            .await?;
    }
    Ok(())
}

/// One stored event, shared by every stream of the process; rendered once per time zone
/// and format.
pub struct Published {
    pub id: i64,
    /// When it was appended (inside the transaction that committed it).
    appended_at: chrono::DateTime<Utc>,
    /// `Vec<LiveChange>` as stored: times in UTC.
    changes: serde_json::Value,
    /// Per change, the incident whose postmortem page alone needs it.
    scope: Vec<Option<i64>>,
    rendered: Mutex<Vec<(Tz, Format, Bytes)>>,
}

impl Published {
    fn new(model: live_event::Model) -> Self {
        let changes = serde_json::from_str(&model.body).unwrap_or_else(|e| {
            tracing::error!(id = model.id, error = %e, "unreadable live event");
            serde_json::Value::Array(vec![])
        });
        let scope = serde_json::from_value::<Vec<LiveChange>>(changes.clone())
            .map(|all| all.iter().map(LiveChange::postmortem_only).collect())
            .unwrap_or_default();
        Self {
            id: model.id,
            appended_at: model.created_at,
            changes,
            scope,
            rendered: Mutex::new(Vec::new()),
        }
    }

    /// Whether a page following `postmortem`'s page (None: any other page) needs it.
    pub fn for_page(&self, postmortem: Option<i64>) -> bool {
        self.scope.is_empty() || self.scope.iter().any(|s| s.is_none() || *s == postmortem)
    }

    /// The event as a server-sent event (its id, and a [`LiveBatch`] with its times in
    /// the viewer's zone, in JSON or in postcard), ready to write: made once per zone and
    /// format, and shared by every stream that reads it so.
    pub fn frame_for(&self, tz: Tz, format: Format) -> Bytes {
        let mut rendered = self.rendered.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((.., frame)) = rendered.iter().find(|(z, f, _)| *z == tz && *f == format) {
            return frame.clone();
        }
        let mut changes = self.changes.clone();
        super::time::restamp(&mut changes, tz);
        // Either is one line (serde_json writes no line break, base64 has none), so one
        // `data:` line.
        let data = match format {
            Format::Json => serde_json::json!({ "id": self.id, "changes": changes }).to_string(),
            Format::Postcard => {
                let changes = serde_json::from_value(changes).unwrap_or_else(|e| {
                    tracing::error!(id = self.id, error = %e, "unreadable live event");
                    Vec::new()
                });
                let batch = LiveBatch {
                    id: self.id,
                    changes,
                };
                wire::to_base64(&batch).unwrap_or_default()
            }
        };
        let frame = Bytes::from(format!("id: {}\ndata: {data}\n\n", self.id));
        rendered.push((tz, format, frame.clone()));
        frame
    }
}

/// Events after `after`, oldest first, at most `limit`.
pub async fn since(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<Published>, DbErr> {
    Ok(live_event::Entity::find()
        .filter(live_event::Column::Id.gt(after))
        .order_by_asc(live_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Published::new)
        .collect())
}

/// The newest event's id (0 when there is none): a page read now resumes after it.
pub async fn latest_id(db: &impl ConnectionTrait) -> Result<i64, AppError> {
    Ok(latest(db).await?)
}

async fn latest(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(live_event::Entity::find()
        .order_by_desc(live_event::Column::Id)
        .one(db)
        .await?
        .map_or(0, |e| e.id))
}

/// Whether events after `after` may have been pruned, so resuming from it would miss some.
pub async fn pruned_past(db: &impl ConnectionTrait, after: i64) -> Result<bool, AppError> {
    let oldest = live_event::Entity::find()
        .order_by_asc(live_event::Column::Id)
        .one(db)
        .await?;
    Ok(oldest.is_some_and(|e| e.id > after + 1))
}

/// Drops events older than the retention, always keeping the newest.
async fn prune(db: &impl ConnectionTrait) -> Result<(), AppError> {
    let newest = latest_id(db).await?;
    live_event::Entity::delete_many()
        .filter(live_event::Column::CreatedAt.lt(Utc::now() - Age::hours(RETENTION_HOURS)))
        .filter(live_event::Column::Id.lt(newest))
        .exec(db)
        .await?;
    Ok(())
}

/// The process's fan-out: streams subscribe; the pump publishes.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Arc<Published>>,
    wake: Notify,
    closing: watch::Sender<bool>,
}

impl Hub {
    /// Starts the pump (and, on PostgreSQL, its listener) for `db`. They stop when the
    /// database pool is closed.
    pub fn start(db: DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let hub = Self {
            inner: Arc::new(Inner {
                sender,
                wake: Notify::new(),
                closing: watch::channel(false).0,
            }),
        };
        let poll = match db.get_database_backend() {
            // The alert writer wakes the pump at once; other changes wait for a poll.
            DbBackend::Sqlite => Duration::from_millis(25),
            // Notifications wake it; the poll only covers a listener reconnecting.
            _ => Duration::from_secs(1),
        };
        if db.get_database_backend() == DbBackend::Postgres {
            tokio::spawn(listen(db.clone(), Arc::downgrade(&hub.inner)));
        }
        tokio::spawn(pump(db, Arc::downgrade(&hub.inner), poll));
        hub
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.inner.sender.subscribe()
    }

    /// Something was committed: look now rather than at the next poll.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Resolves when the server is shutting down, so streams end and let it.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }
}

/// The pool was closed (the server, or a test, is done with this database).
fn pool_closed(err: &DbErr) -> bool {
    matches!(
        err,
        DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed)
    )
}

async fn pump(db: DatabaseConnection, hub: std::sync::Weak<Inner>, poll: Duration) {
    let mut cursor = loop {
        match latest(&db).await {
            Ok(id) => break id,
            Err(err) if pool_closed(&err) => return,
            Err(err) => {
                tracing::warn!(error = %err, "live pump cannot start yet");
                tokio::time::sleep(poll).await
            }
        }
    };
    let mut pruned = tokio::time::Instant::now();
    loop {
        let Some(inner) = hub.upgrade() else { return };
        tokio::select! {
            _ = inner.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
        loop {
            match since(&db, cursor, PAGE).await {
                Ok(events) => {
                    let full = events.len() as u64 == PAGE;
                    crate::ssr::metrics::live_published(events.len() as u64);
                    let now = Utc::now();
                    for event in events {
                        cursor = event.id;
                        crate::ssr::metrics::live_lag(now - event.appended_at);
                        // No receiver is fine: nobody is watching.
                        let _ = inner.sender.send(Arc::new(event));
                    }
                    if !full {
                        break;
                    }
                }
                Err(err) if pool_closed(&err) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "live pump could not read events");
                    break;
                }
            }
        }
        if pruned.elapsed() > Duration::from_secs(600) {
            pruned = tokio::time::Instant::now();
            if let Err(err) = prune(&db).await {
                tracing::warn!(error = %err, "pruning live events");
            }
        }
    }
}

/// Wakes the pump whenever any process commits a live event (PostgreSQL only).
async fn listen(db: DatabaseConnection, hub: std::sync::Weak<Inner>) {
    use sea_orm::sqlx::postgres::PgListener;
    let pool = db.get_postgres_connection_pool().clone();
    loop {
        if pool.is_closed() {
            return;
        }
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "live listener cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "live listener cannot LISTEN; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        loop {
            let Some(inner) = hub.upgrade() else { return };
            // Whatever happened while (re)connecting is read now.
            inner.wake.notify_one();
            drop(inner);
            match listener.try_recv().await {
                Ok(Some(_)) => {}
                // The connection dropped; the next call reconnects.
                Ok(None) => tracing::warn!("live listener lost its connection; reconnecting"),
                Err(err) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %err, "live listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}
