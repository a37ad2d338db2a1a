//! Corrective actions: adding one (or a "not now" item) to a postmortem, changing it
//! field by field against the version the writer saw, moving it along its statuses,
//! its history, the tracker across every postmortem, the counts the dashboard and the
//! status view show, the CSV export and the daily reminders ([`reminders`]). Every way
//! in goes through [`add`] and [`edit`], which take the domain's checks; the schema
//! refuses the same rows on its own.

pub mod reminders;

use crate::{
    domain::{
        action_line,
        postmortem::{
            actions::{action_assignee, action_due, action_ticket, action_title, MAX_ACTIONS},
            document::Chain,
        },
        traceability, ActionDraft, ActionStatus, AppError, Checked, EventKind, Permission,
        PostmortemStatus, Trace,
    },
    model::{
        actions::{
            ActionChange, ActionCounts, ActionView, Added, NotNowItem, PostmortemActions,
            TrackerFilter, TrackerPage,
        },
        incidents::Promotion,
        session::CurrentUser,
        Person,
    },
    ssr::{
        entities::{
            action_change, corrective_action as action, incident, incident_service, not_now_item,
            postmortem, service, timeline_event, user,
        },
        live,
        services::{
            incidents::find,
            postmortems::existing,
            settings::{self, Calendar},
        },
        time::stamp,
    },
};
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession,
    TransactionTrait,
};
use std::collections::HashMap;

/// The day the incident started, in the organisation's zone: no action is due before.
fn incident_day(i: &incident::Model, zone: Tz) -> NaiveDate {
    i.started_at.with_timezone(&zone).date_naive()
}

/// Today in the organisation's zone.
fn today(calendar: &Calendar) -> NaiveDate {
    Utc::now().with_timezone(&calendar.zone).date_naive()
}

/// A user who may be given an action: a person (not an API token) who is not disabled.
async fn assignable(db: &impl ConnectionTrait, id: i64) -> Result<user::Model, AppError> {
    match user::Entity::find_by_id(id).one(db).await? {
        None => Err(AppError::invalid(
            "assignee",
            "Pick someone who uses Stormwatch.",
        )),
        Some(u) if u.is_token => Err(AppError::invalid(
            "assignee",
            format!(
                "{} is an API token: an action needs a person to own it.",
                u.name
            ),
        )),
        Some(u) if u.disabled => Err(AppError::invalid(
            "assignee",
            format!(
                "@{} is disabled and cannot take an action: pick someone else.",
                u.name
            ),
        )),
        Some(u) => Ok(u),
    }
}

/// An idea of this incident's postmortem discussion, to promote.
async fn idea_of(db: &impl ConnectionTrait, number: i64, post: i64) -> Result<(), AppError> {
    let found = timeline_event::Entity::find_by_id(post).one(db).await?;
    match found {
        Some(e)
            if e.incident_id == number
                && matches!(e.kind, EventKind::Idea | EventKind::Hypothesis) =>
        {
            Ok(())
        }
        _ => Err(AppError::invalid(
            "from_post",
            "That is not an idea of this incident's postmortem discussion.",
        )),
    }
}

/// A postmortem that takes changes: started, not published.
async fn writable(db: &impl ConnectionTrait, number: i64) -> Result<postmortem::Model, AppError> {
    let p = existing(db, number).await?;
    if !p.status.editable() {
        return Err(AppError::Conflict(
            "The postmortem is published and read-only: reopen it to change its actions.".into(),
        ));
    }
    Ok(p)
}

