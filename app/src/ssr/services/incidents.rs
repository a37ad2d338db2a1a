use crate::{
    domain::{
        duration_words, AppError, Channel, EventKind, NewIncident, ServiceName, Severity, Status,
    },
    model::{
        incidents::{
            IncidentDetail, IncidentSummary, StatusIncident, TimelineEntry, RESOLVED_DAYS,
        },
        live::LiveChange,
        session::CurrentUser,
    },
    ssr::{
        entities::{incident, incident_service, service, timeline_event, user},
        live, markdown,
        time::stamp,
    },
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait, Value,
};
use serde_json::json;
use std::collections::HashMap;

/// How many resolved incidents the dashboard lists below the open ones.
pub const RESOLVED_SHOWN: u64 = 50;
/// How many attached alerts the incident page lists (it counts them all).
pub const ALERTS_SHOWN: u64 = 50;

/// Declares an incident: the row, its services (created on first mention), the first
/// line of its timeline, and the alerts it takes in (the one it was declared from, and
/// any untriaged firing alert about its services), in one transaction. Returns its number.
#[tracing::instrument(skip(db, new), fields(actor = actor.id, severity = %new.severity))]
pub async fn declare(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    new: NewIncident,
    from_alert: Option<i64>,
) -> Result<i64, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let now = Utc::now();
    let created = incident::ActiveModel {
        title: Set(new.title.as_str().to_string()),
        summary: Set(new.summary),
        severity: Set(new.severity),
        status: Set(Status::Investigating),
        started_at: Set(new.started_at),
        detected_at: Set(now),
        resolved_at: Set(None),
        leader_id: Set(None),
        created_by: Set(actor.id),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for name in &new.services {
        let service_id = ensure_service(&txn, name).await?;
        incident_service::ActiveModel {
            incident_id: Set(created.id),
            service_id: Set(service_id),
        }
        .insert(&txn)
        .await?;
    }
    record(
        &txn,
        created.id,
        Some(actor.id),
        EventKind::Declared,
        format!(
            "declared the incident as {} ({})",
            new.severity,
            Status::Investigating.label()
        ),
        json!({ "severity": new.severity, "status": Status::Investigating }),
        now,
    )
    .await?;
    let services: Vec<String> = new
        .services
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    super::alerts::attach_to_new_incident(&txn, actor, created.id, &services, from_alert).await?;
    txn.commit().await?;
    tracing::info!(number = created.id, "incident declared");
    Ok(created.id)
}

/// Moves an incident to another status. Resolving stamps the resolution time;
/// reopening clears it.
#[tracing::instrument(skip(db), fields(actor = actor.id))]
pub async fn change_status(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    to: Status,
) -> Result<(), AppError> {
    apply(db, actor, number, |current, now| {
        if current.status == to {
            return Err(AppError::invalid(
                "status",
                format!("The incident is already {}.", to.label()),
            ));
        }
        Ok(Change {
            column: incident::Column::Status,
            from: Some(current.status.as_str().into()),
            to: to.as_str().into(),
            also: vec![(
                incident::Column::ResolvedAt,
                (to == Status::Resolved).then_some(now).into(),
            )],
            kind: EventKind::StatusChanged,
            body: format!(
                "changed status from {} to {}",
                current.status.label(),
                to.label()
            ),
            data: json!({ "from": current.status, "to": to }),
        })
    })
    .await
}

/// Raises or lowers an incident's severity.
#[tracing::instrument(skip(db), fields(actor = actor.id))]
pub async fn change_severity(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    to: Severity,
) -> Result<(), AppError> {
    apply(db, actor, number, |current, _| {
        if current.severity == to {
            return Err(AppError::invalid(
                "severity",
                format!("The incident is already {to}."),
            ));
        }
        let verb = if to < current.severity {
            "raised"
        } else {
            "lowered"
        };
        Ok(Change {
            column: incident::Column::Severity,
            from: Some(current.severity.as_str().into()),
            to: to.as_str().into(),
            also: vec![],
            kind: EventKind::SeverityChanged,
            body: format!("{verb} severity from {} to {to}", current.severity),
            data: json!({ "from": current.severity, "to": to }),
        })
    })
    .await
}

/// Makes the caller the Incident Leader ("I'll lead"), taking over from anyone before.
pub async fn lead(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    number: i64,
) -> Result<(), AppError> {
    set_leader(db, actor, number, actor.id).await
}

