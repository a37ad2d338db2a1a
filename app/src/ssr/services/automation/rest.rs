//! What the REST API reads, as its resources: raw UTC times, keyset pages (a cursor is
//! the last row's id, so rows added while a client pages through are neither repeated
//! nor skipped among those that were there). Writes go through the same services as
//! the pages' server functions.

use crate::{
    domain::{AppError, Severity, Status, TeamRole},
    model::{
        rest::{
            Action, ActionFilter, Alert, AlertFilter, Customer, Email, Incident, IncidentFilter,
            Line, Page, Person, Team,
        },
        session::CurrentUser,
    },
    ssr::{
        entities::{
            affected_customer, alert, alert_source, corrective_action as action, email, incident,
            timeline_event, user,
        },
        markdown,
        services::incidents::services_of,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use std::collections::HashMap;

/// Rows per page unless the caller asks for another number (1–[`MAX_LIMIT`]).
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// The page size and the id to continue after, from a request's `limit` and `cursor`.
pub fn paging(cursor: Option<&str>, limit: Option<u64>) -> Result<(Option<i64>, u64), AppError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("Ask for 1 to {MAX_LIMIT} rows per page."),
        ));
    }
    let after = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    AppError::invalid(
                        "cursor",
                        "Pass the next_cursor of the page before, as given.",
                    )
                })?,
        ),
    };
    Ok((after, limit))
}

/// One page of `select` ordered by `id` (descending: newest first), continuing after
/// `after`.
async fn keyset<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    newest_first: bool,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<E::Model>, Option<String>), AppError>
where
    E: EntityTrait,
    C: ColumnTrait,
    E::Model: HasId,
{
    let select = match (after, newest_first) {
        (Some(after), true) => select.filter(id.lt(after)).order_by_desc(id),
        (Some(after), false) => select.filter(id.gt(after)).order_by_asc(id),
        (None, true) => select.order_by_desc(id),
        (None, false) => select.order_by_asc(id),
    };
    let mut rows = select.limit(limit + 1).all(db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = more
        .then(|| rows.last().map(|r| r.id().to_string()))
        .flatten();
    Ok((rows, next))
}

/// A row with an integer id, for [`keyset`].
pub trait HasId {
    fn id(&self) -> i64;
}

macro_rules! has_id {
    ($($entity:ident),*) => {$(impl HasId for $entity::Model {
        fn id(&self) -> i64 {
            self.id
        }
    })*};
}
has_id!(incident, timeline_event, alert, affected_customer, action);

fn parse_choice<T: std::str::FromStr<Err = String>>(
    field: &str,
    raw: Option<&str>,
) -> Result<Option<T>, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|m| AppError::invalid(field, m)),
    }
}

async fn incidents_of(
    db: &impl ConnectionTrait,
    rows: Vec<incident::Model>,
    public_url: &str,
) -> Result<Vec<Incident>, AppError> {
    let mut services = services_of(db, rows.iter().map(|i| i.id).collect()).await?;
    let leaders =
        super::super::users::names_of(db, rows.iter().filter_map(|i| i.leader_id)).await?;
    Ok(rows
        .into_iter()
        .map(|i| Incident {
            services: services.remove(&i.id).unwrap_or_default(),
            leader: i.leader_id.map(|id| Person {
                id,
                name: leaders.get(&id).cloned().unwrap_or_default(),
            }),
            url: format!("{public_url}/incidents/{}", i.id),
            number: i.id,
            title: i.title,
            summary: i.summary,
            severity: i.severity.as_str().into(),
            status: i.status.as_str().into(),
            started_at: i.started_at,
            detected_at: i.detected_at,
            resolved_at: i.resolved_at,
            updated_at: i.updated_at,
        })
        .collect())
}

/// Incidents, newest first, filtered.
pub async fn incidents(
    db: &impl ConnectionTrait,
    filter: &IncidentFilter,
    public_url: &str,
) -> Result<Page<Incident>, AppError> {
    let (after, limit) = paging(filter.cursor.as_deref(), filter.limit)?;
    let mut select = incident::Entity::find();
    if let Some(status) = parse_choice::<Status>("status", filter.status.as_deref())? {
        select = select.filter(incident::Column::Status.eq(status.as_str()));
    }
    if let Some(severity) = parse_choice::<Severity>("severity", filter.severity.as_deref())? {
        select = select.filter(incident::Column::Severity.eq(severity.as_str()));
    }
    if let Some(since) = filter
        .updated_since
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let since = DateTime::parse_from_rfc3339(since)
            .map_err(|_| {
                AppError::invalid(
                    "updated_since",
                    format!("\"{since}\" is not an instant like 2026-12-04T09:30:00Z."),
                )
            })?
            .with_timezone(&Utc);
        select = select.filter(incident::Column::UpdatedAt.gte(since));
    }
    if let Some(service) = filter
        .service
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        select = select.filter(super::super::history::of_service(
            db.get_database_backend(),
            service,
        ));
    }
    let (rows, next_cursor) = keyset(db, select, incident::Column::Id, true, after, limit).await?;
    Ok(Page {
        items: incidents_of(db, rows, public_url).await?,
        next_cursor,
    })
}