async fn note(
    db: &impl ConnectionTrait,
    action: i64,
    actor: Option<i64>,
    body: String,
) -> Result<(), AppError> {
    action_change::ActiveModel {
        action_id: Set(action),
        actor_id: Set(actor),
        body: Set(body),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Adds a corrective action to incident `number`'s postmortem, or, when the draft says
/// it is not top priority leaving the meeting, an item of its "Not now" list.
/// `from_post`: the discussion idea it is promoted from.
pub async fn add(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    number: i64,
    draft: &ActionDraft,
    from_post: Option<i64>,
    default_zone: Tz,
) -> Result<Added, AppError> {
    let zone = settings::calendar(db, default_zone).await?.zone;
    let txn = crate::ssr::db::begin_write(db).await?;
    let p = writable(&txn, number).await?;
    let i = find(&txn, number).await?;
    let checked = draft.check(incident_day(&i, zone))?;
    if let Some(post) = from_post {
        idea_of(&txn, number, post).await?;
    }
    let held = action::Entity::find()
        .filter(action::Column::PostmortemId.eq(p.id))
        .count(&txn)
        .await?
        + not_now_item::Entity::find()
            .filter(not_now_item::Column::PostmortemId.eq(p.id))
            .count(&txn)
            .await?;
    if held as usize >= MAX_ACTIONS {
        return Err(AppError::invalid(
            "title",
            format!("A postmortem holds at most {MAX_ACTIONS} actions and items."),
        ));
    }
    let now = Utc::now();
    let added = match checked {
        Checked::NotNow(title) => {
            let row = not_now_item::ActiveModel {
                postmortem_id: Set(p.id),
                title: Set(title),
                from_post: Set(from_post),
                added_by: Set(actor.id),
                added_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            Added::NotNow(row.id)
        }
        Checked::Action(new) => {
            let assignee = assignable(&txn, new.assignee).await?;
            let row = action::ActiveModel {
                postmortem_id: Set(p.id),
                incident_id: Set(number),
                title: Set(new.title.clone()),
                assignee_id: Set(new.assignee),
                due_on: Set(new.due),
                incident_on: Set(incident_day(&i, zone)),
                answers: Set(new.answers.as_ref().map(Trace::key)),
                ticket_url: Set(new.ticket.clone()),
                from_post: Set(from_post),
                status: Set(ActionStatus::Open),
                done_at: Set(None),
                done_by: Set(None),
                reason: Set(None),
                version: Set(1),
                created_by: Set(actor.id),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            note(
                &txn,
                row.id,
                Some(actor.id),
                format!(
                    "added it: {}",
                    action_line(
                        &new.title,
                        &assignee.name,
                        new.due,
                        ActionStatus::Open,
                        None
                    )
                ),
            )
            .await?;
            Added::Action(row.id)
        }
    };
    live::append(&txn, &[crate::model::live::LiveChange::Incident(number)]).await?;
    txn.commit().await?;
    Ok(added)
}

/// A field of an action that [`edit`] changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Title,
    Assignee,
    Due,
    Answers,
    Ticket,
}

impl Field {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Ok(match raw.trim() {
            "title" => Field::Title,
            "assignee" => Field::Assignee,
            "due" => Field::Due,
            "answers" => Field::Answers,
            "ticket" => Field::Ticket,
            _ => {
                return Err(AppError::invalid(
                    "field",
                    "An action's title, assignee, due date, trace or ticket can be changed.",
                ))
            }
        })
    }
}

/// The action, if `version` is the one stored: a change made to an older copy is
/// refused, never written over another's. A published postmortem's actions still take
/// changes (they are tracked until done, long after the document is final); only adding
/// one needs the postmortem open.
async fn current(
    db: &impl ConnectionTrait,
    id: i64,
    version: i32,
) -> Result<action::Model, AppError> {
    let a = action::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Corrective action {id}")))?;
    if a.version != version {
        return Err(AppError::Conflict(
            "Someone changed this action meanwhile: your change was not saved. The row now shows theirs; change it again if you still need to.".into(),
        ));
    }
    Ok(a)
}

/// Writes `changes` to the action at `version` (the next version, in one statement that
/// finds it unchanged), with a line of its history, and tells every page.
async fn commit_change(
    txn: impl ConnectionTrait + TransactionSession,
    actor: &CurrentUser,
    a: &action::Model,
    changes: Vec<(action::Column, sea_orm::Value)>,
    body: String,
) -> Result<(), AppError> {
    let mut update = action::Entity::update_many()
        .col_expr(action::Column::Version, Expr::value(a.version + 1))
        .col_expr(action::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(action::Column::Id.eq(a.id))
        .filter(action::Column::Version.eq(a.version));
    for (column, value) in changes {
        update = update.col_expr(column, Expr::value(value));
    }
    if update.exec(&txn).await?.rows_affected == 0 {
        return Err(AppError::Conflict(
            "Someone changed this action meanwhile: your change was not saved.".into(),
        ));
    }
    note(&txn, a.id, Some(actor.id), body).await?;
    live::append(
        &txn,
        &[crate::model::live::LiveChange::Incident(a.incident_id)],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes one field of an action, checked as [`add`] checks it.
pub async fn edit(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    id: i64,
    version: i32,
    field: Field,
    value: &str,
    default_zone: Tz,
) -> Result<(), AppError> {
    let zone = settings::calendar(db, default_zone).await?.zone;
    let txn = crate::ssr::db::begin_write(db).await?;
    let a = current(&txn, id, version).await?;
    let one = |e| AppError::Validation(vec![e]);
    let (column, stored, body): (action::Column, sea_orm::Value, String) = match field {
        Field::Title => {
            let title = action_title(value).map_err(one)?;
            let body = format!("retitled it \"{title}\"");
            (action::Column::Title, title.into(), body)
        }
        Field::Assignee => {
            let to = assignable(&txn, action_assignee(value).map_err(one)?).await?;
            let from = user::Entity::find_by_id(a.assignee_id)
                .one(&txn)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            (
                action::Column::AssigneeId,
                to.id.into(),
                format!("reassigned it from @{from} to @{}", to.name),
            )
        }
        Field::Due => {
            let i = find(&txn, a.incident_id).await?;
            let due = action_due(value, incident_day(&i, zone)).map_err(one)?;
            (
                action::Column::DueOn,
                due.into(),
                format!("moved its date from {} to {due}", a.due_on),
            )
        }
        Field::Answers => {
            let trace = Trace::parse(value)?;
            let body = match &trace {
                Some(t) => format!("traced it to {}", t.key()),
                None => "untraced it".to_string(),
            };
            (action::Column::Answers, trace.map(|t| t.key()).into(), body)
        }
        Field::Ticket => {
            let ticket = action_ticket(value).map_err(one)?;
            let body = match &ticket {
                Some(t) => format!("linked the ticket {t}"),
                None => "removed the ticket link".to_string(),
            };
            (action::Column::TicketUrl, ticket.into(), body)
        }
    };
    commit_change(txn, actor, &a, vec![(column, stored)], body).await
}

/// Moves an action to `to` (won't do needs `reason`); done records who and when.
pub async fn set_status(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    id: i64,
    version: i32,
    to: ActionStatus,
    reason: &str,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let a = current(&txn, id, version).await?;
    let body = a.status.move_to(to, reason)?;
    let none_at: Option<chrono::DateTime<Utc>> = None;
    let mut changes = vec![(action::Column::Status, to.as_str().into())];
    match to {
        ActionStatus::Done => {
            changes.push((action::Column::DoneAt, Some(Utc::now()).into()));
            changes.push((action::Column::DoneBy, Some(actor.id).into()));
        }
        ActionStatus::WontDo => changes.push((
            action::Column::Reason,
            Some(reason.trim().to_string()).into(),
        )),
        ActionStatus::Open | ActionStatus::InProgress => {
            changes.push((action::Column::DoneAt, none_at.into()));
            changes.push((action::Column::DoneBy, Option::<i64>::None.into()));
            changes.push((action::Column::Reason, Option::<String>::None.into()));
        }
    }
    commit_change(txn, actor, &a, changes, body).await
}

/// Builds the views of `rows` as `viewer` reads them.
async fn views(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    rows: Vec<(action::Model, Option<user::Model>)>,
    calendar: &Calendar,
    tz: Tz,
) -> Result<Vec<ActionView>, AppError> {
    let mut incidents: Vec<i64> = rows.iter().map(|(a, _)| a.incident_id).collect();
    incidents.sort_unstable();
    incidents.dedup();
    let titles: HashMap<i64, String> = incident::Entity::find()
        .filter(incident::Column::Id.is_in(incidents))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.title))
        .collect();
    let names = super::users::names_of(db, rows.iter().filter_map(|(a, _)| a.done_by)).await?;
    let today = today(calendar);
    let responder = viewer.role.allows(Permission::Respond);
    Ok(rows
        .into_iter()
        .map(|(a, assignee)| ActionView {
            id: a.id,
            incident: a.incident_id,
            incident_title: titles.get(&a.incident_id).cloned().unwrap_or_default(),
            title: a.title,
            assignee: Person {
                id: a.assignee_id,
                name: assignee.map(|u| u.name).unwrap_or_default(),
            },
            due: a.due_on.to_string(),
            standing: a
                .status
                .is_open()
                .then(|| calendar.days.action_due(a.due_on, today)),
            answers: a.answers,
            ticket: a.ticket_url,
            status: a.status,
            done: a
                .done_by
                .zip(a.done_at)
                .map(|(by, at)| (names.get(&by).cloned().unwrap_or_default(), stamp(at, tz))),
            reason: a.reason,
            from_post: a.from_post,
            version: a.version,
            can_change: responder,
        })
        .collect())
}

/// A postmortem's actions (oldest first) and its "Not now" list. Viewers read those
/// of a published postmortem only (to them, a draft's list is empty, as its page is).
pub async fn of_postmortem(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    number: i64,
    tz: Tz,
    default_zone: Tz,
) -> Result<PostmortemActions, AppError> {
    let p = existing(db, number).await?;
    if !viewer.role.allows(Permission::Respond) && p.status != PostmortemStatus::Published {
        return Ok(PostmortemActions {
            actions: vec![],
            not_now: vec![],
        });
    }
    let calendar = settings::calendar(db, default_zone).await?;
    let rows = action::Entity::find()
        .filter(action::Column::PostmortemId.eq(p.id))
        .order_by_asc(action::Column::Id)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let actions = views(db, viewer, rows, &calendar, tz).await?;
    let items = not_now_item::Entity::find()
        .filter(not_now_item::Column::PostmortemId.eq(p.id))
        .order_by_asc(not_now_item::Column::Id)
        .all(db)
        .await?;
    let adders = super::users::names_of(db, items.iter().map(|n| n.added_by)).await?;
    Ok(PostmortemActions {
        actions,
        not_now: items
            .into_iter()
            .map(|n| NotNowItem {
                id: n.id,
                by: adders.get(&n.added_by).cloned().unwrap_or_default(),
                at: stamp(n.added_at, tz),
                title: n.title,
                from_post: n.from_post,
            })
            .collect(),
    })
}

/// An action's history, oldest first. Viewers read it as they read the action (a
/// draft's: nothing yet).
pub async fn history(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    id: i64,
    tz: Tz,
) -> Result<Vec<ActionChange>, AppError> {
    let a = action::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Corrective action {id}")))?;
    if !viewer.role.allows(Permission::Respond) {
        let p = existing(db, a.incident_id).await?;
        if p.status != PostmortemStatus::Published {
            return Ok(vec![]);
        }
    }
    let lines = action_change::Entity::find()
        .filter(action_change::Column::ActionId.eq(id))
        .order_by_asc(action_change::Column::Id)
        .all(db)
        .await?;
    let names = super::users::names_of(db, lines.iter().filter_map(|l| l.actor_id)).await?;
    Ok(lines
        .into_iter()
        .map(|l| ActionChange {
            at: stamp(l.at, tz),
            by: l
                .actor_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| "Stormwatch".into()),
            body: l.body,
        })
        .collect())
}

/// What the tracker's filter selects. Viewers see the actions of published
/// postmortems only.
async fn selection(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    filter: &TrackerFilter,
) -> Result<Condition, AppError> {
    let mut cond = Condition::all();
    match filter.status.trim() {
        "" => cond = cond.add(action::Column::Status.is_in(ActionStatus::OPEN.map(|s| s.as_str()))),
        "all" => {}
        raw => cond = cond.add(action::Column::Status.eq(ActionStatus::parse(raw)?.as_str())),
    }
    match filter.assignee.trim() {
        "" => {}
        "me" => cond = cond.add(action::Column::AssigneeId.eq(viewer.id)),
        raw => {
            let id: i64 = raw
                .parse()
                .map_err(|_| AppError::invalid("assignee", "Pick someone from the list."))?;
            cond = cond.add(action::Column::AssigneeId.eq(id));
        }
    }
    if !filter.incident.trim().is_empty() {
        let number: i64 = filter
            .incident
            .trim()
            .trim_start_matches('#')
            .parse()
            .map_err(|_| AppError::invalid("incident", "An incident is a number, like 12."))?;
        cond = cond.add(action::Column::IncidentId.eq(number));
    }
    if !filter.service.trim().is_empty() {
        let incidents: Vec<i64> = incident_service::Entity::find()
            .inner_join(service::Entity)
            .filter(service::Column::Name.eq(filter.service.trim()))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.incident_id)
            .collect();
        cond = cond.add(action::Column::IncidentId.is_in(incidents));
    }
    if !viewer.role.allows(Permission::Respond) {
        let published: Vec<i64> = postmortem::Entity::find()
            .filter(postmortem::Column::Status.eq(PostmortemStatus::Published.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        cond = cond.add(action::Column::PostmortemId.is_in(published));
    }
    Ok(cond)
}

/// The tracker: the actions the filter selects, overdue first, then by date (an
/// overdue action is one whose date has passed, so date order puts them first).
pub async fn tracker(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    filter: &TrackerFilter,
    tz: Tz,
    default_zone: Tz,
) -> Result<TrackerPage, AppError> {
    let cursor = live::latest_id(db).await?;
    let calendar = settings::calendar(db, default_zone).await?;
    let cond = selection(db, viewer, filter).await?;
    let total = action::Entity::find()
        .filter(cond.clone())
        .count(db)
        .await?;
    let rows = action::Entity::find()
        .filter(cond)
        .order_by_asc(action::Column::DueOn)
        .order_by_asc(action::Column::Id)
        .limit(TrackerPage::LIMIT)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let mut rows = views(db, viewer, rows, &calendar, tz).await?;
    // From the tracker, an assignee changes their own.
    rows.iter_mut()
        .for_each(|a| a.can_change = a.can_change && a.assignee.id == viewer.id);
    Ok(TrackerPage {
        rows,
        total,
        counts: counts_with(db, &calendar).await?,
        me: viewer.id,
        people: super::users::pickable(db).await?,
        services: super::incidents::service_names(db).await?,
        cursor,
    })
}

/// Open and overdue actions across every postmortem.
pub async fn counts(db: &impl ConnectionTrait, default_zone: Tz) -> Result<ActionCounts, AppError> {
    counts_with(db, &settings::calendar(db, default_zone).await?).await
}

async fn counts_with(
    db: &impl ConnectionTrait,
    calendar: &Calendar,
) -> Result<ActionCounts, AppError> {
    let open = || {
        action::Entity::find()
            .filter(action::Column::Status.is_in(ActionStatus::OPEN.map(|s| s.as_str())))
    };
    Ok(ActionCounts {
        open: open().count(db).await?,
        overdue: open()
            .filter(action::Column::DueOn.lt(today(calendar)))
            .count(db)
            .await?,
    })
}

/// The tracker's selection as CSV (every match, not only the first page).
pub async fn csv(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    filter: &TrackerFilter,
    tz: Tz,
    default_zone: Tz,
) -> Result<String, AppError> {
    let calendar = settings::calendar(db, default_zone).await?;
    let cond = selection(db, viewer, filter).await?;
    let rows = action::Entity::find()
        .filter(cond)
        .order_by_asc(action::Column::DueOn)
        .order_by_asc(action::Column::Id)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let rows = views(db, viewer, rows, &calendar, tz).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| {
        tracing::error!(error = %e, "the actions CSV does not write");
        AppError::Internal
    };
    out.write_record([
        "id",
        "incident",
        "incident_title",
        "action",
        "assignee",
        "due",
        "status",
        "standing",
        "answers",
        "ticket",
        "done_by",
        "done_at",
        "reason",
    ])
    .map_err(fail)?;
    for a in rows {
        out.write_record([
            a.id.to_string(),
            a.incident.to_string(),
            a.incident_title,
            a.title,
            a.assignee.name,
            a.due,
            a.status.as_str().to_string(),
            a.standing.map(|s| s.words).unwrap_or_default(),
            a.answers.unwrap_or_default(),
            a.ticket.unwrap_or_default(),
            a.done.as_ref().map(|d| d.0.clone()).unwrap_or_default(),
            a.done.map(|d| d.1.iso).unwrap_or_default(),
            a.reason.unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    String::from_utf8(out.into_inner().map_err(|_| AppError::Internal)?)
        .map_err(|_| AppError::Internal)
}

/// Where the incident's discussion ideas went: for the discussion to show.
pub async fn promotions(
    db: &impl ConnectionTrait,
    number: i64,
) -> Result<Vec<Promotion>, AppError> {
    let actions = action::Entity::find()
        .filter(action::Column::IncidentId.eq(number))
        .filter(action::Column::FromPost.is_not_null())
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let mut out: Vec<Promotion> = actions
        .into_iter()
        .filter_map(|(a, u)| {
            Some(Promotion {
                post: a.from_post?,
                words: format!(
                    "Became corrective action: {}",
                    action_line(
                        &a.title,
                        &u.map(|u| u.name).unwrap_or_default(),
                        a.due_on,
                        a.status,
                        a.reason.as_deref()
                    )
                ),
            })
        })
        .collect();
    if let Some(p) = postmortem::Entity::find()
        .filter(postmortem::Column::IncidentId.eq(number))
        .one(db)
        .await?
    {
        out.extend(
            not_now_item::Entity::find()
                .filter(not_now_item::Column::PostmortemId.eq(p.id))
                .filter(not_now_item::Column::FromPost.is_not_null())
                .all(db)
                .await?
                .into_iter()
                .filter_map(|n| {
                    Some(Promotion {
                        post: n.from_post?,
                        words: format!("Kept under Not now: {}", n.title),
                    })
                }),
        );
    }
    Ok(out)
}

/// A postmortem's actions and "Not now" items as its Markdown export writes them.
pub async fn export_lines(
    db: &impl ConnectionTrait,
    postmortem: i64,
    chains: &[Chain],
) -> Result<(Vec<String>, Vec<String>), AppError> {
    let actions = action::Entity::find()
        .filter(action::Column::PostmortemId.eq(postmortem))
        .order_by_asc(action::Column::Id)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let lines = actions
        .into_iter()
        .map(|(a, u)| {
            let mut line = action_line(
                &a.title,
                &u.map(|u| u.name).unwrap_or_default(),
                a.due_on,
                a.status,
                a.reason.as_deref(),
            );
            match Trace::stored(a.answers.as_deref()) {
                Some(t) if t.exists_in(chains) => {
                    line.push_str(&format!(" — answers: {}", t.label(chains)))
                }
                _ => line.push_str(" — untraced"),
            }
            if let Some(ticket) = a.ticket_url {
                line.push_str(&format!(" — {ticket}"));
            }
            line
        })
        .collect();
    let not_now = not_now_item::Entity::find()
        .filter(not_now_item::Column::PostmortemId.eq(postmortem))
        .order_by_asc(not_now_item::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|n| n.title)
        .collect();
    Ok((lines, not_now))
}

/// What moving a postmortem to review says about its traceability: the actions that
/// answer no factor and the chains of whys no action answers ("" when all are traced).
pub async fn review_notes(
    db: &impl ConnectionTrait,
    postmortem: i64,
    chains: &[Chain],
) -> Result<String, AppError> {
    let actions = action::Entity::find()
        .filter(action::Column::PostmortemId.eq(postmortem))
        .filter(action::Column::Status.ne(ActionStatus::WontDo.as_str()))
        .order_by_asc(action::Column::Id)
        .all(db)
        .await?;
    let traces: Vec<(i64, Option<Trace>)> = actions
        .iter()
        .map(|a| (a.id, Trace::stored(a.answers.as_deref())))
        .collect();
    let (untraced, bare) = traceability(chains, &traces);
    let quote = |text: &str| {
        format!(
            "\"{}\"",
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    };
    let mut out = String::new();
    if !untraced.is_empty() {
        let titles: Vec<String> = actions
            .iter()
            .filter(|a| untraced.contains(&a.id))
            .map(|a| quote(&a.title))
            .collect();
        out.push_str(&format!(" — untraced actions: {}", titles.join(", ")));
    }
    if !bare.is_empty() {
        let problems: Vec<String> = bare.iter().map(|c| quote(&c.problem)).collect();
        out.push_str(&format!(
            " — contributing factors without an action: {}",
            problems.join(", ")
        ));
    }
    Ok(out)
}
