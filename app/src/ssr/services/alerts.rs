//! Alerts: deliveries become alerts (a repeat updates, a resolve resolves), alerts for a
//! service with an open incident attach to it, and the feed groups them by source and
//! service. [`ingest`] handles a whole batch of deliveries in one transaction (see
//! `ssr::ingest`, which batches them).

use super::incidents::{find as find_incident, record};
use crate::{
    domain::{AlertState, AppError, Delivery, EventKind, IncomingAlert, Severity, Status},
    model::{
        alerts::{AlertView, Feed, FeedGroup, GROUP_SHOWN},
        live::LiveChange,
        session::CurrentUser,
    },
    ssr::{
        entities::{alert, alert_source as source, incident, incident_service, service},
        live,
        time::stamp,
    },
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func},
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Set, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Groups stay in the feed this long after their last alert, firing or not.
const FEED_WINDOW_HOURS: i64 = 24;
/// Keys per `IN (…)` lookup.
const KEYS_PER_QUERY: usize = 500;
/// Rows per multi-row INSERT (14 columns: well under SQLite's parameter limit).
const ROWS_PER_INSERT: usize = 1000;
/// Titles quoted in one timeline line.
const TITLES_QUOTED: usize = 3;

/// One authenticated delivery, waiting for the writer.
pub struct Job {
    pub source: source::Model,
    pub delivery: Delivery,
}

/// What became of one delivery: the webhook's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub alerts: Vec<AlertReceipt>,
    /// Why nothing was recorded, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertReceipt {
    pub dedup_key: String,
    pub result: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new alert.
    Created,
    /// Another delivery of a firing alert: counted, its details refreshed.
    Updated,
    /// A firing alert resolved.
    Resolved,
    /// A delivery repeating what is already known (a resolve of a resolved alert, a late
    /// copy of a firing that has since resolved): counted only.
    Repeated,
}

/// An alert as the batch works on it: loaded, or new (no id yet).
struct Row {
    id: Option<i64>,
    source_id: i64,
    dedup_key: String,
    title: String,
    severity: Option<Severity>,
    state: AlertState,
    service: String,
    details: String,
    url: Option<String>,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    occurrences: i64,
    incident_id: Option<i64>,
    changed: bool,
}

impl From<alert::Model> for Row {
    fn from(m: alert::Model) -> Self {
        Self {
            id: Some(m.id),
            source_id: m.source_id,
            dedup_key: m.dedup_key,
            title: m.title,
            severity: m.severity,
            state: m.status,
            service: m.service,
            details: m.details,
            url: m.url,
            first_seen: m.first_seen_at,
            last_seen: m.last_seen_at,
            resolved_at: m.resolved_at,
            occurrences: m.occurrences,
            incident_id: m.incident_id,
            changed: false,
        }
    }
}

impl Row {
    /// Another delivery of this alert: counted, and what it says now replaces what it
    /// said (but a resolve keeps the title it fired with: "api is DOWN" names the alert).
    fn repeat(&mut self, a: &IncomingAlert, now: DateTime<Utc>) {
        self.occurrences += 1;
        self.last_seen = now;
        if let (Some(title), AlertState::Firing) = (&a.title, a.state) {
            self.title.clone_from(title);
        }
        if a.severity.is_some() {
            self.severity = a.severity;
        }
        if a.url.is_some() {
            self.url.clone_from(&a.url);
        }
        if !serde_json::Value::is_null(&a.details) {
            self.details = a.details.to_string();
        }
        self.changed = true;
    }
}

/// Where things happened in a batch, for the timeline lines and the live changes.
#[derive(Default)]
struct Effects {
    /// (incident, source) → titles of alerts attached.
    attached: BTreeMap<(i64, i64), Vec<String>>,
    /// (incident, source) → titles of attached alerts that resolved.
    resolved: BTreeMap<(i64, i64), Vec<String>>,
    /// (source, service) groups whose alerts changed.
    groups: BTreeSet<GroupKey>,
}

/// A feed group: its source and service.
pub type GroupKey = (i64, String);

