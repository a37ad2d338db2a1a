//! The admin's users page: who may sign in, with which role, and the audit log.

use crate::{
    domain::AppError,
    model::users::{AuditRow, UserRow},
    model::wire::Compact,
};
use leptos::prelude::*;

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::ssr::{services::users, time::viewer_tz, AppState};
    let state = AppState::current()?;
    users::list(&state.db, &state.auth.policy, viewer_tz()).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn list_audit_events() -> Result<Vec<AuditRow>, AppError> {
    use crate::ssr::{db, services::audit, time::viewer_tz};
    audit::recent(&db::current()?, viewer_tz()).await
}

/// Gives a user another role, from their next request on.
#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn set_user_role(user_id: i64, role: String) -> Result<(), AppError> {
    use crate::ssr::{services::users, signed_in, AppState};
    let actor = signed_in()?;
    let role = role
        .parse::<crate::domain::Role>()
        .map_err(|m| AppError::invalid("role", m))?;
    let state = AppState::current()?;
    users::set_role(&state.db, &state.auth.policy, &actor, user_id, role).await
}

/// Disables a user (ending their sessions at once) or enables them again.
#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::ssr::{db, services::users, signed_in};
    let actor = signed_in()?;
    users::set_disabled(&db::current()?, &actor, user_id, disabled).await
}
