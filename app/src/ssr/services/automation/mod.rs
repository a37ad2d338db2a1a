//! Automation: API tokens (who calls the REST API) and outgoing webhooks (who hears
//! what changed), with the admin page's one read of both.

pub mod rest;
pub mod tokens;
pub mod webhooks;

use crate::{domain::AppError, model::automation::Automation};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;

/// The admin page: every token and every endpoint with its latest deliveries.
pub async fn page(db: &impl ConnectionTrait, tz: Tz) -> Result<Automation, AppError> {
    Ok(Automation {
        tokens: tokens::list(db, tz).await?,
        endpoints: webhooks::endpoints(db, tz).await?,
    })
}
