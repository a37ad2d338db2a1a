use crate::{
    domain::AppError,
    model::incidents::{IncidentDetail, IncidentList, StatusBoard},
    model::wire::Compact,
};
use leptos::prelude::*;

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn list_incidents() -> Result<IncidentList, AppError> {
    use crate::ssr::{
        services::{actions, incidents},
        time::viewer_tz,
        AppState,
    };
    let state = AppState::current()?;
    let zone = state.mailer.settings.org_tz;
    Ok(IncidentList {
        rows: incidents::list(&state.db, viewer_tz(), zone).await?,
        actions: actions::counts(&state.db, zone).await?,
    })
}

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn status_view() -> Result<StatusBoard, AppError> {
    use crate::ssr::{live, services::incidents, time::viewer_tz, AppState};
    let state = AppState::current()?;
    let db = &state.db;
    let cursor = live::latest_id(db).await?;
    let (current, resolved) =
        incidents::status_board(db, viewer_tz(), state.mailer.settings.org_tz).await?;
    Ok(StatusBoard {
        cursor,
        current,
        resolved,
        actions: crate::ssr::services::actions::counts(db, state.mailer.settings.org_tz).await?,
    })
}

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn get_incident(number: i64) -> Result<IncidentDetail, AppError> {
    use crate::ssr::{db, services::incidents, time::viewer_tz};
    incidents::detail(&db::current()?, number, viewer_tz()).await
}

/// Services mentioned before, to suggest in the declare form.
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn list_service_names() -> Result<Vec<String>, AppError> {
    use crate::ssr::{db, services::incidents};
    incidents::service_names(&db::current()?).await
}

/// Declares an incident and takes the declarer to its page. `alert`: the untriaged
/// alert it is declared from, attached to it.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn declare_incident(
    title: String,
    services: String,
    severity: String,
    started_at: String,
    summary: String,
    #[server(default)] alert: Option<i64>,
) -> Result<i64, AppError> {
    use crate::{
        domain::{IncidentDraft, NewIncident},
        ssr::{
            db,
            services::incidents,
            signed_in,
            time::{local_to_utc, viewer_tz},
        },
    };
    let actor = signed_in()?;
    let draft = IncidentDraft {
        title,
        services,
        severity,
        started_at,
        summary,
    };
    let new = NewIncident::parse(&draft, local_to_utc(viewer_tz()), chrono::Utc::now())?;
    let number = incidents::declare(&db::current()?, &actor, new, alert).await?;
    leptos_axum::redirect(&format!("/incidents/{number}"));
    Ok(number)
}

#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn change_status(number: i64, status: String) -> Result<(), AppError> {
    use crate::ssr::{db, services::incidents, signed_in};
    let actor = signed_in()?;
    let status = status
        .parse::<crate::domain::Status>()
        .map_err(|m| AppError::invalid("status", m))?;
    incidents::change_status(&db::current()?, &actor, number, status).await
}

/// "I'll lead": the caller becomes the Incident Leader (recorded on the timeline).
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn lead_incident(number: i64) -> Result<(), AppError> {
    use crate::ssr::{db, services::incidents, signed_in};
    let actor = signed_in()?;
    incidents::lead(&db::current()?, &actor, number).await
}

#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn change_severity(number: i64, severity: String) -> Result<(), AppError> {
    use crate::ssr::{db, services::incidents, signed_in};
    let actor = signed_in()?;
    let severity = severity
        .parse::<crate::domain::Severity>()
        .map_err(|m| AppError::invalid("severity", m))?;
    incidents::change_severity(&db::current()?, &actor, number, severity).await
}

/// The incident history: a page of what the filter selects, newest first.
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn incident_history(
    #[server(default)] filter: crate::model::history::HistoryFilter,
) -> Result<crate::model::history::HistoryPage, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth, services::history, time::viewer_tz, AppState},
    };
    let viewer = auth::require(Permission::Read)?;
    let state = AppState::current()?;
    history::page(
        &state.db,
        &viewer,
        &filter,
        viewer_tz(),
        state.mailer.settings.org_tz,
    )
    .await
}