pub async fn incident(
    db: &impl ConnectionTrait,
    number: i64,
    public_url: &str,
) -> Result<Incident, AppError> {
    let found = super::super::incidents::find(db, number).await?;
    Ok(incidents_of(db, vec![found], public_url)
        .await?
        .pop()
        .ok_or(AppError::Internal)?)
}

pub async fn team(db: &impl ConnectionTrait, number: i64) -> Result<Team, AppError> {
    super::super::incidents::find(db, number).await?;
    let team = super::super::email::team::of(db, number).await?;
    let of = |role: TeamRole| {
        team.members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| Person {
                id: m.user_id,
                name: m.name.clone(),
            })
            .collect()
    };
    Ok(Team {
        engineering: of(TeamRole::Engineering),
        product_management: of(TeamRole::ProductManagement),
        product_marketing: of(TeamRole::ProductMarketing),
    })
}

fn line(e: timeline_event::Model, author: Option<String>) -> Line {
    Line {
        id: e.id,
        kind: e.kind.as_str().into(),
        author,
        html: e.kind.is_post().then(|| markdown::render(&e.body)),
        body: e.body,
        at: e.occurred_at,
        edited_at: e.edited_at,
        parent: e.parent_id,
    }
}

/// An incident's record (channel and discussion), oldest first.
pub async fn timeline(
    db: &impl ConnectionTrait,
    number: i64,
    cursor: Option<&str>,
    limit: Option<u64>,
) -> Result<Page<Line>, AppError> {
    let (after, limit) = paging(cursor, limit)?;
    super::super::incidents::find(db, number).await?;
    let select =
        timeline_event::Entity::find().filter(timeline_event::Column::IncidentId.eq(number));
    let (rows, next_cursor) =
        keyset(db, select, timeline_event::Column::Id, false, after, limit).await?;
    let authors =
        super::super::users::names_of(db, rows.iter().filter_map(|e| e.author_id)).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|e| {
                let author = e.author_id.and_then(|id| authors.get(&id).cloned());
                line(e, author)
            })
            .collect(),
        next_cursor,
    })
}

/// One line of an incident's record.
pub async fn line_of(db: &impl ConnectionTrait, number: i64, id: i64) -> Result<Line, AppError> {
    let (found, author) = timeline_event::Entity::find_by_id(id)
        .filter(timeline_event::Column::IncidentId.eq(number))
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Line {id} of incident #{number}")))?;
    Ok(line(found, author.map(|a| a.name)))
}

async fn alerts_of(
    db: &impl ConnectionTrait,
    rows: Vec<alert::Model>,
) -> Result<Vec<Alert>, AppError> {
    let mut ids: Vec<i64> = rows.iter().map(|a| a.source_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let sources: HashMap<i64, String> = alert_source::Entity::find()
        .filter(alert_source::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|a| Alert {
            id: a.id,
            source: sources.get(&a.source_id).cloned().unwrap_or_default(),
            dedup_key: a.dedup_key,
            title: a.title,
            service: a.service,
            state: a.status.as_str().to_string(),
            occurrences: a.occurrences,
            first_seen_at: a.first_seen_at,
            last_seen_at: a.last_seen_at,
            incident: a.incident_id,
            url: a.url,
        })
        .collect())
}

/// Alerts, newest first.
pub async fn alerts(
    db: &impl ConnectionTrait,
    filter: &AlertFilter,
) -> Result<Page<Alert>, AppError> {
    let (after, limit) = paging(filter.cursor.as_deref(), filter.limit)?;
    let mut select = alert::Entity::find();
    if let Some(state) = filter
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        use crate::domain::AlertState;
        let state = [AlertState::Firing, AlertState::Resolved]
            .into_iter()
            .find(|s| s.as_str() == state)
            .ok_or_else(|| {
                AppError::invalid("state", format!("\"{state}\" is not firing or resolved."))
            })?;
        select = select.filter(alert::Column::Status.eq(state.as_str()));
    }
    if let Some(number) = filter.incident {
        select = select.filter(alert::Column::IncidentId.eq(number));
    }
    let (rows, next_cursor) = keyset(db, select, alert::Column::Id, true, after, limit).await?;
    Ok(Page {
        items: alerts_of(db, rows).await?,
        next_cursor,
    })
}

pub async fn alert(db: &impl ConnectionTrait, id: i64) -> Result<Alert, AppError> {
    let found = alert::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Alert {id}")))?;
    Ok(alerts_of(db, vec![found])
        .await?
        .pop()
        .ok_or(AppError::Internal)?)
}

