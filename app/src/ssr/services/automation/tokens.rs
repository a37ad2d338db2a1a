//! API tokens. Each acts through a user row of its own (`users.is_token`, named
//! "deploy-bot (token)"), so what it does is attributed to it on the timeline and in the
//! audit log exactly as a person's work is. The token is shown once; the table keeps
//! its SHA-256.

use crate::{
    domain::{AppError, AuditAction, NewToken, TokenDraft, TOKEN_PREFIX},
    model::{
        automation::{IssuedToken, TokenRow},
        session::CurrentUser,
    },
    ssr::{
        entities::{api_token, user},
        secrets::{sha256_hex, token},
        services::audit,
        time::stamp,
    },
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};

/// Bytes of randomness in a token.
const TOKEN_BYTES: usize = 32;
/// Characters of the token the list shows ("sw_1a2b3c4d").
const SHOWN_PREFIX: usize = TOKEN_PREFIX.len() + 8;
/// Writes of `last_used_at` are at most this frequent per token.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// The moment a token with this last day stops working.
fn expiry(last_day: NaiveDate) -> DateTime<Utc> {
    (last_day + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

/// Creates a token (and the user row it acts as); the token is in the answer only.
#[tracing::instrument(skip(db, draft))]
pub async fn create(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    draft: &TokenDraft,
) -> Result<IssuedToken, AppError> {
    let now = Utc::now();
    let new = NewToken::parse(draft, now.date_naive())?;
    let secret = format!("{TOKEN_PREFIX}{}", token(TOKEN_BYTES));
    let txn = crate::ssr::db::begin_write(db).await?;
    let acting = user::ActiveModel {
        subject: Set(None),
        // Unroutable by design (RFC 2606): nobody can sign in as a token.
        email: Set(format!("token-{}@api.stormwatch.invalid", token(6))),
        name: Set(new.display_name()),
        role: Set(new.role),
        disabled: Set(false),
        created_at: Set(now),
        last_login_at: Set(None),
        is_token: Set(true),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = api_token::ActiveModel {
        user_id: Set(acting.id),
        name: Set(new.name.clone()),
        role: Set(new.role),
        prefix: Set(secret[..SHOWN_PREFIX].to_string()),
        token_hash: Set(sha256_hex(&secret)),
        created_by: Set(actor),
        created_at: Set(now),
        expires_at: Set(new.expires_on.map(expiry)),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditAction::TokenCreated,
        audit::Entry {
            actor_id: actor,
            subject_id: Some(acting.id),
            detail: format!(
                "{} acting as {}{}",
                new.name,
                new.role,
                new.expires_on
                    .map(|d| format!(", until {d}"))
                    .unwrap_or_default()
            ),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(token = created.id, "API token created");
    Ok(IssuedToken {
        id: created.id,
        name: created.name,
        token: secret,
    })
}

/// Revokes a token: its next call gets 401.
#[tracing::instrument(skip(db))]
pub async fn revoke(
    db: &impl TransactionTrait,
    actor: Option<i64>,
    id: i64,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let found = api_token::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("API token {id}")))?;
    if found.revoked_at.is_some() {
        return Err(AppError::Conflict(format!(
            "The token {} is already revoked.",
            found.name
        )));
    }
    api_token::ActiveModel {
        id: Set(found.id),
        revoked_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(
        &txn,
        AuditAction::TokenRevoked,
        audit::Entry {
            actor_id: actor,
            subject_id: Some(found.user_id),
            detail: found.name.clone(),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A caller presenting a token: which token, and who it acts as.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token_id: i64,
    pub user: CurrentUser,
}

/// The caller behind a bearer token, or None when it is unknown, revoked or expired.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    presented: &str,
) -> Result<Option<Caller>, AppError> {
    if !presented.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some((found, Some(acting))) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(presented)))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if found.revoked_at.is_some() || found.expires_at.is_some_and(|at| at <= now) {
        return Ok(None);
    }
    if found.last_used_at.is_none_or(|at| at + TOUCH_EVERY <= now) {
        api_token::ActiveModel {
            id: Set(found.id),
            last_used_at: Set(Some(now)),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    Ok(Some(Caller {
        token_id: found.id,
        user: CurrentUser {
            id: acting.id,
            name: acting.name,
            email: acting.email,
            role: found.role,
        },
    }))
}

/// Every token, usable ones first, newest first.
pub async fn list(db: &impl ConnectionTrait, tz: Tz) -> Result<Vec<TokenRow>, AppError> {
    let now = Utc::now();
    let tokens = api_token::Entity::find()
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?;
    let names =
        super::super::users::names_of(db, tokens.iter().filter_map(|t| t.created_by)).await?;
    let mut rows: Vec<TokenRow> = tokens
        .into_iter()
        .map(|t| TokenRow {
            usable: t.revoked_at.is_none() && t.expires_at.is_none_or(|at| at > now),
            id: t.id,
            name: t.name,
            role: t.role,
            prefix: t.prefix,
            created: stamp(t.created_at, tz),
            created_by: t.created_by.and_then(|id| names.get(&id).cloned()),
            expires_on: t
                .expires_at
                .map(|at| (at - Duration::days(1)).date_naive().to_string()),
            last_used: t.last_used_at.map(|at| stamp(at, tz)),
            revoked: t.revoked_at.map(|at| stamp(at, tz)),
        })
        .collect();
    rows.sort_by_key(|r| !r.usable);
    Ok(rows)
}

/// A write made through the API, in the audit log under the token's user.
pub async fn audit_write(
    db: &impl ConnectionTrait,
    caller: &Caller,
    what: String,
) -> Result<(), AppError> {
    audit::record(
        db,
        AuditAction::ApiWrite,
        audit::Entry {
            actor_id: Some(caller.user.id),
            detail: what,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
