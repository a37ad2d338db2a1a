use super::{audit, sessions};
use crate::{
    domain::{parse_name, AppError, AuditAction, DevLogin, Refusal, Role, SignInPolicy},
    model::{session::CurrentUser, users::UserRow},
    ssr::{
        entities::user,
        sso::{Identity, Refused},
        time::stamp,
    },
};
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};

impl From<user::Model> for CurrentUser {
    fn from(u: user::Model) -> Self {
        CurrentUser {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role,
        }
    }
}

/// Creates the development-login user, or reuses the one with that email (taking the
/// name and role just chosen). A disabled user stays out.
#[tracing::instrument(skip(db), fields(email = %login.email))]
pub async fn sign_in_dev_user(
    db: &impl ConnectionTrait,
    login: DevLogin,
) -> Result<user::Model, AppError> {
    let now = Utc::now();
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(login.email.as_str()))
        .one(db)
        .await?;
    let model = match existing {
        Some(found) if found.disabled || found.is_token => return Err(AppError::Forbidden),
        Some(found) => {
            let mut active: user::ActiveModel = found.into();
            active.name = Set(login.name);
            active.role = Set(login.role);
            active.last_login_at = Set(Some(now));
            active.update(db).await?
        }
        None => {
            user::ActiveModel {
                subject: Set(None),
                email: Set(login.email),
                name: Set(login.name),
                role: Set(login.role),
                disabled: Set(false),
                created_at: Set(now),
                last_login_at: Set(Some(now)),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    Ok(model)
}

/// Signs in the person the identity provider vouched for. The user row keys on the
/// provider's subject; a row made before (an admin's invitation, a development login)
/// with the same verified email and no subject yet is taken over. `ADMIN_EMAILS` makes
/// its addresses admins at every sign-in.
#[tracing::instrument(skip(db, policy, identity), fields(email = %identity.email))]
pub async fn sign_in_sso_user(
    db: &impl ConnectionTrait,
    policy: &SignInPolicy,
    identity: &Identity,
) -> Result<user::Model, Refused> {
    let refuse = |refusal, detail: &str| Refused {
        refusal,
        email: Some(identity.email.clone()),
        detail: detail.to_string(),
    };
    let now = Utc::now();
    let by_subject = user::Entity::find()
        .filter(user::Column::Subject.eq(identity.subject.as_str()))
        .one(db)
        .await?;
    let existing = match by_subject {
        Some(found) => Some(found),
        None => match user::Entity::find()
            .filter(user::Column::Email.eq(identity.email.as_str()))
            .one(db)
            .await?
        {
            Some(found) if found.subject.is_some() => {
                return Err(refuse(
                    Refusal::Conflict,
                    "the email belongs to a user with another provider subject",
                ))
            }
            other => other,
        },
    };
    let name = identity
        .name
        .as_deref()
        .and_then(|n| parse_name(n).ok())
        .unwrap_or_else(|| identity.email.split('@').next().unwrap_or("").to_string());
    match existing {
        Some(found) if found.disabled => Err(Refused {
            refusal: Refusal::Disabled,
            email: Some(identity.email.clone()),
            detail: format!("user #{} is disabled", found.id),
        }),
        Some(found) => {
            let promote = policy.is_admin(&identity.email) && found.role != Role::Admin;
            let previous = found.role;
            let mut active: user::ActiveModel = found.into();
            active.subject = Set(Some(identity.subject.clone()));
            active.email = Set(identity.email.clone());
            active.name = Set(name);
            active.last_login_at = Set(Some(now));
            if promote {
                active.role = Set(Role::Admin);
            }
            let model = active.update(db).await.map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                    refuse(Refusal::Conflict, "the new email is already another user's")
                }
                _ => e.into(),
            })?;
            if promote {
                audit::record(
                    db,
                    AuditAction::RoleChanged,
                    audit::Entry {
                        subject_id: Some(model.id),
                        email: Some(model.email.clone()),
                        detail: format!("{previous} → admin (listed in ADMIN_EMAILS)"),
                        ..Default::default()
                    },
                )
                .await?;
            }
            Ok(model)
        }
        None => Ok(user::ActiveModel {
            subject: Set(Some(identity.subject.clone())),
            email: Set(identity.email.clone()),
            name: Set(name),
            role: Set(policy.first_role(&identity.email)),
            disabled: Set(false),
            created_at: Set(now),
            last_login_at: Set(Some(now)),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

/// The names of these users, by id (ids may repeat; unknown ones are left out).
pub async fn names_of(
    db: &impl sea_orm::ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, crate::domain::AppError> {
    use crate::ssr::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// Everyone who can be picked (for the issue team, a postmortem's participants, its
/// leader): enabled users, by name.
pub async fn pickable(
    db: &impl sea_orm::ConnectionTrait,
) -> Result<Vec<crate::model::Person>, crate::domain::AppError> {
    use crate::ssr::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(user::Entity::find()
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::IsToken.eq(false))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|u| crate::model::Person {
            id: u.id,
            name: u.name,
        })
        .collect())
}

/// Everyone, for the admin page: enabled first, then by name.
pub async fn list(
    db: &impl ConnectionTrait,
    policy: &SignInPolicy,
    tz: Tz,
) -> Result<Vec<UserRow>, AppError> {
    let users = user::Entity::find()
        .filter(user::Column::IsToken.eq(false))
        .order_by_asc(user::Column::Disabled)
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    Ok(users
        .into_iter()
        .map(|u| UserRow {
            admin_by_config: policy.is_admin(&u.email),
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role,
            disabled: u.disabled,
            via_provider: u.subject.is_some(),
            created: stamp(u.created_at, tz),
            last_login: u.last_login_at.map(|at| stamp(at, tz)),
        })
        .collect())
}

/// An admin changes someone's role; it applies from that user's next request.
#[tracing::instrument(skip(db, policy), fields(actor = actor.id))]
pub async fn set_role(
    db: &impl TransactionTrait,
    policy: &SignInPolicy,
    actor: &CurrentUser,
    user_id: i64,
    role: Role,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let target = find(&txn, user_id).await?;
    if target.id == actor.id {
        return Err(AppError::invalid(
            "role",
            "You cannot change your own role: ask another admin.",
        ));
    }
    if policy.is_admin(&target.email) && role != Role::Admin {
        return Err(AppError::invalid(
            "role",
            format!(
                "{} is listed in ADMIN_EMAILS and would be made admin again at their next sign-in: remove them there first.",
                target.email
            ),
        ));
    }
    if target.role == role {
        return Ok(());
    }
    let previous = target.role;
    let mut active: user::ActiveModel = target.into();
    active.role = Set(role);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        AuditAction::RoleChanged,
        audit::Entry {
            actor_id: Some(actor.id),
            subject_id: Some(updated.id),
            email: Some(updated.email),
            detail: format!("{previous} → {role}"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An admin disables someone (their sessions end at once) or enables them again.
#[tracing::instrument(skip(db), fields(actor = actor.id))]
pub async fn set_disabled(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    user_id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let target = find(&txn, user_id).await?;
    if target.id == actor.id {
        return Err(AppError::invalid(
            "disabled",
            "You cannot disable yourself: ask another admin.",
        ));
    }
    if target.disabled == disabled {
        return Ok(());
    }
    let mut active: user::ActiveModel = target.into();
    active.disabled = Set(disabled);
    let updated = active.update(&txn).await?;
    if disabled {
        sessions::end_all_for(&txn, updated.id).await?;
    }
    audit::record(
        &txn,
        if disabled {
            AuditAction::UserDisabled
        } else {
            AuditAction::UserEnabled
        },
        audit::Entry {
            actor_id: Some(actor.id),
            subject_id: Some(updated.id),
            email: Some(updated.email),
            detail: if disabled {
                "disabled; their sessions were ended".into()
            } else {
                "enabled".into()
            },
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn find(db: &impl ConnectionTrait, user_id: i64) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("user #{user_id}")))
}