/// Makes `leader` the Incident Leader (the caller, or someone they name, as the
/// postmortem page does), recorded on the timeline.
#[tracing::instrument(skip(db), fields(actor = actor.id))]
pub async fn set_leader(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    number: i64,
    leader: i64,
) -> Result<(), AppError> {
    let before = find(db, number).await?.leader_id;
    let name_of = |id: Option<i64>| async move {
        Ok::<_, AppError>(match id {
            Some(id) => user::Entity::find_by_id(id).one(db).await?.map(|u| u.name),
            None => None,
        })
    };
    let before_name = name_of(before).await?;
    let leader_name = name_of(Some(leader))
        .await?
        .ok_or_else(|| AppError::invalid("leader", "Pick someone who uses Stormwatch."))?;
    apply(db, actor, number, |current, _| {
        if current.leader_id == Some(leader) {
            return Err(AppError::invalid(
                "leader",
                if leader == actor.id {
                    "You already lead this incident.".to_string()
                } else {
                    format!("@{leader_name} already leads this incident.")
                },
            ));
        }
        let body = match (current.leader_id, before == current.leader_id, &before_name) {
            _ if leader != actor.id => format!("made @{leader_name} the Incident Leader"),
            (None, _, _) => "volunteered as Incident Leader".to_string(),
            (Some(_), true, Some(name)) => format!("took over as Incident Leader from @{name}"),
            (Some(_), _, _) => "took over as Incident Leader".to_string(),
        };
        Ok(Change {
            column: incident::Column::LeaderId,
            from: current.leader_id.map(Value::from),
            to: leader.into(),
            also: vec![],
            kind: EventKind::LeaderChanged,
            body,
            data: json!({ "from": current.leader_id, "to": leader }),
        })
    })
    .await
}

/// One field of an incident moving from the value it had (None: empty) to another, and
/// the line that records it.
struct Change {
    column: incident::Column,
    from: Option<Value>,
    to: Value,
    /// Other columns that move with it (e.g. the resolution time with the status).
    also: Vec<(incident::Column, sea_orm::Value)>,
    kind: EventKind,
    body: String,
    data: serde_json::Value,
}

