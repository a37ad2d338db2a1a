//! Postmortems: starting one, its page, participants, leader, lifecycle and meeting,
//! the Markdown export, and which are due. Its shared document is [`document`].

pub mod document;

use crate::{
    domain::{
        blameless_hints, due_words,
        postmortem::{document::Contents, Export},
        AppError, EventKind, Permission, PostmortemStatus, Status, Urgency,
    },
    model::{
        postmortems::{Due, PostmortemInfo, PostmortemPage},
        session::CurrentUser,
        Person,
    },
    ssr::{
        entities::{email, incident, postmortem, postmortem_participant, user},
        live,
        services::{
            customers::counts_of,
            incidents::{self, find, record},
            settings::{self, Calendar},
        },
        time::stamp,
    },
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionSession, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;

pub use document::Documents;

async fn of_incident(
    db: &impl ConnectionTrait,
    number: i64,
) -> Result<Option<postmortem::Model>, AppError> {
    Ok(postmortem::Entity::find()
        .filter(postmortem::Column::IncidentId.eq(number))
        .one(db)
        .await?)
}

/// The incident's postmortem, or a 404 that says to start one.
pub async fn existing(
    db: &impl ConnectionTrait,
    number: i64,
) -> Result<postmortem::Model, AppError> {
    of_incident(db, number)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("A postmortem of incident #{number}")))
}

fn due_of(i: &incident::Model, calendar: &Calendar, tz: Tz, now: DateTime<Utc>) -> Option<Due> {
    let resolved = i.resolved_at.filter(|_| i.status == Status::Resolved)?;
    let at = calendar.days.due_at(resolved, &calendar.zone);
    Some(Due {
        at: stamp(at, tz),
        words: due_words(at, now),
        urgency: Urgency::at(at, now),
    })
}

