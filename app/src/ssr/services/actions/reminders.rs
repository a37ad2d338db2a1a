//! The daily reminder: on each business day, from the configured hour in the
//! organisation's zone, every assignee gets one email listing their open actions due
//! within two business days and the overdue ones. The mail goes through the company
//! email's queue (SMTP, or the local outbox). A row per assignee and day, inserted in
//! the transaction that queues the message, makes it once however many instances run.

use crate::{
    domain::{postmortem::actions::REMIND_WITHIN, ActionStatus, AppError, Urgency},
    ssr::{
        entities::{action_reminder, corrective_action as action, incident, user},
        mail::{queue_notice, Mailer},
        services::settings,
    },
};
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, TryInsertResult,
};
use std::{collections::BTreeMap, collections::HashMap, time::Duration};

/// How often an instance looks whether the day's reminders are due.
const EVERY: Duration = Duration::from_secs(60);

/// Sends the reminders due at `now` (none before `hour` or on a day off) that no
/// instance has sent today; returns how many this call queued.
pub async fn run(
    db: &(impl TransactionTrait + ConnectionTrait),
    mailer: &Mailer,
    public_url: &str,
    default_zone: Tz,
    hour: u32,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let calendar = settings::calendar(db, default_zone).await?;
    let local = now.with_timezone(&calendar.zone);
    let today = local.date_naive();
    if !calendar.days.is_business_day(today) || local.hour() < hour {
        return Ok(0);
    }
    let horizon = calendar.days.horizon(today, REMIND_WITHIN);
    let sent: Vec<i64> = action_reminder::Entity::find()
        .filter(action_reminder::Column::Day.eq(today))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    let due = action::Entity::find()
        .filter(action::Column::Status.is_in(ActionStatus::OPEN.map(|s| s.as_str())))
        .filter(action::Column::DueOn.lte(horizon))
        .filter(action::Column::AssigneeId.is_not_in(sent))
        .order_by_asc(action::Column::DueOn)
        .order_by_asc(action::Column::Id)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let mut by_assignee: BTreeMap<i64, (user::Model, Vec<action::Model>)> = BTreeMap::new();
    for (a, u) in due {
        let Some(u) = u.filter(|u| !u.disabled) else {
            continue;
        };
        by_assignee
            .entry(u.id)
            .or_insert_with(|| (u, Vec::new()))
            .1
            .push(a);
    }
    if by_assignee.is_empty() {
        return Ok(0);
    }
    let titles: HashMap<i64, String> = incident::Entity::find()
        .filter(
            incident::Column::Id.is_in(
                by_assignee
                    .values()
                    .flat_map(|(_, actions)| actions.iter().map(|a| a.incident_id))
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.title))
        .collect();
    let mut queued = 0;
    for (person, actions) in by_assignee.into_values() {
        let (subject, text) = message(&person, &actions, &titles, public_url, |due| {
            calendar.days.action_due(due, today)
        });
        let txn = crate::ssr::db::begin_write(db).await?;
        let email =
            queue_notice(&txn, mailer, (&person.name, &person.email), &subject, &text).await;
        let email = match email {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(user = person.id, error = %e, "no reminder for this assignee");
                continue;
            }
        };
        let claimed = action_reminder::Entity::insert(action_reminder::ActiveModel {
            user_id: Set(person.id),
            day: Set(today),
            email_id: Set(email),
            sent_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([
            action_reminder::Column::UserId,
            action_reminder::Column::Day,
        ])
        .exec_without_returning(&txn)
        .await?;
        if matches!(claimed, TryInsertResult::Inserted(n) if n > 0) {
            txn.commit().await?;
            queued += 1;
        } else {
            // Another instance sent today's: its message stands, this one is dropped.
            txn.rollback().await?;
        }
    }
    if queued > 0 {
        mailer.wake();
    }
    Ok(queued)
}

/// The reminder's subject and text.
fn message(
    person: &user::Model,
    actions: &[action::Model],
    titles: &HashMap<i64, String>,
    public_url: &str,
    standing: impl Fn(NaiveDate) -> crate::domain::ActionDue,
) -> (String, String) {
    let overdue = actions
        .iter()
        .filter(|a| standing(a.due_on).urgency == Urgency::Overdue)
        .count();
    let soon = actions.len() - overdue;
    let mut parts = Vec::new();
    if overdue > 0 {
        parts.push(format!("{overdue} overdue"));
    }
    if soon > 0 {
        parts.push(format!("{soon} due soon"));
    }
    let subject = format!("Your corrective actions: {}", parts.join(", "));
    let mut text = format!(
        "Hello {},\n\nThese corrective actions are yours, overdue or due within {REMIND_WITHIN} business days:\n\n",
        person.name
    );
    for a in actions {
        text.push_str(&format!(
            "- {} — by {} ({})\n  Incident #{} {}: {public_url}/incidents/{}/postmortem\n",
            a.title,
            a.due_on,
            standing(a.due_on).words,
            a.incident_id,
            titles.get(&a.incident_id).map(String::as_str).unwrap_or(""),
            a.incident_id
        ));
    }
    text.push_str(&format!(
        "\nAll of yours: {public_url}/actions?assignee=me\nMark one done from there when it is.\n"
    ));
    (subject, text)
}

/// Runs the reminders until the process ends (`hour` None: never).
pub fn start(
    db: sea_orm::DatabaseConnection,
    mailer: Mailer,
    public_url: String,
    hour: Option<u32>,
) {
    let Some(hour) = hour else { return };
    let zone = mailer.settings.org_tz;
    tokio::spawn(async move {
        loop {
            if let Err(e) = run(&db, &mailer, &public_url, zone, hour, Utc::now()).await {
                tracing::warn!(error = %e, "the action reminders could not run");
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
