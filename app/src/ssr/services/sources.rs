//! Alert sources: adding one issues a webhook URL with a secret in it (kept only as a
//! hash); rotating issues another; a disabled source's deliveries are refused.

use crate::{
    domain::{AppError, AuditAction, NewSource, ServiceName, SigningSecret, SourceKind},
    model::sources::{IssuedSecret, SourceRow, WEBHOOKS},
    ssr::{
        entities::{alert_source as source, alert_source_delivery as delivery},
        secrets::{same, sha256_hex, signature_matches, token},
        services::audit,
        time::stamp,
    },
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Unchanged, ColumnTrait, ConnectionTrait,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Bytes of randomness in a source's public id, its URL secret and an issued signing key.
const PUBLIC_ID_BYTES: usize = 12;
const SECRET_BYTES: usize = 24;
const SIGNING_BYTES: usize = 32;

/// What a delivery brings to prove where it comes from.
pub struct Proof<'a> {
    /// The secret in the URL, if the URL has one.
    pub secret: Option<&'a str>,
    /// Reads a request header.
    pub header: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub body: &'a [u8],
}

/// How long this process trusts what it read of a source. A change made through this
/// server applies at once (the admin functions clear the cache); one made elsewhere
/// (the command line, another instance) within this long.
pub const CACHED_FOR: Duration = Duration::from_secs(1);

/// Sources as this process last read them, by public id (unknown ids too), so a storm
/// of deliveries does not read the same row thousands of times a second.
#[derive(Default)]
pub struct SourceCache {
    entries: Mutex<HashMap<String, (Option<source::Model>, Instant)>>,
}

impl SourceCache {
    async fn get(
        &self,
        db: &impl ConnectionTrait,
        public_id: &str,
    ) -> Result<Option<source::Model>, AppError> {
        if let Some((found, at)) = self.lock().get(public_id) {
            if at.elapsed() < CACHED_FOR {
                return Ok(found.clone());
            }
        }
        let found = source::Entity::find()
            .filter(source::Column::PublicId.eq(public_id))
            .one(db)
            .await?;
        let mut entries = self.lock();
        // Bounded by the sources that exist and what one second of guessing can add.
        if entries.len() > 10_000 {
            entries.clear();
        }
        entries.insert(public_id.to_string(), (found.clone(), Instant::now()));
        Ok(found)
    }

    /// Forgets everything: called after every change to a source.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Option<source::Model>, Instant)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The enabled source a delivery comes from, or None, whatever the reason (unknown id,
/// wrong secret, bad signature, disabled): the sender learns nothing about which.
///
/// PagerDuty signs every delivery, so its signature is required (and a URL secret, if
/// given, must match too). The generic kind proves itself by the URL secret or by a
/// signature. The others, which cannot sign, by the URL secret.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    cache: &SourceCache,
    public_id: &str,
    proof: Proof<'_>,
) -> Result<Option<source::Model>, AppError> {
    let Some(found) = cache.get(db, public_id).await? else {
        return Ok(None);
    };
    let secret_ok = proof
        .secret
        .map(|secret| same(&sha256_hex(secret), &found.secret_hash));
    let signed = || {
        let (Some(signature), Some(key)) = (found.kind.signature(), &found.signing_secret) else {
            return false;
        };
        (proof.header)(signature.header)
            .is_some_and(|value| signature_matches(key, proof.body, &value, signature.prefix))
    };
    let admitted = match found.kind {
        SourceKind::PagerDuty => secret_ok != Some(false) && signed(),
        SourceKind::Generic => secret_ok == Some(true) || (secret_ok.is_none() && signed()),
        _ => secret_ok == Some(true),
    };
    Ok((admitted && found.enabled).then_some(found))
}

#[tracing::instrument(skip(db, new, public_url), fields(kind = %new.kind))]
pub async fn add(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    new: NewSource,
    public_url: &str,
) -> Result<IssuedSecret, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let secret = token(SECRET_BYTES);
    let signing_secret = if new.kind.issues_signing_secret() {
        Some(token(SIGNING_BYTES))
    } else {
        new.signing_secret.as_ref().map(|s| s.as_str().to_string())
    };
    let now = Utc::now();
    let created = source::ActiveModel {
        public_id: Set(token(PUBLIC_ID_BYTES)),
        kind: Set(new.kind),
        name: Set(new.name.as_str().to_string()),
        service: Set(new
            .service
            .as_ref()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()),
        secret_hash: Set(sha256_hex(&secret)),
        signing_secret: Set(signing_secret.clone()),
        enabled: Set(true),
        created_by: Set(actor),
        created_at: Set(now),
        secret_rotated_at: Set(now),
        confirm_url: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|err| match AppError::from(err) {
        AppError::Conflict(_) => AppError::invalid(
            "name",
            format!(
                "An alert source named \"{}\" already exists.",
                new.name.as_str()
            ),
        ),
        other => other,
    })?;
    audit_source(
        &txn,
        AuditAction::SourceAdded,
        actor,
        &created,
        String::new(),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(source = %created.public_id, "alert source added");
    Ok(issued(&created, secret, signing_secret, public_url))
}

