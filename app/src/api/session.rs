use crate::{
    domain::AppError,
    model::session::{CurrentUser, SignInMethods},
    model::wire::Compact,
};
use leptos::prelude::*;

/// Who is signed in (None when nobody is).
#[server(prefix = "/api/public", protocol = Compact)]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    Ok(use_context::<crate::ssr::RequestUser>().and_then(|u| u.0))
}

/// How this server lets people sign in.
#[server(prefix = "/api/public", protocol = Compact)]
pub async fn sign_in_options() -> Result<SignInMethods, AppError> {
    let state = crate::ssr::AppState::current()?;
    Ok(SignInMethods {
        provider: state.sso.is_some(),
        dev_login: state.auth.dev_login,
    })
}

/// The local development login: no password, so it exists only when `AUTH_DEV_LOGIN=1`
/// and the server listens on loopback (checked at start-up).
#[server(prefix = "/api/public", protocol = Compact)]
pub async fn dev_login(name: String, email: String, role: String) -> Result<(), AppError> {
    use crate::{
        domain::{AuditAction, DevLogin},
        ssr::{
            auth,
            services::{audit, users},
            AppState,
        },
    };
    let state = AppState::current()?;
    if !state.auth.dev_login {
        return Err(AppError::NotFound("The development login".into()));
    }
    let login = DevLogin::parse(&name, &email, &role)?;
    let user = users::sign_in_dev_user(&state.db, login).await?;
    auth::sign_in(&state, user.id).await?;
    audit::record(
        &state.db,
        AuditAction::SignedIn,
        audit::Entry {
            subject_id: Some(user.id),
            email: Some(user.email.clone()),
            detail: format!("development login as {}", user.role),
            ..Default::default()
        },
    )
    .await?;
    tracing::info!(user = user.id, role = %user.role, "signed in with the development login");
    leptos_axum::redirect(user.role.home());
    Ok(())
}
