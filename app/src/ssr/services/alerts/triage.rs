//! Triage by hand: a responder attaches an untriaged alert to an open incident, or
//! declares one from it (which takes in every untriaged alert about its services).

use super::{feed::append_groups, record_alert_line};
use crate::{
    domain::{AlertState, AppError, EventKind},
    model::session::CurrentUser,
    ssr::{
        entities::{alert, alert_source as source},
        services::incidents::find as find_incident,
    },
};
use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet};

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
        let kind = EventKind::AlertsAttached;
        record_alert_line(db, number, author, kind, &name, &titles, now).await?;
    }
    append_groups(db, groups).await
}