/// A new URL secret (and, for the generic kind, a new signing key); the old ones stop
/// working at once.
#[tracing::instrument(skip(db, public_url))]
pub async fn rotate(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    public_id: &str,
    public_url: &str,
) -> Result<IssuedSecret, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let found = find(&txn, public_id).await?;
    let secret = token(SECRET_BYTES);
    let mut change = source::ActiveModel {
        id: Unchanged(found.id),
        secret_hash: Set(sha256_hex(&secret)),
        secret_rotated_at: Set(Utc::now()),
        ..Default::default()
    };
    let signing_secret = if found.kind.issues_signing_secret() {
        let key = token(SIGNING_BYTES);
        change.signing_secret = Set(Some(key.clone()));
        Some(key)
    } else {
        None
    };
    let rotated = change.update(&txn).await?;
    audit_source(
        &txn,
        AuditAction::SourceRotated,
        actor,
        &rotated,
        String::new(),
    )
    .await?;
    txn.commit().await?;
    Ok(issued(&rotated, secret, signing_secret, public_url))
}

#[tracing::instrument(skip(db))]
pub async fn set_enabled(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    public_id: &str,
    enabled: bool,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let found = find(&txn, public_id).await?;
    if found.enabled == enabled {
        return Ok(());
    }
    let changed = source::ActiveModel {
        id: Unchanged(found.id),
        enabled: Set(enabled),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let action = if enabled {
        AuditAction::SourceEnabled
    } else {
        AuditAction::SourceDisabled
    };
    audit_source(&txn, action, actor, &changed, String::new()).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets the default service and, when one is given, PagerDuty's signing secret.
#[tracing::instrument(skip(db, signing_secret))]
pub async fn update(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    public_id: &str,
    service: Option<ServiceName>,
    signing_secret: Option<SigningSecret>,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let found = find(&txn, public_id).await?;
    let mut change = source::ActiveModel {
        id: Unchanged(found.id),
        service: Set(service.map(|s| s.as_str().to_string()).unwrap_or_default()),
        ..Default::default()
    };
    let mut detail = String::from("default service");
    if let Some(secret) = signing_secret {
        if found.kind != SourceKind::PagerDuty {
            return Err(AppError::invalid(
                "signing_secret",
                "Only PagerDuty sources take a signing secret from their tool.",
            ));
        }
        change.signing_secret = Set(Some(secret.as_str().to_string()));
        detail.push_str(" and signing secret");
    }
    let changed = change.update(&txn).await?;
    audit_source(&txn, AuditAction::SourceChanged, actor, &changed, detail).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn list(
    db: &impl ConnectionTrait,
    public_url: &str,
    tz: Tz,
) -> Result<Vec<SourceRow>, AppError> {
    let mut counted = delivery_counts(db).await?;
    Ok(source::Entity::find()
        .order_by_asc(source::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (counted.remove(&s.id).unwrap_or_default(), s))
        .map(|((deliveries, last_delivery_at), s)| SourceRow {
            masked_url: webhook_url(public_url, &s.public_id, Some("••••••••")),
            signed_url: s
                .kind
                .signature()
                .map(|_| webhook_url(public_url, &s.public_id, None)),
            has_signing_secret: s.signing_secret.is_some(),
            created: stamp(s.created_at, tz),
            rotated: stamp(s.secret_rotated_at, tz),
            last_delivery: last_delivery_at.map(|at| stamp(at, tz)),
            public_id: s.public_id,
            kind: s.kind,
            name: s.name,
            service: s.service,
            enabled: s.enabled,
            deliveries,
            confirm_url: s.confirm_url,
        })
        .collect())
}

/// Each source's deliveries and its last, its stripes added up.
async fn delivery_counts(
    db: &impl ConnectionTrait,
) -> Result<HashMap<i64, (i64, Option<DateTime<Utc>>)>, AppError> {
    let rows: Vec<(i64, i64, Option<DateTime<Utc>>)> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::SourceId)
        .column_as(Expr::cust("CAST(SUM(deliveries) AS BIGINT)"), "deliveries")
        .column_as(delivery::Column::LastDeliveryAt.max(), "last_delivery_at")
        .group_by(delivery::Column::SourceId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(source, count, last)| (source, (count, last)))
        .collect())
}

pub async fn find(db: &impl ConnectionTrait, public_id: &str) -> Result<source::Model, AppError> {
    source::Entity::find()
        .filter(source::Column::PublicId.eq(public_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Alert source {public_id}")))
}

/// `PUBLIC_URL/webhooks/{public_id}[/{secret}]`.
pub fn webhook_url(public_url: &str, public_id: &str, secret: Option<&str>) -> String {
    let base = public_url.trim_end_matches('/');
    match secret {
        Some(secret) => format!("{base}{WEBHOOKS}/{public_id}/{secret}"),
        None => format!("{base}{WEBHOOKS}/{public_id}"),
    }
}

fn issued(
    s: &source::Model,
    secret: String,
    signing_secret: Option<String>,
    public_url: &str,
) -> IssuedSecret {
    IssuedSecret {
        url: webhook_url(public_url, &s.public_id, Some(&secret)),
        signed_url: s
            .kind
            .signature()
            .map(|_| webhook_url(public_url, &s.public_id, None)),
        public_id: s.public_id.clone(),
        name: s.name.clone(),
        kind: s.kind,
        secret,
        signing_secret,
    }
}

async fn audit_source(
    db: &impl ConnectionTrait,
    action: AuditAction,
    actor: Option<i64>,
    s: &source::Model,
    detail: String,
) -> Result<(), AppError> {
    let what = format!("{} ({}, {})", s.name, s.kind.label(), s.public_id);
    audit::record(
        db,
        action,
        audit::Entry {
            actor_id: actor,
            detail: if detail.is_empty() {
                what
            } else {
                format!("{what}: {detail}")
            },
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