/// What a batch did: each delivery's receipt, and the feed groups whose alerts changed
/// (for [`publish_groups`], which the writer calls once the batch is committed).
pub struct Ingested {
    pub receipts: Vec<Receipt>,
    pub groups: BTreeSet<GroupKey>,
}

/// Records a batch of deliveries, in order, inside the caller's transaction: alerts
/// created, updated or resolved, attachments and their timeline lines, and the sources'
/// delivery counts.
pub async fn ingest(
    db: &impl ConnectionTrait,
    jobs: &[Job],
    now: DateTime<Utc>,
) -> Result<Ingested, AppError> {
    let mut rows: Vec<Row> = Vec::new();
    let mut latest = load_latest(db, jobs, &mut rows).await?;
    let mut open_by_service: Option<HashMap<String, i64>> = None;
    let mut effects = Effects::default();
    let mut receipts = Vec::with_capacity(jobs.len());
    let mut confirmations = Vec::new();
    for job in jobs {
        let mut receipt = Receipt::default();
        match &job.delivery {
            Delivery::Alerts(alerts) => {
                for a in alerts {
                    let key = (job.source.id, a.dedup_key.clone());
                    let result = match latest.get(&key).map(|&i| &mut rows[i]) {
                        Some(row) if row.state == AlertState::Firing => {
                            row.repeat(a, now);
                            if a.state == AlertState::Resolved {
                                row.state = AlertState::Resolved;
                                row.resolved_at = Some(now);
                                if let Some(number) = row.incident_id {
                                    effects
                                        .resolved
                                        .entry((number, row.source_id))
                                        .or_default()
                                        .push(row.title.clone());
                                }
                                Outcome::Resolved
                            } else {
                                Outcome::Updated
                            }
                        }
                        // Resolved already: a resolve again, or a late copy of the
                        // firing it resolved, only counts.
                        Some(row)
                            if a.state == AlertState::Resolved
                                || a.occurred_at
                                    .zip(row.resolved_at)
                                    .is_some_and(|(at, end)| at <= end) =>
                        {
                            row.occurrences += 1;
                            row.last_seen = now;
                            row.changed = true;
                            Outcome::Repeated
                        }
                        _ => {
                            let mut row = new_row(job, a, now);
                            if row.state == AlertState::Firing && !row.service.is_empty() {
                                if open_by_service.is_none() {
                                    open_by_service = Some(open_incidents_by_service(db).await?);
                                }
                                row.incident_id = open_by_service.as_ref().and_then(|open| {
                                    open.get(&row.service.to_lowercase()).copied()
                                });
                                if let Some(number) = row.incident_id {
                                    effects
                                        .attached
                                        .entry((number, row.source_id))
                                        .or_default()
                                        .push(row.title.clone());
                                }
                            }
                            latest.insert(key, rows.len());
                            rows.push(row);
                            Outcome::Created
                        }
                    };
                    let service = &rows[latest[&(job.source.id, a.dedup_key.clone())]].service;
                    effects.groups.insert((job.source.id, service.clone()));
                    receipt.alerts.push(AlertReceipt {
                        dedup_key: a.dedup_key.clone(),
                        result,
                    });
                }
            }
            Delivery::ConfirmSubscription { url } => {
                confirmations.push((job.source.id, url.clone()));
                receipt.ignored =
                    Some("subscription confirmation recorded for an admin to open".into());
            }
            Delivery::Ignored(reason) => receipt.ignored = Some(reason.clone()),
        }
        receipts.push(receipt);
    }
    write_rows(db, rows).await?;
    count_deliveries(db, jobs, &confirmations, now).await?;
    record_effects(db, &effects, jobs, now).await?;
    Ok(Ingested {
        receipts,
        groups: effects.groups,
    })
}

/// Tells every open page how these feed groups now stand: one live event, in its own
/// transaction, read after the changes were committed.
pub async fn publish_groups(
    db: &impl TransactionTrait,
    groups: impl IntoIterator<Item = GroupKey>,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    append_groups(&txn, groups).await?;
    txn.commit().await?;
    Ok(())
}

