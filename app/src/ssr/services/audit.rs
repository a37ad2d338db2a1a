//! The audit log: sign-ins, refusals, sign-outs, role changes, users disabled.

use crate::{
    domain::{AppError, AuditAction},
    model::users::AuditRow,
    ssr::{
        entities::{audit_event, user},
        time::stamp,
    },
};
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;

/// How many lines the admin page shows.
pub const SHOWN: u64 = 100;

/// One line to write.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub actor_id: Option<i64>,
    pub subject_id: Option<i64>,
    pub email: Option<String>,
    pub detail: String,
}

pub async fn record(
    db: &impl ConnectionTrait,
    action: AuditAction,
    entry: Entry,
) -> Result<(), sea_orm::DbErr> {
    audit_event::ActiveModel {
        occurred_at: Set(Utc::now()),
        action: Set(action),
        actor_id: Set(entry.actor_id),
        subject_id: Set(entry.subject_id),
        email: Set(entry.email),
        detail: Set(entry.detail),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The latest lines, newest first, with names resolved.
pub async fn recent(db: &impl ConnectionTrait, tz: Tz) -> Result<Vec<AuditRow>, AppError> {
    let events = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .limit(SHOWN)
        .all(db)
        .await?;
    let names: HashMap<i64, String> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let name = |id: Option<i64>| id.and_then(|id| names.get(&id).cloned());
    Ok(events
        .into_iter()
        .map(|e| AuditRow {
            id: e.id,
            at: stamp(e.occurred_at, tz),
            action: e.action,
            actor: name(e.actor_id),
            subject: name(e.subject_id),
            email: e.email,
            detail: e.detail,
        })
        .collect())
}