/// Starts the incident's postmortem (the caller its first participant), with a line on
/// the incident's timeline. Starting one that exists is a conflict.
#[tracing::instrument(skip(db), fields(actor = actor.id))]
pub async fn start(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    number: i64,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    if of_incident(&txn, number).await?.is_some() {
        return Err(AppError::Conflict(
            "Someone has already started this postmortem.".into(),
        ));
    }
    let now = Utc::now();
    let row = postmortem::ActiveModel {
        incident_id: Set(number),
        status: Set(PostmortemStatus::Draft),
        started_by: Set(actor.id),
        started_at: Set(now),
        meeting_at: Set(None),
        published_at: Set(None),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    postmortem_participant::ActiveModel {
        postmortem_id: Set(row.id),
        user_id: Set(actor.id),
        added_at: Set(now),
    }
    .insert(&txn)
    .await?;
    step(
        txn,
        actor,
        number,
        "started the postmortem".into(),
        json!({ "step": "started" }),
    )
    .await
}

/// Records a postmortem step as a line on the incident's timeline, and commits it with
/// the change it records.
async fn step(
    txn: impl ConnectionTrait + TransactionSession,
    actor: &CurrentUser,
    number: i64,
    body: String,
    data: serde_json::Value,
) -> Result<(), AppError> {
    record(
        &txn,
        number,
        Some(actor.id),
        EventKind::PostmortemChanged,
        body,
        data,
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The postmortem page as `viewer` reads it. To viewers, a postmortem that is not
/// published does not exist yet.
pub async fn page(
    db: &impl ConnectionTrait,
    docs: &Documents,
    viewer: &CurrentUser,
    number: i64,
    tz: Tz,
    default_zone: Tz,
) -> Result<PostmortemPage, AppError> {
    let cursor = live::latest_id(db).await?;
    let detail = incidents::detail(db, number, tz).await?;
    let i = find(db, number).await?;
    let calendar = settings::calendar(db, default_zone).await?;
    let responder = viewer.role.allows(Permission::Respond);
    // Viewers read a published postmortem only; a draft is not theirs to see yet.
    let pm = of_incident(db, number)
        .await?
        .filter(|p| responder || p.status == PostmortemStatus::Published);
    let people = super::users::pickable(db).await?;
    let postmortem = match &pm {
        None => None,
        Some(p) => Some(info(db, docs, p, &detail.timeline, &people, tz).await?),
    };
    let counts = counts_of(&i);
    let mut impact_start = if counts.rows > 0 {
        format!(
            "{} orgs, {} apps affected (see the affected-customers table).",
            counts.orgs, counts.apps
        )
    } else {
        String::new()
    };
    if let Some(impact) = latest_email_impact(db, number).await? {
        if !impact_start.is_empty() {
            impact_start.push_str("\n\n");
        }
        impact_start.push_str(&impact);
    }
    let can_edit = responder && pm.as_ref().is_some_and(|p| p.status.editable());
    Ok(PostmortemPage {
        number,
        title: detail.title,
        incident_status: detail.status,
        resolved: detail.resolved,
        leader: detail
            .leader_id
            .zip(detail.leader)
            .map(|(id, name)| Person { id, name }),
        postmortem,
        due: due_of(&i, &calendar, tz, Utc::now()),
        can_edit,
        can_respond: responder,
        cursor,
        people: if responder { people } else { vec![] },
        record: if responder { detail.timeline } else { vec![] },
        ideas: if responder {
            detail
                .discussion
                .into_iter()
                .filter(|e| matches!(e.kind, EventKind::Hypothesis | EventKind::Idea))
                .collect()
        } else {
            vec![]
        },
        impact_start,
    })
}

async fn info(
    db: &impl ConnectionTrait,
    docs: &Documents,
    p: &postmortem::Model,
    timeline: &[crate::model::incidents::TimelineEntry],
    people: &[Person],
    tz: Tz,
) -> Result<PostmortemInfo, AppError> {
    let participants = participants_of(db, p.id).await?;
    let mut suggested: Vec<Person> = Vec::new();
    for entry in timeline.iter().filter(|e| e.kind == EventKind::Message) {
        let Some(id) = entry.author_id else { continue };
        if participants.iter().all(|x| x.id != id) && suggested.iter().all(|x| x.id != id) {
            if let Some(person) = people.iter().find(|x| x.id == id) {
                suggested.push(person.clone());
            }
        }
    }
    let started_by = user::Entity::find_by_id(p.started_by)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let (state, contents) = docs.read(db, p.id).await?;
    Ok(PostmortemInfo {
        status: p.status,
        started: stamp(p.started_at, tz),
        started_by,
        participants,
        suggested,
        meeting: p.meeting_at.map(|at| stamp(at, tz)),
        published: p.published_at.map(|at| stamp(at, tz)),
        state: document::encode(&state),
        open_hints: open_hints(&contents),
        contents,
    })
}

/// The blameless hints open in a document.
pub fn open_hints(contents: &Contents) -> usize {
    contents
        .passages()
        .iter()
        .map(|(_, text)| blameless_hints(text).len())
        .sum()
}

async fn participants_of(
    db: &impl ConnectionTrait,
    postmortem: i64,
) -> Result<Vec<Person>, AppError> {
    Ok(postmortem_participant::Entity::find()
        .filter(postmortem_participant::Column::PostmortemId.eq(postmortem))
        .order_by_asc(postmortem_participant::Column::AddedAt)
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(_, u)| {
            u.map(|u| Person {
                id: u.id,
                name: u.name,
            })
        })
        .collect())
}

/// The impact answer of the latest email about the incident, if one was sent.
async fn latest_email_impact(
    db: &impl ConnectionTrait,
    number: i64,
) -> Result<Option<String>, AppError> {
    let latest = email::Entity::find()
        .filter(email::Column::IncidentId.eq(number))
        .order_by_desc(email::Column::Id)
        .one(db)
        .await?;
    Ok(latest
        .and_then(|m| serde_json::from_str::<crate::domain::EmailDraft>(&m.fields).ok())
        .map(|d| d.impact.trim().to_string())
        .filter(|s| !s.is_empty()))
}

/// A document update from a writer. A published postmortem takes none.
pub async fn write(
    db: &(impl TransactionTrait + ConnectionTrait),
    docs: &Documents,
    actor: &CurrentUser,
    number: i64,
    update: &[u8],
) -> Result<(), AppError> {
    let p = existing(db, number).await?;
    if !p.status.editable() {
        return Err(AppError::Conflict(
            "The postmortem is published and read-only: reopen it to edit.".into(),
        ));
    }
    docs.write(db, p.id, number, actor.id, update).await
}

/// Adds or removes a participant, with a timeline line.
pub async fn set_participant(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    number: i64,
    user_id: i64,
    present: bool,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(&*db).await?;
    let p = existing(&txn, number).await?;
    let person = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::invalid("participant", "Pick someone who uses Stormwatch."))?;
    let key = (p.id, user_id);
    let there = postmortem_participant::Entity::find_by_id(key)
        .one(&txn)
        .await?
        .is_some();
    let body = match (present, there) {
        (true, false) => {
            postmortem_participant::ActiveModel {
                postmortem_id: Set(p.id),
                user_id: Set(user_id),
                added_at: Set(Utc::now()),
            }
            .insert(&txn)
            .await?;
            format!("added @{} to the postmortem's participants", person.name)
        }
        (false, true) => {
            postmortem_participant::Entity::delete_by_id(key)
                .exec(&txn)
                .await?;
            format!(
                "removed @{} from the postmortem's participants",
                person.name
            )
        }
        _ => return Ok(()),
    };
    step(txn, actor, number, body, json!({ "step": if present { "participant_added" } else { "participant_removed" }, "user": user_id })).await
}

/// Moves the postmortem along its lifecycle, with a timeline line; moving to review
/// says how many blameless hints were still open.
pub async fn move_to(
    db: &(impl TransactionTrait + ConnectionTrait),
    docs: &Documents,
    actor: &CurrentUser,
    number: i64,
    to: PostmortemStatus,
) -> Result<(), AppError> {
    let p = existing(db, number).await?;
    let mut body = p.status.move_to(to)?.to_string();
    if to == PostmortemStatus::InReview {
        let (_, contents) = docs.read(db, p.id).await?;
        match open_hints(&contents) {
            0 => {}
            1 => body.push_str(" — with 1 open blameless hint"),
            n => body.push_str(&format!(" — with {n} open blameless hints")),
        }
        body.push_str(&super::actions::review_notes(db, p.id, &contents.chains).await?);
    }
    let now = Utc::now();
    let txn = crate::ssr::db::begin_write(db).await?;
    let mut update = postmortem::Entity::update_many()
        .col_expr(postmortem::Column::Status, Expr::value(to.as_str()))
        .col_expr(postmortem::Column::UpdatedAt, Expr::value(now))
        .filter(postmortem::Column::Id.eq(p.id))
        .filter(postmortem::Column::Status.eq(p.status.as_str()));
    if to == PostmortemStatus::Published {
        update = update.col_expr(postmortem::Column::PublishedAt, Expr::value(now));
    }
    if update.exec(&txn).await?.rows_affected == 0 {
        return Err(AppError::Conflict(
            "Someone moved this postmortem meanwhile: reload to see it.".into(),
        ));
    }
    step(
        txn,
        actor,
        number,
        body,
        json!({ "step": to.as_str(), "from": p.status.as_str() }),
    )
    .await
}

/// Records when the meeting is held (None: not scheduled), with a timeline line.
pub async fn schedule(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &CurrentUser,
    number: i64,
    at: Option<DateTime<Utc>>,
    tz: Tz,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let p = existing(&txn, number).await?;
    postmortem::Entity::update_many()
        .col_expr(postmortem::Column::MeetingAt, Expr::value(at))
        .col_expr(postmortem::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(postmortem::Column::Id.eq(p.id))
        .exec(&txn)
        .await?;
    let body = match at {
        Some(at) => format!(
            "scheduled the postmortem meeting for {}",
            stamp(at, tz).text
        ),
        None => "cancelled the postmortem meeting".to_string(),
    };
    step(
        txn,
        actor,
        number,
        body,
        json!({ "step": "meeting", "at": at }),
    )
    .await
}

/// How long the invitation books the meeting for.
const MEETING_MINUTES: i64 = 60;

/// Emails the participants an invitation to the meeting (an iCalendar request they can
/// accept), straight to the SMTP server: the error says when it did not go. Returns how
/// many it went to.
pub async fn invite(
    db: &(impl TransactionTrait + ConnectionTrait),
    mailer: &crate::ssr::mail::Mailer,
    public_url: &str,
    actor: &CurrentUser,
    number: i64,
) -> Result<usize, AppError> {
    use icalendar::{Calendar, Component, EventLike, Property};
    use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
    let p = existing(db, number).await?;
    let at = p
        .meeting_at
        .ok_or_else(|| AppError::invalid("meeting", "Schedule the meeting first."))?;
    let i = find(db, number).await?;
    let people: Vec<user::Model> = postmortem_participant::Entity::find()
        .filter(postmortem_participant::Column::PostmortemId.eq(p.id))
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(_, u)| u)
        .collect();
    if people.is_empty() {
        return Err(AppError::invalid(
            "participants",
            "Add the participants first.",
        ));
    }
    let link = format!("{public_url}/incidents/{number}/postmortem");
    let title = format!("Postmortem: #{number} {}", i.title);
    let organizer = mailer.from_address().to_string();
    let mut event = icalendar::Event::new();
    event
        .uid(&format!(
            "postmortem-{}@{}",
            p.id,
            organizer.rsplit('@').next().unwrap_or("stormwatch")
        ))
        .summary(&title)
        .description(&format!("{}\n\n{link}", crate::domain::PREAMBLE.join("\n")))
        .url(&link)
        .starts(at)
        .ends(at + chrono::Duration::minutes(MEETING_MINUTES))
        .timestamp(Utc::now())
        .add_property("ORGANIZER", format!("mailto:{organizer}"));
    for person in &people {
        let mut attendee = Property::new("ATTENDEE", format!("mailto:{}", person.email));
        attendee
            .add_parameter("CN", &person.name)
            .add_parameter("RSVP", "TRUE");
        event.append_multi_property(attendee.done());
    }
    let calendar = Calendar::new()
        .append_property(Property::new("METHOD", "REQUEST"))
        .push(event.done())
        .done()
        .to_string();
    let from: Mailbox = mailer
        .settings
        .from
        .parse()
        .map_err(|_| AppError::Internal)?;
    let mut message = lettre::Message::builder().from(from).subject(title.clone());
    let mut to = Vec::new();
    for person in &people {
        if let Ok(mailbox) = format!("{} <{}>", person.name, person.email).parse::<Mailbox>() {
            message = message.to(mailbox);
            to.push(person.email.clone());
        }
    }
    let text = format!(
        "You are invited to the blameless postmortem of incident #{number}, {}.\n\n{}\n\n{link}\n",
        i.title,
        crate::domain::PREAMBLE.join("\n")
    );
    let calendar_type = ContentType::parse("text/calendar; method=REQUEST; charset=utf-8")
        .map_err(|_| AppError::Internal)?;
    let message = message
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text))
                .singlepart(Attachment::new("invite.ics".into()).body(calendar, calendar_type)),
        )
        .map_err(|e| {
            tracing::error!(error = %e, "the invitation does not build");
            AppError::Internal
        })?;
    match mailer.send_now(&to, &message.formatted()).await {
        None => {
            return Err(AppError::Conflict(
                "No mail server is configured (SMTP_URL), so the invitation cannot be sent.".into(),
            ))
        }
        Some(Err(reason)) => {
            return Err(AppError::Conflict(format!(
            "The mail server did not take the invitation ({reason}): nothing was sent, try again."
        )))
        }
        Some(Ok(())) => {}
    }
    let txn = crate::ssr::db::begin_write(db).await?;
    let body = format!(
        "sent the postmortem meeting's invitation to {} participant{}",
        to.len(),
        if to.len() == 1 { "" } else { "s" }
    );
    step(
        txn,
        actor,
        number,
        body,
        json!({ "step": "invited", "to": to.len() }),
    )
    .await?;
    Ok(to.len())
}

