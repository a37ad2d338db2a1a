//! The API's routes: each reads through `services::automation::rest` or writes through
//! the same service the pages' server functions use, as the token's user.

use super::{ApiError, Body, Caller, Path, Query};
use app::{
    domain::{
        ActionDraft, ActionStatus, AppError, Customer as CustomerFields, FieldError, IncidentDraft,
        MessageBody, NewIncident, Permission, Severity, Status, TeamRole, MAX_IMPORT_ROWS,
    },
    model::{
        actions::Added,
        customers::STAGE_BATCH,
        rest::{
            Action, ActionFilter, Alert, AlertFilter, ChangeActionStatus, ChangeIncident, Customer,
            CustomerRows, CustomersAdded, DeclareIncident, Email, ErrorBody, Incident,
            IncidentFilter, Line, Me, MessageText, NewAction, Page, Paging, Postmortem, SetTeam,
            Team,
        },
    },
    ssr::{
        services::{actions, automation::rest, channel, customers, email, incidents, postmortems},
        time::local_to_utc,
        AppState,
    },
};
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};

type Answer<T> = Result<Json<T>, ApiError>;

/// Every route of the API, with its documentation.
pub fn routes<S>(router: OpenApiRouter<S>) -> OpenApiRouter<S>
where
    AppState: axum::extract::FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    router
        .routes(routes!(me))
        .routes(routes!(list_incidents, declare_incident))
        .routes(routes!(get_incident, change_incident))
        .routes(routes!(get_team, set_team))
        .routes(routes!(list_timeline))
        .routes(routes!(post_message))
        .routes(routes!(edit_message))
        .routes(routes!(list_alerts))
        .routes(routes!(get_alert))
        .routes(routes!(list_customers, add_customers))
        .routes(routes!(export_customers))
        .routes(routes!(list_emails))
        .routes(routes!(get_email))
        .routes(routes!(get_postmortem))
        .routes(routes!(export_postmortem))
        .routes(routes!(list_actions))
        .routes(routes!(create_action))
        .routes(routes!(get_action, change_action_status))
}

fn public_url(state: &AppState) -> &str {
    &state.public_url
}

/// Who the token acts as.
#[utoipa::path(get, path = "/api/v1/me", tag = "tokens",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(caller: Caller) -> Answer<Me> {
    let user = caller.may(Permission::Read)?;
    Ok(Json(Me {
        id: user.id,
        name: user.name.clone(),
        role: user.role.as_str().into(),
    }))
}

