//! The company email of an incident: the composer's starting point and its draft, the
//! preview, "Send" (queued with its timeline line in one transaction; `ssr::mail`
//! delivers it), the thread, and the stored messages.

pub mod lists;
pub mod message;
pub mod team;

use super::incidents::{find, record, services_of};
use crate::{
    domain::{
        default_subject, opening, reply_subject, AppError, EmailDraft, EventKind, MailStatus,
        Status, DEFAULT_NEXT_STEPS,
    },
    model::{
        email::{Composer, EmailMessage, EmailSummary, Preview, Saved},
        session::CurrentUser,
    },
    ssr::{
        entities::{distribution_list, email, email_draft, incident, user},
        mail::Mailer,
        time::stamp,
    },
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use message::{build, Envelope};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;

/// How many messages the outbox lists.
pub const OUTBOX_SHOWN: u64 = 200;

/// The composer for an incident: the saved draft if there is one, else the template
/// prefilled from the incident (a first email) or from the thread's last message (an
/// update on it).
pub async fn composer(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    number: i64,
    public_url: &str,
    tz: Tz,
) -> Result<Composer, AppError> {
    let i = find(db, number).await?;
    // The organisation's zone as an admin set it (`/admin/calendar`), else ORG_TIME_ZONE.
    let org_tz = super::settings::calendar(db, mailer.settings.org_tz)
        .await?
        .zone;
    let team = team::of(db, number).await?;
    let customers = super::customers::counts_of(&i);
    let customers_url = format!("{public_url}/incidents/{number}/customers");
    let lists = lists::all(db).await?;
    let thread = thread_models(db, number).await?;
    let replying_to = match thread.last() {
        Some(last) => Some(summary(db, last.clone(), tz).await?),
        None => None,
    };
    let saved = email_draft::Entity::find_by_id(number)
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    let (draft, version, saved_by, saved_at) = match saved {
        Some((row, by)) => (
            serde_json::from_str(&row.fields).unwrap_or_default(),
            row.version,
            by.map(|u| u.name),
            Some(stamp(row.updated_at, tz)),
        ),
        None => {
            let draft = match (thread.first(), thread.last()) {
                (Some(first), Some(last)) => {
                    let mut draft: EmailDraft =
                        serde_json::from_str(&last.fields).unwrap_or_default();
                    draft.subject = reply_subject(&first.subject);
                    draft
                }
                _ => EmailDraft {
                    subject: default_subject(&i.title, &i.started_at.with_timezone(&org_tz)),
                    customers: format!(
                        "{} orgs, {} apps: <{customers_url}>",
                        customers.orgs, customers.apps
                    ),
                    current_status: current_status(&i, org_tz),
                    next_steps: DEFAULT_NEXT_STEPS.to_string(),
                    lists: lists
                        .iter()
                        .filter(|l| l.is_default)
                        .map(|l| l.id)
                        .collect(),
                    ..Default::default()
                },
            };
            (draft, 0, None, None)
        }
    };
    Ok(Composer {
        number,
        opening: opening_of(db, &i, org_tz).await?,
        title: i.title,
        team,
        customers,
        customers_url,
        draft,
        version,
        saved_by,
        saved: saved_at,
        lists,
        replying_to,
        outbox_only: mailer.outbox_only(),
    })
}

/// A first answer to "What is the current status of the issue?".
fn current_status(i: &incident::Model, tz: Tz) -> String {
    match (i.status, i.resolved_at) {
        (Status::Resolved, Some(at)) => format!(
            "Resolved at {} on {}.",
            at.with_timezone(&tz).format("%H:%M %Z"),
            at.with_timezone(&tz).format("%Y-%m-%d")
        ),
        (status, _) => format!("{}: engineers are working on a fix.", status.label()),
    }
}

async fn opening_of(
    db: &impl ConnectionTrait,
    i: &incident::Model,
    tz: Tz,
) -> Result<String, AppError> {
    let services = services_of(db, vec![i.id])
        .await?
        .remove(&i.id)
        .unwrap_or_default();
    let began = i.started_at.with_timezone(&tz);
    let ended = i.resolved_at.map(|at| at.with_timezone(&tz));
    Ok(opening(&services, &began, ended.as_ref()))
}

/// Saves the draft over version `base` (0: there was none). A save over a version
/// someone else saved meanwhile is refused: their words are not silently replaced.
pub async fn save_draft(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    draft: &EmailDraft,
    base: i64,
    tz: Tz,
) -> Result<Saved, AppError> {
    draft.check_sizes()?;
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    check_draft_version(&txn, number, base).await?;
    let now = Utc::now();
    let fields = serde_json::to_string(draft).map_err(|_| AppError::Internal)?;
    if base == 0 {
        email_draft::ActiveModel {
            incident_id: Set(number),
            fields: Set(fields),
            version: Set(1),
            updated_by: Set(actor.id),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    } else {
        let updated = email_draft::Entity::update_many()
            .col_expr(email_draft::Column::Fields, Expr::value(fields))
            .col_expr(email_draft::Column::Version, Expr::value(base + 1))
            .col_expr(email_draft::Column::UpdatedBy, Expr::value(actor.id))
            .col_expr(email_draft::Column::UpdatedAt, Expr::value(now))
            .filter(email_draft::Column::IncidentId.eq(number))
            .filter(email_draft::Column::Version.eq(base))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Err(newer_draft(&txn, number).await);
        }
    }
    txn.commit().await?;
    Ok(Saved {
        version: base + 1,
        at: stamp(now, tz),
    })
}

/// The draft still stands at `base`, or the error says who saved over it.
async fn check_draft_version(
    db: &impl ConnectionTrait,
    number: i64,
    base: i64,
) -> Result<(), AppError> {
    let current = email_draft::Entity::find_by_id(number).one(db).await?;
    match current {
        Some(row) if row.version != base => Err(newer_draft(db, number).await),
        None if base != 0 => Err(AppError::Conflict(
            "This draft was sent or discarded meanwhile: reload to see the thread. Your text is still in the form."
                .into(),
        )),
        _ => Ok(()),
    }
}

async fn newer_draft(db: &impl ConnectionTrait, number: i64) -> AppError {
    let by = match email_draft::Entity::find_by_id(number)
        .find_also_related(user::Entity)
        .one(db)
        .await
    {
        Ok(Some((_, Some(u)))) => format!("@{}", u.name),
        _ => "Someone".to_string(),
    };
    AppError::Conflict(format!(
        "{by} saved a newer draft meanwhile: reload to see it before saving. Your text is still in the form."
    ))
}

/// The message as it would arrive if sent now.
pub async fn preview(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    number: i64,
    draft: &EmailDraft,
) -> Result<Preview, AppError> {
    draft.check_sizes()?;
    let prepared = prepare(db, mailer, number, draft, false).await?;
    let to = if prepared.to.is_empty() {
        vec!["(no recipients yet)".to_string()]
    } else {
        prepared.to.clone()
    };
    let built = build(
        &prepared.envelope(&to, "preview@stormwatch", Utc::now()),
        draft,
    )?;
    Ok(Preview {
        headers: built.headers,
        html: built.html,
        text: built.text,
        attachment: built.attachment,
        hints: built.hints,
    })
}

/// What a message needs from the database.
struct Prepared {
    opening: String,
    team: Vec<(crate::domain::TeamRole, Vec<String>)>,
    from: String,
    to: Vec<String>,
    list_names: Vec<String>,
    thread: Vec<String>,
    csv: Option<(String, String)>,
}

impl Prepared {
    fn envelope<'a>(
        &'a self,
        to: &'a [String],
        message_id: &'a str,
        date: DateTime<Utc>,
    ) -> Envelope<'a> {
        Envelope {
            opening: &self.opening,
            team: &self.team,
            from: &self.from,
            to,
            thread: &self.thread,
            csv: self.csv.clone(),
            message_id,
            date,
        }
    }
}

