//! People writing in an incident: messages in its channel, and hypotheses, assumptions,
//! ideas and challenges in its postmortem discussion. Edits keep every earlier wording;
//! nothing is deleted.

use super::incidents::{append_line, find};
use crate::{
    domain::{AppError, Channel, EventKind, MessageBody},
    model::{channel::Revision, live::LiveChange, session::CurrentUser},
    ssr::{
        entities::{timeline_event, timeline_revision, user},
        live, markdown,
        time::stamp,
    },
};
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Unchanged, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};
use serde_json::json;

/// Posts a message (or a discussion post, or with `parent` a challenge to one) and
/// returns its id.
#[tracing::instrument(skip(db, body), fields(actor = actor.id))]
pub async fn post(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    kind: EventKind,
    body: MessageBody,
    parent: Option<i64>,
) -> Result<i64, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    if let Some(parent) = parent {
        let answered = timeline_event::Entity::find_by_id(parent)
            .one(&txn)
            .await?
            .filter(|p| p.incident_id == number && p.channel == Channel::Postmortem)
            .ok_or_else(|| AppError::NotFound(format!("Post {parent} of incident #{number}")))?;
        if answered.kind == EventKind::Challenge {
            return Err(AppError::invalid(
                "parent",
                "Challenge the post itself, not a challenge to it.",
            ));
        }
    }
    let id = append_line(
        &txn,
        number,
        Some(actor.id),
        kind,
        body.as_str().to_string(),
        json!({}),
        parent,
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Rewords a post: only its author may, and the wording it replaces is kept.
#[tracing::instrument(skip(db, body), fields(actor = actor.id))]
pub async fn edit(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    id: i64,
    body: MessageBody,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let line = timeline_event::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|e| e.kind.is_post())
        .ok_or_else(|| AppError::NotFound(format!("Message {id}")))?;
    if line.author_id != Some(actor.id) {
        return Err(AppError::invalid(
            "post",
            "Only its author can edit a message.",
        ));
    }
    if line.body == body.as_str() {
        return Ok(());
    }
    let now = Utc::now();
    timeline_revision::ActiveModel {
        event_id: Set(line.id),
        body: Set(line.body.clone()),
        edited_by: Set(Some(actor.id)),
        edited_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    timeline_event::ActiveModel {
        id: Unchanged(line.id),
        body: Set(body.as_str().to_string()),
        edited_at: Set(Some(now)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    live::append(&txn, &[LiveChange::Incident(line.incident_id)]).await?;
    txn.commit().await?;
    Ok(())
}

/// A post's earlier wordings, oldest first.
pub async fn history(
    db: &impl ConnectionTrait,
    id: i64,
    tz: Tz,
) -> Result<Vec<Revision>, AppError> {
    timeline_event::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| e.kind.is_post())
        .ok_or_else(|| AppError::NotFound(format!("Message {id}")))?;
    Ok(timeline_revision::Entity::find()
        .filter(timeline_revision::Column::EventId.eq(id))
        .order_by_asc(timeline_revision::Column::Id)
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .map(|(r, by)| Revision {
            html: markdown::render(&r.body),
            body: r.body,
            replaced: stamp(r.edited_at, tz),
            by: by.map(|u| u.name),
        })
        .collect())
}
