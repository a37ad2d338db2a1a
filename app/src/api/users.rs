//! The admin's users page: who may sign in, with which role, and the audit log.

use super::Stamp;
use crate::domain::{AppError, AuditAction, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of the users table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    /// Signed in through the identity provider (not only the development login).
    pub via_provider: bool,
    /// Listed in `ADMIN_EMAILS`: admin at every sign-in, so not demotable here.
    pub admin_by_config: bool,
    pub created: Stamp,
    pub last_login: Option<Stamp>,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: Stamp,
    pub action: AuditAction,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub email: Option<String>,
    pub detail: String,
}

#[server(prefix = "/api/admin")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::ssr::{respond, services::users, time::viewer_tz, AppState};
    respond(async move {
        let state = AppState::current()?;
        users::list(&state.db, &state.auth.policy, viewer_tz()).await
    })
    .await
}

#[server(prefix = "/api/admin")]
pub async fn list_audit_events() -> Result<Vec<AuditRow>, AppError> {
    use crate::ssr::{respond, services::audit, time::viewer_tz, AppState};
    respond(async move { audit::recent(&AppState::current()?.db, viewer_tz()).await }).await
}

/// Gives a user another role, from their next request on.
#[server(prefix = "/api/admin")]
pub async fn set_user_role(user_id: i64, role: String) -> Result<(), AppError> {
    use crate::ssr::{respond, services::users, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        let role = role
            .parse::<Role>()
            .map_err(|m| AppError::invalid("role", m))?;
        let state = AppState::current()?;
        users::set_role(&state.db, &state.auth.policy, &actor, user_id, role).await
    })
    .await
}

/// Disables a user (ending their sessions at once) or enables them again.
#[server(prefix = "/api/admin")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::ssr::{respond, services::users, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        users::set_disabled(&AppState::current()?.db, &actor, user_id, disabled).await
    })
    .await
}