/// The postmortem in Markdown, in the seed's layout (times in the organisation's zone).
pub async fn markdown(
    db: &impl ConnectionTrait,
    docs: &Documents,
    viewer: &CurrentUser,
    number: i64,
    default_zone: Tz,
) -> Result<String, AppError> {
    let p = existing(db, number).await?;
    if !viewer.role.allows(Permission::Respond) && p.status != PostmortemStatus::Published {
        return Err(AppError::NotFound(format!(
            "A published postmortem of incident #{number}"
        )));
    }
    let i = find(db, number).await?;
    let zone = settings::calendar(db, default_zone).await?.zone;
    let participants: Vec<String> = participants_of(db, p.id)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    let leader = match i.leader_id {
        Some(id) => user::Entity::find_by_id(id).one(db).await?.map(|u| u.name),
        None => None,
    };
    let (_, contents) = docs.read(db, p.id).await?;
    let (actions, not_now) = super::actions::export_lines(db, p.id, &contents.chains).await?;
    let stamp = |at: &DateTime<Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    Ok(Export {
        incident: number,
        title: &i.title,
        status: p.status,
        participants: &participants,
        leader: leader.as_deref(),
        document: &contents,
        stamp: &stamp,
        actions: &actions,
        not_now: &not_now,
    }
    .markdown())
}

/// Where each incident's postmortem stands, and, for a resolved incident whose
/// postmortem is not published, when it is due: what the dashboard and the status view
/// flag.
pub async fn standing(
    db: &impl ConnectionTrait,
    incidents: &[incident::Model],
    tz: Tz,
    default_zone: Tz,
) -> Result<HashMap<i64, (Option<PostmortemStatus>, Option<Due>)>, AppError> {
    let now = Utc::now();
    let calendar = settings::calendar(db, default_zone).await?;
    let statuses: HashMap<i64, PostmortemStatus> = postmortem::Entity::find()
        .filter(
            postmortem::Column::IncidentId
                .is_in(incidents.iter().map(|i| i.id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.incident_id, p.status))
        .collect();
    Ok(incidents
        .iter()
        .map(|i| {
            let status = statuses.get(&i.id).copied();
            let due = (status != Some(PostmortemStatus::Published))
                .then(|| due_of(i, &calendar, tz, now))
                .flatten();
            (i.id, (status, due))
        })
        .collect())
}