/// Looks up the lists, the team, the thread and (when asked for) the table; with
/// `strict`, the draft must be ready to send.
async fn prepare(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    number: i64,
    draft: &EmailDraft,
    strict: bool,
) -> Result<Prepared, AppError> {
    let i = find(db, number).await?;
    // The organisation's zone as an admin set it (`/admin/calendar`), else ORG_TIME_ZONE.
    let org_tz = super::settings::calendar(db, mailer.settings.org_tz)
        .await?
        .zone;
    let picked = distribution_list::Entity::find()
        .filter(distribution_list::Column::Id.is_in(draft.lists.clone()))
        .order_by_asc(distribution_list::Column::Name)
        .all(db)
        .await?;
    if picked.len() != draft.lists.len() {
        return Err(AppError::invalid(
            "lists",
            "A distribution list picked here was removed meanwhile: pick again.",
        ));
    }
    let list_addresses: Vec<String> = picked.iter().flat_map(|l| l.address_list()).collect();
    let to = if strict {
        draft.check(&list_addresses)?
    } else {
        draft.check(&list_addresses).unwrap_or(list_addresses)
    };
    let team = team::of(db, number).await?;
    let team = crate::domain::TeamRole::ALL
        .into_iter()
        .map(|role| (role, team.names(role)))
        .collect();
    let thread = thread_models(db, number)
        .await?
        .into_iter()
        .map(|m| m.message_id)
        .collect();
    let csv = if draft.attach_csv {
        Some((
            format!("incident-{number}-affected-customers.csv"),
            super::customers::export(db, number, false).await?,
        ))
    } else {
        None
    };
    Ok(Prepared {
        opening: opening_of(db, &i, org_tz).await?,
        team,
        from: mailer.settings.from.clone(),
        to,
        list_names: picked.into_iter().map(|l| l.name).collect(),
        thread,
        csv,
    })
}

