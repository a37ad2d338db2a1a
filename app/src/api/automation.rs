//! API tokens and outgoing webhooks, for admins: create a token (shown once), revoke
//! one, register a receiver (its signing secret shown once), remove one, resend a
//! delivery.

use crate::{
    domain::AppError,
    model::automation::{Automation, IssuedEndpoint, IssuedToken},
    model::wire::Compact,
};
use leptos::prelude::*;

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn read_automation() -> Result<Automation, AppError> {
    use crate::ssr::{services::automation, time::viewer_tz, AppState};
    automation::page(&AppState::current()?.db, viewer_tz()).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn create_token(
    name: String,
    role: String,
    expires_on: String,
) -> Result<IssuedToken, AppError> {
    use crate::{
        domain::TokenDraft,
        ssr::{services::automation::tokens, signed_in, AppState},
    };
    let actor = signed_in()?;
    let draft = TokenDraft {
        name,
        role,
        expires_on,
    };
    tokens::create(&AppState::current()?.db, Some(actor.id), &draft).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::ssr::{services::automation::tokens, signed_in, AppState};
    let actor = signed_in()?;
    tokens::revoke(&AppState::current()?.db, Some(actor.id), id).await
}

/// `events`: comma-separated event codes.
#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn add_endpoint(url: String, events: String) -> Result<IssuedEndpoint, AppError> {
    use crate::{
        domain::EndpointDraft,
        ssr::{services::automation::webhooks, signed_in, AppState},
    };
    let actor = signed_in()?;
    let draft = EndpointDraft {
        url,
        events: events
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(String::from)
            .collect(),
    };
    webhooks::add(&AppState::current()?.db, Some(actor.id), &draft).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn remove_endpoint(id: i64) -> Result<(), AppError> {
    use crate::ssr::{services::automation::webhooks, signed_in, AppState};
    let actor = signed_in()?;
    webhooks::remove(&AppState::current()?.db, Some(actor.id), id).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn resend_delivery(id: i64) -> Result<(), AppError> {
    use crate::ssr::{services::automation::webhooks, AppState};
    webhooks::resend(&AppState::current()?.db, id).await
}
