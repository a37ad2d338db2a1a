//! Delivering the company email. "Send" commits a message as queued (its bytes and
//! `Message-ID` fixed) in the same transaction as its timeline line; the sender here
//! then claims each due message with a lease (so one instance of several on a database
//! sends it), hands it to the SMTP server, and records what happened: sent, or failed
//! with the reason and a next attempt after a growing pause. Without `SMTP_URL` a
//! message goes to the local outbox instead, marked as not delivered.

use crate::{
    domain::{retry_delay_secs, AppError, MailStatus},
    model::live::LiveChange,
    ssr::{entities::email, live},
};
use chrono::{Duration as Span, Utc};
use chrono_tz::Tz;
use lettre::{
    address::Envelope, transport::smtp::AsyncSmtpTransport, Address, AsyncTransport, Tokio1Executor,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

/// How long a sender holds a claimed message before another may take it over.
const LEASE_SECS: i64 = 120;
/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the sender looks for due mail when nothing wakes it.
const POLL: Duration = Duration::from_secs(2);

/// What `SMTP_URL`, `MAIL_FROM` and `ORG_TIME_ZONE` say.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `smtp://[user:pass@]host[:port]` (STARTTLS required unless the host is loopback;
    /// `?tls=opportunistic` or `?tls=none` to change that), or `smtps://…` (TLS from
    /// the first byte). None: the local outbox.
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`: the sender, `Name <address>` or a bare address.
    pub from: String,
    /// `ORG_TIME_ZONE`: the zone the email's times are written in.
    pub org_tz: Tz,
    /// `ACTION_REMINDER_HOUR`: the hour (0–23, the organisation's zone) from which each
    /// business day's corrective-action reminders go out. None: no reminders.
    pub reminder_hour: Option<u32>,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Stormwatch <stormwatch@localhost>".into(),
            org_tz: Tz::UTC,
            reminder_hour: None,
        }
    }
}

/// The process's mail sender, shared by clone.
#[derive(Clone)]
pub struct Mailer {
    pub settings: Arc<MailSettings>,
    /// The address part of `MAIL_FROM` (the envelope's sender).
    from_address: Arc<str>,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    wake: Arc<Notify>,
}

impl Mailer {
    /// Checks the settings (the error names the variable) without connecting.
    pub fn new(settings: MailSettings) -> Result<Self, (&'static str, String)> {
        let from = settings
            .from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| {
                (
                    "MAIL_FROM",
                    format!("{e}: use an address like Stormwatch <incidents@example.com>"),
                )
            })?;
        let transport = match &settings.smtp_url {
            None => None,
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&with_tls_default(url))
                    .map_err(|e| {
                        (
                            "SMTP_URL",
                            format!(
                                "{e}: use smtp://user:pass@host:587 or smtps://user:pass@host:465"
                            ),
                        )
                    })?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
        };
        Ok(Self {
            settings: Arc::new(settings),
            from_address: from.email.to_string().into(),
            transport,
            wake: Arc::new(Notify::new()),
        })
    }

    /// No SMTP server is configured: messages go to the local outbox.
    pub fn outbox_only(&self) -> bool {
        self.transport.is_none()
    }

    /// The address part of `MAIL_FROM`.
    pub fn from_address(&self) -> &str {
        &self.from_address
    }

    /// Hands a message straight to the SMTP server — not queued, so the caller learns at
    /// once whether it went (the postmortem meeting's invitation). None: no SMTP server
    /// is configured.
    pub async fn send_now(&self, to: &[String], raw: &[u8]) -> Option<Result<(), String>> {
        let transport = self.transport.as_ref()?;
        Some(send_raw(transport, &self.from_address, to, raw).await)
    }

    /// Tells the sender a message was queued (or is to be retried now).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs the sender until the process ends: delivers what is due, then waits to be
    /// woken or for the next poll. Queued mail from before a restart is due at once.
    /// Without an SMTP server there is nothing to run: "Send" puts mail in the outbox,
    /// and mail another instance queued stays for an instance that can deliver it.
    pub fn start(&self, db: DatabaseConnection) {
        if self.transport.is_none() {
            return;
        }
        let mailer = self.clone();
        tokio::spawn(async move {
            loop {
                loop {
                    match mailer.deliver_next(&db).await {
                        Ok(true) => continue,
                        Ok(false) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "the mail sender could not read its queue");
                            break;
                        }
                    }
                }
                tokio::select! {
                    _ = mailer.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
    }

    /// Claims one due message and delivers it; false when none is due.
    async fn deliver_next(&self, db: &DatabaseConnection) -> Result<bool, AppError> {
        let Some(message) = claim(db).await? else {
            return Ok(false);
        };
        let Some(transport) = &self.transport else {
            return Ok(false);
        };
        let outcome = send(transport, &message).await;
        let now = Utc::now();
        let attempts = message.attempts + 1;
        let mut update = email::Entity::update_many()
            .col_expr(email::Column::Attempts, Expr::value(attempts))
            .col_expr(
                email::Column::ClaimedUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(email::Column::Id.eq(message.id));
        update = match &outcome {
            Ok(()) => {
                tracing::info!(id = message.id, "email sent");
                crate::ssr::metrics::mail("sent");
                update
                    .col_expr(
                        email::Column::Status,
                        Expr::value(MailStatus::Sent.as_str()),
                    )
                    .col_expr(email::Column::SentAt, Expr::value(Some(now)))
                    .col_expr(
                        email::Column::LastError,
                        Expr::value(Option::<String>::None),
                    )
            }
            Err(reason) => {
                tracing::warn!(id = message.id, attempts, %reason, "email delivery failed");
                crate::ssr::metrics::mail("failed");
                let next = now + Span::seconds(retry_delay_secs(attempts as u32) as i64);
                update
                    .col_expr(
                        email::Column::Status,
                        Expr::value(MailStatus::Failed.as_str()),
                    )
                    .col_expr(email::Column::LastError, Expr::value(Some(reason.clone())))
                    .col_expr(email::Column::NextAttemptAt, Expr::value(next))
            }
        };
        let txn = crate::ssr::db::begin_write(db).await?;
        update.exec(&txn).await?;
        if let Some(incident) = message.incident_id {
            live::append(&txn, &[LiveChange::Incident(incident)]).await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}

/// 128 random bits in hex: the unique part of a `Message-ID`.
pub(crate) fn random_token() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// Queues a message from Stormwatch itself (a corrective-action reminder) where the
/// company email queues its own: the sender delivers it, or without an SMTP server it
/// stays in the local outbox. Written with the caller's transaction; returns its id.
pub async fn queue_notice(
    db: &impl sea_orm::ConnectionTrait,
    mailer: &Mailer,
    to: (&str, &str),
    subject: &str,
    text: &str,
) -> Result<i64, AppError> {
    use lettre::message::{header::ContentType, Mailbox};
    use sea_orm::{ActiveModelTrait, Set};
    let (name, address) = to;
    let recipient: Mailbox = format!("{name} <{address}>")
        .parse()
        .or_else(|_| address.parse())
        .map_err(|_| {
            AppError::invalid(
                "email",
                format!("{address} is not an address mail can go to."),
            )
        })?;
    let from: Mailbox = mailer
        .settings
        .from
        .parse()
        .map_err(|_| AppError::Internal)?;
    let domain = mailer
        .from_address()
        .rsplit('@')
        .next()
        .unwrap_or("stormwatch");
    let message_id = format!("notice.{}@{domain}", random_token());
    let raw = lettre::Message::builder()
        .from(from)
        .to(recipient)
        .subject(subject)
        .message_id(Some(format!("<{message_id}>")))
        .header(ContentType::TEXT_PLAIN)
        .body(text.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "a notice does not build");
            AppError::Internal
        })?
        .formatted();
    let stored = email::ActiveModel {
        incident_id: Set(None),
        author_id: Set(None),
        message_id: Set(message_id),
        references: Set(String::new()),
        subject: Set(subject.to_string()),
        from_address: Set(mailer.from_address().to_string()),
        recipients: Set(address.to_string()),
        list_names: Set(String::new()),
        fields: Set("{}".into()),
        html: Set(String::new()),
        text: Set(text.to_string()),
        raw: Set(String::from_utf8_lossy(&raw).into_owned()),
        hints: Set(0),
        ..queued(mailer, Utc::now())
    }
    .insert(db)
    .await?;
    Ok(stored.id)
}

/// A new message's delivery columns as queueing sets them: queued for the sender, or
/// kept in the local outbox when no SMTP server is configured (counted as such: a
/// message is made only to be inserted in the transaction that makes it).
pub(crate) fn queued(mailer: &Mailer, now: chrono::DateTime<Utc>) -> email::ActiveModel {
    use sea_orm::Set;
    let status = if mailer.outbox_only() {
        MailStatus::Outbox
    } else {
        MailStatus::Queued
    };
    crate::ssr::metrics::mail(status.as_str());
    email::ActiveModel {
        status: Set(status),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
}

/// `smtp://` to a host other than loopback requires STARTTLS unless the URL says
/// otherwise; `?tls=none` asks for none (lettre's plain `smtp://`).
fn with_tls_default(url: &str) -> String {
    let has_tls = url.contains("tls=");
    if let Some(plain) = url.strip_suffix("?tls=none") {
        return plain.to_string();
    }
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.rsplit('@').next())
        .map(|h| h.split([':', '/', '?']).next().unwrap_or(""))
        .unwrap_or("");
    let loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
    if url.starts_with("smtp://") && !has_tls && !loopback {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}tls=required")
    } else {
        url.to_string()
    }
}

