use crate::{
    domain::AppError,
    model::insights::{Insights, InsightsFilter},
    model::wire::Compact,
};
use leptos::prelude::*;

/// The insights for a period, charts drawn, in the caller's time zone.
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn read_insights(
    #[server(default)] filter: InsightsFilter,
) -> Result<Insights, AppError> {
    use crate::ssr::{services::insights, time::viewer_tz, AppState};
    let state = AppState::current()?;
    insights::read(
        &state.db,
        &filter,
        viewer_tz(),
        state.mailer.settings.org_tz,
        chrono::Utc::now(),
    )
    .await
}