/// One live event with each group as it now stands, inside the caller's transaction.
async fn append_groups(
    db: &impl ConnectionTrait,
    groups: impl IntoIterator<Item = GroupKey>,
) -> Result<(), AppError> {
    let mut changes = Vec::new();
    for (source_id, service) in groups {
        changes.push(LiveChange::Feed(
            group(db, source_id, &service, Tz::UTC).await?,
        ));
    }
    live::append(db, &changes).await
}

fn new_row(job: &Job, a: &IncomingAlert, now: DateTime<Utc>) -> Row {
    let service = a
        .service
        .as_ref()
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| job.source.service.clone());
    Row {
        id: None,
        source_id: job.source.id,
        dedup_key: a.dedup_key.clone(),
        title: a.title.clone().unwrap_or_else(|| a.dedup_key.clone()),
        severity: a.severity,
        state: a.state,
        service,
        details: a.details.to_string(),
        url: a.url.clone(),
        first_seen: now,
        last_seen: now,
        resolved_at: (a.state == AlertState::Resolved).then_some(now),
        occurrences: 1,
        incident_id: None,
        changed: true,
    }
}

/// The newest alert of every key the batch mentions, whatever its state.
async fn load_latest(
    db: &impl ConnectionTrait,
    jobs: &[Job],
    rows: &mut Vec<Row>,
) -> Result<HashMap<(i64, String), usize>, AppError> {
    let mut keys: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for job in jobs {
        if let Delivery::Alerts(alerts) = &job.delivery {
            let of_source = keys.entry(job.source.id).or_default();
            of_source.extend(alerts.iter().map(|a| a.dedup_key.as_str()));
        }
    }
    let mut latest = HashMap::new();
    for (source_id, keys) in keys {
        let keys: Vec<&str> = keys.into_iter().collect();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let found = alert::Entity::find()
                .filter(alert::Column::SourceId.eq(source_id))
                .filter(alert::Column::DedupKey.is_in(chunk.iter().copied()))
                .order_by_desc(alert::Column::Id)
                .all(db)
                .await?;
            for model in found {
                let key = (source_id, model.dedup_key.clone());
                if !latest.contains_key(&key) {
                    latest.insert(key, rows.len());
                    rows.push(Row::from(model));
                }
            }
        }
    }
    Ok(latest)
}