/// Takes the lease on the due message queued longest ago, if another sender has not.
async fn claim(db: &DatabaseConnection) -> Result<Option<email::Model>, AppError> {
    let now = Utc::now();
    let free = Condition::any()
        .add(email::Column::ClaimedUntil.is_null())
        .add(email::Column::ClaimedUntil.lt(now));
    let due = || {
        Condition::all()
            .add(
                email::Column::Status
                    .is_in([MailStatus::Queued.as_str(), MailStatus::Failed.as_str()]),
            )
            .add(email::Column::NextAttemptAt.lte(now))
            .add(free.clone())
    };
    let txn = crate::ssr::db::begin_write(db).await?;
    let Some(candidate) = email::Entity::find()
        .filter(due())
        .order_by_asc(email::Column::NextAttemptAt)
        .order_by_asc(email::Column::Id)
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    // Only one sender's update finds the message still free.
    let taken = email::Entity::update_many()
        .col_expr(
            email::Column::ClaimedUntil,
            Expr::value(Some(now + Span::seconds(LEASE_SECS))),
        )
        .filter(email::Column::Id.eq(candidate.id))
        .filter(due())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    txn.commit().await?;
    Ok(taken.then_some(candidate))
}

/// Hands the stored bytes to the SMTP server, exactly as they were queued.
async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    message: &email::Model,
) -> Result<(), String> {
    send_raw(
        transport,
        &message.from_address,
        &message.recipient_list(),
        message.raw.as_bytes(),
    )
    .await
}

async fn send_raw(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &str,
    to: &[impl AsRef<str>],
    raw: &[u8],
) -> Result<(), String> {
    let from: Address = from
        .parse()
        .map_err(|e| format!("the sender address is not valid: {e}"))?;
    let to = to
        .iter()
        .map(|a| a.as_ref().parse::<Address>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a recipient address is not valid: {e}"))?;
    let envelope = Envelope::new(Some(from), to).map_err(|e| e.to_string())?;
    transport
        .send_raw(&envelope, raw)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::with_tls_default;

    #[test]
    fn smtp_to_a_remote_host_requires_starttls_unless_told_otherwise() {
        assert_eq!(
            with_tls_default("smtp://u:p@mail.example.com:587"),
            "smtp://u:p@mail.example.com:587?tls=required"
        );
        assert_eq!(
            with_tls_default("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            with_tls_default("smtp://mail.example.com:25?tls=none"),
            "smtp://mail.example.com:25"
        );
        assert_eq!(
            with_tls_default("smtps://u:p@mail.example.com"),
            "smtps://u:p@mail.example.com"
        );
    }
}
