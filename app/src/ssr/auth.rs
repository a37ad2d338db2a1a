//! Who is asking, and may they? Every server function goes through [`authorize`];
//! every page request through the server's session middleware, which provides [`RequestUser`].

use super::{services::sessions, AppState, AuthSettings};
use crate::{
    api::session::CurrentUser,
    domain::{AppError, Permission},
};
use cookie::{Cookie, SameSite};
use http::{header, request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use sea_orm::DatabaseConnection;
use std::future::Future;

/// The signed-in user of the request being served, if any.
#[derive(Clone, Debug, Default)]
pub struct RequestUser(pub Option<CurrentUser>);

/// The current user, if their role allows `permission`: 401 when nobody is signed in,
/// 403 when the role falls short.
pub fn authorize(permission: Permission) -> Result<CurrentUser, AppError> {
    let user = use_context::<RequestUser>()
        .and_then(|u| u.0)
        .ok_or(AppError::Unauthorized)?;
    if user.role.allows(permission) {
        Ok(user)
    } else {
        tracing::info!(user = user.id, role = %user.role, ?permission, "refused");
        Err(AppError::Forbidden)
    }
}

/// Runs a server function's body and gives its error the HTTP status it stands for.
/// A plain form post (no JavaScript yet) keeps the redirect back to its page instead,
/// which carries the error in the URL for the page to show next to the fields.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(err) = &result {
        let form_post = use_context::<Parts>()
            .and_then(|p| {
                p.headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if !form_post {
            if let (Some(response), Ok(status)) = (
                use_context::<ResponseOptions>(),
                http::StatusCode::from_u16(err.status()),
            ) {
                response.set_status(status);
            }
        }
    }
    result
}

/// The value of one cookie in a request's headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The session cookie's name: `__Host-` prefixed whenever it is sent only over https.
pub fn session_cookie_name(settings: &AuthSettings) -> &'static str {
    if settings.secure_cookies {
        "__Host-stormwatch_session"
    } else {
        "stormwatch_session"
    }
}

/// Resolves the session cookie of a request to its user, ending expired sessions.
pub async fn user_from_headers(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, AppError> {
    match session_token(headers, settings) {
        Some(token) => sessions::resolve(db, settings, &token).await,
        None => Ok(None),
    }
}

fn session_token(headers: &HeaderMap, settings: &AuthSettings) -> Option<String> {
    cookie(headers, session_cookie_name(settings))
}

/// Ends the session the current request carries, if any.
async fn end_current_session(state: &AppState) -> Result<(), AppError> {
    match use_context::<Parts>().and_then(|p| session_token(&p.headers, &state.auth)) {
        Some(token) => sessions::end(&state.db, &token).await,
        None => Ok(()),
    }
}

/// Starts a session for `user_id` and sets its cookie on the response being built.
pub async fn sign_in(state: &AppState, user_id: i64) -> Result<(), AppError> {
    // A new id at every sign-in: a session fixed before login is worthless after it.
    end_current_session(state).await?;
    let token = sessions::start(&state.db, &state.auth, user_id).await?;
    let max_age = state.auth.absolute_timeout.as_secs() as i64;
    set_cookie(session_cookie(
        &state.auth,
        token,
        cookie::time::Duration::seconds(max_age),
    ));
    Ok(())
}

/// Ends the current request's session, on the server and in the browser.
pub async fn sign_out(state: &AppState) -> Result<(), AppError> {
    end_current_session(state).await?;
    set_cookie(session_cookie(
        &state.auth,
        String::new(),
        cookie::time::Duration::ZERO,
    ));
    Ok(())
}

fn session_cookie(
    settings: &AuthSettings,
    value: String,
    max_age: cookie::time::Duration,
) -> Cookie<'static> {
    Cookie::build((session_cookie_name(settings), value))
        .path("/")
        .http_only(true)
        .secure(settings.secure_cookies)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build()
}

fn set_cookie(cookie: Cookie<'static>) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&cookie.to_string()),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}