/// Applies the change `decide` makes of the incident as it stands, in one transaction
/// with its timeline line. The update only lands if the field still holds the value
/// `decide` saw, so two people changing it at once cannot both win silently.
async fn apply(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    decide: impl FnOnce(&incident::Model, DateTime<Utc>) -> Result<Change, AppError>,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let current = find(&txn, number).await?;
    let now = Utc::now();
    let change = decide(&current, now)?;
    let unchanged = match change.from {
        Some(value) => change.column.eq(value),
        None => change.column.is_null(),
    };
    let mut update = incident::Entity::update_many()
        .col_expr(change.column, Expr::value(change.to))
        .col_expr(incident::Column::UpdatedAt, Expr::value(now))
        .filter(incident::Column::Id.eq(number))
        .filter(unchanged);
    for (column, value) in change.also {
        update = update.col_expr(column, Expr::value(value));
    }
    if update.exec(&txn).await?.rows_affected == 0 {
        return Err(AppError::Conflict(
            "Someone changed this incident meanwhile: reload to see it.".into(),
        ));
    }
    record(
        &txn,
        number,
        Some(actor.id),
        change.kind,
        change.body,
        change.data,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Open incidents by severity then age (longest-running first), then the most
/// recently resolved ones; `zone` is the organisation's default zone (`ORG_TIME_ZONE`),
/// for when postmortems are due.
pub async fn list(
    db: &impl ConnectionTrait,
    tz: Tz,
    zone: Tz,
) -> Result<Vec<IncidentSummary>, AppError> {
    let open = open_incidents(db).await?;
    let resolved = incident::Entity::find()
        .filter(incident::Column::Status.eq(Status::Resolved.as_str()))
        .order_by_desc(incident::Column::ResolvedAt)
        .order_by_desc(incident::Column::Id)
        .limit(RESOLVED_SHOWN)
        .all(db)
        .await?;
    let rows: Vec<incident::Model> = open.into_iter().chain(resolved).collect();
    summaries(db, &rows, tz, zone).await
}

async fn open_incidents(db: &impl ConnectionTrait) -> Result<Vec<incident::Model>, AppError> {
    Ok(incident::Entity::find()
        .filter(incident::Column::Status.ne(Status::Resolved.as_str()))
        .order_by_asc(incident::Column::Severity)
        .order_by_asc(incident::Column::StartedAt)
        .order_by_asc(incident::Column::Id)
        .all(db)
        .await?)
}

pub(crate) async fn summaries(
    db: &impl ConnectionTrait,
    rows: &[incident::Model],
    tz: Tz,
    zone: Tz,
) -> Result<Vec<IncidentSummary>, AppError> {
    let mut services = services_of(db, rows.iter().map(|i| i.id).collect()).await?;
    let postmortems = super::postmortems::standing(db, rows, tz, zone).await?;
    Ok(rows
        .iter()
        .map(|i| IncidentSummary {
            postmortem: postmortems.get(&i.id).and_then(|s| s.0),
            postmortem_due: postmortems.get(&i.id).and_then(|s| s.1.clone()),
            number: i.id,
            customers: super::customers::counts_of(i),
            services: services.remove(&i.id).unwrap_or_default(),
            title: i.title.clone(),
            severity: i.severity,
            status: i.status,
            started: stamp(i.started_at, tz),
            resolved: i.resolved_at.map(|at| stamp(at, tz)),
        })
        .collect())
}

/// The status view: every open incident, and those resolved in the last
/// [`RESOLVED_DAYS`] days, each with its leader, duration, impact in words and latest
/// communication.
pub async fn status_board(
    db: &impl ConnectionTrait,
    tz: Tz,
    zone: Tz,
) -> Result<(Vec<StatusIncident>, Vec<StatusIncident>), AppError> {
    let now = Utc::now();
    let open = open_incidents(db).await?;
    let resolved = incident::Entity::find()
        .filter(incident::Column::Status.eq(Status::Resolved.as_str()))
        .filter(incident::Column::ResolvedAt.gte(now - chrono::Duration::days(RESOLVED_DAYS)))
        .order_by_desc(incident::Column::ResolvedAt)
        .order_by_desc(incident::Column::Id)
        .all(db)
        .await?;
    let all: Vec<incident::Model> = open.iter().chain(&resolved).cloned().collect();
    let leaders: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(all.iter().filter_map(|i| i.leader_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut emails: HashMap<i64, _> =
        super::email::latest_of(db, all.iter().map(|i| i.id).collect(), tz)
            .await?
            .into_iter()
            .filter_map(|e| Some((e.incident?, e)))
            .collect();
    let summaries = summaries(db, &all, tz, zone).await?;
    let mut read: Vec<StatusIncident> = all
        .iter()
        .zip(summaries)
        .map(|(i, summary)| {
            let latest_email = emails.remove(&i.id);
            let impact = latest_email
                .as_ref()
                .map(|e| e.excerpt.clone())
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| i.summary.clone());
            StatusIncident {
                incident: summary,
                leader: i.leader_id.and_then(|id| leaders.get(&id).cloned()),
                duration: duration_words(
                    (i.resolved_at.unwrap_or(now) - i.started_at).num_seconds(),
                ),
                impact,
                latest_email,
            }
        })
        .collect();
    let resolved = read.split_off(open.len());
    Ok((read, resolved))
}

/// One incident with its whole record (the incident channel, oldest first), its
/// postmortem discussion and its latest alerts. The cursor is read first: whatever
/// commits meanwhile reaches the page through the live stream.
pub async fn detail(
    db: &impl ConnectionTrait,
    number: i64,
    tz: Tz,
) -> Result<IncidentDetail, AppError> {
    let cursor = live::latest_id(db).await?;
    let i = find(db, number).await?;
    let customers = super::customers::counts_of(&i);
    let services = services_of(db, vec![i.id])
        .await?
        .remove(&i.id)
        .unwrap_or_default();
    let events = timeline_event::Entity::find()
        .filter(timeline_event::Column::IncidentId.eq(number))
        .order_by_asc(timeline_event::Column::Id)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let mut people: Vec<i64> = vec![i.created_by];
    people.extend(i.leader_id);
    let names: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let (alerts, alert_count) = super::alerts::of_incident(db, number, ALERTS_SHOWN, tz).await?;
    let (timeline, discussion): (Vec<_>, Vec<_>) = events
        .into_iter()
        .map(|(e, author)| (e.channel, entry(e, author, tz)))
        .partition(|(channel, _)| *channel == Channel::Incident);
    Ok(IncidentDetail {
        number: i.id,
        title: i.title,
        summary: i.summary,
        severity: i.severity,
        status: i.status,
        services,
        started: stamp(i.started_at, tz),
        detected: stamp(i.detected_at, tz),
        resolved: i.resolved_at.map(|at| stamp(at, tz)),
        declared_by: names.get(&i.created_by).cloned().unwrap_or_default(),
        leader: i.leader_id.and_then(|id| names.get(&id).cloned()),
        leader_id: i.leader_id,
        customers,
        timeline: timeline.into_iter().map(|(_, e)| e).collect(),
        discussion: discussion.into_iter().map(|(_, e)| e).collect(),
        alerts,
        alert_count,
        team: super::email::team::of(db, number).await?,
        thread: super::email::thread(db, number, tz).await?,
        postmortem: crate::ssr::entities::postmortem::Entity::find()
            .filter(crate::ssr::entities::postmortem::Column::IncidentId.eq(number))
            .one(db)
            .await?
            .map(|p| p.status),
        promoted: super::actions::promotions(db, number).await?,
        cursor,
    })
}

/// A line as pages show it; posts carry their Markdown rendered and sanitised.
pub(crate) fn entry(
    e: timeline_event::Model,
    author: Option<user::Model>,
    tz: Tz,
) -> TimelineEntry {
    TimelineEntry {
        id: e.id,
        kind: e.kind,
        author_id: e.author_id,
        author: author.map(|a| a.name),
        html: e.kind.is_post().then(|| markdown::render(&e.body)),
        body: e.body,
        at: stamp(e.occurred_at, tz),
        edited: e.edited_at.map(|at| stamp(at, tz)),
        parent: e.parent_id,
        link: (e.kind == EventKind::EmailSent)
            .then(|| serde_json::from_str::<serde_json::Value>(&e.data).ok())
            .flatten()
            .and_then(|data| data["email"].as_i64())
            .map(|id| format!("/emails/{id}")),
    }
}

/// Every service name ever mentioned, for the form's suggestions.
pub async fn service_names(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    Ok(service::Entity::find()
        .order_by_asc(service::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect())
}

pub(crate) async fn find(
    db: &impl ConnectionTrait,
    number: i64,
) -> Result<incident::Model, AppError> {
    incident::Entity::find_by_id(number)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Incident #{number}")))
}

pub(crate) async fn services_of(
    db: &impl ConnectionTrait,
    incidents: Vec<i64>,
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut by_incident: HashMap<i64, Vec<String>> = HashMap::new();
    if incidents.is_empty() {
        return Ok(by_incident);
    }
    let links = incident_service::Entity::find()
        .filter(incident_service::Column::IncidentId.is_in(incidents))
        .find_also_related(service::Entity)
        .all(db)
        .await?;
    for (link, service) in links {
        if let Some(service) = service {
            by_incident
                .entry(link.incident_id)
                .or_default()
                .push(service.name);
        }
    }
    by_incident.values_mut().for_each(|names| names.sort());
    Ok(by_incident)
}

/// The id of the service with this name, creating it if this is its first mention.
/// Safe against a concurrent first mention: the insert yields to the unique name.
async fn ensure_service(db: &impl ConnectionTrait, name: &ServiceName) -> Result<i64, AppError> {
    service::Entity::insert(service::ActiveModel {
        name: Set(name.as_str().to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([service::Column::Name])
    .exec_without_returning(db)
    .await?;
    service::Entity::find()
        .filter(service::Column::Name.eq(name.as_str()))
        .one(db)
        .await?
        .map(|s| s.id)
        .ok_or(AppError::Internal)
}

/// Appends one line to an incident's official record (`author` None: Stormwatch itself,
/// for alerts), and tells every open page.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    incident_id: i64,
    author: Option<i64>,
    kind: EventKind,
    body: String,
    data: serde_json::Value,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    append_line(db, incident_id, author, kind, body, data, None, at).await
}

/// [`record`], for a line that may answer another (a challenge); returns its id. Its
/// channel follows from its kind.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append_line(
    db: &impl ConnectionTrait,
    incident_id: i64,
    author: Option<i64>,
    kind: EventKind,
    body: String,
    data: serde_json::Value,
    parent: Option<i64>,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    let line = timeline_event::ActiveModel {
        incident_id: Set(incident_id),
        channel: Set(kind.channel()),
        kind: Set(kind),
        author_id: Set(author),
        body: Set(body),
        data: Set(data.to_string()),
        occurred_at: Set(at),
        parent_id: Set(parent),
        edited_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    live::append(db, &[LiveChange::Incident(incident_id)]).await?;
    super::automation::webhooks::on_line(
        db,
        incident_id,
        line.id,
        kind,
        author,
        &line.body,
        &data,
        at,
    )
    .await?;
    Ok(line.id)
}
