//! Corrective actions: a postmortem's list, adding, changing, their statuses and
//! history, the tracker and its counts.

use crate::{
    domain::AppError,
    model::actions::{ActionChange, Added, PostmortemActions, TrackerPage},
    model::wire::Compact,
};
use leptos::prelude::*;

/// A postmortem's actions and "Not now" list (viewers: a published one's).
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn read_postmortem_actions(number: i64) -> Result<PostmortemActions, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth, services::actions, time::viewer_tz, AppState},
    };
    let viewer = auth::require(Permission::Read)?;
    let state = AppState::current()?;
    actions::of_postmortem(
        &state.db,
        &viewer,
        number,
        viewer_tz(),
        state.mailer.settings.org_tz,
    )
    .await
}

/// Adds an action (assignee and date required) or, when `top_priority` is "no", an
/// item of "Not now". `from_post`: the discussion idea it is promoted from.
#[server(prefix = "/api/respond", protocol = Compact)]
#[allow(clippy::too_many_arguments)]
pub async fn add_corrective_action(
    number: i64,
    title: String,
    #[server(default)] assignee: String,
    #[server(default)] due: String,
    #[server(default)] answers: String,
    #[server(default)] ticket: String,
    #[server(default)] top_priority: String,
    #[server(default)] from_post: String,
) -> Result<Added, AppError> {
    use crate::{
        domain::{postmortem::actions::priority_answer, ActionDraft},
        ssr::{services::actions, signed_in, AppState},
    };
    let actor = signed_in()?;
    let state = AppState::current()?;
    let draft = ActionDraft {
        top_priority: priority_answer(&top_priority).map_err(|e| AppError::Validation(vec![e]))?,
        title,
        assignee,
        due,
        answers,
        ticket,
    };
    let from_post = match from_post.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            AppError::invalid("from_post", "That is not an idea of the discussion.")
        })?),
    };
    let zone = state.mailer.settings.org_tz;
    let added = actions::add(&state.db, &actor, number, &draft, from_post, zone).await?;
    state.live.wake();
    Ok(added)
}

/// Changes one field (title, assignee, due, answers, ticket) of the action as it was at
/// `version`; a newer version is a 409, not an overwrite.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn edit_corrective_action(
    id: i64,
    version: i32,
    field: String,
    #[server(default)] value: String,
) -> Result<(), AppError> {
    use crate::ssr::{services::actions, signed_in, AppState};
    let actor = signed_in()?;
    let state = AppState::current()?;
    let field = actions::Field::parse(&field)?;
    let zone = state.mailer.settings.org_tz;
    actions::edit(&state.db, &actor, id, version, field, &value, zone).await?;
    state.live.wake();
    Ok(())
}

/// Moves the action (at `version`) to `status`; won't do needs a `reason`.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn set_corrective_action_status(
    id: i64,
    version: i32,
    status: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::{
        domain::ActionStatus,
        ssr::{services::actions, signed_in, AppState},
    };
    let actor = signed_in()?;
    let state = AppState::current()?;
    let to = ActionStatus::parse(&status)?;
    actions::set_status(&state.db, &actor, id, version, to, &reason).await?;
    state.live.wake();
    Ok(())
}

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn corrective_action_history(id: i64) -> Result<Vec<ActionChange>, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth, services::actions, time::viewer_tz, AppState},
    };
    let viewer = auth::require(Permission::Read)?;
    actions::history(&AppState::current()?.db, &viewer, id, viewer_tz()).await
}

/// The tracker: every action the filter selects (default: the open ones).
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn action_tracker(
    #[server(default)] assignee: String,
    #[server(default)] service: String,
    #[server(default)] incident: String,
    #[server(default)] status: String,
) -> Result<TrackerPage, AppError> {
    use crate::{
        domain::Permission,
        ssr::{auth, services::actions, time::viewer_tz, AppState},
    };
    let viewer = auth::require(Permission::Read)?;
    let state = AppState::current()?;
    let filter = crate::model::actions::TrackerFilter {
        assignee,
        service,
        incident,
        status,
    };
    let zone = state.mailer.settings.org_tz;
    actions::tracker(&state.db, &viewer, &filter, viewer_tz(), zone).await
}
