//! Outgoing webhooks. A change that an endpoint listens for queues one delivery row per
//! endpoint in the change's own transaction (so none is lost to a crash or a restart);
//! every instance runs one sender that claims due rows (a claim is a conditional
//! update, so each row is sent by one instance), signs and posts them, and records the
//! answer, retrying failures with backoff.
//!
//! Signature: `Stormwatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" under the endpoint's secret>`. A receiver recomputes it and refuses a
//! timestamp more than a few minutes old (a replay).

use crate::{
    domain::{
        delivery_retry_secs, ActionStatus, AppError, AuditAction, DeliveryStatus, EndpointDraft,
        EventKind, NewEndpoint, WebhookEvent, MAX_DELIVERY_ATTEMPTS,
    },
    model::automation::{DeliveryRow, EndpointRow, IssuedEndpoint},
    ssr::{
        entities::{
            automation_mark, corrective_action as action, incident, user, webhook_delivery,
            webhook_endpoint as endpoint,
        },
        secrets::{sign, token},
        services::audit,
        time::stamp,
    },
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use openidconnect::reqwest;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde_json::{json, Value};
use std::time::Duration;

/// Bytes of randomness in an endpoint's signing secret.
const SECRET_BYTES: usize = 32;
/// How many deliveries the admin page lists per endpoint.
pub const SHOWN: u64 = 20;
/// How often an idle sender looks for due deliveries.
const POLL: Duration = Duration::from_millis(250);
/// How long a claim lasts: a sender that dies holding one frees it after this.
const CLAIM_SECS: i64 = 60;
/// How long the receiver has to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How many due deliveries one claim takes.
const BATCH: u64 = 16;
/// How often the sender looks for actions gone overdue.
const OVERDUE_EVERY: Duration = Duration::from_secs(60);

/// The header names a receiver reads.
pub const SIGNATURE_HEADER: &str = "Stormwatch-Signature";
pub const EVENT_HEADER: &str = "Stormwatch-Event";
pub const DELIVERY_HEADER: &str = "Stormwatch-Delivery";

/// The signature header's value for `body` sent at `at` (unix seconds).
pub fn signature(secret: &str, at: i64, body: &str) -> String {
    format!(
        "t={at},{}",
        sign(secret, format!("{at}.{body}").as_bytes(), "v1=")
    )
}

#[tracing::instrument(skip(db, draft))]
pub async fn add(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    draft: &EndpointDraft,
) -> Result<IssuedEndpoint, AppError> {
    let new = NewEndpoint::parse(draft)?;
    let secret = format!("whsec_{}", token(SECRET_BYTES));
    let txn = crate::ssr::db::begin_write(db).await?;
    let created = endpoint::ActiveModel {
        url: Set(new.url.clone()),
        secret: Set(secret.clone()),
        events: Set(new
            .events
            .iter()
            .map(|e| e.code())
            .collect::<Vec<_>>()
            .join(",")),
        created_by: Set(actor),
        created_at: Set(Utc::now()),
        removed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditAction::WebhookAdded,
        audit::Entry {
            actor_id: actor,
            detail: format!("{} for {}", new.url, created.events),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedEndpoint {
        id: created.id,
        url: created.url,
        secret,
    })
}

/// Stops sending to an endpoint (its record of deliveries stays until it is gone).
pub async fn remove(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    id: i64,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let found = live_endpoint(&txn, id).await?;
    endpoint::ActiveModel {
        id: Set(found.id),
        removed_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(DeliveryStatus::Failed.as_str()),
        )
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value("the endpoint was removed"),
        )
        .filter(webhook_delivery::Column::EndpointId.eq(id))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditAction::WebhookRemoved,
        audit::Entry {
            actor_id: actor,
            detail: found.url,
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn live_endpoint(db: &impl ConnectionTrait, id: i64) -> Result<endpoint::Model, AppError> {
    endpoint::Entity::find_by_id(id)
        .filter(endpoint::Column::RemovedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Webhook endpoint {id}")))
}

/// Sends a delivery again (whatever became of it), from a first attempt.
pub async fn resend(db: &impl TransactionTrait, id: i64) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let found = webhook_delivery::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Delivery {id}")))?;
    if live_endpoint(&txn, found.endpoint_id).await.is_err() {
        return Err(AppError::Conflict(
            "Its receiver was removed: add it again to send to it.".into(),
        ));
    }
    webhook_delivery::ActiveModel {
        id: Set(found.id),
        status: Set(DeliveryStatus::Pending.as_str().into()),
        attempts: Set(0),
        next_attempt_at: Set(Utc::now()),
        claimed_until: Set(None),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Every live endpoint with its latest deliveries.
pub async fn endpoints(db: &impl ConnectionTrait, tz: Tz) -> Result<Vec<EndpointRow>, AppError> {
    let mut rows = Vec::new();
    for e in endpoint::Entity::find()
        .filter(endpoint::Column::RemovedAt.is_null())
        .order_by_asc(endpoint::Column::Id)
        .all(db)
        .await?
    {
        let deliveries = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::EndpointId.eq(e.id))
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(SHOWN)
            .all(db)
            .await?
            .into_iter()
            .map(|d| DeliveryRow {
                id: d.id,
                event: d.event,
                status: DeliveryStatus::parse(&d.status),
                attempts: d.attempts,
                response_status: d.response_status,
                last_error: d.last_error,
                created: stamp(d.created_at, tz),
                delivered: d.delivered_at.map(|at| stamp(at, tz)),
            })
            .collect();
        rows.push(EndpointRow {
            id: e.id,
            events: events_of(&e),
            url: e.url,
            created: stamp(e.created_at, tz),
            deliveries,
        });
    }
    Ok(rows)
}

fn events_of(e: &endpoint::Model) -> Vec<WebhookEvent> {
    e.events.split(',').filter_map(|c| c.parse().ok()).collect()
}

/// What a line of an incident's record tells the outside world.
fn events_of_line(kind: EventKind, data: &Value) -> Vec<WebhookEvent> {
    match kind {
        EventKind::Declared => vec![WebhookEvent::IncidentDeclared],
        EventKind::StatusChanged if data["to"] == "resolved" => vec![
            WebhookEvent::IncidentStatusChanged,
            WebhookEvent::IncidentResolved,
        ],
        EventKind::StatusChanged => vec![WebhookEvent::IncidentStatusChanged],
        EventKind::Message => vec![WebhookEvent::MessagePosted],
        EventKind::EmailSent => vec![WebhookEvent::EmailSent],
        EventKind::PostmortemChanged if data["step"] == "published" => {
            vec![WebhookEvent::PostmortemPublished]
        }
        _ => vec![],
    }
}

/// The incident as every delivery about it names it.
async fn incident_json(db: &impl ConnectionTrait, number: i64) -> Result<Value, AppError> {
    let i = incident::Entity::find_by_id(number)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Incident #{number}")))?;
    Ok(json!({
        "number": i.id,
        "title": i.title,
        "severity": i.severity,
        "status": i.status,
    }))
}

/// A line was appended to an incident's record: queues what it tells, inside the
/// caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn on_line(
    db: &impl ConnectionTrait,
    incident_id: i64,
    line_id: i64,
    kind: EventKind,
    author: Option<i64>,
    body: &str,
    data: &Value,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let events = events_of_line(kind, data);
    if events.is_empty() {
        return Ok(());
    }
    let listening = listeners(db).await?;
    if !events
        .iter()
        .any(|e| listening.iter().any(|(_, on)| on.contains(e)))
    {
        return Ok(());
    }
    let author = match author {
        Some(id) => user::Entity::find_by_id(id).one(db).await?.map(|u| u.name),
        None => None,
    };
    let incident = incident_json(db, incident_id).await?;
    for event in events {
        let payload = json!({
            "event": event.code(),
            "occurred_at": at.to_rfc3339(),
            "incident": incident,
            "line": { "id": line_id, "kind": kind, "author": author, "body": body, "data": data },
        });
        queue(db, &listening, event, &payload).await?;
    }
    Ok(())
}

/// Live endpoints with the events each listens for.
async fn listeners(db: &impl ConnectionTrait) -> Result<Vec<(i64, Vec<WebhookEvent>)>, AppError> {
    Ok(endpoint::Entity::find()
        .filter(endpoint::Column::RemovedAt.is_null())
        .all(db)
        .await?
        .iter()
        .map(|e| (e.id, events_of(e)))
        .collect())
}

/// One delivery row per endpoint listening for `event`, due now.
async fn queue(
    db: &impl ConnectionTrait,
    listening: &[(i64, Vec<WebhookEvent>)],
    event: WebhookEvent,
    payload: &Value,
) -> Result<(), AppError> {
    let at = Utc::now();
    let rows: Vec<_> = listening
        .iter()
        .filter(|(_, on)| on.contains(&event))
        .map(|(id, _)| webhook_delivery::ActiveModel {
            endpoint_id: Set(*id),
            event: Set(event.code().into()),
            body: Set(payload.to_string()),
            created_at: Set(at),
            status: Set(DeliveryStatus::Pending.as_str().into()),
            attempts: Set(0),
            next_attempt_at: Set(at),
            claimed_until: Set(None),
            response_status: Set(None),
            last_error: Set(None),
            delivered_at: Set(None),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        webhook_delivery::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Queues `action.overdue` for every open action whose expected date has passed in
/// `zone`, once per action and date whichever instance sees it first.
pub async fn raise_overdue(
    db: &(impl TransactionTrait + ConnectionTrait),
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let listening = listeners(db).await?;
    if !listening
        .iter()
        .any(|(_, on)| on.contains(&WebhookEvent::ActionOverdue))
    {
        return Ok(0);
    }
    let today = now.with_timezone(&zone).date_naive();
    let overdue = action::Entity::find()
        .filter(action::Column::Status.is_in(ActionStatus::OPEN.map(|s| s.as_str())))
        .filter(action::Column::DueOn.lt(today))
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let mut raised = 0;
    for (a, assignee) in overdue {
        let txn = crate::ssr::db::begin_write(db).await?;
        let claimed = automation_mark::Entity::insert(automation_mark::ActiveModel {
            key: Set(format!("action.overdue:{}:{}", a.id, a.due_on)),
            created_at: Set(now),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(&txn)
        .await?;
        if matches!(claimed, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            let payload = json!({
                "event": WebhookEvent::ActionOverdue.code(),
                "occurred_at": now.to_rfc3339(),
                "incident": incident_json(&txn, a.incident_id).await?,
                "action": {
                    "id": a.id,
                    "title": a.title,
                    "status": a.status,
                    "assignee": assignee.map(|u| u.name),
                    "due_on": a.due_on.to_string(),
                },
            });
            queue(&txn, &listening, WebhookEvent::ActionOverdue, &payload).await?;
            raised += 1;
        }
        txn.commit().await?;
    }
    Ok(raised)
}

/// Takes up to [`BATCH`] due deliveries for this instance until the claim runs out. The
/// claim is an update conditional on the rows still being free, so of two instances
/// claiming at once each row goes to one; the rows this one got carry its claim's
/// instant.
async fn claim(db: &DatabaseConnection) -> Result<Vec<webhook_delivery::Model>, AppError> {
    use sea_orm::Condition;
    let now = Utc::now();
    // A claim's instant, unique to this claim (to the microsecond, plus noise).
    let until = now
        + chrono::Duration::seconds(CLAIM_SECS)
        + chrono::Duration::microseconds(rand::random_range(0..1_000_000));
    let due = || {
        Condition::all()
            .add(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .add(webhook_delivery::Column::NextAttemptAt.lte(now))
            .add(
                Condition::any()
                    .add(webhook_delivery::Column::ClaimedUntil.is_null())
                    .add(webhook_delivery::Column::ClaimedUntil.lt(now)),
            )
    };
    let txn = crate::ssr::db::begin_write(db).await?;
    let candidates: Vec<i64> = webhook_delivery::Entity::find()
        .filter(due())
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(BATCH)
        .all(&txn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    if candidates.is_empty() {
        txn.commit().await?;
        return Ok(vec![]);
    }
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::ClaimedUntil,
            Expr::value(Some(until)),
        )
        .filter(webhook_delivery::Column::Id.is_in(candidates.clone()))
        .filter(due())
        .exec(&txn)
        .await?;
    let taken = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Id.is_in(candidates))
        .filter(webhook_delivery::Column::ClaimedUntil.eq(until))
        .order_by_asc(webhook_delivery::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(taken)
}

/// Posts one claimed delivery and records how it went.
async fn send(db: &DatabaseConnection, http: &reqwest::Client, d: webhook_delivery::Model) {
    let found = endpoint::Entity::find_by_id(d.endpoint_id)
        .filter(endpoint::Column::RemovedAt.is_null())
        .one(db)
        .await;
    let removed = matches!(found, Ok(None));
    let outcome = match found {
        Ok(Some(e)) => {
            let at = Utc::now().timestamp();
            http.post(&e.url)
                .header(http::header::CONTENT_TYPE, "application/json")
                .header(http::header::USER_AGENT, "Stormwatch-Webhooks/1")
                .header(EVENT_HEADER, &d.event)
                .header(DELIVERY_HEADER, d.id.to_string())
                .header(SIGNATURE_HEADER, signature(&e.secret, at, &d.body))
                .body(d.body.clone())
                .send()
                .await
                .map(|r| r.status().as_u16())
                .map_err(|e| without_url(&e))
        }
        Ok(None) => Err("the endpoint was removed".to_string()),
        Err(e) => {
            tracing::warn!(error = %e, delivery = d.id, "cannot read the endpoint");
            return;
        }
    };
    let now = Utc::now();
    let attempts = d.attempts + 1;
    let mut change = webhook_delivery::ActiveModel {
        id: Set(d.id),
        attempts: Set(attempts),
        claimed_until: Set(None),
        ..Default::default()
    };
    match outcome {
        Ok(status) if (200..300).contains(&status) => {
            change.status = Set(DeliveryStatus::Delivered.as_str().into());
            change.response_status = Set(Some(status.into()));
            change.last_error = Set(None);
            change.delivered_at = Set(Some(now));
        }
        failed => {
            let (status, error) = match failed {
                Ok(status) => (
                    Some(i32::from(status)),
                    format!("the receiver answered {status}"),
                ),
                Err(error) => (None, error),
            };
            tracing::info!(delivery = d.id, attempts, %error, "webhook delivery failed");
            change.response_status = Set(status);
            change.last_error = Set(Some(error));
            if attempts >= MAX_DELIVERY_ATTEMPTS || removed {
                change.status = Set(DeliveryStatus::Failed.as_str().into());
            } else {
                let wait = delivery_retry_secs(attempts as u32 + 1) as i64;
                change.next_attempt_at = Set(now + chrono::Duration::seconds(wait));
            }
        }
    }
    if let Err(e) = change.update(db).await {
        tracing::warn!(error = %e, delivery = d.id, "cannot record a delivery");
    }
}

/// A transport error in words, without the URL (it may carry a secret of the receiver's).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "the receiver did not answer in time"
    } else if e.is_connect() {
        "cannot connect to the receiver"
    } else {
        "the request failed"
    };
    match std::error::Error::source(e) {
        Some(cause) => format!("{kind}: {cause}"),
        None => kind.to_string(),
    }
}

/// Starts this instance's sender: it claims and posts due deliveries, and once a minute
/// queues the actions that went overdue in `zone`.
pub fn start(db: DatabaseConnection, zone: Tz) {
    let http = match reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook sender's HTTP client");
            return;
        }
    };
    tokio::spawn(async move {
        let mut overdue_checked: Option<std::time::Instant> = None;
        loop {
            if overdue_checked.is_none_or(|at| at.elapsed() >= OVERDUE_EVERY) {
                overdue_checked = Some(std::time::Instant::now());
                if let Err(e) = raise_overdue(&db, zone, Utc::now()).await {
                    tracing::warn!(error = %e, "cannot queue overdue actions");
                }
            }
            match claim(&db).await {
                Ok(batch) if !batch.is_empty() => {
                    for delivery in batch {
                        send(&db, &http, delivery).await;
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot claim webhook deliveries"),
            }
            tokio::time::sleep(POLL).await;
        }
    });
}
