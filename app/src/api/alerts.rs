//! The live feed: alerts grouped by source and service, and triage (attach to an
//! incident; declaring one from an alert is `declare_incident` with `alert`).

use crate::{
    domain::AppError,
    model::alerts::{AlertView, Feed},
    model::wire::Compact,
};
use leptos::prelude::*;

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn list_feed() -> Result<Feed, AppError> {
    use crate::ssr::{db, services::alerts, time::viewer_tz};
    alerts::feed(&db::current()?, viewer_tz()).await
}

#[server(prefix = "/api/read", protocol = Compact)]
pub async fn get_alert(alert: i64) -> Result<AlertView, AppError> {
    use crate::ssr::{db, services::alerts, time::viewer_tz};
    alerts::view(&db::current()?, alert, viewer_tz()).await
}

/// Attaches an untriaged alert to an open incident (recorded on its timeline).
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn attach_alert(alert: i64, number: i64) -> Result<(), AppError> {
    use crate::ssr::{db, services::alerts, signed_in};
    let actor = signed_in()?;
    alerts::attach(&db::current()?, &actor, alert, number).await
}