/// Incidents, newest first.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(IncidentFilter),
    responses((status = 200, body = Page<Incident>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<IncidentFilter>,
) -> Answer<Page<Incident>> {
    caller.may(Permission::Read)?;
    Ok(Json(
        rest::incidents(&state.db, &filter, public_url(&state)).await?,
    ))
}

/// Declares an incident, as the form does; returns it.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = DeclareIncident,
    responses((status = 201, body = Incident), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn declare_incident(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<DeclareIncident>,
) -> Result<(StatusCode, Json<Incident>), ApiError> {
    let actor = caller.may(Permission::Respond)?;
    let draft = IncidentDraft {
        title: body.title,
        services: body.services.join(", "),
        severity: body.severity,
        started_at: body
            .started_at
            .map(|at| at.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        summary: body.summary,
    };
    let new = NewIncident::parse(&draft, local_to_utc(chrono_tz::UTC), chrono::Utc::now())?;
    let number = incidents::declare(&state.db, actor, new, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(rest::incident(&state.db, number, public_url(&state)).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/incidents/{number}", tag = "incidents",
    params(("number" = i64, Path, description = "The incident's number")),
    responses((status = 200, body = Incident), (status = 404, body = ErrorBody)))]
async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
) -> Answer<Incident> {
    caller.may(Permission::Read)?;
    Ok(Json(
        rest::incident(&state.db, number, public_url(&state)).await?,
    ))
}

/// Changes the status, the severity and/or the leader, each recorded on the timeline
/// (in that order; a change already in place is a 422 naming its field).
#[utoipa::path(patch, path = "/api/v1/incidents/{number}", tag = "incidents",
    params(("number" = i64, Path, description = "The incident's number")),
    request_body = ChangeIncident,
    responses((status = 200, body = Incident), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
    Body(body): Body<ChangeIncident>,
) -> Answer<Incident> {
    let actor = caller.may(Permission::Respond)?;
    let status = body
        .status
        .as_deref()
        .map(|s| {
            s.parse::<Status>()
                .map_err(|m| AppError::invalid("status", m))
        })
        .transpose()?;
    let severity = body
        .severity
        .as_deref()
        .map(|s| {
            s.parse::<Severity>()
                .map_err(|m| AppError::invalid("severity", m))
        })
        .transpose()?;
    if status.is_none() && severity.is_none() && body.leader_id.is_none() {
        return Err(AppError::invalid(
            "status",
            "Name a status, a severity or a leader_id to change.",
        )
        .into());
    }
    rest::incident(&state.db, number, public_url(&state)).await?;
    if let Some(to) = status {
        incidents::change_status(&state.db, actor, number, to).await?;
    }
    if let Some(to) = severity {
        incidents::change_severity(&state.db, actor, number, to).await?;
    }
    if let Some(leader) = body.leader_id {
        incidents::set_leader(&state.db, actor, number, leader).await?;
    }
    Ok(Json(
        rest::incident(&state.db, number, public_url(&state)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/incidents/{number}/team", tag = "incidents",
    params(("number" = i64, Path, description = "The incident's number")),
    responses((status = 200, body = Team), (status = 404, body = ErrorBody)))]
async fn get_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
) -> Answer<Team> {
    caller.may(Permission::Read)?;
    Ok(Json(rest::team(&state.db, number).await?))
}

/// Puts exactly these people in one part of the issue team.
#[utoipa::path(put, path = "/api/v1/incidents/{number}/team", tag = "incidents",
    params(("number" = i64, Path, description = "The incident's number")),
    request_body = SetTeam,
    responses((status = 200, body = Team), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn set_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
    Body(body): Body<SetTeam>,
) -> Answer<Team> {
    let actor = caller.may(Permission::Respond)?;
    let role = TeamRole::parse(&body.role)?;
    email::team::set(&state.db, actor, number, role, body.people).await?;
    Ok(Json(rest::team(&state.db, number).await?))
}

/// The incident's record (channel and postmortem discussion), oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{number}/timeline", tag = "timeline",
    params(("number" = i64, Path, description = "The incident's number"), Paging),
    responses((status = 200, body = Page<Line>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
    Query(paging): Query<Paging>,
) -> Answer<Page<Line>> {
    caller.may(Permission::Read)?;
    Ok(Json(
        rest::timeline(&state.db, number, paging.cursor.as_deref(), paging.limit).await?,
    ))
}

/// Posts a message in the incident channel (Markdown, sanitised as the page's).
#[utoipa::path(post, path = "/api/v1/incidents/{number}/messages", tag = "timeline",
    params(("number" = i64, Path, description = "The incident's number")),
    request_body = MessageText,
    responses((status = 201, body = Line), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
    Body(body): Body<MessageText>,
) -> Result<(StatusCode, Json<Line>), ApiError> {
    let actor = caller.may(Permission::Respond)?;
    let text = MessageBody::parse(&body.body)?;
    let id = channel::post(
        &state.db,
        actor,
        number,
        app::domain::EventKind::Message,
        text,
        None,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(rest::line_of(&state.db, number, id).await?),
    ))
}

/// Rewords one of the token's own messages (every earlier wording is kept).
#[utoipa::path(patch, path = "/api/v1/incidents/{number}/messages/{id}", tag = "timeline",
    params(("number" = i64, Path, description = "The incident's number"),
        ("id" = i64, Path, description = "The message's id")),
    request_body = MessageText,
    responses((status = 200, body = Line), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn edit_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((number, id)): Path<(i64, i64)>,
    Body(body): Body<MessageText>,
) -> Answer<Line> {
    let actor = caller.may(Permission::Respond)?;
    let text = MessageBody::parse(&body.body)?;
    rest::line_of(&state.db, number, id).await?;
    channel::edit(&state.db, actor, id, text).await?;
    Ok(Json(rest::line_of(&state.db, number, id).await?))
}

/// Alerts, newest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(AlertFilter),
    responses((status = 200, body = Page<Alert>), (status = 422, body = ErrorBody)))]
async fn list_alerts(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<AlertFilter>,
) -> Answer<Page<Alert>> {
    caller.may(Permission::Read)?;
    Ok(Json(rest::alerts(&state.db, &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "The alert's id")),
    responses((status = 200, body = Alert), (status = 404, body = ErrorBody)))]
async fn get_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Answer<Alert> {
    caller.may(Permission::Read)?;
    Ok(Json(rest::alert(&state.db, id).await?))
}

/// The incident's affected customers, in the order they were added.
#[utoipa::path(get, path = "/api/v1/incidents/{number}/customers", tag = "customers",
    params(("number" = i64, Path, description = "The incident's number"), Paging),
    responses((status = 200, body = Page<Customer>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_customers(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
    Query(paging): Query<Paging>,
) -> Answer<Page<Customer>> {
    caller.may(Permission::Read)?;
    Ok(Json(
        rest::customers(&state.db, number, paging.cursor.as_deref(), paging.limit).await?,
    ))
}

/// Adds rows to the affected-customers table, all or none: one bad row (or a duplicate
/// within the request) refuses them all with a 422 naming each row; rows already in the
/// table are skipped and listed.
#[utoipa::path(post, path = "/api/v1/incidents/{number}/customers", tag = "customers",
    params(("number" = i64, Path, description = "The incident's number")),
    request_body = CustomerRows,
    responses((status = 201, body = CustomersAdded), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_customers(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
    Body(body): Body<CustomerRows>,
) -> Result<(StatusCode, Json<CustomersAdded>), ApiError> {
    let actor = caller.may(Permission::Respond)?;
    if body.rows.is_empty() || body.rows.len() > MAX_IMPORT_ROWS {
        return Err(AppError::invalid("rows", format!("Send 1 to {MAX_IMPORT_ROWS} rows.")).into());
    }
    let rows: Vec<(usize, CustomerFields)> = body
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            (
                i + 1,
                CustomerFields {
                    org_name: r.org_name,
                    org_id: r.org_id,
                    app_id: r.app_id,
                    campaign_id: r.campaign_id,
                    note: r.note,
                },
            )
        })
        .collect();
    let mut import_id = String::new();
    let mut problems = Vec::new();
    let mut already_there = Vec::new();
    for batch in rows.chunks(STAGE_BATCH) {
        let report = customers::stage(&state.db, number, &import_id, batch).await?;
        import_id = report.import_id;
        problems.extend(report.errors);
        already_there.extend(report.existing.into_iter().map(|p| p.row));
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(
            problems
                .into_iter()
                .map(|p| FieldError::new(&format!("rows[{}]", p.row), p.message))
                .collect(),
        )
        .into());
    }
    let added = customers::commit(&state.db, actor, number, &import_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CustomersAdded {
            added,
            already_there,
        }),
    ))
}

