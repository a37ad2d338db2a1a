//! Alert sources, for admins: add one (its secret is shown once), rotate its secret,
//! disable or enable it, set its default service or PagerDuty's signing secret.

use crate::{
    domain::AppError,
    model::sources::{IssuedSecret, SourceRow},
    model::wire::Compact,
};
use leptos::prelude::*;

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn list_sources() -> Result<Vec<SourceRow>, AppError> {
    use crate::ssr::{services::sources, time::viewer_tz, AppState};
    let state = AppState::current()?;
    sources::list(&state.db, &state.public_url, viewer_tz()).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn add_source(
    kind: String,
    name: String,
    service: String,
    signing_secret: String,
) -> Result<IssuedSecret, AppError> {
    use crate::{
        domain::{NewSource, SourceDraft},
        ssr::{services::sources, signed_in, AppState},
    };
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
}

/// Issues a new secret; the old URL stops working at once.
#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn rotate_source(public_id: String) -> Result<IssuedSecret, AppError> {
    use crate::ssr::{services::sources, signed_in, AppState};
    let actor = signed_in()?;
    let state = AppState::current()?;
    let issued = sources::rotate(&state.db, Some(actor.id), &public_id, &state.public_url).await;
    state.sources.clear();
    issued
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn set_source_enabled(public_id: String, enabled: bool) -> Result<(), AppError> {
    use crate::ssr::{services::sources, signed_in, AppState};
    let actor = signed_in()?;
    let state = AppState::current()?;
    let done = sources::set_enabled(&state.db, Some(actor.id), &public_id, enabled).await;
    state.sources.clear();
    done
}

/// Sets the default service (empty for none) and, when given, PagerDuty's signing secret.
#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn update_source(
    public_id: String,
    service: String,
    signing_secret: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{optional_service, SigningSecret},
        ssr::{services::sources, signed_in, AppState},
    };
    let actor = signed_in()?;
    let service = optional_service(&service).map_err(|m| AppError::invalid("service", m))?;
    let secret = SigningSecret::parse_optional(&signing_secret)
        .map_err(|m| AppError::invalid("signing_secret", m))?;
    let state = AppState::current()?;
    let done = sources::update(&state.db, Some(actor.id), &public_id, service, secret).await;
    state.sources.clear();
    done
}
