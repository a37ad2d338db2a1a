//! Alert sources, for admins: add one (its secret is shown once), rotate its secret,
//! disable or enable it, set its default service or PagerDuty's signing secret.

use super::Stamp;
use crate::domain::{AppError, SourceKind};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where monitoring tools post: `WEBHOOKS/{public_id}/{secret}`, or for signed
/// deliveries `WEBHOOKS/{public_id}`.
pub const WEBHOOKS: &str = "/webhooks";

/// One row of the sources table. Secrets never come back once issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    pub public_id: String,
    pub kind: SourceKind,
    pub name: String,
    pub service: String,
    pub enabled: bool,
    /// The webhook URL with its secret masked.
    pub masked_url: String,
    /// The URL for signed deliveries (no secret in it), for the kinds that sign.
    pub signed_url: Option<String>,
    /// Whether deliveries can be checked against a signing key.
    pub has_signing_secret: bool,
    pub created: Stamp,
    pub rotated: Stamp,
    pub deliveries: i64,
    pub last_delivery: Option<Stamp>,
    /// AWS SNS's confirmation link, waiting to be opened.
    pub confirm_url: Option<String>,
}

/// What an admin sees once, when a source is added or its secret rotated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedSecret {
    pub public_id: String,
    pub name: String,
    pub kind: SourceKind,
    /// The webhook URL, secret included.
    pub url: String,
    pub secret: String,
    /// The key to sign deliveries with (the generic kind).
    pub signing_secret: Option<String>,
    /// The URL for signed deliveries.
    pub signed_url: Option<String>,
}

#[server(prefix = "/api/admin")]
pub async fn list_sources() -> Result<Vec<SourceRow>, AppError> {
    use crate::ssr::{respond, services::sources, time::viewer_tz, AppState};
    respond(async move {
        let state = AppState::current()?;
        sources::list(&state.db, &state.public_url, viewer_tz()).await
    })
    .await
}

#[server(prefix = "/api/admin")]
pub async fn add_source(
    kind: String,
    name: String,
    service: String,
    signing_secret: String,
) -> Result<IssuedSecret, AppError> {
    use crate::{
        domain::{NewSource, SourceDraft},
        ssr::{respond, services::sources, signed_in, AppState},
    };
    respond(async move {
        let actor = signed_in()?;
        let new = NewSource::parse(&SourceDraft {
            kind,
            name,
            service,
            signing_secret,
        })?;
        let state = AppState::current()?;
        let issued = sources::add(&state.db, Some(actor.id), new, &state.public_url).await;
        state.sources.clear();
        issued
    })
    .await
}

/// Issues a new secret; the old URL stops working at once.
#[server(prefix = "/api/admin")]
pub async fn rotate_source(public_id: String) -> Result<IssuedSecret, AppError> {
    use crate::ssr::{respond, services::sources, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        let state = AppState::current()?;
        let issued =
            sources::rotate(&state.db, Some(actor.id), &public_id, &state.public_url).await;
        state.sources.clear();
        issued
    })
    .await
}

#[server(prefix = "/api/admin")]
pub async fn set_source_enabled(public_id: String, enabled: bool) -> Result<(), AppError> {
    use crate::ssr::{respond, services::sources, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        let state = AppState::current()?;
        let done = sources::set_enabled(&state.db, Some(actor.id), &public_id, enabled).await;
        state.sources.clear();
        done
    })
    .await
}

/// Sets the default service (empty for none) and, when given, PagerDuty's signing secret.
#[server(prefix = "/api/admin")]
pub async fn update_source(
    public_id: String,
    service: String,
    signing_secret: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{optional_service, SigningSecret},
        ssr::{respond, services::sources, signed_in, AppState},
    };
    respond(async move {
        let actor = signed_in()?;
        let service = optional_service(&service).map_err(|m| AppError::invalid("service", m))?;
        let secret = SigningSecret::parse_optional(&signing_secret)
            .map_err(|m| AppError::invalid("signing_secret", m))?;
        let state = AppState::current()?;
        let done = sources::update(&state.db, Some(actor.id), &public_id, service, secret).await;
        state.sources.clear();
        done
    })
    .await
}