/// Sends the draft: checks it, fixes its bytes and `Message-ID`, and commits it as
/// queued with its timeline line and without the draft, all at once; then wakes the
/// sender. Returns the stored message's id.
pub async fn send(
    db: &impl TransactionTrait,
    mailer: &Mailer,
    actor: &CurrentUser,
    number: i64,
    draft: &EmailDraft,
    base: i64,
) -> Result<i64, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    // (A missing incident has no draft either; `prepare` then names it.)
    check_draft_version(&txn, number, base).await?;
    let prepared = prepare(&txn, mailer, number, draft, true).await?;
    let now = Utc::now();
    let domain = mailer
        .from_address()
        .rsplit('@')
        .next()
        .unwrap_or("stormwatch")
        .to_string();
    let message_id = format!(
        "incident-{number}.{}@{domain}",
        crate::ssr::mail::random_token()
    );
    let built = build(&prepared.envelope(&prepared.to, &message_id, now), draft)?;
    let hints = built.hints.len() as i32;
    let status = if mailer.outbox_only() {
        MailStatus::Outbox
    } else {
        MailStatus::Queued
    };
    let stored = email::ActiveModel {
        incident_id: Set(Some(number)),
        author_id: Set(Some(actor.id)),
        message_id: Set(message_id),
        references: Set(prepared.thread.join(" ")),
        subject: Set(built.subject.clone()),
        from_address: Set(mailer.from_address().to_string()),
        recipients: Set(prepared.to.join("\n")),
        list_names: Set(prepared.list_names.join(", ")),
        fields: Set(serde_json::to_string(draft).map_err(|_| AppError::Internal)?),
        html: Set(built.html),
        text: Set(built.text),
        raw: Set(built.raw),
        hints: Set(hints),
        ..crate::ssr::mail::queued(mailer, now)
    }
    .insert(&txn)
    .await?;
    let verb = if prepared.thread.is_empty() {
        "emailed the company"
    } else {
        "sent an update to the company"
    };
    let mut body = format!(
        "{verb}: {} ({}, {} recipient{})",
        stored.subject,
        describe_lists(&prepared.list_names),
        prepared.to.len(),
        if prepared.to.len() == 1 { "" } else { "s" }
    );
    if hints > 0 {
        body.push_str(&format!(
            " — sent with {hints} unresolved wording hint{}",
            if hints == 1 { "" } else { "s" }
        ));
    }
    if status == MailStatus::Outbox {
        body.push_str(" — not delivered: no SMTP server is configured, it is in the local outbox");
    }
    record(
        &txn,
        number,
        Some(actor.id),
        EventKind::EmailSent,
        body,
        json!({ "email": stored.id }),
        now,
    )
    .await?;
    email_draft::Entity::delete_by_id(number).exec(&txn).await?;
    txn.commit().await?;
    mailer.wake();
    tracing::info!(id = stored.id, number, "email queued");
    Ok(stored.id)
}

fn describe_lists(names: &[String]) -> String {
    match names {
        [] => "addresses added by hand".to_string(),
        [one] => format!("{one} list"),
        many => format!("{} lists", many.join(", ")),
    }
}

