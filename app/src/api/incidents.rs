use super::Stamp;
use crate::domain::{AppError, EventKind, Severity, Status};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A row of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub number: i64,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub services: Vec<String>,
    pub started: Stamp,
    pub resolved: Option<Stamp>,
    /// Affected customers, as the status view quotes them.
    pub customers: super::customers::CustomerCounts,
}

/// One incident page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub status: Status,
    pub services: Vec<String>,
    pub started: Stamp,
    pub detected: Stamp,
    pub resolved: Option<Stamp>,
    pub declared_by: String,
    pub leader: Option<String>,
    pub leader_id: Option<i64>,
    /// The affected-customers table's counts, as the email and status view quote them.
    pub customers: super::customers::CustomerCounts,
    /// The incident channel: the official record.
    pub timeline: Vec<TimelineEntry>,
    /// The postmortem discussion: hypotheses, assumptions, ideas and their challenges.
    pub discussion: Vec<TimelineEntry>,
    /// The latest attached alerts, and how many there are in all.
    pub alerts: Vec<super::alerts::AlertView>,
    pub alert_count: u64,
    /// The live stream's last event when this was read: the page resumes after it.
    pub cursor: i64,
}

/// One line of the official record: "[date time] — @user does a thing", or a post of
/// the postmortem discussion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: EventKind,
    /// None for Stormwatch itself (alerts).
    pub author: Option<String>,
    pub author_id: Option<i64>,
    /// As written: plain text for recorded changes, Markdown for posts.
    pub body: String,
    /// Posts only: the Markdown rendered and sanitised.
    pub html: Option<String>,
    pub at: Stamp,
    /// When its author last edited it (its earlier wordings are kept).
    pub edited: Option<Stamp>,
    /// The post this one answers.
    pub parent: Option<i64>,
}

#[server(prefix = "/api/read")]
pub async fn list_incidents() -> Result<Vec<IncidentSummary>, AppError> {
    use crate::ssr::{respond, services::incidents, time::viewer_tz, AppState};
    respond(async move { incidents::list(&AppState::current()?.db, viewer_tz()).await }).await
}

/// The status view: every incident the dashboard lists, and where the live stream stood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusBoard {
    pub cursor: i64,
    pub incidents: Vec<IncidentSummary>,
}

#[server(prefix = "/api/read")]
pub async fn status_view() -> Result<StatusBoard, AppError> {
    use crate::ssr::{live, respond, services::incidents, time::viewer_tz, AppState};
    respond(async move {
        let db = &AppState::current()?.db;
        let cursor = live::latest_id(db).await?;
        Ok(StatusBoard {
            cursor,
            incidents: incidents::list(db, viewer_tz()).await?,
        })
    })
    .await
}

#[server(prefix = "/api/read")]
pub async fn get_incident(number: i64) -> Result<IncidentDetail, AppError> {
    use crate::ssr::{respond, services::incidents, time::viewer_tz, AppState};
    respond(async move { incidents::detail(&AppState::current()?.db, number, viewer_tz()).await })
        .await
}

/// Services mentioned before, to suggest in the declare form.
#[server(prefix = "/api/read")]
pub async fn list_service_names() -> Result<Vec<String>, AppError> {
    use crate::ssr::{respond, services::incidents, AppState};
    respond(async move { incidents::service_names(&AppState::current()?.db).await }).await
}

/// Declares an incident and takes the declarer to its page. `alert`: the untriaged
/// alert it is declared from, attached to it.
#[server(prefix = "/api/respond")]
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
            respond,
            services::incidents,
            signed_in,
            time::{local_to_utc, viewer_tz},
            AppState,
        },
    };
    respond(async move {
        let actor = signed_in()?;
        let draft = IncidentDraft {
            title,
            services,
            severity,
            started_at,
            summary,
        };
        let new = NewIncident::parse(&draft, local_to_utc(viewer_tz()), chrono::Utc::now())?;
        let number = incidents::declare(&AppState::current()?.db, &actor, new, alert).await?;
        leptos_axum::redirect(&format!("/incidents/{number}"));
        Ok(number)
    })
    .await
}

#[server(prefix = "/api/respond")]
pub async fn change_status(number: i64, status: String) -> Result<(), AppError> {
    use crate::ssr::{respond, services::incidents, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        let status = status
            .parse::<Status>()
            .map_err(|m| AppError::invalid("status", m))?;
        incidents::change_status(&AppState::current()?.db, &actor, number, status).await
    })
    .await
}

/// "I'll lead": the caller becomes the Incident Leader (recorded on the timeline).
#[server(prefix = "/api/respond")]
pub async fn lead_incident(number: i64) -> Result<(), AppError> {
    use crate::ssr::{respond, services::incidents, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        incidents::lead(&AppState::current()?.db, &actor, number).await
    })
    .await
}

#[server(prefix = "/api/respond")]
pub async fn change_severity(number: i64, severity: String) -> Result<(), AppError> {
    use crate::ssr::{respond, services::incidents, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        let severity = severity
            .parse::<Severity>()
            .map_err(|m| AppError::invalid("severity", m))?;
        incidents::change_severity(&AppState::current()?.db, &actor, number, severity).await
    })
    .await
}
