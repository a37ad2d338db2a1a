//! The live feed: groups of alerts by source and service, as they stand, for the
//! dashboard's read and for the live events that replace a page's copy of a group.

use super::GroupKey;
use crate::{
    domain::{AlertState, AppError},
    model::{
        alerts::{AlertView, Feed, FeedGroup, GROUP_SHOWN},
        live::LiveChange,
    },
    ssr::{
        entities::{alert, alert_source as source},
        live,
        time::stamp,
    },
};
use chrono::{Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait,
};
use std::collections::BTreeSet;

/// Groups stay in the feed this long after their last alert, firing or not.
const FEED_WINDOW_HOURS: i64 = 24;

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
pub(super) async fn append_groups(
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