/// A unique, unguessable part for a `Message-ID`.
/// "Retry now": a failed (or still queued) message is due at once.
pub async fn retry(db: &impl ConnectionTrait, mailer: &Mailer, id: i64) -> Result<(), AppError> {
    let message = email::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Email {id}")))?;
    if !matches!(message.status, MailStatus::Failed | MailStatus::Queued) {
        return Err(AppError::invalid(
            "email",
            format!(
                "This message is {}: there is nothing to retry.",
                message.status.label()
            ),
        ));
    }
    email::Entity::update_many()
        .col_expr(email::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(email::Column::Id.eq(id))
        .exec(db)
        .await?;
    mailer.wake();
    Ok(())
}

async fn thread_models(
    db: &impl ConnectionTrait,
    number: i64,
) -> Result<Vec<email::Model>, AppError> {
    Ok(email::Entity::find()
        .filter(email::Column::IncidentId.eq(number))
        .order_by_asc(email::Column::Id)
        .all(db)
        .await?)
}

/// An incident's thread, oldest first.
pub async fn thread(
    db: &impl ConnectionTrait,
    number: i64,
    tz: Tz,
) -> Result<Vec<EmailSummary>, AppError> {
    let models = thread_models(db, number).await?;
    summaries(db, models, tz).await
}

/// Every stored message, newest first: the admin's outbox.
pub async fn outbox(db: &impl ConnectionTrait, tz: Tz) -> Result<Vec<EmailSummary>, AppError> {
    let models = email::Entity::find()
        .order_by_desc(email::Column::Id)
        .limit(OUTBOX_SHOWN)
        .all(db)
        .await?;
    summaries(db, models, tz).await
}

/// Each incident's latest message (of those that have one), for the status view.
pub async fn latest_of(
    db: &impl ConnectionTrait,
    incidents: Vec<i64>,
    tz: Tz,
) -> Result<Vec<EmailSummary>, AppError> {
    if incidents.is_empty() {
        return Ok(vec![]);
    }
    let models = email::Entity::find()
        .filter(email::Column::IncidentId.is_in(incidents))
        .order_by_asc(email::Column::Id)
        .all(db)
        .await?;
    let mut latest: HashMap<i64, email::Model> = HashMap::new();
    for m in models {
        if let Some(incident) = m.incident_id {
            latest.insert(incident, m);
        }
    }
    let mut latest: Vec<email::Model> = latest.into_values().collect();
    latest.sort_by_key(|m| m.incident_id);
    summaries(db, latest, tz).await
}

/// One stored message, whole.
pub async fn message(
    db: &impl ConnectionTrait,
    id: i64,
    viewer: &CurrentUser,
    tz: Tz,
) -> Result<EmailMessage, AppError> {
    let m = email::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Email {id}")))?;
    let retryable = matches!(m.status, MailStatus::Failed | MailStatus::Queued)
        && viewer.role.allows(crate::domain::Permission::Respond);
    Ok(EmailMessage {
        message_id: m.message_id.clone(),
        references: m
            .references
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        from: m.from_address.clone(),
        to: m.recipient_list(),
        html: m.html.clone(),
        text: m.text.clone(),
        attempts: m.attempts,
        hints: m.hints,
        retryable,
        summary: summary(db, m, tz).await?,
    })
}

async fn summary(
    db: &impl ConnectionTrait,
    m: email::Model,
    tz: Tz,
) -> Result<EmailSummary, AppError> {
    Ok(summaries(db, vec![m], tz).await?.remove(0))
}

async fn summaries(
    db: &impl ConnectionTrait,
    models: Vec<email::Model>,
    tz: Tz,
) -> Result<Vec<EmailSummary>, AppError> {
    let names: HashMap<i64, String> = user::Entity::find()
        .filter(
            user::Column::Id.is_in(
                models
                    .iter()
                    .filter_map(|m| m.author_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(models
        .into_iter()
        .map(|m| {
            let draft: EmailDraft = serde_json::from_str(&m.fields).unwrap_or_default();
            EmailSummary {
                id: m.id,
                incident: m.incident_id,
                recipients: m.recipients.lines().count(),
                lists: m.list_names.clone(),
                author: match m.author_id {
                    Some(id) => names.get(&id).cloned().unwrap_or_default(),
                    None => "Stormwatch".into(),
                },
                queued: stamp(m.created_at, tz),
                sent: m.sent_at.map(|at| stamp(at, tz)),
                excerpt: excerpt(if draft.impact.trim().is_empty() {
                    &draft.cause
                } else {
                    &draft.impact
                }),
                subject: m.subject,
                status: m.status,
                last_error: m.last_error,
            }
        })
        .collect())
}

/// The first 200 characters of an answer, on one line, without its Markdown.
fn excerpt(text: &str) -> String {
    let flat = crate::ssr::markdown::plain(text);
    if flat.chars().count() > 200 {
        format!("{}…", flat.chars().take(199).collect::<String>())
    } else {
        flat
    }
}