/// An incident's affected customers, in the order they were added.
pub async fn customers(
    db: &impl ConnectionTrait,
    number: i64,
    cursor: Option<&str>,
    limit: Option<u64>,
) -> Result<Page<Customer>, AppError> {
    let (after, limit) = paging(cursor, limit)?;
    super::super::incidents::find(db, number).await?;
    let select =
        affected_customer::Entity::find().filter(affected_customer::Column::IncidentId.eq(number));
    let (rows, next_cursor) = keyset(
        db,
        select,
        affected_customer::Column::Id,
        false,
        after,
        limit,
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|c| Customer {
                id: c.id,
                org_name: c.org_name,
                org_id: c.org_id,
                app_id: c.app_id,
                campaign_id: c.campaign_id,
                note: c.note,
                added_at: c.added_at,
            })
            .collect(),
        next_cursor,
    })
}

fn email_of(e: email::Model, authors: &HashMap<i64, String>, whole: bool) -> Email {
    Email {
        id: e.id,
        incident: e.incident_id,
        author: e.author_id.and_then(|id| authors.get(&id).cloned()),
        recipients: e
            .recipients
            .split(',')
            .filter(|r| !r.trim().is_empty())
            .count(),
        subject: e.subject,
        status: e.status.as_str().into(),
        queued_at: e.created_at,
        sent_at: e.sent_at,
        text: whole.then_some(e.text),
    }
}

/// The company emails about an incident, oldest first.
pub async fn emails(db: &impl ConnectionTrait, number: i64) -> Result<Vec<Email>, AppError> {
    super::super::incidents::find(db, number).await?;
    let rows = email::Entity::find()
        .filter(email::Column::IncidentId.eq(number))
        .order_by_asc(email::Column::Id)
        .all(db)
        .await?;
    let authors =
        super::super::users::names_of(db, rows.iter().filter_map(|e| e.author_id)).await?;
    Ok(rows
        .into_iter()
        .map(|e| email_of(e, &authors, false))
        .collect())
}

/// One company email about an incident, with its text (mail about no incident, such as
/// an assignee's reminder, is not the API's to show).
pub async fn email(db: &impl ConnectionTrait, id: i64) -> Result<Email, AppError> {
    let found = email::Entity::find_by_id(id)
        .filter(email::Column::IncidentId.is_not_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Email {id}")))?;
    let authors = super::super::users::names_of(db, found.author_id).await?;
    Ok(email_of(found, &authors, true))
}

async fn actions_of(
    db: &impl ConnectionTrait,
    rows: Vec<action::Model>,
) -> Result<Vec<Action>, AppError> {
    let assignees = super::super::users::names_of(db, rows.iter().map(|a| a.assignee_id)).await?;
    Ok(rows
        .into_iter()
        .map(|a| Action {
            assignee: Person {
                id: a.assignee_id,
                name: assignees.get(&a.assignee_id).cloned().unwrap_or_default(),
            },
            id: a.id,
            incident: a.incident_id,
            title: a.title,
            due_on: a.due_on,
            status: a.status.as_str().into(),
            ticket_url: a.ticket_url,
            reason: a.reason,
            version: a.version,
            updated_at: a.updated_at,
        })
        .collect())
}

/// Corrective actions, newest first (a viewer reads those of published postmortems,
/// as on the tracker).
pub async fn actions(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    filter: &ActionFilter,
) -> Result<Page<Action>, AppError> {
    let (after, limit) = paging(filter.cursor.as_deref(), filter.limit)?;
    let mut select = action::Entity::find();
    if let Some(status) = filter
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let status = crate::domain::ActionStatus::parse(status)?;
        select = select.filter(action::Column::Status.eq(status.as_str()));
    }
    if let Some(number) = filter.incident {
        select = select.filter(action::Column::IncidentId.eq(number));
    }
    let (rows, next_cursor) = keyset(
        db,
        readable(viewer, select),
        action::Column::Id,
        true,
        after,
        limit,
    )
    .await?;
    Ok(Page {
        items: actions_of(db, rows).await?,
        next_cursor,
    })
}

pub async fn action(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    id: i64,
) -> Result<Action, AppError> {
    let found = readable(viewer, action::Entity::find_by_id(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Action {id}")))?;
    Ok(actions_of(db, vec![found])
        .await?
        .pop()
        .ok_or(AppError::Internal)?)
}

/// The actions `viewer` may read: all for responders, those of published postmortems
/// for everyone else (as on the tracker).
fn readable(viewer: &CurrentUser, select: Select<action::Entity>) -> Select<action::Entity> {
    use crate::{
        domain::{Permission, PostmortemStatus},
        ssr::entities::postmortem,
    };
    use sea_orm::sea_query::Query;
    if viewer.role.allows(Permission::Respond) {
        return select;
    }
    select.filter(
        action::Column::PostmortemId.in_subquery(
            Query::select()
                .column(postmortem::Column::Id)
                .from(postmortem::Entity)
                .and_where(postmortem::Column::Status.eq(PostmortemStatus::Published.as_str()))
                .to_owned(),
        ),
    )
}
