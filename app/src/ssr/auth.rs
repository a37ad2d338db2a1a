//! Who is asking, and may they? The server's session middleware resolves the cookie to a
//! [`RequestUser`]; [`gate`] decides, for every server function call, whether that user
//! may make it; pages send anonymous visitors to the sign-in page.

use super::{services::sessions, AppState, AuthSettings};
use crate::{
    domain::{Access, AppError},
    model::session::CurrentUser,
};
use cookie::{Cookie, SameSite};
use http::{header, request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use sea_orm::DatabaseConnection;

/// The signed-in user of the request being served, if any.
#[derive(Clone, Debug, Default)]
pub struct RequestUser(pub Option<CurrentUser>);

/// Whether `user` may call the server function at `path`: the one place roles are
/// enforced. 401 when nobody is signed in, 403 when the role falls short, 404 for a
/// path that declares no access (so a function without a prefix is unreachable).
pub fn gate(path: &str, user: Option<&CurrentUser>) -> Result<(), AppError> {
    let access = Access::for_api_path(path)
        .ok_or_else(|| AppError::NotFound(format!("the server function {path}")))?;
    allow(access, user, path)
}

/// Whether `user` has `access`; protocol routes outside `/api` (exports) ask it directly.
pub fn allow(access: Access, user: Option<&CurrentUser>, what: &str) -> Result<(), AppError> {
    match (access, user) {
        (Access::Public, _) => Ok(()),
        (Access::SignedIn(_), None) => Err(AppError::Unauthorized),
        (Access::SignedIn(permission), Some(user)) if user.role.allows(permission) => Ok(()),
        (Access::SignedIn(permission), Some(user)) => {
            tracing::info!(user = user.id, role = %user.role, ?permission, what, "refused");
            Err(AppError::Forbidden)
        }
    }
}

/// The caller, if their role allows `permission`. For server functions a page awaits
/// while it renders on the server: those calls do not pass through the HTTP gate.
pub fn require(permission: crate::domain::Permission) -> Result<CurrentUser, AppError> {
    let user = signed_in()?;
    allow(
        Access::SignedIn(permission),
        Some(&user),
        "server-rendered call",
    )?;
    Ok(user)
}

/// The user calling this server function (the gate has already checked their role).
pub fn signed_in() -> Result<CurrentUser, AppError> {
    use_context::<RequestUser>()
        .and_then(|u| u.0)
        .ok_or(AppError::Unauthorized)
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

/// The cookie that ties a sign-in callback to the browser that started the sign-in;
/// `__Host-` prefixed behind https, so no sibling subdomain can plant one.
pub fn sign_in_cookie_name(settings: &AuthSettings) -> &'static str {
    if settings.secure_cookies {
        "__Host-stormwatch_sign_in"
    } else {
        "stormwatch_sign_in"
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

pub fn session_token(headers: &HeaderMap, settings: &AuthSettings) -> Option<String> {
    cookie(headers, session_cookie_name(settings))
}

/// Starts a session for `user_id`, ending the one the request came with (a new id at
/// every sign-in: a session fixed before login is worthless after it), and returns the
/// cookie that carries it.
pub async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
) -> Result<Cookie<'static>, AppError> {
    end_session(state, headers).await?;
    let token = sessions::start(&state.db, &state.auth, user_id).await?;
    let max_age = state.auth.absolute_timeout.as_secs() as i64;
    Ok(session_cookie(
        &state.auth,
        token,
        cookie::time::Duration::seconds(max_age),
    ))
}

/// Ends the session a request carries, if any, and returns the cookie that clears it.
pub async fn end_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Cookie<'static>, AppError> {
    if let Some(token) = session_token(headers, &state.auth) {
        sessions::end(&state.db, &token).await?;
    }
    Ok(session_cookie(
        &state.auth,
        String::new(),
        cookie::time::Duration::ZERO,
    ))
}

/// [`start_session`] from inside a server function: the cookie goes on its response.
pub async fn sign_in(state: &AppState, user_id: i64) -> Result<(), AppError> {
    let headers = use_context::<Parts>()
        .map(|p| p.headers)
        .unwrap_or_default();
    set_cookie(start_session(state, &headers, user_id).await?);
    Ok(())
}

/// A cookie `HttpOnly`, `SameSite=Lax` (it must survive the provider's redirect back),
/// `Secure` behind https.
pub fn session_cookie(
    settings: &AuthSettings,
    value: String,
    max_age: cookie::time::Duration,
) -> Cookie<'static> {
    private_cookie(settings, session_cookie_name(settings), value, max_age)
}

pub fn private_cookie(
    settings: &AuthSettings,
    name: &'static str,
    value: String,
    max_age: cookie::time::Duration,
) -> Cookie<'static> {
    Cookie::build((name, value))
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
