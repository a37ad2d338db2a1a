use crate::domain::{AppError, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in person, as pages and server functions see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// Who is signed in (None when nobody is).
#[server]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    Ok(use_context::<crate::ssr::RequestUser>().and_then(|u| u.0))
}

/// Whether this server offers the development login.
#[server]
pub async fn dev_login_enabled() -> Result<bool, AppError> {
    Ok(crate::ssr::AppState::current()?.auth.dev_login)
}

/// The local development login: no password, so it exists only when `AUTH_DEV_LOGIN=1`
/// and the server listens on loopback (checked at start-up).
#[server]
pub async fn dev_login(name: String, email: String, role: String) -> Result<(), AppError> {
    use crate::{
        domain::DevLogin,
        ssr::{auth, respond, services::users, AppState},
    };
    respond(async move {
        let state = AppState::current()?;
        if !state.auth.dev_login {
            return Err(AppError::NotFound("The development login".into()));
        }
        let login = DevLogin::parse(&name, &email, &role)?;
        let user = users::sign_in_dev_user(&state.db, login).await?;
        auth::sign_in(&state, user.id).await?;
        tracing::info!(user = user.id, role = %user.role, "signed in with the development login");
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// Ends the session on the server and clears its cookie.
#[server]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{auth, respond, AppState};
    respond(async move {
        auth::sign_out(&AppState::current()?).await?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}