/// The affected-customers table as CSV (RFC 4180, with a header).
#[utoipa::path(get, path = "/api/v1/incidents/{number}/customers.csv", tag = "customers",
    params(("number" = i64, Path, description = "The incident's number")),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = ErrorBody)))]
async fn export_customers(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
) -> Result<Response, ApiError> {
    caller.may(Permission::Read)?;
    let csv = customers::export(&state.db, number, false).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}

/// The company emails about an incident, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{number}/emails", tag = "communications",
    params(("number" = i64, Path, description = "The incident's number")),
    responses((status = 200, body = Vec<Email>), (status = 404, body = ErrorBody)))]
async fn list_emails(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
) -> Answer<Vec<Email>> {
    caller.may(Permission::Read)?;
    Ok(Json(rest::emails(&state.db, number).await?))
}

/// One company email, with its plain text.
#[utoipa::path(get, path = "/api/v1/emails/{id}", tag = "communications",
    params(("id" = i64, Path, description = "The email's id")),
    responses((status = 200, body = Email), (status = 404, body = ErrorBody)))]
async fn get_email(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Answer<Email> {
    caller.may(Permission::Read)?;
    Ok(Json(rest::email(&state.db, id).await?))
}

/// The incident's postmortem (viewers: once published).
#[utoipa::path(get, path = "/api/v1/incidents/{number}/postmortem", tag = "postmortems",
    params(("number" = i64, Path, description = "The incident's number")),
    responses((status = 200, body = Postmortem), (status = 404, body = ErrorBody)))]