/// Each service with an open incident (lower case) → the incident its alerts attach to:
/// the most severe, then the most recently declared.
async fn open_incidents_by_service(
    db: &impl ConnectionTrait,
) -> Result<HashMap<String, i64>, AppError> {
    let rows: Vec<(String, i64)> = incident_service::Entity::find()
        .select_only()
        .column(service::Column::Name)
        .column(incident::Column::Id)
        .join(
            JoinType::InnerJoin,
            incident_service::Relation::Service.def(),
        )
        .join(
            JoinType::InnerJoin,
            incident_service::Relation::Incident.def(),
        )
        .filter(incident::Column::Status.ne(Status::Resolved.as_str()))
        .order_by_desc(incident::Column::Severity)
        .order_by_asc(incident::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // Later rows (more severe, then newer) overwrite earlier ones.
    Ok(rows
        .into_iter()
        .map(|(name, number)| (name.to_lowercase(), number))
        .collect())
}

async fn write_rows(db: &impl ConnectionTrait, rows: Vec<Row>) -> Result<(), AppError> {
    let (new, existing): (Vec<Row>, Vec<Row>) = rows
        .into_iter()
        .filter(|r| r.changed)
        .partition(|r| r.id.is_none());
    for row in existing {
        let Some(id) = row.id else { continue };
        alert::Entity::update_many()
            .col_expr(alert::Column::Title, Expr::value(row.title))
            .col_expr(
                alert::Column::Severity,
                Expr::value(row.severity.map(|s| s.as_str())),
            )
            .col_expr(alert::Column::Status, Expr::value(row.state.as_str()))
            .col_expr(alert::Column::Details, Expr::value(row.details))
            .col_expr(alert::Column::Url, Expr::value(row.url))
            .col_expr(alert::Column::LastSeenAt, Expr::value(row.last_seen))
            .col_expr(alert::Column::ResolvedAt, Expr::value(row.resolved_at))
            .col_expr(alert::Column::Occurrences, Expr::value(row.occurrences))
            .filter(alert::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    let mut new = new.into_iter().peekable();
    while new.peek().is_some() {
        let chunk: Vec<alert::ActiveModel> = new
            .by_ref()
            .take(ROWS_PER_INSERT)
            .map(|r| alert::ActiveModel {
                source_id: Set(r.source_id),
                dedup_key: Set(r.dedup_key),
                title: Set(r.title),
                severity: Set(r.severity),
                status: Set(r.state),
                service: Set(r.service),
                details: Set(r.details),
                url: Set(r.url),
                first_seen_at: Set(r.first_seen),
                last_seen_at: Set(r.last_seen),
                resolved_at: Set(r.resolved_at),
                occurrences: Set(r.occurrences),
                incident_id: Set(r.incident_id),
                ..Default::default()
            })
            .collect();
        alert::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

async fn count_deliveries(
    db: &impl ConnectionTrait,
    jobs: &[Job],
    confirmations: &[(i64, String)],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut per_source: BTreeMap<i64, i64> = BTreeMap::new();
    for job in jobs {
        *per_source.entry(job.source.id).or_default() += 1;
    }
    for (source_id, count) in per_source {
        source::Entity::update_many()
            .col_expr(
                source::Column::Deliveries,
                Expr::col(source::Column::Deliveries).add(count),
            )
            .col_expr(source::Column::LastDeliveryAt, Expr::value(now))
            .filter(source::Column::Id.eq(source_id))
            .exec(db)
            .await?;
    }
    for (source_id, url) in confirmations {
        source::Entity::update_many()
            .col_expr(source::Column::ConfirmUrl, Expr::value(url.clone()))
            .filter(source::Column::Id.eq(*source_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// One timeline line per incident and source: "attached 3 alerts from Pingdom prod: …".
async fn record_effects(
    db: &impl ConnectionTrait,
    effects: &Effects,
    jobs: &[Job],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let name_of = |source_id: i64| {
        jobs.iter()
            .find(|j| j.source.id == source_id)
            .map(|j| j.source.name.clone())
            .unwrap_or_default()
    };
    for ((number, source_id), titles) in &effects.attached {
        let source = name_of(*source_id);
        record(
            db,
            *number,
            None,
            EventKind::AlertsAttached,
            format!(
                "attached {} from {source}: {}",
                alerts_noun(titles.len()),
                quote(titles)
            ),
            json!({ "source": source, "count": titles.len() }),
            now,
        )
        .await?;
    }
    for ((number, source_id), titles) in &effects.resolved {
        let source = name_of(*source_id);
        record(
            db,
            *number,
            None,
            EventKind::AlertsResolved,
            format!(
                "{source} resolved {}: {}",
                alerts_noun(titles.len()),
                quote(titles)
            ),
            json!({ "source": source, "count": titles.len() }),
            now,
        )
        .await?;
    }
    Ok(())
}

fn alerts_noun(n: usize) -> String {
    if n == 1 {
        "1 alert".into()
    } else {
        format!("{n} alerts")
    }
}

/// The first few titles, and how many more.
fn quote(titles: &[String]) -> String {
    let shown = titles
        .iter()
        .take(TITLES_QUOTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    match titles.len().saturating_sub(TITLES_QUOTED) {
        0 => shown,
        more => format!("{shown}; and {more} more"),
    }
}

/// The dashboard's feed: every group with a firing alert or an alert seen within the
/// window. The cursor is read first, so whatever commits meanwhile reaches the page
/// through the stream.
pub async fn feed(db: &impl ConnectionTrait, tz: Tz) -> Result<Feed, AppError> {
    let cursor = live::latest_id(db).await?;
    let firing: Vec<(i64, String)> = alert::Entity::find()
        .select_only()
        .column(alert::Column::SourceId)
        .column(alert::Column::Service)
        .distinct()
        .filter(alert::Column::Status.eq(AlertState::Firing.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let recent: Vec<(i64, String)> = alert::Entity::find()
        .select_only()
        .column(alert::Column::SourceId)
        .column(alert::Column::Service)
        .distinct()
        .filter(alert::Column::LastSeenAt.gt(Utc::now() - Duration::hours(FEED_WINDOW_HOURS)))
        .into_tuple()
        .all(db)
        .await?;
    let keys: BTreeSet<(i64, String)> = firing.into_iter().chain(recent).collect();
    let mut groups = Vec::with_capacity(keys.len());
    for (source_id, service) in keys {
        groups.push(group(db, source_id, &service, tz).await?);
    }
    groups.sort_by(FeedGroup::feed_order);
    Ok(Feed { cursor, groups })
}

/// One feed group as it stands: counts, and the latest alerts, firing ones first.
pub async fn group(
    db: &impl ConnectionTrait,
    source_id: i64,
    service: &str,
    tz: Tz,
) -> Result<FeedGroup, AppError> {
    let source = source::Entity::find_by_id(source_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Alert source {source_id}")))?;
    let of_group = || {
        alert::Entity::find()
            .filter(alert::Column::SourceId.eq(source_id))
            .filter(alert::Column::Service.eq(service))
    };
    let firing_alerts = || of_group().filter(alert::Column::Status.eq(AlertState::Firing.as_str()));
    // Both counts in one read of the group's firing alerts.
    let (firing, untriaged): (i64, i64) = firing_alerts()
        .select_only()
        .column_as(Expr::col(alert::Column::Id).count(), "firing")
        .column_as(
            Expr::cust(
                "CAST(COALESCE(SUM(CASE WHEN incident_id IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT)",
            ),
            "untriaged",
        )
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, 0));
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut latest = firing_alerts()
        .order_by_desc(alert::Column::LastSeenAt)
        .order_by_desc(alert::Column::Id)
        .limit(GROUP_SHOWN)
        .all(db)
        .await?;
    if (latest.len() as u64) < GROUP_SHOWN {
        latest.extend(
            of_group()
                .filter(alert::Column::Status.eq(AlertState::Resolved.as_str()))
                .order_by_desc(alert::Column::LastSeenAt)
                .order_by_desc(alert::Column::Id)
                .limit(GROUP_SHOWN - latest.len() as u64)
                .all(db)
                .await?,
        );
    }
    Ok(FeedGroup {
        source_id,
        latest: latest
            .into_iter()
            .map(|a| view_of(a, &source, tz))
            .collect(),
        source: source.name,
        kind: source.kind,
        service: service.to_string(),
        firing: count(firing),
        untriaged: count(untriaged),
    })
}

fn view_of(a: alert::Model, source: &source::Model, tz: Tz) -> AlertView {
    AlertView {
        id: a.id,
        source: source.name.clone(),
        kind: source.kind,
        service: a.service,
        title: a.title,
        severity: a.severity,
        state: a.status,
        occurrences: a.occurrences,
        first_seen: stamp(a.first_seen_at, tz),
        last_seen: stamp(a.last_seen_at, tz),
        incident: a.incident_id,
        url: a.url,
    }
}

pub async fn view(db: &impl ConnectionTrait, id: i64, tz: Tz) -> Result<AlertView, AppError> {
    let (a, source) = alert::Entity::find_by_id(id)
        .find_also_related(source::Entity)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Alert {id}")))?;
    let source = source.ok_or(AppError::Internal)?;
    Ok(view_of(a, &source, tz))
}

/// The alerts attached to an incident, newest first, at most `limit`, and how many in all.
pub async fn of_incident(
    db: &impl ConnectionTrait,
    number: i64,
    limit: u64,
    tz: Tz,
) -> Result<(Vec<AlertView>, u64), AppError> {
    let attached = || alert::Entity::find().filter(alert::Column::IncidentId.eq(number));
    let total = attached().count(db).await?;
    let rows = attached()
        .order_by_desc(alert::Column::Id)
        .limit(limit)
        .find_also_related(source::Entity)
        .all(db)
        .await?;
    Ok((
        rows.into_iter()
            .filter_map(|(a, s)| s.map(|s| view_of(a, &s, tz)))
            .collect(),
        total,
    ))
}

/// Attaches an untriaged alert to an open incident, with a timeline line.
#[tracing::instrument(skip(db), fields(actor = actor.id))]
pub async fn attach(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    alert_id: i64,
    number: i64,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let incident = find_incident(&txn, number).await?;
    if !incident.status.is_open() {
        return Err(AppError::invalid(
            "number",
            format!("Incident #{number} is resolved: reopen it, or declare a new one."),
        ));
    }
    let (a, source) = alert::Entity::find_by_id(alert_id)
        .find_also_related(source::Entity)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Alert {alert_id}")))?;
    let source = source.ok_or(AppError::Internal)?;
    attach_rows(&txn, Some(actor.id), &[(a, source)], number).await?;
    txn.commit().await?;
    Ok(())
}

/// Attaches to a just-declared incident the alert it was declared from (if any) and
/// every untriaged firing alert about its services.
pub async fn attach_to_new_incident(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    number: i64,
    services: &[String],
    from_alert: Option<i64>,
) -> Result<(), AppError> {
    let lowered: Vec<String> = services.iter().map(|s| s.to_lowercase()).collect();
    let mut rows = alert::Entity::find()
        .find_also_related(source::Entity)
        .filter(alert::Column::Status.eq(AlertState::Firing.as_str()))
        .filter(alert::Column::IncidentId.is_null())
        .filter(
            Expr::expr(Func::lower(Expr::col((
                alert::Entity,
                alert::Column::Service,
            ))))
            .is_in(lowered),
        )
        .all(db)
        .await?;
    if let Some(id) = from_alert {
        if !rows.iter().any(|(a, _)| a.id == id) {
            let found = alert::Entity::find_by_id(id)
                .find_also_related(source::Entity)
                .one(db)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("Alert {id}")))?;
            rows.push(found);
        }
    }
    let rows: Vec<(alert::Model, source::Model)> = rows
        .into_iter()
        .filter_map(|(a, s)| s.map(|s| (a, s)))
        .collect();
    attach_rows(db, Some(actor.id), &rows, number).await
}

/// Points `alerts` at the incident (refusing any attached elsewhere), writes one timeline
/// line per source, and tells the feed.
async fn attach_rows(
    db: &impl ConnectionTrait,
    author: Option<i64>,
    alerts: &[(alert::Model, source::Model)],
    number: i64,
) -> Result<(), AppError> {
    if let Some((a, _)) = alerts
        .iter()
        .find(|(a, _)| a.incident_id.is_some_and(|n| n != number))
    {
        return Err(AppError::Conflict(format!(
            "That alert is already attached to incident #{}.",
            a.incident_id.unwrap_or_default()
        )));
    }
    let fresh: Vec<&(alert::Model, source::Model)> = alerts
        .iter()
        .filter(|(a, _)| a.incident_id.is_none())
        .collect();
    if fresh.is_empty() {
        return Ok(());
    }
    alert::Entity::update_many()
        .col_expr(alert::Column::IncidentId, Expr::value(number))
        .filter(alert::Column::Id.is_in(fresh.iter().map(|(a, _)| a.id)))
        .exec(db)
        .await?;
    let mut by_source: BTreeMap<i64, (String, Vec<String>)> = BTreeMap::new();
    let mut groups: BTreeSet<(i64, String)> = BTreeSet::new();
    for (a, s) in &fresh {
        by_source
            .entry(s.id)
            .or_insert_with(|| (s.name.clone(), Vec::new()))
            .1
            .push(a.title.clone());
        groups.insert((s.id, a.service.clone()));
    }
    let now = Utc::now();
    for (name, titles) in by_source.into_values() {
        record(
            db,
            number,
            author,
            EventKind::AlertsAttached,
            format!(
                "attached {} from {name}: {}",
                alerts_noun(titles.len()),
                quote(&titles)
            ),
            json!({ "source": name, "count": titles.len() }),
            now,
        )
        .await?;
    }
    append_groups(db, groups).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_line_quotes_a_few_titles_and_counts_the_rest() {
        let titles: Vec<String> = (1..=5).map(|i| format!("a{i}")).collect();
        assert_eq!(quote(&titles), "a1; a2; a3; and 2 more");
        assert_eq!(quote(&titles[..1]), "a1");
        assert_eq!(alerts_noun(1), "1 alert");
    }
}
