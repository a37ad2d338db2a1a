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
        entities::{alert, alert_group, alert_source as source},
        live,
        time::stamp,
    },
};
use chrono::{Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait,
};

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
    let since = Utc::now() - Duration::hours(FEED_WINDOW_HOURS);
    let counted = alert_group::Entity::find()
        .filter(
            Condition::any()
                .add(alert_group::Column::Firing.gt(0))
                .add(alert_group::Column::LastSeenAt.gt(since)),
        )
        .order_by_asc(alert_group::Column::SourceId)
        .order_by_asc(alert_group::Column::Service)
        .all(db)
        .await?;
    let mut groups = Vec::with_capacity(counted.len());
    for counts in counted {
        groups.push(group_with(db, counts, tz).await?);
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
    let counts = alert_group::Entity::find_by_id((source_id, service.to_string()))
        .one(db)
        .await?
        .unwrap_or(alert_group::Model {
            source_id,
            service: service.to_string(),
            firing: 0,
            untriaged: 0,
            last_seen_at: None,
        });
    group_with(db, counts, tz).await
}

/// A group from its counts (kept by the database as alerts change, so a storm's
/// alerts are never counted here) and its latest alerts, read in the order of
/// `idx_alerts_group_ordered`.
async fn group_with(
    db: &impl ConnectionTrait,
    counts: alert_group::Model,
    tz: Tz,
) -> Result<FeedGroup, AppError> {
    let alert_group::Model {
        source_id,
        service,
        firing,
        untriaged,
        ..
    } = counts;
    let source = source::Entity::find_by_id(source_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Alert source {source_id}")))?;
    let of_group = || {
        alert::Entity::find()
            .filter(alert::Column::SourceId.eq(source_id))
            .filter(alert::Column::Service.eq(service.as_str()))
    };
    let firing_alerts = || of_group().filter(alert::Column::Status.eq(AlertState::Firing.as_str()));
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
        service,
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