async fn get_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
) -> Answer<Postmortem> {
    let viewer = caller.may(Permission::Read)?;
    let markdown = markdown_of(&state, viewer, number).await?;
    let found = postmortems::existing(&state.db, number).await?;
    Ok(Json(Postmortem {
        incident: number,
        status: found.status.as_str().into(),
        published_at: found.published_at,
        markdown,
    }))
}

async fn markdown_of(
    state: &AppState,
    viewer: &app::model::session::CurrentUser,
    number: i64,
) -> Result<String, AppError> {
    postmortems::markdown(
        &state.db,
        &state.postmortems,
        viewer,
        number,
        state.mailer.settings.org_tz,
    )
    .await
}

/// The postmortem in Markdown, in the seed's layout.
#[utoipa::path(get, path = "/api/v1/incidents/{number}/postmortem.md", tag = "postmortems",
    params(("number" = i64, Path, description = "The incident's number")),
    responses((status = 200, content_type = "text/markdown", body = String),
        (status = 404, body = ErrorBody)))]
async fn export_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
) -> Result<Response, ApiError> {
    let viewer = caller.may(Permission::Read)?;
    let markdown = markdown_of(&state, viewer, number).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        markdown,
    )
        .into_response())
}

/// Corrective actions, newest first.
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions", params(ActionFilter),
    responses((status = 200, body = Page<Action>), (status = 422, body = ErrorBody)))]
async fn list_actions(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<ActionFilter>,
) -> Answer<Page<Action>> {
    let viewer = caller.may(Permission::Read)?;
    Ok(Json(rest::actions(&state.db, viewer, &filter).await?))
}

/// Adds a corrective action to the incident's postmortem: an assignee and a date are
/// required, as everywhere.
#[utoipa::path(post, path = "/api/v1/incidents/{number}/actions", tag = "actions",
    params(("number" = i64, Path, description = "The incident's number")),
    request_body = NewAction,
    responses((status = 201, body = Action), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<i64>,
    Body(body): Body<NewAction>,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    let actor = caller.may(Permission::Respond)?;
    let draft = ActionDraft {
        title: body.title,
        assignee: body.assignee_id.to_string(),
        due: body.due_on,
        answers: String::new(),
        ticket: body.ticket_url,
        top_priority: true,
    };
    let zone = state.mailer.settings.org_tz;
    let id = match actions::add(&state.db, actor, number, &draft, None, zone).await? {
        Added::Action(id) | Added::NotNow(id) => id,
    };
    Ok((
        StatusCode::CREATED,
        Json(rest::action(&state.db, actor, id).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/actions/{id}", tag = "actions",
    params(("id" = i64, Path, description = "The action's id")),
    responses((status = 200, body = Action), (status = 404, body = ErrorBody)))]
async fn get_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Answer<Action> {
    let viewer = caller.may(Permission::Read)?;
    Ok(Json(rest::action(&state.db, viewer, id).await?))
}

/// Moves an action to another status, naming the version read (409 when someone
/// changed it meanwhile).
#[utoipa::path(patch, path = "/api/v1/actions/{id}", tag = "actions",
    params(("id" = i64, Path, description = "The action's id")),
    request_body = ChangeActionStatus,
    responses((status = 200, body = Action), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_action_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<ChangeActionStatus>,
) -> Answer<Action> {
    let actor = caller.may(Permission::Respond)?;
    let to = ActionStatus::parse(&body.status)?;
    rest::action(&state.db, actor, id).await?;
    actions::set_status(&state.db, actor, id, body.version, to, &body.reason).await?;
    Ok(Json(rest::action(&state.db, actor, id).await?))
}
