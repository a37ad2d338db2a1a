use crate::{
    domain::AppError,
    model::{postmortems::CalendarSettings, wire::Compact},
};
use leptos::prelude::*;

/// The postmortem page: viewers read a published one only.
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn read_postmortem(
    number: i64,
) -> Result<crate::model::postmortems::PostmortemPage, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth, services::postmortems, time::viewer_tz, AppState},
    };
    let viewer = auth::require(Permission::Read)?;
    let state = AppState::current()?;
    postmortems::page(
        &state.db,
        &state.postmortems,
        &viewer,
        number,
        viewer_tz(),
        state.mailer.settings.org_tz,
    )
    .await
}

#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn start_postmortem(number: i64) -> Result<(), AppError> {
    use crate::ssr::{db, services::postmortems, signed_in};
    postmortems::start(&db::current()?, &signed_in()?, number).await
}

/// One update of the shared document (yrs v1, base64), from an editor's copy.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn edit_postmortem(number: i64, update: String) -> Result<(), AppError> {
    use crate::ssr::{services::postmortems, signed_in, AppState};
    let actor = signed_in()?;
    let state = AppState::current()?;
    let bytes = postmortems::document::decode(&update)?;
    postmortems::write(&state.db, &state.postmortems, &actor, number, &bytes).await?;
    state.live.wake();
    Ok(())
}

/// Where the caller is on the page (a section key; None: they left), for the others.
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn postmortem_presence(
    number: i64,
    client: u64,
    #[server(default)] section: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        domain::Section,
        model::live::LiveChange,
        ssr::{live, signed_in, AppState},
    };
    let actor = signed_in()?;
    let state = AppState::current()?;
    let section = match section.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(key) => Some(
            Section::from_key(key)
                .ok_or_else(|| {
                    AppError::invalid("section", "That is not a section of the postmortem.")
                })?
                .key()
                .to_string(),
        ),
    };
    live::append(
        &state.db,
        &[LiveChange::Presence(crate::model::postmortems::Presence {
            incident: number,
            client,
            user: actor.id,
            name: actor.name,
            section,
        })],
    )
    .await?;
    state.live.wake();
    Ok(())
}

/// Adds (`present`) or removes a participant.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn set_postmortem_participant(
    number: i64,
    user: i64,
    present: bool,
) -> Result<(), AppError> {
    use crate::ssr::{db, services::postmortems, signed_in};
    postmortems::set_participant(&db::current()?, &signed_in()?, number, user, present).await
}

/// Moves the postmortem to `status` (draft, in_review, published).
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn set_postmortem_status(number: i64, status: String) -> Result<(), AppError> {
    use crate::{
        domain::PostmortemStatus,
        ssr::{services::postmortems, signed_in, AppState},
    };
    let state = AppState::current()?;
    let to = PostmortemStatus::parse(&status)?;
    postmortems::move_to(&state.db, &state.postmortems, &signed_in()?, number, to).await
}

/// Makes someone the Incident Leader from the postmortem page.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn set_incident_leader(number: i64, user: i64) -> Result<(), AppError> {
    use crate::ssr::{db, services::incidents, signed_in};
    incidents::set_leader(&db::current()?, &signed_in()?, number, user).await
}

/// Records the meeting time (`at` as the form's local time; empty: cancelled).
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn schedule_postmortem_meeting(number: i64, at: String) -> Result<(), AppError> {
    use crate::ssr::{
        db,
        services::postmortems,
        signed_in,
        time::{local_to_utc, viewer_tz},
    };
    let tz = viewer_tz();
    let at = match at.trim() {
        "" => None,
        raw => {
            let naive = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
                .map_err(|_| AppError::invalid("meeting", "Give the meeting a date and a time."))?;
            Some(local_to_utc(tz)(naive).ok_or_else(|| {
                AppError::invalid("meeting", "That time does not exist in your time zone.")
            })?)
        }
    };
    postmortems::schedule(&db::current()?, &signed_in()?, number, at, tz).await
}

/// Emails the participants an invitation to the meeting (iCalendar); how many it went to.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn invite_to_postmortem_meeting(number: i64) -> Result<usize, AppError> {
    use crate::ssr::{services::postmortems, signed_in, AppState};
    let state = AppState::current()?;
    postmortems::invite(
        &state.db,
        &state.mailer,
        &state.public_url,
        &signed_in()?,
        number,
    )
    .await
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn business_calendar() -> Result<CalendarSettings, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth, services::settings, AppState},
    };
    auth::require(Permission::Administer)?;
    let state = AppState::current()?;
    Ok(settings::calendar(&state.db, state.mailer.settings.org_tz)
        .await?
        .form())
}

#[server(prefix = "/api/admin", protocol = Compact)]
pub async fn save_business_calendar(
    zone: String,
    weekdays: String,
    holidays: String,
) -> Result<CalendarSettings, AppError> {
    use crate::ssr::{db, services::settings};
    let form = CalendarSettings {
        zone,
        weekdays,
        holidays,
    };
    Ok(settings::save_calendar(&db::current()?, &form)
        .await?
        .form())
}
