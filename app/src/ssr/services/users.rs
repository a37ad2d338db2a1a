use crate::{
    api::session::CurrentUser,
    domain::{AppError, DevLogin},
    ssr::entities::user,
};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

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
        Some(found) if found.disabled => return Err(AppError::Forbidden),
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
