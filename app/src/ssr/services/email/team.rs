//! An incident's issue team: Engineering, Product Management and Product Marketing,
//! each one or more people. It belongs to the incident (the email quotes it).

use crate::{
    domain::{AppError, EventKind, TeamRole},
    model::{
        email::{IssueTeam, TeamMember},
        session::CurrentUser,
    },
    ssr::{
        entities::{incident_team, user},
        services::incidents::{find, record},
    },
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

/// The team, and everyone who could join it (enabled users, by name).
pub async fn of(db: &impl ConnectionTrait, number: i64) -> Result<IssueTeam, AppError> {
    let members = incident_team::Entity::find()
        .filter(incident_team::Column::IncidentId.eq(number))
        .order_by_asc(incident_team::Column::AddedAt)
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(m, u)| {
            u.map(|u| TeamMember {
                role: m.role,
                user_id: m.user_id,
                name: u.name,
            })
        })
        .collect();
    let people = crate::ssr::services::users::pickable(db).await?;
    Ok(IssueTeam { members, people })
}

/// Puts exactly `people` in `role` on the team, with a timeline line naming who
/// joined and who left.
pub async fn set(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    role: TeamRole,
    people: Vec<i64>,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    let found = user::Entity::find()
        .filter(user::Column::Id.is_in(people.clone()))
        .all(&txn)
        .await?;
    if found.len()
        != people
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    {
        return Err(AppError::invalid(
            "people",
            "Pick people from Stormwatch's users.",
        ));
    }
    let current = incident_team::Entity::find()
        .filter(incident_team::Column::IncidentId.eq(number))
        .filter(incident_team::Column::Role.eq(role.as_str()))
        .find_also_related(user::Entity)
        .all(&txn)
        .await?;
    let name_of = |id: i64| {
        found
            .iter()
            .find(|u| u.id == id)
            .map(|u| format!("@{}", u.name))
            .unwrap_or_default()
    };
    let joined: Vec<String> = found
        .iter()
        .filter(|u| !current.iter().any(|(m, _)| m.user_id == u.id))
        .map(|u| u.id)
        .map(name_of)
        .collect();
    let left: Vec<String> = current
        .iter()
        .filter(|(m, _)| !people.contains(&m.user_id))
        .map(|(_, u)| {
            u.as_ref()
                .map(|u| format!("@{}", u.name))
                .unwrap_or_default()
        })
        .collect();
    if joined.is_empty() && left.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    incident_team::Entity::delete_many()
        .filter(incident_team::Column::IncidentId.eq(number))
        .filter(incident_team::Column::Role.eq(role.as_str()))
        .filter(incident_team::Column::UserId.is_not_in(people.clone()))
        .exec(&txn)
        .await?;
    for u in found
        .iter()
        .filter(|u| !current.iter().any(|(m, _)| m.user_id == u.id))
    {
        incident_team::ActiveModel {
            incident_id: Set(number),
            role: Set(role),
            user_id: Set(u.id),
            added_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let mut parts = Vec::new();
    if !joined.is_empty() {
        parts.push(format!("added {} to", joined.join(", ")));
    }
    if !left.is_empty() {
        parts.push(format!("removed {} from", left.join(", ")));
    }
    record(
        &txn,
        number,
        Some(actor.id),
        EventKind::TeamChanged,
        format!("{} the issue team's {}", parts.join(" and "), role.label()),
        json!({ "role": role, "people": people }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
