//! The company email: composer, draft, preview, send and retry (responders), the
//! stored messages (everyone signed in), distribution lists and the outbox (admins),
//! and the incident's issue team (responders).

use crate::{
    domain::{AppError, EmailDraft},
    model::email::{Composer, DistributionList, EmailMessage, EmailSummary, Preview, Saved},
    model::wire::Compact,
};
use leptos::{prelude::*, server_fn::codec::Json};

#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn email_composer(number: i64) -> Result<Composer, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth::require, services::email, time::viewer_tz, AppState},
    };
    require(Permission::Respond)?;
    let state = AppState::current()?;
    email::composer(
        &state.db,
        &state.mailer,
        number,
        &state.public_url,
        viewer_tz(),
    )
    .await
}

/// Saves the draft over `version` (0: none yet); refused if someone saved a newer one.
#[server(prefix = "/api/respond", protocol = Compact<Json>)]
pub async fn save_email_draft(
    number: i64,
    draft: EmailDraft,
    version: i64,
) -> Result<Saved, AppError> {
    use crate::ssr::{db, services::email, signed_in, time::viewer_tz};
    let actor = signed_in()?;
    email::save_draft(
        &db::current()?,
        &actor,
        number,
        &draft,
        version,
        viewer_tz(),
    )
    .await
}

#[server(prefix = "/api/respond", protocol = Compact<Json>)]
pub async fn preview_email(number: i64, draft: EmailDraft) -> Result<Preview, AppError> {
    use crate::ssr::{services::email, AppState};
    let state = AppState::current()?;
    email::preview(&state.db, &state.mailer, number, &draft).await
}

/// Sends the draft (queued with its timeline line, then delivered); returns its id.
#[server(prefix = "/api/respond", protocol = Compact<Json>)]
pub async fn send_email(number: i64, draft: EmailDraft, version: i64) -> Result<i64, AppError> {
    use crate::ssr::{services::email, signed_in, AppState};
    let actor = signed_in()?;
    let state = AppState::current()?;
    email::send(&state.db, &state.mailer, &actor, number, &draft, version).await
}

/// "Retry now" on a message that failed.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn retry_email(id: i64) -> Result<(), AppError> {
    use crate::ssr::{services::email, AppState};
    let state = AppState::current()?;
    email::retry(&state.db, &state.mailer, id).await
}

/// Puts exactly `people` (user ids) in one role of the issue team. (Form-encoded like
/// most calls, so the incident page's bundle needs no JSON writer.)
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn set_issue_team(
    number: i64,
    role: String,
    #[server(default)] people: Vec<i64>,
) -> Result<(), AppError> {
    use crate::{
        domain::TeamRole,
        ssr::{db, services::email::team, signed_in},
    };
    let actor = signed_in()?;
    team::set(
        &db::current()?,
        &actor,
        number,
        TeamRole::parse(&role)?,
        people,
    )
    .await
}

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn get_email(id: i64) -> Result<EmailMessage, AppError> {
    use crate::ssr::{db, services::email, signed_in, time::viewer_tz};
    let viewer = signed_in()?;
    email::message(&db::current()?, id, &viewer, viewer_tz()).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn list_distribution_lists() -> Result<Vec<DistributionList>, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth::require, db, services::email::lists},
    };
    require(Permission::Administer)?;
    lists::all(&db::current()?).await
}

/// Adds a list (`id` empty) or replaces one.
#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn save_distribution_list(
    #[server(default)] id: Option<i64>,
    name: String,
    addresses: String,
    #[server(default)] is_default: Option<String>,
) -> Result<i64, AppError> {
    use crate::{
        domain::NewList,
        ssr::{db, services::email::lists},
    };
    let new = NewList::parse(&name, &addresses, is_default.is_some())?;
    lists::save(&db::current()?, id, new).await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn delete_distribution_list(id: i64) -> Result<(), AppError> {
    use crate::ssr::{db, services::email::lists};
    lists::delete(&db::current()?, id).await
}

/// Every stored message, newest first, with its delivery state.
#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn mail_outbox() -> Result<(Vec<EmailSummary>, bool), AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth::require, services::email, time::viewer_tz, AppState},
    };
    require(Permission::Administer)?;
    let state = AppState::current()?;
    Ok((
        email::outbox(&state.db, viewer_tz()).await?,
        state.mailer.outbox_only(),
    ))
}
