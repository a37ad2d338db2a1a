//! Server-side sessions in the `sessions` table, so every instance sharing the
//! database shares them. The cookie carries a random token; the table keeps its hash.

use crate::{
    domain::AppError,
    model::session::CurrentUser,
    ssr::{
        entities::{session, user},
        AuthSettings,
    },
};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

/// Writes of `last_seen_at` are at most this frequent per session.
const TOUCH_EVERY: Duration = Duration::seconds(60);

use crate::ssr::secrets::sha256_hex as hash;

/// Starts a session and returns the token for the cookie.
#[tracing::instrument(skip(db, settings))]
pub async fn start(
    db: &impl ConnectionTrait,
    settings: &AuthSettings,
    user_id: i64,
) -> Result<String, AppError> {
    let token = crate::ssr::secrets::token(32);
    let now = Utc::now();
    let absolute = Duration::from_std(settings.absolute_timeout).map_err(|_| AppError::Internal)?;
    session::ActiveModel {
        id: Set(hash(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + absolute),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The user behind a token, or `None` when the session is unknown, expired, idle too
/// long, or its user is disabled (any of which also deletes it).
pub async fn resolve(
    db: &impl ConnectionTrait,
    settings: &AuthSettings,
    token: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let Some((found, Some(owner))) = session::Entity::find_by_id(hash(token))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    let idle = Duration::from_std(settings.idle_timeout).map_err(|_| AppError::Internal)?;
    if found.expires_at <= now || found.last_seen_at + idle <= now || owner.disabled {
        session::Entity::delete_by_id(found.id).exec(db).await?;
        return Ok(None);
    }
    if found.last_seen_at + TOUCH_EVERY <= now {
        session::ActiveModel {
            id: Set(found.id),
            last_seen_at: Set(now),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    Ok(Some(owner.into()))
}

/// Ends the session a token names, if it exists.
pub async fn end(db: &impl ConnectionTrait, token: &str) -> Result<(), AppError> {
    session::Entity::delete_by_id(hash(token)).exec(db).await?;
    Ok(())
}

/// Ends every session of a user (disabled by an admin): their next request is anonymous.
pub async fn end_all_for(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
