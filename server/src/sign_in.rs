//! The protocol routes of signing in and out, and the cross-site request guard.
//!
//! `/auth/login` sends the browser to the identity provider, `/auth/callback` brings it
//! back signed in (or to the sign-in page saying why not), `/auth/logout` ends the
//! session on the server.

use app::{
    domain::{AppError, AuditAction},
    ssr::{
        auth,
        services::{audit, users},
        sso::{Refused, ATTEMPT_LIFETIME},
        AppState,
    },
};
use axum::{
    extract::{Query, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use cookie::Cookie;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LoginQuery {
    /// Passed on to the provider to preselect an account.
    login_hint: Option<String>,
}

pub async fn login(State(state): State<AppState>, Query(query): Query<LoginQuery>) -> Response {
    let Some(provider) = state.sso.clone() else {
        return not_configured();
    };
    match provider.begin(&state.db, query.login_hint.as_deref()).await {
        Ok((url, csrf_state)) => {
            let cookie = auth::private_cookie(
                &state.auth,
                auth::sign_in_cookie_name(&state.auth),
                csrf_state,
                cookie::time::Duration::seconds(ATTEMPT_LIFETIME.num_seconds()),
            );
            with_cookies(Redirect::to(&url).into_response(), [cookie])
        }
        Err(refused) => refuse(&state, refused).await,
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(provider) = state.sso.clone() else {
        return not_configured();
    };
    let clear_state = auth::private_cookie(
        &state.auth,
        auth::sign_in_cookie_name(&state.auth),
        String::new(),
        cookie::time::Duration::ZERO,
    );
    let browser_state = auth::cookie(&headers, auth::sign_in_cookie_name(&state.auth));
    let outcome = match (query.code, query.state, query.error) {
        // The person said no at the provider: back to the sign-in page, nothing to explain.
        (_, _, Some(error)) if error == "access_denied" => {
            return with_cookies(Redirect::to("/login").into_response(), [clear_state]);
        }
        (_, _, Some(error)) => Err(Refused {
            refusal: app::domain::Refusal::Invalid,
            email: None,
            detail: format!("the provider answered with error {error:?}"),
        }),
        (Some(code), Some(csrf_state), None) => {
            match provider
                .finish(
                    &state.db,
                    &state.auth.policy,
                    &csrf_state,
                    browser_state.as_deref(),
                    &code,
                )
                .await
            {
                Ok(identity) => {
                    users::sign_in_sso_user(&state.db, &state.auth.policy, &identity).await
                }
                Err(refused) => Err(refused),
            }
        }
        _ => Err(Refused {
            refusal: app::domain::Refusal::Expired,
            email: None,
            detail: "the callback lacks code or state".into(),
        }),
    };
    let user = match outcome {
        Ok(user) => user,
        Err(refused) => {
            let response = refuse(&state, refused).await;
            return with_cookies(response, [clear_state]);
        }
    };
    let session = match auth::start_session(&state, &headers, user.id).await {
        Ok(cookie) => cookie,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    record(
        &state,
        AuditAction::SignedIn,
        audit::Entry {
            subject_id: Some(user.id),
            email: Some(user.email.clone()),
            detail: format!("signed in with the identity provider as {}", user.role),
            ..Default::default()
        },
    )
    .await;
    tracing::info!(user = user.id, role = %user.role, "signed in");
    with_cookies(
        Redirect::to(user.role.home()).into_response(),
        [session, clear_state],
    )
}

/// Ends the session on the server and in the browser, whichever way the person signed in.
pub async fn logout(State(state): State<AppState>, req: Request) -> Response {
    let user = crate::request_user(&req).0;
    let cleared = match auth::end_session(&state, req.headers()).await {
        Ok(cookie) => cookie,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    if let Some(user) = user {
        record(
            &state,
            AuditAction::SignedOut,
            audit::Entry {
                subject_id: Some(user.id),
                email: Some(user.email),
                detail: "signed out".into(),
                ..Default::default()
            },
        )
        .await;
    }
    with_cookies(Redirect::to("/login").into_response(), [cleared])
}

/// Logs why, writes it to the audit log, and shows the sign-in page saying it.
async fn refuse(state: &AppState, refused: Refused) -> Response {
    let code = refused.refusal.code();
    if refused.refusal == app::domain::Refusal::Unavailable {
        tracing::error!(reason = code, detail = %refused.detail, "sign-in unavailable");
    } else {
        tracing::warn!(reason = code, email = ?refused.email, detail = %refused.detail, "sign-in refused");
    }
    record(
        state,
        AuditAction::SignInRefused,
        audit::Entry {
            email: refused.email,
            detail: format!("{code}: {}", refused.detail),
            ..Default::default()
        },
    )
    .await;
    Redirect::to(&format!("/login?refused={code}")).into_response()
}

/// The audit log must not turn a sign-in into an error page; a failed write is logged.
async fn record(state: &AppState, action: AuditAction, entry: audit::Entry) {
    if let Err(err) = audit::record(&state.db, action, entry).await {
        tracing::error!(error = %err, ?action, "could not write the audit log");
    }
}

fn not_configured() -> Response {
    (
        StatusCode::NOT_FOUND,
        "Sign-in with an identity provider is not configured on this server (GOOGLE_CLIENT_ID is unset).",
    )
        .into_response()
}

fn with_cookies<const N: usize>(mut response: Response, cookies: [Cookie<'static>; N]) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Refuses state-changing requests sent by other sites. Browsers say where a request
/// comes from in `Sec-Fetch-Site` (and older ones in `Origin`); a request with neither
/// is not from a browser, so no victim's cookies ride along. Webhooks authenticate by
/// their secret instead.
pub async fn same_origin_only(
    State(public_origin): State<std::sync::Arc<str>>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || crate::webhooks::is_webhook(req.uri().path());
    if safe || is_same_origin(req.headers(), &public_origin) {
        return next.run(req).await;
    }
    tracing::warn!(
        path = %req.uri().path(),
        origin = ?req.headers().get(header::ORIGIN),
        sec_fetch_site = ?req.headers().get("sec-fetch-site"),
        "cross-site request refused"
    );
    let body = leptos::server_fn::error::FromServerFnError::ser(&AppError::Forbidden);
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match text("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        None => match text(header::ORIGIN.as_str()) {
            None => true,
            Some(origin) => {
                origin == public_origin
                    || text(header::HOST.as_str()).is_some_and(|host| {
                        origin
                            .split_once("://")
                            .is_some_and(|(_, origin_host)| origin_host == host)
                    })
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn browsers_from_our_own_pages_pass() {
        let origin = "https://sw.example.com";
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            origin
        ));
        assert!(is_same_origin(
            &headers(&[("origin", "https://sw.example.com")]),
            origin
        ));
        assert!(is_same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            origin
        ));
        // Not a browser: no cookies of a victim ride along.
        assert!(is_same_origin(&headers(&[]), origin));
    }

    #[test]
    fn other_sites_are_refused() {
        let origin = "https://sw.example.com";
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "sw.example.com")
            ]),
            origin
        ));
    }
}
